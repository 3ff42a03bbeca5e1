"""The notebooks run top to bottom, headless, on the bundled sample (in a copy of the repo's
notebooks/ and data/, so nothing is written into the repository)."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from claimkit.store import open_store

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_extract.ipynb", "02_review.ipynb"]


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


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_clean_with_a_parameters_cell(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert 'store_path = "claimkit-sample.db"' in code[0].source
    assert 'input_path = "../data"' in code[0].source


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
                               parameters={"store_path": str(target)}, cwd=str(workspace),
                               kernel_name="python3", progress_bar=False)
    with open_store(target) as store:
        assert store.stats()["claims"] > 10
    assert not (workspace / "claimkit-sample.db").exists()


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
