"""E-invoices: the exact values of a CII (Factur-X, ZUGFeRD 1.x/2.x, XRechnung) or UBL
(PEPPOL BIS Invoice / CreditNote) XML, embedded in a PDF or uploaded bare.

The syntaxes differ in namespaces and a few element names (ZUGFeRD 1.0 says
``SpecifiedSupplyChainTradeAgreement`` where 2.x says ``ApplicableHeaderTradeAgreement``), so
paths are written on local names and list every spelling a value can have. Values are
placed on the page by searching their printed form (``locate``); a value that is not
printed keeps the empty box on page 0, as documented in the README.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree

from ..candidate import Candidate
from ..context import Context
from ..document import Document
from . import STRUCTURED_SCORE
from .locate import locate_amount, locate_date, locate_text

_logger = logging.getLogger(__name__)

CII_ROOTS = {"CrossIndustryInvoice", "CrossIndustryDocument"}  # 2.x / Factur-X, ZUGFeRD 1.0
UBL_ROOTS = {"Invoice", "CreditNote"}
# Several XML files in one PDF (ZUGFeRD 1 and 2 side by side): the newest syntax wins.
SYNTAX_PREFERENCE = {"CII": 0, "UBL": 1, "ZUGFeRD1": 2}


@dataclass
class EInvoice:
    syntax: str  # "CII", "ZUGFeRD1" or "UBL"
    values: dict[str, Any] = field(default_factory=dict)  # feature → str / float / date
    lines: list[dict] = field(default_factory=list)  # description, quantity, unit_price, subtotal, tax_rate
    taxes: list[dict] = field(default_factory=list)  # rate, base, amount


# ---------------------------------------------------------------- reading XML

def parse_xml(data: bytes) -> etree._Element | None:
    """The XML's root, tolerating what real senders get wrong.

    A BOM, an encoding declaration that names no real encoding, or stray bytes after the
    root element must not lose an invoice whose content is fine.
    """
    data = data.lstrip(b"\xef\xbb\xbf").lstrip()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    for attempt in (data, re.sub(rb"^<\?xml[^>]*\?>", b"", data, count=1)):
        try:
            root = etree.fromstring(attempt, parser)
        except (etree.XMLSyntaxError, ValueError, LookupError):
            continue
        if root is not None:
            return root
    return None


def _local_name(el) -> str | None:
    """The element's name without its namespace; None for a name in no namespace (every
    e-invoice syntax has one, and a broken file recovered by lxml may have lost it)."""
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    return tag.rsplit("}", 1)[1]


def syntax_of(root: etree._Element) -> str | None:
    name = _local_name(root)
    if name == "CrossIndustryInvoice":
        return "CII"
    if name == "CrossIndustryDocument":
        return "ZUGFeRD1"
    if name in UBL_ROOTS:
        return "UBL"
    return None


def is_einvoice(data: bytes) -> bool:
    root = parse_xml(data)
    return root is not None and syntax_of(root) is not None


def _path(*steps: str) -> str:
    """A relative XPath over local names: _path("A", "B") → ./*[local-name()='A']/*[local-name()='B']."""
    return "./" + "/".join("*" if s == "*" else f"*[local-name()='{s}']" for s in steps)


def _first(node, *paths: tuple[str, ...]) -> etree._Element | None:
    for steps in paths:
        found = node.xpath(_path(*steps))
        if found:
            return found[0]
    return None


def _text(node, *paths: tuple[str, ...]) -> str | None:
    el = _first(node, *paths)
    if el is None or el.text is None:
        return None
    text = " ".join(el.text.split())
    return text or None


def _amount(node, *paths: tuple[str, ...], currency: str | None = None) -> float | None:
    """An amount; where the XML repeats it per currency (tax totals), the invoice currency's."""
    for steps in paths:
        found = [el for el in node.xpath(_path(*steps)) if el.text and el.text.strip()]
        if currency and len(found) > 1:
            found = [el for el in found if el.get("currencyID") in (None, currency)] or found
        for el in found:
            try:
                return float(el.text.strip())
            except ValueError:
                continue
    return None


def _cii_date(node, *paths: tuple[str, ...]) -> date | None:
    el = _first(node, *paths)
    if el is None:
        return None
    text = "".join(el.itertext()).strip()
    fmt = None
    for child in el.iter():
        if child.get("format"):
            fmt = child.get("format")
    return _date(text, fmt)


def _date(text: str | None, fmt: str | None = None) -> date | None:
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    try:
        if fmt in (None, "102") and len(digits) == 8:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        if re.match(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text[:10])
    except ValueError:
        return None
    return None


def _cii(root, syntax: str) -> EInvoice:
    doc_el = _first(root, ("ExchangedDocument",), ("HeaderExchangedDocument",))
    trade = _first(root, ("SupplyChainTradeTransaction",), ("SpecifiedSupplyChainTradeTransaction",))
    inv = EInvoice(syntax)
    if doc_el is not None:
        inv.values["invoice_id"] = _text(doc_el, ("ID",))
        inv.values["date"] = _cii_date(doc_el, ("IssueDateTime",))
    if trade is None:
        return inv
    agreement = _first(trade, ("ApplicableHeaderTradeAgreement",), ("ApplicableSupplyChainTradeAgreement",))
    settlement = _first(trade, ("ApplicableHeaderTradeSettlement",), ("ApplicableSupplyChainTradeSettlement",))
    if agreement is not None:
        seller = _first(agreement, ("SellerTradeParty",))
        buyer = _first(agreement, ("BuyerTradeParty",))
        if seller is not None:
            inv.values["supplier"] = _text(seller, ("Name",))
            for reg in seller.xpath(_path("SpecifiedTaxRegistration", "ID")):
                if reg.get("schemeID") == "VA" and reg.text:
                    inv.values["VAT_Number"] = reg.text.strip()
                    break
            inv.values["country"] = _text(seller, ("PostalTradeAddress", "CountryID"))
            inv.values["email"] = _text(seller, ("URIUniversalCommunication", "URIID"),
                                        ("DefinedTradeContact", "EmailURIUniversalCommunication", "URIID"))
        if buyer is not None:
            inv.values["client"] = _text(buyer, ("Name",))
        inv.values["purchase_order"] = _text(agreement, ("BuyerOrderReferencedDocument", "IssuerAssignedID"),
                                             ("BuyerOrderReferencedDocument", "ID"))
    if settlement is not None:
        currency = _text(settlement, ("InvoiceCurrencyCode",))
        inv.values["currency"] = currency
        inv.values["payment_ref"] = _text(settlement, ("PaymentReference",))
        means = settlement.xpath(_path("SpecifiedTradeSettlementPaymentMeans"))
        for m in means:
            iban = _text(m, ("PayeePartyCreditorFinancialAccount", "IBANID"))
            if iban:
                inv.values["iban"] = iban
                inv.values["SWIFT_code"] = _text(m, ("PayeeSpecifiedCreditorFinancialInstitution", "BICID"))
                break
        terms = _first(settlement, ("SpecifiedTradePaymentTerms",))
        if terms is not None:
            inv.values["due_date"] = _cii_date(terms, ("DueDateDateTime",))
        summation = _first(settlement, ("SpecifiedTradeSettlementHeaderMonetarySummation",),
                           ("SpecifiedTradeSettlementMonetarySummation",))
        if summation is not None:
            inv.values["total"] = _amount(summation, ("GrandTotalAmount",), currency=currency)
            inv.values["subtotal"] = _amount(summation, ("TaxBasisTotalAmount",), currency=currency)
            inv.values["total_tax_amount"] = _amount(summation, ("TaxTotalAmount",), currency=currency)
        for tax in settlement.xpath(_path("ApplicableTradeTax")):
            rate = _amount(tax, ("RateApplicablePercent",), ("ApplicablePercent",))
            if rate is not None:
                inv.taxes.append({"rate": rate, "base": _amount(tax, ("BasisAmount",)),
                                  "amount": _amount(tax, ("CalculatedAmount",))})
    for item in trade.xpath(_path("IncludedSupplyChainTradeLineItem")):
        agreement_el = _first(item, ("SpecifiedLineTradeAgreement",), ("SpecifiedSupplyChainTradeAgreement",))
        delivery = _first(item, ("SpecifiedLineTradeDelivery",), ("SpecifiedSupplyChainTradeDelivery",))
        line_settlement = _first(item, ("SpecifiedLineTradeSettlement",), ("SpecifiedSupplyChainTradeSettlement",))
        line = {"description": _text(item, ("SpecifiedTradeProduct", "Name"))}
        if delivery is not None:
            line["quantity"] = _amount(delivery, ("BilledQuantity",))
        if agreement_el is not None:
            line["unit_price"] = _amount(agreement_el, ("NetPriceProductTradePrice", "ChargeAmount"))
        if line_settlement is not None:
            line["subtotal"] = _amount(line_settlement, ("SpecifiedTradeSettlementLineMonetarySummation",
                                                         "LineTotalAmount"),
                                       ("SpecifiedTradeSettlementMonetarySummation", "LineTotalAmount"))
            line["tax_rate"] = _amount(line_settlement, ("ApplicableTradeTax", "RateApplicablePercent"),
                                       ("ApplicableTradeTax", "ApplicablePercent"))
        inv.lines.append(line)
    return inv


def _ubl(root) -> EInvoice:
    inv = EInvoice("UBL")
    credit = _local_name(root) == "CreditNote"
    currency = _text(root, ("DocumentCurrencyCode",))
    inv.values.update({
        "invoice_id": _text(root, ("ID",)),
        "date": _date(_text(root, ("IssueDate",))),
        "due_date": _date(_text(root, ("DueDate",)) or _text(root, ("PaymentMeans", "PaymentDueDate"))),
        "currency": currency,
        "purchase_order": _text(root, ("OrderReference", "ID")),
    })
    supplier = _first(root, ("AccountingSupplierParty", "Party"))
    customer = _first(root, ("AccountingCustomerParty", "Party"))
    if supplier is not None:
        inv.values["supplier"] = _text(supplier, ("PartyLegalEntity", "RegistrationName"), ("PartyName", "Name"))
        for scheme in supplier.xpath(_path("PartyTaxScheme")):
            if (_text(scheme, ("TaxScheme", "ID")) or "VAT").upper() == "VAT" and _text(scheme, ("CompanyID",)):
                inv.values["VAT_Number"] = _text(scheme, ("CompanyID",))
                break
        inv.values["country"] = _text(supplier, ("PostalAddress", "Country", "IdentificationCode"))
        inv.values["email"] = _text(supplier, ("Contact", "ElectronicMail"))
    if customer is not None:
        inv.values["client"] = _text(customer, ("PartyLegalEntity", "RegistrationName"), ("PartyName", "Name"))
    for means in root.xpath(_path("PaymentMeans")):
        account = _first(means, ("PayeeFinancialAccount",))
        if account is not None and _text(account, ("ID",)):
            inv.values["iban"] = _text(account, ("ID",))
            inv.values["SWIFT_code"] = _text(account, ("FinancialInstitutionBranch", "ID"))
            inv.values["payment_ref"] = _text(means, ("PaymentID",))
            break
    if not inv.values.get("payment_ref"):
        # BT-83 (PaymentID) is the remittance information whatever the means: a payment
        # notice code (Italy's PagoPA IUV) comes with no account to pay into
        for means in root.xpath(_path("PaymentMeans")):
            if _text(means, ("PaymentID",)):
                inv.values["payment_ref"] = _text(means, ("PaymentID",))
                break
    totals = _first(root, ("LegalMonetaryTotal",))
    if totals is not None:
        inv.values["total"] = _amount(totals, ("TaxInclusiveAmount",))
        inv.values["subtotal"] = _amount(totals, ("TaxExclusiveAmount",))
    tax_totals = root.xpath(_path("TaxTotal"))
    for tax_total in tax_totals:
        amount_el = _first(tax_total, ("TaxAmount",))
        if amount_el is not None and amount_el.get("currencyID") in (None, currency):
            inv.values["total_tax_amount"] = _amount(tax_total, ("TaxAmount",))
            for sub in tax_total.xpath(_path("TaxSubtotal")):
                rate = _amount(sub, ("TaxCategory", "Percent"))
                if rate is not None:
                    inv.taxes.append({"rate": rate, "base": _amount(sub, ("TaxableAmount",)),
                                      "amount": _amount(sub, ("TaxAmount",))})
            break
    for item in root.xpath(_path("CreditNoteLine" if credit else "InvoiceLine")):
        line = {
            "description": _text(item, ("Item", "Name")),
            "quantity": _amount(item, ("CreditedQuantity" if credit else "InvoicedQuantity",)),
            "unit_price": _amount(item, ("Price", "PriceAmount")),
            "subtotal": _amount(item, ("LineExtensionAmount",)),
            "tax_rate": _amount(item, ("Item", "ClassifiedTaxCategory", "Percent")),
        }
        inv.lines.append(line)
    return inv


def read_einvoice(data: bytes) -> EInvoice | None:
    root = parse_xml(data)
    if root is None:
        return None
    syntax = syntax_of(root)
    if syntax is None:
        return None
    inv = _ubl(root) if syntax == "UBL" else _cii(root, syntax)
    for key in ("iban", "SWIFT_code", "VAT_Number"):
        if isinstance(inv.values.get(key), str):  # printed grouped ("DE12 1234 …"), stored compact
            inv.values[key] = re.sub(r"\s", "", inv.values[key]).upper()
    inv.values = {k: v for k, v in inv.values.items() if v not in (None, "")}
    return inv


def einvoice_of(doc: Document) -> EInvoice | None:
    """The document's e-invoice: a bare XML upload, or the best XML embedded in the PDF."""
    sources = []
    if doc.attachments.get("xml"):
        sources.append(doc.attachments["xml"])
    sources += [data for name, data in sorted(doc.attachments.get("pdf_attachments", {}).items())
                if name.lower().endswith(".xml")]
    found = [inv for inv in (read_einvoice(data) for data in sources) if inv is not None]
    if not found:
        return None
    return min(found, key=lambda inv: SYNTAX_PREFERENCE[inv.syntax])


# ---------------------------------------------------------------- candidates

AMOUNT_FEATURES = {"total", "subtotal", "total_tax_amount"}
DATE_FEATURES = {"date", "due_date"}


def _candidate(doc: Document, feature: str, value: Any) -> Candidate:
    if feature in AMOUNT_FEATURES:
        return Candidate(round(float(value), 2), locate_amount(doc, value), STRUCTURED_SCORE, origin="xml")
    if feature in DATE_FEATURES:
        return Candidate(value.isoformat(), locate_date(doc, value), STRUCTURED_SCORE, origin="xml")
    if feature == "SWIFT_code":
        from ..features.swift_code import describe

        info = describe(value) or {"bic": value, "country_code": value[4:6], "verified_bic": False}
        return Candidate(json.dumps(info), locate_text(doc, value), STRUCTURED_SCORE, origin="xml")
    return Candidate(value, locate_text(doc, str(value)), STRUCTURED_SCORE, origin="xml")


def _line_candidate(doc: Document, line: dict) -> Candidate:
    from ..pipeline import line_feature

    row_words = []
    out: dict = {}
    if line.get("description"):
        words = locate_text(doc, line["description"])
        out["description"] = line_feature(Candidate(line["description"], words, STRUCTURED_SCORE, origin="xml"))
        row_words += words
    for key in ("quantity", "unit_price", "subtotal"):
        value = line.get(key)
        if value is None:
            continue
        value = round(value, 4 if key != "subtotal" else 2)
        words = locate_amount(doc, value) if key != "quantity" else []
        out[key] = line_feature(Candidate(value, words, STRUCTURED_SCORE, origin="xml"))
    if line.get("tax_rate") is not None:
        tax = {"content": line["tax_rate"], "amount_type": "percent", "coords": [0.0, 0.0, 0.0, 0.0, 0.0],
               "page": 0, "origin": "xml"}
        out["taxes"] = {"selected_values": [tax], "candidates": [tax]}
    return Candidate(out, row_words, STRUCTURED_SCORE, origin="xml")


def structured_candidates(ctx: Context) -> dict[str, list[Candidate]]:
    inv = einvoice_of(ctx.doc)
    if inv is None:
        return {}
    doc = ctx.doc
    out: dict[str, list[Candidate]] = {}
    for feature, value in inv.values.items():
        if feature == "purchase_order":
            out[feature] = [Candidate(value, locate_text(doc, value), STRUCTURED_SCORE, origin="xml")]
            continue
        out[feature] = [_candidate(doc, feature, value)]
    if ctx.options.document_type == "expense":
        return {k: v for k, v in out.items() if k in ("currency", "country", "supplier", "date", "total")}
    if inv.lines:
        out["invoice_lines"] = [_line_candidate(doc, line) for line in inv.lines]
    if inv.taxes:
        out["global_taxes"] = [
            Candidate(t["rate"], (), STRUCTURED_SCORE, origin="xml",
                      extra={"amount_type": "percent", **({"base": t["base"]} if t["base"] is not None else {}),
                             **({"tax_amount": t["amount"]} if t["amount"] is not None else {})})
            for t in inv.taxes]
    return out
