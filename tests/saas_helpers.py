"""Software-vendor invoices drawn with fpdf2, in layouts neither the finders nor the ranker's
training saw: a Stripe-like page (vendor and "Bill to" side by side, "$49.00" in the table
cells), a letterhead with a "Currency:" line, and a paid receipt ("Issued", "Paid on",
"Amount remaining $0.00")."""
from __future__ import annotations

from datetime import date

from fpdf import FPDF

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", FONT_BOLD)
    return pdf


def stripe_like(items=(("Team seats", 4, 49.0), ("Support add-on", 2, 7.5)), tax_rate=0.2) -> tuple[bytes, dict]:
    sub = round(sum(q * p for _, q, p in items), 2)
    tax = round(sub * tax_rate, 2)
    total = round(sub + tax, 2)
    pdf = _pdf()
    pdf.set_font("DejaVu", "B", 20)
    pdf.text(15, 22, "Invoice")
    pdf.set_font("DejaVu", "", 9)
    for i, (k, v) in enumerate((("Invoice number", "CW-64691"), ("Date of issue", "January 21, 2025"),
                                ("Date due", "February 04, 2025"))):
        pdf.text(15, 34 + 5 * i, k)
        pdf.text(55, 34 + 5 * i, v)
    pdf.set_font("DejaVu", "B", 9)
    pdf.text(15, 60, "Paystack Labs Pte. Ltd.")
    pdf.text(110, 60, "Bill to")
    pdf.set_font("DejaVu", "", 9)
    pdf.text(15, 65, "1 Raffles Place, Singapore 048616")
    pdf.text(110, 65, "Lumen Studio")
    y = 100
    for x, h in ((15, "Description"), (120, "Qty"), (145, "Unit price"), (180, "Amount")):
        pdf.text(x, y, h)
    for desc, q, p in items:
        y += 7
        for x, v in ((15, desc), (120, str(q)), (145, f"S${p:,.2f}"), (180, f"S${q * p:,.2f}")):
            pdf.text(x, y, v)
    y += 12
    rows = [("Subtotal", sub)] + ([(f"Tax ({tax_rate * 100:g}%)", tax)] if tax else []) + \
        [("Total", total), ("Amount due", total)]
    for k, v in rows:
        pdf.text(120, y, k)
        pdf.text(180, y, f"S${v:,.2f}")
        y += 6
    truth = {"invoice_id": "CW-64691", "date": "2025-01-21", "due_date": "2025-02-04", "total": total,
             "subtotal": sub, "total_tax_amount": tax, "supplier": "Paystack Labs Pte. Ltd.", "client": "Lumen Studio",
             "lines": [(d, float(q), p, round(q * p, 2)) for d, q, p in items]}
    return bytes(pdf.output()), truth


def paid_receipt(amount_lines=((18.0,), (36.0,)), tax=0.0) -> tuple[bytes, dict]:
    sub = round(sum(a for (a,) in amount_lines), 2)
    total = round(sub + tax, 2)
    pdf = _pdf()
    pdf.set_font("DejaVu", "B", 18)
    pdf.text(15, 25, "Beacon Metrics LLC")
    pdf.set_font("DejaVu", "", 9)
    pdf.text(15, 31, "100 Congress Ave, Austin, TX 78701")
    pdf.set_font("DejaVu", "B", 11)
    pdf.text(15, 48, "Invoice #CW-14305")
    pdf.set_font("DejaVu", "", 9)
    pdf.text(120, 48, "Customer")
    pdf.text(120, 53, "Delta Foods Ltd")
    pdf.text(15, 55, f"Issued {date(2025, 5, 14):%B %d, %Y}")
    pdf.text(15, 60, f"Paid on {date(2025, 6, 13):%B %d, %Y}")
    y = 75
    for n, (a,) in enumerate(amount_lines):
        pdf.text(15, y, f"Seat pack {n + 1}")
        pdf.text(180, y, f"${a:,.2f}")
        y += 6
    y += 8
    for k, v in (("Subtotal", sub), ("Tax", tax), ("Total", total), ("Amount paid", total), ("Amount remaining", 0.0)):
        pdf.text(120, y, k)
        pdf.text(180, y, f"${v:,.2f}")
        y += 6
    return bytes(pdf.output()), {"date": "2025-05-14", "total": total, "subtotal": sub, "total_tax_amount": tax,
                                 "client": "Delta Foods Ltd"}
