"""Metadata at the top of a ``.txt`` article: a short front-matter block.

::

    ---
    date: 2024-03-01
    url: https://example.org/news/1
    outlet: Example Gazette
    title: Council approves budget
    ---
    The article's text...

Plain ``key: value`` lines (a value may be quoted), no YAML library. The block stays in
``Article.text`` (a ``.txt`` file's text is the file as Python reads it, docs/architecture.md
§2) and is marked as boilerplate, so offsets still index the file and no claim comes from it.
The keys and the Article field each sets are data (``front_matter`` in
``data/ingest_rules.json``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from claimkit.ingest.dates import parse_date
from claimkit.ingest.lines import iter_lines
from claimkit.ingest.rules import rules

_FENCE = "---"
_KEY_VALUE = re.compile(r"^([A-Za-z][\w.-]*)\s*:\s*(.*?)\s*$")
_QUOTED = re.compile(r"""^(["'])(.*)\1$""")
DATE_HINT = "expected ISO format, e.g. 2024-05-31"


@dataclass(frozen=True)
class FrontMatter:
    end: int  # offset just past the closing fence line (its "\n" included when there is one)
    fields: dict[str, str] = field(default_factory=dict)  # Article field -> value as written
    published: date | None = None
    problems: tuple[str, ...] = ()  # one-line reasons, fit to show an analyst


def read_front_matter(text: str) -> FrontMatter | None:
    """The front matter at the very start of ``text``; None when the text has none.

    Lines that are not ``key: value``, unknown keys and an unreadable date are reported in
    ``problems`` and ignored: the article is still read.
    """
    lines = iter_lines(text)
    first = next(lines, None)
    if first is None or first[1].rstrip() != _FENCE:
        return None
    max_lines = rules().front_matter_max_lines
    body: list[tuple[int, str]] = []
    for number, (start, line) in enumerate(lines, 2):
        if line.rstrip() == _FENCE:
            end = min(start + len(line) + 1, len(text))
            return _parse(body, end)
        if number > max_lines:
            break
        body.append((number, line))
    return None  # no closing fence: a text that opens with a rule line, read as it is


def unclosed_front_matter(text: str) -> bool:
    """The text opens like front matter (a fence, then a known key) but never closes it."""
    lines = [line for _, line in iter_lines(text[:2000])]
    if len(lines) < 2 or lines[0].rstrip() != _FENCE:
        return False
    match = _KEY_VALUE.match(lines[1])
    return bool(match) and match.group(1).casefold() in rules().front_matter_keys


def _parse(lines: list[tuple[int, str]], end: int) -> FrontMatter:
    known = rules().front_matter_keys
    fields: dict[str, str] = {}
    problems: list[str] = []
    for number, line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_VALUE.match(line)
        if match is None:
            problems.append(f"front matter line {number} is not 'key: value', ignored")
            continue
        key, value = match.group(1), _unquote(match.group(2))
        target = known.get(key.casefold())
        if target is None:
            problems.append(f"front matter key {key!r} unknown, ignored "
                            f"(known: {', '.join(sorted(set(known)))})")
        elif value:
            fields[target] = value
    published = None
    if "published" in fields:
        published = _parse_date(fields["published"])
        if published is None:
            problems.append(f"front matter date {fields['published']!r} unreadable "
                            f"({DATE_HINT}); article read without a date")
    return FrontMatter(end=end, fields=fields, published=published, problems=tuple(problems))


def _parse_date(value: str) -> date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


def _unquote(value: str) -> str:
    match = _QUOTED.match(value)
    return match.group(2) if match else value
