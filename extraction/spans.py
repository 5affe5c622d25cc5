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


# A dot leader ("Invoice date ........ 09.04.2018") joins a label to its value: it is a word of
# the line (it keeps the two in one column) but no text of it, so the label stands right
# before its value, as on any other line.
LEADER = re.compile(r"[.·…_]{4,}")


@dataclass
class LineText:
    words: Sequence[Word]
    text: str
    starts: list[int]  # start offset of each word in ``text``
    lengths: list[int]  # each word's length in ``text`` (a leader's is 0)

    @classmethod
    def of(cls, words: Sequence[Word]) -> "LineText":
        parts, starts, lengths, pos = [], [], [], 0
        for w in words:
            shown = "" if LEADER.fullmatch(w.text) else w.text
            starts.append(pos)
            lengths.append(len(shown))
            parts.append(shown)
            pos += len(shown) + 1
        return cls(words=words, text=" ".join(parts), starts=starts, lengths=lengths)

    def words_between(self, start: int, end: int) -> list[Word]:
        """The words overlapping the character span [start, end)."""
        return [w for w, s, n in zip(self.words, self.starts, self.lengths) if n and s < end and s + n > start]

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
