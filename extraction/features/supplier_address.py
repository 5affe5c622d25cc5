"""`supplier_address`: the issuer's postal address, printed under its name."""
from __future__ import annotations

from ..candidate import rank
from ..context import Context
from ._addresses import under_name


def find(ctx: Context):
    cand = under_name(ctx, ctx.selected("supplier"))
    return rank([cand]) if cand else []
