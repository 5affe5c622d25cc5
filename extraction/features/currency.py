"""`currency`: ISO 4217 code from codes and symbols printed on the document.

Codes count more than symbols ("$" is shared by many currencies); amounts next to a mark
count more than a mark in running text. Without any mark, the user's company country
gives a weak default (Babel's territory currencies).
"""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of

CODES = ("EUR", "USD", "GBP", "CHF", "MYR", "SGD", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN",
         "CZK", "HUF", "RON", "BGN", "INR", "CNY", "HKD", "NZD", "ZAR", "BRL", "MXN", "TRY", "AED", "SAR")
SYMBOLS = {"€": "EUR", "£": "GBP", "$": "USD", "US$": "USD", "¥": "JPY", "RM": "MYR", "S$": "SGD",
           "Fr.": "CHF", "CHF": "CHF", "zł": "PLN", "Kč": "CZK", "kr": "SEK", "₹": "INR", "Rs": "INR", "Rs.": "INR"}
WORDS = {"euro": "EUR", "euros": "EUR", "dollars": "USD", "pounds": "GBP", "ringgit": "MYR", "franken": "CHF"}
CODE_RX = re.compile(r"(?<![A-Z])(" + "|".join(CODES) + r")(?![A-Z])")
SYMBOL_RX = re.compile(r"(US\$|S\$|€|£|\$|¥|₹|zł|Kč|(?<![A-Za-z])RM(?=\s?\d|\s*$|\)|\s)|(?<![A-Za-z])Fr\.(?=\s?\d)|(?<![A-Za-z])Rs\.?(?=\s?\d)|(?<=\()Rs\.?(?=\)))")
WORD_RX = re.compile(r"\b(" + "|".join(WORDS) + r")\b", re.I)
AMOUNT_NEAR = re.compile(r"\d[\d.,']*\d")
# "Currency: GBP" names the bill's currency as plainly as a mark beside its amounts does
# (a bill in a foreign currency may also mention the supplier's own one in running text).
CURRENCY_LABEL = re.compile(r"\b(currency|w[äa]hrung|devise|monnaie|moneda|divisa|valuta|munteenheid)\b\s*[:.]?\s*$",
                            re.I)


def find(ctx: Context) -> list[Candidate]:
    cands: list[Candidate] = []
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


def _country_currency(country: str | None) -> str | None:
    if not country:
        return None
    try:
        from babel.numbers import get_territory_currencies

        found = get_territory_currencies(country.upper())
        return found[0] if found else None
    except Exception:  # unknown territory code
        return None
