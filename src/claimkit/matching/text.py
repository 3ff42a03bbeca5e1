"""Text as matching sees it: social-media noise removed, words for the lexical index.

A claim met in the wild (a tweet, a quote in an article) carries links, handles, hashtags and
an embed signature ("— Name (@handle) May 1, 2020") that say nothing about the claim; they are
cut before both the lexical index and the embedding see the text. The patterns are data in
`data/matching_text.json`.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


@lru_cache(maxsize=1)
def _rules() -> dict:
    data = json.loads(resources.files("claimkit.data").joinpath("matching_text.json").read_text("utf-8"))
    data["cut"] = [re.compile(p, re.UNICODE) for p in data["cut_patterns"]]
    data["signature_re"] = re.compile(data["signature"], re.UNICODE)
    data["stop"] = frozenset(data["stop_words"])
    return data


def clean(text: str) -> str:
    """The claim's words only: links cut, a copied tweet's signature reduced to its author's
    name, '#' and '@' removed (hashtags and handles split at their capitals: "#MoonLanding" ->
    "Moon Landing")."""
    text = html.unescape(text or "")
    text = _rules()["signature_re"].sub(lambda m: " " + m.group("author") + " ", text)
    for pattern in _rules()["cut"]:
        text = pattern.sub(" ", text)
    text = re.sub(r"[#@]([^\W_]\w*)", lambda m: _CAMEL.sub(" ", m.group(1)).replace("_", " "), text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens without stop words, with a light plural cut ("votes" -> "vote")."""
    stop = _rules()["stop"]
    out = []
    for word in _WORD.findall(text.lower()):
        word = word.replace("’", "'").removesuffix("'s")
        if word in stop or len(word) < 2 and not word.isdigit():
            continue
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        out.append(word)
    return out


def numbers(text: str) -> set[str]:
    """Numbers in the text, without thousands separators ("1,200" and "1200" agree)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words not at a sentence start: a cheap stand-in for named things."""
    found = set()
    for match in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w'-]+)", text):
        found.add(match.group(1).lower())
    return found
