"""Every route generation end to end against the real server: parse, poll, read, validate."""
from __future__ import annotations

import pytest

from conftest import b64
from fixtures import make_invoice_pdf

FIELDS = dict(invoice_id="INV-2024-0042", total=1210.00, subtotal=1000.00, tax=210.00)


@pytest.fixture(scope="module")
def invoice_b64():
    return b64(make_invoice_pdf(**FIELDS))


def _selected(results: dict, feature: str):
    return results[feature]["selected_value"]["content"]


def test_legacy_120_flow(server, account, invoice_b64):
    parsed = server.call("/iap/invoice_extract/parse", {
        "account_token": account, "version": 120, "documents": [invoice_b64], "file_names": ["bill.pdf"],
        "user_infos": {"user_company_VAT": "BE0477472701", "user_lang": "en_US"}, "dbuuid": "db-1"})
    assert parsed["status_code"] == 0 and isinstance(parsed["document_id"], int)
    result = server.wait("/iap/invoice_extract/get_result", {"document_id": parsed["document_id"]},
                         processing=("processing",))
    assert result["status_code"] == 0, result
    results = result["results"][0]
    assert _selected(results, "total") == pytest.approx(FIELDS["total"])
    # version 120 clients read each feature's candidates under `words`
    assert results["total"]["words"] == results["total"]["candidates"]
    assert results["total"]["selected_value"] in results["total"]["words"]
    batch = server.call("/iap/invoice_extract/get_results", {"documents_ids": [parsed["document_id"]]})
    assert set(batch) == {str(parsed["document_id"])}
    validated = server.call("/iap/invoice_extract/validate", {
        "document_id": parsed["document_id"],
        "values": {"total": {"content": 1210.0, "box": ["1,210.00", 0, 0.8, 0.7, 0.1, 0.02, 0]},
                   "partner": {"content": "Acme"}, "invoice_lines": {"lines": []}, "merged_lines": False}})
    assert validated["status_code"] == 0
    again = server.call("/iap/invoice_extract/validate", {"document_id": parsed["document_id"], "values": {}})
    assert again["status_code"] == 12


def test_v1_flow_with_uuid_and_deprecated_id(server, account, invoice_b64):
    parsed = server.call("/api/extract/invoice/1/parse", {
        "account_token": account, "version": 122, "documents": [invoice_b64],
        "user_infos": {"user_company_vat": "BE0477472701", "perspective": "client"}})
    assert parsed["status"] == "success" and parsed["status_code"] == 0
    uuid, number = parsed["document_uuid"], parsed["document_id"]
    result = server.wait("/api/extract/invoice/1/get_result", {"version": 122, "document_uuid": uuid})
    assert result["status"] == "success", result
    assert _selected(result["results"][0], "invoice_id") == FIELDS["invoice_id"]
    # the deprecated integer id, as int or as numeric string, reads the same document
    by_id = server.call("/api/extract/invoice/1/get_result", {"version": 122, "document_id": str(number)})
    assert by_id["results"] == result["results"]
    for route, key in (("get_result_batch", "documents_uuids"), ("get_result_batch", "document_uuids"),
                       ("get_results", "documents_uuids"), ("get_result_batch", "documents_ids")):
        ask = [number] if key == "documents_ids" else [uuid]
        batch = server.call(f"/api/extract/invoice/1/{route}", {"version": 122, key: ask})
        assert list(batch) == [str(ask[0])] and batch[str(ask[0])]["status"] == "success"
    lines = result["results"][0].get("invoice_lines", [])
    assert all("selected_value" in attr for line in lines for k, attr in line.items() if k != "taxes")
    validated = server.call("/api/extract/invoice/1/validate_batch", {"documents": {
        str(number): {"total": {"content": 1210.0}, "merged_lines": True}}})
    assert validated["status"] == "success", validated


def test_v2_flow_document_token(server, account, invoice_b64):
    parsed = server.call("/api/extract/invoice/2/parse", {
        "account_token": account, "version": 123, "documents": [invoice_b64]})
    assert parsed["status"] == "success" and "status_code" not in parsed
    token = parsed["document_token"]
    result = server.wait("/api/extract/invoice/2/get_result",
                         {"version": 123, "document_token": token, "account_token": account})
    assert result["status"] == "success", result
    results = result["results"][0]
    assert _selected(results, "total") == pytest.approx(FIELDS["total"])
    for line in results.get("invoice_lines", []):
        assert not isinstance(line.get("description"), dict)  # plain values on version 2
        assert isinstance(line.get("taxes", []), list)
    other = server.create_account(credits=1, name="other")
    hidden = server.call("/api/extract/invoice/2/get_result",
                         {"version": 123, "document_token": token, "account_token": other})
    assert hidden["status"] == "error_document_not_found"
    validated = server.call("/api/extract/invoice/2/validate", {
        "version": 123, "document_token": token, "account_token": account,
        "values": {"total": {"content": 1210.0}, "invoice_id": {"content": "INV-2024-0042"}}})
    assert validated["status"] == "success"


def test_expense_routes(server, account, invoice_b64):
    parsed = server.call("/api/extract/expense/2/parse", {
        "account_token": account, "version": 132, "documents": [invoice_b64]})
    assert parsed["status"] == "success"
    result = server.wait("/api/extract/expense/2/get_result",
                         {"version": 132, "document_token": parsed["document_token"], "account_token": account})
    assert result["status"] == "success"
    assert "invoice_lines" not in result["results"][0]
    assert result["results"][0]["total"]["selected_value"]["content"] == pytest.approx(FIELDS["total"])


def test_integration_token_is_free_and_fixed(server, invoice_b64):
    first = server.call("/api/extract/invoice/1/parse", {"account_token": "integration_token",
                                                        "documents": [invoice_b64]})
    second = server.call("/api/extract/invoice/1/parse", {"account_token": "integration_token",
                                                         "documents": [b64(b"%PDF-1.4 not even parsed")]})
    assert first["status"] == second["status"] == "success"
    results = [server.call("/api/extract/invoice/1/get_result", {"document_uuid": p["document_uuid"]})
               for p in (first, second)]
    assert results[0]["status"] == "success" and results[0]["results"] == results[1]["results"]
    assert "total" in results[0]["results"][0]
