"""`email`: the supplier's e-mail address (not the buyer's, not the user's)."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of
from ._parties import party_score

EMAIL_RX = re.compile(r"(?<![\w.+-])([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.U)


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for _p, _i, lt in lines_of(ctx.doc):
        for m in EMAIL_RX.finditer(lt.text):
            address = m.group(1).rstrip(".").lower()
            words = lt.words_between(m.start(1), m.end(1))
            cands.append(Candidate(address, words, max(0.0, 0.6 + party_score(ctx, words))))
    return rank(cands)
