"""Where values sit relative to their labels, and which party a page region belongs to.

Invoices print a value right of its label ("Total: 12.00") or under it (a header row of
labels over a row of values). ``values_near`` finds both; ``party_of`` tells whether a
line lies in the seller's or the buyer's block, from the nearest block heading above it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from .document import Document, Word
from .parsing.text import unaccented
from .spans import LineText


@dataclass
class LabelHit:
    line: LineText
    words: list[Word]  # the label's words
    end: int  # character offset in line.text just after the label
    page: int
    line_index: int  # index of the line on its page


@dataclass
class ValueHit:
    label: LabelHit
    words: list[Word]
    text: str
    start: int
    end: int
    below: bool  # found on a line under the label rather than right of it
    distance: float  # vertical distance (page heights) for values below, else horizontal gap
    before: bool = False  # found left of a label that ends its column (right-to-left columns)


class Lines:
    """Line texts of a document, computed once per document."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.pages: list[list[LineText]] = [[LineText.of(line) for line in page.lines()] for page in doc.pages]
        self._where: dict[int, tuple[int, int]] | None = None

    @property
    def where(self) -> dict[int, tuple[int, int]]:
        """(page, line index) of each of the document's words, by the word's id, built once."""
        if self._where is None:
            self._where = {id(w): (p, i) for p, lines in enumerate(self.pages)
                           for i, lt in enumerate(lines) for w in lt.words}
        return self._where

    def __getstate__(self) -> dict:
        # (ids name objects of this process: a copied or unpickled document builds its own)
        return {**self.__dict__, "_where": None}

    def position(self, word: Word) -> tuple[int, int] | None:
        """(page, line index) of one of the document's own words, or None for another object."""
        return self.where.get(id(word))

    def __iter__(self) -> Iterator[tuple[int, int, LineText]]:
        for p, lines in enumerate(self.pages):
            for i, lt in enumerate(lines):
                yield p, i, lt


def lines_of(doc: Document) -> Lines:
    cached = doc.attachments.get("_lines")
    if cached is None:
        cached = doc.attachments["_lines"] = Lines(doc)
    return cached


def compile_labels(labels: Sequence[str]) -> re.Pattern:
    """One regex for a list of label phrases; spaces match any spacing, a trailing ':' is optional."""
    parts = []
    # OCR and plain-ASCII senders drop accents ("Fallig am", "echeance"): each label also
    # matches its unaccented spelling
    labels = list(dict.fromkeys([*labels, *(unaccented(label) for label in labels)]))
    for label in sorted(labels, key=len, reverse=True):
        escaped = re.escape(label).replace(r"\ ", r"\s*")
        parts.append(escaped)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])\s*[:#.]?", re.I)


def find_labels(doc: Document, label_rx: re.Pattern) -> list[LabelHit]:
    hits = []
    for p, i, lt in lines_of(doc):
        for m in label_rx.finditer(lt.text):
            words = lt.words_between(m.start(), m.end())
            if words:
                hits.append(LabelHit(lt, words, m.end(), p, i))
    return hits


def values_near(doc: Document, label_rx: re.Pattern, value_rx: re.Pattern,
                accept: Callable[[re.Match], bool] | None = None, max_below: int = 2,
                before: bool = False) -> list[ValueHit]:
    """Values matching ``value_rx`` right of a label on its line, or under it (same column).
    ``before``: also the value right before a label that ends its column with nothing right of
    it or under it, as pages set in right-to-left columns print them ("4560000001  Número da
    fatura")."""
    out: list[ValueHit] = []
    lines = lines_of(doc)
    for hit in find_labels(doc, label_rx):
        found = len(out)
        _values_after_and_under(hit, lines, value_rx, accept, max_below, out, label_rx)
        if before and len(out) == found:
            _value_before(hit, value_rx, accept, out)
    return out


def _value_before(hit: LabelHit, value_rx: re.Pattern, accept, out: list) -> None:
    """The value right before a label that ends its line: in the label's own column
    ("3141592653 Número da fatura"), or alone in the column before a column that holds the
    label only (a right-to-left key/value table)."""
    line = hit.line
    parts = segments(line)
    j = next((n for n, p in enumerate(parts) if hit.words[0] in p), None)
    if j is None or parts[j][-1] is not hit.words[-1] or j != len(parts) - 1:
        return  # the label does not end its line
    part = parts[j]
    k = part.index(hit.words[0])
    if k > 0:
        candidates, whole = part[:k], False
    elif j > 0:
        candidates, whole = parts[j - 1], True
    else:
        return
    sub = LineText.of(candidates)
    last = None
    for m in value_rx.finditer(sub.text):
        if not accept or accept(m):
            last = m
    if last is None:
        return
    s, e = (last.span(1) if value_rx.groups and last.group(1) is not None else last.span())
    words = sub.words_between(s, e)
    if not words or words[-1] is not candidates[-1] or (whole and words[0] is not candidates[0]):
        return  # the value stands right before the label (alone in its column, when in one)
    offset = line.text.find(sub.text)
    start = max(0, offset) + s
    out.append(ValueHit(hit, words, (last.group(1) if value_rx.groups and last.group(1) else last.group(0)),
                        start, start + (e - s), False, max(0.0, hit.words[0].x0 - words[-1].x1), before=True))


def _values_after_and_under(hit: LabelHit, lines, value_rx: re.Pattern, accept, max_below: int, out: list,
                            label_rx: re.Pattern | None = None) -> None:
    """The first value right of the label on its line, and the first under it (its column),
    unless a label of another kind stands before that one."""
    tail = hit.line.text[hit.end:]
    for m in value_rx.finditer(tail):
        if accept and not accept(m):
            continue
        s, e = (m.span(1) if value_rx.groups and m.group(1) is not None else m.span())
        words = hit.line.words_between(hit.end + s, hit.end + e)
        if words:
            gap = max(0.0, words[0].x0 - hit.words[-1].x1)
            out.append(ValueHit(hit, words, (m.group(1) if value_rx.groups and m.group(1) else m.group(0)),
                                hit.end + s, hit.end + e, False, gap))
            break  # the first value right of a label is the one it labels
    x0, x1 = hit.words[0].x0, hit.words[-1].x1
    page_lines = lines.pages[hit.page]
    for below in page_lines[hit.line_index + 1: hit.line_index + 1 + max_below]:
        # the part of the line under the label (overlapping its columns, a bit wider)
        col = [w for w in below.words if w.x1 > x0 - 0.02 and w.x0 < x1 + 0.12]
        if not col:
            continue
        sub = LineText.of(col)
        for m in value_rx.finditer(sub.text):
            if accept and not accept(m):
                continue
            s, e = (m.span(1) if value_rx.groups and m.group(1) is not None else m.span())
            if _own_label(sub.text[:s]) and not (label_rx is not None and label_rx.search(sub.text[:s])):
                # "Account 88-83999" under "Invoice 4711": the value has a label of its own (a
                # label of the same kind continues this one: "Rechnung" over "Nummer 4711")
                break
            words = sub.words_between(s, e)
            if words:
                out.append(ValueHit(hit, words, (m.group(1) if value_rx.groups and m.group(1) else m.group(0)),
                                    s, e, True, words[0].y0 - hit.words[0].y1))
                break
        break  # only the first line under the label that has words in its column


def _own_label(prefix: str) -> bool:
    """A word of three letters or more before a value on its line (a currency code aside)."""
    from .parsing.numbers import iso_currency_codes

    return any(len(word) >= 3 and word.upper() not in iso_currency_codes()
               for word in re.findall(r"[^\W\d_]+", prefix))


# Block headings that tell whose data follows (seller vs buyer), in the six languages.
SELLER_HEADINGS = compile_labels([
    "seller", "supplier", "vendor", "from", "issued by", "verkäufer", "verkaufer", "lieferant", "rechnungssteller",
    "absender", "leistungserbringer", "vendeur", "fournisseur", "émetteur", "emetteur", "verkoper", "leverancier",
    "vendedor", "proveedor", "emisor", "fornitore", "venditore", "cedente", "prestatore", "issuer", "billed by",
    "invoiced by", "rechnungsaussteller", "aussteller", "expéditeur", "afzender", "emitente", "fornecedor",
    "prestador", "datos del emisor", "dati fornitore", "dati del fornitore",
    "sold by", "verkauft von", "vendu par", "venduto da", "verkocht door", "vendido por",
    "säljare", "leverantör", "avsändare", "sælger", "leverandør", "afsender", "selger", "sprzedawca",
    "dostawca", "wystawca", "myyjä", "toimittaja", "från",
    # a payment slip's payee is the seller
    "payee", "payable to", "zahlungsempfänger", "zahlbar an", "bénéficiaire", "begunstigde", "beneficiario",
    "betalningsmottagare", "betalingsmodtager", "betalingsmottaker",
])
# "Recipient" headings: the invoice's recipient in an address block, the payee on a payment
# slip ("Empfänger  Acme GmbH" over its IBAN); which one the lines around tell.
RECIPIENT_HEADINGS = compile_labels(["empfänger", "recipient", "mottagare", "modtager", "mottaker", "odbiorca",
                                     "destinatario"])
BUYER_HEADINGS = compile_labels([
    "buyer", "customer", "client", "bill to", "billed to", "invoice to", "sold to", "ship to", "deliver to",
    "käufer", "kaufer", "kunde", "rechnungsempfänger", "leistungsempfänger", "rechnung an", "empfänger",
    "lieferanschrift", "acheteur", "facturé à", "facture à", "adresse de facturation", "livré à", "destinataire",
    "koper", "klant", "factuur aan", "comprador", "cliente", "facturar a", "destinatario", "cessionario",
    "committente", "debitor", "auftraggeber", "adresse de livraison", "delivery address", "shipping address",
    "lieferadresse", "afleveradres", "dirección de entrega", "indirizzo di consegna", "afnemer", "acquirente",
    "purchaser", "invoiced to", "billing address", "bill-to", "ship-to", "invoice address", "customer details",
    "rechnungsadresse", "rechnungsanschrift", "facturer à", "livrer à", "adresse de facturation client",
    "factuuradres", "leveringsadres", "verzendadres", "klantgegevens", "faturar a", "faturado a", "local de entrega",
    "morada de entrega", "morada de faturação", "dados do cliente", "destinatário", "datos del cliente", "enviar a",
    "dirección de facturación", "intestatario", "spett.le", "spettabile", "luogo di consegna",
    "indirizzo di fatturazione", "fatturare a", "dati cliente", "consegnare a",
    "fatturato a", "intestato a", "destinazione merce", "indirizzo di spedizione", "spedire a",
    "facturado a", "enviado a", "dirección de envío", "enviar para", "expédié à", "adresse d'expédition",
    "lieferung an", "versand an", "versandadresse", "geleverd aan", "gefactureerd aan", "leveradres",
    "shipped to", "deliver-to",
    # a letter's address line "To:" (with its colon: "to" alone opens many a sentence)
    "to:", "an:", "aan:", "para:", "til:", "till:",
    "köpare", "fakturaadress", "mottagare", "leveransadress", "køber", "faktureringsadresse", "modtager",
    "kjøper", "nabywca", "odbiorca", "płatnik", "ostaja", "asiakas", "laskutusosoite", "toimitusosoite",
    "kund", "kundadress", "klient", "kunde", "faktureras till", "fakturamottagare", "faktureres til",
    "varumottagare", "varemodtager", "fakturamottaker", "payer", "zahlungspflichtiger",
    # a practitioner bills the patient
    "patient", "patientin", "patiënt", "paciente", "paziente", "pacjent", "potilas", "pasient",
    # an insurer bills its policyholder, a club its member
    "policyholder", "policy holder", "insured", "versicherungsnehmer", "versicherungsnehmerin", "verzekeringnemer",
    "verzekeringsnemer", "preneur d'assurance", "souscripteur", "assuré", "tomador", "tomador del seguro",
    "contraente", "tomador do seguro", "forsikringstager", "försäkringstagare", "ubezpieczający",
    "member", "mitglied", "adhérent", "socio",
])


def is_heading(text: str, headings: re.Pattern) -> re.Match | None:
    """A block heading starts its line ("Käufer:", "Bill to") and the line is short."""
    if len(text) > 60:
        return None
    stripped = text.lstrip(" \t-•*")
    m = headings.match(stripped)
    if m and stripped[m.end():m.end() + 1] in ("-", "/") and not stripped[m.end() - 1:m.end()].isspace():
        # "Verkäufer-IBAN": a field of the block, not its heading; but "Käufer/Leistungsempfänger"
        # names the same party twice
        return m if headings.match(stripped[m.end() + 1:]) else None
    return m


# Words closer than this (of the page width, a few spaces) belong to one column of text.
COLUMN_GAP = 0.03
# A line cut into this many parts is a table's row (party blocks stand at most three abreast).
TABLE_ROW_PARTS = 4
# How far right of a column's left edge its words may start (blocks side by side are about
# half a page wide).
COLUMN_WIDTH = 0.35


def segments(lt: LineText) -> list[list]:
    """The line's words cut where a gap wider than COLUMN_GAP separates columns, or where
    the text leaves its line's middle (a logo's letters beside a name, half a line lower)."""
    out: list[list] = []
    for w in lt.words:
        if out and w.x0 - out[-1][-1].x1 < COLUMN_GAP and not _off_middle(out[-1][-1], w):
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _off_middle(left, right) -> bool:
    # words of one run share their middle, whatever their size (a bold value beside its
    # small label stands on the same base line, their middles a quarter height apart). Only
    # a text layer's boxes are the font's: an OCR box is its glyphs' ("ROAD" is capitals,
    # "gym" reaches down), its middle moves with the letters
    if left.conf < 1.0 or right.conf < 1.0:
        return False
    return abs(left.cy - right.cy) > OFF_MIDDLE * min(left.y1 - left.y0, right.y1 - right.y0)


OFF_MIDDLE = 0.4


def column_text(lt: LineText, x: float) -> str | None:
    """The text of the line's column that starts at ``x``: its part starting nearest left of
    ``x``, if that part starts less than a column's width away; else None (the line has
    nothing in that column)."""
    parts = segments(lt)
    part = max((p for p in parts if p[0].x0 <= x + 0.02), key=lambda p: p[0].x0, default=None)
    if part is None or x - part[0].x0 > COLUMN_WIDTH:
        return None
    return " ".join(w.text for w in part)


def party_of(doc: Document, page: int, line_index: int, x: float | None = None) -> str | None:
    """'seller' / 'buyer' for a line under such a heading (nearest heading above wins).

    ``x``: the left edge of the value's column (where its part of the line starts); blocks
    printed side by side ("Seller    Buyer") are then told apart by the heading over the
    value's own column."""
    lines = lines_of(doc).pages[page]
    for i in range(line_index, max(-1, line_index - 12), -1):
        if x is not None and i < line_index and len(segments(lines[i])) >= TABLE_ROW_PARTS:
            return None  # a table's row: the blocks above it head no value below it
        text = lines[i].text if x is None else column_text(lines[i], x)
        if text is None:
            continue
        if len(text) > 60:
            continue  # headings are short lines
        if is_heading(text, BUYER_HEADINGS):
            return "buyer"
        if is_heading(text, SELLER_HEADINGS):
            return "seller"
    return None


def column_start(doc: Document, page: int, line_index: int, word: Word) -> float:
    """Where the part of its line that holds ``word`` starts (see ``segments``)."""
    for part in segments(lines_of(doc).pages[page][line_index]):
        if word in part:
            return part[0].x0
    return word.x0


def line_position(doc: Document, word: Word) -> tuple[int, int]:
    """(page, line index) of a word (looked up once per document; a copy of a word is found by
    its equal on the page)."""
    lines = lines_of(doc)
    found = lines.position(word)
    if found is not None:
        return found
    for i, lt in enumerate(lines.pages[word.page]):
        if word in lt.words:
            return word.page, i
    return word.page, 0


def line_of(doc: Document, word: Word) -> LineText:
    """The line a word is printed on."""
    page, index = line_position(doc, word)
    return lines_of(doc).pages[page][index]
