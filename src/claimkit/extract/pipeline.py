"""From a parsed article to its claims: candidates -> filter -> claims (pure, no I/O)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from claimkit.extract.attribution import find_candidates
from claimkit.extract.claims import ClaimBuilder, link_parents
from claimkit.extract.scoring import select
from claimkit.model import Article, Claim, article_id_for

# Bump when extraction output changes: the store keys re-extraction on it.
EXTRACTOR_VERSION = "0.1.0"


def extract_docs(article: Article, doc: Doc) -> list[Claim]:
    """All claims of one article, given its parse (``doc.text == article.text``)."""
    skip = list(article.boilerplate)
    candidates, quotes = find_candidates(doc, skip)
    builder = ClaimBuilder(article, doc, quotes, EXTRACTOR_VERSION)
    attributed = [builder.attribution_claim(att, p) for att, p in select(candidates, doc, quotes, article.text)]
    taken = [sp for c in attributed for sp in (*c.content, *c.source, *c.cue)]
    assertions = builder.assertion_claims(taken, article.boilerplate)
    claims = link_parents(attributed + assertions)
    return sorted(claims, key=lambda c: (c.content[0][0], c.content[-1][1]))


def iter_extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1,
                 batch_size: int = 16, on_problem=None) -> Iterator[tuple[Article, list[Claim]]]:
    """Stream (article, claims) pairs in input order; ``jobs`` > 1 parses in parallel processes."""
    from claimkit.batch import run_extraction
    yield from run_extraction(articles, model=model, jobs=jobs, batch_size=batch_size, on_problem=on_problem)


def extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1) -> list[Claim]:
    """Every claim of every article, in order."""
    return [c for _, claims in iter_extract(articles, model=model, jobs=jobs) for c in claims]


def extract_text(text: str, model: str | None = None) -> list[Claim]:
    """Claims of one text given as a string (handy in a notebook)."""
    return extract([Article(article_id=article_id_for(text), text=text)], model=model)
