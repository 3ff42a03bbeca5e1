"""Where quotations and paragraphs lie around a cue: the span shaping that rules share.

A ``TextGeometry`` holds one article's text and quote regions and answers questions such as
"which quotation is this offset in", "does a quotation touch this cue clause", "does the quote
go on after the cue sentence". It knows nothing about rules; rules ask it to shape spans.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from spacy.tokens import Token

from claimkit.extract.candidate import Attribution
from claimkit.extract.quotes import inside, quote_regions
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.model import Span

# What a quotation that hands over to its cue ends with ("…,” she said; "…?” he asked).
OPEN_QUOTE_ENDINGS = (",", "?", "!", "—", "―", "-")
_CLOSING_MARKS = "”\"'’» "
SENTENCE_ENDINGS = (".", "?", "!")


@lru_cache(maxsize=4)
def clause_end_pattern(max_chars: int) -> re.Pattern:
    """From the end of "…," X said to the full stop that closes the cue clause. A full stop
    inside an abbreviation ("Fort Mill, S.C.") is not followed by a space."""
    return re.compile(r"(?:[^.!?\n“”\"]|[.!?](?!\s)){0,%d}[.!?](?=\s|$)" % max_chars)


@lru_cache(maxsize=4)
def interruption_pattern(max_chars: int) -> re.Pattern:
    """From the end of "“A,” X said" to the quotation that resumes in the same sentence:
    ", “B …”"; the cue clause may run on a little ("…,” she said in a statement, “…”)."""
    return re.compile(r"[^.!?\n“”\"]{0,%d}[,;:—―–][ \t]*(?=[“\"]|'')" % max_chars)


class TextGeometry:
    """Quote regions and paragraphs of one article text."""

    def __init__(self, text: str, settings: ExtractionSettings = DEFAULTS) -> None:
        self.text = text
        self.settings = settings
        self.quotes = quote_regions(text)
        self.quote_starts = [q[0] for q in self.quotes]
        self.clause_end = clause_end_pattern(settings.clause_end_chars)
        self.interruption = interruption_pattern(settings.interruption_chars)

    def quote_at(self, pos: int) -> Span | None:
        """The quotation that holds offset ``pos``, if any."""
        i = bisect.bisect_right(self.quote_starts, pos) - 1
        if i >= 0 and pos < self.quotes[i][1]:
            return self.quotes[i]
        return None

    def extend_to_quotes(self, span: Span) -> Span:
        """Grow a content span to cover the whole of any quotation it starts or ends inside."""
        reach = self.settings.quote_reach_chars
        s, e = span
        q = self.quote_at(s)
        if q is not None:
            s = min(s, q[0])
            e = max(e, q[1]) if q[1] - e < reach else e
        q = self.quote_at(max(e - 1, s))
        if q is not None and q[1] - e < reach:
            e = max(e, q[1])
            s = min(s, q[0])
        return s, e

    def clip_to_paragraph(self, span: Span, tok: Token) -> Span | None:
        """Parses run across paragraph breaks; content stays in the cue's paragraph unless a
        quotation that starts there carries it on."""
        text = self.text
        para_start = text.rfind("\n", 0, tok.idx) + 1
        para_end = text.find("\n", tok.idx)
        para_end = len(text) if para_end < 0 else para_end
        s, e = span
        quote = self.quote_at(s)
        if quote is not None and quote[0] >= para_start:
            para_end = max(para_end, quote[1])
        s, e = max(s, para_start), min(e, para_end)
        return (s, e) if e > s else None

    def through_colon(self, span: Span, tok: Token) -> Span:
        """A clause that announces a list ("three things happen at once: …") runs on past the colon."""
        s, e = span
        rest = self.text[e:e + 2].lstrip()
        if rest.startswith(":") and e > tok.idx:
            return s, max(e, tok.sent.end_char)
        return span

    def last_quoted_char(self, quote: Span) -> str:
        return self.text[quote[0]:quote[1]].rstrip(_CLOSING_MARKS)[-1:]

    def hands_over(self, quote: Span) -> bool:
        """The quotation ends with a comma and words follow on its line: it has a cue of its
        own ("“B,” she said."), so it does not continue the one before."""
        rest = self.text[quote[1]:quote[1] + 2]
        return self.last_quoted_char(quote) == "," and rest[:1] == " " and rest[1:2].isalpha()

    def ends_open(self, quote: Span) -> bool:
        """The quotation hands over to a cue ("…,” she said; "…?” he asked) rather than
        closing its sentence with a full stop."""
        return self.last_quoted_char(quote) in OPEN_QUOTE_ENDINGS

    def ends_a_sentence_begun_before(self, quote: Span) -> bool:
        """"… telling him to “sit down.” She replied …": the quotation closes a sentence that
        opened before it, so it is that sentence's words, not the next cue's."""
        if self.last_quoted_char(quote) not in SENTENCE_ENDINGS:
            return False
        before = self.text[max(0, quote[0] - 40):quote[0]].rstrip(" ")
        return bool(before) and (before[-1].isalnum() or before[-1] in ",;:")

    def adjacent_quote(self, tok: Token, subj: Token | None) -> Span | None:
        """A quotation touching the cue's clause: only punctuation/space between them."""
        clause = [tok] + ([t for t in subj.subtree] if subj is not None else [])
        clause += [c for c in tok.children if c.dep_ in ("aux", "neg", "advmod", "npadvmod", "dative")]
        # words the parser hangs on the cue from inside the quotation ("…probably not," she
        # said: "not" as the verb's negation) belong to the quotation, not to the cue clause
        clause = [t for t in clause if t.i == tok.i or self.quote_at(t.idx) is None]
        lo = min(t.idx for t in clause)
        hi = max(t.idx + len(t.text) for t in clause)
        i = bisect.bisect_left(self.quote_starts, hi)
        before = self.quotes[i - 1] if i > 0 else None
        after = self.quotes[i] if i < len(self.quotes) else None
        if (before is not None and before[1] <= lo and not self.text[before[1]:lo].strip(" ,\n—―-")
                and not self.ends_a_sentence_begun_before(before)):
            return before
        if after is not None and not self.text[hi:after[0]].strip(" ,:\n—―-"):
            return after
        return None

    def with_interrupted_quote(self, content: list[Span], att: Attribution) -> list[Span]:
        """"“My hope,” he said, “is that …”": when the content is a quotation that ends before
        the cue and another quotation opens right after the cue clause, in the same sentence,
        both halves are what was said."""
        if not att.cue or not self.quotes or att.content_end > min(s for s, _ in att.cue):
            return content
        if inside(content[-1], self.quotes) < self.settings.mostly_quoted:
            return content
        clause_end = max(e for _, e in att.cue + att.source)
        m = self.interruption.match(self.text, clause_end)
        if m is None:
            return content
        quote = self.quote_at(m.end())
        if quote is None or quote[0] != m.end():
            return content
        return content + [quote]

    def with_continued_quotes(self, content: list[Span], att: Attribution) -> list[Span]:
        """"“A,” X said. “B.”": a quotation that resumes right after the cue belongs to it too."""
        if not att.cue or not self.quotes:
            return content
        last_end = max(max(e for _, e in content), max(e for _, e in att.cue), *(e for _, e in att.source))
        if inside(content[-1], self.quotes) < self.settings.mostly_quoted:
            return content
        m = self.clause_end.match(self.text, last_end)
        if m is None:
            return content
        pos = m.end()
        content_end = max(e for _, e in content)
        for qs, qe in self.quotes:
            if qs < pos or qs < content_end:
                continue
            gap = self.text[pos:qs]
            if gap.strip() or "\n" in gap or self.hands_over((qs, qe)):
                break
            content = content + [(qs, qe)]
            pos = qe
        return content
