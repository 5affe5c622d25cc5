"""Find where a known value is printed on the page.

Structured values (XML, payment codes) are exact but carry no position; the review form
and Odoo's client still want a box. We look for the value's printed forms among the
document's lines; a value that is not printed gets no words (the empty box on page 0).
"""
from __future__ import annotations

import re
from datetime import date

from ..document import Document, Word
from ..layout import lines_of
from ..parsing.dates import find_dates
from ..parsing.numbers import decimal_places, find_amounts


def _squash(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).upper()


def locate_text(doc: Document, value: str) -> list[Word]:
    """The whole words printing ``value`` (spacing, dots and dashes ignored), first occurrence.

    The value must start at a word's start and end at a word's end, so "DE" is not found
    inside "DEUTSCHLAND" — but "DE 123 456" does print "DE123456".
    """
    target = _squash(value)
    if not target:
        return []
    for _p, _i, lt in lines_of(doc):
        pieces = [(w, _squash(w.text)) for w in lt.words]
        pieces = [(w, s) for w, s in pieces if s]
        for start in range(len(pieces)):
            joined, words = "", []
            for w, s in pieces[start:]:
                joined += s
                words.append(w)
                if len(joined) >= len(target):
                    break
            if joined == target:
                return words
    return []


def locate_amount(doc: Document, value: float, prefer: list[Word] | None = None) -> list[Word]:
    """The words printing the amount ``value`` (any number format); the lowest on the page
    wins, as totals are printed under the lines that repeat the same figures. The value is
    known, so a page of a three-decimal currency ("12.500" for 12.5) is read both ways."""
    best: list[Word] = []
    for places in (2, 3):
        with decimal_places(places):
            for _p, _i, lt in lines_of(doc):
                for m, v, _dec in find_amounts(lt.text):
                    if abs(abs(v) - abs(value)) < (0.005 if places == 2 else 0.0005):
                        words = lt.words_between(m.start("num"), m.end("num"))
                        if words:
                            best = words
        if best:
            break
    return best


def locate_date(doc: Document, value: date) -> list[Word]:
    """The words printing the date ``value``, in either day/month order."""
    for _p, _i, lt in lines_of(doc):
        for month_first in (False, True):
            for m, d in find_dates(lt.text, month_first):
                if d == value:
                    words = lt.words_between(m.start(), m.end())
                    if words:
                        return words
    return []
