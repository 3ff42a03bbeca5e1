"""A parsed article -> its claims: attribution = source + cue + content (docs/architecture.md).

Pure: a spaCy ``Doc`` in, ``Claim`` values out. Running it over many articles is the engines'
job (``claimkit.engines``); storing the claims is the load step's (``claimkit.load``).
"""
from __future__ import annotations

from claimkit.extract.pipeline import extract_docs

__all__ = ["extract_docs"]
