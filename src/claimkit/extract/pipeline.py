"""Placeholder pipeline: replaced by the real extractor."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from claimkit.model import Article, Claim, article_id_for
from claimkit.nlp import load_pipeline

EXTRACTOR_VERSION = "0.0.0"


def extract_docs(article: Article, doc: Doc) -> list[Claim]:
    return []


def iter_extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1,
                 batch_size: int = 16) -> Iterator[tuple[Article, list[Claim]]]:
    nlp = load_pipeline(model)
    arts = list(articles)
    for art, doc in zip(arts, nlp.pipe((a.text for a in arts), batch_size=batch_size)):
        yield art, extract_docs(art, doc)


def extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1) -> list[Claim]:
    return [c for _, claims in iter_extract(articles, model=model, jobs=jobs) for c in claims]


def extract_text(text: str, model: str | None = None) -> list[Claim]:
    return extract([Article(article_id=article_id_for(text), text=text)], model=model)
