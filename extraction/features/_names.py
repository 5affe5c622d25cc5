"""Company names: legal forms, block headings, letterheads. Shared by supplier and client."""
from __future__ import annotations

import functools
import re

from ..candidate import Candidate
from ..context import Context
from ..layout import (BUYER_HEADINGS, RECIPIENT_HEADINGS, SELLER_HEADINGS, column_start, compile_labels, is_heading, line_of,
                      line_position, lines_of, party_of, segments)
from ..parsing.dates import find_dates
from ..spans import LineText
from ._parties import compact

# Legal forms, matched in any case (OCR and shouting letterheads print "GMBH", "Sdn Bhd") except
# those that are also words: a short one counts in capitals only ("AG", "KG", "AS", not the "kg"
# of "per kg" or a sentence's "as"), and the words Malaysian and Singaporean sole
# proprietorships register their names with ("Lim Enterprise", "Tan Trading") in capitals or
# ending their text (not "Enterprise edition"). The kind of a shop is no legal form.
_WORD_FORMS = "ENTERPRISE|TRADING"
LEGAL_FORMS = re.compile(
    r"(?<![\w])(GmbH(?:\s?&\s?Co\.?\s?KG)?|(?-i:mbH|P\.C\.(?!\s?\d)|P\.A\.(?!\s?\d))|(?-i:AG|KG|OHG|UG|SE|SA|SL|AB|AS|Oy|OY|SIA|UAB)|e\.\s?K\.|e\.V\.|SAS|SARL|"
    r"S\.A\.R\.L\.|SASU|EURL|SNC|"
    r"S\.A\.|B\.?V\.?|N\.?V\.?|VOF|V\.O\.F\.|Ltd\.?|Limited|LLC|LLP|Inc\.?|Corp\.?|PLC|S\.r\.l\.|Srl|S\.p\.A\.|SpA|S\.L\.|"
    r"S\.A\.U\.|A/S|ApS|Sp\.\s?z\s?o\.o\.|s\.r\.o\.|Kft\.?|SDN\.?\s?BHD\.?|BHD|"
    r"SPRL|SRL|BVBA|CVBA|Lda\.?|SAOC|SAOG|W\.?L\.?L\.?|FZE|FZCO|FZ-LLC|PJSC|KGaA|PLLC|L\.P\.|"
    r"Incorporated|Corporation|Oyj|OÜ|"
    r"d\.o\.o\.|Zrt\.|Nyrt\.|GbR|S\.n\.c\.|S\.a\.s\.|sp\.\s?k\.?|sp\.\s?j\.?|S\.r\.l\.s\.?|"
    r"(?-i:" + _WORD_FORMS + r")|(?:" + _WORD_FORMS + r")(?=\W*$))(?![\w])",
    re.I)
ADDRESS_WORD = compile_labels(["address", "addresses", "adresse", "anschrift", "adres", "dirección", "direccion",
                               "indirizzo", "endereço", "morada", "address line"])
NAME_LABEL = compile_labels(["name", "firma", "company", "société", "raison sociale", "bedrijf", "empresa",
                             "ragione sociale", "nom"])
# A name ending with its legal form ("… GmbH & Co. KG") is a company's, whatever street word
# ("Kg") it holds.
LEGAL_FORM_END = re.compile(r"(?:" + LEGAL_FORMS.pattern + r")\W*$", re.I)


def name_label(text: str) -> re.Match | None:
    """A name label heading ``text`` ("Name: Acme", "Firma Kranich Werkzeug GmbH"), unless the
    label word is the name's own first word: "Company Q", "Cliente S.p.A." (what follows is a
    letter or a bare legal form, and no colon set the label off)."""
    m = NAME_LABEL.match(text)
    if not m or m.group(0).rstrip().endswith(":"):
        return m
    rest = text[m.end():]
    return None if len(rest.strip(" .,;")) <= 2 or bare_legal_form(rest) else m


def bare_legal_form(text: str) -> bool:
    """``text`` is a legal form alone ("SpA", "S.p.A.", "B.V.")."""
    return bool(LEGAL_FORMS.fullmatch(text.strip(" ,;")) or LEGAL_FORMS.fullmatch(text.strip(" .,;")))


# A document's own title, per language: never a party's name, and cut off the end of a name's
# line it is printed on ("Acme Widgets GmbH INVOICE").
DOCUMENT_TITLES = ("invoice", "rechnung", "facture", "factuur", "factura", "fattura", "fatura", "receipt", "gutschrift",
                   "avoir", "credit note", "tax invoice", "pro forma", "pro-forma", "fatura-recibo",
                   "factura simplificada", "recibo", "nota de crédito", "nota di credito", "creditnota", "abono",
                   "rechnungskorrektur", "faktura", "faktura vat", "faktura korygująca", "kreditnota",
                   "kreditfaktura", "lasku", "hyvityslasku", "creditfactuur")
# … and words that open a title or a page header line (they stay when a name ends with them:
# "Au Bon" is a name)
TITLE_WORDS = re.compile(r"^(" + "|".join(DOCUMENT_TITLES + ("quittung", "bon", "handelsrechnung", "page", "seite"))
                         + r")\b", re.I)
# A till's greeting over its header, per language ("Welcome to", "Merci de votre visite")
GREETING = compile_labels(["welcome", "bienvenue", "willkommen", "herzlich willkommen", "bienvenido", "bienvenidos",
                           "benvenuti", "benvenuto", "welkom", "thank you", "thanks", "merci", "danke", "gracias",
                           "grazie", "bedankt", "dank u",
                           # a letter's closing words, over the signature
                           "kind regards", "best regards", "regards", "sincerely", "yours faithfully",
                           "mit freundlichen grüßen", "freundliche grüße", "cordiali saluti", "distinti saluti",
                           "cordialement", "salutations", "met vriendelijke groet", "met vriendelijke groeten",
                           "atentamente", "saludos", "cumprimentos", "atenciosamente", "com os melhores cumprimentos",
    "tack", "tak", "takk", "dziękujemy", "obrigado", "kiitos", "med vänliga hälsningar", "venlig hilsen",
    "med vennlig hilsen", "z poważaniem", "ystävällisin terveisin",
])
SEPARATORS = re.compile(r"\s+[●•·|–—]\s+|\s{2,}|\s-\s")
# (a date or a time of day, "18/02/21 09:45", and a count with its unit, "1 Stk", are no name)
NOT_A_NAME = re.compile(r"@|www\.|https?:|\d{4,}|^\W*$|\d[.,]\d{2,3}(?!\d)|\b\d{1,2}:\d{2}\b|"
                        r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|^\W*\d+(?:[.,]\d+)?\s*[^\W\d]{1,4}\.?\W*$|"
                        r"\b(?:tel|fax|phone|iban|bic|e-mail|email|order|"
                        r"bestell|commande|pedido|ordine|ref|kunden?nr|customer|nummer|number|datum|date|page|seite|"
                        r"stammkapital|share capital|capital social|capitale sociale|au capital|kapitaal)\b", re.I)
# "Kontoname : X", "Nummer : 4711": a labelled field, not a name line
FIELD_LINE = re.compile(r"^[\w .\-/()]{2,30}\s?:\s*\S")


# A postal address line: street words of the six languages and of common receipt countries,
# or a postcode before a town. Names are never printed this way.
ADDRESS_LINE = re.compile(
    r"^\W*(?:no|lot|unit|blk|block)\b\.?\s*[\w/-]*\d|\b(?:jalan|jln|taman|tmn|lorong|persiaran|lebuh|seksyen|bandar|"
    r"kampung|kg|rua|travessa|street|st|road|rd|avenue|ave|lane|drive|boulevard|blvd|floor|plaza|suite|straße|strasse|str|"
    r"weg|platz|allee|rue|avenue|bd|chemin|place|straat|laan|plein|calle|avenida|plaza|via|viale|piazza|corso)\b\.?"
    r"|\b\d{5}\s+[A-Za-zÀ-ÿ]{3,}"
    # streets whose kind is glued to their name, printed without a number ("Kastanjegade",
    # "Birkevej", "Drottninggatan"), and buildings and streets of more languages
    r"|\b[^\W\d]{3,}(?:gade|vej|vejen|gatan|gata|vägen|veien|straße|strasse|straat|gracht|kade|singel|dreef)\b"
    r"|\b(?:tower|building|bldg|caddesi|cad\.|sokak|sok\.|mahallesi|ulica|utca)\b"
    # a street name glued to its kind, then the house number ("Mühlenstraße 20", "Kerkstraat 12")
    r"|[^\W\d]{2,}-?(?:straße|strasse|str\.|gasse|weg|platz|allee|ring|damm|straat|laan|gracht|plein)\s*\d", re.I)
# A company's registration or tax id printed right under its name ("(162761-M)", "Co. Reg. No",
# "GST ID", "VAT No", "HRB 1234", "SIRET", "KvK"): the line above it is the company's name.
REGISTRATION_LINE = re.compile(
    r"^\W*\(?\d{5,}[- ]?[A-Z]\)?\W*$|\b(?:co\.?\s*reg|company\s*(?:no|reg)|reg(?:istration)?\.?\s*no|roc|gst\s*(?:id|reg)|"
    r"sst\s*(?:id|reg)|vat\s*(?:no|id|reg)|hrb|siret|siren|kvk|ust-?id|tax\s*id)\b", re.I)


def in_table_header(ctx: Context, cand: Candidate) -> bool:
    """A table's header row ("Description  Qty  Price") names columns, not a party."""
    from .invoice_lines import header_columns  # (it reads the pipeline's line helpers)

    if not cand.words:
        return False
    page, index = line_position(ctx.doc, cand.words[0])
    lines = lines_of(ctx.doc).pages[page]
    return 0 <= index < len(lines) and bool(header_columns(lines[index]))


def is_field_label(text: str) -> bool:
    """The whole text is a field's label or a block's heading ("Payment due", "Issued",
    "Verkäufer"): a label printed beside a party's block, never a party's name."""
    from ..ranking import label_classes  # (the label vocabularies, gathered once)
    from .vat_number import TAX_ID_LABEL

    text = text.strip()
    return bool(text) and (any(rx.fullmatch(text) for rx in (*label_classes().values(), TAX_ID_LABEL))
                           or text.casefold() in _places_and_currencies())


def is_label_row(text: str) -> bool:
    """Two field labels or more on the text ("No. Date of issue Invoice no. Due"): a row of
    column headers over their values, never a party's name."""
    from ..ranking import label_classes

    # whole words only: some classes are word parts ("tel" of a context class in "Hotels")
    spans = sorted({m.span() for name, rx in label_classes().items() if name not in ("seller", "buyer")
                    for m in rx.finditer(text) if _whole_words(text, *m.span())})
    apart, end = 0, -1
    for start, stop in spans:  # labels that do not overlap ("Invoice" inside "Invoice date" is one)
        if start >= end:
            apart, end = apart + 1, stop
        else:
            end = max(end, stop)
    return apart >= 2


def _own_part(lt: LineText, m: re.Match, below: LineText | None) -> LineText:
    """The heading's own column of its line. What stands in another column beside it belongs
    to that column ("Bill to        Acme GmbH", the seller's block beside; "Bill to    Invoice
    date 3 May"), unless nothing stands under it: then it is the heading's value, set apart
    ("Customer:          Kranich GmbH")."""
    parts = segments(lt)
    if len(parts) < 2:
        return lt
    own = LineText.of(parts[0])
    offset = len(lt.text) - len(lt.text.lstrip(" \t-•*"))
    if len(own.text) > offset + m.end() + 1:
        return own  # the heading and a name in its own column; the rest is another column's
    if AMOUNT_OR_DATE.search(LineText.of(parts[1]).text):
        return own  # "Kunde        DKK 4,210.50": another column's amount or date, never a name
    # two columns go on under the line, each at its own edge; a value set apart from its label
    # has its continuation lines under the value alone ("Bill to:    Acme Ltd / Quay Street 4")
    beside, head_x = parts[1][0].x0, parts[0][0].x0
    under = segments(below) if below is not None else []
    left_under = next((LineText.of(part).text for part in under if abs(part[0].x0 - head_x) < 0.02), None)
    if left_under is not None and is_form_key(left_under):
        return lt  # a form of keys over keys ("Client  Acme Ltd / Customer address  …"): the value beside is the name
    if any(abs(part[0].x0 - beside) < 0.02 for part in under) and left_under is not None:
        return own
    return lt


# an amount with its decimals ("5,082.96") or a numeric date: what no party's name prints
AMOUNT_OR_DATE = re.compile(r"(?<![\w.,])\d[\d.,' ]*[.,]\d{2}(?![\w.,])|(?<!\w)\d{1,4}[./\-]\d{1,2}[./\-]\d{2,4}(?!\w)")


def is_form_key(text: str) -> bool:
    """A form's key: a field label, a block heading or a name label ("Invoice no.", "Customer
    address", "Anschrift Lieferant")."""
    text = text.strip()
    if is_field_label(text) or text.endswith(":"):
        return True
    for headings in (BUYER_HEADINGS, SELLER_HEADINGS):
        m = is_heading(text, headings)
        # the heading alone, or with "address" ("Customer address"); not a name that opens
        # with a heading's word ("Kunde Meyer KG")
        if m and (not text[m.end():].strip(" :") or ADDRESS_WORD.fullmatch(text[m.end():].strip(" :"))):
            return True
    label = name_label(text)
    if label and not text[label.end():].strip(" :"):
        return True
    # "Anschrift Lieferant": an address word and a party's word, nothing else
    return bool(len(text.split()) <= 3 and ADDRESS_WORD.search(text)
                and (BUYER_HEADINGS.search(text) or SELLER_HEADINGS.search(text)))


# "Seller: Acme Ltd, 4 Quay Street, Leeds | Buyer: …": a name, then its address on the same line
FIELD_SEPARATOR = re.compile(r"\s+[|·•]\s+|\s{3,}")


def _name_length(rest: str) -> int:
    """How much of the text after a heading is the name: up to a field separator, and up to the
    comma before its street or town (a legal form after a comma is still the name's)."""
    cut = FIELD_SEPARATOR.search(rest)
    head = rest[:cut.start()] if cut else rest
    pos = 0
    for part in re.finditer(r"[^,]+", head):
        piece = part.group(0).strip()
        if pos and (ADDRESS_LINE.search(piece) or TOWN_LINE.search(piece) or HOUSE_NUMBER_END.search(piece)
                    or re.match(r"\d", piece)) \
                and not bare_legal_form(piece):
            return pos
        pos = part.end()
    return len(head)


def _heads_rest(rest: str) -> bool:
    """What follows a heading is another heading ("Bill to:  Ship to:", "Käufer/Leistungsempfänger"),
    not a name that holds a heading's word ("Cliente: Studio Cliente Ventura")."""
    rest = rest.lstrip(" /-:")
    return bool(is_heading(rest, SELLER_HEADINGS) or is_heading(rest, BUYER_HEADINGS))


def _starts_with_label(text: str) -> bool:
    """The text opens with a field's label and its value ("reference PO-17", "no. 4711"); not a
    name that starts with a label's word ("Invoice Systems GmbH")."""
    from ..ranking import label_classes

    for name, rx in label_classes().items():
        m = rx.match(text) if name not in ("seller", "buyer") else None
        if m and re.match(r"\s*\S*\d", text[m.end():]):
            return True
    return False


def _is_supplier(ctx: Context, text: str) -> bool:
    supplier = ctx.selected("supplier")
    return supplier is not None and compact(str(supplier.content)) == compact(text)


def _whole_words(text: str, start: int, end: int) -> bool:
    return not (start > 0 and text[start - 1].isalnum() or end < len(text) and text[end].isalnum()
                and text[end - 1].isalnum())


@functools.cache
def _places_and_currencies() -> frozenset[str]:
    """Country names in the label languages and ISO currency codes: printed beside a party's
    block ("Japan", "JPY"), never its name."""
    from babel import Locale

    from ..parsing.numbers import iso_currency_codes

    names = {code.casefold() for code in iso_currency_codes()}
    for lang in ("en", "de", "fr", "nl", "es", "it", "pt"):
        names.update(name.casefold() for name in Locale(lang).territories.values())
    return frozenset(names)


def one_glyph_run(text: str) -> bool:
    """A logo or a rule read as text: one glyph makes a third of a long line ("车车本车车…", "******")."""
    chars = [ch for ch in text if not ch.isspace()]
    return len(chars) >= 8 and max(chars.count(ch) for ch in set(chars)) > len(chars) / 3


# An abbreviation's own point ends a name ("Pte. Ltd.", "B.V.", "S.p.A."): not stripped with
# the punctuation around it.
ABBREVIATION_END = re.compile(r"(?:\b[A-Za-z]{1,4}\.|\b(?:[A-Za-z]\.){2,})$")


def clean_name(text: str) -> str:
    cleaned = text.strip(" :,;.-•●|").strip()
    kept = text.strip(" :,;-•●|").strip()
    if kept != cleaned and kept.endswith(".") and ABBREVIATION_END.search(kept) and LEGAL_FORMS.search(kept[-8:]):
        return kept
    return cleaned


def segment_with(lt: LineText, rx: re.Pattern):
    """The separator-delimited part of a line containing ``rx``: (text, words)."""
    m = rx.search(lt.text)
    if not m:
        return None
    start, end = 0, len(lt.text)
    for sep in SEPARATORS.finditer(lt.text):
        if sep.end() <= m.start():
            start = sep.end()
        elif sep.start() >= m.end():
            end = sep.start()
            break
    text = clean_name(lt.text[start:end])
    words = lt.words_between(start, end)
    return (text, words) if text and words else None


def column_parts(lt: LineText, page) -> list[LineText]:
    """The line's parts that stand a column apart on a page with a text layer (the whole line
    when it is one, when it is a label and its value: "Name:      Acme Trading", and on a
    scan, whose gaps OCR does not measure to a column: the receipt model weighs whole lines)."""
    parts = segments(lt)
    if page.source == "ocr" or len(parts) < 2 or any(part[-1].text.endswith(":") or part[0].text.startswith(":")
                                                      for part in parts):
        return [lt]
    return [LineText.of(part) for part in parts]


def in_column(lt: LineText, x0: float) -> LineText:
    """The part of a line in the column starting at ``x0``, when blocks stand side by side
    ("Bill to" beside "Ship to" print their names on one line); else the whole line."""
    parts = segments(lt)
    if len(parts) < 2:
        return lt
    part = next((s for s in parts if abs(s[0].x0 - x0) < 0.02), None)
    if part is None or part[-1].text.endswith(":"):
        return lt  # ("Name:      Kestrel Trading": a label and its value, one column)
    return LineText.of(part)


ADDRESSEE_WORD = re.compile(r"(?:to|an|aan|para|til|till|à)\b", re.I)


def _heading_part(line: LineText, heading: re.Pattern) -> tuple[LineText, re.Match | None, bool]:
    """(the heading's part of the line, its match, whether it stands beside another column).
    A heading may head the right column of a line whose left part is something else (the
    seller's name on the left, "Bill to" on the right)."""
    m = is_heading(line.text, heading)
    if m:
        return line, m, False
    if heading is BUYER_HEADINGS:
        # a letter's "To" with its name under it: the word alone in its column ("To   Invoice
        # no. 2022-002"), never the "to" of a sentence
        first = LineText.of(segments(line)[0]) if line.words else line
        m = ADDRESSEE_WORD.fullmatch(first.text.strip())
        if m:
            return first, m, False
    if len(line.text) > 60:
        # "Seller: Acme Ltd, Leeds | Buyer: Kestrel Marine, Hull": one line of fields
        start = 0
        for sep in [*FIELD_SEPARATOR.finditer(line.text), None]:
            stop = sep.start() if sep else len(line.text)
            words = line.words_between(start, stop)
            if words:
                sub = LineText.of(words)
                # (a heading with its colon opens a field of any length)
                m = heading.match(sub.text)
                if m and m.group(0).rstrip().endswith(":"):
                    return sub, m, True
            if sep:
                start = sep.end()
    parts = segments(line)
    for k, part in enumerate(parts[1:], 1):
        sub = LineText.of(part)
        m = is_heading(sub.text, heading)
        # there, the heading alone ("Bill to"), its name on the lines below, or with its colon
        # and the name ("Sold by: Acme Ltd"): an item line's "Vendor Coupon -1.00" is no block
        rest = sub.words_between(m.end(), len(sub.text)) if m else []
        if m and (not sub.text[m.end():].strip(" :") or m.group(0).rstrip().endswith(":")
                  or (rest and _company_cell(rest))):  # ("Factuur aan Vossenberg Handel B.V.")
            if not sub.text[m.end():].strip(" :") and k + 1 < len(parts) and _company_cell(parts[k + 1]):
                # a spreadsheet's cells: the heading, the name in the next cell ("Factuur aan |
                # Vossenberg Handel B.V.")
                return LineText.of(part + parts[k + 1]), m, True
            return sub, m, True
    return line, None, False


def _company_cell(part: list) -> bool:
    """A line part that is a company's name: a legal form, no label, amount or date."""
    text = LineText.of(part).text
    return bool(LEGAL_FORMS.search(text) and not AMOUNT_OR_DATE.search(text) and not is_field_label(text)
                and not is_heading(text, BUYER_HEADINGS) and not is_heading(text, SELLER_HEADINGS))


def names_in_block(ctx: Context, party: str) -> list[Candidate]:
    """Names under a seller / buyer heading: a 'Name:' line, else the first line below. Kept per
    document: the supplier's finder reads the buyer's names too."""
    key = ("names_in_block", party)
    if key not in ctx.cache:
        ctx.cache[key] = _names_in_block(ctx, party)
    return [Candidate(c.content, c.words, c.score, origin=c.origin) for c in ctx.cache[key]]


def _names_in_block(ctx: Context, party: str) -> list[Candidate]:
    heading = SELLER_HEADINGS if party == "seller" else BUYER_HEADINGS
    out = []
    in_tables = item_table_rows(ctx)
    for p, lines in enumerate(lines_of(ctx.doc).pages):
        for i, line in enumerate(lines):
            lt, m, beside = _heading_part(line, heading)
            if m and (p, i) in in_tables and lt.words and lt.words[0].x0 >= in_tables[(p, i)]:
                continue  # "… reviewing the draft for / client": an item's wrapped text
            if m and party == "buyer" and RECIPIENT_HEADINGS.fullmatch(m.group(0).strip()) \
                    and _on_payment_slip(lines, i):
                continue  # "Empfänger" over the account it is paid to: the payee
            if not m and party == "seller":
                lt, m, beside = _heading_part(line, RECIPIENT_HEADINGS)
                if m and not _on_payment_slip(lines, i):
                    m = None
            if not m:
                continue
            lt = _own_part(lt, m, lines[i + 1] if i + 1 < len(lines) else None)
            offset = len(lt.text) - len(lt.text.lstrip(" \t-•*"))
            end = offset + m.end() + _name_length(lt.text[offset + m.end():])
            rest = clean_name(lt.text[offset + m.end():end])
            if TITLE_WORDS.fullmatch(rest):
                # the document's title set far right on the heading's line ("Bill To   INVOICE")
                # is no name: the block's name is under the heading
                rest, end = "", offset + m.end()
            if bare_legal_form(lt.text[offset + m.end():end]) and not m.group(0).rstrip().endswith(":"):
                continue  # "Cliente S.p.A.": a name that starts with a heading's word, not a heading
            if NAME_LABEL.fullmatch(rest) or ADDRESS_WORD.fullmatch(rest):
                continue  # "Vendor name", "Customer address": a label, no name after a heading
            if is_label_row(lt.text[:end]) or _starts_with_label(rest):
                # "Customer no.  Date  Invoice no.": a row of column headers; "Buyer reference
                # PO-17": a field's label and value; neither heads a block
                continue
            if (rest and not NOT_A_NAME.search(rest) and len(rest) > 2 and re.search(r"[A-Za-z]{2}", rest)
                    and not _heads_rest(rest)):
                out.append(Candidate(rest, lt.words_between(m.end(), end), 0.75))
                continue
            for j in range(i + 1, min(i + 5, len(lines))):
                # the block's own column: "Bill to:      Ship to:" heads two blocks, and a block
                # may stand beside an info column ("Ana Ruiz      Registro Mercantil: …")
                below = in_column(lines[j], lt.words[0].x0)
                if below.words[0].y0 - lt.words[-1].y1 > 0.06:
                    break  # too far below to belong to the block
                if below.words[-1].x1 < lt.words[0].x0 - 0.02 or below.words[0].x0 > lt.words[-1].x1 + 0.1:
                    continue  # another column's line: nothing of it stands under the heading
                label = name_label(below.text)
                if label:
                    value = clean_name(below.text[label.end():])
                    if value:
                        out.append(Candidate(value, below.words_between(label.end(), len(below.text)), 0.85))
                        break
                    continue
                if NOT_A_NAME.search(below.text) or len(below.text) < 3 or FIELD_LINE.match(below.text):
                    continue
                if GREETING.search(below.text):
                    break  # "Thank you for your business": the page's closing words
                if is_postal_line(below.text):
                    break  # the block starts with its street or town: it names no one
                seg = segment_with(below, re.compile(r".+")) if SEPARATORS.search(below.text) else None
                text, words = seg if seg else (clean_name(below.text), list(below.words))
                out.append(Candidate(text, words, 0.7))
                break
    return out


def item_table_rows(ctx: Context) -> dict[tuple[int, int], float]:
    """(page, line) of every row of the item tables (under a table header, to the table's end)
    → where the table starts across the page (a table set right of a party's block shares its
    lines with the block)."""
    if "item_table_rows" in ctx.cache:
        return ctx.cache["item_table_rows"]
    from .invoice_lines import header_columns, numbers_from, table_left, table_rows

    rows: dict[tuple[int, int], float] = {}
    for p, page_lines in enumerate(lines_of(ctx.doc).pages):
        i = 0
        while i < len(page_lines):
            columns = header_columns(page_lines[i])
            if not columns:
                i += 1
                continue
            _rows, j, _ended = table_rows(page_lines, i + 1, left=table_left(page_lines[i], columns),
                                          numbers_x=numbers_from(columns, page_lines[i]))
            # (from the description's column on: a block beside the table shares its lines,
            # not its columns; a title's "TAX" read as a column heads nothing)
            desc = [c.x0 for c in columns if c.kind == "description"]
            first = (desc[0] if desc else min(c.x0 for c in columns)) - 0.02
            rows.update(((p, k), first) for k in range(i + 1, j))
            i = max(j, i + 1)
    ctx.cache["item_table_rows"] = rows
    return rows


PAYMENT_SLIP_ROWS = 3  # lines around a heading searched for the account it is paid to


def _on_payment_slip(lines: list, i: int) -> bool:
    """A heading among a payment slip's fields: an account label (IBAN, Konto …) within a few
    lines of it."""
    from .iban import LABELS as ACCOUNT_LABELS

    return any(ACCOUNT_LABELS.search(lt.text) for lt in lines[max(0, i - PAYMENT_SLIP_ROWS): i + PAYMENT_SLIP_ROWS + 1])


def legal_names(ctx: Context, party: str) -> list[Candidate]:
    out = []
    n_pages = max(1, len(ctx.doc.pages))
    for p, lines in enumerate(lines_of(ctx.doc).pages):
        for i, line in enumerate(lines):
            # blocks side by side print both parties' names on one line: each column its own
            for lt in column_parts(line, ctx.doc.pages[p]):
                out.extend(_legal_name(ctx, party, lt, p, i, n_pages))
    return out


def _legal_name(ctx: Context, party: str, lt: LineText, p: int, i: int, n_pages: int) -> list[Candidate]:
    """The legal name in one line part, scored by whose block it lies in and how high."""
    seg = segment_with(lt, LEGAL_FORMS)
    if not seg:
        return []
    text, words = seg
    label = name_label(text) or _heading_with_colon(text) or _phrase_heading(text)
    # "Name: Kranich Werkzeug GmbH", "Customer: Kranich Werkzeug GmbH", "Rechnung an Kranich
    # Werkzeug GmbH" (a spreadsheet's cell): the name is after the label
    if label and text[label.end():].strip():
        seg_line = LineText.of(words)
        start = seg_line.text.find(text[label.end():].strip())
        text, words = clean_name(text[label.end():]), seg_line.words_between(start, len(seg_line.text))
    if NOT_A_NAME.search(text) or len(text) > 60 or len(text.split()) > 7:
        return []
    owner = party_of(ctx.doc, p, i, x=column_start(ctx.doc, p, i, words[0]))
    score = 0.5
    if owner == party:
        score += 0.25
    elif owner is not None:
        score -= 0.35
    position = (p + words[0].cy) / n_pages
    score += 0.1 * (1 - position)
    return [Candidate(text, words, max(0.0, score))]


def _phrase_heading(text: str) -> re.Match | None:
    """A heading of several words opening the text ("Rechnung an", "Bill to"), not one word
    that may open a name ("Kunde Meyer KG")."""
    for headings in (BUYER_HEADINGS, SELLER_HEADINGS):
        m = is_heading(text, headings)
        if m and " " in m.group(0).strip():
            return m
    return None


# An e-mail's header lines, printed on a bill sent as a mail ("From: Acme Ltd <billing@acme.example>",
# "To: Kestrel Marine"): the sender is the issuer, the addressee its customer.
SENDER_HEADERS = ["from", "von", "de", "da", "van", "fra", "från", "od", "sender", "absender", "expéditeur"]
RECIPIENT_HEADERS = ["to", "an", "a", "à", "aan", "para", "til", "till", "do", "recipient", "empfänger",
                     "destinataire"]
_MAIL_HEADER = r"^\s*(?P<header>{})\s*:\s*(?P<name>[^<>@]*?[^\W\d][^<>@]*?)\s*(?:<[^>]*@[^>]*>|\S+@\S+)?\s*$"
SENDER_HEADER = re.compile(_MAIL_HEADER.format("|".join(re.escape(h) for h in SENDER_HEADERS)), re.I)
RECIPIENT_HEADER = re.compile(_MAIL_HEADER.format("|".join(re.escape(h) for h in RECIPIENT_HEADERS)), re.I)
MAIL_HEADER_LINES = 12


def mail_header_names(ctx: Context) -> dict[str, Candidate]:
    """{"seller": …, "buyer": …} from an e-mail's header lines at the top of the first page: a
    sender line and an addressee line next to each other (one alone is some other field)."""
    cached = ctx.cache.get("mail_header_names")
    if cached is not None:
        return cached
    out: dict[str, Candidate] = {}
    pages = lines_of(ctx.doc).pages
    lines = pages[0][:MAIL_HEADER_LINES] if pages else []
    found = {}
    for i, lt in enumerate(lines):
        for party, rx in (("seller", SENDER_HEADER), ("buyer", RECIPIENT_HEADER)):
            m = rx.match(lt.text)
            if m and party not in found:
                found[party] = (i, lt, m)
    if len(found) == 2 and abs(found["seller"][0] - found["buyer"][0]) <= 2:
        for party, (_i, lt, m) in found.items():
            name = clean_name(m.group("name"))
            if len(name) >= 2 and not NOT_A_NAME.search(name):
                out[party] = Candidate(name, lt.words_between(m.start("name"), m.end("name")), 0.8)
    ctx.cache["mail_header_names"] = out
    return out


def _heading_with_colon(text: str) -> re.Match | None:
    """A party block's heading and its colon opening the text ("Kunde: …", "Sold to: …", "To: …")."""
    for header in (RECIPIENT_HEADER, SENDER_HEADER):
        m = header.match(text)
        if m:
            return re.match(re.escape(text[:m.start("name")]), text)
    for headings in (BUYER_HEADINGS, SELLER_HEADINGS):
        m = is_heading(text, headings)
        if m:
            colon = re.match(r"\s*:", text[m.end():])
            if m.group(0).rstrip().endswith(":") or colon:
                return re.match(re.escape(text[:m.end() + (colon.end() if colon else 0)]), text)
    return None


def letterhead(ctx: Context) -> list[Candidate]:
    """The largest text near the top of the first page: usually the issuer's name."""
    if not ctx.doc.pages:
        return []
    lines = lines_of(ctx.doc).pages[0]
    top = [lt for line in lines for lt in column_parts(line, ctx.doc.pages[0])
           if lt.words and lt.words[0].y0 < 0.3 and not TITLE_WORDS.match(lt.text)
           and not NOT_A_NAME.search(lt.text) and re.search(r"[A-Za-z]{3}", lt.text)
           # (a label and its value, "To:   Invoice # 0042", "VAT 0%   12.00", is no letterhead)
           and not re.search(r":\s", lt.text) and not _starts_with_label(lt.text)
           and not ADDRESSEE_WORD.fullmatch(lt.text.strip())  # a letter's "To" over its addressee
           # (a street with its number, not a name with a street's word: "Ashford & Lane")
           and not (is_postal_line(lt.text) and re.search(r"\d", lt.text))]
    if not top:
        return []
    tallest = max(max(w.height for w in lt.words) for lt in top)
    out = []
    for lt in top:
        h = max(w.height for w in lt.words)
        if h >= 0.95 * tallest:
            seg = segment_with(lt, re.compile(r"\S.*")) if SEPARATORS.search(lt.text) else None
            text, words = seg if seg else (clean_name(lt.text), list(lt.words))
            out.append(Candidate(text, words, 0.4 if h > 1.15 * _median_height(lines) else 0.25))
    # the page's first line is the letterhead too when the largest print is another's (a bold
    # recipient's name, a big title): the ranker weighs where each stands
    first = min(top, key=lambda lt: lt.words[0].y0)
    text = clean_name(first.text)
    whole = line_of(ctx.doc, first.words[0])
    if (first.words[0].y0 < LETTERHEAD_TOP and ":" not in first.text and not is_postal_line(text)
            and not is_label_row(whole.text) and not is_form_key(text)
            and not is_field_label(text) and not REGISTRATION_LINE.search(text)
            and sum(ch.isdigit() for ch in text) < 3 and all(c.words[0] is not first.words[0] for c in out)):
        out.append(Candidate(text, list(first.words), 0.3))
    return out


LETTERHEAD_TOP = 0.12  # of the page's height: the first line above this heads the page


def _median_height(lines) -> float:
    heights = sorted(w.height for lt in lines for w in lt.words)
    return heights[len(heights) // 2] if heights else 0.0


def receipt_header(ctx: Context) -> list[Candidate]:
    """On a till receipt the merchant's name is the first line(s) of text."""
    if not ctx.doc.pages:
        return []
    lines = [lt for lt in lines_of(ctx.doc).pages[0] if re.search(r"[A-Za-z]{2}", lt.text)]
    out = []
    for k, lt in enumerate(lines[:4]):
        if NOT_A_NAME.search(lt.text) or TITLE_WORDS.match(lt.text) or one_glyph_run(lt.text):
            continue
        text, words = clean_name(lt.text), list(lt.words)
        legal = LEGAL_FORMS.search(text)
        if not legal and k + 1 < len(lines) and LEGAL_FORMS.search(lines[k + 1].text) and len(lines[k + 1].text) < 25:
            nxt = lines[k + 1]
            text, words = clean_name(lt.text + " " + nxt.text), list(lt.words) + list(nxt.words)
            legal = True
        out.append(Candidate(text, words, (0.7 if legal else 0.45) - 0.08 * k))
    return out


# A window envelope's sender line: "Acme GmbH ● Street 1 ● 12345 Town" printed small above
# the recipient's address (DIN 5008 and its French and Dutch equivalents): the sender's name,
# then its address, in three parts or more, or in two with a postcode.
SENDER_MARKS = re.compile(r"\s[●•·|]\s")
SENDER_POSTCODE = re.compile(r"\b\d{4,5}\b")
HOUSE_NUMBER_END = re.compile(r"\s\d{1,4}[a-z]?$", re.I)  # "Lindenlaan 22": a street, whatever its words
SENDER_LINE_ZONE = 0.5  # of the first page's height: a window address sits in its upper half
# A postcode beside its town, either way round ("80333 München", "12345Stadt" as some PDFs
# glue them, "Leeds LS1 4AB", "Petaling Jaya 47500", the Portuguese "9381-204 Lisboa" and the
# Polish "34-512 Zawadka", the Swedish and Czech "662 18 Ekvik"), not a date's year ("09-04-2018 EUR").
TOWN_LINE = re.compile(r"(?<![\w\-./])\d{4,5}\s*[^\W\d]{2,}|[^\W\d]{2,}\s+\d{4,5}(?![\w\-./])"
                       r"|(?<![\w\-./])(?:\d{4}|\d{2})-\d{3}\s+[^\W\d]{2,}"
                       r"|(?<![\w\-./,])\d{3}\s\d{2}\s+[A-ZÀ-Þ][a-zà-ÿ]+"
                       r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


def sender_lines(ctx: Context) -> list[tuple[LineText, LineText]]:
    """(sender line, the recipient's first line under it) on the first page."""
    cached = ctx.cache.get("sender_lines")
    if cached is not None:
        return cached
    out = []
    pages = lines_of(ctx.doc).pages
    lines = pages[0] if pages else []
    for i, lt in enumerate(lines):
        marks = len(SENDER_MARKS.findall(lt.text))
        if not lt.words or lt.words[0].y0 > SENDER_LINE_ZONE or not (
                marks >= 2 or (marks == 1 and SENDER_POSTCODE.search(lt.text))):
            continue
        x0, x1 = lt.words[0].x0, lt.words[-1].x1
        for j in range(i + 1, min(i + 3, len(lines))):
            col = _sender_column(lines[j], x0, x1)
            if col:
                # a window address: a name over its street and town, not a row of field labels
                # ("Invoice no.  Date  Customer no.") under a letterhead's address line
                block = [c for c in (_sender_column(below, x0, x1) for below in lines[j + 1: j + 9]) if c][:4]
                # (a town's line, not a date's: "Issue date: 07 Feb 2025")
                town = any(TOWN_LINE.search(t) and not list(find_dates(t)) for t in (LineText.of(c).text for c in block))
                first = LineText.of(col).text
                # (a letterhead's address line over the sender line: the sender line under it
                # is read as a sender line of its own, not as a recipient's name)
                if town and not is_field_label(first) and not TITLE_WORDS.match(first) \
                        and not SENDER_MARKS.search(first):
                    out.append((lt, LineText.of(col)))
                break
    ctx.cache["sender_lines"] = out
    return out


def _sender_column(line: LineText, x0: float, x1: float) -> list:
    """The part of ``line`` in the column of a sender line spanning x0–x1 (an info block may
    stand beside)."""
    parts = segments(line)
    part = next((part for part in parts if abs(part[0].x0 - x0) < 0.1), None)
    # else the words in the column, of parts that start in it: the tail of a name that starts
    # left of the column ("Marlowe & Finch Inc.") is no line of the window's
    return part or [w for part in parts if part[0].x0 >= x0 - 0.1 for w in part
                    if w.x0 < x0 + 0.25 and w.x1 <= x1 + 0.05]


def window_sender(ctx: Context) -> list[Candidate]:
    """The sender's name: the first part of a sender line (the issuer, whoever the letter is to)."""
    out = []
    for lt, _recipient in sender_lines(ctx):
        # name, street and town: three parts (a letterhead's address line "Street 1 | 12345
        # Town" has two, its street first)
        if len(SENDER_MARKS.findall(lt.text)) < 2:
            continue
        cut = SENDER_MARKS.search(lt.text)
        text = clean_name(lt.text[: cut.start()])
        if (text and not NOT_A_NAME.search(text) and not ADDRESS_LINE.search(text) and not HOUSE_NUMBER_END.search(text)
                and re.search(r"[^\W\d]{2}", text)):
            out.append(Candidate(text, lt.words_between(0, cut.start()), 0.75))
    return out


ADDRESS_BLOCK_ZONE = 0.5  # of the first page's height: the parties' address blocks stand in its upper half
ADDRESS_BLOCK_GAP = 0.03  # of the page height: a block's lines follow each other closely


def address_block_names(ctx: Context) -> list[Candidate]:
    """The first line of each postal address block in the upper half of the first page: a name
    over its street or its postcode and town, in its own column, whatever heading (if any) the
    block has. Kept per document."""
    cached = ctx.cache.get("address_block_names")
    if cached is None:
        cached = ctx.cache["address_block_names"] = _address_block_names(ctx)
    return [Candidate(c.content, c.words, c.score, origin=c.origin) for c in cached]


def _address_block_names(ctx: Context) -> list[Candidate]:
    if not ctx.doc.pages:
        return []
    from .invoice_lines import header_columns  # (it reads the pipeline's line helpers)

    page = ctx.doc.pages[0]
    lines = lines_of(ctx.doc).pages[0]
    # the parties' blocks stand above the lines table: its rows are no address
    table = next((i for i, line in enumerate(lines) if header_columns(line)), len(lines))
    out = []
    for i, line in enumerate(lines[:table]):
        parts = column_parts(line, page)
        for k, part in enumerate(parts):
            text = clean_name(part.text)
            if k > 0 and (is_field_label(parts[k - 1].text) or parts[k - 1].text.rstrip().endswith((":", "#"))):
                continue  # a field's value beside its label ("Invoice No.      R-0042"), no block
            if (not part.words or part.words[0].y0 > ADDRESS_BLOCK_ZONE or len(text) < 3
                    or not re.search(r"[^\W\d]{2}", text) or NOT_A_NAME.search(text) or FIELD_LINE.match(part.text)
                    or is_postal_line(text) or TOWN_LINE.search(text) or is_field_label(text)
                    or TITLE_WORDS.match(text) or is_heading(text, BUYER_HEADINGS) or is_heading(text, SELLER_HEADINGS)):
                continue
            x0, bottom = part.words[0].x0, max(w.y1 for w in part.words)
            if i > 0 and _continues_block(ctx, lines[i - 1], part):
                continue  # a block's second line (its street, under the name), not its first
            below = []
            for nxt in lines[i + 1: i + 3]:
                col = in_column(nxt, x0)
                if not col.words or abs(col.words[0].x0 - x0) > 0.02 or col.words[0].y0 - bottom > ADDRESS_BLOCK_GAP:
                    break
                below.append(col)
                bottom = max(w.y1 for w in col.words)
            postal = [bool(ADDRESS_LINE.search(b.text) or TOWN_LINE.search(b.text) or _street_by_number(b.text))
                      for b in below]
            # the name stands right over its street or town, or over one more line (a
            # department, a contact) when it is a name of several words: a lone word two lines
            # over the street is the block's heading ("Recipient", "Entity")
            if postal[:1] == [True] or (postal[1:2] == [True] and len(text.split()) >= 2):
                out.append(Candidate(text, list(part.words), 0.45))
    return out


def _street_by_number(text: str) -> bool:
    """A street by its house number, whatever its words: ending in it ("Birchfield 8"), or
    opening with it as English addresses do ("7 Quillon Gateway"): a few words, no field
    ("Rechnung Nr.: 4711", "Invoice no 12") and no table row ("1 Widget 1")."""
    if ":" in text or len(text.split()) > 6:
        return False
    if UNIT_FIRST_STREET.match(text.strip()):
        return True
    if text[:1].isdigit():
        return NUMBER_FIRST_STREET.fullmatch(text.strip()) is not None
    if len(text.split()) > 4:
        return False
    return bool(HOUSE_NUMBER_END.search(text) and not NUMBER_FIELD_END.search(text))


# "7 Quillon Gateway", "150 Harlow Mall", "12b Quay Street": a number, then two or three
# capitalised words (not an item's code: "10 CC-IP65")
NUMBER_FIRST_STREET = re.compile(r"\d{1,5}[a-zA-Z]?,?\s+(?:[A-Z][^\W\d_A-Z][^\W\d_]*['’.\-]?\s?){2,3}"
                                 r"(?:,?\s*(?:[Ss]uite|[Aa]pt\.?|[Uu]nit|[Ss]te\.?|#)\s*\w+)?")
# "Flat 17c Quillon Wells", "Suite 4, 12 Quay Street", "Apt. 3": a dwelling's number, then its street
UNIT_FIRST_STREET = re.compile(r"(?:flat|apt\.?|apartment|suite|unit|studio)\s+\d{1,4}[a-z]?\b[,\s]+[A-Z0-9]", re.I)


NUMBER_FIELD_END = re.compile(r"(?<![\w])(?:nr|no|n°|nº|#|nummer|number)\.?\s*\d+$", re.I)


def is_postal_line(text: str) -> bool:
    """A street, a town or a line ending in a house number, not a company's name that ends with
    its legal form ("… GmbH & Co. KG")."""
    return bool((ADDRESS_LINE.search(text) or TOWN_LINE.search(text) or HOUSE_NUMBER_END.search(text))
                and not LEGAL_FORM_END.search(text))


def _continues_block(ctx: Context, above: LineText, part: LineText) -> bool:
    """``part`` closely follows a party's name or an address line of its own column: it is
    that block's second line (a street without its number), not a block's first. A heading
    no vocabulary knows ("Recipient") over it is neither."""
    col = in_column(above, part.words[0].x0)
    if not col.words or abs(col.words[0].x0 - part.words[0].x0) > 0.02:
        return False
    if part.words[0].y0 - max(w.y1 for w in col.words) > ADDRESS_BLOCK_GAP:
        return False
    text = clean_name(col.text)
    return bool(LEGAL_FORMS.search(text) or _is_supplier(ctx, text) or ADDRESS_LINE.search(text)
                or TOWN_LINE.search(text) or _street_by_number(text))


def window_recipient(ctx: Context) -> list[Candidate]:
    """The recipient's name: the first line of the address under a sender line."""
    out = []
    for _lt, sub in sender_lines(ctx):
        cut = SEPARATORS.search(sub.text)
        text = clean_name(sub.text[: cut.start()] if cut else sub.text)
        if text and not NOT_A_NAME.search(text) and re.search(r"[^\W\d]{2}", text):
            out.append(Candidate(text, sub.words_between(0, len(text)), 0.65))
    return out


MAX_BLOCK_LINES = 6
BLOCK_LINE_GAP = 0.06  # of the page height: farther apart, two lines are two blocks
BLOCK_COLUMN_SLACK = 0.05  # of the page width: how far a block's lines may start apart


def names_over_code(ctx: Context, code: str) -> list[Candidate]:
    """The name of the party block that prints ``code`` (a VAT number, with or without its
    country prefix): the block's line with a legal form, else its first line of two words or
    more, above the code in the code's column. Whoever prints its VAT number in a block is
    named at the top of that block, whatever heading (if any) the block has. Kept per
    document: the client's and the supplier's finders both ask."""
    key = ("names_over_code", code)
    if key not in ctx.cache:
        ctx.cache[key] = _names_over_code(ctx, code)
    return [Candidate(c.content, c.words, c.score, origin=c.origin) for c in ctx.cache[key]]


def _names_over_code(ctx: Context, code: str) -> list[Candidate]:
    want = compact(code)
    if len(want) < 6:
        return []
    short = want[2:] if want[:2].isalpha() else want
    out = []
    for p, lines in enumerate(lines_of(ctx.doc).pages):
        for i, lt in enumerate(lines):
            if short not in compact(lt.text):
                continue
            # the block's column: the part of the line that prints the number (blocks may
            # stand side by side, their lines read as one)
            part = next((s for s in segments(lt) if short in compact(" ".join(w.text for w in s))), lt.words)
            x0, x1, top = part[0].x0, part[-1].x1, lt.words[0].y0
            block = []
            for j in range(i - 1, max(-1, i - 1 - MAX_BLOCK_LINES), -1):
                above = in_column(lines[j], x0)
                if not above.words or top - above.words[-1].y1 > BLOCK_LINE_GAP:
                    break
                # a block's lines start together, or end together when set flush right, or
                # share their middle when centred (a footer)
                if min(abs(above.words[0].x0 - x0), abs(above.words[-1].x1 - x1),
                       abs((above.words[0].x0 + above.words[-1].x1 - x0 - x1) / 2)) > BLOCK_COLUMN_SLACK:
                    break
                block.insert(0, above)
                top = above.words[0].y0
            # (a register's line, "RCS Lyon B 512 448 901", is no name: a name holds few digits)
            names = [b for b in block if len(b.text) >= 3 and re.search(r"[A-Za-z]{2}", b.text)
                     and sum(ch.isdigit() for ch in b.text) < 5
                     and not (NOT_A_NAME.search(b.text) or ADDRESS_LINE.search(b.text) or GREETING.search(b.text)
                              or REGISTRATION_LINE.search(b.text) or FIELD_LINE.match(b.text))]
            legal = [b for b in names if LEGAL_FORMS.search(b.text)]
            several = [b for b in names if len(b.words) >= 2 and not is_heading(b.text, BUYER_HEADINGS)
                       and not is_heading(b.text, SELLER_HEADINGS)]
            chosen, score = (legal[0], 0.8) if legal else (several[0], 0.65) if several else (None, 0.0)
            if chosen is not None:
                out.append(Candidate(clean_name(chosen.text), list(chosen.words), score))
    return out
