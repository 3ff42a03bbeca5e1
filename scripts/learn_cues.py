"""Rebuild src/claimkit/data/cues.tsv from PolNeAR *train* (never dev, never test).

For every (lemma, coarse POS) it counts how often a token occurs in train and how often it heads a
gold cue. Only counts are written: no article text leaves ../shared.

    python scripts/learn_cues.py ../shared/polnear/train
"""
from __future__ import annotations

import argparse
import collections
from pathlib import Path

from claimkit.brat import load_gold_dir
from claimkit.extract.cues import coarse_pos
from claimkit.nlp import load_pipeline

OUT = Path(__file__).resolve().parents[1] / "src" / "claimkit" / "data" / "cues.tsv"
MIN_COUNT = 2


def cue_head(tokens):
    """The content word of a cue span: its main verb ("has stated" -> stated) or noun."""
    verbs = [t for t in tokens if t.pos_ == "VERB"]
    if verbs:
        return verbs[-1]
    nouns = [t for t in tokens if t.pos_ in ("NOUN", "PROPN")]
    return (nouns or tokens)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("train_dir", type=Path)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    gold = load_gold_dir(args.train_dir)
    nlp = load_pipeline()
    total: collections.Counter = collections.Counter()
    heads: collections.Counter = collections.Counter()
    names = sorted(gold)
    for name, doc in zip(names, nlp.pipe((gold[n].text for n in names), batch_size=16)):
        cue_heads = set()
        for att in gold[name].attributions:
            toks = [t for s, e in att.cue
                    for t in (doc.char_span(s, e, alignment_mode="expand") or [])]
            if toks:
                cue_heads.add(cue_head(toks).i)
        for t in doc:
            key = (t.lemma_.lower(), coarse_pos(t.pos_))
            total[key] += 1
            if t.i in cue_heads:
                heads[key] += 1
    rows = sorted(((k, heads[k], total[k]) for k in heads if heads[k] >= MIN_COUNT and k[1] in "VN"),
                  key=lambda r: (-r[1], r[0]))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("# lemma\tpos\tn_cue\tn_total  (learned from PolNeAR train by scripts/learn_cues.py)\n")
        for (lemma, pos), n_cue, n_total in rows:
            f.write(f"{lemma}\t{pos}\t{n_cue}\t{n_total}\n")
    print(f"wrote {len(rows)} cue lemmas to {args.out}")


if __name__ == "__main__":
    main()
