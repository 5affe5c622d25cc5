"""Learning from validations: what an accountant confirmed makes the next bill of the same
supplier come out right.

Two pure functions, no database (the caller stores and loads plain data):

* :func:`observe` ``(doc, result, validated_values) -> observation``: for each validated
  feature, the words that print the confirmed value (from the validated ``box``, else the
  result's candidate with that content, else a search of the page text), the label words
  left of them on their line and above them in their column, and their position on the
  page; plus the supplier's identity (VAT number, IBAN, name, e-mail domain).
* :func:`aggregate` ``(observations) -> profile``: the votes of several observations of one
  supplier (label variants, positions, constant values, payment terms), each with its count,
  so one bad validation cannot overrule several good ones (ties go to what was learned first).
* :func:`apply` ``(ctx, profiles)``: run by the pipeline after the finders. When the page is
  recognised as coming from a known supplier (its VAT number or IBAN printed on the page,
  its name as a tie-breaker), candidates printed next to a learned label or at a learned
  position rank higher; a value printed next to a learned label that no finder proposed
  becomes a candidate; and the supplier's constant fields (currency, IBAN, VAT number, name,
  BIC, payment terms) get their learned value when the page prints it. Candidates learning
  proposed or ranked carry the documented extra key ``learned: true``. Structured values
  (e-invoice XML, payment codes) stay above anything learned.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import Any, Iterable, Sequence

from .candidate import Candidate
from .document import Document, Word
from .parsing.accounts import iban_valid
from .parsing.dates import find_dates, parse_date
from .parsing.numbers import (CURRENCY_MARKS, find_amounts, iso_currency_codes, parse_amount, parse_number,
                              repair_ocr)

AMOUNT_FEATURES = ("total", "subtotal", "total_tax_amount")
DATE_FEATURES = ("date", "due_date")
CODE_FEATURES = ("invoice_id", "payment_ref", "VAT_Number", "iban")
# Features learned from validations (labels, positions, values).
LEARNED_FEATURES = AMOUNT_FEATURES + DATE_FEATURES + CODE_FEATURES + ("currency", "supplier", "SWIFT_code")
# Values a supplier prints the same on every bill: their majority value is a default.
CONSTANT_FEATURES = ("currency", "iban", "VAT_Number", "supplier", "SWIFT_code")
# Features whose learned value may be added as a new candidate (others only ranked).
ADDABLE = AMOUNT_FEATURES + DATE_FEATURES + CODE_FEATURES + ("currency", "supplier")
# … and which may be read from what is printed at a learned label or position (a name or a
# currency code is too easy to read from any word: those come only as learned constants).
ADDABLE_BY_PLACE = AMOUNT_FEATURES + DATE_FEATURES + CODE_FEATURES
STRUCTURED_ORIGINS = ("xml", "qr")
_logger = logging.getLogger(__name__)

MAX_LABEL_WORDS = 4
MAX_LABEL_GAP = 0.2  # label → value on one line, share of the page width
MAX_ROW_GAP = 0.85  # a row label at the left margin, its value far right ("row" labels)
MAX_WORD_GAP = 0.04  # between words of one label
NEAR_X, NEAR_Y = 0.08, 0.025  # a "learned position" match
MAX_SCORE = 1.95  # below structured values (2.0)
# Evidence, with every validation agreeing: a learned label next to a value near where the
# value was is 1.2 (0.6 when the validations split two ways), in the learned column but
# lower or higher on the page 0.75 (0.38 split), a label printed elsewhere 0.5,
# a value at the learned place with no label 0.5, the supplier's constant printed on the
# page 1.0. Dates, totals and numbers change from bill to bill and receipts grow with their
# items, so a label far from its place, or a place without its label, does not overrule the
# plain engine (it did on 3 of 93 later receipts of the corpus's stores).
STRONG_EVIDENCE = 0.6
WEAK_NUDGE = 0.1
# The page's own reading of a currency (its marks beside the amounts) outweighs the
# supplier's usual one by this much: a supplier may bill in a foreign currency.
OWN_CURRENCY_MARGIN = 0.2

CURRENCY_SYMBOLS = {"EUR": ("€", "EUR", "euro"), "USD": ("$", "USD", "US$"), "GBP": ("£", "GBP"),
                    "CHF": ("CHF", "Fr."), "JPY": ("¥", "JPY"), "MYR": ("RM", "MYR"), "SGD": ("S$", "SGD")}


# ------------------------------------------------------------------ values
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def code_key(value: Any) -> str:
    """An identifier compared as the scorer does: upper-case, without spaces . - /"""
    return re.sub(r"[\s.\-/]", "", str(value or "")).upper()


def name_key(value: Any) -> str:
    return " ".join(re.findall(r"\w+", _fold(value or "")))


def bic_of(value: Any) -> str:
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value).get("bic", "")
        except (ValueError, AttributeError):
            return ""
    return code_key(value)[:8]


def normalize(feature: str, value: Any) -> Any:
    """The validated content in the form the engine outputs (None when it has no value)."""
    if value is None or value == "" or value is False:
        return None
    if feature in AMOUNT_FEATURES:
        if isinstance(value, (int, float)):
            return round(float(value), 2)
        parsed = parse_amount(str(value))
        if parsed is None:
            try:
                parsed = float(str(value))
            except ValueError:
                return None
        return round(parsed, 2)
    if feature in DATE_FEATURES:
        text = str(value).strip()
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
        if m:
            return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        d = parse_date(text)
        return d.isoformat() if d else None
    if feature in ("VAT_Number", "iban"):
        return code_key(value) or None
    if feature == "currency":
        return str(value).strip().upper()[:3] or None
    if feature == "SWIFT_code":
        return bic_of(value) or None
    return str(value).strip() or None


def same(feature: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if feature in AMOUNT_FEATURES:
        try:
            return abs(float(a) - float(b)) < 0.005
        except (TypeError, ValueError):
            return False
    if feature in ("invoice_id", "payment_ref", "VAT_Number", "iban"):
        return code_key(a) == code_key(b)
    if feature == "SWIFT_code":
        return bic_of(a) == bic_of(b)
    if feature == "supplier":
        return name_key(a) == name_key(b)
    return str(a) == str(b)


def parse_printed(feature: str, text: str, ocr: bool = False) -> Any:
    """A printed text → the feature's value, or None when it is not one (``ocr``: read by
    OCR, whose usual damage to amounts is mended first, as the finders do)."""
    text = text.strip()
    if not text:
        return None
    if feature in AMOUNT_FEATURES:
        if ocr:
            text = repair_ocr(text)
        # the whole text is the amount (with its currency mark), not a line holding one
        found = list(find_amounts(text))
        if len(found) != 1 or re.sub(CURRENCY_MARKS, "", text[:found[0][0].start()] + text[found[0][0].end():]).strip(" :*"):
            return None
        return round(found[0][1], 2)
    if feature in DATE_FEATURES:
        for m, d in find_dates(text):
            if m.start() == 0 and not text[m.end():].strip(" .,;:)"):
                return d.isoformat()
        return None
    if feature in ("invoice_id", "payment_ref"):
        value = text.strip(" :#.,;()")
        if not value or not re.search(r"\d", value) or len(value) > 40:
            return None
        return value
    if feature == "VAT_Number":
        key = code_key(text)
        # an EU VAT id, or another country's tax or registration number (a GST, BN, NIP or SST
        # number: mostly digits), which a supplier's validated bills print as its id
        if re.fullmatch(r"[A-Z]{2}[0-9A-Z]{6,13}", key) or \
                re.fullmatch(r"[0-9A-Z]{8,20}", key) and len(re.findall(r"\d", key)) >= 7:
            return key
        return None
    if feature == "iban":
        key = code_key(text)
        return key if re.fullmatch(r"[A-Z]{2}\d{2}[0-9A-Z]{10,30}", key) and iban_valid(key) else None
    if feature == "currency":
        code = text.strip().upper()
        return code if re.fullmatch(r"[A-Z]{3}", code) else None
    if feature == "supplier":
        return text if re.search(r"[^\W\d]{2}", text) else None
    return None


# ------------------------------------------------------------------ page geometry
def _page_lines(doc: Document, page: int) -> list[list[Word]]:
    from .layout import lines_of

    return [list(lt.words) for lt in lines_of(doc).pages[page]]


def _token(text: str) -> str:
    """A label word, compared loosely: folded case and accents, outer punctuation dropped,
    digits as 9 ("VAT 21%" and "VAT 7%" are one label)."""
    t = _fold(text).strip(" :#.,;*()[]{}|/\\-–_'\"")
    return re.sub(r"\d+", "9", t)


def _is_value_word(word: Word) -> bool:
    """A word that is a value rather than part of a label (amounts, dates, long numbers,
    currency codes)."""
    return len(re.findall(r"\d", word.text)) >= 3 or _is_currency_mark(word)


def _is_currency_mark(word: Word) -> bool:
    """Any ISO 4217 code, not only those the currency finder reads, or a currency symbol: a
    mark beside an amount names no field ("RSD" before both the net and the gross total)."""
    from .features.currency import SYMBOLS

    return word.text.strip(" .,:;()") in iso_currency_codes() or word.text.strip(" :;()") in SYMBOLS


def _label_left(line: Sequence[Word], first: Word, max_gap: float = MAX_ROW_GAP) -> tuple[list[str], float]:
    """The label words left of a value on its line, and the gap between them and the value."""
    left = [w for w in line if w.x1 <= first.x0 + 1e-6 and w is not first]
    out: list[Word] = []
    prev = first
    for w in reversed(left):
        gap = prev.x0 - w.x1
        if not out and gap <= MAX_WORD_GAP and _is_currency_mark(w):
            prev = w  # the label is left of the amount's currency mark
            continue
        if gap > (max_gap if not out else MAX_WORD_GAP) or _is_value_word(w):
            break
        out.insert(0, w)
        prev = w
        if len(out) >= MAX_LABEL_WORDS:
            break
    tokens = [t for t in (_token(w.text) for w in out) if t]
    if not any(re.search(r"[^\W\d]", t) for t in tokens):
        return [], 0.0
    return tokens, first.x0 - out[-1].x1


def _label_above(lines: list[list[Word]], index: int, words: Sequence[Word]) -> list[str]:
    x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
    top = min(w.y0 for w in words)
    for line in reversed(lines[max(0, index - 3):index]):
        if not line or top - max(w.y1 for w in line) > 0.06:
            break
        col = [w for w in line if w.x1 > x0 - 0.02 and w.x0 < x1 + 0.02]
        if not col:
            continue
        tokens = [t for t in (_token(w.text) for w in col[:MAX_LABEL_WORDS]) if t]
        if any(re.search(r"[^\W\d]", t) for t in tokens) and not any(_is_value_word(w) for w in col):
            return tokens
        return []
    return []


def _line_index(lines: list[list[Word]], word: Word) -> int:
    for i, line in enumerate(lines):
        if any(w is word or w == word for w in line):
            return i
    return -1


def _words_in_box(doc: Document, page: int, box: Sequence[float]) -> list[Word]:
    """Words whose centre lies in the box [cx, cy, w, h] (page frame, relative)."""
    if page < 0 or page >= len(doc.pages):
        return []
    cx, cy, bw, bh = (float(v) for v in box[:4])
    if bw <= 0 or bh <= 0:
        return []
    x0, x1, y0, y1 = cx - bw / 2 - 0.003, cx + bw / 2 + 0.003, cy - bh / 2 - 0.003, cy + bh / 2 + 0.003
    out = []
    for w in doc.pages[page].words:
        bx0, by0, bx1, by1 = w.page_box or (w.x0, w.y0, w.x1, w.y1)
        if x0 <= (bx0 + bx1) / 2 <= x1 and y0 <= (by0 + by1) / 2 <= y1:
            out.append(w)
    return sorted(out, key=lambda w: (w.line, w.x0))


def _windows(line: Sequence[Word], start: int = 0, sizes: Iterable[int] = range(1, 7)):
    for n in sizes:
        if start + n <= len(line):
            yield line[start:start + n]


def _search(doc: Document, feature: str, content: Any) -> list[Word]:
    """The words printing ``content`` (fewest words): an occurrence with a label close on its
    left, else one with a label above, else the first (the last for amounts: totals close a bill)."""
    found: list[tuple[int, int, list[Word]]] = []
    for p in range(len(doc.pages)):
        lines = _page_lines(doc, p)
        for li, line in enumerate(lines):
            if not _may_print(feature, content, " ".join(w.text for w in line)):
                continue
            for n in range(1, 7):
                hit = None
                for i in range(len(line) - n + 1):
                    ws = line[i:i + n]
                    text = " ".join(w.text for w in ws)
                    value = (parse_printed(feature, text, ocr=any(w.conf < 1.0 for w in ws))
                             if feature != "supplier" else text)
                    if same(feature, value, content):
                        hit = list(ws)
                        break
                if hit:
                    tokens, gap = _label_left(line, hit[0])
                    rank = 3 if tokens and gap <= MAX_LABEL_GAP else 2 if _label_above(lines, li, hit) else \
                        1 if tokens else 0
                    found.append((rank, len(found), hit))
                    break
    if not found:
        return []
    late = 1 if feature in AMOUNT_FEATURES else -1
    return max(found, key=lambda f: (f[0], late * f[1]))[2]


def _may_print(feature: str, content: Any, text: str) -> bool:
    """A cheap test whether a line can print ``content`` (most lines cannot)."""
    if feature in ("VAT_Number", "iban", "invoice_id", "payment_ref"):
        return code_key(content) in code_key(text)
    if feature in AMOUNT_FEATURES:
        return str(int(abs(float(content)))) in re.sub(r"\D", "", text)
    if feature in DATE_FEATURES:
        return bool(re.search(r"\d", text))
    if feature == "supplier":
        first = name_key(content).split()[:1]
        return not first or first[0] in name_key(text)
    return True


def _locate(doc: Document, result: dict, feature: str, content: Any, validated: dict) -> list[Word]:
    box = validated.get("box") if isinstance(validated, dict) else None
    if isinstance(box, dict):
        box = [box.get("text"), box.get("page"), *(box.get("coords") or [])]
    if isinstance(box, (list, tuple)) and len(box) >= 6:
        try:
            words = _words_in_box(doc, int(box[1] or 0), [float(v) for v in box[2:6]])
        except (TypeError, ValueError):
            words = []
        if words:
            return words
    entry = (result or {}).get(feature)
    if isinstance(entry, dict):
        for cand in entry.get("candidates") or []:
            coords = cand.get("coords") or []
            if same(feature, normalize(feature, cand.get("content")), content) and len(coords) >= 4:
                words = _words_in_box(doc, int(cand.get("page") or 0), coords)
                if words:
                    return words
    if feature == "currency":
        return []
    return _search(doc, feature, content)


# ------------------------------------------------------------------ observe
def observe(doc: Document, result: dict | None, validated_values: dict) -> dict:
    """What a validation teaches: the supplier's identity and, per validated feature, its
    value, the label words next to it and its position. Plain JSON-able data."""
    result = result or {}
    fields: dict[str, dict] = {}
    for feature in LEARNED_FEATURES:
        validated = validated_values.get(feature)
        if not isinstance(validated, dict):
            continue
        content = normalize(feature, validated.get("content"))
        if content is None:
            continue
        obs: dict = {"value": content, "left": "", "above": "", "row": "", "page": None, "page_from_end": None,
                     "x": None, "y": None, "nwords": 0}
        words = _locate(doc, result, feature, content, validated)
        if words:
            page = words[0].page
            words = [w for w in words if w.page == page]
            lines = _page_lines(doc, page)
            index = _line_index(lines, words[0])
            line = lines[index] if index >= 0 else list(words)
            first_line = [w for w in words if w in line] or words
            tokens, gap = _label_left(line, first_line[0])
            above = " ".join(_label_above(lines, index, first_line)) if index >= 0 else ""
            # one label per value: close on its left, else above it, else at the start of its row
            left = " ".join(tokens) if tokens and gap <= MAX_LABEL_GAP else ""
            row = " ".join(tokens) if tokens and not left and not above else ""
            above = "" if left else above
            obs.update(left=left, above=above, row=row,
                       page=page, page_from_end=len(doc.pages) - 1 - page,
                       x=round(sum(w.cx for w in words) / len(words), 4),
                       y=round(sum(w.cy for w in words) / len(words), 4), nwords=len(words))
        fields[feature] = obs
    identity = {
        "VAT_Number": fields.get("VAT_Number", {}).get("value"),
        "iban": fields.get("iban", {}).get("value"),
        "supplier": fields.get("supplier", {}).get("value"),
        "email_domain": _email_domain(validated_values, result),
        "ids": printed_ids(doc),
        "layout": layout_fingerprint(doc),
    }
    due = None
    d, dd = fields.get("date", {}).get("value"), fields.get("due_date", {}).get("value")
    if d and dd:
        try:
            due = (date.fromisoformat(dd) - date.fromisoformat(d)).days
        except ValueError:
            due = None
    return {"identity": identity, "fields": fields, "due_days": due,
            "columns": observe_columns(doc, validated_values.get("invoice_lines"))}


# -- the supplier's line table: its column headers ---------------------------------------------
LINE_NUMBER_KINDS = ("quantity", "unit_price", "subtotal")
MAX_OBSERVED_LINES = 5
MAX_HEADER_DISTANCE = 4  # lines between the table's header and its first item
HEADER_WORD_GAP = 0.012  # of the page width: words closer than this are one column's header
MAX_HEADER_OFFSET = 0.08  # a header not over its column may sit this far beside it


def _number(value: Any) -> float | None:
    try:
        return round(float(value), 4) if value not in (None, "") and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _row_cells(line: Sequence[Word], numbers: dict[str, float]) -> dict[str, list[Word]] | None:
    """The words of a printed row holding a validated line's numbers, per kind (the amount
    rightmost, the unit price left of it, the quantity left of that), or None."""
    values = [(i, parse_number(w.text.strip("€$£"))) for i, w in enumerate(line)]
    cells: dict[str, list[Word]] = {}
    limit = len(line)
    for kind in ("subtotal", "unit_price", "quantity"):
        if kind not in numbers:
            continue
        at = [i for i, v in values[:limit] if v is not None and abs(abs(v) - abs(numbers[kind])) < 0.005]
        if not at:
            if kind == "subtotal":
                return None
            continue
        cells[kind] = [line[at[-1]]]
        limit = at[-1]
    if len(cells) < 2:
        return None
    first = min(line.index(ws[0]) for ws in cells.values())
    description = [w for w in line[:first] if parse_number(w.text) is None]
    if description:
        cells["description"] = description
    return cells


def _header_groups(line: Sequence[Word]) -> list[list[Word]]:
    groups: list[list[Word]] = []
    for w in line:
        if groups and w.x0 - groups[-1][-1].x1 < HEADER_WORD_GAP:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def _header_above(lines: list[list[Word]], index: int, cells: dict[str, list[Word]]) -> dict[str, str]:
    """Per kind, the header words printed over the row's cells, from the nearest line above
    that heads at least two of them (one a number) with different words."""
    for line in reversed(lines[max(0, index - MAX_HEADER_DISTANCE):index]):
        if len(line) < 2 or sum(parse_number(w.text) is not None for w in line) * 2 > len(line):
            continue
        groups = _header_groups(line)
        named: dict[str, str] = {}
        taken: set[int] = set()
        for kind, ws in cells.items():
            x0, x1 = min(w.x0 for w in ws), max(w.x1 for w in ws)
            cx = (x0 + x1) / 2

            def fit(g: int) -> tuple[float, float]:
                gx0, gx1 = groups[g][0].x0, groups[g][-1].x1
                return min(x1, gx1) - max(x0, gx0), -abs((gx0 + gx1) / 2 - cx)

            best = max(range(len(groups)), key=fit)
            overlap, offset = fit(best)
            if best in taken or overlap <= 0 and -offset > MAX_HEADER_OFFSET:
                continue
            text = " ".join(w.text for w in groups[best]).strip(" :").lower()
            if text and parse_number(text) is None:
                named[kind] = text
                taken.add(best)
        if len(named) >= 2 and set(named) & set(LINE_NUMBER_KINDS):
            return named
    return {}


def observe_columns(doc: Document, validated: Any) -> dict[str, str]:
    """The column headers of the supplier's line table, found from the validated lines: a
    printed row holding a line's numbers, and the headers over them."""
    rows = validated.get("lines") if isinstance(validated, dict) else None
    if not isinstance(rows, list):
        return {}
    for row in rows[:MAX_OBSERVED_LINES]:
        if not isinstance(row, dict):
            continue
        numbers = {k: v for k in LINE_NUMBER_KINDS if (v := _number(row.get(k))) is not None}
        if "subtotal" not in numbers or len(numbers) < 2:
            continue
        for page in range(len(doc.pages)):
            lines = _page_lines(doc, page)
            for index, line in enumerate(lines):
                cells = _row_cells(line, numbers)
                header = _header_above(lines, index, cells) if cells else {}
                if header:
                    return header
    return {}


def _email_domain(validated_values: dict, result: dict) -> str | None:
    for source in (validated_values.get("email"), (result.get("email") or {}).get("selected_value")):
        if isinstance(source, dict) and isinstance(source.get("content"), str) and "@" in source["content"]:
            return source["content"].rsplit("@", 1)[1].strip().lower() or None
    return None


# ------------------------------------------------------------------ identity
# A printed identifier: a registration, tax or company number of any country, a phone
# number, an account number — at least ID_MIN_DIGITS digits once spaces, dots, dashes and
# slashes are gone ("(123456-X)", "GST ID: 000123456789", "07-1234 5678", "KvK 12345678").
ID_MIN_DIGITS = 6
ID_MAX_CHARS = 20
HEADER_SHARE = 0.3  # the top of the first page: where a supplier prints who it is
MAX_IDS = 30
MAX_LAYOUT_WORDS = 40
MAX_LAYOUTS = 3
LAYOUT_NEAR = 0.06
_WEB = re.compile(r"(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})", re.I)


def _id_key(text: str) -> str | None:
    key = re.sub(r"[\s.\-/()\[\]:#]", "", text).upper()
    if len(key) > ID_MAX_CHARS or sum(c.isdigit() for c in key) < ID_MIN_DIGITS or not key.isalnum():
        return None
    return key


def _line_ids(texts: Sequence[str]) -> list[str]:
    """Identifiers of one line. A number may be split over words ("07-1234 5678"): runs of
    up to three words that all hold a digit are tried, the longest identifier kept."""
    out = []
    i = 0
    while i < len(texts):
        best, width = None, 1
        for n in (3, 2, 1):
            run = texts[i:i + n]
            if len(run) == n and all(any(c.isdigit() for c in t) for t in run):
                key = _id_key(" ".join(run))
                if key:
                    best, width = key, n
                    break
        if best:
            out.append(best)
        i += width
    return out


def _identity_words(texts: Sequence[str]) -> list[str]:
    """The identifiers of one line, then the web and e-mail domains it prints."""
    out = _line_ids(texts)
    for word in texts:
        found = _WEB.search(word)
        if found and ("@" in word or word.lower().startswith("www.")):
            out.append(found.group(1).lower())
    return out


def printed_ids(doc: Document) -> list[str]:
    """Identifiers and web or e-mail domains the top of the first page prints (the
    supplier's header), each once. Numbers that change from bill to bill are printed there
    too; they simply never match a later bill."""
    if not doc.pages:
        return []
    out: list[str] = []
    for line in _page_lines(doc, 0):
        if line and line[0].y0 <= HEADER_SHARE:
            for key in _identity_words([w.text for w in line]):
                if key not in out:
                    out.append(key)
    return out[:MAX_IDS]


def layout_fingerprint(doc: Document) -> list[list]:
    """Where the header's words sit: [token, x, y] of the first page's top words (letters
    only, three or more), a template's signature that survives OCR noise in a few words."""
    if not doc.pages:
        return []
    out = []
    for line in _page_lines(doc, 0):
        for w in line:
            token = _token(w.text)
            if w.y0 <= HEADER_SHARE and len(token) >= 3 and token.isalpha():
                out.append([token, round(w.cx, 3), round(w.cy, 3)])
    return out[:MAX_LAYOUT_WORDS]


def layout_similarity(page_layout: Sequence[Sequence], learned: Sequence[Sequence]) -> float:
    """Share of a learned header's words printed at the same place on this page."""
    if len(learned) < 3:
        return 0.0
    hits = sum(any(t == lt and abs(x - lx) < LAYOUT_NEAR and abs(y - ly) < LAYOUT_NEAR for t, x, y in page_layout)
               for lt, lx, ly in learned)
    return hits / len(learned)


# ------------------------------------------------------------------ aggregate
def _votes(items: Iterable[Any]) -> list[list]:
    """[[value, count], …] most voted first; ties keep the order values were first seen."""
    counts: dict[str, list] = {}
    for item in items:
        if item is None or item == "":
            continue
        key = json.dumps(item, sort_keys=True)
        if key not in counts:
            counts[key] = [item, 0, len(counts)]
        counts[key][1] += 1
    return [[v, n] for v, n, _ in sorted(counts.values(), key=lambda e: (-e[1], e[2]))]


def _position_votes(observations: list[dict]) -> list[list]:
    """Positions clustered (same page, within NEAR_X/NEAR_Y): [[page, page_from_end, x, y, count]]."""
    clusters: list[list] = []
    for o in observations:
        if o.get("x") is None:
            continue
        for c in clusters:
            if (c[0] == o["page"] or c[1] == o["page_from_end"]) and abs(c[2] - o["x"]) < NEAR_X \
                    and abs(c[3] - o["y"]) < NEAR_Y:
                c[4] += 1
                break
        else:
            clusters.append([o["page"], o["page_from_end"], o["x"], o["y"], 1])
    return sorted(clusters, key=lambda c: -c[4])


def aggregate(observations: Sequence[dict], profile_id: Any = None, name: str | None = None) -> dict:
    """One supplier's profile from its observations (oldest first), as plain data.

    Every vote keeps its count; a feature's ``count`` is how many validations saw it."""
    fields: dict[str, dict] = {}
    for feature in LEARNED_FEATURES:
        seen = [o["fields"][feature] for o in observations if feature in (o.get("fields") or {})]
        if not seen:
            continue
        fields[feature] = {
            "count": len(seen),
            "values": _votes(s.get("value") for s in seen) if feature in CONSTANT_FEATURES else [],
            "left": _votes(s.get("left") for s in seen),
            "above": _votes(s.get("above") for s in seen),
            "row": _votes(s.get("row") for s in seen),
            "positions": _position_votes(seen),
            "nwords": (_votes(s.get("nwords") for s in seen if s.get("nwords")) or [[1, 0]])[0][0],
        }
    identity = {key: _votes((o.get("identity") or {}).get(key) for o in observations)
                for key in ("VAT_Number", "iban", "supplier", "email_domain")}
    # every identifier any of its bills printed, with the number of bills that printed it
    identity["ids"] = _votes(i for o in observations for i in (o.get("identity") or {}).get("ids") or [])
    identity["layouts"] = [o["identity"]["layout"] for o in observations[-MAX_LAYOUTS:]
                           if (o.get("identity") or {}).get("layout")]
    return {"id": profile_id, "name": name or (identity["supplier"][0][0] if identity["supplier"] else ""),
            "documents": len(observations), "identity": identity, "fields": fields,
            "due_days": _votes(o.get("due_days") for o in observations),
            "columns": {kind: votes for kind in ("description",) + LINE_NUMBER_KINDS
                        if (votes := _votes((o.get("columns") or {}).get(kind) for o in observations))}}


def winner(votes: list[list]) -> tuple[Any, int, int] | None:
    """(value, its count, all counts) of the most voted value; ties go to the first learned."""
    if not votes:
        return None
    return votes[0][0], votes[0][1], sum(v[1] for v in votes)


# ------------------------------------------------------------------ apply
def _page_key(doc: Document) -> tuple[str, str]:
    text = doc.text
    return re.sub(r"[^0-9A-Z]", "", text.upper()), " " + name_key(text) + " "


def match_profile(doc: Document, profiles: Sequence[dict], own_vat: str | None = None) -> dict | None:
    """The known supplier this page comes from, recognised as an accountant would:

    * its VAT number or IBAN printed on the page (3 points each);
    * another identifier its bills print in their header (a registration or tax number of
      any country, a phone number, a web or e-mail domain) printed here too (3 points, 1 more
      for a second one). An identifier several known suppliers print (the account's own
      phone on every bill addressed to it) tells none of them apart and counts for nothing;
    * its name (2), also read through OCR noise (a near spelling on a line of the header); a
      known name absent from the page costs 1.5;
    * its header's layout: most of its words at the same places (2);
    * its e-mail domain (1).

    At least 2 points, the best wins (ties: the profile with more documents)."""
    if not profiles:
        return None
    codes, names = _page_key(doc)
    own = code_key(own_vat) if own_vat else ""
    page_ids = _all_ids(doc)  # the header's identifiers are among them
    page_layout = layout_fingerprint(doc)
    id_owners: dict[str, int] = {}
    for profile in profiles:
        for value, _n in (profile.get("identity") or {}).get("ids") or []:
            id_owners[value] = id_owners.get(value, 0) + 1
    header_names = _header_names(doc)
    best, best_score = None, 0.0
    for profile in profiles:
        ident = profile.get("identity") or {}
        score = 0.0
        if any(code_key(v) and code_key(v) != own and code_key(v) in codes for v, _n in ident.get("VAT_Number", [])):
            score += 3
        if any(code_key(v) and code_key(v) in codes for v, _n in ident.get("iban", [])):
            score += 3
        counted = {code_key(v) for key in ("VAT_Number", "iban") for v, _n in ident.get(key, [])}
        id_found = any(v in page_ids and id_owners.get(v, 0) == 1 and v != own and v not in counted
                       for v, _n in ident.get("ids") or [])
        known = [name_key(v) for v, _n in ident.get("supplier", []) if len(name_key(v)) >= 3]
        name_absent = False
        if known:
            if any(f" {k} " in names for k in known) or any(_near_spelling(k, header_names) >= NAME_NEAR
                                                              for k in known):
                score += 2
            elif not any(_mostly_present(k, names) or _near_spelling(k, header_names) >= NAME_SOMEWHAT
                         for k in known):
                score -= 1.5
                name_absent = True
        # A header identifier may be the customer's own (its VAT number printed on the bill
        # of a supplier it has validated nothing for yet), and one invoicing program prints
        # many suppliers' bills alike: both only confirm a name that is not missing.
        if id_found and not name_absent:
            score += 3
        if not name_absent and max((layout_similarity(page_layout, layout) for layout in ident.get("layouts") or []),
                                   default=0.0) >= LAYOUT_MATCH:
            score += 1.5
        if any(d and d.lower() in names.replace(" ", ".") or d and d.lower() in doc.text.lower()
               for d, _n in ident.get("email_domain", [])):
            score += 1
        key = (score, profile.get("documents", 0))
        if score >= 2 and (best is None or key > (best_score, best.get("documents", 0))):
            best, best_score = profile, score
    return best


NAME_NEAR, NAME_SOMEWHAT = 0.85, 0.6
LAYOUT_MATCH = 0.5


def _all_ids(doc: Document) -> set[str]:
    """Every identifier the document prints, anywhere (a supplier may print its number in a
    footer), with its web and e-mail domains."""
    return {key for page in range(len(doc.pages)) for line in _page_lines(doc, page)
            for key in _identity_words([w.text for w in line])}


def _header_names(doc: Document) -> list[str]:
    """The header lines of the first page, and pairs of them, as name keys (a name may wrap)."""
    if not doc.pages:
        return []
    lines = [name_key(" ".join(w.text for w in line)) for line in _page_lines(doc, 0)
             if line and line[0].y0 <= HEADER_SHARE]
    return [l for l in lines if l] + [f"{a} {b}" for a, b in zip(lines, lines[1:]) if a and b]


def _near_spelling(name: str, lines: Sequence[str]) -> float:
    """How closely some header line (or a part of it as long as the name) spells ``name``."""
    best = 0.0
    n = len(name)
    for line in lines:
        candidates = [line] if len(line) <= n + 4 else [line[i:i + n] for i in range(0, len(line) - n + 1, 2)]
        for text in candidates:
            best = max(best, SequenceMatcher(None, text, name).ratio())
            if best >= NAME_NEAR:
                return best
    return best


def _mostly_present(name: str, page_names: str) -> bool:
    tokens = [t for t in name.split() if len(t) >= 3]
    return bool(tokens) and sum(f" {t} " in page_names for t in tokens) * 2 >= len(tokens)


def _tokens_of(doc: Document, page: int) -> list[list[str]]:
    cache = doc.attachments.setdefault("_learning_tokens", {})
    if page not in cache:
        cache[page] = [[_token(w.text) for w in line] for line in _page_lines(doc, page)]
    return cache[page]


def _find_label(doc: Document, page: int, tokens: list[str], whole: bool = False) -> Iterable[tuple[int, int, int]]:
    """(line index, start, end) of each run of words on the page whose tokens are ``tokens``.

    ``whole``: the run must be the whole label of its line. A label learned on a value's
    line is every close word left of it (``_label_left``), so a run with another label word
    close before or after it is a longer, other label ("Discount Total", "Total Tax" are
    not "Total")."""
    k = len(tokens)
    lines = _page_lines(doc, page)
    for li, toks in enumerate(_tokens_of(doc, page)):
        line = lines[li]
        for i in range(len(toks) - k + 1):
            if toks[i:i + k] != tokens:
                continue
            if whole and k < MAX_LABEL_WORDS and (
                    (i > 0 and _joins_label(line[i - 1], line[i], toks[i - 1]))
                    or (i + k < len(line) and _joins_label(line[i + k], line[i + k - 1], toks[i + k], after=True))):
                continue
            yield li, i, i + k


def _joins_label(word: Word, neighbour: Word, token: str, after: bool = False) -> bool:
    """``word`` is a label word printed close beside ``neighbour`` (not a value, not a currency)."""
    gap = word.x0 - neighbour.x1 if after else neighbour.x0 - word.x1
    return (gap <= MAX_WORD_GAP and not _is_value_word(word) and bool(re.search(r"[^\W\d]", token))
            and not re.fullmatch(CURRENCY_MARKS, word.text.strip(" :()"), re.I))


def _value_at(feature: str, words: Sequence[Word], nwords: int) -> tuple[Any, list[Word]] | None:
    if feature in AMOUNT_FEATURES and len(words) > 1 and _is_currency_mark(words[0]) \
            and words[1].x0 - words[0].x1 <= MAX_WORD_GAP:
        words = words[1:]  # the amount after its currency mark, as the label was learned
    sizes = [nwords] + [n for n in range(1, 7) if n != nwords] if nwords else range(1, 7)
    for ws in _windows(words, 0, sizes):
        value = parse_printed(feature, " ".join(w.text for w in ws), ocr=any(w.conf < 1.0 for w in ws))
        if value is not None:
            return value, list(ws)
    return None


def _label_hits(doc: Document, feature: str, spec: dict) -> list[tuple[Any, list[Word], float]]:
    """(value, words, support) printed next to the learned labels of ``feature``."""
    out = []
    total = max(1, spec.get("count", 1))
    nwords = spec.get("nwords") or 1
    for side in ("left", "above", "row"):
        for rank, (label, count) in enumerate(spec.get(side) or []):
            tokens = label.split()
            if not tokens:
                continue
            # ties go to the label learned first
            support = count / total + (0.01 if rank == 0 else 0.0)
            printed = []
            for p in range(len(doc.pages)):
                lines = _page_lines(doc, p)
                for li, s, e in _find_label(doc, p, tokens, whole=side != "above"):
                    line = lines[li]
                    if side == "left":
                        after = line[e:]
                        if not after or after[0].x0 - line[e - 1].x1 > MAX_LABEL_GAP:
                            continue
                        hit = _value_at(feature, after, nwords)
                    elif side == "row":  # far right of a row label: only where the value was
                        hit = None
                        for j in range(len(line) - e):
                            found = _value_at(feature, line[e + j:], nwords)
                            if found and _at_learned_x(spec, found[1]):
                                hit = found
                                break
                    else:
                        lx0, lx1 = line[s].x0, line[e - 1].x1
                        hit = None
                        for below in lines[li + 1: li + 4]:
                            if below and min(w.y0 for w in below) - line[s].y1 > 0.08:
                                break
                            col = [w for w in below if w.x1 > lx0 - 0.03 and w.x0 < lx1 + 0.1]
                            if col:
                                hit = _value_at(feature, col, nwords)
                                break
                    if hit:
                        printed.append(hit)
            # A label is evidence only as far as it is specific: one printed before several
            # different values on this page (a currency mark, "Qty") names none of them.
            distinct = {json.dumps(v, sort_keys=True, default=str) for v, _w in printed}
            out += [(value, words, support / len(distinct)) for value, words in printed]
    return out


def _center(words: Sequence[Word]) -> tuple[float, float]:
    return sum(w.cx for w in words) / len(words), sum(w.cy for w in words) / len(words)


def _at_learned_x(spec: dict, words: Sequence[Word]) -> bool:
    cx, _ = _center(words)
    return any(abs(x - cx) < NEAR_X for _p, _pe, x, _y, _n in spec.get("positions") or [])


def _position_hits(doc: Document, feature: str, spec: dict) -> list[tuple[Any, list[Word], float]]:
    """(value, words, support) printed where most validations saw the value (no label needed)."""
    out = []
    total = max(1, spec.get("count", 1))
    nwords = spec.get("nwords") or 1
    npages = len(doc.pages)
    for lp, lpe, x, y, count in spec.get("positions") or []:
        if count / total < 0.5:
            continue
        page = lp if lp < npages else npages - 1 - lpe
        if not 0 <= page < npages:
            continue
        for line in _page_lines(doc, page):
            if not line or abs(_center(line)[1] - y) > 2 * NEAR_Y:
                continue
            for j in range(len(line)):
                found = _value_at(feature, line[j:], nwords)
                if found:
                    cx, cy = _center(found[1])
                    if abs(cx - x) < NEAR_X and abs(cy - y) < NEAR_Y:
                        out.append((found[0], found[1], count / total))
                        break
    return out


def _near_learned_position(spec: dict, words: Sequence[Word], npages: int) -> float:
    """Support (0..1) of the learned position the words sit at."""
    if not words:
        return 0.0
    page = words[0].page
    cx = sum(w.cx for w in words) / len(words)
    cy = sum(w.cy for w in words) / len(words)
    total = max(1, spec.get("count", 1))
    best = 0.0
    for rank, (lp, lpe, x, y, count) in enumerate(spec.get("positions") or []):
        if (lp == page or lpe == npages - 1 - page) and abs(x - cx) < NEAR_X and abs(y - cy) < NEAR_Y:
            best = max(best, count / total + (0.01 if rank == 0 else 0.0))
    return best


def _find_printed(doc: Document, feature: str, value: Any) -> list[Word]:
    """Words printing a learned constant value, or [] when the page does not print it."""
    if feature == "currency":
        marks = CURRENCY_SYMBOLS.get(value, (value,))
        for p in range(len(doc.pages)):
            for line in _page_lines(doc, p):
                for w in line:
                    t = w.text.strip(" .,:;()")
                    if t == value or any(m in w.text for m in marks if len(m) <= 2 or m == t):
                        return [w]
        return []
    if feature == "supplier":
        key = name_key(value)
        n = len(key.split())
        for p in range(len(doc.pages)):
            lines = _page_lines(doc, p)
            # a name may wrap: each line, and each header line with the one under it
            wrapped = [a + b for a, b in zip(lines, lines[1:]) if a and a[0].y0 <= HEADER_SHARE] if p == 0 else []
            for line in lines + wrapped:
                for i in range(len(line)):
                    for ws in _windows(line, i, range(max(1, n - 1), n + 3)):
                        text = name_key(" ".join(w.text for w in ws))
                        if text == key or (len(key) >= 6 and SequenceMatcher(None, text, key).ratio() >= 0.9):
                            return list(ws)
        return []
    return _search(doc, feature, value)


def _boost(cands: list[Candidate], cand: Candidate, evidence: float) -> bool:
    """Raise a candidate by the evidence for it; True when the evidence is strong (a learned
    label where the value was, a constant the page prints): the candidate then goes above
    the plain engine's choice. Weak evidence (a label printed elsewhere, a position alone)
    only nudges the score, and ``_order`` keeps the plain choice first."""
    base = max((c.score for c in cands if c.origin not in STRUCTURED_ORIGINS and not c.extra.get("learned")),
               default=0.0)
    strong = evidence >= STRONG_EVIDENCE
    if cand.origin not in STRUCTURED_ORIGINS:
        score = min(MAX_SCORE, max(base, 0.0) + 0.05 + 0.3 * evidence) if strong else cand.score + WEAK_NUDGE * evidence
        cand.score = round(min(max(cand.score, score), MAX_SCORE), 4)
    cand.extra["learned"] = True
    return strong


def _merge(feature: str, cands: list[Candidate], value: Any, words: Sequence[Word]) -> Candidate:
    """The candidate of ``value`` (preferring the one printed by ``words``), added if missing."""
    wordset = set(id(w) for w in words)
    for c in cands:  # the finder's reading of the same printed words (e.g. a credit note's sign)
        if c.words and any(id(w) in wordset for w in c.words) and (
                same(feature, normalize(feature, c.content), value) or feature in AMOUNT_FEATURES
                and isinstance(value, float) and isinstance(c.content, (int, float))
                and abs(abs(value) - abs(c.content)) < 0.005):
            return c
    same_value = [c for c in cands if same(feature, normalize(feature, c.content), value)]
    if same_value:
        return same_value[0]
    origin = "ocr" if words and words[0].conf < 1 else "text"
    cand = Candidate(value, tuple(words), 0.0, origin=origin)
    cands.append(cand)
    return cand


def _is_zero(value: Any) -> bool:
    """A zero amount (rounding, change due) is printed on most bills: never what was learned."""
    return isinstance(value, (int, float)) and abs(value) < 0.005


def _order(cands: list[Candidate], strong: set[int]) -> list[Candidate]:
    """Strongly evidenced candidates first, then the plain engine's choice (which may not be
    its highest score: totals are chosen together), then the others by score."""
    first = sorted((c for c in cands if id(c) in strong), key=lambda c: -c.score)
    rest = [c for c in cands if id(c) not in strong]
    return first + rest[:1] + sorted(rest[1:], key=lambda c: -c.score)


def apply(ctx, profiles: Sequence[dict] | None) -> dict | None:
    """Re-rank ``ctx.found`` with the profile of the supplier the page comes from; returns
    that profile (None when no known supplier matches: nothing changes). Learning never
    costs a document its extraction: a failure here leaves the finders' ranking."""
    if not profiles or not ctx.doc.pages:
        return None
    try:
        return _apply(ctx, profiles)
    except Exception:
        _logger.exception("applying what was learned failed; the document keeps the plain ranking")
        return None


def _apply(ctx, profiles: Sequence[dict]) -> dict | None:
    profile = match_profile(ctx.doc, profiles, ctx.options.user_company_vat)
    if profile is None:
        return None
    npages = len(ctx.doc.pages)
    for feature, spec in (profile.get("fields") or {}).items():
        if feature not in ctx.found or not isinstance(ctx.found.get(feature), list):
            continue
        cands = ctx.found[feature]
        if any(c.origin in STRUCTURED_ORIGINS for c in cands[:1]):
            continue  # an exact e-invoice / payment-code value: nothing to learn on top
        evidence: dict[int, tuple[Candidate, float]] = {}
        plain = {id(c) for c in cands}
        added: set[int] = set()

        def vote(cand: Candidate, strength: float) -> None:
            if id(cand) not in plain:
                added.add(id(cand))
            prev = evidence.get(id(cand))
            evidence[id(cand)] = (cand, max(strength, prev[1] if prev else 0.0))

        # 1. values printed next to a learned label (near the learned position count more)
        for value, words, support in _label_hits(ctx.doc, feature, spec):
            near = _near_learned_position(spec, words, npages)
            if feature not in ADDABLE_BY_PLACE and not any(same(feature, normalize(feature, c.content), value)
                                                           for c in cands):
                continue
            cand = _merge(feature, cands, value, words)
            # the totals block floats down with the items: its label over the learned column
            # is nearly as good as at the learned place
            vote(cand, support * (1.0 if near else 0.75 if _at_learned_x(spec, words) else 0.5) + 0.2 * near)
        # 2. values printed at a learned position, and the candidates there
        if feature in ADDABLE_BY_PLACE:
            for value, words, support in _position_hits(ctx.doc, feature, spec):
                vote(_merge(feature, cands, value, words), 0.5 * support)
        for cand in list(cands):
            near = _near_learned_position(spec, cand.words, npages)
            if near:
                vote(cand, 0.5 * near)
        # 3. the supplier's constant value, when the page prints it
        if feature in CONSTANT_FEATURES:
            won = winner(spec.get("values") or [])
            if won:
                value, count, total = won
                words = _find_printed(ctx.doc, feature, value)
                existing = [c for c in cands if same(feature, normalize(feature, c.content), value)]
                own = cands[0] if cands else None
                overruled = (feature == "currency" and existing and own is not None and own not in existing
                             and (own.score >= existing[0].score + OWN_CURRENCY_MARGIN
                                  or _priced_on_total(ctx, cands, own.content, value)))
                if (existing or (words and feature in ADDABLE)) and not overruled:
                    cand = existing[0] if existing else _merge(feature, cands, value, words)
                    if feature == "supplier" and not existing:
                        cand.content = value  # the accountant's spelling
                    vote(cand, 0.4 + 0.6 * count / max(1, total))
        strong: set[int] = set()
        for cand, strength in evidence.values():
            if id(cand) in added and strength < STRONG_EVIDENCE:
                cands.remove(cand)  # weak evidence proposes nothing the finders did not
            elif strength > 0 and not (feature in AMOUNT_FEATURES and _is_zero(cand.content)):
                if _boost(cands, cand, strength):
                    strong.add(id(cand))
        ctx.found[feature] = _order(cands, strong)
    _apply_payment_terms(ctx, profile)
    _apply_columns(ctx, profile)
    return profile


LINE_ATTRIBUTES = ("description",) + LINE_NUMBER_KINDS


def _line_cells(cands: Sequence[Candidate]) -> int:
    return sum(k in c.content for c in cands if isinstance(c.content, dict) for k in LINE_ATTRIBUTES)


def _apply_columns(ctx, profile: dict) -> None:
    """The lines read again with the supplier's own column headers; kept when they give more
    of each line (a table whose headers the vocabulary does not know gave none)."""
    from .features import invoice_lines
    from .layout import compile_labels

    plain = ctx.found.get("invoice_lines")
    if plain is None or any(c.origin in STRUCTURED_ORIGINS for c in plain):
        return
    headers = {}
    for kind, votes in (profile.get("columns") or {}).items():
        won = winner(votes) if kind in LINE_ATTRIBUTES else None
        if won and isinstance(won[0], str) and won[0].strip():
            headers[kind] = compile_labels([won[0]])
    if len(headers) < 2:
        return
    # the supplier's own totals labels end its table, as the vocabulary's do
    ends = []
    for feature in AMOUNT_FEATURES:
        spec = (profile.get("fields") or {}).get(feature) or {}
        for side in ("left", "row"):
            won = winner(spec.get(side) or [])
            if won and isinstance(won[0], str) and won[0].strip():
                ends.append(compile_labels([won[0]]))
    learned = invoice_lines.find(ctx, headers, ends)
    if len(learned) >= len(plain) and _line_cells(learned) > _line_cells(plain):
        ctx.found["invoice_lines"] = learned


def _priced_on_total(ctx, cands: list[Candidate], own: Any, learned: Any) -> bool:
    """Whether the page prints its own currency ``own``, and not the learned one, on the line
    of the total it reads: a bill in a foreign currency, whatever the supplier usually bills in."""
    total = (ctx.found.get("total") or [None])[0]
    if total is None or not total.words:
        return False
    page, cy = total.words[0].page, sum(w.cy for w in total.words) / len(total.words)
    half = max(w.y1 - w.y0 for w in total.words) / 2 or 0.005
    on_line = {c.content for c in cands for w in c.words[:1] if w.page == page and abs(w.cy - cy) <= half}
    return own in on_line and learned not in on_line


def _apply_payment_terms(ctx, profile: dict) -> None:
    """The supplier's usual term (due date − date, in days) when the page prints that date."""
    won = winner(profile.get("due_days") or [])
    date_c = (ctx.found.get("date") or [None])[0]
    if not won or date_c is None or "due_date" not in ctx.found:
        return
    try:
        due = (date.fromisoformat(str(date_c.content)[:10]) + timedelta(days=int(won[0]))).isoformat()
    except (ValueError, TypeError):
        return
    cands = ctx.found["due_date"]
    if any(c.origin in STRUCTURED_ORIGINS for c in cands[:1]):
        return
    existing = [c for c in cands if str(c.content)[:10] == due]
    words = [] if existing else _search(ctx.doc, "due_date", due)
    if not existing and not words:
        return  # the page does not print it: no default
    cand = existing[0] if existing else _merge("due_date", cands, due, words)
    strong = {id(cand)} if _boost(cands, cand, 0.4 + 0.6 * won[1] / max(1, won[2])) else set()
    ctx.found["due_date"] = _order(cands, strong)


def summary(profile: dict) -> dict:
    """A readable digest of a profile (for the CLI): per feature, the winning label, position
    and value with their support ("2/3")."""
    identity = profile.get("identity") or {}
    out: dict = {"name": profile.get("name"), "documents": profile.get("documents"),
                 "identity": {k: [f"{v} ({n})" for v, n in votes] for k, votes in identity.items()
                              if votes and k != "layouts"}, "fields": {}}
    if identity.get("layouts"):
        out["identity"]["layouts"] = [f"{len(layout)} header words" for layout in identity["layouts"]]
    for feature, spec in (profile.get("fields") or {}).items():
        total = spec.get("count", 0)
        item = {}
        for key in ("left", "above", "row", "values"):
            won = winner(spec.get(key) or [])
            if won:
                item[{"left": "label_left", "above": "label_above", "row": "label_row", "values": "value"}[key]] = \
                    f"{won[0]} ({won[1]}/{total})"
        if spec.get("positions"):
            p = spec["positions"][0]
            item["position"] = f"page {p[0] + 1} x={p[2]:.2f} y={p[3]:.2f} ({p[4]}/{total})"
        out["fields"][feature] = item
    won = winner(profile.get("due_days") or [])
    if won:
        out["payment_terms_days"] = f"{won[0]} ({won[1]}/{won[2]})"
    columns = {kind: f"{w[0]} ({w[1]}/{w[2]})" for kind, votes in (profile.get("columns") or {}).items()
               if (w := winner(votes))}
    if columns:
        out["line_columns"] = columns
    return out
