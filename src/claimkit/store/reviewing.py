"""Reviewing claims: change one claim or many, undo a change, read the history.

A review change and its history events go in together, and only if the claim is still at the
version the change was based on. Nothing is ever deleted: undo is a new change that restores
the old values, recorded like any other.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from claimkit.store.backend import in_batches
from claimkit.store.base import StoreBase
from claimkit.store.changes import apply_change, check_content, lock_review, parse_change
from claimkit.store.errors import NothingToUndo
from claimkit.store.filters import ClaimFilter, claims_joined
from claimkit.store.schema import claims, history, reviews, utcnow
from claimkit.store.taxonomies import check_values

# The columns of store.history(), in order.
HISTORY_COLUMNS = ("event_id", "claim_id", "version", "field", "old", "new", "reviewer", "at",
                   "undoes")


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
        who = reviewer or self.reviewer

        def work(conn: Connection) -> int:
            check_values(conn, change.values)
            current = lock_review(conn, claim_id, expected_version)
            check_content(conn, claim_id, change.values)
            return apply_change(conn, current, change.apply_to(current), who, utcnow())
        return self._write(work)

    def bulk_review(self, where: Mapping[str, Any] | None = None, *,
                    claim_ids: Iterable[str] | None = None, status: str | None = None,
                    verdict: str | None = None, tags: Iterable[str] | None = None,
                    note: str | None = None, evidence: Iterable[str] | str | None = None,
                    reviewer: str | None = None, flagged: bool | None = None,
                    add_tags: Iterable[str] | None = None,
                    remove_tags: Iterable[str] | None = None) -> int:
        """Apply one change to every claim matching ``where`` (claims() filters) and/or
        ``claim_ids``, in one transaction; returns how many claims changed.

        Each changed claim gets a new version and its own history events.
        """
        if where is None and claim_ids is None:
            raise ValueError("bulk_review needs a filter (where=...) or claim_ids")
        condition = ClaimFilter.from_kwargs(dict(where or {}))
        if claim_ids is not None:
            ids = list(claim_ids)
            condition = ClaimFilter.from_kwargs({**dict(where or {}), "claim_id": ids})
        change = parse_change(status=status, verdict=verdict, tags=tags, note=note,
                              evidence=evidence, flagged=flagged, add_tags=add_tags,
                              remove_tags=remove_tags)
        who = reviewer or self.reviewer
        query = (select(claims.c.claim_id).select_from(claims_joined())
                 .where(condition.where()).order_by(claims.c.claim_id))

        def work(conn: Connection) -> int:
            check_values(conn, change.values)
            matched = list(conn.execute(query).scalars())
            now, changed = utcnow(), 0
            for batch in in_batches(matched):
                # Locked in claim_id order, so two bulk changes on PostgreSQL queue for each
                # other's rows instead of deadlocking.
                rows = conn.execute(select(reviews).where(reviews.c.claim_id.in_(batch))
                                    .order_by(reviews.c.claim_id).with_for_update()
                                    ).mappings().all()
                for current in rows:
                    diff = change.apply_to(current)
                    if diff:
                        apply_change(conn, current, diff, who, now)
                        changed += 1
            return changed
        return self._write(work)

    def undo(self, claim_id: str, reviewer: str | None = None, *,
             expected_version: int | None = None) -> int:
        """Revert the claim's latest change that is not yet undone, as a new change.

        Returns the new version; raises NothingToUndo when every change is already undone.
        """
        who = reviewer or self.reviewer

        def work(conn: Connection) -> int:
            current = lock_review(conn, claim_id, expected_version)
            events = conn.execute(select(history).where(history.c.claim_id == claim_id)
                                  .order_by(history.c.version.desc(), history.c.event_id)
                                  ).mappings().all()
            found = _latest_not_undone(events)
            if found is None:
                raise NothingToUndo(f"nothing to undo for claim {claim_id}")
            version, restore = found
            return apply_change(conn, current, restore, who, utcnow(), undoes=version,
                                always=True)
        return self._write(work)

    def history(self, claim_id: str | None = None, *, reviewer: str | None = None,
                since: datetime | None = None) -> pd.DataFrame:
        """Review events, oldest first: one row per field a change touched."""
        query = select(*(history.c[n] for n in HISTORY_COLUMNS)).order_by(history.c.event_id)
        if claim_id is not None:
            query = query.where(history.c.claim_id == claim_id)
        if reviewer is not None:
            query = query.where(history.c.reviewer == reviewer)
        if since is not None:
            query = query.where(history.c.at >= _naive_utc(since))
        rows = self._read(lambda conn: conn.execute(query).all())
        frame = pd.DataFrame.from_records(rows, columns=list(HISTORY_COLUMNS))
        for name in ("old", "new"):  # values of any field: keep None, lists and flags as they are
            frame[name] = pd.Series([r[HISTORY_COLUMNS.index(name)] for r in rows],
                                    dtype=object, index=frame.index)
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        frame["undoes"] = frame["undoes"].astype("Int64")
        return frame


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
