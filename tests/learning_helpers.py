"""A supplier's series of bills for the learning tests: one layout, different values, with
labels the plain engine does not know ("Doc:", "Goods", "Remit" …), so learning shows."""
from __future__ import annotations

from datetime import datetime

from fixtures import InvoiceSpec, make_invoice_pdf

UNUSUAL_LABELS = {"title": "STATEMENT", "invoice_id": "Doc:", "date": "Issued", "due": "Settle by",
                  "bill_to": "Recipient", "desc": "Item", "qty": "Units", "price": "Each", "amount": "Line",
                  "subtotal": "Goods", "tax": "Levy", "total": "Remit", "vat_id": "Reg.", "ref": "Quote:"}


def bill_spec(i: int, supplier: str = "Zyx Trading", vat: str = "DE123456789",
              iban: str = "DE89 3704 0044 0532 0130 00", **extra) -> dict:
    return dict(labels=UNUSUAL_LABELS, supplier=supplier, supplier_vat=vat, iban=iban,
                invoice_id=f"77-{i}1{i}", date=f"{i + 1:02d}.02.2024", due_date=f"{i + 1:02d}.03.2024",
                lines=(("Widget", 3 + i, 12.5),), **extra)


def bill(i: int, **kw) -> tuple[bytes, dict]:
    """(PDF, validated values as Odoo's client sends them) of the supplier's i-th bill."""
    spec = bill_spec(i, **kw)
    s = InvoiceSpec(**spec)

    def iso(text: str) -> str:
        return datetime.strptime(text, "%d.%m.%Y").date().isoformat()

    truth = {"invoice_id": s.invoice_id, "date": iso(s.date), "due_date": iso(s.due_date), "total": s.total,
             "subtotal": s.subtotal, "total_tax_amount": s.tax, "VAT_Number": s.supplier_vat,
             "iban": s.iban.replace(" ", ""), "supplier": s.supplier, "currency": s.currency}
    return make_invoice_pdf(**spec), {k: {"content": v} for k, v in truth.items()}


def selected(results: dict, feature: str):
    entry = results.get(feature) or {}
    return (entry.get("selected_value") or {}).get("content")


def learned_features(results: dict) -> set[str]:
    return {k for k, v in results.items() if isinstance(v, dict) and (v.get("selected_value") or {}).get("learned")}
