"""Time the engine against the raw library cost of the same input.

    python -m invoice_extract.bench.speed [--corpus DIR] [--receipts N] [--repeat K]

Digital path: ``extract()`` on each invoices_visual PDF vs. pdfplumber's ``extract_words()``
on all its pages. Scanned path: ``extract()`` on every receipt (or the first N) vs.
``pytesseract.image_to_data`` on the same image. Both run with the engine's environment
(Tesseract single-threaded, see reader.single_threaded_tesseract). Prints medians, totals
and the ratios; writes bench/out/speed.json.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

from .corpus import DEFAULT_CORPUS, ROOT


def _best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def raw_pdfplumber(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_words()


def raw_tesseract(data: bytes) -> None:
    import pytesseract
    from PIL import Image

    pytesseract.image_to_data(Image.open(io.BytesIO(data)), lang="eng", output_type=pytesseract.Output.DICT)


def measure(files: list[Path], raw, document_type: str, repeat: int) -> dict:
    from invoice_extract.extraction import ExtractOptions, extract

    rows = []
    for path in files:
        data = path.read_bytes()
        options = ExtractOptions(document_type=document_type)
        raw_s = _best_of(lambda: raw(data), repeat)
        engine_s = _best_of(lambda: extract(data, path.name, options), repeat)
        rows.append({"file": path.name, "raw_s": raw_s, "engine_s": engine_s, "ratio": engine_s / raw_s})
    total_raw = sum(r["raw_s"] for r in rows)
    total_engine = sum(r["engine_s"] for r in rows)
    return {
        "documents": len(rows),
        "raw_median_s": statistics.median(r["raw_s"] for r in rows),
        "engine_median_s": statistics.median(r["engine_s"] for r in rows),
        "raw_total_s": total_raw,
        "engine_total_s": total_engine,
        "ratio_total": total_engine / total_raw,
        "ratio_median": statistics.median(r["ratio"] for r in rows),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    from invoice_extract.extraction.reader import single_threaded_tesseract

    single_threaded_tesseract()  # the raw readings run as the engine's do
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--receipts", type=int, default=0, help="the first N receipts (default: all)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    digital = sorted((args.corpus / "invoices_visual").glob("*.pdf"))
    scans = sorted((args.corpus / "receipts").glob("*.jpg"))[: args.receipts or None]
    report = {
        "digital": measure(digital, raw_pdfplumber, "invoice", args.repeat),
        "scanned": measure(scans, raw_tesseract, "expense", max(1, args.repeat - 2)),
    }
    print(f"{'path':10} {'docs':>5} {'raw median':>11} {'engine median':>14} {'raw total':>10} "
          f"{'engine total':>13} {'ratio':>6}")
    for name, r in (("digital", report["digital"]), ("scanned", report["scanned"])):
        print(f"{name:10} {r['documents']:>5} {r['raw_median_s']*1000:>9.0f}ms {r['engine_median_s']*1000:>12.0f}ms "
              f"{r['raw_total_s']:>9.2f}s {r['engine_total_s']:>12.2f}s {r['ratio_total']:>5.2f}x")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
