"""Find half-width punctuation inside Chinese text (issue 16, item 16).

The rule itself is the app's (``contest.validation.full_width_punctuation``, which also reads
sheet headers); this module finds the texts to apply it to.

Chinese text takes full-width ，；：（）！？ — "公平排名,评选表彰" reads as machine output to a
Chinese eye. Half-width stays for numbers, codes and English: a mark is flagged only when a CJK
character (or a full-width mark) stands next to it, skipping spaces, so "12:30", "A-01 (B)" and
"%(name)s" pass while "姓名:", "电子商务师(职工组)" and "已提交 24 / 45;" … "张三" do not.

The scan reads what a person reads: message ids, the text and visible attributes of templates,
and Chinese string literals in Python (flash messages, export headers, certificate text).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from contest.validation import full_width_punctuation as fix

_CJK_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Finding:
    where: str
    text: str
    mark: str

    def __str__(self) -> str:
        return f"{self.where}: 「{self.mark}」 in {self.text!r}"


def marks_in(text: str) -> list[str]:
    """The half-width marks of ``text`` that stand inside Chinese (the app's own rule)."""
    fixed = fix(text)
    return [mark for mark in ",;:()!?" for _ in range(text.count(mark) - fixed.count(mark))]


_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_JINJA_MESSAGE = re.compile(r"\{\{\s*_\(\s*(\"[^\"]*\"|'[^']*')\s*\)\s*\}\}")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_VISIBLE_ATTR = re.compile(
    r"\b(?:title|placeholder|aria-label|alt|data-confirm[\w-]*|value)\s*=\s*\"([^\"]*)\"", re.S
)


def template_texts(source: str) -> Iterator[str]:
    """What a reader sees of a Jinja template: its text and visible attribute values.

    ``{{ _("姓名") }}`` reads as its text, so "{{ _("姓名") }}:" is caught; other Jinja
    expressions become a neutral letter, so "{{ n }}:" is not read as Chinese.
    """
    spoken = _JINJA_MESSAGE.sub(lambda match: match.group(1)[1:-1], source)
    reduced = _SCRIPT_STYLE.sub(" ", _JINJA.sub("x", spoken))
    for tag in _TAG.finditer(reduced):
        for value in _VISIBLE_ATTR.finditer(tag.group()):
            yield value.group(1)
    yield from _TAG.split(reduced)


def python_texts(source: str) -> Iterator[tuple[int, str]]:
    """The Chinese string literals of a Python module, with their line numbers.

    Docstrings (triple-quoted) are for developers and raw strings are patterns: both skipped.
    """
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type == tokenize.STRING and is_text_literal(token.string):
            yield token.start[0], token.string


def split_literal(literal: str) -> tuple[str, str, str]:
    """A string literal as (prefix and opening quote, body, closing quote)."""
    prefix = literal[: len(literal) - len(literal.lstrip("rRbBuUfF"))]
    return literal[: len(prefix) + 1], literal[len(prefix) + 1 : -1], literal[-1]


def fix_literal(literal: str) -> str:
    head, body, tail = split_literal(literal)
    return head + fix(body) + tail


def is_text_literal(literal: str) -> bool:
    """A one-line, non-raw string literal holding Chinese: text a person will read."""
    prefix = literal[: len(literal) - len(literal.lstrip("rRbBuUfF"))]
    body = literal[len(prefix) :]
    return (
        "r" not in prefix.lower()
        and not body.startswith(('"""', "'''"))
        and bool(_CJK_CHAR.search(body))
    )


_JS_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`]*`")


def catalogue_ids(path: Path) -> Iterator[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        yield from (text for text in ids if text)


def scan(root: Path) -> list[Finding]:
    """Every flagged mark in the catalogue, the templates and the app's Python strings."""
    findings: list[Finding] = []
    for text in catalogue_ids(root / "contest" / "translations" / "messages.pot"):
        findings += [Finding("messages.pot", text, mark) for mark in marks_in(text)]
    for path in sorted((root / "templates").rglob("*.html")):
        for text in template_texts(path.read_text(encoding="utf-8")):
            where = str(path.relative_to(root))
            findings += [Finding(where, text.strip(), mark) for mark in marks_in(text)]
    for path in sorted((root / "static" / "js").glob("*.js")):
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for literal in _JS_STRING.finditer(line):
                where = f"{path.relative_to(root)}:{line_number}"
                text = literal.group()[1:-1]
                findings += [Finding(where, text, mark) for mark in marks_in(text)]
    for folder in ("contest", "scoring"):
        for path in sorted((root / folder).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            for line, literal in python_texts(source):
                where = f"{path.relative_to(root)}:{line}"
                text = split_literal(literal)[1]
                findings += [Finding(where, text, mark) for mark in marks_in(text)]
    return findings
