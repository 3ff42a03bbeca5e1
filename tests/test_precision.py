"""Attribution precision on news beyond politics: what is not an attribution stays unattributed,
and an attribution names the speaker meant. Every sentence here is invented for these tests."""
from __future__ import annotations

import pytest
from spacy.tokens import Span as SpacySpan

from claimkit.engines import extract_text
from claimkit.extract.context import distinct
from claimkit.extract.attribution import find_candidates
from claimkit.extract.senses import discourse_marker_spans, is_non_speech, is_only_a_time, states_nothing
from claimkit.extract.speakers import SpeakerResolver
from claimkit.model import SpeakerType
from claimkit.nlp import load_pipeline


def attributed(text):
    return [c for c in extract_text(text) if c.cue]


def spans_text(text, spans):
    return " ".join(text[s:e] for s, e in spans)


# --- action verbs are not speech ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Marta Lindqvist picked up another trophy at the gala on Saturday.",
    "She was named best actress at the festival in Cannes.",
    "NASA released images of the comet on Tuesday.",
    "The films were not nominated for any awards this year.",
    "The studio released a trailer for the sequel, and the band unveiled a new album.",
    "Addressing hundreds of supporters outside the town hall, the mayor waved a flag.",
    "A spokesperson declined to comment.",
    "The club declined to comment further for this article.",
])
def test_action_verbs_and_refusals_make_no_claim(text):
    assert attributed(text) == [], [c.text for c in attributed(text)]


@pytest.mark.parametrize("text", [
    # appointments, lawsuits and interrogations: the object is a person, not a statement
    "The lawyer who questioned her kept his voice low.",
    "The governor nominated him to be the state's next treasurer.",
    "The attorney general is suing him for $4 million.",
    # a vote, a rule or a move that goes on: an infinitive or an object, not a statement
    "Council members voted to raise the parking fee by a dollar.",
    "The coach continued to lead the team through the spring.",
    "The goalkeeper had just signed on to play for the harbour club.",
    "The new ordinance allows shop owners three extra days of leave.",
    "The assembly passed two laws limiting the use of leaf blowers.",
    # laws and devices cannot speak
    "The mandate requires insurers to cover eye exams for children.",
    "This software allows the guards to scan every badge at the gate.",
    # knowing who someone is is no claim
    "The guards know who he is and where he lives.",
    # a passive name with no one naming it, a participle that names
    "The broadcasts were called the Morning Hour.",
    "One tracking program called Lantern allowed the guards to log every visitor.",
    # refusals in other words
    "The ministry declined to provide an attributable comment.",
    # a thing shows or holds something: a picture or a list, not a statement
    "His campaign page shows three smiling volunteers but no address.",
    "A grainy video shows the goalkeeper hugging the referee.",
    "The singer's profile lists four record labels and a bakery.",
    "His campaign page includes a number of posts about the harbour, showing young men but no names.",
    "When a clip of the debate was posted online, more than 2,000 people watched it.",
    # a choice
    "The home side opted for a two-striker line-up in the second half.",
    # making a work, and what a thing has to offer
    "Ferrante, who died on Monday at 84, wrote six novels and taught at the college for 30 years.",
    "The new phone offers a brighter screen and a longer battery life than last year's model.",
])
def test_more_non_speech_senses_make_no_claim(text):
    assert attributed(text) == [], [(c.rule, c.cue_lemma, c.text) for c in attributed(text)]


def test_speech_uses_of_the_newly_listed_verbs_still_count():
    cases = {
        "The senator questioned whether the bridge could be finished by June.": "the bridge could be finished",
        "The coach continued: \"We are not finished with this season.\"": "We are not finished",
        "The guards know that the gate camera has been broken for a month.": "the gate camera has been broken",
        "The novelist wrote that the harbour had never recovered.": "the harbour had never recovered",
        "The minister offered an apology to the families of the crew.": "an apology",
    }
    for text, content in cases.items():
        assert any(content in c.text for c in attributed(text)), (text, [c.text for c in attributed(text)])


@pytest.mark.parametrize("text,content", [
    ("The dashcam footage shows that the van ran the red light.", "the van ran the red light"),
    ("Footage reviewed by the paper did not show any weapon in his hands.", "any weapon in his hands"),
    ("The harbour master shows little patience for critics of the new pier.", "little patience"),
])
def test_a_thing_that_shows_a_finding_and_a_person_who_shows_still_count(text, content):
    assert any(content in c.text for c in attributed(text)), [(c.rule, c.text) for c in attributed(text)]


def test_a_place_heading_a_line_is_no_speaker_label():
    text = ("New laws take effect on January 1 in several states.\n"
            "California: Students can use the locker rooms of their choice.\n"
            "The governor of California signed the bill in June.\n")
    assert not [c for c in attributed(text) if c.rule == "speaker-label"], \
        [(c.speaker, c.text) for c in attributed(text)]
    text = ("Transcript of the council meeting, invented for this test.\n"
            "MARTA OYELARAN: The budget is balanced for the first time in a decade.\n"
            "Tomas Brandt: That is simply not true, and the auditors know it.\n")
    assert {c.speaker for c in attributed(text) if c.rule == "speaker-label"} == {"MARTA OYELARAN", "Tomas Brandt"}


def test_a_content_that_is_only_a_time_is_no_reading():
    text = "Her aides had a few weeks to prepare the response, she said."
    doc = load_pipeline()(text)
    cands, _ = find_candidates(doc, text=text)
    contents = [spans_text(text, a.content) for a in cands]
    assert "a few weeks" not in contents, contents
    assert any(c.startswith("Her aides had a few weeks") for c in contents)  # the real one stays
    assert is_only_a_time(doc[3:6]) and not is_only_a_time(doc[0:6])


def test_a_passive_name_with_an_agent_keeps_the_speech_sense():
    nlp = load_pipeline()
    for text in ("The deal was called a betrayal by the union leader.",
                 "The plan was called a disgrace by the mayor."):
        doc = nlp(text)
        assert not is_non_speech(doc[3]), text
    assert is_non_speech(nlp("The broadcasts were called the Morning Hour.")[3])


def test_an_object_pronoun_is_never_the_speaker_of_a_controlled_verb():
    text = "The new scanner allows them to target only travellers with a flagged history."
    assert all(c.speaker.lower() != "them" for c in attributed(text))


def test_a_content_that_holds_its_own_cue_is_no_reading():
    text = "He went after the judge and the witch hunt that he has been railing against for years."
    assert all(not (c.content[0][0] <= c.cue[0][0] < c.content[-1][1]) for c in attributed(text))


def test_the_speech_sense_of_the_same_verbs_still_counts():
    text = "The agency released a report saying that the river had flooded twice this year."
    assert any("the river had flooded" in c.text for c in attributed(text))
    text = "The mayor named the budget deficit as the city's biggest problem."
    assert attributed(text), "an object that is not a thing keeps the reading"


def test_a_discourse_marker_is_never_a_cue_or_speaker():
    text = "That said, the plan will cost more than the council expected."
    assert all(c.speaker.lower() != "that" for c in attributed(text))
    assert attributed(text) == []
    assert discourse_marker_spans("Fine. That said, it rains.\nNeedless to say, we left.") == [(6, 15), (27, 42)]
    assert discourse_marker_spans("He said that said words matter.") == []


def test_contents_that_state_nothing():
    assert states_nothing("to comment.") and states_nothing("a statement")
    assert states_nothing("to comment on the matter for this story")
    assert not states_nothing("to comment on a plan that will cost $3 billion")
    assert not states_nothing("that the statement was false")
    assert states_nothing("not to be named") and states_nothing("not to be identified because she feared reprisals")
    assert not states_nothing("not to be trusted with the budget")


def test_a_request_for_anonymity_is_no_claim():
    text = ("One neighbour, who asked not to be named, said she heard a loud bang and saw the van "
            "speed away.")
    claims = attributed(text)
    assert [c.text for c in claims if "named" in c.text] == []
    assert any("saw the van speed away" in c.text for c in claims)


@pytest.mark.parametrize("dateline", ["PORT TOWN (Valley Wire) - ", "LONDON, March 3 (Reuters) \u2014 ",
                                      "WASHINGTON (AP) \u2014 "])
def test_a_wire_dateline_is_not_part_of_a_content(dateline):
    said, = attributed(f"{dateline}The Port Town council is considering tolls of up to 5 dollars for "
                       "the new harbour tunnel, two people familiar with the plans said on Tuesday.")
    assert said.text == "The Port Town council is considering tolls of up to 5 dollars for the new harbour tunnel"
    stated, = extract_text(f"{dateline}The Senate passed a bill on Tuesday that would raise the "
                           "minimum wage to 15 dollars by 2028.")
    assert stated.text.startswith("The Senate passed a bill")


def test_a_clause_closed_by_a_colon_before_the_cue_is_the_writers():
    text = ("The mayor claims the tunnel will pay for itself within a decade. That is simply not "
            "true: the council's own report shows tolls will cover less than half of the cost.")
    shown, = [c for c in attributed(text) if c.cue_lemma == "show"]
    assert shown.text == "tolls will cover less than half of the cost"


def test_a_quotation_split_around_its_cue_by_commas_is_still_one_content():
    text = "\u201cWe are not finished,\u201d the coach said, \u201cand we will be back next year.\u201d"
    c, = attributed(text)
    assert "We are not finished" in c.text and "back next year" in c.text


def test_what_follows_a_verbs_colon_is_not_read_as_its_object():
    text = "Senator Ben Adler posted on X: \u201cAnother company squeezed by energy prices. We need action now.\u201d"
    c, = attributed(text)
    assert (c.rule, c.speaker) == ("verb-colon", "Senator Ben Adler")
    assert c.text == "\u201cAnother company squeezed by energy prices. We need action now.\u201d"


# --- the speaker meant ---------------------------------------------------------------------------

def test_it_said_is_the_organisation_named_before():
    text = "The ministry issued a statement on Monday. It said the border would reopen next week."
    c, = [c for c in attributed(text) if "border would reopen" in c.text]
    assert spans_text(text, c.source) == "It"  # the span stays where the text says it
    assert c.speaker == "The ministry" and c.speaker_type == SpeakerType.ORGANIZATION


def test_it_said_with_no_organisation_before_stays_a_pronoun():
    text = "Rain fell all day. It said the border would reopen next week."
    c, = [c for c in attributed(text) if "border would reopen" in c.text]
    assert c.speaker == "It" and c.speaker_type != SpeakerType.ORGANIZATION


def test_a_relative_pronoun_is_resolved_to_its_antecedent():
    text = "I spoke to the doctor, who told me that the clinic would close in March."
    c, = [c for c in attributed(text) if "clinic would close" in c.text]
    assert c.speaker == "the doctor" and c.speaker_canonical == "The doctor"


def test_an_opening_clause_is_not_part_of_the_speaker():
    text = ("Speaking from a stage at the annual conference in Denver, the chief executive said "
            "profits would rise.")
    c, = [c for c in attributed(text) if "profits would rise" in c.text]
    assert c.speaker == "the chief executive"


def test_a_date_is_never_a_speaker():
    text = "Monday saw the council announce that the bridge would close in June."
    for c in attributed(text):
        assert c.speaker != "Monday"


def test_a_name_the_recogniser_ran_into_a_date_is_still_the_speaker():
    # on a real page the entity recogniser read "May 23, 2015, <name>" as one date; set that
    # reading by hand, since it depends on the article around the sentence
    text = "In a video dated May 23, 2015, Kovac declared himself a candidate for the presidency."
    doc = load_pipeline()(text)
    words = [t.text for t in doc]
    doc.ents = [SpacySpan(doc, words.index("May"), words.index("Kovac") + 1, label="DATE")]
    cands, _ = find_candidates(doc, text=text)
    sources = {spans_text(text, a.source) for a in cands if "candidate" in spans_text(text, a.content)}
    assert sources == {"Kovac"}
    speaker = SpeakerResolver(doc, text).resolve([(text.index("Kovac"), text.index(" declared"))], [])
    assert speaker.type == SpeakerType.PERSON


def test_a_possessor_before_a_finding_the_tagger_calls_a_verb_is_its_source():
    from spacy.tokens import Doc

    from claimkit.extract.syntax import parsed_subject

    # the misreading seen on a real page, set by hand: "’s" a bare marker and "finding" a verb
    # whose object the tagger made it, with the minister as its clause's subject
    words = ["The", "minister", "faced", "criticism", "amid", "the", "audit", "office", "’s",
             "finding", "that", "the", "tender", "broke", "rules", "."]
    tags = ["DT", "NN", "VBD", "NN", "IN", "DT", "NN", "NN", "POS", "VBG", "IN", "DT", "NN", "VBD", "NNS", "."]
    pos = ["DET", "NOUN", "VERB", "NOUN", "ADP", "DET", "NOUN", "NOUN", "PART", "VERB", "SCONJ", "DET",
           "NOUN", "VERB", "NOUN", "PUNCT"]
    heads = [1, 2, 2, 2, 2, 7, 7, 4, 2, 2, 13, 12, 13, 9, 13, 2]
    deps = ["det", "nsubj", "ROOT", "dobj", "prep", "det", "compound", "pobj", "punct", "dobj", "mark",
            "det", "nsubj", "ccomp", "dobj", "punct"]
    doc = Doc(load_pipeline().vocab, words=words, tags=tags, pos=pos, heads=heads, deps=deps)
    assert parsed_subject(doc[9]).text == "office"


@pytest.mark.parametrize("text, citer", [
    # the parse hangs "citing" on the reported clause: a bridge cites nothing, the mayor does
    ("The mayor said the bridge would reopen in May, citing a report from the county engineers.",
     "The mayor"),
    # a reported subject that could speak keeps its participle
    ("Officials said the company closed the plant, citing low demand.", "the company"),
])
def test_a_closing_citing_participle_belongs_to_whoever_can_cite(text, citer):
    cited = [c for c in attributed(text) if c.cue_lemma == "cite"]
    assert [c.speaker for c in cited] == [citer]


@pytest.mark.parametrize("text, name", [
    ("Sergeant Ana Ruiz said the van had not stopped.", "Ana Ruiz"),
    ("Chief executive Ana Ruiz blamed higher energy costs.", "Ana Ruiz"),
    ("Island Power spokesperson Ana Ruiz said crews had worked through the night.", "Ana Ruiz"),
])
def test_a_title_before_a_name_makes_a_person_when_the_tagger_misses_it(text, name):
    doc = load_pipeline()(text)
    doc.ents = [SpacySpan(doc, 0, 3, label="WORK_OF_ART")]  # the tagger's miss, set by hand
    end = text.index(name) + len(name)
    speaker = SpeakerResolver(doc, text).resolve([(0, end)], [])
    assert (speaker.canonical, speaker.type) == (name, SpeakerType.PERSON)


def test_names_after_a_title_are_known_and_pronouns_follow_the_last_speaker():
    text = ("Governor Ana Ruiz and her challenger, state senator Tom Reyes, clashed over school "
            "funding on Tuesday.\n"
            "Ruiz said the state had raised teacher pay by 9 percent since 2022. She accused Reyes "
            "of voting against every education budget.\n"
            "Reyes rejected that. He said the governor had cut rural school transport.")
    canonical = {" ".join(c.text.split()[:2]): c.speaker_canonical for c in attributed(text)}
    assert canonical["the state"] == "Ana Ruiz"
    assert canonical["Reyes of"] == "Ana Ruiz"  # "She accused Reyes of …"
    assert canonical["the governor"] == "Tom Reyes"  # "He", after "Reyes" spoke


def test_who_was_told_is_not_the_teller():
    told, = attributed("The mayor was told that the bridge would close in May.")
    assert told.speaker != "The mayor"


def test_they_is_the_plural_subject_of_the_sentence_before():
    text = ("The researchers, led by a team in Lisbon, followed 40,000 adults for twelve years. They "
            "found that coffee drinkers were 21 percent less likely to develop liver disease.")
    found, = [c for c in attributed(text) if c.cue_lemma == "find"]
    assert (found.speaker, found.speaker_canonical) == ("They", "The researchers")


def test_they_with_no_plural_subject_before_stays_a_pronoun():
    text = "The mayor spoke on Monday. They said the bridge would reopen in May."
    said, = [c for c in attributed(text) if "bridge" in c.text]
    assert said.speaker_type == SpeakerType.PRONOUN


@pytest.mark.parametrize("text, name, canonical", [
    ("Harbour Foods said its profit fell by 12 percent.", "Harbour Foods", "Harbour Foods"),
    ("The Valley Courier said the mayor had resigned.", "The Valley Courier", "Valley Courier"),
])
def test_a_name_ending_like_an_organisations_is_one_when_the_tagger_misses_it(text, name, canonical):
    doc = load_pipeline()(text)
    doc.ents = []  # the tagger's miss, set by hand
    speaker = SpeakerResolver(doc, text).resolve([(0, len(name))], [])
    assert (speaker.canonical, speaker.type) == (canonical, SpeakerType.ORGANIZATION)


@pytest.mark.parametrize("label", [None, "PRODUCT", "WORK_OF_ART"])
def test_a_name_no_person_or_organisation_backs_gets_no_canonical_name(label):
    text = "Vallemare Riserva said the harvest was poor."
    doc = load_pipeline()(text)
    doc.ents = [] if label is None else [SpacySpan(doc, 0, 2, label=label)]
    speaker = SpeakerResolver(doc, text).resolve([(0, len("Vallemare Riserva"))], [])
    assert speaker.text == "Vallemare Riserva" and speaker.canonical == ""


def test_a_named_organisation_keeps_its_canonical_name():
    text = "Vallemare Riserva said the harvest was poor."
    doc = load_pipeline()(text)
    doc.ents = [SpacySpan(doc, 0, 2, label="ORG")]
    speaker = SpeakerResolver(doc, text).resolve([(0, len("Vallemare Riserva"))], [])
    assert speaker.canonical == "Vallemare Riserva" and speaker.type == SpeakerType.ORGANIZATION


# --- cues the rules missed -----------------------------------------------------------------------

def test_a_cue_after_the_content_names_the_speaker_after_it():
    text = "The economy grew by 3 percent last year, reported the Daily Ledger."
    c, = attributed(text)
    assert spans_text(text, c.source) == "the Daily Ledger"
    assert spans_text(text, c.content) == "The economy grew by 3 percent last year"


def test_a_parenthetical_cue_splits_its_content():
    text = "The deal, she says, is dead, and the union will strike on Monday."
    c, = attributed(text)
    assert spans_text(text, c.source) == "she" and "is dead" in c.text and "The deal" in c.text


def test_a_colon_before_a_quoted_paragraph():
    text = ('In a statement, he said:\n\n"We will not accept these terms. The offer is an insult '
            'to every worker in this company."')
    c, = attributed(text)
    assert c.rule == "verb-colon" and c.kind.value == "direct"
    assert c.text.startswith('"We will not accept') and c.text.endswith('company."')


def test_content_spans_are_listed_once():
    assert distinct([(10, 20), (0, 5), (10, 20), (12, 15), (18, 30)]) == [(0, 5), (10, 30)]
    text = "“The figures are wrong,” the minister said, “and the report is late.”"
    for c in attributed(text):
        assert len(set(c.content)) == len(c.content) and list(c.content) == sorted(c.content)


def test_the_object_of_a_participle_is_not_a_speaker_after_the_cue():
    text = "The senator raised the issue again on Monday, reminding Americans of the deficit."
    assert all("Americans" not in c.speaker for c in attributed(text))


def test_asked_opening_a_sentence_has_no_source():
    text = ("Asked whether the tunnel would open on time, the transport minister told reporters "
            "it would.")
    asked = [c for c in attributed(text) if c.cue_lemma == "ask"]
    told = [c for c in attributed(text) if c.cue_lemma == "tell"]
    assert all(c.source == () for c in asked)  # the minister was asked; the asker is unsaid
    assert told and told[0].speaker == "the transport minister"


# --- speakers the parse hides (invented sentences) ----------------------------------------------

@pytest.mark.parametrize("text,content,speaker", [
    # only a passive verb's "by" phrase is its doer: this one is active
    ('Ramos met with reporters on Monday at his home in Dover and called the attack by his '
     'cousin, Leo Ramos, "a cowardly act."', "a cowardly act", "Ramos"),
    # a name the parse hung on the list before the verb is its subject
    ("In its coverage of the dispute between the council, the port authority, and Brandt's "
     'shipping firm, the Harbour Gazette claimed the contract was "signed in a hurry."',
     "signed in a hurry", "the Harbour Gazette"),
    # "according to" a name that reads as a verb phrase
    ("According to Keeping the Peace, a group of retired judges, the court had ignored three appeals.",
     "ignored three appeals", "Keeping the Peace"),
    # a possessor without its 's, and without a lower-case word the tagger took for a name
    ("Some engineers are kinder to the study's cost figures, but echo Hallett's doubts about the "
     "safety of the dam.", "safety of the dam", "Hallett"),
    # a common noun keeps its first word, even one the tagger reads as a date
    ("The case began when payday lenders challenged the constitutionality of the funding rule.",
     "constitutionality", "payday lenders"),
    # a headline the parse hung on the verb does not hide the paragraph's own subject
    ("Harbour plans\nOn March 3, 2021, the port authority announced the closure of the north pier.",
     "north pier", "the port authority"),
    # a live blog's time stamp is not part of the speaker
    ("Live updates\n10:15 Island Lines says it will run a reduced timetable during the strike.",
     "reduced timetable", "Island Lines"),
])
def test_a_speaker_the_parse_hid_is_found(text, content, speaker):
    c, = [c for c in attributed(text) if content in c.text]
    assert c.speaker == speaker


def test_a_name_the_parse_took_into_the_quote_is_the_speaker():
    # the parse hangs "Ann Hale" on "make" inside the quotation and leaves "said" no subject
    text = ('"Before the race, we\'ll make a decision -- the harbour office, the race director -- '
            'whether the boats will sail or not," Harbour Chief Ann Hale with the Port Authority said Tuesday.')
    c, = [c for c in attributed(text) if "boats will sail" in c.text]
    assert c.speaker == "Harbour Chief Ann Hale"
    assert "Hale" not in c.text


def test_speaking_on_condition_of_anonymity_states_nothing():
    assert states_nothing("condition of anonymity") and states_nothing("on condition that she not be named")
    assert not states_nothing("the condition of the roads is poor")
