"""Reviewing claims: change one claim or many, undo a change, read the history.

A review change and its history events go in together, and only if the claim is still at the
version the change was based on. Nothing is ever deleted: undo is a new change that restores
the old values, recorded like any other.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, DateTime, select

from claimkit.store.backend import in_batches
from claimkit.store.base import StoreBase
from claimkit.store.changes import (
    apply_change, check_content, lock_review, parse_change, reviewer_name,
)
from claimkit.store.errors import NothingToUndo, UnknownClaimError
from claimkit.store.filters import ClaimFilter, claims_joined, sort_order
from claimkit.store.frames import gc_paused
from claimkit.store.schema import claims, history, reviews, utcnow
from claimkit.store.taxonomies import check_values, stored_workflow
from claimkit.workflow import Workflow, WorkflowError

# The columns of store.history(), in order.
HISTORY_COLUMNS = ("event_id", "claim_id", "version", "field", "old", "new", "reviewer", "at",
                   "undoes")


class BulkResult(int):
    """How many claims a bulk change changed (the int), and how many it ``matched``;
    ``versions``: each changed claim's new version (what ``undo_many`` takes back)."""

    matched: int
    versions: dict[str, int]

    def __new__(cls, changed: int, *, matched: int,
                versions: dict[str, int] | None = None) -> BulkResult:
        result = super().__new__(cls, changed)
        result.matched = matched
        result.versions = dict(versions or {})
        return result

    @property
    def changed(self) -> int:
        return int(self)

    def __repr__(self) -> str:
        return f"BulkResult(changed={int(self)}, matched={self.matched})"


class Reviewing(StoreBase):
    """The review part of a Store."""

    def review(self, claim_id: str, *, status: str | None = None, verdict: str | None = None,
               tags: Iterable[str] | None = None, note: str | None = None,
               evidence: Iterable[str] | str | None = None, reviewer: str | None = None,
               flagged: bool | None = None, add_tags: Iterable[str] | None = None,
               remove_tags: Iterable[str] | None = None,
               corrected_speaker: str | None = None, not_a_claim: bool | None = None,
               corrected_cue_class: str | None = None, corrected_kind: str | None = None,
               corrected_content: str | None = None,
               expected_version: int | None = None) -> int:
        """Change a claim's review; returns its new version.

        Arguments left as None are unchanged; ``verdict=""`` clears the verdict. ``tags`` and
        ``evidence`` replace the lists; ``add_tags`` / ``remove_tags`` edit the tag list.
        ``corrected_speaker`` and ``not_a_claim`` fix the extraction as review data (the
        extracted claim is kept as it was); ``corrected_speaker=""`` clears the correction.
        ``corrected_cue_class`` (a class of ``taxonomy.cue_class_ids()``), ``corrected_kind``
        (direct, mixed, indirect, assertion) and ``corrected_content`` (the content trimmed to
        the part that is the claim: it must lie within the claim's text) likewise; ``""``
        clears each. ``store.claims()`` shows the corrected values (see ``Reading.claims``).
        With ``expected_version`` the change is made only if nobody changed the claim since
        that version; otherwise :class:`ConflictError` says what they set. A change that
        changes nothing returns the current version and records nothing.
        """
        change = parse_change(status=status, verdict=verdict, tags=tags, note=note,
                              evidence=evidence, flagged=flagged, add_tags=add_tags,
                              remove_tags=remove_tags, corrected_speaker=corrected_speaker,
                              not_a_claim=not_a_claim, corrected_cue_class=corrected_cue_class,
                              corrected_kind=corrected_kind, corrected_content=corrected_content)
        who = self._who(reviewer)

        def work(conn: Connection) -> int:
            check_values(conn, change.values)
            current = lock_review(conn, claim_id, expected_version)
            check_content(conn, claim_id, change.values)
            now = utcnow()
            diff = under_workflow(conn, stored_workflow(conn), current,
                                  change.apply_to(current), now)
            return apply_change(conn, current, diff, who, now)
        return self._write(work)

    def bulk_review(self, where: Mapping[str, Any] | None = None, *,
                    claim_ids: Iterable[str] | None = None, status: str | None = None,
                    verdict: str | None = None, tags: Iterable[str] | None = None,
                    note: str | None = None, evidence: Iterable[str] | str | None = None,
                    reviewer: str | None = None, flagged: bool | None = None,
                    add_tags: Iterable[str] | None = None,
                    remove_tags: Iterable[str] | None = None, assignee: str | None = None,
                    dry_run: bool = False) -> BulkResult:
        """Apply one change to every claim matching ``where`` (claims() filters) and/or
        ``claim_ids``, in one transaction; returns how many claims changed, as a
        :class:`BulkResult` (an int, with ``.matched``: how many claims the filter matched).

        Each changed claim gets a new version and its own history events. ``assignee`` puts
        the claims in a reviewer's queue (``""``: in nobody's). With ``dry_run`` nothing is
        written, and the result says how many claims would change.
        """
        if where is None and claim_ids is None:
            raise ValueError("bulk_review needs a filter (where=...) or claim_ids")
        condition = ClaimFilter.from_kwargs(dict(where or {}))
        if claim_ids is not None:
            ids = list(claim_ids)
            condition = ClaimFilter.from_kwargs({**dict(where or {}), "claim_id": ids})
        change = parse_change(status=status, verdict=verdict, tags=tags, note=note,
                              evidence=evidence, flagged=flagged, add_tags=add_tags,
                              remove_tags=remove_tags, assignee=assignee)
        who = self._who(reviewer)
        query = (select(claims.c.claim_id).select_from(claims_joined())
                 .where(condition.where()).order_by(claims.c.claim_id))

        def work(conn: Connection) -> BulkResult:
            check_values(conn, change.values)
            workflow = stored_workflow(conn)
            matched = list(conn.execute(query).scalars())
            now, changed, versions = utcnow(), 0, {}
            refused: dict[str, str] = {}
            for batch in in_batches(matched):
                # Locked in claim_id order, so two bulk changes on PostgreSQL queue for each
                # other's rows instead of deadlocking.
                rows = conn.execute(_reviews_locked(batch, lock=not dry_run)).mappings().all()
                for current in rows:
                    try:
                        diff = under_workflow(conn, workflow, current,
                                              change.apply_to(current), now)
                    except WorkflowError as exc:
                        refused[current["claim_id"]] = str(exc)
                        continue
                    if diff:
                        if not dry_run and not refused:
                            versions[current["claim_id"]] = apply_change(conn, current, diff,
                                                                         who, now)
                        changed += 1
            if refused:  # all or nothing: the transaction rolls back
                raise _bulk_refused(refused, len(matched))
            return BulkResult(changed, matched=len(matched), versions=versions)
        return self._read(work) if dry_run else self._write(work)

    def assign(self, claim_ids: Iterable[str] | str, reviewer: str | None, *,
               by: str | None = None) -> int:
        """Put these claims in ``reviewer``'s queue (None or ``""``: in nobody's), in one
        transaction; returns how many changed. Each change is a history event (field
        ``assignee``) recorded as made by ``by`` (default: the store's reviewer). Raises
        UnknownClaimError, changing nothing, if a claim is not in the store."""
        ids = [claim_ids] if isinstance(claim_ids, str) else list(dict.fromkeys(claim_ids))
        name = reviewer_name(reviewer, "reviewer")
        who = self._who(by)
        return self._write(lambda conn: _assign_in(conn, {i: name for i in ids}, who))

    def split_queue(self, reviewers: Sequence[str], *, by: str | None = None,
                    sort: str = "article", dry_run: bool = False,
                    **filters: Any) -> dict[str, list[str]]:
        """Share the claims matching ``filters`` (claims() filters) among ``reviewers``, dealt
        in turn in ``sort`` order (see ``review_queue``), so each gets as many as any other or
        one fewer; assigns them in one transaction (not with ``dry_run``) and returns each
        reviewer's claim ids. ``assignee=""`` shares out only the claims nobody has yet."""
        names = [reviewer_name(r, "reviewer") for r in reviewers]
        if not names or any(n is None for n in names):
            raise ValueError("split_queue needs one or more reviewers, none of them empty")
        if len(set(names)) != len(names):
            raise ValueError("split_queue: a reviewer is named twice")
        where = ClaimFilter.from_kwargs(filters).where()
        query = (select(claims.c.claim_id).select_from(claims_joined()).where(where)
                 .order_by(*sort_order(sort)))
        who = self._who(by)

        def work(conn: Connection) -> dict[str, list[str]]:
            ids = list(conn.execute(query).scalars())
            shares = {n: ids[i::len(names)] for i, n in enumerate(names)}
            if not dry_run:
                _assign_in(conn, {i: n for n, share in shares.items() for i in share}, who)
            return shares
        return self._read(work) if dry_run else self._write(work)

    def undo(self, claim_id: str, reviewer: str | None = None, *,
             expected_version: int | None = None) -> int:
        """Revert the claim's latest change that is not yet undone, as a new change.

        Returns the new version; raises NothingToUndo when every change is already undone.
        """
        who = self._who(reviewer)
        return self._write(lambda conn: _undo_in(conn, claim_id, expected_version, who,
                                                 utcnow()))

    def undo_many(self, versions: Mapping[str, int],
                  reviewer: str | None = None) -> dict[str, int]:
        """Undo a bulk change as one step: for each claim, the change that made it
        ``versions[claim_id]`` (``BulkResult.versions``), all in one transaction. If any of
        them changed since, ConflictError says what and nothing is undone. Returns each
        claim's new version."""
        who = self._who(reviewer)

        def work(conn: Connection) -> dict[str, int]:
            now = utcnow()
            return {claim_id: _undo_in(conn, claim_id, versions[claim_id], who, now)
                    for claim_id in sorted(versions)}  # lock order, as bulk_review
        return self._write(work)

    def last_change(self, reviewer: str) -> dict[str, Any] | None:
        """The reviewer's most recent history event (``claim_id``, ``version``, ``field``,
        ``at``), None if they have none: where a reviewer coming back left off. Reads only."""
        query = (select(history.c.claim_id, history.c.version, history.c.field, history.c.at)
                 .where(history.c.reviewer == reviewer).order_by(history.c.event_id.desc())
                 .limit(1))
        row = self._read(lambda conn: conn.execute(query).mappings().first())
        return dict(row) if row is not None else None

    def history(self, claim_id: str | None = None, *, reviewer: str | None = None,
                since: datetime | None = None, field: str | None = None) -> pd.DataFrame:
        """Review events, oldest first: one row per field a change touched (``field``: only
        that field's, e.g. the status moves the review-progress chart replays)."""
        query = select(*(history.c[n] for n in HISTORY_COLUMNS)).order_by(history.c.event_id)
        if claim_id is not None:
            query = query.where(history.c.claim_id == claim_id)
        if field is not None:
            query = query.where(history.c.field == field)
        if reviewer is not None:
            query = query.where(history.c.reviewer == reviewer)
        if since is not None:
            query = query.where(history.c.at >= _naive_utc(since))
        # The driver's rows, a column at a time: a chart set reads every event (a bulk review
        # of 50k claims is 100k of them), and SQLAlchemy's per-value JSON decoding cost seconds.
        rows = self._read(lambda conn: conn.execute(query).cursor.fetchall())
        with gc_paused():
            columns = dict(zip(HISTORY_COLUMNS, zip(*rows))) if rows else {
                n: () for n in HISTORY_COLUMNS}
            frame = pd.DataFrame({
                "event_id": np.array(columns["event_id"], dtype="int64"),
                "claim_id": pd.array(list(columns["claim_id"]), dtype="str"),
                "version": np.array(columns["version"], dtype="int64"),
                "field": pd.array(list(columns["field"]), dtype="str"),
                # values of any field: None, lists and flags kept as they are
                "old": pd.Series(_decoded(columns["old"]), dtype=object),
                "new": pd.Series(_decoded(columns["new"]), dtype=object),
                "reviewer": pd.array(list(columns["reviewer"]), dtype="str"),
                "at": pd.to_datetime(pd.Series(columns["at"], dtype=object), utc=True),
                "undoes": pd.array(list(columns["undoes"]), dtype="Int64"),
            }, columns=list(HISTORY_COLUMNS))
        return frame


def under_workflow(conn: Connection, workflow: Workflow, current: Mapping[str, Any],
                   diff: dict[str, Any], now: datetime) -> dict[str, Any]:
    """``diff`` as the workflow resolves it (raising WorkflowError if it forbids it), with a
    status it implies checked against the store's statuses, and the claim's first arrival in
    the published status stamped as ``published_at``."""
    if not diff:
        return diff
    resolved = workflow.resolve(current, diff)
    if resolved.get("status") != diff.get("status"):
        check_values(conn, {"status": resolved["status"]})
    if (workflow.published_status is not None and current["published_at"] is None
            and resolved.get("status") == workflow.published_status):
        resolved["published_at"] = now
    return resolved


def _bulk_refused(refused: Mapping[str, str], matched: int) -> WorkflowError:
    reasons: dict[str, int] = {}
    for reason in refused.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    listed = "; ".join(f"{n} × {reason}" for reason, n in sorted(reasons.items()))
    return WorkflowError(f"{len(refused)} of the {matched} matching claims cannot take this "
                         f"change ({listed}); nothing was changed")


def _decoded(texts: Sequence[str | None]) -> list[Any]:
    """History values from their JSON text, each distinct text parsed once (most events repeat
    a handful of statuses and verdicts); every list gets its own copy."""
    parsed: dict[str, Any] = {}
    out: list[Any] = []
    for text in texts:
        if text is None:
            out.append(None)
            continue
        if text not in parsed:
            parsed[text] = json.loads(text)
        value = parsed[text]
        out.append(list(value) if isinstance(value, list) else value)
    return out


def _reviews_locked(claim_ids: Sequence[str], *, lock: bool = True):
    """The review rows of these claims in claim_id order, locked FOR UPDATE unless not ``lock``."""
    query = select(reviews).where(reviews.c.claim_id.in_(claim_ids)).order_by(reviews.c.claim_id)
    return query.with_for_update() if lock else query


def _assign_in(conn: Connection, assignees: Mapping[str, str | None], who: str) -> int:
    """Set each claim's assignee (claim id -> name or None) in the caller's transaction, one
    history event per claim that changes; returns how many changed. Raises
    UnknownClaimError for a claim that is not stored."""
    now, changed = utcnow(), 0
    for batch in in_batches(sorted(assignees)):
        rows = conn.execute(_reviews_locked(batch)).mappings().all()
        if len(rows) != len(batch):
            found = {r["claim_id"] for r in rows}
            raise UnknownClaimError(next(i for i in batch if i not in found))
        for current in rows:
            name = assignees[current["claim_id"]]
            if current["assignee"] != name:
                apply_change(conn, current, {"assignee": name}, who, now)
                changed += 1
    return changed


def _undo_in(conn: Connection, claim_id: str, expected_version: int | None, who: str,
             now: datetime) -> int:
    """Undo the claim's latest change not yet undone, in the caller's transaction."""
    current = lock_review(conn, claim_id, expected_version)
    events = conn.execute(select(history).where(history.c.claim_id == claim_id)
                          .order_by(history.c.version.desc(), history.c.event_id)
                          ).mappings().all()
    found = _latest_not_undone(events)
    if found is None:
        raise NothingToUndo(f"nothing to undo for claim {claim_id}")
    version, restore = found
    restore = {name: _as_stored(name, value) for name, value in restore.items()}
    return apply_change(conn, current, restore, who, now, undoes=version, always=True)


def _as_stored(field: str, value: Any) -> Any:
    """A value from a history event (JSON) as its review column keeps it: times come back
    from ISO text."""
    if isinstance(value, str) and isinstance(reviews.c[field].type, DateTime):
        return datetime.fromisoformat(value)
    return value


def _latest_not_undone(events: Sequence[Mapping[str, Any]]) -> tuple[int, dict] | None:
    """The newest change that no later undo reverted, as (its version, the values it replaced);
    ``events`` are the claim's history, newest version first. An undo is itself a change that
    marks the version it reverted, so undoing twice walks further back."""
    by_version: dict[int, list] = {}
    for e in events:
        by_version.setdefault(e["version"], []).append(e)
    undone: set[int] = set()
    for version, group in by_version.items():  # newest first
        if group[0]["undoes"] is not None:
            undone.add(group[0]["undoes"])
        elif version not in undone:
            return version, {e["field"]: e["old"] for e in group}
    return None


def _naive_utc(moment: datetime) -> datetime:
    """``moment`` as the store keeps times: UTC without a time zone."""
    if moment.tzinfo is None:
        return moment
    return pd.Timestamp(moment).tz_convert("UTC").tz_localize(None).to_pydatetime()
