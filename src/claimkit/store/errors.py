"""What the store raises about claims and their reviews (the backend's own errors, StoreError
and StoreBusyError, are in store/backend.py)."""
from __future__ import annotations

from typing import Any


class ConflictError(Exception):
    """A review change was based on a version of the claim that someone else has since changed.

    ``changes`` lists what happened after ``expected_version``: dicts with version, reviewer,
    at, field, old, new.
    """

    def __init__(self, claim_id: str, expected_version: int, current_version: int,
                 changes: list[dict]) -> None:
        self.claim_id = claim_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.changes = changes
        super().__init__(_conflict_message(claim_id, expected_version, current_version, changes))


class UnknownClaimError(KeyError):
    def __str__(self) -> str:
        return f"no claim {self.args[0]!r} in the store"


class NothingToUndo(Exception):
    pass


def _conflict_message(claim_id: str, expected: int, current: int, changes: list[dict]) -> str:
    """Who changed what since ``expected``, so the analyst can redo their change knowingly."""
    by_version: dict[int, list[dict]] = {}
    for change in changes:
        by_version.setdefault(change["version"], []).append(change)
    described = []
    for version, group in by_version.items():
        who = group[0]["reviewer"] or "someone"
        when = group[0]["at"].strftime("%Y-%m-%d %H:%M UTC") if group[0]["at"] else ""
        fields = ", ".join(f"{c['field']} to {_shown(c['new'])}" for c in group)
        described.append(f"{who} set {fields} (version {version}, {when})")
    what = "; ".join(described) if described else "it changed"
    return (f"claim {claim_id} was changed after version {expected} (it is now at version "
            f"{current}): {what}. Your change was not saved; look at the claim again and "
            f"redo it on version {current}.")


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"
