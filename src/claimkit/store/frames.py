"""Driver rows -> DataFrame columns, fast enough for 100k claims.

pandas' ``from_records`` infers every column's type value by value; here the schema already says
which columns are text, so rows are transposed once and text columns go straight into Arrow
string arrays (what pandas 3 uses for ``str``). Nullable columns stay object arrays with None,
as the driver gives them. The cyclic garbage collector is paused while the columns are built:
hundreds of thousands of new tuples and lists would otherwise trigger repeated full collections
over everything else the process holds, which costs more than the building itself.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa


@contextmanager
def gc_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def rows_to_frame(rows: Sequence[tuple], names: Sequence[str], text: set[str]) -> pd.DataFrame:
    """A DataFrame of raw values: ``text`` columns as pandas strings, the rest as objects."""
    with gc_paused():
        columns = list(zip(*rows)) if rows else [()] * len(names)
        strings = pa.table({n: pa.array(c, type=pa.string())
                            for n, c in zip(names, columns) if n in text}).to_pandas()
        data = {n: strings[n] if n in text else pd.Series(np.array(c, dtype=object), dtype=object)
                for n, c in zip(names, columns)}
        return pd.DataFrame(data, columns=list(names))
