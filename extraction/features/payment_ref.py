"""`payment_ref`: the reference to quote with the payment — labelled, structured, or RF."""
from __future__ import annotations

import re

from stdnum import iso11649

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import compile_labels, line_of, lines_of, segments, values_near
from ..spans import LineText

# Only labels that name the payment's reference: "Your reference" is the buyer's order.
LABELS = compile_labels([
    "payment reference", "payment ref", "remittance reference", "remittance", "please quote", "communication",
    "verwendungszweck", "zahlungsreferenz", "bitte angeben", "référence de paiement", "référence du paiement",
    "référence de virement", "communication structurée", "betalingskenmerk", "mededeling", "betalingsreferentie",
    "referencia de pago", "concepto de pago", "causale", "causale di pagamento", "riferimento pagamento",
    "codice avviso", "codice avviso pagopa", "numero avviso", "kid", "betalingsreferanse", "referência multibanco",
    "ocr-nummer", "ocr-referens", "betalningsreferens", "betalings-id", "betalingsreference", "betalingsid",
    "kid-nummer", "tytuł przelewu", "tytułem", "referência de pagamento", "referência do pagamento",
    "viitenumero",
])
VALUE = re.compile(r"([A-Za-z0-9][A-Za-z0-9/_.+\-]*\d[A-Za-z0-9/_.+\-]*)")
BELGIAN = re.compile(r"(\+\+\+\s?\d{3}\s?/\s?\d{4}\s?/\s?\d{5}\s?\+\+\+|\*\*\*\d{3}/\d{4}/\d{5}\*\*\*)")
RF = re.compile(r"(?<![A-Z0-9])(RF\d{2}(?:\s?[A-Z0-9]){1,21})")


MAX_FIELD_CHARS = 50


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for hit in values_near(ctx.doc, LABELS, VALUE):
        text, words = _digit_groups(ctx, hit.text, list(hit.words))
        cands.append(Candidate(text, words, 0.6 - (0.1 if hit.below else 0.0)))
    for _p, _i, line in lines_of(ctx.doc):
        cands += _whole_fields(line)
        # (a code never runs on into the next column: "RF27 7881 5948 0370      TOTAL")
        for lt in (LineText.of(part) for part in segments(line)):
            for m in BELGIAN.finditer(lt.text):
                cands.append(Candidate(re.sub(r"\s", "", m.group(1)), lt.words_between(m.start(), m.end()), 0.9))
            for m in RF.finditer(lt.text.upper()):
                raw = m.group(1)
                for end in range(len(raw), 5, -1):
                    if iso11649.is_valid(raw[:end]):
                        cands.append(Candidate(iso11649.compact(raw[:end]),
                                               lt.words_between(m.start(), m.start() + end), 0.85))
                        break
    invoice = ctx.selected("invoice_id")
    if invoice is not None:
        for c in cands:
            if c.content == invoice.content:
                c.score += 0.1
        if not cands and ctx.options.document_type == "invoice":
            # Without a reference of its own, a transfer quotes the invoice number: the
            # convention of bank transfers and of Odoo's own payment references.
            cands.append(Candidate(invoice.content, invoice.words, 0.3 * invoice.score, origin=invoice.origin))
    return rank(cands)


def _whole_fields(lt: LineText) -> list[Candidate]:
    """"Reference: Invoice 4711", "Verwendungszweck: Deb. 4471 / Fact. 80552": a label
    with its colon gives the whole rest of its column as the reference (the payer copies all
    of it), not one code of it."""
    out = []
    for part in segments(lt):
        seg = LineText.of(part)
        m = LABELS.search(seg.text)
        if not m or not seg.text[:m.end()].rstrip().endswith(":"):
            continue
        rest = seg.text[m.end():].strip()
        if 2 <= len(rest) <= MAX_FIELD_CHARS and re.search(r"[A-Za-z0-9]", rest) and " " in rest:
            words = seg.words_between(m.end(), len(seg.text))
            # (above the one code of it that the invoice number's bonus lifts to 0.7)
            out.append(Candidate(rest, words, 0.72))
    return out


DIGIT_GROUP = re.compile(r"\d{2,5}")
MAX_GROUPED_DIGITS = 30


def _digit_groups(ctx: Context, text: str, words: list) -> tuple[str, list]:
    """A number printed in groups for the payer to read ("1979 2090 8821 7400", an OCR or
    a notice code) is one reference: the groups that follow the value closely on its line are
    joined to it."""
    if not words or not text.isdigit():
        return text, words
    line = line_of(ctx.doc, words[-1]).words
    k = next((n for n, w in enumerate(line) if w is words[-1]), None)
    if k is None:
        return text, words
    joined, taken = text, list(words)
    for w in line[k + 1:]:
        if (not DIGIT_GROUP.fullmatch(w.text) or w.x0 - taken[-1].x1 > GROUP_GAP
                or len(joined) + len(w.text) > MAX_GROUPED_DIGITS):
            break
        joined, taken = joined + w.text, taken + [w]
    return (joined, taken) if len(taken) > 1 else (text, words)


GROUP_GAP = 0.015  # of the page width: about a space
