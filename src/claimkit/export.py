"""Exports out of the store: CSV, Parquet and schema.org ClaimReview JSON-LD.

    frame = export_frame(store)                 # one row per claim, review and rating included
    write_csv(frame, "claims.csv")              # spreadsheet-safe
    write_parquet(frame, "claims.parquet")
    write_claimreview(claimreviews(frame, store.taxonomy("verdict"), publisher,
                                   statuses=store.workflow().exported_statuses), "reviews.json")

Article text is untrusted: in CSV every text cell that a spreadsheet would read as a formula
(one starting with ``= + - @``, a tab or a carriage return) is prefixed with ``'``.
"""
from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from claimkit.config import ConfigError, read_toml
from claimkit.files import atomic_write
from claimkit.taxonomy import Taxonomy

if TYPE_CHECKING:
    from claimkit.store import Store

# The export's columns, in order: stable ids first, then the article, the claim, the review.
# Speaker, kind, cue class and content are the reviewed values (a reviewer's correction where
# there is one); the extractor's stay beside them in the ``…_extracted`` columns.
EXPORT_COLUMNS = (
    "claim_id", "article_id", "title", "outlet", "url", "published",
    "speaker", "speaker_canonical", "speaker_type", "speaker_id", "speaker_name", "kind", "cue", "cue_lemma", "cue_class",
    "content", "checkworthiness", "parent_id",
    "status", "verdict", "verdict_label", "rating", "tags", "note", "evidence", "reviewer",
    "flagged", "updated_at", "published_at", "version", "missing_since", "not_a_claim",
    "speaker_extracted", "speaker_canonical_extracted", "kind_extracted", "cue_class_extracted",
    "content_extracted",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN = "^[=+\\-@\t\r]"  # the same prefixes, for Arrow's regex
TAG_SEPARATOR = "; "
EVIDENCE_SEPARATOR = " "


class ExportError(ValueError):
    """An export cannot be made as asked (missing publisher details, bad config file)."""


# --- the frame --------------------------------------------------------------------------------


def export_frame(store: Store, *, include_rejected: bool = False, **filters: Any
                 ) -> pd.DataFrame:
    """``store.claims(**filters)`` shaped for export, with the verdict's label and rating.

    Claims a reviewer marked "not a claim" are left out unless ``include_rejected``; then the
    ``not_a_claim`` column marks them.
    """
    claims = store.claims(details=True, include_rejected=include_rejected, **filters)
    verdicts = store.taxonomy("verdict")
    return shape_export(claims, verdicts)


def shape_export(claims: pd.DataFrame, verdicts: Taxonomy) -> pd.DataFrame:
    frame = claims.rename(columns={"text": "content", "text_extracted": "content_extracted",
                                   "cue_text": "cue"})
    # Looked up once per verdict, not once per claim (a million claims, a handful of verdicts).
    verdict = frame["verdict"].astype(object)
    labels = {v.id: v.label for v in verdicts.values}
    ratings = {v.id: v.rating for v in verdicts.values}
    frame["verdict_label"] = pd.Series(verdict.map(labels).where(verdict.isin(labels), None),
                                       index=frame.index, dtype=object)
    frame["rating"] = pd.array(verdict.map(ratings).where(verdict.isin(labels), None).tolist(),
                               dtype="Int64")
    return frame[list(EXPORT_COLUMNS)].reset_index(drop=True)


# --- CSV --------------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet will show as text, never run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def csv_table(frame: pd.DataFrame) -> pa.Table:
    """The export as a table of CSV cell texts, converted a whole column at a time (a cell at
    a time cost 80 s at a million claims): lists joined, times in ISO 8601 (UTC with a ``Z``),
    dates as dates, flags as true/false, missing values empty, and every text cell neutralised
    against formulas."""
    return pa.table({name: _csv_column(frame[name]) for name in frame.columns})


def _csv_column(column: pd.Series) -> pa.Array:
    if pd.api.types.is_bool_dtype(column):
        return pa.array(np.where(column.to_numpy(dtype=bool), "true", "false"))
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return _filled(column.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if pd.api.types.is_datetime64_dtype(column):
        days = column.dropna()
        whole_days = bool((days == days.dt.normalize()).all())
        return _filled(column.dt.strftime("%Y-%m-%d") if whole_days
                       else column.map(lambda t: t.isoformat(), na_action="ignore"))
    if pd.api.types.is_numeric_dtype(column):
        values = column.astype(object).where(column.notna(), None)
        return pa.array(["" if v is None else str(v) for v in values.tolist()])
    text = _as_arrow_text(column)
    if text is None:  # lists (tags, evidence) or mixed values: a cell at a time
        return pa.array([_text_cell(v) for v in column.tolist()], type=pa.string())
    # Neutralised in Arrow: the rule of neutralise(), a whole column at once.
    risky = pc.match_substring_regex(text, FORMULA_PATTERN)
    quoted = pc.binary_join_element_wise(pa.scalar("'"), text, pa.scalar(""))
    return pc.fill_null(pc.if_else(risky, quoted, text), "")


def _filled(texts: pd.Series) -> pa.Array:
    return pc.fill_null(pa.array(texts, type=pa.string(), from_pandas=True), "")


def _as_arrow_text(column: pd.Series) -> pa.Array | None:
    """The column as an Arrow string array when it holds only text and missing values;
    None for a column of lists (tags, evidence) or mixed values."""
    if pd.api.types.is_string_dtype(column) and column.dtype != object:
        return pa.array(column.array, type=pa.string(), from_pandas=True)
    try:
        return pa.array(column.tolist(), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None


def _text_cell(value: Any) -> str:
    """One cell of a text or list column (object dtype: text, lists, None, the odd flag)."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        # Tags are joined with "; ", evidence URLs with a space (URLs hold no spaces).
        sep = EVIDENCE_SEPARATOR if len(value) and all(
            str(v).startswith(("http://", "https://")) for v in value) else TAG_SEPARATOR
        return neutralise(sep.join(str(v) for v in value))
    if value is None or (not isinstance(value, (bool, np.bool_)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return neutralise(str(value))


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> int:
    """Write the export as UTF-8 CSV (RFC 4180: every cell quoted, CRLF line ends) with
    Arrow's CSV writer; returns the number of rows."""
    options = pa_csv.WriteOptions(quoting_style="all_valid", eol="\r\n")
    table = csv_table(frame)
    atomic_write(path, lambda f: pa_csv.write_csv(table, f, options), binary=True)
    return len(frame)


# --- Parquet ----------------------------------------------------------------------------------


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike) -> int:
    """Write the export as Parquet: tags and evidence stay lists, dates stay dates."""
    out = frame.copy()
    out["published"] = out["published"].dt.date
    atomic_write(path, lambda f: out.to_parquet(f, index=False, engine="pyarrow"), binary=True)
    return len(frame)


# --- ClaimReview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publisher:
    """Who publishes the fact checks: the ClaimReview's author."""

    name: str
    url: str
    # Where each review is published; {claim_id} is filled in. Default: the publisher's URL
    # with the claim id as fragment.
    review_url: str = ""

    def review_url_for(self, claim_id: str) -> str:
        if self.review_url:
            return self.review_url.replace("{claim_id}", claim_id)
        return f"{self.url}#claim-{claim_id}"


def load_publisher(name: str | None = None, url: str | None = None,
                   review_url: str | None = None,
                   config: str | os.PathLike | None = None) -> Publisher:
    """The publisher from options, falling back to a config file's ``[publisher]`` table.

    The config file is TOML (``.toml``) or JSON (``.json``)::

        [publisher]
        name = "Example Checks"
        url = "https://checks.example"
        review_url = "https://checks.example/claims/{claim_id}"   # optional
    """
    section: dict[str, Any] = {}
    if config is not None:
        section = _config_section(Path(config))
    name = name or section.get("name")
    url = url or section.get("url")
    review_url = review_url or section.get("review_url") or ""
    if not name or not url:
        raise ExportError("ClaimReview needs the publisher's name and URL: give "
                          "--publisher-name and --publisher-url, or a config file with a "
                          "[publisher] table (name, url)")
    for what, value in (("publisher URL", url), ("review URL", review_url)):
        if value and not str(value).startswith(("https://", "http://")):
            raise ExportError(f"the {what} must start with https:// or http://, got {value!r}")
    return Publisher(str(name), str(url), str(review_url))


def _config_section(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            data = read_toml(path)  # the one TOML reader, shared with claimkit.toml
    except ConfigError as exc:
        raise ExportError(str(exc)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: not a valid config file ({exc})") from None
    section = data.get("publisher") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise ExportError(f"{path}: no [publisher] table")
    return section


_AUTHOR_TYPES = {"organization": "Organization", "group": "Organization"}


def claimreviews(frame: pd.DataFrame, verdicts: Taxonomy, publisher: Publisher, *,
                 statuses: Collection[str] | None = None) -> list[dict]:
    """One schema.org ClaimReview per claim with a verdict whose status is in ``statuses``
    (the workflow's published ones, ``store.workflow().exported_statuses``; None: every claim
    with a verdict). Claims a reviewer marked "not a claim" are left out. The claim's author is
    its reviewed speaker; ``datePublished`` is when the check was published (left out for a
    check never published), ``dateModified`` its last change, ``reviewBody`` the reviewer's
    note and ``citation`` the evidence.

    A verdict with a rating value gets ``ratingValue`` with the taxonomy's best and worst
    ratings; one without (e.g. "unverifiable") gets ``alternateName`` only.
    """
    best, worst = verdicts.best_rating, verdicts.worst_rating
    numeric = best is not None and worst is not None and best > worst
    out = []
    for row in frame.to_dict("records"):
        verdict = verdicts.get(row["verdict"]) if isinstance(row["verdict"], str) else None
        if verdict is None or row.get("not_a_claim") == True:  # noqa: E712 (NumPy bools too)
            continue
        if statuses is not None and row.get("status") not in statuses:
            continue
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.label}
        if numeric and verdict.rating is not None:
            rating.update(ratingValue=verdict.rating, bestRating=best, worstRating=worst)
        author_org = {"@type": "Organization", "name": publisher.name, "url": publisher.url}
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": publisher.review_url_for(row["claim_id"]),
            "claimReviewed": " ".join(str(row["content"]).split()),
            "author": author_org,
            "publisher": author_org,
            "reviewRating": rating,
            "itemReviewed": _claim_item(row),
        }
        for key, column in (("datePublished", "published_at"), ("dateModified", "updated_at")):
            day = _date(row.get(column))
            if day:
                review[key] = day
        note = row.get("note")
        if isinstance(note, str) and note.strip():
            review["reviewBody"] = note.strip()
        evidence = row.get("evidence")
        if evidence is not None and not isinstance(evidence, str) and len(evidence):
            review["citation"] = [{"@type": "CreativeWork", "url": str(u)} for u in evidence]
        out.append(review)
    return out


def _claim_item(row: dict) -> dict:
    item: dict[str, Any] = {"@type": "Claim"}
    speaker = row.get("speaker_name") or row.get("speaker_canonical") or row.get("speaker")
    if isinstance(speaker, str) and speaker:
        kind = _AUTHOR_TYPES.get(row.get("speaker_type") or "", "Person")
        item["author"] = {"@type": kind, "name": speaker}
    elif isinstance(row.get("outlet"), str) and row["outlet"]:
        # An assertion: the article's own statement, so its outlet makes the claim.
        item["author"] = {"@type": "Organization", "name": row["outlet"]}
    published = _date(row.get("published"))
    if published:
        item["datePublished"] = published
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    for key, value in (("url", row.get("url")), ("headline", row.get("title"))):
        if isinstance(value, str) and value:
            appearance[key] = value
    if published:
        appearance["datePublished"] = published
    if isinstance(row.get("outlet"), str) and row["outlet"]:
        appearance["publisher"] = {"@type": "Organization", "name": row["outlet"]}
    if len(appearance) > 1:
        item["appearance"] = appearance
    return item


def _date(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    text = (resources.files("claimkit") / "data" / "claimreview_vocabulary.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def claimreview_problems(review: dict) -> list[str]:
    """What keeps ``review`` from being a valid ClaimReview: a property schema.org does not
    define for its type, a property Google's Fact Check markup requires that is missing, a
    rating outside its scale, a URL that is not absolute. Empty when it is valid."""
    vocabulary = _vocabulary()
    problems: list[str] = []

    def check(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                check(item, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        kind = node.get("@type")
        allowed = vocabulary["properties"].get(kind)
        if allowed is None:
            problems.append(f"{where}: unknown @type {kind!r}")
            return
        for key, value in node.items():
            if key.startswith("@"):
                continue
            if key not in allowed:
                problems.append(f"{where}: schema.org's {kind} has no property {key!r}")
            check(value, f"{where}.{key}")
        for key in vocabulary["google_required"].get(kind, []):
            if node.get(key) in (None, "", [], {}):
                problems.append(f"{where}: Google requires {kind}.{key}")
        if kind == "Rating" and "ratingValue" in node:
            low, high = node.get("worstRating"), node.get("bestRating")
            if low is None or high is None or not low <= node["ratingValue"] <= high:
                problems.append(f"{where}: ratingValue {node['ratingValue']} is not within "
                                f"worstRating {low} and bestRating {high}")
        url = node.get("url")
        if url is not None and not str(url).startswith(("https://", "http://")):
            problems.append(f"{where}: url {url!r} is not an absolute web address")

    if review.get("@context") not in ("https://schema.org", "http://schema.org"):
        problems.append("ClaimReview: @context must be https://schema.org")
    if review.get("@type") != "ClaimReview":
        problems.append("the object is not a ClaimReview")
    check(review, "ClaimReview")
    return problems


def write_claimreview(reviews: list[dict], path: str | os.PathLike) -> int:
    """Write the ClaimReviews as a JSON array (each item carries its own ``@context``)."""
    def write(f: IO[str]) -> None:
        json.dump(reviews, f, ensure_ascii=False, indent=2)
        f.write("\n")
    atomic_write(path, write)
    return len(reviews)

