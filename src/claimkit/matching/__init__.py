"""Claim matching: has this claim been fact-checked before? (docs/architecture.md §4c)

Pure library code (no spaCy, no database): `embed` (sentence embeddings in numpy),
`MatchIndex` (add fact-checks incrementally, `search` a text), the BM25 index, the learned
re-ranker and the retrieval metrics. The store and the command line both build on it.
"""
