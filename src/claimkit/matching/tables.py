"""Texts with ids from a CSV / TSV table, and relevance judgements (TREC qrels).

A table has a header; its first column is the id and the other columns are text (a fact-check
table's claim and title, a query's text). Read whole or refused with `TableError`, one line.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

csv.field_size_limit(16 * 1024 * 1024)


class TableError(ValueError):
    """Why a table cannot be read (one line, naming the file)."""


@dataclass(frozen=True)
class Row:
    id: str
    texts: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(t for t in self.texts if t)


def delimiter_for(path: Path) -> str:
    return "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt", ".qrels") else ","


def read_table(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV / TSV file (standard quoting; fields may hold newlines)."""
    path = Path(path)
    try:
        data = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise TableError(f"{path}: {(exc.strerror or str(exc)).lower()}") from None
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter_for(path), strict=True)
    try:
        rows = [r for r in reader if any(cell.strip() for cell in r)]
    except csv.Error as exc:
        raise TableError(f"{path}: malformed table at line {reader.line_num} ({exc})") from None
    if not rows:
        raise TableError(f"{path}: empty file")
    return rows[0], rows[1:]


def read_id_texts(path: str | Path) -> list[Row]:
    """Rows of `id, text[, text...]`; a row without an id or without any text is an error."""
    header, rows = read_table(path)
    if len(header) < 2:
        raise TableError(f"{path}: needs a header and at least two columns (id, text), "
                         f"found {len(header)}")
    out, seen = [], set()
    for line, row in enumerate(rows, 2):
        if len(row) != len(header):
            raise TableError(f"{path}: row {line} has {len(row)} fields, header has {len(header)}")
        row_id, texts = row[0].strip(), tuple(" ".join(c.split()) for c in row[1:])
        if not row_id or not any(texts):
            raise TableError(f"{path}: row {line} has {'no id' if not row_id else 'no text'}")
        if row_id in seen:
            raise TableError(f"{path}: row {line} repeats id {row_id!r}")
        seen.add(row_id)
        out.append(Row(row_id, texts))
    return out


def read_qrels(path: str | Path) -> dict[str, set[str]]:
    """TREC qrels (`query_id 0 doc_id relevance`): the relevant doc ids of each query."""
    relevant: dict[str, set[str]] = defaultdict(set)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(f"{path}: cannot read qrels ({exc})") from None
    for n, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise TableError(f"{path}: line {n} is not 'query_id 0 doc_id relevance'")
        if int(parts[3]) > 0:
            relevant[parts[0]].add(parts[2])
    return dict(relevant)
