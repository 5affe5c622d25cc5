"""Labelled candidates for the learned ranker, and the supplier/layout folds that keep the
evaluation honest. Shared by ``bench.train_ranker`` (one model from everything) and
``bench.folds`` (k models, each scored on the documents it never saw).

Training rows come from running the engine's finders over labelled documents with
``extract_document(..., collect=rows)``: every candidate each ranked feature weighed, with its
features, labelled 1 when it matches the document's truth by the shared scorer's rules.
E-invoice PDFs are read with their XML set aside: the XML is the truth of their own page.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

from .scoring import scorer_module

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
# Folders whose printed pages teach the ranker (receipts are photos: another engine path).
TRAIN_FOLDERS = ("invoices_visual", "einvoice", "invoices_vrdu")
# Receipts read by OCR have their own section of the model (``ranking.OCR_SECTION``), taught
# by the receipt folders. It ranks the supplier only: on the held-out stores, ranking the
# date changed nothing and ranking the total lost (bench.receipt_folds --ranker other-part).
OCR_TRAIN_FOLDERS = ("receipts", "receipts_wild")
OCR_RANKED_FEATURES = ("supplier",)
EVAL_FOLDERS = ("invoices_visual", "invoices_vrdu", "einvoice", "einvoice_xml", "einvoice_xml_world")
DOC_SUFFIXES = {".pdf", ".xml", ".jpg", ".jpeg", ".png"}
SEED = 20261202


def scorer():
    """The shared scorer's module (its matching rules label the candidates)."""
    return scorer_module(DEFAULT_CORPUS)


@dataclass
class LabelledDoc:
    folder: str
    stem: str
    path: Path
    truth: dict
    group: str = ""
    fold: int = 0
    doc: object = None  # extraction.document.Document, read once
    rows: list = field(default_factory=list)  # (feature, features dict, label)


def corpus_docs(corpus: Path, folders) -> list[LabelledDoc]:
    out = []
    for name in folders:
        folder = corpus / name
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() in DOC_SUFFIXES:
                truth_path = p.with_name(p.name[: -len(p.suffix)] + ".truth.json")
                if truth_path.is_file():
                    out.append(LabelledDoc(name, p.name[: -len(p.suffix)], p,
                                           json.loads(truth_path.read_text(encoding="utf-8"))))
    return out


GENERATED = "generated"  # the folder name of bench.synthetic's invoices
N_GENERATED = 300


def generated_docs(n: int = N_GENERATED, seed: int = SEED) -> list[LabelledDoc]:
    """``n`` invoices of bench.synthetic, read like any PDF; grouped by template."""
    from invoice_extract.extraction import pipeline
    from invoice_extract.extraction.options import ExtractOptions
    from invoice_extract.extraction.reader import read_document

    from invoice_extract.bench import synthetic

    options = ExtractOptions()
    out = []
    for i in range(n):
        pdf, truth, template = synthetic.make(seed + i)
        d = LabelledDoc(GENERATED, f"generated-{i:04d}", Path(f"generated-{i:04d}.pdf"), truth)
        d.doc = read_document(pdf, d.path.name, options.limits, pipeline.ocr_languages(options))
        d.group = f"template:{template}"
        out.append(d)
    return out


# ------------------------------------------------------------------ groups and folds
def _norm(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def sub_collection(source: str) -> str:
    """The collection a sample comes from (one template / generator), from its ``source``."""
    parts = [p for p in str(source).split("/")[1:-1]
             if p not in ("ZUGFeRDv1", "ZUGFeRDv2", "correct", "fail", "Beispiele")]
    return parts[0] if parts else "misc"


def station_of(doc) -> str:
    """US broadcast call letters printed on the first page (only to split the folds)."""
    if doc is None or not doc.pages:
        return ""
    for w in doc.pages[0].words[:400]:
        m = re.fullmatch(r"([KW][A-Z]{2,3})(?:-(?:TV|DT|CD|LP))?[.,:]?", w.text)
        if m and m.group(1) not in ("WEEK", "WITH", "WEST", "KIND", "WIDE"):
            return m.group(1)
    return ""


def producer_of(path: Path) -> str:
    """The program that wrote the PDF (a traffic system's report writer, a print driver)."""
    try:
        import pypdfium2 as pdfium

        meta = pdfium.PdfDocument(str(path)).get_metadata_dict()
    except Exception:  # unreadable metadata: its own group
        return path.name
    text = (meta.get("Producer") or "") + "|" + (meta.get("Creator") or "")
    return re.sub(r"[\d.]+", "", text).strip()


def assign_groups(docs: list[LabelledDoc], vrdu_by: str = "station") -> None:
    """Group key per document: who issued it / with which template.

    E-invoice PDFs (``einvoice``, ``invoices_visual``, the same business cases) by the
    source's sub-collection; the TV stations' forms by station (call letters), joined with
    the advertiser; XML e-invoices by seller VAT number / name. Groups sharing a key are
    merged (union-find), so one supplier never sits on both sides of a split.
    """
    parent: dict[str, str] = {}

    def find(a):
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        parent[find(a)] = find(b)

    keys_of = []
    for d in docs:
        keys = []
        if d.folder == GENERATED:
            keys.append(d.group)
        elif d.folder in ("einvoice", "invoices_visual"):
            keys.append("coll:" + sub_collection(d.truth.get("source", "")))
        elif d.folder == "invoices_vrdu" and vrdu_by == "producer":
            keys.append("producer:" + producer_of(d.path))
        elif d.folder == "invoices_vrdu":
            station = station_of(d.doc)
            if station:
                keys.append("station:" + station)
            else:
                keys.append("adv:" + _norm(d.truth.get("advertiser")))
        else:
            vat = _norm(d.truth.get("VAT_Number"))
            sup = _norm(d.truth.get("supplier"))
            keys += ["vat:" + vat] if vat else []
            keys += ["sup:" + sup] if sup else []
            keys = keys or ["doc:" + d.folder + "/" + d.stem]
        keys_of.append(keys)
        for k in keys[1:]:
            union(keys[0], k)
    for d, keys in zip(docs, keys_of):
        d.group = find(keys[0])


def assign_folds(docs: list[LabelledDoc], k: int) -> None:
    """Whole groups to folds, largest first, each to the fold with the fewest documents of
    that folder so far (ties by a hash of the group: reproducible, not alphabetical)."""
    groups: dict[str, list[LabelledDoc]] = {}
    for d in docs:
        groups.setdefault(d.group, []).append(d)
    sizes: dict[tuple[str, int], int] = {}
    order = sorted(groups, key=lambda g: (-len(groups[g]), hashlib.sha1(g.encode()).hexdigest()))
    for g in order:
        members = groups[g]
        folder_counts = {}
        for d in members:
            folder_counts[d.folder] = folder_counts.get(d.folder, 0) + 1
        best = min(range(k), key=lambda f: (sum(sizes.get((fo, f), 0) for fo in folder_counts), f))
        for d in members:
            d.fold = best
            sizes[(d.folder, best)] = sizes.get((d.folder, best), 0) + 1


# ------------------------------------------------------------------ reading and labelling
def read(d: LabelledDoc, cache_dir: Path | None):
    from invoice_extract.extraction import pipeline
    from invoice_extract.extraction.options import ExtractOptions
    from invoice_extract.extraction.reader import read_document

    if d.doc is not None:
        return d.doc
    cache = cache_dir / d.folder / (d.stem + ".pickle") if cache_dir else None
    if cache is not None and cache.is_file():
        d.doc = pickle.loads(cache.read_bytes())
        return d.doc
    options = ExtractOptions()
    d.doc = read_document(d.path.read_bytes(), d.path.name, options.limits, pipeline.ocr_languages(options))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(d.doc))
    return d.doc


def page_only(doc):
    """The document as its printed pages alone: embedded XML and codes set aside."""
    from dataclasses import replace

    return replace(doc, attachments={})


def collect_rows(d: LabelledDoc) -> list:
    """(feature, features, label) for every candidate the ranked features weighed."""
    from invoice_extract.extraction.options import ExtractOptions
    from invoice_extract.extraction.pipeline import extract_document
    from invoice_extract.extraction.ranking import RANKED_FEATURES

    if d.doc is None or all(p.source == "xml" for p in d.doc.pages):
        return []
    rows: list = []
    # receipts are read on the expense route, as their callers send them
    options = ExtractOptions(document_type="expense" if d.truth.get("kind") == "receipt" else "invoice")
    extract_document(page_only(d.doc), options, collect=rows)
    sc = scorer()
    out = []
    closest = {}
    if options.document_type == "expense":
        # a receipt's header candidates overlap (a line, and that line with its neighbour), and
        # the scorer takes a name inside a longer text as right: only the closest of the right
        # names is labelled so, or the model learns to glue the line above onto the name
        for feature, cand, _x in rows:
            if feature in ("supplier", "client") and feature in d.truth and sc.field_equal(
                    feature, d.truth[feature], cand.content):
                closest[feature] = max(closest.get(feature, 0.0), sc.text_ratio(d.truth[feature], cand.content))
    for feature, cand, x in rows:
        if feature not in d.truth or feature not in RANKED_FEATURES:
            continue
        right = sc.field_equal(feature, d.truth[feature], cand.content)
        if right and feature in closest:
            right = sc.text_ratio(d.truth[feature], cand.content) >= closest[feature] - NAME_RATIO_SLACK
        out.append((feature, x, 1 if right else 0))
    d.rows = out
    return out


NAME_RATIO_SLACK = 0.05


# ------------------------------------------------------------------ training
# Inverse L2 strength of the regressions. Pages with a text layer: the dev corpus gives a few
# hundred party and number candidates in a few dozen layouts, and a weaker regression learned
# their positions (a name's x, being last on its line) as rules; 0.2 held better on layouts it
# had not seen (the held-out folds and the unseen probes) than 0.5 or 0.1. Receipts, read by
# OCR, give thousands of rows per feature and keep 0.5.
DIGITAL_C = 0.2
OCR_C = 0.5


def train(rows: list, features=None, c: float = DIGITAL_C) -> dict:
    """A logistic regression per ranked feature; the JSON model ``extraction.ranking`` reads."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from invoice_extract.extraction.ranking import MODEL_FORMAT, RANKED_FEATURES

    models = {}
    for feature in features or RANKED_FEATURES:
        data = [(x, y) for f, x, y in rows if f == feature]
        labels = [y for _x, y in data]
        if sum(labels) < 3 or sum(labels) == len(labels):
            continue  # too few examples to learn from: the finders' order stays
        names = sorted({n for x, _y in data for n in x})
        X = np.array([[x.get(n, 0.0) for n in names] for x, _y in data], dtype=float)
        y = np.array(labels)
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale < 1e-9] = 1.0
        model = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
        model.fit((X - mean) / scale, y)
        models[feature] = {
            "names": names, "mean": [round(float(v), 6) for v in mean], "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in model.coef_[0]], "intercept": round(float(model.intercept_[0]), 6),
            "rows": len(labels), "positives": int(sum(labels)),
        }
    return {"format": MODEL_FORMAT, "features": models}
