"""`supplier`: the issuer's name — seller block, legal-form lines, letterhead, receipt header."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ._names import legal_names, letterhead, names_in_block, receipt_header


def find(ctx: Context) -> list[Candidate]:
    own = (ctx.options.user_company_name or "").strip().lower()
    is_receipt = ctx.options.document_type == "expense" or all(p.source == "ocr" for p in ctx.doc.pages)
    cands = names_in_block(ctx, "seller") + legal_names(ctx, "seller") + letterhead(ctx)
    if is_receipt:
        cands += receipt_header(ctx)
    if ctx.options.perspective == "supplier" and own:
        pass  # the user issued the document: their own name is the supplier
    elif own:
        cands = [c for c in cands if own not in c.content.lower()]
    # a name printed several times (letterhead and footer) is the issuer's
    counts: dict[str, int] = {}
    for c in cands:
        key = re.sub(r"\W", "", c.content.lower())
        counts[key] = counts.get(key, 0) + 1
    for c in cands:
        c.score = min(1.0, c.score + 0.08 * (counts[re.sub(r"\W", "", c.content.lower())] - 1))
    return rank([c for c in cands if len(c.content) >= 2])
