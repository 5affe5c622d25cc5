"""Bad input gets the protocol's status and a clear message, never a 500 or a charged credit."""
from __future__ import annotations

import requests

from conftest import b64


def test_malformed_json_rpc_gets_error_objects(server):
    url = server.url + "/api/extract/invoice/1/parse"
    cases = [b"{not json", b"[1, 2]", b'"text"',
             b'{"jsonrpc": "2.0", "id": 7, "params": [1, 2]}',
             b'{"jsonrpc": "1.0", "id": 8, "params": {}}']
    codes = []
    for body in cases:
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
        assert response.status_code == 200
        codes.append(response.json()["error"]["code"])
    assert codes == [-32700, -32600, -32600, -32602, -32600]


def test_unknown_route_and_method_are_not_500(server):
    assert requests.post(server.url + "/api/extract/invoice/9/parse", json={}, timeout=10).status_code == 404
    assert requests.get(server.url + "/api/extract/invoice/1/parse", timeout=10).status_code == 405


def test_parse_errors_and_no_charge(server):
    token = server.create_account(credits=1)
    route = "/api/extract/invoice/1/parse"
    assert server.call(route, {"account_token": "nope", "documents": [b64(b"%PDF-1.4")]})["status_code"] == 12
    assert server.call(route, {"account_token": token, "documents": ["@@not base64@@"]})["status_code"] == 6
    assert server.call(route, {"account_token": token, "documents": [b64(b"plain text, no document")]})["status_code"] == 6
    assert server.call(route, {"account_token": token, "documents": []})["status_code"] == 6
    assert server.call(route, {"account_token": token})["status_code"] == 6
    assert server.credits(token) == 1


def test_no_credit(server):
    from fixtures import make_invoice_pdf

    token = server.create_account(credits=0)
    result = server.call("/iap/invoice_extract/parse", {"account_token": token, "documents": [b64(make_invoice_pdf())]})
    assert result["status_code"] == 3 and result["status"] == "error_no_credit"
    assert server.credits(token) == 0


def test_unreadable_pdf_refunds_the_credit(server):
    token = server.create_account(credits=1)
    parsed = server.call("/api/extract/invoice/1/parse",
                         {"account_token": token, "documents": [b64(b"%PDF-1.4\n garbage that is no PDF")]})
    assert parsed["status"] == "success"
    result = server.wait("/api/extract/invoice/1/get_result", {"document_uuid": parsed["document_uuid"]})
    assert result["status"] == "error_unsupported_format", result
    assert result["status_code"] == 6 and result["status_msg"]
    assert server.credits(token) == 1


def test_document_not_found_everywhere(server):
    assert server.call("/iap/invoice_extract/get_result", {"document_id": 987654})["status_code"] == 4
    assert server.call("/iap/invoice_extract/get_result", {"document_id": "abc"})["status_code"] == 4
    assert server.call("/api/extract/invoice/1/get_result", {"document_uuid": "nope"})["status"] == "error_document_not_found"
    assert server.call("/api/extract/invoice/2/get_result",
                       {"version": 123, "document_token": "nope", "account_token": "x"})["status"] == "error_document_not_found"
    assert server.call("/api/extract/invoice/1/validate",
                       {"document_uuid": "nope", "values": {}})["status"] == "error_document_not_found"


def test_validation_format_and_version(server):
    parsed = server.call("/api/extract/invoice/1/parse", {"account_token": "integration_token",
                                                         "documents": [b64(b"%PDF-1.4")]})
    bad = server.call("/api/extract/invoice/1/validate",
                      {"document_uuid": parsed["document_uuid"], "values": {"total": 12}})
    assert bad["status"] == "error_validation_format" and bad["status_code"] == 12
    bad = server.call("/api/extract/invoice/1/validate",
                      {"document_uuid": parsed["document_uuid"], "values": "total=12"})
    assert bad["status_code"] == 12
    old = server.call("/api/extract/invoice/2/parse", {"version": 121, "account_token": "integration_token",
                                                      "documents": [b64(b"%PDF-1.4")]})
    assert old["status"] == "error_unsupported_version"


def test_oversized_body_is_refused_with_size_status(server):
    import os
    from invoice_extract.controllers.jsonrpc import MAX_BODY_BYTES

    body = b'{"jsonrpc":"2.0","id":1,"params":{"documents":["' + b"A" * (MAX_BODY_BYTES + 10) + b'"]}}'
    response = requests.post(server.url + "/api/extract/invoice/1/parse", data=body, timeout=60)
    assert response.status_code == 200
    assert response.json()["result"]["status"] == "error_unsupported_size"
    assert os.environ.get("INVOICE_EXTRACT_MAINTENANCE") is None
