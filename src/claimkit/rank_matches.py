"""`claimkit rank-matches`: rank published fact-checks for each query text.

Fact-checks come from a table (first column the id, the first text column the claim, further
text columns its title or context) or from ClaimReview JSON-LD (`factchecks.read_factchecks`,
a file or a folder). Queries are a table (first column the id, the other columns joined as
the text). Output: TREC run lines (`query_id Q0 factcheck_id rank score claimkit`) or CSV
(`query_id,factcheck_id,rank,score`, cells neutralised against spreadsheet formulas).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from claimkit.factchecks import JSON_SUFFIXES, is_factcheck_table_header, read_factchecks
from claimkit.matching.index import MatchIndex
from claimkit.matching.tables import Row, TableError, read_id_texts, read_table
from claimkit.model import InputProblem

RUN_TAG = "claimkit"
FORMATS = ("trec", "csv")


class RankInputError(ValueError):
    """An input that cannot be ranked from (one line naming the file)."""


@dataclass(frozen=True)
class Ranked:
    query_id: str
    factcheck_id: str
    rank: int
    score: float


def read_factcheck_rows(path: str | Path) -> tuple[list[Row], list[InputProblem]]:
    """Fact-checks as rows (id, claim, title) from JSON-LD, a fact-check table or an id/text table."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() in JSON_SUFFIXES or _is_factcheck_table(path):
        checks, problems = read_factchecks(path)
        # One review published in two files (a feed and its page) is one fact-check.
        unique = {c.factcheck_id: c for c in reversed(checks)}
        return [Row(c.factcheck_id, (c.claim, c.title)) for c in checks
                if unique.pop(c.factcheck_id, None) is not None], problems
    try:
        return read_id_texts(path), []
    except TableError as exc:
        raise RankInputError(str(exc)) from None


def _is_factcheck_table(path: Path) -> bool:
    try:
        header, _ = read_table(path)
    except TableError:
        return False  # read_id_texts says what is wrong with it
    return is_factcheck_table_header(header)


def read_queries(path: str | Path) -> list[Row]:
    try:
        return read_id_texts(path)
    except TableError as exc:
        raise RankInputError(str(exc)) from None


def rank(factchecks: list[Row], queries: list[Row], top: int, index: MatchIndex | None = None) -> list[Ranked]:
    """The `top` fact-checks for each query, best first."""
    index = index or MatchIndex()
    if not len(index):
        index.add([f.id for f in factchecks], [f.texts[0] for f in factchecks],
                  [" ".join(t for t in f.texts[1:] if t) for f in factchecks])
    found = index.search_many([q.text for q in queries], k=top)
    return [Ranked(q.id, m.factcheck_id, n, m.score)
            for q, matches in zip(queries, found) for n, m in enumerate(matches, 1)]


def format_trec(ranked: list[Ranked]) -> str:
    return "".join(f"{r.query_id} Q0 {r.factcheck_id} {r.rank} {r.score:.6f} {RUN_TAG}\n" for r in ranked)


def format_csv(ranked: list[Ranked]) -> str:
    from claimkit.export import neutralise

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["query_id", "factcheck_id", "rank", "score"])
    for r in ranked:
        writer.writerow([neutralise(r.query_id), neutralise(r.factcheck_id), r.rank, f"{r.score:.6f}"])
    return buffer.getvalue()


def check_trec_ids(rows: list[Row], path: str | Path) -> None:
    """TREC lines are split on spaces: an id with a space would shift every column after it."""
    for row in rows:
        if not row.id or any(ch.isspace() for ch in row.id):
            raise RankInputError(f"{path}: id {row.id!r} holds a space; TREC output needs ids "
                                 f"without spaces (use --format csv)")
