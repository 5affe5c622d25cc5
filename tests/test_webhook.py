"""Webhooks: a real local HTTP listener receives a POST once the result is ready."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from invoice_extract.models import worker
from invoice_extract.models.document import Document
from invoice_extract.models.document_service import DocumentRef, DocumentService
from invoice_extract.models.webhook import WebhookSender, notify

from service_helpers import new_account, new_database, parse, sleepy_engine


class Listener:
    """http.server on 127.0.0.1:<free port>; answers the queued status codes, then 200."""

    def __init__(self, statuses: list[int] | None = None):
        self.requests: list[tuple[str, bytes]] = []
        self.statuses = list(statuses or [])
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                listener.requests.append((self.path, body))
                self.send_response(listener.statuses.pop(0) if listener.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/extract/done/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.close()


def wait_for(predicate, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def webhook_state(db, doc_id):
    with db.session() as session:
        return session.get(Document, doc_id).webhook_state


@pytest.mark.parametrize("key", ["id", "uuid", "token"])
def test_result_ready_posts_to_the_webhook(tmp_path, listener, key):
    db = new_database(tmp_path)
    service = DocumentService(db)
    out = parse(service, new_account(db), webhook_url=listener.url, webhook_key=key)
    sender = WebhookSender(db, poll_seconds=0.05).start()
    try:
        time.sleep(0.3)
        assert listener.requests == []  # nothing before the result is ready
        worker.process(db, worker.claim_next(db, "w"), "w", sleepy_engine)
        wait_for(lambda: webhook_state(db, out.document_id) == "sent")
    finally:
        sender.stop()
    expected = {"id": str(out.document_id), "uuid": out.document_uuid, "token": out.document_token}[key]
    assert len(listener.requests) == 1
    path, body = listener.requests[0]
    assert path == "/extract/done/" + expected
    assert body == b""  # an empty POST, as Odoo documents: the client fetches the result itself


def test_integration_token_documents_notify_at_once(tmp_path, listener):
    db = new_database(tmp_path)
    out = parse(DocumentService(db), "integration_token", webhook_url=listener.url.rstrip("/"))
    sender = WebhookSender(db, poll_seconds=0.05).start()
    try:
        wait_for(lambda: webhook_state(db, out.document_id) == "sent")
    finally:
        sender.stop()
    assert listener.requests[0][0] == "/extract/done/" + out.document_uuid


def test_failed_documents_notify_too(tmp_path, listener):
    db = new_database(tmp_path)
    out = parse(DocumentService(db), new_account(db), b"%PDF-1.4 broken", webhook_url=listener.url)
    worker.process(db, worker.claim_next(db, "w"), "w")
    sender = WebhookSender(db, poll_seconds=0.05).start()
    try:
        wait_for(lambda: webhook_state(db, out.document_id) == "sent")
    finally:
        sender.stop()
    assert listener.requests[0][0] == "/extract/done/" + out.document_uuid
    assert DocumentService(db).get_result(DocumentRef(uuid=out.document_uuid)).status == "error_unsupported_format"


def test_notify_retries_after_a_server_error():
    server = Listener(statuses=[500, 503])
    try:
        assert notify(server.url + "x", retries=3, backoff=0.01)
        assert len(server.requests) == 3
    finally:
        server.close()


def test_notify_gives_up_when_nobody_listens(tmp_path):
    server = Listener()
    url = server.url
    server.close()  # the port is closed now
    started = time.monotonic()
    assert not notify(url + "x", retries=2, timeout=1, backoff=0.01)
    assert time.monotonic() - started < 5


def test_unreachable_webhook_is_marked_failed_and_does_not_block(tmp_path):
    server = Listener()
    dead_url = server.url
    server.close()
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db)
    out = parse(service, token, webhook_url=dead_url)
    worker.process(db, worker.claim_next(db, "w"), "w", sleepy_engine)
    sender = WebhookSender(db, poll_seconds=0.05, retries=2, timeout=1, backoff=0.01).start()
    try:
        wait_for(lambda: webhook_state(db, out.document_id) == "failed")
    finally:
        sender.stop()
    assert service.get_result(DocumentRef(id=out.document_id)).status == "success"


# -- where a webhook may go ---------------------------------------------------------------

def test_webhook_targets_never_link_local_and_only_allowed_networks(monkeypatch):
    from invoice_extract.models.webhook import address_problem, allowed_webhook_url, resolved_problem

    monkeypatch.delenv("INVOICE_EXTRACT_WEBHOOK_NETWORKS", raising=False)
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://[::ffff:169.254.169.254]/",
                "ftp://127.0.0.1/x", "file:///etc/passwd", "http:///nohost", "http://127.0.0.1:99999/",
                "http://0.0.0.0/"):
        assert allowed_webhook_url(url), url
    # by default the Odoo being served may sit on this host or the LAN
    for url in ("http://127.0.0.1:8069/extract", "https://10.1.2.3/x", "http://odoo.example.com/x"):
        assert allowed_webhook_url(url) is None, url
    # a decimal IPv4 literal resolves to what it is, and is checked as such
    assert resolved_problem("http://2852039166/") is not None  # 169.254.169.254
    monkeypatch.setenv("INVOICE_EXTRACT_WEBHOOK_NETWORKS", "192.168.0.0/16, ::1/128")
    assert address_problem("127.0.0.1") and address_problem("10.0.0.1")
    assert address_problem("192.168.4.2") is None and address_problem("::1") is None


def test_a_refused_webhook_is_dropped_at_parse(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    out = parse(service, new_account(db), webhook_url="http://169.254.169.254/latest/meta-data/")
    assert out.status == "success"
    with db.session() as session:
        assert session.get(Document, out.document_id).webhook_url is None


def test_notify_refuses_a_host_outside_the_networks(monkeypatch, listener):
    monkeypatch.setenv("INVOICE_EXTRACT_WEBHOOK_NETWORKS", "10.0.0.0/8")
    assert notify(listener.url + "x", retries=1, timeout=2) is False
    assert listener.requests == []
    monkeypatch.delenv("INVOICE_EXTRACT_WEBHOOK_NETWORKS")
    assert notify(listener.url + "x", retries=1, timeout=2) is True
