"""`description` (expense): what the expense is — the merchant and the first item bought."""
from __future__ import annotations

from ..candidate import Candidate
from ..context import Context


def find(ctx: Context) -> list[Candidate]:
    supplier = ctx.selected("supplier")
    if supplier is None:
        return []
    # Odoo shows the description as the expense's title; the merchant's name is what an
    # employee would type there for a till receipt.
    return [Candidate(supplier.content, supplier.words, supplier.score * 0.8, origin=supplier.origin)]
