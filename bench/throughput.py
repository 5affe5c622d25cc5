"""Throughput of the server with N extraction workers against one worker, on the same documents.

    python -m invoice_extract.bench.throughput [--folder receipts] [--count 24] [--workers 1 2]

For each worker count a fresh server (``invoice-extract serve --workers N``, a temporary SQLite
database) and an account are started; the documents of a corpus folder (the first ``count``) are
sent at once through the version 2 expense route, and the clock runs from the first ``parse`` to
the last result that is no longer ``processing`` (results asked for one at a time, oldest first). Printed: seconds, documents per minute and the
speed-up against the first worker count. Run it on an otherwise idle machine: with two cores, two
workers can at best double one.
"""
from __future__ import annotations

import argparse
import base64
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .corpus import DEFAULT_CORPUS, documents
from .server import free_port, start_server, stop_server

CLI = Path(sys.executable).with_name("invoice-extract")


def call(url: str, route: str, params: dict) -> dict:
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}).encode()
    request = urllib.request.Request(url + route, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())["result"]


def run(workers: int, paths: list[Path]) -> float:
    folder = Path(tempfile.mkdtemp(prefix="invoice-extract-throughput-"))
    port = free_port()
    process, token = start_server(CLI, folder, port, workers=workers, credits=len(paths) + 10)
    url = f"http://127.0.0.1:{port}"
    try:
        # the worker processes start, import the engine and load its OCR models (warm_up, about
        # 2 s) before the clock, as a server in service has done long before
        time.sleep(5)
        started = time.perf_counter()
        pending = []
        for path in paths:
            answer = call(url, "/api/extract/expense/2/parse", {
                "account_token": token, "version": 132, "file_names": [path.name],
                "documents": [base64.b64encode(path.read_bytes()).decode()]})
            pending.append(answer["document_token"])
        # the oldest document first, the next only once it is done: polling every document
        # would take the workers' CPU
        while pending:
            answer = call(url, "/api/extract/expense/2/get_result", {
                "account_token": token, "version": 132, "document_token": pending[0]})
            if answer.get("status") == "processing":
                time.sleep(0.25)
            else:
                pending.pop(0)
        return time.perf_counter() - started
    finally:
        stop_server(process, 30)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", default="receipts")
    ap.add_argument("--count", type=int, default=24)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    paths = documents(DEFAULT_CORPUS / args.folder)[: args.count]
    print("| workers | documents | seconds | documents per minute | speed-up |\n|---|---|---|---|---|")
    first = None
    for workers in args.workers:
        seconds = run(workers, paths)
        first = first or seconds
        print(f"| {workers} | {len(paths)} | {seconds:.1f} | {60 * len(paths) / seconds:.1f} | "
              f"{first / seconds:.2f}× |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
