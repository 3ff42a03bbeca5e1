"""The HTML report and the `claimkit charts` / `claimkit report` commands, on real stores.

The report is shared by mail and opened anywhere: it must show the store's text as text (never
as markup), load nothing from the network and run nothing. The commands must give one clear line
and a non-zero exit for a user's mistake.
"""
from __future__ import annotations

import base64
import dataclasses
import html
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from chart_fixtures import fill_known_store
from conftest import ROOT
from conftest import run_cli as claimkit
from store_fixtures import make_article

from claimkit import charts, report
from claimkit.cli import main
from claimkit.report import build_html_report
from claimkit.store import open_store

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    """A store whose article title, claims, speaker and note carry markup (read only)."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    article, claims = make_article(
        1, title=f"Budget {SCRIPT} row", sentences=[
            f"Mayor Ann Lee said that the bridge {IMG} cost 12 million dollars.",
            f"The river {SCRIPT} flooded in 1901."])
    article = dataclasses.replace(article, url="javascript:alert(1)")
    claims[0] = dataclasses.replace(claims[0], speaker_canonical=f"Ann {SCRIPT} Lee")
    with open_store(path) as store:
        store.add(article, claims)
        store.review(claims[0].claim_id, status="verified", verdict="false",
                     note=f"See {IMG} and {SCRIPT}",
                     evidence=["https://records.example/a?b=1&c=2"])
    return path


def page_of(path: Path, **options) -> str:
    with open_store(path) as store:
        return report.html_report(store, **options)


@pytest.fixture(scope="module")
def hostile_page(hostile_store) -> str:
    """The report of the hostile store, built once (every chart is drawn: about a second)."""
    return page_of(hostile_store)


# --- escaping and self-containment ------------------------------------------------------------


def test_store_text_is_escaped_never_markup(hostile_page):
    page = hostile_page
    assert SCRIPT not in page and IMG not in page
    assert "<script" not in page.lower()
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert html.escape(SCRIPT) in page                       # the text is shown, as text
    assert html.escape(f"See {IMG} and {SCRIPT}") in page    # the note
    assert html.escape(f"Ann {SCRIPT} Lee") in page          # the speaker
    assert html.escape(f"Budget {SCRIPT} row") in page       # the title


def test_only_web_urls_become_links(hostile_page):
    page = hostile_page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == ["https://records.example/a?b=1&amp;c=2"]  # the evidence; not javascript:
    assert "javascript:alert(1)" not in page


def test_evidence_that_is_not_a_web_address_is_shown_as_text(tmp_path):
    with open_store(tmp_path / "c.db") as store:
        fill_known_store(store)
        data = charts.ChartData.from_store(store)
    claims = data.claims.copy()
    row = claims.index[claims["version"] > 0][0]
    claims.at[row, "evidence"] = ["javascript:alert(1)", "ftp://files.example/x",
                                  "https://ok.example/y"]
    page = build_html_report(dataclasses.replace(data, claims=claims), chart_names=[])
    assert set(re.findall(r'href="([^"]*)"', page)) == {
        "https://news.example/1", "https://news.example/2", "https://news.example/3",  # articles
        "https://records.example/flood-1901", "https://ok.example/y"}
    assert "<li>javascript:alert(1)</li>" in page
    assert "<li>ftp://files.example/x</li>" in page


class PageParts(HTMLParser):
    """The elements, attributes and text a browser would make of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_every_value_from_the_store_is_text(tmp_path):
    """Markup in any column the table shows, in the store's name and in a taxonomy label comes
    out as text: no element or attribute of its own, and the words still readable."""
    with open_store(tmp_path / "c.db") as store:
        fill_known_store(store)
        data = charts.ChartData.from_store(store)
    claims = data.claims.copy()
    columns = ("text", "speaker", "speaker_canonical", "cue_text", "cue_lemma", "kind", "title",
               "outlet", "status", "verdict", "note")
    for column in columns:  # the status and verdict are values no taxonomy knows: shown as text
        claims[column] = f'{column} <b onclick="x()">{column}</b>{IMG}'
    # The raw speaker and the cue's lemma show where the canonical name and the cue text lack.
    claims.loc[claims.index[1::2], ["speaker_canonical", "cue_text"]] = ""
    claims["url"] = 'https://news.example/"onmouseover="alert(1)'
    claims["evidence"] = [['https://ok.example/"><script>x()</script>',
                           f"not a link {IMG}"]] * len(claims)
    statuses = dataclasses.replace(data.statuses, values=(
        dataclasses.replace(data.statuses.values[0], label=f"Status {SCRIPT}"),
        *data.statuses.values[1:]))
    page = build_html_report(dataclasses.replace(data, claims=claims, statuses=statuses),
                             source=f"store {SCRIPT}", title=f"Title {IMG}", chart_names=[])
    parts = PageParts()
    parts.feed(page)
    assert {tag for tag, _ in parts.tags} <= {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "b", "span",
        "table", "thead", "tbody", "tr", "th", "td", "a", "ul", "li", "code"}
    assert not [a for _, attrs in parts.tags for a in attrs if a.startswith("on")]
    assert [attrs["href"] for tag, attrs in parts.tags if tag == "a"] == [
        'https://news.example/"onmouseover="alert(1)',
        'https://ok.example/"><script>x()</script>'] * len(claims)
    text = "".join(parts.text)
    for column in columns:
        assert f'{column} <b onclick="x()">{column}</b>{IMG}' in text, column
    assert f"not a link {IMG}" in text
    assert f"Status {SCRIPT}: 0" in text
    assert f"store {SCRIPT}" in text and text.count(f"Title {IMG}") == 2  # <title> and <h1>


def test_templates_autoescape_and_mark_nothing_safe():
    """The guarantee behind the test above: escaping is the environment's default, and no
    template opts out of it."""
    assert report.ENVIRONMENT.autoescape is True
    for name in report.ENVIRONMENT.list_templates():
        source = report.ENVIRONMENT.loader.get_source(report.ENVIRONMENT, name)[0]
        assert "|safe" not in source.replace(" ", "") and "autoescape" not in source, name


def test_nothing_is_loaded_from_anywhere(hostile_page):
    page = hostile_page
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/svg+xml;base64,") for s in sources)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    for tag in re.findall(r"<a [^>]*>", page):  # links only, opened by a click
        assert re.search(r'href="https?://', tag)
    assert "default-src 'none'" in page  # and the browser is told so


def test_charts_are_embedded_as_safe_svg_images(hostile_page):
    page = hostile_page
    uris = re.findall(r'src="data:image/svg\+xml;base64,([^"]*)"', page)
    assert len(uris) == len(charts.CHART_SET)
    for encoded in uris:
        svg = base64.b64decode(encoded).decode("utf-8")
        ET.fromstring(svg)  # well-formed: the speaker's markup is escaped inside it too
        assert "<script" not in svg and "onerror" not in svg.replace("onerror=alert(1)&gt;", "")
        assert not re.search(r'(?:href|src)="https?://', svg)


def test_headline_counts_and_table_of_the_known_store(tmp_path):
    with open_store(tmp_path / "c.db") as store:
        fill_known_store(store)
        page = report.html_report(store, chart_names=[])
    boxes = dict((label, int(n.replace(",", ""))) for n, label in
                 re.findall(r'<div class="count"><b>([\d,]+)</b>([^<]+)</div>', page))
    assert boxes == {"claims": 9, "articles": 3, "outlets": 2, "named speakers": 1,
                     "reviewed": 4, "with a verdict": 3}
    assert ">Verified: 2<" in page and ">In review: 1<" in page and ">False: 1<" in page
    rows = re.findall(r"<tr>.*?</tr>", page.split("<tbody>")[1])
    assert len(rows) == 9
    assert "Matches the river authority&#39;s log." in rows[0]  # latest change first
    assert 'href="https://records.example/flood-1901"' in rows[0]


def test_long_tables_are_cut_and_say_so(tmp_path):
    with open_store(tmp_path / "c.db") as store:
        fill_known_store(store)
        page = report.html_report(store, chart_names=[], max_rows=2)
    assert "2 of 9 claims" in page
    assert len(re.findall(r"<tr>", page.split("<tbody>")[1])) == 2


def test_empty_store_report(tmp_path):
    with open_store(tmp_path / "empty.db") as store:
        page = report.html_report(store)
    assert "The store holds no claims yet." in page
    assert page.count("<img ") == len(charts.CHART_SET)


def test_write_is_atomic_and_shareable(hostile_store, tmp_path):
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    with open_store(hostile_store) as store:
        assert report.write_html_report(store, target) == 2
    assert os.listdir(target.parent) == ["report.html"]  # no temporary file left
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert target.stat().st_mode & 0o044  # readable by others: it is for sharing


# --- the command line -------------------------------------------------------------------------


def test_cli_charts_writes_the_whole_set_as_png_by_default(known_store, tmp_path):
    out = tmp_path / "charts"
    done = claimkit("charts", "--store", known_store, "--out", out)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in charts.chart_names())
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in out.iterdir())
    assert done.stdout == ""
    assert done.stderr.strip() == f"wrote {len(charts.CHART_SET)} charts (png) to {out}"


def test_cli_charts_in_another_format(known_store, tmp_path, capsys):
    out = tmp_path / "charts"
    assert main(["charts", "--store", str(known_store), "--out", str(out),
                 "--format", "SVG"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.svg" for n in charts.chart_names())
    assert capsys.readouterr().err.strip() == f"wrote 14 charts (svg) to {out}"


def test_cli_bad_input_is_one_line_without_traceback(tmp_path):
    done = claimkit("charts", "--store", tmp_path / "missing.db", "--out", tmp_path / "out")
    assert done.returncode == 1  # issue 14 item 8: a missing store fails the command
    assert done.stderr == f"claimkit charts: no such store: {tmp_path / 'missing.db'}\n"
    # A read-only command never creates a store, nor SQLite's files beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, message, code", [
    (["--format", "gif"], "claimkit charts: unknown format 'gif'; choose one of png, svg, "
                          "html, pdf", 2),
    (["--store", "missing.db"], "claimkit charts: no such store: missing.db", 1),
    (["--store", "README.md"], "claimkit charts: cannot open store README.md", 2),
])
def test_cli_charts_bad_input(known_store, tmp_path, capsys, monkeypatch, args, message, code):
    monkeypatch.chdir(ROOT)
    options = {"--store": str(known_store), "--out": str(tmp_path / "out")}
    options.update(dict(zip(args[::2], args[1::2])))
    assert main(["charts", *[x for kv in options.items() for x in kv]]) == code
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), lines
    assert not (ROOT / "missing.db").exists()
    assert not (tmp_path / "out").exists()


def test_cli_charts_out_must_be_a_folder(known_store, tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["charts", "--store", str(known_store), "--out", str(afile)]) == 2
    assert capsys.readouterr().err.strip() == \
        f"claimkit charts: --out {afile} is a file, not a folder"


def test_cli_report_writes_one_file(known_store, tmp_path):
    target = tmp_path / "report.html"
    done = claimkit("report", "--store", known_store, "--html", target, "--title", "Q3 <checks>")
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    assert "<h1>Q3 &lt;checks&gt;</h1>" in page
    assert page.count("<img ") == len(charts.CHART_SET)
    assert done.stderr.strip() == f"wrote the report of 9 claims to {target}"


@pytest.mark.parametrize("args, message", [
    (["--store", "missing.db"], "claimkit report: no such store: missing.db"),  # exit 1
    (["--html", "/no/such/folder/r.html"], "claimkit report: no such folder: /no/such/folder"),
    (["--store", "postgresql://nobody@127.0.0.1:1/none"], "claimkit report: cannot open store"),
    (["--max-rows", "-3"], None),  # argparse's own usage error
])
def test_cli_report_bad_input(known_store, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(ROOT)
    options = {"--store": str(known_store), "--html": str(tmp_path / "r.html")}
    options.update(dict(zip(args[::2], args[1::2])))
    argv = ["report", *[x for kv in options.items() for x in kv]]
    if message is None:
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
        assert "--max-rows: must be 0 or more" in capsys.readouterr().err
    else:
        assert main(argv) == (1 if "no such store" in message else 2)
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), lines
    assert not (tmp_path / "r.html").exists()
