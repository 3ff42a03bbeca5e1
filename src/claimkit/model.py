"""The data that flows between stages: articles in, claims out.

Everything here is plain, immutable data. Offsets are Python string offsets into
``Article.text`` (docs/architecture.md §2), so a span ``(s, e)`` always means ``article.text[s:e]``.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import Enum

Span = tuple[int, int]

# Bump when extraction output changes: the store keys re-extraction on it. It lives with the
# data model (not in extract/) so that the store can read it without loading spaCy.
EXTRACTOR_VERSION = "0.6.2"


class Kind(str, Enum):
    """How a claim is worded relative to its source."""

    DIRECT = "direct"  # all of the content inside quote marks
    MIXED = "mixed"  # partly quoted
    INDIRECT = "indirect"  # reported speech, belief, intention
    ASSERTION = "assertion"  # the article's own statement, no attribution


class SpeakerType(str, Enum):
    PERSON = "person"
    ORGANIZATION = "organization"
    ANONYMOUS = "anonymous"  # "a senior official", "sources"
    GROUP = "group"  # "both sides", "Democrats"
    PRONOUN = "pronoun"  # a pronoun we could not resolve
    NONE = ""  # assertions and sourceless attributions


@dataclass(frozen=True)
class Article:
    article_id: str
    text: str
    title: str = ""
    outlet: str = ""
    url: str = ""
    published: date | None = None
    path: str = ""
    # Spans of boilerplate lines (repeated titles, "Source link …"): kept in the text so offsets
    # stay true to the file, but the extractor yields no claims from them.
    boilerplate: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Claim:
    claim_id: str
    article_id: str
    kind: Kind
    content: tuple[Span, ...]
    text: str
    source: tuple[Span, ...] = ()
    cue: tuple[Span, ...] = ()
    speaker: str = ""
    speaker_canonical: str = ""
    speaker_type: SpeakerType = SpeakerType.NONE
    cue_lemma: str = ""
    cue_class: str = ""
    parent_id: str | None = None
    hedges: tuple[str, ...] = ()
    checkworthiness: float = 0.0
    reasons: tuple[str, ...] = ()
    rule: str = ""
    extractor_version: str = ""

    @property
    def is_attribution(self) -> bool:
        return bool(self.cue)

    def to_dict(self) -> dict:
        """JSON-ready dict: enums as strings, spans as lists of [start, end]."""
        d = asdict(self)
        d["kind"] = self.kind.value
        d["speaker_type"] = self.speaker_type.value
        for key in ("content", "source", "cue"):
            d[key] = [list(s) for s in d[key]]
        d["hedges"] = list(self.hedges)
        d["reasons"] = list(self.reasons)
        return d


def span_text(text: str, spans: Iterable[Span], *, squeeze: bool = False) -> str:
    """The text of ``spans`` joined by a space.

    ``squeeze=False`` keeps each piece exactly as ``text[s:e]`` (a claim's ``text``, from which
    its id derives). ``squeeze=True`` also folds each piece's runs of whitespace into one space,
    for display and for reviewed text, where a line break inside a span means nothing.
    """
    if squeeze:
        return " ".join(" ".join(text[s:e].split()) for s, e in spans)
    return " ".join(text[s:e] for s, e in spans)


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_for_id(text: str) -> str:
    """Case-, space- and punctuation-insensitive form, so cosmetic changes keep ids stable."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def stable_hash(*parts: str, length: int = 16) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:length]


def article_id_for(text: str) -> str:
    """Stable article id: a hash of the decoded text (docs/architecture.md §2)."""
    return "a" + stable_hash(text)


def claim_id_for(article_id: str, content_text: str, occurrence: int = 0) -> str:
    """Stable claim id from the article and the normalised content (never a row number).

    ``occurrence`` separates two claims with identical content in one article.
    """
    parts = [article_id, normalise_for_id(content_text)]
    if occurrence:
        parts.append(str(occurrence))
    return "c" + stable_hash(*parts)


def factcheck_id_for(url: str, claim: str) -> str:
    """Stable id of a fact-check that brings none: its review url and normalised claim."""
    return "f" + stable_hash(url.strip(), normalise_for_id(claim))


@dataclass(frozen=True)
class FactCheck:
    """One published fact-check (a schema.org ClaimReview, or a row of a fact-check table).

    ``verdict`` is the publisher's own wording ("Mostly false"), not a claimkit verdict;
    ``publisher`` is who checked it, ``claimant`` who made the claim; ``date`` as published
    (ISO text when the source gave one).
    """

    factcheck_id: str
    claim: str
    verdict: str = ""
    url: str = ""
    publisher: str = ""
    date: str = ""
    claimant: str = ""
    title: str = ""
    path: str = ""  # the file it was read from

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class InputProblem:
    """One input that could not be read (error) or was read with a caveat (warning)."""

    path: str
    reason: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.reason}"


@dataclass(frozen=True)
class Extraction:
    """What an engine gives back for one article: its claims, or the problem that left it
    without any. A failed article still comes out (with no claims), in its place."""

    article: Article
    claims: list[Claim]
    problem: InputProblem | None = None

    @property
    def failed(self) -> bool:
        return self.problem is not None

    @classmethod
    def failure(cls, article: Article, reason: str) -> Extraction:
        return cls(article, [], InputProblem(article.path or article.article_id,
                                             f"extraction failed: {reason}"))


@dataclass
class BatchSummary:
    articles: int = 0
    claims: int = 0
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)
