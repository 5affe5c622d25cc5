"""A worker's memory on hostile documents (bench/hostile.py).

    python -m invoice_extract.bench.memory [--bomb-mb 1024]
    python -m invoice_extract.bench.memory --series [FOLDER ...] [--count 20]

Each document is read in a fresh process, the way a worker reads it: ``steady_heap()`` once, ``extract()`` then
``give_memory_back()``. Printed per document: the outcome, the peak RSS, the RSS left after
the document, and the peak of the same process on a plain one-page invoice (the baseline of
the libraries themselves). INVOICE_EXTRACT_* settings pass through (e.g.
INVOICE_EXTRACT_OCR_ENGINE=tesseract). The exit status is 1 when a peak passes --max-mb (400).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CASES = {
    "plain page (baseline)": "hostile.page_of_shape(595, 842, text=True)",
    "embedded factur-x.xml bomb": "hostile.attachment_bomb(BOMB)",
    "content stream bomb": "hostile.content_bomb(BOMB)",
    "double Flate bomb": "hostile.double_flate_bomb(BOMB // 4)",
    "image of 400 Mpx": "hostile.image_bomb(20000, 20000)",
    "image of 56 Mpx (under the limit)": "hostile.image_bomb(7000, 8000)",
    "page 3 x 14,400 pt": "hostile.page_of_shape(3, 14400)",
    "page 14,400 x 14,400 pt": "hostile.page_of_shape(14400, 14400)",
    "400,000 unterminated streams": "hostile.unterminated_streams(400_000)",
    "A4 scan at 300 dpi, 60 lines of text": "hostile.text_scan(300, 60)",
}

# What every child starts with: the worker's heap setting, and how it reports what it measured.
PRELUDE = """
import json, resource, sys, time
from pathlib import Path
from invoice_extract.extraction import ExtractOptions, extract
from invoice_extract.models.worker import give_memory_back, steady_heap

steady_heap()

def report(**measured):
    with open("/proc/self/statm") as f:
        after_mb = int(f.read().split()[1]) * 4096 / 2**20
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(measured, peak_mb=peak_mb, after_mb=after_mb)))
"""

CHILD = PRELUDE + """
from invoice_extract.bench import hostile

BOMB = {bomb}
data = {make}
started = time.perf_counter()
try:
    extract(data, "hostile.pdf" if data.startswith(b"%PDF") else "hostile.png", ExtractOptions())
    outcome = "result"
except Exception as e:
    outcome = getattr(e, "status", type(e).__name__)
give_memory_back()
report(bytes=len(data), outcome=outcome, seconds=time.perf_counter() - started)
"""

# A worker's life: one process reading a series of real documents one after the other.
SERIES_CHILD = PRELUDE + """
paths = {paths!r}
started = time.perf_counter()
for path in paths:
    try:
        extract(Path(path).read_bytes(), Path(path).name, ExtractOptions(document_type="expense"))
    except Exception:
        pass
    give_memory_back()
report(count=len(paths), seconds=time.perf_counter() - started)
"""


def measure(code: str) -> tuple[dict | None, str]:
    """Runs a child measuring itself: (its JSON line, "") or (None, why it crashed)."""
    settings = {k: v for k, v in os.environ.items() if k.startswith("INVOICE_EXTRACT_")}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={
        "OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin", **settings})
    if run.returncode != 0:
        return None, f"crashed: {run.stderr.strip().splitlines()[-1:]}"
    return json.loads(run.stdout.strip().splitlines()[-1]), ""


def series(folders: list[str], count: int) -> float:
    """Peak RSS of one process reading the first ``count`` documents of each corpus folder."""
    from .corpus import DEFAULT_CORPUS, documents

    worst = 0.0
    print("| series (one worker process) | documents | peak RSS | RSS after | seconds |\n|---|---|---|---|---|")
    for folder in folders:
        paths = [str(p) for p in documents(DEFAULT_CORPUS / folder)][:count]
        m, crash = measure(SERIES_CHILD.format(paths=paths))
        worst = max(worst, m["peak_mb"] if m else float("inf"))
        if crash:
            print(f"| {folder} | – | {crash} | – | – |")
            continue
        print(f"| {folder} | {m['count']} | {m['peak_mb']:.0f} MB | {m['after_mb']:.0f} MB | {m['seconds']:.0f} |")
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bomb-mb", type=int, default=1024, help="what the bombs inflate to")
    ap.add_argument("--max-mb", type=float, default=400)
    ap.add_argument("--series", nargs="*", metavar="FOLDER", default=None,
                    help="instead: one process reading corpus folders' documents in a row")
    ap.add_argument("--count", type=int, default=20, help="documents per --series folder")
    args = ap.parse_args(argv)
    if args.series is not None:
        worst = series(args.series or ["receipts", "receipts_wild"], args.count)
        print(f"\nworst peak: {worst:.0f} MB (limit {args.max_mb:.0f} MB)")
        return 0 if worst <= args.max_mb else 1
    worst = 0.0
    print("| document | file | outcome | peak RSS | RSS after | seconds |\n|---|---|---|---|---|---|")
    for name, make in CASES.items():
        m, crash = measure(CHILD.format(bomb=args.bomb_mb << 20, make=make))
        worst = max(worst, m["peak_mb"] if m else float("inf"))
        if crash:
            print(f"| {name} | – | {crash} | – | – | – |")
            continue
        print(f"| {name} | {m['bytes'] / 1024:,.0f} KB | {m['outcome']} | {m['peak_mb']:.0f} MB | {m['after_mb']:.0f} MB | {m['seconds']:.1f} |")
    print(f"\nworst peak: {worst:.0f} MB (limit {args.max_mb:.0f} MB)")
    return 0 if worst <= args.max_mb else 1


if __name__ == "__main__":
    sys.exit(main())
