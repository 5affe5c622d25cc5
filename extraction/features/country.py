"""`country`: the supplier's country (ISO 3166 alpha-2), from its VAT id, IBAN or address."""
from __future__ import annotations

import re
from functools import lru_cache

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of
from ._parties import party_score


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    from babel import Locale

    names = {}
    for code in ("en", "fr", "de", "nl", "es", "it"):
        for territory, name in Locale.parse(code).territories.items():
            if len(territory) == 2 and territory.isalpha():
                names[name.lower()] = territory
    return names


@lru_cache(maxsize=1)
def country_rx() -> re.Pattern:
    names = country_names()
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b", re.I)


US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
             "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split()
# "Dallas, TX 75201": a US address names no country, its state and ZIP code do. The code ends
# the address: in "Hauptstr. 1, DE 10115 Berlin" a town follows (a European postcode's prefix).
US_STATE_ZIP = re.compile(r",\s*(?:" + "|".join(US_STATES) + r")\s+\d{5}(?:-\d{4})?\b(?!\s*[^\W\d_])")


def find(ctx: Context) -> list[Candidate]:
    cands = []
    vat = ctx.selected("VAT_Number")
    if vat is not None:
        code = vat.content[:2].upper()
        cands.append(Candidate("GR" if code == "EL" else code, vat.words, 0.8))
    iban = ctx.selected("iban")
    if iban is not None:
        cands.append(Candidate(iban.content[:2].upper(), iban.words, 0.6))
    names, rx = country_names(), country_rx()
    for _p, _i, lt in lines_of(ctx.doc):
        if len(lt.text) > 60:
            continue  # address lines are short
        for m in rx.finditer(lt.text):
            words = lt.words_between(m.start(), m.end())
            cands.append(Candidate(names[m.group(1).lower()], words, max(0.0, 0.35 + party_score(ctx, words))))
        for m in US_STATE_ZIP.finditer(lt.text):
            words = lt.words_between(m.start() + 1, m.end())
            cands.append(Candidate("US", words, max(0.0, 0.35 + party_score(ctx, words))))
    return rank(cands)
