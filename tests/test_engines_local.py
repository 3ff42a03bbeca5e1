"""The local engine: streaming, ordered, one bad article never stops a batch, same with workers."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest

from claimkit.engines.local import chunked_evenly_at_the_end, run_extraction
from claimkit.model import Article, Claim, Extraction, InputProblem, Kind, article_id_for, claim_id_for
from claimkit.nlp import ModelNotFound

TEXTS = [
    "The mayor said the new bridge would open in March. Critics disagree.",
    "Officials denied that the budget had been cut by 12 percent.",
    "Rain is expected on Friday. The council will meet on Monday to vote on the plan.",
    "“We will not raise taxes,” the governor told reporters on Tuesday.",
    "Sales rose 4 percent last quarter, according to the company.",
    "The minister claimed the report was wrong. Her office did not comment.",
    "Nothing happened today.",
]


def make_article(text: str, path: str = "") -> Article:
    return Article(article_id=article_id_for(text), text=text, path=path)


def articles(texts=TEXTS) -> list[Article]:
    return [make_article(t, path=f"doc{i}.txt") for i, t in enumerate(texts)]


# Extraction stand-ins. They live at module level so worker processes can unpickle them.

def sentence_claims(article: Article, doc) -> list[Claim]:
    """One claim per sentence, recording the root verb: enough to see that parsing happened."""
    return [
        Claim(
            claim_id=claim_id_for(article.article_id, sent.text, occurrence=i),
            article_id=article.article_id,
            kind=Kind.ASSERTION,
            content=((sent.start_char, sent.end_char),),
            text=sent.text,
            cue_lemma=sent.root.lemma_,
            rule="test:sentence",
        )
        for i, sent in enumerate(doc.sents)
    ]


def fails_on_boom(article: Article, doc) -> list[Claim]:
    if "BOOM" in article.text:
        raise ValueError("cannot handle BOOM")
    return sentence_claims(article, doc)


def kills_worker_on_crash(article: Article, doc) -> list[Claim]:
    if "CRASH" in article.text:
        os._exit(3)  # what a segfault or the OOM killer looks like from the parent
    return sentence_claims(article, doc)


def test_one_claim_per_sentence_in_input_order():
    arts = articles()
    results = list(run_extraction(arts, extract_fn=sentence_claims, batch_size=3))

    assert [x.article for x in results] == arts
    assert not any(x.failed for x in results)
    first_claims = results[0].claims
    assert [c.text for c in first_claims] == [
        "The mayor said the new bridge would open in March.", "Critics disagree."]
    assert first_claims[0].cue_lemma == "say"
    for x in results:
        for claim in x.claims:
            (start, end), = claim.content
            assert x.article.text[start:end] == claim.text


@pytest.mark.slow  # worker processes, each loading spaCy
def test_workers_give_the_same_results_as_one_process():
    arts = articles() * 3  # more articles than one chunk per worker
    one = list(run_extraction(arts, extract_fn=sentence_claims, batch_size=2))
    two = list(run_extraction(arts, extract_fn=sentence_claims, batch_size=2, jobs=2))

    assert two == one
    # The caller gets its own article objects back, not copies from the workers.
    assert all(x.article is b for x, b in zip(two, arts))


@pytest.mark.slow  # worker processes, each loading spaCy
def test_default_extractor_runs_the_same_with_workers():
    arts = articles()
    assert list(run_extraction(arts, jobs=2)) == list(run_extraction(arts))


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_a_failing_article_is_reported_and_the_batch_goes_on(jobs):
    arts = articles()
    arts.insert(2, make_article("This one goes BOOM. Sadly.", path="bad.txt"))

    results = list(run_extraction(arts, extract_fn=fails_on_boom, jobs=jobs, batch_size=2))

    assert [x.article for x in results] == arts
    assert results[2] == Extraction(arts[2], [], InputProblem(
        "bad.txt", "extraction failed: ValueError: cannot handle BOOM"))
    assert [x.failed for x in results] == [i == 2 for i in range(len(arts))]
    assert all(x.claims for i, x in enumerate(results) if i != 2)


def test_a_problem_names_the_article_id_when_there_is_no_path():
    bad = Article(article_id="a-no-path", text="BOOM")
    (result,) = run_extraction([bad], extract_fn=fails_on_boom)
    assert result.problem.path == "a-no-path"


@pytest.mark.kill  # a worker process dies mid-batch
def test_a_worker_that_dies_costs_only_its_own_article():
    arts = articles()
    arts.insert(3, make_article("This one will CRASH the worker.", path="crash.txt"))

    results = list(run_extraction(arts, extract_fn=kills_worker_on_crash, jobs=2, batch_size=2))

    assert [x.article for x in results] == arts
    problems = [x.problem for x in results if x.failed]
    assert [p.path for p in problems] == ["crash.txt"]
    assert "worker process died" in problems[0].reason
    expected = list(run_extraction(articles(), extract_fn=sentence_claims))
    assert [r for i, r in enumerate(results) if i != 3] == expected


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_input_is_read_lazily(jobs):
    consumed = 0

    def endless():
        nonlocal consumed
        for i in itertools.count():
            consumed += 1
            yield make_article(f"Story number {i} said nothing new.")

    stream = run_extraction(endless(), extract_fn=sentence_claims, jobs=jobs, batch_size=4)
    first = next(stream)
    stream.close()  # stops the workers

    assert first.article.text == "Story number 0 said nothing new."
    assert first.claims
    assert consumed <= (3 * jobs + 1) * 4 if jobs > 1 else consumed <= 4


def test_the_end_of_the_input_is_shared_out_in_small_chunks():
    stories = [make_article(f"Story {i} said nothing.") for i in range(100)]
    chunks = list(chunked_evenly_at_the_end(iter(stories), 16, jobs=2))

    assert [a for c in chunks for a in c] == stories  # all of them, in order
    # full chunks while three more chunks' worth of input is ahead (2 workers + 1) ...
    assert [len(c) for c in chunks[:4]] == [16] * 4
    # ... then the last 36 articles in six pieces, three per worker, so both finish together
    assert [len(c) for c in chunks[4:]] == [6] * 6


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_unknown_model_is_an_error_not_a_per_article_problem(jobs):
    with pytest.raises(ModelNotFound):
        list(run_extraction(articles(), model="no_such_spacy_model", jobs=jobs))


def test_empty_input_gives_nothing():
    assert list(run_extraction([], jobs=2)) == []


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError):
        next(run_extraction(articles(), batch_size=0))


@pytest.mark.slow  # a fresh interpreter whose workers die as they start
def test_workers_that_cannot_start_are_an_error_not_a_problem_per_article(tmp_path):
    # Code piped on stdin is a script the workers cannot import: they die as they start.
    script = (
        "from claimkit.engines.local import run_extraction\n"
        "from claimkit.model import Article\n"
        "arts = [Article(article_id=str(i), text='Officials said it rained.') for i in range(6)]\n"
        "print(list(run_extraction(arts, jobs=2, batch_size=2)))\n"
    )
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)

    assert done.returncode != 0
    assert "worker processes die as they start" in done.stderr
