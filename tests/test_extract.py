"""The extractor on the bundled sample article and on invented sentences, one pattern each.

Every text here is invented for these tests, except the VOA sample article in data/ (which the
project may carry). Expectations follow ../shared/gold/seed_expectations.json.
"""
from __future__ import annotations

import json

import pytest
from conftest import GOLD_SEED, needs_shared
from conftest import SAMPLE_PATH as SAMPLE

from claimkit import read_articles
from claimkit.brat import load_gold_dir
from claimkit.evaluate import score
from claimkit.engines import extract, extract_text
from claimkit.extract.attribution import find_candidates
from claimkit.model import Kind, SpeakerType
from claimkit.nlp import load_pipeline


@pytest.fixture(scope="module")
def sample():
    article = next(read_articles([SAMPLE]))
    return article, extract([article])


def rule_candidates(text):
    """Every reading the rules propose, before the filter chooses among them."""
    candidates, _ = find_candidates(load_pipeline()(text))
    return candidates


def attributed(claims):
    return [c for c in claims if c.cue]


def by_text(claims, fragment):
    found = [c for c in claims if fragment in c.text]
    assert found, f"no claim contains {fragment!r}"
    return found[0]


# --- the sample article -----------------------------------------------------------------------

@needs_shared(GOLD_SEED)
def test_sample_finds_all_reference_attributions_with_their_sources(sample):
    article, claims = sample
    gold = load_gold_dir(GOLD_SEED)
    (name, doc), = gold.items()
    assert doc.text == article.text  # offsets agree with the reference annotation
    scores = score({name: claims}, gold)
    assert scores.content.recall == 1.0
    assert scores.end_to_end.recall == 1.0


def test_sample_canonical_names_and_speaker_types(sample):
    _, claims = sample
    putin = [c for c in attributed(claims) if c.speaker in ("Putin", "Putin’s")]
    assert len(putin) >= 3
    assert {c.speaker_canonical for c in putin} == {"Vladimir Putin"}
    trump = [c for c in attributed(claims) if c.speaker == "Trump"]
    assert trump and {c.speaker_canonical for c in trump} == {"Donald Trump"}
    anonymous = {"A senior U.S. government official", "A White House official", "officials",
                 "U.S. officials", "Biden administration officials", "US and Russian officials",
                 "a US leader"}
    types = {c.speaker: c.speaker_type for c in attributed(claims)}
    for mention in anonymous:
        assert types[mention] == SpeakerType.ANONYMOUS, mention
    assert types["both sides"] == SpeakerType.GROUP


def test_sample_denial_and_nested_claims(sample):
    _, claims = sample
    rejected = by_text(attributed(claims), "US claims that Moscow")
    assert rejected.cue_lemma == "reject" and rejected.cue_class == "deny"
    us_claim = [c for c in attributed(claims) if c.rule == "noun-cue" and c.text.startswith("that Moscow")]
    assert len(us_claim) == 1 and us_claim[0].parent_id == rejected.claim_id
    assert us_claim[0].cue_class == "allege" and us_claim[0].speaker == "US"
    saying = by_text(attributed(claims), "no reason to doubt")
    putins_claim = [c for c in attributed(claims) if c.rule == "noun-cue" and "did not interfere" in c.text]
    assert len(putins_claim) == 1 and putins_claim[0].parent_id == saying.claim_id
    assert putins_claim[0].speaker_canonical == "Vladimir Putin"


def test_sample_boilerplate_yields_no_claims(sample):
    article, claims = sample
    assert len(article.boilerplate) == 5
    for claim in claims:
        for s, e in (*claim.content, *claim.source, *claim.cue):
            assert not any(bs <= s < be for bs, be in article.boilerplate), claim.text


def test_sample_hedges_and_unattributed_checkable_claims(sample):
    _, claims = sample
    assert "likely" in by_text(claims, "four- to five-hour meeting").hedges
    assert "expected" in by_text(claims, "appear separately").hedges
    assert "expected" in by_text(claims, "stability of strategic nuclear weapons").hedges
    for fragment in ("Biden expelled 10 Russian diplomats", "Both Colonial and JBS paid millions",
                     "US Ambassador John Sullivan and Russian Ambassador"):
        claim = by_text(claims, fragment)
        assert claim.kind == Kind.ASSERTION and claim.checkworthiness >= 0.45
        assert claim.reasons  # an analyst can see why it scored


def test_sample_claim_ids_are_stable_and_unique(sample):
    article, claims = sample
    again = extract([article])
    assert [c.claim_id for c in claims] == [c.claim_id for c in again]
    assert len({c.claim_id for c in claims}) == len(claims)


def test_sample_kinds(sample):
    _, claims = sample
    assert by_text(claims, "I’m always ready").kind == Kind.DIRECT
    assert by_text(claims, "lowest point in the last few years").kind == Kind.MIXED
    assert by_text(claims, "expectations for a major agreement are low").kind == Kind.INDIRECT


# --- one invented sentence per pattern --------------------------------------------------------

def only(text: str, rule: str | None = None):
    claims = attributed(extract_text(text))
    if rule is not None:
        claims = [c for c in claims if c.rule == rule]
    assert claims, f"no attribution in {text!r}"
    return claims[0]


def spans_text(text, spans):
    return " ".join(text[s:e] for s, e in spans)


def test_according_to():
    text = "According to the city auditor, the bridge repairs cost $4 million more than planned."
    c = only(text)
    assert c.rule == "according-to" and c.cue_lemma == "according to"
    assert spans_text(text, c.source) == "the city auditor"
    assert "bridge repairs cost $4 million" in c.text


def test_according_to_at_the_end_stays_in_its_paragraph_and_leaves_no_bare_full_stop():
    text = "Bleak outlook for the depot;\nChances of reopening are small, according to a poll."
    c = only(text)
    assert [text[s:e] for s, e in c.content] == ["Chances of reopening are small"]
    assert spans_text(text, c.source) == "a poll"


def test_inverted_order_strips_titles():
    text = "“We will not raise taxes this year,” said Mayor Linda Okafor."
    c = only(text)
    assert c.kind == Kind.DIRECT and c.speaker_canonical == "Linda Okafor"
    assert c.speaker_type == SpeakerType.PERSON


def test_participle_inherits_the_subject():
    text = "The governor defended the budget on Monday, saying that schools would receive 12 percent more money."
    c = by_text(attributed(extract_text(text)), "schools would receive")
    assert c.cue_lemma == "say" and c.speaker == "The governor"


@pytest.mark.parametrize("text, fragment, speaker", [
    ("Mayor Lane answered the council by saying the budget was balanced.",
     "the budget was balanced", "Mayor Lane"),
    ("The mayor, despite admitting that she had doubts about the plan, voted for it.",
     "she had doubts", "The mayor"),
])
def test_a_cue_after_a_preposition_takes_the_clause_subject(text, fragment, speaker):
    assert by_text(attributed(extract_text(text)), fragment).speaker == speaker


def test_a_headline_or_time_stamp_above_is_never_the_source():
    text = ("The Latest on the county race (all times EDT):\n\n5:45 p.m.\n\n"
            "The governor's doctor is calling the report false.")
    c = by_text(attributed(extract_text(text)), "the report false")
    assert c.speaker == "The governor's doctor"


def test_colon_introduction():
    text = "The minister said: “The border will stay open.”"
    c = only(text)
    assert c.rule == "verb-colon" and c.text == "“The border will stay open.”"


def test_passive_without_source():
    text = "It was reported that the company had laid off 300 workers."
    c = only(text)
    assert c.source == () and c.speaker == "" and "laid off 300 workers" in c.text


@pytest.mark.parametrize("text, lemma, cls", [
    ("The company denied that it had misled investors about its debts.", "deny", "deny"),
    ("Many economists believe that inflation will fall next year.", "believe", "believe"),
    ("The mayor plans to build 2,000 new homes by 2030.", "plan", "intend"),
    ("Health officials warned that the flu season could be severe.", "warn", "warn"),
])
def test_cues_beyond_say(text, lemma, cls):
    c = only(text)
    assert (c.cue_lemma, c.cue_class) == (lemma, cls)


def test_quote_resumed_after_the_cue_sentence():
    text = "“The plan is simple,” Jones said. “We cut waste and we hire teachers.”"
    c = only(text)
    assert len(c.content) == 2 and c.text.endswith("“We cut waste and we hire teachers.”")


def test_quote_interrupted_by_its_cue_is_one_content():
    text = "“My hope,” the councillor said on Friday, “is that the depot reopens before winter.”"
    c = only(text)
    assert spans_text(text, c.source) == "the councillor"
    assert [text[s:e] for s, e in c.content] == [
        "“My hope,”", "“is that the depot reopens before winter.”"]


def test_interrupted_quote_in_two_apostrophe_marks():
    text = "''I think the plan failed,'' he said, ''and we ought to have moved the depot.''"
    c = only(text)
    assert len(c.content) == 2 and c.text.endswith("''and we ought to have moved the depot.''")


def test_quote_resumed_after_a_cue_sentence_ending_in_an_abbreviation():
    text = ("\"The record does not match the talk,\" Cruz told reporters in Fort Mill, S.C. "
            "\"It seems the mayor is nervous.\"")
    c = only(text)
    assert len(c.content) == 2 and c.text.endswith("\"It seems the mayor is nervous.\"")


def test_a_word_of_the_quote_that_the_parser_hangs_on_the_cue_stays_in_the_quote():
    text = "“Is the depot ready? Probably not,” Ms. Lane said."
    c = only(text)
    assert c.text == "“Is the depot ready? Probably not,”"
    assert spans_text(text, c.cue) == "said" and c.speaker == "Ms. Lane"


def test_transcript_turns_quoted_in_an_article_run_over_their_paragraphs():
    text = ("Part of the interview follows.\n\n"
            "\"HOST: Will the mayor attend the hearing tomorrow?\n\n"
            "\"GUEST: No, she will not attend. The council decided that last week.\n\n"
            "\"The budget office agrees with that decision.\n\n"
            "\"(CROSSTALK.)\n\n"
            "\"HOST: Thank you for joining us.")
    turns = [c for c in attributed(extract_text(text)) if c.rule == "speaker-label"]
    assert [c.speaker for c in turns] == ["HOST", "GUEST", "HOST"]
    guest = turns[1]
    assert [text[s:e] for s, e in guest.content] == [
        "No, she will not attend. The council decided that last week.",
        "\"The budget office agrees with that decision."]
    assert "CROSSTALK" not in text[turns[0].content[0][0]:turns[0].content[-1][1]]


def test_a_cue_in_the_middle_of_the_content():
    text = "The new tariffs, the senator said, are like weapons that nobody can use."
    c = only(text)
    assert c.rule == "parenthetical" and c.speaker == "the senator"
    assert [text[s:e] for s, e in c.content] == [
        "The new tariffs", "are like weapons that nobody can use."]


def test_a_quote_before_a_cue_with_an_object_is_proposed_beside_the_object():
    text = "“Get ready, because we have a ceiling to break!” he told the cheering crowd."
    candidates = rule_candidates(text)
    readings = {(a.rule, text[a.content[0][0]:a.content[-1][1]]) for a in candidates}
    assert readings == {("verb-object", "the cheering crowd"),
                        ("verb-quote", "“Get ready, because we have a ceiling to break!”")}
    assert only(text).text == "“Get ready, because we have a ceiling to break!”"


def test_a_quote_that_closes_the_sentence_before_belongs_to_that_sentence():
    text = ("The coach kept shouting at the referee, telling him to “sit down.” "
            "The referee replied by waving a yellow card.")
    readings = {(a.cue_lemma, a.rule, text[a.content[0][0]:a.content[-1][1]]) for a in rule_candidates(text)}
    assert not any(lemma == "reply" and "sit down" in content for lemma, _, content in readings), readings
    assert any(lemma == "tell" and "sit down" in content for lemma, _, content in readings), readings
    # a quotation that is its own sentence still hands over to the cue after it
    text = "“The bridge is safe,” the engineer insisted."
    assert only(text).text == "“The bridge is safe,”"


def test_an_aside_after_the_object_is_not_content():
    text = "Okafor has acknowledged the cost of the bridge, which makes her an outlier."
    assert only(text).text == "the cost of the bridge"


@pytest.mark.parametrize("text, speaker", [
    # the tagger misses a title-case label; the article names the speaker further down
    ("Okafor: Depot Plan Has Stalled.\n\nMayor Linda Okafor said on Monday that the depot "
     "plan had stalled.", "Okafor"),
    # the tagger runs the organisation on past the colon
    ("Judicial Watch: State Department Hid Key Email For Years.\n\nThe State Department "
     "withheld an email.", "Judicial Watch"),
])
def test_a_headline_quoting_someone_by_name_is_attributed_to_them(text, speaker):
    candidates = rule_candidates(text)
    labels = [a for a in candidates if a.rule == "speaker-label"]
    assert [text[a.source[0][0]:a.source[0][1]] for a in labels] == [speaker]


def test_a_name_and_a_colon_before_a_quotation_inside_a_line():
    text = "RED STATES OUTNUMBER BLUE - Jeffrey M. Jones: “Twenty states are solidly Republican this year.”"
    c = only(text)
    assert c.speaker == "Jeffrey M. Jones" and c.text.startswith("“Twenty states")


def test_a_headline_label_is_not_a_transcript_turn():
    text = ("OBAMA: The Depot Will Reopen\n\nThe mayor spoke on Monday.\n\nPartial transcript:\n\n"
            "HOST: Will the depot reopen?\n\nGUEST: Yes, in May.")
    candidates = rule_candidates(text)
    turns = {text[a.source[0][0]:a.source[0][1]]: [text[s:e] for s, e in a.content]
             for a in candidates if a.rule == "speaker-label"}
    assert turns == {"OBAMA": ["The Depot Will Reopen"], "HOST": ["Will the depot reopen?"],
                     "GUEST": ["Yes, in May."]}


@pytest.mark.parametrize("label", ["Letters", "Editorial", "Obituary", "Update", "Q&A"])
def test_a_format_label_heading_the_piece_is_no_speaker(label):
    text = f"{label}: The harbour tunnel is a waste of money\n\nThe council approved the tunnel in 2019."
    assert [c for c in attributed(extract_text(text)) if c.rule == "speaker-label"] == []


def test_an_interview_answers_belong_to_the_interviewee_and_format_labels_name_no_one():
    text = ("Q&A: The engineer who wants to rebuild the harbour\n\n"
            "Mirela Costa has spent 20 years building tunnels. We asked her about the project.\n\n"
            "Q: Why is the tunnel late?\n"
            "Costa: Steel prices doubled in a year. Nobody planned for that.\n\n"
            "Q: Will it be safe?\n"
            "Costa: Yes. Every joint is tested twice.\n\n"
            "Update: The authority now says the tunnel will open in May 2027.")
    labelled = [c for c in attributed(extract_text(text)) if c.rule == "speaker-label"]
    # the name is given in full before the labels; the questions and the update are nobody's turn
    assert [(c.speaker, c.text) for c in labelled] == [
        ("Costa", "Steel prices doubled in a year. Nobody planned for that."),
        ("Costa", "Yes. Every joint is tested twice.")]


def test_said_of_someone_reports_the_quotation_not_the_topic():
    text = "“Who do they think they are?” the senator said of the company in February."
    c = only(text)
    assert c.text == "“Who do they think they are?”"


def test_a_quote_with_its_own_cue_does_not_continue_the_one_before():
    text = ("“Some people feel the mayor will win easily,” she said. "
            "“If he gets in, then things will change,” she said.")
    contents = [[text[s:e] for s, e in c.content] for c in attributed(extract_text(text))]
    assert contents == [["“Some people feel the mayor will win easily,”"],
                        ["“If he gets in, then things will change,”"]]


def test_pronoun_resolved_to_the_person_meant():
    text = "Senator Maria Delgado spoke in Denver on Tuesday. She said the bill would lower drug prices."
    c = by_text(attributed(extract_text(text)), "lower drug prices")
    assert c.speaker == "She" and c.speaker_canonical == "Maria Delgado"
    assert c.speaker_type == SpeakerType.PERSON


def test_surname_maps_to_full_name():
    text = "Russian President Vladimir Putin said the talks were useful. Later, Putin said he would return."
    claims = attributed(extract_text(text))
    assert [c.speaker_canonical for c in claims] == ["Vladimir Putin", "Vladimir Putin"]


def test_quoted_paragraph_after_the_speaker():
    text = "Okafor described the plan at length.\n\n“It pays for itself within four years. Nobody loses.”"
    c = by_text(attributed(extract_text(text)), "pays for itself")
    assert c.rule == "quote-after-speaker" and c.speaker == "Okafor"


def test_quote_signed_with_a_dash():
    text = "“The water is still brown.” ― Ana Ruiz, a resident"
    c = only(text)
    assert c.rule == "quote-dash" and c.speaker_canonical == "Ana Ruiz"


@pytest.mark.parametrize("text, words, rule", [
    # an epigraph, signed on the next line with a place and a date
    ("A report by the Daily Ledger reveals new details on the harbour deal, and exposes the staff "
     "who arranged it.\n“We knew, and we said nothing.”\n― Ana Ruiz, Port Town, May 4, 2019\n"
     "The deal was signed in 2018.", "“We knew, and we said nothing.”", "quote-dash"),
    # an embedded post, signed with a name and a handle, no quotation marks
    ("The island council said on Friday that ferry fares would rise by 12 percent.\nResidents "
     "reacted angrily online.\nTwelve percent! Who voted for this? Islanders pay enough already.\n"
     "\u2014 Ana Ruiz (@anaruiz) May 2, 2025\nThe ferry operator declined to comment.",
     "Twelve percent! Who voted for this? Islanders pay enough already.", "quote-dash"),
])
def test_words_signed_on_the_line_below_are_the_signers(text, words, rule):
    c, = [c for c in attributed(extract_text(text)) if c.text == words]
    assert (c.rule, c.speaker) == (rule, "Ana Ruiz")


def test_a_dashed_line_after_a_quotation_is_no_signature():
    text = "He said: “We will win.”\n― The team lost twice in May."
    claims = attributed(extract_text(text))
    assert [c.speaker for c in claims if "We will win" in c.text] == ["He"]
    assert not [c for c in claims if c.rule == "quote-dash"]


def test_a_pull_quote_repeating_a_quotation_is_not_a_second_claim():
    text = ("Council leader Mirela Costa said the increase would pay for a new boat. \u201cThe old "
            "one is forty years old and breaks down every winter,\u201d she said.\n"
            "\u201cThe old one is forty years old and breaks down every winter\u201d\n"
            "Residents reacted angrily.")
    repeated = [c for c in attributed(extract_text(text)) if "breaks down every winter" in c.text]
    assert len(repeated) == 1 and repeated[0].speaker == "she"


def test_a_signed_paragraph_is_one_quote_even_when_its_marks_do_not_pair():
    text = ("Readers wrote in.\n\n"
            "”The bridge is a disgrace and the council knows it.” ― Ana Ruiz\n\n"
            "“I would rather walk than wait for what they call “progress” again.” ― Tom Reyes")
    signed = [c for c in attributed(extract_text(text)) if c.rule == "quote-dash"]
    assert [(c.speaker, c.text) for c in signed] == [
        ("Ana Ruiz", "”The bridge is a disgrace and the council knows it.”"),
        ("Tom Reyes", "“I would rather walk than wait for what they call “progress” again.”")]


@pytest.mark.parametrize("text, quoted", [
    ("‘We have no choice,’ said Mirela Costa. ‘The company refused every offer.’",
     ["‘We have no choice,’", "‘The company refused every offer.’"]),
    ("The firm said it was ‘disappointed’ and that the workers’ union had not called.", ["‘disappointed’"]),
    ("‘The workers’ union agreed,’ he said.", ["‘The workers’ union agreed,’"]),
    ("It’s the union’s call, and the boss’s too.", []),  # apostrophes only
    ("He said “don’t go, it’s ‘ours’ now” to me.", ["“don’t go, it’s ‘ours’ now”"]),  # nested
])
def test_quote_regions_read_british_single_marks_and_not_apostrophes(text, quoted):
    from claimkit.extract.quotes import quote_regions

    assert [text[s:e] for s, e in quote_regions(text)] == quoted


def test_unbalanced_quotes_fall_back_gracefully():
    text = ("“This never closes, the spokesman said.\n\n"
            "Officials said the plant would reopen in May. ” Stray marks ” everywhere “")
    claims = extract_text(text)
    assert any("plant would reopen" in c.text for c in claims)


def test_json_shape_of_a_claim():
    c = only("The company denied that it had misled investors about its debts.")
    d = c.to_dict()
    json.dumps(d)
    assert d["kind"] == "indirect" and d["content"] and isinstance(d["content"][0], list)
