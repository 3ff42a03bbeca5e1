"""End to end in a real browser: JupyterLab on localhost, 02_review.ipynb run in headless
Chromium (Debian's /usr/bin/chromium; Playwright never downloads a browser). Keys first, with
nothing in the app clicked: the pointer is moved over the claim pane (ipyevents listens to keys
only while the pointer is over its source; that is the one action the reviewer needs) and a
verdict key is typed; then a verdict button is clicked. The store must record both, the app must
move on, the history panel must show the change, a key typed into the note box must type, and
the layout must not scroll sideways at 1280×800 and 1920×1080. Screenshots are kept in
tests/artifacts/ (review_app.png, review_app_1280.png, review_app_1920.png).

Skipped only where /usr/bin/chromium is missing and not under CI (CI installs it: a failure).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT

from claimkit.store import open_store

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 900}
# A laptop and a wide screen: the app must fit both without sideways scrolling.
LAYOUT_VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 1920, "height": 1080}]
# Every element that could scroll sideways: the page, the notebook panel and the app itself.
OVERFLOW_JS = """() => {
  const boxes = [document.scrollingElement,
                 document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer'),
                 document.querySelector('.jp-NotebookPanel-notebook'),
                 document.querySelector('.claimkit-review')].filter(Boolean);
  const found = boxes.map(e => ({name: e.className || e.tagName, scroll: e.scrollWidth,
                                 client: e.clientWidth}));
  // A widget poking out of the app's right edge (cut off by a panel) counts too.
  const app = document.querySelector('.claimkit-review');
  const right = app.getBoundingClientRect().right;
  for (const e of app.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > right + 1) {
      found.push({name: e.className || e.tagName, scroll: Math.round(r.right),
                  client: Math.round(right)});
    }
  }
  return found;
}"""
# JupyterLab's own settings for the test server: no news or update checks (no network), and
# the notebook's kernel starts without asking.
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
                {"fetchNews": "false", "checkForUpdates": False},
                "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
                {"autoStartDefaultKernel": True}}

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is required under CI (.ci/run installs Debian's chromium)",
                    pytrace=False)
    pytest.skip(f"no {CHROMIUM}", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_environment(home: Path) -> dict[str, str]:
    """Keep the server's settings, workspaces and runtime files inside the test's folder."""
    settings = home / "settings"
    for name, values in LAB_SETTINGS.items():
        extension, file = name.rsplit("/", 1)
        (settings / extension).mkdir(parents=True, exist_ok=True)
        (settings / extension / file).write_text(json.dumps(values))
    env = dict(os.environ)
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    # The kernel imports claimkit from this checkout, like the test process does.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"),
                                                    env.get("PYTHONPATH")) if p)
    # The notebook falls back to the sample store only when nothing names another one.
    env.pop("CLAIMKIT_STORE", None)
    env["XDG_CONFIG_HOME"] = str(home / "xdg")
    return env


@pytest.fixture
def lab(tmp_path: Path):
    """A JupyterLab server on 127.0.0.1 over a copy of notebooks/ and data/; always stopped."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks",
                    ignore=shutil.ignore_patterns("*.db*", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "data", tmp_path / "data")
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}",
               f"--ServerApp.root_dir={tmp_path / 'notebooks'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(tmp_path / "jupyter.log", "wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                              env=lab_environment(tmp_path / "home"), start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(base, token, server, tmp_path / "jupyter.log")
        yield base, token, tmp_path / "notebooks"
    finally:
        stop(server)
        log.close()
        # Shown by pytest when the test fails.
        print((tmp_path / "jupyter.log").read_text(errors="replace")[-4000:])


def wait_for_server(base: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not start: {log.read_text(errors='replace')[-2000:]}")


def stop(server: subprocess.Popen) -> None:
    """Stop the server and its kernels (its own process group, started for this test)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)  # kernels left behind, if any
    except ProcessLookupError:
        pass
    server.wait(timeout=10)


def start_kernel(base: str, token: str, notebook: str) -> None:
    """Start the notebook's kernel session through the server's API, so the page attaches to
    it instead of asking which kernel to use."""
    body = json.dumps({"path": notebook, "name": notebook, "type": "notebook",
                       "kernel": {"name": "python3"}}).encode()
    request = urllib.request.Request(f"{base}/api/sessions?token={token}", data=body,
                                     method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201


def wait_until(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def run_review_notebook(page, base: str, token: str) -> None:
    """Open 02_review.ipynb in JupyterLab and run all its cells, as an analyst would."""
    start_kernel(base, token, "02_review.ipynb")
    page.goto(f"{base}/lab/tree/02_review.ipynb?token={token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


@contextmanager
def review_notebook_page(base: str, token: str, failure_shot: str):
    """A headless Chromium page with 02_review.ipynb running in JupyterLab; on a failure, what
    the browser showed is saved as ARTIFACTS/``failure_shot``."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        try:
            run_review_notebook(page, base, token)
            yield page
        except BaseException:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / failure_shot))
            raise
        finally:
            browser.close()


def overflow(page) -> list[dict]:
    """The boxes wider than they show (each as {name, scroll, client})."""
    return [b for b in page.evaluate(OVERFLOW_JS) if b["scroll"] > b["client"]]


def test_review_app_in_jupyterlab_keys_clicks_history_and_layout(lab):
    base, token, folder = lab
    store_path = folder / "claimkit-sample.db"
    with review_notebook_page(base, token, "review_app_failure.png") as page:
        card = page.locator(".claimkit-review .ck-card")
        card.wait_for(timeout=120_000)
        shown = page.locator(".claimkit-review .ck-claim-id")
        first = shown.inner_text()

        with open_store(store_path) as store:
            queue = list(store.review_queue(sort="worthy_undecided")["claim_id"])
            verdicts = store.taxonomy("verdict").ids
        assert first == queue[0]

        # Keys with nothing in the app clicked: the pointer over the claim pane is enough.
        page.keyboard.press("Escape")  # JupyterLab's command mode; no click in the app
        # Over the claim's paragraph (inside the claim pane), wherever the claim's length
        # puts it: a fixed offset from the pane's top can land on a text box.
        paragraph = page.locator(".claimkit-review .ck-claim-pane .ck-paragraph").first
        paragraph.scroll_into_view_if_needed()
        box = paragraph.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.keyboard.press("2")
        with open_store(store_path) as store:
            wait_until(lambda: store.claim(first)["verdict"] == verdicts[1],
                       what="the verdict typed as a key")
        wait_until(lambda: shown.inner_text() == queue[1], what="the next claim")
        page.keyboard.press("k")
        wait_until(lambda: shown.inner_text() == first, what="the previous claim (k)")
        history = page.locator(".claimkit-review .ck-history")
        wait_until(lambda: "verdict" in history.inner_text(), what="the history panel")
        assert "Recent changes" in history.inner_text()
        page.keyboard.press("Shift+?")
        page.locator(".claimkit-review .ck-key-help").wait_for(timeout=10_000)
        assert "ArrowDown" in page.locator(".claimkit-review .ck-key-help").inner_text()
        page.keyboard.press("Shift+?")  # and away again
        page.locator(".claimkit-review .ck-key-help").wait_for(state="hidden",
                                                               timeout=10_000)
        page.keyboard.press("j")
        wait_until(lambda: shown.inner_text() == queue[1], what="the next claim (j)")

        # A click on a verdict button, then the next claim.
        button = page.locator(".claimkit-review .ck-verdict-true button, "
                              ".claimkit-review button.ck-verdict-true").first
        assert "True" in button.inner_text()
        button.click()
        with open_store(store_path) as store:
            wait_until(lambda: store.claim(queue[1])["verdict"] == "true",
                       what="the clicked verdict")
        wait_until(lambda: shown.inner_text() == queue[2], what="the claim after it")
        assert "2 of" in page.locator(".claimkit-review .ck-progress").inner_text()

        # Typing into the note box types: the keys are not commands there.
        note = page.locator(".claimkit-review .ck-edit-pane textarea").first
        note.click()
        note.type("jk 12")
        assert note.input_value() == "jk 12"
        assert shown.inner_text() == queue[2]
        page.locator(".claimkit-review .ck-edit-pane b", has_text="Tags").click()  # leave
        with open_store(store_path) as store:
            wait_until(lambda: store.claim(queue[2])["note"] == "jk 12",
                       what="the note saved")
            assert store.claim(queue[2])["verdict"] is None

        ARTIFACTS.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1366, "height": 1500})  # the whole app
        page.wait_for_timeout(800)
        page.evaluate("document.querySelector('.claimkit-review')"
                      ".scrollIntoView({block: 'start'})")
        page.screenshot(path=str(ARTIFACTS / "review_app.png"))
        for viewport in LAYOUT_VIEWPORTS:
            page.set_viewport_size(viewport)
            page.wait_for_timeout(800)  # JupyterLab lays the panel out again
            page.evaluate("document.querySelector('.claimkit-review')"
                          ".scrollIntoView({block: 'start'})")
            page.screenshot(path=str(ARTIFACTS / f"review_app_{viewport['width']}.png"))
            assert overflow(page) == [], f"sideways scrolling at {viewport}"
            app_box = page.locator(".claimkit-review").first.bounding_box()
            assert app_box["x"] + app_box["width"] <= viewport["width"]


def test_earlier_checks_beside_the_claim_and_taken_over_with_a_click(lab):
    """The match panel (store.matches): a fact-check imported into the store shows beside the
    claim it checks, and "use check #1" copies its verdict and adds its URL as evidence."""
    from claimkit.load import extract_into_store
    from claimkit.model import FactCheck

    base, token, folder = lab
    store_path = folder / "claimkit-sample.db"
    with open_store(store_path) as store:  # the sample store the notebook opens, filled first
        extract_into_store(store, [str(folder.parent / "data")])
        first = store.review_queue(sort="worthy_undecided")["claim_id"].iloc[0]
        checked = store.claims(claim_id=first)["text"].iloc[0]
        store.import_factchecks([FactCheck(  # an invented fact-check of that very claim
            "fc-invented-1", checked, "Mostly true", "https://checks.example/invented-1",
            "Invented Checks")])
    with review_notebook_page(base, token, "review_app_matches_failure.png") as page:
        panel = page.locator(".claimkit-review .ck-matches").first
        panel.wait_for(timeout=120_000)
        assert page.locator(".claimkit-review .ck-claim-id").inner_text() == first
        wait_until(lambda: "Invented Checks" in panel.inner_text(), what="the match panel")
        assert "Checked before?" in panel.inner_text() and "Mostly true" in panel.inner_text()
        use = page.locator(".claimkit-review .ck-use-match-1 button, "
                           ".claimkit-review button.ck-use-match-1").first
        use.scroll_into_view_if_needed()
        use.click()
        with open_store(store_path) as store:
            wait_until(lambda: "https://checks.example/invented-1"
                       in (store.claim(first)["evidence"] or []),
                       what="the check's URL as evidence")
            saved = store.claim(first)
        assert saved["verdict"] == "mostly_true"
        assert "Checked before by Invented Checks" in saved["note"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review_app_matches.png"))
