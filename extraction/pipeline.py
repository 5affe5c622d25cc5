"""Bytes → Document → finders → ranked candidates → results[0]."""
from __future__ import annotations

import logging
from contextlib import ExitStack

from .candidate import Candidate
from .context import Context
from .features import MULTI_VALUE_FEATURES, registry
from .features.currency import document_decimal_places
from .options import ExtractOptions
from .parsing.numbers import decimal_places
from .reader import read_document
from . import consistency, ranking, structured

_logger = logging.getLogger(__name__)


def ocr_languages(options: ExtractOptions) -> str:
    """Tesseract languages: English always, plus the user's language when installed."""
    langs = ["eng"]
    code = (options.user_lang or "")[:2].lower()
    extra = {"fr": "fra", "de": "deu", "nl": "nld", "es": "spa", "it": "ita"}.get(code)
    if extra:
        langs.insert(0, extra)
    return "+".join(langs)


# Fields every bill prints. When Tesseract's first reading of a scan gives none of one, the
# scan is read a second time with its pages taken as one block of lines (reader.PAGE_LAYOUTS):
# Tesseract then finds the lines differently, and a line the first reading lost often comes
# back. The second reading only fills in what the first did not find, so it costs a second
# OCR pass only on the scans that need it, and only on short ones: a long scan without a
# total is seldom a bill, and reading it twice would double the longest jobs.
# Scans read by RapidOCR get no second reading: a Tesseract reading of the receipts RapidOCR
# read without a date or total found none of them (the tuning folds, see the README),
# and it costs a Tesseract pass on every receipt that prints no date.
SECOND_READING_FIELDS = ("date", "total")
# At most this many of a document's 2D codes are kept in its result.
MAX_RESULT_BARCODES = 20
SECOND_READING_MAX_PAGES = 4


def run(data: bytes, filename: str, options: ExtractOptions) -> dict:
    lang = ocr_languages(options)
    if options.text_mimetype:
        from .text_reader import read_text

        if len(data) > options.limits.max_bytes:
            from .errors import UnsupportedSize

            raise UnsupportedSize(f"The document is larger than {options.limits.max_bytes} bytes.")
        doc = read_text(data, filename, options.text_mimetype)
    else:
        doc = read_document(data, filename, options.limits, lang)
    result = extract_document(doc, options)
    missing = [name for name in SECOND_READING_FIELDS if name not in result]
    if (missing and any(page.source == "ocr" and page.ocr_engine != "rapidocr" for page in doc.pages)
            and len(doc.pages) <= SECOND_READING_MAX_PAGES):
        result = second_reading(data, filename, options, lang, result, missing)
    return result


def second_reading(data: bytes, filename: str, options: ExtractOptions, lang: str,
                   result: dict, missing: list[str]) -> dict:
    """``result`` with the ``missing`` fields a block-layout reading of the scan finds."""
    try:
        # (its codes were read the first time: what they carry is in ``result`` already)
        second = extract_document(read_document(data, filename, options.limits, lang, layout="block",
                                                scan_codes=False), options)
    except Exception:  # the first reading stands: a second opinion is never fatal
        _logger.warning("second reading of %s failed", filename or "the document", exc_info=True)
        return result
    for name in missing:
        if name in second:
            result[name] = second[name]
    return result


def extract_document(doc, options: ExtractOptions, collect: list | None = None) -> dict:
    """``collect``: a list receiving (feature, candidate, features) rows for training the
    ranker (extraction.ranking); the result is then the finders' own order."""
    ctx = Context(doc=doc, options=options)
    ctx.structured = structured.collect(ctx)
    # pages with a text layer and receipts read by OCR have a model each, learned from
    # documents of their kind
    model = None if collect is not None else ranking.model_for(doc, options.document_type)
    names = set()
    with ExitStack() as amount_reading:
        for name, find in registry(options.document_type):
            names.add(name)
            ctx.found[name] = structured.merge(name, ctx.structured.get(name), find(ctx))
            if model is not None or collect is not None:
                # ranked as soon as found: later finders read the selected value (date → due_date)
                ctx.found[name] = ranking.rerank(ctx, name, ctx.found[name], model, collect)
            if name == "currency":
                # every later amount is read in the currency's decimals (12.500 OMR is 12.5)
                amount_reading.enter_context(decimal_places(document_decimal_places(ctx)))
        if collect is None:
            consistency.decide(ctx, learned=model is not None and model.knows("total"))
        if options.supplier_profiles:  # what validations taught about this supplier (extraction.learning)
            from .learning import apply as apply_learning
            apply_learning(ctx, options.supplier_profiles)
    # features only a structured source knows (e.g. the raw `qr-bill` payload)
    for name, cands in ctx.structured.items():
        if name not in names:
            ctx.found[name] = cands
    return build_result(ctx)


def build_result(ctx: Context) -> dict:
    """Serialize ranked candidates the way the Extract API answers.

    A feature with no candidate is left out: Odoo clients read
    ``selected_value['content']`` of every feature present.
    """
    result: dict = {}
    for name, cands in ctx.found.items():
        if name == "invoice_lines":
            if cands:
                result[name] = [c.content for c in cands]
            continue
        if not cands:
            continue
        dicts = [c.to_dict() for c in cands]
        if name in MULTI_VALUE_FEATURES:
            result[name] = {"selected_values": [c.to_dict() for c in cands if c.selected],
                            "candidates": dicts}
        else:
            result[name] = {"selected_value": dicts[0], "candidates": dicts}
    if "total_tax_amount" in result:
        result["global_taxes_amount"] = result["total_tax_amount"]
    codes = ctx.doc.attachments.get("barcodes") or []
    if codes:  # the codes the page carries, as read (Klippa's ``barcodes``; the Odoo shapes leave them out)
        result["barcodes"] = [{"symbology": c.symbology, "payload": c.payload, "page": c.page,
                               "coords": list(c.box)} for c in codes[:MAX_RESULT_BARCODES]]
    result["full_text_annotation"] = ctx.doc.text
    return result


def line_feature(cand: Candidate) -> dict:
    """One attribute of an invoice line, as the protocol nests it."""
    return {"selected_value": cand.to_dict(), "candidates": [cand.to_dict()]}
