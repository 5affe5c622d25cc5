"""Software-vendor invoices drawn with fpdf2, in layouts neither the finders nor the ranker's
training saw: a Stripe-like page (vendor and "Bill to" side by side, "$49.00" in the table
cells), a letterhead with a "Currency:" line, and a paid receipt ("Issued", "Paid on",
"Amount remaining $0.00")."""
from __future__ import annotations

import random
from datetime import date, timedelta

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


def de(v): return f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")

def three_countries(seed: int) -> tuple[bytes, dict]:
    """seed % 3: a German software bill ("Zahlbar ohne Abzug bis"), an Indian GST invoice
    ("Taxable Value", "IGST @ 18%", "Total Amount (Rs.)"), a US statement (a Texas address,
    month-first dates, the name beside the invoice number in another column)."""
    rnd = random.Random(7000 + seed)
    style = seed % 3
    d = date(2025, 1, 1) + timedelta(days=rnd.randrange(330))
    items = [(rnd.choice(["Lizenz Basic", "Speicher 50 GB", "Einrichtung", "Premium Support", "Nutzerpaket 10"]),
              rnd.randrange(1, 5), rnd.choice((12.0, 29.9, 99.0, 250.0))) for _ in range(rnd.randrange(1, 4))]
    sub = round(sum(q * p for _, q, p in items), 2)
    p = _pdf()
    if style == 0:  # German SaaS bill
        rate = 0.19; tax = round(sub * rate, 2); total = round(sub + tax, 2)
        num = f"RE-{d.year}-{rnd.randrange(10000, 99999)}"; due = d + timedelta(days=14)
        sup, cli, cur = "Wolkenwerk Software GmbH", "Brennerei Hoffmann KG", "EUR"
        p.set_font("DejaVu", "", 7); p.text(15, 40, f"{sup} · Am Kanal 7 · 20457 Hamburg")
        p.set_font("DejaVu", "", 10)
        for i, l in enumerate((cli, "Weinstraße 3", "67433 Neustadt")): p.text(15, 48 + 5 * i, l)
        p.set_font("DejaVu", "B", 14); p.text(120, 20, sup)
        p.set_font("DejaVu", "", 9)
        for i, (k, v) in enumerate((("Rechnungsnummer", num), ("Rechnungsdatum", d.strftime("%d.%m.%Y")),
                                    ("Leistungszeitraum", f"{d.replace(day=1):%d.%m.%Y} - {d:%d.%m.%Y}"),
                                    ("Kundennummer", str(rnd.randrange(100000, 999999))))):
            p.text(120, 48 + 5 * i, k); p.text(160, 48 + 5 * i, v)
        p.set_font("DejaVu", "B", 12); p.text(15, 85, "Rechnung")
        p.set_font("DejaVu", "", 9); y = 97
        for x, h in ((15, "Pos."), (25, "Bezeichnung"), (120, "Menge"), (145, "Einzelpreis"), (178, "Gesamt")): p.text(x, y, h)
        for n, (a, q, pr) in enumerate(items, 1):
            y += 6
            for x, v in ((15, str(n)), (25, a), (120, str(q)), (145, de(pr) + " €"), (178, de(q * pr) + " €")): p.text(x, y, v)
        y += 12
        for k, v in (("Nettobetrag", sub), ("zzgl. 19 % USt.", tax), ("Rechnungsbetrag", total)):
            p.text(130, y, k); p.text(178, y, de(v) + " €"); y += 6
        p.text(15, y + 10, f"Zahlbar ohne Abzug bis {due:%d.%m.%Y}.")
        p.set_font("DejaVu", "", 7); p.text(15, 285, f"{sup} · USt-IdNr. DE298765432 · IBAN DE89 3704 0044 0532 0130 00")
    elif style == 1:  # Indian GST invoice
        rate = 0.18; tax = round(sub * rate, 2); total = round(sub + tax, 2)
        num = f"TI/{rnd.randrange(100, 999)}/{d.year % 100}-{d.year % 100 + 1}"; due = None
        sup, cli, cur = "Sarvam Cloud Services Pvt. Ltd.", "Kaveri Textiles", "INR"
        p.set_font("DejaVu", "B", 15); p.text(15, 20, sup)
        p.set_font("DejaVu", "", 8); p.text(15, 26, "4th Floor, MG Road, Bengaluru 560001 | GSTIN 29ABCDE1234F1Z5")
        p.set_font("DejaVu", "B", 12); p.text(85, 40, "TAX INVOICE")
        p.set_font("DejaVu", "", 9)
        p.text(15, 52, f"Invoice No. {num}"); p.text(120, 52, f"Invoice Date: {d:%d-%b-%Y}")
        p.text(15, 62, "Buyer"); p.text(15, 67, cli); p.text(15, 72, "Tiruppur, Tamil Nadu")
        y = 88
        for x, h in ((15, "Sl"), (25, "Description of Services"), (115, "Qty"), (140, "Rate"), (175, "Amount")): p.text(x, y, h)
        for n, (a, q, pr) in enumerate(items, 1):
            y += 6
            for x, v in ((15, str(n)), (25, a.replace("Lizenz", "Licence").replace("Speicher", "Storage").replace("Einrichtung", "Setup").replace("Nutzerpaket", "User pack")), (115, str(q)), (140, f"{pr * 80:,.2f}"), (175, f"{q * pr * 80:,.2f}")): p.text(x, y, v)
        sub, tax, total = round(sub * 80, 2), round(sub * 80 * rate, 2), 0
        total = round(sub + tax, 2)
        y += 12
        for k, v in (("Taxable Value", sub), ("IGST @ 18%", tax), ("Total Amount (Rs.)", total)):
            p.text(125, y, k); p.text(175, y, f"{v:,.2f}"); y += 6
        p.text(15, y + 8, "Amount in words: as per total above. E. & O.E.")
        items = [(a.replace("Lizenz", "Licence").replace("Speicher", "Storage").replace("Einrichtung", "Setup").replace("Nutzerpaket", "User pack"), q, round(pr * 80, 2)) for a, q, pr in items]
    else:  # US statement
        tax = round(sub * 0.0825, 2); total = round(sub + tax, 2)
        num = f"{rnd.randrange(1000000, 9999999)}"; due = d + timedelta(days=30)
        sup, cli, cur = "Lone Star Connect Inc.", "Mesa Dental Group", "USD"
        p.set_font("DejaVu", "B", 16); p.text(15, 20, sup)
        p.set_font("DejaVu", "", 8); p.text(15, 25, "PO Box 4410, Dallas, TX 75201 · (214) 555-0188")
        p.set_font("DejaVu", "", 9)
        p.text(130, 18, f"Invoice {num}"); p.text(130, 23, f"Account 88-{rnd.randrange(10000, 99999)}")
        p.text(130, 28, f"Statement date {d:%m/%d/%Y}"); p.text(130, 33, f"Please pay by {due:%m/%d/%Y}")
        p.text(15, 45, "Service for:"); p.text(15, 50, cli)
        p.text(15, 62, f"Previous balance $0.00    Payments received $0.00")
        y = 75
        for x, h in ((15, "Service"), (120, "Units"), (145, "Price"), (180, "Charge")): p.text(x, y, h)
        for a, q, pr in items:
            y += 6
            for x, v in ((15, a.replace("Lizenz", "Line").replace("Speicher", "Data").replace("Einrichtung", "Install").replace("Nutzerpaket", "Seats")), (120, str(q)), (145, f"${pr:,.2f}"), (180, f"${q * pr:,.2f}")): p.text(x, y, v)
        y += 12
        for k, v in (("Current charges", sub), ("Sales tax 8.25%", tax), ("Total amount due", total)):
            p.text(130, y, k); p.text(180, y, f"${v:,.2f}"); y += 6
        items = [(a.replace("Lizenz", "Line").replace("Speicher", "Data").replace("Einrichtung", "Install").replace("Nutzerpaket", "Seats"), q, pr) for a, q, pr in items]
    truth = {"invoice_id": num, "date": d.isoformat(), "total": total, "subtotal": sub, "total_tax_amount": tax,
             "currency": cur, "supplier": sup, "client": cli,
             "invoice_lines": [{"description": a, "quantity": q, "unit_price": pr, "subtotal": round(q * pr, 2)} for a, q, pr in items]}
    if due: truth["due_date"] = due.isoformat()
    return bytes(p.output()), truth
