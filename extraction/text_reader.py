"""Digital receipts (an e-mail's HTML or plain text) → Document.

There is no rendering to take boxes from, so the text is laid out as a fixed-pitch page: each
line of the text is a line of the page, each character a cell, and a word's box is its cells.
That keeps what finders rely on (words on one line, labels left of their amounts, right-
aligned columns in a plain-text receipt) without a browser. HTML is reduced to its text
with lxml: block elements and table rows end a line, cells are separated by a wide gap.
"""
from __future__ import annotations

import re

from .document import Document, Page, Word
from .errors import UnsupportedFormat

HTML = "text/html"
TEXT = "text/plain"
TEXT_TYPES = (HTML, TEXT)
# Element names that, opening a document's first kilobytes, say it is HTML rather than XML.
HTML_MARK = re.compile(rb"<\s*(!doctype\s+html|html|head|body|table|div|p|br|span|td|meta)\b", re.I)
# Elements that end a line of text where they close.
BLOCK_ELEMENTS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
                  "header", "footer", "article", "address", "blockquote", "pre", "hr", "dt", "dd"}
CELL_GAP = "    "  # between table cells: wider than a space, so a column stays apart
MAX_LINE_CHARS = 400  # a line longer than this wraps: a page has bounded width


def sniff_text(data: bytes) -> str | None:
    """``text/html``, ``text/plain`` or None (binary, or not UTF-8/Latin-1 text)."""
    sample = data[:4096]
    if b"\x00" in sample:
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 4:  # not a multibyte character cut at the sample's end
            return None
    if HTML_MARK.search(data[:2048]):
        return HTML
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return TEXT if control <= len(sample) // 100 else None


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def html_text(data: bytes) -> str:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(data)
    except Exception as e:  # lxml's errors on an empty or broken document
        raise UnsupportedFormat(f"The HTML cannot be read: {type(e).__name__}")
    # What a mail client does not show: scripts, styles and the head (its title is the tab's)
    for element in [e for e in root.iter("script", "style", "head") if e.getparent() is not None]:
        element.drop_tree()
    parts: list[str] = []

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if element.text and tag not in ("script", "style"):
            parts.append(element.text)
        for child in element:
            walk(child)
            child_tag = child.tag if isinstance(child.tag, str) else ""
            if child_tag in ("td", "th"):
                parts.append(CELL_GAP)
            elif child_tag in BLOCK_ELEMENTS:
                parts.append("\n")
            if child.tail:
                parts.append(child.tail)

    walk(root)
    text = "".join(parts).replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in text.splitlines())


def fixed_pitch_page(text: str, index: int = 0) -> Page:
    lines: list[str] = []
    for raw in text.expandtabs(8).splitlines():
        raw = raw.rstrip()
        while len(raw) > MAX_LINE_CHARS:
            lines.append(raw[:MAX_LINE_CHARS])
            raw = raw[MAX_LINE_CHARS:]
        lines.append(raw)
    while lines and not lines[-1].strip():
        lines.pop()
    columns = max([len(line) for line in lines] + [40])
    rows = max(len(lines), 1)
    words: list[Word] = []
    line_index = 0
    for row, line in enumerate(lines):
        found = False
        for match in re.finditer(r"\S+", line):
            words.append(Word(text=match.group(), x0=match.start() / columns, x1=match.end() / columns,
                              y0=row / rows, y1=(row + 0.8) / rows, page=index, line=line_index))
            found = True
        if found:
            line_index += 1
    # Width and height in character cells: a cell is about twice as tall as it is wide.
    return Page(index=index, width=float(columns), height=float(rows) * 2, words=words, source="text")


def read_text(data: bytes, filename: str = "", mime: str | None = None) -> Document:
    mime = mime or sniff_text(data)
    if mime not in TEXT_TYPES:
        raise UnsupportedFormat("The document is neither HTML nor plain text.")
    text = html_text(data) if mime == HTML else decode(data)
    return Document(pages=[fixed_pitch_page(text)], filename=filename, mimetype=mime)
