"""`VAT_Number`: a VAT id checked with python-stdnum, of the party the caller wants.

On a received bill (perspective 'client') that is the supplier's; never the user's own.
"""
from __future__ import annotations

import re

from stdnum import iban as std_iban
from stdnum.eu import vat as eu_vat

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import compile_labels, lines_of
from ._parties import compact, is_users_own, party_score
from .iban import IBAN_RX

PREFIXES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "GR", "ES", "FI", "FR", "HR", "HU", "IE",
            "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI", "GB", "CH", "CHE", "NO")
VAT_RX = re.compile(r"(?<![A-Z0-9])((?:" + "|".join(PREFIXES) + r")[\s.\-]?[0-9A-Z][0-9A-Z .\-]{6,16}[0-9A-Z])"
                    r"(?:\s?(?:MWST|TVA|IVA|MVA))?(?![A-Z0-9])")
TAX_WORD_AFTER = re.compile(r"(?<=\d)\s?(?:UST|MWST|TVA|IVA|MVA|BTW|VAT|GST)$")
LABELS = compile_labels([
    "vat", "vat no", "vat number", "vat id", "vat reg", "vat registration", "tax id", "ust-id", "ust-idnr",
    "ust.-id.-nr", "ust-id-nr", "ust.-id", "ustid", "umsatzsteuer-id", "umsatzsteuer-identifikationsnummer",
    "uid", "mwst-nr", "tva", "n° tva", "tva intracom", "tva intracommunautaire", "numéro de tva", "btw",
    "btw-nr", "btw nummer", "nif", "cif", "nif/cif", "p.iva", "p. iva", "partita iva", "iva", "vat reg no",
])


def _validate(candidate: str) -> str | None:
    number = compact(candidate)
    if number.startswith("GR"):
        number = "EL" + number[2:]
    if number.startswith("CHE"):
        from stdnum.ch import vat as ch_vat

        return ch_vat.compact(number) if ch_vat.is_valid(number) else None
    if number.startswith("NO"):
        from stdnum.no import mva

        return "NO" + mva.compact(number[2:]) if mva.is_valid(number[2:]) else None
    if number.startswith("GB"):
        from stdnum.gb import vat as gb_vat

        return number if gb_vat.is_valid(number[2:]) else None
    try:
        return eu_vat.compact(number) if eu_vat.is_valid(number) else None
    except Exception:  # stdnum raises on unknown prefixes
        return None


def _word_ends(text: str, start: int, end: int) -> list[int]:
    """Offsets in (start, end] where a word ends: a VAT id is cut between words, never inside one."""
    return [i for i in range(end, start, -1) if i == len(text) or not text[i].isalnum() or not text[i - 1].isalnum()]


def find(ctx: Context) -> list[Candidate]:
    cands = []
    users_own_printed = False
    for _p, _i, lt in lines_of(ctx.doc):
        upper = lt.text.upper()
        labelled = bool(LABELS.search(lt.text))
        ibans = [m.span(1) for m in IBAN_RX.finditer(upper) if std_iban.is_valid(m.group(1))]
        for m in VAT_RX.finditer(upper):
            if any(s <= m.start(1) < e for s, e in ibans):
                continue  # the start of an IBAN, whose digits can pass a VAT checksum by chance
            valid = None
            for end in _word_ends(upper, m.start(1) + 7, m.end(1)):
                piece = upper[m.start(1):end].rstrip(" .-")
                # a tax word printed after the id names it ("DE123456789 UST"), it is not part of it
                piece = TAX_WORD_AFTER.sub("", piece).rstrip(" .-")
                if end < len(upper) and upper[end:end + 2].strip()[:1].isdigit():
                    continue  # more digits follow: a longer number, not this VAT id
                valid = _validate(piece)
                shape_ok = re.fullmatch(r"[A-Z]{2,3}[0-9A-Z]{8,13}", compact(piece)) is not None
                if valid or (labelled and shape_ok and sum(ch.isdigit() for ch in piece) >= 7):
                    break
            else:
                continue
            value = valid or compact(piece)
            if is_users_own(ctx, value):
                users_own_printed = True
                continue
            words = lt.words_between(m.start(1), m.start(1) + len(piece))
            party = party_score(ctx, words)
            # a printed id after a VAT label counts even when its checksum fails (sample data
            # does that), but ranks below every checked one
            score = (0.55 if valid else 0.25) + (0.2 if labelled else 0.0) + party
            cands.append((Candidate(value, words, max(0.0, min(1.0, score)),
                                    origin="ocr" if words and words[0].conf < 1 else "text"), party < 0))
    # an id printed in the other party's block ("Bill to: … VAT ID") is never this party's,
    # unless the user's own id is printed too (the roles are the other way round)
    return rank([c for c, other_party in cands if users_own_printed or not other_party])
