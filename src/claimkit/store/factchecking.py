"""Has this been fact-checked before? Published fact-checks imported into the store, and the
best matches for a claim among them and among the team's own verdicts (docs/architecture.md §5).

Fact-checks are embedded once, when imported (``claimkit.matching.encoder``), and kept with their
vectors; the team's claims are embedded the first time matching needs them. ``matches`` ranks
with ``claimkit.matching.MatchIndex`` (BM25 + embeddings, re-ranked), built from the stored
vectors and kept while neither the fact-checks nor the team's verdicts change.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, and_, func, insert, select, true, update

from claimkit.model import FactCheck
from claimkit.store.backend import in_batches
from claimkit.store.base import StoreBase
from claimkit.store.errors import UnknownClaimError
from claimkit.store.filters import ClaimFilter, claims_joined
from claimkit.store.schema import (
    articles, claim_vectors, claims, factchecks, history, reviews, settings, utcnow,
)

if TYPE_CHECKING:
    from claimkit.matching.index import MatchIndex

FACTCHECK_COLUMNS = ("factcheck_id", "claim", "verdict", "url", "publisher", "date",
                     "claimant", "title", "path", "imported_at")
# all-MiniLM-L6-v2's size (claimkit.matching.encoder.DIMENSION, not imported: it is heavy).
VECTOR_SIZE = 384
MATCH_COLUMNS = ("source", "id", "text", "verdict", "url", "publisher", "score")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int


class FactChecking(StoreBase):
    """The fact-check part of a Store."""

    def import_factchecks(self, found: Sequence[FactCheck]) -> ImportResult:
        """Store these fact-checks (a file's worth: all or none), each embedded once; one
        already stored (same id) is updated. Returns how many were added and updated."""
        from claimkit.matching.encoder import embed  # the model loads on first use only

        unique = list({f.factcheck_id: f for f in found}.values())
        if not unique:
            return ImportResult(0, 0)
        claim_m = embed([f.claim for f in unique])
        title_m = embed([f.title or f.claim for f in unique])
        now = utcnow()
        rows = [{"factcheck_id": f.factcheck_id, "claim": f.claim, "verdict": f.verdict,
                 "url": f.url, "publisher": f.publisher, "date": f.date,
                 "claimant": f.claimant, "title": f.title, "path": f.path,
                 "claim_vector": _bytes(claim_m[i]), "title_vector": _bytes(title_m[i]),
                 "imported_at": now} for i, f in enumerate(unique)]

        def work(conn: Connection) -> ImportResult:
            ids = [r["factcheck_id"] for r in rows]
            known = set(conn.execute(select(factchecks.c.factcheck_id)
                                     .where(factchecks.c.factcheck_id.in_(ids))).scalars())
            fresh = [r for r in rows if r["factcheck_id"] not in known]
            if fresh:
                conn.execute(insert(factchecks), fresh)
            for row in rows:
                if row["factcheck_id"] in known:
                    conn.execute(update(factchecks)
                                 .where(factchecks.c.factcheck_id == row["factcheck_id"])
                                 .values(**row))
            bump_counter(conn, FACTCHECK_GENERATION)  # the cached index is of the old ones
            return ImportResult(added=len(fresh), updated=len(rows) - len(fresh))
        return self._write(work)

    def factchecks(self) -> pd.DataFrame:
        """The imported fact-checks, one row each (without their vectors)."""
        query = select(*(factchecks.c[n] for n in FACTCHECK_COLUMNS)).order_by(
            factchecks.c.factcheck_id)
        rows = self._read(lambda conn: conn.execute(query).all())
        return pd.DataFrame.from_records(rows, columns=list(FACTCHECK_COLUMNS))

    def matches(self, claim_id: str, k: int = 5) -> pd.DataFrame:
        """The ``k`` best earlier checks of this claim, best first: imported fact-checks
        (``source`` "factcheck") and the team's own claims with a verdict ("store"), with
        ``text``, ``verdict``, ``url``, ``publisher`` and ``score`` (the re-ranker's
        probability that it is the same claim)."""
        from claimkit.matching.encoder import embed
        from claimkit.matching.text import clean

        text, vector = self._claim_query(claim_id)
        query = clean(text)
        # The claim's stored vector is the embedding of its text; cleaning that text for
        # matching changed nothing but spaces (which the tokenizer ignores) in news prose, so
        # the vector stands in for embedding the query again (what cost most of a call).
        if vector is None or query != " ".join(text.split()):
            vector = embed([query])[0]
        found: list[dict] = []
        for index, about in (self._factcheck_index(), self._own_index()):
            if len(index):
                hits = index.search_many([query], k, query_vectors=vector[None, :],
                                         exclude=(f"store:{claim_id}",))[0]
                found += [{**about[m.factcheck_id], "score": round(m.score, 4)} for m in hits]
        found.sort(key=lambda row: -row["score"])
        return pd.DataFrame(found[:k], columns=list(MATCH_COLUMNS))

    def has_earlier_checks(self) -> bool:
        """Whether the store holds imported fact-checks (what the review app looks for)."""
        query = select(factchecks.c.factcheck_id).limit(1)
        return self._read(lambda conn: conn.execute(query).first() is not None)

    # --- the indexes: fact-checks (large, rarely changed) and the team's verdicts (small,
    # changed by every verdict), each rebuilt only when what it holds changed ----------------

    def _claim_query(self, claim_id: str) -> tuple[str, np.ndarray | None]:
        """The claim's reviewed text (a trimmed content, else the extracted text) and its
        stored vector when that was made from this text: one primary-key read."""
        query = (select(claims.c.text, reviews.c.corrected_content, claim_vectors.c.text,
                        claim_vectors.c.vector)
                 .select_from(claims.join(reviews, reviews.c.claim_id == claims.c.claim_id)
                              .outerjoin(claim_vectors, claim_vectors.c.claim_id == claims.c.claim_id))
                 .where(claims.c.claim_id == claim_id))
        row = self._read(lambda conn: conn.execute(query).first())
        if row is None:
            raise UnknownClaimError(claim_id)
        text = row[1] or row[0]
        return text, (matrix_of([row[3]])[0] if row[3] is not None and row[2] == text else None)

    def _factcheck_index(self) -> tuple[MatchIndex, dict[str, dict]]:
        """The imported fact-checks as a MatchIndex, kept between calls; an import adds its
        fact-checks to it (one that was imported again leaves and comes back) instead of
        rebuilding it."""
        from claimkit.matching.index import MatchIndex

        # A counter every import bumps, and the count (a store imported into by an older
        # claimkit has no counter): two index reads, where max(imported_at) scanned the table.
        key = self._read(lambda conn: (read_counter(conn, FACTCHECK_GENERATION), conn.execute(
            select(func.count()).select_from(factchecks)).scalar()))
        kept: _KeptIndex | None = getattr(self, "_factcheck_cache", None)
        if kept is not None and kept.key == key:
            return kept.index, kept.about
        if kept is None or kept.mark is None or not self._update_factchecks(kept, key):
            kept = _KeptIndex(key, MatchIndex())
            kept.add_factchecks(self._read(
                lambda conn: conn.execute(select(factchecks)).mappings().all()))
        self._factcheck_cache = kept
        return kept.index, kept.about

    def _update_factchecks(self, kept: _KeptIndex, key: tuple) -> bool:
        """Take in the fact-checks imported since ``kept`` was read (an import stamps every
        row it writes, new or updated, with one time later than any before). False when the
        count then differs from the store's: rebuild."""
        rows = self._read(lambda conn: conn.execute(
            select(factchecks).where(factchecks.c.imported_at > kept.mark)).mappings().all())
        kept.drop({f"factcheck:{r['factcheck_id']}" for r in rows})
        kept.add_factchecks(rows)
        kept.key = key
        return kept.live == key[1] and kept.fresh_enough()

    def _own_index(self) -> tuple[MatchIndex, dict[str, dict]]:
        """The team's verdicted claims as a MatchIndex, kept between calls and brought up to
        date with the claims whose review changed since it was read (not rebuilt: at 100k
        verdicted claims building it takes seconds)."""
        key = self._read(lambda conn: tuple(conn.execute(_own_key()).one()))
        own: _KeptIndex | None = getattr(self, "_own_cache", None)
        if own is not None and own.key == key:
            return own.index, own.about
        if own is None or not self._update_own(own, key):
            own = self._build_own(key)
        self._own_cache = own
        return own.index, own.about

    def _build_own(self, key: tuple) -> _KeptIndex:
        from claimkit.matching.index import MatchIndex

        self._embed_missing_claims()
        own = _KeptIndex(key, MatchIndex())
        own.add_claims(self._read(lambda conn: conn.execute(_verdicted_claims()).mappings().all()))
        return own

    def _update_own(self, own: _KeptIndex, key: tuple) -> bool:
        """Apply the review changes since ``own`` was read: each claim they touched leaves the
        index and comes back if it (still) has a verdict, with its vector (re-embedded when
        a trimmed content changed its text). False when a rebuild is the better way: articles
        or claims were added or re-extracted (that writes no review history), or the rows that
        left the index would be over a fifth of it."""
        if key[1:] != own.key[1:]:
            return False
        # PostgreSQL numbers events when they are written, not when they commit: a change
        # committed after a later-numbered one is found by looking back a little further.
        since = own.key[0] - (0 if self.backend == "sqlite" else EVENT_SLACK)
        changed = self._read(lambda conn: list(conn.execute(
            select(history.c.claim_id).distinct().where(history.c.event_id > since)).scalars()))
        self.embed_claims(changed, where=_has_team_verdict())
        rows = self._read(lambda conn: [r for batch in in_batches(changed) for r in conn.execute(
            _verdicted_claims().where(claims.c.claim_id.in_(batch))).mappings().all()])
        own.update_claims(changed, rows)
        own.key = key
        return own.fresh_enough()

    def _embed_missing_claims(self) -> None:
        """Embed the verdicted claims that have no vector yet (or whose text changed)."""
        self.embed_claims(where=_has_team_verdict())

    def embed_claims(self, claim_ids: Sequence[str] | None = None, *,
                     where: ColumnElement[bool] | None = None) -> int:
        """Embed these claims (default: every claim ``where`` matches, else every claim) whose
        vector is missing or was made from another text (a trimmed content), and keep the
        vectors in ``claim_vectors``; returns how many were embedded. The encoder runs outside
        any transaction (tens of claims a second); only the writing is one."""
        condition = where if where is not None else true()
        query = (select(claims.c.claim_id, claims.c.text, reviews.c.corrected_content,
                        claim_vectors.c.text)
                 .select_from(claims_joined().outerjoin(
                     claim_vectors, claim_vectors.c.claim_id == claims.c.claim_id)))
        # A few hundred ids per IN list (backend.in_batches); no ids: one query.
        batches = ([None] if claim_ids is None
                   else list(in_batches(sorted(set(claim_ids)))))

        def missing(conn: Connection) -> list[tuple[str, str]]:
            rows = [row for batch in batches for row in conn.execute(query.where(
                condition if batch is None else and_(condition, claims.c.claim_id.in_(batch)))
                .order_by(claims.c.claim_id)).all()]
            return [(cid, fixed or text) for cid, text, fixed, embedded in rows
                    if embedded != (fixed or text)]
        from claimkit.matching.encoder import embed

        todo = self._read(missing)
        if not todo:
            return 0
        vectors = embed([t for _, t in todo])

        def work(conn: Connection) -> None:
            for batch in in_batches(list(range(len(todo)))):
                conn.execute(claim_vectors.delete().where(
                    claim_vectors.c.claim_id.in_([todo[i][0] for i in batch])))
                conn.execute(insert(claim_vectors), [
                    {"claim_id": todo[i][0], "text": todo[i][1], "vector": _bytes(vectors[i])}
                    for i in batch])
        self._write(work)
        return len(todo)


class _KeptIndex:
    """A MatchIndex kept between calls, as of ``key``; ``about`` holds each live row's match
    columns. A row whose source changed is dropped (it stays in the index, never proposed
    again: a MatchIndex only grows) and added anew; past a fifth of dead rows, rebuild."""

    def __init__(self, key: tuple, index: MatchIndex) -> None:
        self.key, self.index = key, index
        self.about: dict[str, dict] = {}
        self.dead = 0
        self.mark = None  # fact-checks: the newest imported_at held

    @property
    def live(self) -> int:
        return len(self.about)

    def fresh_enough(self) -> bool:
        return self.dead <= max(len(self.index) // 5, 1000)

    def add_claims(self, rows: Sequence) -> None:
        """The team's verdicted claims (`_verdicted_claims` rows): their texts are the titles."""
        if rows:
            vectors = matrix_of([r["vector"] for r in rows])
            self._add([f"store:{r['claim_id']}" for r in rows], [r["text"] for r in rows], None,
                      (vectors, vectors),
                      [{"source": "store", "id": r["claim_id"], "text": r["text"],
                        "verdict": r["verdict"], "url": r["url"], "publisher": r["outlet"]}
                       for r in rows])

    def update_claims(self, changed: Sequence[str], rows: Sequence) -> None:
        """Bring these claims up to date: ``rows`` are those of them that have a verdict now.
        Only a claim whose text changed is dropped and added again (a new row); a changed
        verdict or url only changes ``about``, and an unchanged claim nothing, so looking at a
        claim twice costs no row."""
        now = {f"store:{r['claim_id']}": r for r in rows}
        gone = {f"store:{c}" for c in changed} - now.keys()
        moved = {i for i, r in now.items() if i in self.about and self.about[i]["text"] != r["text"]}
        self.drop(gone | moved)
        self.add_claims([r for i, r in now.items() if i not in self.about])
        for i, r in now.items():
            self.about[i].update(verdict=r["verdict"], url=r["url"], publisher=r["outlet"])

    def add_factchecks(self, rows: Sequence) -> None:
        if rows:
            self._add([f"factcheck:{r['factcheck_id']}" for r in rows], [r["claim"] for r in rows],
                      [r["title"] for r in rows],
                      (matrix_of([r["claim_vector"] for r in rows]),
                       matrix_of([r["title_vector"] for r in rows])),
                      [{"source": "factcheck", "id": r["factcheck_id"], "text": r["claim"],
                        "verdict": r["verdict"], "url": r["url"], "publisher": r["publisher"]}
                       for r in rows])
            newest = max(r["imported_at"] for r in rows)
            self.mark = newest if self.mark is None else max(self.mark, newest)

    def _add(self, ids: list[str], texts: list[str], titles: list[str] | None,
             vectors: tuple[np.ndarray, np.ndarray], about: list[dict]) -> None:
        self.index.add(ids, texts, titles, vectors=vectors)
        self.about.update(zip(ids, about))

    def drop(self, ids: set[str]) -> None:
        gone = ids & self.about.keys()
        if gone:
            self.dead += self.index.drop(gone)
            for i in gone:
                del self.about[i]


def _own_key():
    """What the team's index is of: the newest review change (every change writes history)
    and how many claims and articles the store holds. Three index reads; counting the
    verdicted claims took 400 ms at 100k."""
    return select(select(func.coalesce(func.max(history.c.event_id), 0)).scalar_subquery(),
                  select(func.count()).select_from(claims).scalar_subquery(),
                  select(func.count()).select_from(articles).scalar_subquery())


# How many history events before the last one seen the team's index looks at again on
# PostgreSQL (see FactChecking._update_own).
EVENT_SLACK = 200

# Counters in the settings table that a cached index compares with what it was built at.
FACTCHECK_GENERATION = "factcheck_generation"


def read_counter(conn: Connection, key: str) -> int:
    value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
    return int(value) if value is not None else 0


def bump_counter(conn: Connection, key: str) -> int:
    """Add one to a counter (inside the writing transaction); returns the new value."""
    value = read_counter(conn, key) + 1
    conn.execute(settings.delete().where(settings.c.key == key))
    conn.execute(insert(settings).values(key=key, value=str(value)))
    return value


def _has_team_verdict():
    return ClaimFilter(has_verdict=True, not_a_claim=False).where()


def _verdicted_claims():
    return (select(claims.c.claim_id, claim_vectors.c.text, claim_vectors.c.vector,
                   reviews.c.verdict, articles.c.url, articles.c.outlet)
            .select_from(claims_joined().join(claim_vectors,
                                              claim_vectors.c.claim_id == claims.c.claim_id))
            .where(_has_team_verdict()).order_by(claims.c.claim_id))


def _bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def matrix_of(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored vectors (float32 bytes) as one matrix, a row each; (0, 384) for none."""
    if not blobs:
        return np.zeros((0, VECTOR_SIZE), dtype=np.float32)
    return np.stack([np.frombuffer(b, dtype="<f4") for b in blobs])
