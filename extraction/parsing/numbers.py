"""Printed amounts → floats, in the number formats invoices use.

1,234.56 · 1.234,56 · 1 234,56 · 1'234.56 · 1234 · -12,00 · 12,00- · (12.00) · €12 · 12 EUR

A document in a currency of three decimal places (OMR, KWD, BHD, …) prints 12.500 for twelve
and a half: which reading applies is decided once per document from its currency
(``decimal_places``) and holds for every amount read while it is in force.
"""
from __future__ import annotations

import functools
import re
from contextlib import contextmanager
from contextvars import ContextVar

# The document's currency's decimal places: 2, or 3 while a three-decimal document is read.
DECIMAL_PLACES: ContextVar[int] = ContextVar("decimal_places", default=2)


@contextmanager
def decimal_places(places: int):
    """Read amounts with ``places`` decimals (2 or 3) inside the block."""
    token = DECIMAL_PLACES.set(3 if places == 3 else 2)
    try:
        yield
    finally:
        DECIMAL_PLACES.reset(token)


CURRENCY_MARKS = r"(?:€|\$|£|¥|EUR|USD|GBP|CHF|MYR|RM|SGD|JPY|CAD|AUD|SEK|NOK|DKK|PLN|CZK|HUF|Fr\.|CHF)"
# A number as printed: digits with optional thousands groups and a decimal part.
NUMBER_BODY = (
    # thousands groups by . , ' or a (narrow) no-break space; a plain space only before a
    # decimal comma (1 234,56), where it cannot be a quantity followed by a price
    r"\d{1,3}(?:[.,'’\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d{1,3}(?: \d{3})+,\d{2}|\d+(?:[.,]\d{1,2})?"
)
NUMBER_BODY_3 = (
    r"\d{1,3}(?:[.,'’\u00a0\u202f]\d{3})+(?:[.,]\d{1,3})?|\d{1,3}(?: \d{3})+,\d{3}|\d+(?:[.,]\d{1,3})?"
)
# OCR of receipts often splits a decimal part off its separator ("RM 73. 00", "33, 92"):
# accepted only on OCR lines, where a list like "1, 2" is not expected next to an amount.
OCR_SPLIT_DECIMALS = r"\d+[.,] \d{2}(?![\d.,])"


def _amount_regex(number_body: str) -> re.Pattern:
    return re.compile(
        r"(?<![\w.,'’/:\-])"
        r"(?:(?P<neg>[-−–(])\s?)?"
        rf"(?:{CURRENCY_MARKS}\s?)?"
        rf"(?P<num>{number_body})"
        rf"(?:\s?{CURRENCY_MARKS})?"
        r"(?P<trail>-)?"
        r"(?![\w'’%]|[.,/:\-]\d|\s?%)"
    )


AMOUNT = _amount_regex(NUMBER_BODY)
AMOUNT_OCR = _amount_regex(f"{OCR_SPLIT_DECIMALS}|{NUMBER_BODY}")
AMOUNT_3 = _amount_regex(NUMBER_BODY_3)
# Till printers drop the leading zero of cents (US receipts: "TAX .50"): a word that is a
# point and two digits is an amount below one.
CENTS_ONLY = re.compile(r"(?<![\S])\.(?P<num>\d{2})(?![\w'’%]|[.,/:\-]\d)")
# OCR damage, repaired in place (same length, so the words' positions hold):
# - a mark read in front of an amount that has its own decimals (".148.50": a "$" or a
#   dash); a point before a number with a decimal part cannot be a separator;
# - a decimal point read as a space after a currency sign ("$27 50"): with the sign in
#   front it is one amount, not a count followed by a price.
OCR_STRAY_MARK = re.compile(r"(?<![\S])[.,·](?=\d{1,3}(?:[.,]\d{3})*[.,]\d{2}(?![\d.,]))")
OCR_SPACED_CENTS = re.compile(r"(?<=[$€£]) ?\d{1,4}(?P<gap> )\d{2}(?![\d.,])")


def repair_ocr(text: str) -> str:
    text = OCR_STRAY_MARK.sub(" ", text)
    return OCR_SPACED_CENTS.sub(
        lambda m: m.group(0)[: m.start("gap") - m.start()] + "." + m.group(0)[m.end("gap") - m.start():], text)


def parse_number(text: str) -> float | None:
    """The value of one printed number (no currency), or None."""
    parsed = _parse(text, DECIMAL_PLACES.get())
    return None if parsed is None else parsed[0]


def _parse(text: str, places: int) -> tuple[float, bool] | None:
    """(value, has a decimal part) of one printed number, or None."""
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    neg = s.startswith(("-", "−", "–", "(")) or s.endswith("-")
    s = s.strip("-−–()+ ")
    if not s or not re.fullmatch(r"[\d.,' ’]+", s) or not s[0].isdigit():
        return None
    s = s.replace(" ", "").replace("'", "").replace("’", "")
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        head, _, tail = s.rpartition(sep)
        # one separator followed by exactly three digits is a thousands separator (1.234 / 1,234),
        # unless it appears more than once or the head is 0 (0,125), or the currency has three
        # decimal places (12.500 OMR)
        if len(tail) == 3 and head not in ("0", "") and (places != 3 or s.count(sep) > 1):
            decimal = None
        else:
            decimal = sep if s.count(sep) == 1 else None
    else:
        decimal = None
    if decimal:
        integer, _, frac = s.rpartition(decimal)
        integer = integer.replace(".", "").replace(",", "")
        if not integer.isdigit() or not frac.isdigit():
            return None
        value = float(f"{integer}.{frac}")
    else:
        digits = s.replace(".", "").replace(",", "")
        if not digits.isdigit():
            return None
        value = float(digits)
    return (-value if neg else value), decimal is not None


def find_amounts(text: str, ocr: bool = False):
    """Yield (match, value, has_decimals) for every amount printed in ``text``.

    ``ocr``: the text was read by OCR, so tolerate its usual damage (split decimals).
    """
    if ocr:
        text = repair_ocr(text)
    places = DECIMAL_PLACES.get()
    found = [(m, float("0." + m.group("num")), True) for m in CENTS_ONLY.finditer(text)]
    for m in (AMOUNT_3 if places == 3 else AMOUNT_OCR if ocr else AMOUNT).finditer(text):
        raw = m.group("num")
        if places == 3:
            parsed = _parse(raw, places)
            if parsed is None:
                continue
            value, has_decimals = parsed
        else:
            value = parse_number(raw)
            if value is None:
                continue
            has_decimals = bool(re.search(r"[.,] ?\d{1,2}$", raw))
        if m.group("neg") in ("-", "−", "–", "(") or m.group("trail"):
            value = -value
        found.append((m, value, has_decimals))
    # in reading order: callers take a row's last amounts
    yield from sorted(found, key=lambda hit: hit[0].start("num"))


def parse_amount(text: str) -> float | None:
    """The single amount ``text`` consists of (currency marks allowed), or None."""
    found = list(find_amounts(text))
    if len(found) != 1:
        return None
    return found[0][1]


def parse_percent(text: str) -> float | None:
    m = re.fullmatch(r"\s*(\d{1,2}(?:[.,]\d{1,2})?)\s?%\s*", text)
    return float(m.group(1).replace(",", ".")) if m else None


@functools.cache
def iso_currency_codes() -> frozenset[str]:
    """Every ISO 4217 code (CLDR's, through Babel)."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())
