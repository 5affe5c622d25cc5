"""What a PDF may make the reader inflate, bounded while inflating.

pdfminer (under pdfplumber) and pdfium inflate a stream in full, in one allocation, as soon
as they touch it: a 1.4 MB PDF whose stream inflates to 1 GB costs a worker gigabytes. So
before either library opens a PDF, every stream in its bytes is inflated here in chunks that
are counted and thrown away, and the document is refused (UnsupportedSize) once it asks for
more than the limits. The scan works on the raw file: every stream of a PDF stands in the
file body between ``stream`` and ``endstream`` (streams cannot sit inside object streams),
so none escapes it, however the cross-reference tables lie.

* content, fonts, object streams …: at most ``Limits.max_inflate_bytes`` in all;
* images: their declared size within ``Limits.max_pixels``, and a Flate image may not inflate
  to more than its pixels need;
* embedded files are left to ``embedded_xml_files``: only files named ``*.xml`` (where an
  e-invoice travels) are read, each inflated up to ``Limits.max_embedded_bytes`` and dropped
  past it, so that an oversized attachment costs nothing and the printed page is still read.
"""
from __future__ import annotations

import bisect
import logging
import re
import zlib
from typing import Iterator

from .errors import UnsupportedSize
from .limits import Limits

_logger = logging.getLogger(__name__)

CHUNK = 1 << 20
INPUT_CHUNK = 1 << 16
# The dictionary of a stream ends right before its keyword; its start is within this many bytes.
DICT_WINDOW = 4096
MAX_EMBEDDED_FILES = 8
# Bytes a pixel may take at most (16-bit RGBA), and slack for rows' predictor bytes.
BYTES_PER_PIXEL = 8

_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_INT = {key: re.compile(rb"/" + key + rb"\s+(\d+)(?!\s+\d+\s+R)") for key in (b"Width", b"Height")}
FLATE = {"FlateDecode", "Fl"}


def _filters(dictionary: bytes) -> list[str]:
    found = _FILTER.search(dictionary)
    if not found:
        return []
    return [name.decode("latin-1") for name in _NAME.findall(found.group(1))]


def inflated_chunks(raw: bytes, filters: list[str]) -> Iterator[bytes]:
    """The stream's bytes after its Flate filters, in chunks of at most CHUNK bytes.

    Stops at the first filter that is not Flate (what follows is not counted: no other PDF
    filter multiplies its input by more than a small factor, and images are bounded by their
    pixels) and at corrupt data, which the libraries cannot inflate either."""
    chunks: Iterator[bytes] = iter((raw,))
    for name in filters:
        if name not in FLATE:
            break
        chunks = _inflate(chunks)
    return chunks


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj()
    try:
        for chunk in chunks:
            # fed a slice at a time: zlib keeps what it has not consumed as a copy, and a copy
            # of the rest of the file at every step would make a file of many streams quadratic
            for offset in range(0, len(chunk), INPUT_CHUNK):
                data = chunk[offset:offset + INPUT_CHUNK]
                while data and not decompressor.eof:
                    out = decompressor.decompress(data, CHUNK)
                    if out:
                        yield out
                    data = decompressor.unconsumed_tail
                if decompressor.eof:
                    return
    except zlib.error:
        return


def inflate(raw: bytes, filters: list[str], limit: int) -> bytes | None:
    """The stream inflated, or None once it passes ``limit`` bytes (never held in full)."""
    out, size = [], 0
    for chunk in inflated_chunks(raw, filters):
        size += len(chunk)
        if size > limit:
            return None
        out.append(chunk)
    return b"".join(out)


def _stream_data(data: memoryview, start: int, dictionary: bytes, ends: list[int]) -> memoryview:
    """The stream's bytes: its direct /Length when an ``endstream`` follows it, else up to the
    next ``endstream`` (``ends``: their positions, found once for the file, so a file of many
    unterminated streams is not searched to its end once per stream)."""
    length = _LENGTH.search(dictionary)
    if length:
        end = start + int(length.group(1))
        if end <= len(data) and b"endstream" in bytes(data[end:end + 32]):
            return data[start:end]
    i = bisect.bisect_left(ends, start)
    return data[start:ends[i] if i < len(ends) else len(data)]


def check_streams(data: bytes, limits: Limits) -> None:
    """Raise UnsupportedSize when the PDF's streams would inflate beyond the limits."""
    total = 0
    ends = [m.start() for m in re.finditer(rb"endstream", data)]
    view = memoryview(data)  # streams are sliced without copying the file
    previous_end = 0
    for match in _STREAM.finditer(data):
        # the dictionary starts after the last "obj" keyword before the stream, searched no
        # further back than the previous stream: the file is scanned once, however many
        # streams it has
        low = max(previous_end, match.start() - DICT_WINDOW)
        previous_end = match.end()
        keyword = data.rfind(b"obj", low, match.start())
        dictionary = data[keyword + 3 if keyword != -1 else low:match.start() + 2]
        if b"/EmbeddedFile" in dictionary:
            continue  # read (bounded) only when it is an e-invoice: embedded_xml_files
        filters = _filters(dictionary)
        image = b"/Image" in dictionary
        if image:
            sizes = [int(m.group(1)) if m else None for m in (_INT[b"Width"].search(dictionary),
                                                              _INT[b"Height"].search(dictionary))]
            pixels = sizes[0] * sizes[1] if None not in sizes else None
            if pixels is not None and pixels > limits.max_pixels:
                raise UnsupportedSize(f"An image of the PDF has {pixels:,} pixels; the limit is "
                                      f"{limits.max_pixels:,}.")
            bound = (pixels if pixels is not None else limits.max_pixels) * BYTES_PER_PIXEL + CHUNK
        else:
            bound = limits.max_inflate_bytes - total
        if not any(name in FLATE for name in filters):
            if not image:  # stored as is, or a filter that multiplies its input by little
                total += len(_stream_data(view, match.end(), dictionary, ends))
                if total > limits.max_inflate_bytes:
                    raise UnsupportedSize(f"The PDF's content is larger than "
                                          f"{limits.max_inflate_bytes // (1024 * 1024)} MB.")
            continue
        size = 0
        for chunk in inflated_chunks(_stream_data(view, match.end(), dictionary, ends), filters):
            size += len(chunk)
            if size > bound:
                what = "An image" if image else "The PDF's content"
                raise UnsupportedSize(f"{what} inflates to more than {bound // (1024 * 1024)} MB; "
                                      f"the document is refused.")
        if not image:
            total += size


def embedded_xml_files(pdfminer_document, limits: Limits) -> dict[str, bytes]:
    """The PDF's embedded files named ``*.xml``, each at most ``limits.max_embedded_bytes``
    inflated (a larger one is left out, with a warning), at most MAX_EMBEDDED_FILES."""
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.pdftypes import PDFException, PDFStream, resolve1
    from pdfminer.psparser import PSException

    out: dict[str, bytes] = {}
    try:
        names = resolve1(resolve1(pdfminer_document.catalog.get("Names") or {}).get("EmbeddedFiles"))
        for name, filespec in _name_tree(names):
            if not name.lower().endswith(".xml") or name in out:
                continue
            if len(out) >= MAX_EMBEDDED_FILES:
                break
            embedded = resolve1(resolve1(resolve1(filespec).get("EF") or {}).get("F"))
            if not isinstance(embedded, PDFStream) or embedded.rawdata is None:
                continue
            filters = [getattr(f, "name", str(f)) for f in _as_list(resolve1(embedded.attrs.get("Filter")))]
            content = inflate(embedded.rawdata, filters, limits.max_embedded_bytes)
            if content is None:
                _logger.warning("embedded file %r inflates to more than %s bytes: not read",
                                name[:80], limits.max_embedded_bytes)
                continue
            out[name] = content
    except (PDFException, PDFSyntaxError, PSException, AttributeError, TypeError, ValueError, KeyError):
        _logger.debug("cannot list the PDF's embedded files", exc_info=True)
    return out


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _name_tree(node, depth: int = 0) -> Iterator[tuple[str, object]]:
    """(name, value) pairs of a PDF name tree, at most 8 levels deep."""
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    node = resolve1(node)
    if not isinstance(node, dict) or depth > 8:
        return
    pairs = resolve1(node.get("Names")) or []
    for i in range(0, len(pairs) - 1, 2):
        key = resolve1(pairs[i])
        yield (decode_text(key) if isinstance(key, bytes) else str(key)), pairs[i + 1]
    for kid in resolve1(node.get("Kids")) or []:
        yield from _name_tree(kid, depth + 1)
