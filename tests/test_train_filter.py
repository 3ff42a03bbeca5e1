"""scripts/train_filter.py: the soft label a rule candidate is trained on (invented offsets)."""
from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from train_filter import soft_label  # noqa: E402

# one gold attribution: content at characters 10..29, source at 0..5
GOLD = [(set(range(10, 30)), set(range(0, 5)))]


def test_right_content_and_right_source_is_a_full_positive():
    assert soft_label(set(range(10, 30)), set(range(2, 4)), GOLD) == 1.0


def test_right_content_with_the_wrong_source_is_half_right():
    assert soft_label(set(range(10, 30)), set(range(40, 45)), GOLD) == 0.5
    assert soft_label(set(range(10, 30)), set(), GOLD) == 0.5  # the gold names a source


def test_a_content_that_overlaps_less_than_half_is_negative_whatever_its_source():
    assert soft_label(set(range(10, 18)), set(range(0, 5)), GOLD) == 0.0  # Jaccard 8/20
    assert soft_label(set(range(10, 20)), set(range(0, 5)), GOLD) == 1.0  # Jaccard 10/20: exactly half


def test_no_source_agrees_with_a_gold_attribution_that_has_none():
    assert soft_label(set(range(10, 30)), set(), [(set(range(10, 30)), set())]) == 1.0
    assert soft_label(set(range(10, 30)), set(range(0, 5)), [(set(range(10, 30)), set())]) == 0.5


def test_the_shipped_filter_says_what_it_was_trained_on():
    meta = json.loads(resources.files("claimkit.data").joinpath("attribution_model.json").read_text(encoding="utf-8"))
    assert "source" in meta["label"] and meta["params"]["objective"] == "cross_entropy"
    assert 0 < meta["threshold"] < 0.5
