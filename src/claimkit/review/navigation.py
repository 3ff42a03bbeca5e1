"""The review app's state without widgets: the queue of claims, the keys, the filters.

The queue holds only claim ids (and whether each is decided), so paging through 100k claims
costs one small query when the filters change; a claim's details are read when it is shown.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


def _read_key_map() -> dict[str, tuple[str, str]]:
    """``data/review_keys.tsv``: key -> (action, what it does), the keys that do the same thing
    whatever the taxonomy."""
    text = resources.files("claimkit").joinpath("data", "review_keys.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines()[1:] if line.strip()]
    return {key: (action, what) for key, action, what in rows}


KEY_MAP = _read_key_map()
FIXED_KEYS = {key: action for key, (action, _) in KEY_MAP.items()}
# "1".."9" pick verdicts in taxonomy order; with Shift, statuses (read from the key's position,
# event.code "Digit1", so the layout's shifted symbol does not matter).
VERDICT_KEYS = "123456789"
STATUS_PREFIX = "shift+"
# Where a key is typing, not a command (ipyevents reports the event target's tag).
TYPING_TAGS = frozenset({"INPUT", "TEXTAREA", "SELECT"})

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
    def from_frame(cls, frame: Any) -> Queue:
        """From ``store.review_queue``'s frame (claim_id, verdict, not_a_claim), a column at a
        time: a million claims in a fraction of a second."""
        ids = frame["claim_id"].tolist()
        verdict = frame["verdict"]
        decided = (verdict.notna() & (verdict.astype(object) != "")) | frame["not_a_claim"]
        queue = cls(ids, set(frame["claim_id"][decided.to_numpy(dtype=bool)].tolist()))
        queue.position = queue.first_undecided()
        return queue

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
        if not self.decided:
            return 0
        return next((i for i, cid in enumerate(self.ids) if cid not in self.decided), 0)

    def resume_at(self, claim_id: str | None) -> None:
        """Where a reviewer coming back picks up after their latest change was to
        ``claim_id``: that claim while it is undecided, else the next undecided one after it in
        this order (wrapping round), else the claim itself; the first undecided claim when
        ``claim_id`` is None or not in this queue."""
        if claim_id is None or claim_id not in self.ids:
            return
        at = self.ids.index(claim_id)
        after = self.ids[at:] + self.ids[:at]
        found = next((cid for cid in after if cid not in self.decided), claim_id)
        self.position = self.ids.index(found)

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


def key_actions(verdict_ids: Sequence[str], status_ids: Sequence[str] = ()
                ) -> dict[str, tuple[str, str | None]]:
    """Key -> (action, argument): ``("verdict", id)`` for 1–9, ``("status", id)`` for
    shift+1–9, then the fixed keys of ``data/review_keys.tsv``."""
    actions: dict[str, tuple[str, str | None]] = {
        key: ("verdict", verdict) for key, verdict in zip(VERDICT_KEYS, verdict_ids)}
    actions.update({STATUS_PREFIX + key: ("status", status)
                    for key, status in zip(VERDICT_KEYS, status_ids)})
    actions.update({key: (action, None) for key, action in FIXED_KEYS.items()})
    return actions


def key_name(event: Mapping[str, Any]) -> str | None:
    """The key of an ipyevents ``keydown`` as the key map spells it ("j", "shift+2",
    "ArrowDown", "?"), or None when it is not a command: typed into a text box, held with
    Ctrl/Alt/Meta (the browser's and JupyterLab's shortcuts), or a modifier alone."""
    target = event.get("target") or {}
    if str(target.get("tagName", "")).upper() in TYPING_TAGS:
        return None
    if event.get("ctrlKey") or event.get("altKey") or event.get("metaKey"):
        return None
    key, code = str(event.get("key") or ""), str(event.get("code") or "")
    if key in ("Shift", "Control", "Alt", "Meta", ""):
        return None
    if code.startswith("Digit") and len(code) == 6:
        return (STATUS_PREFIX if event.get("shiftKey") else "") + code[-1]
    return key.lower() if len(key) == 1 else key


def key_help(actions: Mapping[str, tuple[str, str | None]], labels: Mapping[tuple, str]
             ) -> list[tuple[str, str]]:
    """The key map for the help panel, in the map's order: (keys, what they do), keys that do
    the same thing joined ("j / ArrowDown / ArrowRight"). ``labels``: (action, argument) ->
    label for verdicts and statuses; fixed keys use the TSV's text."""
    grouped: dict[tuple, list[str]] = {}
    for key, action in actions.items():
        grouped.setdefault(action, []).append(key)
    rows = []
    for action, keys in grouped.items():
        what = labels.get(action) or KEY_MAP.get(keys[0], ("", action[0]))[1]
        rows.append((" / ".join(keys), what))
    return rows


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
