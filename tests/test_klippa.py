"""Klippa's Custom OCR API (``controllers/klippa.py``) against the real server.

Values are checked on invoices generated here whose truth the tests know, and against the Odoo
route's result on the same bytes; every documented error code is provoked; credits are counted
once per successful scan, concurrent scans too.
"""
from __future__ import annotations

import base64
import http.server
import json
import threading
import time

import pytest
import requests

from conftest import start_server, stop_server
from fixtures import make_invoice_image, make_invoice_pdf

API = "/api/v1"


@pytest.fixture(scope="module")
def klippa(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("klippa"), workers=2)
    yield srv
    stop_server(srv)


def key_header(key: str) -> dict:
    return {"X-Auth-Key": key}


def parse(server, key: str, data: bytes, name: str = "bill.pdf", path: str = "/parseDocument", **fields):
    return requests.post(server.url + API + path, headers=key_header(key), files={"document": (name, data)},
                         data=fields, timeout=180)


def credits(server, key: str) -> dict:
    response = requests.get(server.url + API + "/credits", headers=key_header(key), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def assert_error(response, code: int, status: int | None = None):
    body = response.json()
    assert body["result"] == "error" and body["code"] == code, body
    assert isinstance(body["message"], str) and body["request_id"]
    if status is not None:
        assert response.status_code == status


# -- generated documents whose truth the tests know ---------------------------------------------
INVOICES = [
    dict(),
    dict(supplier="Nordlicht Werkzeuge AG", supplier_vat="DE811569869", invoice_id="RE-77-3001", date="02.11.2024",
         lines=(("Schraubenset", 4, 12.50), ("Akkubohrer", 1, 149.00), ("Werkbank", 2, 230.00)), tax_rate=19.0,
         iban="DE02 1203 0000 0000 2020 51", bic="BYLADEM1001", number_format="1.234,56", currency="EUR"),
]


def truth_of(spec: dict) -> dict:
    from fixtures import InvoiceSpec

    return InvoiceSpec(**spec).__dict__


@pytest.fixture(scope="module")
def scans(klippa):
    """Each generated invoice scanned once through parseDocument and once through the Odoo route."""
    key = klippa.create_account(credits=20)
    out = []
    for spec in INVOICES:
        data = make_invoice_pdf(**spec)
        response = parse(klippa, key, data)
        assert response.status_code == 200, response.text
        parsed = klippa.call("/api/extract/invoice/1/parse", {
            "account_token": key, "version": 122, "documents": [base64.b64encode(data).decode("ascii")]})
        odoo = klippa.wait("/api/extract/invoice/1/get_result", {"version": 122,
                                                                 "document_uuid": parsed["document_uuid"]})
        assert odoo["status"] == "success", odoo
        out.append((truth_of(spec), response.json(), odoo["results"][0]))
    return out


def till_receipt_photo(store: str, items: tuple, rate: float, day: str, vat: str) -> tuple[bytes, dict]:
    """A narrow till receipt (reportlab), photographed: rendered at 300 dpi and saved as JPEG."""
    import io

    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from fixtures import render_pdf

    def comma(value: float) -> str:
        return f"{value:.2f}".replace(".", ",")

    buf = io.BytesIO()
    w, h = 80 * mm, 150 * mm
    c = canvas.Canvas(buf, pagesize=(w, h))
    y = h - 12 * mm
    c.setFont("Helvetica-Bold", 11)
    c.drawCentredString(w / 2, y, store)
    c.setFont("Helvetica", 8)
    c.drawCentredString(w / 2, y - 14, "Marktstraat 4, 1011 AB Amsterdam")
    c.drawCentredString(w / 2, y - 25, f"BTW {vat}")
    c.drawString(6 * mm, y - 43, f"Datum: {day}  14:32")
    y -= 59
    total = round(sum(q * p for _n, q, p in items), 2)
    for name, qty, price in items:
        c.drawString(6 * mm, y, f"{qty} x {name}")
        c.drawRightString(w - 6 * mm, y, comma(qty * price))
        y -= 11
    c.setFont("Helvetica-Bold", 10)
    c.drawString(6 * mm, y - 6, "TOTAAL")
    c.drawRightString(w - 6 * mm, y - 6, "EUR " + comma(total))
    base = round(total / (1 + rate / 100), 2)
    c.setFont("Helvetica", 8)
    c.drawString(6 * mm, y - 20, f"BTW {rate:g}% over {comma(base)}")
    c.drawRightString(w - 6 * mm, y - 20, comma(total - base))
    c.drawString(6 * mm, y - 31, "Betaald met PIN")
    c.showPage()
    c.save()
    out = io.BytesIO()
    render_pdf(buf.getvalue(), dpi=300).save(out, "JPEG", quality=90)
    return out.getvalue(), {"total": total, "tax": round(total - base, 2), "base": base, "store": store, "vat": vat}


RECEIPTS = [
    dict(store="Bakkerij De Molen", items=(("Croissant", 2, 1.85), ("Koffie", 1, 2.90)), rate=9.0,
         day="12-09-2024", vat="NL854502130B01"),
    dict(store="Fietsenmaker Jansen", items=(("Binnenband", 2, 7.95), ("Ventiel", 3, 1.20)), rate=21.0,
         day="03-02-2025", vat="NL859876543B01"),
]


@pytest.mark.parametrize("index", range(len(RECEIPTS)))
def test_receipt_photo_values_and_odoo_parity(klippa, index):
    from invoice_extract.controllers.klippa_receipt import receipt

    key = klippa.create_account(credits=3)
    data, truth = till_receipt_photo(**RECEIPTS[index])
    response = parse(klippa, key, data, name="receipt.jpg")
    assert response.status_code == 200, response.text
    answer = response.json()["data"]
    day, month, year = RECEIPTS[index]["day"].split("-")
    assert answer["amount"] == round(truth["total"] * 100)
    assert answer["vatamount"] == round(truth["tax"] * 100)
    assert answer["amountexvat"] == round(truth["base"] * 100)
    assert answer["date"] == f"{year}-{month}-{day}T00:00:00"
    assert answer["merchant_name"] == truth["store"]
    assert answer["merchant_vat_number"] == truth["vat"]
    assert answer["document_type"] == "receipt" and answer["invoice_type"] == ""
    assert answer["paymentmethod"] == ""  # the engine reads no card or cash means
    assert answer["vatitems"][0]["percentage"] == round(RECEIPTS[index]["rate"] * 100)
    # the same bytes through the Odoo invoice route (which Klippa's parse is) give the same receipt, and
    # the Odoo expense route finds nothing better
    for route in ("invoice", "expense"):
        parsed = klippa.call(f"/api/extract/{route}/1/parse", {
            "account_token": key, "version": 122, "documents": [base64.b64encode(data).decode("ascii")]})
        odoo = klippa.wait(f"/api/extract/{route}/1/get_result", {"version": 122,
                                                                   "document_uuid": parsed["document_uuid"]})
        assert odoo["status"] == "success", odoo
        odoo_receipt = receipt(odoo["results"][0])
        if route == "invoice":
            assert {k: v for k, v in answer.items() if k not in ("hash", "hash_duplicate")} == \
                {k: v for k, v in odoo_receipt.items() if k not in ("hash", "hash_duplicate")}
        for name in ("amount", "date", "merchant_name"):
            assert odoo_receipt[name] in (answer[name], 0, ""), name


@pytest.mark.parametrize("index", range(len(INVOICES)))
def test_receipt_values_are_right(scans, index):
    truth, body, _odoo = scans[index]
    assert body["result"] == "success" and body["request_id"]
    receipt = body["data"]
    assert receipt["amount"] == round(truth["total"] * 100)
    assert receipt["amountexvat"] == round(truth["subtotal"] * 100)
    assert receipt["vatamount"] == round(truth["tax"] * 100)
    day, month, year = truth["date"].split(".")
    assert receipt["date"] == f"{year}-{month}-{day}T00:00:00"
    assert receipt["invoice_number"] == truth["invoice_id"]
    assert receipt["merchant_name"] == truth["supplier"]
    assert receipt["merchant_vat_number"] == truth["supplier_vat"]
    assert receipt["merchant_bank_account_number"] == truth["iban"].replace(" ", "")
    assert receipt["merchant_bank_account_number_bic"] == truth["bic"]
    assert receipt["currency"] == truth["currency"]
    assert receipt["document_type"] == "invoice" and receipt["invoice_type"] == "invoice"
    assert receipt["paymentmethod"] == "bank"  # an invoice printing the IBAN to pay to
    items = [item for group in receipt["lines"] for item in group["lineitems"]]
    assert [(i["title"], i["quantity"], i["amount_each"], i["amount_ex_vat"]) for i in items] == [
        (desc, float(qty), round(price * 100), round(qty * price * 100)) for desc, qty, price in truth["lines"]]
    assert receipt["vatitems"] == [{"amount": round(truth["tax"] * 100), "amount_excl_vat": round(truth["subtotal"] * 100),
                                    "amount_incl_vat": round(truth["total"] * 100),
                                    "amount_incl_excl_vat_estimated": False, "code": "",
                                    "percentage": round(truth["tax_rate"] * 100)}]
    assert truth["invoice_id"] in receipt["raw_text"]
    assert len(receipt["hash"]) == 64 and receipt["hash_duplicate"] is False


@pytest.mark.parametrize("index", range(len(INVOICES)))
def test_same_values_as_the_odoo_route(scans, index):
    from invoice_extract.controllers.klippa_receipt import receipt

    _truth, body, odoo = scans[index]
    expected = receipt(odoo)
    answer = {k: v for k, v in body["data"].items() if k not in ("hash", "hash_duplicate")}
    expected.pop("hash_duplicate")
    expected.pop("hash")
    assert answer == expected
    assert body["data"]["amount"] == round(odoo["total"]["selected_value"]["content"] * 100)
    assert body["data"]["invoice_number"] == odoo["invoice_id"]["selected_value"]["content"]


def test_types_and_enumerations_are_klippas(scans):
    from invoice_extract.controllers.klippa_receipt import STRING_FIELDS, enumeration

    for _truth, body, _odoo in scans:
        receipt = body["data"]
        for name in ("amount", "amountexvat", "vatamount", "amount_change"):
            assert type(receipt[name]) is int
        for name in STRING_FIELDS:
            assert isinstance(receipt[name], str), name
        for name in ("document_type", "invoice_type", "paymentmethod"):
            assert receipt[name] in enumeration(name)
        for item in (i for group in receipt["lines"] for i in group["lineitems"]):
            for name in ("amount", "amount_each", "amount_ex_vat", "vat_amount", "vat_percentage"):
                assert type(item[name]) is int
            assert type(item["quantity"]) is float
        assert all(b["type"] in enumeration("barcode_type") for b in receipt["barcodes"])


def test_paymentmethod_comes_from_the_payment_means_the_engine_read():
    """Klippa's ``paymentmethod`` enumeration (cash, creditcard, pin, bank): "bank" for a payment code
    or an invoice's IBAN, else "" (the engine reads no card or cash means)."""
    from test_payment_codes import epc_payload

    from invoice_extract.controllers.klippa_receipt import enumeration, receipt

    def value(content):
        return {"selected_value": {"content": content}}

    epc = {"symbology": "QRCODE", "payload": epc_payload(), "page": 0}
    assert receipt({"barcodes": [epc]})["paymentmethod"] == "bank"  # even without an invoice number
    assert receipt({"invoice_id": value("INV-1"), "iban": value("DE25200800000481516234")})["paymentmethod"] == "bank"
    assert receipt({"iban": value("DE25200800000481516234")})["paymentmethod"] == ""  # a receipt: paid at the till
    assert receipt({"invoice_id": value("INV-1")})["paymentmethod"] == ""
    assert receipt({"barcodes": [{"symbology": "QRCODE", "payload": "https://example.org/menu"}]})["paymentmethod"] == ""
    assert "bank" in enumeration("paymentmethod")


def test_scanned_photo_and_json_base64_and_template_in_path(klippa):
    key = klippa.create_account(credits=5)
    photo = make_invoice_image(fmt="JPEG", invoice_id="PH-2024-118", lines=(("Desk lamp", 3, 25.00),), tax_rate=20.0)
    response = requests.post(klippa.url + API + "/parseDocument/financial_full", headers=key_header(key),
                             json={"document": base64.b64encode(photo).decode("ascii")}, timeout=180)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert set(data) == {"parsed", "raw_text", "hash", "hash_duplicate"}
    assert data["parsed"]["amount"] == 9000 and data["parsed"]["vatamount"] == 1500
    assert data["parsed"]["invoice_number"] == "PH-2024-118"
    assert data["raw_text"] == data["parsed"]["raw_text"] and data["hash_duplicate"] is False
    # the same bytes again, in the same duplicate group: a duplicate; in another group: not
    again = requests.post(klippa.url + API + "/parseDocument?template=financial", headers=key_header(key),
                          json={"document": [base64.b64encode(photo).decode("ascii")]}, timeout=180).json()
    assert again["data"]["hash_duplicate"] is True and again["data"]["hash"] == data["hash"]
    other = requests.post(klippa.url + API + "/parseDocument", headers=key_header(key),
                          json={"document": base64.b64encode(photo).decode("ascii"),
                                "hash_duplicate_group_id": "campaign-2"}, timeout=180).json()
    assert other["data"]["hash_duplicate"] is False
    assert credits(klippa, key) == {"AvailableCredits": 5, "SpendableCredits": 2, "UsedCredits": 3,
                                    "UsesCreditSystem": True}


def test_parse_text_and_structured_pdf(klippa):
    key = klippa.create_account(credits=5)
    text = ("Harbour Tools Ltd\nVAT: GB980780684\n\nINVOICE\nInvoice number: HT-5521\nInvoice date: 14.08.2024\n\n"
            "Description     Qty   Unit price   Amount\nSteel hammer      2        12.50    25.00\n\n"
            "Subtotal 25.00 GBP\nVAT 20% 5.00 GBP\nTotal 30.00 GBP\n")
    response = requests.post(klippa.url + API + "/parseText", headers=key_header(key), json={"text": text},
                             timeout=180)
    assert response.status_code == 200, response.text
    receipt = response.json()["data"]
    assert (receipt["amount"], receipt["vatamount"], receipt["invoice_number"]) == (3000, 500, "HT-5521")
    assert receipt["date"] == "2024-08-14T00:00:00"
    structured = requests.post(klippa.url + API + "/parseStructuredPDF", headers=key_header(key),
                               files={"document": ("a.pdf", make_invoice_pdf())}, timeout=180)
    assert structured.status_code == 200 and structured.json()["data"]["amount"] == 121000
    not_pdf = requests.post(klippa.url + API + "/parseStructuredPDF", headers=key_header(key),
                            files={"document": ("a.png", make_invoice_image(dpi=80))}, timeout=60)
    assert_error(not_pdf, 200005, 400)
    assert_error(requests.post(klippa.url + API + "/parseText", headers=key_header(key), json={}, timeout=30), 300001)
    assert credits(klippa, key)["SpendableCredits"] == 3


# -- auth and errors -------------------------------------------------------------------------------
def test_missing_invalid_and_query_keys(klippa):
    key = klippa.create_account(credits=1)
    assert_error(requests.get(klippa.url + API + "/credits", timeout=30), 100001, 401)
    assert_error(requests.get(klippa.url + API + "/credits", headers=key_header("nope"), timeout=30), 100002, 401)
    assert requests.get(klippa.url + API + "/credits", params={"X-Auth-Key": key}, timeout=30).status_code == 200
    both = requests.get(klippa.url + API + "/credits", params={"X-Auth-Key": key}, headers=key_header(key), timeout=30)
    assert both.status_code == 200 and both.json()["data"]["SpendableCredits"] == 1
    assert_error(requests.post(klippa.url + API + "/parseDocument", files={"document": ("a.pdf", b"%PDF")},
                               timeout=30), 100001, 401)


def test_information_routes(klippa):
    key = klippa.create_account(credits=1)
    index = requests.get(klippa.url + API + "/", headers=key_header(key), timeout=30).json()
    assert index["result"] == "success" and set(index["data"]) == {"Title", "Version", "Commit", "Branch", "Contact"}
    fields = requests.get(klippa.url + API + "/fields", headers=key_header(key), timeout=30).json()["data"]["fields"]
    from invoice_extract.controllers.klippa_receipt import enumeration

    assert {"amount", "merchant_name", "lines", "raw_text"} <= {f["field"] for f in fields}
    assert all(f["type"] in enumeration("field_type") for f in fields)
    assert requests.get(klippa.url + API + "/fields/financial", headers=key_header(key), timeout=30).status_code == 200
    assert_error(requests.get(klippa.url + API + "/fields/identity", headers=key_header(key), timeout=30), 300004)
    templates = requests.get(klippa.url + API + "/templates", headers=key_header(key), timeout=30).json()["data"]
    assert "financial" in templates["templates"] and templates["templates"]["financial"]["title"]
    stats = requests.get(klippa.url + API + "/statistics", headers=key_header(key), timeout=30)
    assert stats.status_code == 200 and stats.json()["data"] == []


# Klippa's generated Python client's calls (klippa_ocr_api/api/*.py), camelCase as its OpenAPI names them.
KLIPPA_CLIENT_CALLS = {
    "credits", "getAPIIndex", "getFields", "getFieldsByTemplate", "getTemplates", "listStatisticsInput",
    "parseDocument", "parseStructuredPDF", "parseText", "createPublicKey", "publicKeyInfo", "publicKeyInfoByID",
    "publicKeyStatistics", "createSubKey", "deleteSubKey", "getSubKey", "subKeyList", "subKeyStatistics",
    "updateSubKey", "bulkUserDataSetRecord", "createUserDataSet", "createUserDataSetRecord", "deleteUserDataSet",
    "deleteUserDataSetRecord", "getUserDataSet", "getUserDataSetRecord", "getUserDataSetRecords", "getUserDataSets",
    "updateUserDataSet", "updateUserDataSetRecord"}


def test_openapi_describes_every_klippa_route(tmp_path):
    """/docs lists every Klippa route with its operationId, the keys it takes, its query
    parameters, its JSON body and its answer (not only the parse routes)."""
    from fastapi.testclient import TestClient

    from invoice_extract.controllers.app import create_app
    from invoice_extract.models.document_service import DocumentService
    from service_helpers import new_database

    with TestClient(create_app(DocumentService(new_database(tmp_path)))) as client:
        spec = client.get("/openapi.json").json()
    operations = {(method.upper(), path): op for path, ops in spec["paths"].items() if path.startswith(API)
                  for method, op in ops.items()}
    assert len(operations) == 31
    ids = {op["operationId"] for op in operations.values()}
    assert KLIPPA_CLIENT_CALLS <= ids and len(ids) == len(operations)
    for (method, path), op in operations.items():
        assert op["summary"] and op["responses"]["200"]["description"], path
        keys = {(p["name"], p["in"]) for p in op["parameters"] if p["name"].startswith("X-Auth")}
        if op["operationId"] == "publicKeyInfo":
            assert keys == {("X-Auth-Public-Key", "header"), ("X-Auth-Public-Key", "query")}
        else:
            assert {("X-Auth-Key", "header"), ("X-Auth-Key", "query")} <= keys, path
        public = op["operationId"] in ("parseDocument", "parseDocumentTemplate", "publicKeyInfo")
        assert (("X-Auth-Public-Key", "header") in keys) == public, path
        if method in ("POST", "PATCH") and not path.startswith(API + "/parse"):
            assert "properties" in op["requestBody"]["content"]["application/json"]["schema"], path
    create = operations[("POST", API + "/publicKey")]["requestBody"]["content"]["application/json"]["schema"]
    assert create["required"] == ["scan_limit", "valid_time"] and create["properties"]["valid_time"]["maximum"] == 3600
    listing = {p["name"] for p in operations[("GET", API + "/userDataSet")]["parameters"]}
    assert {"per_page", "page", "sort_order", "sort_field", "type", "external_id", "filter"} <= listing
    bulk = operations[("POST", API + "/userDataSet/{set_id}/records/bulk")]["requestBody"]["content"]
    assert bulk["application/json"]["schema"]["properties"]["Actions"]["maxItems"] == 1000
    assert "multipart/form-data" in operations[("POST", API + "/parseDocument")]["requestBody"]["content"]


def test_identity_templates_have_no_access_and_cost_nothing(klippa):
    key = klippa.create_account(credits=2)
    for path, fields in (("/parseDocument/identity", {}), ("/parseDocument/eu-passport", {}),
                         ("/parseDocument", {"template": "passport"}),
                         ("/parseDocument?template=identity", {"template": "financial"})):  # the query wins
        assert_error(parse(klippa, key, make_invoice_pdf(), path=path, **fields), 300004, 403)
    assert credits(klippa, key)["SpendableCredits"] == 2


def test_unreadable_document_costs_nothing(klippa):
    key = klippa.create_account(credits=2)
    assert_error(parse(klippa, key, b"this is not a document at all", name="x.pdf"), 300005, 400)
    assert_error(parse(klippa, key, b"%PDF-1.4\n1 0 obj broken"), 300005, 400)
    assert_error(requests.post(klippa.url + API + "/parseDocument", headers=key_header(key), data={"a": "b"},
                               timeout=30), 300001, 400)
    assert_error(parse(klippa, key, make_invoice_pdf(), user_data="{not json"), 300001, 400)
    assert credits(klippa, key)["SpendableCredits"] == 2


def test_no_credits_left(klippa):
    key = klippa.create_account(credits=0)
    assert_error(parse(klippa, key, make_invoice_pdf()), 100004)


def test_oversize_document_is_refused_before_anything_is_charged(tmp_path):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from invoice_extract.controllers import klippa as klippa_routes
    from invoice_extract.extraction.limits import Limits
    from invoice_extract.models.account import create_account
    from invoice_extract.models.document_service import DocumentService
    from service_helpers import new_database

    db = new_database(tmp_path)
    with db.session() as session:
        account, key = create_account(session, credits=3)
        account_id = account.id
    service = DocumentService(db, Limits(max_bytes=1500, max_pages=5, max_pixels=10_000_000))
    app = FastAPI()
    app.include_router(klippa_routes.router(service))
    with TestClient(app) as client:
        for size in (3000, 400_000):  # past the limit; past the limit and the multipart allowance
            response = client.post(API + "/parseDocument", headers=key_header(key),
                                   files={"document": ("big.pdf", make_invoice_pdf() + b" " * size)})
            assert_error(response, 300007, 413)
        response = client.post(API + "/parseDocument", headers=key_header(key),
                               json={"document": base64.b64encode(b"%PDF-1.4" + b" " * 3000).decode()})
        assert_error(response, 300007, 413)
    from invoice_extract.models.account import Account

    with db.session() as session:
        assert session.get(Account, account_id).credits == 3
    db.dispose()


def test_concurrent_scans_are_charged_once_each(klippa):
    key = klippa.create_account(credits=3)
    answers: list = [None] * 4

    def send(i: int) -> None:
        answers[i] = parse(klippa, key, make_invoice_pdf(invoice_id=f"CC-{i}", lines=(("Chair", i + 1, 10.0),)))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)
    ok = [i for i, a in enumerate(answers) if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert len(ok) == 3 and len(refused) == 1
    assert_error(refused[0], 100004)
    for i in ok:  # each caller gets its own document
        assert answers[i].json()["data"]["invoice_number"] == f"CC-{i}"
    assert credits(klippa, key) == {"AvailableCredits": 3, "SpendableCredits": 0, "UsedCredits": 3,
                                    "UsesCreditSystem": True}
    stats = requests.get(klippa.url + API + "/statistics", headers=key_header(key), timeout=30).json()["data"]
    assert sum(row["count"] for row in stats) == 3


# -- public keys ----------------------------------------------------------------------------------
def test_public_keys(klippa):
    key = klippa.create_account(credits=5)
    url = klippa.url + API + "/publicKey"
    assert_error(requests.post(url, headers=key_header(key), json={"valid_time": 30, "scan_limit": 1}, timeout=30),
                 400004, 400)
    assert_error(requests.post(url, headers=key_header(key), json={"valid_time": 4000, "scan_limit": 1},
                               timeout=30), 400004, 400)
    assert_error(requests.post(url, headers=key_header(key), json={"valid_time": 600}, timeout=30), 400003, 400)
    assert_error(requests.post(url, headers=key_header(key), json={"valid_time": 600, "scan_limit": 101},
                               timeout=30), 400003, 400)
    assert_error(requests.post(url, headers=key_header(key), json={"valid_time": 600, "scan_limit": -1},
                               timeout=30), 400003, 400)
    assert_error(requests.post(url, headers=key_header(key), json={"valid_time": 600, "scan_limit": "x"},
                               timeout=30), 400003, 400)
    created = requests.post(url, headers=key_header(key), json={"valid_time": 600, "scan_limit": 1}, timeout=30)
    assert created.status_code == 200, created.text
    public = created.json()["data"]
    assert public["ScanLimit"] == 1 and isinstance(public["ID"], int) and public["PublicKey"]
    public_header = {"X-Auth-Public-Key": public["PublicKey"]}
    # a public key works on parseDocument and GET /publicKey only
    assert_error(requests.get(klippa.url + API + "/credits", headers=public_header, timeout=30), 100003)
    assert_error(requests.post(url, headers=public_header, json={"valid_time": 600, "scan_limit": 1}, timeout=30),
                 100003)
    assert_error(requests.post(klippa.url + API + "/parseText", headers=public_header, json={"text": "x"},
                               timeout=30), 100003)
    info = requests.get(url, headers=public_header, timeout=30).json()["data"]
    assert info["IsValid"] is True and info["UsedScans"] == 0 and info["AvailableScans"] == 1
    scanned = requests.post(klippa.url + API + "/parseDocument", headers=public_header,
                            files={"document": ("a.pdf", make_invoice_pdf())}, timeout=180)
    assert scanned.status_code == 200 and scanned.json()["data"]["amount"] == 121000
    assert_error(requests.post(klippa.url + API + "/parseDocument", headers=public_header,
                               files={"document": ("a.pdf", make_invoice_pdf())}, timeout=180), 100006, 403)
    by_id = requests.get(f"{url}/{public['ID']}", headers=key_header(key), timeout=30).json()["data"]
    assert by_id["UsedScans"] == 1 and by_id["IsValid"] is False
    stats = requests.get(f"{url}/{public['ID']}/statistics", headers=key_header(key), timeout=30).json()["data"]
    assert sum(row["count"] for row in stats) == 1
    assert_error(requests.get(f"{url}/999999", headers=key_header(key), timeout=30), 400006, 404)
    other = klippa.create_account(credits=1)  # another account's public key does not exist for it
    assert_error(requests.get(f"{url}/{public['ID']}", headers=key_header(other), timeout=30), 400006, 404)
    assert_error(requests.get(url, headers={"X-Auth-Public-Key": "forged"}, timeout=30), 100005, 401)
    assert credits(klippa, key)["SpendableCredits"] == 4  # the public key's scan was the account's


class Clock:
    def __init__(self):
        from datetime import datetime

        self.now = datetime(2026, 1, 1, 12, 0, 0)

    def __call__(self):
        return self.now


def test_public_key_expires_on_the_clock(tmp_path):
    from datetime import timedelta

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from invoice_extract.controllers import klippa as klippa_routes
    from invoice_extract.models.account import create_account
    from invoice_extract.models.document_service import DocumentService
    from invoice_extract.models.klippa import KlippaKeys
    from service_helpers import new_database

    db = new_database(tmp_path)
    with db.session() as session:
        _account, key = create_account(session, credits=3)
    clock = Clock()
    app = FastAPI()
    app.include_router(klippa_routes.router(DocumentService(db), KlippaKeys(db, clock=clock)))
    with TestClient(app) as client:
        public = client.post(API + "/publicKey", headers=key_header(key), data={"valid_time": "60", "scan_limit": "5"}).json()["data"]
        header = {"X-Auth-Public-Key": public["PublicKey"]}
        assert client.get(API + "/publicKey", headers=header).json()["data"]["IsValid"] is True
        clock.now += timedelta(seconds=61)
        assert client.get(API + "/publicKey", headers=header).json()["data"]["IsValid"] is False
        response = client.post(API + "/parseDocument", headers=header, files={"document": ("a.pdf", make_invoice_pdf())})
        assert_error(response, 100007, 403)
    db.dispose()


# -- sub keys -------------------------------------------------------------------------------------
def test_sub_keys_count_against_their_parent(klippa):
    key = klippa.create_account(credits=4)
    url = klippa.url + API + "/subKey"
    created = requests.post(url, headers=key_header(key), json={"Name": "shop 1"}, timeout=30).json()["data"]
    sub = created["Key"]
    assert created["Name"] == "shop 1" and sub
    page = requests.get(url, headers=key_header(key), timeout=30).json()["data"]
    listed = page["SubKeys"]
    assert page["Count"] == 1 and page["MoreResults"] is False
    assert [k["ID"] for k in listed] == [created["ID"]] and all(k["Key"] == "" for k in listed)
    renamed = requests.patch(f"{url}/{created['ID']}", headers=key_header(key), json={"Name": "shop 2"}, timeout=30)
    assert renamed.json()["data"]["Name"] == "shop 2"
    assert requests.get(f"{url}/{created['ID']}", headers=key_header(key), timeout=30).json()["data"]["Name"] == "shop 2"
    assert parse(klippa, sub, make_invoice_pdf()).status_code == 200
    assert credits(klippa, key)["SpendableCredits"] == 3 and credits(klippa, sub)["SpendableCredits"] == 3
    # a sub key does not manage keys
    assert_error(requests.get(url, headers=key_header(sub), timeout=30), 100003)
    stats = requests.get(f"{url}/{created['ID']}/statistics", headers=key_header(key), timeout=30).json()["data"]
    assert sum(row["count"] for row in stats) == 1
    deleted = requests.delete(f"{url}/{created['ID']}", headers=key_header(key), timeout=30)
    assert deleted.status_code == 200 and deleted.json()["data"] == {"deleted": True}
    assert_error(requests.get(klippa.url + API + "/credits", headers=key_header(sub), timeout=30), 100002)
    assert requests.get(f"{url}/{created['ID']}", headers=key_header(key), timeout=30).status_code == 404


# -- user_data ------------------------------------------------------------------------------------
def test_user_data_matches(klippa):
    key = klippa.create_account(credits=2)
    user_data = {
        "relations": [{"id": "rel-other", "name": "Someone Else BV", "vat_number": "NL000099998B57"},
                      {"id": "rel-acme", "name": "ACME by another name", "vat_number": "DE 246 813 573"}],
        "purchase_orders": [{"identifier": "po-9", "purchase_order_number": "PO-7777"},
                            {"identifier": "po-1", "purchase_order_number": "INV-2024-0042", "amount": 1210.0}],
        "keyword_rules": [{"id": "chairs", "regex": "office (chair)"}, {"id": "coupon", "keywords": ["desk"]}],
        "lineitem_rules": [{"id": "furniture", "keywords": ["desk"]}, {"id": "fruit", "regex": "apple|banana"}],
        "locale": {"language": "en", "country": "DE"},
    }
    response = parse(klippa, key, make_invoice_pdf(), user_data=json.dumps(user_data))
    assert response.status_code == 200, response.text
    receipt = response.json()["data"]
    assert receipt["merchant_id"] == "rel-acme"
    assert receipt["matched_purchase_order_id"] == "po-1"
    assert receipt["matched_keywords"] == [{"id": "chairs", "count": 1, "matches": ["Office chair"]},
                                           {"id": "coupon", "count": 1, "matches": ["desk"]}]
    assert [m["id"] for m in receipt["matched_lineitems"]] == ["furniture"]
    assert [i["title"] for i in receipt["matched_lineitems"][0]["lineitems"]] == ["Standing desk"]
    nested = dict(user_data, keyword_rules=[{"id": "slow", "regex": "(a+)+b"}])
    assert_error(parse(klippa, key, make_invoice_pdf(), user_data=json.dumps(nested)), 300001, 400)
    assert credits(klippa, key)["SpendableCredits"] == 1


# -- url ------------------------------------------------------------------------------------------
def test_url_on_loopback_is_refused_by_default(klippa):
    key = klippa.create_account(credits=1)
    for url in ("http://127.0.0.1:9/invoice.pdf", "http://localhost/x.pdf", "http://10.1.2.3/a.pdf",
                "http://169.254.169.254/latest/meta-data", "file:///etc/passwd", "ftp://example.com/a.pdf"):
        response = requests.post(klippa.url + API + "/parseDocument", headers=key_header(key), data={"url": url},
                                 timeout=60)
        assert_error(response, 300001, 400)
    assert credits(klippa, key)["SpendableCredits"] == 1


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


def test_url_fetch_within_the_allowed_networks(monkeypatch):
    from invoice_extract.models.url_fetch import FetchError, fetch_url

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pdf = make_invoice_pdf()
    _Handler.routes = {"/a.pdf": (200, {}, pdf), "/big": (200, {}, b"x" * 5000),
                       "/to-a": (302, {"Location": "/a.pdf"}, b""),
                       "/to-metadata": (302, {"Location": "http://169.254.169.254/latest"}, b"")}
    try:
        with pytest.raises(FetchError):  # the default: public addresses only
            fetch_url(base + "/a.pdf", 10_000_000)
        monkeypatch.setenv("INVOICE_EXTRACT_FETCH_NETWORKS", "127.0.0.0/8")
        assert fetch_url(base + "/a.pdf", 10_000_000) == pdf
        assert fetch_url(base + "/to-a", 10_000_000) == pdf
        with pytest.raises(FetchError):  # a redirect to a disallowed host is not followed
            fetch_url(base + "/to-metadata", 10_000_000)
        with pytest.raises(FetchError) as too_big:
            fetch_url(base + "/big", 1000)
        assert too_big.value.too_big
        started = time.monotonic()
        with pytest.raises(FetchError):
            fetch_url(base + "/missing", 1000)
        assert time.monotonic() - started < 10
    finally:
        server.shutdown()


def test_migration_0005_downgrades_and_upgrades(tmp_path):
    from service_helpers import assert_migration_round_trip

    assert_migration_round_trip(tmp_path, "0004", {
        "klippa_sub_keys", "klippa_public_keys", "klippa_scans", "klippa_user_data_sets",
        "klippa_user_data_set_records"})


# -- user data sets -------------------------------------------------------------------------------
def test_user_data_sets_and_records(klippa):
    key = klippa.create_account(credits=2)
    url = klippa.url + API + "/userDataSet"
    h = key_header(key)
    assert requests.post(url, headers=h, json={"ExternalID": "shop-1", "Type": "nonsense"}, timeout=30).status_code == 400
    created = requests.post(url, headers=h, json={"ExternalID": "shop-1", "Type": "relation",
                                                  "LastSyncDate": "2024-05-01T10:00:00Z"}, timeout=30)
    assert created.status_code == 200, created.text
    data_set = created.json()["data"]
    assert data_set["Type"] == "relation" and data_set["LastSyncDate"] == "2024-05-01T10:00:00Z"
    other = requests.post(url, headers=h, json={"ExternalID": "shop-2", "Type": "purchase_order"}, timeout=30).json()
    listed = requests.get(url, headers=h, params={"Type": "relation"}, timeout=30).json()["data"]
    assert [s["ID"] for s in listed["UserDataSets"]] == [data_set["ID"]] and listed["Count"] == 1
    by_filter = requests.get(url, headers=h, params={"filter": "ExternalID:shop-2:EQ"}, timeout=30).json()["data"]
    assert [s["ID"] for s in by_filter["UserDataSets"]] == [other["data"]["ID"]]
    assert requests.get(url, headers=h, params={"filter": "Nope:1:EQ"}, timeout=30).status_code == 400
    # another account sees none of them
    stranger = key_header(klippa.create_account(credits=1))
    assert requests.get(f"{url}/{data_set['ID']}", headers=stranger, timeout=30).status_code == 404
    assert requests.get(url, headers=stranger, timeout=30).json()["data"]["Count"] == 0

    records = f"{url}/{data_set['ID']}/records"
    one = requests.post(records, headers=h, json={"ExternalID": "rel-acme", "Values": [
        {"Name": "name", "Value": "Whatever name"}, {"Name": "vat_number", "Value": "DE246813573"}]}, timeout=30)
    assert one.status_code == 200, one.text
    record = one.json()["data"]
    bulk = requests.post(records + "/bulk", headers=h, json={"Actions": [
        {"Action": "create", "ExternalID": "rel-acme", "Values": []},
        {"Action": "upsert", "ExternalID": "rel-b", "Values": [{"Name": "name", "Value": "B"}]},
        {"Action": "update", "ExternalID": "rel-missing", "Values": []},
        {"Action": "create", "ExternalID": "rel-c", "Values": [{"Name": "name", "Value": "C"}]},
        {"Action": "delete", "ExternalID": "rel-c"},
        {"Action": "upsert", "ExternalID": "rel-b", "Values": [{"Name": "name", "Value": "B"}]}]}, timeout=30)
    assert bulk.status_code == 200, bulk.text
    assert [(r["Result"], r.get("FailureCode")) for r in bulk.json()["data"]] == [
        ("failure", 2), ("created", None), ("failure", 3), ("created", None), ("deleted", None), ("no-change", None)]
    too_many = requests.post(records + "/bulk", headers=h,
                             json={"Actions": [{"Action": "delete", "ExternalID": str(i)} for i in range(1001)]},
                             timeout=30)
    assert too_many.status_code == 400
    page = requests.get(records, headers=h, params={"PerPage": 1, "Page": 2, "SortField": "ID"}, timeout=30).json()
    assert page["data"]["Count"] == 2 and page["data"]["Pages"] == 2 and page["data"]["MoreResults"] is False
    assert [r["ExternalID"] for r in page["data"]["UserDataSetRecords"]] == ["rel-b"]
    renamed = requests.patch(f"{records}/{record['ID']}", headers=h, json={"LastSyncDate": "2024-06-01T00:00:00Z"},
                             timeout=30)
    assert renamed.json()["data"]["LastSyncDate"] == "2024-06-01T00:00:00Z"
    assert requests.get(f"{records}/{record['ID']}", headers=h, timeout=30).json()["data"]["ExternalID"] == "rel-acme"
    # a parse naming the set's ExternalID matches the document's merchant against its relations
    scanned = parse(klippa, key, make_invoice_pdf(), user_data_set_external_id="shop-1")
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["data"]["merchant_id"] == "rel-acme"
    assert requests.delete(f"{records}/{record['ID']}", headers=h, timeout=30).status_code == 200
    assert requests.get(f"{records}/{record['ID']}", headers=h, timeout=30).status_code == 404
    assert requests.delete(f"{url}/{data_set['ID']}", headers=h, timeout=30).status_code == 200
    assert requests.get(records, headers=h, timeout=30).status_code == 404


def test_hostile_requests_are_answered_in_klippas_shape(tmp_path, monkeypatch):
    """Malformed bodies, types and ids: a Klippa error or a 4xx, never a 500 or a traceback."""
    monkeypatch.setenv("INVOICE_EXTRACT_KLIPPA_TIMEOUT", "2")  # no worker runs here: nothing may wait long
    from fastapi.testclient import TestClient

    from invoice_extract.controllers.app import create_app
    from invoice_extract.models.account import create_account
    from invoice_extract.models.document_service import DocumentService
    from service_helpers import new_database

    db = new_database(tmp_path)
    with db.session() as session:
        _account, key = create_account(session, credits=3)
    h = key_header(key)
    with TestClient(create_app(DocumentService(db)), raise_server_exceptions=False) as client:
        calls = [
            ("post", "/parseDocument", {"json": {"document": 12}}),
            ("post", "/parseDocument", {"json": {"document": ["%%%notbase64"], "template": {"a": 1}}}),
            ("post", "/parseDocument", {"json": ["a list"]}),
            ("post", "/parseDocument", {"content": b"{broken", "headers": {"Content-Type": "application/json"}}),
            ("post", "/parseDocument", {"content": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data; boundary=x"}}),
            ("post", "/parseDocument", {"data": {"url": "http://[::1]:80/a", "user_data": "[1,2]"}}),
            ("post", "/parseDocument", {"json": {"document": "", "user_data": {"keyword_rules": [{"id": 1, "regex": "("}]}}}),
            ("post", "/parseDocument", {"json": {"document": "JVBERi0=", "pdf_text_extraction": "slow"}}),
            ("post", "/parseText", {"json": {"text": 5}}),
            ("post", "/parseText", {"data": {"text": "  \n\t "}}),
            ("post", "/publicKey", {"json": {"valid_time": 10 ** 40, "scan_limit": 10 ** 40}}),
            ("post", "/publicKey", {"json": {"valid_time": True}}),
            ("get", "/publicKey/99999999999999999999999", {}),
            ("get", "/subKey/-1", {}),
            ("patch", "/subKey/123", {"json": {"name": ["x"]}}),
            ("get", "/userDataSet", {"params": {"filter": "ID:abc:GT", "PerPage": "999999999"}}),
            ("get", "/userDataSet", {"params": {"filter": "CreatedAt:notadate:GT"}}),
            ("post", "/userDataSet", {"json": {"ExternalID": "x" * 300, "Type": "relation"}}),
            ("post", "/userDataSet", {"json": {"ExternalID": "a", "Type": "relation", "LastSyncDate": 5}}),
            ("post", "/userDataSet/1/records/bulk", {"json": {"Actions": "all"}}),
            ("get", "/fields/" + "x" * 5000, {}),
        ]
        for method, path, kwargs in calls:
            headers = {**h, **kwargs.pop("headers", {})}
            response = getattr(client, method)(API + path, headers=headers, **kwargs)
            assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
            body = response.json()
            assert body.get("result") == "error" or "error" in body, (path, body)
    db.dispose()


def test_a_backtracking_rule_cannot_hold_a_scan():
    """A rule regex the nesting check lets through but that backtracks without end stops on the
    regex module's timeout and matches nothing; the other rules still match."""
    from invoice_extract.controllers import klippa_receipt as shapes

    answer = {"raw_text": "a" * 40 + "! coupon COUPON", "lines": [], "merchant_vat_number": "", "date": "",
              "merchant_bank_account_number": "", "merchant_name": "", "amount": 0}
    started = time.monotonic()
    out = shapes.apply_user_data(answer, {"keyword_rules": [{"id": "evil", "regex": "(a|aa)+$"},
                                                           {"id": "coupon", "keywords": ["coupon"]}]})
    assert time.monotonic() - started < 5
    assert out["matched_keywords"] == [{"id": "coupon", "count": 2, "matches": ["coupon", "COUPON"]}]


def test_public_key_scan_limit_holds_under_concurrency(klippa):
    key = klippa.create_account(credits=10)
    public = requests.post(klippa.url + API + "/publicKey", headers=key_header(key),
                           json={"valid_time": 600, "scan_limit": 2}, timeout=30).json()["data"]
    header = {"X-Auth-Public-Key": public["PublicKey"]}
    answers: list = [None] * 4

    def send(i: int) -> None:
        answers[i] = requests.post(klippa.url + API + "/parseDocument", params=header,  # the key in the query
                                   files={"document": ("a.pdf", make_invoice_pdf(invoice_id=f"PK-{i}"))},
                                   timeout=240)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)
    assert sorted(a.status_code for a in answers) == [200, 200, 403, 403]
    for answer in answers:
        if answer.status_code != 200:
            assert_error(answer, 100006)
    info = requests.get(klippa.url + API + "/publicKey", headers=header, timeout=30).json()["data"]
    assert info["UsedScans"] == 2 and info["AvailableScans"] == 0
    assert credits(klippa, key)["SpendableCredits"] == 8


def test_qr_codes_come_back_as_klippa_barcodes_and_stay_out_of_odoo_shapes(klippa):
    from test_payment_codes import epc_payload, invoice_with_code

    key = klippa.create_account(credits=2)
    payload = epc_payload()
    data = invoice_with_code(payload, ["Acme Office Supplies GmbH", "INVOICE", "Invoice number: INV-2024-0042",
                                       "Invoice date: 15.03.2024", "Total 847.00 EUR"])
    response = parse(klippa, key, data)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["barcodes"] == [{"type": "QRCODE", "value": payload}]
    assert response.json()["data"]["paymentmethod"] == "bank"  # a GiroCode asks for a bank transfer
    parsed = klippa.call("/api/extract/invoice/1/parse", {
        "account_token": key, "version": 122, "documents": [base64.b64encode(data).decode("ascii")]})
    odoo = klippa.wait("/api/extract/invoice/1/get_result", {"version": 122, "document_uuid": parsed["document_uuid"]})
    assert odoo["status"] == "success" and "barcodes" not in odoo["results"][0]
    assert odoo["results"][0]["iban"]["selected_value"]["content"] == "DE25200800000481516234"
