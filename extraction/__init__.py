"""The extraction engine: document bytes → Extract API ``results[0]``.

Imports nothing from HTTP or the database; the server's workers, the CLI and the
benchmarks all call :func:`extract`.
"""
from __future__ import annotations

from .errors import (ExtractionError, PasswordProtected, TooManyPages, UnsupportedFormat,
                     UnsupportedSize)
from .options import ExtractOptions

__all__ = ["extract", "warm_up", "ExtractOptions", "ExtractionError", "UnsupportedFormat",
           "UnsupportedSize", "PasswordProtected", "TooManyPages"]


def extract(data: bytes, filename: str = "", options: ExtractOptions | None = None) -> dict:
    """Read a document and return its Extract API ``results[0]`` object (version 1 shape)."""
    from .pipeline import run

    return run(data, filename, options or ExtractOptions())


def warm_up() -> None:
    """Load now what the first document would load: the ranker model and the OCR models of the
    engine that reads first pages (RapidOCR's three sessions take about a second). A server's
    worker calls it when it starts, so its first document waits for nothing else."""
    from . import ocr_engines, ranking

    ranking.load_model()
    if ocr_engines.choose_engine() == "rapidocr":
        ocr_engines.rapidocr_engine()
