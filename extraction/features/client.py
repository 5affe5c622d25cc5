"""`client`: the buyer's name — buyer block first, then legal-form lines of the buyer's block;
without either, an address block that is not the supplier's, whatever its heading."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import lines_of
from ._names import (address_block_names, in_table_header, is_field_label, legal_names, mail_header_names,
                     names_in_block, names_over_code, window_recipient)
from ._parties import party_at


def find(ctx: Context) -> list[Candidate]:
    cands = names_in_block(ctx, "buyer") + window_recipient(ctx) + [c for c in legal_names(ctx, "buyer") if c.score >= 0.6]
    addressee = mail_header_names(ctx).get("buyer")
    if addressee is not None:
        cands.append(addressee)
    # a table's header row ("Description  Qty  Price") names columns, not a party
    cands = [c for c in cands if not in_table_header(ctx, c) and not is_field_label(c.content)]
    if not cands:
        # no buyer block by heading or legal form: an address block that is not the
        # supplier's is the client's, whatever its heading (a hotel folio's "Entity", none)
        supplier_words = {id(w) for c in (ctx.found.get("supplier") or [])[:1] for w in c.words}
        cands = [c for c in address_block_names(ctx) if not supplier_words & {id(w) for w in c.words}
                 and party_at(ctx, list(c.words)) != "seller" and not in_table_header(ctx, c)
                 and not is_field_label(c.content)]
    supplier = ctx.selected("supplier")
    if supplier is not None:
        cands = [c for c in cands if c.content != supplier.content]
    if ctx.options.user_company_vat and ctx.options.perspective != "supplier":
        # the caller is the buyer: the block printing its VAT number is the client's
        cands += [c for c in names_over_code(ctx, ctx.options.user_company_vat)
                  if supplier is None or c.content != supplier.content]
    own = (ctx.options.user_company_name or "").strip()
    if own and ctx.options.perspective != "supplier":
        # the caller is the buyer: its own name, where the page prints it, is the client
        printed = _printed(ctx, own)
        cands.append(Candidate(own, printed, 0.95 if printed else 0.2, origin="text" if printed else "user"))
    return rank(cands)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _printed(ctx: Context, name: str) -> list:
    """The words printing ``name`` on the page (spacing and case aside), else []."""
    want = _key(name)
    if len(want) < 3:
        return []
    for _p, _i, lt in lines_of(ctx.doc):
        if want in _key(lt.text):
            words = [w for w in lt.words if _key(w.text) and _key(w.text) in want]
            if words:
                return words
    return []
