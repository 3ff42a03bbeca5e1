"""Reading published fact-checks: every ClaimReview shape, tables, folders, bad files."""

import json

from claimkit.factchecks import read_factchecks
from claimkit.model import FactCheck, factcheck_id_for

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checks.example.org/moon-cheese",
    "claimReviewed": "The moon is made of cheddar cheese.",
    "datePublished": "2024-05-06",
    "name": "No, the moon is not cheese",
    "author": {"@type": "Organization", "name": "Example Checks"},
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Milo Brandt"}},
    "reviewRating": {"@type": "Rating", "ratingValue": "1", "alternateName": "False"},
}
OTHER = dict(REVIEW, url="https://checks.example.org/river", claimReviewed="The river runs uphill in May.",
             reviewRating={"@type": "Rating", "ratingValue": "2"}, author=None,
             publisher={"@type": "Organization", "name": "River Desk"})


def _write(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_one_claim_review_object_gives_every_field(tmp_path):
    checks, problems = read_factchecks(_write(tmp_path / "one.json", REVIEW))
    assert problems == []
    assert checks == [FactCheck(
        factcheck_id=factcheck_id_for("https://checks.example.org/moon-cheese",
                                      "The moon is made of cheddar cheese."),
        claim="The moon is made of cheddar cheese.", verdict="False",
        url="https://checks.example.org/moon-cheese", publisher="Example Checks", date="2024-05-06",
        claimant="Milo Brandt", title="No, the moon is not cheese", path=str(tmp_path / "one.json"))]


def test_list_graph_and_datafeed_shapes_read_the_same_reviews(tmp_path):
    shapes = {
        "list.json": [REVIEW, OTHER],
        "graph.jsonld": {"@context": "https://schema.org",
                         "@graph": [{"@type": "WebPage", "name": "x"}, REVIEW, OTHER]},
        "feed.json": {"@type": "DataFeed", "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [REVIEW]},
            {"@type": "DataFeedItem", "item": [dict(OTHER, **{"@type": "schema:ClaimReview"})]}]},
    }
    for name, data in shapes.items():
        checks, problems = read_factchecks(_write(tmp_path / name, data))
        assert problems == [], name
        assert [c.claim for c in checks] == ["The moon is made of cheddar cheese.",
                                             "The river runs uphill in May."], name
        # verdict falls back to ratingValue, publisher to the publisher field
        assert (checks[1].verdict, checks[1].publisher) == ("2", "River Desk"), name


def test_ids_are_stable_across_reads_and_shapes(tmp_path):
    a, _ = read_factchecks(_write(tmp_path / "a.json", REVIEW))
    b, _ = read_factchecks(_write(tmp_path / "b.json", [REVIEW]))
    assert a[0].factcheck_id == b[0].factcheck_id
    assert a[0].factcheck_id != factcheck_id_for(REVIEW["url"], "Another claim")


def test_csv_and_tsv_tables(tmp_path):
    (tmp_path / "t.csv").write_text(
        'claim,verdict,url,publisher,date\n'
        '"Bananas glow, at night",Mostly false,https://x.example/b,Fruit Desk,2023-01-02\n',
        encoding="utf-8")
    (tmp_path / "t.tsv").write_text(
        "claim\tverdict\turl\tpublisher\tdate\nSnow is warm\tFalse\thttps://x.example/s\tCold Desk\t2022-12-01\n",
        encoding="utf-8")
    checks, problems = read_factchecks(tmp_path)
    assert problems == []
    assert [(c.claim, c.verdict, c.publisher, c.date) for c in checks] == [
        ("Bananas glow, at night", "Mostly false", "Fruit Desk", "2023-01-02"),
        ("Snow is warm", "False", "Cold Desk", "2022-12-01")]


def test_folder_with_malformed_files_reports_each_and_reads_the_rest(tmp_path):
    _write(tmp_path / "good.json", REVIEW)
    (tmp_path / "broken.json").write_text('{"@type": "ClaimReview", "claimReviewed": ', encoding="utf-8")
    # the second review lacks its claim: the whole file is refused, not half of it
    _write(tmp_path / "half.json", [OTHER, dict(REVIEW, claimReviewed="")])
    (tmp_path / "nocolumn.csv").write_text("text,verdict\nsomething,False\n", encoding="utf-8")
    (tmp_path / "empty.tsv").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    checks, problems = read_factchecks(tmp_path)
    assert [c.claim for c in checks] == ["The moon is made of cheddar cheese."]
    reasons = {p.path.rsplit("/", 1)[-1]: p.reason for p in problems}
    assert set(reasons) == {"broken.json", "half.json", "nocolumn.csv", "empty.tsv"}
    assert reasons["broken.json"].startswith("invalid JSON at line 1")
    assert reasons["half.json"] == "ClaimReview #2 has no claimReviewed"
    assert reasons["nocolumn.csv"].startswith("header has no claim column")
    assert reasons["empty.tsv"] == "empty file"
    assert all("\n" not in str(p) and p.severity == "error" for p in problems)


def test_empty_and_missing_paths_are_problems_not_exceptions(tmp_path):
    (tmp_path / "empty.json").write_text("  \n", encoding="utf-8")
    checks, problems = read_factchecks(tmp_path / "empty.json")
    assert checks == [] and [p.reason for p in problems] == ["empty file"]
    checks, problems = read_factchecks(tmp_path / "absent.json")
    assert checks == [] and [p.reason for p in problems] == ["no such file or folder"]
    _write(tmp_path / "other.json", {"@type": "NewsArticle", "headline": "hello"})
    assert read_factchecks(tmp_path / "other.json")[1][0].reason == "no ClaimReview in this JSON"
