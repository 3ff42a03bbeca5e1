"""The claim store: articles, their claims, and the analysts' reviews with their history.
SQLite by default, PostgreSQL for teams; see docs/architecture.md for where it sits.

    store = open_store("claims.db")            # or "postgresql://user@host/db"
    store.add(article, claims)                 # one transaction per article
    frame = store.claims(status="unverified", min_checkworthiness=0.5)
    version = store.review(claim_id, status="in_review", expected_version=0)
    store.history(claim_id)
    store.assign(claim_ids, "ana")             # ana's queue: store.claims(assignee="ana")
    store.speakers()                           # one speaker across articles (speaker_id)
    store.merge_speakers(keep_id, other_id)    # an analyst's merge: survives re-extraction
"""
from __future__ import annotations

from claimkit.store.backend import NoSuchStore, StoreBusyError, StoreError
from claimkit.store.core import (
    CLAIM_COLUMNS, AddResult, BulkResult, ConflictError, NothingToUndo, Store, UnknownClaimError,
    UnknownSpeakerError, open_store,
)
from claimkit.store.filters import ClaimFilter
from claimkit.store.schema import SCHEMA_VERSION
from claimkit.taxonomy import TaxonomyError
from claimkit.workflow import Workflow, WorkflowError

__all__ = [
    "AddResult", "BulkResult", "CLAIM_COLUMNS", "ClaimFilter", "ConflictError", "NoSuchStore",
    "NothingToUndo",
    "SCHEMA_VERSION", "Store", "StoreBusyError", "StoreError", "TaxonomyError",
    "UnknownClaimError", "UnknownSpeakerError", "Workflow", "WorkflowError", "open_store",
]
