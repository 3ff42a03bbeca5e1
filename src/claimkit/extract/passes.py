"""Whole-document passes: attributions found from the text's layout rather than a cue word.

They run after the token-triggered rules (``rules.py``) and read the lines and quotations of
the whole article: speaker labels ("NAME: …"), a name and colon before a quotation, and
quotations signed with a dash. Each pass is ``(context) -> None`` and adds candidates.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Span as SpacySpan

from claimkit.extract.candidate import Attribution
from claimkit.extract.context import DocumentContext
from claimkit.extract.entities import entity_index
from claimkit.extract.rule_names import QUOTE_DASH, SPEAKER_LABEL
from claimkit.extract.senses import format_labels
from claimkit.extract.settings import ExtractionSettings
from claimkit.extract.spans import next_non_space
from claimkit.model import Span

# Small words a headline's label may keep in lower case ("Clinton to Planned Parenthood: …").
HEADLINE_LINK_WORDS = frozenset({"to", "at", "on", "of", "and", "in", "for", "from", "with", "vs."})
DASHES = "―—–"
NAME_PARTICLES = frozenset({"de", "da", "di", "del", "della", "der", "den", "van", "von", "la", "le",
                            "du", "dos", "bin", "ibn", "al", "el"})
NAME_MAX_WORDS = 5
NAME_ENTITIES = ("PERSON", "ORG", "NORP")
PLACE_ENTITIES = ("GPE", "LOC")
# What may open a transcript line before the speaker's label: quote marks, space, ">".
_LABEL_LEAD = " \t\"“‘'>"
# Capitalised words (with "and", initials) right before a colon that opens a quotation.
_NAME_BEFORE_COLON = re.compile(
    r"((?:[A-Z][\w.'’-]*)(?:\s+(?:[A-Z][\w.'’-]*|and|de|van|von))*)\s*(:)\s*$")
_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")
# A paragraph that is a quotation signed with a dash: “…” ― Name
# An embedded social-media post as a page's text shows it: the post, then a line signing it
# with a dash, the author's name and handle ("— Ben Adler (@benadler) May 2, 2025").
_POST_SIGNATURE = re.compile(r"^[ \t]*[―—–-][ \t]*([^\n(@]{2,60}?)[ \t]*\(@\w{1,30}\)[^\n]*$", re.MULTILINE)
_SIGNED_PARAGRAPH = re.compile(r"^[ \t]*([“”\"][^\n]*[”\"])[ \t\u00a0]*[―—–]", re.MULTILINE)


def speaker_labels(ctx: DocumentContext) -> None:
    """Transcript lines and headlines: ``NAME: what they said`` at a line start (also inside
    a quotation that opens the line, as transcripts quoted in an article are printed). In a
    transcript (two labels or more) a speaker's turn runs on over the unlabelled paragraphs
    that follow, up to the next label or stage direction ("(CROSSTALK)")."""
    text, settings = ctx.text, ctx.settings
    turns: list[tuple[int, int, int, int, int]] = []  # line, label start / end, colon, line end
    breaks: list[int] = []  # lines whose label ends a turn but names no speaker
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        label_start = start + len(line) - len(line.lstrip(_LABEL_LEAD))
        colon = line.find(":", label_start - start)
        if colon <= 0 or colon - (label_start - start) > settings.label_max_chars or ctx.in_skip(start):
            continue
        label_end = start + len(line[:colon].rstrip())
        words = text[label_start:label_end].split()
        if words and (" ".join(words).lower() in format_labels() or words in (["Q"], ["A"])
                      or (words[0].lower() in format_labels() and not written_like_a_name(" ".join(words)))):
            breaks.append(start)  # "Q&A: …", "Update: …", an interviewer's "Q:": nobody's turn
            continue
        if start == 0 and headline_label(words, settings):
            # the headline "Poll: …", "Clinton camp: …": who or what says it, the filter judges
            turns.append((start, label_start, label_end, start + colon, start + len(line)))
            continue
        if not (1 <= len(words) <= settings.label_max_words) or not all(w[:1].isupper() for w in words):
            continue
        if is_name_label(ctx, label_start, label_end):
            turns.append((start, label_start, label_end, start + colon, start + len(line)))
    for i, (line_start, label_start, label_end, colon, line_end) in enumerate(turns):
        content = [(colon + 1, line_end)]
        if len(turns) >= 2 and line_start > 0:  # a headline "Name: …" is no turn
            next_turn = min([turns[i + 1][0] if i + 1 < len(turns) else len(text)]
                            + [b for b in breaks if b > line_end])
            content += turn_continues(ctx, line_end, next_turn)
        ctx.add(Attribution(cue=[(colon, colon + 1)], content=content,
                            source=[(label_start, label_end)], rule=SPEAKER_LABEL, cue_lemma=":"))


def headline_label(words: list[str], settings: ExtractionSettings) -> bool:
    """A headline's label before its colon: a few capitalised words ("Clinton to Planned
    Parenthood": small linking words may stay lower-case)."""
    return (1 <= len(words) <= settings.headline_label_max_words and words[0][:1].isupper()
            and all(w[:1].isupper() or w in HEADLINE_LINK_WORDS for w in words))


def named_colon_quotes(ctx: DocumentContext) -> None:
    """``… Jeffrey M. Jones: “…”`` inside a line: a name, a colon, and a quotation."""
    reach = ctx.settings.name_before_colon_chars
    for qs, qe in ctx.quotes:
        m = _NAME_BEFORE_COLON.search(ctx.text, max(0, qs - reach), qs)
        if m is None:
            continue
        s, e = m.span(1)
        if ctx.in_skip(s) or not names_someone(ctx, s, e):
            continue
        ctx.add(Attribution(cue=[(m.start(2), m.start(2) + 1)], content=[(qs, qe)],
                            source=[(s, e)], rule=SPEAKER_LABEL, cue_lemma=":"))


def quote_dash(ctx: DocumentContext) -> None:
    """``"…" ― Name``: a quotation signed with a dash, as in vox-pop collections. Such a
    paragraph is one quotation even when its marks do not pair up (an opening ” or a
    quotation nested inside), so whole paragraphs that look like one count as well."""
    text, settings = ctx.text, ctx.settings
    signed_paragraphs = [(m.start(1), m.end(1)) for m in _SIGNED_PARAGRAPH.finditer(text)]
    for qs, qe in sorted(set(ctx.quotes) | set(signed_paragraphs)):
        rest = text[qe:qe + settings.signature_reach_chars]
        stripped = rest.lstrip(" \u00a0")
        # an epigraph signs its quotation on the next line: '"…"\n— Name, Place, date'
        next_line = stripped.startswith("\n")
        if next_line:
            stripped = stripped[1:].lstrip(" \u00a0")
        if not stripped or stripped[0] not in DASHES:
            continue
        dash = qe + (len(rest) - len(stripped))
        name_start = next_non_space(text, dash + 1)
        name = signature_name(text, name_start, settings)
        if not name or not name[:1].isupper() or len(name.split()) > settings.signature_max_words:
            continue
        if next_line and not (written_like_a_name(name) or names_someone(ctx, name_start, name_start + len(name))):
            continue  # a dashed list item after a quotation, not a signature
        if any(a.content_start <= qs < a.content_end for a in ctx.found):
            continue  # already someone's content: the dash is inside it
        ctx.add(Attribution(cue=[(dash, dash + 1)], content=[(qs, qe)],
                            source=[(name_start, name_start + len(name))], rule=QUOTE_DASH,
                            cue_lemma="―"))


def signed_posts(ctx: DocumentContext) -> None:
    """An embedded post and the line that signs it with its author's name and handle: the post
    is the author's words, quotation marks or not."""
    text = ctx.text
    for m in _POST_SIGNATURE.finditer(text):
        post_end = m.start()
        while post_end > 0 and text[post_end - 1].isspace():
            post_end -= 1
        post_start = text.rfind("\n", 0, post_end) + 1
        name_start, name_end = m.span(1)
        if post_end <= post_start or ctx.in_skip(post_start) or not written_like_a_name(m.group(1)):
            continue
        if any(a.content_start <= post_start < a.content_end for a in ctx.found):
            continue
        dash = next_non_space(text, m.start())
        ctx.add(Attribution(cue=[(dash, dash + 1)], content=[(post_start, post_end)],
                            source=[(name_start, name_end)], rule=QUOTE_DASH, cue_lemma="―"))


def signature_name(text: str, start: int, settings: ExtractionSettings) -> str:
    """The name a dash signs with: up to the end of its line, or to the first comma when a
    place, a date or a description follows ("Ana Ruiz, Port Town, May 4, 2019")."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    end = min(line_end, start + settings.signature_max_chars)
    signature = text[start:end]
    comma = signature.find(",")
    if comma > 0:
        signature = signature[:comma]
    return signature.rstrip(" .\u00a0")


def written_like_a_name(words: str) -> bool:
    """A few capitalised words, particles allowed ("Ana de la Cruz"): how a name is written
    where the entity recogniser, with no sentence around it, may not see one."""
    parts = words.split()
    return 1 <= len(parts) <= NAME_MAX_WORDS and parts[0][:1].isupper() and all(
        p[:1].isupper() or p in NAME_PARTICLES for p in parts)


def names_someone(ctx: DocumentContext, s: int, e: int) -> bool:
    """The phrase ends in a person's or organisation's name ("Frank Newport and Jim Harter")."""
    return any(ent.label_ in NAME_ENTITIES and s <= ent.start_char and ent.end_char >= e - 1
               for ent in entity_index(ctx.doc).within(s, e + 1))


def turn_continues(ctx: DocumentContext, pos: int, next_turn: int) -> list[Span]:
    """The unlabelled paragraphs of a transcript turn, from ``pos`` up to the next turn."""
    spans: list[Span] = []
    for m in _PARAGRAPH.finditer(ctx.text, pos, next_turn):
        para = m.group().strip().lstrip(_LABEL_LEAD)
        if para.startswith(("(", "[")) or para.endswith(":") or ctx.in_skip(m.start()):
            break  # a stage direction, or a line that introduces something else
        spans.append(m.span())
    return spans


def is_name_label(ctx: DocumentContext, s: int, e: int) -> bool:
    """The label before a colon names someone: an acronym-like capitals label, a named entity,
    or a name the article uses elsewhere."""
    span: SpacySpan | None = ctx.doc.char_span(s, e, alignment_mode="expand")
    if span is None:
        return False
    index = entity_index(ctx.doc)
    label = ctx.text[s:e]
    # "California: Homeless youth are eligible …": a place heading a list of news by state, even
    # where the tagger ran the label into an organisation with the next word
    if any(ent.label_ in PLACE_ENTITIES and ent.text == label for ent in index.ents):
        return False
    if span.text.isupper() and len(span.text) > 2:
        return True
    if any(ent.label_ in NAME_ENTITIES for ent in index.covering(s + 1, e - 1)):
        return True
    # Title case fools the tagger in headlines ("Sanders: Clinton Email Story Has Moved"):
    # a label that names someone the article names elsewhere is a name too.
    return any(ent.label_ in NAME_ENTITIES and (ent.start_char >= e or ent.end_char <= s) and
               (ent.text == label or ent.text.endswith(" " + label)) for ent in index.ents)


@dataclass(frozen=True)
class DocumentPass:
    """A rule that reads the whole document: the rule names it gives and the function."""
    names: tuple[str, ...]
    run: Callable[[DocumentContext], None]


# In this order: quote_dash skips quotations that an earlier candidate already holds.
DOCUMENT_PASSES: tuple[DocumentPass, ...] = (
    DocumentPass((SPEAKER_LABEL,), speaker_labels),
    DocumentPass((SPEAKER_LABEL,), named_colon_quotes),
    DocumentPass((QUOTE_DASH,), quote_dash),
    DocumentPass((QUOTE_DASH,), signed_posts),
)
