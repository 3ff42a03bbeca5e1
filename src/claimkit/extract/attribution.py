"""Find attributions in a parsed document: source + cue + content, as character spans.

Each rule reads the dependency parse around a cue word and names itself in ``Attribution.rule``,
so an analyst can see why a claim was attributed. The cue words come from the lexicon in
``cues.py`` (data), the structural patterns are here:

- ``verb-ccomp``      X said (that) CONTENT / CONTENT, X said          (complement clause)
- ``verb-xcomp``      X wants / plans / vowed to CONTENT                (intention)
- ``verb-object``     X denied CONTENT / X called CONTENT CONTENT       (object as content)
- ``verb-prep``       X called for CONTENT / X warned of CONTENT
- ``verb-colon``      X said: CONTENT                                   (also a following quote)
- ``verb-quote``      "CONTENT," X said / X said, "CONTENT"             (adjacent quotation)
- ``parenthetical``   CONTENT, X said, CONTENT                           (cue hangs off content)
- ``according-to``    according to X, CONTENT
- ``noun-cue``        X's claim that CONTENT / US claims that CONTENT
- ``quote-dash``      "CONTENT" ― Name
- ``speaker-label``   NAME: CONTENT                                     (transcripts, headlines)
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span as SpacySpan, Token

from claimkit.extract import cues
from claimkit.extract.entities import entity_index
from claimkit.extract.quotes import inside, quote_regions
from claimkit.model import Span

# Thresholds on the learned cue probability (tuned on PolNeAR dev).
VERB_CUE_MIN_P = 0.01
NOUN_CUE_MIN_P = 0.05
# Subjects that carry no source: "it was reported that …", "there are claims that …".
EXPLETIVES = {"it", "there"}
CONTENT_CLAUSE_DEPS = ("ccomp",)
OBJECT_DEPS = ("dobj", "oprd", "attr")
CONTENT_PREPS = {"for", "of", "about", "on", "to", "against", "that"}
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
# Right-hand dependents that are not part of what the cue verb reports.
LOOSE_DEPS = {"punct", "cc", "conj", "advcl", "npadvmod", "advmod", "mark", "prt", "aux", "neg",
              "parataxis", "dep", "meta"}
# Prepositions that still name the source ("the mayor of Geneva", "a spokesman for the firm");
# others ("a reporter after arriving …", "officials on Tuesday") are dropped from it.
SOURCE_PREPS = {"of", "for", "from", "at", "with"}
# Clauses whose subject is inherited from the verb they hang on ("…, saying …", "and added …").
SUBJECT_SHARING_DEPS = ("xcomp", "conj", "advcl", "pcomp")
DASHES = "―—–"
TIME_ENTITIES = ("DATE", "TIME")
NAME_ENTITIES = ("PERSON", "ORG", "NORP")
WH_TAGS = ("WDT", "WP", "WP$")
# Rules whose reading competes with a quotation that ends right before the cue clause.
READINGS_BESIDE_A_QUOTE = ("verb-object", "verb-prep", "verb-xcomp")
# What a quotation that hands over to its cue ends with ("…,” she said; "…?” he asked).
OPEN_QUOTE_ENDINGS = (",", "?", "!", "—", "―", "-")
_CLOSING_MARKS = "”\"'’» "
_BREAKS_KEY = "claimkit_line_breaks"  # Doc.user_data: token indices of line breaks

# From the end of "…," X said to the full stop that closes the cue clause. A full stop inside an
# abbreviation ("Fort Mill, S.C.") is not followed by a space.
_CLAUSE_END = re.compile(r"(?:[^.!?\n“”\"]|[.!?](?!\s)){0,200}[.!?](?=\s|$)")
# From the end of "“A,” X said" to the quotation that resumes in the same sentence: ", “B …”";
# the cue clause may run on a little ("…,” she said in a statement, “…”).
_INTERRUPTION = re.compile(r"[^.!?\n“”\"]{0,80}[,;:—―–][ \t]*(?=[“\"]|'')")
# What may open a transcript line before the speaker's label: quote marks, space, ">".
_LABEL_LEAD = " \t\"“‘'>"
# Capitalised words (with "and", initials) right before a colon that opens a quotation.
_NAME_BEFORE_COLON = re.compile(
    r"((?:[A-Z][\w.'’-]*)(?:\s+(?:[A-Z][\w.'’-]*|and|de|van|von))*)\s*(:)\s*$")
_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")
# A paragraph that is a quotation signed with a dash: “…” ― Name
_SIGNED_PARAGRAPH = re.compile(r"^[ \t]*([“”\"][^\n]*[”\"])[ \t\u00a0]*[―—–]", re.MULTILINE)
LEADING_TRIM = set(" \t\n,;:")
TRAILING_TRIM = set(" \t\n,;:")


@dataclass
class Attribution:
    cue: list[Span]
    content: list[Span]
    source: list[Span] = field(default_factory=list)
    rule: str = ""
    cue_lemma: str = ""
    cue_token: int | None = None  # token index of the cue head
    continued: bool = False  # content includes a quotation resumed after the cue sentence
    source_root: int | None = None  # token index of the source's head word

    @property
    def content_start(self) -> int:
        return min(s for s, _ in self.content)

    @property
    def content_end(self) -> int:
        return max(e for _, e in self.content)


def extent(att: Attribution) -> Span:
    """The stretch of text an attribution touches: source, cue and content together."""
    spans = att.content + att.cue + att.source
    return min(s for s, _ in spans), max(e for _, e in spans)


def neighbours(cands: list[Attribution]) -> list[list[Attribution]]:
    """For each candidate, the others whose extent overlaps its own (the only ones it can
    conflict with). Sorted starts plus the longest extent keep this near-linear."""
    if not cands:
        return []
    extents = [extent(a) for a in cands]
    order = sorted(range(len(cands)), key=lambda i: extents[i][0])
    starts = [extents[i][0] for i in order]
    longest = max(e - s for s, e in extents)
    out = []
    for i, (s, e) in enumerate(extents):
        lo = bisect.bisect_left(starts, s - longest)
        hi = bisect.bisect_left(starts, e)
        out.append([cands[order[j]] for j in range(lo, hi)
                    if order[j] != i and extents[order[j]][1] > s])
    return out


def token_span(tokens: Iterable[Token]) -> Span | None:
    toks = sorted(tokens, key=lambda t: t.i)
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def subtree_span(tok: Token, exclude: Iterable[int] = ()) -> Span:
    """Character span of a token's subtree, leaving out excluded tokens at its edges."""
    excluded = set(exclude)
    toks = [t for t in tok.subtree if t.i not in excluded]
    return token_span(toks) or (tok.idx, tok.idx + len(tok.text))


def trim(text: str, span: Span) -> Span | None:
    """The span without the spaces and separators at its edges; None when nothing is left that
    is not punctuation (the full stop after "…, according to X.")."""
    if not any(ch.isalnum() for ch in text[span[0]:span[1]]):
        return None
    s, e = span
    while s < e and text[s] in LEADING_TRIM:
        s += 1
    while e > s and text[e - 1] in TRAILING_TRIM:
        e -= 1
    return (s, e) if e > s else None


def span_minus(span: Span, hole: Span) -> list[Span]:
    s, e = span
    hs, he = hole
    pieces = []
    if hs > s:
        pieces.append((s, min(hs, e)))
    if he < e:
        pieces.append((max(he, s), e))
    return [p for p in pieces if p[1] > p[0]]


def cue_tokens(tok: Token) -> list[Token]:
    """The cue head with its auxiliaries and negation ("has said", "did not deny")."""
    parts = [tok] + [c for c in tok.children if c.dep_ in ("aux", "auxpass", "neg")]
    parts += [c for c in tok.children if c.dep_ == "prt"]  # "pointed out"
    return parts


def source_tokens(subj: Token) -> list[Token]:
    """The source phrase: the subject's subtree without relative clauses hanging off it."""
    toks = []
    skip: set[int] = set()
    for c in subj.children:
        if (c.dep_ in ("relcl", "acl", "advcl", "advmod") and c.i > subj.i) or \
                (c.dep_ == "prep" and c.i > subj.i and c.lower_ not in SOURCE_PREPS) or \
                (c.dep_ == "punct" and c.i > subj.i):
            skip.update(t.i for t in c.subtree)
    for t in subj.subtree:
        if t.i not in skip:
            toks.append(t)
    # keep the contiguous block around the head, within its paragraph: a parse that runs over a
    # line break hangs datelines and headlines ("5:45 p.m.", "The Latest: …") on the subject
    lo, hi = paragraph_bounds(subj)
    toks.sort(key=lambda t: t.i)
    block = [t for t in toks if abs(t.i - subj.i) <= 12 and lo <= t.i <= hi]
    return block or [subj]


def paragraph_bounds(tok: Token) -> tuple[int, int]:
    """The first and last token index of ``tok``'s paragraph (line breaks are space tokens)."""
    breaks = line_break_tokens(tok.doc)
    i = bisect.bisect_left(breaks, tok.i)
    lo = breaks[i - 1] + 1 if i > 0 else 0
    if i < len(breaks) and breaks[i] == tok.i:
        return lo, tok.i
    hi = breaks[i] - 1 if i < len(breaks) else len(tok.doc) - 1
    return lo, hi


def line_break_tokens(doc: Doc) -> list[int]:
    """Indices of the tokens that hold a line break, found once per document (a walk to the
    paragraph's edges per cue would make a long one-paragraph article quadratic)."""
    breaks = doc.user_data.get(_BREAKS_KEY)
    if breaks is None:
        breaks = doc.user_data[_BREAKS_KEY] = [t.i for t in doc if "\n" in t.text_with_ws]
    return breaks


def find_subject(verb: Token) -> Token | None:
    """The verb's subject (see ``parsed_subject``), taken from the verb's own paragraph: when the
    parse runs over a line break and finds it in a headline above, the phrase that opens the
    verb's paragraph is the subject ("5:45 p.m.\n\nThe governor's doctor is calling …")."""
    subj = parsed_subject(verb)
    if subj is None:
        return None
    lo, hi = paragraph_bounds(verb)
    if lo <= subj.i <= hi:
        return subj
    if verb.i <= lo:
        return None
    opening = verb.doc[lo:verb.i].root
    return opening if opening.pos_ in ("NOUN", "PROPN", "PRON") else None


def parsed_subject(verb: Token) -> Token | None:
    """The verb's subject, inherited through xcomp / conj / participle clauses when it has none."""
    cur = verb
    for _ in range(4):
        for c in cur.children:
            if c.dep_ in SUBJECT_DEPS and not (c.dep_ == "nsubjpass" and cur is verb):
                return c
        agent = next((c for c in cur.children if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        if cur.dep_ in SUBJECT_SHARING_DEPS and cur.head is not cur:
            cur = cur.head
            continue
        if cur.dep_ == "prep" and cur.head.pos_ in ("VERB", "AUX"):
            cur = cur.head  # "responded by saying …", "despite admitting …": the clause's subject
            continue
        if cur.dep_ == "acl" and cur.head.pos_ in ("NOUN", "PROPN"):
            return cur.head  # "a statement saying …" -> the statement
        break
    return None


def is_expletive(tok: Token | None) -> bool:
    """ "It was reported that …", "It is clear that …": a dummy subject, no source. "It says …"
    (a report, a poll) is a real one."""
    if tok is None or tok.lower_ not in EXPLETIVES or tok.pos_ != "PRON":
        return False
    verb = tok.head
    return (tok.lower_ == "there" or tok.dep_ == "nsubjpass" or tok.dep_ == "expl"
            or any(c.dep_ in ("auxpass", "acomp") for c in verb.children) or verb.lemma_ == "be")


class AttributionFinder:
    """Applies the rules to one document. Stateless between documents."""

    def __init__(self, doc: Doc, skip: list[Span] | None = None, text: str | None = None) -> None:
        self.doc = doc
        # spaCy joins all tokens to build Doc.text on every access: take it once, from the caller
        self.text = doc.text if text is None else text
        self.quotes = quote_regions(self.text)
        self.quote_starts = [q[0] for q in self.quotes]
        self.skip = skip or []
        self.found: list[Attribution] = []
        self.used_cues: set[int] = set()

    # --- helpers -----------------------------------------------------------------------------
    def in_skip(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.skip)

    def quote_at(self, pos: int) -> Span | None:
        i = bisect.bisect_right(self.quote_starts, pos) - 1
        if i >= 0 and pos < self.quotes[i][1]:
            return self.quotes[i]
        return None

    def extend_to_quotes(self, span: Span) -> Span:
        """Grow a content span to cover the whole of any quotation it starts or ends inside."""
        s, e = span
        q = self.quote_at(s)
        if q is not None:
            s = min(s, q[0])
            e = max(e, q[1]) if q[1] - e < 400 else e
        q = self.quote_at(max(e - 1, s))
        if q is not None and q[1] - e < 400:
            e = max(e, q[1])
            s = min(s, q[0])
        return s, e

    def add(self, att: Attribution) -> None:
        content = [c for c in (trim(self.text, sp) for sp in att.content) if c]
        source = [c for c in (trim(self.text, sp) for sp in att.source) if c]
        if not content or sum(e - s for s, e in content) < 3:
            return
        att.content = content
        att.source = source
        if att.cue_token is not None:
            self.used_cues.add(att.cue_token)
        self.found.append(att)
        # "“A,” X said, “B.”": a quotation interrupted by its own cue clause is one content.
        content = self.with_interrupted_quote(content, att)
        att.content = content
        # Whether a quotation resumed after "…," X said. belongs to the same attribution varies
        # by writer: propose both readings and let the filter choose (they conflict on the cue).
        longer = self.with_continued_quotes(content, att)
        if longer != content:
            self.found.append(replace(att, content=longer, continued=True))

    # --- rules -------------------------------------------------------------------------------
    def run(self) -> list[Attribution]:
        verb_cues = cues.cue_lemmas("V", VERB_CUE_MIN_P)
        noun_cues = cues.cue_lemmas("N", NOUN_CUE_MIN_P)
        n = len(self.doc)
        for tok in self.doc:
            # cheap lexical tests first: this loop sees every token of the article
            pos = tok.pos_
            if tok.lower_ == "according":
                rule = self.according_to if tok.i + 1 < n and self.doc[tok.i + 1].lower_ == "to" else None
            elif pos in ("VERB", "AUX"):
                rule = self.verb_cue if tok.lemma_.lower() in verb_cues else None
            elif pos in ("NOUN", "PROPN"):
                rule = self.noun_cue if tok.lemma_.lower() in noun_cues else None
            else:
                rule = None
            if rule is None or tok.i in self.used_cues or (self.skip and self.in_skip(tok.idx)):
                continue
            rule(tok)
        self.speaker_labels()
        self.named_colon_quotes()
        self.quote_dash()
        return self.found

    def according_to(self, tok: Token) -> None:
        to = self.doc[tok.i + 1]
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        phrase = token_span(list(tok.subtree) + list(to.subtree)) or (tok.idx, to.idx + 2)
        sent = tok.sent
        sent_span = (sent.start_char, sent.end_char)
        pieces = (self.clip_to_paragraph(p, tok) for p in span_minus(sent_span, phrase))
        content = [self.extend_to_quotes(p) for p in pieces if p]
        source = [token_span(source_tokens(pobj))] if pobj is not None else []
        self.add(Attribution(cue=[(tok.idx, to.idx + len(to.text))], content=content,
                             source=[s for s in source if s], rule="according-to",
                             cue_lemma="according to", cue_token=tok.i,
                             source_root=pobj.i if pobj is not None else None))

    def verb_cue(self, tok: Token) -> None:
        lemma = tok.lemma_.lower()
        p = cues.cue_probability(lemma, "V")
        if p < VERB_CUE_MIN_P or self.quote_at(tok.idx) is not None:
            return  # a verb inside a quotation is the speaker's own wording, not a new cue
        subj = find_subject(tok)
        content, rule = self.verb_content(tok, subj)
        content = [c for c in (self.clip_to_paragraph(sp, tok) for sp in content) if c]
        if not content:
            return
        source: list[Span] = []
        if subj is not None and not is_expletive(subj):
            src = token_span(source_tokens(subj))
            if src and not any(cs <= src[0] < ce for cs, ce in content):
                source = [src]
        cue = token_span([t for t in cue_tokens(tok) if t is tok or self.quote_at(t.idx) is None])
        att = Attribution(cue=[cue] if cue else [], content=content, source=source, rule=rule,
                          cue_lemma=lemma, cue_token=tok.i,
                          source_root=subj.i if source and subj is not None else None)
        self.add(att)
        # "“Why now?” he told Fox News.": the verb's object (the listener) or the quotation that
        # hands over to the cue may be what was said; propose both, the filter chooses (they
        # share the cue, so only one can stand)
        quote = self.adjacent_quote(tok, subj) if rule in READINGS_BESIDE_A_QUOTE else None
        if quote is not None and quote[1] <= tok.idx and self.ends_open(quote):
            self.add(replace(att, content=[quote], rule="verb-quote"))

    def verb_content(self, tok: Token, subj: Token | None) -> tuple[list[Span], str]:
        children = list(tok.children)
        subj_ids = {t.i for t in subj.subtree} if subj is not None else set()
        # X said: CONTENT
        colon = next((c for c in children if c.text == ":" and c.i > tok.i and c.i - tok.i <= 3), None)
        if colon is not None:
            start = colon.idx + 1
            end = tok.sent.end_char
            q = self.quote_at(self.next_non_space(start))
            if q is not None:
                end = max(end, q[1])
            return [self.extend_to_quotes((start, end))], "verb-colon"
        comps = [c for c in children if c.dep_ in CONTENT_CLAUSE_DEPS and c.i not in subj_ids]
        if comps:
            spans = [self.extend_to_quotes(self.through_colon(subtree_span(c), tok)) for c in comps]
            return spans, "verb-ccomp"
        xcomp = next((c for c in children if c.dep_ == "xcomp"), None)
        obj = next((c for c in children if c.dep_ in OBJECT_DEPS and c.i > tok.i), None)
        if xcomp is not None and xcomp.i > tok.i:
            start_tok = obj if obj is not None and obj.i < xcomp.i else xcomp
            s = start_tok.left_edge.idx
            e = subtree_span(xcomp)[1]
            return [(s, e)], "verb-xcomp"
        if obj is not None:
            return [self.extend_to_quotes(self.right_complements(tok))], "verb-object"
        prep = next((c for c in children if c.dep_ == "prep" and c.lower_ in CONTENT_PREPS and c.i > tok.i), None)
        pobj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep else None
        # "said on Friday" says when, not what; "said of Apple" says about whom: "say" reports
        # through its clause or a quotation, never through a preposition
        if pobj is not None and pobj.ent_type_ not in TIME_ENTITIES and tok.lemma_ != "say":
            span = self.right_complements(tok)
            return [self.extend_to_quotes((pobj.left_edge.idx, span[1]))], "verb-prep"
        # "…," X said / X said, "…": a quotation right next to the cue clause
        q = self.adjacent_quote(tok, subj)
        if q is not None:
            return [q], "verb-quote"
        # CONTENT, X said, CONTENT: the cue hangs off the content clause
        has_complement = any(c.dep_ in ("ccomp", "dobj", "xcomp", "prep", "attr", "acomp") for c in children)
        if (tok.dep_ in ("parataxis", "advcl", "ccomp", "conj") and tok.head is not tok
                and tok.head.pos_ in ("VERB", "AUX") and not has_complement):
            head_span = subtree_span(tok.head)
            hole = subtree_span(tok)
            pieces = span_minus(head_span, hole)
            if pieces and (tok.i > tok.head.i or head_span[0] < hole[0]):
                return [self.extend_to_quotes(p) for p in pieces], "parenthetical"
        return [], ""

    def with_interrupted_quote(self, content: list[Span], att: Attribution) -> list[Span]:
        """"“My hope,” he said, “is that …”": when the content is a quotation that ends before
        the cue and another quotation opens right after the cue clause, in the same sentence,
        both halves are what was said."""
        if not att.cue or not self.quotes or att.content_end > min(s for s, _ in att.cue):
            return content
        if inside(content[-1], self.quotes) < 0.5:
            return content
        clause_end = max(e for _, e in att.cue + att.source)
        m = _INTERRUPTION.match(self.text, clause_end)
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
        if inside(content[-1], self.quotes) < 0.5:
            return content
        m = _CLAUSE_END.match(self.text, last_end)
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

    def last_quoted_char(self, quote: Span) -> str:
        return self.text[quote[0]:quote[1]].rstrip(_CLOSING_MARKS)[-1:]

    def hands_over(self, quote: Span) -> bool:
        """The quotation ends with a comma and words follow on its line: it has a cue of its
        own ("“B,” she said."), so it does not continue the one before."""
        rest = self.text[quote[1]:quote[1] + 2]
        return self.last_quoted_char(quote) == "," and rest[:1] == " " and rest[1:2].isalpha()

    def clip_to_paragraph(self, span: Span, tok: Token) -> Span | None:
        """Parses run across paragraph breaks; content stays in the cue's paragraph unless a
        quotation that starts there carries it on."""
        para_start = self.text.rfind("\n", 0, tok.idx) + 1
        para_end = self.text.find("\n", tok.idx)
        para_end = len(self.text) if para_end < 0 else para_end
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

    def right_complements(self, tok: Token) -> Span:
        """Everything the verb governs to its right ("criticized X for Y", "blasted X as Z"),
        stopping before loosely attached clauses ("…, and", "…, while …") and before an aside
        on its last word ("…, which …")."""
        right = [c for c in tok.children if c.i > tok.i and c.dep_ not in LOOSE_DEPS]
        if not right:
            return (tok.idx + len(tok.text), tok.idx + len(tok.text))
        start = min(c.left_edge.idx for c in right)
        return start, self.end_before_aside(right[-1])

    def end_before_aside(self, head: Token) -> int:
        """Where ``head``'s phrase ends without the relative clause set off by a comma that
        closes it: "the reality of climate change|, which makes him an outlier". (Cutting
        trailing circumstances too, "| during the debate", helped on dev but not on train.)"""
        end_tok = head.right_edge
        for t in head.subtree:
            if t.i <= head.i or t.right_edge.i != end_tok.i or t.dep_ not in ("relcl", "acl"):
                continue  # only a clause that runs to the end of the phrase
            before = t.doc[t.left_edge.i - 1]
            if t.left_edge.tag_ in WH_TAGS and before.text == ",":
                return before.idx
        return end_tok.idx + len(end_tok.text)

    def next_non_space(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos].isspace():
            pos += 1
        return pos

    def ends_open(self, quote: Span) -> bool:
        """The quotation hands over to a cue ("…,” she said; "…?” he asked) rather than
        closing its sentence with a full stop."""
        return self.last_quoted_char(quote) in OPEN_QUOTE_ENDINGS

    def adjacent_quote(self, tok: Token, subj: Token | None) -> Span | None:
        """A quotation touching the cue's clause: only punctuation/space between them."""
        clause = [tok] + ([t for t in subj.subtree] if subj is not None else [])
        clause += [c for c in tok.children if c.dep_ in ("aux", "neg", "advmod", "npadvmod", "dative")]
        # words the parser hangs on the cue from inside the quotation ("…probably not," she
        # said: "not" as the verb's negation) belong to the quotation, not to the cue clause
        clause = [t for t in clause if t is tok or self.quote_at(t.idx) is None]
        lo = min(t.idx for t in clause)
        hi = max(t.idx + len(t.text) for t in clause)
        i = bisect.bisect_left(self.quote_starts, hi)
        before = self.quotes[i - 1] if i > 0 else None
        after = self.quotes[i] if i < len(self.quotes) else None
        if before is not None and before[1] <= lo and not self.text[before[1]:lo].strip(" ,\n—―-"):
            return before
        if after is not None and not self.text[hi:after[0]].strip(" ,:\n—―-"):
            return after
        return None

    def noun_cue(self, tok: Token) -> None:
        lemma = tok.lemma_.lower()
        if cues.cue_probability(lemma, "N") < NOUN_CUE_MIN_P:
            return
        clause = next((c for c in tok.children if c.dep_ in ("acl", "ccomp") and
                       any(m.dep_ == "mark" for m in c.children)), None)
        if clause is None:
            return
        owner = next((c for c in tok.children if c.dep_ in ("poss", "compound", "nmod")), None)
        if owner is None:
            by = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("by", "from")), None)
            owner = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
        source = [token_span(source_tokens(owner))] if owner is not None else []
        self.add(Attribution(cue=[(tok.idx, tok.idx + len(tok.text))],
                             content=[subtree_span(clause)], source=[s for s in source if s],
                             rule="noun-cue", cue_lemma=lemma, cue_token=tok.i,
                             source_root=owner.i if owner is not None else None))

    def speaker_labels(self) -> None:
        """Transcript lines and headlines: ``NAME: what they said`` at a line start (also inside
        a quotation that opens the line, as transcripts quoted in an article are printed). In a
        transcript (two labels or more) a speaker's turn runs on over the unlabelled paragraphs
        that follow, up to the next label or stage direction ("(CROSSTALK)")."""
        turns: list[tuple[int, int, int, int, int]] = []  # line, label start / end, colon, line end
        pos = 0
        for line in self.text.split("\n"):
            start = pos
            pos += len(line) + 1
            label_start = start + len(line) - len(line.lstrip(_LABEL_LEAD))
            colon = line.find(":", label_start - start)
            if colon <= 0 or colon - (label_start - start) > 40 or self.in_skip(start):
                continue
            label_end = start + len(line[:colon].rstrip())
            words = self.text[label_start:label_end].split()
            if not (1 <= len(words) <= 4) or not all(w[:1].isupper() for w in words):
                continue
            if self.is_name_label(label_start, label_end):
                turns.append((start, label_start, label_end, start + colon, start + len(line)))
        for i, (line_start, label_start, label_end, colon, line_end) in enumerate(turns):
            content = [(colon + 1, line_end)]
            if len(turns) >= 2 and line_start > 0:  # a headline "Name: …" is no turn
                next_turn = turns[i + 1][0] if i + 1 < len(turns) else len(self.text)
                content += self.turn_continues(line_end, next_turn)
            self.add(Attribution(cue=[(colon, colon + 1)], content=content,
                                 source=[(label_start, label_end)], rule="speaker-label",
                                 cue_lemma=":"))

    def named_colon_quotes(self) -> None:
        """``… Jeffrey M. Jones: “…”`` inside a line: a name, a colon, and a quotation."""
        for qs, qe in self.quotes:
            m = _NAME_BEFORE_COLON.search(self.text, max(0, qs - 80), qs)
            if m is None:
                continue
            s, e = m.span(1)
            if self.in_skip(s) or not self.names_someone(s, e):
                continue
            self.add(Attribution(cue=[(m.start(2), m.start(2) + 1)], content=[(qs, qe)],
                                 source=[(s, e)], rule="speaker-label", cue_lemma=":"))

    def names_someone(self, s: int, e: int) -> bool:
        """The phrase ends in a person's or organisation's name ("Frank Newport and Jim Harter")."""
        return any(ent.label_ in NAME_ENTITIES and s <= ent.start_char and ent.end_char >= e - 1
                   for ent in entity_index(self.doc).within(s, e + 1))

    def turn_continues(self, pos: int, next_turn: int) -> list[Span]:
        """The unlabelled paragraphs of a transcript turn, from ``pos`` up to the next turn."""
        spans: list[Span] = []
        for m in _PARAGRAPH.finditer(self.text, pos, next_turn):
            para = m.group().strip().lstrip(_LABEL_LEAD)
            if para.startswith(("(", "[")) or para.endswith(":") or self.in_skip(m.start()):
                break  # a stage direction, or a line that introduces something else
            spans.append(m.span())
        return spans

    def is_name_label(self, s: int, e: int) -> bool:
        span: SpacySpan | None = self.doc.char_span(s, e, alignment_mode="expand")
        if span is None:
            return False
        if span.text.isupper() and len(span.text) > 2:
            return True
        index = entity_index(self.doc)
        if any(ent.label_ in NAME_ENTITIES for ent in index.covering(s + 1, e - 1)):
            return True
        # Title case fools the tagger in headlines ("Sanders: Clinton Email Story Has Moved"):
        # a label that names someone the article names elsewhere is a name too.
        label = self.text[s:e]
        return any(ent.label_ in NAME_ENTITIES and ent.start_char >= e and
                   (ent.text == label or ent.text.endswith(" " + label)) for ent in index.ents)

    def quote_dash(self) -> None:
        """``"…" ― Name``: a quotation signed with a dash, as in vox-pop collections. Such a
        paragraph is one quotation even when its marks do not pair up (an opening ” or a
        quotation nested inside), so whole paragraphs that look like one count as well."""
        signed_paragraphs = [(m.start(1), m.end(1)) for m in _SIGNED_PARAGRAPH.finditer(self.text)]
        for qs, qe in sorted(set(self.quotes) | set(signed_paragraphs)):
            rest = self.text[qe:qe + 80]
            stripped = rest.lstrip(" \u00a0")
            if not stripped or stripped[0] not in DASHES:
                continue
            dash = qe + (len(rest) - len(stripped))
            name_start = self.next_non_space(dash + 1)
            line_end = self.text.find("\n", name_start)
            line_end = len(self.text) if line_end < 0 else line_end
            name_end = min(line_end, name_start + 60)
            name = self.text[name_start:name_end].rstrip(" .\u00a0")
            if not name or not name[:1].isupper() or len(name.split()) > 6:
                continue
            if any(a.content_start <= qs < a.content_end for a in self.found):
                continue
            self.add(Attribution(cue=[(dash, dash + 1)], content=[(qs, qe)],
                                 source=[(name_start, name_start + len(name))], rule="quote-dash",
                                 cue_lemma="―"))


def find_candidates(doc: Doc, skip: list[Span] | None = None,
                    text: str | None = None) -> tuple[list[Attribution], list[Span]]:
    """Every candidate attribution the rules propose (overlapping), and the quote regions.

    ``text`` is ``doc.text`` when the caller has it already (saves rebuilding it)."""
    finder = AttributionFinder(doc, skip, text)
    return finder.run(), finder.quotes


def quotes_after_speaker(text: str, quotes: list[Span], kept: list[Attribution]) -> list[Attribution]:
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
        if text[para_start:qs].strip() or len(text[qe:para_end].strip()) > 2 or para_start == 0:
            continue  # not a paragraph that is only a quotation
        if any(s < qe and qs < e for s, e in taken):
            continue
        prev_para_end = para_start
        while prev_para_end > 0 and text[prev_para_end - 1].isspace():
            prev_para_end -= 1
        prev_para_start = text.rfind("\n", 0, prev_para_end) + 1
        i = bisect.bisect_right(ends, prev_para_end) - 1
        if i < 0 or ends[i] < prev_para_start:
            continue
        speaker = by_end[i]
        out.append(Attribution(cue=list(speaker.cue), content=[(qs, qe)], source=list(speaker.source),
                               rule="quote-after-speaker", cue_lemma=speaker.cue_lemma,
                               cue_token=None, source_root=speaker.source_root))
    return out
