"""The Dask engine: the same claims and ids as the local engine, a dead worker costs only a retry.

Real clusters throughout: the engine's own ``LocalCluster`` with two worker processes (loopback
only), shared by the tests of this module and always closed, and the command line starting its own.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

import distributed
import pytest
from conftest import run_cli as claimkit
from corpus_fixtures import write_corpus
from test_engines_local import articles, fails_on_boom, kills_worker_on_crash, make_article

from claimkit.cli import main
from claimkit.engines.dask import local_cluster, run_extraction_dask
from claimkit.engines.local import run_extraction
from claimkit.load import ProblemLog, extract_into_store
from claimkit.model import InputProblem
from claimkit.nlp import ModelNotFound
from claimkit.store import open_store

N_ARTICLES = 64
PARTITION = 8  # several partitions per worker, so a kill lands mid-run


@pytest.fixture(scope="module")
def cluster():
    # allowed_failures=1: a partition whose worker dies once is simply run again (what a
    # killed worker costs); one that kills two workers is given up as Dask's KilledWorker and
    # retried article by article. Dask's default (3) only makes the crash test slower.
    with local_cluster(2, scheduler_kwargs={"allowed_failures": 1}) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield cluster, client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask") / "corpus"
    write_corpus(folder, N_ARTICLES)
    return folder


def stored_claims(db: Path) -> list[tuple]:
    """Every stored claim as plain values, in a fixed order (no timestamps)."""
    with open_store(db) as store:
        assert store.check() == []
        frame = store.claims(details=True, spans=True)
    columns = ["article_id", "claim_id", "kind", "text", "speaker", "speaker_canonical",
               "speaker_type", "cue_lemma", "cue_class", "content", "source", "cue", "parent_id",
               "hedges", "rule", "checkworthiness"]
    rows = frame[columns].astype(str).itertuples(index=False, name=None)
    return sorted(rows)


@pytest.fixture(scope="module")
def local_claims(corpus, tmp_path_factory) -> list[tuple]:
    db = tmp_path_factory.mktemp("local") / "claims.db"
    with open_store(db) as store:
        result = extract_into_store(store, [str(corpus)], jobs=1)
    assert result.added.articles == N_ARTICLES and not result.problems
    claims = stored_claims(db)
    assert len(claims) >= 3 * N_ARTICLES  # the corpus really has claims to compare
    return claims


@pytest.mark.dask
def test_dask_stores_exactly_the_claims_and_ids_of_the_local_engine(
        cluster, corpus, local_claims, tmp_path):
    _, client = cluster
    db = tmp_path / "claims.db"
    with open_store(db) as store:
        result = extract_into_store(store, [str(corpus)], engine="dask", scheduler=client,
                                    batch_size=PARTITION)
    assert result.added.articles == N_ARTICLES and not result.problems
    assert stored_claims(db) == local_claims


@pytest.mark.dask
def test_a_rerun_on_dask_skips_stored_articles_before_sending_them(cluster, corpus, tmp_path):
    _, client = cluster
    db = tmp_path / "claims.db"
    first = sorted(corpus.iterdir())[:5]
    with open_store(db) as store:
        extract_into_store(store, map(str, first), engine="dask", scheduler=client)
        tasks_before = len(client.run_on_scheduler(_claimkit_tasks_seen))
        again = extract_into_store(store, [str(corpus)], engine="dask", scheduler=client,
                                   batch_size=PARTITION)
    assert again.already_stored == 5
    assert again.added.articles == N_ARTICLES - 5
    # 59 articles in partitions of 8: 8 tasks, none holding a stored article.
    assert len(client.run_on_scheduler(_claimkit_tasks_seen)) - tasks_before == 8


def _claimkit_tasks_seen(dask_scheduler) -> set[str]:
    """Runs in the scheduler: keys of every claimkit task it has run (from its transition log)."""
    return {str(t[0]) for t in dask_scheduler.transition_log
            if str(t[0]).startswith("claimkit-extract-")}


class KillAWorkerMidRun(ProblemLog):
    """After ``after`` articles are stored, SIGKILL a worker that is busy with a partition."""

    def __init__(self, client, after: int) -> None:
        super().__init__()
        self.client, self.after, self.seen = client, after, 0
        self.killed: int | None = None

    def record(self, extraction) -> bool:
        self.seen += 1
        if self.seen == self.after:
            pids = self.client.run(os.getpid)
            busy = [w for w, keys in self.client.processing().items()
                    if any(str(k).startswith("claimkit-extract-") for k in keys)]
            assert busy, "no partition in flight to lose"
            self.killed = pids[busy[0]]
            os.kill(self.killed, signal.SIGKILL)
        return super().record(extraction)


@pytest.mark.dask
@pytest.mark.kill
def test_a_worker_killed_mid_run_costs_a_retry_and_nothing_is_lost_or_doubled(
        cluster, corpus, local_claims, tmp_path):
    _, client = cluster
    db = tmp_path / "claims.db"
    listener = KillAWorkerMidRun(client, after=PARTITION + 1)
    with open_store(db) as store:
        result = extract_into_store(store, [str(corpus)], engine="dask", scheduler=client,
                                    batch_size=PARTITION, listener=listener)
    assert listener.killed is not None
    assert result.added.articles == N_ARTICLES and not listener.problems
    assert stored_claims(db) == local_claims  # every article once, every claim once
    client.wait_for_workers(2, timeout=60)  # the nanny brought a fresh process up
    assert listener.killed not in client.run(os.getpid).values()


@pytest.mark.dask
def test_a_failing_article_is_reported_and_the_rest_extracted(cluster):
    _, client = cluster
    docs = articles()
    docs[2] = make_article("BOOM goes this one.", path="bad.txt")
    dask_results = {x.article.path: x for x in run_extraction_dask(
        docs, scheduler=client, partition_size=3, extract_fn=fails_on_boom)}
    local_results = {x.article.path: x for x in run_extraction(docs, extract_fn=fails_on_boom)}
    problems = [x.problem for x in dask_results.values() if x.failed]
    assert problems == [InputProblem("bad.txt", "extraction failed: ValueError: cannot handle BOOM")]
    assert dask_results == local_results
    assert dask_results["bad.txt"].claims == []


@pytest.mark.dask
@pytest.mark.kill
def test_an_article_that_keeps_killing_workers_is_the_only_one_lost(cluster):
    _, client = cluster
    docs = articles()
    docs[1] = make_article("This text will CRASH the worker.", path="crash.txt")
    results = {x.article.path: x for x in run_extraction_dask(
        docs, scheduler=client, partition_size=4, extract_fn=kills_worker_on_crash)}
    problems = [x.problem for x in results.values() if x.failed]
    assert [p.path for p in problems] == ["crash.txt"]
    assert "worker died" in problems[0].reason
    assert sorted(results) == sorted(a.path for a in docs)
    assert all(results[a.path].claims for a in docs if a.path != "crash.txt")
    client.wait_for_workers(2, timeout=60)


@pytest.mark.dask
def test_a_model_the_workers_cannot_load_is_an_error_not_a_problem_per_article(cluster):
    _, client = cluster
    with pytest.raises(ModelNotFound, match="no_such_pipeline"):
        list(run_extraction_dask(articles(), scheduler=client, model="no_such_pipeline"))


@pytest.mark.dask
def test_cli_extract_on_a_local_dask_cluster_is_resumable(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6)
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    db = tmp_path / "claims.db"
    first = claimkit("extract", corpus, "--store", db, "--engine", "dask", "--no-progress")
    assert first.returncode == 1, first.stderr  # the empty file failed, the rest went on
    assert "empty.txt" in first.stderr
    assert "stored 6 articles" in first.stderr
    assert "Traceback" not in first.stderr
    again = claimkit("extract", corpus, "--store", db, "--engine", "dask", "--no-progress")
    assert "stored 0 articles" in again.stderr and "6 already there" in again.stderr
    with open_store(db) as store:
        assert store.stats()["articles"] == 6 and store.check() == []


@pytest.mark.parametrize(("options", "message"), [
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --engine dask"),
    (["--engine", "dask", "--jobs", "2"], "--jobs is for the local engine"),
    (["--engine", "dask", "--scheduler", "nonsense"], "cannot reach the Dask scheduler"),
])
def test_cli_engine_usage_errors(options, message, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1)
    code = main(["extract", str(corpus), "--store", str(tmp_path / "s.db"), "--no-progress",
                 *options])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_library_engine_arguments_are_checked_at_once(tmp_path):
    with open_store(tmp_path / "s.db") as store:
        with pytest.raises(ValueError, match="unknown engine 'spark'"):
            extract_into_store(store, [], engine="spark")
        with pytest.raises(ValueError, match="only used by the Dask engine"):
            extract_into_store(store, [], scheduler="tcp://127.0.0.1:8786")
