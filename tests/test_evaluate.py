"""The scorer (docs/architecture.md §4) and the brat reader it stands on.

Unit tests use tiny invented articles. The tests on real gold read ../shared at runtime and skip
when it is absent; no text from there is copied here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GOLD_SEED, SHARED

from claimkit.brat import (
    BratError, GoldAttribution, GoldDoc, GoldLayoutError, article_name, load_gold_dir, parse_ann,
)
from claimkit.evaluate import (
    OTHER_CUE, SAY_TELL, Scores, chars, cue_family, evaluate_dir, jaccard, main_evaluate,
    quote_class, quote_regions, score,
)
from claimkit.model import Claim, Kind



@dataclass(frozen=True)
class Pred:
    content: tuple = ()
    source: tuple = ()
    cue: tuple = ((0, 1),)
    kind: str = "indirect"


def gold(*attributions: GoldAttribution, text: str = "x" * 200, name: str = "a") -> dict:
    return {name: GoldDoc(name=name, text=text, attributions=tuple(attributions))}


def ga(content, source=((0, 1),), cue=((0, 1),)) -> GoldAttribution:
    return GoldAttribution(source=tuple(source), cue=tuple(cue), content=tuple(content))


def span_of(text: str, part: str, start: int = 0) -> tuple[int, int]:
    s = text.index(part, start)
    return (s, s + len(part))


def write_gold(root: Path, texts: dict[str, str], anns: dict[str, str]) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for name, text in texts.items():
        (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
    for fname, ann in anns.items():
        (root / "attributions" / fname).write_text(ann, encoding="utf-8")
    return root


# --- brat ------------------------------------------------------------------------------------

def test_parse_ann_reads_roles_in_any_order_and_ignores_flags():
    ann = (
        "T1\tSource 0 3\tBob\n"
        "T2\tCue 4 8\tsaid\n"
        "T3\tContent 9 20\tit rained.\n"
        "T4\tAttribution 4 8\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "T5\tDiscuss 0 3\tBob\n"
        "#1\tAnnotatorNotes T5\tnot sure\n"
        "T6\tCue 30 38\treported\n"
        "T7\tContent 39 45\tthings\n"
        "T8\tAttribution-no-source 30 38\treported\n"
        "E2\tAttribution-no-source:T8 Cue:T6 Content:T7\n"
        "T9\tAttribution-no-source 50 52\tok\n"
        "E3\tAttribution-no-source:T9 \n"  # a stub with nothing but its anchor
    )
    bounds, attributions = parse_ann(ann)
    assert [b.label for b in bounds][:3] == ["Source", "Cue", "Content"]
    assert attributions == [
        GoldAttribution(source=((0, 3),), cue=((4, 8),), content=((9, 20),), id="E1"),
        GoldAttribution(source=(), cue=((30, 38),), content=((39, 45),), id="E2",
                        label="Attribution-no-source"),
    ]


def test_covered_text_may_run_over_several_lines():
    ann = (
        "T1\tContent 0 9;11 20\tfirst bit\n"
        "\n"
        "second bit\n"
        "T2\tCue 21 25\tsaid\n"
        "E1\tAttribution-no-source:T2 Cue:T2 Content:T1\n"
    )
    bounds, attributions = parse_ann(ann)
    assert bounds[0].text == "first bit\n\nsecond bit"
    assert bounds[0].spans == ((0, 9), (11, 20))
    assert attributions[0].content == ((0, 9), (11, 20))
    assert attributions[0].cue == ((21, 25),)


def test_discontinuous_spans_and_numbered_roles_are_merged_in_text_order():
    ann = (
        "T1\tContent 40 50;10 20\tx\n"
        "T2\tContent 60 70\ty\n"
        "T3\tCue 0 4\tsaid\n"
        "T4\tSource 5 8;22 25\tz\n"
        "E1\tAttribution:T3 Content2:T2 Cue:T3 Source:T4 Content:T1\n"
    )
    (a,) = parse_ann(ann)[1]
    assert a.content == ((10, 20), (40, 50), (60, 70))
    assert a.source == ((5, 8), (22, 25))


def test_malformed_records_are_errors_with_a_location():
    with pytest.raises(BratError, match="bad span"):
        parse_ann("T1\tCue 4 x\tsaid\n", where="f.ann")
    with pytest.raises(BratError, match="unknown T9"):
        parse_ann("T1\tCue 0 4\tsaid\nE1\tAttribution:T1 Cue:T1 Content:T9\n")


def test_article_name_splits_at_the_last_underscore():
    assert article_name("site_2016-01-01_some_title_ab12.ann") == ("site_2016-01-01_some_title",
                                                                   "ab12")
    with pytest.raises(GoldLayoutError):
        article_name("nounderscore.ann")


def test_load_gold_dir_uses_first_annotator_in_sorted_order(tmp_path):
    text = "Ann said it was fine.\n"
    def ann(content_end: int) -> str:
        return ("T1\tSource 0 3\tAnn\nT2\tCue 4 8\tsaid\n"
                f"T3\tContent 9 {content_end}\tx\nE1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n")
    root = write_gold(tmp_path / "g", {"news_a": text, "news_a_b": text, "unannotated": text},
                      {"news_a_zz.ann": ann(12), "news_a_bb.ann": ann(20),
                       "news_a_b_aa.ann": ann(15)})
    docs = load_gold_dir(root)
    assert sorted(docs) == ["news_a", "news_a_b"]  # a text without .ann is not annotated
    assert docs["news_a"].attributions[0].content == ((9, 20),)  # _bb before _zz
    assert docs["news_a"].ann_path.endswith("news_a_bb.ann")
    assert docs["news_a_b"].attributions[0].content == ((9, 15),)
    assert docs["news_a"].text == text


def test_load_gold_dir_rejects_bad_layouts(tmp_path):
    with pytest.raises(GoldLayoutError):
        load_gold_dir(tmp_path)
    root = write_gold(tmp_path / "g", {}, {"lost_x.ann": "T1\tCue 0 4\tsaid\n"})
    with pytest.raises(GoldLayoutError, match="no text file"):
        load_gold_dir(root)
    root = write_gold(tmp_path / "h", {"short": "tiny"},
                      {"short_x.ann": "T1\tCue 0 40\tsaid\nE1\tAttribution:T1 Cue:T1 Content:T1\n"})
    with pytest.raises(BratError, match="outside the text"):
        load_gold_dir(root)


# --- characters, quotes, cues ------------------------------------------------------------------

def test_chars_drop_whitespace_and_punctuation_but_keep_symbols():
    text = "“Cut  taxes — by $5,” he said.\u200b`x´"
    kept = "".join(text[i] for i in sorted(chars(text, [(0, len(text))])))
    assert kept == "Cuttaxesby$5hesaidx"
    assert chars(text, [(0, 1)]) == set()  # a quote mark alone covers nothing
    assert chars(text, [(len(text) - 2, len(text) + 50)]) == {len(text) - 2}  # clipped to the text


def test_quote_regions_pair_curly_and_straight_quotes_per_paragraph():
    text = 'He said "yes" and “no”.\n“Open paragraph\n“Next.”'
    regions = [text[s:e] for s, e in quote_regions(text)]
    assert regions == ['"yes"', "“no”", "“Open paragraph", "“Next.”"]


def test_quote_class_direct_mixed_indirect():
    text = 'Tom said “we will win” and that “it is close” now.'
    quoted = chars(text, quote_regions(text))
    assert quote_class(chars(text, [span_of(text, "“we will win”")]), quoted) == "direct"
    assert quote_class(chars(text, [span_of(text, "we will win")]), quoted) == "direct"
    assert quote_class(chars(text, [span_of(text, "that “it is close” now")]), quoted) == "mixed"
    assert quote_class(chars(text, [span_of(text, "Tom said")]), quoted) == "indirect"
    assert quote_class(set(), quoted) == "indirect"


@pytest.mark.parametrize("cue,family", [
    ("said", SAY_TELL), ("Says", SAY_TELL), ("has told", SAY_TELL), ("according to", SAY_TELL),
    ("According  to", SAY_TELL), ("saying", SAY_TELL), ("rejected", OTHER_CUE),
    ("believes", OTHER_CUE), ("sayings", OTHER_CUE), ("stated", OTHER_CUE),
])
def test_cue_family(cue, family):
    assert cue_family(cue) == family


# --- matching --------------------------------------------------------------------------------

def test_jaccard_threshold_is_inclusive_at_one_half():
    g = gold(ga([(0, 100)]))
    at_half = score({"a": [Pred(content=((0, 50),))]}, g)
    below = score({"a": [Pred(content=((0, 49),))]}, g)
    assert at_half.content.tp == 1 and at_half.per_article["a"].matches[0].jaccard == 0.5
    assert below.content.tp == 0  # 49/100 = 0.49
    # The same from a prediction that is too long: |∩|/|∪| = 100/200, then 49/100.
    assert score({"a": [Pred(content=((0, 200),))]}, g).content.tp == 1
    assert score({"a": [Pred(content=((0, 100),))]}, gold(ga([(0, 49)]))).content.tp == 0


def test_jaccard_ignores_whitespace_and_punctuation_around_content():
    text = 'Ann said, “it is raining.”  Then she left.'
    g = gold(ga([span_of(text, "it is raining")]), text=text)
    pred = Pred(content=(span_of(text, ', “it is raining.”  '),))
    r = score({"a": [pred]}, g)
    assert r.content.f1 == 1.0 and r.per_article["a"].matches[0].jaccard == 1.0
    assert jaccard(set(), set()) == 0.0


def test_matching_is_one_to_one_best_overlap_first():
    g = gold(ga([(0, 10)]), ga([(0, 12)]))
    # p0 overlaps both gold (J 1.0 with the first, 0.83 with the second); p1 only the second.
    preds = [Pred(content=((0, 10),)), Pred(content=((2, 12),))]
    r = score({"a": preds}, g)
    assert [(m.gold, m.pred) for m in r.per_article["a"].matches] == [(0, 0), (1, 1)]
    # Two predictions for one gold attribution: one matches, the other is a false positive.
    r = score({"a": [Pred(content=((0, 100),)), Pred(content=((0, 90),))]}, gold(ga([(0, 100)])))
    assert (r.content.tp, r.content.predicted, r.content.precision) == (1, 2, 0.5)
    assert r.per_article["a"].spurious == [1]
    # Ties go to the earlier gold attribution.
    r = score({"a": [Pred(content=((0, 10),))]}, gold(ga([(5, 15)]), ga([(0, 10)]), ga([(0, 10)])))
    assert r.per_article["a"].matches[0].gold == 0
    assert r.per_article["a"].gold[0].content == ((0, 10),)


def test_end_to_end_needs_overlapping_sources():
    text = "Bob Smith and Ann Lee said that taxes will rise next year."
    content = [span_of(text, "taxes will rise next year")]
    g = gold(ga(content, source=[span_of(text, "Bob Smith")], cue=[span_of(text, "said")]),
             text=text)
    def e2e(source) -> float:
        return score({"a": [Pred(content=tuple(content), source=tuple(source))]}, g).end_to_end.f1
    assert e2e([span_of(text, "Smith and Ann")]) == 1.0  # any overlap is enough
    assert e2e([span_of(text, "h")]) == 1.0  # ... even one character
    assert e2e([span_of(text, "Ann Lee")]) == 0.0
    assert e2e([span_of(text, " and ")]) == 0.0  # only a space in common: not an overlap
    assert e2e([]) == 0.0
    r = score({"a": [Pred(content=tuple(content), source=(span_of(text, "Ann Lee"),))]}, g)
    assert (r.content.f1, r.end_to_end.f1) == (1.0, 0.0)
    assert "SOURCE" in r.errors("a")


def test_gold_without_source_needs_a_prediction_without_source():
    text = "It was reported that the bridge will close."
    content = (span_of(text, "the bridge will close"),)
    g = gold(ga(content, source=()), text=text)
    assert score({"a": [Pred(content=content)]}, g).end_to_end.f1 == 1.0
    assert score({"a": [Pred(content=content, source=((0, 2),))]}, g).end_to_end.f1 == 0.0


def test_only_claims_with_a_cue_that_are_not_assertions_count():
    text = "Officials said the plant is safe. The plant is safe."
    content = (span_of(text, "the plant is safe"),)
    g = gold(ga(content, source=(span_of(text, "Officials"),), cue=(span_of(text, "said"),)),
             text=text)
    def claim(kind, cue, cid="c1", content=content):
        return Claim(claim_id=cid, article_id="a1", kind=kind, content=content, text="",
                     source=(span_of(text, "Officials"),), cue=cue)
    said = (span_of(text, "said"),)
    assertion = claim(Kind.ASSERTION, said, "c2")
    no_cue = claim(Kind.INDIRECT, (), "c3", content=(span_of(text, "The plant is safe"),))
    r = score({"a": [assertion, no_cue]}, g)
    assert (r.content.predicted, r.content.tp) == (0, 0)
    r = score({"a": [assertion, no_cue, claim(Kind.INDIRECT, said)]}, g)
    assert (r.content.predicted, r.content.f1, r.end_to_end.f1) == (1, 1.0, 1.0)
    assert score({"a": [Pred(content=content, cue=(), kind="indirect")]}, g).content.predicted == 0
    assert score({"a": [Pred(content=content, kind="assertion")]}, g).content.predicted == 0


def test_recall_splits_by_quotes_and_cue():
    text = ('Ann said “we will win.” Bob believes that “taxes” will fall. '
            'According to Cy, rain is due. Dee warned that prices will rise.')
    direct = ga([span_of(text, "“we will win.”")], [span_of(text, "Ann")], [span_of(text, "said")])
    mixed = ga([span_of(text, "that “taxes” will fall")], [span_of(text, "Bob")],
               [span_of(text, "believes")])
    indirect_say = ga([span_of(text, "rain is due")], [span_of(text, "Cy")],
                      [span_of(text, "According to")])
    indirect_other = ga([span_of(text, "that prices will rise")], [span_of(text, "Dee")],
                        [span_of(text, "warned")])
    g = gold(direct, mixed, indirect_say, indirect_other, text=text)
    preds = [Pred(content=direct.content, source=direct.source),
             Pred(content=mixed.content, source=indirect_say.source),  # wrong source
             Pred(content=indirect_say.content, source=indirect_say.source)]
    s = score({"a": preds}, g).splits
    assert (s["direct"].gold, s["mixed"].gold, s["indirect"].gold) == (1, 1, 2)
    assert (s["direct_or_mixed"].gold, s["direct_or_mixed"].content_recall,
            s["direct_or_mixed"].end_to_end_recall) == (2, 1.0, 0.5)
    assert (s["indirect"].content_tp, s["indirect"].content_recall) == (1, 0.5)
    assert (s[SAY_TELL].gold, s[SAY_TELL].content_recall, s[SAY_TELL].end_to_end_recall) \
        == (2, 1.0, 1.0)
    assert (s[OTHER_CUE].gold, s[OTHER_CUE].content_tp, s[OTHER_CUE].end_to_end_tp) == (2, 1, 0)


def test_micro_average_over_articles_and_unknown_articles():
    g = {**gold(ga([(0, 10)]), name="a"), **gold(ga([(0, 10)]), ga([(20, 30)]), name="b")}
    r = score({"a": [Pred(content=((0, 10),))]}, g)  # "b" has no predictions
    assert (r.articles, r.content.tp, r.content.predicted, r.content.gold) == (2, 1, 1, 3)
    assert r.content.recall == pytest.approx(1 / 3) and r.content.precision == 1.0
    assert r.per_article["b"].missed == [0, 1]
    with pytest.raises(ValueError, match="not in the gold set"):
        score({"zzz": []}, g)


def test_scores_report_as_dict_and_table():
    r = score({"a": [Pred(content=((0, 10),))]}, gold(ga([(0, 10)]), ga([(20, 30)])))
    d = json.loads(json.dumps(r.to_dict(per_article=True)))
    assert d["content"]["f1"] == pytest.approx(2 / 3)
    assert d["recall_splits"]["indirect"]["gold"] == 2
    assert d["per_article"]["a"]["content"]["tp"] == 1
    table = r.format()
    for row in ("content", "end-to-end", "direct or mixed", "indirect",
                "say / tell / according to", "other cues"):
        assert row in table
    assert "MISSED" in r.errors("a")


# --- the extractor on a gold folder ----------------------------------------------------------

def test_evaluate_dir_runs_the_extractor(tmp_path, capsys):
    text = "Headline\n\nThe mayor said on Monday that the bridge will reopen in May.\n"
    ann = ("T1\tSource 10 19\tThe mayor\nT2\tCue 20 24\tsaid\n"
           "T3\tContent 35 69\tthat the bridge will reopen in May\n"
           "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n")
    assert text[35:69] == "that the bridge will reopen in May"
    root = write_gold(tmp_path / "g", {"mayor": text}, {"mayor_x.ann": ann})
    scores = evaluate_dir(root)
    assert isinstance(scores, Scores)
    # One plain "X said that Y": found, with its source, and nothing else predicted.
    assert (scores.content.gold, scores.content.predicted, scores.content.tp) == (1, 1, 1)
    assert scores.content.f1 == 1.0 and scores.end_to_end.f1 == 1.0
    assert main_evaluate(root, as_json=True) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["content"]["gold"] == 1 and printed["end_to_end"]["f1"] == 1.0
    assert main_evaluate(root) == 0
    assert "end-to-end" in capsys.readouterr().out


def test_main_evaluate_reports_a_bad_folder_in_one_line(tmp_path, capsys):
    assert main_evaluate(tmp_path / "missing") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a gold folder" in err


# --- real gold, read from ../shared when present ---------------------------------------------

def _gold_or_skip(path: Path) -> dict[str, GoldDoc]:
    if not (path / "attributions").is_dir():
        pytest.skip(f"{path} not available")
    return load_gold_dir(path)


def _gold_as_predictions(docs: dict[str, GoldDoc]) -> Scores:
    return score({name: doc.attributions for name, doc in docs.items()}, docs)


def _covered_texts_agree(docs: dict[str, GoldDoc]) -> None:
    """Every T record's covered text is what its spans cut from the text (offsets are right)."""
    for doc in docs.values():
        bounds, _ = parse_ann(Path(doc.ann_path).read_text(encoding="utf-8"))
        for b in bounds:
            assert " ".join(doc.text[s:e] for s, e in b.spans) == b.text, (doc.name, b.id)


def test_seed_article_gold():
    docs = _gold_or_skip(GOLD_SEED)
    assert len(docs) == 1
    (doc,) = docs.values()
    assert len(doc.attributions) == 11
    _covered_texts_agree(docs)
    s = _gold_as_predictions(docs)
    assert s.content.f1 == 1.0 and s.end_to_end.f1 == 1.0
    assert s.splits["direct_or_mixed"].gold + s.splits["indirect"].gold == 11


def test_polnear_dev_gold():
    docs = _gold_or_skip(SHARED / "polnear" / "dev")
    assert len(docs) == 84
    assert sum(len(d.attributions) for d in docs.values()) == 2192
    for doc in docs.values():  # the first annotator in sorted order
        ann_dir = Path(doc.ann_path).parent
        candidates = sorted(p.name for p in ann_dir.glob(f"{doc.name}_*.ann")
                            if article_name(p)[0] == doc.name)
        assert Path(doc.ann_path).name == candidates[0]
    _covered_texts_agree(docs)
    s = _gold_as_predictions(docs)
    assert s.content.f1 == 1.0 and s.end_to_end.f1 == 1.0
    # README: about two thirds indirect, about 70% with a cue other than say/tell/according to
    assert 0.6 < s.splits["indirect"].gold / 2192 < 0.75
    assert 0.6 < s.splits[OTHER_CUE].gold / 2192 < 0.75
