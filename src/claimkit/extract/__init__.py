"""Sentences -> claims. Attribution = source + cue + content (DESIGN §1-§2)."""
from __future__ import annotations

from claimkit.extract.pipeline import extract, extract_docs, extract_text, iter_extract

__all__ = ["extract", "extract_docs", "extract_text", "iter_extract"]
