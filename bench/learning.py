"""Accuracy before and after learning from one validated bill per supplier.

    python -m invoice_extract.bench.learning [--corpus DIR] [--only invoices_visual ...] [--no-series]
                                             [--cache DIR] [--route invoice|expense] [-v]

Two sources of suppliers with several documents:

* the corpus (``../shared/corpus``, read in place, never copied): documents grouped by the
  supplier of their truth (VAT number and name; sample data reuses one VAT number for
  several companies). The first document of each group (by file name) is validated with
  its truth;
* generated series: for each of a few layouts drawn here with reportlab (labels the plain
  engine does not know, values under their labels, values far right of their labels, a
  supplier named only in the footer, a line table under headers no vocabulary knows), one
  supplier's bills with different values. The first bill is validated with its values (and
  its lines).

One account learns every first document (``extraction.learning.observe`` → ``aggregate``,
what the worker stores and loads), then every *other* document is extracted without and
with the learned profiles and scored with the shared scorer's field rules
(``../shared/bench/score.py``). Reported: per field, documents where the truth has it,
correct before and after, and the lines F1 where the truth has lines. Every document goes
through the vendor-bill route (as the issue measuring this did: the expense route has no
subtotal); ``--route expense`` sends the receipt folders' documents as expenses instead.
``--cache DIR`` keeps each corpus document's reading (the OCR) as a pickle in
``DIR/<folder>/<stem>.pickle``, the layout ``bench.ranker_data`` and ``bench.receipt_folds``
use, so the receipt series need the OCR once.
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import pickle
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from invoice_extract.bench.scoring import scorer_module, scorer_path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
FIELDS = ("invoice_id", "date", "total", "subtotal", "VAT_Number", "iban", "supplier", "currency")
EXTRA_FIELDS = ("due_date", "total_tax_amount")
LEARNED_FROM_TRUTH = FIELDS + EXTRA_FIELDS + ("SWIFT_code", "payment_ref")
LINE_KEYS = ("description", "quantity", "unit_price", "subtotal")


@dataclass
class Doc:
    name: str
    data: bytes
    truth: dict
    group: str = ""


@dataclass
class Tally:
    present: dict = field(default_factory=lambda: defaultdict(int))
    before: dict = field(default_factory=lambda: defaultdict(int))
    after: dict = field(default_factory=lambda: defaultdict(int))
    wrong: list = field(default_factory=list)
    # per supplier: [fields right before, after, fields present]
    suppliers: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    # invoice lines: in the truth, predicted and matched, before and after
    lines: dict = field(default_factory=lambda: defaultdict(int))

    def line_f1(self, when: str) -> float | None:
        t, p, m = self.lines["truth"], self.lines["pred_" + when], self.lines["match_" + when]
        return 2 * m / (t + p) * 100 if t + p else None


# ------------------------------------------------------------------ scoring
def _scorer_home(corpus: Path) -> Path | None:
    """The corpus whose scorer rules: a test set kept elsewhere is scored by the shared one."""
    return next((home for home in (corpus, DEFAULT_CORPUS) if scorer_path(home).exists()), None)


def _scorer(corpus: Path):
    home = _scorer_home(corpus)
    if home is not None:
        return scorer_module(home).field_equal
    from invoice_extract.extraction import learning

    return lambda f, truth, pred: learning.same(f, learning.normalize(f, pred), learning.normalize(f, truth))


def selected(result: dict, feature: str):
    entry = result.get(feature) or {}
    return (entry.get("selected_value") or {}).get("content") if isinstance(entry, dict) else None


# ------------------------------------------------------------------ corpus groups
def corpus_groups(corpus: Path, folders: list[str]) -> dict[str, list[Doc]]:
    from invoice_extract.extraction import learning

    groups: dict[str, list[Doc]] = defaultdict(list)
    for folder in folders:
        for truth_path in sorted((corpus / folder).glob("*.truth.json")):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            stem = truth_path.name[: -len(".truth.json")]
            docs = [p for p in truth_path.parent.glob(stem + ".*") if not p.name.endswith(".truth.json")]
            if not docs or not (truth.get("VAT_Number") or truth.get("supplier")):
                continue
            key = f"{folder}:{learning.code_key(truth.get('VAT_Number'))}:{learning.name_key(truth.get('supplier'))}"
            groups[key].append(Doc(f"{folder}/{docs[0].name}", docs[0].read_bytes(), truth, key))
    return {k: v for k, v in groups.items() if len(v) >= 2}


# ------------------------------------------------------------------ generated series
SERIES_SUPPLIERS = {
    "odd_labels": ("Zyx Trading Ltd", "GB980780684", "GB33 BUKB 2020 1555 5555 55", "GBP"),
    "header_grid": ("Norrland Timber AB", "SE556036079301", "SE45 5000 0000 0583 9825 7466", "SEK"),
    "far_right": ("Atelier Lumière SARL", "FR40303265045", "FR14 2004 1010 0505 0001 3M02 606", "EUR"),
    "footer_only": ("Brightwater Systems BV", "NL123456789B01", "NL91 ABNA 0417 1643 00", "EUR"),
    "own_table": ("Kestrel Fittings Ltd", "IE6388047V", "IE29 AIBK 9311 5212 3456 78", "EUR"),
}


def _values(rng: random.Random, i: int) -> dict:
    day = date(2024, 1, 3) + timedelta(days=17 * i + rng.randrange(5))
    # 1 to 5 item lines, so what follows the items (the totals) moves down the page
    items = [(rng.randrange(1, 9), rng.choice((12.5, 48.0, 99.9, 215.0, 1234.5))) for _ in range(rng.randrange(1, 6))]
    subtotal = round(sum(q * p for q, p in items), 2)
    tax = round(subtotal * 0.2, 2)
    return {"invoice_id": f"{rng.choice('ABCK')}{rng.randrange(10, 99)}/{rng.randrange(1000, 9999)}",
            "date": day, "due_date": day + timedelta(days=30), "items": items,
            "subtotal": subtotal, "total_tax_amount": tax, "total": round(subtotal + tax, 2)}


ITEM_NAMES = ("Brass elbow 15 mm", "Copper pipe 3 m", "Ball valve", "Compression tee", "PTFE tape")


def _totals_block(c, x: float, y: float, step: float, currency: str, rows) -> None:
    """Label at ``x``, amount and currency right-aligned at the right margin, one row a step down."""
    for label, value in rows:
        c.drawString(x, y, label)
        c.drawRightString(530, y, f"{_money(value)} {currency}")
        y -= step


def _money(v: float) -> str:
    return f"{v:,.2f}"


def _draw(layout: str, supplier: tuple, v: dict) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    name, vat, iban, currency = supplier
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    d, due = v["date"].strftime("%d.%m.%Y"), v["due_date"].strftime("%d.%m.%Y")
    client = ("Kunde Handels GmbH", "Lindenweg 4", "04109 Leipzig", "Reg. DE246813573")
    if layout == "odd_labels":
        c.setFont("Helvetica-Bold", 15)
        c.drawString(50, h - 60, name)
        c.setFont("Helvetica", 10)
        c.drawString(50, h - 78, "7 Quay Street, Leeds LS1 4AP")
        c.drawString(50, h - 92, f"Reg. {vat}")
        for i, line in enumerate(client):
            c.drawString(340, h - 150 - 13 * i, line)
        c.setFont("Helvetica-Bold", 13)
        c.drawString(50, h - 240, "STATEMENT")
        c.setFont("Helvetica", 10)
        for i, (label, value) in enumerate((("Doc:", v["invoice_id"]), ("Issued", d), ("Settle by", due))):
            c.drawString(50, h - 262 - 14 * i, label)
            c.drawString(150, h - 262 - 14 * i, value)
        y = h - 340
        for q, p in v["items"]:
            c.drawString(50, y, f"Widgets {q} x {_money(p)}")
            c.drawRightString(530, y, _money(q * p))
            y -= 14
        y -= 30
        _totals_block(c, 360, y, 16, currency, (("Goods", v["subtotal"]), ("Levy", v["total_tax_amount"]),
                                                 ("Remit", v["total"])))
        c.drawString(50, 100, f"Acct {iban}")
    elif layout == "header_grid":
        c.setFont("Helvetica-Bold", 15)
        c.drawString(50, h - 60, name)
        c.setFont("Helvetica", 9)
        c.drawString(50, h - 76, f"Sågverksvägen 3, 891 33 Örnsköldsvik · Momsreg {vat}")
        for i, line in enumerate(client):
            c.drawString(50, h - 130 - 12 * i, line)
        heads = (("Serial", v["invoice_id"]), ("Raised", d), ("Payable", due), ("Sum", _money(v["total"])))
        for i, (label, value) in enumerate(heads):
            c.setFont("Helvetica-Bold", 9)
            c.drawString(300 + 70 * i, h - 130, label)
            c.setFont("Helvetica", 9)
            c.drawString(300 + 70 * i, h - 144, value)
        y = h - 260
        for q, p in v["items"]:
            c.drawString(50, y, f"Planks {q} x {_money(p)} = {_money(q * p)}")
            y -= 13
        for i, (label, value) in enumerate((("Exkl.", v["subtotal"]), ("Moms", v["total_tax_amount"]),
                                            ("Sum", v["total"]))):
            c.setFont("Helvetica-Bold", 9)
            c.drawString(330 + 80 * i, y - 30, label)
            c.setFont("Helvetica", 9)
            c.drawString(330 + 80 * i, y - 44, f"{_money(value)} {currency}")
        c.drawString(50, 90, f"Bankgiro / IBAN {iban}")
    elif layout == "far_right":
        c.setFont("Helvetica-Bold", 15)
        c.drawRightString(545, h - 60, name)
        c.setFont("Helvetica", 9)
        c.drawRightString(545, h - 74, "12 rue des Arts, 69002 Lyon")
        c.drawRightString(545, h - 86, f"N° TVA {vat}")
        for i, line in enumerate(client):
            c.drawString(50, h - 130 - 12 * i, line)
        rows = (("Pièce", v["invoice_id"]), ("Émise le", d), ("Échéance", due), ("Montant HT", _money(v["subtotal"])),
                ("Taxe", _money(v["total_tax_amount"])), ("Net à régler", _money(v["total"]) + " €"))
        for i, (label, value) in enumerate(rows):
            c.drawString(50, h - 260 - 18 * i, label)
            c.drawRightString(545, h - 260 - 18 * i, value)
        c.drawString(50, 90, f"RIB {iban}")
    elif layout == "own_table":  # a line table under headers no vocabulary knows
        c.setFont("Helvetica-Bold", 15)
        c.drawString(50, h - 60, name)
        c.setFont("Helvetica", 9)
        c.drawString(50, h - 74, f"Unit 4, Harbour Road, Cork · VAT {vat}")
        for i, line in enumerate(client):
            c.drawString(340, h - 110 - 12 * i, line)
        c.setFont("Helvetica", 10)
        c.drawString(50, h - 200, f"Invoice number {v['invoice_id']}")
        c.drawString(50, h - 214, f"Invoice date {d}")
        c.drawString(50, h - 228, f"Due date {due}")
        c.setFont("Helvetica-Bold", 9)
        c.drawString(50, h - 280, "Particulars")
        for right, head in ((330, "Nos"), (410, "Each"), (530, "Value")):  # over their right-aligned columns
            c.drawRightString(right, h - 280, head)
        c.setFont("Helvetica", 9)
        y = h - 296
        for n, (q, p) in enumerate(v["items"]):
            c.drawString(50, y, ITEM_NAMES[n % len(ITEM_NAMES)])
            c.drawRightString(330, y, str(q))
            c.drawRightString(410, y, _money(p))
            c.drawRightString(530, y, _money(q * p))
            y -= 13
        y -= 20
        _totals_block(c, 380, y, 14, currency, (("Subtotal", v["subtotal"]), ("VAT 20%", v["total_tax_amount"]),
                                                 ("Total", v["total"])))
        c.drawString(50, 90, f"IBAN {iban}")
    else:  # footer_only
        c.setFont("Helvetica-Bold", 22)
        c.drawString(50, h - 70, "BW")
        c.setFont("Helvetica", 10)
        for i, line in enumerate(client):
            c.drawString(330, h - 120 - 13 * i, line)
        c.drawString(50, h - 220, f"Our ref. {v['invoice_id']}")
        c.drawString(50, h - 234, f"Dated {d}")
        y = h - 290
        for q, p in v["items"]:
            c.drawString(50, y, f"Support contract {q} x {_money(p)}")
            y -= 14
        c.drawString(330, y - 40, f"Net {_money(v['subtotal'])}")
        c.drawString(330, y - 54, f"BTW {_money(v['total_tax_amount'])}")
        c.drawString(330, y - 68, f"Pay {_money(v['total'])} EUR")
        c.setFont("Helvetica", 8)
        c.drawString(50, 60, f"{name} · Keizersgracht 100, Amsterdam · {vat} · {iban}")
    c.showPage()
    c.save()
    return buf.getvalue()


def generated_series(count: int = 6) -> dict[str, list[Doc]]:
    groups: dict[str, list[Doc]] = {}
    for n, (layout, supplier) in enumerate(SERIES_SUPPLIERS.items()):
        rng = random.Random(1000 + n)
        docs = []
        for i in range(count):
            v = _values(rng, i)
            truth = {"invoice_id": v["invoice_id"], "date": v["date"].isoformat(),
                     "due_date": v["due_date"].isoformat(), "total": v["total"], "subtotal": v["subtotal"],
                     "total_tax_amount": v["total_tax_amount"], "supplier": supplier[0],
                     "VAT_Number": supplier[1], "iban": supplier[2].replace(" ", ""), "currency": supplier[3]}
            if layout == "own_table":
                truth["invoice_lines"] = [{"description": ITEM_NAMES[n % len(ITEM_NAMES)], "quantity": q,
                                           "unit_price": p, "subtotal": round(q * p, 2)}
                                          for n, (q, p) in enumerate(v["items"])]
            docs.append(Doc(f"series/{layout}/{i}", _draw(layout, supplier, v), truth, f"series:{layout}"))
        groups[f"series:{layout}"] = docs
    return groups


# ------------------------------------------------------------------ run
def validated_values(truth: dict) -> dict:
    values = {k: {"content": truth[k]} for k in LEARNED_FROM_TRUTH if truth.get(k) not in (None, "")}
    if truth.get("invoice_lines"):  # Odoo's validation of the lines: {"lines": [...]}
        values["invoice_lines"] = {"lines": truth["invoice_lines"]}
    return values


def predicted_lines(result: dict) -> list[dict]:
    return [{k: (line.get(k) or {}).get("selected_value", {}).get("content") for k in LINE_KEYS}
            for line in result.get("invoice_lines") or [] if isinstance(line, dict)]


def matched_lines(truth_lines: list, pred_lines: list, corpus: Path) -> int:
    """Lines matched one to one by the shared scorer's rule (else: the same line amount)."""
    home = _scorer_home(corpus)
    if home is not None:
        return len(scorer_module(home).match_lines(truth_lines, pred_lines))
    left = [p.get("subtotal") for p in pred_lines]
    n = 0
    for t in truth_lines:
        hit = next((i for i, v in enumerate(left) if v is not None and abs(v - (t.get("subtotal") or 0)) < 0.005), None)
        if hit is not None:
            left[hit] = None
            n += 1
    return n


def _cached_read(doc: Doc, cache: Path | None, read_document):
    folder, _, filename = doc.name.rpartition("/")
    path = cache / folder / (Path(filename).stem + ".pickle") if cache and folder else None
    if path is not None and path.is_file():
        return pickle.loads(path.read_bytes())
    page = read_document(doc.data, filename)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(page))
    return page


RECEIPT_FOLDERS = ("receipts", "receipts_wild")


def run(groups: dict[str, list[Doc]], equal, verbose: bool = False,
        cache: Path | None = None, route: str = "invoice", corpus: Path = DEFAULT_CORPUS) -> dict[str, Tally]:
    from invoice_extract.extraction import ExtractOptions, learning
    from invoice_extract.extraction.pipeline import extract_document
    from invoice_extract.extraction.reader import read_document

    pages: dict[str, object] = {}

    def read(doc: Doc):
        # read once (the OCR of a receipt is the slow part); each extraction gets a fresh copy,
        # since the pipeline caches per-document data in the document itself
        if doc.name not in pages:
            pages[doc.name] = _cached_read(doc, cache, read_document)
        return copy.deepcopy(pages[doc.name])

    def engine(doc: Doc, profiles: list) -> dict:
        expense = route == "expense" and doc.name.split("/", 1)[0] in RECEIPT_FOLDERS
        return extract_document(read(doc), ExtractOptions(document_type="expense" if expense else "invoice",
                                                          supplier_profiles=profiles))

    # one account: it validated the first document of every group
    profiles = []
    for n, (key, docs) in enumerate(groups.items()):
        first = docs[0]
        observation = learning.observe(read(first), engine(first, []), validated_values(first.truth))
        profiles.append(learning.aggregate([observation], profile_id=n + 1))
    tallies: dict[str, Tally] = defaultdict(Tally)
    for key, docs in groups.items():
        source = "series" if key.startswith("series:") else key.split(":", 1)[0]
        tally = tallies[source]
        for doc in docs[1:]:
            before, after = engine(doc, []), engine(doc, profiles)
            if doc.truth.get("invoice_lines"):
                truth_lines = doc.truth["invoice_lines"]
                tally.lines["truth"] += len(truth_lines)
                for when, result in (("before", before), ("after", after)):
                    pred = predicted_lines(result)
                    tally.lines["pred_" + when] += len(pred)
                    tally.lines["match_" + when] += matched_lines(truth_lines, pred, corpus)
            for f in FIELDS:
                if doc.truth.get(f) in (None, ""):
                    continue
                tally.present[f] += 1
                ok_before = equal(f, doc.truth[f], selected(before, f))
                ok_after = equal(f, doc.truth[f], selected(after, f))
                tally.before[f] += ok_before
                tally.after[f] += ok_after
                counts = tally.suppliers[key]
                counts[0] += ok_before
                counts[1] += ok_after
                counts[2] += 1
                if not ok_after:
                    tally.wrong.append(f"{doc.name}: {f}: truth {doc.truth[f]!r} after {selected(after, f)!r}")
                if verbose and ok_before and not ok_after:
                    tally.wrong.append(f"{doc.name}: {f}: REGRESSION, before {selected(before, f)!r}")
    return tallies


def report(tallies: dict[str, Tally], verbose: bool) -> bool:
    ok = True
    for source, t in tallies.items():
        print(f"\n{source}: documents after the validated first one of their supplier")
        print(f"{'field':<12} {'present':>7} {'before':>8} {'after':>8}")
        for f in FIELDS:
            if t.present[f]:
                n = t.present[f]
                print(f"{f:<12} {n:>7} {100 * t.before[f] / n:>7.1f}% {100 * t.after[f] / n:>7.1f}%")
        n, b, a = sum(t.present.values()), sum(t.before.values()), sum(t.after.values())
        print(f"{'all':<12} {n:>7} {100 * b / max(1, n):>7.1f}% {100 * a / max(1, n):>7.1f}%")
        if t.lines["truth"]:
            print(f"{'lines F1':<12} {t.lines['truth']:>7} {t.line_f1('before'):>7.1f}% {t.line_f1('after'):>7.1f}%")
        worse = [(k, c) for k, c in t.suppliers.items() if c[1] < c[0]]
        print(f"suppliers: {len(t.suppliers)}, worse after learning: {len(worse)}"
              + "".join(f"\n  {k}: {c[0]} -> {c[1]} of {c[2]}" for k, c in worse))
        if verbose:
            for k, c in sorted(t.suppliers.items()):
                print(f"  {k}: {c[0]} -> {c[1]} of {c[2]}")
            for line in t.wrong:
                print("  " + line)
        lines_kept = not t.lines["truth"] or t.line_f1("after") >= t.line_f1("before")
        ok = ok and a >= b and not worse and lines_kept
    n = sum(sum(t.present.values()) for t in tallies.values())
    b = sum(sum(t.before.values()) for t in tallies.values())
    a = sum(sum(t.after.values()) for t in tallies.values())
    print(f"\noverall: {n} fields, before {100 * b / max(1, n):.1f}%, after {100 * a / max(1, n):.1f}%")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--only", nargs="*", default=["invoices_visual"],
                    help="corpus folders (default invoices_visual; the receipts need slow OCR)")
    ap.add_argument("--no-series", action="store_true", help="skip the generated series")
    ap.add_argument("--series-length", type=int, default=6)
    ap.add_argument("--route", choices=("invoice", "expense"), default="invoice",
                    help="the route receipts are sent on (default: the vendor bill's)")
    ap.add_argument("--cache", type=Path, help="keep the corpus documents' readings here (pickles)")
    ap.add_argument("-v", action="store_true", help="list the values still wrong after learning")
    args = ap.parse_args(argv)
    groups: dict[str, list[Doc]] = {}
    if args.only and args.corpus.exists():
        groups.update(corpus_groups(args.corpus, args.only))
    if not args.no_series:
        groups.update(generated_series(args.series_length))
    tallies = run(groups, _scorer(args.corpus), args.v, args.cache, args.route, args.corpus)
    return 0 if report(tallies, args.v) else 1


if __name__ == "__main__":
    sys.exit(main())
