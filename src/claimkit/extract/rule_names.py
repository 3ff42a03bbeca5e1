"""The names of the attribution rules: the one place that spells them.

A rule's name goes into ``Claim.rule`` (so an analyst sees why a claim was attributed) and into
the filter's features (``rule=<name>``, see ``scoring.features``), so a name is part of the
shipped model: renaming one silently drops its learned weights. ``tests/test_rules.py`` checks
that every name here is a feature of the shipped model or is declared in ``UNSCORED``.
"""
from __future__ import annotations

# Token-triggered rules (rules.py). The verb readings, in the order they are tried:
VERB_COLON = "verb-colon"        # X said: CONTENT (also a following quote)
VERB_CCOMP = "verb-ccomp"        # X said (that) CONTENT / CONTENT, X said   (complement clause)
VERB_XCOMP = "verb-xcomp"        # X wants / plans / vowed to CONTENT          (intention)
VERB_OBJECT = "verb-object"      # X denied CONTENT / X called CONTENT CONTENT (object as content)
VERB_PREP = "verb-prep"          # X called for CONTENT / X warned of CONTENT
VERB_IMPRESSION = "verb-impression"  # CONTENT seems CONTENT: "the plan seems to work" (no source)
VERB_QUOTE = "verb-quote"        # "CONTENT," X said / X said, "CONTENT"       (adjacent quotation)
PARENTHETICAL = "parenthetical"  # CONTENT, X said, CONTENT                    (cue hangs off content)
ACCORDING_TO = "according-to"    # according to X, CONTENT
NOUN_CUE = "noun-cue"            # X's claim that CONTENT / US claims that CONTENT
NOUN_PREP = "noun-prep"          # X's criticism of CONTENT / support for CONTENT
IN_POLL = "in-poll"              # in a poll by X, CONTENT / CONTENT in the latest survey
ADVERB_CUE = "adverb-cue"        # CONTENT reportedly CONTENT                  (no source)
ADJECTIVE_CUE = "adjective-cue"  # X is critical of CONTENT / wary of CONTENT

# Whole-document passes (passes.py):
SPEAKER_LABEL = "speaker-label"  # NAME: CONTENT (transcripts, headlines)
QUOTE_DASH = "quote-dash"        # "CONTENT" ― Name

# After the filter (follow.py) and outside attribution (claims.py):
QUOTE_AFTER_SPEAKER = "quote-after-speaker"  # a quoted paragraph continuing the last speaker
ASSERTION = "assertion"          # the article's own statement, no attribution

ALL = (VERB_COLON, VERB_CCOMP, VERB_XCOMP, VERB_OBJECT, VERB_PREP, VERB_IMPRESSION, VERB_QUOTE, PARENTHETICAL,
       ACCORDING_TO, NOUN_CUE, NOUN_PREP, IN_POLL, ADVERB_CUE,
       ADJECTIVE_CUE, SPEAKER_LABEL, QUOTE_DASH, QUOTE_AFTER_SPEAKER, ASSERTION)

# Rules the shipped filter model has no ``rule=<name>`` feature for, and why.
UNSCORED = {
    QUOTE_DASH: "no dash-signed quotation occurs in PolNeAR train, so the filter scores these "
                "candidates on their other features only",
    QUOTE_AFTER_SPEAKER: "proposed after the filter from the speakers it kept; reported with "
                         "settings.follow_confidence",
    ASSERTION: "not an attribution: claims.py picks these sentences by check-worthiness",
}

# Candidates of these rules do not conflict with a candidate whose content holds their cue:
# "Putin rejected US claims that …" keeps both the rejection and the claim inside it.
NESTABLE = frozenset({NOUN_CUE})
# Readings that compete with a quotation ending right before the cue clause ("“…,” he told Fox
# News": the listener or the quotation is what was said; the filter chooses).
READINGS_BESIDE_A_QUOTE = (VERB_OBJECT, VERB_PREP, VERB_XCOMP)
