"""`due_date`: a date after a due-date label, or the issue date plus the payment terms."""
from __future__ import annotations

import re
from datetime import date, timedelta

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of
from ._dates import (DIRECT_DEBIT, DUE_LABELS, NOT_DUE_LABELS, PAYMENT_SENTENCE, date_hits, grants_discount,
                     label_score)

# "30 days net", "zahlbar innerhalb 14 Tagen", "à 30 jours", "binnen 30 dagen", "a 30 días", "30 giorni"
TERMS = re.compile(r"(?<!\d)(\d{1,3})\s*(?:days?|tage[n]?|jours?|dagen|d[ií]as|giorni|gg\.?)\b", re.I)
TERMS_CONTEXT = re.compile(r"net|netto|zahlbar|payable|payment|paiement|règlement|reglement|betaling|"
                           r"betalen|pago|pagamento|within|innerhalb|binnen|dans|sous|entro|terms|ziel", re.I)


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for hit in date_hits(ctx):
        score = label_score(hit, DUE_LABELS, NOT_DUE_LABELS)
        sentence = hit.before[-120:]
        if score == 0 and PAYMENT_SENTENCE.search(sentence) and not grants_discount(sentence):
            score = 0.5  # "Please pay the invoice total by 13/05/2018": a deadline in a sentence
        elif score == 0 and DIRECT_DEBIT.search(sentence):
            score = 0.4  # "Direct debit: the amount will be collected on 24/11/2025"
        if score > 0:
            cands.append(Candidate(hit.value.isoformat(), hit.words, min(1.0, 0.3 + score),
                                   origin="ocr" if hit.words[0].conf < 1 else "text"))
    issue = ctx.selected("date")
    if issue is not None:
        issued = date.fromisoformat(issue.content)
        for _p, _i, lt in lines_of(ctx.doc):
            if not TERMS_CONTEXT.search(lt.text):
                continue
            for m in TERMS.finditer(lt.text):
                days = int(m.group(1))
                if days > 180:
                    continue
                words = lt.words_between(m.start(), m.end())
                cands.append(Candidate((issued + timedelta(days=days)).isoformat(), words, 0.45,
                                       origin="ocr" if words and words[0].conf < 1 else "text"))
    return rank(cands)
