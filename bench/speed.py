"""Time the engine against the raw library cost of the same input.

    python -m invoice_extract.bench.speed [--corpus DIR] [--receipts N] [--repeat K]

Digital path: ``extract()`` on each invoices_visual PDF vs. pdfplumber's ``extract_words()``
on all its pages. Scanned path: ``extract()`` on every receipt (or the first N) vs. the raw
call of the OCR engine the scanned path runs (ocr_engines.choose_engine: RapidOCR's own call
with the engine's settings, or ``pytesseract.image_to_data``) on the same image, and vs. raw
Tesseract as before. All run with the engine's environment (one OCR thread, see
ocr_engines.ocr_threads); RapidOCR is loaded before the clock starts, as a worker keeps it.
Prints medians, totals and the ratios; writes bench/out/speed.json.
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


def raw_rapidocr(data: bytes) -> None:
    from PIL import Image

    from invoice_extract.extraction.ocr_engines import rapidocr_engine

    rapidocr_engine()(Image.open(io.BytesIO(data)).convert("RGB"))


def measure(files: list[Path], raw, document_type: str, repeat: int, also: dict | None = None) -> dict:
    """Engine vs. ``raw`` per file; ``also``: other raw readings timed beside (name → function)."""
    from invoice_extract.extraction import ExtractOptions, extract

    also = also or {}
    rows = []
    for path in files:
        data = path.read_bytes()
        options = ExtractOptions(document_type=document_type)
        raw_s = _best_of(lambda: raw(data), repeat)
        engine_s = _best_of(lambda: extract(data, path.name, options), repeat)
        row = {"file": path.name, "raw_s": raw_s, "engine_s": engine_s, "ratio": engine_s / raw_s}
        for name, fn in also.items():
            row[f"{name}_s"] = _best_of(lambda: fn(data), repeat)
        rows.append(row)
    total_raw = sum(r["raw_s"] for r in rows)
    total_engine = sum(r["engine_s"] for r in rows)
    report = {
        "documents": len(rows),
        "raw_median_s": statistics.median(r["raw_s"] for r in rows),
        "engine_median_s": statistics.median(r["engine_s"] for r in rows),
        "raw_total_s": total_raw,
        "engine_total_s": total_engine,
        "ratio_total": total_engine / total_raw,
        "ratio_median": statistics.median(r["ratio"] for r in rows),
        "rows": rows,
    }
    for name in also:
        total = sum(r[f"{name}_s"] for r in rows)
        report[f"{name}_median_s"] = statistics.median(r[f"{name}_s"] for r in rows)
        report[f"{name}_total_s"] = total
        report[f"ratio_total_vs_{name}"] = total_engine / total
        report[f"ratio_median_vs_{name}"] = statistics.median(r["engine_s"] / r[f"{name}_s"] for r in rows)
    return report


def main(argv: list[str] | None = None) -> int:
    from invoice_extract.extraction.ocr_engines import choose_engine, rapidocr_engine
    from invoice_extract.extraction.reader import single_threaded_tesseract

    single_threaded_tesseract()  # the raw readings run as the engine's do
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--receipts", type=int, default=0, help="the first N receipts (default: all)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-digital", action="store_true", help="only the scanned path")
    args = ap.parse_args(argv)
    digital = [] if args.no_digital else sorted((args.corpus / "invoices_visual").glob("*.pdf"))
    scans = sorted((args.corpus / "receipts").glob("*.jpg"))[: args.receipts or None]
    engine = choose_engine()
    if engine == "rapidocr":
        rapidocr_engine()  # loaded once per worker, before the clock
        raw_scan, also = raw_rapidocr, {"tesseract": raw_tesseract}
    else:
        raw_scan, also = raw_tesseract, {}
    report = {
        "digital": measure(digital, raw_pdfplumber, "invoice", args.repeat) if digital else None,
        "scanned": measure(scans, raw_scan, "expense", max(1, args.repeat - 2), also),
        "scanned_ocr": engine,
    }
    print(f"{'path':10} {'docs':>5} {'raw median':>11} {'engine median':>14} {'raw total':>10} "
          f"{'engine total':>13} {'ratio':>6}")
    for name, r in (("digital", report["digital"]), ("scanned", report["scanned"])):
        if r is None:
            continue
        print(f"{name:10} {r['documents']:>5} {r['raw_median_s']*1000:>9.0f}ms {r['engine_median_s']*1000:>12.0f}ms "
              f"{r['raw_total_s']:>9.2f}s {r['engine_total_s']:>12.2f}s {r['ratio_total']:>5.2f}x")
    scanned = report["scanned"]
    print(f"scanned path on {engine}: median {scanned['engine_median_s']*1000:.0f} ms vs raw {engine} "
          f"{scanned['raw_median_s']*1000:.0f} ms: {scanned['ratio_median']:.2f}x per receipt (median), "
          f"{scanned['ratio_total']:.2f}x in total")
    if "tesseract_median_s" in scanned:
        print(f"  vs raw Tesseract (image_to_data) median {scanned['tesseract_median_s']*1000:.0f} ms: "
              f"{scanned['ratio_median_vs_tesseract']:.2f}x (median), {scanned['ratio_total_vs_tesseract']:.2f}x in total")
    import resource

    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (one worker's work, OCR models loaded): {report['peak_rss_mb']:.0f} MB")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
