"""claimkit: who claimed what in the news, and whether it holds up.

The names below are imported on first use, so that ``import claimkit`` (and the store, the
exports and every command that does not parse text) never pays for spaCy, Altair or ipywidgets.
docs/architecture.md says which module does what.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from claimkit.model import (EXTRACTOR_VERSION, Article, Claim, Extraction, FactCheck, InputProblem, Kind,
                            SpeakerType)

__version__ = "0.1.0"

# Public name -> the module that defines it.
_LAZY = {
    "read_articles": "claimkit.ingest",
    "extract": "claimkit.engines",
    "extract_text": "claimkit.engines",
    "iter_extract": "claimkit.engines",
    "extract_into_store": "claimkit.load",
    "open_store": "claimkit.store",
    "ReviewApp": "claimkit.review",
    "read_factchecks": "claimkit.factchecks",
    "MatchIndex": "claimkit.matching.index",
    "embed": "claimkit.matching.encoder",
}

if TYPE_CHECKING:
    from claimkit.engines import extract, extract_text, iter_extract
    from claimkit.factchecks import read_factchecks
    from claimkit.matching.encoder import embed
    from claimkit.matching.index import MatchIndex
    from claimkit.ingest import read_articles
    from claimkit.load import extract_into_store
    from claimkit.review import ReviewApp
    from claimkit.store import open_store


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # looked up once
        return value
    raise AttributeError(f"module 'claimkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Article", "Claim", "EXTRACTOR_VERSION", "Extraction", "FactCheck", "InputProblem", "Kind",
    "MatchIndex", "ReviewApp", "SpeakerType", "embed", "extract", "extract_into_store", "extract_text",
    "iter_extract", "open_store", "read_articles", "read_factchecks", "__version__",
]
