"""The claims frame that ``store.claims()`` returns: its columns, and driver rows turned into
them fast enough for 100k claims.

pandas' ``from_records`` infers every column's type value by value; here the schema already says
which columns are text, so rows are transposed once and text columns go straight into Arrow
string arrays (what pandas 3 uses for ``str``). Nullable columns stay object arrays with None,
as the driver gives them. The cyclic garbage collector is paused while the columns are built:
hundreds of thousands of new tuples and lists would otherwise trigger repeated full collections
over everything else the process holds, which costs more than the building itself.
"""
from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Column, String, Text

from claimkit.store.schema import JSONText, articles, claims, reviews

# The columns of store.claims(), in order.
CLAIM_COLUMNS = (
    "claim_id", "article_id", "kind", "text", "speaker", "speaker_canonical", "speaker_type",
    "cue_lemma", "cue_class", "cue_text", "checkworthiness", "missing_since",
    "status", "verdict", "tags", "note", "evidence", "reviewer", "flagged", "updated_at",
    "version", "title", "outlet", "url", "published", "corrected_speaker", "not_a_claim",
    "assignee",
)
# With details=True: why and how the extractor found the claim.
DETAIL_COLUMNS = ("source_text", "parent_id", "hedges", "reasons", "rule", "extractor_version")
SPAN_COLUMNS = ("content", "source", "cue")
ARTICLE_COLUMNS = ("title", "outlet", "url", "published")
# Every column claims() can return; what the snapshot beside a SQLite store keeps.
ALL_COLUMNS = tuple(dict.fromkeys((*CLAIM_COLUMNS, *DETAIL_COLUMNS, *SPAN_COLUMNS)))
# Lists kept as JSON text in the database, decoded into Python lists in the frame.
JSON_COLUMNS = ("hedges", "reasons", "tags", "evidence", *SPAN_COLUMNS)


@contextmanager
def gc_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def table_column(name: str) -> Column:
    """The database column behind a claims-frame column."""
    for table in (claims, reviews, articles):
        if name in table.c:
            return table.c[name]
    raise KeyError(name)


def is_text(column: Column) -> bool:
    """A plain text column (JSON lists are text in the database but lists in the frame)."""
    return isinstance(column.type, (String, Text)) and not isinstance(column.type, JSONText)


def is_missing(value: Any) -> bool:
    """None or NaN, but not a list or text (pd.isna of a list is a list)."""
    return not isinstance(value, (list, tuple, str)) and bool(pd.isna(value))


def rows_to_frame(rows: Sequence[tuple], names: Sequence[str], text: set[str]) -> pd.DataFrame:
    """A DataFrame of raw values: ``text`` columns as pandas strings, the rest as objects."""
    with gc_paused():
        columns = list(zip(*rows)) if rows else [()] * len(names)
        strings = pa.table({n: pa.array(c, type=pa.string())
                            for n, c in zip(names, columns) if n in text}).to_pandas()
        data = {n: strings[n] if n in text else pd.Series(np.array(c, dtype=object), dtype=object)
                for n, c in zip(names, columns)}
        return pd.DataFrame(data, columns=list(names))


def raw_frame(rows: Sequence[tuple], names: Sequence[str]) -> pd.DataFrame:
    """Driver rows as a frame of database values (text columns as pandas strings)."""
    text = {n for n in names if not table_column(n).nullable and is_text(table_column(n))}
    return rows_to_frame(rows, names, text)


def typed_claims(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Database values -> the claims frame's types (lists decoded, dates and flags typed)."""
    for name in names:
        column = frame[name]
        if name in JSON_COLUMNS:
            frame[name] = pd.Series(_json_values(column), dtype=object,
                                    index=frame.index)
        elif name == "updated_at":  # one unit whatever the values (all-empty would give s)
            frame[name] = pd.to_datetime(column.astype(object), utc=True).dt.as_unit("us")
        elif name == "published":
            frame[name] = pd.to_datetime(column.astype(object)).dt.as_unit("us")
        elif name in ("flagged", "not_a_claim"):
            frame[name] = column.astype(bool)
        elif name == "version":
            frame[name] = column.astype("int64")
        elif name == "checkworthiness":
            frame[name] = column.astype("float64")
    return frame


def _json_values(values: pd.Series) -> list:
    """Decode a column of JSON lists; each row gets its own list object.

    Most rows are "[]": they get a fresh empty list without a parse, and the others repeat, so
    each distinct text is parsed once.
    """
    with gc_paused():
        result: list = [[] for _ in range(len(values))]
        others = np.flatnonzero((values != "[]").to_numpy(dtype=bool, na_value=True))
        decoded: dict[str, list] = {}
        for i in others.tolist():
            text = values.iat[i]
            if is_missing(text):
                result[i] = None
                continue
            if text not in decoded:
                decoded[text] = json.loads(text)
            result[i] = list(decoded[text])
        return result
