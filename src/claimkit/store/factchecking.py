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
from claimkit.store.schema import articles, claim_vectors, claims, factchecks, reviews, utcnow

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
        text = self._claim_text(claim_id)
        found: list[dict] = []
        for index, about in (self._factcheck_index(), self._own_index()):
            if len(index):
                found += [{**about[m.factcheck_id], "score": round(m.score, 4)}
                          for m in index.search(text, k + 1)
                          if m.factcheck_id != f"store:{claim_id}"]
        found.sort(key=lambda row: -row["score"])
        return pd.DataFrame(found[:k], columns=list(MATCH_COLUMNS))

    def has_earlier_checks(self) -> bool:
        """Whether the store holds imported fact-checks (what the review app looks for)."""
        query = select(factchecks.c.factcheck_id).limit(1)
        return self._read(lambda conn: conn.execute(query).first() is not None)

    # --- the indexes: fact-checks (large, rarely changed) and the team's verdicts (small,
    # changed by every verdict), each rebuilt only when what it holds changed ----------------

    def _claim_text(self, claim_id: str) -> str:
        frame = self.claims(claim_id=claim_id)  # the reviewed text (a trimmed content)
        if frame.empty:
            raise UnknownClaimError(claim_id)
        return str(frame["text"].iloc[0])

    def _factcheck_index(self) -> tuple[MatchIndex, dict[str, dict]]:
        from claimkit.matching.index import MatchIndex

        key = self._read(lambda conn: tuple(conn.execute(
            select(func.count(), func.max(factchecks.c.imported_at))).one()))
        cached = getattr(self, "_factcheck_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        facts = self._read(lambda conn: conn.execute(select(factchecks)).mappings().all())
        index, about = MatchIndex(), {}
        if facts:
            ids = [f"factcheck:{r['factcheck_id']}" for r in facts]
            index.add(ids, [r["claim"] for r in facts], [r["title"] for r in facts],
                      vectors=(matrix_of([r["claim_vector"] for r in facts]),
                               matrix_of([r["title_vector"] for r in facts])))
            about = {i: {"source": "factcheck", "id": r["factcheck_id"], "text": r["claim"],
                         "verdict": r["verdict"], "url": r["url"], "publisher": r["publisher"]}
                     for i, r in zip(ids, facts)}
        self._factcheck_cache = (key, index, about)
        return index, about

    def _own_index(self) -> tuple[MatchIndex, dict[str, dict]]:
        from claimkit.matching.index import MatchIndex

        key = self._read(lambda conn: tuple(conn.execute(
            select(func.count(), func.max(reviews.c.updated_at)).select_from(claims_joined())
            .where(_has_team_verdict())).one()))
        cached = getattr(self, "_own_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        self._embed_missing_claims()
        own = self._read(lambda conn: conn.execute(_verdicted_claims()).mappings().all())
        index, about = MatchIndex(), {}
        if own:
            ids = [f"store:{r['claim_id']}" for r in own]
            vectors = matrix_of([r["vector"] for r in own])
            index.add(ids, [r["text"] for r in own], None, vectors=(vectors, vectors))
            about = {i: {"source": "store", "id": r["claim_id"], "text": r["text"],
                         "verdict": r["verdict"], "url": r["url"], "publisher": r["outlet"]}
                     for i, r in zip(ids, own)}
        self._own_cache = (key, index, about)
        return index, about

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
