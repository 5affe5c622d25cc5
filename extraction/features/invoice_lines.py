"""`invoice_lines`: the rows of the line table, read by the columns of its header.

A header is a line naming at least two columns (description, quantity, unit price, amount,
tax) in one of the six languages; rows follow until a totals label. Each number on a row
goes to the column whose header is nearest horizontally; the row's words left of the
numbers form its description.

A bill that prints no header (a till roll, a compact bill) still has its rows where a count
times a price gives the row's amount ("10 ud. x 100,00 … 1.000,00").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..candidate import Candidate
from ..context import Context
from ..layout import compile_labels, lines_of
from ..parsing.numbers import DECIMAL_PLACES, find_amounts, parse_number
from ..pipeline import line_feature
from ..spans import LineText
from ._amounts import SUBTOTAL, TAX, TOTAL_PLAIN, TOTAL_STRONG, is_ocr

COLUMNS = {
    "description": compile_labels([
        "description", "item description", "item", "items", "product", "article", "service", "services",
        "details", "beschreibung", "bezeichnung", "artikel", "artikelbezeichnung", "produkt", "leistung",
        "leistungsbeschreibung", "désignation", "designation", "libellé", "description du produit",
        "omschrijving", "descripción", "concepto", "descrizione", "prodotto", "desc",
        "descrição", "descricao", "designação", "artigo", "produto", "serviço", "beskrivning", "benämning",
        "beskrivelse", "varenavn", "ydelse", "opis", "nazwa", "nazwa towaru", "towar", "usługa",
        "nazwa towaru lub usługi", "articolo", "servizio", "artículo", "producto", "servicio", "kuvaus", "tuote",
    ]),
    "quantity": compile_labels([
        "qty", "quantity", "menge", "anzahl", "stk", "quantité", "qté", "qte", "aantal", "cantidad", "cant",
        "quantità", "qtà", "qta", "units", "hours", "std",
        "qtd", "quantidade", "qtde", "antal", "kvantitet", "mængde", "antall", "ilość", "ilosc", "szt",
        "unidades", "uds", "q.tà", "määrä", "kpl", "hoev.", "hoeveelheid",
    ]),
    "unit_price": compile_labels([
        "unit price", "price", "rate", "unit cost", "preis", "einzelpreis", "nettopreis", "stückpreis",
        "e-preis", "ep", "prix unitaire", "prix", "p.u.", "pu ht", "prix unitaire ht", "prijs", "stukprijs",
        "precio", "precio unitario", "prezzo", "prezzo unitario",
        "preço unit.", "preço unitário", "preço", "p. unit.", "à-pris", "a-pris", "pris", "styckpris",
        "enhetspris", "stykpris", "enhedspris", "cena", "cena jedn.", "cena jednostkowa", "cena netto",
        "precio unit.", "a-hinta", "yksikköhinta", "hinta",
    ]),
    "subtotal": compile_labels([
        "amount", "total", "line total", "net amount", "betrag", "gesamt", "gesamtpreis", "gesamtbetrag",
        "nettobetrag", "summe", "montant", "montant ht", "total ht", "bedrag", "totaal", "importe", "importo",
        "totale", "amt", "net",
        "valor", "montante", "belopp", "summa", "beløb", "i alt", "wartość", "wartosc", "wartość netto", "kwota",
        "beløp", "yhteensä", "value", "net value", "line value", "goods value",
    ]),
    "taxes": compile_labels(["vat", "tax", "vat %", "ust", "ust.", "mwst", "steuersatz", "tva", "btw", "iva",
                             "tax rate", "taux", "moms", "moms %", "mva", "stawka vat", "stawka", "taxa", "alv",
                             "alv %"]),
}
# Where the items stop: the totals block, a tax line ("USt. Gesamt: 75,04"), the page footer.
PAGE_FOOTER = re.compile(r"(?:page|seite|página|pagina|pag\.|blad)\s*\d", re.I)
END_OF_TABLE = [SUBTOTAL, TOTAL_STRONG, TOTAL_PLAIN, TAX, PAGE_FOOTER]
# The running sum a long table carries from one page to the next: no item of the bill.
CARRIED_OVER = compile_labels([
    "carried forward", "brought forward", "carry forward", "carried over", "übertrag", "zwischensumme übertrag",
    "à reporter", "a reporter", "report", "reporté", "transport", "over te brengen", "a riportare", "riporto",
    "da riportare", "suma y sigue", "suma anterior", "a transportar", "transporte",
])
# "Bruttopreis: 14,00" under an item: a labelled attribute, not more description.
LABELLED_VALUE = re.compile(r"\w\s?:\s?[-+]?\d")
NUMBER = re.compile(r"^[-(]?\d[\d.,' ]*\)?-?%?$")
CURRENCY_WORD = re.compile(r"^(€|\$|£|EUR|USD|GBP|CHF|RM)$", re.I)
# A currency mark glued to a cell's number ("$49.00", "S$7.50", "12,50€"): the number is the cell.
GLUED_CURRENCY = re.compile(r"^(?:[A-Z]{1,2}\$|\$|€|£|¥|₹)(?=[-(]?\d)|(?<=\d)(?:€|\$|£)$")


@dataclass
class Column:
    kind: str
    x0: float
    x1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


def header_columns(lt: LineText, learned: dict[str, re.Pattern] | None = None) -> list[Column] | None:
    """The table's columns if ``lt`` is its header line. ``learned``: per kind, the header the
    supplier's validated bills print ("Particulars", "Nos"), read before the vocabulary's."""
    found: list[Column] = []
    used: list[tuple[int, int]] = []
    for kind in ("unit_price", "description", "quantity", "taxes", "subtotal"):
        for m in _header_matches(lt.text, kind, learned):
            if any(s < m.end() and m.start() < e for s, e in used):
                continue
            words = lt.words_between(m.start(), m.end())
            if words:
                found.append(Column(kind, words[0].x0, words[-1].x1))
                used.append(m.span())
                break
    kinds = {c.kind for c in found}
    numeric = kinds & {"quantity", "unit_price", "subtotal"}
    # a tax summary (rate, base, amount) has no description or quantity column
    if len(found) >= 2 and numeric and kinds & {"description", "quantity"} and (
            "description" in kinds or len(numeric) >= 2):
        return sorted(found, key=lambda c: c.x0)
    return None


def _header_matches(text: str, kind: str, learned: dict[str, re.Pattern] | None):
    if learned and kind in learned:
        yield from learned[kind].finditer(text)
    yield from COLUMNS[kind].finditer(text)


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
    value = parse_number(GLUED_CURRENCY.sub("", " ".join(w.text for w in best)).rstrip("%").strip())
    return value, best


def _attribute(value, words, score=0.6) -> dict:
    return line_feature(Candidate(value, words, score, origin="ocr" if words and words[0].conf < 1 else "text"))


# A quantity printed with its unit glued on ("5Unit(s)", "10Liter(s)", "2x").
GLUED_QUANTITY = re.compile(r"^(\d+(?:[.,]\d+)?)\s?[a-zA-Z][a-zA-Z().]{0,12}$")
# A wrapped description continues on short lines; long lines under an item are notes.
MAX_CONTINUATION_CHARS = 40


@dataclass
class Token:
    word: object  # Word
    value: float
    percent: bool = False
    glued_unit: bool = False

    @property
    def decimals(self) -> bool:
        return bool(re.search(r"[.,]\d+%?$", self.word.text.rstrip("-)")))


# "1 250,00": thousands grouped by a plain space (French, Swiss, Scandinavian) print as two words
# standing a space apart; a quantity beside a price stands a column apart.
SPACE_GROUP = re.compile(r"^\d{3}(?:,\d{1,2})?$")
MAX_GROUP_GAP = 0.012  # of the page width: about one character


def space_grouped(lt: LineText) -> LineText:
    """The row with each space-grouped number joined into one word spanning its parts."""
    from dataclasses import replace

    out: list = []
    for w in lt.words:
        prev = out[-1] if out else None
        if prev is not None and SPACE_GROUP.match(w.text) and re.fullmatch(r"\d{1,3}(?: \d{3})*", prev.text) \
                and 0 <= w.x0 - prev.x1 < MAX_GROUP_GAP:
            out[-1] = replace(prev, text=f"{prev.text} {w.text}", x1=w.x1, y0=min(prev.y0, w.y0),
                              y1=max(prev.y1, w.y1))
        else:
            out.append(w)
    return lt if len(out) == len(lt.words) else LineText.of(out)


def _tokens(lt: LineText, text_span: tuple[float, float] | None) -> list[Token]:
    """The numbers of a row, except those inside the description column (\"500ml\", \"2 Nächte\")."""
    out = []
    for w in lt.words:
        if text_span and text_span[0] <= w.cx < text_span[1] and not w.text.endswith("%"):
            continue  # (a rate is a column of its own even where no header names it)
        text = GLUED_CURRENCY.sub("", w.text.strip())
        if w.conf < 1.0:  # OCR reads "." as ":" and "," as ";" ("1:250,00", "1.250;00")
            text = re.sub(r"(?<=\d)[:;](?=\d)", lambda m: "." if m.group() == ":" else ",", text)
        if NUMBER.match(text):
            value = parse_number(text.rstrip("%").strip())
            if value is not None:
                out.append(Token(w, value, percent=text.endswith("%")))
            continue
        m = GLUED_QUANTITY.match(text)
        if m:
            value = parse_number(m.group(1))
            if value is not None:
                out.append(Token(w, value, glued_unit=True))
    # a "%" printed apart makes the number before it a rate
    words = list(lt.words)
    for t in out:
        i = words.index(t.word)
        if i + 1 < len(words) and words[i + 1].text == "%":
            t.percent = True
    return out


def _triple(tokens: list[Token]):
    """(quantity, unit price, amount) tokens with quantity × unit price = amount, best placed first."""
    nums = [t for t in tokens if not t.percent]
    # a percentage on the row may be a discount: quantity × price × (1 − rate) = amount
    rates = [None] + [t for t in tokens if t.percent and 0 < t.value < 100]
    best, best_score = None, -1.0
    for si, s in enumerate(nums):
        if s.glued_unit or abs(s.value) < 0.005:
            continue
        for q in nums:
            for u in nums:
                if len({id(q), id(u), id(s)}) < 3 or abs(q.value) < 1e-9:
                    continue
                discount = next((r for r in rates if abs(abs(q.value * u.value) * (1 - (r.value / 100 if r else 0))
                                                         - abs(s.value)) <= max(0.011, abs(s.value) * 0.0005)), False)
                if discount is False:
                    continue
                score = (2.0 if si == len(nums) - 1 else 0.0) + (1.0 if float(q.value).is_integer() else 0.0) \
                    + 0.5 * u.decimals + 0.5 * s.decimals + (0.5 if q.glued_unit else 0.0)
                if score > best_score:
                    best, best_score = (q, u, s, discount), score
    return best


# Units printed beside a quantity ("2 Stk", "3 h", "1,5 kg", "5Unit(s)").
UNIT = re.compile(r"^(?:pcs?|pce|pc\.|stk\.?|st\.?|stück|units?|unit\(s\)|ea|each|h|hrs?|hours?|std\.?|stunden?|"
                  r"tage?|days?|jours?|kg|g|t|l|ltr|liter|litre|m|m2|m²|m3|m³|km|x|pkt|pack|box|set|"
                  r"pièces?|u\.?|uds?\.?|ud\.?|pz\.?|stuks?)$", re.I)


def _unit_of(quantity: Token, lt: LineText) -> tuple[str, list] | None:
    """The unit printed with a quantity: glued to it, or the word right after it."""
    if quantity.glued_unit:
        unit = re.sub(r"^\d+(?:[.,]\d+)?\s?", "", quantity.word.text)
        return (unit, [quantity.word]) if unit else None
    words = list(lt.words)
    i = words.index(quantity.word)
    if i + 1 < len(words) and UNIT.match(words[i + 1].text) and words[i + 1].x0 - quantity.word.x1 < 0.03:
        return words[i + 1].text, [words[i + 1]]
    return None


def read_rows(columns: list[Column], rows: list[LineText], text_from: float | None = None,
              header: LineText | None = None) -> list[dict]:
    numeric_cols = [c for c in columns if c.kind != "description"]
    columns_by_kind = {c.kind: c for c in numeric_cols}
    desc = next((c for c in columns if c.kind == "description"), None)
    text_span = None
    if desc is not None:
        right = [c.x0 for c in columns if c.x0 > desc.x1] + _unnamed_right(header, desc)
        text_span = (desc.x0 - 0.01, (min(right) - 0.01) if right else 1.0)
    # (a right-to-left table prints its description last: what stands left of it is numbers)
    desc_last = desc is not None and all(c.x0 <= desc.x0 for c in columns)
    out: list[dict] = []
    pending: dict | None = None  # an item whose amount may follow on the next line
    last: dict | None = None  # the last item, which short text lines continue
    for lt in rows:
        lt = space_grouped(lt)
        tokens = _tokens(lt, text_span)
        used = {id(t.word) for t in tokens}
        text_words = [w for w in lt.words if id(w) not in used and not CURRENCY_WORD.match(w.text)
                      and w.text != "%"]
        if text_from is not None and (any(w.x1 > text_from for w in text_words) or desc_last):
            # the columns left of the description ("Datum", "Art.-Nr.") are not its text, unless
            # they are all the row prints (its description wraps on the lines around); in a
            # right-to-left table they are its numbers, never its text
            text_words = [w for w in text_words if w.x1 > text_from]
        values: dict[str, tuple[float, list]] = {}
        triple = _triple(tokens)
        unit = discount = None
        if triple:
            for kind, t in zip(("quantity", "unit_price", "subtotal"), triple):
                values[kind] = (t.value, [t.word])
            discount = triple[3]
            unit = _unit_of(triple[0], lt)
        else:
            by_column: dict[str, list] = {}
            for t in tokens:
                if t.percent:
                    continue
                col = min(numeric_cols, key=lambda c: min(abs(t.word.x1 - c.x1), abs(t.word.cx - c.cx)))
                by_column.setdefault(col.kind, []).append(t.word)
            for kind, ws in by_column.items():
                if kind != "taxes":
                    values[kind] = _cell(ws, columns_by_kind[kind])
        rates = [t for t in tokens if t.percent and t is not discount]
        if unit:
            text_words = [w for w in text_words if w not in unit[1]]
        if rates:
            values["taxes"] = (rates[0].value, [rates[0].word])
        # words right of the first price or amount (units like "Stk") are not the description
        price_x = min((ws[0].x0 for k, (_v, ws) in values.items() if k in ("unit_price", "subtotal")), default=2.0)
        text_words = [w for w in text_words if w.x1 <= price_x + 0.005]
        # a leading position number ("1", "10.", "1.2") is not part of the description
        while text_words and re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*\.?", text_words[0].text) and len(text_words) > 1:
            text_words = text_words[1:]
        numbers = [k for k in values if k != "taxes"]
        if pending is not None and not text_words and numbers == ["subtotal"] or (
                pending is not None and len(tokens) == 1 and not text_words):
            # the amount of the row above, printed on a line of its own
            value, ws = values.get("subtotal") or (tokens[0].value, [tokens[0].word])
            pending["subtotal"] = _attribute(round(value, DECIMAL_PLACES.get()), ws)
            pending["_subtotal_words"] = list(ws)
            pending["_lines"].append(lt)
            pending = None
            continue
        if not tokens and text_words and last is not None and len(lt.text) <= MAX_CONTINUATION_CHARS \
                and not LABELLED_VALUE.search(lt.text) \
                and text_words[0].x0 >= last["_x0"] - 0.02:
            # a wrapped description
            last["description"] = _attribute(last["description"]["selected_value"]["content"] + " "
                                             + " ".join(w.text for w in text_words), last["_words"] + text_words)
            last["_words"] = last["_words"] + text_words
            last["_lines"].append(lt)
            continue
        pending = None
        if not text_words or not numbers:
            last = None
            continue
        # OCR specks and leaders around the description (":", "-", "|") are not part of it
        while len(text_words) > 1 and re.fullmatch(r"[\W_]+", text_words[-1].text):
            text_words = text_words[:-1]
        while len(text_words) > 1 and re.fullmatch(r"[\W_]+", text_words[0].text):
            text_words = text_words[1:]
        line: dict = {"description": _attribute(" ".join(w.text for w in text_words), text_words),
                      "_x0": text_words[0].x0, "_words": text_words, "_lines": [lt]}
        for kind in ("quantity", "unit_price", "subtotal"):
            if kind in values and values[kind][0] is not None:
                line[kind] = _attribute(round(values[kind][0], 4 if kind != "subtotal" else DECIMAL_PLACES.get()),
                                        values[kind][1])
                line[f"_{kind}_words"] = list(values[kind][1])
        if "taxes" in values and values["taxes"][0] is not None:
            rate, ws = values["taxes"]
            tax = {"content": rate, "amount_type": "percent", "coords": Candidate(rate, ws).coords(),
                   "page": ws[0].page}
            line["taxes"] = {"selected_values": [tax], "candidates": [tax]}
        if unit:
            line["unit"] = _attribute(unit[0], unit[1])
        if discount:
            line["discount"] = _attribute(discount.value, [discount.word])
        out.append(line)
        last = line
        pending = line if "subtotal" not in line else None
    for line in out:
        line.pop("_x0", None)
        line["_kind_words"] = {kind: line[f"_{kind}_words"] for kind in ("quantity", "unit_price", "subtotal")
                               if f"_{kind}_words" in line}
        line["_kind_words"]["description"] = list(line["_words"])
        line["_row_words"] = line.pop("_words") + [w for kind in ("quantity", "unit_price", "subtotal")
                                                   for w in line.get(f"_{kind}_words", ())]
        for kind in ("quantity", "unit_price", "subtotal"):
            line.pop(f"_{kind}_words", None)
    # an item without an amount is not a line of the bill (a note with a number, a sub-header)
    return [line for line in out if "subtotal" in line]


def find(ctx: Context, learned_headers: dict[str, re.Pattern] | None = None,
         learned_ends: Sequence[re.Pattern] = ()) -> list[Candidate]:
    """The invoice lines of every table. ``learned_headers`` as in ``header_columns``;
    ``learned_ends``: the supplier's own totals labels ("Goods", "Remit"), which end a table
    as the vocabulary's do."""
    lines = lines_of(ctx.doc)
    found: list[dict] = []
    for p, page_lines in enumerate(lines.pages):
        i = 0
        while i < len(page_lines):
            columns = header_columns(page_lines[i], learned_headers)
            if not columns:
                i += 1
                continue
            left = table_left(page_lines[i], columns)
            rows, j, ended = table_rows(page_lines, i + 1, ends=learned_ends, left=left,
                                        numbers_x=numbers_from(columns, page_lines[i]))
            if not ended and p + 1 < len(lines.pages):
                rows += continued_rows(lines.pages[p + 1], learned_ends)
            items = read_rows(columns, rows, text_from=text_from(page_lines[i], columns), header=page_lines[i])
            add_cells(page_lines[i], columns, items)
            found.extend(items)
            i = j
    if not found:
        found = multiplied_rows(ctx)
    if found and all(_content(line, "subtotal") < 0 for line in found):
        # a credit note prints its lines negative; like its totals, they are read positive
        for line in found:
            for kind in ("quantity", "unit_price", "subtotal"):
                for cand in [line[kind]["selected_value"], *line[kind]["candidates"]] if kind in line else ():
                    cand["content"] = abs(cand["content"])
    score_lines(found)
    return [Candidate(line, line.pop("_row_words", ()), line.pop("_score", 0.5)) for line in found]


# A table set apart to the right of another column (a customer block, a title) starts this far
# (of the page width) right of what precedes its header on the header's line.
TABLE_APART = 0.1


def table_left(header: LineText, columns: list[Column]) -> float:
    """Where the table starts: its first column, when that is its description's and the header
    line prints the title or a party's heading far left of it ("TAX INVOICE      Service  Rate");
    else the page's edge (a description no vocabulary names, "Articolo", may stand there)."""
    if not any(c.kind == "description" for c in columns):
        return 0.0
    from ._names import TITLE_WORDS
    from ..layout import BUYER_HEADINGS, SELLER_HEADINGS, is_heading

    first = min(c.x0 for c in columns if c.kind == "description")
    before = [w for w in header.words if w.x1 <= first + 1e-6]
    # what stands before is the page's title or a party's heading, not a column ("Pos", "Nr.")
    text = " ".join(w.text for w in before)
    other_block = bool(TITLE_WORDS.match(text) or is_heading(text, BUYER_HEADINGS) or is_heading(text, SELLER_HEADINGS))
    if before and other_block and first - before[-1].x1 >= TABLE_APART:
        return first - 0.02
    return 0.0


def numbers_from(columns: list[Column], header: LineText | None = None) -> float | None:
    """Where the columns right of the description start, when the description is the table's
    first column: a row that starts there, under the numbers, is a summary row (a sum, a
    charge of the totals block), not an item. The header's words no vocabulary names count as
    columns too ("Previous %", "Current %")."""
    desc = next((c for c in columns if c.kind == "description"), None)
    if desc is None or any(c.x0 < desc.x0 for c in columns):
        return None
    right = [c.x0 for c in columns if c.x0 > desc.x1] + _unnamed_right(header, desc)
    return min(right) if right else None


# How far right of the description's header an unnamed header word stands to head a column of
# its own (nearer, it may head the descriptions themselves: "Item   Material")
UNNAMED_COLUMN_APART = 0.15


def _unnamed_right(header: LineText | None, desc: Column) -> list[float]:
    """Where the header's words far right of the description start."""
    if header is None:
        return []
    return [w.x0 for w in header.words if w.x0 > desc.x1 + UNNAMED_COLUMN_APART]


def text_from(header: LineText, columns: list[Column]) -> float | None:
    """Where the description's text starts when the header names a column left of it that no
    vocabulary knows ("Datum", "SKU" … "Artikel"): that column's words are not the item's
    description. None when the description column is the header's first."""
    desc = next((c for c in columns if c.kind == "description"), None)
    if desc is None:
        return None
    before = [w for w in header.words if w.x1 <= desc.x0 - HEADER_COLUMN_GAP]
    return desc.x0 - 0.01 if before else None


SUMMARY_LOOKAHEAD = 3  # rows after a summary row searched for the next group's items
SUMMARY_ROW_GAP = 0.05  # of the page height: a next group's items follow its sum closely
CENTS = re.compile(r"\d[.,]\d{2}(?!\d)")


def _is_item_row(line: LineText, numbers_x: float) -> bool:
    """A row that starts left of the numbers and prints an amount under them: an item."""
    if not line.words or line.words[0].x0 >= numbers_x - 0.02:
        return False
    return any(w.x0 >= numbers_x - 0.02 and CENTS.search(w.text) and find_amounts(w.text) for w in line.words)


def _items_follow(page_lines: list, j: int, left: float, numbers_x: float) -> bool:
    """Whether item rows follow the summary row ``j`` closely (within a few rows, no wide gap)."""
    bottom = max(w.y1 for w in page_lines[j].words)
    for k in range(j + 1, min(len(page_lines), j + 1 + SUMMARY_LOOKAHEAD)):
        line = _within(page_lines[k], left) or page_lines[k]
        if not line.words or line.words[0].y0 - bottom > SUMMARY_ROW_GAP:
            return False
        if _is_item_row(line, numbers_x):
            return True
        bottom = max(w.y1 for w in line.words)
    return False


def _within(line: LineText, left: float) -> LineText | None:
    if left <= 0.0:
        return line
    words = [w for w in line.words if w.x1 > left]
    return LineText.of(words) if words else None


def table_rows(page_lines: list, start: int, skip_page_marks: bool = False,
               ends: Sequence[re.Pattern] = (), left: float = 0.0,
               numbers_x: float | None = None) -> tuple[list, int, bool]:
    """The rows of a table from ``start`` to its end: (rows, index of the line that ended it,
    whether the table ended on this page: a totals label or another header rather than the
    page's end or its page number). ``numbers_x``: where the numeric columns start (see
    ``numbers_from``): a summary row there ends the table, unless items follow it (a group's
    subtotal, "Total services 436.25", then the next group)."""
    rows = []
    j = start
    while j < len(page_lines):
        # (a table set to the right reads only its own columns: the block beside it is not a row)
        line = _within(page_lines[j], left)
        if line is None:
            j += 1
            continue
        text = line.text.strip()
        if PAGE_FOOTER.match(text):
            if skip_page_marks and not rows:
                j += 1
                continue  # "Seite 2 von 3" over a continued table
            return rows, j, False
        summary = (numbers_x is not None and rows and line.words[0].x0 >= numbers_x - 0.02
                   and re.search(r"[^\W\d]{2}", text) is not None)
        if summary or any(rx.match(text) for rx in (*END_OF_TABLE, *ends)):
            if summary and _items_follow(page_lines, j, left, numbers_x):
                j += 1
                continue  # a group's subtotal: the next group's items follow
            return rows, j, True
        if header_columns(line):
            return rows, j, True
        if (carried := CARRIED_OVER.match(text)) and find_amounts(text[carried.end():]):
            j += 1
            continue  # "Übertrag 1.170,00": the sum so far, carried to the next page
        rows.append(line)
        j += 1
    return rows, j, False


def continued_rows(next_page: list, ends: Sequence[re.Pattern] = ()) -> list:
    """A table that runs off its page goes on at the top of the next one, unless that page
    prints its own header (then it is read from there)."""
    if any(header_columns(lt) for lt in next_page):
        return []
    rows, _j, _ended = table_rows(next_page, 0, skip_page_marks=True, ends=ends)
    return rows


# Header words printed closer than this (of the page width, about two spaces) name one column.
HEADER_WORD_GAP = 0.012


# A recognised label whose words stand a column apart ("Item      Description" read as the
# phrase "item description") names two columns.
HEADER_COLUMN_GAP = 0.03


def header_cells(header: LineText, columns: list[Column]) -> list[dict]:
    """Every column the header line names, in reading order: its own words as printed and the
    kind of the recognised column it is (``None`` for columns no vocabulary names, e.g. "Pos")."""
    def span_of(w):
        return next((c for c in columns if c.x0 - 1e-6 <= w.x0 and w.x1 <= c.x1 + 1e-6), None)

    groups: list[tuple[Column | None, list]] = []
    for w in header.words:
        span = span_of(w)
        if groups:
            prev_span, prev = groups[-1]
            gap = w.x0 - prev[-1].x1
            if span is not None and span is prev_span and gap < HEADER_COLUMN_GAP \
                    or span is None and prev_span is None and gap < HEADER_WORD_GAP:
                prev.append(w)
                continue
        groups.append((span, [w]))
    out = []
    for span, ws in groups:
        out.append({"header": " ".join(w.text for w in ws), "kind": None, "span": span,
                    "x0": ws[0].x0, "x1": ws[-1].x1})
    for column in columns:
        parts = [h for h in out if h["span"] is column]
        if parts:  # of a label split in two, the part that alone is the label has its kind, else the last
            named = [h for h in parts if COLUMNS[column.kind].fullmatch(h["header"])]
            (named or parts)[-1]["kind"] = column.kind
    for h in out:
        h.pop("span")
    return out


def _column_of(word, heads: list[dict]) -> int:
    """The header a word sits under: the one it overlaps most, else the nearest."""
    def key(i):
        h = heads[i]
        overlap = min(word.x1, h["x1"]) - max(word.x0, h["x0"])
        gap = max(h["x0"] - word.x1, word.x0 - h["x1"], 0.0)
        return (overlap > 0, overlap if overlap > 0 else -gap)
    return max(range(len(heads)), key=key)


def add_cells(header: LineText, columns: list[Column], items: list[dict]) -> None:
    """Each item's ``cells``: per header column, the lines of text printed under it on the
    item's rows, so a caller can show the table with its own headers (documented extra key).

    A kind (description, quantity …) belongs to the header most of the words the row reading
    gave that kind sit under: "Item" is a description label, but when the descriptions are
    printed under "Material" beside it, "Material" is the description column and "Item" one
    the vocabulary does not name. Words of a kind then go to its column, other words to the
    header they sit under."""
    heads = header_cells(header, columns)
    kind_words = [item.pop("_kind_words", {}) for item in items]
    votes: dict[str, dict[int, int]] = {}
    for words_of in kind_words:
        for kind, ws in words_of.items():
            for w in ws:
                column = _column_of(w, heads)
                votes.setdefault(kind, {}).setdefault(column, 0)
                votes[kind][column] += 1
    column_of_kind = {h["kind"]: i for i, h in enumerate(heads) if h["kind"]}
    for kind, counts in votes.items():
        best = max(counts, key=lambda i: (counts[i], heads[i]["kind"] == kind))
        if heads[best]["kind"] not in (None, kind) and heads[best]["kind"] in votes:
            continue  # that column is another kind's, by its own words
        column_of_kind[kind] = best
    for h in heads:
        h["kind"] = None
    for kind, i in column_of_kind.items():
        if heads[i]["kind"] is None:
            heads[i]["kind"] = kind
    for item, words_of in zip(items, kind_words):
        placed = {id(w): column_of_kind[kind] for kind, ws in words_of.items() if kind in column_of_kind
                  for w in ws}
        per_column: dict[int, list] = {}
        for lt in item.pop("_lines", ()):
            for w in lt.words:
                column = placed.get(id(w))
                if column is None:
                    column = _column_of(w, heads)
                per_column.setdefault(column, []).append(w)
        cells = []
        for i, head in enumerate(heads):
            ws = per_column.get(i, [])
            rows: dict[int, list] = {}
            for w in ws:
                rows.setdefault(w.line, []).append(w)
            texts = [" ".join(w.text for w in sorted(r, key=lambda w: w.x0)) for _n, r in sorted(rows.items())]
            cell = {"header": head["header"], "kind": head["kind"], "content": texts}
            if ws:
                cell["coords"], cell["page"] = Candidate(texts, ws).coords(), ws[0].page
            cells.append(cell)
        item["cells"] = cells


def _content(line: dict, kind: str):
    return line[kind]["selected_value"]["content"]


def score_lines(found: list[dict]) -> None:
    """Rows whose quantity × unit price (− discount) gives their amount are confirmed."""
    for line in found:
        q, u, s, d = (line.get(k, {}).get("selected_value", {}).get("content")
                      for k in ("quantity", "unit_price", "subtotal", "discount"))
        score = 0.5
        if None not in (q, u, s) and abs(abs(q * u) * (1 - (d or 0) / 100) - abs(s)) <= max(0.011, abs(s) * 0.001):
            score = 0.9
        line["_score"] = score


# A row without a table header, as tills and compact bills print it: "2 x 3,50 … 7,00" (a unit
# may follow the count: "10 ud. x 100,00"), its description before the count or on the line above.
MULTIPLIED = re.compile(r"(?<![\w.,])(?P<qty>-?\d+(?:[.,]\d+)*)\s*(?:[^\W\d]{1,6}\.?\s*)?[x×*]\s*"
                        r"(?P<price>[-(]?[$€£]?\s?\d[\d.,]*)")


def multiplied_rows(ctx: Context) -> list[dict]:
    """Lines of a bill that prints no table header: a count times a price giving the row's amount."""
    out = []
    for page_lines in lines_of(ctx.doc).pages:
        for i, lt in enumerate(page_lines):
            m = MULTIPLIED.search(lt.text)
            if not m:
                continue
            # the amount: the row's last; the price: the figure after the "x", read whatever its
            # decimals (a rate of energy or of a currency prints four or five: "6.512 x 0,0431")
            amounts = [(a, v) for a, v, dec in find_amounts(lt.text[m.end():], ocr=is_ocr(lt.words)) if dec or v]
            quantity = parse_number(m.group("qty"))
            price = parse_number(m.group("price").strip("(€$£ "))
            if not amounts or not quantity or price is None:
                continue
            amount_m, amount = amounts[-1]
            if abs(abs(quantity * price) - abs(amount)) > max(0.011, abs(amount) * 0.001):
                continue  # not a count times a price: some other figures
            words = [w for w in lt.words_between(0, m.start("qty")) if not re.fullmatch(r"[\W_]+", w.text)]
            if not any(re.search(r"[^\W\d]{3}", w.text) for w in words) and i > 0:
                above = page_lines[i - 1]
                if not any(dec for _m, _v, dec in find_amounts(above.text)) and re.search(r"[^\W\d]{3}", above.text):
                    words = list(above.words)
            if not words:
                continue
            base = m.end()
            q_words = lt.words_between(m.start("qty"), m.end("qty"))
            p_words = lt.words_between(m.start("price"), m.end("price"))
            s_words = lt.words_between(base + amount_m.start("num"), base + amount_m.end("num"))
            out.append({
                "description": _attribute(" ".join(w.text for w in words), words),
                "quantity": _attribute(round(quantity, 4), q_words),
                "unit_price": _attribute(round(price, 6), p_words),
                "subtotal": _attribute(round(amount, DECIMAL_PLACES.get()), s_words),
                "_row_words": words + q_words + p_words + s_words,
            })
    return out
