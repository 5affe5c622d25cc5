"""Document bytes → Document (pages of words with boxes).

Digital PDF pages are read from their text layer with pdfplumber; images and PDF pages
without text are rendered (pypdfium2) and read by Tesseract.
"""
from __future__ import annotations

import io
import logging
import os
import re
import warnings

from .document import Document, Page, Word, assign_lines
from .errors import PasswordProtected, TooManyPages, UnsupportedFormat, UnsupportedSize
from .limits import DEFAULT_LIMITS, Limits
from .pdf_guard import embedded_xml_files

_logger = logging.getLogger(__name__)

PDF = "application/pdf"
XML = "application/xml"
# Plain text is never sniffed (any bytes could be "text"): only an API that says it sends text
# (Klippa's parseText) has it read as such, through ExtractOptions.text_document.
TEXT = "text/plain"
IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"BM": "image/bmp",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}

# Resolution pages are rendered at for OCR: 300 dpi is Tesseract's sweet spot.
OCR_DPI = 300
# Tesseract reads images of at most 32767 pixels a side ("Image too large"); a page's
# image is read at most this large, and a side thinner than MIN_OCR_SIDE holds no text.
MAX_OCR_SIDE = 32000
MIN_OCR_SIDE = 3
# A PDF page whose text layer has fewer characters than this is treated as a scan.
MIN_TEXT_CHARS = 20

# How Tesseract segments a page before reading it (its --psm):
# - "auto": finds the text blocks itself (columns, pictures, scattered fields): the first reading;
# - "block": the page is one block of lines. Its lines are found differently and a line
#   lost in the first reading (a date squeezed against a rule of dashes on a till receipt)
#   often comes back: the second reading (pipeline.second_reading).
PAGE_LAYOUTS = {"auto": "", "block": "--psm 6"}


def sniff_mimetype(data: bytes) -> str | None:
    head = data[:1024].lstrip()
    if data[:1024].find(b"%PDF-") != -1:
        return PDF
    for magic, mime in IMAGE_TYPES.items():
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return XML
    return None


def read_document(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS,
                  ocr_lang: str = "eng", layout: str = "auto", scan_codes: bool = True) -> Document:
    """The document's pages of words; ``layout`` is how Tesseract segments scanned pages
    (PAGE_LAYOUTS); ``scan_codes=False`` skips the 2D-code scan (a second reading of pages
    whose codes were already read)."""
    if not data:
        raise UnsupportedFormat("The document is empty.")
    if len(data) > limits.max_bytes:
        raise UnsupportedSize(f"The document is larger than {limits.max_bytes} bytes.")
    mime = sniff_mimetype(data)
    if mime == PDF:
        return read_pdf(data, filename, limits, ocr_lang, layout, scan_codes)
    if mime and mime.startswith("image/"):
        return read_image(data, filename, mime, limits, ocr_lang, layout, scan_codes)
    if mime == XML:
        return read_xml(data, filename)
    raise UnsupportedFormat("Unsupported file format: expected a PDF or an image.")


# A text document is laid out on a grid of this many characters per page width and lines per
# page height (an A4 page of monospaced type), so boxes stay relative like a page's.
TEXT_COLUMNS = 100
TEXT_LINES_PER_PAGE = 80


def read_text(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> Document:
    """Plain UTF-8 text as pages of words: each text line a visual line, each word boxed by its
    character columns on a monospaced grid, so finders read it as they read a text layer."""
    if not data:
        raise UnsupportedFormat("The text is empty.")
    if len(data) > limits.max_bytes:
        raise UnsupportedSize(f"The text is larger than {limits.max_bytes} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnsupportedFormat("The text is not UTF-8.") from e
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > limits.max_pages * TEXT_LINES_PER_PAGE:
        raise TooManyPages(f"The text has {len(lines)} lines; the limit is {limits.max_pages * TEXT_LINES_PER_PAGE}.")
    columns = max([TEXT_COLUMNS] + [len(line) for line in lines])
    pages: list[Page] = []
    for start in range(0, max(len(lines), 1), TEXT_LINES_PER_PAGE):
        index = len(pages)
        words = []
        for row, line in enumerate(lines[start:start + TEXT_LINES_PER_PAGE]):
            for match in re.finditer(r"\S+", line.expandtabs(4)):
                words.append(Word(text=match.group(), x0=match.start() / columns, x1=match.end() / columns,
                                  y0=(row + 0.1) / TEXT_LINES_PER_PAGE, y1=(row + 0.9) / TEXT_LINES_PER_PAGE,
                                  page=index))
        pages.append(Page(index=index, width=595.0, height=842.0, words=assign_lines(words), source="text"))
    return Document(pages=pages, filename=filename, mimetype=TEXT)


def read_xml(data: bytes, filename: str) -> Document:
    """A bare e-invoice (CII or UBL): no page to read, every value comes from the XML."""
    from .structured.einvoice import is_einvoice

    if not is_einvoice(data):
        raise UnsupportedFormat("The XML is not an e-invoice: expected CII (Factur-X, ZUGFeRD, XRechnung) or UBL.")
    return Document(pages=[], filename=filename, mimetype=XML, attachments={"xml": data})


def _open_image(data: bytes, limits: Limits):
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            frames = getattr(img, "n_frames", 1)
            if frames > limits.max_pages:
                raise TooManyPages(f"The image has {frames} pages; the limit is {limits.max_pages}.")
            width, height = img.size
            if img.format == "JPEG" and width * height > limits.max_ocr_pixels:
                # Decoded at a half, quarter … of its size straight from the DCT: a photo of 48
                # megapixels never takes 144 MB to read; relative boxes are the same.
                shrink = (width * height / limits.max_ocr_pixels) ** 0.5
                img.draft(img.mode, (int(width / shrink), int(height / shrink)))
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UnsupportedSize(f"The image is too large to decode safely: {e}") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise UnsupportedFormat(f"The image cannot be decoded: {e}") from e
    return img


def read_image(data: bytes, filename: str, mime: str, limits: Limits, ocr_lang: str,
               layout: str = "auto", scan_codes: bool = True) -> Document:
    from PIL import ImageSequence

    img = _open_image(data, limits)
    pages, codes = [], []
    for index, frame in enumerate(ImageSequence.Iterator(img)):
        frame = fit_for_ocr(frame.copy(), limits)
        if frame is None:
            pages.append(Page(index=index, width=img.width, height=img.height, words=[], source="ocr"))
            continue
        pages.append(ocr_page(frame, index, ocr_lang, layout))
        if scan_codes:
            codes += read_codes(index, image=frame)
    return Document(pages=pages, filename=filename, mimetype=mime, attachments={"barcodes": codes})


def fit_for_ocr(image, limits: Limits):
    """The page image at most ``limits.max_ocr_pixels`` and MAX_OCR_SIDE a side, or None
    when a side is too thin to hold a line of text. Boxes are relative to the page, so a
    smaller copy reports the same coords."""
    width, height = image.size
    shrink = max(1.0, (width * height / limits.max_ocr_pixels) ** 0.5, max(width, height) / MAX_OCR_SIDE)
    size = (max(1, int(width / shrink)), max(1, int(height / shrink)))
    if min(size) < MIN_OCR_SIDE:
        return None
    return image if shrink == 1.0 else image.resize(size)


def _pdf_open(data: bytes, limits: Limits):
    import pypdfium2 as pdfium

    from .pdf_guard import check_streams

    check_streams(data, limits)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise PasswordProtected("The PDF is protected by a password.") from e
        raise UnsupportedFormat(f"The PDF cannot be read: {e}") from e
    if len(pdf) > limits.max_pages:
        n = len(pdf)
        pdf.close()
        raise TooManyPages(f"The PDF has {n} pages; the limit is {limits.max_pages}.")
    if len(pdf) == 0:
        pdf.close()
        raise UnsupportedFormat("The PDF has no pages.")
    return pdf


def render_pdf_page(pdf, index: int, dpi: int, limits: Limits = DEFAULT_LIMITS):
    """The page rendered at ``dpi``, or smaller: at most ``limits.max_ocr_pixels`` and
    MAX_OCR_SIDE a side; None for a page too thin to hold text."""
    import pypdfium2 as pdfium

    try:
        page = pdf[index]
    except (pdfium.PdfiumError, IndexError):  # pdfminer read a page pdfium cannot load
        _logger.warning("page %s cannot be rendered: read from its text layer only", index + 1)
        return None
    w, h = page.get_size()
    if not (w > 0 and h > 0) or max(w, h) > 1e6:
        raise UnsupportedSize(f"Page {index + 1} measures {w:g} x {h:g} pt: not a page that can be read.")
    scale = min(dpi / 72, (limits.max_ocr_pixels / (w * h)) ** 0.5, MAX_OCR_SIDE / max(w, h))
    if min(w, h) * scale < MIN_OCR_SIDE:
        return None
    return page.render(scale=scale).to_pil()


def read_pdf(data: bytes, filename: str, limits: Limits, ocr_lang: str, layout: str = "auto",
             scan_codes: bool = True) -> Document:
    import pdfplumber

    pdf = _pdf_open(data, limits)
    try:
        codes: list = []
        doc = Document(pages=[], filename=filename, mimetype=PDF, attachments={"barcodes": codes})
        try:
            plumber = pdfplumber.open(io.BytesIO(data))
        except Exception as e:  # pdfminer raises many exception types on broken files
            raise UnsupportedFormat(f"The PDF cannot be read: {e}") from e
        try:
            doc.attachments["pdf_attachments"] = embedded_xml_files(plumber.doc, limits)
            try:
                ppages = list(plumber.pages)
            except Exception as e:  # a page tree pdfminer cannot walk (pdfium could open the file)
                raise UnsupportedFormat(f"The PDF's pages cannot be read: {e}") from e
            for index, ppage in enumerate(ppages):
                page = _text_layer_page(ppage, index)
                image = None
                if sum(len(w.text) for w in page.words) < MIN_TEXT_CHARS:
                    image = render_pdf_page(pdf, index, OCR_DPI, limits)
                    if image is not None:
                        page = ocr_page(image, index, ocr_lang, layout)
                doc.pages.append(page)
                if scan_codes:
                    codes.extend(read_codes(index, image, pdf, ppage))
        finally:
            _close_quietly(plumber)
        return doc
    finally:
        pdf.close()


def _close_quietly(plumber) -> None:
    """pdfplumber's close walks the page tree again, and fails where the walk failed."""
    try:
        plumber.close()
    except Exception:
        _logger.debug("closing a broken PDF", exc_info=True)


def read_codes(index: int, image=None, pdf=None, ppage=None) -> list:
    """Payment codes (QR-bill, EPC, ZATCA …) on a page: decoded on the image OCR reads, else
    in the regions of the digital page that may carry one. Never fatal to the page text."""
    from . import barcodes

    try:
        if image is not None:
            return barcodes.decode_image(image, index)
        return barcodes.scan_pdf_page(pdf, ppage, index)
    except Exception:
        _logger.warning("cannot scan page %s for codes", index, exc_info=True)
        return []


def _overlapping_spaces(chars: list[dict]) -> set[tuple]:
    """Space glyphs drawn over a neighbouring character.

    Some generators (fixed-pitch stylesheet renderings of e-invoices) emit a space glyph at
    the very x of the next character; sorted by x, the space lands *inside* the word and
    splits "280081" into "2 80081". Such spaces are dropped before words are formed.
    """
    def key(c):
        return (c["text"], round(c["x0"], 2), round(c["top"], 2))

    ordered = sorted(chars, key=lambda c: (round(c["top"]), c["x0"]))
    drop = set()
    for a, b in zip(ordered, ordered[1:]):
        if round(a["top"]) != round(b["top"]) or a["text"].isspace() == b["text"].isspace():
            continue
        space, other = (a, b) if a["text"].isspace() else (b, a)
        overlap = min(space["x1"], other["x1"]) - max(space["x0"], other["x0"])
        if overlap > 0.5 * max(space["x1"] - space["x0"], 1e-6):
            drop.add(key(space))
    return drop


def _text_layer_page(ppage, index: int) -> Page:
    width, height = float(ppage.width), float(ppage.height)
    if not (width > 0 and height > 0):
        raise UnsupportedSize(f"Page {index + 1} measures {width:g} x {height:g} pt: not a page that can be read.")
    try:
        drop = _overlapping_spaces(ppage.chars)
        if drop:
            ppage = ppage.filter(lambda o: o.get("object_type") != "char" or
                                 (o["text"], round(o["x0"], 2), round(o["top"], 2)) not in drop)
        raw = ppage.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=3)
    except Exception:  # a broken content stream: treat as empty, OCR will take over
        _logger.debug("cannot read text layer of page %s", index, exc_info=True)
        raw = []
    x_off, y_off = float(ppage.bbox[0]), float(ppage.bbox[1])
    words = [
        Word(
            text=w["text"],
            x0=max(0.0, (w["x0"] - x_off) / width),
            y0=max(0.0, (w["top"] - y_off) / height),
            x1=min(1.0, (w["x1"] - x_off) / width),
            y1=min(1.0, (w["bottom"] - y_off) / height),
            page=index,
        )
        for w in raw
        if w["text"].strip()
    ]
    return Page(index=index, width=width, height=height, words=assign_lines(words), source="text")


def single_threaded_tesseract() -> None:
    """Tesseract runs one OpenMP thread per core unless told otherwise, and those threads
    wait on each other: on a 2-core machine a receipt took 2 s instead of 0.4 s, and the
    server runs its workers side by side anyway. An explicit OMP_THREAD_LIMIT is kept."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def ocr_page(image, index: int, lang: str = "eng", layout: str = "auto") -> Page:
    """A page image read by Tesseract, turned upright and deskewed first when needed (ocr_prep)."""
    from . import ocr_prep

    single_threaded_tesseract()
    width, height = image.size
    config = PAGE_LAYOUTS[layout]
    words, angle = ocr_prep.read(image, lambda img: _tesseract_words(img, lang, config), index)
    return Page(index=index, width=width, height=height, words=assign_lines(words), source="ocr", angle=angle)


def _tesseract_words(image, lang: str, config: str = "") -> list[tuple[str, int, int, int, int, float]]:
    """Tesseract's words: (text, left, top, width, height, confidence 0..100), in pixels."""
    import pytesseract

    from .ocr_prep import image_file

    with image_file(image) as path:
        data = pytesseract.image_to_data(path, lang=lang, config=config, output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        words.append((text, data["left"][i], data["top"][i], data["width"][i], data["height"][i], conf))
    return words
