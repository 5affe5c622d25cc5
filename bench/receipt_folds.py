"""Held-out accuracy on the receipt folders: documents split by store, scored per part.

    python -m invoice_extract.bench.receipt_folds [--only receipts receipts_wild] [--part tune|held]
        [--limit N] [--out DIR] [--set VAR=VALUE ...]

Every receipt goes to the fold of its store (the truth's ``supplier``, normalized to its first
letters and digits: branches of one chain and a receipt photographed twice land together), so a
setting tuned on the ``tune`` part is judged on stores it never saw (``held``). ``--limit``
takes the first N of a part in a fixed order (CPU is scarce: the README says how many were run).
The documents are read one after the other in this process, as a worker does (one OCR thread),
on the expense route; ``--set`` sets environment variables first (e.g.
``INVOICE_EXTRACT_OCR_ENGINE=tesseract``). The shared scorer scores the part only: it is given
a folder of links to the part's truth files under --out.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

from .corpus import DEFAULT_CORPUS, documents
from .scoring import print_scores

FOLDS = 2
PARTS = {"tune": 0, "held": 1}
STORE_KEY_CHARS = 8


def store_key(truth: dict, fallback: str) -> str:
    name = re.sub(r"[^0-9a-z]", "", (truth.get("supplier") or "").lower())
    return name[:STORE_KEY_CHARS] or fallback


def fold_of(key: str, folds: int = FOLDS) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % folds


def part_documents(folder: Path, part: str, limit: int = 0) -> list[Path]:
    chosen = []
    for doc in documents(folder):
        stem = doc.name[: -len(doc.suffix)]
        truth_path = folder / f"{stem}.truth.json"
        if not truth_path.exists():
            continue
        truth = json.loads(truth_path.read_text())
        if fold_of(store_key(truth, stem)) == PARTS[part]:
            chosen.append(doc)
    # a fixed order that is not the file order (SROIE numbers run by store in places)
    chosen.sort(key=lambda p: hashlib.sha1(p.name.encode()).hexdigest())
    return chosen[: limit or None]


def labelled(folder: Path, docs: list[Path]) -> list:
    from .ranker_data import LabelledDoc

    return [LabelledDoc(folder.name, p.name[: -len(p.suffix)], p,
                        json.loads((folder / f"{p.name[: -len(p.suffix)]}.truth.json").read_text()))
            for p in docs]


def train_ocr_ranker(corpus: Path, folders, part: str, cache: Path | None):
    """An OCR-section model trained on ``part`` of ``folders`` only (the other part is judged)."""
    from invoice_extract.extraction.ranking import OCR_SECTION, Ranker

    from . import ranker_data as rd

    rows = []
    for name in folders:
        for d in labelled(corpus / name, part_documents(corpus / name, part)):
            rd.read(d, cache)
            rows += rd.collect_rows(d)
    trained = rd.train(rows, rd.OCR_RANKED_FEATURES, rd.OCR_C)
    return Ranker({"format": trained["format"], OCR_SECTION: trained["features"]}, OCR_SECTION)


def run_part(folder: Path, docs: list[Path], out: Path, cache: Path | None = None) -> tuple[Path, float]:
    from invoice_extract.extraction import ExtractOptions, extract
    from invoice_extract.extraction.pipeline import extract_document

    from . import ranker_data as rd

    pred, truth = out / "pred" / folder.name, out / "truth" / folder.name
    for d in (pred, truth):
        d.mkdir(parents=True, exist_ok=True)
        for old in d.iterdir():
            old.unlink()
    started = time.perf_counter()
    for doc in docs:
        stem = doc.name[: -len(doc.suffix)]
        try:
            if cache is not None:  # the read kept from an earlier run (RapidOCR reads a page once)
                result = extract_document(rd.read(labelled(folder, [doc])[0], cache),
                                          ExtractOptions(document_type="expense"))
            else:
                result = extract(doc.read_bytes(), doc.name, ExtractOptions(document_type="expense"))
        except Exception as e:  # scored as all-wrong, not fatal to the run
            print(f"  ! {doc.name}: {type(e).__name__}: {e}", file=sys.stderr)
            result = {}
        (pred / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False))
        (truth / f"{stem}.truth.json").symlink_to(folder / f"{stem}.truth.json")
    return truth, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--only", nargs="*", default=["receipts", "receipts_wild"])
    ap.add_argument("--part", choices=sorted(PARTS), default="held")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("/tmp/invoice_extract-folds"))
    ap.add_argument("--set", nargs="*", default=[], metavar="VAR=VALUE")
    ap.add_argument("--patch", nargs="*", default=[], metavar="MODULE.NAME=VALUE",
                    help="set an engine constant first (a Python literal), e.g. pipeline.SECOND_READING_FIELDS=()")
    ap.add_argument("--cache", type=Path, default=None,
                    help="keep each read document here (pickles) and reuse it: for the default OCR engine, "
                         "which reads a page once")
    ap.add_argument("--ranker", choices=("file", "off", "other-part"), default="file",
                    help="the model's OCR section as committed, none (the finders' order), or trained on the "
                         "other part of the folders only (held-out)")
    ap.add_argument("--json", action="store_true", help="also write the scorer's JSON per folder")
    ap.add_argument("-v", action="store_true", help="list wrong values")
    args = ap.parse_args(argv)
    for item in args.set:
        var, _, value = item.partition("=")
        os.environ[var] = value
    for item in args.patch:
        import ast
        import importlib

        target, _, value = item.partition("=")
        module, _, name = target.rpartition(".")
        mod = importlib.import_module(f"invoice_extract.extraction.{module}")
        if not hasattr(mod, name):
            ap.error(f"no {target}")
        setattr(mod, name, ast.literal_eval(value))
    from contextlib import nullcontext

    from invoice_extract.extraction.ranking import use_model

    if args.ranker == "other-part":
        other = next(p for p in PARTS if p != args.part)
        scope = use_model(train_ocr_ranker(args.corpus, args.only, other, args.cache))
    else:
        scope = use_model(None) if args.ranker == "off" else nullcontext()
    with scope:
        for name in args.only:
            folder = args.corpus / name
            docs = part_documents(folder, args.part, args.limit)
            truth, seconds = run_part(folder, docs, args.out, args.cache)
            print(f"{name} [{args.part}, {len(docs)} documents, {seconds / max(1, len(docs)):.2f} s each, "
                  f"ranker {args.ranker}] {' '.join(args.set + args.patch)}", flush=True)
            print_scores(truth, args.out / "pred" / name, args.corpus, args.v,
                         args.out / f"{name}.score.json" if args.json else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
