"""What a feature finder sees: the document, the caller's options, and what earlier
finders proposed (finders run in registry order, so e.g. `supplier` can use `VAT_Number`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .candidate import Candidate
from .document import Document
from .options import ExtractOptions


@dataclass
class Context:
    doc: Document
    options: ExtractOptions
    found: dict[str, list[Candidate]] = field(default_factory=dict)
    # Structured values decoded from e-invoice XML or payment codes, keyed by feature;
    # finders put them first (they are exact).
    structured: dict[str, list[Candidate]] = field(default_factory=dict)
    # Work shared by several finders (e.g. the totals chosen together), computed once.
    cache: dict = field(default_factory=dict)

    def selected(self, feature: str) -> Candidate | None:
        cands = self.found.get(feature) or []
        return cands[0] if cands else None
