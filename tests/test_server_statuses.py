"""Against the real server: concurrent parses and credits, webhooks, and the remaining statuses."""
from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import b64
from fixtures import make_invoice_pdf


def test_concurrent_parses_on_a_ten_credit_account(server):
    token = server.create_account(credits=10)
    document = b64(make_invoice_pdf())

    def parse(_):
        return server.call("/api/extract/invoice/1/parse", {"account_token": token, "documents": [document]})

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(parse, range(20)))
    statuses = sorted(a["status"] for a in answers)
    assert statuses.count("success") == 10 and statuses.count("error_no_credit") == 10
    assert server.credits(token) == 0


def test_webhook_reaches_a_real_listener(server):
    hits: list[str] = []
    done = threading.Event()

    class Listener(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            done.set()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/account_invoice_extract/request_done"
        parsed = server.call("/api/extract/invoice/2/parse", {
            "account_token": server.create_account(credits=1), "version": 123,
            "documents": [b64(make_invoice_pdf())], "webhook_url": url})
        assert done.wait(60), "no webhook call"
        assert hits == ["/account_invoice_extract/request_done/" + parsed["document_token"]]
    finally:
        httpd.shutdown()


def _pdf(pages: int = 1, encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for i in range(pages):
        c.drawString(100, 700, f"Invoice 12 page {i + 1} Total 10.00 EUR")
        c.showPage()
    c.save()
    return buf.getvalue()


def test_password_and_page_limits_are_reported_and_refunded(server):
    token = server.create_account(credits=2)
    for pdf, status, code in ((_pdf(encrypt="secret"), "error_password_protected", 10),
                              (_pdf(pages=51), "error_too_many_pages", 11)):
        parsed = server.call("/api/extract/invoice/1/parse", {"account_token": token, "documents": [b64(pdf)]})
        assert parsed["status"] == "success"
        result = server.wait("/api/extract/invoice/1/get_result", {"document_uuid": parsed["document_uuid"]})
        assert (result["status"], result["status_code"]) == (status, code), result
    assert server.credits(token) == 2


def test_maintenance_mode(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from invoice_extract.controllers.app import create_app
    from invoice_extract.models.db import Database
    from invoice_extract.models.document_service import DocumentService

    db = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.migrate()
    client = TestClient(create_app(DocumentService(db)))
    monkeypatch.setenv("INVOICE_EXTRACT_MAINTENANCE", "1")
    body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"account_token": "x", "documents": []}}
    v1 = client.post("/api/extract/invoice/1/parse", json=body).json()["result"]
    v2 = client.post("/api/extract/invoice/2/parse", json=body).json()["result"]
    assert (v1["status"], v1["status_code"]) == ("error_maintenance", 9)
    assert v2["status"] == "error_maintenance" and "status_code" not in v2
