"""E-invoices: CII (Factur-X / ZUGFeRD 2.x), ZUGFeRD 1.0 and UBL XML built with lxml, read bare
and embedded in a PDF, including the broken files real senders produce."""
from __future__ import annotations

import io

import pytest
from lxml import etree

from invoice_extract.extraction.errors import UnsupportedFormat
from invoice_extract.extraction.options import ExtractOptions
from invoice_extract.extraction.pipeline import run
from invoice_extract.extraction.reader import read_document
from invoice_extract.extraction.structured.einvoice import is_einvoice, read_einvoice

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
ZF1_RSM = "urn:ferd:CrossIndustryDocument:invoice:1p0"
ZF1_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
ZF1_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15"
UBL_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

LINES = [("Office chair", 2, 300.0), ("Standing desk", 1, 400.0)]


class Builder:
    """A tiny element builder: b("ram:Name", "text", child, …, attr=value)."""

    def __init__(self, nsmap: dict):
        self.nsmap = nsmap

    def __call__(self, tag: str, *children, **attrs):
        prefix, local = tag.split(":")
        el = etree.Element(f"{{{self.nsmap[prefix]}}}{local}", nsmap=self.nsmap)
        for key, value in attrs.items():
            el.set(key, str(value))
        for child in children:
            if isinstance(child, (str, int, float)):
                el.text = str(child)
            elif child is not None:
                el.append(child)
        return el


def cii_xml(zugferd1: bool = False, invoice_id: str = "INV-2024-0042", total: float = 1210.0,
            currency: str = "EUR", iban: str = "DE25200800000481516234") -> bytes:
    ns = {"rsm": ZF1_RSM if zugferd1 else RSM, "ram": ZF1_RAM if zugferd1 else RAM,
          "udt": ZF1_UDT if zugferd1 else UDT}
    b = Builder(ns)
    if zugferd1:
        names = dict(root="rsm:CrossIndustryDocument", doc="rsm:HeaderExchangedDocument",
                     trade="rsm:SpecifiedSupplyChainTradeTransaction", agreement="ram:ApplicableSupplyChainTradeAgreement",
                     settlement="ram:ApplicableSupplyChainTradeSettlement",
                     summation="ram:SpecifiedTradeSettlementMonetarySummation",
                     line_agreement="ram:SpecifiedSupplyChainTradeAgreement",
                     line_delivery="ram:SpecifiedSupplyChainTradeDelivery",
                     line_settlement="ram:SpecifiedSupplyChainTradeSettlement",
                     line_summation="ram:SpecifiedTradeSettlementMonetarySummation", rate="ram:ApplicablePercent")
    else:
        names = dict(root="rsm:CrossIndustryInvoice", doc="rsm:ExchangedDocument",
                     trade="rsm:SupplyChainTradeTransaction", agreement="ram:ApplicableHeaderTradeAgreement",
                     settlement="ram:ApplicableHeaderTradeSettlement",
                     summation="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
                     line_agreement="ram:SpecifiedLineTradeAgreement", line_delivery="ram:SpecifiedLineTradeDelivery",
                     line_settlement="ram:SpecifiedLineTradeSettlement",
                     line_summation="ram:SpecifiedTradeSettlementLineMonetarySummation",
                     rate="ram:RateApplicablePercent")
    items = []
    for i, (desc, qty, price) in enumerate(LINES, 1):
        items.append(b(
            "ram:IncludedSupplyChainTradeLineItem",
            b("ram:AssociatedDocumentLineDocument", b("ram:LineID", i)),
            b("ram:SpecifiedTradeProduct", b("ram:Name", desc)),
            b(names["line_agreement"], b("ram:NetPriceProductTradePrice", b("ram:ChargeAmount", f"{price:.2f}"))),
            b(names["line_delivery"], b("ram:BilledQuantity", f"{qty:.4f}", unitCode="C62")),
            b(names["line_settlement"],
              b("ram:ApplicableTradeTax", b("ram:TypeCode", "VAT"), b(names["rate"], "21.00")),
              b(names["line_summation"], b("ram:LineTotalAmount", f"{qty * price:.2f}")))))
    subtotal = sum(q * p for _d, q, p in LINES)
    tax = round(total - subtotal, 2)
    root = b(
        names["root"],
        b(names["doc"], b("ram:ID", invoice_id), b("ram:TypeCode", 380),
          b("ram:IssueDateTime", b("udt:DateTimeString", "20240315", format="102"))),
        b(names["trade"], *([] if zugferd1 else items),
          b(names["agreement"],
            b("ram:SellerTradeParty", b("ram:Name", "Acme Office Supplies GmbH"),
              b("ram:PostalTradeAddress", b("ram:CountryID", "DE")),
              b("ram:SpecifiedTaxRegistration", b("ram:ID", "DE246813573", schemeID="VA"))),
            b("ram:BuyerTradeParty", b("ram:Name", "Beta Retail SARL"))),
          b(names["settlement"],
            b("ram:PaymentReference", invoice_id),
            b("ram:InvoiceCurrencyCode", currency),
            b("ram:SpecifiedTradeSettlementPaymentMeans", b("ram:TypeCode", 58),
              b("ram:PayeePartyCreditorFinancialAccount", b("ram:IBANID", iban)),
              b("ram:PayeeSpecifiedCreditorFinancialInstitution", b("ram:BICID", "COBADEFFXXX"))),
            b("ram:ApplicableTradeTax", b("ram:CalculatedAmount", f"{tax:.2f}"), b("ram:TypeCode", "VAT"),
              b("ram:BasisAmount", f"{subtotal:.2f}"), b(names["rate"], "21.00")),
            b("ram:SpecifiedTradePaymentTerms",
              b("ram:DueDateDateTime", b("udt:DateTimeString", "20240414", format="102"))),
            b(names["summation"], b("ram:LineTotalAmount", f"{subtotal:.2f}"),
              b("ram:TaxBasisTotalAmount", f"{subtotal:.2f}"),
              # a tax total may be repeated in the accounting currency: the invoice's wins
              b("ram:TaxTotalAmount", f"{tax * 2:.2f}", currencyID="XXX"),
              b("ram:TaxTotalAmount", f"{tax:.2f}", currencyID=currency),
              b("ram:GrandTotalAmount", f"{total:.2f}"), b("ram:DuePayableAmount", f"{total:.2f}"))),
          *(items if zugferd1 else [])))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def ubl_xml(credit_note: bool = False) -> bytes:
    b = Builder({"inv": UBL_CN if credit_note else UBL_INV, "cac": CAC, "cbc": CBC})
    line_tag, qty_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit_note else \
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    lines = [b(line_tag, b("cbc:ID", i), b(qty_tag, qty, unitCode="C62"),
               b("cbc:LineExtensionAmount", f"{qty * price:.2f}", currencyID="EUR"),
               b("cac:Item", b("cbc:Name", desc),
                 b("cac:ClassifiedTaxCategory", b("cbc:ID", "S"), b("cbc:Percent", 21))),
               b("cac:Price", b("cbc:PriceAmount", f"{price:.2f}", currencyID="EUR")))
             for i, (desc, qty, price) in enumerate(LINES, 1)]
    root = b(
        "inv:CreditNote" if credit_note else "inv:Invoice",
        b("cbc:ID", "CN-7" if credit_note else "UBL-42"), b("cbc:IssueDate", "2024-03-15"),
        None if credit_note else b("cbc:DueDate", "2024-04-14"),
        b("cbc:DocumentCurrencyCode", "EUR"),
        b("cac:AccountingSupplierParty", b("cac:Party", b("cac:PartyName", b("cbc:Name", "Acme")),
                                           b("cac:PartyTaxScheme", b("cbc:CompanyID", "DE246813573"),
                                             b("cac:TaxScheme", b("cbc:ID", "VAT"))),
                                           b("cac:PartyLegalEntity",
                                             b("cbc:RegistrationName", "Acme Office Supplies GmbH")))),
        b("cac:AccountingCustomerParty", b("cac:Party", b("cac:PartyName", b("cbc:Name", "Beta Retail SARL")))),
        b("cac:PaymentMeans", b("cbc:PaymentMeansCode", 58), b("cbc:PaymentID", "RF18539007547034"),
          b("cac:PayeeFinancialAccount", b("cbc:ID", "DE25200800000481516234"),
            b("cac:FinancialInstitutionBranch", b("cbc:ID", "COBADEFFXXX")))),
        b("cac:TaxTotal", b("cbc:TaxAmount", "210.00", currencyID="EUR"),
          b("cac:TaxSubtotal", b("cbc:TaxableAmount", "1000.00", currencyID="EUR"),
            b("cbc:TaxAmount", "210.00", currencyID="EUR"),
            b("cac:TaxCategory", b("cbc:ID", "S"), b("cbc:Percent", 21)))),
        b("cac:LegalMonetaryTotal", b("cbc:LineExtensionAmount", "1000.00", currencyID="EUR"),
          b("cbc:TaxExclusiveAmount", "1000.00", currencyID="EUR"),
          b("cbc:TaxInclusiveAmount", "1210.00", currencyID="EUR"),
          b("cbc:PayableAmount", "1210.00", currencyID="EUR")),
        *lines)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def pdf_with_attachment(xml: bytes | None, name: str = "factur-x.xml", printed: list[str] = ()) -> bytes:
    """A one-page PDF printing ``printed`` lines, carrying ``xml`` as an embedded file (fpdf2)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for text in printed:
        pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    if xml is not None:
        pdf.embed_file(bytes=xml, basename=name, desc="Factur-X invoice")
    return bytes(pdf.output())


def selected(result: dict, feature: str):
    return result[feature]["selected_value"]["content"]


EXPECTED = {"invoice_id": "INV-2024-0042", "date": "2024-03-15", "due_date": "2024-04-14", "total": 1210.0,
            "subtotal": 1000.0, "total_tax_amount": 210.0, "currency": "EUR",
            "supplier": "Acme Office Supplies GmbH", "client": "Beta Retail SARL", "VAT_Number": "DE246813573",
            "iban": "DE25200800000481516234", "payment_ref": "INV-2024-0042", "country": "DE"}


@pytest.mark.parametrize("zugferd1", [False, True], ids=["cii-2x", "zugferd-1.0"])
def test_bare_cii_upload_yields_every_field_and_line(zugferd1):
    result = run(cii_xml(zugferd1=zugferd1), "invoice.xml", ExtractOptions())
    for feature, value in EXPECTED.items():
        assert selected(result, feature) == value, feature
        # nothing is printed: the documented empty box on page 0
        assert result[feature]["selected_value"]["coords"] == [0.0, 0.0, 0.0, 0.0, 0.0]
        assert result[feature]["selected_value"]["origin"] == "xml"
    assert '"bic": "COBADEFFXXX"' in selected(result, "SWIFT_code")
    lines = [{k: line[k]["selected_value"]["content"] for k in ("description", "quantity", "unit_price", "subtotal")}
             for line in result["invoice_lines"]]
    assert lines == [{"description": d, "quantity": q, "unit_price": p, "subtotal": q * p} for d, q, p in LINES]
    assert [line["taxes"]["selected_values"][0]["content"] for line in result["invoice_lines"]] == [21.0, 21.0]
    rates = result["global_taxes"]["selected_values"]
    assert [(r["content"], r["base"], r["tax_amount"]) for r in rates] == [(21.0, 1000.0, 210.0)]


@pytest.mark.parametrize("credit_note", [False, True], ids=["invoice", "credit-note"])
def test_bare_ubl_upload(credit_note):
    result = run(ubl_xml(credit_note), "peppol.xml", ExtractOptions())
    assert selected(result, "invoice_id") == ("CN-7" if credit_note else "UBL-42")
    assert selected(result, "supplier") == "Acme Office Supplies GmbH"  # the registration name first
    assert selected(result, "client") == "Beta Retail SARL"
    assert selected(result, "total") == 1210.0 and selected(result, "subtotal") == 1000.0
    assert selected(result, "total_tax_amount") == 210.0
    assert selected(result, "payment_ref") == "RF18539007547034"
    assert selected(result, "iban") == "DE25200800000481516234"
    assert ("due_date" in result) is not credit_note
    assert [line["subtotal"]["selected_value"]["content"] for line in result["invoice_lines"]] == [600.0, 400.0]


def test_embedded_xml_wins_and_points_at_the_printed_words():
    printed = ["Acme Office Supplies GmbH", "Invoice number: INV-2024-0042", "Invoice date: 15.03.2024",
               "Total: 1.210,00 EUR", "Amount due: 999.00 EUR"]
    result = run(pdf_with_attachment(cii_xml(), printed=printed), "facturx.pdf", ExtractOptions())
    for feature, value in EXPECTED.items():
        assert selected(result, feature) == value, feature
    total = result["total"]["selected_value"]
    assert total["origin"] == "xml" and total["coords"][2] > 0  # located on the page
    text_words = {w for line in result["full_text_annotation"].splitlines() for w in line.split()}
    assert "1.210,00" in text_words
    # the box lies on the line printing "Total: 1.210,00", the fourth line of the page
    invoice_no = result["invoice_id"]["selected_value"]
    assert invoice_no["coords"][1] < total["coords"][1]
    # the buyer's name is not printed: empty box, still the exact value
    assert result["client"]["selected_value"]["coords"] == [0.0, 0.0, 0.0, 0.0, 0.0]


def test_zugferd1_and_2_side_by_side_read_the_newer_syntax():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.embed_file(bytes=cii_xml(zugferd1=True, invoice_id="OLD-1"), basename="ZUGFeRD-invoice.xml")
    pdf.embed_file(bytes=cii_xml(invoice_id="NEW-2"), basename="factur-x.xml")
    result = run(bytes(pdf.output()), "both.pdf", ExtractOptions())
    assert selected(result, "invoice_id") == "NEW-2"


def test_bom_and_bogus_encoding_declaration_are_tolerated():
    xml = cii_xml().replace(b"encoding='UTF-8'", b"encoding='NOT-A-CHARSET'")
    assert b"NOT-A-CHARSET" in xml
    inv = read_einvoice(b"\xef\xbb\xbf" + xml)
    assert inv is not None and inv.values["total"] == 1210.0


def test_tax_total_in_the_invoice_currency_wins():
    inv = read_einvoice(cii_xml(total=1210.0))
    assert inv.values["total_tax_amount"] == 210.0


def test_xml_that_is_no_einvoice_is_refused():
    assert not is_einvoice(b"<?xml version='1.0'?><catalog><book/></catalog>")
    with pytest.raises(UnsupportedFormat):
        read_document(b"<?xml version='1.0'?><catalog><book/></catalog>")
    with pytest.raises(UnsupportedFormat):
        read_document(b"<?xml version='1.0'?><rsm:CrossIndustryInvoice")  # truncated to nothing usable


def test_broken_embedded_xml_falls_back_to_the_printed_text():
    printed = ["Invoice number: INV-77", "Invoice date: 15.03.2024", "Total: 1,210.00 EUR"]
    result = run(pdf_with_attachment(b"<?xml version='1.0'?><rsm:CrossIndustryInvoice><oops", printed=printed),
                 "broken.pdf", ExtractOptions())
    assert selected(result, "invoice_id") == "INV-77"
    assert selected(result, "total") == 1210.0
    assert result["total"]["selected_value"]["origin"] == "text"


def test_expense_route_takes_only_expense_features():
    result = run(cii_xml(), "invoice.xml", ExtractOptions(document_type="expense"))
    assert selected(result, "total") == 1210.0
    assert "invoice_lines" not in result and "iban" not in result


def test_xml_upload_through_the_api_is_charged_once(server, account):
    import base64

    parsed = server.call("/api/extract/invoice/2/parse", {
        "account_token": account, "version": 123, "documents": [base64.b64encode(ubl_xml()).decode()]})
    assert parsed["status"] == "success", parsed
    before = server.credits(account)
    result = server.wait("/api/extract/invoice/2/get_result",
                         {"version": 123, "document_token": parsed["document_token"], "account_token": account})
    assert result["status"] == "success", result
    assert result["results"][0]["total"]["selected_value"]["content"] == 1210.0
    not_invoice = server.call("/api/extract/invoice/2/parse", {
        "account_token": account, "version": 123,
        "documents": [base64.b64encode(b"<?xml version='1.0'?><catalog/>").decode()]})
    assert not_invoice["status"] == "error_unsupported_format"
    assert server.credits(account) == before  # the refused XML cost nothing


def test_ubl_payment_id_without_an_account_is_the_payment_reference():
    """A payment notice code (Italy's PagoPA IUV) travels in PaymentID with no account."""
    root = etree.fromstring(ubl_xml())
    ns = {"cac": CAC, "cbc": CBC}
    means = root.find("cac:PaymentMeans", ns)
    means.remove(means.find("cac:PayeeFinancialAccount", ns))
    means.find("cbc:PaymentID", ns).text = "123456789012345678"
    result = run(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "pagopa.xml", ExtractOptions())
    assert selected(result, "payment_ref") == "123456789012345678"
    assert "iban" not in result or selected(result, "iban") is None


def test_a_known_amount_of_a_three_decimal_currency_is_found_on_its_page():
    from engine_helpers import doc_of

    from invoice_extract.extraction.structured.locate import locate_amount

    doc = doc_of([(0.1, "Subtotal OMR 1,250.000", 0.5), (0.5, "Total OMR 12.500", 0.5)])
    assert [w.text for w in locate_amount(doc, 12.5)] == ["12.500"]
    assert [w.text for w in locate_amount(doc, 1250.0)] == ["1,250.000"]
