"""`date`: the issue date — a date after an issue-date label, not a due or delivery date."""
from __future__ import annotations

from ..candidate import Candidate, rank
from ..context import Context
from .invoice_id import STRONG as NUMBER_LABELS
from ._dates import ISSUE_LABELS, LINKING_WORDS, OTHER_DATE_LABELS, date_hits, label_score


def find(ctx: Context) -> list[Candidate]:
    cands = []
    number = ctx.selected("invoice_id")
    number_line = {(w.page, w.line) for w in number.words} if number is not None else set()
    for hit in date_hits(ctx):
        score = 0.3 + label_score(hit, ISSUE_LABELS, OTHER_DATE_LABELS)
        if (hit.words[0].page, hit.words[0].line) in number_line or NUMBER_LABELS.search(hit.before):
            # the date printed on the invoice number's line ("Invoice 42 of 3 May") is its date
            score += 0.35 if LINKING_WORDS.search(hit.before[-12:]) else 0.2
        score += 0.15 * (1 - min(hit.position, 1.0))  # the issue date is printed early
        cands.append(Candidate(hit.value.isoformat(), hit.words, max(0.0, min(1.0, score)),
                               origin="ocr" if hit.words[0].conf < 1 else "text"))
    return rank(cands)
