"""A throwaway PostgreSQL server on 127.0.0.1, for tests, benchmarks and CI.

Uses the machine's own ``initdb`` and ``pg_ctl`` (Debian: ``apt-get install postgresql``). The
server runs with trust authentication on loopback only, in a temporary folder, and is meant to
live for one test session or benchmark. PostgreSQL refuses to run as root, so as root the server
runs as the ``postgres`` user.

From a shell (``.ci/run`` does this)::

    url=$(python -m claimkit.store.testing start --dir /tmp/pg)   # prints the URL
    python -m claimkit.store.testing stop --dir /tmp/pg
"""
from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "claimkit"
DATABASE = "claimkit_test"


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    """Where initdb and pg_ctl live: ``pg_config --bindir``, else /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 check=True, timeout=30).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                           key=_version_key, reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresUnavailable("initdb/pg_ctl not found (install PostgreSQL: "
                              "apt-get install postgresql)")


def _version_key(path: str) -> tuple:
    name = Path(path).parent.name
    return tuple(int(p) if p.isdigit() else 0 for p in name.split("."))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    """``start()`` returns the server's URL; ``stop()`` stops it and removes its files."""

    def __init__(self, directory: str | os.PathLike | None = None, *,
                 durable: bool = False) -> None:
        self.directory = Path(directory) if directory else Path(
            tempfile.mkdtemp(prefix="claimkit-pg-"))
        self.durable = durable  # False: fsync off, for test speed
        self.bindir = find_bindir()
        self.port: int | None = None

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        user = {}
        if os.geteuid() == 0:
            user = {"user": "postgres", "group": pwd.getpwnam("postgres").pw_gid}
        return subprocess.run(list(args), capture_output=True, text=True, timeout=120,
                              cwd=self.directory, **user, **kwargs)

    def start(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root and there is no 'postgres' user "
                                          "to run the server as") from None
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            done = self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
            if done.returncode != 0:
                raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()}")
        settings = ["-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.directory}",
                    "-c max_connections=50"]
        if not self.durable:
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        error = ""
        for _ in range(3):  # the free port may be taken between choosing and binding it
            self.port = _free_port()
            done = self._run(str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60",
                             "-D", str(self.data), "-l", str(self.directory / "server.log"),
                             "-o", " ".join([f"-p {self.port}", *settings]))
            if done.returncode == 0:
                break
            error = done.stderr.strip() or done.stdout.strip()
        else:
            raise PostgresUnavailable(f"pg_ctl start failed: {error}; see "
                                      f"{self.directory / 'server.log'}")
        (self.directory / "port").write_text(str(self.port))
        self._create_database()
        return self.url

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (DATABASE,)).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {DATABASE}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast",
                      "-w")
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def schema_url(base_url: str):
    """A URL whose connections use a new, empty schema (dropped afterwards): one per test."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m claimkit.store.testing",
                                     description="Start or stop a throwaway PostgreSQL server.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", required=True, help="folder for the server's files")
    parser.add_argument("--durable", action="store_true", help="keep fsync on")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            print(TempPostgres(args.dir, durable=args.durable).start())
        else:
            server = TempPostgres(args.dir)
            server.stop()
    except PostgresUnavailable as exc:
        print(f"claimkit.store.testing: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
