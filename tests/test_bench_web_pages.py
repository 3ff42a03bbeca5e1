"""benchmarks/bench_web_pages.py: how a claim finds its hand judgment (invented claims; no page)."""
from __future__ import annotations

import sys
from pathlib import Path

from claimkit.engines import extract_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_web_pages import find_verdict, speaker_hash, verdict_now  # noqa: E402

TEXT = "The harbour master said the pier would reopen in May. Critics say the repairs were rushed."


def claims():
    return [c for c in extract_text(TEXT) if c.cue]


def test_a_claim_finds_its_judgment_by_cue_and_content_offsets():
    first = claims()[0]
    key = ("page.html", first.cue[0][0], first.content[0][0])
    verdicts = {key: ("Y", {speaker_hash(first.speaker)}, "A")}
    found_key, judgment = find_verdict(verdicts, "page.html", first)
    assert found_key == key and judgment[0] == "Y"
    assert find_verdict(verdicts, "other.html", first)[1] is None


def test_a_changed_boundary_keeps_the_verdict_of_the_only_judgment_at_its_cue():
    first = claims()[0]
    verdicts = {("page.html", first.cue[0][0], first.content[0][0] + 4): ("N", set(), "B")}
    assert find_verdict(verdicts, "page.html", first)[1][0] == "N"


def test_a_real_attribution_is_strict_only_with_the_speaker_judged_right():
    first = claims()[0]
    assert first.speaker == "The harbour master"
    assert verdict_now(("Y", {speaker_hash("the  Harbour master")}, "A"), first) == "Y"
    assert verdict_now(("S", {speaker_hash("the mayor")}, "A"), first) == "S"
    assert verdict_now(("N", set(), "A"), first) == "N"
