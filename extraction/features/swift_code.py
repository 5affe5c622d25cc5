"""`SWIFT_code`: a BIC (ISO 9362), checked against schwifty's bank registry.

Content is the JSON string Odoo's clients decode: bic, country_code, verified_bic, and the
bank's name and city when the registry knows the BIC.
"""
from __future__ import annotations

import json
import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import compile_labels, values_near

BIC_RX = re.compile(r"(?<![A-Z0-9])([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)(?![A-Z0-9])")
LABELS = compile_labels(["bic", "swift", "swift code", "bic/swift", "swift/bic", "bic code", "code bic"])


def describe(bic: str) -> dict | None:
    """The registry's view of a BIC, or None when it does not even have the shape of one."""
    from schwifty import BIC, registry
    from schwifty.exceptions import SchwiftyException

    try:
        parsed = BIC(bic, allow_invalid=True)
        parsed.validate()
    except (SchwiftyException, ValueError):
        return None
    info = {"bic": bic, "country_code": parsed.country_code, "verified_bic": False}
    banks = []
    for key in dict.fromkeys((bic, bic[:8], bic[:8] + "XXX")):
        try:
            banks = registry.get_banks_by_bic(key)
        except Exception:  # a BIC the registry has never seen
            banks = []
        if banks:
            break
    if banks:
        bank = next((b for b in banks if getattr(b, "primary", False)), banks[0])
        info["verified_bic"] = True
        info["name"] = bank.name
        # the registry's short names often end with the branch's city ("…, Berlin")
        short = getattr(bank, "short_name", "") or ""
        info["city"] = short.rsplit(",", 1)[1].strip() if "," in short else ""
    return info


def find(ctx: Context) -> list[Candidate]:
    cands = []
    # a BIC-shaped word is anything upper-case: only labelled ones are trusted, the code right
    # of its label or under it (a bank box's "BIC" over its code)
    for hit in values_near(ctx.doc, LABELS, BIC_RX):
        bic = hit.text
        info = describe(bic)
        if info is None:
            continue
        score = 0.6 + (0.3 if info["verified_bic"] else 0.0) - (0.05 if hit.below else 0.0)
        cands.append(Candidate(json.dumps(info, ensure_ascii=False), hit.words, score,
                               origin="ocr" if hit.words and hit.words[0].conf < 1 else "text"))
    return rank(cands)
