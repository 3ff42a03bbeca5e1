"""Precision of attributed claims on real news pages, judged by hand (issue 16).

The pages are not ours, so none of their text is in the repository: they are the English news
pages that ship in the source distribution of newspaper4k (a PyPI package; its test data), fetched
with ``pip download`` into the user cache on first use. What is stored here is only the hand
judgment of each attributed claim claimkit made on them, keyed by page and character offsets:
``benchmarks/web_pages/judgments.tsv``.

    python benchmarks/bench_web_pages.py [--pages DIR] [--show-unjudged]

Verdicts: ``Y`` a real attribution (someone stated, claimed, believed or reported this) with the
right speaker; ``S`` a real attribution whose speaker is wrong or missing (each judgment keeps a
hash of the right speaker's name, so a claim whose speaker is fixed later counts as Y); ``N`` not an
attribution (an action verb read as speech: "questioned the witness", "voted to raise the wage",
"the law requires …"; a content that is no statement). Precision counts Y and S; strict precision
counts Y only. A claim is matched to its judgment by page and cue offset (content offset when it
has no cue), so boundary changes keep their verdict. Claims made after a change that nobody has
judged yet are counted and listed (``--show-unjudged``): judge them and add them to the file
before quoting a figure. Real attributions judged earlier and no longer made are counted as lost.

Judging protocol (2026-11-30): the first 20 attributed claims of each page (every one on shorter
pages), in text order, by extractor 0.5.0; later versions add their new claims.
Results go to stdout and benchmarks/results/web_pages.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUDGMENTS = ROOT / "benchmarks" / "web_pages" / "judgments.tsv"
OUT = ROOT / "benchmarks" / "results" / "web_pages.json"
SDIST = "newspaper4k==0.9.6"
PAGES = ("ap_meta_refresh", "article_with_br", "article_with_divs", "cleveland.com1", "cnn_001",
         "cnn_002", "cnn_article", "cnn_test_nlp", "fox13now_001", "time_001", "video_article_01",
         "video_article_02", "wired_001")


def cached_pages() -> Path:
    """The pages, unpacked from the sdist into the user cache (downloaded once, from PyPI)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "claimkit" / "web_pages"
    pages = cache / "pages"
    if all((pages / f"{p}.html").is_file() for p in PAGES):
        return pages
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    SDIST, "-d", str(cache)], check=True, stdout=subprocess.DEVNULL)
    archive = next(cache.glob("newspaper4k-*.tar.gz"))
    pages.mkdir(exist_ok=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if name.parent.name == "html" and name.stem in PAGES and name.suffix == ".html":
                data = tar.extractfile(member)
                if data is not None:
                    (pages / name.name).write_bytes(data.read())
    return pages


def speaker_hash(speaker: str) -> str:
    """How a judgment names the right speaker without storing the page's words."""
    return hashlib.sha1(" ".join(speaker.lower().split()).encode("utf-8")).hexdigest()[:12]


Judgment = tuple[str, set[str], str]  # verdict, hashes of the right speaker, sample (A or B)


def read_judgments() -> tuple[dict[tuple[str, int, int], Judgment], dict[str, int]]:
    """Verdicts (with the hashes of the right speaker) by (page, cue offset, content offset),
    and each page's judged horizon (the offset of its last judged claim: claims after it are
    outside the sample)."""
    verdicts, horizon = {}, {}
    for line in JUDGMENTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        page, content_start, _content_end, cue_start, verdict, right, sample = line.split("\t")
        verdicts[(page, int(cue_start), int(content_start))] = (verdict, set(filter(None, right.split(","))), sample)
        horizon[page] = max(horizon.get(page, 0), int(content_start), int(cue_start))
    return verdicts, horizon


def verdict_now(judgment: Judgment, claim) -> str:
    """A real attribution is Y when the claim names a speaker judged right, S otherwise."""
    verdict, right, _sample = judgment
    if verdict == "N":
        return "N"
    return "Y" if speaker_hash(claim.speaker) in right else "S"


def find_verdict(verdicts: dict, page: str, claim) -> tuple[tuple, Judgment | None]:
    """The claim's judgment: the same cue and content start, else the only one at its cue."""
    cue = claim.cue[0][0] if claim.cue else -1
    key = (page, cue, claim.content[0][0])
    if key in verdicts or cue < 0:
        return key, verdicts.get(key)
    same_cue = [k for k in verdicts if k[0] == page and k[1] == cue]
    return (same_cue[0], verdicts[same_cue[0]]) if len(same_cue) == 1 else (key, None)


def attributed_claims(pages: Path) -> dict[str, list]:
    from claimkit.engines import iter_extract
    from claimkit.ingest import read_articles

    articles = [a for a in read_articles([pages / f"{p}.html" for p in PAGES]) if hasattr(a, "text")]
    # by position: two pages may hold the same text (and so the same article id)
    return {Path(a.path).name: [c for c in x.claims if c.kind != "assertion"]
            for a, x in zip(articles, iter_extract(articles))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path, default=None, help="folder of the pages (default: fetch)")
    ap.add_argument("--show-unjudged", action="store_true")
    ap.add_argument("--show", default="", help="also list the claims made with these verdicts (e.g. N)")
    args = ap.parse_args()
    from claimkit.model import EXTRACTOR_VERSION

    pages = args.pages or cached_pages()
    judged, horizon = read_judgments()
    claims = attributed_claims(pages)
    verdicts: dict[str, Counter[str]] = {"A": Counter(), "B": Counter()}
    made: set[tuple] = set()
    unjudged = []
    for page, page_claims in sorted(claims.items()):
        for claim in page_claims:
            if min(claim.content[0][0], *(s for s, _ in claim.cue)) > horizon.get(page, -1):
                continue  # past the judged sample of this page
            key, judgment = find_verdict(judged, page, claim)
            made.add(key)
            if judgment is None:
                unjudged.append((page, claim))
            else:
                verdict = verdict_now(judgment, claim)
                verdicts[judgment[2]][verdict] += 1
                if verdict in args.show:
                    print(f"{verdict} {page} {claim.rule} {claim.cue_lemma} | {claim.speaker!r} | {claim.text[:110]!r}")
    lost = Counter(v for key, (v, _, _) in judged.items() if key not in made and v in "YS")
    result = {"extractor": EXTRACTOR_VERSION, "pages": len(PAGES), "judged_total": len(judged),
              "real_lost": dict(lost), "unjudged": len(unjudged)}
    both = verdicts["A"] + verdicts["B"]
    for name, counts in (("A", verdicts["A"]), ("B", verdicts["B"]), ("all", both)):
        n = sum(counts.values())
        result[name] = {"claims": n, "verdicts": dict(counts),
                        "precision": round((counts["Y"] + counts["S"]) / n, 3) if n else None,
                        "strict_precision": round(counts["Y"] / n, 3) if n else None}
    print(json.dumps(result, indent=1))
    if args.show_unjudged:
        for page, claim in unjudged:
            print(f"{page}\t{claim.content[0][0]}\t{claim.content[-1][1]}\t{claim.cue[0][0] if claim.cue else -1}"
                  f"\t{claim.rule}\t{claim.speaker!r}\t{claim.text[:160]!r}")
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
