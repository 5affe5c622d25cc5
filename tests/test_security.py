"""A document's result and validation belong to its account, on every route generation; the
legacy ids cannot be counted through; a dbuuid binds a document; INVOICE_EXTRACT_REQUIRE_TOKEN
makes the token mandatory; hostile JSON gets a protocol error on a connection that stays usable."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests

from conftest import b64, start_server, stop_server
from fixtures import make_invoice_pdf

GENERATIONS = {
    "legacy": "/iap/invoice_extract",
    "v1": "/api/extract/invoice/1",
    "v2": "/api/extract/invoice/2",
}


@pytest.fixture(scope="module")
def pdf() -> str:
    return b64(make_invoice_pdf(invoice_id="SEC-1", total=121.0, subtotal=100.0, tax=21.0))


def parse(server, generation: str, token: str, pdf: str, **extra) -> dict:
    answer = server.call(GENERATIONS[generation] + "/parse", {"account_token": token, "documents": [pdf], **extra})
    assert answer["status"] == "success", answer
    return answer


def key_params(generation: str, parsed: dict) -> dict:
    return {"legacy": {"document_id": parsed.get("document_id")},
            "v1": {"document_uuid": parsed.get("document_uuid")},
            "v2": {"document_token": parsed.get("document_token")}}[generation]


def batch_key(generation: str, parsed: dict) -> str:
    return str({"legacy": parsed.get("document_id"), "v1": parsed.get("document_uuid"),
                "v2": parsed.get("document_token")}[generation])


def wait_done(server, generation: str, parsed: dict, token: str) -> None:
    server.wait(GENERATIONS[generation] + "/get_result", {**key_params(generation, parsed), "account_token": token})


VALUES = {"total": {"content": 121.0}, "invoice_id": {"content": "SEC-1"}}


@pytest.mark.parametrize("generation", list(GENERATIONS))
def test_another_account_can_neither_read_nor_validate(server, pdf, generation):
    owner, stranger = server.create_account(credits=5), server.create_account(credits=5)
    parsed = parse(server, generation, owner, pdf)
    wait_done(server, generation, parsed, owner)
    prefix, key = GENERATIONS[generation], key_params(generation, parsed)

    read = server.call(prefix + "/get_result", {**key, "account_token": stranger})
    assert read["status"] == "error_document_not_found" and "results" not in read
    if generation != "v2":
        batch_route = "/get_results" if generation == "legacy" else "/get_result_batch"
        batch_param = "documents_ids" if generation == "legacy" else "documents_uuids"
        raw_key = parsed["document_id"] if generation == "legacy" else parsed["document_uuid"]
        batch = server.call(prefix + batch_route, {batch_param: [raw_key], "account_token": stranger})
        assert batch[str(raw_key)]["status"] == "error_document_not_found"
    assert server.call(prefix + "/validate", {**key, "values": VALUES, "account_token": stranger})["status"] \
        == "error_document_not_found"
    if generation != "legacy":
        batch = server.call(prefix + "/validate_batch", {"documents": {batch_key(generation, parsed): VALUES},
                                                         "account_token": stranger})
        assert batch["documents"][batch_key(generation, parsed)]["status"] == "error_document_not_found"
    # nothing changed: the owner reads its result and validates its own bill
    assert server.call(prefix + "/get_result", {**key, "account_token": owner})["status"] == "success"
    assert server.call(prefix + "/validate", {**key, "values": VALUES, "account_token": owner})["status"] == "success"


def test_an_unknown_token_reaches_nothing(server, pdf):
    owner = server.create_account(credits=2)
    parsed = parse(server, "v1", owner, pdf)
    answer = server.call("/api/extract/invoice/1/get_result",
                         {"document_uuid": parsed["document_uuid"], "account_token": "f" * 64})
    assert answer["status"] == "error_document_not_found"


def test_legacy_ids_are_random_and_cannot_be_counted_through(server, pdf):
    owner, stranger = server.create_account(credits=12), server.create_account(credits=1)
    ids = [parse(server, "legacy", owner, pdf)["document_id"] for _ in range(10)]
    assert len(set(ids)) == 10 and all(0 < i < 2**31 for i in ids)
    assert not any(abs(a - b) < 1000 for a in ids for b in ids if a != b)  # ~1e-5 by chance
    # neighbours of a known id name nothing, with or without a token
    for neighbour in (ids[0] - 1, ids[0] + 1):
        assert server.call("/iap/invoice_extract/get_result", {"document_id": neighbour})["status"] \
            == "error_document_not_found"
    own = parse(server, "legacy", stranger, pdf)["document_id"]
    assert own not in ids


def test_a_dbuuid_binds_the_document(server, pdf):
    owner = server.create_account(credits=2)
    parsed = parse(server, "v1", owner, pdf, dbuuid="db-one")
    route = "/api/extract/invoice/1/get_result"
    assert server.call(route, {"document_uuid": parsed["document_uuid"], "dbuuid": "db-two"})["status"] \
        == "error_document_not_found"
    assert server.call(route, {"document_uuid": parsed["document_uuid"], "dbuuid": "db-one"})["status"] \
        in ("processing", "success")
    assert server.call(route, {"document_uuid": parsed["document_uuid"]})["status"] in ("processing", "success")
    refused = server.call("/api/extract/invoice/1/validate", {"document_uuid": parsed["document_uuid"],
                                                              "dbuuid": "db-two", "values": VALUES})
    assert refused["status"] == "error_document_not_found"


def test_integration_token_parses_whatever_it_is_sent_for_free(server):
    for documents in (["@@ not base64 @@"], [b64(b"plain text")], [], None):
        params = {"account_token": "integration_token"}
        if documents is not None:
            params["documents"] = documents
        answer = server.call("/api/extract/invoice/2/parse", params)
        assert answer["status"] == "success", answer
        result = server.call("/api/extract/invoice/2/get_result",
                             {"document_token": answer["document_token"], "account_token": "integration_token"})
        assert result["status"] == "success" and result["results"][0]["total"]


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("strict"), workers=1, env={"INVOICE_EXTRACT_REQUIRE_TOKEN": "1"})
    yield srv
    stop_server(srv)


def test_required_token_version_2_flow_passes(strict_server, pdf):
    token = strict_server.create_account(credits=2)
    parsed = strict_server.call("/api/extract/invoice/2/parse", {"account_token": token, "version": 123,
                                                                 "documents": [pdf]})
    params = {"version": 123, "document_token": parsed["document_token"], "account_token": token}
    result = strict_server.wait("/api/extract/invoice/2/get_result", params)
    assert result["status"] == "success"
    assert result["results"][0]["total"]["selected_value"]["content"] == pytest.approx(121.0)
    assert strict_server.call("/api/extract/invoice/2/validate", {**params, "values": VALUES})["status"] == "success"


def test_required_token_refuses_a_call_without_it(strict_server, pdf):
    token = strict_server.create_account(credits=2)
    parsed = strict_server.call("/api/extract/invoice/1/parse", {"account_token": token, "documents": [pdf]})
    for route, params in (("/api/extract/invoice/1/get_result", {"document_uuid": parsed["document_uuid"]}),
                          ("/api/extract/invoice/1/validate", {"document_uuid": parsed["document_uuid"],
                                                               "values": VALUES}),
                          ("/iap/invoice_extract/get_result", {"document_id": parsed["document_id"]})):
        answer = strict_server.call(route, params)
        assert answer["status"] == "error_invalid_account_token", answer
        assert "account_token" in answer["status_msg"] and "INVOICE_EXTRACT_REQUIRE_TOKEN" in answer["status_msg"]
    with_token = strict_server.call("/api/extract/invoice/1/get_result",
                                    {"document_uuid": parsed["document_uuid"], "account_token": token})
    assert with_token["status"] in ("processing", "success")


# -- hostile JSON -------------------------------------------------------------------------

def test_deep_nesting_is_a_parse_error_and_the_connection_stays_usable(server):
    with requests.Session() as session:
        body = b'{"jsonrpc": "2.0", "id": 1, "params": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
        for route in ("/api/extract/invoice/1/parse", "/iap/invoice_extract/get_result"):
            answer = session.post(server.url + route, data=body, headers={"Content-Type": "application/json"},
                                  timeout=30)
            assert answer.status_code == 200
            assert answer.json()["error"]["code"] == -32700 and "nested" in answer.json()["error"]["message"]
        moderately_deep = {"jsonrpc": "2.0", "id": 2, "params": {"values": json.loads("[" * 200 + "]" * 200)}}
        answer = session.post(server.url + "/api/extract/invoice/1/validate", json=moderately_deep, timeout=30)
        assert answer.json()["error"]["code"] == -32700
        assert session.get(server.url + "/health", timeout=10).json()["status"] == "ok"


def test_huge_numbers_and_lone_surrogates_get_protocol_statuses(server):
    huge = 10**30
    cases = [
        ("/iap/invoice_extract/get_result", {"document_id": huge}, "error_document_not_found"),
        ("/iap/invoice_extract/get_result", {"document_id": str(huge)}, "error_document_not_found"),
        ("/api/extract/invoice/1/get_result", {"document_id": huge}, "error_document_not_found"),
        ("/api/extract/invoice/1/get_result", {"document_id": str(huge)}, "error_document_not_found"),
        ("/api/extract/invoice/2/parse", {"version": huge, "account_token": "x", "documents": []},
         "error_unsupported_version"),
        ("/api/extract/invoice/1/parse", {"version": huge, "account_token": "x", "documents": [b64(b"%PDF-1.4")]},
         "error_invalid_account_token"),
    ]
    for route, params, status in cases:
        assert server.call(route, params)["status"] == status, (route, params)
    raw = b'{"jsonrpc": "2.0", "id": 3, "params": {"account_token": "\\ud800", "documents": ["JVBERi0xLjQ="]}}'
    answer = requests.post(server.url + "/api/extract/invoice/1/parse", data=raw,
                           headers={"Content-Type": "application/json"}, timeout=10).json()
    assert answer["result"]["status"] == "error_invalid_account_token"


def test_index_lists_the_routes(server):
    answer = requests.get(server.url + "/", timeout=10)
    assert answer.status_code == 200
    assert "/api/extract/invoice/2/parse" in answer.json()["routes"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unhandled_error_keeps_the_connection_usable(tmp_path, caplog):
    """A real fault outside every route's own handling: answered -32603, and the next request
    on the same keep-alive connection is served."""
    import uvicorn

    from invoice_extract.controllers.app import create_app
    from invoice_extract.models.db import Database
    from invoice_extract.models.document_service import DocumentService

    db = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    db.migrate()
    app = create_app(DocumentService(db))

    @app.get("/fault")
    def fault():
        raise RuntimeError("a bug")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with requests.Session() as session:
            answer = session.get(f"http://127.0.0.1:{port}/fault", timeout=10)
            assert answer.status_code == 200 and answer.json()["error"]["code"] == -32603
            assert answer.headers.get("connection", "").lower() != "close"
            assert session.get(f"http://127.0.0.1:{port}/health", timeout=10).json()["status"] == "ok"
    finally:
        server.should_exit = True
        thread.join(10)
        db.dispose()
