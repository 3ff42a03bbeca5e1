"""The review app's state without widgets: the queue of claims, the keys, the filters.

The queue holds only claim ids (and whether each is decided), so paging through 100k claims
costs one small query when the filters change; a claim's details are read when it is shown.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Keys that do the same thing whatever the taxonomy; "1".."9" pick verdicts in taxonomy order.
FIXED_KEYS = {"j": "next", "k": "previous", "u": "undo", "f": "flag"}
VERDICT_KEYS = "123456789"

# Filters the app shows as widgets; any other store filter given to ReviewApp stays fixed.
UI_FILTERS = ("status", "verdict", "tag", "speaker", "outlet", "kind", "search", "flagged")
ANY = ""  # the "all" choice of a dropdown filter
NO_VERDICT = "(none)"


def is_decided(verdict: Any, not_a_claim: Any) -> bool:
    """Reviewed, for the progress bar: a verdict is set, or it was marked not a claim."""
    return (isinstance(verdict, str) and verdict != "") or bool(not_a_claim)


@dataclass
class Queue:
    """The claims of the current filter, in order, and where the reviewer is in them."""

    ids: list[str] = field(default_factory=list)
    decided: set[str] = field(default_factory=set)
    position: int = 0

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, Any, Any]]) -> Queue:
        ids, decided = [], set()
        for claim_id, verdict, not_a_claim in rows:
            ids.append(claim_id)
            if is_decided(verdict, not_a_claim):
                decided.add(claim_id)
        queue = cls(ids, decided)
        queue.position = queue.first_undecided()
        return queue

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def current(self) -> str | None:
        return self.ids[self.position] if self.ids else None

    def first_undecided(self) -> int:
        """Where a reviewer coming back picks up: the first claim without a decision."""
        return next((i for i, cid in enumerate(self.ids) if cid not in self.decided), 0)

    def next(self) -> bool:
        """Move on; False (staying put) at the end."""
        if self.position + 1 < len(self.ids):
            self.position += 1
            return True
        return False

    def previous(self) -> bool:
        if self.position > 0:
            self.position -= 1
            return True
        return False

    def go_to(self, claim_id: str) -> bool:
        """Move to a claim if it is in the queue."""
        try:
            self.position = self.ids.index(claim_id)
        except ValueError:
            return False
        return True

    def mark(self, claim_id: str, decided: bool) -> None:
        if claim_id not in self.ids:
            return
        if decided:
            self.decided.add(claim_id)
        else:
            self.decided.discard(claim_id)

    @property
    def progress(self) -> tuple[int, int]:
        """(decided, total) in this queue."""
        return len(self.decided), len(self.ids)


def key_actions(verdict_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """Key -> (action, argument): ``("verdict", id)`` for 1–9, then the fixed keys."""
    actions: dict[str, tuple[str, str | None]] = {
        key: ("verdict", verdict) for key, verdict in zip(VERDICT_KEYS, verdict_ids)}
    actions.update({key: (action, None) for key, action in FIXED_KEYS.items()})
    return actions


def key_for(action: str, argument: str | None, actions: Mapping[str, tuple]) -> str | None:
    return next((k for k, a in actions.items() if a == (action, argument)), None)


def store_filters(fixed: Mapping[str, Any], chosen: Mapping[str, Any],
                  unreviewed_only: bool) -> dict[str, Any]:
    """The ``store.review_queue`` filters for the fixed ones plus what the widgets say.

    Empty choices mean "any"; the verdict "(none)" means claims without one; "unreviewed only"
    means no verdict and not marked "not a claim".
    """
    filters = dict(fixed)
    for name, value in chosen.items():
        if value in (None, ANY, False) or (isinstance(value, str) and not value.strip()):
            continue
        if name == "verdict" and value == NO_VERDICT:
            filters["has_verdict"] = False
        elif isinstance(value, str):
            filters[name] = value.strip()
        else:
            filters[name] = value
    if unreviewed_only:
        filters["has_verdict"] = False
        filters["not_a_claim"] = False
    return filters


def describe_filters(filters: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in filters.items())
