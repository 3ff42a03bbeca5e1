"""Speakers across articles: the store's side of claimkit/speakers.py.

Claims are linked to speakers when their article is stored (``link_claims``, in the article's
transaction) and when a reviewer corrects a speaker (``corrected_speaker_id``, from
store/changes.py). Analysts merge, rename and split speakers (the ``Speakers`` mixin); each
change is a ``speaker_events`` row, and the aliases it touches are marked ``by_analyst`` so a
re-extraction resolves to the speaker the analyst made.

A merge only points the merged speaker at the kept one (``merged_into``) and moves its aliases:
claims keep the id they were linked to, and reads follow the pointer (``speaker_map``). So
merges and renames touch no claim, and the snapshot beside a SQLite store stays valid; a split
moves claims and marks the extraction changed.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, func, insert, select, update

from claimkit.speakers import (
    ORGANIZATION, PERSON, SPEAKER_TYPES, Known, Mention, Resolved, display_name, name_key,
    resolve, short_form,
)
from claimkit.store import snapshot
from claimkit.store.backend import in_batches
from claimkit.store.base import StoreBase
from claimkit.store.schema import (
    articles, claims, reviews, speaker_aliases, speaker_events, speakers, utcnow,
)

SPEAKER_COLUMNS = ("speaker_id", "name", "aliases", "type", "claims")
RECORD_COLUMNS = ("claim_id", "article_id", "published", "outlet", "title", "speaker",
                  "speaker_canonical", "speaker_type",
                  "text", "status", "verdict", "updated_at")
EVENT_COLUMNS = ("event_id", "speaker_id", "action", "old", "new", "reviewer", "at")


class UnknownSpeakerError(KeyError):
    """No speaker with that id (or it was merged into another)."""

    def __str__(self) -> str:
        return f"no speaker {self.args[0]!r} in the store"


# --- resolution -------------------------------------------------------------------------------

class SqlLookup:
    """claimkit.speakers.Lookup answered from the store's tables, in the caller's transaction.

    One lookup serves a whole write transaction (``add_articles``: many articles): what it
    has read, and the aliases the transaction added, are remembered, so a batch of articles
    costs one query per 500 names rather than a few per article."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known: dict[tuple[str, str], Known | None] = {}  # None: not an alias
        self.shorts: dict[tuple[str, str], set[int]] = {}

    def prefetch(self, type_: str, keys: Sequence[str]) -> None:
        missing = [k for k in dict.fromkeys(keys) if (type_, k) not in self.known]
        for batch in in_batches(missing):
            self.known.update({(type_, k): None for k in batch})
            for alias, sid, analyst in self.conn.execute(
                    select(speaker_aliases.c.alias, speaker_aliases.c.speaker_id,
                           speaker_aliases.c.by_analyst)
                    .where(speaker_aliases.c.type == type_)
                    .where(speaker_aliases.c.alias.in_(batch))):
                self.known[type_, alias] = Known(sid, bool(analyst))

    def prefetch_short_forms(self, type_: str, shorts: Sequence[str]) -> None:
        missing = [s for s in dict.fromkeys(shorts) if (type_, s) not in self.shorts]
        for batch in in_batches(missing):
            self.shorts.update({(type_, s): set() for s in batch})
            for short, sid in self.conn.execute(
                    select(speaker_aliases.c.short, speaker_aliases.c.speaker_id).distinct()
                    .where(speaker_aliases.c.type == type_)
                    .where(speaker_aliases.c.short.in_(batch))):
                self.shorts[type_, short].add(sid)

    def aliases(self, type_: str, keys: Sequence[str]) -> dict[str, Known]:
        self.prefetch(type_, keys)
        return {k: hit for k in keys if (hit := self.known[type_, k]) is not None}

    def by_short_form(self, type_: str, short: str) -> set[int]:
        if (type_, short) not in self.shorts:
            self.shorts[type_, short] = set(self.conn.execute(
                select(speaker_aliases.c.speaker_id).distinct()
                .where(speaker_aliases.c.type == type_)
                .where(speaker_aliases.c.short == short)).scalars())
        return set(self.shorts[type_, short])

    def added(self, row: Mapping[str, Any]) -> None:
        """An alias this transaction wrote."""
        self.known[row["type"], row["alias"]] = Known(row["speaker_id"], row["by_analyst"])
        if row["short"] and (row["type"], row["short"]) in self.shorts:
            self.shorts[row["type"], row["short"]].add(row["speaker_id"])


def link(conn: Connection, mentions: Sequence[Mention],
         lookup: SqlLookup | None = None) -> list[int | None]:
    """The speaker of each mention, creating speakers and aliases the store does not have."""
    lookup = lookup or SqlLookup(conn)
    resolved = resolve(mentions, lookup)
    created: dict[tuple[str, str], int] = {}
    for r in resolved:  # new speakers: one per key, named after its first full mention
        if r is not None and r.new and (r.type, r.key) not in created:
            name = next((o.name for o in resolved
                         if o is not None and o.key == r.key and o.type == r.type and o.alias),
                        r.name)
            created[r.type, r.key] = _new_speaker(conn, name, r.type)
    ids: list[int | None] = []
    new_aliases: dict[tuple[str, str], dict] = {}
    for r in resolved:
        if r is None:
            ids.append(None)
            continue
        sid = r.speaker_id if r.speaker_id is not None else created[r.type, r.key]
        if r.alias and lookup.known.get((r.type, r.key)) is None:
            new_aliases.setdefault((r.type, r.key), {
                "type": r.type, "alias": r.key, "speaker_id": sid, "name": r.name,
                "short": short_form(r.key, r.type), "by_analyst": False})
        ids.append(sid)
    if new_aliases:  # the keys resolve() looked up and did not find: one insert
        conn.execute(insert(speaker_aliases), list(new_aliases.values()))
        for row in new_aliases.values():
            lookup.added(row)
    return ids


def _new_speaker(conn: Connection, name: str, type_: str) -> int:
    return conn.execute(insert(speakers).values(name=name, type=type_, merged_into=None,
                                                created_at=utcnow())).inserted_primary_key[0]


def _add_alias(conn: Connection, r: Resolved, speaker_id: int, *,
               by_analyst: bool = False) -> None:
    """Record ``r.key`` as a name of the speaker (kept as it is when already known)."""
    known = conn.execute(select(speaker_aliases.c.speaker_id)
                         .where(speaker_aliases.c.type == r.type)
                         .where(speaker_aliases.c.alias == r.key)).first()
    if known is None:
        conn.execute(insert(speaker_aliases).values(
            type=r.type, alias=r.key, speaker_id=speaker_id, name=r.name,
            short=short_form(r.key, r.type), by_analyst=by_analyst))
    elif by_analyst:
        conn.execute(update(speaker_aliases).where(speaker_aliases.c.type == r.type)
                     .where(speaker_aliases.c.alias == r.key)
                     .values(speaker_id=speaker_id, by_analyst=True))


def _mentions(rows: list[dict]) -> list[Mention]:
    return [Mention(r["speaker_canonical"] or r["speaker"], r["speaker_type"]) for r in rows]


def prefetch(conn: Connection, articles_rows: Sequence[list[dict]]) -> SqlLookup:
    """A lookup for one write transaction that already knows which of these articles'
    names the store has (one query per 500 names)."""
    lookup = SqlLookup(conn)
    keys: dict[str, list[str]] = {}
    for rows in articles_rows:
        for m in _mentions(rows):
            if m.type in SPEAKER_TYPES:
                keys.setdefault(m.type, []).append(name_key(m.name, m.type))
    for type_, wanted in keys.items():
        lookup.prefetch(type_, wanted)
        # one-word names may be short forms (a surname, initials): look those up too
        lookup.prefetch_short_forms(type_, [k for k in wanted if k and " " not in k])
    return lookup


def link_claims(conn: Connection, rows: list[dict], lookup: SqlLookup | None = None) -> None:
    """Set ``speaker_id`` on one article's claims rows (the article's names resolved
    together, so that a surname joins the full name the same article gives)."""
    for row, sid in zip(rows, link(conn, _mentions(rows), lookup)):
        row["speaker_id"] = sid


def corrected_speaker_id(conn: Connection, claim_id: str, name: str | None) -> int | None:
    """The speaker a reviewer's corrected speaker name resolves to. Its type: the claim's,
    when a person or organisation; else the type the store already knows the name as;
    else a person (a reviewer naming the speaker of "officials" names somebody)."""
    if not name:
        return None
    type_ = conn.execute(select(claims.c.speaker_type)
                         .where(claims.c.claim_id == claim_id)).scalar()
    if type_ not in SPEAKER_TYPES:
        lookup = SqlLookup(conn)
        type_ = next((t for t in (PERSON, ORGANIZATION)
                      if lookup.aliases(t, [name_key(name, t)])), PERSON)
    return link(conn, [Mention(name, type_)])[0]


def link_all_claims(conn: Connection) -> None:
    """Link every stored claim (the schema 7 upgrade): article by article in storing order,
    then the reviewers' corrected speakers."""
    order = {a: i for i, a in enumerate(conn.execute(
        select(articles.c.article_id)
        .order_by(articles.c.stored_at, articles.c.article_id)).scalars())}
    by_article: dict[str, list[dict]] = {}
    for r in conn.execute(select(claims.c.claim_id, claims.c.article_id, claims.c.speaker,
                                 claims.c.speaker_canonical, claims.c.speaker_type)
                          .order_by(claims.c.article_id, claims.c.position)).mappings():
        by_article.setdefault(r["article_id"], []).append(dict(r))
    batches = [by_article[a] for a in sorted(by_article, key=lambda a: order.get(a, -1))]
    lookup = prefetch(conn, batches)  # one lookup for the whole store: few queries
    for rows in batches:
        link_claims(conn, rows, lookup)
    linked = [{"b_id": r["claim_id"], "speaker_id": r["speaker_id"]}
              for rows in batches for r in rows if r["speaker_id"] is not None]
    if linked:
        conn.execute(update(claims).where(claims.c.claim_id == bindparam("b_id")), linked)
    corrected = conn.execute(select(reviews.c.claim_id, reviews.c.corrected_speaker)
                             .where(reviews.c.corrected_speaker.is_not(None))).all()
    for claim_id, name in corrected:
        conn.execute(update(reviews).where(reviews.c.claim_id == claim_id)
                     .values(corrected_speaker_id=corrected_speaker_id(conn, claim_id, name)))


# --- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpeakerMap:
    """Every speaker id ever handed out -> the live speaker it is now (merges followed)."""

    target: dict[int, int]
    name: dict[int, str]
    type: dict[int, str]

    def live(self, speaker_id: Any) -> int | None:
        if speaker_id is None or pd.isna(speaker_id):
            return None
        return self.target.get(int(speaker_id))


def speaker_map(conn: Connection) -> SpeakerMap:
    rows = conn.execute(select(speakers.c.speaker_id, speakers.c.name, speakers.c.type,
                               speakers.c.merged_into)).all()
    into = {sid: merged for sid, _, _, merged in rows}
    target = {}
    for sid in into:
        final, seen = sid, set()
        while into.get(final) is not None and final not in seen:
            seen.add(final)
            final = into[final]
        target[sid] = final
    return SpeakerMap(target, {sid: name for sid, name, _, _ in rows},
                      {sid: t for sid, _, t, _ in rows})


def with_speakers(frame: pd.DataFrame, found: SpeakerMap) -> pd.DataFrame:
    """The claims frame's speaker columns: ``speaker_id`` the live speaker of the reviewed
    speaker (the corrected one where a reviewer corrected it), ``speaker_id_extracted`` that
    of the extractor's, ``speaker_name`` the speaker's name ("" for claims without one)."""
    # A whole column at a time (100k claims): ids index a table of live ids, -1 for none.
    top = max(found.target, default=0)
    live = np.full(top + 2, -1, dtype="int64")  # the last slot: ids out of range, and none
    for sid, target in found.target.items():
        live[sid] = target
    names = np.array([found.name.get(i, "") for i in range(top + 1)] + [""], dtype=object)

    def ids(column: pd.Series) -> np.ndarray:
        raw = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64",
                                                              na_value=np.nan)
        index = np.where(np.isnan(raw) | (raw < 0) | (raw > top), top + 1,
                         np.nan_to_num(raw, nan=top + 1)).astype("int64")
        return live[index]

    extracted, corrected = ids(frame["speaker_id"]), ids(frame["corrected_speaker_id"])
    reviewed = np.where(corrected >= 0, corrected, extracted)
    for name, values in (("speaker_id_extracted", extracted), ("speaker_id", reviewed),
                         ("corrected_speaker_id", corrected)):
        frame[name] = pd.Series(pd.arrays.IntegerArray(np.where(values >= 0, values, 0),
                                                       values < 0), index=frame.index)
    frame["speaker_name"] = pd.Series(names[np.where(reviewed >= 0, reviewed, top + 1)],
                                      index=frame.index, dtype="str")
    return frame


# --- the mixin --------------------------------------------------------------------------------

class Speakers(StoreBase):
    """Speakers across articles: list them, see one's record, merge, rename and split."""

    def speakers(self) -> pd.DataFrame:
        """Every speaker (people and organisations), most claims first: ``speaker_id``,
        ``name``, ``aliases`` (the names that resolve to it), ``type``, ``claims`` (claims
        found by the current extraction and not marked "not a claim", counted under the
        reviewed speaker)."""
        def work(conn: Connection):
            found = speaker_map(conn)
            aliases = conn.execute(select(speaker_aliases.c.speaker_id, speaker_aliases.c.name)
                                   .order_by(speaker_aliases.c.name)).all()
            sid = func.coalesce(reviews.c.corrected_speaker_id, claims.c.speaker_id)
            counts = conn.execute(
                select(sid, func.count()).select_from(
                    claims.join(reviews, reviews.c.claim_id == claims.c.claim_id))
                .where(claims.c.missing_since.is_(None)).where(sid.is_not(None))
                .where(reviews.c.not_a_claim.is_(False))
                .group_by(sid)).all()
            return found, aliases, counts
        found, aliases, counts = self._read(work)
        live = sorted({t for t in found.target.values()})
        names: dict[int, list[str]] = {s: [] for s in live}
        for sid, name in aliases:
            if found.live(sid) in names and name not in names[found.live(sid)]:
                names[found.live(sid)].append(name)
        n = dict.fromkeys(live, 0)
        for sid, count in counts:
            if found.live(sid) in n:
                n[found.live(sid)] += count
        frame = pd.DataFrame({
            "speaker_id": pd.array(live, dtype="int64"),
            "name": pd.Series([found.name[s] for s in live], dtype="str"),
            "aliases": pd.Series([names[s] for s in live], dtype=object),
            "type": pd.Series([found.type[s] for s in live], dtype="str"),
            "claims": pd.array([n[s] for s in live], dtype="int64")}, columns=SPEAKER_COLUMNS)
        return frame.sort_values(["claims", "name"], ascending=[False, True],
                                 ignore_index=True)

    def speaker(self, speaker_id: int) -> dict:
        """One live speaker as a dict (raises UnknownSpeakerError)."""
        frame = self.speakers()
        row = frame[frame["speaker_id"] == int(speaker_id)]
        if row.empty:
            raise UnknownSpeakerError(speaker_id)
        return row.iloc[0].to_dict()

    def find_speaker(self, name: str, type_: str | None = None) -> int | None:
        """The live speaker a name resolves to without creating one (None: none known)."""
        def work(conn: Connection) -> int | None:
            lookup = SqlLookup(conn)
            for t in ([type_] if type_ else [PERSON, ORGANIZATION]):
                hit = lookup.aliases(t, [name_key(name, t)]).get(name_key(name, t))
                if hit is not None:
                    return speaker_map(conn).live(hit.speaker_id)
            return None
        return self._read(work)

    def speaker_record(self, speaker_id: int) -> pd.DataFrame:
        """The speaker's claims (under the reviewed speaker, not marked "not a claim") with
        their verdicts, oldest article first: ``RECORD_COLUMNS`` plus ``speaker_id`` and
        ``speaker_name``. What ``charts.speaker_track_record(..., speaker=)`` draws."""
        self.speaker(speaker_id)  # an unknown id is an error, not an empty record
        mine = self.claims(include_rejected=False,  # type: ignore[attr-defined]
                           speaker_id=int(speaker_id))
        columns = [*RECORD_COLUMNS, "speaker_id", "speaker_name"]
        return mine.sort_values(["published", "article_id"], kind="stable",
                                na_position="last")[columns].reset_index(drop=True)

    def speaker_events(self, speaker_id: int | None = None) -> pd.DataFrame:
        """The analysts' changes to speakers (of one speaker, or all), oldest first."""
        query = select(*(speaker_events.c[n] for n in EVENT_COLUMNS)).order_by(
            speaker_events.c.event_id)
        if speaker_id is not None:
            query = query.where(speaker_events.c.speaker_id == int(speaker_id))
        rows = self._read(lambda conn: conn.execute(query).all())
        return pd.DataFrame([tuple(r) for r in rows], columns=list(EVENT_COLUMNS))

    def merge_speakers(self, keep_id: int, other_id: int, *,
                       reviewer: str | None = None) -> int:
        """Merge ``other_id`` into ``keep_id``: its claims and aliases become the kept
        speaker's, now and after any re-extraction. Never across types. Returns keep_id."""
        who = self._who(reviewer)

        def work(conn: Connection) -> int:
            keep, other = _live(conn, keep_id), _live(conn, other_id)
            if keep["speaker_id"] == other["speaker_id"]:
                raise ValueError(f"speakers {keep_id} and {other_id} are already one")
            if keep["type"] != other["type"]:
                raise ValueError(f"cannot merge a {other['type']} ({other['name']}) into a "
                                 f"{keep['type']} ({keep['name']})")
            moved = [_alias_state(row) for row in conn.execute(
                select(speaker_aliases).where(speaker_aliases.c.speaker_id == other["speaker_id"])
            ).mappings()]
            conn.execute(update(speakers).where(speakers.c.speaker_id == other["speaker_id"])
                         .values(merged_into=keep["speaker_id"]))
            conn.execute(update(speaker_aliases)
                         .where(speaker_aliases.c.speaker_id == other["speaker_id"])
                         .values(speaker_id=keep["speaker_id"], by_analyst=True))
            # The aliases as they were: what undo_speaker_change puts back.
            _event(conn, keep["speaker_id"], "merge", {"speaker_id": other["speaker_id"],
                                                       "name": other["name"], "aliases": moved},
                   {"speaker_id": keep["speaker_id"], "name": keep["name"]}, who)
            return keep["speaker_id"]
        return self._write(work)

    def rename_speaker(self, speaker_id: int, name: str, *, reviewer: str | None = None) -> None:
        """Give the speaker another name; the new name also resolves to it from now on."""
        who = self._who(reviewer)
        name = " ".join(str(name).split())
        if not name:
            raise ValueError("a speaker's name cannot be empty")

        def work(conn: Connection) -> None:
            current = _live(conn, speaker_id)
            key = name_key(name, current["type"])
            taken = SqlLookup(conn).aliases(current["type"], [key]).get(key)
            if taken is not None and speaker_map(conn).live(taken.speaker_id) != \
                    current["speaker_id"]:
                raise ValueError(f"{name!r} is another speaker's name (speaker "
                                 f"{speaker_map(conn).live(taken.speaker_id)}): merge them "
                                 "instead")
            before = _alias_row(conn, current["type"], key) if key else None
            conn.execute(update(speakers).where(speakers.c.speaker_id == current["speaker_id"])
                         .values(name=name))
            if key:
                _add_alias(conn, Resolved(key, current["type"], display_name(name,
                           current["type"])), current["speaker_id"], by_analyst=True)
            _event(conn, current["speaker_id"], "rename", current["name"],
                   {"name": name, "type": current["type"], "alias": key,
                    "alias_before": before}, who)
        self._write(work)

    def split_speaker(self, speaker_id: int, alias: str, *, reviewer: str | None = None) -> int:
        """Move one name (and the claims that use it) off a speaker to a new speaker; returns
        the new speaker's id. The name resolves to the new speaker from now on."""
        who = self._who(reviewer)

        def work(conn: Connection) -> int:
            current = _live(conn, speaker_id)
            type_ = current["type"]
            key = name_key(alias, type_)
            found = speaker_map(conn)
            mine = {s for s, t in found.target.items() if t == current["speaker_id"]}
            moved = _claims_named(conn, mine, key, type_)
            known = conn.execute(select(speaker_aliases.c.name)
                                 .where(speaker_aliases.c.type == type_)
                                 .where(speaker_aliases.c.alias == key)
                                 .where(speaker_aliases.c.speaker_id.in_(mine))).scalar()
            if known is None and not moved:
                raise ValueError(f"{alias!r} is not a name of speaker {speaker_id} "
                                 f"({current['name']})")
            name = known or display_name(alias, type_)
            before = _alias_row(conn, type_, key)
            new_id = _new_speaker(conn, name, type_)
            _add_alias(conn, Resolved(key, type_, name), new_id, by_analyst=True)
            for batch in in_batches(moved["claims"]):
                conn.execute(update(claims).where(claims.c.claim_id.in_(batch))
                             .values(speaker_id=new_id))
            for batch in in_batches(moved["reviews"]):
                conn.execute(update(reviews).where(reviews.c.claim_id.in_(batch))
                             .values(corrected_speaker_id=new_id))
            snapshot.bump_generation(conn)  # claims changed: the snapshot is stale
            _event(conn, current["speaker_id"], "split", {"alias": name},
                   {"speaker_id": new_id, "name": name,
                    "claims": len(set(moved["claims"]) | set(moved["reviews"])),
                    # what undo_speaker_change needs to put everything back
                    "type": type_, "key": key, "alias_before": before,
                    "moved_claims": moved["was"], "moved_reviews": moved["was_corrected"]},
                   who)
            return new_id
        return self._write(work)


    def undo_speaker_change(self, *, reviewer: str | None = None) -> dict:
        """Undo the latest merge, rename or split not undone yet, in one step (one transaction,
        one ``undo`` event naming the event it undid): a merged speaker comes back with its
        aliases, a renamed one gets its name back (the new name no longer resolves to it), a
        split's claims and name go back to the speaker they came from (the split-off speaker
        is pointed at it, so its id still leads somewhere). Returns the undone event (a
        ``speaker_events`` row as a dict). Raises NothingToUndo when there is none, and
        ValueError for a change recorded without what undoing it needs (an older claimkit)."""
        from claimkit.store.errors import NothingToUndo

        who = self._who(reviewer)

        def work(conn: Connection) -> dict:
            events = conn.execute(select(speaker_events).order_by(
                speaker_events.c.event_id.desc())).mappings().all()
            undone = {e["old"]["event_id"] for e in events if e["action"] == "undo"}
            event = next((e for e in events if e["action"] != "undo"
                          and e["event_id"] not in undone), None)
            if event is None:
                raise NothingToUndo("no speaker change to undo")
            _UNDO[event["action"]](conn, event)
            _event(conn, event["speaker_id"], "undo", {"event_id": event["event_id"]},
                   {"action": event["action"]}, who)
            return dict(event)
        return self._write(work)


def _alias_state(row: Mapping[str, Any]) -> dict:
    return {"type": row["type"], "alias": row["alias"], "speaker_id": row["speaker_id"],
            "by_analyst": bool(row["by_analyst"])}


def _alias_row(conn: Connection, type_: str, key: str) -> dict | None:
    """An alias row as it is now (None: no such alias), to be put back by an undo."""
    row = conn.execute(select(speaker_aliases).where(speaker_aliases.c.type == type_)
                       .where(speaker_aliases.c.alias == key)).mappings().first()
    return None if row is None else _alias_state(row)


def _restore_alias(conn: Connection, type_: str, key: str, before: dict | None) -> None:
    where = (speaker_aliases.c.type == type_) & (speaker_aliases.c.alias == key)
    if before is None:
        conn.execute(speaker_aliases.delete().where(where))
    else:
        conn.execute(update(speaker_aliases).where(where).values(
            speaker_id=before["speaker_id"], by_analyst=before["by_analyst"]))


def _needs(event: Mapping[str, Any], payload: Any, key: str) -> Any:
    if not isinstance(payload, dict) or key not in payload:
        raise ValueError(f"speaker change {event['event_id']} ({event['action']}) was recorded "
                         "by an older claimkit without what undoing it needs")
    return payload[key]


def _undo_merge(conn: Connection, event: Mapping[str, Any]) -> None:
    other = event["old"]
    aliases = _needs(event, other, "aliases")
    conn.execute(update(speakers).where(speakers.c.speaker_id == other["speaker_id"])
                 .values(merged_into=None))
    for alias in aliases:
        _restore_alias(conn, alias["type"], alias["alias"], alias)


def _undo_rename(conn: Connection, event: Mapping[str, Any]) -> None:
    change = event["new"]
    key = _needs(event, change, "alias")
    conn.execute(update(speakers).where(speakers.c.speaker_id == event["speaker_id"])
                 .values(name=event["old"]))
    if key:
        _restore_alias(conn, change["type"], key, change["alias_before"])


def _undo_split(conn: Connection, event: Mapping[str, Any]) -> None:
    change = event["new"]
    back, new_id = event["speaker_id"], change["speaker_id"]
    # Each claim goes back to the id it was linked to (JSON keys are text).
    for was, moved in _needs(event, change, "moved_claims").items():
        for batch in in_batches(moved):
            conn.execute(update(claims).where(claims.c.claim_id.in_(batch))
                         .where(claims.c.speaker_id == new_id).values(speaker_id=int(was)))
    for was, moved in change["moved_reviews"].items():
        for batch in in_batches(moved):
            conn.execute(update(reviews).where(reviews.c.claim_id.in_(batch))
                         .where(reviews.c.corrected_speaker_id == new_id)
                         .values(corrected_speaker_id=int(was)))
    _restore_alias(conn, change["type"], change["key"], change["alias_before"])
    # Ids once handed out always lead to a speaker: the split-off one points back.
    conn.execute(update(speakers).where(speakers.c.speaker_id == new_id).values(merged_into=back))
    snapshot.bump_generation(conn)  # claims changed: the snapshot is stale


_UNDO = {"merge": _undo_merge, "rename": _undo_rename, "split": _undo_split}


def _live(conn: Connection, speaker_id: int) -> Mapping[str, Any]:
    row = conn.execute(select(speakers).where(speakers.c.speaker_id == int(speaker_id))
                       ).mappings().first()
    if row is None or row["merged_into"] is not None:
        raise UnknownSpeakerError(speaker_id)
    return row


def _claims_named(conn: Connection, ids: set[int], key: str, type_: str) -> dict[str, list]:
    """The claims linked to one of ``ids`` whose speaker name has ``key``: by the extractor's
    name (``claims``) and by a reviewer's corrected name (``reviews``)."""
    # "was" / "was_corrected": the claims by the speaker id they were linked to (for an undo:
    # a merged speaker's claims keep their own id).
    found: dict[str, Any] = {"claims": [], "reviews": [], "was": {}, "was_corrected": {}}
    rows = conn.execute(
        select(claims.c.claim_id, claims.c.speaker, claims.c.speaker_canonical,
               claims.c.speaker_id, reviews.c.corrected_speaker, reviews.c.corrected_speaker_id)
        .select_from(claims.join(reviews, reviews.c.claim_id == claims.c.claim_id))
        .where(claims.c.speaker_id.in_(ids) | reviews.c.corrected_speaker_id.in_(ids))).all()
    for claim_id, speaker, canonical, sid, corrected, corrected_id in rows:
        if sid in ids and name_key(canonical or speaker, type_) == key:
            found["claims"].append(claim_id)
            found["was"].setdefault(sid, []).append(claim_id)
        if corrected_id in ids and corrected and name_key(corrected, type_) == key:
            found["reviews"].append(claim_id)
            found["was_corrected"].setdefault(corrected_id, []).append(claim_id)
    return found


def _event(conn: Connection, speaker_id: int, action: str, old: Any, new: Any,
           who: str) -> None:
    conn.execute(insert(speaker_events).values(speaker_id=speaker_id, action=action, old=old,
                                               new=new, reviewer=who, at=utcnow()))
