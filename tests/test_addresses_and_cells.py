"""The neutral result's address blocks and table cells (read by the engine, served by the
Staple adapter): blocks side by side, headings in other languages, a wrapped cell."""
from __future__ import annotations

from engine_helpers import doc_of, run, selected


def test_blocks_side_by_side_are_read_in_their_columns():
    doc = doc_of([
        (0.05, "Kessler Werkzeuge GmbH"),
        (0.07, "Hafenstraße 3"),
        (0.09, "20457 Hamburg"),
        (0.11, "Telefon: 040 123456"),
        (0.20, [(0.05, "Rechnungsadresse:"), (0.55, "Lieferadresse:")]),
        (0.22, [(0.05, "Brandt Bau KG"), (0.55, "Baustelle Nord")]),
        (0.24, [(0.05, "Lindenweg 8"), (0.55, "Am Kanal 17")]),
        (0.26, [(0.05, "28195 Bremen"), (0.55, "28217 Bremen")]),
        (0.34, "Rechnung Nr. 2024-118"),
    ])
    ctx = run(doc, "shipping_address")
    assert selected(ctx, "supplier") == "Kessler Werkzeuge GmbH"
    assert selected(ctx, "supplier_address") == "Hafenstraße 3\n20457 Hamburg"  # the phone line ends it
    assert selected(ctx, "client_address") == "Brandt Bau KG\nLindenweg 8\n28195 Bremen"
    assert selected(ctx, "shipping_address") == "Baustelle Nord\nAm Kanal 17\n28217 Bremen"


def test_no_heading_no_shipping_address():
    doc = doc_of([(0.05, "Kessler Werkzeuge GmbH"), (0.07, "Hafenstraße 3"), (0.30, "Invoice 1234")])
    ctx = run(doc, "shipping_address")
    assert selected(ctx, "shipping_address") is None
    assert selected(ctx, "client_address") is None


def test_cells_keep_the_tables_own_headers_and_wrapped_lines():
    doc = doc_of([
        (0.30, [(0.05, "Item"), (0.12, "Material"), (0.55, "Quantity"), (0.68, "Price"), (0.82, "Amount")]),
        (0.32, [(0.05, "20"), (0.12, "1C-ACC6-ENT"), (0.55, "1"), (0.68, "171.50"), (0.82, "171.50")]),
        (0.34, [(0.12, "ACC 6 ENT, 1 Cameras")]),
        (0.40, [(0.68, "Total"), (0.82, "171.50")]),
    ])
    ctx = run(doc, "invoice_lines")
    lines = [c.content for c in ctx.found["invoice_lines"]]
    assert len(lines) == 1
    cells = [(c["header"], c["kind"], c["content"]) for c in lines[0]["cells"]]
    # "Item" is a description label, but the descriptions are printed under "Material"
    assert cells == [("Item", None, ["20"]), ("Material", "description", ["1C-ACC6-ENT", "ACC 6 ENT, 1 Cameras"]),
                     ("Quantity", "quantity", ["1"]), ("Price", "unit_price", ["171.50"]),
                     ("Amount", "subtotal", ["171.50"])]
    assert lines[0]["subtotal"]["selected_value"]["content"] == 171.5


def test_the_docs_example_table_maps_to_the_docs_line_items():
    """The vendor doc's example row, printed as a table, comes out as the doc shows it."""
    from invoice_extract.controllers.staple import line_items

    doc = doc_of([
        (0.30, [(0.05, "item"), (0.12, "Material"), (0.55, "Quantity"), (0.68, "Price"), (0.82, "Amount")]),
        (0.32, [(0.05, "20"), (0.12, "1C-ACC6-ENT"), (0.55, "1 EA"), (0.68, "171.50"), (0.82, "171.50")]),
        (0.34, [(0.12, "ACC 6 ENT, 1 Cameras")]),
        (0.40, [(0.68, "Total"), (0.82, "171.50")]),
    ])
    ctx = run(doc, "invoice_lines")
    original, standard = line_items(ctx.found["invoice_lines"][0].content)
    assert original == {"item ": ["20"], "Material ": ["1C-ACC6-ENT", "ACC 6 ENT, 1 Cameras"],
                        "Quantity ": ["1 EA"], "Price ": ["171.50"], "Amount ": ["171.50"]}
    assert standard == {"Other0": "20", "Description": "1C-ACC6-ENT ACC 6 ENT, 1 Cameras", "Quantity": 1,
                        "UnitAmount": 171.5, "LineAmount": 171.5}
    assert list(standard) == ["Other0", "Description", "Quantity", "UnitAmount", "LineAmount"]
