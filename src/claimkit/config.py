"""Settings from ``claimkit.toml``: who is reviewing, which store, which taxonomy, who publishes.

The file is looked for in the working folder (``./claimkit.toml``), else in the user's config
folder (``$XDG_CONFIG_HOME/claimkit/claimkit.toml``, by default
``~/.config/claimkit/claimkit.toml``). The first one found is used, whole; command options
override what it says. Every key is optional::

    [review]
    reviewer = "ana"

    [store]
    url = "claims.db"                 # or postgresql://user@host/db

    [taxonomy]
    preset = "politifact"

    [publisher]
    name = "Example Checks"
    url = "https://checks.example"
    review_url = "https://checks.example/claims/{claim_id}"   # optional

Which store a notebook or app opens (:func:`resolve_store_url`): the one it is given (a papermill
parameter), else ``$CLAIMKIT_STORE``, else ``[store] url``, else the bundled sample store
(``claimkit-sample.db`` in the working folder, filled from the sample articles on first use).

A file that cannot be read, is not TOML, holds a key of the wrong type or a key these tables do
not have raises :class:`ConfigError`, whose message is one line naming the file and the problem.
Tables other than these four are left alone (other tools may keep their settings here too).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "claimkit.toml"
STORE_ENV = "CLAIMKIT_STORE"  # a store named for one shell or job, over claimkit.toml's
SAMPLE_STORE = "claimkit-sample.db"  # what a notebook opens when nothing names a store

# table -> key -> the attribute of Settings it fills
_KEYS: dict[str, dict[str, str]] = {
    "review": {"reviewer": "reviewer"},
    "store": {"url": "store_url"},
    "taxonomy": {"preset": "taxonomy_preset"},
    "publisher": {"name": "publisher_name", "url": "publisher_url",
                  "review_url": "publisher_review_url"},
}


class ConfigError(ValueError):
    """A claimkit.toml that claimkit cannot use; the message names the file and the problem."""


@dataclass(frozen=True)
class Settings:
    """What a claimkit.toml says; None where it says nothing (or no file was found)."""

    reviewer: str | None = None
    store_url: str | None = None
    taxonomy_preset: str | None = None
    publisher_name: str | None = None
    publisher_url: str | None = None
    publisher_review_url: str | None = None
    path: Path | None = None  # the file these came from


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/claimkit/claimkit.toml`` (default ``~/.config/claimkit/…``)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "claimkit" / FILE_NAME


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/claimkit`` (default ``~/.cache/claimkit``): derived data only, such
    as the snapshots of PostgreSQL stores (store/snapshot.py); safe to delete."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "claimkit"


def config_paths(cwd: str | os.PathLike | None = None,
                 environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where a claimkit.toml is looked for, first found wins."""
    here = Path(cwd) if cwd is not None else Path.cwd()
    return [here / FILE_NAME, user_config_path(environ)]


def find_config(cwd: str | os.PathLike | None = None,
                environ: Mapping[str, str] | None = None) -> Path | None:
    """The claimkit.toml in use: the working folder's, else the user's; None if neither."""
    for path in config_paths(cwd, environ):
        if path.is_file():
            return path
    return None


def load_settings(path: str | os.PathLike | None = None, *,
                  cwd: str | os.PathLike | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in ``path``, or in the claimkit.toml found by :func:`find_config`;
    empty Settings when there is none. Raises ConfigError for a file claimkit cannot use."""
    found = Path(path) if path is not None else find_config(cwd, environ)
    if found is None:
        return Settings()
    return Settings(path=found, **_parse(found, read_toml(found)))


@dataclass(frozen=True)
class StoreChoice:
    """The store to open and why that one: ``origin`` is "parameter", "environment",
    "config" or "sample"."""

    url: str
    origin: str
    config_path: Path | None = None

    @property
    def is_sample(self) -> bool:
        return self.origin == "sample"

    def describe(self) -> str:
        """One line for a notebook: which store, and where that choice came from."""
        why = {"parameter": "given as a parameter",
               "environment": f"from ${STORE_ENV}",
               "config": f"[store] url in {self.config_path}",
               "sample": f"the bundled sample: no parameter, no ${STORE_ENV}, no [store] url"}
        return f"store: {self.url} ({why[self.origin]})"


def resolve_store_url(explicit: str | os.PathLike | None = None, *,
                      cwd: str | os.PathLike | None = None,
                      environ: Mapping[str, str] | None = None) -> StoreChoice:
    """The store to open: ``explicit`` (a notebook's parameter; None or "" means not given),
    else ``$CLAIMKIT_STORE``, else claimkit.toml's ``[store] url``, else :data:`SAMPLE_STORE`.
    Raises ConfigError for a claimkit.toml claimkit cannot use (only read when needed)."""
    environ = os.environ if environ is None else environ
    if explicit is not None and str(explicit).strip():
        return StoreChoice(str(explicit).strip(), "parameter")
    if environ.get(STORE_ENV, "").strip():
        return StoreChoice(environ[STORE_ENV].strip(), "environment")
    settings = load_settings(cwd=cwd, environ=environ)
    if settings.store_url:
        return StoreChoice(settings.store_url, "config", settings.path)
    return StoreChoice(SAMPLE_STORE, "sample")


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; ConfigError (one line naming the file) when it cannot be."""
    import tomllib

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _parse(path: Path, data: dict[str, Any]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for table, keys in _KEYS.items():
        section = data.get(table)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: '{table}' must be a table ([{table}])")
        unknown = sorted(set(section) - set(keys))
        if unknown:
            raise ConfigError(f"{path}: unknown key '{unknown[0]}' in [{table}]; "
                              f"[{table}] takes: {', '.join(keys)}")
        for key, attribute in keys.items():
            if key not in section:
                continue
            value = section[key]
            if not isinstance(value, str):
                raise ConfigError(f"{path}: [{table}] {key} must be text in quotes, got "
                                  f"{type(value).__name__} {value!r}")
            value = value.strip()
            if not value:
                raise ConfigError(f"{path}: [{table}] {key} is empty")
            values[attribute] = value
    return values
