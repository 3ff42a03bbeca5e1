"""How many speakers a store's names become across articles (claimkit/speakers.py).

    claimkit extract --store /tmp/corpus.db --jobs 1 FOLDER
    python benchmarks/speakers_corpus.py /tmp/corpus.db [--show 30]

The store is copied, turned back to schema 6 and upgraded, so its claims are linked by this
claimkit's rules whatever version extracted them. Counts only (the results file holds no
names, so no corpus text): claims by people and
organisations, their distinct names as extraction canonicalised them within each article, the
speakers those became, the one-word person names joined to a full name or left on their own,
and the time a schema-7 upgrade takes to link the store's claims anew. ``--show`` prints the
speakers with most distinct names (to stdout only) to judge the joins by eye.
Results: benchmarks/results/speakers_corpus.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from claimkit.store import open_store

RESULTS = Path(__file__).resolve().parent / "results" / "speakers_corpus.json"
NAMED = ("person", "organization")


def counts(store_path: str, show: int) -> dict:
    with open_store(store_path, create=False) as store:
        claims = store.claims(include_rejected=False)
        speakers = store.speakers()
    named = claims[claims["speaker_type"].isin(NAMED) & (claims["speaker_canonical"] != "")]
    names = named.groupby("speaker_id")["speaker_canonical"].nunique()
    one_word = named[(named["speaker_type"] == "person")
                     & (named["speaker_canonical"].str.split().str.len() == 1)]
    entity_words = one_word["speaker_name"].str.split().str.len()
    if show:
        many = names.sort_values(ascending=False).head(show)
        for sid, n in many.items():
            print(f"{sid:>6} {n:>3} names: " + " | ".join(
                sorted(set(named.loc[named["speaker_id"] == sid, "speaker_canonical"]))[:8]))
    return {
        "articles": int(claims["article_id"].nunique()),
        "claims": len(claims),
        "named_claims": len(named),
        "named_claims_without_speaker": int(named["speaker_id"].isna().sum()),
        "distinct_names_by_type": {t: int(named.loc[named["speaker_type"] == t,
                                                    "speaker_canonical"].nunique())
                                   for t in NAMED},
        "speakers_by_type": {t: int((speakers["type"] == t).sum()) for t in NAMED},
        "speakers_with_more_than_one_name": int((names > 1).sum()),
        "one_word_person_claims": len(one_word),
        "one_word_joined_to_a_full_name": int((entity_words > 1).sum()),
        "one_word_left_alone": int((entity_words == 1).sum()),
    }


def upgrade_seconds(store_path: str, copy: str) -> float:
    """Time to open a copy of the store turned back to schema 6 (the speakers dropped)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from store_fixtures import make_schema

    engine = create_engine(f"sqlite:///{store_path}")
    with engine.connect() as conn:  # fold the WAL in, so the copy is whole
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    shutil.copy(store_path, copy)
    make_schema(copy, 6)
    start = time.perf_counter()
    open_store(copy).close()
    return round(time.perf_counter() - start, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    if not Path(args.store).exists():
        print(f"speakers_corpus: no such store: {args.store}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        # The store turned back to schema 6 and upgraded: its claims linked by this claimkit.
        copy = str(Path(folder) / "copy.db")
        seconds = upgrade_seconds(args.store, copy)
        result = {"benchmark": "speakers_corpus", **counts(copy, args.show),
                  "schema_7_upgrade_s": seconds}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
