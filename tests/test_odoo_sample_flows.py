"""Odoo's three documented sample flows, replayed against the real server.

Odoo publishes a sample client (``implementation.py``) for each route generation: version 120
on ``/iap/invoice_extract/``, 122 on ``/api/extract/invoice/1/`` and 123 on
``/api/extract/invoice/2/``. These tests send the same requests and read the same keys as
those samples do (``status_msg`` on every answer, batch results keyed by the *string* id,
``document_id`` carrying a uuid on the version 1 validate …), with a real account token and
with ``integration_token``, so a caller changing only the domain name keeps working.
"""
from __future__ import annotations

import base64
import time
import uuid

import pytest
import requests

from fixtures import make_invoice_pdf

FIELDS = dict(invoice_id="INV-2024-0042", total=1210.00, subtotal=1000.00, tax=210.00)


class SampleClient:
    """Speaks to the server the way the published samples do: plain requests, JSON-RPC 2.0,
    ``raise_for_status`` on every call."""

    def __init__(self, domain: str, request_id=lambda: 0):
        self.domain, self.request_id = domain, request_id

    def call(self, path: str, params: dict) -> dict:
        payload = {"jsonrpc": "2.0", "method": "call", "params": params, "id": self.request_id()}
        response = requests.post(self.domain + path, json=payload, timeout=10)
        response.raise_for_status()
        return response.json()

    def poll(self, path: str, params: dict, still_processing, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        response = self.call(path, params)
        while still_processing(response):
            assert time.monotonic() < deadline, "still processing"
            time.sleep(0.3)  # the samples wait 5 s; the flow is the same
            response = self.call(path, params)
        return response


@pytest.fixture(scope="module")
def pdf_b64() -> str:
    return base64.b64encode(make_invoice_pdf(**FIELDS)).decode("ascii")


def _content(results: dict, feature: str):
    return results[feature]["selected_value"]["content"]


@pytest.mark.parametrize("use_integration_token", [False, True], ids=["account", "integration_token"])
def test_version_120_legacy_flow(server, account, pdf_b64, use_integration_token):
    token = "integration_token" if use_integration_token else account
    client = SampleClient(server.url)
    parsed = client.call("/iap/invoice_extract/parse",
                         {"account_token": token, "version": 120, "documents": [pdf_b64]})["result"]
    assert parsed["status_msg"] and parsed["status_code"] == 0
    document_id = parsed["document_id"]
    assert isinstance(document_id, int)
    params = {"version": 120, "document_ids": [document_id]}
    key = str(document_id)  # the batch answer is keyed by the id as a string
    response = client.poll("/iap/invoice_extract/get_results", params,
                           lambda r: r["result"][key]["status_code"] == 1)
    answer = response["result"][key]
    assert answer["status_code"] == 0, answer.get("status_msg")
    results = answer["results"][0]
    for feature in ("total", "subtotal", "invoice_id", "date"):
        assert _content(results, feature) is not None
    if not use_integration_token:
        assert _content(results, "total") == pytest.approx(FIELDS["total"])
        assert _content(results, "invoice_id") == FIELDS["invoice_id"]
    # the sample validates with the id as a string, global_taxes as an empty content list and
    # a line whose product is False
    values = {
        "total": {"content": 1210.0}, "subtotal": {"content": 1000.0}, "global_taxes": {"content": []},
        "global_taxes_amount": {"content": 210.0}, "date": {"content": "2024-03-15"},
        "due_date": {"content": "2024-04-14"}, "invoice_id": {"content": _content(results, "invoice_id")},
        "partner": {"content": "Acme Office Supplies GmbH"}, "VAT_Number": {"content": "DE246813573"},
        "currency": {"content": "EUR"}, "merged_lines": False,
        "invoice_lines": {"lines": [{"description": "Office chair", "quantity": 2.0, "unit_price": 300.0,
                                     "product": False, "taxes_amount": 126.0, "taxes": [], "subtotal": 600.0,
                                     "total": 726.0}]},
    }
    validated = client.call("/iap/invoice_extract/validate", {"document_id": key, "values": values})["result"]
    assert validated["status_code"] == 0
    if not use_integration_token:
        from invoice_extract.models.document_service import DocumentRef

        stored = _validation(server, DocumentRef(id=document_id))
        assert stored["total"] == {"content": 1210.0}
        assert stored["invoice_lines"]["lines"][0]["product"] is False


@pytest.mark.parametrize("use_integration_token", [False, True], ids=["account", "integration_token"])
def test_version_122_flow_on_route_1(server, account, pdf_b64, use_integration_token):
    token = "integration_token" if use_integration_token else account
    client = SampleClient(server.url)
    parsed = client.call("/api/extract/invoice/1/parse",
                         {"account_token": token, "version": 122, "documents": [pdf_b64]})["result"]
    assert parsed["status_msg"] and parsed["status"] == "success"
    document_uuid = parsed["document_uuid"]
    response = client.poll("/api/extract/invoice/1/get_result", {"version": 122, "document_uuid": document_uuid},
                           lambda r: r["result"]["status"] == "processing")
    assert response["result"]["status"] == "success", response["result"]["status_msg"]
    results = response["result"]["results"][0]
    for feature in ("total", "subtotal", "invoice_id", "date"):
        assert _content(results, feature) is not None
    batch = client.poll("/api/extract/invoice/1/get_result_batch",
                        {"version": 122, "document_uuids": [document_uuid]},
                        lambda r: r["result"][document_uuid]["status"] == "processing")
    assert batch["result"][document_uuid]["results"] == response["result"]["results"]
    # the sample validates on route 1 with `document_id` set to the document's uuid
    values = {
        "total": {"content": 1210.0}, "subtotal": {"content": 1000.0}, "total_tax_amount": {"content": 210.0},
        "date": {"content": "2024-03-15"}, "due_date": {"content": "2024-04-14"},
        "invoice_id": {"content": "INV-2024-0042"}, "partner": {"content": "Acme Office Supplies GmbH"},
        "VAT_Number": {"content": "DE246813573"}, "currency": {"content": "EUR"}, "merged_lines": True,
        "invoice_lines": {"lines": [{"description": "Furniture", "quantity": 1.0, "unit_price": 1000.0,
                                     "product": "Chairs and desks", "taxes_amount": 210.0,
                                     "taxes": [{"amount": 21.0, "type": "percent", "price_include": False}],
                                     "subtotal": 1000.0, "total": 1210.0}]},
    }
    validated = client.call("/api/extract/invoice/1/validate",
                            {"document_id": document_uuid, "values": values})["result"]
    assert validated["status"] == "success", validated["status_msg"]
    assert validated["status_msg"]
    if not use_integration_token:
        from invoice_extract.models.document_service import DocumentRef

        stored = _validation(server, DocumentRef(uuid=document_uuid))
        assert stored["merged_lines"] is True
        assert stored["invoice_lines"]["lines"][0]["taxes"][0]["type"] == "percent"
        again = client.call("/api/extract/invoice/1/validate", {"document_id": document_uuid, "values": values})
        assert again["result"]["status"] == "error_already_validated"


@pytest.mark.parametrize("use_integration_token", [False, True], ids=["account", "integration_token"])
def test_version_123_flow_on_route_2(server, account, pdf_b64, use_integration_token):
    token = "integration_token" if use_integration_token else account
    client = SampleClient(server.url, request_id=lambda: uuid.uuid4().hex)
    parsed = client.call("/api/extract/invoice/2/parse",
                         {"account_token": token, "version": 123, "documents": [pdf_b64]})["result"]
    assert parsed["status_msg"] and parsed["status"] == "success"
    params = {"version": 123, "document_token": parsed["document_token"], "account_token": token}
    response = client.poll("/api/extract/invoice/2/get_result", params,
                           lambda r: r["result"]["status"] == "processing")
    assert response["result"]["status"] == "success", response["result"]["status_msg"]
    results = response["result"]["results"][0]

    # the sample reads every field with .get() defaults: each present one must be a full feature
    def selected_value(field):
        return results.get(field, {}).get("selected_value", {}).get("content", "")

    for feature in ("total", "subtotal", "invoice_id", "date", "due_date", "currency"):
        assert selected_value(feature) not in ("", None), feature
    if not use_integration_token:
        assert selected_value("total") == pytest.approx(FIELDS["total"])
        assert selected_value("currency") == "EUR"
        assert selected_value("due_date") == "2024-04-14"


def _validation(server, ref) -> dict:
    from invoice_extract.models.db import Database
    from invoice_extract.models.document_service import DocumentService

    db = Database(server.database_url)
    try:
        stored = DocumentService(db).validation_of(ref)
    finally:
        db.dispose()
    assert stored is not None
    return stored
