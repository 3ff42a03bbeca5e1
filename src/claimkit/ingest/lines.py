"""Text helpers shared by the ingest modules: newlines and lines with their offsets."""
from __future__ import annotations

from collections.abc import Iterator


def universal_newlines(text: str) -> str:
    """What io.TextIOWrapper does with newline=None: "\\r\\n" and lone "\\r" become "\\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(start offset, line without its "\\n"); only "\\n" ends a line, as in a file read by open()."""
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1
