"""Train the candidate ranker on the labelled corpus and write ``data/ranker.json``.

    .venv/bin/python -m invoice_extract.bench.train_ranker [--corpus DIR] [--out FILE]

Reads the printed pages of ``invoices_visual``, ``einvoice`` (XML set aside: it labels its
own page) and ``invoices_vrdu``, and invoices generated in many layouts (``bench.synthetic``), collects every candidate the ranked features weigh, labels
it with the truth (the shared scorer's matching rules) and fits one logistic regression per
feature (scikit-learn, fixed seed): the same corpus gives the same file.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from invoice_extract.bench import ranker_data as rd


def build_rows(corpus: Path, folders, cache: Path | None, docs=None) -> list:
    docs = docs if docs is not None else rd.corpus_docs(corpus, folders)
    rows = []
    for d in docs:
        rd.read(d, cache)
        rows += rd.collect_rows(d)
    return rows


def write_model(model: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    from invoice_extract.extraction.ranking import MODEL_PATH

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=rd.DEFAULT_CORPUS)
    ap.add_argument("--folders", nargs="*", default=list(rd.TRAIN_FOLDERS))
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--cache", type=Path, default=None, help="folder to keep read documents in (pickles)")
    ap.add_argument("--generated", type=int, default=rd.N_GENERATED,
                    help="invoices of bench.synthetic added to the corpus (0: none)")
    args = ap.parse_args(argv)
    rows = build_rows(args.corpus, args.folders, args.cache)
    for d in rd.generated_docs(args.generated):
        rows += rd.collect_rows(d)
    model = rd.train(rows)
    write_model(model, args.out)
    for name, m in sorted(model["features"].items()):
        print(f"{name:18s} rows {m['rows']:6d}  positives {m['positives']:5d}  features {len(m['names'])}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
