"""Feature finders: one module per feature, each exposing ``find(ctx) -> list[Candidate]``.

The registries fix the order finders run in (later finders may read earlier results
through ``ctx.found``) and which features each document type returns.
"""
from __future__ import annotations

import importlib
from typing import Callable

from ..candidate import Candidate
from ..context import Context

Finder = Callable[[Context], list[Candidate]]

# feature name -> module under extraction.features
INVOICE_FEATURES: list[tuple[str, str]] = [
    ("currency", "currency"),
    ("VAT_Number", "vat_number"),
    ("iban", "iban"),
    ("SWIFT_code", "swift_code"),
    ("email", "email"),
    ("website", "website"),
    ("country", "country"),
    ("supplier", "supplier"),
    ("client", "client"),
    ("invoice_id", "invoice_id"),
    ("date", "date"),
    ("due_date", "due_date"),
    ("total", "total"),
    ("subtotal", "subtotal"),
    ("total_tax_amount", "total_tax_amount"),
    ("global_taxes", "global_taxes"),
    ("payment_ref", "payment_ref"),
    ("purchase_order", "purchase_order"),
    ("invoice_lines", "invoice_lines"),
    ("supplier_address", "supplier_address"),
    ("client_address", "client_address"),
    ("shipping_address", "shipping_address"),
]

EXPENSE_FEATURES: list[tuple[str, str]] = [
    ("currency", "currency"),
    ("country", "country"),
    ("supplier", "supplier"),
    ("date", "date"),
    ("total", "total"),
    ("description", "description"),
    ("bill_reference", "bill_reference"),
]

# Features whose result carries several selected values (``selected_values``).
MULTI_VALUE_FEATURES = {"global_taxes", "purchase_order"}


def finder(module: str) -> Finder:
    return importlib.import_module(f"{__name__}.{module}").find


def registry(document_type: str) -> list[tuple[str, Finder]]:
    spec = EXPENSE_FEATURES if document_type == "expense" else INVOICE_FEATURES
    return [(name, finder(module)) for name, module in spec]
