"""Pictures the Staple API answers with: the first page with the extracted values' boxes drawn
on it (its "tagged image"), and the "sad kitten" of a document that could not be read.

The page is rendered as the review form renders it (``models.page_images``: pypdfium2 for
PDFs, Pillow for images), so the result's relative ``coords`` land on the printed words.
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache

from ..extraction.limits import DEFAULT_LIMITS, Limits
from .page_images import PDF, PageError, _render_image, _render_pdf

TAGGED_WIDTH = 1240  # A4 at 150 dpi: small enough for a JSON answer, sharp enough to read
DATA_URL_PREFIX = "data:image/png;base64,"
# One colour per kind of value, so a reader can tell a date box from an amount box.
COLOURS = {"id": (220, 38, 38), "date": (37, 99, 235), "amount": (22, 163, 74), "party": (147, 51, 234),
           "address": (234, 88, 12), "bank": (8, 145, 178), "line": (202, 138, 4)}


def data_url(png: bytes) -> str:
    return DATA_URL_PREFIX + base64.b64encode(png).decode("ascii")


def box_pixels(coords, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The pixel rectangle (x0, y0, x1, y1) of relative ``coords`` [cx, cy, w, h, angle] on
    an image of ``size``; None for the empty box of a value not printed."""
    try:
        cx, cy, w, h = (float(v) for v in coords[:4])
    except (TypeError, ValueError):
        return None
    if w <= 0 or h <= 0:
        return None
    width, height = size
    return (round((cx - w / 2) * width), round((cy - h / 2) * height),
            round((cx + w / 2) * width), round((cy + h / 2) * height))


def tagged_first_page(data: bytes, mimetype: str, boxes: list[tuple[list, str]],
                      limits: Limits = DEFAULT_LIMITS, width: int = TAGGED_WIDTH) -> bytes:
    """PNG of page 0 with a rectangle around each (coords, colour kind) in ``boxes``.
    Raises PageError when the document has no printed page (an e-invoice XML)."""
    from PIL import ImageDraw

    if mimetype == PDF:
        image = _render_pdf(data, 0, width, limits)
    elif (mimetype or "").startswith("image/"):
        image = _render_image(data, 0, width, limits)
    else:
        raise PageError("This document has no page to show.")
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    pad = max(2, image.size[0] // 400)
    for coords, kind in boxes:
        rect = box_pixels(coords, image.size)
        if rect is None:
            continue
        x0, y0, x1, y1 = rect
        draw.rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), outline=COLOURS.get(kind, (220, 38, 38)),
                       width=max(2, pad))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


@lru_cache(maxsize=1)
def sad_kitten_png() -> bytes:
    """A sad kitten, drawn here (no picture file): a grey head with ears, closed eyes with a
    tear, and a mouth turned down."""
    from PIL import Image, ImageDraw

    size = 320
    img = Image.new("RGB", (size, size), (250, 247, 240))
    d = ImageDraw.Draw(img)
    fur, dark, pink = (150, 150, 160), (60, 60, 70), (240, 160, 170)
    d.polygon([(70, 120), (95, 35), (150, 95)], fill=fur, outline=dark, width=4)      # left ear
    d.polygon([(250, 120), (225, 35), (170, 95)], fill=fur, outline=dark, width=4)    # right ear
    d.polygon([(88, 105), (100, 60), (128, 92)], fill=pink)
    d.polygon([(232, 105), (220, 60), (192, 92)], fill=pink)
    d.ellipse((55, 75, 265, 275), fill=fur, outline=dark, width=4)                    # head
    d.arc((100, 140, 145, 175), 200, 340, fill=dark, width=5)                          # eyes, shut and sad
    d.arc((175, 140, 220, 175), 200, 340, fill=dark, width=5)
    d.ellipse((108, 175, 122, 197), fill=(90, 160, 230))                                # a tear
    d.polygon([(150, 195), (170, 195), (160, 207)], fill=pink, outline=dark)           # nose
    d.arc((130, 215, 190, 255), 200, 340, fill=dark, width=4)                          # mouth, turned down
    for y in (200, 215):                                                                # whiskers
        d.line((40, y - 10, 120, y), fill=dark, width=2)
        d.line((280, y - 10, 200, y), fill=dark, width=2)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


