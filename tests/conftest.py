"""Shared test fixtures: a real server process on a real database file, and JSON-RPC helpers."""
from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/fixtures.py and friends

CLI = [sys.executable, "-m", "invoice_extract.controllers.cli", "--log-level", "WARNING"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, database_url: str, process: subprocess.Popen, log: Path):
        self.url, self.database_url, self.process, self.log = url, database_url, process, log

    def rpc(self, route: str, params: dict, request_id=1) -> dict:
        response = requests.post(self.url + route, json={"jsonrpc": "2.0", "method": "call",
                                                         "params": params, "id": request_id}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def call(self, route: str, params: dict) -> dict:
        body = self.rpc(route, params)
        assert "result" in body, body
        return body["result"]

    def create_account(self, credits: int = 10, name: str = "test") -> str:
        out = subprocess.run(CLI + ["accounts", "create", "--credits", str(credits), "--name", name,
                                    "--database-url", self.database_url],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]

    def credits(self, token: str) -> int:
        from invoice_extract.models.db import Database
        from invoice_extract.models.document_service import DocumentService

        db = Database(self.database_url)
        try:
            return DocumentService(db).account_credits(token)
        finally:
            db.dispose()

    def wait(self, route: str, params: dict, timeout: float = 120, processing=("processing",)) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            result = self.call(route, params)
            if result.get("status") not in processing:
                return result
            assert time.monotonic() < deadline, f"still processing after {timeout}s"
            time.sleep(0.3)


def start_server(tmp: Path, workers: int = 1, env: dict | None = None) -> Server:
    port = free_port()
    database_url = f"sqlite:///{tmp / 'server.sqlite3'}"
    log = tmp / "server.log"
    process = subprocess.Popen(
        CLI + ["serve", "--host", "127.0.0.1", "--port", str(port), "--database-url", database_url,
               "--workers", str(workers)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=tmp)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            if requests.get(url + "/health", timeout=1).ok:
                return Server(url, database_url, process, log)
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("server"), workers=2)
    yield srv
    stop_server(srv)


@pytest.fixture
def account(server) -> str:
    return server.create_account(credits=20)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
