"""A fresh server for a benchmark: a temporary SQLite database, N workers, one account.

Plain standard library, so that scripts run by another interpreter (``klippa_client_check.py``,
in the Klippa client's virtualenv) can import it beside the package's benchmarks.
"""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cli: str, folder: Path, port: int, workers: int = 1, credits: int = 50,
                 name: str = "bench"):
    """``invoice-extract serve`` on ``port`` with its database and log in ``folder``, once it
    answers; then an account with ``credits``. Returns (process, the account's token)."""
    database_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    with open(folder / "server.log", "w") as log:  # the server keeps its own copy of the handle
        process = subprocess.Popen([str(cli), "serve", "--host", "127.0.0.1", "--port", str(port),
                                    "--database-url", database_url, "--workers", str(workers)],
                                   stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            break
        except (OSError, urllib.error.HTTPError):
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise SystemExit(f"the server did not start; see {folder / 'server.log'}")
            time.sleep(0.5)
    out = subprocess.run([str(cli), "accounts", "create", "--credits", str(credits), "--name", name,
                          "--database-url", database_url], capture_output=True, text=True, check=True)
    return process, out.stdout.strip().splitlines()[-1]


def stop_server(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stops a server start_server started, killing it if it does not stop in ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
