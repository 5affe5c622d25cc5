"""`client`: the buyer's name — buyer block first, then legal-form lines of the buyer's block."""
from __future__ import annotations

from ..candidate import Candidate, rank
from ..context import Context
from ._names import legal_names, names_in_block, window_recipient


def find(ctx: Context) -> list[Candidate]:
    cands = names_in_block(ctx, "buyer") + window_recipient(ctx) + [c for c in legal_names(ctx, "buyer") if c.score >= 0.6]
    supplier = ctx.selected("supplier")
    if supplier is not None:
        cands = [c for c in cands if c.content != supplier.content]
    own = (ctx.options.user_company_name or "").strip()
    if own and ctx.options.perspective != "supplier":
        cands.append(Candidate(own, (), 0.2, origin="user"))
    return rank(cands)
