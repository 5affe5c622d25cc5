"""The engine's view of a document: pages of words, each with its box on the page.

Every reader (PDF text layer, OCR, e-invoice XML) produces these, and every feature
finder consumes them. Boxes are kept relative to the page (0..1, origin top-left), the
frame Odoo's Extract API uses for candidate ``coords``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int
    line: int = 0  # index of the visual line within its page (see Page.lines)
    conf: float = 1.0  # OCR confidence 0..1; 1 for a text layer
    # A scan read turned upright: x0 … y1 are in the upright reading frame, ``page_box`` is
    # the same box (x0, y0, x1, y1) on the original image and ``angle`` the page's turn
    # (degrees counter-clockwise, see ocr_prep). None / 0 when the page was read as it is.
    angle: float = 0.0
    page_box: tuple[float, float, float, float] | None = None

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Page:
    index: int
    width: float  # in the reader's unit (points or pixels); boxes are relative anyway
    height: float
    words: list[Word] = field(default_factory=list)
    source: str = "text"  # "text" (PDF text layer), "ocr" or "xml"
    angle: float = 0.0  # rotation (degrees) the page was read at
    ocr_engine: str = ""  # "tesseract" or "rapidocr" on an OCR page (ocr_engines)

    def lines(self) -> list[list[Word]]:
        """Words grouped by their ``line`` index, each line sorted left to right."""
        groups: dict[int, list[Word]] = {}
        for w in self.words:
            groups.setdefault(w.line, []).append(w)
        return [sorted(ws, key=lambda w: w.x0) for _, ws in sorted(groups.items())]


@dataclass
class Document:
    pages: list[Page]
    filename: str = ""
    mimetype: str = ""
    # Structured data found beside the printed text (e-invoice XML, payment codes);
    # finders may prefer it over text candidates.
    attachments: dict = field(default_factory=dict)

    @property
    def words(self) -> Iterator[Word]:
        for p in self.pages:
            yield from p.words

    def lines(self) -> Iterator[list[Word]]:
        for p in self.pages:
            yield from p.lines()

    @property
    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in line) for line in self.lines())


EXTEND_OVERLAP = 0.75  # share of the smaller height a word must overlap a line by to widen it
EXTEND_HEIGHT = 1.5  # a word this many times taller than the line joins it without widening it


def assign_lines(words: Sequence[Word], tolerance: float = 0.5) -> list[Word]:
    """Group words of one page into visual lines by vertical overlap.

    ``tolerance`` is the share of the smaller word height two words must overlap by.
    Returns new words with ``line`` set, ordered top to bottom, left to right.
    """
    from dataclasses import replace

    ordered = sorted(words, key=lambda w: (w.cy, w.x0))
    lines: list[list[Word]] = []
    spans: list[tuple[float, float]] = []
    for w in ordered:
        placed = False
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = spans[i]
            overlap = min(bottom, w.y1) - max(top, w.y0)
            height = w.y1 - w.y0
            if overlap >= tolerance * min(bottom - top, height):
                lines[i].append(w)
                # a word set well into the line and not much taller widens its band (a skewed
                # scan's line drifts); a logo's letters half beside the line, or a big title,
                # join it without reaching down to the next line
                if overlap >= EXTEND_OVERLAP * min(bottom - top, height) and height <= EXTEND_HEIGHT * (bottom - top):
                    spans[i] = (min(top, w.y0), max(bottom, w.y1))
                placed = True
                break
        if not placed:
            lines.append([w])
            spans.append((w.y0, w.y1))
    out: list[Word] = []
    for n, line in enumerate(lines):
        out.extend(replace(w, line=n) for w in sorted(line, key=lambda w: w.x0))
    return out


def union_box(words: Iterable[Word]) -> tuple[float, float, float, float]:
    ws = list(words)
    return (min(w.x0 for w in ws), min(w.y0 for w in ws), max(w.x1 for w in ws), max(w.y1 for w in ws))


def page_union_box(words: Iterable[Word]) -> tuple[float, float, float, float]:
    """Like union_box, in the frame of the original page image (``page_box`` when set)."""
    boxes = [w.page_box or (w.x0, w.y0, w.x1, w.y1) for w in words]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
