"""Articles into the store: read, skip what is already stored, extract, add.

This is the edge where extraction meets the store (``extract`` itself never touches it). Each
article lands in its own transaction, so a killed run leaves whole articles only, and the next run
skips them by id: resumable by construction. The command line (``claimkit extract``), the
notebooks and the Dask engine all come through here.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from claimkit.engines import iter_extract
from claimkit.ingest import read_articles
from claimkit.model import EXTRACTOR_VERSION, Article, Extraction, InputProblem
from claimkit.store import AddResult, Store

if TYPE_CHECKING:
    from distributed import Client


class LoadListener(Protocol):
    """Told what happens to each input; the command line's progress bar and summary are one."""

    def input_problem(self, problem: InputProblem) -> None: ...
    def record(self, extraction: Extraction) -> bool: ...
    def already_done(self, article: Article) -> None: ...


@dataclass
class ProblemLog:
    """The listener used when the caller gives none: keeps the problems for the result."""

    problems: list[InputProblem] = field(default_factory=list)

    def input_problem(self, problem: InputProblem) -> None:
        self.problems.append(problem)

    def record(self, extraction: Extraction) -> bool:
        if extraction.problem is not None:
            self.problems.append(extraction.problem)
        return not extraction.failed

    def already_done(self, article: Article) -> None:
        pass


@dataclass
class LoadResult:
    added: AddResult
    already_stored: int = 0
    problems: list[InputProblem] = field(default_factory=list)
    clustered: int = 0  # new claims put into clusters at the end (store/clustering.py)

    def __str__(self) -> str:
        text = (f"{self.added.articles} articles stored ({self.added.claims_added} new claims), "
                f"{self.already_stored} already there")
        if self.problems:
            text += f", {len(self.problems)} problems"
        return text


# A load that wrote this many claims ends with store.optimize(): fresh planner statistics and,
# on SQLite, the snapshot that makes the analyst's first full read fast.
OPTIMIZE_AFTER_CLAIMS = 1_000


def extract_into_store(store: Store, paths: Iterable[str], *, model: str | None = None,
                       jobs: int = 1, listener: LoadListener | None = None,
                       engine: str = "local", scheduler: str | Client | None = None,
                       batch_size: int | None = None, cluster: bool = True) -> LoadResult:
    """Extract every article under ``paths`` that ``store`` does not hold yet, and store it.

    An article counts as stored when the store holds it from the current extractor version;
    from an older version it is re-extracted and reconciled (reviews kept, lost claims flagged).
    ``engine``: "local" (``jobs`` processes on this machine) or "dask" (``scheduler``: an
    address or a ``distributed.Client``; None starts a local cluster, one worker per core).
    Either way stored articles are skipped before they are sent to extraction, and results
    are stored here, one transaction per article; an article whose extraction failed is not
    stored, so the next run tries it again. ``batch_size``: articles per parse batch (local)
    or per Dask partition; None for the engine's default. ``cluster``: at the end, put the
    claims this run stored into clusters of claims that state the same thing
    (``store.cluster_new``, incremental; it embeds them, tens of claims a second).
    """
    log = ProblemLog()
    listener = listener or log
    result = LoadResult(added=AddResult(), problems=log.problems)

    def not_yet_stored(articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            if store.is_stored(article.article_id, EXTRACTOR_VERSION):
                result.already_stored += 1
                listener.already_done(article)
            else:
                yield article

    articles = read_articles(list(paths), on_problem=listener.input_problem)
    extractions = iter_extract(not_yet_stored(articles), model=model, jobs=jobs,
                               batch_size=batch_size, engine=engine, scheduler=scheduler)
    stored_claims: list[str] = []
    try:
        for extraction in extractions:
            if listener.record(extraction):
                result.added += store.add(extraction.article, extraction.claims,
                                          extractor_version=EXTRACTOR_VERSION)
                stored_claims += [c.claim_id for c in extraction.claims]
    finally:
        extractions.close()
    if cluster and stored_claims:
        # After the loop, not per article: embedding is the cost, and it batches.
        result.clustered = store.cluster_new(stored_claims)
    if result.added.claims_added + result.added.claims_updated >= OPTIMIZE_AFTER_CLAIMS:
        store.optimize()
    return result
