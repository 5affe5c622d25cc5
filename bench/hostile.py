"""Hostile PDFs, written byte by byte: the memory bound's test inputs and its benchmark's.

Each is a small file that asks a reader for much more than it weighs: an embedded
``factur-x.xml`` or a content stream that inflates to ``inflated`` bytes, a page of an
extreme shape, an image that declares more pixels than any page needs. The inflating
streams are compressed chunk by chunk, so making a 1 GB bomb never holds 1 GB.
"""
from __future__ import annotations

import zlib

TEXT = b"BT /F1 12 Tf 72 720 Td (Invoice INV-1 Total 100.00 EUR) Tj ET"


def deflated(size: int, unit: bytes = b"\0" * (1 << 20), prefix: bytes = b"") -> bytes:
    """``prefix`` then ``size`` bytes of repeated ``unit``, Flate-compressed in chunks."""
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(prefix)]
    left = size
    while left > 0:
        chunk = unit[:left] if left < len(unit) else unit
        parts.append(compressor.compress(chunk))
        left -= len(chunk)
    parts.append(compressor.flush())
    return b"".join(parts)


def build_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF of the numbered ``objects`` (object i+1 is objects[i]) with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def one_page(content: bytes, width: float = 595, height: float = 842, compress: bool = True,
             catalog_extra: bytes = b"", resources: bytes = b"", more: list[bytes] | None = None,
             encoded: tuple[bytes, bytes] | None = None) -> bytes:
    """One page showing ``content``; ``more`` objects are numbered from 6 on. ``encoded``:
    the content stream's filter entry and bytes as they are (for bombs made elsewhere)."""
    if encoded is None:
        encoded = (b"/Filter /FlateDecode", deflated(0, prefix=content)) if compress else (b"", content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> " % (width, height) + resources + b" >> >>",
        stream(*encoded),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ] + (more or [])
    return build_pdf(objects)


def attachment_bomb(inflated: int, name: bytes = b"factur-x.xml") -> bytes:
    """A readable page with an embedded ``name`` that inflates to ``inflated`` bytes."""
    xml = deflated(inflated, unit=b" " * (1 << 20), prefix=b"<?xml version='1.0'?><rsm:CrossIndustryInvoice>")
    return one_page(TEXT, catalog_extra=b"/Names << /EmbeddedFiles << /Names [(%s) 6 0 R] >> >>" % name,
                    more=[b"<< /Type /Filespec /F (%s) /UF (%s) /EF << /F 7 0 R >> >>" % (name, name),
                          stream(b"/Type /EmbeddedFile /Subtype /text#2Fxml /Filter /FlateDecode", xml)])


def content_bomb(inflated: int) -> bytes:
    """A page whose content stream is the text, then ``inflated`` bytes of white space."""
    data = deflated(inflated, unit=b" " * (1 << 20), prefix=TEXT + b"\n")
    return one_page(TEXT, encoded=(b"/Filter /FlateDecode", data))


def double_flate_bomb(inflated: int) -> bytes:
    """A content stream Flate-compressed twice: a small file, a bomb squared."""
    once = deflated(inflated, unit=b" " * (1 << 20), prefix=TEXT + b"\n")
    return one_page(TEXT, encoded=(b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(once, 9)))


def image_bomb(width: int, height: int) -> bytes:
    """A page drawing one gray image that declares ``width`` x ``height`` pixels, all white."""
    pixels = deflated(width * height, unit=b"\xff" * (1 << 20))
    image = stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                   b"/BitsPerComponent 8 /Filter /FlateDecode" % (width, height), pixels)
    return one_page(b"q 595 0 0 842 0 0 cm /Im1 Do Q", resources=b"/XObject << /Im1 6 0 R >>", more=[image])


def page_of_shape(width: float, height: float, text: bool = False) -> bytes:
    """An empty (a scan-like) page, or one with a line of text, of the given size in points."""
    return one_page(TEXT if text else b"", width=width, height=height)


def unterminated_streams(count: int) -> bytes:
    """``count`` Flate streams without ``endstream`` and a valid zlib header: every stream runs
    to the end of the file, which a naive scan reads once per stream."""
    return b"%PDF-1.4\n" + b"1 0 obj << /Filter /FlateDecode >>stream\nx\x9c" * count


def text_scan(dpi: int = 300, lines: int = 60) -> bytes:
    """A PNG of an A4 page at ``dpi`` covered in lines of invoice-like text: not a bomb, but
    the largest page an OCR reads in full (every line detected and recognized)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", max(8, dpi // 8))
    except OSError:
        font = ImageFont.load_default()
    step = (height - 2 * dpi // 2) // lines
    for row in range(lines):
        draw.text((dpi // 2, dpi // 2 + row * step),
                  f"Item {row + 1:03d}  Consulting services, period {row % 12 + 1:02d}/2026   "
                  f"{row + 2} x {17.5 + row:.2f}   {(row + 2) * (17.5 + row):,.2f} EUR", fill=0, font=font)
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()
