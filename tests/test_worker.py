"""Worker processes: leases, a worker killed mid-document, bounded attempts, engine errors."""
from __future__ import annotations

import os
import signal
import time

import pytest

from invoice_extract.models import worker
from invoice_extract.models.document import Document
from invoice_extract.models.document_service import DocumentRef, DocumentService
from invoice_extract.models.worker import WorkerPool

from service_helpers import failing_engine, invoice_pdf, new_account, new_database, parse, sleepy_engine

ENGINES = "service_helpers"


def wait_for(predicate, timeout: float = 60, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def document(db, doc_id: int) -> Document:
    with db.session() as session:
        return session.get(Document, doc_id)


def test_claim_is_exclusive_until_the_lease_expires(tmp_path):
    db = new_database(tmp_path)
    out = parse(DocumentService(db), new_account(db))
    assert worker.claim_next(db, "a", lease_seconds=0.5) == out.document_id
    assert worker.claim_next(db, "b", lease_seconds=0.5) is None  # held by a
    assert worker.renew_lease(db, out.document_id, "a", 0.5)
    assert not worker.renew_lease(db, out.document_id, "b", 0.5)
    time.sleep(0.7)
    assert worker.claim_next(db, "b", lease_seconds=30) == out.document_id  # a's lease lapsed
    worker.process(db, out.document_id, "a", sleepy_engine)  # a is late: its result is dropped
    assert document(db, out.document_id).state == "processing"
    worker.process(db, out.document_id, "b", sleepy_engine)
    doc = document(db, out.document_id)
    assert (doc.state, doc.status, doc.attempts, doc.lease_owner) == ("done", "success", 2, None)


def test_engine_bug_ends_in_error_internal_and_refunds(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, credits=1)
    out = parse(service, token)
    assert service.account_credits(token) == 0
    worker.process(db, worker.claim_next(db, "w"), "w", failing_engine)
    assert service.get_result(DocumentRef(id=out.document_id)).status == "error_internal"
    assert service.account_credits(token) == 1


@pytest.mark.parametrize("data, status", [
    (invoice_pdf(pages=3, password="secret"), "error_password_protected"),
    (b"%PDF-1.7\nthis is not really a pdf\n%%EOF", "error_unsupported_format"),
])
def test_real_engine_reader_errors_are_mapped_and_refunded(tmp_path, data, status):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, credits=1)
    out = parse(service, token, data)
    assert out.status == "success"
    worker.process(db, worker.claim_next(db, "w"), "w")  # the real engine
    result = service.get_result(DocumentRef(id=out.document_id))
    assert result.status == status and result.message
    assert service.account_credits(token) == 1


def test_too_many_pages_found_by_the_worker_is_refunded(tmp_path):
    from invoice_extract.extraction.limits import DEFAULT_LIMITS

    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, credits=1)
    out = parse(service, token, invoice_pdf(pages=DEFAULT_LIMITS.max_pages + 1))
    worker.process(db, worker.claim_next(db, "w"), "w")
    assert service.get_result(DocumentRef(id=out.document_id)).status == "error_too_many_pages"
    assert service.account_credits(token) == 1


def test_worker_killed_mid_document_is_reclaimed(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_ENGINE_SECONDS", "2")
    db = new_database(tmp_path)
    service = DocumentService(db)
    out = parse(service, new_account(db))
    pool = WorkerPool(db.url, workers=1, lease_seconds=1.5, engine=f"{ENGINES}:sleepy_engine").start()
    try:
        owner = wait_for(lambda: document(db, out.document_id).lease_owner)
        victim = int(owner.split("-")[0])
        os.kill(victim, signal.SIGKILL)
        result = wait_for(lambda: (r := service.get_result(DocumentRef(id=out.document_id))).status != "processing"
                          and r)
        assert result.status == "success"
        assert result.results["engine_pid"] != victim
        assert document(db, out.document_id).attempts == 2
        assert all(p.is_alive() for p in pool.processes)  # the supervisor replaced the dead worker
    finally:
        pool.stop()


def test_a_document_that_always_kills_its_worker_gives_up(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, credits=1)
    out = parse(service, token)
    pool = WorkerPool(db.url, workers=1, lease_seconds=0.5, engine=f"{ENGINES}:dying_engine",
                      max_attempts=2).start()
    try:
        result = wait_for(lambda: (r := service.get_result(DocumentRef(id=out.document_id))).status != "processing"
                          and r, timeout=90)
    finally:
        pool.stop()
    assert result.status == "error_internal"
    assert document(db, out.document_id).attempts == 3
    assert service.account_credits(token) == 1


def test_pool_processes_many_documents_in_parallel(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, credits=10)
    ids = [parse(service, token).document_id for _ in range(6)]
    pool = WorkerPool(db.url, workers=2, engine=f"{ENGINES}:sleepy_engine").start()
    try:
        wait_for(lambda: all(service.get_result(DocumentRef(id=i)).status == "success" for i in ids))
    finally:
        pool.stop()
    pids = {service.get_result(DocumentRef(id=i)).results["engine_pid"] for i in ids}
    assert 1 <= len(pids) <= 2
    assert all(document(db, i).attempts == 1 for i in ids)


def test_lease_is_renewed_while_a_long_document_runs(tmp_path, monkeypatch):
    # the document runs more than twice the lease; the lease is long enough that a loaded
    # machine still renews it in time (renewals come several times per lease)
    monkeypatch.setenv("TEST_ENGINE_SECONDS", "7")
    db = new_database(tmp_path)
    service = DocumentService(db)
    out = parse(service, new_account(db))
    pool = WorkerPool(db.url, workers=2, lease_seconds=3, engine=f"{ENGINES}:sleepy_engine").start()
    try:
        result = wait_for(lambda: (r := service.get_result(DocumentRef(id=out.document_id))).status != "processing"
                          and r)
    finally:
        pool.stop()
    assert result.status == "success"
    assert document(db, out.document_id).attempts == 1  # the idle worker never took it over
