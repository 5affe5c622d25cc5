"""`iban`: an IBAN passing the ISO 13616 check (python-stdnum), the payee's first."""
from __future__ import annotations

import re

from stdnum import iban as std_iban

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import compile_labels, lines_of
from ..parsing.accounts import iban_valid
from ..parsing.text import unaccented_same_length
from ._parties import party_score

IBAN_RX = re.compile(r"(?<![A-Z0-9])([A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,30})")
LABELS = compile_labels(["iban", "bank account", "account", "konto", "bankverbindung", "compte", "rekening",
                         "cuenta", "conto", "coordonnées bancaires",
    "bankgiro", "plusgiro", "kontonummer", "rachunek", "nr rachunku", "numer konta", "tilinumero", "conta",
])


# Letters OCR reads for digits; tried in an IBAN's account part only when its checksum
# fails, and kept only when the mod-97 check then holds.
OCR_DIGITS = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})


def _ocr_digits(iban: str) -> str:
    return iban[:2] + iban[2:4].translate(OCR_DIGITS) + (
        iban[4:].translate(OCR_DIGITS) if iban[:2] in NUMERIC_BBAN else iban[4:])


# Countries whose account part is all digits (ISO 13616 registry)
NUMERIC_BBAN = {"DE", "AT", "BE", "DK", "FI", "NO", "SE", "PL", "CZ", "SK", "SI", "HR", "HU", "EE", "LT", "ES", "PT",
                "IS", "RS", "ME", "TN", "IL", "FO", "GL", "BA"}


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for _p, _i, lt in lines_of(ctx.doc):
        text = lt.text.upper()
        ocr = any(w.conf < 1.0 for w in lt.words)
        if ocr:
            # OCR reads a gap between groups as a dot or comma ("0000.0970") and adds accents
            # ("DÉ25"); replaced character for character, so offsets into the line hold
            text = unaccented_same_length(re.sub(r"(?<=[A-Z0-9])[.,:](?=[A-Z0-9])", " ", text))
        labelled = bool(LABELS.search(lt.text))
        for m in IBAN_RX.finditer(text):
            raw = m.group(1)
            # the regex may swallow the next word: shorten until the checksum holds
            for end in range(len(raw), 14, -1):
                piece = raw[:end].rstrip()
                if iban_valid(piece):
                    break
                repaired = _ocr_digits(piece) if ocr else piece
                if repaired != piece and iban_valid(repaired):
                    piece = repaired  # "O481": a letter O read for a zero
                    break
            else:
                continue
            words = lt.words_between(m.start(1), m.start(1) + len(piece))
            score = 0.7 + (0.2 if labelled else 0.0) + 0.5 * party_score(ctx, words)
            cands.append(Candidate(std_iban.compact(piece), words, max(0.0, min(1.0, score)),
                                   origin="ocr" if words and words[0].conf < 1 else "text"))
    return rank(cands)
