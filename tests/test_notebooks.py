"""The notebooks need no editing: which store they open comes from a papermill parameter,
$CLAIMKIT_STORE or claimkit.toml, else the bundled sample store; they run top to bottom,
headless (in a copy of the repo's notebooks/ and data/, so nothing is written into the
repository), with no claimkit.toml or $CLAIMKIT_STORE of the machine's leaking in."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from store_fixtures import make_article

from claimkit.config import SAMPLE_STORE, STORE_ENV, resolve_store_url
from claimkit.demo import open_notebook_store
from claimkit.store import NoSuchStore, open_store

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_extract.ipynb", "02_review.ipynb"]
ALL_NOTEBOOKS = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(autouse=True)
def no_machine_settings(tmp_path, monkeypatch):
    """Nothing from this machine's environment or config folder names a store."""
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the repository's notebooks/ and data/ side by side, as a user has them."""
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks",
                    ignore=shutil.ignore_patterns("*.db*", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "notebooks"


def run(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient  # a second to import: only the notebook tier needs it

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


def text_of(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for out in outputs(notebook):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
        parts.append(out.get("data", {}).get("text/html", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_notebooks_are_committed_clean_with_no_path_typed_into_a_cell(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "store_path = None" in code[0].source and "input_path = None" in code[0].source
    for cell in code:
        assert ".db" not in cell.source and "../data" not in cell.source
        assert "open_store(" not in cell.source  # the library decides which store
    assert "open_notebook_store(store_path, input_path)" in "".join(c.source for c in code)
    intro = notebook.cells[0].source
    assert notebook.cells[0].cell_type == "markdown"
    assert "CLAIMKIT_STORE" in intro and "claimkit.toml" in intro and SAMPLE_STORE in intro


def test_the_store_comes_from_the_parameter_then_the_environment_then_the_config(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    sample = resolve_store_url(None, cwd=work, environ=env)
    assert (sample.url, sample.origin, sample.is_sample) == (SAMPLE_STORE, "sample", True)
    assert "bundled sample" in sample.describe()
    (work / "claimkit.toml").write_text('[store]\nurl = "team.db"\n', encoding="utf-8")
    configured = resolve_store_url("", cwd=work, environ=env)  # "" is "not given"
    assert (configured.url, configured.origin) == ("team.db", "config")
    assert str(work / "claimkit.toml") in configured.describe()
    env[STORE_ENV] = " mine.db "
    assert resolve_store_url(None, cwd=work, environ=env).url == "mine.db"
    chosen = resolve_store_url("given.db", cwd=work, environ=env)
    assert (chosen.url, chosen.origin) == ("given.db", "parameter")


def test_a_named_store_is_opened_as_it_is_and_never_filled_with_the_sample(tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store(tmp_path / "team.db") as team:
        team.add(*make_article(1))
        claims = team.count()
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "team.db"))
    opened = open_notebook_store()
    try:
        assert opened.store.count() == claims and opened.loaded is None
        assert f"from ${STORE_ENV}" in repr(opened) and "nothing extracted" in repr(opened)
    finally:
        opened.store.close()
    assert not (tmp_path / SAMPLE_STORE).exists()
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "typo.db"))
    with pytest.raises(NoSuchStore):
        open_notebook_store()
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.notebook
def test_extract_notebook_fills_the_store_and_shows_a_table(workspace):
    notebook = run(workspace / "01_extract.ipynb")
    shown = text_of(notebook)
    assert "1 articles stored" in shown and "speaker_canonical" in shown
    assert not [o for o in outputs(notebook) if o.output_type == "error"]
    with open_store(workspace / "claimkit-sample.db") as store:
        assert store.stats()["articles"] == 1 and store.stats()["claims"] > 10
    again = run(workspace / "01_extract.ipynb")  # the second run only skips
    assert "1 already there" in text_of(again)


@pytest.mark.notebook
def test_extract_notebook_takes_papermill_parameters(workspace, tmp_path):
    papermill = pytest.importorskip("papermill")
    target = tmp_path / "elsewhere.db"
    papermill.execute_notebook(str(workspace / "01_extract.ipynb"), str(tmp_path / "out.ipynb"),
                               parameters={"store_path": str(target),
                                           "input_path": str(workspace.parent / "data")},
                               cwd=str(workspace),
                               kernel_name="python3", progress_bar=False)
    with open_store(target) as store:
        assert store.stats()["claims"] > 10
    assert not (workspace / "claimkit-sample.db").exists()


@pytest.mark.notebook
def test_review_notebook_opens_the_store_claimkit_toml_names(workspace):
    with open_store(workspace / "team.db", reviewer="ana") as team:
        team.add(*make_article(1, outlet="Team Gazette"))
        claim_ids = set(team.review_queue()["claim_id"])
        last = sorted(claim_ids)[0]
        team.review(last, status="in_review")  # ana's latest change: the app opens there
    (workspace / "claimkit.toml").write_text('[review]\nreviewer = "ana"\n\n[store]\n'
                                             'url = "team.db"\n', encoding="utf-8")
    notebook = run(workspace / "02_review.ipynb")
    assert not [o for o in outputs(notebook) if o.output_type == "error"]
    assert "[store] url in" in text_of(notebook)
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    html = " ".join(str(m["state"].get("value", "")) for m in state.values()
                    if m.get("model_name") == "HTMLModel")
    assert f'<span class="ck-claim-id">{last}</span>' in html and "Team Gazette" in html
    assert not (workspace / SAMPLE_STORE).exists()  # the sample was not built or used


@pytest.mark.notebook
def test_review_notebook_fills_an_empty_store_and_shows_the_app(workspace):
    notebook = run(workspace / "02_review.ipynb")
    views = [o for o in outputs(notebook)
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    html = " ".join(str(m["state"].get("value", "")) for m in state.values()
                    if m.get("model_name") == "HTMLModel")
    assert 'class="ck-card"' in html and "Claim 1 of" in html
    with open_store(workspace / "claimkit-sample.db") as store:
        assert store.stats()["claims"] > 10
