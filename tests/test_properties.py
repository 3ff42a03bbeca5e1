"""Properties every extraction must have, whatever the text: no exception, offsets that hold.

The texts mix sentences built from a small news vocabulary (reporting verbs, names, quotes) with
arbitrary Unicode, stray quote marks and line breaks. Nothing here depends on *which* claims the
extractor finds, only on what any claim it returns must satisfy (docs/architecture.md §2).
"""
from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimkit.engines import extract_text
from claimkit.model import Claim
from claimkit.nlp import load_pipeline

KINDS = {"direct", "mixed", "indirect", "assertion"}
QUOTE_MARKS = ["“", "”", '"', "'", "‘", "’", "«", "»", "„"]

SPEAKERS = ["Putin", "Vladimir Putin", "Joe Biden", "the minister", "Officials", "a senior official",
            "The company", "She", "They", "Ms. Ortega", "the council", "Both sides"]
CUES = ["said", "told reporters", "denied", "claimed", "warned", "insisted", "argued",
        "rejected claims", "stated", "believes", "expects"]
CONTENTS = ["the talks had failed", "prices rose 5 percent last year",
            "the bridge will open in March", "Russia did not interfere in the election",
            "nothing was agreed", "the budget is likely to double by 2030", "it was wrong"]

speaker = st.sampled_from(SPEAKERS)
cue = st.sampled_from(CUES)
content = st.sampled_from(CONTENTS)

sentence = st.one_of(
    st.builds("{} {} {}.".format, speaker, cue, content),
    st.builds("{} {} that {}.".format, speaker, cue, content),
    st.builds(lambda c, s: f"“{c[0].upper() + c[1:]},” {s} said.", content, speaker),
    st.builds(lambda c, s: f'"{c}," said {s}.', content, speaker),
    st.builds("According to {}, {}.".format, speaker, content),
    st.builds("{} said: ‘{}’".format, speaker, content),
    st.builds(lambda s, c: f"{s} said {c}, “and {c}.", speaker, content),  # never closed
    st.builds(lambda c: f"{c[0].upper() + c[1:]}.", content),  # the article's own statement
)
noise = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(QUOTE_MARKS + ["\n", " ", ".", ","])),
    max_size=30)
piece = st.one_of(sentence, sentence, sentence, noise, st.sampled_from(QUOTE_MARKS))
separator = st.sampled_from([" ", " ", "\n", "\n\n", "", "\r\n"])
texts = st.lists(st.tuples(piece, separator), max_size=10).map(
    lambda parts: "".join(p + sep for p, sep in parts))


@pytest.fixture(scope="module", autouse=True)
def pipeline_loaded_once():
    load_pipeline()  # cached per process: the examples below do not reload it


def check_claims(text: str, claims: list[Claim]) -> None:
    """What every claim of every text must satisfy."""
    ids = [c.claim_id for c in claims]
    assert len(ids) == len(set(ids)), "claim ids must be unique within an article"
    for claim in claims:
        assert claim.kind.value in KINDS
        assert claim.content, "a claim without content"
        for role in ("content", "source", "cue"):
            for s, e in getattr(claim, role):
                assert 0 <= s < e <= len(text), (role, (s, e), len(text))
        assert claim.text == " ".join(text[s:e] for s, e in claim.content)
        if claim.kind.value == "assertion":
            assert not claim.source and not claim.cue


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_gives_well_formed_claims(text):
    check_claims(text, extract_text(text))


@pytest.mark.parametrize("text", [
    "",
    " \n\n \n",
    "“",
    '"',
    "Officials said “the talks failed.\n\nThe minister said the budget rose 5 percent.",
    "He said ”nothing was agreed“ and left. ‘It was wrong,” she said.",
    '“Prices rose," the minister said. "They will rise again,” he added. "',
    "The mayor said ‘the bridge will open in March. „Nothing was agreed«, officials said.",
    "“\n”\n“\n”\"\"\"'''‘’‘’",
])
def test_unbalanced_and_curly_quote_marks(text):
    check_claims(text, extract_text(text))


HEAD = ("The mayor said the bridge would open in March. Officials told reporters that the "
        "budget had grown by 12 percent.\n\n")
TAIL = "\n\nThe minister denied that the talks had failed.\n"
NEVER_CLOSED = "“He will keep talking about the plan and the money. ‘And the next thing. "


def check_quotes_that_never_close(size: int) -> None:
    body = NEVER_CLOSED * (size // len(NEVER_CLOSED) + 1)
    text = HEAD + body + TAIL
    claims = extract_text(text)
    check_claims(text, claims)
    in_head = [c for c in claims if c.cue and c.content[-1][1] <= len(HEAD)]
    in_tail = [c for c in claims if c.cue and c.content[0][0] >= len(HEAD) + len(body)]
    assert in_head, "the normal sentences before the open quotes still give attributions"
    assert in_tail, "a paragraph after the open quotes still gives attributions"


def test_quotes_that_never_close():
    check_quotes_that_never_close(10_000)


class TookTooLong(BaseException):
    """Not an Exception: the batch loop turns an Exception into "this article failed"."""


@contextmanager
def time_limit(seconds: int):
    """Fail instead of hanging: SIGALRM interrupts the extraction between two Python steps."""
    def on_alarm(signum, frame):
        raise TookTooLong(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM (Unix)")
def test_200kb_of_quotes_that_never_close():
    # Parsing 200 KB takes seconds; the limit only catches extraction that grows faster than
    # the text (a quadratic quote pairing or text rebuild takes many minutes).
    with time_limit(60):
        check_quotes_that_never_close(200_000)
