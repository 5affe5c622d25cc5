"""Whose data is it: the seller's or the buyer's? Shared by VAT, IBAN, e-mail, names."""
from __future__ import annotations

import re

from ..context import Context
from ..document import Word
from ..layout import column_start, line_position, party_of


def compact(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", value or "").upper()


def wanted_party(ctx: Context) -> str:
    """Whose identifiers the caller wants: the supplier's on a received bill ('client' perspective)."""
    return "buyer" if ctx.options.perspective == "supplier" else "seller"


def party_at(ctx: Context, words: list[Word]) -> str | None:
    """'seller' / 'buyer': whose block the words lie in, by the heading over their column."""
    if not words:
        return None
    page, index = line_position(ctx.doc, words[0])
    return party_of(ctx.doc, page, index, x=column_start(ctx.doc, page, index, words[0]))


def party_score(ctx: Context, words: list[Word]) -> float:
    """+0.3 when the words lie in the wanted party's block, −0.4 in the other's, else 0."""
    party = party_at(ctx, words)
    if party is None:
        return 0.0
    return 0.3 if party == wanted_party(ctx) else -0.4


def is_users_own(ctx: Context, value: str) -> bool:
    own = compact(ctx.options.user_company_vat or "")
    v = compact(value)
    return bool(own) and (v == own or v[2:] == own or v == own[2:])
