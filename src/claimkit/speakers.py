"""One speaker across articles: how names are compared, and which known speaker a mention is.

Pure logic, no database and no spaCy: the store (store/speakers.py) asks a :class:`Lookup` what
it already knows and writes what :func:`resolve` decides. Extraction has already resolved a
name within its article ("Putin" -> "Vladimir Putin" when the article names him); this joins
the names of different articles.

Only people and organisations are speakers here. Anonymous, group and pronoun speakers
("officials", "sources", "they") get none: every outlet's "officials" are different people, and
merging them would invent a speaker with a track record nobody has.

The rules, in order (names and titles are data: ``data/titles.txt``, ``data/speaker_names.json``):

* a name needs one capitalised word that is not generic ("the report", "His campaign" get no
  speaker, whatever type extraction gave them);
* a name's *key* leaves out titles and roles (everything up to the last title word:
  "Russian President Vladimir Putin" -> "vladimir putin"), possessives, dots ("U.S." = "US"),
  middle initials ("George W. Bush" -> "george bush"), case; suffixes stay (Donald Trump Jr.
  is not his father);
* never across types: "the Kremlin" (an organisation) is never Vladimir Putin;
* a key an analyst attached to a speaker (merge, rename, split) wins;
* a surname alone joins the one person of the article, else of the store, with a full name
  ending in it; with two or more ("Clinton": Hillary and Bill) it stays a speaker of its own;
* an organisation's short form in capitals joins the one organisation whose initials it is
  ("WHO"), and a full name in capitalised words the one short form it abbreviates;
* otherwise a key already known is that speaker, and an unknown key is a new speaker.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

PERSON = "person"
ORGANIZATION = "organization"
SPEAKER_TYPES = (PERSON, ORGANIZATION)  # the types that get a speaker entity

_EDGES = " \t\n―—–-,.:;\"'“”‘’()[]"
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w\s&-]+")


@dataclass(frozen=True)
class Lexicon:
    titles: frozenset[str]
    suffixes: frozenset[str]
    org_stopwords: frozenset[str]
    org_leading: frozenset[str]
    not_names: frozenset[str]  # words that name nobody in particular


def _data(name: str) -> str:
    return (resources.files("claimkit") / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    extra = json.loads(_data("speaker_names.json"))
    titles = {line.strip().lower() for line in _data("titles.txt").splitlines()
              if line.strip() and not line.startswith("#")}
    titles |= {t.lower() for t in extra["titles"]}
    # "U.S." and "US" alike: titles are compared without their dots.
    titles |= {t.replace(".", "") for t in titles}
    return Lexicon(frozenset(titles), frozenset(extra["suffixes"]),
                   frozenset(extra["org_stopwords"]), frozenset(extra["org_leading"]),
                   frozenset(extra["not_names"]))


def is_named(name: str) -> bool:
    """Whether a name names somebody: one capitalised word that is not a determiner or a
    generic noun ("the report", "His campaign" and "Poll" name nobody in particular)."""
    generic = lexicon().not_names
    for word in _NOT_WORD.sub(" ", name.replace(".", "")).split():
        plain = word.lower()
        if word[:1].isupper() and plain not in generic and plain.rstrip("s") not in generic:
            return True
    return False


def is_acronym(name: str) -> bool:
    """A short form in capitals ("WHO", "U.N."): what may stand for an organisation's
    initials."""
    letters = name.replace(".", "").replace(" ", "")
    return 1 < len(letters) <= 8 and letters.isalpha() and letters.isupper()


@lru_cache(maxsize=200_000)  # the same names recur in article after article
def display_name(name: str, type_: str) -> str:
    """The name as a speaker is shown: titles, possessive and an appositive left out, case
    kept ("Russian President Vladimir Putin's" -> "Vladimir Putin")."""
    name = " ".join(name.split(",")[0].split()).strip(_EDGES)
    name = _POSSESSIVE.sub("", name).strip(_EDGES)
    words = name.split()
    if type_ == PERSON:
        words = _without_titles(words)
    elif words and words[0].lower() in lexicon().org_leading and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def _without_titles(words: list[str]) -> list[str]:
    """What follows the last title word; if a title ends the name ("Stephen King"), only
    the leading titles go."""
    titles = lexicon().titles
    plain = [w.lower().replace(".", "") for w in words]
    last = max((i for i, w in enumerate(plain) if w in titles), default=-1)
    if 0 <= last < len(words) - 1:
        return words[last + 1:]
    start = 0
    while start < len(words) - 1 and plain[start] in titles:
        start += 1
    return words[start:]


@lru_cache(maxsize=200_000)
def name_key(name: str, type_: str) -> str:
    """What two names must share to be one speaker: lowercase words without titles, dots,
    possessives, middle initials and suffixes ("U.S. President George W. Bush" and
    "George Bush" -> "george bush"). "" when nothing is left."""
    words = _NOT_WORD.sub("", display_name(name, type_).replace(".", "")).lower().split()
    if type_ == PERSON:
        # Suffixes stay (Donald Trump Jr. is not his father); middle initials go, but not
        # the first word ("J Smith") nor the last.
        if len(words) > 2:
            words = [words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]]
    return " ".join(words)


def short_form(key: str, type_: str) -> str:
    """What a shorter mention of the speaker looks like: a person's surname, an
    organisation's initials ("world health organization" -> "who"); "" for one word."""
    words = key.split()
    if len(words) < 2:
        return ""
    if type_ == PERSON:
        names = [w for w in words if w not in lexicon().suffixes]
        return names[-1] if len(names) > 1 else ""
    initials = "".join(w[0] for w in words if w not in lexicon().org_stopwords)
    return initials if len(initials) > 1 else ""


@dataclass(frozen=True)
class Known:
    """A key the store has seen: its speaker, and whether an analyst set it."""

    speaker_id: int
    by_analyst: bool = False


class Lookup(Protocol):
    """What the store knows; store/speakers.py answers from its tables."""

    def aliases(self, type_: str, keys: Sequence[str]) -> dict[str, Known]:
        """The known keys among ``keys`` of this type."""

    def by_short_form(self, type_: str, short: str) -> set[int]:
        """The speakers of this type with a full name whose short form is ``short``."""


@dataclass(frozen=True)
class Mention:
    name: str
    type: str


@dataclass(frozen=True)
class Resolved:
    """A mention's speaker: ``speaker_id`` when known, else ``new`` (the key of a speaker
    to create, shared by the article's mentions of it). ``alias``: record the key as a name
    of that speaker (not for a join by surname or initials, which depends on who else the
    store knows at the time)."""

    key: str
    type: str
    name: str
    speaker_id: int | None = None
    alias: bool = True

    @property
    def new(self) -> bool:
        return self.speaker_id is None


def resolve(mentions: Sequence[Mention], lookup: Lookup) -> list[Resolved | None]:
    """Each mention's speaker (None for types without one, or a name with nothing left)."""
    keyed = [(m, name_key(m.name, m.type))
             if m.type in SPEAKER_TYPES and is_named(m.name) else (m, "") for m in mentions]
    by_type: dict[str, list[str]] = {}
    for m, key in keyed:
        if key:
            by_type.setdefault(m.type, []).append(key)
    known = {t: lookup.aliases(t, list(dict.fromkeys(keys))) for t, keys in by_type.items()}
    out: list[Resolved | None] = []
    for m, key in keyed:
        if not key:
            out.append(None)
            continue
        out.append(_resolve_one(m, key, known[m.type], by_type[m.type], lookup))
    return out


def _resolve_one(mention: Mention, key: str, known: dict[str, Known], neighbours: list[str],
                 lookup: Lookup) -> Resolved:
    name = display_name(mention.name, mention.type)
    found = known.get(key)
    if found is not None and found.by_analyst:
        return Resolved(key, mention.type, name, found.speaker_id)
    if len(key.split()) == 1 and (mention.type == PERSON or is_acronym(name)):
        joined = _join_short(key, mention.type, known, neighbours, lookup)
        if joined is not None:
            return joined
    elif mention.type == ORGANIZATION and found is None and _is_proper(name):
        # A full name whose initials are the one short form the store knows ("WHO" first).
        short = short_form(key, mention.type)
        hit = lookup.aliases(mention.type, [short]).get(short) if short else None
        if hit is not None:
            return Resolved(key, mention.type, name, hit.speaker_id)
    if found is not None:
        return Resolved(key, mention.type, name, found.speaker_id)
    return Resolved(key, mention.type, name)


def _is_proper(name: str) -> bool:
    """Every word capitalised but the small ones ("Global Water Council"): a name whose
    initials may be its short form."""
    small = lexicon().org_stopwords
    return all(w[:1].isupper() for w in name.split() if w.lower() not in small)


def _join_short(key: str, type_: str, known: dict[str, Known], neighbours: list[str],
                lookup: Lookup) -> Resolved | None:
    """A one-word mention joined to the one full name it is short for: in the article first,
    then in the store; None when there is none or more than one."""
    local = {n for n in neighbours if n != key and short_form(n, type_) == key}
    if len(local) == 1:
        full = local.pop()
        hit = known.get(full)
        if hit is not None:
            return Resolved(key, type_, key, hit.speaker_id, alias=False)
        return Resolved(full, type_, key, None, alias=False)  # joins the article's new one
    if local:
        return None
    ids = lookup.by_short_form(type_, key)
    if len(ids) == 1:
        return Resolved(key, type_, key, ids.pop(), alias=False)
    return None
