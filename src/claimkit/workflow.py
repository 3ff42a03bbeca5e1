"""The review workflow as data (docs/architecture.md §5): which status changes are allowed and
what a verdict implies, read from a TOML file (the default: ``data/taxonomies/workflow.toml``).

The store applies :meth:`Workflow.resolve` to every review change before writing it, so the
rules hold for the Python API, the bulk command and the review app alike; the app asks
:meth:`Workflow.next_statuses` which buttons to offer. Undo is exempt: it restores a state the
claim really had.
"""
from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_WORKFLOW = "workflow"


class WorkflowError(ValueError):
    """A review change the workflow does not allow; the message says what would be."""


@dataclass(frozen=True)
class Workflow:
    name: str = "default"
    # status -> the statuses a claim in it may move to; a status not listed moves freely
    transitions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    verdict_required_in: frozenset[str] = frozenset()
    verdict_moves: Mapping[str, str] = field(default_factory=dict)
    verdict_frozen_in: frozenset[str] = frozenset()
    published_status: str | None = None
    exported_statuses: tuple[str, ...] = ()

    def statuses(self) -> set[str]:
        """Every status the rules name."""
        named = set(self.transitions) | {s for to in self.transitions.values() for s in to}
        named |= self.verdict_required_in | self.verdict_frozen_in | set(self.verdict_moves)
        named |= set(self.verdict_moves.values()) | set(self.exported_statuses)
        return named | ({self.published_status} if self.published_status else set())

    def may_move(self, current: str, new: str) -> bool:
        return current == new or current not in self.transitions \
            or new in self.transitions[current]

    def next_statuses(self, current: str, all_statuses: list[str],
                      has_verdict: bool) -> list[str]:
        """The statuses a claim in ``current`` may be given now (``current`` included), in
        the taxonomy's order: allowed moves whose verdict requirement holds."""
        return [s for s in all_statuses
                if self.may_move(current, s)
                and (has_verdict or s not in self.verdict_required_in or s == current)]

    def resolve(self, current: Mapping[str, Any], diff: dict[str, Any]) -> dict[str, Any]:
        """The change ``diff`` (field -> new value) to a review row ``current``, with what the
        rules imply added (a verdict moving the status on); raises WorkflowError if the rules
        forbid it."""
        out = dict(diff)
        status_now = current["status"]
        if "verdict" in out and "status" not in out and out["verdict"] is not None:
            moved = self.verdict_moves.get(status_now)
            if moved is not None:
                out["status"] = moved
        status = out.get("status", status_now)
        verdict = out.get("verdict", current["verdict"])
        if "status" in out and not self.may_move(status_now, status):
            allowed = ", ".join(self.transitions[status_now]) or "nothing"
            raise WorkflowError(f"a claim cannot move from {status_now} to {status}; "
                                f"from {status_now} it may move to {allowed}")
        if "verdict" in out and status_now in self.verdict_frozen_in and status == status_now:
            reopen = ", ".join(s for s in self.transitions.get(status_now, ())) or "another status"
            raise WorkflowError(f"the verdict of a {status_now} claim is frozen; move it to "
                                f"{reopen} first")
        if status in self.verdict_required_in and verdict is None:
            raise WorkflowError(f"a claim needs a verdict to be {status}")
        return out


@lru_cache(maxsize=1)
def default_workflow() -> Workflow:
    """The bundled default (read once per process)."""
    return load_workflow(DEFAULT_WORKFLOW)


def load_workflow(name_or_path: str | Path = DEFAULT_WORKFLOW) -> Workflow:
    """A bundled workflow by name (``"workflow"``, the default) or a TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise WorkflowError(f"cannot read workflow {path}: {exc.strerror or exc}") from None
        where = str(path)
    else:
        resource = resources.files("claimkit") / "data" / "taxonomies" / f"{name_or_path}.toml"
        if not resource.is_file():
            raise WorkflowError(f"unknown workflow {name_or_path!r}; give a .toml path")
        text, where = resource.read_text(encoding="utf-8"), str(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowError(f"workflow {where} is not valid TOML: {exc}") from None
    return workflow_from_dict(data, where=where)


def workflow_from_dict(data: Mapping[str, Any], where: str = "") -> Workflow:
    """A Workflow from its TOML / JSON form; raises WorkflowError naming what is wrong."""
    def ids(value: Any, what: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise WorkflowError(f"workflow {where}: {what} must be a list of status ids")
        return tuple(value)

    transitions = data.get("transitions", {})
    verdict = data.get("verdict", {})
    publication = data.get("publication", {})
    for part, value in (("transitions", transitions), ("verdict", verdict),
                        ("publication", publication)):
        if not isinstance(value, Mapping):
            raise WorkflowError(f"workflow {where}: [{part}] must be a table")
    moves = verdict.get("moves", {})
    if not isinstance(moves, Mapping) or not all(isinstance(v, str) for v in moves.values()):
        raise WorkflowError(f"workflow {where}: verdict.moves must map statuses to a status")
    published = publication.get("status")
    if published is not None and not isinstance(published, str):
        raise WorkflowError(f"workflow {where}: publication.status must be a status id")
    return Workflow(
        name=str(data.get("name", where or "custom")),
        transitions={str(k): ids(v, f"transitions.{k}") for k, v in transitions.items()},
        verdict_required_in=frozenset(ids(verdict.get("required_in", []),
                                          "verdict.required_in")),
        verdict_moves=dict(moves),
        verdict_frozen_in=frozenset(ids(verdict.get("frozen_in", []), "verdict.frozen_in")),
        published_status=published,
        exported_statuses=ids(publication.get("exported", []), "publication.exported"),
    )


def workflow_to_json(workflow: Workflow) -> str:
    """The form the store keeps (its settings table), read back by :func:`workflow_from_json`."""
    return json.dumps({
        "name": workflow.name,
        "transitions": {k: list(v) for k, v in workflow.transitions.items()},
        "verdict": {"required_in": sorted(workflow.verdict_required_in),
                    "moves": dict(workflow.verdict_moves),
                    "frozen_in": sorted(workflow.verdict_frozen_in)},
        "publication": {"status": workflow.published_status,
                        "exported": list(workflow.exported_statuses)},
    }, sort_keys=True)


def workflow_from_json(text: str) -> Workflow:
    return workflow_from_dict(json.loads(text), where="(stored)")
