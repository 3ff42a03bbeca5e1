"""One review change: validated, checked against the version it was based on, and written with
its history events in the caller's transaction.

Reviews (``review``, ``bulk_review``, ``undo``) and taxonomy remaps (``set_taxonomy``) all change
claims through :func:`apply_change`, so every change gets a new version and its history alike.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from claimkit.model import Kind
from claimkit.store.errors import ConflictError, UnknownClaimError
from claimkit.store.speakers import corrected_speaker_id
from claimkit.store.schema import claims, history, reviews
from claimkit.taxonomy import cue_class_ids

CLAIM_KINDS = tuple(k.value for k in Kind)


@dataclass
class Change:
    """A requested review change, validated; tags may be set whole or added / removed."""

    values: dict[str, Any] = field(default_factory=dict)
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)

    def apply_to(self, current: Mapping[str, Any]) -> dict[str, Any]:
        """The new values of the fields that actually change."""
        new = dict(self.values)
        if self.add_tags or self.remove_tags:
            tags = list(new.get("tags", current["tags"]))
            tags += [t for t in self.add_tags if t not in tags]
            new["tags"] = [t for t in tags if t not in self.remove_tags]
        return {k: v for k, v in new.items() if current[k] != v}


def parse_change(*, status: str | None, verdict: str | None, tags: Iterable[str] | None,
                 note: str | None, evidence: Iterable[str] | str | None, flagged: bool | None,
                 add_tags: Iterable[str] | None, remove_tags: Iterable[str] | None,
                 corrected_speaker: str | None = None,
                 not_a_claim: bool | None = None, corrected_cue_class: str | None = None,
                 corrected_kind: str | None = None,
                 corrected_content: str | None = None, assignee: str | None = None) -> Change:
    """The arguments of ``Store.review`` as a Change; None leaves a field as it is.

    Raises TypeError / ValueError for a value the store would not keep. Whether a status or
    verdict exists is the store's taxonomy's to say (taxonomies.check_values), inside the
    transaction.
    """
    change = Change()
    if status is not None:
        change.values["status"] = _value_id(status, "status")
    if verdict is not None:
        change.values["verdict"] = _value_id(verdict, "verdict") if verdict else None
    if tags is not None:
        change.values["tags"] = _tags(tags)
    if note is not None:
        if not isinstance(note, str):
            raise TypeError(f"note must be text, got {type(note).__name__}")
        change.values["note"] = note
    if evidence is not None:
        change.values["evidence"] = _evidence(evidence)
    if flagged is not None:
        change.values["flagged"] = bool(flagged)
    if corrected_speaker is not None:
        if not isinstance(corrected_speaker, str):
            raise TypeError(f"corrected_speaker must be text, got "
                            f"{type(corrected_speaker).__name__}")
        change.values["corrected_speaker"] = " ".join(corrected_speaker.split()) or None
    if not_a_claim is not None:
        change.values["not_a_claim"] = bool(not_a_claim)
    if corrected_kind is not None:
        kind = _text(corrected_kind, "corrected_kind").strip().lower() or None
        if kind is not None and kind not in CLAIM_KINDS:
            raise ValueError(f"corrected_kind must be one of {', '.join(CLAIM_KINDS)}, "
                             f"got {kind!r}")
        change.values["corrected_kind"] = kind
    if corrected_cue_class is not None:
        cue_class = _text(corrected_cue_class, "corrected_cue_class").strip().lower() or None
        if cue_class is not None and cue_class not in cue_class_ids():
            raise ValueError(f"corrected_cue_class must be one of "
                             f"{', '.join(cue_class_ids())}, got {cue_class!r}")
        change.values["corrected_cue_class"] = cue_class
    if corrected_content is not None:
        # Checked against the claim's text in the transaction (check_content).
        change.values["corrected_content"] = (
            " ".join(_text(corrected_content, "corrected_content").split()) or None)
    if assignee is not None:
        change.values["assignee"] = reviewer_name(assignee, "assignee")
    change.add_tags = _tags(add_tags or [])
    change.remove_tags = _tags(remove_tags or [])
    if not change.values and not change.add_tags and not change.remove_tags:
        raise ValueError("nothing to change: give status, verdict, tags, note, evidence, "
                         "flagged, corrected_speaker, not_a_claim, corrected_cue_class, "
                         "corrected_kind, corrected_content or assignee")
    return change


def check_content(conn: Connection, claim_id: str, values: Mapping[str, Any]) -> None:
    """A trimmed content must lie within the claim's extracted content (its text, compared
    with runs of whitespace as one space). Raises ValueError, or UnknownClaimError."""
    trimmed = values.get("corrected_content")
    if trimmed is None:
        return
    text = conn.execute(select(claims.c.text).where(claims.c.claim_id == claim_id)).scalar()
    if text is None:
        raise UnknownClaimError(claim_id)
    if trimmed not in " ".join(text.split()):
        raise ValueError(f"corrected_content must be part of the claim's content text; "
                         f"{_short(trimmed)!r} is not in {_short(text)!r}")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text, got {type(value).__name__}")
    return value


def lock_review(conn: Connection, claim_id: str,
                expected_version: int | None) -> Mapping[str, Any]:
    """The claim's review row, locked until the transaction ends (FOR UPDATE on PostgreSQL;
    SQLite's write transaction holds the whole file). Raises UnknownClaimError, or
    ConflictError when ``expected_version`` is given and the claim has moved on."""
    current = conn.execute(select(reviews).where(reviews.c.claim_id == claim_id)
                           .with_for_update()).mappings().first()
    if current is None:
        raise UnknownClaimError(claim_id)
    if expected_version is not None and current["version"] != expected_version:
        raise _conflict(conn, claim_id, expected_version, current["version"])
    return current


def apply_change(conn: Connection, current: Mapping[str, Any], diff: dict[str, Any], who: str,
                 now: datetime, undoes: int | None = None, always: bool = False) -> int:
    """Write one change (already validated, ``current`` locked) and its history events;
    returns the claim's new version. An empty ``diff`` writes nothing unless ``always``."""
    if not diff and not always:
        return current["version"]
    version = current["version"] + 1
    derived = {}
    if "corrected_speaker" in diff:  # the speaker entity follows the name (no history of its own)
        derived["corrected_speaker_id"] = corrected_speaker_id(
            conn, current["claim_id"], diff["corrected_speaker"])
    done = conn.execute(
        update(reviews)
        .where(reviews.c.claim_id == current["claim_id"])
        .where(reviews.c.version == current["version"])
        .values(**diff, **derived, reviewer=who, updated_at=now, version=version))
    if done.rowcount != 1:  # cannot happen under the row lock; never write blind
        raise _conflict(conn, current["claim_id"], current["version"], None)
    conn.execute(insert(history), [
        {"claim_id": current["claim_id"], "version": version, "field": name,
         "old": current[name], "new": value, "reviewer": who, "at": now, "undoes": undoes}
        for name, value in diff.items()])
    return version


def _conflict(conn: Connection, claim_id: str, expected: int,
              current: int | None) -> ConflictError:
    """A ConflictError that lists what was changed after version ``expected``."""
    if current is None:
        current = conn.execute(select(reviews.c.version)
                               .where(reviews.c.claim_id == claim_id)).scalar() or expected
    events = conn.execute(select(history.c.version, history.c.reviewer, history.c.at,
                                 history.c.field, history.c.old, history.c.new)
                          .where(history.c.claim_id == claim_id)
                          .where(history.c.version > expected)
                          .order_by(history.c.version, history.c.event_id)).mappings().all()
    return ConflictError(claim_id, expected, current, [dict(e) for e in events])


def reviewer_name(name: object, what: str = "reviewer") -> str | None:
    """A reviewer's name as stored: whitespace squeezed; "" (or None) becomes None."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise TypeError(f"{what} must be text, got {type(name).__name__}")
    return " ".join(name.split()) or None


def _value_id(value: object, kind: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{kind} must be text, got {type(value).__name__}")
    return value.strip()


def _tags(tags: Iterable[str] | str) -> list[str]:
    if isinstance(tags, str):
        tags = [tags]
    out: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise TypeError(f"a tag must be text, got {type(tag).__name__}")
        tag = " ".join(tag.split())
        if not tag:
            raise ValueError("empty tag")
        if tag not in out:
            out.append(tag)
    return out


def _evidence(evidence: Iterable[str] | str) -> list[str]:
    if isinstance(evidence, str):
        evidence = [evidence]
    out: list[str] = []
    for url in evidence:
        url = str(url).strip()
        parts = urlsplit(url)
        # Evidence ends up as links in reports and the review app: only web addresses.
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"evidence must be http(s) URLs, got {url!r}")
        if url not in out:
            out.append(url)
    return out
