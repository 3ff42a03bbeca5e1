"""From a parsed article to its claims: candidates -> filter -> tails cut -> claims (pure, no I/O)."""
from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from claimkit.extract.attribution import find_candidates
from claimkit.extract.candidate import Attribution
from claimkit.extract.claims import ClaimBuilder, link_parents
from claimkit.extract.follow import quotes_after_speaker
from claimkit.extract.geometry import TextGeometry
from claimkit.extract.scoring import select
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.extract.tails import cut_tails
from claimkit.model import EXTRACTOR_VERSION, Article, Claim, Span


def extract_docs(article: Article, doc: Doc, settings: ExtractionSettings = DEFAULTS) -> list[Claim]:
    """All claims of one article, given its parse (``doc.text == article.text``)."""
    skip = list(article.boilerplate)
    candidates, quotes = find_candidates(doc, skip, article.text, settings)
    builder = ClaimBuilder(article, doc, quotes, EXTRACTOR_VERSION, settings)
    chosen = choose_attributions(doc, candidates, quotes, article.text, settings, skip)
    attributed = [builder.attribution_claim(att, p) for att, p in chosen]
    taken = [sp for c in attributed for sp in (*c.content, *c.source, *c.cue)]
    assertions = builder.assertion_claims(taken, article.boilerplate)
    claims = link_parents(attributed + assertions)
    return sorted(claims, key=lambda c: (c.content[0][0], c.content[-1][1]))


def choose_attributions(doc: Doc, candidates: list[Attribution], quotes: list[Span], text: str,
                        settings: ExtractionSettings = DEFAULTS,
                        skip: Sequence[Span] = ()) -> list[tuple[Attribution, float]]:
    """The filter's choice among the rules' candidates, each without the tail the speaker did not
    say (``tails.py``), plus quoted paragraphs that continue a known speaker (these need the
    chosen attributions, so they come after the filter; a quotation in a boilerplate line, such
    as a pull quote repeating the article, continues no one)."""
    geometry = TextGeometry(text, settings)
    chosen = select(candidates, doc, quotes, text, settings=settings,
                    reshape=lambda kept: cut_tails(kept, doc, quotes, text, geometry))
    quotes_in_text = [q for q in quotes if not any(s <= q[0] < e for s, e in skip)]
    follow = quotes_after_speaker(text, quotes_in_text, [a for a, _ in chosen], settings)
    return sorted(chosen + [(a, settings.follow_confidence) for a in follow],
                  key=lambda x: (x[0].content_start, x[0].content_end))
