"""``claimkit demo``: the whole flow on the bundled sample, told as text for a person.

The demo is a list of steps over one ``DemoRun``: the command line reads and extracts, each step
adds a section to the output (articles, claims, speakers, cues, examples).
"""
from __future__ import annotations

import os
import shutil
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimkit.model import Article, Claim, span_text


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# The demo is a list of steps over one DemoRun: the first step reads and extracts, each later
# one adds a section to the output (and, later, may add to the run: a store, a report folder).


@dataclass
class DemoRun:
    data_dir: Path
    out: Callable[[str], None]
    width: int
    results: list[tuple[Article, list[Claim]]] = field(default_factory=list)

    @property
    def claims(self) -> Iterator[tuple[Article, Claim]]:
        return ((a, c) for a, cs in self.results for c in cs)

    def show(self) -> None:
        """Print every section of the demo, in order."""
        for step in DEMO_STEPS:
            step(self)

    @property
    def attributions(self) -> list[tuple[Article, Claim]]:
        return [(a, c) for a, c in self.claims if c.is_attribution]


DemoStep = Callable[[DemoRun], None]


def default_data_dir() -> Path | None:
    """The repository's ``data/`` folder (an editable or source install), else None."""
    # src/claimkit/demo.py -> the repository root. No copy ships as package data: a wheel
    # install has no sample data, and `claimkit demo --data DIR` is the way in.
    candidate = Path(__file__).resolve().parents[2] / "data"
    return candidate if candidate.is_dir() else None


def demo_articles(run: DemoRun) -> None:
    n = len(run.results)
    run.out(f"claimkit demo: {run.data_dir}")
    run.out("")
    run.out(f"Articles read: {n}")
    for article, claims in run.results:
        name = os.path.basename(article.path) or article.article_id
        about = f"“{article.title}”" if article.title else ""
        if article.outlet:
            about += f" ({article.outlet})"
        run.out(f"  {name}  {about}  {plural(len(claims), 'claim')}".rstrip())
    run.out("")


def demo_claims(run: DemoRun) -> None:
    claims = [c for _, c in run.claims]
    kinds = Counter(c.kind.value for c in claims)
    attributed = [c for c in claims if c.is_attribution]
    by_kind = ", ".join(f"{kind} {kinds[kind]}" for kind in ("direct", "mixed", "indirect")
                        if kinds[kind])
    unsourced = sum(1 for c in attributed if not c.source)
    if unsourced:
        by_kind += f"; {unsourced} with no stated source"
    run.out(f"Claims: {len(claims)}")
    run.out(f"  {'attributed':<12}{len(attributed):>5}   {by_kind}".rstrip())
    run.out(f"  {'assertions':<12}{kinds['assertion']:>5}   the articles' own statements")
    run.out("")


def demo_speakers(run: DemoRun) -> None:
    counts = Counter((c.speaker_canonical or c.speaker, c.speaker_type.value)
                     for _, c in run.attributions if c.speaker)
    if not counts:
        return
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0].casefold()))
    shown = rows[:15]
    name_width = min(40, max(len("canonical name"), *(len(name) for (name, _), _ in shown)))
    run.out("Speakers")
    run.out(f"  {'canonical name':<{name_width}}  {'type':<13}{'claims':>6}")
    for (name, kind), count in shown:
        run.out(f"  {_clip(name, name_width):<{name_width}}  {kind or '-':<13}{count:>6}")
    if len(rows) > len(shown):
        run.out(f"  … and {plural(len(rows) - len(shown), 'more speaker')}")
    run.out("")


def demo_cues(run: DemoRun) -> None:
    classes: Counter[str] = Counter()
    lemmas: dict[str, Counter[str]] = {}
    for _, c in run.attributions:
        cls = c.cue_class or "(none)"
        classes[cls] += 1
        lemmas.setdefault(cls, Counter())[c.cue_lemma] += 1
    if not classes:
        return
    run.out("Cue classes")
    for cls, count in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
        words = ", ".join(w for w, _ in lemmas[cls].most_common(4) if w)
        run.out(f"  {cls:<12}{count:>5}   {words}".rstrip())
    run.out("")


def demo_examples(run: DemoRun) -> None:
    chosen = _example_claims(run.attributions)
    if not chosen:
        return
    run.out("Example claims (speaker → cue → content)")
    for i, (article, claim) in enumerate(chosen, 1):
        speaker = claim.speaker_canonical or claim.speaker or "(no stated source)"
        cue = span_text(article.text, claim.cue, squeeze=True) or claim.cue_lemma
        detail = [claim.kind.value, f"rule {claim.rule}"]
        if claim.cue_class:
            detail.append(f"cue class {claim.cue_class}")
        if claim.parent_id:
            detail.append("inside another claim")
        run.out(textwrap.fill(f"{speaker} → {cue} → {' '.join(claim.text.split())}",
                              width=run.width, initial_indent=f"  {i}. ",
                              subsequent_indent="     ", break_long_words=False,
                              break_on_hyphens=False))
        run.out(f"     ({'; '.join(detail)})")
    run.out("")


DEMO_STEPS: list[DemoStep] = [demo_articles, demo_claims, demo_speakers, demo_cues,
                              demo_examples]


def _example_claims(attributions: list[tuple[Article, Claim]], limit: int = 4
                    ) -> list[tuple[Article, Claim]]:
    """A few varied attributions: one of each kind, then a nested one; named speakers first."""
    def rank(pair: tuple[Article, Claim]) -> int:
        claim = pair[1]
        if claim.speaker_type.value in ("person", "organization"):
            return 0
        return 1 if claim.speaker else 2

    chosen: list[tuple[Article, Claim]] = []
    for wanted in ("direct", "mixed", "indirect", "nested"):
        pool = [p for p in attributions if p not in chosen and
                (p[1].parent_id is not None if wanted == "nested" else p[1].kind.value == wanted)]
        if pool:
            chosen.append(min(pool, key=rank))  # min keeps text order among equals
    for pair in sorted(attributions, key=rank):  # few kinds in the data: fill up
        if len(chosen) >= limit:
            break
        if pair not in chosen:
            chosen.append(pair)
    return chosen[:limit]


def text_width() -> int:
    """Width of the demo's text: the terminal's, within 40..100 columns."""
    return max(40, min(100, shutil.get_terminal_size((88, 24)).columns - 2))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


# --- the notebooks' store -----------------------------------------------------------------------

@dataclass
class NotebookStore:
    """What a notebook opened: the store, why that one, and what was extracted into it."""

    store: Any
    choice: Any  # config.StoreChoice
    loaded: Any = None  # load.LoadResult, when articles were read
    note: str = ""

    def __repr__(self) -> str:
        lines = [self.choice.describe()]
        if self.loaded is not None:
            lines.append(str(self.loaded))
            lines.extend(str(p) for p in self.loaded.problems)
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


def open_notebook_store(store_path: str | os.PathLike | None = None,
                        input_path: str | os.PathLike | None = None, *,
                        reviewer: str | None = None) -> NotebookStore:
    """The store a notebook works on, with nothing typed into the notebook: ``store_path`` (its
    papermill parameter), else ``$CLAIMKIT_STORE``, else claimkit.toml's ``[store] url``, else
    the bundled sample store (``claimkit-sample.db`` here, filled from the sample articles).

    Articles are extracted into it (stored ones skipped) from ``input_path`` when one is given,
    and from the sample articles into the sample store; a store someone named is never filled
    with the sample. A named store that does not exist is created only when ``input_path``
    says what to put in it; otherwise ``NoSuchStore`` says which store is missing.
    """
    from claimkit.config import resolve_store_url
    from claimkit.load import extract_into_store
    from claimkit.store import open_store

    choice = resolve_store_url(store_path)
    source: str | os.PathLike | None = input_path
    if source is None and choice.is_sample:
        source = default_data_dir()
        if source is None:
            raise FileNotFoundError("the sample articles (data/ in a source checkout) are not "
                                    "here: give input_path, or name a store in claimkit.toml")
    store = open_store(choice.url, reviewer=reviewer,
                       create=choice.is_sample or source is not None)
    if source is None:
        return NotebookStore(store, choice, note="no input_path given: nothing extracted")
    return NotebookStore(store, choice, extract_into_store(store, [str(source)]))
