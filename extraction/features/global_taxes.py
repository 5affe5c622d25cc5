"""`global_taxes`: the tax rates applied on the document (percent), several possible."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of
from ._amounts import TAX

RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for _p, _i, lt in lines_of(ctx.doc):
        labelled = bool(TAX.search(lt.text))
        for m in RATE.finditer(lt.text):
            rate = float(m.group(1).replace(",", "."))
            if rate > 30:
                continue
            words = lt.words_between(m.start(), m.end())
            cands.append(Candidate(rate, words, 0.6 if labelled else 0.3, extra={"amount_type": "percent"},
                                   selected=labelled))
    ranked = rank(cands)
    if ranked and not any(c.selected for c in ranked):
        ranked[0].selected = True
    return ranked
