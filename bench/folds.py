"""Held-out accuracy of the learned ranker: k folds by supplier / template, per folder.

    .venv/bin/python -m invoice_extract.bench.folds [--k 5] [--out DIR] [--cache DIR] [--json FILE]

Every document of the corpus folders gets a group (its issuer or template, see
``ranker_data.assign_groups``); whole groups go to one of k folds. For each fold a ranker is
trained on the other folds' documents only, and the fold's documents are extracted with it:
each document is scored by a model that never saw its supplier or layout. The same documents
are extracted with the finders' own order ("rules") for the before column. Both are scored
with the shared scorer, per folder.

(The hand-made rules themselves were tuned on ``invoices_visual``: its "rules" column is
not a held-out number.)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from invoice_extract.bench import ranker_data as rd

FIELDS = ("total", "subtotal", "total_tax_amount", "date", "due_date", "invoice_id", "currency", "supplier",
          "client", "VAT_Number")


def extract_to(d: rd.LabelledDoc, out_dir: Path) -> None:
    from invoice_extract.extraction.options import ExtractOptions
    from invoice_extract.extraction.pipeline import extract_document

    try:
        result = extract_document(d.doc, ExtractOptions())
    except Exception as e:  # scored as all-wrong, as bench.corpus does
        print(f"  ! {d.stem}: {type(e).__name__}: {e}", file=sys.stderr)
        result = {}
    target = out_dir / d.folder / (d.stem + ".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, ensure_ascii=False, default=str))


def run(corpus: Path, k: int, out: Path, cache: Path | None, folders, vrdu_by: str = "station",
        generated: int = rd.N_GENERATED, train_generated: bool = True) -> dict:
    from invoice_extract.extraction.ranking import Ranker, use_model

    docs = rd.corpus_docs(corpus, sorted(set(folders) | set(rd.TRAIN_FOLDERS)))
    started = time.perf_counter()
    for d in docs:
        rd.read(d, cache)
    print(f"read {len(docs)} documents in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    rd.assign_groups(docs, vrdu_by)
    gen = rd.generated_docs(generated) if generated else []
    docs += gen
    rd.assign_folds(docs, k)
    train_folders = set(rd.TRAIN_FOLDERS) | ({rd.GENERATED} if train_generated else set())
    if gen:
        folders = list(folders) + [rd.GENERATED]
    for d in docs:
        if d.folder in train_folders:
            rd.collect_rows(d)
    for fold in range(k):
        train_rows = [r for d in docs if d.folder in train_folders and d.fold != fold for r in d.rows]
        model = Ranker(rd.train(train_rows))
        held_out = [d for d in docs if d.fold == fold and d.folder in folders]
        with use_model(model):
            for d in held_out:
                extract_to(d, out / "ranked")
        with use_model(None):
            for d in held_out:
                extract_to(d, out / "rules")
        print(f"fold {fold}: trained on {len(train_rows)} candidates, {len(held_out)} held out",
              file=sys.stderr)
    sc = rd.scorer()
    report = {"k": k, "vrdu_groups": vrdu_by, "generated": generated, "train_generated": train_generated,
              "folders": {}}
    if gen:  # their truth, where the scorer looks for it
        for d in gen:
            target = out / "truth" / rd.GENERATED / (d.stem + ".truth.json")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(d.truth))
    for folder in folders:
        truth_dir = out / "truth" / folder if folder == rd.GENERATED else corpus / folder
        groups = {d.group for d in docs if d.folder == folder}
        entry = {"documents": sum(1 for d in docs if d.folder == folder), "groups": len(groups)}
        for tag in ("rules", "ranked"):
            m = sc.score(str(truth_dir), str(out / tag / folder))
            entry[tag] = {f: m["fields"][f]["accuracy"] for f in FIELDS if m["fields"][f]["present"]}
            entry[tag]["lines_f1"] = m["lines"]["f1"]
            entry[tag + "_wrong"] = {r["document"]: r["wrong"] for r in m["per_document"] if r["wrong"]}
        report["folders"][folder] = entry
    return report


def print_table(report: dict) -> None:
    for folder, entry in report["folders"].items():
        print(f"\n{folder} ({entry['documents']} documents, {entry['groups']} groups, {report['k']} folds)")
        print(f"  {'field':18s} {'rules':>7s} {'ranked':>7s}")
        for f, before in entry["rules"].items():
            after = entry["ranked"].get(f)
            show = lambda v: "-" if v is None else f"{v:.1f}"
            print(f"  {f:18s} {show(before):>7s} {show(after):>7s}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=rd.DEFAULT_CORPUS)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=list(rd.EVAL_FOLDERS))
    ap.add_argument("--out", type=Path, default=rd.ROOT / "bench" / "out" / "folds")
    ap.add_argument("--cache", type=Path, default=None, help="folder to keep read documents in (pickles)")
    ap.add_argument("--vrdu-groups", choices=("station", "producer"), default="station",
                    help="group the TV forms by station, or (stricter) by the program that wrote the PDF")
    ap.add_argument("--generated", type=int, default=rd.N_GENERATED,
                    help="generated invoices added to training, and scored held out by template (0: none)")
    ap.add_argument("--no-train-generated", action="store_true",
                    help="score the generated invoices, but train on the corpus alone")
    ap.add_argument("--json", type=Path, default=None, help="write the report (with wrong values) here")
    args = ap.parse_args(argv)
    report = run(args.corpus, args.k, args.out, args.cache, args.only, args.vrdu_groups, args.generated,
                 not args.no_train_generated)
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
