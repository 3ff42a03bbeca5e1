"""Every threshold of extraction in one place, each with the reason for its value.

Like trafilatura's ``Extractor``: one frozen object that the code reads, so a newcomer sees all
the knobs at once and an experiment changes one value without editing five modules. ``DEFAULTS``
holds today's values; most were tuned on PolNeAR *dev* (never on test). Functions that take a
``settings`` argument default to ``DEFAULTS``; lexicon-level code (``cues``, ``quotes``) reads
``DEFAULTS`` directly because its results are cached once per process.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionSettings:
    # --- the cue lexicon (cues.py) -------------------------------------------------------------
    # A lemma needs this many cue uses in PolNeAR train before its statistics are trusted.
    min_cue_count: int = 3
    # Additive smoothing of p_cue = n_cue / (n_total + smoothing): rare lemmas lean to "not a cue".
    cue_smoothing: float = 2.0
    # Learned cue probability a verb / noun needs to trigger a rule (tuned on dev: nouns are
    # more often ordinary nouns than verbs are ordinary verbs, so they need more evidence).
    verb_cue_min_p: float = 0.01
    noun_cue_min_p: float = 0.05
    # A noun with a prepositional object ("criticism of X", "support for X"): the shape is a
    # stronger sign than the bare noun, so rarer cue nouns ("attack", "supporter") may fire it.
    noun_prep_min_p: float = 0.03

    # --- quotations (quotes.py, geometry.py) ---------------------------------------------------
    # Quotes longer than this are almost always a pairing error (a missed closing mark).
    max_quote_chars: int = 3000
    # A content span grows to the whole quotation it starts or ends in, unless the quotation
    # runs on this many characters past the span (then the pairing is suspect).
    quote_reach_chars: int = 400
    # From "…," X said to the full stop that closes the cue clause (a resumed quotation follows).
    clause_end_chars: int = 200
    # From "“A,” X said" to the quotation that resumes in the same sentence: the cue clause may
    # run on a little ("…,” she said in a statement, “…”), not a whole sentence.
    interruption_chars: int = 80
    # A span counts as a quotation when at least this share of its characters is quoted.
    mostly_quoted: float = 0.5

    # --- reading the parse (syntax.py, rules.py) -----------------------------------------------
    # The source phrase keeps tokens this close to its head: a longer subtree is a parse that
    # ran on (datelines, headlines hung on the subject).
    source_window_tokens: int = 12
    # "X said: CONTENT": the colon must follow the cue within this many tokens.
    colon_reach_tokens: int = 3
    # "Towns like Milford, she said.": the subject sits within this many tokens before the cue
    # (a name and a title, "Mayor Jane Smith of Dover"); further is not a closing cue clause.
    fronted_subject_reach: int = 8
    # How many clauses up (xcomp, conj, participles) a cue may inherit its subject from.
    subject_hops: int = 4
    # Content shorter than this (after trimming) is a stray mark, not a statement.
    min_content_chars: int = 3

    # --- whole-document passes (passes.py, follow.py) ------------------------------------------
    # A speaker label "NAME:" sits this close to its line's start and has 1..this many words.
    label_max_chars: int = 40
    label_max_words: int = 4
    # A headline "X: …" may carry a longer label ("Former AG Mukasey at RNC: …").
    headline_label_max_words: int = 6
    # "… Jeffrey M. Jones: “…”": how far before a quotation its named colon may start.
    name_before_colon_chars: int = 80
    # "“…” ― Name": the dash follows within this many characters, the name is at most this
    # long and has at most this many words (longer is a sentence, not a signature).
    signature_reach_chars: int = 80
    signature_max_chars: int = 60
    signature_max_words: int = 6
    # A paragraph that is only a quotation may end with this many characters after it
    # (a full stop, a stray mark) and still continue the previous speaker.
    follow_max_trailing_chars: int = 2
    # Confidence reported for a quoted paragraph attributed to the previous paragraph's speaker
    # (it is not scored by the filter, see rule_names.UNSCORED).
    follow_confidence: float = 0.5

    # --- the filter and the claims (scoring.py, claims.py) -------------------------------------
    # Keep-threshold when the shipped model does not name one (the model's own is tuned on dev).
    default_filter_threshold: float = 0.5
    # Higher keep-thresholds for some readings, as (rule name, threshold) pairs: a stricter
    # profile for readers who want fewer, surer attributions. Empty by default: on PolNeAR every
    # raise costs more recall than it buys precision, and on real news pages it trades real
    # attributions for false ones (README "Extractor 0.6.0"; benchmarks/reading_thresholds.py).
    reading_thresholds: tuple[tuple[str, float], ...] = ()
    # Two candidates conflict when they share more than this share of the shorter content.
    conflict_overlap: float = 0.5
    # Share of quoted content characters that makes a claim direct / mixed (else indirect).
    direct_min_quoted: float = 0.9
    mixed_min_quoted: float = 0.05
    # Check-worthiness (checkworthiness.py, data/checkworthiness_model.json) is a calibrated
    # probability. A claim scoring at least this is called check-worthy (evaluate-checkworthiness
    # reports P/R/F1 here): the best F1 on ClaimBuster dev (at 0.414).
    checkworthy_threshold: float = 0.41
    # An unattributed sentence becomes an assertion claim only when it is checkable enough
    # and long enough to state something (shorter ones are headlines and captions). Lower than
    # checkworthy_threshold: an assertion kept is one more line in the queue, sorted by score,
    # while one dropped is lost to the desk; ClaimBuster dev recall at 0.3 is ~0.9.
    assertion_min_score: float = 0.3
    assertion_min_words: int = 6
    # An assertion is the article's own voice: a sentence mostly inside quotation marks is not.
    assertion_max_quoted: float = 0.5


DEFAULTS = ExtractionSettings()
