"""Named entities of a parsed document, read once and looked up by offset.

spaCy rebuilds ``Doc.ents`` (and ``Span.ents``, which walks it) on every access, so reading them
per candidate makes extraction quadratic in article length. This index is built once per Doc.
"""
from __future__ import annotations

import bisect

from spacy.tokens import Doc, Span as SpacySpan

_KEY = "claimkit_entities"


class EntityIndex:
    def __init__(self, doc: Doc) -> None:
        self.ents: list[SpacySpan] = list(doc.ents)
        self.starts = [e.start_char for e in self.ents]

    def within(self, start: int, end: int) -> list[SpacySpan]:
        """Entities lying entirely inside [start, end)."""
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.ents) and self.ents[i].start_char < end:
            if self.ents[i].end_char <= end:
                out.append(self.ents[i])
            i += 1
        return out

    def covering(self, start: int, end: int) -> list[SpacySpan]:
        """Entities that contain all of [start, end)."""
        return [e for e in self.ents[: bisect.bisect_right(self.starts, start)]
                if e.end_char >= end]

    def before(self, pos: int) -> list[SpacySpan]:
        return self.ents[: bisect.bisect_left(self.starts, pos)]


def entity_index(doc: Doc) -> EntityIndex:
    index = doc.user_data.get(_KEY)
    if index is None:
        index = doc.user_data[_KEY] = EntityIndex(doc)
    return index
