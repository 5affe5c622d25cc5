"""Train the candidate ranker on the labelled corpus and write ``data/ranker.json``.

    .venv/bin/python -m invoice_extract.bench.train_ranker [--corpus DIR] [--out FILE] [--cache DIR]
        [--section features|ocr_features]

The file has a section per kind of page (``extraction.ranking``):
- ``features``, pages with a text layer: the printed pages of ``invoices_visual``, ``einvoice``
  (XML set aside: it labels its own page) and ``invoices_vrdu``, and invoices generated in many
  layouts (``bench.synthetic``);
- ``ocr_features``, receipts read by OCR: the receipts of ``receipts`` and ``receipts_wild``,
  read with the default OCR engine (about 4 s a receipt: ``--cache`` keeps the reads).
For each, it collects every candidate the ranked features weigh, labels it with the truth
(the shared scorer's matching rules) and fits one logistic regression per feature
(scikit-learn, fixed seed): the same corpus gives the same file. ``--section`` retrains one
section and keeps the other as the file has it.
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
    from invoice_extract.extraction.ranking import DIGITAL_SECTION, MODEL_PATH, OCR_SECTION

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=rd.DEFAULT_CORPUS)
    ap.add_argument("--folders", nargs="*", default=list(rd.TRAIN_FOLDERS))
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--cache", type=Path, default=None, help="folder to keep read documents in (pickles)")
    ap.add_argument("--ocr-folders", nargs="*", default=list(rd.OCR_TRAIN_FOLDERS))
    ap.add_argument("--generated", type=int, default=rd.N_GENERATED,
                    help="invoices of bench.synthetic added to the corpus (0: none)")
    ap.add_argument("--section", choices=(DIGITAL_SECTION, OCR_SECTION), default=None,
                    help="retrain this section only (default: both)")
    args = ap.parse_args(argv)
    model = json.loads(args.out.read_text(encoding="utf-8")) if args.section and args.out.is_file() else {}
    if args.section in (None, DIGITAL_SECTION):
        rows = build_rows(args.corpus, args.folders, args.cache)
        for d in rd.generated_docs(args.generated):
            rows += rd.collect_rows(d)
        trained = rd.train(rows)
        model["format"], model[DIGITAL_SECTION] = trained["format"], trained["features"]
    if args.section in (None, OCR_SECTION):
        trained = rd.train(build_rows(args.corpus, args.ocr_folders, args.cache), rd.OCR_RANKED_FEATURES, rd.OCR_C)
        model["format"], model[OCR_SECTION] = trained["format"], trained["features"]
    write_model(model, args.out)
    for section in (DIGITAL_SECTION, OCR_SECTION):
        for name, m in sorted(model.get(section, {}).items()):
            print(f"{section:13s} {name:18s} rows {m['rows']:6d}  positives {m['positives']:5d}  "
                  f"features {len(m['names'])}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
