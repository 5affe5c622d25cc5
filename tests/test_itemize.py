"""Itemize's Enterprise API (``controllers/itemize.py``) against the real server.

Receipts and invoices are generated here (tests/itemize_helpers.py, tests/fixtures.py) so the
tests know their truth; values are compared with it and with the Odoo route's result on the
same bytes. Every error body the vendor doc lists is produced. Webhooks go to a listener in
this process; the 12 h / 36 h schedule is checked with a simulated clock across a restart,
and end to end with a schedule shortened by configuration.
"""
from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import json
import re
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import CLI, b64, start_server, stop_server
from fixtures import make_invoice_pdf
from itemize_helpers import ReceiptSpec, receipt_html, receipt_pdf, receipt_png, receipt_text

API = "/api/enterprise/v1"
ACCESS_DENIED = {"error": "access denied - invalid token or account"}
NOT_FOUND = {"message": "Resource not found"}
MIN_IMAGE = 40 * 1024  # the test server's configured minimum (the default, 100KB, is unit-tested)
ORIGIN = "http://localhost:3000"


# -- a webhook listener -------------------------------------------------------------------------
class Listener:
    """Records every POST; answers ``failures`` times with 500, then 200."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.hits: list[dict] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                listener.hits.append({"path": self.path, "body": body, "headers": dict(self.headers),
                                      "at": time.monotonic()})
                code = 500 if len(listener.hits) <= listener.failures else 200
                self.send_response(code)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# -- the server and its accounts ----------------------------------------------------------------
@pytest.fixture(scope="module")
def itemize_server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("itemize"), workers=1, env={
        "INVOICE_EXTRACT_ITEMIZE_MIN_IMAGE_BYTES": str(MIN_IMAGE),
        "INVOICE_EXTRACT_ITEMIZE_WEBHOOK_SCHEDULE": "0,4",
        "INVOICE_EXTRACT_ITEMIZE_WEBHOOK_TRIES": "3",
        "INVOICE_EXTRACT_ITEMIZE_CORS_ORIGINS": ORIGIN,
    })
    yield srv
    stop_server(srv)


class Client:
    def __init__(self, server, account_id: int, token: str):
        self.server, self.id, self.token = server, account_id, token
        self.base = f"{server.url}{API}/accounts/{account_id}"
        self.auth = ("", token)

    def get(self, path: str = "", **kw):
        return requests.get(self.base + path, auth=self.auth, timeout=30, **kw)

    def upload(self, data: bytes, metadata: dict, name: str = "receipt.pdf", mime: str = "application/octet-stream"):
        return requests.post(self.base + "/documents", auth=self.auth, timeout=60,
                             data={"metadata": json.dumps(metadata)}, files={"document": (name, data, mime)})

    def wait_document(self, doc_id: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            r = self.get(f"/documents/{doc_id}")
            if r.status_code == 200:
                return r.json()
            assert r.status_code == 404 and r.json() == NOT_FOUND, r.text
            assert time.monotonic() < deadline, "document not processed in time"
            time.sleep(0.3)


def new_client(server, credits: int = 20, name: str = "Itemize client") -> Client:
    out = subprocess.run(CLI + ["accounts", "create", "--credits", str(credits), "--name", name,
                                "--database-url", server.database_url], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    account_id = int(re.search(r"account (\d+)", lines[0]).group(1))
    return Client(server, account_id, lines[-1])


def set_level(client: Client, level: str) -> None:
    subprocess.run(CLI + ["accounts", "data-set", str(client.id), level, "--database-url",
                          client.server.database_url], check=True, capture_output=True)


# -- auth ---------------------------------------------------------------------------------------
def test_basic_auth_and_another_accounts_id_answer_the_documented_401(itemize_server):
    me, other = new_client(itemize_server), new_client(itemize_server)
    assert me.get().status_code == 200
    # the Java sample's header: base64 of the token alone
    java = requests.get(me.base, headers={"Authorization": "Basic " + b64(me.token.encode())}, timeout=10)
    assert java.status_code == 200
    for response in (requests.get(me.base, timeout=10),  # no credentials
                     requests.get(me.base, auth=("", "not-a-token"), timeout=10),
                     requests.get(me.base, headers={"Authorization": "Basic !!!"}, timeout=10),
                     requests.get(other.base, auth=me.auth, timeout=10),  # my token, another account's id
                     requests.get(f"{itemize_server.url}{API}/accounts/abc", auth=me.auth, timeout=10),
                     requests.get(other.base + "/webhooks", auth=me.auth, timeout=10)):
        assert response.status_code == 401 and response.json() == ACCESS_DENIED


# -- accounts -----------------------------------------------------------------------------------
def test_account_fields_put_and_data_set_from_cli_and_put(itemize_server):
    me = new_client(itemize_server, name="Enterprise Documentation Demo")
    account = me.get().json()
    assert set(account) == {"id", "company", "primary_contact", "email_address", "markets", "country",
                            "monthly_processed", "total_processed", "data_set", "status", "created"}
    assert account["id"] == me.id and account["company"] == "Enterprise Documentation Demo"
    assert account["data_set"] == "L2" and account["status"] == "active" and account["markets"] == ["US"]
    assert abs(account["created"] - time.time()) < 600 and account["country"] == {"country_code": "US"}
    # the doc's PUT
    r = requests.put(me.base, auth=me.auth, timeout=10, headers={"Content-Type": "application/json"},
                     data=json.dumps({"primary_contact": "UpdatedFirstName UpdatedLastName",
                                      "email_address": "updatedEmail@gmail.com"}))
    assert r.status_code == 200
    assert r.json()["primary_contact"] == "UpdatedFirstName UpdatedLastName"
    assert me.get().json()["email_address"] == "updatedEmail@gmail.com"
    r = requests.put(me.base, auth=me.auth, timeout=10, json={"data_set": "L3", "markets": ["US", "UK"]})
    assert r.json()["data_set"] == "L3" and r.json()["markets"] == ["US", "UK"]
    for bad in ({"data_set": "L9"}, {"markets": ["XX"]}, {"country": "US"}):
        r = requests.put(me.base, auth=me.auth, timeout=10, json=bad)
        assert r.status_code == 400 and "error" in r.json()
    set_level(me, "L1")
    assert me.get().json()["data_set"] == "L1"


# -- uploads: every documented error body -------------------------------------------------------
def test_upload_error_bodies(itemize_server):
    me = new_client(itemize_server)
    pdf = receipt_pdf(ReceiptSpec())
    r = requests.post(me.base + "/documents", auth=me.auth, json={"metadata": {}}, timeout=10)
    assert r.status_code == 415
    assert r.json() == {"error": "multipart/form-data is the only content type allowed for document upload"}
    bad_form = {"error": "Incorrect format for multipart/form-data. Please ensure document and metadata "
                         "parameters are uploaded."}
    r = requests.post(me.base + "/documents", auth=me.auth, files={"document": ("r.pdf", pdf)}, timeout=10)
    assert r.status_code == 400 and r.json() == bad_form  # no metadata
    r = requests.post(me.base + "/documents", auth=me.auth, data={"metadata": "{\"format\": "}, timeout=10,
                      files={"document": ("r.pdf", pdf)})
    assert r.status_code == 400 and r.json() == bad_form  # metadata is not JSON
    r = requests.post(me.base + "/documents", auth=me.auth, files={"metadata": (None, "{}")}, timeout=10)
    assert r.status_code == 400 and r.json() == bad_form  # no document
    r = requests.post(me.base + "/documents", auth=me.auth, timeout=10,
                      headers={"Content-Type": "multipart/form-data; boundary=zz"}, data=b"--zz\r\ngarbage")
    assert r.status_code == 400 and r.json() == bad_form  # a broken multipart body
    r = me.upload(b"\x00\x01\x02 not a receipt" * 100, {"format": "image/jpeg"})
    assert r.status_code == 400 and r.json() == {"error": "Incorrect format/mime-type for receipt document."}
    small_png = b"\x89PNG\r\n\x1a\n" + b"\0" * 1000
    r = me.upload(small_png, {"format": "image/png"})
    assert r.status_code == 400 and r.json() == {"error": "Minimum file size is 40KB"}  # the configured minimum
    large_jpeg = b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024)
    r = me.upload(large_jpeg, {"format": "image/jpeg"})
    assert r.status_code == 400 and r.json() == {"error": "Maximum file size is 5MB"}
    large_pdf = b"%PDF-1.4\n" + b"\0" * (5 * 1024 * 1024 - 9)  # exactly 5MB: a PDF must be less
    r = me.upload(large_pdf, {"format": "application/pdf"})
    assert r.status_code == 400 and r.json() == {"error": "Maximum file size is 5MB"}
    r = me.upload(receipt_text(ReceiptSpec()), {"format": "text/plain"})
    assert r.status_code == 400 and r.json() == {
        "error": "'from_address' is missing in metadata. Please ensure the 'from_address' field is included in "
                 "the metadata parameter."}
    for metadata in ({"client_id": "x" * 129}, {"webhook_id": "w" * 6501}, {"document_type": "ticket"},
                     {"latitude": 200}):
        r = me.upload(pdf, {"format": "application/pdf", **metadata})
        assert r.status_code == 400 and "error" in r.json(), metadata
    # wrong verbs
    for method, path in (("DELETE", ""), ("GET", "/documents"), ("PUT", "/documents"),
                         ("POST", f"/documents/{uuid.uuid4()}"), ("PATCH", "/webhooks")):
        r = requests.request(method, me.base + path, auth=me.auth, timeout=10)
        assert r.status_code == 405 and r.json() == {"message": "Method not allowed."}, (method, path)
    r = me.get(f"/documents/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json() == NOT_FOUND
    assert itemize_server.credits(me.token) == 20  # nothing refused was charged


def test_size_limits_default_and_configurable():
    from invoice_extract.controllers.itemize import size_problem
    from invoice_extract.models.itemize import ItemizeSettings

    default = ItemizeSettings()
    assert size_problem(100 * 1024 - 1, "image/jpeg", default) == {"error": "Minimum file size is 100KB"}
    assert size_problem(100 * 1024, "image/png", default) is None
    assert size_problem(5 * 1024 * 1024 + 1, "image/png", default) == {"error": "Maximum file size is 5MB"}
    assert size_problem(10, "application/pdf", default) is None
    assert size_problem(5 * 1024 * 1024, "text/html", default) == {"error": "Maximum file size is 5MB"}
    later = ItemizeSettings(min_image_bytes=30 * 1024, max_image_bytes=30 * 1024 * 1024,
                            max_document_bytes=30 * 1024 * 1024)  # Itemize's later limits
    assert size_problem(20 * 1024, "image/jpeg", later) == {"error": "Minimum file size is 30KB"}
    assert size_problem(6 * 1024 * 1024, "application/pdf", later) is None
    assert size_problem(30 * 1024 * 1024, "application/pdf", later) == {"error": "Maximum file size is 30MB"}


# -- documents: 404 until processed, then the level's fields, values right ----------------------
BASE_FIELDS = {"id", "format", "client_id", "client_country_id", "processed", "processed_string", "market",
               "ocr_text", "is_document", "is_conforming", "non_conforming_reason", "is_final",
               "sent_for_human_verification", "document_type"}
L1_FIELDS = {"purchased", "purchased_string", "total", "currency", "payment_type", "merchant"}
L2_FIELDS = {"subtotal", "tax", "tip", "financial_values", "attributes"}


def test_receipt_upload_echo_then_level_fields_and_values(itemize_server):
    me = new_client(itemize_server, credits=10)
    spec = ReceiptSpec()
    metadata = {"format": "image/jpeg",  # a wrong claim: the bytes say PDF
                "document_type": "receipt", "latitude": 32.887993, "longitude": -96.766574,
                "client_id": "6g3fgh7h2s-557h-225c-81a3-yyoc8218788", "client_country_id": 1,
                "webhook_id": "ADJSwejn23opds92"}
    r = me.upload(receipt_pdf(spec), metadata)
    assert r.status_code == 200, r.text
    echo = r.json()
    assert str(uuid.UUID(echo["id"])) == echo["id"]
    assert echo == {"id": echo["id"], **metadata, "format": "application/pdf"}
    document = me.wait_document(echo["id"])
    assert set(document) == BASE_FIELDS | L1_FIELDS | L2_FIELDS  # the default level, L2
    assert document["id"] == echo["id"] and document["format"] == "application/pdf"
    assert document["client_id"] == metadata["client_id"] and document["document_type"] == "receipt"
    assert document["is_document"] and document["is_conforming"] and document["is_final"]
    assert document["non_conforming_reason"] is None and document["sent_for_human_verification"] is False
    assert abs(document["processed"] - time.time()) < 600
    assert document["processed_string"] == time.strftime("%Y-%m-%d", time.gmtime(document["processed"]))
    assert spec.store in document["ocr_text"]
    assert document["total"] == spec.total and document["currency"] == "USD"
    assert document["purchased_string"] == spec.date_iso
    assert document["purchased"] == calendar.timegm(time.strptime(spec.date_iso, "%Y-%m-%d"))
    assert document["merchant"]["name"] == spec.store and document["merchant"]["normalized_name"] == spec.store
    assert document["subtotal"] == spec.subtotal and document["tax"] == spec.tax
    assert {"financial_value_type": "tax", "financial_value": spec.tax} in document["financial_values"]
    # L1: no L2 field; L3: the items
    set_level(me, "L1")
    assert set(me.get(f"/documents/{echo['id']}").json()) == BASE_FIELDS | L1_FIELDS
    set_level(me, "L3")
    items = me.get(f"/documents/{echo['id']}").json()["receipt_items"]
    assert [(i["item_name"], i["item_subtotal"]) for i in items] == list(spec.items)
    assert itemize_server.credits(me.token) == 9  # one credit, however often it is read
    account = me.get().json()
    assert account["total_processed"] == 1 and account["monthly_processed"] == 1
    # the Odoo expense route reads the same values on the same bytes
    odoo = itemize_server.call("/api/extract/expense/1/parse", {"account_token": me.token, "version": 131,
                                                                "documents": [b64(receipt_pdf(spec))],
                                                                "user_infos": {"user_lang": "en_US"}})
    result = itemize_server.wait("/api/extract/expense/1/get_result",
                                 {"version": 131, "account_token": me.token, "document_uuid": odoo["document_uuid"]})
    odoo_values = {k: v["selected_value"]["content"] for k, v in result["results"][0].items()
                   if isinstance(v, dict) and isinstance(v.get("selected_value"), dict)}
    assert (odoo_values["total"], odoo_values["date"], odoo_values["supplier"], odoo_values["currency"]) == (
        document["total"], document["purchased_string"], document["merchant"]["name"], document["currency"])


def test_values_equal_the_odoo_routes_on_the_same_invoice(itemize_server):
    me = new_client(itemize_server, credits=10)
    set_level(me, "L3")
    pdf = make_invoice_pdf()
    r = me.upload(pdf, {"format": "application/pdf", "document_type": "invoice"})
    document = me.wait_document(r.json()["id"])
    odoo = itemize_server.call("/api/extract/invoice/1/parse", {"account_token": me.token, "version": 122,
                                                                "documents": [b64(pdf)], "user_infos": {}})
    result = itemize_server.wait("/api/extract/invoice/1/get_result",
                                 {"version": 122, "account_token": me.token, "document_uuid": odoo["document_uuid"]})
    odoo_values = {k: v["selected_value"]["content"] for k, v in result["results"][0].items()
                   if isinstance(v, dict) and isinstance(v.get("selected_value"), dict)}
    assert document["total"] == odoo_values["total"] == 1210.0
    assert document["subtotal"] == odoo_values["subtotal"] == 1000.0
    assert document["tax"] == odoo_values["total_tax_amount"] == 210.0
    assert document["purchased_string"] == odoo_values["date"] == "2024-03-15"
    assert document["merchant"]["name"] == odoo_values["supplier"] == "Acme Office Supplies GmbH"
    assert document["merchant"]["tax_id"] == odoo_values["VAT_Number"]
    assert document["currency"] == odoo_values["currency"] == "EUR"
    assert document["attributes"] == [{"attribute_type": "due date", "attribute_value": "2024-04-14"}]
    assert [(i["item_name"], i["item_subtotal"]) for i in document["receipt_items"]] == [
        ("Office chair", 600.0), ("Standing desk", 400.0)]
    assert itemize_server.credits(me.token) == 8  # one for each route's parse


def test_scanned_png_and_digital_receipts(itemize_server):
    me = new_client(itemize_server, credits=10)
    spec = ReceiptSpec(store="Copper Kettle Diner", date_printed="11/02/2023", date_iso="2023-11-02",
                       items=(("Pancake stack", 9.25), ("Orange juice", 3.50)), tax_rate=6.0)
    png = receipt_png(spec, dpi=200)
    assert len(png) >= MIN_IMAGE
    uploads = [(png, {"format": "image/png"}, "image/png"),
               (receipt_text(spec), {"format": "text/plain", "from_address": "orders@example.com",
                                     "subject": "Your receipt", "received_datetime": 0}, "text/plain"),
               (receipt_html(spec), {"format": "text/html", "from_address": "orders@example.com",
                                     "to_address": "me@example.com"}, "text/html")]
    for data, metadata, fmt in uploads:
        r = me.upload(data, metadata)
        assert r.status_code == 200, r.text
        assert r.json()["format"] == fmt
        document = me.wait_document(r.json()["id"])
        assert document["format"] == fmt
        assert (document["total"], document["subtotal"], document["tax"]) == (spec.total, spec.subtotal, spec.tax), fmt
        assert document["purchased_string"] == spec.date_iso, fmt
        assert document["merchant"]["name"] == spec.store, fmt
    assert itemize_server.credits(me.token) == 7


def test_unreadable_document_has_merchant_default_and_costs_nothing(itemize_server):
    from PIL import Image
    import io
    import random

    rnd = random.Random(7)  # noise compresses badly: a large PNG with no text on it
    img = Image.frombytes("L", (300, 300), bytes(rnd.randrange(200, 256) for _ in range(90000)))
    out = io.BytesIO()
    img.save(out, "PNG")
    me = new_client(itemize_server, credits=3)
    r = me.upload(out.getvalue(), {"format": "image/png"})
    assert r.status_code == 200, r.text
    document = me.wait_document(r.json()["id"])
    assert document["is_document"] is False and document["is_conforming"] is False
    assert document["non_conforming_reason"]
    assert document["merchant"]["name"] == "Merchant" and document["merchant"]["normalized_name"] == "Merchant"
    assert document["purchased"] == 0 and document["total"] is None
    deadline = time.monotonic() + 10
    while itemize_server.credits(me.token) != 3 and time.monotonic() < deadline:
        time.sleep(0.2)  # given back when its event is scheduled
    assert itemize_server.credits(me.token) == 3


# -- webhooks -----------------------------------------------------------------------------------
def test_webhook_crud_limit_and_hidden_token(itemize_server):
    me = new_client(itemize_server)
    r = requests.post(me.base + "/webhooks", auth=me.auth, timeout=10,
                      json={"url": "http://127.0.0.1:9/one", "token": "dGVzdA=="})
    assert r.status_code == 201
    created = r.json()
    assert isinstance(created, list) and len(created) == 1
    assert created[0]["url"] == "http://127.0.0.1:9/one" and created[0]["token"] == "dGVzdA=="
    assert created[0]["account_id"] == me.id
    hook_id = created[0]["id"]
    for i in (2, 3):
        assert requests.post(me.base + "/webhooks", auth=me.auth, timeout=10,
                             json={"url": f"http://127.0.0.1:9/{i}"}).status_code == 201
    r = requests.post(me.base + "/webhooks", auth=me.auth, timeout=10, json={"url": "http://127.0.0.1:9/4"})
    assert r.status_code == 400 and "at most 3" in r.json()["error"]
    listing = me.get("/webhooks").json()
    assert len(listing) == 3 and all("token" not in h for h in listing)
    assert me.get(f"/webhooks/{hook_id}").json() == {"id": hook_id, "url": "http://127.0.0.1:9/one",
                                                     "account_id": me.id}
    r = requests.put(f"{me.base}/webhooks/{hook_id}", auth=me.auth, timeout=10,
                     json={"url": "http://127.0.0.1:9/updated", "token": "dGhpc2lzZW5jb2RlZA=="})
    assert r.json() == {"id": hook_id, "url": "http://127.0.0.1:9/updated", "account_id": me.id,
                        "token": "dGhpc2lzZW5jb2RlZA=="}
    r = requests.delete(f"{me.base}/webhooks/{hook_id}", auth=me.auth, timeout=10)
    assert r.status_code == 200 and r.json() == []
    assert me.get(f"/webhooks/{hook_id}").status_code == 404
    other = new_client(itemize_server)
    assert other.get(f"/webhooks/{listing[1]['id']}").status_code == 404  # not another account's
    for bad in ({"url": "ftp://x"}, {"url": "http://169.254.169.254/latest"}, {}, {"url": "http://a", "token": "t" * 101}):
        r = requests.post(other.base + "/webhooks", auth=other.auth, timeout=10, json=bad)
        assert r.status_code == 400 and "error" in r.json(), bad


def test_document_processed_webhook_retried_on_the_schedule(itemize_server):
    listener = Listener(failures=3)  # the whole first round of 3 tight tries fails
    try:
        me = new_client(itemize_server)
        requests.post(me.base + "/webhooks", auth=me.auth, timeout=10, json={"url": listener.url, "token": "s3cret"})
        r = me.upload(receipt_pdf(ReceiptSpec()), {"format": "application/pdf", "client_id": "user12345",
                                                   "client_country_id": 1, "webhook_id": "ADJSwejn23opds92"})
        doc_id = r.json()["id"]
        deadline = time.monotonic() + 60
        while len(listener.hits) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(listener.hits) == 4, listener.hits
        first, retry = listener.hits[0], listener.hits[3]
        assert listener.hits[2]["at"] - first["at"] < 2.5  # tight tries
        assert retry["at"] - first["at"] >= 3.5  # the next round: 4 s after the first (configured)
        body = json.loads(retry["body"])
        assert body["type"] == "document.processed" and body["sent_for_human_verification"] is False
        assert set(body) == {"id", "created", "type", "sent_for_human_verification", "data"}
        assert body["data"] == {"client_token": "ADJSwejn23opds92", "url": f"/documents/{doc_id}",
                                "processed": body["data"]["processed"], "id": doc_id, "client_id": "user12345",
                                "client_country_id": 1, "data_level": "L2"}
        signature = hmac.new(b"s3cret", retry["body"], hashlib.sha256).hexdigest()
        assert retry["headers"]["X-Itemize-Signature"] == f"sha256={signature}"
        time.sleep(1.0)
        assert len(listener.hits) == 4  # delivered: no more
        assert me.get(body["data"]["url"]).status_code == 200
    finally:
        listener.close()


def test_schedule_of_12_and_36_hours_survives_a_restart(tmp_path):
    """Simulated clock: the sender's rounds are driven with explicit times."""
    from invoice_extract.models.db import Database
    from invoice_extract.models.webhook_delivery import (FAILED, PENDING, WebhookDelivery, resume_interrupted,
                                                         schedule_delivery, send_due)
    from invoice_extract.models.itemize import ItemizeSettings

    listener = Listener(failures=10**6)  # never accepts
    settings = ItemizeSettings()
    assert settings.webhook_schedule == (0.0, 43200.0, 129600.0) and settings.webhook_tries == 3
    url = f"sqlite:///{tmp_path / 'hooks.sqlite3'}"
    t0 = 1_700_000_000.0
    try:
        db = Database(url)
        db.migrate()
        with db.session() as session:
            delivery_id = schedule_delivery(session, "itemize", listener.url, {"type": "document.processed"},
                                            {}, list(settings.webhook_schedule), settings.webhook_tries, t0).id
        assert send_due(db, 5, now=t0, background=False) == 1
        assert len(listener.hits) == 3
        db.dispose()

        db = Database(url)  # a restart: the schedule is in the database
        resume_interrupted(db)
        assert send_due(db, 5, now=t0 + 12 * 3600 - 1, background=False) == 0
        assert send_due(db, 5, now=t0 + 12 * 3600, background=False) == 1
        assert len(listener.hits) == 6
        with db.session() as session:
            d = session.get(WebhookDelivery, delivery_id)
            assert (d.state, d.round, d.next_at) == (PENDING, 2, t0 + 36 * 3600)
        assert send_due(db, 5, now=t0 + 36 * 3600 - 1, background=False) == 0
        assert send_due(db, 5, now=t0 + 36 * 3600, background=False) == 1
        assert len(listener.hits) == 9
        with db.session() as session:
            assert session.get(WebhookDelivery, delivery_id).state == FAILED
        assert send_due(db, 5, now=t0 + 100 * 3600, background=False) == 0  # never again
        assert len(listener.hits) == 9
        db.dispose()
    finally:
        listener.close()


def test_document_updated_after_a_validation(itemize_server):
    listener = Listener()
    try:
        me = new_client(itemize_server)
        requests.post(me.base + "/webhooks", auth=me.auth, timeout=10, json={"url": listener.url})
        r = me.upload(receipt_pdf(ReceiptSpec()), {"format": "application/pdf"})
        doc_id = r.json()["id"]
        me.wait_document(doc_id)
        deadline = time.monotonic() + 20
        while not listener.hits and time.monotonic() < deadline:
            time.sleep(0.2)
        assert json.loads(listener.hits[0]["body"])["type"] == "document.processed"
        assert "X-Itemize-Signature" not in listener.hits[0]["headers"]  # no token, no signature
        # the Odoo validate path, on the same document
        answer = itemize_server.call("/api/extract/invoice/1/validate", {
            "version": 122, "account_token": me.token, "document_uuid": doc_id,
            "values": {"total": {"content": 17.0}}})
        assert answer["status"] == "success", answer
        deadline = time.monotonic() + 20
        while len(listener.hits) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [json.loads(h["body"])["type"] for h in listener.hits] == ["document.processed", "document.updated"]
        assert me.get(f"/documents/{doc_id}").json()["total"] == 17.0  # the corrected data set
    finally:
        listener.close()


def test_itemize_correction_route_validates_and_sends_document_updated(itemize_server):
    listener = Listener()
    try:
        me = new_client(itemize_server)
        requests.post(me.base + "/webhooks", auth=me.auth, timeout=10, json={"url": listener.url, "token": "k"})
        spec = ReceiptSpec()
        doc_id = me.upload(receipt_pdf(spec), {"format": "application/pdf"}).json()["id"]
        before = me.wait_document(doc_id)
        for bad in ({"total": "ten"}, {"purchased_string": "14/03/2024"}, {"ocr_text": "x"}, {}):
            r = requests.put(f"{me.base}/documents/{doc_id}", auth=me.auth, json=bad, timeout=10)
            assert r.status_code == 400 and "error" in r.json(), bad
        r = requests.put(f"{me.base}/documents/{uuid.uuid4()}", auth=me.auth, json={"total": 1.0}, timeout=10)
        assert r.status_code == 404 and r.json() == NOT_FOUND
        r = requests.put(f"{me.base}/documents/{doc_id}", auth=me.auth, timeout=10,
                         json={"total": 20.42, "merchant": {"name": "Harbour Lane Bakery & Cafe"}})
        assert r.status_code == 200, r.text
        after = r.json()
        assert after["total"] == 20.42 and after["merchant"]["name"] == "Harbour Lane Bakery & Cafe"
        assert after["subtotal"] == before["subtotal"]  # what was not corrected stays as read
        r = requests.put(f"{me.base}/documents/{doc_id}", auth=me.auth, json={"total": 1.0}, timeout=10)
        assert r.status_code == 400 and r.json() == {"error": "The document has already been corrected."}
        # webhooks are delivered at least once, not in order: a slow first delivery of
        # document.processed is retried and may arrive after document.updated
        def updates():
            return [hit for hit in listener.hits if json.loads(hit["body"])["type"] == "document.updated"]

        deadline = time.monotonic() + 30
        while not updates() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert updates(), [json.loads(hit["body"])["type"] for hit in listener.hits]
        updated = updates()[0]
        assert updated["headers"]["X-Itemize-Signature"] == "sha256=" + hmac.new(
            b"k", updated["body"], hashlib.sha256).hexdigest()
        assert itemize_server.credits(me.token) == 19  # correcting costs nothing
    finally:
        listener.close()


# -- Itemize's official samples -----------------------------------------------------------------
def test_postman_collection_replayed(itemize_server):
    """The requests of ``ItemizeCorp/enterprise-api-samples``' Postman collection, in its order,
    with {{url}} = our base URL, {{accountid}} and the Basic header filled in."""
    me = new_client(itemize_server)
    listener = Listener()
    try:
        auth = {"Authorization": "Basic " + base64.b64encode(f":{me.token}".encode()).decode()}
        url = f"{itemize_server.url}{API}/accounts/{me.id}"
        receipt = receipt_png(ReceiptSpec(), dpi=200)
        # GET /accounts (the collection sends a form body with it; it is ignored)
        r = requests.get(url, headers=auth, files={"document": ("", b"")}, data={"metadata": '{"format":"image/jpeg"}'})
        assert r.status_code == 200 and r.json()["id"] == me.id
        r = requests.put(url, headers={**auth, "Content-Type": "application/json"},
                         data='{\n    "primary_contact":"Updated Contact Name",\n    "email_address":"Updated Email Address"\n}')
        assert r.status_code == 200 and r.json()["primary_contact"] == "Updated Contact Name"
        r = requests.post(url + "/webhooks", headers={**auth, "Content-Type": "application/json"},
                          data=json.dumps({"url": listener.url, "token": "This should be encrypted"}))
        assert r.status_code == 201
        webhook_id = r.json()[0]["id"]  # the collection's test script: data[0].id
        assert requests.get(url + "/webhooks", headers=auth).status_code == 200
        assert requests.get(f"{url}/webhooks/{webhook_id}", headers=auth).json()["id"] == webhook_id
        r = requests.post(url + "/documents", headers=auth, data={"metadata": '{"format":"image/jpeg"}'},
                          files={"document": ("tampaairport.jpeg", receipt)})
        assert r.status_code == 200, r.text
        guid = r.json()["id"]  # the collection's test script: data.id
        deadline = time.monotonic() + 120
        while True:
            r = requests.get(f"{url}/documents/{guid}", headers=auth,
                             data={"metadata": '{"format":"image/jpeg", "client_id":"sam-test-4567gnwjkrfv"}'},
                             files={"document": ("", b"")})
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            assert r.json() == NOT_FOUND
            time.sleep(0.5)
        assert r.status_code == 200 and r.json()["total"] == ReceiptSpec().total
        r = requests.put(f"{url}/webhooks/{webhook_id}", headers={**auth, "Content-Type": "application/json"},
                         data=json.dumps({"url": listener.url + "/updated", "token": "This should be encrypted and updated"}))
        assert r.status_code == 200 and r.json()["url"].endswith("/updated")
        r = requests.delete(f"{url}/webhooks/{webhook_id}", headers=auth)
        assert r.status_code == 200 and r.json() == []
    finally:
        listener.close()


def test_java_sample_flow_upload_wait_get(itemize_server):
    """The Java sample's own multipart body (``ItemizeApiCall``: a metadata part with its own
    Content-Type, a file part with Content-Transfer-Encoding) and its base64(token) header;
    then GET, 404 until the document is ready."""
    me = new_client(itemize_server)
    boundary = str(uuid.uuid4())
    receipt = receipt_png(ReceiptSpec(), dpi=200)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type:application/json\r\n\r\n"
            "{\"format\":\"image/jpeg\"}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"receipt.jpeg\"\r\n"
            "Content-Type: image/jpeg\r\nContent-Transfer-Encoding: binary\r\n\r\n").encode() + receipt + \
        f"\r\n--{boundary}--\r\n".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(me.token.encode()).decode()}
    r = requests.post(f"{itemize_server.url}{API}/accounts/{me.id}/documents", data=body, timeout=60,
                      headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 200, r.text
    guid = r.json()["id"]
    statuses = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        r = requests.get(f"{itemize_server.url}{API}/accounts/{me.id}/documents/{guid}", timeout=30,
                         headers={**headers, "Content-Type": "application/json"})
        statuses.append(r.status_code)
        if r.status_code == 200:
            break
        time.sleep(0.1)
    assert statuses[-1] == 200 and set(statuses[:-1]) <= {404}
    assert r.json()["merchant"]["name"] == ReceiptSpec().store


def test_cors_for_the_configured_origin_only(itemize_server):
    me = new_client(itemize_server)
    r = requests.options(me.base + "/documents", timeout=10, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ORIGIN
    r = me.get(headers={"Origin": ORIGIN})
    assert r.headers.get("access-control-allow-origin") == ORIGIN
    r = me.get(headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    r = requests.get(itemize_server.url + "/health", headers={"Origin": ORIGIN}, timeout=10)
    assert "access-control-allow-origin" not in r.headers  # only Itemize's paths


# -- in process: no worker runs until the test says so -----------------------------------------
def test_404_until_processed_then_200_in_process(tmp_path):
    """Deterministic: the app without workers answers 404 until the test runs the worker."""
    from fastapi.testclient import TestClient

    from invoice_extract.controllers.app import create_app
    from invoice_extract.models.account import create_account
    from invoice_extract.models.db import Database
    from invoice_extract.models.document_service import DocumentService
    from invoice_extract.models.worker import claim_next, process

    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    db.migrate()
    with db.session() as session:
        account, token = create_account(session, "in process", 2)
        account_id = account.id
    client = TestClient(create_app(DocumentService(db)))
    auth = ("", token)
    r = client.post(f"{API}/accounts/{account_id}/documents", auth=auth,
                    data={"metadata": json.dumps({"format": "application/pdf"})},
                    files={"document": ("r.pdf", receipt_pdf(ReceiptSpec()), "application/pdf")})
    doc_id = r.json()["id"]
    for _ in range(3):
        r = client.get(f"{API}/accounts/{account_id}/documents/{doc_id}", auth=auth)
        assert r.status_code == 404 and r.json() == NOT_FOUND
    owner = "test-worker"
    process(db, claim_next(db, owner), owner)
    r = client.get(f"{API}/accounts/{account_id}/documents/{doc_id}", auth=auth)
    assert r.status_code == 200 and r.json()["total"] == ReceiptSpec().total
    db.dispose()


def test_text_reader_sniffs_and_lays_out_digital_receipts():
    from invoice_extract.extraction.reader import read_document
    from invoice_extract.extraction.text_reader import html_text, sniff_text

    spec = ReceiptSpec()
    assert sniff_text(receipt_text(spec)) == "text/plain"
    assert sniff_text(receipt_html(spec)) == "text/html"
    assert sniff_text(b"\x89PNG\r\n\x1a\n\x00\x00") is None and sniff_text(bytes(range(256)) * 4) is None
    text = html_text(receipt_html(spec))
    assert "Your receipt" not in text and "td {" not in text  # head and style are not shown
    assert re.search(r"Subtotal\s{2,}15\.20", text)  # cells of a row stay on one line, apart
    from invoice_extract.extraction.errors import UnsupportedFormat
    from invoice_extract.extraction.text_reader import read_text

    with pytest.raises(UnsupportedFormat):
        read_document(receipt_text(spec), "r.txt")  # only read as text when the caller says it is text
    doc = read_text(receipt_text(spec), "r.txt")
    total_line = next(line for line in doc.lines() if line[0].text == "Total")
    assert [w.text for w in total_line] == ["Total", f"{spec.total:.2f}", "USD"]
    assert total_line[1].x0 > total_line[0].x1 + 0.3  # the amount's column is kept
    assert all(0 <= w.x0 < w.x1 <= 1 and 0 <= w.y0 < w.y1 <= 1 for w in doc.words)


def test_odoo_routes_still_refuse_text(itemize_server):
    me = new_client(itemize_server)
    answer = itemize_server.call("/api/extract/invoice/1/parse", {
        "account_token": me.token, "version": 122, "documents": [b64(receipt_text(ReceiptSpec()))], "user_infos": {}})
    assert answer["status"] == "error_unsupported_format"


def _in_process_app(tmp_path, service_class=None):
    from fastapi.testclient import TestClient

    from invoice_extract.controllers.app import create_app
    from invoice_extract.models.account import create_account
    from invoice_extract.models.db import Database
    from invoice_extract.models.document_service import DocumentService

    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    db.migrate()
    with db.session() as session:
        rich, rich_token = create_account(session, "rich", 200)
        poor, poor_token = create_account(session, "poor", 0)
        accounts = {"rich": (rich.id, rich_token), "poor": (poor.id, poor_token)}
    service = (service_class or DocumentService)(db)
    return db, TestClient(create_app(service), raise_server_exceptions=False), accounts


def test_no_credit_and_an_internal_failure_have_their_bodies(tmp_path):
    from invoice_extract.models.document_service import DocumentService

    class BrokenParse(DocumentService):
        def parse(self, request):
            if request.account_token and len(request.documents[0]) == 1234:
                raise RuntimeError("the database went away")
            return super().parse(request)

    db, client, accounts = _in_process_app(tmp_path, BrokenParse)
    metadata = {"metadata": json.dumps({"format": "application/pdf"})}
    poor_id, poor_token = accounts["poor"]
    r = client.post(f"{API}/accounts/{poor_id}/documents", auth=("", poor_token), data=metadata,
                    files={"document": ("r.pdf", receipt_pdf(ReceiptSpec()))})
    assert r.status_code == 402 and "no credit" in r.json()["error"]
    rich_id, rich_token = accounts["rich"]
    pdf = b"%PDF-1.4\n" + b"%" * (1234 - 9)
    r = client.post(f"{API}/accounts/{rich_id}/documents", auth=("", rich_token), data=metadata,
                    files={"document": ("r.pdf", pdf)})
    assert r.status_code == 500
    assert r.json() == {"error": "An error has occurred during document upload. Please try again."}
    db.dispose()


def test_hostile_input_never_500(tmp_path):
    import random

    db, client, accounts = _in_process_app(tmp_path)
    account_id, token = accounts["rich"]
    base = f"{API}/accounts/{account_id}"
    auth = ("", token)
    rnd = random.Random(14)
    weird = [None, True, -1, 10**30, 1e308, "", "x" * 10000, [], {}, [[[]]], {"a": {"b": [1]}}, "\ud800", "../../etc"]
    keys = ["format", "document_type", "client_id", "client_country_id", "webhook_id", "latitude", "longitude",
            "from_address", "to_address", "subject", "received_datetime"]
    pdf = receipt_pdf(ReceiptSpec())
    doc_id = None
    for _ in range(60):
        metadata = {k: rnd.choice(weird) for k in rnd.sample(keys, rnd.randrange(1, 5))}
        r = client.post(base + "/documents", auth=auth, data={"metadata": json.dumps(metadata)},
                        files={"document": ("r.pdf", pdf)})
        assert r.status_code in (200, 400, 402), (metadata, r.status_code, r.text)
        assert isinstance(r.json(), dict) and "jsonrpc" not in r.json(), (metadata, r.text)  # not the last resort
        if r.status_code == 200:
            doc_id = r.json()["id"]
    deep = "[" * 100000 + "]" * 100000
    for method, path, body in [("PUT", "", deep), ("POST", "/webhooks", deep), ("PUT", "", "{\"markets\": 7}"),
                               ("PUT", "", "[1, 2]"), ("POST", "/webhooks", "{\"url\": 12}"),
                               ("PUT", f"/documents/{doc_id or uuid.uuid4()}", "{\"merchant\": {\"name\": []}}"),
                               ("PUT", f"/documents/{doc_id or uuid.uuid4()}", deep),
                               ("POST", "/documents", "--x\r\n" * 1000)]:
        headers = {"Content-Type": "multipart/form-data; boundary=x" if path == "/documents" else "application/json"}
        r = client.request(method, base + path, auth=auth, content=body.encode(), headers=headers)
        assert 400 <= r.status_code < 500 and isinstance(r.json(), dict), (method, path, r.status_code, r.text)
    r = client.post(base + "/documents", auth=auth, files={"document": ("r.pdf", pdf)},
                    data={"metadata": '{"client_id": "\\ud800x", "subject": "\\udfff"}'})
    assert r.status_code == 200 and r.json()["client_id"].startswith("\ufffd"), r.text  # as the JSON-RPC routes do
    for path in ("/documents/" + "a" * 5000, "/webhooks/99999999999999999999", "/webhooks/-1", "/documents/%00"):
        r = client.get(base + path, auth=auth)
        assert r.status_code == 404 and r.json() == NOT_FOUND, path
    db.dispose()


def test_a_failed_round_is_retried_by_the_next_server_process(tmp_path):
    """Real servers: the first round fails, the server stops, another one on the same database
    sends the next round when it is due."""
    listener = Listener(failures=3)
    env = {"INVOICE_EXTRACT_ITEMIZE_WEBHOOK_SCHEDULE": "0,8", "INVOICE_EXTRACT_ITEMIZE_MIN_IMAGE_BYTES": "0"}
    server = start_server(tmp_path, workers=1, env=env)
    try:
        me = new_client(server)
        requests.post(me.base + "/webhooks", auth=me.auth, timeout=10, json={"url": listener.url})
        doc_id = me.upload(receipt_pdf(ReceiptSpec()), {"format": "application/pdf"}).json()["id"]
        deadline = time.monotonic() + 60
        while len(listener.hits) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(listener.hits) == 3
    finally:
        stop_server(server)
    first = listener.hits[0]["at"]
    server = start_server(tmp_path, workers=1, env=env)
    try:
        deadline = time.monotonic() + 30
        while len(listener.hits) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(listener.hits) == 4
        assert listener.hits[3]["at"] - first >= 7.5
        assert json.loads(listener.hits[3]["body"])["data"]["id"] == doc_id
        time.sleep(1)
        assert len(listener.hits) == 4  # delivered once
    finally:
        stop_server(server)
        listener.close()


def test_migration_0006_downgrades_and_upgrades(tmp_path):
    from service_helpers import assert_migration_round_trip

    assert_migration_round_trip(tmp_path, "0005", {"webhook_deliveries", "itemize_accounts", "itemize_documents",
                                                   "itemize_webhooks"})
