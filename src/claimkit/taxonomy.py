"""Workflow statuses and verdicts as data (docs/architecture.md §2).

A taxonomy is a small table kept in a TSV file with the columns ``id, label, rating, colour,
description``. ``id`` is what the store keeps, ``label`` what people read, ``colour`` what charts
and the review app paint, and ``rating`` the ClaimReview ``ratingValue`` (empty for verdicts such
as "unverifiable" that sit on no scale).

The bundled files live in ``claimkit/data/taxonomies``: ``statuses`` and ``verdicts`` are the
defaults, and ``politifact``, ``snopes``, ``meta`` and ``fullfact`` are verdict presets modelled on
those fact-checkers' rating systems. Any other TSV (or JSON list of objects with the same keys)
can be loaded by path.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

COLUMNS = ("id", "label", "rating", "colour", "description")
DEFAULT_STATUSES = "statuses"
DEFAULT_VERDICTS = "verdicts"
VERDICT_PRESETS = ("verdicts", "politifact", "snopes", "meta", "fullfact")

_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class TaxonomyError(ValueError):
    """A taxonomy file is malformed, or a change would leave claims with an unknown value."""


@dataclass(frozen=True)
class Value:
    id: str
    label: str
    rating: int | None = None
    colour: str = "#9e9e9e"
    description: str = ""


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of values (order is the workflow order or the rating scale's order)."""

    name: str
    values: tuple[Value, ...]

    def __post_init__(self) -> None:
        ids = [v.id for v in self.values]
        if not ids:
            raise TaxonomyError(f"taxonomy {self.name!r} has no values")
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise TaxonomyError(f"taxonomy {self.name!r} repeats {', '.join(duplicated)}")

    @property
    def ids(self) -> list[str]:
        return [v.id for v in self.values]

    def __contains__(self, value_id: object) -> bool:
        return any(v.id == value_id for v in self.values)

    def __getitem__(self, value_id: str) -> Value:
        for v in self.values:
            if v.id == value_id:
                return v
        raise KeyError(value_id)

    def get(self, value_id: str | None) -> Value | None:
        return next((v for v in self.values if v.id == value_id), None)

    def find(self, text: str) -> str | None:
        """The id of the value ``text`` names, by id or label, ignoring case, spaces,
        hyphens and underscores ("Mostly True", "mostly-true" -> "mostly_true"); None if
        none does (another fact-checker's wording, "Pants on Fire", in a plainer taxonomy)."""
        wanted = _loose(text)
        return next((v.id for v in self.values
                     if wanted and wanted in (_loose(v.id), _loose(v.label))), None)

    @property
    def best_rating(self) -> int | None:
        ratings = [v.rating for v in self.values if v.rating is not None]
        return max(ratings) if ratings else None

    @property
    def worst_rating(self) -> int | None:
        ratings = [v.rating for v in self.values if v.rating is not None]
        return min(ratings) if ratings else None

    def to_records(self) -> list[dict]:
        return [asdict(v) for v in self.values]

    def to_tsv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for v in self.values:
            writer.writerow([v.id, v.label, "" if v.rating is None else v.rating, v.colour,
                             v.description])
        return out.getvalue()


def _loose(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(text).lower())


def load_taxonomy(name_or_path: str | Path) -> Taxonomy:
    """A bundled taxonomy by name (``"politifact"``) or a TSV / JSON file by path."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".tsv", ".json") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TaxonomyError(f"cannot read taxonomy {path}: {exc.strerror or exc}") from None
        name = path.stem
    else:
        name = str(name_or_path)
        if name not in bundled_taxonomies():
            raise TaxonomyError(f"unknown taxonomy {name!r}; bundled ones: "
                                f"{', '.join(bundled_taxonomies())}, or give a .tsv/.json path")
        text = (resources.files("claimkit") / "data" / "taxonomies" / f"{name}.tsv"
                ).read_text(encoding="utf-8")
        path = Path(f"{name}.tsv")
    if path.suffix.lower() == ".json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TaxonomyError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(records, list):
            raise TaxonomyError(f"{path}: expected a JSON list of values")
    else:
        records = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    return taxonomy_from_records(name, records, where=str(path))


def taxonomy_from_records(name: str, records: list[dict], where: str = "") -> Taxonomy:
    where = where or name
    values = []
    for n, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise TaxonomyError(f"{where}: value {n} is not an object")
        values.append(_value(record, f"{where}: value {n}"))
    return Taxonomy(name, tuple(values))


def bundled_taxonomies() -> list[str]:
    folder = resources.files("claimkit") / "data" / "taxonomies"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".tsv"))


def _value(record: dict, where: str) -> Value:
    value_id = str(record.get("id") or "").strip()
    if not _ID.match(value_id):
        raise TaxonomyError(f"{where}: id {value_id!r} must be lower-case letters, digits and _")
    rating = record.get("rating")
    if rating in (None, ""):
        rating = None
    else:
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            raise TaxonomyError(f"{where}: rating {rating!r} is not a whole number") from None
        if rating < 1:
            # ClaimReview's worstRating is at least 1.
            raise TaxonomyError(f"{where}: rating {rating} must be 1 or more")
    colour = str(record.get("colour") or "#9e9e9e").strip()
    if not _COLOUR.match(colour):
        raise TaxonomyError(f"{where}: colour {colour!r} is not #rrggbb")
    label = str(record.get("label") or value_id.replace("_", " ").capitalize())
    return Value(value_id, label, rating, colour, str(record.get("description") or ""))


@lru_cache(maxsize=1)
def cue_class_ids() -> tuple[str, ...]:
    """The cue classes (assert, deny, allege, …) of ``data/cue_classes.tsv``, sorted: what a
    reviewer may correct a claim's cue class to."""
    text = resources.files("claimkit").joinpath("data", "cue_classes.tsv").read_text("utf-8")
    rows = csv.reader(text.splitlines(), delimiter="\t")
    return tuple(sorted({row[1].strip() for row in rows
                         if len(row) > 1 and row[0] and not row[0].startswith("#")}
                        | {"assert"}))
