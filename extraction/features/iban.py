"""`iban`: an IBAN passing the ISO 13616 check (python-stdnum), the payee's first."""
from __future__ import annotations

import re

from stdnum import iban as std_iban

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import compile_labels, lines_of
from ._parties import party_score

IBAN_RX = re.compile(r"(?<![A-Z0-9])([A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,30})")
LABELS = compile_labels(["iban", "bank account", "account", "konto", "bankverbindung", "compte", "rekening",
                         "cuenta", "conto", "coordonnées bancaires"])


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for _p, _i, lt in lines_of(ctx.doc):
        text = lt.text.upper()
        labelled = bool(LABELS.search(lt.text))
        for m in IBAN_RX.finditer(text):
            raw = m.group(1)
            # the regex may swallow the next word: shorten until the checksum holds
            for end in range(len(raw), 14, -1):
                piece = raw[:end].rstrip()
                if std_iban.is_valid(piece):
                    break
            else:
                continue
            words = lt.words_between(m.start(1), m.start(1) + len(piece))
            score = 0.7 + (0.2 if labelled else 0.0) + 0.5 * party_score(ctx, words)
            cands.append(Candidate(std_iban.compact(piece), words, max(0.0, min(1.0, score)),
                                   origin="ocr" if words and words[0].conf < 1 else "text"))
    return rank(cands)
