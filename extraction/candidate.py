"""A candidate value for a feature, with the words it was read from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .document import Word, page_union_box


@dataclass
class Candidate:
    content: Any
    words: Sequence[Word] = field(default_factory=tuple)
    score: float = 0.0
    # Where the value came from: "text", "ocr", "xml" (e-invoice), "qr" (payment code),
    # "learning" … Serialized as the documented extra key ``origin``.
    origin: str = "text"
    page: int | None = None  # for candidates without words (e.g. XML values not printed)
    extra: dict = field(default_factory=dict)  # extra serialized keys (e.g. amount_type)
    selected: bool = True  # for multi-value features: part of ``selected_values``

    @property
    def page_index(self) -> int:
        if self.words:
            return self.words[0].page
        return self.page or 0

    def coords(self) -> list[float]:
        """[center_x, center_y, width, height, angle], relative to the page.

        The box is in the frame of the page as sent (a scan read turned upright reports its
        box on the original image, and the page's turn as ``angle``, degrees counter-clockwise).
        A value with no printed words gets the empty box on page 0, documented.
        """
        if not self.words:
            return [0.0, 0.0, 0.0, 0.0, 0.0]
        ws = [w for w in self.words if w.page == self.page_index]
        x0, y0, x1, y1 = page_union_box(ws)
        return [round((x0 + x1) / 2, 5), round((y0 + y1) / 2, 5), round(x1 - x0, 5), round(y1 - y0, 5),
                float(ws[0].angle)]

    def to_dict(self) -> dict:
        d = {"content": self.content, "coords": self.coords(), "page": self.page_index}
        d.update(self.extra)
        d["score"] = round(float(self.score), 4)
        d["origin"] = self.origin
        return d


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first; equal contents are merged, keeping the best-scored occurrence."""
    best: dict[str, Candidate] = {}
    order: list[str] = []
    for c in candidates:
        key = repr(c.content)
        if key not in best:
            best[key] = c
            order.append(key)
        elif c.score > best[key].score:
            best[key] = c
    return sorted((best[k] for k in order), key=lambda c: -c.score)
