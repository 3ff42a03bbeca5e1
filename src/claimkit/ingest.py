"""Placeholder: replaced by the real readers."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from claimkit.model import Article, InputProblem, article_id_for


def read_articles(paths: Iterable[str | Path],
                  on_problem: Callable[[InputProblem], None] | None = None) -> Iterator[Article]:
    for p in paths:
        text = Path(p).read_text(encoding="utf-8")
        yield Article(article_id=article_id_for(text), text=text, path=str(p))
