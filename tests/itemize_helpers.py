"""Receipts generated in code for the Itemize tests (PDF text layer, a scan of it, plain text
and HTML), with the values they print, so tests know the truth."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass, field


@dataclass
class ReceiptSpec:
    store: str = "Harbour Lane Bakery"
    address: str = "221 Harbour Lane, Portland OR 97201"
    date_printed: str = "03/14/2024"
    date_iso: str = "2024-03-14"
    items: tuple = (("Sourdough loaf", 6.50), ("Cinnamon roll", 3.75), ("Latte large", 4.95))
    tax_rate: float = 8.0
    currency: str = "USD"
    subtotal: float = field(init=False)
    tax: float = field(init=False)
    total: float = field(init=False)

    def __post_init__(self):
        self.subtotal = round(sum(p for _n, p in self.items), 2)
        self.tax = round(self.subtotal * self.tax_rate / 100, 2)
        self.total = round(self.subtotal + self.tax, 2)

    def lines(self) -> list[tuple[str, str]]:
        """(left, right) columns of the printed receipt, top to bottom."""
        rows = [(self.store, ""), (self.address, ""), (f"Date: {self.date_printed}", ""), ("", ""),
                ("Description", "Amount")]
        rows += [(name, f"{price:.2f}") for name, price in self.items]
        rows += [("", ""), ("Subtotal", f"{self.subtotal:.2f}"), (f"Sales Tax {self.tax_rate:g}%", f"{self.tax:.2f}"),
                 ("Total", f"{self.total:.2f} {self.currency}"), ("", ""), ("Thank you for your visit!", "")]
        return rows


def receipt_pdf(spec: ReceiptSpec) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    y = h - 80
    for i, (left, right) in enumerate(spec.lines()):
        c.setFont("Helvetica-Bold" if i == 0 else "Helvetica", 14 if i == 0 else 11)
        c.drawString(150, y, left)
        if right:
            c.drawRightString(440, y, right)
        y -= 18
    c.showPage()
    c.save()
    return buf.getvalue()


def receipt_png(spec: ReceiptSpec, dpi: int = 200) -> bytes:
    from fixtures import render_pdf

    out = io.BytesIO()
    render_pdf(receipt_pdf(spec), dpi).save(out, "PNG")
    return out.getvalue()


def receipt_text(spec: ReceiptSpec) -> bytes:
    return "\n".join(f"{left:<32}{right:>14}".rstrip() for left, right in spec.lines()).encode("utf-8")


def receipt_html(spec: ReceiptSpec) -> bytes:
    rows = "".join(f"<tr><td>{html.escape(left)}</td><td align='right'>{html.escape(right)}</td></tr>"
                   for left, right in spec.lines()[4:])
    return (f"<!DOCTYPE html><html><head><title>Your receipt</title><style>td {{padding: 2px}}</style></head>"
            f"<body><h2>{html.escape(spec.store)}</h2><p>{html.escape(spec.address)}</p>"
            f"<p>Date: {spec.date_printed}</p><table>{rows}</table></body></html>").encode("utf-8")
