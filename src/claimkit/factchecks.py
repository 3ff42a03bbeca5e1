"""Published fact-checks from files: schema.org ClaimReview JSON-LD, or a CSV / TSV table.

`read_factchecks(path)` -> `(fact_checks, problems)`: a file or a folder (every .json, .jsonld,
.csv and .tsv in it, in name order). A file is read whole or not at all: one malformed file
gives one `InputProblem` naming it and why, contributes no fact-checks, and the other files are
still read (docs/architecture.md §6). Pure: no spaCy, no store; `claimkit rank-matches` and a
later `import-factchecks` both read through it.

JSON-LD comes in the shapes fact-checkers publish: one ClaimReview object, a list of them, a
`@graph`, or a DataFeed (`dataFeedElement` -> DataFeedItem `item`), nested in any combination.
A table needs a header with a `claim` column; `verdict`, `url`, `publisher`, `date`, `claimant`,
`title` and `id` are read when present.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimkit.model import FactCheck, InputProblem, factcheck_id_for

JSON_SUFFIXES = (".json", ".jsonld")
TABLE_SUFFIXES = (".csv", ".tsv")
SUFFIXES = JSON_SUFFIXES + TABLE_SUFFIXES
MAX_BYTES = 200 * 1024 * 1024
# Table columns: each FactCheck field and the header names that fill it (first present wins).
COLUMNS = {
    "factcheck_id": ("factcheck_id", "id"),
    "claim": ("claim", "claimreviewed", "claim_reviewed"),
    "verdict": ("verdict", "rating", "textual_rating"),
    "url": ("url", "review_url"),
    "publisher": ("publisher",),
    "date": ("date", "datepublished", "date_published"),
    "claimant": ("claimant", "author", "speaker"),
    "title": ("title", "headline"),
}


class FactCheckFileError(ValueError):
    """Why one file cannot be read (one line, without the path)."""


def read_factchecks(path: str | os.PathLike) -> tuple[list[FactCheck], list[InputProblem]]:
    """Fact-checks from a file or a folder, and one problem per file that could not be read."""
    found: list[FactCheck] = []
    problems: list[InputProblem] = []
    for file in _files(Path(path), problems):
        try:
            found.extend(read_factcheck_file(file))
        except FactCheckFileError as exc:
            problems.append(InputProblem(str(file), str(exc)))
        except OSError as exc:
            problems.append(InputProblem(str(file), (exc.strerror or str(exc)).lower()))
    return found, problems


def read_factcheck_file(path: Path) -> list[FactCheck]:
    """Every fact-check of one file, or `FactCheckFileError` (nothing half-read)."""
    text = _read_text(path)
    if path.suffix.lower() in JSON_SUFFIXES:
        return _from_jsonld(text, str(path))
    return _from_table(text, str(path), "\t" if path.suffix.lower() == ".tsv" else ",")


def is_factcheck_table_header(header: list[str]) -> bool:
    """Whether a table's header reads as a fact-check table (a claim and a verdict column)."""
    names = {h.strip().lower() for h in header}
    return bool(names & set(COLUMNS["claim"])) and bool(names & set(COLUMNS["verdict"]))


def _files(path: Path, problems: list[InputProblem]) -> Iterator[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            problems.append(InputProblem(str(path), "folder has no .json, .jsonld, .csv or .tsv files",
                                         "warning"))
        yield from files
    elif path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            problems.append(InputProblem(str(path), f"not a fact-check file (expected one of "
                                         f"{', '.join(SUFFIXES)})"))
            return
        yield path
    else:
        problems.append(InputProblem(str(path), "no such file or folder"))


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise FactCheckFileError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactCheckFileError(f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise FactCheckFileError("empty file")
    return text


# --- JSON-LD --------------------------------------------------------------------------------

def _from_jsonld(text: str, path: str) -> list[FactCheck]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FactCheckFileError(f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from None
    reviews = list(_claim_reviews(data))
    if not reviews:
        raise FactCheckFileError("no ClaimReview in this JSON")
    return [_from_claim_review(review, n, path) for n, review in enumerate(reviews, 1)]


def _types(node: dict[str, Any]) -> set[str]:
    """`@type` as bare names: "ClaimReview", "schema:ClaimReview", "https://schema.org/ClaimReview"."""
    given = node.get("@type", [])
    given = given if isinstance(given, list) else [given]
    return {str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in given}


def _claim_reviews(node: Any) -> Iterator[dict[str, Any]]:
    """Every ClaimReview object in the shapes publishers use, in document order."""
    if isinstance(node, list):
        for item in node:
            yield from _claim_reviews(item)
        return
    if not isinstance(node, dict):
        return
    if "ClaimReview" in _types(node):
        yield node
        return
    # containers: a @graph, a DataFeed's elements, a DataFeedItem's item
    for key in ("@graph", "dataFeedElement", "item"):
        if key in node:
            yield from _claim_reviews(node[key])


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any) -> str:
    """A Person / Organization's name, or a plain string, or ""."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name", "")
    return _clean(value)


def _clean(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def _verdict(rating: Any) -> str:
    rating = _first(rating)
    if not isinstance(rating, dict):
        return _clean(rating)
    for key in ("alternateName", "ratingValue", "name"):
        if _clean(rating.get(key)):
            return _clean(rating.get(key))
    return ""


def _from_claim_review(review: dict[str, Any], n: int, path: str) -> FactCheck:
    claim = _clean(review.get("claimReviewed"))
    if not claim:
        raise FactCheckFileError(f"ClaimReview #{n} has no claimReviewed")
    url = _clean(review.get("url"))
    item = _first(review.get("itemReviewed"))
    claimant = _name(item.get("author")) if isinstance(item, dict) else ""
    return FactCheck(
        factcheck_id=_clean(review.get("identifier")) or factcheck_id_for(url, claim),
        claim=claim,
        verdict=_verdict(review.get("reviewRating")),
        url=url,
        publisher=_name(review.get("author")) or _name(review.get("publisher")),
        date=_clean(review.get("datePublished")),
        claimant=claimant,
        title=_clean(review.get("name")) or _clean(review.get("headline")),
        path=path,
    )


# --- CSV / TSV ------------------------------------------------------------------------------

def _from_table(text: str, path: str, delimiter: str) -> list[FactCheck]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FactCheckFileError(f"malformed table at line {reader.line_num} ({exc})") from None
    header = [h.strip().lower() for h in rows[0]]
    where = _column_positions(header)
    if "claim" not in where:
        raise FactCheckFileError(f"header has no claim column (found: {', '.join(header)[:120]})")
    found = []
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise FactCheckFileError(f"row {line} has {len(row)} fields, header has {len(header)}")
        fields = {name: _clean(row[i]) for name, i in where.items()}
        if not fields["claim"]:
            raise FactCheckFileError(f"row {line} has an empty claim")
        fields["factcheck_id"] = fields.get("factcheck_id") or factcheck_id_for(
            fields.get("url", ""), fields["claim"])
        found.append(FactCheck(**fields, path=path))
    return found


def _column_positions(header: list[str]) -> dict[str, int]:
    where = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in header:
                where[field] = header.index(name)
                break
    return where
