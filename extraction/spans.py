"""Find text patterns on a page and map them back to the words that print them.

Finders work on *lines* (words sharing a baseline, left to right). A line's text is its
words joined by single spaces; ``LineText`` keeps, for each character, the word it came
from so a regex match becomes a list of words, hence a box.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from .document import Document, Word


@dataclass
class LineText:
    words: Sequence[Word]
    text: str
    starts: list[int]  # start offset of each word in ``text``

    @classmethod
    def of(cls, words: Sequence[Word]) -> "LineText":
        parts, starts, pos = [], [], 0
        for w in words:
            starts.append(pos)
            parts.append(w.text)
            pos += len(w.text) + 1
        return cls(words=words, text=" ".join(parts), starts=starts)

    def words_between(self, start: int, end: int) -> list[Word]:
        """The words overlapping the character span [start, end)."""
        out = []
        for w, s in zip(self.words, self.starts):
            if s < end and s + len(w.text) > start:
                out.append(w)
        return out

    def finditer(self, pattern: re.Pattern | str, flags: int = 0) -> Iterator[tuple[re.Match, list[Word]]]:
        rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        for m in rx.finditer(self.text):
            span = m.span(1) if rx.groups and m.group(1) is not None else m.span()
            yield m, self.words_between(*span)


def iter_lines(doc: Document) -> Iterator[LineText]:
    for line in doc.lines():
        yield LineText.of(line)


def find_all(doc: Document, pattern: re.Pattern | str, flags: int = 0) -> Iterator[tuple[re.Match, list[Word], LineText]]:
    for lt in iter_lines(doc):
        for m, words in lt.finditer(pattern, flags):
            yield m, words, lt
