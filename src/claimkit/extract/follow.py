"""The rule that runs after the filter: a quoted paragraph continues the last known speaker.

It needs the attributions the filter kept (whose speaker is known), so it cannot be a
candidate rule; its claims are not scored (``rule_names.UNSCORED``)."""
from __future__ import annotations

import bisect

from claimkit.extract.candidate import Attribution, extent
from claimkit.extract.rule_names import QUOTE_AFTER_SPEAKER
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.model import Span


def quotes_after_speaker(text: str, quotes: list[Span], kept: list[Attribution],
                         settings: ExtractionSettings = DEFAULTS) -> list[Attribution]:
    """A paragraph that is only a quotation, right after a paragraph whose speaker we know,
    continues that speaker ("Okafor described the plan.\n\n“It pays for itself.”")."""
    out: list[Attribution] = []
    by_end = sorted((a for a in kept if a.source and a.cue), key=lambda a: extent(a)[1])
    ends = [extent(a)[1] for a in by_end]
    taken = sorted(sp for a in kept for sp in a.content)
    for qs, qe in quotes:
        para_start = text.rfind("\n", 0, qs) + 1
        para_end = text.find("\n", qe)
        para_end = len(text) if para_end < 0 else para_end
        if (text[para_start:qs].strip() or para_start == 0
                or len(text[qe:para_end].strip()) > settings.follow_max_trailing_chars):
            continue  # not a paragraph that is only a quotation
        if any(s < qe and qs < e for s, e in taken) or _repeats_a_content(text, (qs, qe), kept):
            continue  # already someone's words, or a pull quote repeating them
        prev_para_end = para_start
        while prev_para_end > 0 and text[prev_para_end - 1].isspace():
            prev_para_end -= 1
        prev_para_start = text.rfind("\n", 0, prev_para_end) + 1
        i = bisect.bisect_right(ends, prev_para_end) - 1
        if i < 0 or ends[i] < prev_para_start:
            continue
        speaker = by_end[i]
        out.append(Attribution(cue=list(speaker.cue), content=[(qs, qe)], source=list(speaker.source),
                               rule=QUOTE_AFTER_SPEAKER, cue_lemma=speaker.cue_lemma,
                               cue_token=None, source_root=speaker.source_root))
    return out


def _repeats_a_content(text: str, quote: Span, kept: list[Attribution]) -> bool:
    """The quotation's words (quote marks, spaces and punctuation aside) are inside a content
    kept earlier in the article: a pull quote set off from the paragraph that said it."""
    words = _words(text[quote[0]:quote[1]])
    return bool(words) and any(words in _words(" ".join(text[s:e] for s, e in a.content))
                               for a in kept if a.content_start < quote[0])


def _words(text: str) -> str:
    return " ".join("".join(ch for ch in text.casefold() if ch.isalnum() or ch.isspace()).split())
