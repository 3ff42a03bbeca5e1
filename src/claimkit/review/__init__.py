"""Reviewing claims in JupyterLab: ``ReviewApp(store, **filters)`` (docs/architecture.md §1, review).

    app = ReviewApp(store, status="unverified")   # most check-worthy undecided first
    app                      # in a notebook cell: the app

``render`` builds the HTML (escaped), ``navigation`` holds the queue, keys and filters as plain
data, ``app`` wires them to ipywidgets and the store.
"""
from __future__ import annotations

from claimkit.review.app import SORT_LABELS, ReviewApp
from claimkit.review.navigation import FIXED_KEYS, Queue, key_actions

__all__ = ["FIXED_KEYS", "Queue", "ReviewApp", "SORT_LABELS", "key_actions"]
