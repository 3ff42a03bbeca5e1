"""Find attributions in a parsed document: source + cue + content, as character spans.

The entry point of the rules. ``find_candidates`` runs the token-triggered rules (``rules.py``,
fired by ``triggers.py``), then the whole-document passes (``passes.py``); the filter
(``scoring.py``) chooses among the candidates, and
``quotes_after_speaker`` (``follow.py``) runs after it. Each candidate names its rule
(``rule_names``), so an analyst can see why a claim was attributed.
"""
from __future__ import annotations

from spacy.tokens import Doc

from claimkit.extract.candidate import Attribution
from claimkit.extract.context import DocumentContext
from claimkit.extract.passes import DOCUMENT_PASSES
from claimkit.extract.rule_names import ASSERTION, QUOTE_AFTER_SPEAKER
from claimkit.extract.rules import TOKEN_RULES, run_token_rules
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.extract.triggers import find_triggers
from claimkit.model import Span

__all__ = ["find_candidates", "registered_rule_names"]


def find_candidates(doc: Doc, skip: list[Span] | None = None, text: str | None = None,
                    settings: ExtractionSettings = DEFAULTS) -> tuple[list[Attribution], list[Span]]:
    """Every candidate attribution the rules propose (overlapping), and the quote regions.

    ``text`` is ``doc.text`` when the caller has it already (saves rebuilding it)."""
    ctx = DocumentContext(doc, skip, text, settings)
    run_token_rules(ctx, find_triggers(doc, settings))
    for document_pass in DOCUMENT_PASSES:
        document_pass.run(ctx)
    return ctx.found, ctx.quotes


def registered_rule_names() -> frozenset[str]:
    """Every rule name a claim can carry: token rules, document passes, the rule after the
    filter, and the article's own assertions."""
    names = {name for rule in TOKEN_RULES for name in rule.names}
    names |= {name for document_pass in DOCUMENT_PASSES for name in document_pass.names}
    return frozenset(names | {QUOTE_AFTER_SPEAKER, ASSERTION})
