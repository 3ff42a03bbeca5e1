"""Shared test setup: paths, the store fixtures, and one in-process command-line runner.

Tiers (markers, registered in pyproject.toml): ``browser`` (JupyterLab in Chromium),
``notebook`` (notebooks run by a kernel), ``dask`` (Dask clusters), ``postgres`` (a PostgreSQL
server), ``kill`` (kill -9 and crash-resume), ``slow`` (anything else over a few seconds).
``make test-fast`` deselects them all; ``make test`` runs everything.

Helpers that are plain functions live beside this file and are imported by name:
``store_fixtures.make_article`` (hand-written claims, no spaCy), ``corpus_fixtures.write_corpus``
(invented articles on disk), ``chart_fixtures.fill_known_store`` (a store counted by hand).
"""
from __future__ import annotations

import atexit
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# The tests never read the developer's own claimkit.toml (~/.config/claimkit): a reviewer name
# or a taxonomy preset there would change what they see. Tests that are about the user's file
# point XDG_CONFIG_HOME at a folder of their own. Set before any test imports claimkit.
_CONFIG_HOME = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"claimkit-tests-{os.getpid()}")
os.environ["XDG_CONFIG_HOME"] = _CONFIG_HOME
# Nor its cache (snapshots of PostgreSQL stores, store/snapshot.py).
os.environ["XDG_CACHE_HOME"] = os.path.join(_CONFIG_HOME, "cache")

# --- paths ------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "data/voa_biden_putin_geneva.txt"  # relative to ROOT, as a user would type it
SAMPLE_PATH = ROOT / SAMPLE
# Gold data and corpora shared between projects; tests that read them skip when it is absent.
SHARED = ROOT.parent / "shared"
GOLD_SEED = SHARED / "gold" / "seed"


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """``@needs_shared(GOLD_SEED)``: skip unless ``../shared/…`` is present."""
    return pytest.mark.skipif(not path.exists(),
                              reason=f"{path.relative_to(ROOT.parent)} not present")


@pytest.fixture
def shared() -> Path:
    """The ``../shared`` folder; the test is skipped when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared not present")
    return SHARED


# --- the command line, in process -------------------------------------------------------------

def run_cli(*args: str | bytes | os.PathLike, cwd: Path | str = ROOT,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``claimkit ARGS…`` run by ``claimkit.cli.main`` in this process.

    Returns what ``subprocess.run(..., capture_output=True, text=True)`` would: ``returncode``,
    ``stdout`` and ``stderr`` as text (UTF-8; ``\\r`` kept, unlike a text-mode pipe). Arguments
    are turned into strings as the OS hands them to a process (bytes: ``os.fsdecode``). Runs in
    ``cwd`` (default: the repository root), with ``env`` added to the environment and
    ``CLAIMKIT_DEBUG`` removed, all restored afterwards. stdout and stderr are not terminals,
    so no progress bar is drawn.

    Use a real process (``python -m claimkit``) only where the process boundary is what is
    tested: kill -9, a closed pipe, a terminal.
    """
    from claimkit.cli import main

    argv = [os.fsdecode(a) if isinstance(a, (bytes, os.PathLike)) else str(a) for a in args]
    out, err = _capture_stream(), _capture_stream()
    with _environment(env or {}), _working_directory(cwd), _streams(out, err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: usage errors, --help, --version
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
    return subprocess.CompletedProcess(["claimkit", *argv], code, _text(out), _text(err))


@pytest.fixture(scope="session")
def cli():
    """The in-process ``claimkit`` runner: ``cli("attributions", path).stdout``."""
    return run_cli


def python_m_claimkit(*args: str | bytes | os.PathLike, cwd: Path | str = ROOT,
                      timeout: float = 600, **popen) -> subprocess.CompletedProcess:
    """``python -m claimkit ARGS…`` in a fresh process (for tests about the process itself)."""
    environ = {k: v for k, v in os.environ.items() if k != "CLAIMKIT_DEBUG"}
    return subprocess.run([sys.executable, "-m", "claimkit", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=timeout, **popen)


def _capture_stream() -> io.TextIOWrapper:
    # A text stream over bytes, like a pipe's: the CLI may write to sys.stdout.buffer.
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="surrogateescape",
                            newline="", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", "replace")


@contextmanager
def _streams(out: io.TextIOWrapper, err: io.TextIOWrapper) -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextmanager
def _working_directory(path: Path | str) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextmanager
def _environment(changes: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.pop("CLAIMKIT_DEBUG", None)
    os.environ.update(changes)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- stores: SQLite and PostgreSQL ------------------------------------------------------------
#
# PostgreSQL: the server at $CLAIMKIT_TEST_PG_URL (``.ci/run`` starts one), else a throwaway
# server started here with the machine's initdb/pg_ctl, once per test session and only when a
# test asks for it. Each test gets its own empty schema on it. Where PostgreSQL is not
# installed the PostgreSQL cases are skipped, except under CI, where they fail. Every test that
# uses it carries the ``postgres`` mark (added here for the fixtures below).

_pg_server = None
_pg_error: str | None = None


def pg_base_url() -> str:
    """The PostgreSQL server for this test session (started on first use)."""
    global _pg_server, _pg_error
    from claimkit.store.testing import PostgresUnavailable, TempPostgres

    url = os.environ.get("CLAIMKIT_TEST_PG_URL")
    if url:
        return url
    if _pg_server is None and _pg_error is None:
        try:
            server = TempPostgres()
            server.start()
        except PostgresUnavailable as exc:
            _pg_error = str(exc)
        else:
            _pg_server = server
            atexit.register(server.stop)
    if _pg_server is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI: {_pg_error}")
        pytest.skip(f"no PostgreSQL: {_pg_error}")
    return _pg_server.url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path: Path):
    """A new, empty store's address on each backend."""
    from claimkit.store.testing import schema_url

    if request.param == "sqlite":
        yield str(tmp_path / "claims.db")
    else:
        with schema_url(pg_base_url()) as url:
            yield url


@pytest.fixture
def pg_url(request):
    """A new, empty PostgreSQL schema's address (the test is marked ``postgres``)."""
    from claimkit.store.testing import schema_url

    # Tests that name pg_url are marked at collection; one that asks for it on the fly
    # (request.getfixturevalue) must carry the mark itself, or `-m "not postgres"` would start
    # a server.
    assert request.node.get_closest_marker("postgres"), \
        f"{request.node.nodeid} uses PostgreSQL: mark it (or its parameter) postgres"
    with schema_url(pg_base_url()) as url:
        yield url


def pytest_collection_modifyitems(config, items):
    # A test that asks for pg_url needs the server: mark it, so `-m "not postgres"` leaves it out.
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def store(store_url):
    """An open, empty store on each backend, reviewing as "alice"."""
    from claimkit.store import open_store

    with open_store(store_url, reviewer="alice") as s:
        yield s


@pytest.fixture(scope="session")
def known_store(tmp_path_factory) -> Path:
    """A SQLite store whose chart numbers are counted by hand (chart_fixtures.py): read only."""
    from chart_fixtures import fill_known_store

    from claimkit.store import open_store

    path = tmp_path_factory.mktemp("known") / "claims.db"
    with open_store(path) as s:
        fill_known_store(s)
    return path
