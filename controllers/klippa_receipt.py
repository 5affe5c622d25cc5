"""The neutral result (version 1 shape) as Klippa's ``Receipt``, and the ``user_data`` matches.

Klippa's types (from its OpenAPI-generated clients): amounts are integers in cents,
percentages integers in hundredths (21 % is 2100), ``date`` is ``YYYY-MM-DDTHH:MM:SS``, the
lines are ``lines[].lineitems[]``, and ``document_type``, ``invoice_type``, ``paymentmethod``
and barcode types come only from Klippa's enumerations (``data/klippa_vocabulary.json``).
A value the engine did not read is ``""`` for a text, ``0`` for an amount, as Klippa answers.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "klippa_vocabulary.json"
import regex

from ..extraction.structured.payment_codes import parse_payload
from .result_shapes import selected_content

_logger = logging.getLogger(__name__)

# A rule's regex is the caller's: it runs with the ``regex`` module's timeout (a pattern that
# backtracks without end stops, its rule matches nothing), and patterns that are long or repeat a
# repeated group (the usual shape of catastrophic backtracking) are refused before any charge.
MAX_RULE_PATTERN = 256
MAX_RULES = 20
RULE_TIMEOUT = 0.25  # seconds per rule and text searched
NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)[+*{]")


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    return json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))


def enumeration(name: str) -> list[str]:
    return vocabulary()["enumerations"][name]


_content = selected_content


def _contents(results: dict, name: str) -> list:
    feature = results.get(name)
    if not isinstance(feature, dict):
        return []
    values = feature.get("selected_values")
    if isinstance(values, list):
        return [v.get("content") for v in values if isinstance(v, dict)]
    value = _content(results, name)
    return [] if value is None else [value]


def cents(value) -> int:
    """An amount in cents (Klippa's integers); 0 when nothing was read."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(round(float(value) * 100))


def hundredths(rate) -> int:
    """A percentage in hundredths: 21 -> 2100."""
    return cents(rate)


def _text(value) -> str:
    return "" if value is None else str(value)


def klippa_datetime(iso) -> str:
    try:
        return date.fromisoformat(str(iso)).strftime("%Y-%m-%dT00:00:00")
    except ValueError:
        return ""


def _one_line(address) -> str:
    return ", ".join(part.strip() for part in str(address or "").splitlines() if part.strip())


def _bic(results: dict) -> str:
    raw = _content(results, "SWIFT_code")
    if not raw:
        return ""
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw)
    return str(parsed.get("bic") or "") if isinstance(parsed, dict) else str(raw)


def _line_value(line: dict, kind: str):
    feature = line.get(kind)
    if isinstance(feature, dict) and isinstance(feature.get("selected_value"), dict):
        return feature["selected_value"].get("content")
    return None


def line_item(line: dict) -> dict:
    """One neutral invoice line as Klippa's ReceiptLineItemItem."""
    quantity = _line_value(line, "quantity")
    quantity = float(quantity) if isinstance(quantity, (int, float)) and not isinstance(quantity, bool) else 1.0
    subtotal = _line_value(line, "subtotal")
    unit_price = _line_value(line, "unit_price")
    total = _line_value(line, "total")
    taxes = line.get("taxes") if isinstance(line.get("taxes"), dict) else {}
    rates = [t.get("content") for t in taxes.get("selected_values", []) if isinstance(t, dict)]
    rate = rates[0] if rates and isinstance(rates[0], (int, float)) else None
    amount_ex_vat = cents(subtotal) if subtotal is not None else cents((unit_price or 0) * quantity)
    amount = cents(total) if total is not None else amount_ex_vat
    vat_amount = (amount - amount_ex_vat) if total is not None else (int(round(amount_ex_vat * rate / 100)) if rate else 0)
    return {
        "title": _text(_line_value(line, "description")),
        "description": "",
        "amount": amount,
        "amount_each": cents(unit_price) if unit_price is not None else (int(round(amount / quantity)) if quantity else amount),
        "amount_ex_vat": amount_ex_vat,
        "quantity": quantity,
        "sku": _text(_line_value(line, "product")),
        "vat_amount": vat_amount,
        "vat_code": "",
        "vat_percentage": hundredths(rate) if rate is not None else 0,
    }


def vat_items(results: dict, amount: int, amountexvat: int, vatamount: int, items: list[dict]) -> list[dict]:
    """Klippa's ``vatitems``: one per rate. With one rate the document's totals are its amounts;
    with several, each rate's base is the sum of its lines (``amount_incl_excl_vat_estimated``)."""
    rates = [r for r in _contents(results, "global_taxes") if isinstance(r, (int, float)) and not isinstance(r, bool)]
    if not rates:
        return []
    if len(rates) == 1:
        return [{"amount": vatamount, "amount_excl_vat": amountexvat, "amount_incl_vat": amount,
                 "amount_incl_excl_vat_estimated": False, "code": "", "percentage": hundredths(rates[0])}]
    out = []
    for rate in rates:
        base = sum(i["amount_ex_vat"] for i in items if i["vat_percentage"] == hundredths(rate))
        vat = int(round(base * rate / 100))
        out.append({"amount": vat, "amount_excl_vat": base, "amount_incl_vat": base + vat,
                    "amount_incl_excl_vat_estimated": True, "code": "", "percentage": hundredths(rate)})
    return out


def barcodes(results: dict) -> list[dict]:
    """The codes read on the document as Klippa's Barcode (a symbology Klippa has no name for is
    left out)."""
    names = vocabulary()["barcode_types"]
    out = []
    for code in results.get("barcodes") or []:
        kind = names.get(str(code.get("symbology"))) if isinstance(code, dict) else None
        if kind in enumeration("barcode_type") and kind:
            out.append({"type": kind, "value": str(code.get("payload") or "")})
    return out


def payment_method(results: dict, document_type: str) -> str:
    """Klippa's ``paymentmethod`` from what the engine read (``payment_means`` in the vocabulary):
    a payment code (Swiss QR-bill, EPC GiroCode) or, on an invoice, an IBAN to pay to means a bank
    transfer; anything else is unknown (``""``)."""
    means = vocabulary()["payment_means"]
    for code in results.get("barcodes") or []:
        parsed = parse_payload(code.get("payload")) if isinstance(code, dict) else None
        if parsed and parsed[0] in means["payment_code"]:
            return means["payment_code"][parsed[0]]
    if document_type == "invoice" and _content(results, "iban"):
        return means["invoice_iban"]
    return ""


def document_kind(results: dict, amount: int) -> tuple[str, str]:
    """(document_type, invoice_type): a document-level decision from what was read. A document
    with an invoice number is an invoice (a credit invoice when its total is negative), one
    without is a receipt."""
    if _content(results, "invoice_id"):
        return "invoice", "credit_invoice" if amount < 0 else "invoice"
    return "receipt", ""


def receipt(results: dict) -> dict:
    """Klippa's Receipt for one neutral result (every key its clients know of)."""
    lines = [line for line in results.get("invoice_lines") or [] if isinstance(line, dict)]
    items = [line_item(line) for line in lines]
    amount = cents(_content(results, "total"))
    vatamount = cents(_content(results, "total_tax_amount"))
    subtotal = _content(results, "subtotal")
    amountexvat = cents(subtotal) if subtotal is not None else (amount - vatamount if amount else 0)
    document_type, invoice_type = document_kind(results, amount)
    purchase_date = _content(results, "date")
    answer = {name: "" for name in STRING_FIELDS}
    answer.update({
        "amount": amount,
        "amount_change": 0,
        "amountexvat": amountexvat,
        "vatamount": vatamount,
        "barcodes": barcodes(results),
        "currency": _text(_content(results, "currency")),
        "date": klippa_datetime(purchase_date),
        "purchasedate": _text(purchase_date) if klippa_datetime(purchase_date) else "",
        "payment_due_date": klippa_datetime(_content(results, "due_date")),
        "document_type": document_type,
        "invoice_type": invoice_type,
        "invoice_number": _text(_content(results, "invoice_id")),
        "paymentmethod": payment_method(results, document_type),
        "transaction_reference": _text(_content(results, "payment_ref")),
        "merchant_name": _text(_content(results, "supplier")),
        "merchant_address": _one_line(_content(results, "supplier_address")),
        "merchant_vat_number": _text(_content(results, "VAT_Number")),
        "merchant_bank_account_number": _text(_content(results, "iban")),
        "merchant_bank_account_number_bic": _bic(results),
        "merchant_country_code": _text(_content(results, "country")),
        "merchant_email": _text(_content(results, "email")),
        "merchant_website": _text(_content(results, "website")),
        "merchant_phone": _text(_content(results, "phone")),
        "customer_name": _text(_content(results, "client")),
        "customer_address": _one_line(_content(results, "client_address")),
        "order_number": _text((_contents(results, "purchase_order") or [""])[0]),
        "lines": [{"description": "", "lineitems": items}] if items else [],
        "vatitems": vat_items(results, amount, amountexvat, vatamount, items),
        "matched_keywords": [],
        "matched_lineitems": [],
        "raw_text": _text(results.get("full_text_annotation")),
        "hash_duplicate": False,
    })
    for name in ("document_type", "invoice_type", "paymentmethod"):
        if answer[name] not in enumeration(name):  # never a value Klippa's clients refuse
            answer[name] = ""
    return answer


# Receipt's text fields (Klippa's model), "" unless the mapping above fills them.
STRING_FIELDS = (
    "currency", "customer_address", "customer_bank_account_number", "customer_bank_account_number_bic",
    "customer_city", "customer_coc_number", "customer_country", "customer_email", "customer_house_number",
    "customer_municipality", "customer_name", "customer_number", "customer_phone", "customer_province",
    "customer_reference", "customer_street_name", "customer_vat_number", "customer_website", "customer_zipcode",
    "date", "document_language", "document_subject", "document_type", "hash", "invoice_number", "invoice_type",
    "matched_purchase_order_id", "merchant_address", "merchant_bank_account_number",
    "merchant_bank_account_number_bic", "merchant_bank_domestic_account_number", "merchant_bank_domestic_bank_code",
    "merchant_chain_liability_bank_account_number", "merchant_city", "merchant_coc_number", "merchant_country",
    "merchant_country_code", "merchant_email", "merchant_house_number", "merchant_id", "merchant_main_activity_code",
    "merchant_municipality", "merchant_name", "merchant_phone", "merchant_province", "merchant_street_name",
    "merchant_vat_number", "merchant_website", "merchant_zipcode", "order_number", "package_number",
    "payment_auth_code", "payment_card_account_number", "payment_card_bank", "payment_card_issuer",
    "payment_card_number", "payment_due_date", "payment_slip_code", "payment_slip_customer_number",
    "payment_slip_reference_number", "paymentmethod", "purchasedate", "purchasetime", "raw_text", "receipt_number",
    "server", "shop_number", "table_group", "table_number", "terminal_number", "transaction_number",
    "transaction_reference", "vat_context",
)


# -- user_data -------------------------------------------------------------------------------
class UserDataError(ValueError):
    pass


def parse_user_data(raw) -> dict:
    """``user_data`` as sent (a JSON-encoded string, or already an object in a JSON body)."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, (bytes, str)):
        try:
            raw = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise UserDataError("user_data must be a JSON-encoded object") from e
    if not isinstance(raw, dict):
        raise UserDataError("user_data must be a JSON-encoded object")
    return raw


def engine_hints(user_data: dict) -> dict:
    """The ``user_infos`` the engine reads, from ``user_data``'s locale and client."""
    hints = {}
    locale = user_data.get("locale") if isinstance(user_data.get("locale"), dict) else {}
    language = str(locale.get("language") or "")[:2].lower()
    country = str(locale.get("country") or "")[:2].upper()
    if language.isalpha():
        hints["user_lang"] = f"{language}_{country}" if country.isalpha() else language
    client = user_data.get("client") if isinstance(user_data.get("client"), dict) else {}
    if user_data.get("transaction_type") == "purchase" and client:
        # the client is the invoice's customer: its company is the user's own
        if client.get("vat_number"):
            hints["user_company_vat"] = str(client["vat_number"])[:32]
        if client.get("name"):
            hints["user_company_name"] = str(client["name"])[:255]
        if country.isalpha() or client.get("country"):
            hints["user_company_country_code"] = str(client.get("country") or country)[:2].upper()
    return hints


def _squash(text) -> str:
    return re.sub(r"[\s.\-/]", "", str(text or "")).casefold()


def match_relation(answer: dict, relations) -> str:
    """The id of the relation the document's merchant is: by VAT number, IBAN, then name."""
    if not isinstance(relations, list):
        return ""
    vat, iban = _squash(answer["merchant_vat_number"]), _squash(answer["merchant_bank_account_number"])
    name = answer["merchant_name"].casefold().strip()
    for test in (lambda r: vat and _squash(r.get("vat_number")) == vat,
                 lambda r: iban and _squash(r.get("bank_account_number")) == iban,
                 lambda r: name and str(r.get("name") or "").casefold().strip() == name):
        for relation in relations:
            if isinstance(relation, dict) and relation.get("id") is not None and test(relation):
                return str(relation["id"])
    return ""


def _same_day(value, answer_date: str) -> bool:
    return not value or str(value)[:10] == answer_date[:10]


def _same_amount(value, amount: int) -> bool:
    return value in (None, "") or (isinstance(value, (int, float)) and cents(value) == amount)


def match_purchase_order(answer: dict, user_data: dict) -> str:
    """A purchase order whose number the document prints (and whose date and amount, when
    given, are the document's), else an open transaction of the document's amount (and IBAN or
    date, when given)."""
    text = _squash(answer["raw_text"])
    for order in user_data.get("purchase_orders") or []:
        if not isinstance(order, dict) or not order.get("purchase_order_number"):
            continue
        number = _squash(order["purchase_order_number"])
        if number and number in text and _same_day(order.get("date"), answer["date"]) \
                and _same_amount(order.get("amount"), answer["amount"]):
            return str(order.get("identifier") or "")
    for transaction in user_data.get("transactions") or []:
        if not isinstance(transaction, dict) or not answer["amount"]:
            continue
        if not isinstance(transaction.get("amount"), (int, float)) or cents(transaction["amount"]) != answer["amount"]:
            continue
        iban = _squash(transaction.get("iban"))
        if iban and iban != _squash(answer["merchant_bank_account_number"]):
            continue
        if _same_day(transaction.get("date"), answer["date"]):
            return str(transaction.get("identifier") or "")
    return ""


def _rule_pattern(rule: dict):
    """A compiled, case-insensitive pattern for a keyword rule, or None."""
    if isinstance(rule.get("regex"), str) and rule["regex"]:
        pattern = rule["regex"]
        if len(pattern) > MAX_RULE_PATTERN or NESTED_QUANTIFIER.search(pattern):
            raise UserDataError(f"the regex of rule {str(rule.get('id'))[:40]!r} is too long or nests repetitions")
    elif isinstance(rule.get("keywords"), list) and rule["keywords"]:
        words = [re.escape(str(k)) for k in rule["keywords"][:100] if str(k)]
        if not words:
            return None
        pattern = "|".join(words)
    else:
        return None
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
    except (regex.error, ValueError, OverflowError) as e:
        raise UserDataError(f"the regex of rule {str(rule.get('id'))[:40]!r} is not valid: {e}") from e


def _rules(user_data: dict, name: str) -> list[tuple[str, object]]:
    rules = user_data.get(name) or []
    if not isinstance(rules, list):
        raise UserDataError(f"{name} must be a list")
    out = []
    for rule in rules[:MAX_RULES]:
        if isinstance(rule, dict) and rule.get("id") is not None:
            pattern = _rule_pattern(rule)
            if pattern is not None:
                out.append((str(rule["id"]), pattern))
    return out


def check_user_data(user_data: dict) -> None:
    """Refuse (before anything is charged) rules that cannot run."""
    _rules(user_data, "keyword_rules")
    _rules(user_data, "lineitem_rules")


def apply_user_data(answer: dict, user_data: dict) -> dict:
    """Fill merchant_id, matched_purchase_order_id, matched_keywords, matched_lineitems. Rule ids
    come back as sent."""
    answer["merchant_id"] = match_relation(answer, user_data.get("relations"))
    answer["matched_purchase_order_id"] = match_purchase_order(answer, user_data)
    answer["matched_keywords"] = []
    for rule_id, pattern in _rules(user_data, "keyword_rules"):
        try:
            found = [m.group(0) for m in pattern.finditer(answer["raw_text"], timeout=RULE_TIMEOUT)]
        except TimeoutError:
            _logger.warning("keyword rule %r ran out of time: it matches nothing", rule_id[:40])
            found = []
        if found:
            answer["matched_keywords"].append({"id": rule_id, "count": len(found), "matches": found})
    answer["matched_lineitems"] = []
    items = [item for group in answer["lines"] for item in group["lineitems"]]
    for rule_id, pattern in _rules(user_data, "lineitem_rules"):
        try:
            matched = [item for item in items if pattern.search(item["title"], timeout=RULE_TIMEOUT)
                       or pattern.search(item["description"], timeout=RULE_TIMEOUT)]
        except TimeoutError:
            _logger.warning("line item rule %r ran out of time: it matches nothing", rule_id[:40])
            matched = []
        if matched:
            answer["matched_lineitems"].append({"id": rule_id, "lineitems": matched})
    return answer
