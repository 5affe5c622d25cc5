"""The document service: parse checks, result reading, ownership, validation, integration token."""
from __future__ import annotations

import pytest

from invoice_extract.extraction.limits import Limits
from invoice_extract.models import worker
from invoice_extract.models.document_service import (DocumentRef, DocumentService, ParseRequest,
                                                     integration_sample, pick_document)

from service_helpers import invoice_pdf, new_account, new_database, parse, png_image, sleepy_engine


@pytest.fixture()
def db(tmp_path):
    database = new_database(tmp_path)
    yield database
    database.dispose()


def run_pending(db) -> None:
    """Process every pending document in this process with the stand-in engine."""
    while (doc_id := worker.claim_next(db, "test-owner")) is not None:
        worker.process(db, doc_id, "test-owner", sleepy_engine)


def test_parse_then_result_by_every_key(db):
    service = DocumentService(db)
    token = new_account(db)
    out = parse(service, token, user_infos={"user_lang": "fr_FR"})
    assert out.status == "success" and out.document_id and out.document_uuid and out.document_token
    for ref in (DocumentRef(id=out.document_id), DocumentRef(uuid=out.document_uuid),
                DocumentRef(token=out.document_token)):
        assert service.get_result(ref).status == "processing"
    run_pending(db)
    result = service.get_result(DocumentRef(token=out.document_token), token)
    assert result.status == "success" and result.document_uuid == out.document_uuid
    assert result.results["user_lang"] == "fr_FR"  # user_infos reach the engine's options
    assert service.get_result(DocumentRef(id=out.document_id + 100)).status == "error_document_not_found"
    assert service.get_result(DocumentRef()).status == "error_document_not_found"


def test_other_accounts_documents_are_not_found(db):
    service = DocumentService(db)
    owner, stranger = new_account(db), new_account(db)
    out = parse(service, owner)
    ref = DocumentRef(uuid=out.document_uuid)
    assert service.get_result(ref, stranger).status == "error_document_not_found"
    assert service.get_result(ref, "garbage").status == "error_document_not_found"
    assert service.get_result(ref, owner).status == "processing"
    run_pending(db)
    assert service.validate(ref, {"total": {"content": 1020.0}}, stranger).status == "error_document_not_found"
    assert service.validate(ref, {"total": {"content": 1020.0}}, owner).status == "success"


@pytest.mark.parametrize("data, status", [
    (b"", "error_unsupported_format"),
    (b"just some text, not a document", "error_unsupported_format"),
    (b"PK\x03\x04 a zip archive", "error_unsupported_format"),
])
def test_parse_refuses_unsupported_formats_without_charging(db, data, status):
    service = DocumentService(db)
    token = new_account(db, credits=3)
    assert parse(service, token, data).status == status
    assert service.account_credits(token) == 3


def test_parse_refuses_oversized_documents_without_charging(db):
    service = DocumentService(db, limits=Limits(max_bytes=1000))
    token = new_account(db, credits=3)
    out = parse(service, token, invoice_pdf())
    assert out.status == "error_unsupported_size"
    assert service.account_credits(token) == 3


def test_parse_accepts_images_and_rejects_unknown_document_type(db):
    service = DocumentService(db)
    token = new_account(db, credits=3)
    assert parse(service, token, png_image(), document_type="expense").status == "success"
    assert parse(service, token, document_type="receipt").status == "error_unsupported_format"
    assert service.account_credits(token) == 2


def test_no_document_is_an_error(db):
    service = DocumentService(db)
    token = new_account(db)
    assert service.parse(ParseRequest(token, "invoice", [])).status == "error_unsupported_format"


def test_pick_document_prefers_the_first_pdf():
    pdf = invoice_pdf()
    assert pick_document([png_image(), pdf], ["a.png", "b.pdf"]) == (pdf, "b.pdf")
    image = png_image()
    assert pick_document([image], []) == (image, "")


@pytest.mark.parametrize("document_type", ["invoice", "expense"])
def test_integration_token_returns_the_sample_without_charging(db, document_type):
    service = DocumentService(db)
    out = parse(service, "integration_token", b"not even a real document %PDF-", document_type=document_type)
    assert out.status == "success"
    result = service.get_result(DocumentRef(uuid=out.document_uuid), "integration_token")
    assert result.status == "success"
    assert result.results == integration_sample(document_type)
    assert result.results["total"]["selected_value"]["content"] > 0
    # another account does not see the integration document
    assert service.get_result(DocumentRef(uuid=out.document_uuid), new_account(db)).status == \
        "error_document_not_found"


def test_webhook_url_must_be_http(db):
    service = DocumentService(db)
    token = new_account(db)
    out = parse(service, token, webhook_url="file:///etc/passwd")
    assert out.status == "success"
    assert service.get_document(DocumentRef(id=out.document_id)).webhook_url is None
    out = parse(service, token, webhook_url="https://odoo.example.com/hook", webhook_key="bogus")
    doc = service.get_document(DocumentRef(id=out.document_id))
    assert doc.webhook_url == "https://odoo.example.com/hook" and doc.webhook_key == "uuid"


def test_validate_stores_values_once(db):
    service = DocumentService(db)
    token = new_account(db)
    out = parse(service, token)
    ref = DocumentRef(id=out.document_id)
    values = {"total": {"content": 1020.0}, "supplier": {"content": "Northwind Traders Ltd"},
              "invoice_lines": {"lines": [{"description": "Consulting", "quantity": 10, "unit_price": 85.0}]},
              "merged_lines": False, "global_taxes": {"content": [{"amount": 170.0, "tax_amount": 20.0}]}}
    # not before the result is ready
    assert service.validate(ref, values, token).status == "error_validation_format"
    run_pending(db)
    assert service.validate(ref, values, token).status == "success"
    assert service.validation_of(ref) == values
    assert service.validate(ref, values, token).status == "error_already_validated"
    assert service.validate(DocumentRef(id=999), values).status == "error_document_not_found"


@pytest.mark.parametrize("values", [
    "total=12",
    ["total"],
    {"total": 1020.0},
    {"total": {"value": 1020.0}},
    {"invoice_lines": "none"},
    {"merged_lines": "yes"},
])
def test_validate_rejects_wrong_shapes(db, values):
    service = DocumentService(db)
    token = new_account(db)
    out = parse(service, token)
    run_pending(db)
    assert service.validate(DocumentRef(id=out.document_id), values, token).status == "error_validation_format"


def test_migrations_match_the_models_and_rerun_cleanly(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from invoice_extract.models.base import Base

    db.migrate()  # a second run at start is a no-op
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_integration_samples_are_consistent_invoices():
    from stdnum import iban, vatin

    invoice = integration_sample("invoice")
    content = {k: v["selected_value"]["content"] for k, v in invoice.items()
               if isinstance(v, dict) and "selected_value" in v}
    assert content["subtotal"] + content["total_tax_amount"] == pytest.approx(content["total"])
    lines = sum(line["subtotal"]["selected_value"]["content"] for line in invoice["invoice_lines"])
    assert lines == pytest.approx(content["subtotal"])
    assert iban.is_valid(content["iban"]) and vatin.is_valid(content["VAT_Number"])
    expense = integration_sample("expense")
    assert expense["total"]["selected_value"]["content"] > 0 and "invoice_lines" not in expense
