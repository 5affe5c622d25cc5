"""Totals, taxes, currency, dates and lines: finders on documents built from words, and
end to end through extract() on a PDF drawn here with reportlab."""
from __future__ import annotations

import io
from dataclasses import replace

import pytest

from engine_helpers import doc_of, run, selected
from invoice_extract.extraction import ExtractOptions, extract


def test_the_agreeing_triple_wins_over_a_bigger_labelled_amount():
    doc = doc_of([
        (0.50, "Total qty 12", 0.55),
        (0.60, "Zwischensumme 200,00 €", 0.55),
        (0.62, "Versandkosten 10,00 €", 0.55),
        (0.64, "Summe netto 210,00 €", 0.55),
        (0.66, "USt. 19 % 39,90 €", 0.55),
        (0.68, "Gesamtbetrag 249,90 €", 0.55),
        (0.70, "Gesamtbetrag der Zuschläge 10,00 €", 0.55),
    ])
    ctx = run(doc, "total_tax_amount")
    assert selected(ctx, "total") == pytest.approx(249.9)
    assert selected(ctx, "subtotal") == pytest.approx(210.0)
    assert selected(ctx, "total_tax_amount") == pytest.approx(39.9)


def test_a_rate_column_before_the_tax_is_not_a_thousands_group():
    doc = doc_of([
        (0.60, "Umsatzsteuer 850,00 19 163,16", 0.30),
        (0.64, "Rechnungssumme ohne USt. 850,00", 0.30),
        (0.66, "Bruttosumme 1013,16", 0.30),
    ])
    ctx = run(doc, "total_tax_amount")
    assert selected(ctx, "total") == pytest.approx(1013.16)
    assert selected(ctx, "total_tax_amount") == pytest.approx(163.16)


@pytest.mark.parametrize("label,amount", [
    ("Total TTC", "1 234,56 €"), ("Totaal", "€ 1.234,56"), ("Importe total", "1.234,56 EUR"),
    ("Totale", "EUR 1.234,56"), ("Rechnungsbetrag", "1.234,56 EUR"), ("Amount due", "$1,234.56"),
])
def test_total_labels_in_six_languages(label, amount):
    ctx = run(doc_of([(0.1, "Some Company"), (0.8, f"{label}: {amount}", 0.5)]), "total")
    assert selected(ctx, "total") == pytest.approx(1234.56)


def test_fields_printed_in_a_row_between_bars_each_take_their_own_amount():
    """"Subtotal 312.50 EUR | VAT 21.88 EUR | Total 334.38 EUR": a label's amount is the one
    before the next bar, not the line's last."""
    ctx = run(doc_of([(0.1, "Some Company Ltd"), (0.2, "Invoice 4711"),
                      (0.6, "Zwischensumme 312,50 EUR | Umsatzsteuer 21,88 EUR | Endbetrag 334,38 EUR", 0.3)]),
              "total_tax_amount")
    assert selected(ctx, "subtotal") == pytest.approx(312.50)
    assert selected(ctx, "total_tax_amount") == pytest.approx(21.88)
    assert selected(ctx, "total") == pytest.approx(334.38)


def _receipt(*rows):
    words = [(0.05, "KEDAI RUNCIT MAJU SDN BHD"), (0.08, "Date: 03/01/2019 12:01")] + list(rows)
    doc = doc_of(words)
    # words read by OCR carry a confidence below 1
    for page in doc.pages:
        page.words = [replace(w, conf=0.9) for w in page.words]
        page.source = "ocr"
    return doc


def test_receipt_total_confirmed_by_cash_and_change():
    doc = _receipt((0.30, "TOTAL QTY 3"), (0.32, "TOTAL: 4.60 0.28"), (0.34, "TOTAL 4.90"),
                   (0.36, "CASH 10.00"), (0.38, "CHANGE 5.10"))
    ctx = run(doc, "total", document_type="expense")
    assert selected(ctx, "total") == pytest.approx(4.9)
    assert selected(ctx, "date") == "2019-01-03"


def test_a_tender_less_the_change_is_what_was_paid():
    """US tills print "TENDER" (not "tendered") over the change: their difference is the total
    when the total's own line is unreadable."""
    doc = _receipt((0.30, "GARDEN HOSE 7.45"), (0.32, "TOTAL TAX 2.61"), (0.34, "T0TAI 42,1S"),
                   (0.36, "PAYMENTS TENDER 50.00"), (0.38, "CHANGE 7.85"))
    ctx = run(doc, "total", document_type="expense")
    assert selected(ctx, "total") == pytest.approx(42.15)


def test_receipt_total_with_ocr_split_decimals():
    doc = _receipt((0.30, "Sub Total : RM 68. 87"), (0.32, "GST 6% : RM 4.13"), (0.34, "TOTAL : RM 73. 00"),
                   (0.36, "CASH RM 100. 00"))
    ctx = run(doc, "total", document_type="expense")
    assert selected(ctx, "total") == pytest.approx(73.0)
    assert selected(ctx, "currency") == "MYR"


def test_receipt_with_unreadable_total_line_uses_what_was_paid():
    doc = _receipt((0.30, "Total Sales (Excluding GST) : 31.03"), (0.32, "TotaIGsT : 1.65"),
                   (0.34, "CASH : 40.00"), (0.36, "Change : 7.30"))
    total = run(doc, "total", document_type="expense").found["total"][0]
    assert total.content == pytest.approx(32.7)
    assert {w.text for w in total.words} >= {"40.00", "7.30"}  # the words it was computed from


def test_currency_codes_symbols_and_country_fallback():
    assert selected(run(doc_of([(0.8, "Total 12.00 CHF", 0.5)]), "currency"), "currency") == "CHF"
    assert selected(run(doc_of([(0.8, "Total £12.00", 0.5)]), "currency"), "currency") == "GBP"
    no_mark = doc_of([(0.8, "Total 12.00", 0.5)])
    assert selected(run(no_mark, "currency", user_company_country_code="BE"), "currency") == "EUR"
    assert selected(run(no_mark, "currency"), "currency") is None


def test_global_taxes_are_selected_rates():
    doc = doc_of([(0.60, "Subtotal 300.00", 0.5), (0.62, "VAT 20% 40.00", 0.5), (0.64, "VAT 5% 10.00", 0.5),
                  (0.66, "Total 350.00", 0.5), (0.9, "Late fees: 1.5% per month", 0.05)])
    ctx = run(doc, "global_taxes")
    taxes = ctx.found["global_taxes"]
    assert sorted(c.content for c in taxes if c.selected) == [5.0, 20.0]
    assert all(c.to_dict()["amount_type"] == "percent" for c in taxes)


def test_dates_issue_and_due_by_label_and_by_terms():
    doc = doc_of([(0.20, "Date de facture : 16 novembre 2023", 0.05), (0.22, "Date de livraison : 10/11/2023", 0.05),
                  (0.24, "Échéance : 16/12/2023", 0.05)])
    ctx = run(doc, "due_date")
    assert selected(ctx, "date") == "2023-11-16"
    assert selected(ctx, "due_date") == "2023-12-16"
    terms = doc_of([(0.20, "Rechnungsdatum: 01.03.2024", 0.05), (0.8, "Zahlbar innerhalb 14 Tagen netto", 0.05)])
    assert selected(run(terms, "due_date"), "due_date") == "2024-03-15"


def test_us_user_reads_month_first():
    doc = doc_of([(0.2, "Invoice date: 03/04/2024", 0.05)])
    assert selected(run(doc, "date"), "date") == "2024-04-03"
    assert selected(run(doc, "date", user_lang="en_US"), "date") == "2024-03-04"


def test_invoice_lines_read_by_columns():
    doc = doc_of([
        (0.30, [(0.05, "Description"), (0.5, "Qty"), (0.62, "Unit price"), (0.8, "Amount")]),
        (0.32, [(0.05, "Consulting hours"), (0.52, "12"), (0.64, "80.00"), (0.8, "960.00")]),
        (0.34, [(0.05, "Travel flat fee"), (0.52, "1"), (0.64, "40.00"), (0.81, "40.00")]),
        (0.40, "Subtotal 1,000.00", 0.6),
    ])
    lines = [c.content for c in run(doc, "invoice_lines").found["invoice_lines"]]
    assert [(l["description"]["selected_value"]["content"], l["quantity"]["selected_value"]["content"],
             l["unit_price"]["selected_value"]["content"], l["subtotal"]["selected_value"]["content"])
            for l in lines] == [("Consulting hours", 12, 80.0, 960.0), ("Travel flat fee", 1, 40.0, 40.0)]
    assert lines[0]["subtotal"]["candidates"][0]["coords"][2] > 0  # boxed on the words it came from


HEADER_ROW = (0.90, [(0.05, "Description"), (0.5, "Qty"), (0.62, "Unit price"), (0.8, "Amount")])


@pytest.mark.parametrize("page_mark", [None, (0.97, "Page 1 of 2", 0.45)])
def test_a_table_that_runs_off_its_page_goes_on_at_the_top_of_the_next(page_mark):
    first = [(0.10, "Acme Widgets Ltd"), HEADER_ROW,
             (0.92, [(0.05, "Consulting hours"), (0.52, "12"), (0.64, "80.00"), (0.8, "960.00")])]
    second = [(0.03, "Page 2 of 2", 0.45),
              (0.06, [(0.05, "Travel flat fee"), (0.52, "1"), (0.64, "40.00"), (0.81, "40.00")]),
              (0.12, "Subtotal 1,000.00", 0.6), (0.30, "Payment within 14 days, 2 % discount within 7 days")]
    doc = doc_of(first + ([page_mark] if page_mark else []), second)
    lines = [c.content for c in run(doc, "invoice_lines").found["invoice_lines"]]
    assert [(l["description"]["selected_value"]["content"], l["subtotal"]["selected_value"]["content"])
            for l in lines] == [("Consulting hours", 960.0), ("Travel flat fee", 40.0)]


def test_a_next_page_with_its_own_header_is_read_from_that_header():
    first = [HEADER_ROW, (0.92, [(0.05, "Consulting hours"), (0.52, "12"), (0.64, "80.00"), (0.8, "960.00")])]
    second = [(0.03, [(0.05, "Ref 4711"), (0.52, "2"), (0.64, "5.00"), (0.8, "10.00")]),  # above its header
              (0.10, HEADER_ROW[1]),
              (0.12, [(0.05, "Travel flat fee"), (0.52, "1"), (0.64, "40.00"), (0.81, "40.00")]),
              (0.20, "Subtotal 1,000.00", 0.6)]
    lines = [c.content for c in run(doc_of(first, second), "invoice_lines").found["invoice_lines"]]
    assert [l["description"]["selected_value"]["content"] for l in lines] == ["Consulting hours", "Travel flat fee"]


def _french_invoice_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    c.setFont("Helvetica", 10)
    c.drawString(50, h - 60, "Atelier Dupont SARL")
    c.drawString(50, h - 74, "12 rue des Lilas, 69003 Lyon")
    c.drawString(330, h - 150, "Client : Boulangerie Martin")
    c.drawString(50, h - 250, "FACTURE N° F-2024-0042")
    c.drawString(50, h - 266, "Date de facture : 5 mars 2024")
    c.drawString(50, h - 280, "Date d'échéance : 04/04/2024")
    y = h - 340
    for x, text in ((50, "Désignation"), (300, "Qté"), (360, "Prix unitaire"), (470, "Montant HT")):
        c.drawString(x, y, text)
    for desc, qty, price in (("Réparation four", 2, 150.0), ("Pièces détachées", 3, 33.5)):
        y -= 16
        c.drawString(50, y, desc)
        c.drawRightString(320, y, str(qty))
        c.drawRightString(430, y, f"{price:,.2f}".replace(",", " ").replace(".", ","))
        c.drawRightString(530, y, f"{qty * price:,.2f}".replace(",", " ").replace(".", ","))
    y -= 40
    for label, value in (("Total HT", "400,50 €"), ("TVA 20 %", "80,10 €"), ("Total TTC", "480,60 €")):
        c.drawString(360, y, label)
        c.drawRightString(530, y, value)
        y -= 16
    c.drawString(50, 100, "Conditions : paiement à 30 jours")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_end_to_end_french_invoice_pdf():
    result = extract(_french_invoice_pdf(), "facture.pdf", ExtractOptions(user_lang="fr_FR"))
    value = {k: v["selected_value"]["content"] for k, v in result.items() if isinstance(v, dict) and "selected_value" in v}
    assert value["total"] == pytest.approx(480.6)
    assert value["subtotal"] == pytest.approx(400.5)
    assert value["total_tax_amount"] == pytest.approx(80.1)
    assert value["currency"] == "EUR"
    assert value["date"] == "2024-03-05"
    assert value["due_date"] == "2024-04-04"
    assert [t["content"] for t in result["global_taxes"]["selected_values"]] == [20.0]
    lines = result["invoice_lines"]
    assert [l["subtotal"]["selected_value"]["content"] for l in lines] == [300.0, 100.5]
    assert [l["quantity"]["selected_value"]["content"] for l in lines] == [2, 3]
    total = result["total"]["selected_value"]
    assert total["page"] == 0 and 0.5 < total["coords"][0] < 1 and total["coords"][1] > 0.4


def test_invoice_lines_by_arithmetic_when_columns_mislead():
    # quantity first, a wrapped description, a discount rate, and the amount under its row
    doc = doc_of([
        (0.30, [(0.05, "Menge"), (0.15, "Produkt"), (0.55, "Preis"), (0.8, "Gesamt")]),
        (0.32, [(0.05, "1,00"), (0.15, "Künstlerische Gestaltung"), (0.55, "160,00 €"), (0.8, "160,00 €")]),
        (0.34, [(0.15, "(Stunde)")]),
        (0.36, [(0.05, "400,00"), (0.15, "Luftballon"), (0.45, "10%"), (0.55, "0,79 €"), (0.8, "284,40 €")]),
        (0.38, [(0.15, "Bruttopreis: 0,94")]),
        (0.40, [(0.05, "2"), (0.15, "Heiße Luft"), (0.55, "10,00")]),
        (0.42, [(0.8, "20,00")]),
        (0.50, "USt. Gesamt: 88,44", 0.5),
    ])
    lines = [c for c in run(doc, "invoice_lines").found["invoice_lines"]]
    got = [(l.content["description"]["selected_value"]["content"], l.content["quantity"]["selected_value"]["content"],
            l.content["unit_price"]["selected_value"]["content"], l.content["subtotal"]["selected_value"]["content"])
           for l in lines]
    assert got == [("Künstlerische Gestaltung (Stunde)", 1.0, 160.0, 160.0), ("Luftballon", 400.0, 0.79, 284.4),
                   ("Heiße Luft", 2, 10.0, 20.0)]
    assert all(l.words for l in lines)  # each line candidate keeps the words it was read from


def test_credit_note_lines_are_positive():
    doc = doc_of([
        (0.30, [(0.05, "Description"), (0.5, "Quantité"), (0.65, "Prix"), (0.8, "Montant")]),
        (0.32, [(0.05, "Huile d'olive"), (0.5, "10"), (0.65, "19,80 €"), (0.8, "-198,00 €")]),
        (0.40, "Total HT -198,00 €", 0.6),
    ])
    (line,) = run(doc, "invoice_lines").found["invoice_lines"]
    assert line.content["subtotal"]["selected_value"]["content"] == 198.0


def _ocr(doc):
    """The same document as if read by OCR (receipt rules apply to OCR lines)."""
    for page in doc.pages:
        page.words = [replace(w, conf=0.9) for w in page.words]
        page.source = "ocr"
    return doc


def test_receipt_total_with_cash_rounding_beats_subtotal_plus_tax():
    doc = _ocr(doc_of([
        (0.40, "SUB-TOTAL (EX) : 4.60"), (0.42, "TOTAL TAX : 0.28"), (0.44, "ROUNDING : 0.02"),
        (0.46, "TOTAL : 4.90"), (0.48, "CASH 10.00"), (0.50, "CHANGE 5.10"),
        (0.56, "GST SUMMARY"), (0.58, "TAX CODE % AMOUNT TAX"), (0.60, "TOTAL: 4.60 0.28"),
    ]))
    ctx = run(doc, "total", document_type="expense")
    assert selected(ctx, "total") == pytest.approx(4.90)


def test_the_tax_of_a_summary_row_is_never_the_total():
    doc = _ocr(doc_of([
        (0.40, "Thank you"), (0.56, "GST SUMMARY"), (0.58, "CODE AMOUNT(RM) TAX(RM)"),
        (0.60, "TOTAL : 16.98 1.02"),
    ]))
    ctx = run(doc, "total", document_type="expense")
    # nothing else readable: the summary's net + tax is the best reading, never its tax alone
    assert selected(ctx, "total") == pytest.approx(18.00)
    assert 1.02 not in [c.content for c in ctx.found["total"]]


def test_amt_due_is_a_total_label():
    doc = _ocr(doc_of([(0.50, "Sub Total 129.30"), (0.52, "Amt Due 129.30"), (0.60, "GST Summary Amount(RM) GST(RM)"),
                       (0.62, "SR @ 6% 121.98 7.32")]))
    assert selected(run(doc, "total", document_type="expense"), "total") == pytest.approx(129.30)


def test_receipt_supplier_is_the_name_over_its_registration_not_the_address():
    doc = _ocr(doc_of([(0.02, "RESTORAN SRI MAJU"), (0.04, "002043319-W"), (0.06, "No.2, Jalan Temenggung 19/9,"),
                       (0.08, "Seksyen 9, Bandar Mahkota Cheras,"), (0.10, "43200 Cheras, Selangor"),
                       (0.30, "TOTAL: 4.80")]))
    assert selected(run(doc, "supplier", document_type="expense"), "supplier") == "RESTORAN SRI MAJU"


def test_line_discount_and_unit_are_read_and_confirm_the_row():
    doc = doc_of([
        (0.30, [(0.05, "Beschreibung"), (0.45, "Menge"), (0.6, "Preis"), (0.7, "Rabatt"), (0.85, "Betrag")]),
        (0.32, [(0.05, "Schrauben M4"), (0.45, "200 Stk"), (0.6, "0,50"), (0.7, "10%"), (0.85, "90,00")]),
        (0.34, [(0.05, "Montage"), (0.45, "3 h"), (0.6, "45,00"), (0.85, "135,00")]),
        (0.40, "Summe netto 225,00", 0.6),
    ])
    first, second = run(doc, "invoice_lines").found["invoice_lines"]

    def value(line, key):
        return line.content[key]["selected_value"]["content"] if key in line.content else None

    assert (value(first, "description"), value(first, "quantity"), value(first, "unit"), value(first, "discount"),
            value(first, "subtotal")) == ("Schrauben M4", 200, "Stk", 10.0, 90.0)
    assert "taxes" not in first.content  # the discount rate is not a tax rate
    assert (value(second, "description"), value(second, "unit"), value(second, "discount")) == ("Montage", "h", None)
    assert first.score == second.score  # both rows confirmed by their arithmetic


def test_the_amount_that_is_the_others_sum_is_the_total_whatever_its_label():
    """"Net Amount" is what is left to pay on some receipts: the sum of the gross amount and
    the tax is the total, even when the labels read the roles the other way round."""
    rows = [(0.50, "Gross Amount : 480.00", 0.1), (0.53, "Service Tax 12% : 57.60", 0.1),
            (0.56, "Net Amount : 537.60", 0.1)]
    ctx = run(doc_of(rows), "total_tax_amount")
    assert selected(ctx, "total") == pytest.approx(537.6)
    assert selected(ctx, "subtotal") == pytest.approx(480.0)
    # labels that agree with the sums are left as they are
    rows = [(0.50, "Net Amount : 480.00", 0.1), (0.53, "VAT 12% : 57.60", 0.1), (0.56, "Total : 537.60", 0.1),
            (0.60, "Amount paid : 537.60", 0.1)]
    ctx = run(doc_of(rows), "total_tax_amount")
    assert selected(ctx, "total") == pytest.approx(537.6)
    assert selected(ctx, "subtotal") == pytest.approx(480.0)


def test_rows_without_a_header_a_count_times_a_price():
    rows = [(0.05, "Kestrel Trading Ltd", 0.05),
            (0.30, "Site survey", 0.05),
            (0.32, [(0.05, "10 ud. x 100,00 (5 %)"), (0.25, "." * 60), (0.85, "1.000,00")]),
            (0.34, "Support 2 x 25,00 50,00", 0.05),
            (0.36, "Reference 4 x 12 mm 3,00", 0.05),  # no count times a price: not a row
            (0.40, "Total sin IVA 1.050,00", 0.55)]
    ctx = run(doc_of(rows), "invoice_lines")
    lines = [{k: c.content[k]["selected_value"]["content"] for k in ("description", "quantity", "unit_price", "subtotal")}
             for c in ctx.found["invoice_lines"]]
    assert lines == [
        {"description": "Site survey", "quantity": 10.0, "unit_price": 100.0, "subtotal": 1000.0},
        {"description": "Support", "quantity": 2.0, "unit_price": 25.0, "subtotal": 50.0},
    ]


@pytest.mark.parametrize("rows, expected", [
    ([("Total ilíquido", "412,00"), ("IVA 23 %", "94,76"), ("Total da fatura", "506,76")], (506.76, 412.0, 94.76)),
    ([("Valor sem IVA", "2.150,00"), ("Total IVA", "494,50"), ("Total c/ IVA", "2.644,50")], (2644.5, 2150.0, 494.5)),
    ([("Imponibile", "200,00"), ("Totale IVA", "44,00"), ("Totale documento", "244,00"),
      ("A riportare", "999,00")], (244.0, 200.0, 44.0)),
])
def test_portuguese_and_italian_totals(rows, expected):
    doc = doc_of([(0.05, "Kestrel Trading Ltd", 0.05)] + [(0.5 + 0.02 * i, [(0.5, label), (0.85, value)])
                                                         for i, (label, value) in enumerate(rows)])
    ctx = run(doc, "total_tax_amount")
    assert (selected(ctx, "total"), selected(ctx, "subtotal"), selected(ctx, "total_tax_amount")) == \
        pytest.approx(expected)


def test_a_bill_without_tax_prints_its_subtotal_again_as_the_total():
    """"Total before tax 1,200.00 / VAT 0.00 / TOTAL 1,200.00": the total is the subtotal's
    value, not the lines' total above a surcharge."""
    rows = [(0.40, "Total of lines AED 1,000.00", 0.05), (0.43, "Surcharge 200.00", 0.05),
            (0.46, "Total before tax AED 1,200.00", 0.05), (0.49, "VAT AED 0.00", 0.05),
            (0.52, "TOTAL AED 1,200.00", 0.05)]
    ctx = run(doc_of(rows), "total_tax_amount")
    assert 1200.0 in [c.content for c in ctx.found["total"]]


def test_any_iso_code_between_a_label_and_its_amount_is_a_currency_mark():
    from invoice_extract.extraction.ranking import currency_mark

    assert all(currency_mark().fullmatch(code) for code in ("AED", "OMR", "EUR", "eur", "Rs.", "€"))
    assert not any(currency_mark().fullmatch(word) for word in ("All", "top", "Total"))


def test_a_total_qualified_as_before_tax_is_the_subtotal():
    """Groups' sums under "Total <group>", then the bill's net under a label no subtotal phrase
    names: "Total charges (excl. tax)"."""
    doc = doc_of([
        (0.40, "Total Compute $1,210.40", 0.55),
        (0.44, "Total Storage $2,048.60", 0.55),
        (0.48, "Total Backups $310.00", 0.55),
        (0.52, "Total charges (excl. tax) $3,569.00", 0.55),
        (0.54, "Sales tax 6.25% $223.06", 0.55),
        (0.56, "Total (incl. tax) $3,792.06", 0.55),
        (0.58, "Credits applied -$379.21", 0.55),
        (0.60, "Amount due $3,412.85", 0.55),
    ])
    ctx = run(doc, "total_tax_amount")
    assert selected(ctx, "subtotal") == pytest.approx(3569.0)
    assert selected(ctx, "total") == pytest.approx(3792.06)
    assert selected(ctx, "total_tax_amount") == pytest.approx(223.06)
    from invoice_extract.extraction.features._amounts import QUALIFIED_SUBTOTAL

    assert QUALIFIED_SUBTOTAL.search("Montant total HT") and not QUALIFIED_SUBTOTAL.search("Total incl. VAT")
