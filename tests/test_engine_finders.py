"""Each feature finder on small documents built from words (tests/engine_helpers.py)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from engine_helpers import doc_of, run, selected

GERMAN_BILL = [
    (0.05, "Kranich Werkzeug GmbH", 0.05), (0.07, "Kranichweg 20, 80333 München", 0.05),
    (0.09, "USt-IdNr.: DE246813573", 0.05),
    (0.15, "Rechnung an:", 0.55), (0.17, "Halder Bau AG", 0.55), (0.19, "USt-IdNr.: DE314159262", 0.55),
    (0.30, "Rechnung Nr. RE-2024/117 vom 03.10.2024", 0.05),
    (0.32, "Lieferdatum: 01.10.2024", 0.05),
    (0.40, [(0.05, "Pos"), (0.1, "Beschreibung"), (0.5, "Menge"), (0.62, "Einzelpreis"), (0.8, "Betrag")]),
    (0.42, [(0.05, "1"), (0.1, "Beratung"), (0.52, "10"), (0.64, "95,00"), (0.8, "950,00")]),
    (0.44, [(0.05, "2"), (0.1, "Reisekosten"), (0.52, "1"), (0.64, "50,00"), (0.81, "50,00")]),
    (0.52, "Nettobetrag 1.000,00 €", 0.55), (0.54, "MwSt. 19% 190,00 €", 0.55),
    (0.56, "Gesamtbetrag 1.190,00 €", 0.55),
    (0.62, "Zahlbar innerhalb 14 Tagen netto.", 0.05),
    (0.90, "IBAN: DE25 2008 0000 0481 5162 34 BIC: SOLADEST600", 0.05),
    (0.92, "info@lieferant.example www.lieferant.example", 0.05),
]


@pytest.fixture(scope="module")
def german():
    return run(doc_of(GERMAN_BILL), "invoice_lines")


def test_amounts_agree(german):
    assert selected(german, "total") == pytest.approx(1190.0)
    assert selected(german, "subtotal") == pytest.approx(1000.0)
    assert selected(german, "total_tax_amount") == pytest.approx(190.0)
    assert [c.content for c in german.found["global_taxes"] if c.selected] == [19.0]
    assert selected(german, "currency") == "EUR"


def test_issue_and_due_dates(german):
    assert selected(german, "date") == "2024-10-03"  # not the delivery date
    assert selected(german, "due_date") == "2024-10-17"  # date + "14 Tagen"


def test_identifiers(german):
    assert selected(german, "invoice_id") == "RE-2024/117"
    assert selected(german, "VAT_Number") == "DE246813573"  # the seller's, not the buyer's
    assert selected(german, "iban") == "DE25200800000481516234"
    swift = json.loads(selected(german, "SWIFT_code"))
    assert swift["bic"] == "SOLADEST600" and swift["verified_bic"] is True and swift["country_code"] == "DE"
    assert swift["name"]  # the registry knows the bank
    assert selected(german, "email") == "info@lieferant.example"
    assert selected(german, "website") == "www.lieferant.example"
    assert selected(german, "country") == "DE"


def test_parties(german):
    assert selected(german, "supplier") == "Kranich Werkzeug GmbH"
    assert selected(german, "client") == "Halder Bau AG"


def test_lines(german):
    lines = german.found["invoice_lines"]
    plain = [{k: v["selected_value"]["content"] for k, v in c.content.items() if "selected_value" in v}
             for c in lines]
    assert plain == [
        {"description": "Beratung", "quantity": 10.0, "unit_price": 95.0, "subtotal": 950.0},
        {"description": "Reisekosten", "quantity": 1.0, "unit_price": 50.0, "subtotal": 50.0},
    ]
    assert all(c.score > 0.8 for c in lines)  # quantity × price = amount confirms them


def test_candidates_carry_the_words_they_came_from(german):
    total = german.found["total"][0]
    assert [w.text for w in total.words] == ["1.190,00"]
    cx, cy, w, h, angle = total.coords()
    assert 0.55 < cx < 0.9 and 0.55 < cy < 0.58 and w > 0 and h > 0


def test_perspective_supplier_wants_the_customers_vat():
    ctx = run(doc_of(GERMAN_BILL), "VAT_Number", perspective="supplier")
    assert selected(ctx, "VAT_Number") == "DE314159262"


def test_users_own_vat_is_never_returned():
    ctx = run(doc_of(GERMAN_BILL), "VAT_Number", user_company_vat="DE 246 813 573")
    assert selected(ctx, "VAT_Number") == "DE314159262"


def test_invalid_checksums_are_not_ibans_or_vats():
    ctx = run(doc_of([(0.1, "IBAN DE89 3704 0044 0532 0130 01"), (0.2, "VAT DE999999999 Total 10.00 EUR")]),
              "iban")
    assert selected(ctx, "iban") is None
    # a labelled id with a failing checksum is what the page says: kept, but ranked low
    vat = ctx.found["VAT_Number"][0]
    assert vat.content == "DE999999999" and vat.score < 0.5


FRENCH_CREDIT_NOTE = [
    (0.05, "Le Petit Verger SARL - 8 chemin des pins - 84200 Carpentras"),
    (0.07, "TVA : FR11999999998"),
    (0.12, "Avoir AV-2024-0005"),
    (0.15, "Date de facture 16/11/2024"), (0.17, "Date d'échéance 16/12/2024"),
    (0.20, "Votre référence PO445"),
    (0.50, "Total HT -218,48 €", 0.6), (0.52, "Total TVA -14,99 €", 0.6), (0.54, "Total TTC -233,47 €", 0.6),
]


def test_french_credit_note_amounts_are_positive():
    ctx = run(doc_of(FRENCH_CREDIT_NOTE), "payment_ref")
    assert selected(ctx, "total") == pytest.approx(233.47)
    assert selected(ctx, "subtotal") == pytest.approx(218.48)
    assert selected(ctx, "total_tax_amount") == pytest.approx(14.99)
    assert selected(ctx, "date") == "2024-11-16"
    assert selected(ctx, "due_date") == "2024-12-16"
    assert selected(ctx, "invoice_id") == "AV-2024-0005"
    assert selected(ctx, "VAT_Number") == "FR11999999998"
    assert selected(ctx, "supplier") == "Le Petit Verger SARL"
    assert selected(ctx, "payment_ref") != "PO445"  # "your reference" is the buyer's order


def test_purchase_order_uses_the_callers_regex():
    ctx = run(doc_of([(0.1, "Invoice 12 for order PO-77731 and PO-77732")]), "purchase_order",
              purchase_order_regex=r"PO-\d{5}")
    assert {c.content for c in ctx.found["purchase_order"] if c.selected} == {"PO-77731", "PO-77732"}


RECEIPT = [
    (0.03, "KEDAI BUKU ABC SDN BHD"), (0.05, "(123456-X)"), (0.07, "NO 3, JALAN 1, 81100 JOHOR BAHRU"),
    (0.12, "Receipt No: CS00012345"), (0.14, "Date: 25/12/2018 10:30"),
    (0.20, "PEN BLUE 2 2.50 5.00"), (0.22, "BOOK A4 1 4.00 4.00"),
    (0.30, "TOTAL QTY 3"), (0.32, "TOTAL (RM) 9.00"), (0.34, "CASH 10.00"), (0.36, "CHANGE 1.00"),
]


def test_receipt_expense_fields():
    ctx = run(doc_of(RECEIPT), "bill_reference", document_type="expense")
    assert selected(ctx, "total") == pytest.approx(9.0)
    assert selected(ctx, "date") == "2018-12-25"
    assert selected(ctx, "currency") == "MYR"
    assert selected(ctx, "supplier") == "KEDAI BUKU ABC SDN BHD"
    assert selected(ctx, "bill_reference") == "CS00012345"
    assert selected(ctx, "description") == "KEDAI BUKU ABC SDN BHD"


def test_nothing_found_is_nothing_returned():
    ctx = run(doc_of([(0.1, "Hello world")]), "invoice_lines")
    for feature in ("total", "date", "invoice_id", "VAT_Number", "iban", "invoice_lines"):
        assert not ctx.found[feature]


def test_numeric_date_order_follows_the_documents_country_then_the_users_language():
    us = doc_of([(0.05, "Acme Inc."), (0.07, "1 Main Street, New York, NY 10001, United States"),
                 (0.2, "Invoice date: 03/04/2024")])
    de = doc_of([(0.05, "Acme GmbH"), (0.07, "Hauptstraße 1, 10115 Berlin, Deutschland"),
                 (0.2, "Rechnungsdatum: 03/04/2024")])
    nowhere = doc_of([(0.2, "Invoice date: 03/04/2024")])
    assert selected(run(us, "date", user_lang="fr_FR"), "date") == "2024-03-04"
    assert selected(run(de, "date", user_lang="en_US"), "date") == "2024-04-03"
    assert selected(run(nowhere, "date", user_lang="en_US"), "date") == "2024-03-04"
    assert selected(run(nowhere, "date", user_lang="en_GB"), "date") == "2024-04-03"


def _as_ocr(doc):
    from dataclasses import replace

    for page in doc.pages:
        page.words = [replace(w, conf=0.9) for w in page.words]
    return doc


def test_ocr_damaged_iban_is_repaired_only_when_the_checksum_then_holds():
    damaged = _as_ocr(doc_of([(0.8, "IBAN: DÉ25 2008 0000.O481 5162 34 BIC: SOLADEST600")]))
    assert selected(run(damaged, "iban"), "iban") == "DE25200800000481516234"
    # the same damage in a text layer is not guessed at
    assert selected(run(doc_of([(0.8, "IBAN: DE25 2008 0000 O481 5162 34")]), "iban"), "iban") is None
    # a wrong digit stays wrong: no repair makes the checksum hold
    assert selected(run(_as_ocr(doc_of([(0.8, "IBAN: DE25 2008 0000 0481 5162 35")])), "iban"), "iban") is None


def test_labels_match_without_their_accents():
    doc = doc_of([(0.2, "Rechnungsdatum: 15.03.2024"), (0.22, "Fallig am: 14.04.2024")])
    assert selected(run(doc, "due_date"), "due_date") == "2024-04-14"


def test_the_buyers_vat_is_never_the_suppliers_when_the_supplier_prints_none():
    us_bill = [row for row in GERMAN_BILL if "DE246813573" not in row[1]]
    assert selected(run(doc_of(us_bill), "VAT_Number"), "VAT_Number") is None


def test_a_heading_naming_the_party_twice_opens_its_block():
    doc = doc_of([(0.10, "Verkäufer"), (0.12, "Name: Kranich Werkzeug GmbH"), (0.14, "Verkäufer-IBAN: DE25 2008 0000 0481 5162 34"),
                  (0.20, "Käufer/Leistungsempfänger"), (0.22, "Nummer: KD2031177"), (0.24, "Name: Halder Bau AG Nord")])
    ctx = run(doc, "client")
    assert selected(ctx, "supplier") == "Kranich Werkzeug GmbH"
    assert selected(ctx, "client") == "Halder Bau AG Nord"
    from invoice_extract.extraction.layout import BUYER_HEADINGS, SELLER_HEADINGS, is_heading

    assert is_heading("Verkäufer-IBAN: DE25 2008", SELLER_HEADINGS) is None  # a field of the block
    assert is_heading("Adresse de livraison", BUYER_HEADINGS)


def test_the_callers_vat_number_names_the_client_block_whatever_its_heading():
    """Odoo sends the caller's company VAT number in user_infos: the block printing it is the
    client's even under a heading no vocabulary knows ("Recipient"), and it is never the supplier."""
    from learning_helpers import bill

    from invoice_extract.extraction import ExtractOptions, extract

    pdf, _values = bill(1)  # seller Zyx Trading (DE123456789), buyer Beta Retail SARL (FR11999999998)
    # without it, the address block that is not the supplier's names the client (the heading
    # is none the vocabulary knows)
    assert extract(pdf, "bill.pdf")["client"]["selected_value"]["content"] == "Beta Retail SARL"
    result = extract(pdf, "bill.pdf", ExtractOptions(user_company_vat="FR11999999998"))
    assert result["client"]["selected_value"]["content"] == "Beta Retail SARL"
    assert result["supplier"]["selected_value"]["content"] == "Zyx Trading"
    # without the country prefix too; and a caller who is the seller flips the roles
    assert extract(pdf, "bill.pdf", ExtractOptions(user_company_vat="11999999998"))["client"][
        "selected_value"]["content"] == "Beta Retail SARL"
    flipped = extract(pdf, "bill.pdf", ExtractOptions(user_company_vat="DE123456789"))
    assert flipped["client"]["selected_value"]["content"] == "Zyx Trading"
    assert flipped["supplier"]["selected_value"]["content"] != "Zyx Trading"


def test_the_callers_vat_number_in_a_block_beside_the_suppliers():
    rows = [(0.05, [(0.05, "Acme Werkzeug GmbH"), (0.55, "Beta Retail SARL")]),
            (0.07, [(0.05, "Hauptstraße 1"), (0.55, "5 rue de la Paix")]),
            (0.09, [(0.05, "10115 Berlin"), (0.55, "75002 Paris")]),
            (0.11, [(0.05, "USt-IdNr. DE123456789"), (0.55, "TVA FR11999999998")]),
            (0.30, "Total 119,00 EUR")]
    ctx = run(doc_of(rows), "client", user_company_vat="FR11999999998")
    assert selected(ctx, "client") == "Beta Retail SARL"
    assert selected(ctx, "supplier") != "Beta Retail SARL"
    ctx = run(doc_of(rows), "client", user_company_vat="DE123456789")
    assert selected(ctx, "client") == "Acme Werkzeug GmbH"


def test_a_us_state_and_zip_code_give_the_country_a_european_postcode_prefix_does_not():
    ctx = run(doc_of([(0.05, "Lone Star Connect Inc."), (0.07, "PO Box 4410, Dallas, TX 75201")]), "country")
    assert selected(ctx, "country") == "US"
    ctx = run(doc_of([(0.05, "Nordlicht GmbH"), (0.07, "Hauptstr. 1, DE 10115 Berlin")]), "country")
    assert selected(ctx, "country") != "US"


# -- a window envelope's sender line -----------------------------------------------------------

def _letter(sender_line: str):
    return doc_of([
        (0.05, "Tel. +49 40 1234567", 0.70), (0.07, "www.nordlicht-werkzeuge.example", 0.70),
        (0.17, sender_line, 0.08),
        (0.19, "Brandt Maschinen AG", 0.08), (0.21, "Industriestr. 9", 0.08), (0.23, "80331 München", 0.08),
        (0.21, "Kundennummer K-1002", 0.65),
        (0.34, "Rechnung Nr. 4711 vom 01.02.2024", 0.08),
        (0.60, "Nettobetrag 100,00 €", 0.55), (0.62, "USt. 19 % 19,00 €", 0.55), (0.64, "Rechnungsbetrag 119,00 €", 0.55),
    ])


def test_the_sender_line_names_the_supplier_and_the_address_under_it_the_client():
    """DIN 5008: "Name · Street · Town" printed small above the recipient's address. The
    recipient's first line is the client, and never the supplier, whatever else the page has."""
    ctx = run(_letter("Nordlicht Werkzeuge GmbH · Hafenweg 3 · 20457 Hamburg"), "client")
    assert selected(ctx, "supplier") == "Nordlicht Werkzeuge GmbH"
    assert selected(ctx, "client") == "Brandt Maschinen AG"


def test_a_letterhead_address_line_gives_no_street_as_the_supplier():
    """"Hafenweg 3 | 20457 Hamburg": two parts, a street first; the address under it is still
    the recipient's."""
    ctx = run(_letter("Hafenweg 3 | 20457 Hamburg"), "client")
    assert all(c.content != "Hafenweg 3" for c in ctx.found["supplier"])
    assert selected(ctx, "client") == "Brandt Maschinen AG"


def test_a_letterheads_address_line_over_the_sender_line_is_no_sender_line_of_its_own():
    """Letterhead "Name", its "Street · Town" line, then the window's sender line "Name ·
    Street · Town": the sender line is the sender's, the address under it the recipient's (the
    sender line is not read as the recipient under the letterhead's address line)."""
    ctx = run(doc_of([
        (0.05, "Nordlicht Werkzeuge GmbH", 0.08), (0.07, "Hafenweg 3 · 24103 Kiel", 0.08),
        (0.11, "Nordlicht Werkzeuge GmbH · Hafenweg 3 · 24103 Kiel", 0.08),
        (0.13, "Brandt Maschinen AG", 0.08), (0.15, "Industriestr. 9", 0.08), (0.17, "80331 München", 0.08),
        (0.13, "Rechnungsnummer 4711", 0.60), (0.15, "Datum 01.02.2024", 0.60),
        (0.60, "Nettobetrag 100,00 €", 0.55), (0.62, "USt. 19 % 19,00 €", 0.55),
        (0.64, "Rechnungsbetrag 119,00 €", 0.55),
    ]), "client")
    assert selected(ctx, "supplier") == "Nordlicht Werkzeuge GmbH"
    assert selected(ctx, "client") == "Brandt Maschinen AG"


@pytest.mark.parametrize("text,is_address", [
    ("Mühlenstraße 20", True), ("Hafen-Str.4-6", True), ("Kerkstraat 12", True), ("Rua das Flores 7", True),
    ("Hafenweg Logistik GmbH", False), ("Ringmaster Ltd", False),
])
def test_street_names_glued_to_their_kind_are_addresses(text, is_address):
    from invoice_extract.extraction.features._names import ADDRESS_LINE

    assert bool(ADDRESS_LINE.search(text)) is is_address


@pytest.mark.parametrize("text,is_label", [
    ("Payment due", True), ("Service period", True), ("Issued", True), ("Verkäufer", True), ("Rechnungsdatum:", True),
    ("Payment Solutions Ltd", False), ("Verkäufer & Söhne GmbH", False),
])
def test_a_field_label_is_never_a_partys_name(text, is_label):
    from invoice_extract.extraction.features._names import is_field_label

    assert is_field_label(text) is is_label


OMANI_BILL = [
    (0.05, "Gulf Tools LLC", 0.05), (0.07, "VAT No. OM1100012345", 0.05), (0.09, "Tax Invoice", 0.05),
    (0.11, "Invoice No: INV-2201", 0.05),
    (0.50, "Subtotal OMR 1,250.000", 0.55), (0.52, "VAT 5% OMR 62.500", 0.55), (0.54, "Total OMR 1,312.500", 0.55),
]


def test_a_three_decimal_currency_decides_how_the_amounts_read():
    ctx = run(doc_of(OMANI_BILL), "total_tax_amount")
    assert selected(ctx, "currency") == "OMR"
    assert (selected(ctx, "total"), selected(ctx, "subtotal"), selected(ctx, "total_tax_amount")) == \
        pytest.approx((1312.5, 1250.0, 62.5))


def test_a_rare_currency_code_counts_only_beside_an_amount():
    ctx = run(doc_of([(0.05, "ALL 12 ITEMS ON TOP", 0.05), (0.5, "Total 12.500", 0.55)]), "total")
    assert selected(ctx, "currency") is None
    assert selected(ctx, "total") == pytest.approx(12500.0)  # no currency of three decimals named
    ctx = run(doc_of([(0.5, "Amount due 1.250,00 RSD", 0.55)]), "currency")
    assert selected(ctx, "currency") == "RSD"
    # printed once beside a price, on a page that names its currency otherwise, it is a word
    ctx = run(doc_of([(0.1, "1 CUP 3.50", 0.05), (0.3, "TOTAL $3.50", 0.05)]), "currency")
    assert [c.content for c in ctx.found["currency"]] == ["USD"]
    # a column header's "(OMR)" and the amounts' own marks agree
    ctx = run(doc_of([(0.1, "Amount (OMR)", 0.6), (0.5, "Total OMR 12.500", 0.55)]), "total")
    assert (selected(ctx, "currency"), selected(ctx, "total")) == ("OMR", pytest.approx(12.5))


@pytest.mark.parametrize("line, expected", [
    ("TRN: 100234567800003", "100234567800003"),        # UAE, no checksum to apply
    ("VAT No. OM1100012345", "OM1100012345"),           # Oman
    ("SST Reg No: W10-1808-32000001", "W10180832000001"),  # Malaysia's sales tax id
    ("Registration No. T7000012050002", "T7000012050002"),  # Japan's T-number, checked
])
def test_tax_ids_of_any_country_after_their_label(line, expected):
    ctx = run(doc_of([(0.05, "Kestrel Trading Ltd", 0.05), (0.07, line, 0.05)]), "VAT_Number")
    assert selected(ctx, "VAT_Number") == expected


def test_a_tax_id_under_its_label_and_what_is_no_tax_id():
    under = [(0.05, "Kestrel Trading Ltd", 0.05), (0.07, [(0.05, "TIN"), (0.4, "Invoice date")]),
             (0.09, [(0.05, "51 824 753 556"), (0.4, "12/03/2024")])]
    assert selected(run(doc_of(under), "VAT_Number"), "VAT_Number") == "51824753556"
    # tax rates, amounts, dates and a failing "registration number" are not tax ids
    rows = [(0.3, "VAT 19 % 1900", 0.55), (0.32, "GST 6% 12.00", 0.55), (0.34, "Tax no. 2024-03-12", 0.55),
            (0.36, "Registration No. T7000012050003", 0.05)]
    assert run(doc_of(rows), "VAT_Number").found["VAT_Number"] == []


def test_the_buyers_tax_id_is_not_the_suppliers():
    rows = [(0.05, "Gulf Tools LLC", 0.05), (0.07, "TRN: 100234567800003", 0.05), (0.15, "Bill to:", 0.55),
            (0.17, "Desert Foods LLC", 0.55), (0.19, "TRN: 100987654300003", 0.55)]
    ctx = run(doc_of(rows), "VAT_Number")
    assert [c.content for c in ctx.found["VAT_Number"]] == ["100234567800003"]


SIDE_BY_SIDE = [
    (0.05, "INVOICE", 0.05), (0.10, [(0.05, "Seller"), (0.55, "Buyer")]),
    (0.12, [(0.05, "Nordlicht Software GmbH"), (0.55, "Brouwer Logistiek B.V.")]),
    (0.14, [(0.05, "Hauptstr. 3, 10115 Berlin"), (0.55, "Kade 7, 3011 Rotterdam")]),
    (0.16, [(0.05, "VAT: DE246813573"), (0.55, "VAT: NL004495445B01")]),
    (0.30, "Total 119,00 EUR", 0.55),
]


@pytest.mark.parametrize("perspective, vat", [("client", "DE246813573"), ("supplier", "NL004495445B01")])
def test_blocks_side_by_side_each_own_their_column(perspective, vat):
    # one line carries both blocks' headings, names and ids: each column is its own party's
    ctx = run(doc_of(SIDE_BY_SIDE), "client", perspective=perspective)
    assert selected(ctx, "VAT_Number") == vat
    assert selected(ctx, "supplier") == "Nordlicht Software GmbH"
    assert selected(ctx, "client").startswith("Brouwer Logistiek B.V")


def test_a_name_that_starts_with_a_label_or_heading_word_keeps_it():
    rows = [(0.05, "INVOICE", 0.05), (0.10, "Seller", 0.05), (0.12, "Company Q", 0.05),
            (0.14, "Main Street 1, 1000 Brussels", 0.05), (0.10, "Buyer", 0.55), (0.12, "Cliente S.p.A.", 0.55),
            (0.14, "Via Roma 2, 00100 Roma", 0.55), (0.40, "Total 100,00 EUR", 0.55)]
    ctx = run(doc_of(rows), "client")
    assert (selected(ctx, "supplier"), selected(ctx, "client")) == ("Company Q", "Cliente S.p.A.")
    # a label set off by its colon is still cut off
    ctx = run(doc_of([(0.05, "Seller", 0.05), (0.07, "Company: Kestrel Trading Ltd", 0.05)]), "supplier")
    assert selected(ctx, "supplier") == "Kestrel Trading Ltd"


def test_dot_leaders_join_a_label_to_its_value():
    rows = [(0.05, "Kestrel Trading Ltd", 0.05),
            (0.10, [(0.05, "Belegdatum"), (0.25, "." * 60), (0.8, "14.06.2021")]),
            (0.12, [(0.05, "Zahlbar bis"), (0.25, "." * 60), (0.8, "14.07.2021")])]
    ctx = run(doc_of(rows), "due_date")
    assert (selected(ctx, "date"), selected(ctx, "due_date")) == (date(2021, 6, 14).isoformat(), "2021-07-14")


def test_portuguese_and_italian_date_labels():
    rows = [(0.05, "Kestrel Trading Ltd", 0.05), (0.10, "Data de emissão: 3 de junho de 2021", 0.05),
            (0.12, "Data de vencimento: 3 de julho de 2021", 0.05)]
    ctx = run(doc_of(rows), "due_date")
    assert (selected(ctx, "date"), selected(ctx, "due_date")) == ("2021-06-03", "2021-07-03")
    rows = [(0.05, "Kestrel Trading Ltd", 0.05), (0.10, "Data documento 12.10.2022", 0.05),
            (0.12, "Da pagare entro 11.11.2022", 0.05)]
    ctx = run(doc_of(rows), "due_date")
    assert (selected(ctx, "date"), selected(ctx, "due_date")) == ("2022-10-12", "2022-11-11")


def test_a_tax_label_with_its_id_beside_it_labels_nothing_under_it():
    rows = [(0.05, "TVA : FR96552100554 - SIRET : 55210055400017", 0.05),
            (0.08, "AVOIR N° AV-2019-0042", 0.05), (0.10, "Date : 12/03/2019", 0.05)]
    ctx = run(doc_of(rows), "invoice_id")
    assert [c.content for c in ctx.found["VAT_Number"]] == ["FR96552100554"]
    assert selected(ctx, "invoice_id") == "AV-2019-0042"


def test_a_run_line_a_count_and_a_heading_label_are_no_supplier():
    rows = [(0.03, "PRINTED: 18/02/21 TIME: 09:45:54 USER: BATCH", 0.05),
            (0.06, "1 Stk", 0.05),
            (0.10, "Vendor name", 0.05),  # a heading and a label word: no name after the heading
            (0.30, "Total 100,00 EUR", 0.55),
            (0.90, "Kestrel Trading GmbH · Hafenweg 4 · 20457 Hamburg", 0.05)]
    ctx = run(doc_of(rows), "supplier")
    names = [c.content for c in ctx.found["supplier"]]
    assert not any(n in ("1 Stk", "name") or "09:45" in n for n in names)
    assert selected(ctx, "supplier") == "Kestrel Trading GmbH"


def test_three_decimal_amounts_keep_their_third_decimal():
    rows = [(0.05, "Gulf Tools LLC", 0.05), (0.5, "Subtotal OMR 1,250.025", 0.55), (0.52, "VAT 5% OMR 62.501", 0.55),
            (0.54, "Total OMR 1,312.526", 0.55)]
    ctx = run(doc_of(rows), "total_tax_amount")
    assert [selected(ctx, f) for f in ("total", "subtotal", "total_tax_amount")] == [1312.526, 1250.025, 62.501]


def test_the_block_printing_the_sellers_vat_id_names_the_supplier_and_the_other_block_the_client():
    # no headings: the client's address at the top, the supplier only in a flush-right footer
    rows = [(0.03, "RECHNUNG", 0.05),
            (0.06, "Halder Bau AG", 0.05), (0.08, "Seeweg 15", 0.05), (0.10, "24103 Kiel", 0.05),
            (0.30, "Gesamtbetrag 1.190,00 EUR", 0.55),
            (0.90, [(0.66, "Kranich Werkzeug GmbH")]), (0.92, [(0.58, "Kranichweg 20 · 80333 München")]),
            (0.94, [(0.70, "UID-Nr. DE246813573")])]
    from invoice_extract.extraction import consistency

    ctx = run(doc_of(rows), "client")
    consistency.name_the_vat_owner(ctx)
    assert selected(ctx, "VAT_Number") == "DE246813573"
    assert (selected(ctx, "supplier"), selected(ctx, "client")) == ("Kranich Werkzeug GmbH", "Halder Bau AG")


def test_an_address_block_without_heading_names_the_client():
    rows = [(0.03, "Kestrel Trading Ltd", 0.05), (0.05, "12 High Street, Leeds LS1 4AB", 0.05),
            (0.15, "Entity", 0.05), (0.17, "Brouwer Logistiek B.V.", 0.05), (0.19, "Kade 7", 0.05),
            (0.21, "3011 Rotterdam", 0.05), (0.40, "Total 100.00 EUR", 0.55)]
    ctx = run(doc_of(rows), "client")
    assert selected(ctx, "client").startswith("Brouwer Logistiek")


def test_a_row_of_column_headers_under_a_buyer_word_is_no_client():
    """"Customer no.  Date  Invoice no.": the heading word opens a row of field labels over
    their values, not a block; the address block above names the client."""
    from invoice_extract.extraction.features._names import is_label_row

    assert is_label_row("Customer no. Invoice date Invoice no. Due date")
    assert not is_label_row("Customer: Hotelbau Lindner GmbH")  # "tel" inside a word is no label
    rows = [(0.05, "Osterkamp Drucktechnik GmbH", 0.05), (0.07, "Am Anger 4", 0.05), (0.09, "34117 Kassel", 0.05),
            (0.20, "Pfeiffer Gerüstbau KG", 0.05), (0.22, "Talstraße 18", 0.05), (0.24, "07743 Jena", 0.05),
            (0.33, [(0.05, "Kunde Nr."), (0.25, "Datum"), (0.45, "Rechnung Nr.")]),
            (0.35, [(0.05, "40211"), (0.25, "03.02.2025"), (0.45, "R-2025-88")])]
    ctx = run(doc_of(rows), "client")
    assert all("Datum" not in str(c.content) for c in ctx.found["client"])
    # the name ends with its legal form: "KG" is no street ("Kg", a Malaysian village) there
    assert selected(ctx, "client") == "Pfeiffer Gerüstbau KG"


def test_a_buyer_heading_on_the_names_line_is_not_part_of_the_name():
    rows = [(0.05, "Osterkamp Drucktechnik GmbH", 0.05), (0.07, "Am Anger 4", 0.05), (0.09, "34117 Kassel", 0.05),
            (0.20, "Rechnungsempfänger: Pfeiffer Gerüstbau KG", 0.55), (0.22, "Talstraße 18", 0.55)]
    ctx = run(doc_of(rows), "client")
    assert {c.content for c in ctx.found["client"]} == {"Pfeiffer Gerüstbau KG"}


def test_a_heading_beside_the_sellers_block_heads_the_lines_under_it():
    """"Bill to" on the line of the seller's name (its block stands in the right column): the
    client is the first line under the heading, in its own column; the seller's street (no
    house number) under its name is no block's first line."""
    rows = [(0.05, "Brunnhofer Medien GmbH", 0.05), (0.10, "Invoice", 0.05),
            (0.20, [(0.05, "Bill to"), (0.55, "Brunnhofer Medien GmbH")]),
            (0.215, [(0.05, "Kavanagh Studios"), (0.55, "Lindenhof")]),
            (0.23, [(0.05, "14 Quay Street"), (0.55, "10115 Berlin")]),
            (0.245, [(0.05, "D02 X285 Dublin")])]
    ctx = run(doc_of(rows), "client")
    assert (selected(ctx, "supplier"), selected(ctx, "client")) == ("Brunnhofer Medien GmbH", "Kavanagh Studios")
    from invoice_extract.extraction.features._names import address_block_names

    assert "Lindenhof" not in {c.content for c in address_block_names(ctx)}


def test_a_customer_line_at_the_foot_of_a_slip_names_the_client_not_the_closing_words():
    rows = [(0.05, "Ferramenta Olmi", 0.35), (0.10, "Fattura", 0.4), (0.30, "TOTALE EUR 12,20", 0.05),
            (0.80, "Cliente: Studio Cliente Ventura", 0.05), (0.85, "Grazie per la preferenza.", 0.3)]
    ctx = run(doc_of(rows), "client")
    assert selected(ctx, "client") == "Studio Cliente Ventura"
    assert all("Grazie" not in c.content for c in ctx.found["client"])


def test_a_tax_id_labelled_as_the_readers_in_its_own_column_is_the_buyers():
    """An info block sets "Your VAT no." and the id apart, in two columns; the seller's id in
    the footer is read after two labels ("VAT TRN …"), the second not taken for a prefix."""
    rows = [(0.05, "Gulf Pearl Trading LLC", 0.05),
            (0.20, [(0.60, "Your VAT no."), (0.75, "100987654300003")]),
            (0.22, [(0.60, "Vs. P.IVA"), (0.75, "IT00743110157")]),
            (0.92, "Gulf Pearl Trading LLC VAT TRN 100234567800003", 0.05)]
    ctx = run(doc_of(rows), "VAT_Number")
    assert [c.content for c in ctx.found["VAT_Number"]] == ["100234567800003"]


@pytest.mark.parametrize("sentence", ["Please pay the invoice total by 14/03/2025, quoting the invoice number.",
                                      "Bitte zahlen Sie den Betrag bis zum 14.03.2025 auf unser Konto.",
                                      "Veuillez régler le montant avant le 14/03/2025 sur notre compte.",
                                      "Montant payable net, sans escompte, jusqu'au 14/03/2025.",
                                      "Zahlbar ohne Abzug bis 14.03.2025."])
def test_a_deadline_in_a_payment_sentence_is_the_due_date(sentence):
    rows = [(0.05, "Rechnung Nr. 4711", 0.05), (0.08, "Datum: 14.02.2025", 0.05), (0.60, sentence, 0.05)]
    ctx = run(doc_of(rows), "due_date")
    assert selected(ctx, "due_date") == "2025-03-14"


def test_an_early_payments_discount_deadline_is_not_the_due_date():
    rows = [(0.05, "Rechnung Nr. 4711", 0.05), (0.08, "Datum: 14.02.2025", 0.05),
            (0.60, "Zahlbar innerhalb der Frist mit 3 % Skonto bis 24.02.2025", 0.05)]
    assert selected(run(doc_of(rows), "due_date"), "due_date") is None


def test_a_payment_already_made_is_no_deadline():
    rows = [(0.05, "Invoice 4711", 0.05), (0.08, "Date: 14/02/2025", 0.05),
            (0.60, "Paid on 20/02/2025 by card, thank you.", 0.05)]
    assert selected(run(doc_of(rows), "due_date"), "due_date") is None


def _lines(ctx):
    return [tuple(line.content[k]["selected_value"]["content"] if k in line.content else None
                  for k in ("description", "quantity", "unit_price", "subtotal")) for line in ctx.found["invoice_lines"]]


def test_a_count_times_a_rate_of_four_decimals_under_its_description_is_a_line():
    rows = [(0.30, "Night-rate energy", 0.05), (0.32, "2.582 x 0,04486 115,83", 0.08),
            (0.35, "Feed-in credit", 0.05), (0.37, "-150 x 0,09 -13,50", 0.08),
            (0.45, "Summe netto 102,33", 0.05)]
    assert _lines(run(doc_of(rows), "invoice_lines")) == [("Night-rate energy", 2582.0, 0.04486, 115.83),
                                                          ("Feed-in credit", -150.0, 0.09, -13.5)]


def test_a_table_beside_the_title_and_the_customer_block_reads_its_own_columns():
    rows = [(0.14, [(0.04, "TAX INVOICE"), (0.36, "Service"), (0.55, "Quantity"), (0.68, "Rate"), (0.85, "Amount")]),
            (0.18, [(0.36, "Harbour crane hire"), (0.57, "2"), (0.68, "400.00"), (0.85, "800.00")]),
            (0.20, [(0.04, "CUSTOMER")]),
            (0.22, [(0.04, "Kestrel Marine Ltd"), (0.60, "Total excl. tax"), (0.85, "800.00")])]
    assert _lines(run(doc_of(rows), "invoice_lines")) == [("Harbour crane hire", 2.0, 400.0, 800.0)]


def test_the_sum_carried_to_the_next_page_is_no_line():
    rows = [(0.30, [(0.05, "Description"), (0.55, "Qty"), (0.68, "Price"), (0.85, "Amount")]),
            (0.33, [(0.05, "Scaffold rental week 1"), (0.56, "1"), (0.68, "210,00"), (0.85, "210,00")]),
            (0.36, [(0.05, "Scaffold rental week 2"), (0.56, "1"), (0.68, "190,00"), (0.85, "190,00")]),
            (0.39, [(0.05, "Übertrag"), (0.85, "400,00")])]
    assert [line[0] for line in _lines(run(doc_of(rows), "invoice_lines"))] == ["Scaffold rental week 1",
                                                                              "Scaffold rental week 2"]


def test_a_bill_sent_as_a_mail_names_its_parties_in_the_mail_header():
    rows = [(0.05, "From: Osterkamp Drucktechnik GmbH <billing@osterkamp.example>", 0.07),
            (0.07, "To: Kavanagh Studios", 0.07), (0.09, "Subject: Invoice 4711 of 03/02/2025", 0.07),
            (0.14, "please find below our invoice 4711.", 0.07)]
    assert _parties(rows) == ("Osterkamp Drucktechnik GmbH", "Kavanagh Studios")


def test_the_name_under_the_buyers_heading_is_not_the_supplier_whose_name_stands_in_a_footer():
    rows = [(0.05, [(0.05, "Beleg-Nr."), (0.25, "Datum"), (0.45, "Kunden-Nr.")]),
            (0.07, [(0.05, "123"), (0.25, "22.12.2020"), (0.45, "L79865")]),
            (0.12, [(0.05, "Rechnung"), (0.55, "Kunde")]), (0.14, [(0.55, "Pfeiffer Gerüstbau KG")]),
            (0.16, [(0.55, "Talstraße 18")]), (0.18, [(0.55, "07743 Jena")]),
            (0.80, "Lindner Seminare GmbH", 0.05), (0.82, "Gewerbepark 9", 0.05), (0.84, "93055 Regensburg", 0.05)]
    assert _parties(rows) == ("Lindner Seminare GmbH", "Pfeiffer Gerüstbau KG")


def test_a_title_over_a_dates_line_is_no_window_address():
    rows = [(0.05, "Zahra Trading LLC", 0.3), (0.08, "Al Wahda Street 15 | Sharjah", 0.3),
            (0.15, "TAX INVOICE No. AE-0042", 0.3), (0.17, "Issue date: 07 Feb 2025 Due: 21 Feb 2025", 0.3),
            (0.22, "Billed to:", 0.08), (0.24, "Sahara Lighting", 0.08), (0.26, "Sheikh Zayed Road 12", 0.08)]
    ctx = run(doc_of(rows), "client")
    assert selected(ctx, "client") == "Sahara Lighting"
    assert all("INVOICE" not in c.content for c in ctx.found["client"])


def test_a_payment_reference_field_is_copied_whole():
    rows = [(0.60, "Verwendungszweck: Deb. 4471 / Fact. 80552", 0.05), (0.63, "Reference: RE-4711", 0.05)]
    ctx = run(doc_of(rows), "payment_ref")
    assert selected(ctx, "payment_ref") == "Deb. 4471 / Fact. 80552"


def test_a_quoted_field_naming_the_invoice_is_copied_whole_over_its_number():
    """"Please quote: Invoice 2025-0117": the payer copies all of it, though the invoice
    number alone is also a candidate."""
    rows = [(0.05, "Rechnungsnummer 2025-0117", 0.05), (0.60, "Please quote: Invoice 2025-0117", 0.05)]
    ctx = run(doc_of(rows), "payment_ref")
    assert selected(ctx, "payment_ref") == "Invoice 2025-0117"


def test_a_reference_printed_in_groups_of_digits_is_one_reference():
    """An OCR number or a notice code under its label, in groups for the payer to read."""
    rows = [(0.60, "Betalingskenmerk", 0.05), (0.62, "6120 4471 3094 5528", 0.05),
            (0.70, "Totaal 121,00", 0.55)]
    ctx = run(doc_of(rows), "payment_ref")
    assert selected(ctx, "payment_ref") == "6120447130945528"


def test_a_form_of_keys_and_values_names_the_parties_beside_their_keys():
    rows = [(0.06, [(0.07, "Lieferant"), (0.30, "Brunnhofer Medien GmbH")]),
            (0.08, [(0.07, "Anschrift Lieferant"), (0.30, "Am Markt 7, 99084 Erfurt")]),
            (0.10, [(0.07, "USt-IdNr."), (0.30, "DE811569869")]),
            (0.12, [(0.07, "Kunde"), (0.30, "Pfeiffer Gerüstbau KG")]),
            (0.14, [(0.07, "Anschrift Kunde"), (0.30, "Talstraße 18, 07743 Jena")])]
    assert _parties(rows) == ("Brunnhofer Medien GmbH", "Pfeiffer Gerüstbau KG")


def test_one_line_of_fields_names_each_party_up_to_its_address():
    rows = [(0.05, "Invoice # 4711 | Invoice date 1 Oct 2025 | Currency EUR", 0.06),
            (0.07, "Seller: Brunnhofer Medien GmbH, Am Markt 7, 99084 Erfurt | Buyer: Kavanagh Studios Ltd, "
                   "14 Quay Street, Dublin", 0.06)]
    assert _parties(rows) == ("Brunnhofer Medien GmbH", "Kavanagh Studios Ltd")


def test_sold_by_beside_the_order_facts_names_the_supplier():
    rows = [(0.05, "Rechnung", 0.06),
            (0.07, [(0.06, "Bestellnr.: 302-4471"), (0.55, "Verkauft von: Stadtwerke Ostheim GmbH")]),
            (0.09, [(0.06, "Rechnungsnr.: R-8812"), (0.55, "Lerchenhang 5")]),
            (0.15, [(0.08, "Rechnungsadresse"), (0.50, "Lieferadresse")]),
            (0.17, [(0.08, "Turnverein Talheim e.V."), (0.50, "Turnverein Talheim e.V.")]),
            (0.19, [(0.08, "Am Sportplatz 3"), (0.50, "Am Sportplatz 3")])]
    assert _parties(rows) == ("Stadtwerke Ostheim GmbH", "Turnverein Talheim e.V.")


def test_a_signature_over_the_sellers_checked_vat_id_names_the_supplier():
    """A freelancer signs at the foot, over its address and P.IVA; its closing words are no name."""
    from invoice_extract.extraction import consistency

    rows = [(0.05, "Spett.le", 0.08), (0.07, "Istituto Tecnico Volta", 0.08), (0.09, "Via Roma 4", 0.08),
            (0.11, "40121 Bologna", 0.08), (0.30, "Totale EUR 950,00", 0.08),
            (0.75, "Cordiali saluti,", 0.74), (0.79, "Avv. Chiara Ferri", 0.74), (0.81, "Via Amendola 2", 0.74),
            (0.83, "42100 Reggio Emilia", 0.74), (0.85, "P.IVA IT00743110157", 0.74)]
    ctx = run(doc_of(rows), "client")
    consistency.name_the_vat_owner(ctx)
    assert selected(ctx, "supplier") == "Avv. Chiara Ferri"
    assert selected(ctx, "client") == "Istituto Tecnico Volta"


def test_a_register_line_over_the_vat_id_is_no_name():
    from invoice_extract.extraction.features._names import names_over_code

    rows = [(0.05, "Maison Ferrand SAS", 0.08), (0.88, "RCS Nantes B 441 227 390", 0.70),
            (0.90, "TVA FR40303265045", 0.70)]
    ctx = run(doc_of(rows), "VAT_Number")
    assert names_over_code(ctx, "FR40303265045") == []  # a footer column of registers names no one


def _parties(rows) -> tuple:
    """(supplier, client) the finders read from ``rows``."""
    ctx = run(doc_of(rows), "client")
    return selected(ctx, "supplier"), selected(ctx, "client")


# -- columns: a town's postcode and the next block's digits belong to their own column ---------

def test_a_postcode_in_another_column_of_a_titles_line_is_no_invoice_number():
    """A big title "RECHNUNG" on the line of the letterhead's town, far right: "24103" is the
    town's postcode, the number is the one after the number's label."""
    ctx = run(doc_of([
        (0.05, [(0.06, "RECHNUNG"), (0.80, "24103 Kiel")]),
        (0.14, [(0.06, "Brandt Maschinen AG"), (0.60, "Beleg-Nr. 3381")]),
        (0.60, "Nettobetrag 100,00 €", 0.55), (0.64, "Rechnungsbetrag 119,00 €", 0.55),
    ]), "invoice_id")
    ids = [c.content for c in ctx.found["invoice_id"]]
    assert ids[0] == "3381" and "24103" not in ids


def test_a_vat_id_does_not_run_on_into_the_next_columns_postcode():
    """"VAT No.: DE123456789" beside the buyer's "24103 Kiel": the id ends at the gap."""
    ctx = run(doc_of([
        (0.05, [(0.06, "Möwenbucht Medien GmbH"), (0.55, "Billed to")]),
        (0.07, [(0.06, "USt-IdNr. / VAT No.: DE811907980"), (0.55, "24103 Kiel")]),
        (0.60, "Nettobetrag 100,00 €", 0.55), (0.64, "Rechnungsbetrag 119,00 €", 0.55),
    ]), "VAT_Number")
    assert selected(ctx, "VAT_Number") == "DE811907980"


def test_a_bic_under_its_label_in_a_bank_box_is_read():
    ctx = run(doc_of([
        (0.05, "Möwenbucht Tonstudio GmbH", 0.05),
        (0.80, [(0.05, "IBAN"), (0.40, "BIC")]),
        (0.82, [(0.05, "DE47 6005 0101 7403 1182 65"), (0.40, "SOLADEST600")]),
    ]), "SWIFT_code")
    assert json.loads(selected(ctx, "SWIFT_code"))["bic"] == "SOLADEST600"


def test_a_portuguese_number_keeps_its_document_types_code():
    """SAF-T PT numbers print their type's code and a space: "FT 2024A/17" is one number."""
    ctx = run(doc_of([(0.05, "Tipografia Exemplo, Lda.", 0.05), (0.10, "Fatura n.º FT 2024A/17", 0.05),
                      (0.14, "Data 03-05-2024", 0.05)]), "invoice_id")
    assert selected(ctx, "invoice_id") == "FT 2024A/17"


@pytest.mark.parametrize("printed, number", [
    ("Invoice No.: FV 2031/0417", "FV 2031/0417"),  # a Polish series code
    ("Rechnungsnummer: RE 2031/88", "RE 2031/88"),
    ("Invoice No.: INV-2031-0417", "INV-2031-0417"),
    ("Invoice No 2031/0417", "2031/0417"),  # a label's own word is no series code
    ("Invoice: WXYZ 2031417-1", "2031417-1"),  # four letters: a station's call sign, another field
    ("Invoice: EUR 2031-0417", "2031-0417"),  # a currency code
    ("Invoice No.: AB 20310417", "20310417"),  # no series separator in the number
])
def test_a_number_keeps_the_series_code_printed_before_it(printed, number):
    ctx = run(doc_of([(0.05, "Marlowe Prints Ltd", 0.05), (0.10, printed, 0.05),
                      (0.14, "Date 03-05-2031", 0.05)]), "invoice_id")
    assert selected(ctx, "invoice_id") == number


def test_a_title_naming_the_tax_is_no_tax_id_label():
    """"Faktura VAT" is the Polish bill's title: the number under it is the bill's, no VAT id."""
    # ("VAT" stands over the number)
    ctx = run(doc_of([(0.05, "Zielna Studio sp. z o.o.", 0.05), (0.12, "Faktura VAT", 0.10),
                      (0.15, "Nr faktury: KW-31-40917", 0.05), (0.18, "Data: 30.05.2031", 0.05)]),
              "VAT_Number", "invoice_id")
    assert selected(ctx, "VAT_Number") is None
    assert selected(ctx, "invoice_id") == "KW-31-40917"


def test_an_iban_is_read_when_its_mod_97_holds_whatever_the_banks_own_check():
    """As Odoo's base_iban: the ISO check digits and the country's length, not the national
    check inside the account part (a Belgian account's last two digits here)."""
    from stdnum import iban

    account = "539007547036"  # its Belgian check digits (36) are wrong
    number = "BE" + iban.calc_check_digits("BE00" + account) + account
    assert not iban.is_valid(number)
    ctx = run(doc_of([(0.05, "Marlowe Prints BV", 0.05),
                      (0.80, f"IBAN: {number[:4]} {number[4:8]} {number[8:12]} {number[12:]}", 0.05)]), "iban")
    assert selected(ctx, "iban") == number
    # one digit off: the mod-97 check fails
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    ctx = run(doc_of([(0.05, "Marlowe Prints BV", 0.05), (0.80, f"IBAN: {wrong}", 0.05)]), "iban")
    assert selected(ctx, "iban") is None


def test_an_amount_beside_a_buyer_heading_is_no_name():
    """"Kunde        DKK 5,082.96": a summary box's amount on the heading's line; the name is under it."""
    ctx = run(doc_of([(0.05, "Skarvholm Grafik ApS", 0.05), (0.20, [(0.05, "Kunde"), (0.65, "DKK 5,082.96")]),
                      (0.22, "Tornbjerg Montage A/S", 0.05), (0.24, "Skovbrynet 14", 0.05),
                      (0.26, "8600 Silkeborg", 0.05)]), "client")
    assert [c.content for c in ctx.found["client"]] == ["Tornbjerg Montage A/S"]


def test_a_patient_is_the_client_of_a_practitioners_bill():
    ctx = run(doc_of([(0.05, "Dr. Ilse Marquardt", 0.05), (0.07, "Osteopath", 0.05),
                      (0.20, [(0.05, "Patient:"), (0.60, "Invoice")]),
                      (0.22, [(0.05, "Konrad Wilmsen"), (0.60, "Invoice #: 3104417")]),
                      (0.24, "Lindenhof 3", 0.05), (0.26, "24103 Kiel", 0.05)]), "client")
    from invoice_extract.extraction.features._names import names_in_block

    assert [c.content for c in names_in_block(ctx, "buyer")] == ["Konrad Wilmsen"]


@pytest.mark.parametrize("text, legal", [
    ("Team plan (yearly)", False), ("Storage per kg", False), ("as agreed", False),
    ("Tan Brothers Enterprise", True), ("TAN BROTHERS ENTERPRISE", True), ("Skarvholm Grafik AS", True),
    ("Kranich Werkzeug GmbH & Co. KG", True), ("KRANICH GMBH", True),
])
def test_legal_forms_that_are_also_words_count_only_in_capitals_or_at_the_end(text, legal):
    from invoice_extract.extraction.features._names import LEGAL_FORMS

    assert bool(LEGAL_FORMS.search(text)) is legal


def test_the_vat_id_on_the_clients_rows_is_not_the_suppliers():
    """A bill whose client block prints the buyer's VAT id in a column beside its address, and
    the seller's id in the footer: the footer's is the supplier's."""
    from invoice_extract.extraction.options import ExtractOptions
    from invoice_extract.extraction.pipeline import extract_document

    doc = doc_of([
        (0.05, "Möwenbucht Tonstudio B.V.", 0.05), (0.07, "Havenkade 3", 0.05), (0.09, "1011 AB Amsterdam", 0.05),
        (0.20, [(0.05, "KLANT"), (0.55, "DEBITEURNR.")]),
        (0.22, [(0.05, "Zeewering Verhuur N.V."), (0.55, "K-4410")]),
        (0.24, [(0.05, "Strandweg 12"), (0.55, "Btw-nummer: NL004495445B01")]),
        (0.26, "2042 AA Zandvoort", 0.05),
        (0.40, "Factuurnummer 2025-0117", 0.05), (0.42, "Factuurdatum 03-05-2025", 0.05),
        (0.50, [(0.05, "Omschrijving"), (0.50, "Aantal"), (0.65, "Prijs"), (0.80, "Bedrag")]),
        (0.52, [(0.05, "Studio-uren"), (0.50, "4"), (0.65, "25,00"), (0.80, "100,00")]),
        (0.60, "Totaal excl. btw 100,00", 0.55), (0.62, "Btw 21% 21,00", 0.55), (0.64, "Totaal 121,00", 0.55),
        (0.95, "Möwenbucht Tonstudio B.V. | Btw-nummer: NL810433941B01 | KvK 12345678", 0.05),
    ])
    result = extract_document(doc, ExtractOptions())
    assert result["client"]["selected_value"]["content"] == "Zeewering Verhuur N.V."
    assert result["VAT_Number"]["selected_value"]["content"] == "NL810433941B01"


def test_the_title_beside_a_buyer_heading_is_not_the_clients_name():
    """"Bill To            INVOICE": the block's name is under the heading, not the title."""
    for heading, title in (("Bill To", "INVOICE"), ("Kund", "FAKTURA")):
        ctx = run(doc_of([
            (0.05, "Möwenbucht Catering AB", 0.30), (0.08, "Hamngatan 4, 41103 Göteborg", 0.30),
            (0.16, [(0.08, heading), (0.78, title)]),
            (0.18, [(0.08, "Lindqvist Konsult AB"), (0.60, "Fakturanummer: 2024-0311")]),
            (0.20, [(0.08, "Storgatan 9"), (0.60, "Datum: 04.03.2024")]),
            (0.22, "11451 Stockholm", 0.08),
            (0.60, "Summa 100,00", 0.55),
        ]), "client")
        assert selected(ctx, "client") == "Lindqvist Konsult AB"


def test_a_window_address_is_no_tail_of_a_name_left_of_the_sender_line():
    """A centred sender line over a buyer block at the left margin: the block's name starts left
    of the sender line's column, its last word ("Incorporated") is no recipient's name."""
    from engine_helpers import context
    from invoice_extract.extraction.features._names import window_recipient

    doc = doc_of([(0.06, "Harbour Pantry Catering", 0.30),
                  (0.12, "12 Harbour Row, Lisport, IL 60410 · Tel. 555-0100", 0.28),
                  (0.17, [(0.08, "Invoice to"), (0.70, "INVOICE")]),
                  (0.185, [(0.08, "Marlowe & Finch Incorporated"), (0.62, "Invoice #: 3104")]),
                  (0.20, [(0.08, "380 Quarry Street"), (0.62, "Date: 04/20/2031")]),
                  (0.215, "East Lisport, NM 87120", 0.08)])
    assert window_recipient(context(doc)) == []


@pytest.mark.parametrize("printed, value", [
    ("MWST-Nr.: CHE-116.281.710 MWST", "CHE116281710MWST"),  # a Swiss UID with its VAT suffix
    ("MVA-nr.: NO 974 760 673 MVA", "NO974760673MVA"),  # the Norwegian register's own form
    ("USt-IdNr.: DE271828198 UST", "DE271828198"),  # a German id: the tax word is no part of it
])
def test_a_tax_word_after_the_id_is_kept_where_it_is_the_ids_own(printed, value):
    ctx = run(doc_of([(0.05, "Bergli Treuhand AG", 0.05), (0.08, printed, 0.05)]), "VAT_Number")
    assert selected(ctx, "VAT_Number") == value


@pytest.mark.parametrize("line", ["9381-204 Lisboa", "34-512 Zawadka", "80333 München", "Leeds LS1 4AB"])
def test_postcodes_with_a_dash_stand_beside_their_town(line):
    from invoice_extract.extraction.features._names import TOWN_LINE

    assert TOWN_LINE.search(line)
    assert not TOWN_LINE.search("09-04-2031 EUR")


def test_swedish_block_headings_name_the_parties():
    """"FRÅN  |  FAKTURERAS TILL": the seller's and the buyer's blocks side by side."""
    ctx = run(doc_of([(0.03, [(0.06, "FRÅN"), (0.36, "FAKTURERAS TILL")]),
                      (0.045, [(0.06, "Ekvik Konsult HB"), (0.36, "Tallmo Bygg AB")]),
                      (0.06, [(0.06, "Ängsgränd 9, 662 18 Ekvik"), (0.36, "Tallstigen 7, 660 41 Tallbacka")])]),
              "supplier", "client")
    assert selected(ctx, "supplier") == "Ekvik Konsult HB"
    assert selected(ctx, "client") == "Tallmo Bygg AB"


def test_right_to_left_columns_print_the_value_before_its_label():
    """Values left, their labels right and ending the line: the number and both dates read."""
    ctx = run(doc_of([
        (0.04, "Tecelagem Norte, Lda.", 0.65),
        (0.11, [(0.07, "Faturar a"), (0.55, "3141592653"), (0.77, "Número da fatura")]),
        (0.13, [(0.07, "Oficina Serrano"), (0.55, "28-02-2031"), (0.77, "Data de emissão")]),
        (0.15, [(0.07, "Rua do Sol 2"), (0.55, "28-03-2031"), (0.77, "Data de vencimento")]),
        (0.16, [(0.07, "2695-113 Bobadela")]),
    ]), "invoice_id", "date", "due_date")
    assert selected(ctx, "invoice_id") == "3141592653"
    assert selected(ctx, "date") == "2031-02-28"
    assert selected(ctx, "due_date") == "2031-03-28"


def test_a_letters_to_alone_in_its_column_heads_the_addressee():
    """"To" with no colon, alone in its column over the addressee's name, is a buyer heading;
    it is never the letterhead's name."""
    ctx = run(doc_of([
        (0.05, [(0.08, "To"), (0.70, "Invoice no. 2031-002")]),
        (0.07, [(0.08, "Kestrel Lane Properties Ltd"), (0.70, "28/02/2031")]),
        (0.09, "4 Quarry Street", 0.08), (0.10, "Leeds LS1 4AB", 0.08),
        (0.16, "Tax Invoice", 0.08),
        (0.79, "Ravensworth Supplies Ltd", 0.63), (0.81, "9 Tidewater Row", 0.63),
    ]), "supplier", "client")
    assert selected(ctx, "client") == "Kestrel Lane Properties Ltd"
    assert "To" not in [c.content for c in ctx.found["supplier"]]


GROUPED_STATEMENT = [
    (0.05, "Brinkhorst Techniek B.V.", 0.07),
    (0.30, [(0.07, "Datum"), (0.18, "Artikel"), (0.64, "Hoev."), (0.74, "Stukprijs"), (0.89, "Totaal")]),
    (0.32, "Arbeid", 0.07),
    (0.34, [(0.07, "08/11"), (0.19, "Servicecontract"), (0.67, "5"), (0.77, "70,00"), (0.89, "350,00")]),
    (0.36, [(0.07, "13/11"), (0.19, "Storingsdienst op afroep"), (0.66, "1,5"), (0.77, "57,50"), (0.90, "86,25")]),
    (0.38, [(0.71, "Totaal Arbeid"), (0.89, "436,25")]),
    (0.40, "Onderdelen", 0.07),
    (0.42, [(0.07, "18/11"), (0.19, "Kopieerpapier wit"), (0.67, "6"), (0.77, "10,00"), (0.90, "60,00")]),
    (0.44, [(0.71, "Totaal Onderdelen"), (0.90, "60,00")]),
    (0.48, [(0.56, "Totaal excl. btw"), (0.88, "€ 496,25")]),
    (0.50, [(0.56, "Verzendkosten"), (0.90, "€ 9,00")]),
]


def test_a_statements_groups_are_one_table_their_sums_no_items():
    """Items in groups, each with its own sum under the numbers: the table goes on after a
    group's sum when items follow, and ends at the totals block; the date column left of the
    description is not part of it; "Hoev." is the quantity."""
    ctx = run(doc_of(GROUPED_STATEMENT), "invoice_lines")
    lines = [c.content for c in ctx.found["invoice_lines"]]
    assert [line["description"]["selected_value"]["content"] for line in lines] == [
        "Servicecontract", "Storingsdienst op afroep", "Kopieerpapier wit"]
    assert [line["quantity"]["selected_value"]["content"] for line in lines] == [5, 1.5, 6]
    assert [line["subtotal"]["selected_value"]["content"] for line in lines] == [350.0, 86.25, 60.0]


def test_a_summary_row_under_the_numbers_ends_the_table():
    """"Items subtotal" and the shipping charge under the amount columns are the totals block."""
    ctx = run(doc_of([
        (0.05, "Ankerstad Medical Supplies Ltd", 0.07),
        (0.26, [(0.07, "Description"), (0.50, "Qty"), (0.62, "Unit price"), (0.85, "Amount")]),
        (0.28, [(0.07, "Examination gloves"), (0.51, "1"), (0.63, "110.00"), (0.86, "110.00")]),
        (0.30, [(0.07, "Surgical masks"), (0.51, "2"), (0.64, "15.30"), (0.87, "30.60")]),
        (0.33, [(0.55, "Items subtotal"), (0.86, "140.60")]),
        (0.35, [(0.55, "Shipping"), (0.88, "0.00")]),
        (0.37, [(0.55, "Total"), (0.86, "140.60")]),
    ]), "invoice_lines")
    assert [c.content["description"]["selected_value"]["content"] for c in ctx.found["invoice_lines"]] == [
        "Examination gloves", "Surgical masks"]


def test_a_payment_slips_recipient_is_the_payee_and_its_customer_the_client():
    """"Empfänger" over the account on a transfer slip is who is paid, the seller; the same word
    heading an address block names the invoice's recipient."""
    slip = [(0.05, "Harzblick Energie GmbH", 0.30), (0.12, "Kilian Brandauer", 0.07),
            (0.14, "Lerchenhang 5", 0.07), (0.16, "71034 Böblingen", 0.07),
            (0.80, [(0.07, "Empfänger"), (0.30, "Harzblick Energie GmbH")]),
            (0.82, [(0.07, "IBAN"), (0.30, "DE89 3704 0044 0532 0130 00")]),
            (0.84, [(0.07, "Kunde"), (0.30, "Kilian Brandauer, Kundennummer 246 178")])]
    from invoice_extract.extraction.features._names import names_in_block

    ctx = run(doc_of(slip), "supplier")
    assert [c.content for c in names_in_block(ctx, "seller")] == ["Harzblick Energie GmbH"]
    assert "Harzblick Energie GmbH" not in [c.content for c in names_in_block(ctx, "buyer")]
    letter = [(0.05, "Harzblick Energie GmbH", 0.30), (0.20, "Empfänger:", 0.07), (0.22, "Kilian Brandauer", 0.07),
              (0.24, "Lerchenhang 5", 0.07), (0.26, "71034 Böblingen", 0.07)]
    ctx = run(doc_of(letter), "supplier")
    assert [c.content for c in names_in_block(ctx, "buyer")] == ["Kilian Brandauer"]


@pytest.mark.parametrize("street, is_street", [
    ("7 Quillon Gateway", True), ("318 Marlowe Bend Suite 27", True), ("Flat 17c Quillon Wells", True),
    ("12 Main Street, Apt. 4", True), ("Birchfield 8", True),
    ("10 XQ-LP42", False), ("2 Desks", False), ("1 Widget 1", False), ("Studio Alpenglühen", False),
])
def test_streets_by_their_house_number_first_or_last(street, is_street):
    from invoice_extract.extraction.features._names import _street_by_number

    assert _street_by_number(street) is is_street


def test_a_heading_word_inside_an_item_table_is_an_items_wrapped_text():
    """"Review of the draft … for / client": the wrapped description's last word is no heading."""
    from invoice_extract.extraction.features._names import names_in_block

    ctx = run(doc_of([
        (0.05, "Whitcombe Law Group PLLC", 0.30),
        (0.30, [(0.08, "Date"), (0.22, "Description"), (0.70, "Hours"), (0.78, "Rate"), (0.88, "Amount")]),
        (0.32, [(0.08, "06/03/2031"), (0.22, "Review of the draft agreement for"), (0.70, "2.10"), (0.78, "345.00"),
                (0.88, "724.50")]),
        (0.335, "client", 0.22),
        (0.35, [(0.08, "06/04/2031"), (0.22, "Call with opposing counsel"), (0.70, "0.50"), (0.78, "345.00"),
                (0.88, "172.50")]),
    ]), "supplier")
    assert names_in_block(ctx, "buyer") == []


def test_a_credit_notes_number_is_not_the_invoice_it_credits():
    """"Avoir sur facture n° : 2031-00417" names the credited invoice: the ranker reads its
    label as a referenced invoice's, and the credit note's own number is chosen."""
    from invoice_extract.extraction.context import Context
    from invoice_extract.extraction.features import invoice_id
    from invoice_extract.extraction.options import ExtractOptions
    from invoice_extract.extraction.ranking import candidate_features

    doc = doc_of([(0.05, "Quillon Conseil SARL", 0.07), (0.23, "AVOIR N° AV-2031-014", 0.07),
                  (0.26, "Date de facture : 27/02/2031", 0.07),
                  (0.29, [(0.07, "Avoir sur facture n° : 2031-00417"), (0.55, "Mode de règlement : Virement")])])
    ctx = Context(doc=doc, options=ExtractOptions())
    cands = invoice_id.find(ctx)
    labels = {c.content: candidate_features(ctx, "invoice_id", c, cands).get("left_referenced_invoice", 0.0)
              for c in cands}
    assert labels == {"AV-2031-014": 0.0, "2031-00417": 1.0}
    assert selected(run(doc, "invoice_id"), "invoice_id") == "AV-2031-014"


def test_a_row_printing_only_its_code_keeps_it_when_the_description_wraps_around_it():
    """Numbers centred on a cell whose description takes the lines above and below: the row
    with the numbers prints only the article code left of the description's column."""
    ctx = run(doc_of([
        (0.05, "Quillon Handel GmbH", 0.06),
        (0.288, [(0.055, "Art.-Nr."), (0.186, "Bezeichnung"), (0.55, "Menge"), (0.65, "Einzelpreis"), (0.85, "Betrag")]),
        (0.296, "Workshop-Stunden vor Ort", 0.186),
        (0.312, [(0.055, "Q11823"), (0.56, "3"), (0.66, "90,61"), (0.86, "271,83")]),
        (0.328, "nach Aufwand abgerechnet", 0.186),
        (0.365, [(0.055, "Q27604"), (0.186, "Reinigungsmittel Sortiment"), (0.56, "1"), (0.66, "46,37"), (0.86, "46,37")]),
        (0.42, [(0.60, "Zwischensumme"), (0.86, "318,20")]),
    ]), "invoice_lines")
    assert [c.content["subtotal"]["selected_value"]["content"] for c in ctx.found["invoice_lines"]] == [271.83, 46.37]
    assert ctx.found["invoice_lines"][1].content["description"]["selected_value"]["content"] == "Reinigungsmittel Sortiment"


def test_header_columns_no_vocabulary_names_bound_the_description():
    """"Previous %  Current %" name no attribute, but they are columns: their numbers are not
    the description's text, and a hierarchical position ("1.2") is no part of it either."""
    ctx = run(doc_of([
        (0.05, "Quillon Bau GmbH", 0.07),
        (0.256, [(0.072, "Item Description"), (0.50, "Previous %"), (0.65, "Current %"), (0.84, "Value to date")]),
        (0.277, [(0.072, "1"), (0.12, "Rohbau Treppenhaus"), (0.51, "50 %"), (0.66, "60 %"), (0.85, "4,836.00")]),
        (0.293, [(0.072, "1.2"), (0.12, "Estrich Obergeschoss"), (0.51, "40 %"), (0.66, "65 %"), (0.86, "781.20")]),
        (0.33, [(0.55, "Net amount"), (0.85, "5,617.20")]),
    ]), "invoice_lines")
    assert [c.content["description"]["selected_value"]["content"] for c in ctx.found["invoice_lines"]] == [
        "Rohbau Treppenhaus", "Estrich Obergeschoss"]


def test_a_rate_table_beside_the_totals_reads_its_own_amounts():
    """The rate table on the left and the totals block on the right share their lines: the 0 %
    rate's row does not lend its label to the invoice total beside it."""
    ctx = run(doc_of([
        (0.05, "Harlow Court Hotel LLP", 0.07),
        (0.30, [(0.07, "Date"), (0.20, "Description"), (0.55, "Qty"), (0.65, "Rate"), (0.80, "Amount")]),
        (0.32, [(0.07, "11/04/2031"), (0.20, "Deluxe room"), (0.56, "1"), (0.66, "220.00"), (0.81, "220.00")]),
        (0.34, [(0.07, "12/04/2031"), (0.20, "Visitor levy"), (0.56, "2"), (0.67, "1.28"), (0.82, "2.56")]),
        (0.38, [(0.07, "Rate"), (0.15, "Net"), (0.25, "Tax"), (0.55, "Net total"), (0.80, "£222.56")]),
        (0.40, [(0.07, "VAT 20 %"), (0.15, "220.00"), (0.25, "44.00"), (0.55, "VAT 20 %"), (0.81, "£44.00")]),
        (0.42, [(0.07, "VAT 0 %"), (0.15, "2.56"), (0.25, "0.00"), (0.55, "Invoice total"), (0.80, "£266.56")]),
    ]), "total", "subtotal", "total_tax_amount")
    taxes = [c.content for c in ctx.found["total_tax_amount"]]
    assert 266.56 not in taxes  # no tax read across the gap from "VAT 0 %"
    assert selected(ctx, "total") == 266.56


def test_a_spreadsheets_heading_and_name_share_a_row_of_cells():
    """"Van | Quillon Data B.V. | Factuur aan | Vossenberg Handel V.O.F.": each heading names the
    company in its cell or the next one; "Rechnung an Marlowe Werkzeug GmbH" in one cell too."""
    ctx = run(doc_of([
        (0.05, "FACTUUR", 0.05),
        (0.19, [(0.055, "Van"), (0.186, "Quillon Data B.V."), (0.537, "Factuur aan"), (0.65, "Vossenberg Handel V.O.F.")]),
        (0.205, [(0.186, "Tulpstraat 9"), (0.65, "Ridderspoorlaan 8")]),
        (0.219, [(0.186, "9538 EN Vrijhoek"), (0.65, "662 18 Ekvik")]),
    ]), "supplier", "client")
    assert selected(ctx, "client") == "Vossenberg Handel V.O.F."
    ctx = run(doc_of([
        (0.05, "RECHNUNG", 0.05),
        (0.19, [(0.055, "Von"), (0.186, "Quillon Data GmbH"), (0.537, "Rechnung an Marlowe Werkzeug GmbH")]),
        (0.205, [(0.186, "Tulpenweg 9"), (0.537, "Kranichweg 20")]),
        (0.219, [(0.186, "24103 Kiel"), (0.537, "80333 München")]),
    ]), "supplier", "client")
    assert selected(ctx, "client") == "Marlowe Werkzeug GmbH"


def test_a_swedish_postcode_stands_before_its_town():
    from invoice_extract.extraction.features._names import TOWN_LINE

    assert TOWN_LINE.search("662 18 Ekvik")
    assert not TOWN_LINE.search("120 00 EUR")


def test_a_value_under_a_label_with_a_label_of_its_own_is_not_that_labels():
    from invoice_extract.extraction.features import invoice_id

    # "Account 88-83999" under "Invoice 4471203": the account number has its own label
    ctx = run(doc_of([(0.05, "Quarry Lane Telecom Inc."), (0.15, "Invoice 4471203", 0.6),
                      (0.17, "Account 88-83999", 0.6), (0.3, "Total due $12.00")]), "invoice_id")
    assert [c.content for c in invoice_id.find(ctx)] == ["4471203"]
    # a label continued on the next line ("Rechnung" over "Nummer 4711") still labels its value
    ctx = run(doc_of([(0.05, "Rechnung", 0.6), (0.07, "Nummer 280912", 0.6)]), "invoice_id")
    assert "280912" in [c.content for c in invoice_id.find(ctx)]
    # a currency code is no label of its own: "Grand total" over "EUR 12.00"
    import re

    from invoice_extract.extraction.layout import compile_labels, values_near

    doc = doc_of([(0.3, "Grand total", 0.6), (0.32, "EUR 12.00", 0.6)])
    hits = values_near(doc, compile_labels(["grand total"]), re.compile(r"\d+\.\d{2}"))
    assert [h.text for h in hits if h.below] == ["12.00"]


def test_an_item_tables_number_column_is_no_document_number():
    from invoice_extract.extraction.features import invoice_id

    rows = [(0.05, "Werkstatt Morgenrot GmbH"), (0.15, "Beleg RB-2031-0447", 0.6),
            (0.3, [(0.05, "Teile-Nr."), (0.2, "Bezeichnung"), (0.5, "Menge"), (0.65, "Einzelpreis"), (0.8, "Betrag")]),
            (0.32, [(0.05, "318.20417"), (0.2, "Luftfilter"), (0.5, "1"), (0.65, "12,40"), (0.8, "12,40")])]
    found = [c.content for c in invoice_id.find(run(doc_of(rows), "invoice_id"))]
    assert found == ["RB-2031-0447"]  # "Beleg" labels it; the part number under "Teile-Nr." is none
    czech = run(doc_of([(0.05, "Tiskárna Horák s.r.o."), (0.15, "Doklad č. 702518833", 0.6)]), "invoice_id")
    assert [c.content for c in invoice_id.find(czech)] == ["702518833"]


def test_a_direct_debits_collection_day_is_the_due_date():
    from invoice_extract.extraction.features import due_date

    rows = [(0.05, "Eichenhof Versicherung AG"), (0.15, "Datum 03.02.2031", 0.6),
            (0.2, "Versicherungszeitraum 01.03.2031 – 28.02.2032"), (0.5, "Beitrag 412,80 €", 0.6),
            (0.7, "SEPA-Lastschrift: Wir ziehen den Betrag am 01.03.2031 von Ihrem Konto ein.")]
    found = [c.content for c in due_date.find(run(doc_of(rows), "due_date"))]
    assert found[:1] == ["2031-03-01"]
    english = [(0.05, "Larchfield Mutual Ltd"), (0.15, "Date 03/02/2031", 0.6),
               (0.7, "Direct Debit: £36.10 will be collected on or after 17/02/2031 from your account.")]
    assert [c.content for c in due_date.find(run(doc_of(english), "due_date"))][:1] == ["2031-02-17"]


def test_a_canadian_gst_hst_account_is_the_suppliers_vat_number():
    from stdnum.ca import bn

    number = "123456782RT0001"  # a business number whose check digit holds, with its GST/HST account
    assert bn.is_valid(number)
    for label in ("GST/HST Reg. No. 12345 6782 RT0001", "TPS : 123456782 RT0001 · TVQ : 1234567890 TQ0001"):
        rows = [(0.05, "Tamarack Fixtures Ltd."), (0.08, label), (0.3, "Invoice Total $12.00", 0.6)]
        assert selected(run(doc_of(rows), "VAT_Number"), "VAT_Number") == number, label


def test_an_insurers_policyholder_heading_is_no_name():
    rows = [(0.05, "Uferweg Versicherung AG"), (0.2, "VERSICHERUNGSNEHMER"), (0.23, "Gärtnerei Lindholm KG"),
            (0.26, "Am Anger 4"), (0.29, "04109 Leipzig"), (0.5, "Beitrag 98,00 €", 0.6)]
    assert selected(run(doc_of(rows), "client"), "client") == "Gärtnerei Lindholm KG"
