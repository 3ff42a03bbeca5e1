"""The Dask engine: the same extraction as the local engine, spread over a cluster.

``run_extraction_dask`` has the contract of ``claimkit.engines.local.run_extraction`` except
for order:

* the client reads the articles and cuts them into partitions of ``partition_size`` articles;
  each partition is one Dask task;
* each worker process loads the spaCy pipeline once (``claimkit.nlp.load_pipeline`` is cached
  per process: a plain module-level cache rather than a ``WorkerPlugin``, so nothing has to be
  registered on the cluster and a worker that the nanny restarts simply loads it again on its
  first partition) and runs ``claimkit.engines.local.process_chunk`` with ``extract_docs``, the very
  function the local engine runs, so claims and ids are the same whatever the engine;
* results come back as partitions complete (not in input order), with at most two partitions
  per worker thread in flight, so the client's memory does not grow with the corpus;
* a worker that dies costs only the partitions it held: the scheduler runs them again
  elsewhere and the client receives each partition's result exactly once. A partition that
  keeps killing workers (Dask's ``KilledWorker``) is retried article by article, and only the
  article that kills its worker is reported, as the local engine does;
* one bad article never stops the batch: its ``Extraction`` has no claims and says why.

Without a scheduler address a ``LocalCluster`` is started with one single-threaded worker
process per core, listening on loopback only, no dashboard, and closed at the end.
"""
from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, count
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from claimkit.engines.local import ExtractFn, Outcome, chunked, outcomes, process_chunk, rejoin
from claimkit.extract import extract_docs
from claimkit.model import Article, Extraction
from claimkit.nlp import load_pipeline, resolve_model_name

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

# Articles per Dask task, parsed as one nlp.pipe batch. Big enough that the scheduler's cost
# per task (about a millisecond) is nothing next to parsing (~0.3 s an article per core); the
# same as the local engine's batch because a partition is one parse batch: measured on 300
# PolNeAR articles with 2 workers, 32 made workers' peak RSS 1.0 GB instead of 0.68 GB, and
# the run 22% slower on a quiet machine (BENCHMARKS.md, "Corpus scale").
PARTITION_SIZE = 16
# Partitions per worker thread in flight: one running, one queued so the worker never waits
# for the client. More only costs memory on the client.
IN_FLIGHT_PER_THREAD = 2

# One pipeline per worker process, used by one partition at a time: spaCy's memory zones are
# not safe to share between threads, and the GIL makes extra threads useless for parsing.
_pipeline_lock = threading.Lock()


def extract_partition(articles: list[Article], model: str,
                      extract_fn: ExtractFn | None = None) -> list[Outcome]:
    """Runs on a worker: ``(claims, problem)`` for each article of one partition."""
    with _pipeline_lock:
        return outcomes(process_chunk(load_pipeline(model), extract_fn or extract_docs, articles))


def run_extraction_dask(
    articles: Iterable[Article],
    *,
    model: str | None = None,
    scheduler: str | Client | None = None,
    partition_size: int = PARTITION_SIZE,
    extract_fn: ExtractFn | None = None,
) -> Iterator[Extraction]:
    """Yield an ``Extraction`` for each article as its partition completes on Dask.

    ``scheduler``: a scheduler address (``tcp://host:8786``), a ``distributed.Client`` (left
    open), or None to start and stop a local cluster with one worker process per core.
    An article whose extraction failed is yielded with no claims and its ``problem``.
    ``extract_fn``: as for ``run_extraction`` (default ``extract_docs``); it must
    be importable on the workers. The input is consumed lazily; closing the generator cancels
    what is in flight and stops a cluster it started.
    """
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    # Resolved here, not on the workers: a cluster's workers may not share our environment.
    model_name = resolve_model_name(model)
    partitions = chunked(articles, partition_size)
    first = next(partitions, None)
    if first is None:  # nothing to do (e.g. a resumed run with everything stored): no cluster
        return
    with dask_client(scheduler) as client:
        run = _DaskRun(client, model_name, extract_fn)
        yield from run.results(chain([first], partitions))


@contextmanager
def dask_client(scheduler: str | Client | None = None) -> Iterator[Client]:
    """A client for ``scheduler``; starts (and then closes) a local cluster when it is None."""
    from distributed import Client

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None:
        with _connect(scheduler) as client:
            yield client
        return
    with local_cluster() as cluster, Client(cluster, set_as_default=False) as client:
        yield client


def local_cluster(n_workers: int | None = None, **options: Any) -> LocalCluster:
    """The cluster started when no scheduler is given: ``n_workers`` (default: one per core)
    single-threaded worker processes on loopback, no dashboard, Dask's logs kept quiet.
    ``options`` go to ``LocalCluster`` over these."""
    from distributed import LocalCluster

    settings = dict(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1,
                    processes=True, host="127.0.0.1", dashboard_address=None,
                    silence_logs=logging.ERROR)
    return LocalCluster(**(settings | options))


class SchedulerUnreachable(RuntimeError):
    """The scheduler address is malformed, or nothing answers there."""


def _connect(address: str) -> Client:
    from distributed import Client

    try:
        return Client(address, set_as_default=False)
    except (OSError, ValueError) as exc:
        reason = str(exc)
    # Outside the except block, so that the traceback no longer holds the half-made client:
    # it is finalised now, while its event loop still runs (left to interpreter exit, its
    # __del__ prints a TimeoutError traceback).
    gc.collect()
    raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address}: {reason}")


class _DaskRun:
    """Partitions submitted as Dask futures, at most a few per worker thread at a time."""

    def __init__(self, client: Client, model: str, extract_fn: ExtractFn | None) -> None:
        self.client = client
        self.model = model
        self.extract_fn = extract_fn
        self._keys = (f"claimkit-extract-{uuid4().hex}-{i}" for i in count())

    def max_in_flight(self) -> int:
        # Asked again before each submit, so a cluster that grows (adaptive scaling) is used.
        threads = sum(self.client.nthreads().values())
        return IN_FLIGHT_PER_THREAD * max(1, threads)

    def _submit(self, partition: list[Article]):
        # An explicit unique key: Dask would otherwise merge two identical partitions into one
        # task, and keys must not collide between runs sharing a cluster.
        return self.client.submit(extract_partition, partition, self.model, self.extract_fn,
                                  key=next(self._keys), pure=False)

    def results(self, partitions: Iterable[list[Article]]) -> Iterator[Extraction]:
        from distributed import as_completed

        waiting = as_completed(loop=self.client.loop)
        held: dict[str, tuple[Future, list[Article]]] = {}  # what is in flight, by task key
        try:
            for partition in partitions:
                future = self._submit(partition)
                held[future.key] = (future, partition)
                waiting.add(future)
                while waiting.count() >= self.max_in_flight():
                    yield from self._collect(next(waiting), held)
            for future in waiting:
                yield from self._collect(future, held)
        finally:
            # Only left-overs from a closed generator or an error: cancel, do not wait.
            if held:
                waiting.clear()
                self.client.cancel([future for future, _ in held.values()])

    def _collect(self, future: Future, held: dict[str, tuple[Future, list[Article]]]
                 ) -> Iterator[Extraction]:
        from distributed import KilledWorker

        _, partition = held.pop(future.key)
        try:
            results = future.result()
        except KilledWorker:
            # Workers died each time this partition ran: find the article that kills them.
            yield from self._one_by_one(partition)
            return
        finally:
            future.release()
        yield from rejoin(partition, results)

    def _one_by_one(self, partition: list[Article]) -> Iterator[Extraction]:
        from distributed import KilledWorker

        for article in partition:
            future = self._submit([article])
            try:
                (sent,) = future.result()
                result = Extraction(article, *sent)
            except KilledWorker:
                result = Extraction.failure(
                    article, "KilledWorker: the Dask worker died each time it ran this article")
            finally:
                future.release()
            yield result
