"""Claim matching: the numpy encoder, BM25, MatchIndex, the re-ranker, `claimkit rank-matches`,
and the CheckThat! 2020 benchmark scorer (skipped without ../shared)."""

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED, needs_shared

from claimkit.matching import encoder
from claimkit.matching.index import MatchIndex
from claimkit.matching.lexical import BM25
from claimkit.matching.metrics import average_precision, evaluate, reciprocal_rank
from claimkit.matching.text import clean

FACTS = {
    "f-moscow": "Moscow did not meddle in the vote",
    "f-november": "The election was held in November",
    "f-banana": "Bananas are the best source of potassium",
    "f-bridge": "The old bridge over the river will close for repairs next spring",
    "f-tax": "The city council raised the parking tax by 12 percent",
}
CHECKTHAT = SHARED / "checkthat2020"


@pytest.fixture(scope="module")
def index():
    idx = MatchIndex()
    idx.add(list(FACTS), list(FACTS.values()))
    return idx


def test_embeddings_are_unit_float32_and_meaning_beats_shared_words():
    v = encoder.embed(["Russia never interfered in the election", "Moscow did not meddle in the vote",
                       "The election was held in November"])
    assert v.dtype == np.float32 and v.shape == (3, encoder.DIMENSION)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.15


def test_tokenizer_splits_punctuation_accents_and_word_pieces():
    tok = encoder.encoder().tokenizer
    ids = tok.encode("Café-owners' unbelievable claims!")
    words = [w for w, i in sorted(tok.vocab.items(), key=lambda kv: kv[1]) if i in set(ids)]
    assert ids[0] == tok.cls and ids[-1] == tok.sep
    assert {"cafe", "-", "'", "!"} <= set(words)  # accents stripped, punctuation split
    assert len(tok.encode("word " * 400)) == encoder.MAX_TOKENS


def test_paraphrase_ranks_above_lexical_distractor(index):
    ranked = [m.factcheck_id for m in index.search("Russia never interfered in the election", k=3)]
    assert ranked[0] == "f-moscow"
    assert ranked.index("f-moscow") < ranked.index("f-november")


def test_incremental_add_ranks_as_building_at_once(index):
    pieces = MatchIndex()
    items = list(FACTS.items())
    for start in range(0, len(items), 2):
        part = items[start:start + 2]
        pieces.add([i for i, _ in part], [t for _, t in part])
    for query in ("Russia never interfered in the election", "parking got more expensive downtown",
                  "is the bridge closing?"):
        a, b = index.search(query, k=5), pieces.search(query, k=5)
        assert [m.factcheck_id for m in a] == [m.factcheck_id for m in b]
        assert np.allclose([m.score for m in a], [m.score for m in b], atol=1e-5)


def test_bm25_prefers_rare_shared_words_and_grows():
    bm25 = BM25()
    bm25.add(["the cat sat", "the dog ran"])
    assert bm25.scores("a dog").argmax() == 1
    bm25.add(["dog dog dog park"])
    assert len(bm25) == 3 and bm25.scores("dog park").argmax() == 2


def test_clean_cuts_links_and_embed_signature():
    text = "Bridge to close in May #RoadWorks https://t.co/abc pic.twitter.com/xyz — Jo Bloggs (@jobloggs) May 3, 2021"
    assert clean(text) == "Bridge to close in May Road Works Jo Bloggs"  # the author stays


def test_metrics_follow_their_definitions():
    assert average_precision(["a", "b", "c"], {"b"}, 5) == 0.5
    assert average_precision(["a", "b", "c"], {"c"}, 2) == 0.0
    assert reciprocal_rank(["x", "y", "z"], {"z"}) == pytest.approx(1 / 3)
    scores = evaluate({"q1": ["a"], "q2": ["b", "c"]}, {"q1": {"a"}, "q2": {"c"}, "q3": {"d"}})
    assert scores["map@5"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert scores["recall@1"] == pytest.approx(1 / 3, abs=1e-4)


def test_shipped_reranker_says_how_it_was_trained():
    data = json.loads((Path(encoder.__file__).parents[1] / "data" / "match_reranker.json").read_text())
    assert "train" in data["provenance"]["trained_on"] and data["provenance"]["command"].startswith("python scripts/")
    assert len(data["weights"]) == len(data["features"])


# --- claimkit rank-matches ------------------------------------------------------------------

def _files(tmp_path):
    facts = tmp_path / "facts.tsv"
    facts.write_text("id\tclaim\ttitle\n" + "".join(f"{k}\t{v}\t\n" for k, v in FACTS.items()), encoding="utf-8")
    queries = tmp_path / "queries.csv"
    queries.write_text('id,text\nq1,Russia never interfered in the election\n'
                       'q2,"Potassium: bananas beat every other food, a blogger says"\n', encoding="utf-8")
    return facts, queries


def test_rank_matches_trec_lines(cli, tmp_path):
    facts, queries = _files(tmp_path)
    result = cli("rank-matches", "--factchecks", facts, "--queries", queries, "--top", "3")
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert len(lines) == 6
    for parts in lines:
        assert len(parts) == 6 and parts[1] == "Q0" and parts[5] == "claimkit"
        assert parts[2] in FACTS and parts[3] in {"1", "2", "3"}
        float(parts[4])
    assert lines[0][:4] == ["q1", "Q0", "f-moscow", "1"]
    assert lines[3][:4] == ["q2", "Q0", "f-banana", "1"]
    scores = [float(p[4]) for p in lines[:3]]
    assert scores == sorted(scores, reverse=True)


def test_rank_matches_csv_to_file_and_from_claimreview(cli, tmp_path):
    facts, queries = _files(tmp_path)
    review = {"@type": "ClaimReview", "url": "https://checks.example.org/m", "claimReviewed": FACTS["f-moscow"],
              "reviewRating": {"alternateName": "False"}}
    (tmp_path / "reviews.json").write_text(json.dumps([review]), encoding="utf-8")
    out = tmp_path / "ranked.csv"
    result = cli("rank-matches", "--factchecks", tmp_path / "reviews.json", "--queries", queries,
                 "--format", "csv", "--output", out, "--top", "1")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["query_id"] for r in rows] == ["q1", "q2"]
    assert rows[0]["factcheck_id"].startswith("f") and rows[0]["rank"] == "1"
    assert result.stdout == ""


def test_rank_matches_bad_queries_file_is_one_line_and_nonzero(cli, tmp_path):
    facts, _ = _files(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text('id,text\nq1,"an unclosed quote\n', encoding="utf-8")
    result = cli("rank-matches", "--factchecks", facts, "--queries", bad)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr and result.stdout == ""
    missing = cli("rank-matches", "--factchecks", facts, "--queries", tmp_path / "absent.csv")
    assert missing.returncode == 1 and "no such file" in missing.stderr.lower()
    out = tmp_path / "never.txt"
    result = cli("rank-matches", "--factchecks", facts, "--queries", bad, "--output", out)
    assert result.returncode == 1 and not out.exists()


# --- the benchmark scorer on CheckThat! 2020 dev ---------------------------------------------

@pytest.mark.slow  # 15 s with the embeddings cached in the temp dir; 10+ minutes to fill the cache
@needs_shared(CHECKTHAT)
def test_checkthat_dev_map_at_5():
    import importlib.util
    bench = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_claim_retrieval.py"
    spec = importlib.util.spec_from_file_location("bench_claim_retrieval", bench)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scores = module.score_split(CHECKTHAT, "dev")
    assert scores["queries"] == 197
    assert scores["map@5"] >= 0.85


def test_search_fills_k_beyond_the_candidate_pool():
    idx = MatchIndex(candidates=2)
    idx.add(list(FACTS), list(FACTS.values()))
    assert len(idx.search("Russia never interfered in the election", k=5)) == 5


def test_missing_model_folder_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMKIT_EMBEDDING_MODEL", str(tmp_path))
    with pytest.raises(encoder.ModelUnavailable, match="no model.safetensors in"):
        encoder.Encoder()


def test_rank_matches_reads_a_review_published_twice_once(tmp_path):
    from claimkit.rank_matches import read_factcheck_rows
    review = {"@type": "ClaimReview", "url": "https://checks.example.org/m", "claimReviewed": FACTS["f-moscow"]}
    (tmp_path / "a.json").write_text(json.dumps(review), encoding="utf-8")
    (tmp_path / "b.jsonld").write_text(json.dumps({"@graph": [review]}), encoding="utf-8")
    rows, problems = read_factcheck_rows(tmp_path)
    assert problems == [] and len(rows) == 1 and rows[0].texts[0] == FACTS["f-moscow"]


def test_rank_matches_csv_neutralises_formula_ids(cli, tmp_path):
    facts = tmp_path / "facts.csv"
    facts.write_text('id,claim\n"=HYPERLINK(1)",Moscow did not meddle in the vote\n', encoding="utf-8")
    queries = tmp_path / "q.tsv"
    queries.write_text("id\ttext\n+q1\tRussia never interfered in the election\n", encoding="utf-8")
    result = cli("rank-matches", "--factchecks", facts, "--queries", queries, "--format", "csv")
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["query_id"], row["factcheck_id"]) == ("'+q1", "'=HYPERLINK(1)")


def test_padding_and_batching_do_not_change_an_embedding():
    short = "Taxes went up."
    longer = "The council met on Tuesday and, after a long debate about the budget, raised the parking tax."
    alone = encoder.embed([short])[0]
    padded = encoder.encoder().embed([longer, short, longer], batch_size=3)[1]
    assert np.allclose(alone, padded, atol=1e-5)


def test_faster_encoder_agrees_with_the_reference_embeddings():
    """The speed-up (fused q/k/v, a float32 erf, one BLAS thread, the ASCII tokenizer path) keeps
    every embedding of the invented reference sentences within float32 noise of the encoder it
    replaced (tests/fixtures/matching/encoder_reference.json, written by that encoder)."""
    ref = json.loads((Path(__file__).parent / "fixtures" / "matching" / "encoder_reference.json")
                     .read_text(encoding="utf-8"))
    before = np.asarray(ref["vectors"], dtype=np.float32)
    now = encoder.embed(ref["texts"])
    cosines = (now * before).sum(1) / np.linalg.norm(before, axis=1)
    assert cosines.min() >= 0.9999


def test_ascii_tokenizer_path_splits_as_the_character_loop():
    tok = encoder.encoder().tokenizer
    text = "It's 3.5% of $12--\"quoted\"\tand\nnew\x07line [x]{y}~ a_b c^d"
    # The same text with one non-ASCII word appended goes through the character loop.
    assert tok.encode(text) == tok.encode(text + " \u00e9")[:-2] + [tok.sep]


def test_top_rows_is_the_head_of_a_stable_descending_sort():
    from claimkit.matching.index import top_rows

    rng = np.random.default_rng(5)
    for n, size in ((1000, 30), (50, 49), (10, 10), (10, 30), (200, 1)):
        scores = rng.integers(0, 6, n).astype(np.float32)  # many ties at every cut
        assert top_rows(scores, size).tolist() == np.argsort(-scores, kind="stable")[:size].tolist()


def test_bm25_scores_unchanged_by_adding_after_a_search():
    words = ["harbour pier budget", "tram line airport budget", "rent cap budget budget"]
    grown, whole = BM25(), BM25()
    grown.add(words[:2])
    grown.scores("budget pier")  # caches arrays of 'budget' and 'pier' ...
    grown.add(words[2:])         # ... which this add must refresh
    whole.add(words)
    assert np.allclose(grown.scores("budget pier"), whole.scores("budget pier"))
    assert grown.scores("budget pier")[2] > 0
