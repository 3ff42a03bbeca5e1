"""One HTML page -> its article text, metadata and boilerplate lines.

trafilatura finds the visible main text, title, site name and canonical url. Three things it
gets wrong on real news pages are decided here, from the page's own markup:

- **the text** (docs/architecture.md §2): ``Article.text`` is the text claimkit stores and every
  offset points into it, never into the HTML. It is the visible main text, unless the page's
  JSON-LD ``articleBody`` (of the page's own article object) is much longer: then the visible
  text was a fragment (a photo caption, a paywall teaser) and ``Article.text`` is the
  ``articleBody`` itself, rendered to plain text. Either way offsets index the one stored text.
- **the date**: the page's own, in order of trust: its JSON-LD article's ``datePublished``,
  standard ``<meta>`` dates, ``itemprop=datePublished``, a visible dateline, ``<time>``
  elements, then htmldate on the page without its boilerplate blocks. Teasers (JSON-LD
  ``ItemList`` entries, related-article boxes) are never read.
- **boilerplate blocks**: asides, navigation, related/teaser/promo/shop boxes (named in
  ``data/ingest_rules.json``). Lines of the text found only inside them are *marked* as
  boilerplate; nothing is cut.
"""
from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from claimkit.ingest.lines import iter_lines, universal_newlines
from claimkit.ingest.rules import IngestRules, rules
from claimkit.model import Span

# The JSON-LD body replaces the visible text when the visible text is shorter than this share of
# it: a caption or a teaser is a small fraction of the body; a page whose visible text is merely
# trimmed differently (a subhead more or less) is not.
BODY_FALLBACK_SHARE = 0.5
# The visible text is the JSON-LD body itself (with its paragraph breaks) when it covers this share.
BODY_SAME_SHARE = 0.9
# A block holding more than this share of the main text is a layout wrapper around the article
# (class="has-sidebar"), not a teaser box.
MAX_BLOCK_SHARE = 0.5
DATELINE_MAX_CHARS = 100  # a longer line is a sentence, and a date in it is about something else
_MARK = "data-claimkit-boilerplate"  # set on boilerplate blocks of our own parse of the page
_NOT_TEXT = ("script", "style", "noscript", "template")
_SPACE = re.compile(r"\s+")
# Markup in a JSON-LD body: a closing tag, or an opening <p>/<br>. Prose such as "a<b and c>d"
# is not markup.
_MARKUP = re.compile(r"</(?:p|div|h[1-6]|li|ul|ol|blockquote|span|a|em|strong|b|i)>|<br\s*/?>|<p[\s>]",
                     re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);")
_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "br", "tr")
_ISO_START = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?!\d)")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


@dataclass(frozen=True)
class Page:
    text: str  # Article.text: universal newlines, one paragraph a line
    title: str | None
    outlet: str | None
    url: str
    published: date | None
    boilerplate: tuple[Span, ...]  # lines found only in boilerplate blocks
    from_json_ld: bool  # the text is the JSON-LD articleBody, not the visible text


def read_page(markup: str) -> Page | None:
    """Read one HTML page (already decoded); None when it has no article text at all."""
    import trafilatura  # imported here: loading it costs time that txt-only runs need not pay
    from trafilatura.utils import load_html

    # No url is passed and the input is a string, so trafilatura never touches the network.
    doc = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False)
    visible = universal_newlines(doc.text or "") if doc is not None else ""
    title = (doc.title if doc is not None else None) or None
    outlet = (doc.sitename if doc is not None else None) or None
    url = (doc.url if doc is not None else None) or ""
    tree = load_html(markup)  # our own parse: trafilatura's is pruned and not handed back
    if tree is None:
        return Page(visible, title, outlet, url, None, (), False) if visible.strip() else None
    r = rules()
    url = url or _canonical_url(tree)
    objects = json_ld_objects(tree)
    main = main_article(objects, url, _page_titles(tree, title), r)
    json_bodies = [b for b in (_json_text(o, r.json_body_keys) for o in objects) if b]
    text, from_json = choose_text(visible, render_body(_json_text(main, r.json_body_keys)),
                                  json_bodies)
    if not text.strip():
        return None
    mark_blocks(tree, len(_squash(text)), r)
    cleaned = without_blocks(tree)
    return Page(
        text=text, title=title, outlet=outlet,
        url=url or (_object_url(main) if main else ""),
        published=page_date(tree, cleaned, main, text, r),
        # A JSON-LD body has no blocks in it: only the visible text needs its lines checked.
        boilerplate=() if from_json else block_line_spans(text, tree, cleaned),
        from_json_ld=from_json,
    )


def choose_text(visible: str, body: str, json_bodies: Sequence[str] = ()) -> tuple[str, bool]:
    """(text, came from JSON-LD): the visible text unless the JSON-LD body is much fuller.

    trafilatura may itself fall back to JSON-LD: then its text is every ``articleBody`` of the
    page run together (a related story's too), paragraphs joined by spaces. Such a text is
    recognised (each of its lines lies in some JSON-LD body) and the page's own body is taken
    instead, in our rendering, which keeps the paragraph breaks that quotes are read by.
    """
    if not body.strip():
        return visible, False
    squashed_visible, squashed_body = _squash(visible), _squash(body)
    if len(squashed_visible) < BODY_FALLBACK_SHARE * len(squashed_body):
        return body, True
    squashed_json = [_squash(render_body(b)) for b in json_bodies] or [squashed_body]
    lines = [_squash(line) for line in visible.split("\n") if line.strip()]
    if all(any(line in j for j in squashed_json) for line in lines):
        if _same_body_with_more_breaks(lines, squashed_visible, body, squashed_body):
            return visible, False
        return body, True
    return visible, False


def _same_body_with_more_breaks(lines: Sequence[str], squashed_visible: str, body: str,
                                squashed_body: str) -> bool:
    """The visible text is the page's own body, paragraph for paragraph, where the JSON-LD copy
    runs paragraphs and subheadings together ("... vote. Affirmative action and ... Jeffrey Wall
    said"): the visible text keeps the breaks a heading and a paragraph's first sentence need."""
    return (len(lines) > body.count("\n") + 1
            and len(squashed_visible) >= BODY_SAME_SHARE * len(squashed_body)
            and all(line in squashed_body for line in lines))


# ---------------------------------------------------------------------------------------------
# JSON-LD


def json_ld_objects(tree: Any) -> list[dict]:
    """Every top-level schema.org object of the page's JSON-LD (lists and ``@graph`` unpacked).

    ``itemListElement`` (related stories, breadcrumbs) is not descended into, so a teaser can
    never be taken for the page's article.
    """
    found: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "", strict=False)  # raw newlines in strings occur
        except ValueError:
            continue  # a broken block on someone's page is not our article's problem
        _collect(data, found)
    return found


def _collect(node: Any, found: list[dict]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, found)
    elif isinstance(node, dict):
        found.append(node)
        for key in ("@graph", "mainEntity"):
            _collect(node.get(key), found)


def main_article(objects: list[dict], url: str, titles: list[str],
                 r: IngestRules | None = None) -> dict | None:
    """The page's own article among the JSON-LD objects: the one whose url matches the page,
    else whose headline matches its title, else the only (or first full-text) article."""
    r = r or rules()
    articles = [o for o in objects if _types(o) & r.article_types]
    if not articles:
        return None
    page_url = _norm_url(url)
    if page_url:
        for obj in articles:
            if page_url in {_norm_url(u) for u in _object_urls(obj)}:
                return obj
    wanted = [_squash(t) for t in titles if t and t.strip()]
    for obj in articles:
        headline = _squash(str(obj.get("headline") or obj.get("name") or ""))
        if headline and any(t == headline or t.startswith(headline) for t in wanted):
            return obj
    with_body = [o for o in articles if _json_text(o, r.json_body_keys)]
    return (with_body or articles)[0]


def _types(obj: dict) -> set[str]:
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    # "schema:NewsArticle", "https://schema.org/NewsArticle" and "NewsArticle" are one type.
    return {re.split(r"[:/]", n)[-1] for n in names if isinstance(n, str)}


def _object_urls(obj: dict) -> Iterator[str]:
    for key in ("url", "@id", "mainEntityOfPage"):
        value = obj.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from (v for v in (value.get("@id"), value.get("url")) if isinstance(v, str))


def _object_url(obj: dict) -> str:
    return next((u for u in _object_urls(obj) if u.startswith(("http://", "https://"))), "")


def _norm_url(url: str) -> str:
    url = url.strip().split("#")[0].split("?")[0].rstrip("/")
    return re.sub(r"^https?://(www\.)?", "", url).casefold()


def _json_text(obj: dict | None, keys: tuple[str, ...]) -> str:
    if not obj:
        return ""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list):  # some sites split the body into a list of paragraphs
            value = "\n".join(v for v in value if isinstance(v, str))
        if isinstance(value, str) and value.strip():
            return value
    return ""


def render_body(raw: str) -> str:
    """A JSON-LD body as plain text, one paragraph a line (the shape trafilatura gives).

    Some sites put HTML in ``articleBody``; its tags become line breaks and its entities
    characters. Words are kept as written; blank lines go and runs of spaces become one.
    """
    if _MARKUP.search(raw):
        try:
            fragment = lxml_html.fragment_fromstring(raw, create_parent="div")
        except (ValueError, etree.ParserError):
            fragment = None  # unparseable: read as plain text rather than lose the body
        if fragment is not None:
            for el in fragment.iter(*_BLOCK_TAGS):
                el.tail = "\n" + (el.tail or "")
            raw = fragment.text_content()
    elif _ENTITY.search(raw):
        raw = html.unescape(raw)  # "&#8217;", "&quot;": escaped for a page, not part of the words
    lines = (" ".join(line.split()) for line in universal_newlines(raw).split("\n"))
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------------------------
# Boilerplate blocks


def mark_blocks(tree: Any, main_chars: int, r: IngestRules | None = None) -> None:
    """Flag the page's boilerplate blocks (on this parse of the page only)."""
    r = r or rules()
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "head"):
            continue
        if not _looks_like_block(el, r):
            continue
        if any(el.xpath(path) for path in r.keep_if_contains):
            continue  # it holds the article's own headline or body: a layout wrapper
        if main_chars and len(_squash(el.text_content())) > MAX_BLOCK_SHARE * main_chars:
            continue
        el.set(_MARK, "1")


def _looks_like_block(el: Any, r: IngestRules) -> bool:
    if el.tag in r.block_tags or (el.get("role") or "").strip().lower() in r.block_roles:
        return True
    return any(r.block_class.search(el.get(attr) or "") for attr in ("class", "id"))


def without_blocks(tree: Any) -> Any:
    """A copy of the page without its marked blocks, scripts and styles."""
    cleaned = copy.deepcopy(tree)
    for el in cleaned.xpath(f"//*[@{_MARK}] | //script | //style | //noscript | //template"):
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text, which belongs to the parent
    return cleaned


def block_line_spans(text: str, tree: Any, cleaned: Any) -> tuple[Span, ...]:
    """Lines of ``text`` that occur inside a boilerplate block and nowhere else on the page.

    "Nowhere else" keeps a pull quote (an aside repeating a line of the article) from marking
    the article's own line.
    """
    blocks = [_squash(_visible_text(b)) for b in tree.xpath(f"//*[@{_MARK}]")]
    if not blocks:
        return ()
    rest = _squash(_visible_text(cleaned))
    spans: list[Span] = []
    for start, line in iter_lines(text):
        squashed = _squash(line)
        if squashed and squashed not in rest and any(squashed in b for b in blocks):
            spans.append((start, start + len(line)))
    return tuple(spans)


def _visible_text(el: Any) -> str:
    parts = []
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag not in _NOT_TEXT and node.text:
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Dates


def page_date(tree: Any, cleaned: Any, main: dict | None, text: str,
              r: IngestRules | None = None) -> date | None:
    """The page's own publication date (module docstring for the order); None if none is found."""
    r = r or rules()
    for candidate in _date_candidates(tree, main, text, r):
        found = lenient_date(candidate, r)
        if found is not None:
            return found
    return _htmldate(cleaned)


def _date_candidates(tree: Any, main: dict | None, text: str, r: IngestRules) -> Iterator[str]:
    if main:
        for key in r.json_date_keys:
            values = main.get(key)
            yield from (v for v in (values if isinstance(values, list) else [values])
                        if isinstance(v, str))
    metas = [(m.get("property") or "", m.get("name") or "", m.get("itemprop") or "",
              m.get("content") or "") for m in tree.iter("meta")]
    for attr, wanted in r.date_metas:
        index = ("property", "name", "itemprop").index(attr)
        yield from (m[3] for m in metas if m[index].strip().casefold() == wanted and m[3])
    outside = f"[not(ancestor-or-self::*[@{_MARK}])]"
    for el in tree.xpath(f"//*[@itemprop='datePublished' and not(self::meta)]{outside}"):
        yield el.get("datetime") or el.get("content") or el.text_content()
    yield from _dateline_candidates(tree, text, outside, r)
    for el in tree.xpath(f"//time{outside}"):
        yield el.get("datetime") or el.text_content()


def _dateline_candidates(tree: Any, text: str, outside: str, r: IngestRules) -> Iterator[str]:
    lines = [line for line in text.split("\n") if line.strip()][: r.dateline_lines]
    yield from (line for line in lines if len(line) <= DATELINE_MAX_CHARS)
    for el in tree.xpath(f"//body//*[@class or @id]{outside}"):
        if any(r.dateline_class.search(el.get(a) or "") for a in ("class", "id")):
            content = " ".join(el.text_content().split())
            if content and len(content) <= DATELINE_MAX_CHARS:
                yield content


def lenient_date(value: str, r: IngestRules | None = None) -> date | None:
    """A date written as ISO ("2024-06-03T06:15:00Z"), "2024/06/03", "June 3, 2024" or
    "3 June 2024" anywhere in ``value``; None if there is none."""
    r = r or rules()
    value = value.strip()
    iso = _ISO_START.match(value)
    if iso:
        return _date(*iso.groups())
    for pattern, order in ((_MONTH_DAY_YEAR, (2, 0, 1)), (_DAY_MONTH_YEAR, (2, 1, 0))):
        for m in pattern.finditer(value):
            year, month, day = (m.group(i + 1) for i in order)
            month_number = r.months.get(month.casefold())
            if month_number is not None:
                found = _date(year, str(month_number), day)
                if found is not None:
                    return found
    return None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    # A date after today is a typo or an event date, not when the page was published.
    return found if 1900 <= found.year and found <= date.today() else None


def _htmldate(cleaned: Any) -> date | None:
    """htmldate's markup search (``<abbr>``, classes, ...) on the page without its boilerplate
    and without JSON-LD (already read, and where related stories' dates sit)."""
    from htmldate import find_date  # trafilatura's own date finder

    try:
        found = find_date(cleaned, extensive_search=False, original_date=True,
                          max_date=date.today().isoformat())
    except Exception:  # noqa: BLE001 - a date is a nicety; a page must not fail over it
        return None
    try:
        return datetime.strptime(found, "%Y-%m-%d").date() if found else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Small helpers


def _page_titles(tree: Any, title: str | None) -> list[str]:
    titles = [title] if title else []
    titles += [m.get("content") or "" for m in tree.xpath("//meta[@property='og:title']")]
    titles += [el.text_content() for el in tree.xpath("//title | //h1")]
    return titles


def _canonical_url(tree: Any) -> str:
    for el in tree.xpath("//link[@rel='canonical'] | //meta[@property='og:url']"):
        value = el.get("href") or el.get("content")
        if value:
            return value
    return ""


def _squash(text: str) -> str:
    """Text without whitespace, casefolded: lines compared whatever the markup's spacing."""
    return _SPACE.sub("", text).casefold()
