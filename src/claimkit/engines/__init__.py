"""Engines run extraction over many articles: ``local`` (this machine, optionally in worker
processes) or ``dask`` (a Dask cluster). Both run the same per-document function,
``claimkit.extract.extract_docs``, through ``local.process_chunk``, so their claims are the same.

Every engine yields one ``Extraction`` (article, claims, problem) per input article: a failed
article comes out as a value with its problem, never as an exception that stops the batch.

    for x in iter_extract(articles, jobs=2):
        x.article, x.claims, x.problem
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from claimkit.engines.local import run_extraction
from claimkit.model import Article, Claim, Extraction, article_id_for

if TYPE_CHECKING:
    from distributed import Client

ENGINES = ("local", "dask")
# Articles per nlp.pipe batch on the local engine (BENCHMARKS.md, "Extraction speed").
LOCAL_BATCH_SIZE = 16


def iter_extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1,
                 batch_size: int | None = None, *, engine: str = "local",
                 scheduler: str | Client | None = None) -> Iterator[Extraction]:
    """Stream one ``Extraction`` per article.

    ``engine="local"`` (default): in input order; ``jobs`` > 1 parses in parallel processes.
    ``engine="dask"``: on a Dask cluster (``scheduler``: its address or a ``Client``; None
    starts a local one), in the order partitions complete; ``batch_size`` is then the
    partition size and ``jobs`` is not used. A bad ``engine``/``scheduler`` raises ValueError
    at once (this is a plain function returning the engine's generator).
    """
    check_engine(engine, scheduler)
    if engine == "dask":
        # Imported here: distributed takes a second to import and most runs never need it.
        from claimkit.engines.dask import PARTITION_SIZE, run_extraction_dask
        return run_extraction_dask(articles, model=model, scheduler=scheduler,
                                   partition_size=batch_size or PARTITION_SIZE)
    return run_extraction(articles, model=model, jobs=jobs,
                          batch_size=batch_size or LOCAL_BATCH_SIZE)


def check_engine(engine: str, scheduler: object) -> None:
    """Raise ValueError for an unknown engine, or a scheduler given to the local engine."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if scheduler is not None and engine != "dask":
        raise ValueError("a scheduler is only used by the Dask engine (engine='dask')")


def extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1) -> list[Claim]:
    """Every claim of every article, in order (an article whose extraction failed adds none)."""
    return [c for x in iter_extract(articles, model=model, jobs=jobs) for c in x.claims]


def extract_text(text: str, model: str | None = None) -> list[Claim]:
    """Claims of one text given as a string (handy in a notebook)."""
    return extract([Article(article_id=article_id_for(text), text=text)], model=model)


__all__ = ["ENGINES", "Extraction", "check_engine", "extract", "extract_text", "iter_extract"]
