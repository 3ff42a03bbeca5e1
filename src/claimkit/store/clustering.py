"""Claim clusters: the claims that state the same thing share ``reviews.cluster_id``, so a claim
reported by forty outlets is judged once (docs/architecture.md §5).

Clustering is incremental. ``cluster_new`` takes the claims that have no cluster yet, embeds
them (``FactChecking.embed_claims``: vectors kept in ``claim_vectors``), and puts each into the
cluster of the nearest clustered claim that ``matching.same_claim`` calls the same claim, or
into a new cluster named after itself. A clustered claim never moves again by itself: existing
cluster ids stay as they are, and a claim a reviewer took out of a cluster
(``remove_from_cluster``, a review change with its history event) is never pulled back.

The vectors of the clustered claims are held in memory between calls (``_ClusterIndex``), so
adding one article's claims costs its embedding and one matrix-vector product per claim, not a
read of every vector.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, func, select, update

from claimkit.store import snapshot
from claimkit.store.backend import in_batches
from claimkit.store.changes import apply_change, lock_review
from claimkit.store.factchecking import (
    VECTOR_SIZE, FactChecking, bump_counter, matrix_of, read_counter,
)
from claimkit.store.schema import articles, claim_vectors, claims, reviews, utcnow


class _ClusterIndex:
    """The clustered claims' vectors and texts as this process last saw them. The matrix grows
    in place (capacity doubled when full), so adding an article's claims copies nothing."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.generation = -1  # the store's cluster generation these vectors are of
        self._rows = np.zeros((0, VECTOR_SIZE), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def matrix(self) -> np.ndarray:
        return self._rows[:len(self.ids)]

    def extend(self, ids: Sequence[str], texts: Sequence[str], matrix: np.ndarray) -> None:
        n, m = len(self.ids), len(ids)
        if n + m > len(self._rows):
            # A quarter spare: the first articles after loading a store copy nothing.
            grown = np.zeros((max(2 * len(self._rows), (n + m) * 5 // 4 + 1024), VECTOR_SIZE),
                             dtype=np.float32)
            grown[:n] = self._rows[:n]
            self._rows = grown
        self._rows[n:n + m] = matrix
        self.ids += ids
        self.texts += texts


class Clustering(FactChecking):
    """The cluster part of a Store."""

    def cluster_new(self, claim_ids: Sequence[str] | None = None) -> int:
        """Put the claims that have no cluster yet (of ``claim_ids``, or all of them) into
        clusters; returns how many were clustered. They are embedded first (outside the
        transaction); then one transaction gives each its cluster: the nearest clustered
        claim's that states the same thing (cosine >= the threshold, guards agreeing, see
        ``claimkit.matching.same_claim``), else a new one named after the claim. Claims that
        already have a cluster are never moved."""
        from claimkit.matching.same_claim import SameClaimRule

        todo = self._unclustered(claim_ids)
        if not todo:
            return 0
        self.embed_claims(todo)
        ids, texts, vectors = self._vectors_of(todo)
        known = self._cluster_index()
        joins = SameClaimRule.load().assign(vectors, texts, known.matrix, known.texts)

        def work(conn: Connection) -> tuple[int, bool]:
            snapshot.bump_generation(conn)  # the snapshot holds cluster ids: rebuild it
            generation = bump_counter(conn, _GENERATION_KEY) - 1
            old_clusters = _clusters_of(conn, sorted({known.ids[j] for j in joins
                                                      if j is not None and j < len(known)}))
            chosen: list[str] = []
            for i, join in enumerate(joins):
                if join is None:
                    chosen.append(ids[i])  # founds its own cluster
                elif join < len(known):
                    # A stored claim moved out of all clusters since this index was read: the
                    # new claim founds its own cluster rather than guess.
                    chosen.append(old_clusters.get(known.ids[join]) or ids[i])
                else:
                    chosen.append(chosen[join - len(known)])
            # Another writer may have clustered some of them meanwhile: theirs stand.
            still = {cid for cid, cluster in _clusters_of(conn, ids).items() if cluster is None}
            rows = [{"b_id": i, "b_cluster": c} for i, c in zip(ids, chosen) if i in still]
            if rows:
                conn.execute(update(reviews).where(reviews.c.claim_id == bindparam("b_id"))
                             .where(reviews.c.cluster_id.is_(None))
                             .values(cluster_id=bindparam("b_cluster")), rows)
            return len(rows), generation == known.generation
        clustered, current = self._write(work)
        if current:  # nobody clustered since the index was read: it grows by these claims
            known.extend(ids, texts, vectors)
            known.generation += 1
        else:
            self._cluster_cache = None
        return clustered

    def cluster(self, cluster_id: str) -> pd.DataFrame:
        """The claims of one cluster (``store.claims()`` rows: their wordings, outlets,
        reviews), in article order."""
        return self.claims(cluster_id=cluster_id)  # type: ignore[attr-defined]

    def remove_from_cluster(self, claim_id: str, reviewer: str | None = None, *,
                            expected_version: int | None = None) -> int:
        """Take a claim out of a wrong cluster: it gets a cluster of its own, as a review change
        with its history event (so ``undo`` puts it back). Clustering never moves it again.
        Returns the claim's new version."""
        who = self._who(reviewer)

        def work(conn: Connection) -> int:
            current = lock_review(conn, claim_id, expected_version)
            return apply_change(conn, current, {"cluster_id": uuid.uuid4().hex}, who, utcnow())
        return self._write(work)

    def review_cluster(self, cluster_id: str, **change: Any):
        """One review change (``bulk_review``'s arguments: ``status``, ``verdict``, ``tags``,
        ``note``, ``evidence``, ``reviewer``, ...) to every claim of the cluster, in one
        transaction under the store's workflow: one history event per claim, and
        ``undo_many(result.versions)`` takes it back as one step. Returns the BulkResult.
        Raises KeyError for a cluster the store does not hold."""
        if not self.count(cluster_id=cluster_id):  # type: ignore[attr-defined]
            raise KeyError(f"no such cluster: {cluster_id}")
        return self.bulk_review(where={"cluster_id": cluster_id},  # type: ignore[attr-defined]
                                **change)

    def cluster_sizes(self, cluster_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """For each cluster: (claims, articles) it holds. One query per few hundred ids."""
        query = (select(reviews.c.cluster_id, func.count(),
                        func.count(func.distinct(claims.c.article_id)))
                 .select_from(reviews.join(claims, claims.c.claim_id == reviews.c.claim_id)))

        def work(conn: Connection) -> dict[str, tuple[int, int]]:
            out = {}
            for batch in in_batches(sorted(set(cluster_ids))):
                for cid, n, n_articles in conn.execute(
                        query.where(reviews.c.cluster_id.in_(batch))
                        .group_by(reviews.c.cluster_id)):
                    out[cid] = (int(n), int(n_articles))
            return out
        return self._read(work)

    # --- parts -----------------------------------------------------------------------------

    def _unclustered(self, claim_ids: Sequence[str] | None) -> list[str]:
        """Claims without a cluster, in the order they were stored (article, position), so
        the earliest report of a claim names its cluster."""
        query = (select(claims.c.claim_id)
                 .select_from(claims.join(reviews, reviews.c.claim_id == claims.c.claim_id)
                              .join(articles, articles.c.article_id == claims.c.article_id))
                 .where(reviews.c.cluster_id.is_(None)))
        order = (articles.c.stored_at, claims.c.article_id, claims.c.position)
        batches = [None] if claim_ids is None else list(in_batches(sorted(set(claim_ids))))

        def work(conn: Connection) -> list[str]:
            rows = []
            for batch in batches:
                q = query if batch is None else query.where(claims.c.claim_id.in_(batch))
                rows += conn.execute(q.add_columns(*order)).all()
            rows.sort(key=lambda r: (r[1], r[2], r[3]))
            return [r[0] for r in rows]
        return self._read(work)

    def _vectors_of(self, claim_ids: Sequence[str]) -> tuple[list[str], list[str], np.ndarray]:
        """The stored vectors (and the texts embedded) of these claims, in the order given."""
        def work(conn: Connection) -> dict[str, tuple[str, bytes]]:
            found = {}
            for batch in in_batches(list(claim_ids)):
                for cid, text, vector in conn.execute(
                        select(claim_vectors.c.claim_id, claim_vectors.c.text,
                               claim_vectors.c.vector)
                        .where(claim_vectors.c.claim_id.in_(batch))):
                    found[cid] = (text, vector)
            return found
        found = self._read(work)
        ids = [i for i in claim_ids if i in found]
        return ids, [found[i][0] for i in ids], matrix_of([found[i][1] for i in ids])

    def _cluster_index(self) -> _ClusterIndex:
        """The clustered claims' vectors, kept between calls while the store's cluster
        generation (a ``settings`` row every clustering bumps) is the one they were read at:
        checking it is one row, where counting 100k clustered claims took 160 ms."""
        cached = getattr(self, "_cluster_cache", None)
        generation = self._read(_generation)
        if cached is not None and cached.generation == generation:
            return cached
        query = (select(claim_vectors.c.claim_id, claim_vectors.c.text, claim_vectors.c.vector)
                 .select_from(claim_vectors.join(reviews,
                                                 reviews.c.claim_id == claim_vectors.c.claim_id))
                 .where(reviews.c.cluster_id.is_not(None)).order_by(claim_vectors.c.claim_id))
        generation, rows = self._read(lambda conn: (_generation(conn),
                                                    conn.execute(query).all()))
        index = _ClusterIndex()
        if rows:
            index.extend([r[0] for r in rows], [r[1] for r in rows],
                         matrix_of([r[2] for r in rows]))
        index.generation = generation
        self._cluster_cache = index
        return index


# The settings row that counts clusterings (store/schema.py: settings).
_GENERATION_KEY = "cluster_generation"


def _generation(conn: Connection) -> int:
    return read_counter(conn, _GENERATION_KEY)


def _clusters_of(conn: Connection, claim_ids: Sequence[str]) -> dict[str, str | None]:
    """Each claim's cluster as stored now (read in the writing transaction)."""
    out: dict[str, str | None] = {}
    for batch in in_batches(list(claim_ids)):
        out.update(conn.execute(select(reviews.c.claim_id, reviews.c.cluster_id)
                                .where(reviews.c.claim_id.in_(batch))).all())
    return out
