"""Input limits, shared by the engine and the service (which checks size before storing)."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_bytes: int = int(os.environ.get("INVOICE_EXTRACT_MAX_BYTES", 20 * 1024 * 1024))
    max_pages: int = int(os.environ.get("INVOICE_EXTRACT_MAX_PAGES", 50))
    # Pixels of one decoded image or rendered page; above it is a decompression bomb.
    max_pixels: int = int(os.environ.get("INVOICE_EXTRACT_MAX_PIXELS", 60_000_000))
    # What the streams of one PDF (content, fonts, object streams; not images, not embedded
    # files) may inflate to in all: real invoices need a few MB (extraction.pdf_guard).
    max_inflate_bytes: int = int(os.environ.get("INVOICE_EXTRACT_MAX_INFLATE_BYTES", 64 * 1024 * 1024))
    # One embedded e-invoice XML, inflated; a larger one is not read.
    max_embedded_bytes: int = int(os.environ.get("INVOICE_EXTRACT_MAX_EMBEDDED_BYTES", 8 * 1024 * 1024))
    # Pixels a page is read at: a PDF page is rendered, and an image decoded, at most this
    # large (A4 at 300 dpi is 8.7 million; A3 is read at about 250 dpi). Boxes are relative
    # to the page, so they do not move.
    max_ocr_pixels: int = int(os.environ.get("INVOICE_EXTRACT_MAX_OCR_PIXELS", 12_000_000))


DEFAULT_LIMITS = Limits()
