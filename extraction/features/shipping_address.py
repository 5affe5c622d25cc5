"""`shipping_address`: the block under a delivery heading ("Ship to", "Lieferadresse" …)."""
from __future__ import annotations

from ..candidate import rank
from ..context import Context
from ._addresses import SHIPPING_HEADINGS, under_heading


def find(ctx: Context):
    return rank(under_heading(ctx, SHIPPING_HEADINGS))
