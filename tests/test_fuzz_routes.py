"""Wrong types in every parameter of every JSON-RPC route: always the protocol's answer.

For each route, a valid call is sent with one parameter at a time replaced by a wrong value
(wrong JSON types, huge and negative numbers, lone surrogates, deep lists …). Every answer
must be HTTP 200 with JSON, none may be ``error_internal`` (that status is for real faults),
and the server's log must hold no traceback. Bounded in count (a few thousand requests) and in
time (the loop stops after TIME_BUDGET seconds, and says how far it got).
"""
from __future__ import annotations

import json
import time

import pytest
import requests

from conftest import b64, start_server, stop_server
from invoice_extract.bench import hostile

TIME_BUDGET = 120.0
WRONG_VALUES = [
    None, True, False, 0, -1, 2**31, 10**30, -(10**30), 1.5, "", "x" * 5000, "\ud800", "12", "-3", "1e400",
    "0x10", [], [None], [{}], [[1]], {}, {"a": {"b": [None]}}, {"content": None}, {"lines": "x"},
    json.loads("[" * 40 + "]" * 40),
]
PARSE = {"account_token": "integration_token", "version": None, "documents": None, "file_names": ["a.pdf"],
         "user_infos": {"user_company_vat": "DE1", "perspective": "client"}, "webhook_url": None, "dbuuid": "db"}


def routes(pdf: str, token: str, keys: dict) -> list[tuple[str, dict]]:
    parse = {**PARSE, "documents": [pdf]}
    charged_parse = {**parse, "account_token": token}
    values = {"total": {"content": 1.0}}
    out = []
    for kind in ("invoice", "expense"):
        legacy, v1, v2 = f"/iap/{kind}_extract", f"/api/extract/{kind}/1", f"/api/extract/{kind}/2"
        out += [
            (f"{legacy}/parse", {**parse, "version": 120}),
            (f"{v1}/parse", {**parse, "version": 122 if kind == "invoice" else 131}),
            (f"{v2}/parse", {**parse, "version": 123 if kind == "invoice" else 133}),
        ]
    out += [
        ("/api/extract/invoice/1/parse", charged_parse),
        ("/iap/invoice_extract/get_result", {"document_id": keys["id"], "account_token": token, "dbuuid": "db"}),
        ("/iap/invoice_extract/get_results", {"documents_ids": [keys["id"]], "document_ids": [keys["id"]],
                                              "account_token": token}),
        ("/iap/invoice_extract/validate", {"document_id": keys["id"], "values": values, "account_token": token}),
        ("/api/extract/invoice/1/get_result", {"document_uuid": keys["uuid"], "document_id": keys["id"],
                                               "account_token": token, "dbuuid": "db", "version": 122}),
        ("/api/extract/invoice/1/get_result_batch", {"documents_uuids": [keys["uuid"]], "document_uuids": [],
                                                     "documents_ids": [], "account_token": token}),
        ("/api/extract/invoice/1/get_results", {"documents_uuids": [keys["uuid"]], "account_token": token}),
        ("/api/extract/invoice/1/validate", {"document_uuid": keys["uuid"], "document_id": keys["uuid"],
                                             "values": values, "account_token": token, "dbuuid": "db"}),
        ("/api/extract/invoice/1/validate_batch", {"documents": {keys["uuid"]: values}, "account_token": token}),
        ("/api/extract/invoice/2/get_result", {"document_token": keys["token"], "account_token": token,
                                               "version": 123, "dbuuid": "db"}),
        ("/api/extract/invoice/2/validate", {"document_token": keys["token"], "values": values,
                                             "account_token": token, "version": 123}),
        ("/api/extract/invoice/2/validate_batch", {"documents": {keys["token"]: values}, "account_token": token,
                                                   "version": 123}),
    ]
    return out


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("fuzz"), workers=1)
    yield srv
    stop_server(srv)


def test_wrong_types_in_every_parameter_get_protocol_answers(fuzz_server):
    srv = fuzz_server
    token = srv.create_account(credits=100_000)
    pdf = b64(hostile.page_of_shape(595, 842, text=True))
    parsed = srv.call("/api/extract/invoice/1/parse", {"account_token": token, "documents": [pdf], "dbuuid": "db"})
    keys = {"id": parsed["document_id"], "uuid": parsed["document_uuid"],
            "token": srv.call("/api/extract/invoice/2/parse", {"account_token": token, "documents": [pdf],
                                                               "dbuuid": "db"})["document_token"]}
    sent, problems, started = 0, [], time.monotonic()
    with requests.Session() as session:  # one keep-alive connection: it must survive every answer
        for route, base in routes(pdf, token, keys):
            for name in base:
                for wrong in WRONG_VALUES:
                    if time.monotonic() - started > TIME_BUDGET:
                        break
                    params = {**base, name: wrong}
                    response = session.post(srv.url + route, json={"jsonrpc": "2.0", "method": "call",
                                                                   "params": params, "id": sent}, timeout=30)
                    sent += 1
                    text = response.text
                    if response.status_code != 200 or "error_internal" in text or "-32603" in text:
                        problems.append((route, name, repr(wrong)[:40], response.status_code, text[:200]))
                    else:
                        response.json()
        for body in (b'{"jsonrpc": "2.0", "id": 1, "params": {"version": NaN, "document_id": Infinity}}',
                     b'{"jsonrpc": "2.0", "id": 1, "params": {"document_id": 1e999}}',
                     b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": ["x"], "params": {}}',
                     b'{"jsonrpc": "2.0", "params": {"documents_ids": ' + b"[1," * 2000 + b"1" + b"]" * 2000 + b"}}",
                     b"\xff\xfe{", b"", b"null", b'{"jsonrpc": 2}'):
            for route in ("/iap/invoice_extract/get_result", "/api/extract/invoice/1/get_results",
                          "/api/extract/invoice/2/validate"):
                response = session.post(srv.url + route, data=body, headers={"Content-Type": "application/json"},
                                        timeout=30)
                sent += 1
                if response.status_code != 200 or "error_internal" in response.text or "-32603" in response.text:
                    problems.append((route, body[:40], response.status_code, response.text[:200]))
    assert sent > 1000, f"only {sent} requests within {TIME_BUDGET}s"
    assert not problems, problems[:10]
    time.sleep(1.0)  # let the worker finish what the valid parses queued
    log = srv.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
