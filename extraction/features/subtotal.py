"""`subtotal`: chosen together with the other totals (see _amounts.totals)."""
from __future__ import annotations

from ..candidate import Candidate
from ..context import Context
from ._amounts import totals


def find(ctx: Context) -> list[Candidate]:
    return totals(ctx)["subtotal"]
