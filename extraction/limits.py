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


DEFAULT_LIMITS = Limits()
