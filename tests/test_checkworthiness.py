"""Check-worthiness: the learned model, its reasons, its ranking, and `claimkit evaluate-checkworthiness`.

Every sentence here is invented (ClaimBuster's sentences never enter the project). The dev-set
figure is read from ../shared/claimbuster at test time.
"""
from __future__ import annotations

import json

import pytest
from conftest import SAMPLE, SHARED, needs_shared, run_cli

from claimkit.evaluate_checkworthiness import average_precision, metrics, reliability, roc_auc
from claimkit.extract.checkworthiness import load_model, score, score_spans
from claimkit.extract.settings import DEFAULTS
from claimkit.ingest import read_articles
from claimkit.engines import extract
from claimkit.model import Kind
from claimkit.nlp import load_pipeline

CLAIMBUSTER_DEV = SHARED / "claimbuster" / "dev.jsonl"

# Invented news sentences: factual statements with numbers, dates and named actors ...
FACTUAL = [
    "The Ministry of Health reported 1,240 new cases of measles in March, up 18 percent from a year earlier.",
    "Acme Motors cut 3,500 jobs in Ohio in 2022 after its sales fell by $2 billion.",
    "In 2019, the European Commission fined Globex 1.4 billion euros for abusing its market position.",
    "Unemployment in Spain fell to 11.6 percent last year, the lowest rate since 2008.",
    "The city council voted 7 to 2 on Tuesday to raise the minimum wage to $15 an hour.",
]
# ... and what a desk does not check: opinions, predictions, questions, captions.
NOT_CHECKABLE = [
    "I think this is a wonderful time to be alive and we should all be grateful.",  # opinion
    "These are some of the boldest and most beautiful wines you will ever taste.",  # puffery
    "Next year will be even better for everyone, and we are going to win.",  # prediction
    "Why would anyone want to live anywhere else?",  # question
    "Photo: a view of the harbour at sunset.",  # caption
    "What do you think about that?",  # question
]


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def scored(nlp, text, cue_class=""):
    doc = nlp(text)
    return score(doc, doc.ents, cue_class)


def test_the_model_loads_with_its_provenance_and_scores_in_0_1(nlp):
    model = load_model()
    assert len(model.ngram_index) > 1000 and model.dense_weights
    assert "ClaimBuster train" in model.provenance["training_data"]
    assert model.provenance["dev"]["roc_auc"] >= 0.93
    # n-grams are single words or word pairs: no sentence can be rebuilt from them
    assert max(len(g.split()) for g in model.ngram_index) <= 2
    for text in FACTUAL + NOT_CHECKABLE:
        p, _ = scored(nlp, text)
        assert 0.0 <= p <= 1.0


def test_factual_news_sentences_rank_above_opinions_predictions_questions_and_captions(nlp):
    factual = [scored(nlp, t)[0] for t in FACTUAL]
    other = [scored(nlp, t)[0] for t in NOT_CHECKABLE]
    assert min(factual) > max(other), (factual, other)
    assert min(factual) >= DEFAULTS.checkworthy_threshold > max(other)


def test_reasons_are_words_an_analyst_reads_most_influential_first(nlp):
    p, reasons = scored(nlp, "Unemployment in Spain fell to 11.6 percent last year, the lowest rate since 2008.")
    assert 2 <= len(reasons) <= 3 and p > 0.7
    assert all(r.endswith(("(raises)", "(lowers)")) for r in reasons)
    assert any(r.startswith(("a percentage", "a number", "a count or an amount", "a date")) for r in reasons)
    assert not any("ent_" in r or "p:" in r or "l:" in r for r in reasons)  # no feature names
    _, reasons = scored(nlp, "Next year will be even better for everyone, and we are going to win.")
    assert any("prediction" in r and r.endswith("(lowers)") for r in reasons), reasons
    _, reasons = scored(nlp, "I think this is a wonderful time to be alive and we should all be grateful.")
    assert any(("opinion" in r or "first person" in r) and r.endswith("(lowers)") for r in reasons), reasons


def test_the_cue_class_is_a_feature_a_denial_of_a_number_stays_checkable(nlp):
    text = "the company paid $40 million in fines in 2021"
    plain, _ = scored(nlp, text)
    denied, _ = scored(nlp, text, "deny")
    believed, reasons = scored(nlp, text, "believe")
    assert denied == plain
    assert believed < plain
    assert any("belief" in r and r.endswith("(lowers)") for r in reasons), reasons
    middling = "the new bridge is safer for the town than the old one"
    assert scored(nlp, middling, "believe")[0] < scored(nlp, middling, "assert")[0] - 0.1


def test_claims_are_scored_on_their_own_span_of_the_parsed_doc(nlp):
    doc = nlp("The mayor said the city spent $3 million on new buses in 2019. I love buses.")
    first = doc[: len(list(doc.sents)[0])]
    whole = score_spans(doc, [(first.start_char, first.end_char)])
    assert whole == score(first, first.ents)
    assert whole[0] > score_spans(doc, [(doc.text.index("I love"), len(doc.text))])[0]


def test_extraction_scores_with_the_model_and_keeps_checkable_assertions():
    article = next(read_articles([SAMPLE]))
    claims = extract([article])
    for c in claims:
        assert 0.0 <= c.checkworthiness <= 1.0 and c.reasons
    assertions = [c for c in claims if c.kind == Kind.ASSERTION]
    assert assertions and all(c.checkworthiness >= DEFAULTS.assertion_min_score for c in assertions)
    ranked = sorted(claims, key=lambda c: -c.checkworthiness)
    top = " ".join(c.text for c in ranked[:5])
    assert "expelled 10 Russian diplomats" in top and "paid millions" in top
    low = [c.text for c in ranked[-6:]]
    assert any("I’m always ready" in t for t in low)  # first person, no content
    assert any("will be a topic" in t for t in low)  # a prediction


# --- metrics ------------------------------------------------------------------------------------

def test_metrics_by_hand():
    y = [1, 0, 1, 0]
    assert roc_auc(y, [0.9, 0.1, 0.8, 0.2]) == 1.0
    assert roc_auc(y, [0.1, 0.9, 0.2, 0.8]) == 0.0
    assert roc_auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5  # ties count half
    assert roc_auc(y, [0.9, 0.8, 0.3, 0.1]) == 0.75  # pairs: (0.9>0.8) (0.9>0.1) (0.3<0.8) (0.3>0.1)
    # ranked 1,0,1,0: precision 1 at recall 0.5, 2/3 at recall 1
    assert average_precision(y, [0.9, 0.8, 0.3, 0.1]) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    m = metrics(y, [0.9, 0.8, 0.3, 0.1], 0.5)
    assert (m["precision"], m["recall"], m["f1"]) == (0.5, 0.5, 0.5)
    table = reliability([1, 0, 1, 1], [0.95, 0.05, 0.9, 0.15])
    assert table[0] == {"bin": "0.0-0.1", "n": 1, "mean_predicted": 0.05, "observed": 0.0}
    assert table[-1]["observed"] == 1.0 and table[-1]["n"] == 2


# --- the command ----------------------------------------------------------------------------------

def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_evaluate_checkworthiness_json_on_a_separable_file(tmp_path):
    rows = [{"text": FACTUAL[0], "label": 1}, {"text": NOT_CHECKABLE[0], "label": 0},
            {"text": FACTUAL[1], "label": 1}, {"text": NOT_CHECKABLE[3], "label": 0}]
    result = run_cli("evaluate-checkworthiness", write_jsonl(tmp_path / "four.jsonl", rows), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert list(figures) == ["roc_auc", "average_precision", "precision", "recall", "f1", "threshold"]
    assert figures == {"roc_auc": 1.0, "average_precision": 1.0, "precision": 1.0, "recall": 1.0,
                       "f1": 1.0, "threshold": DEFAULTS.checkworthy_threshold}


def test_evaluate_checkworthiness_inverted_labels_and_the_table(tmp_path):
    rows = [{"text": FACTUAL[0], "label": 0}, {"text": NOT_CHECKABLE[0], "label": 1},
            {"text": FACTUAL[1], "label": 0}, {"text": NOT_CHECKABLE[3], "label": 1}]
    path = write_jsonl(tmp_path / "inverted.jsonl", rows)
    figures = json.loads(run_cli("evaluate-checkworthiness", path, "--json").stdout)
    assert figures["roc_auc"] == 0.0 and figures["precision"] == 0.0 and figures["f1"] == 0.0
    # positives ranked 3rd and 4th: precision 1/3 at recall 1/2, 2/4 at recall 1
    assert figures["average_precision"] == pytest.approx((1 / 3 + 2 / 4) / 2)
    table = run_cli("evaluate-checkworthiness", path)
    assert table.returncode == 0 and "ROC-AUC" in table.stdout and "0.0000" in table.stdout


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ('{"text": "A sentence.", "label": 1}\n{not json\n', ":2: not JSON"),
    ('{"text": "A sentence.", "label": 1}\n{"text": "Another one."}\n', ':2: "label" must be 0 or 1'),
    ('{"label": 1}\n', ':1: missing "text"'),
    ('{"text": "A.", "label": 1}\n{"text": "B.", "label": 1}\n', "every label is 1"),
    ("", "no labelled lines"),
])
def test_evaluate_checkworthiness_bad_input_is_a_usage_error(tmp_path, content, message):
    path = tmp_path / "in.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_cli("evaluate-checkworthiness", path, "--json")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


@pytest.mark.slow
@needs_shared(CLAIMBUSTER_DEV)
def test_claimbuster_dev_roc_auc_at_least_0_93():
    result = run_cli("evaluate-checkworthiness", CLAIMBUSTER_DEV, "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["roc_auc"] >= 0.93
    assert figures["average_precision"] >= 0.8 and figures["f1"] >= 0.74
