"""Test documents generated in code: a digital invoice PDF (reportlab), its scan (image), and
an image-only PDF. Values are the keyword arguments, so tests know the truth."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

DEFAULT_LINES = (("Office chair", 2, 300.00), ("Standing desk", 1, 400.00))


@dataclass
class InvoiceSpec:
    supplier: str = "Acme Office Supplies GmbH"
    supplier_address: tuple = ("Hauptstraße 12", "10115 Berlin", "Germany")
    supplier_vat: str = "DE246813573"
    client: str = "Beta Retail SARL"
    client_address: tuple = ("5 rue de la Paix", "75002 Paris", "France")
    client_vat: str = "FR11999999998"
    invoice_id: str = "INV-2024-0042"
    date: str = "15.03.2024"
    due_date: str = "14.04.2024"
    currency: str = "EUR"
    lines: tuple = DEFAULT_LINES
    tax_rate: float = 21.0
    iban: str = "DE25 2008 0000 0481 5162 34"
    bic: str = "COBADEFFXXX"
    payment_ref: str = "INV-2024-0042"
    labels: dict = field(default_factory=lambda: {
        "title": "INVOICE", "invoice_id": "Invoice number:", "date": "Invoice date:", "due": "Due date:",
        "bill_to": "Bill to:", "desc": "Description", "qty": "Qty", "price": "Unit price", "amount": "Amount",
        "subtotal": "Subtotal", "tax": "VAT", "total": "Total", "vat_id": "VAT ID:", "ref": "Payment reference:"})
    subtotal: float | None = None
    tax: float | None = None
    total: float | None = None
    # how amounts are printed: "1,234.56", "1.234,56", "1 234,56" or "1'234.56"
    number_format: str = "1,234.56"

    def __post_init__(self):
        computed = round(sum(q * p for _d, q, p in self.lines), 2)
        if self.subtotal is None:
            self.subtotal = computed
        if self.tax is None:
            self.tax = round(self.subtotal * self.tax_rate / 100, 2)
        if self.total is None:
            self.total = round(self.subtotal + self.tax, 2)


def money(value: float, number_format: str = "1,234.56") -> str:
    text = f"{value:,.2f}"  # 1,234.56
    thousands, decimal = number_format[1], number_format[-3]
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def make_invoice_pdf(**fields) -> bytes:
    """A one-page digital invoice (text layer) with the given values; see InvoiceSpec."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    spec = InvoiceSpec(**fields)
    lab = spec.labels
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    c.setFont("Helvetica-Bold", 16)
    c.drawString(50, h - 60, spec.supplier)
    c.setFont("Helvetica", 10)
    for i, line in enumerate(spec.supplier_address):
        c.drawString(50, h - 78 - 13 * i, line)
    c.drawString(50, h - 78 - 13 * len(spec.supplier_address), f"{lab['vat_id']} {spec.supplier_vat}")
    c.drawString(330, h - 150, lab["bill_to"])
    c.setFont("Helvetica-Bold", 10)
    c.drawString(330, h - 164, spec.client)
    c.setFont("Helvetica", 10)
    for i, line in enumerate(spec.client_address):
        c.drawString(330, h - 178 - 13 * i, line)
    c.drawString(330, h - 178 - 13 * len(spec.client_address), f"{lab['vat_id']} {spec.client_vat}")
    c.setFont("Helvetica-Bold", 14)
    c.drawString(50, h - 250, lab["title"])
    c.setFont("Helvetica", 10)
    for i, (label, value) in enumerate(((lab["invoice_id"], spec.invoice_id), (lab["date"], spec.date),
                                        (lab["due"], spec.due_date))):
        c.drawString(50, h - 272 - 14 * i, label)
        c.drawString(160, h - 272 - 14 * i, value)
    y = h - 340
    c.setFont("Helvetica-Bold", 10)
    for x, text in ((50, lab["desc"]), (300, lab["qty"]), (360, lab["price"]), (470, lab["amount"])):
        c.drawString(x, y, text)
    c.setFont("Helvetica", 10)
    for desc, qty, price in spec.lines:
        y -= 16
        c.drawString(50, y, desc)
        c.drawRightString(320, y, f"{qty:g}")
        c.drawRightString(430, y, money(price, spec.number_format))
        c.drawRightString(530, y, money(qty * price, spec.number_format))
    y -= 30
    for label, value in ((lab["subtotal"], spec.subtotal), (f"{lab['tax']} {spec.tax_rate:g}%", spec.tax),
                         (lab["total"], spec.total)):
        c.drawString(360, y, label)
        c.drawRightString(530, y, f"{money(value, spec.number_format)} {spec.currency}")
        y -= 16
    c.drawString(50, 120, f"{lab['ref']} {spec.payment_ref}")
    c.drawString(50, 100, f"IBAN: {spec.iban}   BIC: {spec.bic}")
    c.showPage()
    c.save()
    return buf.getvalue()


def render_pdf(pdf: bytes, dpi: int = 200, page: int = 0):
    """A page of a PDF as a PIL image (pypdfium2)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()


def make_invoice_image(dpi: int = 200, rotate: float = 0.0, noise: float = 0.0, fmt: str = "PNG", **fields) -> bytes:
    """The invoice as a scan: rendered at ``dpi``, optionally rotated (degrees) and noisy."""
    from PIL import Image

    img = render_pdf(make_invoice_pdf(**fields), dpi)
    if rotate:
        img = img.rotate(rotate, expand=True, fillcolor="white", resample=Image.BICUBIC)
    if noise:
        import random

        rnd = random.Random(42)
        px = img.load()
        for _ in range(int(img.size[0] * img.size[1] * noise)):
            x, y = rnd.randrange(img.size[0]), rnd.randrange(img.size[1])
            px[x, y] = (0, 0, 0)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def make_image_pdf(dpi: int = 200, **fields) -> bytes:
    """An image-only PDF (a scanned invoice, no text layer)."""
    from PIL import Image

    img = Image.open(io.BytesIO(make_invoice_image(dpi=dpi, **fields)))
    out = io.BytesIO()
    img.save(out, "PDF", resolution=dpi)
    return out.getvalue()
