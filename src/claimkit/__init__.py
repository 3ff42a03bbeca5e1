"""claimkit: who claimed what in the news, and whether it holds up."""
from __future__ import annotations

from claimkit.extract import extract, extract_text, iter_extract
from claimkit.ingest import read_articles
from claimkit.load import extract_into_store
from claimkit.model import EXTRACTOR_VERSION, Article, Claim, InputProblem, Kind, SpeakerType
from claimkit.store import open_store


def __getattr__(name: str):
    # The review app pulls in ipywidgets: imported on first use, not with claimkit.
    if name == "ReviewApp":
        from claimkit.review import ReviewApp
        return ReviewApp
    raise AttributeError(f"module 'claimkit' has no attribute {name!r}")

__version__ = "0.1.0"

__all__ = [
    "Article", "Claim", "EXTRACTOR_VERSION", "InputProblem", "Kind", "ReviewApp", "SpeakerType",
    "extract", "extract_into_store", "extract_text", "iter_extract", "open_store", "read_articles", "__version__",
]
