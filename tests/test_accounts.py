"""Accounts: hashed tokens, and credits that never go negative under concurrent parses."""
from __future__ import annotations

import multiprocessing
import threading

from sqlalchemy import select

from invoice_extract.models.account import (INTEGRATION_TOKEN, Account, create_account, find_account,
                                            give_credit, hash_token, take_credit)
from invoice_extract.models.document import Document
from invoice_extract.models.document_service import DocumentService

from service_helpers import invoice_pdf, new_account, new_database, parse


def test_token_is_random_and_only_its_hash_is_stored(tmp_path):
    db = new_database(tmp_path)
    with db.session() as session:
        a, token_a = create_account(session, "a", 3)
        b, token_b = create_account(session, "b", 3)
    assert token_a != token_b and len(token_a) >= 32  # >= 128 bits of hex
    with db.session() as session:
        stored = session.scalars(select(Account.token_hash)).all()
        assert token_a not in stored and hash_token(token_a) in stored
        assert find_account(session, token_a).id == a.id
        assert find_account(session, token_b).id == b.id
        assert find_account(session, token_a[:-1] + ("0" if token_a[-1] != "0" else "1")) is None
        assert find_account(session, "") is None
        assert find_account(session, None) is None
        assert find_account(session, INTEGRATION_TOKEN) is None


def test_take_credit_stops_at_zero(tmp_path):
    db = new_database(tmp_path)
    with db.session() as session:
        account, _ = create_account(session, "a", 2)
    with db.session() as session:
        assert [take_credit(session, account.id) for _ in range(3)] == [True, True, False]
    with db.session() as session:
        assert session.get(Account, account.id).credits == 0
        give_credit(session, account.id, 4)
    with db.session() as session:
        assert session.get(Account, account.id).credits == 4


def test_parse_charges_one_credit_and_refuses_without_credit(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, credits=1)
    assert parse(service, token).status == "success"
    assert service.account_credits(token) == 0
    assert parse(service, token).status == "error_no_credit"
    assert parse(service, "not-a-token").status == "error_invalid_account_token"
    assert parse(service, None).status == "error_invalid_account_token"
    with db.session() as session:
        assert len(session.scalars(select(Document.id)).all()) == 1  # refused parses store nothing


def test_twenty_concurrent_parses_on_ten_credits_threads(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, credits=10)
    data = invoice_pdf()
    statuses: list[str] = []
    barrier = threading.Barrier(20)

    def one():
        barrier.wait()
        statuses.append(parse(service, token, data).status)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == ["error_no_credit"] * 10 + ["success"] * 10
    assert service.account_credits(token) == 0


def _parse_in_process(url: str, token: str, data: bytes, barrier, results) -> None:
    from invoice_extract.models.db import Database
    from invoice_extract.models.document_service import DocumentService, ParseRequest

    service = DocumentService(Database(url))
    barrier.wait()
    for _ in range(5):
        results.put(service.parse(ParseRequest(token, "invoice", [data])).status)


def test_twenty_concurrent_parses_on_ten_credits_processes(tmp_path):
    db = new_database(tmp_path)
    token = new_account(db, credits=10)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_parse_in_process, args=(db.url, token, invoice_pdf(), barrier, results))
             for _ in range(4)]
    for p in procs:
        p.start()
    statuses = [results.get(timeout=60) for _ in range(20)]
    for p in procs:
        p.join(30)
    assert sorted(statuses) == ["error_no_credit"] * 10 + ["success"] * 10
    assert DocumentService(db).account_credits(token) == 0
