"""`currency`: ISO 4217 code from codes and symbols printed on the document.

Codes count more than symbols ("$" is shared by many currencies); amounts next to a mark
count more than a mark in running text. Without any mark, the user's company country
gives a weak default (Babel's territory currencies).

Any ISO 4217 code Babel knows is read, but a code outside the common ones only when it
stands right beside an amount with decimals ("OMR 1.250,500", "12.500 KWD"), in a column
header's parentheses ("Amount (OMR)") or after a currency label, and only when the page prints
it twice or names no other currency: many codes are also words ("ALL", "TOP", "CUP").
"""
from __future__ import annotations

import re
from collections import Counter

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of
from ..parsing.numbers import iso_currency_codes

CODES = ("EUR", "USD", "GBP", "CHF", "MYR", "SGD", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN",
         "CZK", "HUF", "RON", "BGN", "INR", "CNY", "HKD", "NZD", "ZAR", "BRL", "MXN", "TRY", "AED", "SAR")
SYMBOLS = {"€": "EUR", "£": "GBP", "$": "USD", "US$": "USD", "¥": "JPY", "RM": "MYR", "S$": "SGD",
           "Fr.": "CHF", "CHF": "CHF", "zł": "PLN", "Kč": "CZK", "kr": "SEK", "₹": "INR", "Rs": "INR", "Rs.": "INR"}
WORDS = {"euro": "EUR", "euros": "EUR", "dollars": "USD", "pounds": "GBP", "ringgit": "MYR", "franken": "CHF"}
CODE_RX = re.compile(r"(?<![A-Z])(" + "|".join(CODES) + r")(?![A-Z])")
OTHER_CODE_RX = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")
BESIDE_AMOUNT_BEFORE = re.compile(r"^\s?-?\d[\d.,'\s]*[.,]\d{1,3}(?!\d)")
BESIDE_AMOUNT_AFTER = re.compile(r"\d[.,]\d{1,3}-?\s?$")
SYMBOL_RX = re.compile(r"(US\$|S\$|€|£|\$|¥|₹|zł|Kč|(?<![A-Za-z])RM(?=\s?\d|\s*$|\)|\s)|(?<![A-Za-z])Fr\.(?=\s?\d)|(?<![A-Za-z])Rs\.?(?=\s?\d)|(?<=\()Rs\.?(?=\)))")
WORD_RX = re.compile(r"\b(" + "|".join(WORDS) + r")\b", re.I)
AMOUNT_NEAR = re.compile(r"\d[\d.,']*\d")
# "Currency: GBP" names the bill's currency as plainly as a mark beside its amounts does
# (a bill in a foreign currency may also mention the supplier's own one in running text).
CURRENCY_LABEL = re.compile(r"\b(currency|w[äa]hrung|devise|monnaie|moneda|divisa|valuta|munteenheid)\b\s*[:.]?\s*$",
                            re.I)


def find(ctx: Context) -> list[Candidate]:
    cands: list[Candidate] = []
    rare: list[Candidate] = []  # ISO codes outside CODES
    for _p, _i, lt in lines_of(ctx.doc):
        for rx, base, table in ((CODE_RX, 0.6, None), (SYMBOL_RX, 0.45, SYMBOLS), (WORD_RX, 0.3, WORDS)):
            for m in rx.finditer(lt.text):
                raw = m.group(1)
                code = raw if table is None else table.get(raw, table.get(raw.lower()))
                if not code:
                    continue
                near_amount = bool(AMOUNT_NEAR.search(lt.text[max(0, m.start() - 14): m.end() + 14]))
                labelled = bool(CURRENCY_LABEL.search(lt.text[max(0, m.start() - 24): m.start()]))
                words = lt.words_between(m.start(1), m.end(1))
                cands.append(Candidate(code, words, base + (0.3 if near_amount or labelled else 0.0)))
        for m in OTHER_CODE_RX.finditer(lt.text):
            code = m.group(1)
            if code in CODES or code not in iso_currency_codes():
                continue
            beside = (BESIDE_AMOUNT_BEFORE.search(lt.text[m.end():m.end() + 24])
                      or BESIDE_AMOUNT_AFTER.search(lt.text[max(0, m.start() - 24):m.start()])
                      or lt.text[m.start() - 1:m.start()] == "(" and lt.text[m.end():m.end() + 1] == ")")
            labelled = bool(CURRENCY_LABEL.search(lt.text[max(0, m.start() - 24): m.start()]))
            if beside or labelled:
                rare.append(Candidate(code, lt.words_between(m.start(1), m.end(1)), 0.7))
    # a rare code printed once beside a number may be a word ("1 CUP 3.50"): it counts when the
    # page prints it again or names no other currency
    rare_counts = Counter(c.content for c in rare)
    cands += [c for c in rare if rare_counts[c.content] >= 2 or not cands]
    # many marks of one currency make it the document's
    counts: dict[str, int] = {}
    for c in cands:
        counts[c.content] = counts.get(c.content, 0) + 1
    for c in cands:
        c.score = min(1.0, c.score + 0.03 * min(counts[c.content], 5))
    if not cands:
        fallback = _country_currency(ctx.options.user_company_country_code)
        if fallback:
            cands.append(Candidate(fallback, (), 0.1, origin="user"))
    return rank(cands)


def document_decimal_places(ctx: Context) -> int:
    """The decimals of the document's amounts, from its selected currency when the page (or its
    XML) names it plainly; a weak guess (a bare "$", the user's country) keeps 2."""
    chosen = ctx.selected("currency")
    if chosen is None or chosen.origin == "user" or (chosen.origin not in ("xml", "qr") and chosen.score < 0.6):
        return 2
    return decimal_places(chosen.content)


def decimal_places(code: str | None) -> int:
    """How many decimals amounts in ``code`` have (CLDR's data through Babel; 2 if unknown)."""
    if not code:
        return 2
    try:
        from babel.numbers import get_currency_precision

        return get_currency_precision(code)
    except Exception:  # not a currency Babel knows
        return 2


def _country_currency(country: str | None) -> str | None:
    if not country:
        return None
    try:
        from babel.numbers import get_territory_currencies

        found = get_territory_currencies(country.upper())
        return found[0] if found else None
    except Exception:  # unknown territory code
        return None
