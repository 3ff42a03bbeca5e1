"""What speakers across articles cost the store (SQLite): linking claims to speakers while
articles are stored, and the speaker columns of ``claims()``.

    python benchmarks/bench_speakers.py               # 100k claims
    python benchmarks/bench_speakers.py --claims 20000

The corpus is bench_store.py's (10 claims an article, 500 speakers, their surnames made words)
with every third mention made a surname alone or a titled name, so that the joins run. Linking is timed inside
``add_many`` (time spent in ``store.speakers.prefetch`` / ``link_claims``), so its share holds
on a busy machine where the totals do not. Also: ``claims()`` of every row, ``speakers()``,
``speaker_record`` of the busiest speaker, one merge. Results:
benchmarks/results/speakers.json.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import make_corpus  # noqa: E402

from claimkit.store import open_store, speakers  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "speakers.json"


def varied(corpus, seed: int = 11):
    """Every third mention as a surname alone or with a title in front."""
    rng = random.Random(seed)
    out = []
    for article, found in corpus:
        changed = []
        for claim in found:
            # "Full Speaker Name 12" -> "Full Speaker Qbc": a surname in letters, as names are
            number = claim.speaker_canonical.split()[-1]
            name = "Full Speaker Q" + "".join(chr(97 + int(d)) for d in number)
            pick = rng.random()
            if pick < 0.17:
                name = name.split()[-1]
            elif pick < 0.33:
                name = "Senator " + name
            changed.append(replace(claim, speaker_canonical=name))
        out.append((article, changed))
    return out


class Timer:
    """Wraps a function of store.speakers, adding up the time spent in it."""

    def __init__(self, name: str) -> None:
        self.name, self.seconds = name, 0.0
        self.inner = getattr(speakers, name)
        setattr(speakers, name, self)

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def timed(work, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = work(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    corpus = varied(make_corpus(args.claims))
    timers = [Timer("prefetch"), Timer("link_claims")]
    with tempfile.TemporaryDirectory() as folder, \
            open_store(Path(folder) / "claims.db") as store:
        total, _ = timed(store.add_many, corpus, articles_per_transaction=500)
        linking = sum(t.seconds for t in timers)
        store.optimize()
        claims_s, frame = timed(store.claims)
        speakers_s, table = timed(store.speakers)
        busiest = int(table["speaker_id"][0])
        record_s, _ = timed(store.speaker_record, busiest)
        merge_s, _ = timed(store.merge_speakers, busiest, int(table["speaker_id"][1]))
        after_merge_s, _ = timed(store.claims)
        result = {
            "benchmark": "speakers", "claims": len(frame), "articles": len(corpus),
            "speakers": len(table),
            "add_many_s": round(total, 3), "linking_s": round(linking, 3),
            "linking_share_of_add_many": round(linking / total, 3),
            "claims_all_s": round(claims_s, 3), "speakers_s": round(speakers_s, 3),
            "speaker_record_s": round(record_s, 3), "merge_s": round(merge_s, 4),
            "claims_all_after_merge_s": round(after_merge_s, 3),
            "claims_with_speaker": int(frame["speaker_id"].notna().sum()),
        }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
