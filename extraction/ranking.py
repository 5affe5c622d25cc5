"""Learned ranking: each candidate a finder proposes gets features that carry over to unseen
layouts, and a model trained on labelled documents turns them into the candidate's ``score``.

The finders keep proposing candidates (and their hand-made score, the ``prior`` feature). When
the model file (``data/ranker.json``) knows a feature, that feature's text candidates are
reordered by the model's probability, and a wider set of candidates is considered (every
amount printed for the totals, every number after any document-number label for
``invoice_id``): the model, not the finder's first guess, decides among them. Without the
file (or with ``INVOICE_EXTRACT_RANKER=off``) the engine keeps the finders' order.

Structured values (e-invoice XML, payment codes) are exact: they stay first, untouched.

The model is a logistic regression per feature, stored as JSON (feature names, the
standardization, the weights): a few kilobytes, readable, diffable, loaded without
scikit-learn or pickle (which would run code from a file). ``bench/train_ranker.py`` writes it.
"""
from __future__ import annotations

import functools
import json
import math
import os
import re
from contextlib import contextmanager
from pathlib import Path
from statistics import median
from typing import Iterator

from .candidate import Candidate
from .context import Context
from .document import Word

RANKED_FEATURES = ("total", "subtotal", "total_tax_amount", "date", "due_date", "invoice_id", "supplier",
                   "client")
AMOUNT_FEATURES = ("total", "subtotal", "total_tax_amount")
DATE_FEATURES = ("date", "due_date")
NAME_FEATURES = ("supplier", "client")
STRUCTURED_ORIGINS = ("xml", "qr")
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "ranker.json"
MODEL_ENV = "INVOICE_EXTRACT_RANKER"  # a model file's path, or "off"
MODEL_FORMAT = "invoice_extract.ranker/1"

@functools.cache
def currency_mark() -> re.Pattern:
    """A currency's symbol, a local mark ("RM", "Rs."), or any ISO 4217 code in capitals (the
    currency finder's list: "AED", "OMR"; in capitals only, as "ALL" and "TOP" are words too).
    Built on first use: Babel's data is not read at start-up."""
    from .parsing.numbers import iso_currency_codes

    codes = "|".join(sorted(iso_currency_codes(), key=len, reverse=True))
    return re.compile(r"(?:[$€£¥₹]|(?i:\b(?:RM|Rs|eur|usd|gbp|chf|myr|inr|sgd|aud|cad)\b)\.?|\b(?:" + codes + r")\b)\s*$")


# ------------------------------------------------------------------ the model
# The model file's sections: one per kind of page the candidates come from. Printed pages
# with a text layer ("features") and pages read by OCR alone ("ocr_features": receipts,
# photos, scans) differ in what a candidate looks like (OCR lines, no fonts), so each has its
# own weights, learned from documents of its kind.
DIGITAL_SECTION = "features"
OCR_SECTION = "ocr_features"


class Ranker:
    """Per-feature logistic models: p = sigmoid(w · (x - mean) / scale + b)."""

    def __init__(self, data: dict, section: str = DIGITAL_SECTION):
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a ranker model: {data.get('format')!r}")
        self.data = data
        self.section_name = section
        self.models = data.get(section, {})

    def section(self, name: str) -> "Ranker":
        """The same file's models for another kind of page."""
        return self if name == self.section_name else Ranker(self.data, name)

    def knows(self, feature: str) -> bool:
        return feature in self.models

    def probability(self, feature: str, x: dict[str, float]) -> float:
        m = self.models[feature]
        z = m["intercept"]
        for name, mean, scale, w in zip(m["names"], m["mean"], m["scale"], m["coef"]):
            z += w * (x.get(name, 0.0) - mean) / scale
        z = max(-30.0, min(30.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def load(cls, path: Path | str) -> "Ranker":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))


_loaded: dict = {}
_override: list = []  # models pushed by use_model() (training folds, tests)


def load_model() -> Ranker | None:
    """The model in use: an override, else $INVOICE_EXTRACT_RANKER, else data/ranker.json."""
    if _override:
        return _override[-1]
    env = os.environ.get(MODEL_ENV, "")
    if env.lower() in ("off", "none", "0"):
        return None
    path = Path(env) if env else MODEL_PATH
    key = str(path)
    if key not in _loaded:
        try:
            _loaded[key] = Ranker.load(path) if path.is_file() else None
        except (OSError, ValueError, KeyError):  # a broken file: the finders' own order stands
            _loaded[key] = None
    return _loaded[key]


def ocr_only(doc) -> bool:
    """Every page read by OCR: no text layer to take fonts and exact glyphs from."""
    return bool(doc.pages) and all(page.source == "ocr" for page in doc.pages)


RECEIPT_ASPECT = 1.6  # a page this many times taller than wide is a till roll (A4 is 1.41)


def is_receipt(doc, document_type: str) -> bool:
    """A till receipt read by OCR: sent as an expense, or a page shaped like a till roll."""
    return ocr_only(doc) and (document_type == "expense"
                              or doc.pages[0].height > RECEIPT_ASPECT * max(1.0, doc.pages[0].width))


def model_for(doc, document_type: str = "invoice") -> Ranker | None:
    """The model section for ``doc``'s kind of pages (None: the finders' order).

    Receipts have their own section. A scanned bill keeps the finders' order: the receipt
    section, which ranks by a name's place among the first lines, took a scanned bill's header
    (a viewer's or a form's top line) for its supplier, and the text-layer section leans on
    fonts and exact glyphs a scan does not have."""
    model = load_model()
    if model is None:
        return None
    if ocr_only(doc):
        return model.section(OCR_SECTION) if is_receipt(doc, document_type) else None
    if any(page.source == "text" for page in doc.pages):
        return model.section(DIGITAL_SECTION)
    return None  # structured sources alone (bare XML, text): nothing to weigh


@contextmanager
def use_model(model: Ranker | None) -> Iterator[None]:
    """Run with ``model`` (None: the finders' order) instead of the file's."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


# ------------------------------------------------------------------ document facts, once
class DocFacts:
    """What every candidate's features compare against, computed once per document."""

    def __init__(self, ctx: Context):
        from .layout import lines_of
        from .parsing.numbers import find_amounts
        from .features._amounts import is_ocr

        self.ctx = ctx
        self.lines = lines_of(ctx.doc)
        self.where = self.lines.where
        self.median_height: list[float] = []
        for page_lines in self.lines.pages:
            heights = [w.height for lt in page_lines for w in lt.words]
            self.median_height.append(median(heights) if heights else 0.01)
        self.amount_counts: dict[float, int] = {}
        for _p, _i, lt in self.lines:
            for _m, value, has_decimals in find_amounts(lt.text, ocr=is_ocr(lt.words)):
                key = round(abs(value), 2)
                self.amount_counts[key] = self.amount_counts.get(key, 0) + 1
        self.distinct_amounts = sorted(self.amount_counts, reverse=True)
        text = ctx.doc.text
        # (a repetition count scans the text once per candidate: bounded on very long documents)
        self.text_upper = re.sub(r"\s+", "", text[:MAX_REPEAT_TEXT].upper())
        self.n_pages = max(1, len(ctx.doc.pages))

    def amount_rank(self, value: float) -> int:
        key = round(abs(value), 2)
        for i, v in enumerate(self.distinct_amounts):
            if v <= key + 0.001:
                return i
        return len(self.distinct_amounts)


def facts(ctx: Context) -> DocFacts:
    cached = ctx.cache.get("rank_facts")
    if cached is None:
        cached = ctx.cache["rank_facts"] = DocFacts(ctx)
    return cached


def label_classes() -> dict:
    """The label vocabularies (data the finders read), as feature groups."""
    cached = _loaded.get("_labels")
    if cached is None:
        from .features import _amounts as a, _dates as d, invoice_id as inv
        from .layout import BUYER_HEADINGS, SELLER_HEADINGS

        cached = _loaded["_labels"] = {
            "total_strong": a.TOTAL_STRONG, "amount_due": a.AMOUNT_DUE, "total_plain": a.TOTAL_PLAIN,
            "subtotal": a.SUBTOTAL_LABELS, "tax": a.TAX,
            "not_total": a.NOT_TOTAL, "charges": a.CHARGES,
            "issue_date": d.ISSUE_LABELS, "other_date": d.OTHER_DATE_LABELS, "due_date": d.DUE_LABELS,
            "id_strong": inv.STRONG, "id_weak": inv.WEAK, "id_other": inv.NOT_ID_CONTEXT,
            "doc_number": inv.DOCUMENT_NUMBER, "referenced_invoice": inv.REFERENCED_INVOICE, "seller": SELLER_HEADINGS, "buyer": BUYER_HEADINGS,
        }
    return cached


# ------------------------------------------------------------------ features
def _address_line():
    from .features._names import ADDRESS_LINE

    return ADDRESS_LINE


def candidate_features(ctx: Context, feature: str, cand: Candidate, siblings: list[Candidate]) -> dict[str, float]:
    """Features of one candidate that do not name a layout: labels near it, where it sits,
    how it is printed, how often it repeats, how it compares with the other values."""
    f = facts(ctx)
    x: dict[str, float] = {"prior": max(0.0, min(1.0, float(cand.score))),
                           "from_finder": 0.0 if cand.extra.get("_broad") else 1.0}
    words: list[Word] = list(cand.words)
    x["ocr"] = 1.0 if any(w.conf < 1.0 for w in words) else 0.0
    if not words:
        x["no_words"] = 1.0
    else:
        first, last = words[0], words[-1]
        p, i = f.where.get(id(first), (first.page, 0))
        page_lines = f.lines.pages[p] if p < len(f.lines.pages) else []
        line = page_lines[i] if i < len(page_lines) else None
        x["y"] = first.cy
        x["x"] = (first.x0 + last.x1) / 2
        x["right"] = last.x1
        x["page0"] = 1.0 if p == 0 else 0.0
        x["doc_pos"] = (p + first.cy) / f.n_pages
        x["rel_height"] = min(4.0, first.height / max(1e-4, f.median_height[p] if p < len(f.median_height) else 0.01))
        if line is not None:
            lw = list(line.words)
            idx = next((k for k, w in enumerate(lw) if w is first), 0)
            jdx = next((k for k, w in enumerate(lw) if w is last), idx)
            # (a scan's gaps are not measured to columns: its lines are read whole, as its
            # model was trained)
            text_layer = p < len(ctx.doc.pages) and ctx.doc.pages[p].source != "ocr"
            left_words = _own_column_left(line, first) if text_layer else lw[:idx]
            left = " ".join(w.text for w in left_words)
            x["line_words"] = min(len(lw), 20) / 20
            x["first_on_line"] = 1.0 if idx == 0 else 0.0
            x["last_on_line"] = 1.0 if jdx == len(lw) - 1 else 0.0
            x["left_gap"] = min(1.0, first.x0 - left_words[-1].x1) if left_words else 1.0
            x["colon_left"] = 1.0 if left.rstrip().endswith((":", "#")) else 0.0
            x["currency_left"] = 1.0 if currency_mark().search(left[-6:]) or re.search(r"[$€£¥₹]", first.text) else 0.0
            # a value inside a parenthesis or after a comparison is a condition, not the value
            # ("free shipping (amount > 300 €)"); a street line's number is a house number
            x["in_parens"] = 1.0 if left.count("(") > left.count(")") else 0.0
            x["comparison_left"] = 1.0 if re.search(r"[<>≤≥]\s*\S*\s*$", left) else 0.0
            x["address_line"] = 1.0 if _address_line().search(line.text) else 0.0
            tail = left[-40:]
            nearest, nearest_end = None, -1
            for name, rx in label_classes().items():
                ms = list(rx.finditer(tail))
                if ms:
                    x[f"left_{name}"] = 1.0
                    if ms[-1].end() > nearest_end:
                        nearest, nearest_end = name, ms[-1].end()
            if nearest is not None:
                x[f"near_{nearest}"] = 1.0
                x["label_chars_gap"] = min(40, len(tail) - nearest_end) / 40
            else:
                x["label_chars_gap"] = 1.0
            if i > 0:
                above_line = page_lines[i - 1]
                x0, x1 = first.x0 - 0.05, last.x1 + 0.05
                above_words = [w for w in above_line.words if w.x1 > x0 and w.x0 < x1]
                x["above_gap"] = min(1.0, max(0.0, first.y0 - above_line.words[0].y1))
                above = " ".join(w.text for w in above_words)
                # a label over a value heads it only when it stands alone there: a line above
                # that prints its own value ("Due date: 12.03.2024") heads nothing below it
                headers_only = not (text_layer and PRINTED_VALUE.search(above))
                for name, rx in label_classes().items():
                    if headers_only and rx.search(above):
                        x[f"above_{name}"] = 1.0
                # the header over its own column only: in a row of headers over a row of
                # values ("Due date  Invoice date  Customer no"), the padded span above also
                # reaches the neighbouring column's label
                over = " ".join(w.text for w in above_line.words if w.x1 > first.x0 and w.x0 < last.x1)
                for name, rx in label_classes().items():
                    if rx.search(over) and not (text_layer and PRINTED_VALUE.search(over)):
                        x[f"over_{name}"] = 1.0
            else:
                x["above_gap"] = 1.0
    if feature in AMOUNT_FEATURES:
        _amount_features(ctx, feature, cand, words, x)
    elif feature in DATE_FEATURES:
        _date_features(ctx, feature, cand, siblings, x)
    elif feature == "invoice_id":
        _id_features(ctx, cand, siblings, x)
    elif feature in NAME_FEATURES:
        _name_features(ctx, feature, cand, x)
    return x


# On a text layer the label features read a line by its columns: labels left of a value are
# those of its own column of the line (or of the column just before it, where a label stands
# apart from its value), and a line above heads a value only when it prints labels alone.
WORDY = re.compile(r"[^\W\d_]{3}")
# A value printed on a line (a date, an amount, a number of three digits or more), not a rate
# or a count inside a label ("VAT 19 %", "Total (2 items)").
PRINTED_VALUE = re.compile(r"(?<![\w.,])\d[\d.,/\-]*\d[\d.,/\-]*\d(?!\s?%)")


def _own_column_left(line, first) -> list:
    """The words left of ``first`` in its part of the line, or when ``first`` starts its part
    the part before it ("Invoice no.          4711"), reached across parts that hold only a
    currency, a rate or a mark ("Subtotal     EUR     1.000,00"); never the columns before."""
    from .layout import segments

    parts = segments(line)
    k = next((n for n, part in enumerate(parts) if first in part), None)
    if k is None:
        return []
    own = parts[k][:parts[k].index(first)]
    if own:
        return own
    left: list = []
    for part in reversed(parts[:k]):
        left = part + left
        if any(WORDY.search(w.text) and not currency_mark().fullmatch(w.text) for w in part):
            break
    return left


def _amount_features(ctx, feature, cand, words, x):
    from .features._amounts import totals

    f = facts(ctx)
    value = float(cand.content)
    key = round(abs(value), 2)
    text = " ".join(w.text for w in words)
    x["decimals"] = 1.0 if re.search(r"[.,]\s?\d{2}\s*\)?-?$", text) else 0.0
    x["negative"] = 1.0 if re.search(r"^[-−–(]|-$|\)$", text.strip()) else 0.0
    x["magnitude"] = math.log10(abs(value) + 1) / 6
    rank = f.amount_rank(value)
    x["rank_inv"] = 1.0 / (1 + rank)
    x["is_max"] = 1.0 if rank == 0 else 0.0
    x["repeat"] = min(f.amount_counts.get(key, 1) - 1, 4) / 4
    x["small_int"] = 1.0 if not x["decimals"] and abs(value) < 100 else 0.0
    found = totals(ctx)
    others = {name: [float(c.content) for c in found.get(name, []) if c.origin not in STRUCTURED_ORIGINS][:6]
              for name in AMOUNT_FEATURES}
    agrees = 0.0
    if feature == "total":
        agrees = any(abs(s + t - key) < 0.011 for s in others["subtotal"] for t in others["total_tax_amount"]
                     if abs(s - key) > 0.005)
    elif feature == "subtotal":
        agrees = any(abs(key + t - s) < 0.011 for s in others["total"] for t in others["total_tax_amount"]
                     if abs(s - key) > 0.005)
    else:
        agrees = any(abs(s + key - t) < 0.011 for s in others["subtotal"] for t in others["total"]
                     if abs(s - t) > 0.005)
    x["agrees"] = 1.0 if agrees else 0.0


def _date_features(ctx, feature, cand, siblings, x):
    values = sorted({c.content for c in siblings})
    x["earliest"] = 1.0 if values and cand.content == values[0] else 0.0
    x["latest"] = 1.0 if values and cand.content == values[-1] else 0.0
    x["n_dates"] = min(len(values), 10) / 10
    x["repeat"] = min(sum(1 for c in siblings if c.content == cand.content) - 1, 4) / 4
    if feature == "due_date":
        issue = ctx.selected("date")
        if issue is not None and isinstance(issue.content, str):
            x["after_issue"] = 1.0 if cand.content > issue.content else 0.0
            x["is_issue"] = 1.0 if cand.content == issue.content else 0.0


def _id_features(ctx, cand, siblings, x):
    f = facts(ctx)
    value = str(cand.content)
    digits = sum(ch.isdigit() for ch in value)
    x["length"] = min(len(value), 20) / 20
    x["digit_share"] = digits / max(1, len(value))
    x["has_alpha"] = 1.0 if re.search(r"[A-Za-z]", value) else 0.0
    x["has_separator"] = 1.0 if re.search(r"[/\-_.]", value) else 0.0
    x["digits5"] = 1.0 if digits >= 5 else 0.0
    x["short"] = 1.0 if len(value) <= 3 else 0.0
    x["repeat"] = min(f.text_upper.count(re.sub(r"\s+", "", value.upper())) - 1, 4) / 4
    x["doc_has_id_label"] = 1.0 if any(not c.extra.get("_broad") and c.score >= 0.6 for c in siblings) else 0.0
    if cand.extra.get("_label"):
        x[f"label_{cand.extra['_label']}"] = 1.0


def _name_features(ctx, feature, cand, x):
    from .features._names import ADDRESS_LINE, LEGAL_FORMS, TITLE_WORDS

    f = facts(ctx)
    text = str(cand.content)
    x["legal_form"] = 1.0 if LEGAL_FORMS.search(text) else 0.0
    x["address_like"] = 1.0 if ADDRESS_LINE.search(text) else 0.0
    x["title_word"] = 1.0 if TITLE_WORDS.search(text) else 0.0
    x["n_words"] = min(len(text.split()), 10) / 10
    x["has_digit"] = 1.0 if re.search(r"\d", text) else 0.0
    x["upper"] = 1.0 if text.isupper() else 0.0
    x["repeat"] = min(f.text_upper.count(re.sub(r"\s+", "", text.upper())) - 1, 4) / 4
    x["user_origin"] = 1.0 if cand.origin == "user" else 0.0
    if is_receipt(ctx.doc, ctx.options.document_type):
        _receipt_name_features(ctx, cand, x)
    if cand.words:
        from .layout import column_start, party_of

        p, i = f.where.get(id(cand.words[0]), (cand.words[0].page, 0))
        # the heading over the name's own column (blocks may stand side by side), on a text
        # layer; a scan's lines are read whole
        on_scan = p < len(ctx.doc.pages) and ctx.doc.pages[p].source == "ocr"
        party = party_of(ctx.doc, p, i, x=None if on_scan else column_start(ctx.doc, p, i, cand.words[0]))
        x["in_seller_block"] = 1.0 if party == "seller" else 0.0
        x["in_buyer_block"] = 1.0 if party == "buyer" else 0.0
        if not on_scan:
            _block_features(ctx, feature, cand, p, i, x)


WINDOW_ZONE = (0.1, 0.36)  # of the page height: where a window envelope shows the address
BLOCK_LINES = 5


def _block_features(ctx, feature, cand, page, index, x):
    """What the name's own block prints: a tax or registration id (the issuer's block, most
    often), a sender's line over it (a window address); where the block stands."""
    from .features._names import REGISTRATION_LINE, in_column, sender_lines
    from .layout import BUYER_HEADINGS, is_heading

    f = facts(ctx)
    lines = f.lines.pages[page]
    first = cand.words[0]
    x0 = first.x0
    below = []
    for nxt in lines[index + 1: index + 1 + BLOCK_LINES]:
        col = in_column(nxt, x0)
        if not col.words or abs(col.words[0].x0 - x0) > 0.05:
            break
        below.append(col.text)
    x["block_tax_id"] = 1.0 if any(REGISTRATION_LINE.search(t) for t in below) else 0.0
    x["window_zone"] = 1.0 if page == 0 and WINDOW_ZONE[0] <= first.y0 <= WINDOW_ZONE[1] and first.x0 < 0.5 else 0.0
    x["under_sender_line"] = 1.0 if page == 0 and any(any(w is first for w in sub.words)
                                                      for _lt, sub in sender_lines(ctx)) else 0.0
    x["heading_on_line"] = 1.0 if is_heading(lines[index].text, BUYER_HEADINGS) else 0.0
    if feature == "client":
        supplier = ctx.selected("supplier")
        same_line = supplier is not None and any(f.where.get(id(w), (-1, -1)) == (page, index) for w in supplier.words)
        x["supplier_line"] = 1.0 if same_line else 0.0


PHONE_LIKE = re.compile(r"(?:\+?\d[\d ()./-]{6,}\d)")
HEADER_LINES = 8  # a receipt prints its merchant in its first lines


def header_lines(ctx: Context) -> list:
    """The first lines of an OCR page that carry a word (two letters or more)."""
    cached = ctx.cache.get("rank_header_lines")
    if cached is None:
        from .layout import lines_of

        pages = lines_of(ctx.doc).pages
        cached = ctx.cache["rank_header_lines"] = [
            lt for lt in (pages[0] if pages else []) if re.search(r"[^\W\d_]{2}", lt.text)][:HEADER_LINES]
    return cached


def _receipt_name_features(ctx, cand, x):
    """What sets a merchant's name apart on a receipt read by OCR: where its line falls among
    the first lines, and whether it reads like a name (letters, no prices or phone numbers)."""
    from .parsing.numbers import find_amounts

    text = str(cand.content)
    letters = sum(ch.isalpha() for ch in text)
    x["alpha_share"] = letters / max(1, len(text.replace(" ", "")))
    x["n_chars"] = min(len(text), 60) / 60
    x["has_amount"] = 1.0 if any(dec for _m, _v, dec in find_amounts(text, ocr=True)) else 0.0
    x["has_phone"] = 1.0 if PHONE_LIKE.search(text) else 0.0
    x["has_colon"] = 1.0 if ":" in text else 0.0
    x["lower_words"] = sum(1 for w in text.split() if w[:1].islower()) / max(1, len(text.split()))
    lines = header_lines(ctx)
    first = cand.words[0] if cand.words else None
    rank_ = next((k for k, lt in enumerate(lines) if first is not None and any(w is first for w in lt.words)), None)
    x["header_rank"] = (rank_ if rank_ is not None else HEADER_LINES) / HEADER_LINES
    x["header_first"] = 1.0 if rank_ == 0 else 0.0
    x["in_header"] = 1.0 if rank_ is not None else 0.0
    if first is not None and lines:
        tallest = max(w.height for lt in lines for w in lt.words)
        x["header_height"] = max(w.height for w in cand.words) / max(1e-6, tallest)
    from .features._names import GREETING, NOT_A_NAME, REGISTRATION_LINE

    x["not_a_name"] = 1.0 if NOT_A_NAME.search(text) else 0.0
    x["greeting"] = 1.0 if GREETING.search(text) else 0.0
    x["registration"] = 1.0 if REGISTRATION_LINE.search(text) else 0.0
    # a logo read as a run of one glyph ("车车本车车…") is no name
    chars = [ch for ch in text if not ch.isspace()]
    x["char_variety"] = len(set(chars)) / max(1, len(chars))
    x["script_as_page"] = 1.0 if _latin_share(text) >= 0.5 and page_script_latin(ctx) else (
        1.0 if _latin_share(text) < 0.5 and not page_script_latin(ctx) else 0.0)
    # a name printed over two lines: how its lines compare (a legal form ends a name; one
    # name keeps one print size)
    from .features._names import ADDRESS_LINE, LEGAL_FORMS

    where = facts(ctx).where
    by_line: dict = {}
    for w in cand.words:
        by_line.setdefault(where.get(id(w)), []).append(w)
    parts = [" ".join(w.text for w in ws) for ws in by_line.values()]
    x["two_lines"] = 1.0 if len(parts) > 1 else 0.0
    if len(parts) > 1:
        heights = [max(w.height for w in ws) for ws in by_line.values()]
        x["first_part_legal"] = 1.0 if LEGAL_FORMS.search(parts[0]) else 0.0
        x["last_part_legal"] = 1.0 if LEGAL_FORMS.search(parts[-1]) else 0.0
        x["last_part_address"] = 1.0 if ADDRESS_LINE.search(parts[-1]) else 0.0
        x["parts_height_ratio"] = min(heights) / max(1e-6, max(heights))
    # another first line carries a legal form ("… SDN BHD"): the name is likelier there
    legal_lines = [k for k, lt in enumerate(lines) if LEGAL_FORMS.search(lt.text)]
    x["header_has_legal"] = 1.0 if legal_lines else 0.0
    x["legal_elsewhere"] = 1.0 if legal_lines and not LEGAL_FORMS.search(text) else 0.0


def _latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if ch < "\u0250") / max(1, len(letters))


def page_script_latin(ctx: Context) -> bool:
    """Whether most of the page's letters are Latin."""
    cached = ctx.cache.get("rank_page_latin")
    if cached is None:
        cached = ctx.cache["rank_page_latin"] = _latin_share(ctx.doc.text[:MAX_REPEAT_TEXT]) >= 0.5
    return cached


def receipt_name_candidates(ctx: Context, found: list[Candidate]) -> list[Candidate]:
    """Every first line of a receipt, and every two neighbouring ones, as merchant names."""
    from .features._names import TITLE_WORDS, clean_name, is_postal_line, one_glyph_run

    have = {str(c.content).lower() for c in found}
    lines = header_lines(ctx)
    out = []
    for k, lt in enumerate(lines):
        spans = [[lt]] + ([[lt, lines[k + 1]]] if k + 1 < len(lines) and k < 4 else [])
        for span in spans:
            text = clean_name(" ".join(t.text for t in span))
            if len(text) < 2 or text.lower() in have or TITLE_WORDS.match(text) or one_glyph_run(text):
                continue
            if len(span) == 1 and is_postal_line(text) and re.search(r"\d", text):
                continue  # a street with its number or a postcode's town alone is no merchant's name
            have.add(text.lower())
            out.append(Candidate(text, [w for t in span for w in t.words], 0.0, extra={"_broad": True}))
    return out


# ------------------------------------------------------------------ wider candidate sets
def broad_candidates(ctx: Context, feature: str, found: list[Candidate]) -> list[Candidate]:
    """Candidates the finder's rules passed over, for the model to weigh."""
    if feature in AMOUNT_FEATURES:
        from .features._amounts import every_amount

        have = {round(float(c.content), 2) for c in found}
        return [c for c in every_amount(ctx) if round(float(c.content), 2) not in have]
    if feature == "invoice_id":
        from .features.invoice_id import labelled_numbers

        have = {str(c.content) for c in found}
        out, seen = [], set()
        for c in labelled_numbers(ctx):
            if c.content not in have and c.content not in seen:
                seen.add(c.content)
                out.append(c)
        return out
    if feature == "supplier" and is_receipt(ctx.doc, ctx.options.document_type):
        return receipt_name_candidates(ctx, found)
    if feature == "client" and not ocr_only(ctx.doc):
        return address_block_candidates(ctx, found)
    return []


def address_block_candidates(ctx: Context, found: list[Candidate]) -> list[Candidate]:
    """Every address block's name on the first page that the client's finder passed over
    (a block without a heading, a delivery address, the issuer's own block): the model
    weighs them against the finder's, by where they stand and what is printed near them."""
    from .features._names import address_block_names

    supplier = ctx.selected("supplier")
    have = {str(c.content).casefold() for c in found}
    if supplier is not None:
        have.add(str(supplier.content).casefold())
    out = []
    for c in address_block_names(ctx):
        key = str(c.content).casefold()
        if key not in have:
            have.add(key)
            c.extra["_broad"] = True
            out.append(c)
    return out


MAX_REPEAT_TEXT = 200_000
MIN_BROAD_PROBABILITY = 0.05
MAX_BROAD = 200  # candidates per feature weighed by the model (a long table prints many amounts)


def rerank(ctx: Context, feature: str, cands: list[Candidate], model: Ranker | None = None,
           collect: list | None = None) -> list[Candidate]:
    """``cands`` ordered by the model (structured values first, as they came).

    ``collect``: when given, (feature, candidate, features) rows are appended to it for
    training, and the order is left to the model given (None: the finders' order).
    """
    if feature not in RANKED_FEATURES:
        return cands  # (no finder candidate: the wider set may still hold the value)
    if model is None and collect is None:
        model = load_model()
    if (model is None or not model.knows(feature)) and collect is None:
        return cands
    structured = [c for c in cands if c.origin in STRUCTURED_ORIGINS]
    if structured and feature in AMOUNT_FEATURES + DATE_FEATURES + ("invoice_id",) and collect is None:
        return cands  # the exact value is known; nothing to weigh
    text = [c for c in cands if c.origin not in STRUCTURED_ORIGINS]
    text += [c for c in broad_candidates(ctx, feature, text)][:MAX_BROAD]
    rows = [(c, candidate_features(ctx, feature, c, text)) for c in text]
    if collect is not None:
        collect.extend((feature, c, x) for c, x in rows)
    if model is not None and model.knows(feature):
        for c, x in rows:
            c.score = round(model.probability(feature, x), 4)
        # a number no finder proposed is offered only when the model finds it at all likely (a
        # document may have no number; every bill has a total, the likeliest amount is kept)
        floor = MIN_BROAD_PROBABILITY if feature not in AMOUNT_FEATURES else 0.0
        text = sorted((c for c in text if not c.extra.get("_broad") or c.score >= floor),
                      key=lambda c: -c.score)
    else:
        text = [c for c in text if not c.extra.get("_broad")]
    for c in text:
        c.extra.pop("_broad", None)
        c.extra.pop("_label", None)
    return structured + text
