"""`website`: the supplier's web address."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of
from ._parties import party_score

URL_RX = re.compile(r"(?<![\w@.])((?:https?://)?(?:www\.)[\w-]+(?:\.[\w-]+)+(?:/[\w./-]*)?|https?://[\w-]+(?:\.[\w-]+)*(?:/[\w./-]*)?)",
                    re.I)


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for _p, _i, lt in lines_of(ctx.doc):
        for m in URL_RX.finditer(lt.text):
            url = m.group(1).rstrip("./")
            words = lt.words_between(m.start(1), m.end(1))
            cands.append(Candidate(url, words, max(0.0, 0.6 + party_score(ctx, words))))
    return rank(cands)
