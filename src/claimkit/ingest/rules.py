"""Ingest's patterns, read once from ``data/ingest_rules.json`` (patterns are data, not code)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class IngestRules:
    line_patterns: tuple[re.Pattern[str], ...]  # boilerplate lines (byline included)
    block_tags: frozenset[str]
    block_roles: frozenset[str]
    block_class: re.Pattern[str]  # a word starting a segment of a class or id
    keep_if_contains: tuple[str, ...]  # CSS selectors of the article itself
    article_types: frozenset[str]
    json_date_keys: tuple[str, ...]
    json_body_keys: tuple[str, ...]
    date_metas: tuple[tuple[str, str], ...]
    dateline_lines: int
    dateline_class: re.Pattern[str]
    months: dict[str, int]
    front_matter_max_lines: int
    front_matter_keys: dict[str, str]  # key (casefolded) -> Article field


@lru_cache(maxsize=1)
def rules() -> IngestRules:
    """The rules of ``data/ingest_rules.json``, compiled."""
    raw = json.loads((resources.files("claimkit") / "data" / "ingest_rules.json")
                     .read_text(encoding="utf-8"))
    lines = tuple(re.compile(p, re.IGNORECASE) for p, _why in raw["line_patterns"]["patterns"])
    blocks, json_ld, dateline = raw["html_blocks"], raw["json_ld"], raw["dateline"]
    return IngestRules(
        line_patterns=lines + (re.compile(raw["byline_pattern"]["pattern"]),),
        block_tags=frozenset(blocks["tags"]),
        block_roles=frozenset(blocks["roles"]),
        block_class=_segment_words(blocks["class_words"]),
        keep_if_contains=tuple(blocks["keep_if_contains"]),
        article_types=frozenset(json_ld["article_types"]),
        json_date_keys=tuple(json_ld["date_keys"]),
        json_body_keys=tuple(json_ld["body_keys"]),
        date_metas=tuple((attr, value.casefold()) for attr, value in raw["date_metas"]["metas"]),
        dateline_lines=int(dateline["first_lines"]),
        dateline_class=_segment_words(dateline["class_words"]),
        months={k: int(v) for k, v in dateline["months"].items()},
        front_matter_max_lines=int(raw["front_matter"]["max_lines"]),
        front_matter_keys={k.casefold(): v for k, v in raw["front_matter"]["keys"].items()},
    )


def _segment_words(words: list[str]) -> re.Pattern[str]:
    # A word counts where a class-name segment starts: at the start, after "-", "_" or a space,
    # or at a camelCase hump. So "c-related-list" and "shopPromo" match, "unrelated" and
    # "workshop" do not.
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:^|[-_\s]|(?<=[a-z])(?=[A-Z]))(?i:{alternatives})")
