"""claimkit: who claimed what in the news, and whether it holds up."""
from __future__ import annotations

from claimkit.extract import EXTRACTOR_VERSION, extract, extract_text, iter_extract
from claimkit.ingest import read_articles
from claimkit.load import extract_into_store
from claimkit.model import Article, Claim, InputProblem, Kind, SpeakerType
from claimkit.store import open_store

__version__ = "0.1.0"

__all__ = [
    "Article", "Claim", "EXTRACTOR_VERSION", "InputProblem", "Kind", "SpeakerType",
    "extract", "extract_into_store", "extract_text", "iter_extract", "open_store", "read_articles", "__version__",
]
