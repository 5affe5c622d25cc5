"""The stored result (version 1 shape) as each route generation returns it."""
from __future__ import annotations

import copy


# Keys of a stored invoice line that only other vendors' shapes read (the table's own header
# words for Staple): Odoo's line is its features and nothing else.
NON_ODOO_LINE_KEYS = ("cells",)
# Keys of a stored result that only other vendors' shapes read (the 2D codes read, for Klippa).
NON_ODOO_KEYS = ("barcodes",)


def odoo_lines(results: dict) -> dict:
    if any(key in results for key in NON_ODOO_KEYS):
        results = {k: v for k, v in results.items() if k not in NON_ODOO_KEYS}
    lines = results.get("invoice_lines")
    if not isinstance(lines, list) or not any(isinstance(line, dict) and k in line
                                              for line in lines for k in NON_ODOO_LINE_KEYS):
        return results
    out = dict(results)
    out["invoice_lines"] = [{k: v for k, v in line.items() if k not in NON_ODOO_LINE_KEYS}
                            if isinstance(line, dict) else line for line in lines]
    return out


def v1(results: dict) -> dict:
    return odoo_lines(results)


def legacy(results: dict) -> dict:
    """Version ≤ 120 clients read the candidates of a feature under ``words`` too."""
    out = copy.deepcopy(odoo_lines(results))
    for name, value in out.items():
        if isinstance(value, dict) and "candidates" in value:
            value["words"] = value["candidates"]
    return out


def selected(results: dict, name: str) -> dict | None:
    """The selected candidate of feature ``name`` (the first of ``selected_values`` for the
    list features), or None: what every REST adapter maps from the neutral result."""
    feature = results.get(name)
    if not isinstance(feature, dict):
        return None
    value = feature.get("selected_value")
    if value is None and isinstance(feature.get("selected_values"), list) and feature["selected_values"]:
        value = feature["selected_values"][0]
    return value if isinstance(value, dict) else None


def selected_content(results: dict, name: str):
    value = selected(results, name)
    return value.get("content") if value else None


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
    out = {k: v for k, v in results.items() if k not in NON_ODOO_KEYS}
    if isinstance(out.get("invoice_lines"), list):
        out["invoice_lines"] = [plain_line(line) for line in out["invoice_lines"] if isinstance(line, dict)]
    return out
