"""CPU seconds of ``extract_docs`` alone on PolNeAR dev's parsed docs (the parse is not timed).

    python benchmarks/time_extract_docs.py                               # this checkout
    PYTHONPATH=/path/to/other/checkout/src python benchmarks/time_extract_docs.py   # another one

``bench_extract.py`` measures extraction as a ratio to the bare parse, which the load of a shared
machine swamps when two versions differ by a few percent; process time of the extraction step
alone on the same docs compares two versions of the code directly. Three passes; the first
warms the caches (lexicons, models, matchers). The parse is timed too (CPU s of one warm
``nlp.pipe`` pass over the same texts), which gives the speed target in CPU terms, where load
matters less than in wall time: parse / (parse + extraction), to set beside bench_extract's
(b)/(a) >= 0.85.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from claimkit.extract import extract_docs
from claimkit.model import Article, article_id_for
from claimkit.nlp import load_pipeline

DEV = Path(__file__).resolve().parents[2] / "shared" / "polnear" / "dev" / "text"


def main() -> int:
    paths = sorted(DEV.glob("*.txt"))
    if not paths:
        print(f"no texts under {DEV}", file=sys.stderr)
        return 2
    texts = [p.read_text(encoding="utf-8") for p in paths]
    nlp = load_pipeline()
    list(nlp.pipe(texts[:8], batch_size=16))  # warm-up
    start = time.process_time()
    docs = list(nlp.pipe(texts, batch_size=16))
    parse = time.process_time() - start
    articles = [Article(article_id=article_id_for(t), text=t) for t in texts]
    passes = []
    for _ in range(3):
        start = time.process_time()
        for article, doc in zip(articles, docs):
            extract_docs(article, doc)
        passes.append(round(time.process_time() - start, 2))
    print(f"extract_docs on {len(texts)} parsed articles, CPU s per pass: {passes}")
    best = min(passes[1:])
    print(f"nlp.pipe on the same texts: {parse:.2f} CPU s; parse / (parse + extraction) = "
          f"{parse / (parse + best):.3f} with the best warm pass")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
