"""The local engine: batched parsing on this machine, optionally in worker processes.

``run_extraction`` is the one loop that turns articles into claims (docs/architecture.md):

* it streams: articles are read from the input in chunks of ``batch_size`` and at most a few
  chunks are held at any time, so memory does not grow with the size of the corpus;
* order is preserved: results come out in the order the articles went in;
* one bad article never stops a batch: if extraction raises, its ``Extraction`` carries no
  claims and the ``InputProblem`` that says why;
* with ``jobs > 1`` each worker process loads the spaCy pipeline once, parses and extracts whole
  chunks, and sends back only the claims (small plain data), never spaCy ``Doc`` objects.

Each chunk is parsed inside ``nlp.memory_zone()``, which frees the strings and lexemes spaCy
adds for that chunk's text. Without it the vocabulary of a long-lived process keeps growing with
every new name and number in the corpus. The cost is that nothing made by the pipeline
(``Doc``, ``Token``, ``Span``, string-store hashes of new words) may be kept after
``extract_fn`` returns; claims are plain Python data, so they are unaffected.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TYPE_CHECKING

from claimkit.extract import extract_docs
from claimkit.model import Article, Claim, Extraction, InputProblem
from claimkit.nlp import load_pipeline

if TYPE_CHECKING:
    from spacy.tokens import Doc

ExtractFn = Callable[[Article, "Doc"], list[Claim]]

# How many chunks each worker may have queued besides the one it is working on. One is enough
# to keep a worker busy while the parent hands out the next chunk; more only costs memory.
_QUEUED_PER_WORKER = 1

# How many pieces each worker gets of the last articles of the input (see
# chunked_evenly_at_the_end): enough to even out articles of different lengths.
_TAIL_CHUNKS_PER_WORKER = 3


def run_extraction(
    articles: Iterable[Article],
    *,
    model: str | None = None,
    jobs: int = 1,
    batch_size: int = 16,
    extract_fn: ExtractFn | None = None,
) -> Iterator[Extraction]:
    """Yield an ``Extraction`` for each article, in input order, as results become ready.

    ``model``: spaCy pipeline name (see ``claimkit.nlp.resolve_model_name``).
    ``jobs``: worker processes; 1 runs in this process, 0 or less uses every available core.
    ``batch_size``: articles per ``nlp.pipe`` batch, which is also the unit sent to a worker.
    An article whose extraction failed is still yielded, with no claims and its ``problem``.
    ``extract_fn``: ``(article, doc) -> claims``; defaults to
    ``claimkit.extract.extract_docs``. With ``jobs > 1`` it must be picklable
    (a module-level function).

    The input is consumed lazily: at most ``batch_size`` articles ahead of what has been yielded
    with ``jobs=1``, ``(3 * jobs + 1) * batch_size`` with workers. Closing the generator early (or
    dropping it) stops the workers.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    jobs = _effective_jobs(jobs)
    if jobs == 1:
        results = _run_in_process(chunked(articles, batch_size), model, extract_fn)
    else:
        chunks = chunked_evenly_at_the_end(articles, batch_size, jobs)
        results = _ParallelRun(jobs, model, extract_fn).run(chunks)
    yield from results


def _effective_jobs(jobs: int) -> int:
    if jobs >= 1:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunked(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(articles)
    while chunk := list(islice(it, size)):
        yield chunk


def chunked_evenly_at_the_end(articles: Iterable[Article], size: int,
                               jobs: int) -> Iterator[list[Article]]:
    """Chunks of ``size``, except that the input's last articles are cut finer.

    With whole chunks to the end, the last one runs on one worker while the others wait: on a
    few hundred articles that idle tail costs a tenth of the run. Reading ``jobs`` chunks ahead
    shows when the input is about to end; what is left then is shared out in small chunks, a
    few per worker, so the workers finish together.
    """
    window: deque[Article] = deque()
    for article in articles:
        window.append(article)
        if len(window) >= (jobs + 1) * size:
            yield [window.popleft() for _ in range(size)]
    rest = list(window)
    small = max(1, -(-len(rest) // (jobs * _TAIL_CHUNKS_PER_WORKER)))
    for start in range(0, len(rest), small):
        yield rest[start:start + small]


# What a worker sends back per article: its claims and problem, not the article, which the
# parent still holds (sending the text back would double what crosses the pipe).
Outcome = tuple[list[Claim], "InputProblem | None"]


def outcomes(extractions: list[Extraction]) -> list[Outcome]:
    return [(x.claims, x.problem) for x in extractions]


def rejoin(chunk: list[Article], sent: list[Outcome]) -> Iterator[Extraction]:
    """The ``Extraction`` values of a chunk, from what its worker sent back."""
    for article, (claims, problem) in zip(chunk, sent):
        yield Extraction(article, claims, problem)


def _describe(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


def process_chunk(nlp, extract_fn: ExtractFn, chunk: list[Article]) -> list[Extraction]:
    """Parse a chunk with one ``nlp.pipe`` call and extract each doc; never raises per article.

    Every engine runs this (worker processes here, Dask workers in ``claimkit.engines.dask``),
    which is what makes their claims identical.
    """
    results: list[Extraction] = []
    with nlp.memory_zone():
        try:
            docs = list(nlp.pipe([a.text for a in chunk], batch_size=len(chunk)))
        except Exception:
            # The parser failed on some text of the batch: parse one by one to find which.
            docs = None
        for i, article in enumerate(chunk):
            try:
                doc = docs[i] if docs is not None else nlp(article.text)
                results.append(Extraction(article, list(extract_fn(article, doc))))
            except Exception as exc:  # one article's failure must not stop the batch
                results.append(Extraction.failure(article, _describe(exc)))
    return results


def _run_in_process(chunks: Iterable[list[Article]], model: str | None,
                    extract_fn: ExtractFn | None) -> Iterator[Extraction]:
    nlp = load_pipeline(model)
    fn = extract_fn or extract_docs
    for chunk in chunks:
        yield from process_chunk(nlp, fn, chunk)


# --- worker processes -------------------------------------------------------------------------

_worker_nlp = None
_worker_extract_fn: ExtractFn | None = None
_worker_init_error: BaseException | None = None


def _init_worker(model: str | None, extract_fn: ExtractFn | None) -> None:
    global _worker_nlp, _worker_extract_fn, _worker_init_error
    try:
        _worker_nlp = load_pipeline(model)
        _worker_extract_fn = extract_fn or extract_docs
    except Exception as exc:
        # An initializer that raises leaves the pool "broken" with no message; keep the error
        # and raise it from the first task instead, so the caller sees e.g. ModelNotFound.
        _worker_init_error = exc


def _work(chunk: list[Article]) -> list[Outcome]:
    if _worker_init_error is not None:
        raise _worker_init_error
    return outcomes(process_chunk(_worker_nlp, _worker_extract_fn, chunk))


def _ping() -> bool:
    if _worker_init_error is not None:
        raise _worker_init_error
    return True


def _mp_context() -> multiprocessing.context.BaseContext:
    """forkserver where available (Linux), else spawn.

    ``fork`` would start workers fastest, but forking a process that runs threads (a Jupyter
    kernel, tqdm's monitor, BLAS pools) can deadlock the child. forkserver forks workers from a
    small clean server instead; preloading this module there means each worker only has to
    load the pipeline, not import spaCy again.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["claimkit.engines.local"])  # no effect once the server is running
        return ctx
    return multiprocessing.get_context("spawn")


class _ParallelRun:
    """A process pool fed in order with at most a few chunks in flight.

    ``Pool.imap`` is not used: its feeder thread reads the whole input as fast as it can, so
    memory would grow with the corpus, and ``multiprocessing.Pool`` hangs when a worker dies.
    ``ProcessPoolExecutor`` reports a dead worker (``BrokenProcessPool``); the articles that were
    in flight are then retried one at a time in a fresh pool, so only the article that kills its
    worker (a parser crash, the OOM killer) is reported as failed.
    """

    def __init__(self, jobs: int, model: str | None, extract_fn: ExtractFn | None) -> None:
        self.jobs = jobs
        self.model = model
        self.extract_fn = extract_fn
        self.max_in_flight = jobs * (1 + _QUEUED_PER_WORKER)
        self.pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        self._close_pool()
        self.pool = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=_mp_context(),
            initializer=_init_worker, initargs=(self.model, self.extract_fn))
        return self.pool

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def run(self, chunks: Iterable[list[Article]]) -> Iterator[Extraction]:
        pending: deque[tuple[list[Article], Future]] = deque()
        try:
            for chunk in chunks:
                if self.pool is None:  # started on the first chunk: no processes for no input
                    self._new_pool()
                try:
                    future = self.pool.submit(_work, chunk)
                except BrokenProcessPool:
                    # The pool broke before this chunk could even be queued (workers dying as
                    # they start): same path as a broken result, in input order.
                    suspects = [a for c, _ in pending for a in c] + chunk
                    pending.clear()
                    yield from self._retry_one_by_one(suspects)
                    continue
                pending.append((chunk, future))
                if len(pending) >= self.max_in_flight:
                    yield from self._take_oldest(pending)
            while pending:
                yield from self._take_oldest(pending)
        finally:
            for _, future in pending:
                future.cancel()
            self._close_pool()

    def _take_oldest(self, pending: deque) -> Iterator[Extraction]:
        chunk, future = pending.popleft()
        try:
            results = future.result()
        except BrokenProcessPool:
            suspects = chunk + [a for c, _ in pending for a in c]
            pending.clear()
            yield from self._retry_one_by_one(suspects)  # leaves a fresh, working pool
            return
        yield from rejoin(chunk, results)

    def _retry_one_by_one(self, articles: list[Article]) -> Iterator[Extraction]:
        self._new_pool()
        try:
            self.pool.submit(_ping).result()
        except BrokenProcessPool as exc:
            # Workers that die before any work is not an article's fault: blaming the articles
            # one by one would only start a pool per article.
            raise RuntimeError(
                "claimkit worker processes die as they start (their error output is above). "
                f"With the {_mp_context().get_start_method()!r} start method each worker imports "
                "the calling script: it must be a file (not code piped to python on stdin) and "
                "must start extraction under `if __name__ == '__main__':`. Or use jobs=1."
            ) from exc
        for article in articles:
            try:
                (sent,) = self.pool.submit(_work, [article]).result()
                result = Extraction(article, *sent)
            except BrokenProcessPool:
                result = Extraction.failure(
                    article, "BrokenProcessPool: the worker process died on this article")
                self._new_pool()
            yield result
