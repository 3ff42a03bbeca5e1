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
import pyarrow.compute as pc
from sqlalchemy import Column, String, Text

from claimkit.store.schema import CORRECTIONS, JSONText, articles, claims, reviews

# The columns of store.claims() read from the tables, in order.
STORED_COLUMNS = (
    "claim_id", "article_id", "kind", "text", "speaker", "speaker_canonical", "speaker_type",
    "cue_lemma", "cue_class", "cue_text", "checkworthiness", "missing_since",
    "status", "verdict", "tags", "note", "evidence", "reviewer", "flagged", "updated_at",
    "version", "title", "outlet", "url", "published", "corrected_speaker", "not_a_claim",
    "corrected_cue_class", "corrected_kind", "corrected_content", "assignee", "published_at",
    "speaker_id", "corrected_speaker_id",
    "cluster_id",
)
# Schema 7 (store/speakers.py): the speaker entity's name, read from the speakers table.
SPEAKER_NAME_COLUMNS = ("speaker_name",)
# Reviewed values are the truth downstream (DESIGN.md §2): in store.claims() ``speaker``,
# ``speaker_canonical``, ``kind``, ``cue_class`` and ``text`` are the reviewer's corrections where
# there are any, and the extractor's values stay beside them in these columns.
EXTRACTED_COLUMNS = ("speaker_extracted", "speaker_canonical_extracted", "kind_extracted",
                     "cue_class_extracted", "text_extracted", "speaker_id_extracted")
# The columns of store.claims(), in order.
CLAIM_COLUMNS = (*STORED_COLUMNS, *SPEAKER_NAME_COLUMNS, *EXTRACTED_COLUMNS)
# With details=True: why and how the extractor found the claim.
DETAIL_COLUMNS = ("source_text", "parent_id", "hedges", "reasons", "rule", "extractor_version")
SPAN_COLUMNS = ("content", "source", "cue")
ARTICLE_COLUMNS = ("title", "outlet", "url", "published")
# Every column claims() can return; what the snapshot beside a SQLite store keeps.
ALL_COLUMNS = tuple(dict.fromkeys((*STORED_COLUMNS, *DETAIL_COLUMNS, *SPAN_COLUMNS)))
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
        elif name in ("updated_at", "published_at"):  # one unit whatever the values
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


def reviewed_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The claims frame as reviewers left it: each corrected column (``speaker``, ``kind``,
    ``cue_class``, ``text``) holds the correction where there is one, and the extractor's value
    moves to ``<column>_extracted``. A corrected speaker is also the canonical name (the
    reviewer typed the name the claim is to be counted under). The one place this is computed:
    both ways ``claims()`` reads (SQL, and the snapshot with reviews patched in) end here."""
    for corrected, column in (*CORRECTIONS.items(), ("corrected_speaker", "speaker_canonical")):
        extracted = frame[column]
        frame[f"{column}_extracted"] = extracted
        reviewed = _corrected(extracted, frame[corrected])
        if reviewed is not None:
            frame[column] = reviewed
    return frame


def _corrected(extracted: pd.Series, fix: pd.Series) -> pd.Series | None:
    """``extracted`` with the non-empty values of ``fix`` in their rows; None when there are
    none. Corrections are few: found with one comparison over the column, put in by Arrow
    (pandas' masked assignment into an Arrow string column costs ~35 ms at 100k rows)."""
    values = fix.to_numpy(dtype=object)
    rows = [i for i in np.flatnonzero(np.not_equal(values, None)).tolist()
            if isinstance(values[i], str) and values[i]]
    if not rows:
        return None
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    new = [values[i] for i in rows]
    if isinstance(extracted.array, pd.arrays.ArrowStringArray):
        arrow = pa.array(extracted.array)
        out = pc.replace_with_mask(arrow, pa.array(mask), pa.array(new, type=arrow.type))
        return pd.Series(pd.array(out, dtype=extracted.dtype), index=extracted.index,
                         name=extracted.name)
    reviewed = extracted.copy()
    reviewed[mask] = new
    return reviewed


def _json_values(values: pd.Series) -> list:
    """Decode a column of JSON lists; each row gets its own list object.

    Most rows are "[]": they get a fresh empty list without a parse, and the others repeat, so
    each distinct text is parsed once.
    """
    with gc_paused():
        result: list = [[] for _ in range(len(values))]
        others = np.flatnonzero((values != "[]").to_numpy(dtype=bool, na_value=True))
        if not len(others):
            return result
        # One conversion of the column to Python objects: looking rows up one at a time in an
        # Arrow-backed Series cost ~20 µs each (23 s for the reasons column at 1M claims).
        texts = values.tolist()
        decoded: dict[str, list] = {}
        for i in others.tolist():
            text = texts[i]
            if text is None or text != text:  # a missing value (None, or NaN from an object column)
                result[i] = None
                continue
            if text not in decoded:
                decoded[text] = json.loads(text)
            result[i] = list(decoded[text])
        return result
