"""The stored result (version 1 shape) as each route generation returns it."""
from __future__ import annotations

import copy


def v1(results: dict) -> dict:
    return results


def legacy(results: dict) -> dict:
    """Version ≤ 120 clients read the candidates of a feature under ``words`` too."""
    out = copy.deepcopy(results)
    for name, value in out.items():
        if isinstance(value, dict) and "candidates" in value:
            value["words"] = value["candidates"]
    return out


def _content(feature: dict | None):
    if not isinstance(feature, dict):
        return None
    selected = feature.get("selected_value")
    return selected.get("content") if isinstance(selected, dict) else None


def plain_line(line: dict) -> dict:
    """One invoice line as version 2 returns it: plain values, taxes as a list of rates."""
    plain = {}
    for key in ("description", "quantity", "unit_price", "subtotal", "total", "discount", "unit", "product"):
        value = _content(line.get(key))
        if value is not None:
            plain[key] = value
    taxes = line.get("taxes")
    if isinstance(taxes, dict):
        plain["taxes"] = [t.get("content") for t in taxes.get("selected_values", []) if isinstance(t, dict)]
    return plain


def v2(results: dict) -> dict:
    out = dict(results)
    if isinstance(out.get("invoice_lines"), list):
        out["invoice_lines"] = [plain_line(line) for line in out["invoice_lines"] if isinstance(line, dict)]
    return out
