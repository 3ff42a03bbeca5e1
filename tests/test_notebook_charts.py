"""notebooks/03_charts_and_reports.ipynb, executed headless with nbclient in a copy.

The notebook is run as a user would (kernel in the notebooks folder, sample articles in
../data), but in a temporary copy of that layout so nothing is written into the repository.
"""
from __future__ import annotations

import shutil

import nbformat
import pytest
from conftest import ROOT

from claimkit import charts
from claimkit.store import open_store

NOTEBOOK = ROOT / "notebooks" / "03_charts_and_reports.ipynb"


def test_committed_without_outputs_and_with_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "store_path = None" in code[0].source and "input_path = None" in code[0].source


@pytest.mark.notebook
def test_notebook_runs_headless_and_writes_charts_and_report(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMKIT_STORE", raising=False)  # nothing names a store: the sample
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "notebooks").mkdir()
    from nbclient import NotebookClient  # a second to import: only the notebook tier needs it

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path / "notebooks")}})
    client.execute()

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    folder = tmp_path / "notebooks"
    with open_store(folder / "claimkit-sample.db") as store:
        assert store.count() > 10  # filled from ../data
    pngs = sorted(p.stem for p in (folder / "charts-out").glob("*.png"))
    assert pngs == sorted(charts.chart_names())
    page = (folder / "claims-report.html").read_text(encoding="utf-8")
    assert "Biden sets Putin for Geneva talks" in page
    # The linked pair is shown with its selection (Altair's notebook output embeds the spec).
    shown = [str(o.get("data", {})) for c in nb.cells for o in c.get("outputs", [])]
    assert any("speaker_pick" in text and "hconcat" in text for text in shown)
    # Charts in the notebook carry their JavaScript: nothing is fetched from a CDN.
    assert not any("cdn.jsdelivr" in text or "<script src=\"http" in text for text in shown)
