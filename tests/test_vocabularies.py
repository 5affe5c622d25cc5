"""The label vocabularies are lists of words the finders read: a missing comma between two
entries glues them into one word no page prints ("sum" "totalt" → "sumtotalt")."""
from __future__ import annotations

import io
import tokenize
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "extraction"
SKIP = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}


def glued_strings(source: str) -> list[int]:
    """Lines where a string literal follows another inside a list with no comma between (a
    regex continued over lines stands in parentheses, as raw strings)."""
    out, stack, previous = [], [], None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in SKIP:
            continue
        if tok.type == tokenize.OP and tok.string in "([{":
            stack.append(tok.string)
        elif tok.type == tokenize.OP and tok.string in ")]}":
            stack.pop()
        if (stack and stack[-1] == "[" and tok.type == tokenize.STRING and previous is not None
                and previous.type == tokenize.STRING and previous.end[0] != tok.start[0]):
            out.append(tok.start[0])
        previous = tok
    return out


def test_the_check_finds_a_missing_comma():
    assert glued_strings('WORDS = ["sum"\n    "totalt", "i alt"]\n') == [2]
    assert glued_strings('WORDS = ["sum",\n    "totalt"]\n') == []


def test_no_vocabulary_entry_is_two_words_glued_by_a_missing_comma():
    glued = {}
    for path in sorted(ENGINE.rglob("*.py")):
        lines = glued_strings(path.read_text(encoding="utf-8"))
        if lines:
            glued[path.name] = lines
    assert glued == {}
