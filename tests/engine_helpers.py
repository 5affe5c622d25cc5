"""Build engine Documents from text lines, so finder tests state their input plainly."""
from __future__ import annotations

from contextlib import ExitStack

from invoice_extract.extraction.context import Context
from invoice_extract.extraction.document import Document, Page, Word, assign_lines
from invoice_extract.extraction.options import ExtractOptions


def page_of(rows: list, index: int = 0, char_w: float = 0.008) -> Page:
    """rows: (y, text[, x]) — words boxed from their character position — or
    (y, [(x, cell text), …]) for table rows whose cells sit in columns."""
    words = []
    for row in rows:
        y, text = row[0], row[1]
        cells = text if isinstance(text, list) else [(row[2] if len(row) > 2 else 0.05, text)]
        for x, cell in cells:
            for token in cell.split(" "):
                if token:
                    words.append(Word(token, x, y, x + char_w * len(token), y + 0.012, index))
                x += char_w * (len(token) + 1)
    return Page(index=index, width=595, height=842, words=assign_lines(words))


def doc_of(*pages_rows) -> Document:
    return Document(pages=[page_of(rows, i) for i, rows in enumerate(pages_rows)])


def context(doc: Document, **options) -> Context:
    return Context(doc=doc, options=ExtractOptions(**options))


def run(doc: Document, *features: str, **options) -> Context:
    """Run the registry's finders in order up to the last feature asked for."""
    from invoice_extract.extraction.features import registry

    from invoice_extract.extraction.features.currency import document_decimal_places
    from invoice_extract.extraction.parsing.numbers import decimal_places

    ctx = context(doc, **options)
    wanted = set(features)
    with ExitStack() as amount_reading:
        for name, find in registry(ctx.options.document_type):
            ctx.found[name] = find(ctx)
            if name == "currency":  # as the pipeline does
                amount_reading.enter_context(decimal_places(document_decimal_places(ctx)))
            wanted.discard(name)
            if not wanted:
                break
    return ctx


def selected(ctx: Context, feature: str):
    cands = ctx.found.get(feature) or []
    return cands[0].content if cands else None
