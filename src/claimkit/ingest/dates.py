"""The one reader of ISO dates given by the user (corpus columns, front matter)."""
from __future__ import annotations

from datetime import date, datetime


def parse_date(value: object) -> date:
    """An ISO date or datetime ("2024-05-31", "2024-05-31T09:00:00Z") -> its calendar date.

    The date is taken as written (no conversion to UTC): it is the publication's own date.
    Raises ValueError for anything else.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    value = value.strip()
    if value.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read "Z"
        value = value[:-1] + "+00:00"
    return datetime.fromisoformat(value).date()
