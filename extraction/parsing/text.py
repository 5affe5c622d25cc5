"""Accents off: OCR and plain-ASCII senders drop them ("Fallig", "DE25" for "DÉ25")."""
from __future__ import annotations

import unicodedata


def unaccented(text: str) -> str:
    """``text`` without combining accents ("Fällig" → "Fallig")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def unaccented_same_length(text: str, lower: bool = False) -> str:
    """Like ``unaccented``, one character for each character of ``text`` (so offsets found in
    the result are offsets in ``text``); optionally lower-cased the same way."""
    out = []
    for c in text:
        base = unaccented(c)[:1] or c
        if lower:
            base = base.lower() if len(base.lower()) == 1 else base
        out.append(base)
    return "".join(out)
