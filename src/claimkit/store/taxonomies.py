"""The store's statuses and verdicts: read them, replace them, and check values against them.

A store keeps its own copy of each taxonomy (table ``taxonomy_values``), so every analyst of a
team works with the same values. Replacing one never strands a claim: values still in use must
be remapped, and each move is a review change with history.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from claimkit.store import schema
from claimkit.store.base import StoreBase
from claimkit.store.changes import apply_change
from claimkit.store.schema import reviews, settings, taxonomy_values, utcnow
from claimkit.taxonomy import Taxonomy, TaxonomyError, Value, load_taxonomy
from claimkit.workflow import (
    Workflow, WorkflowError, default_workflow, load_workflow, workflow_from_json, workflow_to_json,
)

KINDS = ("status", "verdict")


class Taxonomies(StoreBase):
    """The taxonomy part of a Store."""

    def taxonomy(self, kind: str) -> Taxonomy:
        """The store's statuses (``"status"``) or verdicts (``"verdict"``), in order."""
        check_kind(kind)

        def work(conn: Connection) -> Taxonomy:
            return stored_taxonomy(conn, kind)
        return self._read(work)

    def set_taxonomy(self, kind: str, taxonomy: Taxonomy | str, *,
                     remap: Mapping[str, str | None] | None = None,
                     reviewer: str | None = None) -> int:
        """Use another set of statuses or verdicts (a Taxonomy, a preset name or a file).

        Claims that use a value the new taxonomy lacks must be moved with ``remap``
        (``{"old": "new"}``; for verdicts ``None`` clears them); each move is a review change
        with history. Returns how many claims were moved. Raises TaxonomyError, changing
        nothing, when a value in use is not remapped.
        """
        check_kind(kind)
        new = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
        remap = {old: (target or None) for old, target in (remap or {}).items()}
        _check_remap(kind, new, remap)
        column = reviews.c[kind]
        who = self._who(reviewer)

        def work(conn: Connection) -> int:
            used = dict(conn.execute(select(column, func.count()).where(column.is_not(None))
                                     .group_by(column)).all())
            _refuse_stranded(kind, new, remap, used)
            moved, now = 0, utcnow()
            for old, target in remap.items():
                if old not in used or old == target:
                    continue
                rows = conn.execute(select(reviews).where(column == old)
                                    .order_by(reviews.c.claim_id).with_for_update()
                                    ).mappings().all()
                for current in rows:
                    apply_change(conn, current, {kind: target}, who, now)
                    moved += 1
            schema.seed_taxonomy(conn, kind, new)
            return moved
        return self._write(work)


    def workflow(self) -> Workflow:
        """The store's review workflow: allowed status moves, what a verdict implies
        (claimkit/workflow.py; the bundled default until ``set_workflow`` replaces it)."""
        return self._read(stored_workflow)

    def set_workflow(self, workflow: Workflow | str) -> Workflow:
        """Use another workflow (a Workflow, or a TOML file's path) for every review change
        from now on. Raises WorkflowError if it names a status the store does not have."""
        new = workflow if isinstance(workflow, Workflow) else load_workflow(workflow)

        def work(conn: Connection) -> Workflow:
            unknown = sorted(new.statuses() - set(stored_taxonomy(conn, "status").ids))
            if unknown:
                raise WorkflowError(f"workflow {new.name} names statuses this store does not "
                                    f"have: {', '.join(unknown)}")
            conn.execute(settings.delete().where(settings.c.key == WORKFLOW_KEY))
            conn.execute(settings.insert().values(key=WORKFLOW_KEY, value=workflow_to_json(new)))
            return new
        return self._write(work)


WORKFLOW_KEY = "workflow"


def stored_workflow(conn: Connection) -> Workflow:
    """The workflow the store keeps in its settings; the bundled default if none."""
    kept = conn.execute(select(settings.c.value).where(settings.c.key == WORKFLOW_KEY)).scalar()
    return workflow_from_json(kept) if kept else default_workflow()


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'status' or 'verdict', got {kind!r}")


def stored_taxonomy(conn: Connection, kind: str) -> Taxonomy:
    """The store's own copy of the statuses or verdicts."""
    rows = conn.execute(select(taxonomy_values).where(taxonomy_values.c.kind == kind)
                        .order_by(taxonomy_values.c.position)).mappings().all()
    name = conn.execute(select(settings.c.value)
                        .where(settings.c.key == f"{kind}_taxonomy")).scalar() or kind
    return Taxonomy(name, tuple(Value(r["id"], r["label"], r["rating"], r["colour"],
                                      r["description"]) for r in rows))


def check_values(conn: Connection, values: Mapping[str, Any]) -> None:
    """Raise ValueError if a review change sets a status or verdict the store does not have."""
    for kind in KINDS:
        value = values.get(kind)
        if value is None:
            continue
        known = conn.execute(select(taxonomy_values.c.id)
                             .where(taxonomy_values.c.kind == kind)
                             .where(taxonomy_values.c.id == value)).first()
        if known is None:
            ids = stored_taxonomy(conn, kind).ids
            raise ValueError(f"unknown {kind} {value!r}; this store's {kind} values are: "
                             f"{', '.join(ids)}")


def default_status(conn: Connection) -> str:
    """The status a newly stored claim starts with: the first of the store's statuses."""
    return conn.execute(select(taxonomy_values.c.id).where(taxonomy_values.c.kind == "status")
                        .order_by(taxonomy_values.c.position).limit(1)).scalar()


def _check_remap(kind: str, new: Taxonomy, remap: Mapping[str, str | None]) -> None:
    """Every remap target must be a value of the new taxonomy; a status cannot be cleared."""
    for old, target in remap.items():
        if target is None and kind == "status":
            raise TaxonomyError(f"status {old!r} must be remapped to a status")
        if target is not None and target not in new:
            raise TaxonomyError(f"remap target {target!r} is not a {kind} of {new.name}")


def _refuse_stranded(kind: str, new: Taxonomy, remap: Mapping[str, str | None],
                     used: Mapping[str, int]) -> None:
    """Raise TaxonomyError if a value claims use (``used``: value -> claims) would vanish."""
    stranded = {v: n for v, n in used.items() if v not in new and v not in remap}
    if stranded:
        listed = ", ".join(f"{n} claim{'s' if n != 1 else ''} with {kind} {v!r}"
                           for v, n in sorted(stranded.items()))
        raise TaxonomyError(
            f"{new.name} has no {', '.join(repr(v) for v in sorted(stranded))}, which "
            f"the store uses ({listed}); pass remap={{old: new}} to move them")
