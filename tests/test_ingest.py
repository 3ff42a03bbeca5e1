"""Reading articles: formats, encodings, boilerplate marking, stable ids and bad input.

Every article text here is invented for the tests.
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLE_PATH as SAMPLE

from claimkit.ingest import (
    MAX_BYTES,
    IngestError,
    article_from_text,
    find_boilerplate,
    read_articles,
    read_text_file,
)
from claimkit.model import Article, InputProblem, article_id_for

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

BRIDGE = (
    "Riverside opens new bridge | Riverside Gazette\n"
    "\n"
    "The mayor of Riverside opened the new bridge on Tuesday, officials said.\n"
    "\n"
    "The bridge cost 12 million dollars and took three years to build, according to the council.\n"
)
# Long enough (30+ words) for the language check to judge it, and plainly English.
ENGLISH_BODY = (
    "The harbour authority said on Friday that it would close the old ferry terminal next year. "
    "Officials told reporters that the new terminal had been delayed by a shortage of steel, "
    "and that the cost of the project was now expected to rise."
)
SPANISH_BODY = (
    "El alcalde de la ciudad inauguró el nuevo puente el martes por la mañana. Según los "
    "funcionarios municipales, la obra costó doce millones de euros y tardó tres años en "
    "completarse. Los vecinos del barrio celebraron la apertura con música y comida en la "
    "plaza mayor durante toda la tarde."
)
RUSSIAN_BODY = (
    "Мэр города открыл новый мост во вторник. По словам чиновников, строительство моста "
    "обошлось в двенадцать миллионов долларов и заняло три года. «Это великий день для нашего "
    "города», — сказал мэр журналистам на церемонии у реки. Жители района давно ждали этого "
    "события, и многие пришли посмотреть на открытие нового моста."
)


def read_all(paths) -> tuple[list[Article], list[InputProblem]]:
    problems: list[InputProblem] = []
    articles = list(read_articles(paths, on_problem=problems.append))
    return articles, problems


def marked_lines(article: Article) -> list[str]:
    return [article.text[s:e] for s, e in article.boilerplate]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


# --- plain text --------------------------------------------------------------------------------


def test_txt_heading_gives_title_and_outlet_and_is_marked(tmp_path):
    path = write(tmp_path / "bridge.txt", BRIDGE)

    [article], problems = read_all([path])

    assert problems == []
    assert article.title == "Riverside opens new bridge"
    assert article.outlet == "Riverside Gazette"
    assert article.path == str(path)
    assert article.text == BRIDGE
    assert marked_lines(article) == ["Riverside opens new bridge | Riverside Gazette"]


def test_txt_plain_first_line_is_title_but_stays_claimable(tmp_path):
    text = "Ferry terminal to close\n\n" + ENGLISH_BODY + "\n"
    [article], _ = read_all([write(tmp_path / "ferry.txt", text)])

    assert article.title == "Ferry terminal to close"
    assert article.outlet == ""
    # Without "| Outlet" the first line may be a lead paragraph, so it is not boilerplate.
    assert article.boilerplate == ()


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_txt_text_is_what_open_returns_so_offsets_match(tmp_path, newline):
    path = tmp_path / "windows.txt"
    path.write_bytes(BRIDGE.replace("\n", newline).encode("utf-8"))

    article = read_text_file(path)

    with open(path, encoding="utf-8") as f:
        assert article.text == f.read()
    assert marked_lines(article) == ["Riverside opens new bridge | Riverside Gazette"]


def test_cp1252_curly_quotes_decode_without_mojibake(tmp_path):
    text = ("Port deal signed\n\n"
            "The minister said the deal was \u201ca good day for the port\u201d \u2013 and it\u2019s final.\n")
    raw = text.encode("cp1252")
    assert b"\x93" in raw and b"\x94" in raw
    path = tmp_path / "legacy.txt"
    path.write_bytes(raw)

    [article], problems = read_all([path])

    assert problems == []
    assert "\u201ca good day for the port\u201d" in article.text
    assert "\u2019s final" in article.text
    with open(path, encoding="cp1252") as f:
        assert article.text == f.read()


def test_utf8_bom_is_stripped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + BRIDGE.encode("utf-8"))

    article = read_text_file(path)

    assert article.text == BRIDGE
    assert article.title == "Riverside opens new bridge"
    with open(path, encoding="utf-8-sig") as f:
        assert article.text == f.read()


def test_utf16_with_bom_is_text(tmp_path):
    path = write(tmp_path / "notepad.txt", BRIDGE, encoding="utf-16")

    assert read_text_file(path).text == BRIDGE


def test_other_legacy_code_page_is_guessed_not_mangled(tmp_path):
    path = write(tmp_path / "cyrillic.txt", "Мост открыт\n\n" + RUSSIAN_BODY, encoding="cp1251")

    [article], problems = read_all([path])

    assert article.text.startswith("Мост открыт")
    reasons = [p.reason for p in problems]
    assert any("decoded as cp1251" in r for r in reasons)
    assert all(p.severity == "warning" and p.path == str(path) for p in problems)


def test_utf8_with_a_stray_byte_keeps_the_good_characters(tmp_path):
    # Mostly UTF-8 with one cp1252 byte pasted in: reading it all as cp1252 would garble the rest.
    raw = "Caf\u00e9 owners said \u201cprices rose\u201d.\n".encode("utf-8") + b"A stray \x93 byte.\n"
    path = tmp_path / "mixed.txt"
    path.write_bytes(raw)

    [article], problems = read_all([path])

    assert "Caf\u00e9 owners said \u201cprices rose\u201d." in article.text
    assert "A stray \ufffd byte." in article.text
    assert [(p.path, p.reason, p.severity) for p in problems] == [
        (str(path), "invalid UTF-8, bytes replaced", "warning")]


# --- the sample article ------------------------------------------------------------------------


def test_sample_article_metadata_and_boilerplate():
    article = read_text_file(SAMPLE)

    assert article.title == "Biden sets Putin for Geneva talks"
    assert article.outlet == "Voice of America"
    with open(SAMPLE, encoding="utf-8") as f:
        assert article.text == f.read()
    lines = marked_lines(article)
    assert lines == [
        "Biden sets Putin for Geneva talks | Voice of America",
        "VOA Senior White House Correspondent Patsy Widakuswara contributed to this report.",
        "Biden sets Putin for Geneva talks | Voice of America",
        "Source link Biden sets Putin for Geneva talks | Voice of America",
        "Back to top button",
    ]
    # Spans are whole lines: each starts at a line start and ends at the line's end.
    for start, end in article.boilerplate:
        assert start == 0 or article.text[start - 1] == "\n"
        assert end == len(article.text) or article.text[end] == "\n"


# --- boilerplate patterns ----------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "Share this article",
    "Sign up for our newsletter",
    "We use cookies to improve your experience.",
    "Follow us on social media",
    "Click here to read the full report",
    "Read more: Council delays vote on library funding",
    "Advertisement",
    "By Jane Doe",
    "By JANE DOE, Associated Press",
    "By Jane Doe and John Roe",
    "Maria Lopez in Madrid contributed reporting.",
    "Our correspondent Tom Reed contributed to this report.",
    "Source link Something else entirely",
])
def test_boilerplate_lines_are_marked(line):
    text = f"Harbour plan | Coast News\n\n{ENGLISH_BODY}\n{line}\n{ENGLISH_BODY}\n"
    start = text.index(line)

    assert (start, start + len(line)) in find_boilerplate(text, "Harbour plan")


@pytest.mark.parametrize("line", [
    "By then, the talks had collapsed and both sides blamed each other.",
    "By Tuesday evening the mayor had signed the order, officials said.",
    "The minister said cookies and cakes would be served at the opening.",
    "Readers can share this article's findings with the council, the editor said.",
])
def test_ordinary_sentences_are_not_boilerplate(line):
    text = f"Harbour plan | Coast News\n\n{line}\n"

    assert find_boilerplate(text, "Harbour plan") == ((0, len("Harbour plan | Coast News")),)


def test_repeated_title_is_marked_wherever_it_repeats():
    text = ("Ferry terminal to close\n" + ENGLISH_BODY + "\nFerry terminal to close\n"
            "Ferry terminal to close | Coast News\n")
    article = article_from_text(text, title="Ferry terminal to close")

    # With a known title the headline itself is marked too: the title is not a claim.
    assert marked_lines(article) == ["Ferry terminal to close", "Ferry terminal to close",
                                     "Ferry terminal to close | Coast News"]


def test_article_from_text_keeps_text_and_given_metadata():
    text = "  Leading spaces stay.\r\nSo does this carriage return.\n"
    article = article_from_text(text, path="memo", title="Memo", outlet="Desk",
                                url="https://example.org/memo", published=date(2024, 5, 31))

    assert article.text == text
    assert (article.title, article.outlet, article.url, article.published, article.path) == (
        "Memo", "Desk", "https://example.org/memo", date(2024, 5, 31), "memo")


# --- stable ids --------------------------------------------------------------------------------


def test_article_id_is_a_hash_of_the_decoded_text(tmp_path):
    text = "Port deal signed\n\nThe minister called it \u201ca good day\u201d.\n"
    as_utf8 = write(tmp_path / "a" / "deal.txt", text)
    as_cp1252 = write(tmp_path / "b" / "same_deal_other_name.txt", text, encoding="cp1252")

    first, second, again = (read_text_file(p) for p in (as_utf8, as_cp1252, as_utf8))

    assert first.article_id == second.article_id == again.article_id == article_id_for(text)
    assert read_text_file(write(tmp_path / "c.txt", text + "More.\n")).article_id != first.article_id


# --- HTML --------------------------------------------------------------------------------------


def test_html_main_text_and_metadata():
    path = FIXTURES / "council_budget.html"

    [article], problems = read_all([path])

    assert problems == []
    assert article.title == "Council approves library budget"
    assert article.outlet == "Lakeside Herald"
    assert article.published == date(2023, 4, 5)
    assert article.url == "https://lakeside-herald.example/news/council-budget"
    assert ("Council member Ana Ruiz said the plan would \u201cprotect libraries and parks\u201d"
            in article.text)
    for noise in ("Sports", "trackPageView", "dataLayer", "All rights reserved"):
        assert noise not in article.text
    assert marked_lines(article) == ["Council approves library budget"]
    assert article.article_id == article_id_for(article.text)


def test_htm_in_cp1252_is_decoded(tmp_path):
    html = ("<html><head><title>Dock strike ends</title></head><body><article><p>Union leaders "
            "said the strike was \u201cover for now\u201d after talks on Sunday, and that workers "
            "would return to the docks on Monday morning.</p></article></body></html>")
    path = write(tmp_path / "strike.htm", html, encoding="cp1252")

    [article], problems = read_all([path])

    assert problems == []
    assert "\u201cover for now\u201d" in article.text


# --- HTML pages from real-world layouts (every page invented) -----------------------------------


def claims_of(article: Article):
    from claimkit.engines import extract

    return extract([article])


def test_html_json_ld_body_replaces_a_caption_only_page():
    # The visible page is a photo caption and a subscribers' teaser; the article is only in the
    # JSON-LD articleBody of the page's NewsArticle (inside @graph).
    [article], problems = read_all([FIXTURES / "caption_only_jsonld.html"])

    assert problems == []
    assert article.text.startswith("The Orland Valley water board said on Tuesday")
    assert "Subscribers can read" not in article.text
    assert "\nBoard chair Mirela Costa said households" in article.text  # paragraphs kept
    assert article.published == date(2024, 2, 14)
    assert article.url == "https://valley-courier.example/news/reservoir-low"
    claims = claims_of(article)
    speakers = {c.speaker for c in claims if c.cue}
    assert "Board chair Mirela Costa" in speakers or "Mirela Costa" in speakers
    for claim in claims:  # offsets index Article.text
        assert claim.text == " ".join(article.text[s:e] for s, e in claim.content)
    assert any("rationing by the summer" in c.text for c in claims)


def test_html_visible_text_kept_when_json_ld_body_is_no_longer(tmp_path):
    body = ("<p>The ferry company said on Friday that it would add a second boat to the island "
            "route in May, and that fares would not rise this year.</p>")
    page = ("<html><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
            "\"headline\": \"Ferry adds a boat\", \"articleBody\": \"The ferry company "
            "said it would add a boat.\"}</script></head><body><article><h1>Ferry adds a boat"
            f"</h1>{body}</article></body></html>")

    [article], _ = read_all([write(tmp_path / "ferry.html", page)])

    assert "fares would not rise this year" in article.text


def test_html_visible_paragraphs_kept_when_json_ld_runs_them_together(tmp_path):
    # The JSON-LD body is the same article with its paragraphs and subheading joined by spaces:
    # read that way, the subheading becomes the next sentence's subject ("... the valley' Ada
    # Reyes said"). The visible text, paragraph for paragraph the same words, is kept.
    paragraphs = ["The county board voted on Tuesday to close the old quarry road for the winter.",
                  "Repairs will start in April, the board said in a statement.",
                  "A road for the whole valley",
                  "Ada Reyes, who farms beside the quarry, said the closure would add an hour to "
                  "every delivery she makes."]
    obj = {"@type": "NewsArticle", "headline": "Quarry road closed",
           "articleBody": " ".join(paragraphs)}
    page = ("<html><head><title>Quarry road closed</title><script type='application/ld+json'>"
            + json.dumps(obj) + "</script></head><body><header><h1>Quarry road closed</h1>"
            f"</header><article><p>{paragraphs[0]}</p><p>{paragraphs[1]}</p><h2>{paragraphs[2]}</h2>"
            f"<p>{paragraphs[3]}</p></article></body></html>")

    [article], problems = read_all([write(tmp_path / "quarry.html", page)])

    assert problems == []
    assert "\nA road for the whole valley\nAda Reyes, who farms" in article.text
    said = [c for c in claims_of(article) if c.cue_lemma == "say" and "an hour" in c.text]
    assert [c.speaker for c in said] == ["Ada Reyes"]


def test_html_json_ld_body_with_markup_and_the_right_article_object(tmp_path):
    # Two top-level NewsArticle objects: a related story listed first, and the page's own (found
    # by its url). The own body is HTML inside JSON; a broken JSON-LD block is ignored.
    own_body = ("<p>The Northfield council said on Monday that it would rebuild the old pier "
                "by next summer, at a cost of four million pounds.</p><p>Harbour master Ines "
                "Okafor said the pier had been unsafe for two years and that fishing boats had "
                "been moored at the beach since the spring.</p><p>Local traders said the work "
                "would bring visitors back to the seafront.</p>")
    objects = [
        {"@type": "NewsArticle", "headline": "Pier closed", "url": "https://n.example/old-pier",
         "datePublished": "2020-01-05", "articleBody": "The pier was closed, officials said. " * 20},
        {"@type": "NewsArticle", "headline": "Council to rebuild pier",
         "url": "https://n.example/rebuild-pier", "datePublished": "2024-04-08",
         "articleBody": own_body},
    ]
    page = ("<html><head><title>Council to rebuild pier</title>"
            "<link rel='canonical' href='https://n.example/rebuild-pier/'>"
            "<script type='application/ld+json'>{not json</script>"
            f"<script type='application/ld+json'>{json.dumps(objects)}</script></head>"
            "<body><figure><figcaption>The pier at dawn.</figcaption></figure></body></html>")

    [article], problems = read_all([write(tmp_path / "pier.html", page)])

    assert problems == []
    assert article.text.split("\n")[1].startswith("Harbour master Ines Okafor said")
    assert "<p>" not in article.text and "The pier was closed" not in article.text
    assert article.published == date(2024, 4, 8)


@pytest.mark.parametrize("raw, expected", [
    ("<p>The mayor said yes.</p><p>Critics said no.</p>", "The mayor said yes.\nCritics said no."),
    ("First line.<br>Second &amp; last.", "First line.\nSecond & last."),
    ("It&#8217;s &quot;over&quot;, the coach said.", "It\u2019s \"over\", the coach said."),
    ("The rule a<b and c>d holds, the paper said.", "The rule a<b and c>d holds, the paper said."),
    ("One.\n\n  Two,  spaced.  \r\nThree.", "One.\nTwo, spaced.\nThree."),
])
def test_json_ld_body_rendering(raw, expected):
    from claimkit.ingest.page import render_body

    assert render_body(raw) == expected


def test_html_date_is_the_pages_own_not_a_teasers():
    # JSON-LD: an ItemList of related stories (2021) comes before the page's own NewsArticle
    # (2024); a related-articles box with a 2021 <time> comes before the article in the body.
    # No <meta> date. trafilatura's own date (htmldate on the whole page) is the teaser's 2021.
    [article], _ = read_all([FIXTURES / "teaser_dates.html"])

    assert article.published == date(2024, 6, 3)


TEASER_BOX = ("<section class='related-stories'><article><time datetime='2019-05-01'>1 May 2019"
              "</time><h3>Older story</h3></article></section>")
OWN_ARTICLE = ("<article><h1>Library reopens</h1>{dateline}<p>The city library reopened on "
               "Saturday after a year of building work, the council said, and will now stay open "
               "until nine in the evening on weekdays.</p></article>")


@pytest.mark.parametrize("head, dateline, expected", [
    ("<meta property='article:published_time' content='2023-10-07T09:00:00Z'>", "", date(2023, 10, 7)),
    ("<meta name='dc.date' content='2023-10-07'>", "", date(2023, 10, 7)),
    ("", "<p><time itemprop='datePublished' datetime='2023-10-07'>7 Oct</time></p>", date(2023, 10, 7)),
    ("", "<p class='dateline'>October 7, 2023</p>", date(2023, 10, 7)),
    ("", "<p>Published <time datetime='2023-10-07T08:00'>Saturday</time></p>", date(2023, 10, 7)),
    ("", "", None),  # only the teaser has a date: better none than the teaser's
], ids=["article-meta", "dc-date", "itemprop", "dateline", "time", "teaser-only"])
def test_html_date_sources_in_order_and_never_from_teasers(tmp_path, head, dateline, expected):
    page = (f"<html><head><title>Library reopens</title>{head}</head><body>{TEASER_BOX}"
            f"{OWN_ARTICLE.format(dateline=dateline)}</body></html>")

    [article], _ = read_all([write(tmp_path / "library.html", page)])

    assert article.published == expected


def test_html_asides_and_shop_promos_are_marked_and_yield_no_claims():
    [article], problems = read_all([FIXTURES / "sidebar_promos.html"])

    assert problems == []
    marked = marked_lines(article)
    assert ("Our gardening editor said these are the five best hoses of the year, and they are "
            "all on sale today.") in marked
    for credit in ("Additional reporting by Leo Marsh", "\u00a9 2022 Northfield Post. All rights reserved.",
                   "This article originally appeared on Northfield Weekly.",
                   "Reporting by Ana Bell; Editing by Tom Gray"):
        assert credit in marked
    assert article.published == date(2022, 9, 12)
    claims = claims_of(article)
    texts = " ".join(c.text for c in claims)
    assert "pupils an extra hour of sleep" in texts  # the article's own claims still come
    for teaser_words in ("hoses", "stadium", "fire chief", "Elm Street"):
        assert teaser_words not in texts
    for claim in claims:
        assert not any(s < e2 and s2 < e for s, e in claim.content for s2, e2 in article.boilerplate)


def test_html_aside_text_inside_the_article_is_marked(tmp_path):
    # trafilatura keeps an aside that sits inside <article> in some layouts; ours is marked either
    # way. The pull quote repeats an article line: that line is the article's and stays unmarked.
    page = ("<html><body><article><h1>Port strike</h1>"
            "<p>Dock workers said on Monday that the strike would go on until the port authority "
            "returned to talks about pay and night shifts.</p>"
            "<div class='c-most-read__list'><p>The governor said taxes would fall next year, "
            "an aide told the paper.</p></div>"
            "<p>\u201cWe are not going back,\u201d the union leader said.</p>"
            "<aside class='pullquote'><p>\u201cWe are not going back,\u201d the union leader "
            "said.</p></aside>"
            "<p>The port authority said it had made a fair offer and would not raise it again.</p>"
            "</article></body></html>")

    [article], _ = read_all([write(tmp_path / "strike.html", page)])

    marked = marked_lines(article)
    assert "\u201cWe are not going back,\u201d the union leader said." not in marked
    assert "The governor said taxes would fall next year, an aide told the paper." in marked


def test_html_pull_quote_block_is_marked_and_makes_no_second_claim(tmp_path):
    page = ("<html><body><article><h1>Ferry fares</h1>"
            "<p>Council leader Mirela Costa said the increase would pay for a new boat. \u201cThe "
            "old one is forty years old and breaks down every winter,\u201d she said.</p>"
            "<blockquote class='c-pull-quote'>\u201cThe old one is forty years old and breaks "
            "down every winter\u201d</blockquote>"
            "<p>Residents said the rise was too steep for families who cross every day.</p>"
            "</article></body></html>")

    [article], _ = read_all([write(tmp_path / "fares.html", page)])

    assert "\u201cThe old one is forty years old and breaks down every winter\u201d" in marked_lines(article)
    said = [c for c in claims_of(article) if "breaks down every winter" in c.text]
    assert len(said) == 1


def test_layout_wrapper_named_like_a_sidebar_is_not_boilerplate(tmp_path):
    page = ("<html><body><div class='layout has-sidebar'><article><h1>Bridge tolls</h1>"
            "<p>The transport minister said on Wednesday that bridge tolls would be scrapped in "
            "the spring, a promise the government first made two years ago.</p>"
            "<p>Drivers' groups said the change was overdue.</p></article>"
            "<aside><p>Weather: rain later.</p></aside></div></body></html>")

    [article], _ = read_all([write(tmp_path / "tolls.html", page)])

    assert "bridge tolls would be scrapped" in article.text
    assert not any("bridge tolls would be scrapped" in line for line in marked_lines(article))


@pytest.mark.parametrize("line", [
    "Additional reporting by Leo Marsh",
    "(Additional reporting by Leo Marsh in Northfield)",
    "\u00a9 2022 Northfield Post. All rights reserved.",
    "Copyright 2022 Northfield Post",
    "This article originally appeared on Northfield Weekly.",
    "This story was first published by the Northfield Post.",
    "Reporting by Ana Bell; Editing by Tom Gray",
    "Editing by Tom Gray",
    "Sign up for our morning briefing, delivered every weekday.",
    "Listen to this article",
    "Related: Island school to close in July",
    "Photos: Tom Reyes",
    "Photo: Ana Ruiz/Valley Courier",
    "This story has been updated to correct the name of the chief engineer.",
])
def test_credit_and_promo_lines_are_boilerplate(line):
    text = f"Dock strike ends\n\nUnion leaders said the strike was over.\n{line}\nMore text here.\n"

    assert marked_lines(article_from_text(text, title="Dock strike ends")) == ["Dock strike ends", line]


@pytest.mark.parametrize("line", [
    "Copyright law experts said the ruling would be appealed.",
    "Reporting by the Post found that the fund had been misused.",
    "Signing up for the scheme took weeks, residents said.",
    "Writing by hand is a dying art, the teachers' union said.",
    "Editing by committee slowed the report, officials said.",
    "Photos: the pier before and after the storm show how much of it was lost.",
    "Related costs rose for every household in the valley, the report said.",
])
def test_sentences_that_start_like_credit_lines_are_not_boilerplate(line):
    text = f"Dock strike ends\n\n{line}\n"

    assert marked_lines(article_from_text(text, title="Dock strike ends")) == ["Dock strike ends"]


# --- .txt front matter ---------------------------------------------------------------------------

FRONT_MATTER = (
    "---\n"
    "date: 2024-03-01\n"
    "url: https://harbour-news.example/2024/03/ferry\n"
    "outlet: Harbour News\n"
    'title: "Ferry fares: no rise this year"\n'
    "---\n"
)
FERRY_BODY = (
    "The island ferry company said on Thursday that fares would not rise this year, despite "
    "the higher cost of fuel.\n"
    "\n"
    "\u201cWe will absorb the cost,\u201d chief executive Marta Solberg told reporters.\n"
)


def test_txt_front_matter_sets_metadata_and_is_marked(tmp_path):
    path = write(tmp_path / "ferry.txt", FRONT_MATTER + FERRY_BODY)

    [article], problems = read_all([path])

    assert problems == []
    assert article.text == FRONT_MATTER + FERRY_BODY  # the file as read: nothing cut
    assert article.article_id == article_id_for(article.text)
    assert article.published == date(2024, 3, 1)
    assert article.url == "https://harbour-news.example/2024/03/ferry"
    assert article.outlet == "Harbour News"
    assert article.title == "Ferry fares: no rise this year"
    assert article.boilerplate[0] == (0, len(FRONT_MATTER))
    claims = claims_of(article)
    assert claims
    for claim in claims:
        assert claim.content[0][0] >= len(FRONT_MATTER)
        assert claim.text == " ".join(article.text[s:e] for s, e in claim.content)
    assert any("We will absorb the cost" in c.text for c in claims)


def test_txt_front_matter_without_title_takes_the_first_body_line(tmp_path):
    text = "---\ndate: 2024-03-01\n---\nFerry fares frozen | Harbour News\n\n" + FERRY_BODY
    [article], problems = read_all([write(tmp_path / "ferry.txt", text)])

    assert problems == []
    assert (article.title, article.outlet) == ("Ferry fares frozen", "Harbour News")
    assert marked_lines(article)[:2] == ["---\ndate: 2024-03-01\n---\n", "Ferry fares frozen | Harbour News"]


def test_txt_front_matter_with_a_bad_date_warns_and_still_reads(tmp_path):
    front = FRONT_MATTER.replace("2024-03-01", "1st of March")
    path = write(tmp_path / "ferry.txt", front + FERRY_BODY)

    [article], problems = read_all([path])

    assert [(p.path, p.severity) for p in problems] == [(str(path), "warning")]
    assert "'1st of March'" in problems[0].reason and "2024-05-31" in problems[0].reason
    assert "\n" not in problems[0].reason
    assert article.published is None
    assert article.outlet == "Harbour News"
    assert article.boilerplate[0] == (0, len(front))


def test_txt_front_matter_unknown_keys_and_odd_lines_are_reported(tmp_path):
    text = "---\ndate: 2024-03-01\nauthr: Jo\nnot a field\n---\n" + FERRY_BODY
    [article], problems = read_all([write(tmp_path / "ferry.txt", text)])

    reasons = [p.reason for p in problems]
    assert any("'authr' unknown" in r for r in reasons)
    assert any("line 4 is not 'key: value'" in r for r in reasons)
    assert article.published == date(2024, 3, 1)


def test_txt_that_opens_with_a_rule_line_is_plain_text(tmp_path):
    text = "---\nThe harbour board said on Monday it would sell the old crane.\n"
    [article], problems = read_all([write(tmp_path / "crane.txt", text)])

    assert problems == []
    assert article.boilerplate == ()
    assert article.published is None


def test_txt_unclosed_front_matter_warns(tmp_path):
    text = "---\ndate: 2024-03-01\n" + FERRY_BODY
    [article], problems = read_all([write(tmp_path / "ferry.txt", text)])

    assert len(problems) == 1 and "no closing '---'" in problems[0].reason
    assert article.published is None and article.text == text


def test_front_matter_date_reaches_attributions_output_and_the_store(tmp_path, cli):
    path = write(tmp_path / "ferry.txt", FRONT_MATTER + FERRY_BODY)

    result = cli("attributions", path)

    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["published"] == "2024-03-01"
    text = path.read_text(encoding="utf-8")
    for claim in record["claims"]:
        assert claim["text"] == " ".join(text[s:e] for s, e in claim["content"])
    db = tmp_path / "claims.db"
    stored = cli("extract", path, "--store", db, "--no-progress")
    assert stored.returncode == 0, stored.stderr
    from claimkit.store import open_store

    with open_store(db, create=False) as store:
        frame = store.claims()
    assert len(frame) == len(record["claims"])
    assert set(frame["published"].astype(str)) == {"2024-03-01"}
    assert set(frame["outlet"]) == {"Harbour News"}


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_one_article_per_row_with_metadata(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text(
        "title,outlet,url,published,text\n"
        "Bridge opens,Riverside Gazette,https://example.org/1,2023-04-05,"
        '"The mayor opened the bridge, officials said."\n'
        'Ferry closes,Coast News,,2023-04-06T09:15:00Z,"The ferry will close.\nA second paragraph."\n',
        encoding="utf-8", newline="")

    articles, problems = read_all([path])

    assert problems == []
    assert [a.path for a in articles] == [f"{path}#row=1", f"{path}#row=2"]
    first, second = articles
    assert (first.title, first.outlet, first.url, first.published) == (
        "Bridge opens", "Riverside Gazette", "https://example.org/1", date(2023, 4, 5))
    assert first.text == "The mayor opened the bridge, officials said."
    assert second.published == date(2023, 4, 6)
    assert second.text == "The ferry will close.\nA second paragraph."
    assert second.article_id == article_id_for(second.text)


def test_csv_body_column_semicolons_and_cp1252(tmp_path):
    path = tmp_path / "excel_export.csv"
    rows = "Title;Body\r\nDock strike ends;Leaders said the strike was \u201cover\u201d.\r\n"
    path.write_bytes(rows.encode("cp1252"))

    [article], problems = read_all([path])

    assert problems == []
    assert article.title == "Dock strike ends"
    assert article.text == "Leaders said the strike was \u201cover\u201d."


def test_csv_without_title_column_takes_title_from_heading(tmp_path):
    path = tmp_path / "texts.csv"
    path.write_text('content\n"Harbour plan | Coast News\n\nThe plan was approved."\n',
                    encoding="utf-8", newline="")

    [article], _ = read_all([path])

    assert (article.title, article.outlet) == ("Harbour plan", "Coast News")
    assert marked_lines(article) == ["Harbour plan | Coast News"]


def test_csv_bad_rows_warn_and_the_rest_is_read(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_text(
        "title,text,published\n"
        "Good one,The council met on Monday.,2023-01-02\n"
        "No text,,2023-01-03\n"
        "Bad date,The council met again.,next Tuesday\n"
        "Too many,fields,2023-01-04,extra\n"
        "Good two,The council adjourned.,\n",
        encoding="utf-8", newline="")

    articles, problems = read_all([path])

    assert [a.title for a in articles] == ["Good one", "Bad date", "Good two"]
    assert articles[1].published is None
    assert [(p.path, p.severity) for p in problems] == [
        (f"{path}#row=2", "warning"), (f"{path}#row=3", "warning"), (f"{path}#row=4", "warning")]
    assert problems[0].reason == "empty text"
    assert "next Tuesday" in problems[1].reason
    assert "4 fields" in problems[2].reason


def test_csv_larger_than_the_single_file_limit_is_streamed(tmp_path):
    # The size limit is per article; a corpus of many articles may be bigger than that.
    path = tmp_path / "big.csv"
    row_text = "The council met on Monday and approved the plan. " * 100
    n_rows = MAX_BYTES // len(row_text) + 10
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("text\n")
        for _ in range(n_rows):
            f.write(row_text + "\n")
    assert path.stat().st_size > MAX_BYTES

    count = sum(1 for _ in read_articles([path], on_problem=pytest.fail))

    assert count == n_rows


# --- JSONL -------------------------------------------------------------------------------------


def test_jsonl_one_article_per_line(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [
        {"text": "The mayor opened the bridge.", "title": "Bridge opens", "outlet": "Gazette",
         "url": "https://example.org/1", "published": "2023-04-05"},
        {"body": "Harbour plan | Coast News\nThe plan was approved.", "published": None},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")

    articles, problems = read_all([path])

    assert problems == []
    assert [a.path for a in articles] == [f"{path}#line=1", f"{path}#line=2"]
    assert (articles[0].title, articles[0].outlet, articles[0].published) == (
        "Bridge opens", "Gazette", date(2023, 4, 5))
    assert (articles[1].title, articles[1].outlet, articles[1].published) == (
        "Harbour plan", "Coast News", None)


def test_jsonl_bad_lines_warn_and_the_rest_is_read(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"text": "First story."}\n'
        '{"text": "Broken story.\n'
        '\n'
        '["not", "an", "object"]\n'
        '{"text": ""}\n'
        '{"title": "Missing text"}\n'
        '{"text": "Last story.", "published": "31/05/2024"}\n',
        encoding="utf-8")

    articles, problems = read_all([path])

    assert [a.text for a in articles] == ["First story.", "Last story."]
    assert articles[1].published is None
    assert [(p.path, p.reason.split(" (")[0]) for p in problems] == [
        (f"{path}#line=2", "invalid JSON"),
        (f"{path}#line=4", "not a JSON object"),
        (f"{path}#line=5", "empty text"),
        (f"{path}#line=6", "no text field"),
        (f"{path}#line=7", "unreadable date '31/05/2024' in 'published'"),
    ]
    assert all(p.severity == "warning" for p in problems)


# --- folders -----------------------------------------------------------------------------------


def test_folder_is_read_recursively_in_sorted_order(tmp_path):
    write(tmp_path / "b.txt", "Second\n\nB.\n")
    write(tmp_path / "a.txt", "First\n\nA.\n")
    write(tmp_path / "sub" / "c.jsonl", '{"text": "Third."}\n')
    write(tmp_path / "sub" / "deeper" / "d.csv", "text\nFourth.\n")
    write(tmp_path / ".hidden.txt", "Hidden\n")
    write(tmp_path / ".git" / "e.txt", "Hidden folder\n")
    write(tmp_path / "notes.pdf", "%PDF-1.4")

    articles, problems = read_all([tmp_path])

    assert [a.path for a in articles] == [
        os.path.join(str(tmp_path), "a.txt"),
        os.path.join(str(tmp_path), "b.txt"),
        os.path.join(str(tmp_path), "sub", "c.jsonl") + "#line=1",
        os.path.join(str(tmp_path), "sub", "deeper", "d.csv") + "#row=1",
    ]
    assert [(p.path, p.severity) for p in problems] == [(os.path.join(str(tmp_path), "notes.pdf"), "warning")]
    assert "unsupported file type '.pdf'" in problems[0].reason


def test_unknown_extension_named_explicitly_is_an_error(tmp_path):
    path = write(tmp_path / "notes.docx", "not really a docx")

    articles, problems = read_all([path])

    assert articles == []
    assert [(p.path, p.severity) for p in problems] == [(str(path), "error")]


def test_empty_folder_is_reported(tmp_path):
    (tmp_path / "empty").mkdir()

    articles, problems = read_all([tmp_path / "empty"])

    assert articles == []
    assert [p.severity for p in problems] == ["warning"]


# --- bad input: one problem per bad file, the batch goes on ------------------------------------


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _huge_file(path: Path) -> Path:
    with open(path, "wb") as f:
        f.write(b"The council met. " * (MAX_BYTES // 17 + 1))
    return path


# name -> (make the bad file in tmp_path, severity, start of the reason, article still yielded)
BAD_INPUTS = {
    "missing": (lambda d: d / "missing.txt", "error", "no such file or directory", False),
    "empty": (lambda d: write(d / "empty.txt", ""), "error", "empty file", False),
    "blank": (lambda d: write(d / "blank.txt", " \n\n  \n"), "error", "empty file", False),
    "binary": (lambda d: _write_bytes(d / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00"),
               "error", "not a text file (binary content)", False),
    "binary_csv": (lambda d: _write_bytes(d / "sheet.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00!\x00"),
                   "error", "not a text file (binary content)", False),
    "too_large": (lambda d: _huge_file(d / "huge.txt"), "error", "file too large (", False),
    "bad_utf8": (lambda d: _write_bytes(d / "bad.txt", b"Port deal\n\nThe deal was signed \x81 on Monday.\n"),
                 "warning", "invalid UTF-8, bytes replaced", True),
    "html_scripts": (lambda d: write(d / "app.html", "<html><head><script>var a = 1;</script></head>"
                                                     "<body><script>run();</script></body></html>"),
                     "error", "no article text found in HTML", False),
    "csv_no_text": (lambda d: write(d / "names.csv", "title,author\nA,B\n"), "error",
                    "no text column (expected one of: text, body, content)", False),
    "jsonl_no_text": (lambda d: write(d / "names.jsonl", '{"title": "A"}\n'), "error",
                      "no text field (expected one of: text, body, content)", False),
    "not_english": (lambda d: write(d / "puente.txt", "Puente nuevo\n\n" + SPANISH_BODY), "warning",
                    "text does not look like English (detected Latin script", True),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_each_bad_input_gives_one_problem_and_the_batch_goes_on(tmp_path, case):
    make, severity, reason, yields_article = BAD_INPUTS[case]
    path = make(tmp_path)
    before = write(tmp_path / "good" / "before.txt", BRIDGE)
    after = write(tmp_path / "good" / "after.txt", "Ferry terminal to close\n\n" + ENGLISH_BODY)

    articles, problems = read_all([before, path, after])

    assert len(problems) == 1
    [problem] = problems
    assert problem.path == str(path)
    assert problem.severity == severity
    assert problem.reason.startswith(reason)
    assert "Traceback" not in problem.reason
    expected = [str(before)] + ([str(path)] if yields_article else []) + [str(after)]
    assert [a.path for a in articles] == expected


def test_too_large_names_the_size_and_limit(tmp_path):
    path = _huge_file(tmp_path / "huge.txt")

    with pytest.raises(IngestError) as err:
        read_text_file(path)

    assert str(err.value) == "file too large (5.0 MB > 5 MB limit)"


def test_non_english_text_is_still_read(tmp_path):
    path = write(tmp_path / "most.txt", "Мост\n\n" + RUSSIAN_BODY)

    [article], problems = read_all([path])

    assert article.text.endswith("нового моста.")
    assert [p.reason for p in problems] == [
        "text does not look like English (detected Cyrillic script, 0% common English words)"]


def test_fifo_is_refused_instead_of_blocking(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    good = write(tmp_path / "good.txt", BRIDGE)

    articles, problems = read_all([path, good])

    assert [(p.path, p.reason) for p in problems] == [(str(path), "not a regular file")]
    assert [a.path for a in articles] == [str(good)]


def test_problems_go_to_stderr_without_a_callback(tmp_path, capsys):
    missing = tmp_path / "gone.txt"
    good = write(tmp_path / "good.txt", BRIDGE)

    articles = list(read_articles([missing, good]))

    assert len(articles) == 1
    assert capsys.readouterr().err == f"error: {missing}: no such file or directory\n"


def test_read_text_file_raises_a_plain_reason(tmp_path):
    with pytest.raises(IngestError, match="^no such file or directory$"):
        read_text_file(tmp_path / "absent.txt")
    with pytest.raises(IngestError, match="^empty file$"):
        read_text_file(write(tmp_path / "empty.txt", ""))


def test_read_text_file_reads_any_extension_as_text(tmp_path):
    # brat and other tools keep text under their own names; the content decides, not the suffix.
    path = write(tmp_path / "doc1.ann.src", BRIDGE)

    assert read_text_file(path).text == BRIDGE


def test_read_articles_is_lazy_and_accepts_strings(tmp_path):
    path = write(tmp_path / "bridge.txt", BRIDGE)

    stream = read_articles([str(path)])

    assert next(stream).path == str(path)


def test_a_single_path_is_not_mistaken_for_a_list_of_characters(tmp_path):
    path = write(tmp_path / "bridge.txt", BRIDGE)

    articles, problems = read_all(str(path))

    assert ([a.path for a in articles], problems) == ([str(path)], [])
