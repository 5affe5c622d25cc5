"""`bill_reference` (expense): the receipt's or bill's number."""
from __future__ import annotations

from ..candidate import Candidate
from ..context import Context
from .invoice_id import find as find_invoice_number


def find(ctx: Context) -> list[Candidate]:
    # A receipt's number is labelled like an invoice's ("Receipt No", "Bill No", "Invoice #").
    return find_invoice_number(ctx)
