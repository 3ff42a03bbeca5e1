"""Read gold attributions in brat standoff, laid out as PolNeAR is (docs/architecture.md §3, §4).

A gold folder holds ``text/<name>.txt`` and ``attributions/<name>_<annotator>.ann``. Article names
may contain underscores themselves, so the annotator is whatever follows the *last* underscore.
When an article has several annotators, the first ``.ann`` in sorted order is used.

The ``.ann`` lines this module reads::

    T<n>\\t<Label> <start> <end>[;<start> <end>...]\\t<covered text>
    E<n>\\tAttribution:T<a> Source:T<s> Cue:T<c> Content:T<k>
    E<n>\\tAttribution-no-source:T<a> Cue:T<c> Content:T<k>

The covered text of a ``T`` line can itself contain newlines; the record then goes on over the
following physical lines. Records are therefore split where a line starts with a brat id
(``T12<tab>``, ``E3<tab>``, ``#1<tab>`` …), never blindly line by line.

Conventions (all in one place, so the counts in ../shared/polnear/README.md come out):

- roles are read by name, in any order; a numbered repeat (``Content2:T22``) adds its spans to the
  role (``Content``);
- the relation's first argument (``Attribution:``/``Attribution-no-source:``) is only its anchor,
  not a role, and its label decides nothing: a relation has a source exactly when it names a
  ``Source`` argument;
- a relation with nothing but its anchor (no source, cue or content) is an annotator's stub and is
  dropped;
- annotator flags (``Discuss``, ``Discard``), notes (``#``) and other record types are ignored.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from claimkit.model import Span

ATTRIBUTION_LABELS = ("Attribution", "Attribution-no-source")
_ROLES = {"Source": "source", "Cue": "cue", "Content": "content"}

# A record starts with a brat id and a tab: T1, E1, R1, A1, M1, N1, #1, or the '*' equivalence line.
_RECORD_START = re.compile(r"^(?:[TERAMN]\d+|#\d*|\*)\t")
_SPAN = re.compile(r"^(\d+) (\d+)$")
_ROLE_NUMBER = re.compile(r"\d+$")


class BratError(ValueError):
    """An ``.ann`` file (or a gold folder) that cannot be read as brat standoff."""


class GoldLayoutError(BratError):
    """A folder that is not laid out as ``text/*.txt`` + ``attributions/*_<annotator>.ann``."""


@dataclass(frozen=True)
class TextBound:
    """One ``T`` record: a label over one or more character spans."""

    id: str
    label: str
    spans: tuple[Span, ...]
    text: str


@dataclass(frozen=True)
class GoldAttribution:
    """One gold attribution relation; spans are offsets into the article text, in text order."""

    source: tuple[Span, ...]
    cue: tuple[Span, ...]
    content: tuple[Span, ...]
    id: str = ""  # the relation's id in the .ann file ("E7"), for error analysis
    label: str = "Attribution"  # or "Attribution-no-source"


@dataclass(frozen=True)
class GoldDoc:
    name: str
    text: str
    attributions: tuple[GoldAttribution, ...]
    path: str = ""  # the text file
    ann_path: str = ""  # the .ann file that was used


def _records(ann: str) -> Iterable[tuple[int, str]]:
    """(line number, record) pairs; continuation lines are joined back with their newline.

    Blank lines at the end of a record are separators, not covered text.
    """
    start, lines = 0, []
    for no, line in enumerate(ann.split("\n"), start=1):
        if _RECORD_START.match(line) or not lines:
            if lines:
                yield start, "\n".join(lines).rstrip("\n")
            start, lines = no, [line]
        else:
            lines.append(line)
    if lines:
        yield start, "\n".join(lines).rstrip("\n")


def _parse_spans(field: str, where: str) -> tuple[Span, ...]:
    spans = []
    for part in field.split(";"):
        m = _SPAN.match(part.strip())
        if not m:
            raise BratError(f"{where}: bad span {part!r}")
        s, e = int(m.group(1)), int(m.group(2))
        if e < s:
            raise BratError(f"{where}: span end before start: {part!r}")
        spans.append((s, e))
    return tuple(spans)


def parse_ann(ann: str, where: str = "<ann>") -> tuple[list[TextBound], list[GoldAttribution]]:
    """Parse the text of one ``.ann`` file into its text-bound records and attribution relations."""
    bounds: dict[str, TextBound] = {}
    relations: list[tuple[int, str, str]] = []
    for no, record in _records(ann):
        if not record.strip():
            continue
        loc = f"{where}:{no}"
        head = record.split("\t", 1)[0]
        if head.startswith("T"):
            fields = record.split("\t", 2)
            if len(fields) < 2:
                raise BratError(f"{loc}: text-bound record without label and spans")
            label, _, span_field = fields[1].partition(" ")
            bounds[head] = TextBound(head, label, _parse_spans(span_field, loc),
                                     fields[2] if len(fields) > 2 else "")
        elif head.startswith("E"):
            fields = record.split("\t")
            relations.append((no, head, fields[1] if len(fields) > 1 else ""))
        elif not _RECORD_START.match(record):
            raise BratError(f"{loc}: not a brat record: {record[:40]!r}")
        # R/A/M/N/#/* records say nothing about attributions here.

    attributions = []
    for no, rid, args in relations:
        loc = f"{where}:{no}"
        parts = args.split()
        if not parts:
            continue
        label = parts[0].split(":", 1)[0]
        if label not in ATTRIBUTION_LABELS:
            continue  # an event type this scorer does not know
        roles: dict[str, list[Span]] = {"source": [], "cue": [], "content": []}
        named = False
        for arg in parts[1:]:
            role, sep, ref = arg.partition(":")
            if not sep:
                raise BratError(f"{loc}: bad relation argument {arg!r}")
            key = _ROLES.get(_ROLE_NUMBER.sub("", role))
            if key is None:
                continue
            if ref not in bounds:
                raise BratError(f"{loc}: {rid} refers to unknown {ref}")
            roles[key].extend(bounds[ref].spans)
            named = True
        if not named:
            continue  # an anchor without source, cue or content: an annotator's stub
        attributions.append(GoldAttribution(
            source=tuple(sorted(roles["source"])), cue=tuple(sorted(roles["cue"])),
            content=tuple(sorted(roles["content"])), id=rid, label=label))
    return list(bounds.values()), attributions


def read_ann(path: str | Path) -> list[GoldAttribution]:
    """The attribution relations of one ``.ann`` file."""
    with open(path, encoding="utf-8") as f:
        return parse_ann(f.read(), where=str(path))[1]


def article_name(ann_path: str | Path) -> tuple[str, str]:
    """``("<name>", "<annotator>")`` from ``<name>_<annotator>.ann`` (split at the last ``_``)."""
    stem = Path(ann_path).name.removesuffix(".ann")
    name, sep, annotator = stem.rpartition("_")
    if not sep or not name:
        raise GoldLayoutError(f"{ann_path}: expected <article>_<annotator>.ann")
    return name, annotator


def choose_annotations(ann_files: Iterable[str | Path]) -> dict[str, Path]:
    """Article name -> the ``.ann`` to use: the first in sorted (file name) order per article."""
    chosen: dict[str, Path] = {}
    for path in sorted((Path(p) for p in ann_files), key=lambda p: p.name):
        chosen.setdefault(article_name(path)[0], path)
    return chosen


def load_gold_dir(gold_dir: str | Path) -> dict[str, GoldDoc]:
    """Every annotated article of a gold folder, by name (sorted).

    Texts are read exactly as Python reads them (default newline handling), which is what the
    offsets refer to. A text without any ``.ann`` is not annotated and is left out; an ``.ann``
    without its text, or a span outside the text, is an error.
    """
    root = Path(gold_dir)
    text_dir, ann_dir = root / "text", root / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise GoldLayoutError(
            f"{root}: not a gold folder (expected text/*.txt and attributions/*_<annotator>.ann)")
    chosen = choose_annotations(ann_dir.glob("*.ann"))
    if not chosen:
        raise GoldLayoutError(f"{root}: no .ann files in {ann_dir}")
    docs: dict[str, GoldDoc] = {}
    for name in sorted(chosen):
        ann_path, text_path = chosen[name], text_dir / f"{name}.txt"
        if not text_path.is_file():
            raise GoldLayoutError(f"{ann_path}: no text file {text_path}")
        with open(text_path, encoding="utf-8") as f:
            text = f.read()
        attributions = read_ann(ann_path)
        for a in attributions:
            for s, e in a.source + a.cue + a.content:
                if e > len(text):
                    raise BratError(f"{ann_path}: {a.id} span {s}-{e} is outside the text "
                                    f"({len(text)} characters)")
        docs[name] = GoldDoc(name=name, text=text, attributions=tuple(attributions),
                             path=str(text_path), ann_path=str(ann_path))
    return docs
