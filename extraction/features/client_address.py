"""`client_address`: the billing address — the block under a billing heading (the buyer's
name included, as printed), else the lines under the client's name."""
from __future__ import annotations

from ..candidate import rank
from ..context import Context
from ._addresses import BILLING_HEADINGS, under_heading, under_name


def find(ctx: Context):
    cands = under_heading(ctx, BILLING_HEADINGS)
    client = ctx.selected("client")
    if not cands and client is not None:
        below = under_name(ctx, client)
        if below is not None:
            below.content = client.content + "\n" + below.content
            below.words = list(client.words) + list(below.words)
            cands.append(below)
    return rank(cands)
