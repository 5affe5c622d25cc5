"""Whole invoices in the six label languages and the four number formats, end to end through
extract(): the same layout, other words — what a supplier from another country sends."""
from __future__ import annotations

import pytest

from fixtures import make_invoice_pdf
from invoice_extract.extraction import ExtractOptions, extract

LANGUAGES = {
    "en": ({"title": "INVOICE", "invoice_id": "Invoice number:", "date": "Invoice date:", "due": "Due date:",
            "bill_to": "Bill to:", "desc": "Description", "qty": "Qty", "price": "Unit price", "amount": "Amount",
            "subtotal": "Subtotal", "tax": "VAT", "total": "Total", "vat_id": "VAT ID:", "ref": "Payment reference:"},
           "1,234.56", ("15/03/2024", "14/04/2024"), "GB980780684"),
    "fr": ({"title": "FACTURE", "invoice_id": "Facture n°", "date": "Date de facture :", "due": "Date d'échéance :",
            "bill_to": "Facturé à :", "desc": "Désignation", "qty": "Qté", "price": "Prix unitaire",
            "amount": "Montant HT", "subtotal": "Total HT", "tax": "TVA", "total": "Total TTC",
            "vat_id": "N° TVA :", "ref": "Référence de paiement :"},
           "1 234,56", ("15/03/2024", "14/04/2024"), "FR40303265045"),
    "de": ({"title": "RECHNUNG", "invoice_id": "Rechnungsnummer:", "date": "Rechnungsdatum:", "due": "Fällig am:",
            "bill_to": "Rechnungsempfänger:", "desc": "Bezeichnung", "qty": "Menge", "price": "Einzelpreis",
            "amount": "Gesamtpreis", "subtotal": "Nettobetrag", "tax": "MwSt.", "total": "Gesamtbetrag",
            "vat_id": "USt-IdNr.:", "ref": "Verwendungszweck:"},
           "1.234,56", ("15.03.2024", "14.04.2024"), "DE246813573"),
    "nl": ({"title": "FACTUUR", "invoice_id": "Factuurnummer:", "date": "Factuurdatum:", "due": "Vervaldatum:",
            "bill_to": "Factuur aan:", "desc": "Omschrijving", "qty": "Aantal", "price": "Stukprijs",
            "amount": "Bedrag", "subtotal": "Subtotaal", "tax": "BTW", "total": "Totaal", "vat_id": "BTW-nummer:",
            "ref": "Betalingskenmerk:"},
           "1.234,56", ("15-03-2024", "14-04-2024"), "NL004495445B01"),
    "es": ({"title": "FACTURA", "invoice_id": "Número de factura:", "date": "Fecha de factura:",
            "due": "Fecha de vencimiento:", "bill_to": "Facturar a:", "desc": "Descripción", "qty": "Cantidad",
            "price": "Precio unitario", "amount": "Importe", "subtotal": "Base imponible", "tax": "IVA",
            "total": "Total factura", "vat_id": "NIF-IVA:", "ref": "Referencia de pago:"},
           "1.234,56", ("15/03/2024", "14/04/2024"), "ESA13585625"),
    "it": ({"title": "FATTURA", "invoice_id": "Numero fattura:", "date": "Data fattura:", "due": "Data scadenza:",
            "bill_to": "Intestata a:", "desc": "Descrizione", "qty": "Quantità", "price": "Prezzo unitario",
            "amount": "Importo", "subtotal": "Imponibile", "tax": "IVA", "total": "Totale fattura",
            "vat_id": "Partita IVA:", "ref": "Causale:"},
           "1.234,56", ("15/03/2024", "14/04/2024"), "IT00743110157"),
}
LINES = (("Widget A", 3, 1250.0), ("Service B", 2, 99.5))


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_invoice_in_each_language(lang):
    labels, number_format, (issued, due), vat = LANGUAGES[lang]
    pdf = make_invoice_pdf(labels=labels, number_format=number_format, date=issued, due_date=due,
                           supplier_vat=vat, lines=LINES, invoice_id=f"{lang.upper()}-2024-117")
    results = extract(pdf, "invoice.pdf", ExtractOptions(user_lang=None))

    def content(feature):
        return results[feature]["selected_value"]["content"]

    subtotal = sum(q * p for _d, q, p in LINES)
    assert content("invoice_id") == f"{lang.upper()}-2024-117"
    assert content("date") == "2024-03-15"
    assert content("due_date") == "2024-04-14"
    assert content("subtotal") == pytest.approx(subtotal)
    assert content("total_tax_amount") == pytest.approx(round(subtotal * 0.21, 2))
    assert content("total") == pytest.approx(round(subtotal * 1.21, 2))
    assert content("VAT_Number").replace(" ", "") == vat
    assert content("iban") == "DE25200800000481516234"
    lines = [(line["description"]["selected_value"]["content"], line["quantity"]["selected_value"]["content"],
              line["unit_price"]["selected_value"]["content"], line["subtotal"]["selected_value"]["content"])
             for line in results["invoice_lines"]]
    assert lines == [(d, q, p, q * p) for d, q, p in LINES]


@pytest.mark.parametrize("number_format", ["1,234.56", "1.234,56", "1 234,56", "1'234.56"])
def test_each_number_format(number_format):
    pdf = make_invoice_pdf(number_format=number_format, lines=LINES)
    results = extract(pdf, "invoice.pdf", ExtractOptions())
    subtotal = sum(q * p for _d, q, p in LINES)
    assert results["total"]["selected_value"]["content"] == pytest.approx(round(subtotal * 1.21, 2))
    assert [line["subtotal"]["selected_value"]["content"] for line in results["invoice_lines"]] == \
        [q * p for _d, q, p in LINES]


USER_LANG = {"en": "en_GB", "fr": "fr_FR", "de": "de_DE", "nl": "nl_NL", "es": "es_ES", "it": "it_IT"}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_scanned_invoice_in_each_language(lang):
    """The same invoices printed, scanned a little crooked and noisy, read by Tesseract in the
    user's language: OCR drops accents ("Fallig"), reads separators as ":" or ";" and
    letters for digits — the fields still come out."""
    from fixtures import make_invoice_image

    labels, number_format, (issued, due), vat = LANGUAGES[lang]
    image = make_invoice_image(labels=labels, number_format=number_format, date=issued, due_date=due,
                               supplier_vat=vat, lines=LINES, invoice_id=f"{lang.upper()}-2024-117",
                               rotate=1.0, noise=0.002)
    results = extract(image, "scan.png", ExtractOptions(user_lang=USER_LANG[lang]))

    def content(feature):
        return results[feature]["selected_value"]["content"]

    subtotal = sum(q * p for _d, q, p in LINES)
    assert content("invoice_id") == f"{lang.upper()}-2024-117"
    assert (content("date"), content("due_date")) == ("2024-03-15", "2024-04-14")
    assert content("total") == pytest.approx(round(subtotal * 1.21, 2))
    assert content("subtotal") == pytest.approx(subtotal)
    assert content("VAT_Number").replace(" ", "") == vat
    assert content("iban") == "DE25200800000481516234"
    assert [line["subtotal"]["selected_value"]["content"] for line in results["invoice_lines"]] == \
        [q * p for _d, q, p in LINES]
