"""Run the engine over ../shared/corpus and score it with the shared scorer.

    python -m invoice_extract.bench.corpus [--corpus DIR] [--only SUBDIR ...] [--out DIR] [--jobs N]

Writes one ``results[0]`` JSON per document under --out (mirroring the corpus folders),
then prints the scorer's table per folder.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from invoice_extract.bench.scoring import print_scores

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DOC_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".xml", ".tif", ".tiff"}


def documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in DOC_SUFFIXES and not p.name.endswith(".truth.json"))


def _extract_one(args: tuple[str, str, str]) -> tuple[str, float, str | None]:
    from invoice_extract.extraction import ExtractOptions, extract

    path, out, document_type = args
    started = time.perf_counter()
    try:
        result = extract(Path(path).read_bytes(), os.path.basename(path),
                         ExtractOptions(document_type=document_type))
        error = None
    except Exception as e:  # a failing document is scored as all-wrong, not fatal to the run
        result, error = {}, f"{type(e).__name__}: {e}"
    Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return path, time.perf_counter() - started, error


def run_folder(folder: Path, out: Path, jobs: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # receipts (receipts/, receipts_wild/) are expenses: Odoo sends them on the expense route
    document_type = "expense" if folder.name.startswith("receipts") else "invoice"
    tasks = []
    for doc in documents(folder):
        stem = doc.name[: -len(doc.suffix)]
        tasks.append((str(doc), str(out / f"{stem}.json"), document_type))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, seconds, error in pool.map(_extract_one, tasks):
            if error:
                print(f"  ! {Path(path).name}: {error}", file=sys.stderr)
    print(f"{folder.name}: {len(tasks)} documents in {time.perf_counter() - started:.1f}s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--only", nargs="*", default=None, help="corpus sub-folders to run")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-run", action="store_true", help="only score existing predictions")
    ap.add_argument("-v", action="store_true", help="list wrong values")
    args = ap.parse_args(argv)
    folders = [args.corpus / name for name in (args.only or sorted(
        p.name for p in args.corpus.iterdir() if p.is_dir()))]
    for folder in folders:
        if not args.no_run:
            run_folder(folder, args.out / folder.name, args.jobs)
        print_scores(folder, args.out / folder.name, args.corpus, args.v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
