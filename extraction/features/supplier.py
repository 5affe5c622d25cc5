"""`supplier`: the issuer's name — seller block, legal-form lines, letterhead, receipt header."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import BUYER_HEADINGS, SELLER_HEADINGS, is_heading, line_position, lines_of, segments
from ..spans import LineText
from ._parties import compact
from ._names import (ADDRESS_LINE, DOCUMENT_TITLES, LEGAL_FORM_END, LEGAL_FORMS, NAME_LABEL, REGISTRATION_LINE,
                     in_table_header, is_field_label, is_form_key, legal_names, letterhead, mail_header_names,
                     names_in_block, names_over_code, receipt_header, window_recipient, window_sender)


def find(ctx: Context) -> list[Candidate]:
    own = (ctx.options.user_company_name or "").strip().lower()
    is_receipt = ctx.options.document_type == "expense" or all(p.source == "ocr" for p in ctx.doc.pages)
    cands = names_in_block(ctx, "seller") + legal_names(ctx, "seller") + letterhead(ctx) + window_sender(ctx)
    sender = mail_header_names(ctx).get("seller")
    if sender is not None:
        cands.append(sender)
    if is_receipt:
        cands += receipt_header(ctx)
    if ctx.options.perspective == "supplier" and own:
        pass  # the user issued the document: their own name is the supplier
    elif own:
        cands = [c for c in cands if own not in c.content.lower()]
    if ctx.options.user_company_vat and ctx.options.perspective != "supplier":
        # the block printing the caller's own VAT number names the caller, not the supplier
        callers = {c.content.lower() for c in names_over_code(ctx, ctx.options.user_company_vat)}
        cands = [c for c in cands if c.content.lower() not in callers]
    # the name printed under a buyer's heading is the buyer's, wherever else it is printed (a
    # delivery address beside); only when no other name is left may a bill name one party twice
    buyers = names_in_block(ctx, "buyer")
    buyer_words = {id(w) for c in buyers for w in c.words}
    buyer_names = {compact(c.content) for c in buyers}
    cands = [c for c in cands if not (c.words and all(id(w) in buyer_words for w in c.words))]
    cands = [c for c in cands if compact(c.content) not in buyer_names] or cands
    # the address under a window envelope's sender line is the recipient's
    recipients = {c.content.lower() for c in window_recipient(ctx)}
    if recipients:
        cands = [c for c in cands if c.content.lower() not in recipients]
    # a table's header row ("Service  Units  Price  Charge") names columns, not a party
    cands = [c for c in cands if not in_table_header(ctx, c) and not is_field_label(c.content)
             and not is_form_key(c.content)]
    # a name printed several times (letterhead and footer) is the issuer's
    counts: dict[str, int] = {}
    for c in cands:
        key = re.sub(r"\W", "", c.content.lower())
        counts[key] = counts.get(key, 0) + 1
    for c in cands:
        c.score = min(1.0, c.score + 0.08 * (counts[re.sub(r"\W", "", c.content.lower())] - 1))
        c.score = max(0.0, min(1.0, c.score + _layout_evidence(ctx, c)))
    for c in cands:
        # "Paystack Labs Pte. Ltd.      Bill to": another block's heading beside the name
        parts = segments(LineText.of(list(c.words))) if c.words else []
        texts = [" ".join(w.text for w in part) for part in parts]
        # ("Name:  Kranich Werkzeug GmbH" is a label and its value, whatever words the name has)
        if texts and not texts[0].rstrip().endswith(":") and any(
                is_heading(text, BUYER_HEADINGS) or is_heading(text, SELLER_HEADINGS) for text in texts[1:]):
            c.words, c.content = parts[0], texts[0].strip(" :,;-")
    for c in cands:
        # "Name: Kranich Werkzeug GmbH": the label is not part of the name
        label = NAME_LABEL.match(c.content)
        if label and label.group(0).rstrip().endswith(":") and len(c.content) - label.end() >= 2:
            c.content = c.content[label.end():].strip()
            c.words = [w for w in c.words if not NAME_LABEL.fullmatch(w.text)]
    for c in cands:
        # "Acme Widgets GmbH INVOICE": the document's title printed on the name's line
        trimmed = TRAILING_TITLE.sub("", c.content).strip(" :,;-")
        if len(trimmed) >= 2 and trimmed != c.content:
            c.content = trimmed
            c.words = [w for w in c.words if not TRAILING_TITLE.fullmatch(" " + w.text)]
    return rank([c for c in cands if len(c.content) >= 2])


TRAILING_TITLE = re.compile(r"\s+(?:" + "|".join(t.replace(" ", r"\s+") for t in DOCUMENT_TITLES) + r")\W*$", re.I)


def _layout_evidence(ctx: Context, cand: Candidate) -> float:
    """An address line is not a name; a line printed over a registration id is one."""
    if ADDRESS_LINE.search(cand.content) and not LEGAL_FORM_END.search(cand.content):
        return -0.25  # (a company's name ends with its legal form: "… GmbH & Co. KG" is no "Kg" street)
    if not cand.words:
        return 0.0
    page, index = line_position(ctx.doc, cand.words[-1])
    below = lines_of(ctx.doc).pages[page][index + 1: index + 3]
    if any(REGISTRATION_LINE.search(lt.text) for lt in below[:1]) or (
            len(below) == 2 and REGISTRATION_LINE.search(below[1].text) and len(below[0].text) < 30):
        return 0.15
    return 0.0
