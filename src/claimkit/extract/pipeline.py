"""From a parsed article to its claims: candidates -> filter -> claims (pure, no I/O)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from claimkit.extract.attribution import Attribution, find_candidates, quotes_after_speaker
from claimkit.extract.claims import ClaimBuilder, link_parents
from claimkit.extract.scoring import select
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.model import EXTRACTOR_VERSION, Article, Claim, Span, article_id_for


def extract_docs(article: Article, doc: Doc, settings: ExtractionSettings = DEFAULTS) -> list[Claim]:
    """All claims of one article, given its parse (``doc.text == article.text``)."""
    skip = list(article.boilerplate)
    candidates, quotes = find_candidates(doc, skip, article.text, settings)
    builder = ClaimBuilder(article, doc, quotes, EXTRACTOR_VERSION, settings)
    chosen = choose_attributions(doc, candidates, quotes, article.text, settings)
    attributed = [builder.attribution_claim(att, p) for att, p in chosen]
    taken = [sp for c in attributed for sp in (*c.content, *c.source, *c.cue)]
    assertions = builder.assertion_claims(taken, article.boilerplate)
    claims = link_parents(attributed + assertions)
    return sorted(claims, key=lambda c: (c.content[0][0], c.content[-1][1]))


def choose_attributions(doc: Doc, candidates: list[Attribution], quotes: list[Span], text: str,
                        settings: ExtractionSettings = DEFAULTS) -> list[tuple[Attribution, float]]:
    """The filter's choice among the rules' candidates, plus quoted paragraphs that continue a
    known speaker (these need the chosen attributions, so they come after the filter)."""
    chosen = select(candidates, doc, quotes, text, settings=settings)
    follow = quotes_after_speaker(text, quotes, [a for a, _ in chosen], settings)
    return sorted(chosen + [(a, settings.follow_confidence) for a in follow],
                  key=lambda x: (x[0].content_start, x[0].content_end))


def iter_extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1,
                 batch_size: int | None = None, on_problem=None, *, engine: str = "local",
                 scheduler=None) -> Iterator[tuple[Article, list[Claim]]]:
    """Stream (article, claims) pairs.

    ``engine="local"`` (default): in input order; ``jobs`` > 1 parses in parallel processes.
    ``engine="dask"``: on a Dask cluster (``scheduler``: its address or a ``Client``; None
    starts a local one), in the order partitions complete; ``batch_size`` is then the
    partition size and ``jobs`` is not used. A bad ``engine``/``scheduler`` raises ValueError
    at once (this is a plain function returning the engine's generator).
    """
    check_engine(engine, scheduler)
    if engine == "dask":
        from claimkit.dask_engine import PARTITION_SIZE, run_extraction_dask
        return run_extraction_dask(articles, model=model, scheduler=scheduler,
                                   partition_size=batch_size or PARTITION_SIZE,
                                   on_problem=on_problem)
    from claimkit.batch import run_extraction
    return run_extraction(articles, model=model, jobs=jobs, batch_size=batch_size or 16,
                              on_problem=on_problem)


ENGINES = ("local", "dask")


def check_engine(engine: str, scheduler) -> None:
    """Raise ValueError for an unknown engine, or a scheduler given to the local engine."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if scheduler is not None and engine != "dask":
        raise ValueError("a scheduler is only used by the Dask engine (engine='dask')")


def extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1) -> list[Claim]:
    """Every claim of every article, in order."""
    return [c for _, claims in iter_extract(articles, model=model, jobs=jobs) for c in claims]


def extract_text(text: str, model: str | None = None) -> list[Claim]:
    """Claims of one text given as a string (handy in a notebook)."""
    return extract([Article(article_id=article_id_for(text), text=text)], model=model)
