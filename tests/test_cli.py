"""The command line, run for real on real files: in process (conftest.run_cli), and in a fresh
`python -m claimkit` process where the process is the point (its entry point, a closed pipe, a
terminal).

What an analyst or a CI job relies on (docs/architecture.md §3, §6): one JSON line per article with offsets
that hold, one stderr line per bad file, exit codes that say whether anything failed, and never a
traceback for a user's mistake. Extractor output is being tuned, so these tests check the shape
and invariants of the output, not which claims are found.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import GOLD_SEED, ROOT, SAMPLE, needs_shared, python_m_claimkit
from conftest import run_cli as claimkit

from claimkit.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, run_command

CLAIM_KEYS = ["claim_id", "kind", "content", "source", "cue", "text", "speaker",
              "speaker_canonical", "speaker_type", "cue_lemma", "cue_class", "parent_id",
              "hedges", "checkworthiness", "rule"]
KINDS = {"direct", "mixed", "indirect", "assertion"}
PROBLEM_LINE = re.compile(r"^(error|warning): (.+?): (.+)$")
SUMMARY_LINE = re.compile(r"^\d+ articles?, \d+ claims?; .+ skipped$")

ENGLISH = ("The harbour authority said on Friday that it would close the old ferry terminal next "
           "year. Officials told reporters that the new terminal had been delayed by a shortage "
           "of steel, and that the cost of the project was now expected to rise.\n")
SPANISH = ("El alcalde de la ciudad inauguró el nuevo puente el martes por la mañana. Según los "
           "funcionarios municipales, la obra costó doce millones de euros y tardó tres años en "
           "completarse. Los vecinos del barrio celebraron la apertura con música y comida en la "
           "plaza mayor durante toda la tarde.\n")


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def read_text(path: Path) -> str:
    # What Article.text is for a .txt file: the file as Python reads it (docs/architecture.md §2).
    with open(path, encoding="utf-8") as f:
        return f.read()


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr


# --- help and usage ------------------------------------------------------------------------------

def test_help_lists_the_commands():
    result = python_m_claimkit("--help")  # once through `python -m claimkit` itself
    assert result.returncode == 0
    for command in ("attributions", "evaluate", "demo"):
        assert command in result.stdout


@pytest.mark.parametrize("args", [[], ["attributions"], ["attributions", "--jobs", "many", SAMPLE],
                                  ["no-such-command"]])
def test_usage_errors_exit_2(args):
    result = claimkit(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert_no_traceback(result)


# --- attributions on the sample article ----------------------------------------------------------

@pytest.fixture(scope="module")
def sample_run() -> subprocess.CompletedProcess:
    return claimkit("attributions", SAMPLE)


def test_attributions_prints_one_json_line_per_article(sample_run):
    assert sample_run.returncode == 0, sample_run.stderr
    assert sample_run.stderr == ""
    (record,) = json_lines(sample_run.stdout)
    assert list(record) == ["path", "article_id", "claims"]
    assert record["path"] == SAMPLE  # as given on the command line
    assert record["article_id"]


def test_every_claim_has_exactly_the_documented_keys_and_true_offsets(sample_run):
    text = read_text(ROOT / SAMPLE)
    (record,) = json_lines(sample_run.stdout)
    assert record["claims"]
    for claim in record["claims"]:
        assert list(claim) == CLAIM_KEYS
        assert claim["kind"] in KINDS
        for role in ("content", "source", "cue"):
            for s, e in claim[role]:
                assert 0 <= s < e <= len(text), (role, s, e)
        assert claim["text"] == " ".join(text[s:e] for s, e in claim["content"])
        assert 0 <= claim["checkworthiness"] <= 1
        if claim["kind"] == "assertion":
            assert claim["source"] == [] and claim["cue"] == []
    ids = [c["claim_id"] for c in record["claims"]]
    assert len(set(ids)) == len(ids)
    parents = {c["parent_id"] for c in record["claims"]} - {None}
    assert parents <= set(ids)


def test_the_sample_article_has_at_least_11_attributions(sample_run):
    (record,) = json_lines(sample_run.stdout)
    assert sum(1 for c in record["claims"] if c["cue"]) >= 11


@pytest.mark.slow  # worker processes, each loading spaCy
def test_claim_ids_are_stable_across_runs_and_worker_counts(sample_run):
    again = claimkit("attributions", "--jobs", "2", SAMPLE)
    assert again.returncode == 0, again.stderr
    (first,) = json_lines(sample_run.stdout)
    (second,) = json_lines(again.stdout)
    assert [c["claim_id"] for c in second["claims"]] == [c["claim_id"] for c in first["claims"]]
    assert second == first


# --- a batch with bad files ----------------------------------------------------------------------

BAD_FILES = {
    # name: (severity, words the reason must contain)
    "empty.txt": ("error", "empty"),
    "image.txt": ("error", "binary"),
    "huge.txt": ("error", "too large"),
    "broken_bytes.txt": ("warning", "UTF-8"),
    "scripts.html": ("error", "no article text"),
    "table.csv": ("error", "no text column"),
    "spanish.txt": ("warning", "English"),
    "corpus.csv#row=2": ("warning", "empty text"),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("batch")
    (folder / "good.txt").write_text(read_text(ROOT / SAMPLE), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "huge.txt").write_text(ENGLISH * (5_200_000 // len(ENGLISH)), encoding="utf-8")
    # Valid UTF-8 (the é) with two stray bytes: not a legacy encoding, so bytes get replaced.
    (folder / "broken_bytes.txt").write_bytes(ENGLISH.replace("year", "ann\u00e9e").encode()
                                              + b"\xff\xfe" + ENGLISH.encode())
    (folder / "scripts.html").write_text(
        "<html><head><script>var x = 1;</script></head>"
        "<body><script>document.write('hello')</script></body></html>", encoding="utf-8")
    (folder / "table.csv").write_text("name,count\nbridge,1\nferry,2\n", encoding="utf-8")
    (folder / "spanish.txt").write_text(SPANISH, encoding="utf-8")
    (folder / "corpus.csv").write_text(
        f'title,text\nFerry terminal,"{ENGLISH.strip()}"\nNothing,""\n', encoding="utf-8")
    names = ["good.txt", "empty.txt", "image.txt", "huge.txt", "broken_bytes.txt",
             "scripts.html", "table.csv", "spanish.txt", "corpus.csv"]
    return folder, claimkit("attributions", *names, cwd=folder)


def test_batch_reports_each_bad_file_once_and_keeps_going(batch):
    folder, result = batch
    assert_no_traceback(result)
    lines = result.stderr.splitlines()
    problems = [PROBLEM_LINE.match(line) for line in lines[:-1]]
    assert all(problems), f"every stderr line but the summary is a problem line:\n{result.stderr}"
    reported = {m.group(2): (m.group(1), m.group(3)) for m in problems}
    assert len(reported) == len(problems), "one line per problem"
    assert set(reported) == set(BAD_FILES)
    for name, (severity, words) in BAD_FILES.items():
        assert reported[name][0] == severity, name
        assert words.lower() in reported[name][1].lower(), (name, reported[name])


def test_batch_prints_the_good_articles_and_fails_with_exit_1(batch):
    folder, result = batch
    assert result.returncode == 1
    records = {r["path"]: r for r in json_lines(result.stdout)}
    # Files with only a warning are still read; corpus rows carry their row number.
    assert list(records) == ["good.txt", "broken_bytes.txt", "spanish.txt", "corpus.csv#row=1"]
    good = records["good.txt"]
    text = read_text(folder / "good.txt")
    assert sum(1 for c in good["claims"] if c["cue"]) >= 11
    for claim in good["claims"]:
        assert claim["text"] == " ".join(text[s:e] for s, e in claim["content"])


def test_batch_ends_with_a_one_line_summary_of_what_was_skipped(batch):
    _, result = batch
    summary = result.stderr.splitlines()[-1]
    assert SUMMARY_LINE.match(summary), summary
    articles = len(result.stdout.splitlines())
    claims = sum(len(r["claims"]) for r in json_lines(result.stdout))
    assert summary == f"{articles} articles, {claims} claims; 5 files and 1 row skipped"


def test_piped_stderr_gets_no_progress_bar(batch):
    _, result = batch
    assert "\r" not in result.stderr
    assert "article/s" not in result.stderr and "s/article" not in result.stderr


def test_warnings_alone_exit_0(tmp_path):
    (tmp_path / "spanish.txt").write_text(SPANISH, encoding="utf-8")
    result = claimkit("attributions", "spanish.txt", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("warning: spanish.txt: ")
    assert len(result.stderr.splitlines()) == 1  # nothing skipped: no summary line
    assert [r["path"] for r in json_lines(result.stdout)] == ["spanish.txt"]


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin",
                    reason="needs file names that are not valid UTF-8 (Linux)")
def test_missing_file_and_file_name_that_is_not_utf8(tmp_path):
    odd_name = b"caf\xe9.txt"  # Latin-1 bytes in a file name
    (tmp_path / os.fsdecode(odd_name)).write_text(ENGLISH, encoding="utf-8")
    result = claimkit("attributions", "missing.txt", odd_name, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "error: missing.txt: no such file or directory"
    (record,) = json_lines(result.stdout)  # the output is valid UTF-8 JSON all the same
    assert os.fsencode(record["path"]) == odd_name


def test_unknown_spacy_model_is_a_usage_error():
    result = claimkit("attributions", "--model", "no_such_model_xyz", SAMPLE)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "no_such_model_xyz" in result.stderr
    assert_no_traceback(result)


@pytest.mark.slow  # a fresh `python -m claimkit` process loads spaCy
def test_closed_stdout_stops_quietly():
    # What `claimkit attributions … | head -1` does once head has what it wants.
    proc = subprocess.Popen([sys.executable, "-m", "claimkit", "attributions", SAMPLE, SAMPLE],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    stderr = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=600) == 141
    assert stderr == ""


@pytest.mark.slow  # a fresh `python -m claimkit` process loads spaCy
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("flags, bar_expected", [([], True), (["--no-progress"], False)])
def test_progress_bar_only_on_a_terminal(flags, bar_expected):
    import fcntl
    import pty
    import struct
    import termios

    controller, terminal = pty.openpty()
    # A fresh pty is 0 columns wide, and tqdm draws nothing in 0 columns.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "claimkit", "attributions", *flags, SAMPLE],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    chunks: list[bytes] = []

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the process closed its end
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read_terminal)
    reader.start()
    stdout, _ = proc.communicate(timeout=600)
    reader.join(timeout=10)
    os.close(controller)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert len(json_lines(stdout.decode("utf-8"))) == 1  # stdout stays clean either way
    assert ("attributions:" in shown) == bar_expected, shown


# --- demo ----------------------------------------------------------------------------------------

def test_demo_summarises_the_sample_data():
    result = claimkit("demo")
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    assert "Vladimir Putin" in result.stdout
    for section in ("Articles read: 1", "Claims:", "Speakers", "Cue classes", "Example claims"):
        assert section in result.stdout
    assert " → " in result.stdout  # speaker → cue → content


def test_demo_with_a_missing_data_folder_is_a_usage_error(tmp_path):
    result = claimkit("demo", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert_no_traceback(result)


# --- evaluate ------------------------------------------------------------------------------------

needs_gold = needs_shared(GOLD_SEED)


# The seed article's 11 reference attributions are all found with their sources (README:
# recall 1.0); precision moves as the extractor is tuned, so it is only checked for consistency.

@needs_gold
def test_evaluate_json_parses():
    result = claimkit("evaluate", "--json", str(GOLD_SEED))
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["articles"] == 1
    for row in ("content", "end_to_end"):
        s = scores[row]
        assert (s["gold"], s["tp"], s["recall"]) == (11, 11, 1.0), row
        assert s["predicted"] >= s["tp"]
        assert s["precision"] == pytest.approx(s["tp"] / s["predicted"])
        assert s["f1"] == pytest.approx(2 * s["precision"] / (s["precision"] + 1))


@needs_gold
def test_evaluate_prints_content_and_end_to_end_f1():
    result = claimkit("evaluate", str(GOLD_SEED))
    assert result.returncode == 0, result.stderr
    scores = json.loads(claimkit("evaluate", "--json", str(GOLD_SEED)).stdout)
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()
            if line.startswith(("content", "end-to-end"))}
    for row, key in (("content", "content"), ("end-to-end", "end_to_end")):
        precision, recall, f1 = (float(x) for x in rows[row][:3])
        tp, predicted, gold = (int(x) for x in rows[row][3:6])
        s = scores[key]
        assert (precision, recall, f1) == tuple(round(s[k], 3)
                                                for k in ("precision", "recall", "f1")), row
        assert (tp, predicted, gold) == (s["tp"], s["predicted"], s["gold"]), row
        assert recall == 1.0 and tp == gold == 11, row


def test_evaluate_on_a_missing_folder_exits_2_with_one_line(tmp_path):
    result = claimkit("evaluate", str(tmp_path / "no_gold_here"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "no_gold_here" in result.stderr
    assert_no_traceback(result)


# --- what happens when a command itself breaks ---------------------------------------------------

def broken_command(args: argparse.Namespace) -> int:
    return {}["a key that is not there"]


def interrupted_command(args: argparse.Namespace) -> int:
    raise KeyboardInterrupt


def test_a_bug_is_one_line_and_exit_3(capsys, monkeypatch):
    monkeypatch.delenv("CLAIMKIT_DEBUG", raising=False)
    assert run_command(broken_command, argparse.Namespace()) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("claimkit: internal error: KeyError")
    assert len(err.splitlines()) == 1


def test_claimkit_debug_shows_the_traceback(capsys, monkeypatch):
    monkeypatch.setenv("CLAIMKIT_DEBUG", "1")
    assert run_command(broken_command, argparse.Namespace()) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" in err and "broken_command" in err
    assert err.splitlines()[-1].startswith("claimkit: internal error: KeyError")


def test_ctrl_c_exits_130_quietly(capsys):
    assert run_command(interrupted_command, argparse.Namespace()) == EXIT_INTERRUPTED
    assert capsys.readouterr() == ("", "")
