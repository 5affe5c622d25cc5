"""`invoice_lines`: the rows of the line table, read by the columns of its header.

A header is a line naming at least two columns (description, quantity, unit price, amount,
tax) in one of the six languages; rows follow until a totals label. Each number on a row
goes to the column whose header is nearest horizontally; the row's words left of the
numbers form its description.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..candidate import Candidate
from ..context import Context
from ..layout import compile_labels, lines_of
from ..parsing.numbers import parse_number
from ..pipeline import line_feature
from ..spans import LineText
from ._amounts import SUBTOTAL, TAX, TOTAL_PLAIN, TOTAL_STRONG

COLUMNS = {
    "description": compile_labels([
        "description", "item description", "item", "items", "product", "article", "service", "services",
        "details", "beschreibung", "bezeichnung", "artikel", "artikelbezeichnung", "produkt", "leistung",
        "leistungsbeschreibung", "désignation", "designation", "libellé", "description du produit",
        "omschrijving", "descripción", "concepto", "descrizione", "prodotto", "desc"]),
    "quantity": compile_labels([
        "qty", "quantity", "menge", "anzahl", "stk", "quantité", "qté", "qte", "aantal", "cantidad", "cant",
        "quantità", "qtà", "qta", "units", "hours", "std"]),
    "unit_price": compile_labels([
        "unit price", "price", "rate", "unit cost", "preis", "einzelpreis", "nettopreis", "stückpreis",
        "e-preis", "ep", "prix unitaire", "prix", "p.u.", "pu ht", "prix unitaire ht", "prijs", "stukprijs",
        "precio", "precio unitario", "prezzo", "prezzo unitario"]),
    "subtotal": compile_labels([
        "amount", "total", "line total", "net amount", "betrag", "gesamt", "gesamtpreis", "gesamtbetrag",
        "nettobetrag", "summe", "montant", "montant ht", "total ht", "bedrag", "totaal", "importe", "importo",
        "totale", "amt", "net"]),
    "taxes": compile_labels(["vat", "tax", "vat %", "ust", "ust.", "mwst", "steuersatz", "tva", "btw", "iva",
                             "tax rate", "taux"]),
}
END_OF_TABLE = [SUBTOTAL, TOTAL_STRONG, TOTAL_PLAIN]
NUMBER = re.compile(r"^[-(]?\d[\d.,' ]*\)?-?%?$")
CURRENCY_WORD = re.compile(r"^(€|\$|£|EUR|USD|GBP|CHF|RM)$", re.I)


@dataclass
class Column:
    kind: str
    x0: float
    x1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


def header_columns(lt: LineText) -> list[Column] | None:
    found: list[Column] = []
    used: list[tuple[int, int]] = []
    for kind in ("unit_price", "description", "quantity", "taxes", "subtotal"):
        for m in COLUMNS[kind].finditer(lt.text):
            if any(s < m.end() and m.start() < e for s, e in used):
                continue
            words = lt.words_between(m.start(), m.end())
            if words:
                found.append(Column(kind, words[0].x0, words[-1].x1))
                used.append(m.span())
                break
    kinds = {c.kind for c in found}
    numeric = kinds & {"quantity", "unit_price", "subtotal"}
    if len(found) >= 2 and numeric and ("description" in kinds or len(numeric) >= 2):
        return sorted(found, key=lambda c: c.x0)
    return None


def _cell(words, column: Column):
    """The number of one cell: words printed close together form one number ("1 234,56");
    of several numbers the one nearest the column's header is the cell's."""
    groups: list[list] = []
    for w in sorted(words, key=lambda w: w.x0):
        if groups and w.x0 - groups[-1][-1].x1 < 0.006:
            groups[-1].append(w)
        else:
            groups.append([w])
    best = min(groups, key=lambda g: abs((g[0].x0 + g[-1].x1) / 2 - column.cx))
    value = parse_number(" ".join(w.text for w in best).rstrip("%").strip())
    return value, best


def _attribute(value, words, score=0.6) -> dict:
    return line_feature(Candidate(value, words, score, origin="ocr" if words and words[0].conf < 1 else "text"))


def read_rows(columns: list[Column], rows: list[LineText]) -> list[dict]:
    numeric_cols = [c for c in columns if c.kind != "description"]
    first_numeric_x = min(c.x0 for c in numeric_cols) - 0.02
    out: list[dict] = []
    pending: dict | None = None
    for lt in rows:
        numbers = [w for w in lt.words if NUMBER.match(w.text) and w.x0 >= first_numeric_x - 0.05]
        text_words = [w for w in lt.words if w.x1 <= first_numeric_x + 0.01 and not CURRENCY_WORD.match(w.text)]
        # a leading position number ("1", "10.") is not part of the description
        while text_words and re.fullmatch(r"\d{1,3}\.?", text_words[0].text) and len(text_words) > 1:
            text_words = text_words[1:]
        by_column: dict[str, list] = {}
        for w in numbers:
            col = min(numeric_cols, key=lambda c: min(abs(w.x1 - c.x1), abs(w.cx - c.cx)))
            by_column.setdefault(col.kind, []).append(w)
        columns_by_kind = {c.kind: c for c in numeric_cols}
        cells, values = {}, {}
        for kind, ws in by_column.items():
            values[kind], cells[kind] = _cell(ws, columns_by_kind[kind])
        if pending is not None and not text_words and list(values) == ["subtotal"]:
            # the amount of the row above, printed on a line of its own
            pending["subtotal"] = _attribute(round(values["subtotal"], 2), cells["subtotal"])
            pending = None
            continue
        if not text_words or not values:
            pending = None
            continue
        line: dict = {"description": _attribute(" ".join(w.text for w in text_words), text_words)}
        for kind in ("quantity", "unit_price", "subtotal"):
            if values.get(kind) is not None:
                line[kind] = _attribute(round(values[kind], 4 if kind != "subtotal" else 2), cells[kind])
        if values.get("taxes") is not None:
            rate = values["taxes"]
            tax = {"content": rate, "amount_type": "percent", "coords": Candidate(rate, cells["taxes"]).coords(),
                   "page": cells["taxes"][0].page}
            line["taxes"] = {"selected_values": [tax], "candidates": [tax]}
        out.append(line)
        pending = line if "subtotal" not in line else None
    return out


def find(ctx: Context) -> list[Candidate]:
    lines = lines_of(ctx.doc)
    found: list[dict] = []
    for p, page_lines in enumerate(lines.pages):
        i = 0
        while i < len(page_lines):
            columns = header_columns(page_lines[i])
            if not columns:
                i += 1
                continue
            rows = []
            j = i + 1
            while j < len(page_lines):
                text = page_lines[j].text
                if any(rx.match(text.strip()) for rx in END_OF_TABLE) or (TAX.match(text.strip()) and "%" in text and len(rows) > 0 and False):
                    break
                if header_columns(page_lines[j]):
                    break
                rows.append(page_lines[j])
                j += 1
            found.extend(read_rows(columns, rows))
            i = j
    score_lines(found)
    return [Candidate(line, (), line.pop("_score", 0.5)) for line in found]


def score_lines(found: list[dict]) -> None:
    """Rows whose quantity × unit price gives their amount are confirmed."""
    for line in found:
        q, u, s = (line.get(k, {}).get("selected_value", {}).get("content") for k in ("quantity", "unit_price", "subtotal"))
        score = 0.5
        if None not in (q, u, s) and abs(q * u - s) <= max(0.011, abs(s) * 0.001):
            score = 0.9
        line["_score"] = score
