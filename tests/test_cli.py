"""The invoice-extract command: accounts, local extraction, and serve + client end to end."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from invoice_extract.controllers.cli import main
from invoice_extract.models.db import Database
from invoice_extract.models.document_service import DocumentService, integration_sample

from service_helpers import invoice_pdf


@pytest.fixture()
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("INVOICE_EXTRACT_DATABASE_URL", url)
    return url


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_accounts_create_list_add_credits(db_url):
    created = run("accounts", "create", "--credits", "7", "--name", "Acme")
    assert created.exit_code == 0
    token = created.output.strip().splitlines()[-1]
    service = DocumentService(Database(db_url))
    assert service.account_credits(token) == 7
    listed = run("accounts", "list")
    assert "Acme" in listed.output and "7 credits" in listed.output
    assert token not in listed.output  # tokens are shown once, at creation
    assert run("accounts", "add-credits", token, "3").exit_code == 0
    assert service.account_credits(token) == 10
    assert run("accounts", "add-credits", "1", "5").exit_code == 0  # by id
    assert service.account_credits(token) == 15
    assert run("accounts", "add-credits", "no-such-token", "5").exit_code != 0
    assert run("accounts", "add-credits", token, "-5").exit_code != 0
    assert run("accounts", "create", "--credits", "-1").exit_code != 0


def test_extract_reports_unreadable_documents(tmp_path):
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(invoice_pdf(password="secret"))
    single = run("extract", str(locked))
    assert single.exit_code == 1 and "error_password_protected" in single.output
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    out = tmp_path / "out"
    batch = run("extract", str(locked), str(broken), "--out", str(out), "--jobs", "1")
    assert batch.exit_code == 0
    assert "0 of 2 documents written" in batch.output
    assert "error_unsupported_format" in batch.output
    assert run("extract", str(locked), str(broken)).exit_code != 0  # several files need --out


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoice_extract.controllers.cli", *args], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, **(env or {})))


@pytest.mark.parametrize("version", ["120", "1", "2"])
def test_client_parse_against_served_api(tmp_path, server, version):
    url = server.url
    bill = tmp_path / "bill.pdf"
    bill.write_bytes(invoice_pdf())
    done = cli("client", "parse", str(bill), "--url", url, "--token", "integration_token", "--version", version,
               "--poll", "0.2")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "success"
    expected_total = integration_sample("invoice")["total"]["selected_value"]["content"]
    assert answer["results"][0]["total"]["selected_value"]["content"] == expected_total


def test_served_workers_process_real_documents(tmp_path, server):
    """``server`` (tests/conftest.py) runs ``invoice-extract serve`` with real worker processes."""
    url = server.url
    token = server.create_account(credits=2)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing readable here")
    done = cli("client", "parse", str(broken), "--url", url, "--token", token, "--poll", "0.2")
    assert done.returncode == 1
    assert json.loads(done.stdout)["status"] == "error_unsupported_format"
    assert server.credits(token) == 2  # refunded
    refused = cli("client", "parse", str(broken), "--url", url, "--token", "wrong")
    assert refused.returncode == 1 and "error_invalid_account_token" in refused.stderr


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_workers_exit_when_the_server_stops(tmp_path, signal_name):
    """SIGTERM stops the workers through the server; after SIGKILL they notice they are orphans."""
    import signal
    import time

    from conftest import start_server

    srv = start_server(tmp_path, workers=2)
    pid = srv.process.pid
    time.sleep(2)  # let the workers finish starting
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        children = [int(c) for c in f.read().split()]
    assert len(children) >= 2  # the worker processes (and multiprocessing's resource tracker)
    os.kill(pid, getattr(signal, signal_name))
    returncode = srv.process.wait(20)
    if signal_name == "SIGTERM":
        assert returncode == 0
    deadline = time.monotonic() + 15
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [c for c in children if _alive(c)]
