"""Read articles from files, folders and corpora: decode, find metadata, mark boilerplate.

One entry point, :func:`read_articles`, takes any mix of ``.txt``, ``.html``/``.htm``,
``.csv`` and ``.jsonl`` files and folders of them. Bad input never stops a batch: each bad file
(or corpus row) becomes one :class:`~claimkit.model.InputProblem` and reading goes on (docs/architecture.md §6).

Offsets are sacred (docs/architecture.md §2): for a ``.txt`` file, ``Article.text`` is exactly what
``open(path, encoding=...)`` returns, and boilerplate is *marked* as line spans, never cut out;
its front matter (``frontmatter.py``) is one more marked span. For an HTML page,
``Article.text`` is the article text ``page.py`` extracts (visible text or JSON-LD body).
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import re
import stat
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, Union

from claimkit.ingest.dates import parse_date
from claimkit.ingest.frontmatter import read_front_matter, unclosed_front_matter
from claimkit.ingest.lines import iter_lines, universal_newlines
from claimkit.ingest.page import read_page
from claimkit.ingest.rules import rules
from claimkit.model import Article, InputProblem, Span, article_id_for

__all__ = ["IngestError", "MAX_BYTES", "article_from_text", "find_boilerplate", "parse_date",
           "read_articles", "read_text_file"]

# A single article (a .txt or .html file, or one corpus row) larger than this is refused: nothing
# an analyst reads is that long, so it is almost always a wrong file. Corpora (.csv/.jsonl) are
# streamed row by row and may be larger as a whole.
MAX_BYTES = 5_000_000

TEXT_COLUMNS = ("text", "body", "content")  # first one present wins
SUFFIX_FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".csv": "csv", ".jsonl": "jsonl"}

EMPTY_FILE = "empty file"
NOT_TEXT = "not a text file (binary content)"
BYTES_REPLACED = "invalid UTF-8, bytes replaced"
NO_HTML_TEXT = "no article text found in HTML"
NO_TEXT_COLUMN = f"no text column (expected one of: {', '.join(TEXT_COLUMNS)})"
NO_TEXT_FIELD = f"no text field (expected one of: {', '.join(TEXT_COLUMNS)})"

# Boilerplate is recognised line by line. Lines are stripped before matching, and only lines up
# to MAX_BOILERPLATE_LINE characters qualify: a long paragraph is content, whatever it contains.
MAX_BOILERPLATE_LINE = 250

# Boilerplate line patterns (credit lines, promos, bylines...) are data: data/ingest_rules.json.
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = rules().line_patterns

# Function words that are frequent in English and rare in other languages that use the Latin
# script (so no "a", "in", "is", "was", "die", "also": they are common in Spanish, Dutch, German).
ENGLISH_STOPWORDS = frozenset(
    "the and of to that for with it this be are by from at or have has had not but they he she "
    "his her their we you were been which would there said who what when about after than more "
    "its into could should our them these those will".split()
)
MIN_WORDS_FOR_LANGUAGE = 30  # shorter texts are too short to judge
MIN_ENGLISH_SHARE = 0.05  # English news runs at 30-45 % of these words
LANGUAGE_SAMPLE_CHARS = 50_000  # judging the start of a text is enough

_WORD = re.compile(r"[^\W\d_]+")
# A valid multi-byte UTF-8 sequence. Legacy single-byte text almost never contains one, so its
# presence in a file that is not valid UTF-8 means "UTF-8 with a few bad bytes", not cp1252.
_UTF8_MULTIBYTE = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}")
# Control characters other than whitespace, and U+FFFD (a byte that did not decode).
_JUNK = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_LETTER = re.compile(r"[^\W\d_]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BINARY_SNIFF_BYTES = 8192
_MAX_JUNK_SHARE = 0.05  # control characters + U+FFFD above this share: not a text file

Item = Union[Article, InputProblem]


class IngestError(Exception):
    """A file that cannot be read. The message is the reason, fit to show an analyst."""


@dataclass(frozen=True)
class _Decoded:
    text: str
    encoding: str  # a Python codec name that open() accepts
    warning: str | None = None


# ---------------------------------------------------------------------------------------------
# Public API


def read_articles(paths: Iterable[str | Path] | str | Path,
                  on_problem: Callable[[InputProblem], None] | None = None) -> Iterator[Article]:
    """Yield the articles in ``paths`` (files or folders), in a deterministic order.

    Each bad input is reported once to ``on_problem`` (or printed on stderr as
    ``error: PATH: reason``) and skipped; no exception from a single file escapes.
    """
    report = on_problem or _print_problem
    if isinstance(paths, (str, Path)):
        paths = [paths]  # a lone "data/" would otherwise be read letter by letter
    for given in paths:
        for item in _read_path(given):
            # Reporting happens here, outside the per-file guard, so an exception raised by the
            # caller's own callback is theirs and is not mistaken for a bad file.
            if isinstance(item, InputProblem):
                report(item)
            else:
                yield item


def read_text_file(path: str | Path, *,
                   on_problem: Callable[[InputProblem], None] | None = None) -> Article:
    """Read one plain-text article, whatever its extension (e.g. brat ``.txt`` files).

    Raises :class:`IngestError` for a file that cannot be read. Caveats (bytes replaced, not
    English) go to ``on_problem`` or stderr, and the article is still returned.
    """
    report = on_problem or _print_problem
    article, warnings = _text_article(path)
    for problem in warnings:
        report(problem)
    return article


def article_from_text(text: str, *, path: str = "", title: str | None = None,
                      outlet: str | None = None, url: str = "",
                      published: date | None = None, body_start: int = 0,
                      marked: Iterable[Span] = ()) -> Article:
    """Build an Article from already-decoded text; ``text`` is kept exactly as given.

    ``title``/``outlet`` left as None are taken from the first line: "Title | Outlet" gives
    both, any other first line is the title and the outlet stays empty. ``text[:body_start]``
    (a .txt file's front matter) is marked as boilerplate and the first line is looked for
    after it; ``marked`` adds spans known to be boilerplate (an HTML page's teaser lines).
    """
    first = _first_line(text[body_start:])
    heading = _split_heading(first)
    derived_title, derived_outlet = heading if heading else (first.strip(), "")
    # A plain first line is only a guess at the title; it may be the lead paragraph, so it must
    # stay claimable text. A heading, or a title known from elsewhere, marks the line it matches.
    title_to_mark = title if title is not None else (derived_title if heading else "")
    return Article(
        article_id=article_id_for(text),
        text=text,
        title=(derived_title if title is None else title).strip(),
        outlet=(derived_outlet if outlet is None else outlet).strip(),
        url=url,
        published=published,
        path=path,
        boilerplate=_merged([(0, body_start)] if body_start else [],
                            find_boilerplate(text, title_to_mark, start=body_start), marked),
    )


def find_boilerplate(text: str, title: str, *, start: int = 0) -> tuple[Span, ...]:
    """Spans of whole boilerplate lines: ``(start, end)`` of the line without its newline.

    Marked: the first line when it is a "Title | Outlet" heading; later repeats of the first
    line; any line equal to ``title`` (or a "``title`` | Outlet" heading); lines matching
    :data:`BOILERPLATE_PATTERNS`. Lines before offset ``start`` (a line start) are not read.
    """
    spans: list[Span] = []
    wanted_title = _norm(title)
    first_seen: str | None = None
    for line_start, line in iter_lines(text):
        if line_start < start:
            continue
        stripped = line.strip()
        if not stripped:
            continue
        if first_seen is None:
            first_seen = _norm(stripped)
            is_boilerplate = _split_heading(stripped) is not None or _is_title(stripped, wanted_title)
        else:
            is_boilerplate = (_norm(stripped) == first_seen
                              or _is_title(stripped, wanted_title)
                              or _matches_pattern(stripped))
        if is_boilerplate:
            spans.append((line_start, line_start + len(line)))
    return tuple(spans)


def _merged(*groups: Iterable[Span]) -> tuple[Span, ...]:
    """The spans of all groups, sorted, without repeats (a line may be marked twice)."""
    return tuple(sorted({tuple(span) for group in groups for span in group}))


# ---------------------------------------------------------------------------------------------
# Paths and folders


def _read_path(given: str | Path) -> Iterator[Item]:
    path = str(given)
    try:
        info = os.stat(path)
    except OSError as exc:
        yield InputProblem(path, _os_reason(exc))
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _read_folder(path)
    else:
        yield from _guarded(_read_file(path, explicit=True), path)


def _read_folder(folder: str) -> Iterator[Item]:
    walk_errors: list[OSError] = []
    found_any = False
    # os.walk with sorted, hidden-free dirnames gives a stable order and does not follow
    # symlinked folders (no loops).
    for dirpath, dirnames, filenames in os.walk(folder, onerror=walk_errors.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            found_any = True
            path = os.path.join(dirpath, name)
            yield from _guarded(_read_file(path, explicit=False), path)
    for exc in walk_errors:
        yield InputProblem(str(exc.filename or folder), _os_reason(exc))
    if not found_any and not walk_errors:
        yield InputProblem(folder, "folder has no files to read", "warning")


def _read_file(path: str, *, explicit: bool) -> Iterator[Item]:
    suffix = os.path.splitext(path)[1].lower()
    fmt = SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        reason = (f"unsupported file type '{suffix or '(none)'}' "
                  f"(expected one of: {', '.join(SUFFIX_FORMATS)})")
        # Skipping a stray file inside a folder is routine; a file the user named explicitly
        # and got nothing from is a failure.
        yield InputProblem(path, reason, "error" if explicit else "warning")
        return
    if fmt == "txt":
        article, warnings = _text_article(path)
        yield from warnings
        yield article
    elif fmt == "html":
        yield from _read_html(path)
    elif fmt == "csv":
        yield from _read_csv(path)
    else:
        yield from _read_jsonl(path)


def _guarded(items: Iterator[Item], path: str) -> Iterator[Item]:
    """Turn any exception while reading one input into one error for that input."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except IngestError as exc:
            yield InputProblem(path, str(exc))
            return
        except OSError as exc:
            yield InputProblem(path, _os_reason(exc))
            return
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop a batch
            yield InputProblem(path, f"could not read file ({type(exc).__name__}: {exc})")
            return
        yield item


# ---------------------------------------------------------------------------------------------
# Single-article files: .txt and .html


def _text_article(path: str | Path) -> tuple[Article, list[InputProblem]]:
    try:
        decoded = _decode(_read_limited(path))
    except OSError as exc:
        raise IngestError(_os_reason(exc)) from None
    # Universal newlines, exactly as open() does by default, so offsets match brat annotations.
    text = universal_newlines(decoded.text)
    if not text.strip():
        raise IngestError(EMPTY_FILE)
    problems = [InputProblem(str(path), decoded.warning, "warning")] if decoded.warning else []
    article, front_problems = _front_matter_article(text, str(path))
    return article, problems + front_problems + _language_problems(article)


def _front_matter_article(text: str, path: str) -> tuple[Article, list[InputProblem]]:
    """The article of a .txt file, with the metadata of its front matter if it has one.

    The front matter stays in ``Article.text`` (the file as read) and is marked as
    boilerplate: offsets index the file, and no claim comes from it.
    """
    front = read_front_matter(text)
    if front is None:
        problems = ([InputProblem(path, "starts like front matter ('---', 'key: value') but no "
                                        "closing '---' line follows; read as plain text",
                                  "warning")] if unclosed_front_matter(text) else [])
        return article_from_text(text, path=path), problems
    fields = front.fields
    article = article_from_text(
        text, path=path, title=fields.get("title"), outlet=fields.get("outlet"),
        url=fields.get("url", ""), published=front.published, body_start=front.end)
    return article, [InputProblem(path, reason, "warning") for reason in front.problems]


def _read_html(path: str) -> Iterator[Item]:
    decoded = _decode(_read_limited(path))
    if not decoded.text.strip():
        raise IngestError(EMPTY_FILE)
    # Article.text is the page's text as ingest.page extracted it (the visible main text, or the
    # JSON-LD articleBody when that is much fuller); offsets index it, never the HTML.
    page = read_page(decoded.text)
    if page is None:
        raise IngestError(NO_HTML_TEXT)
    if decoded.warning:
        yield InputProblem(path, decoded.warning, "warning")
    article = article_from_text(
        page.text, path=path, title=page.title, outlet=page.outlet, url=page.url,
        published=page.published, marked=page.boilerplate,
    )
    yield from _language_problems(article)
    yield article


def _read_limited(path: str | Path) -> bytes:
    """The file's bytes, refusing anything that is not a regular file of sane size."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise IngestError("not a regular file")  # a FIFO or device would block or never end
    if info.st_size > MAX_BYTES:
        raise IngestError(_too_large(info.st_size))
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)  # bounded: the file may have grown since stat()
    if len(data) > MAX_BYTES:
        raise IngestError(_too_large(len(data)))
    if not data:
        raise IngestError(EMPTY_FILE)
    return data


# ---------------------------------------------------------------------------------------------
# Corpora: .csv and .jsonl, streamed row by row


def _read_csv(path: str) -> Iterator[Item]:
    with open(path, "rb") as f:
        lines = _CorpusLines(f)
        first = next((line for line in lines if line.strip()), None)
        if first is None:
            raise IngestError(EMPTY_FILE)
        # newline="" semantics: the decoded lines keep their endings, so quoted multi-line
        # cells survive; csv accepts any iterable of such lines.
        reader = csv.reader(itertools.chain([first], lines), delimiter=_sniff_delimiter(first))
        _raise_csv_field_limit()
        header = [_column_key(name) for name in next(reader)]
        text_col = next((c for c in TEXT_COLUMNS if c in header), None)
        if text_col is None:
            raise IngestError(NO_TEXT_COLUMN)
        lines.take_replaced()  # a bad byte in the header concerns no row
        row = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row += 1
                lines.take_replaced()
                yield InputProblem(f"{path}#row={row}", f"malformed CSV row ({exc})", "warning")
                continue
            if not any(cell.strip() for cell in record):
                continue  # blank lines are layout, not rows
            row += 1
            row_path = f"{path}#row={row}"
            if lines.take_replaced():
                yield InputProblem(row_path, BYTES_REPLACED, "warning")
            if len(record) != len(header):
                # Misaligned cells could put the wrong column in the text: skip, don't guess.
                yield InputProblem(row_path, f"row has {len(record)} fields, header has "
                                             f"{len(header)}", "warning")
                continue
            yield from _row_article(dict(zip(header, record)), text_col, row_path)
        if row == 0:
            raise IngestError("no data rows (only a header)")


def _read_jsonl(path: str) -> Iterator[Item]:
    with open(path, "rb") as f:
        lines = _CorpusLines(f)
        seen_line = seen_object = False
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            seen_line = True
            row_path = f"{path}#line={lineno}"
            if lines.take_replaced():
                yield InputProblem(row_path, BYTES_REPLACED, "warning")
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputProblem(row_path, f"invalid JSON ({exc.msg})", "warning")
                continue
            if not isinstance(obj, dict):
                yield InputProblem(row_path, "not a JSON object", "warning")
                continue
            fields = {_column_key(k): v for k, v in obj.items()}
            text_key = next((c for c in TEXT_COLUMNS if c in fields), None)
            if text_key is None:
                if not seen_object:
                    # The first record plays the role of a CSV header: if it has no text field,
                    # this is the wrong kind of file, not a bad row.
                    raise IngestError(NO_TEXT_FIELD)
                yield InputProblem(row_path, NO_TEXT_FIELD, "warning")
                continue
            seen_object = True
            yield from _row_article(fields, text_key, row_path)
        if not seen_line:
            raise IngestError(EMPTY_FILE)


def _row_article(fields: dict[str, object], text_key: str, row_path: str) -> Iterator[Item]:
    """One corpus row -> its warnings, then its Article (unless the row is unusable)."""
    text = fields.get(text_key)
    if text is not None and not isinstance(text, str):
        yield InputProblem(row_path, f"{text_key} is not a string", "warning")
        return
    if not text or not text.strip():
        yield InputProblem(row_path, "empty text", "warning")
        return
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        yield InputProblem(row_path, _too_large(size, "text"), "warning")
        return
    published = None
    raw_date = fields.get("published")
    if raw_date not in (None, ""):
        try:
            published = parse_date(raw_date)
        except ValueError:
            yield InputProblem(row_path, f"unreadable date {str(raw_date)!r} in 'published' "
                                         "(expected ISO format, e.g. 2024-05-31)", "warning")
    article = article_from_text(
        universal_newlines(text), path=row_path,
        title=_optional_str(fields.get("title")), outlet=_optional_str(fields.get("outlet")),
        url=_optional_str(fields.get("url")) or "", published=published,
    )
    yield from _language_problems(article)
    yield article


class _CorpusLines:
    """Decoded lines of a corpus file, one at a time, so memory stays flat for any corpus size.

    Each line is decoded on its own (UTF-8, else cp1252, else UTF-8 with replacement), so one
    line in a legacy encoding does not spoil the rest. ``take_replaced()`` says whether bytes
    were replaced since it was last asked, which lets the reader warn about the right row.
    """

    def __init__(self, f: BinaryIO) -> None:
        head = f.read(_BINARY_SNIFF_BYTES)
        f.seek(0)
        self._replaced = False
        if head.startswith(_UTF16_BOMS):
            # Excel's "Unicode text" export; UTF-16 cannot be split on b"\n", so let io decode.
            self._lines: Iterator[str] = iter(io.TextIOWrapper(f, encoding="utf-16", newline=""))
        elif b"\x00" in head:
            raise IngestError(NOT_TEXT)  # e.g. an .xlsx renamed to .csv
        else:
            self._lines = self._decode_lines(f)

    def _decode_lines(self, f: BinaryIO) -> Iterator[str]:
        for i, raw in enumerate(f):
            text, replaced = _decode_simple(raw, bom=i == 0)
            self._replaced = self._replaced or replaced
            yield text

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        return next(self._lines)

    def take_replaced(self) -> bool:
        replaced, self._replaced = self._replaced, False
        return replaced


def _sniff_delimiter(header_line: str) -> str:
    # Spreadsheets in many locales export ";"; the header row (column names) is the one line
    # where delimiter counts are trustworthy.
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _raise_csv_field_limit() -> None:
    # The default limit (131072) is below a long article; raise it, never lower it.
    if csv.field_size_limit() < MAX_BYTES:
        csv.field_size_limit(MAX_BYTES)


def _column_key(name: object) -> str:
    return str(name).strip().lstrip("\ufeff").casefold()


def _optional_str(value: object) -> str | None:
    """Empty or missing metadata is None, so the article falls back to what the text says."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# ---------------------------------------------------------------------------------------------
# Decoding


def _decode(data: bytes) -> _Decoded:
    """Decode a whole file: UTF-8 (BOM stripped), else cp1252, else UTF-8 with replacement."""
    if data.startswith(_UTF16_BOMS):
        try:
            return _checked(_Decoded(data.decode("utf-16"), "utf-16"))
        except UnicodeDecodeError:
            raise IngestError(NOT_TEXT) from None
    if b"\x00" in data:
        raise IngestError(NOT_TEXT)
    try:
        return _checked(_Decoded(data.decode("utf-8-sig"), "utf-8-sig"))
    except UnicodeDecodeError:
        pass
    if not _UTF8_MULTIBYTE.search(data):
        legacy = _decode_legacy(data)
        if legacy is not None:
            return _checked(legacy)
    return _checked(_Decoded(data.decode("utf-8", errors="replace"), "utf-8", BYTES_REPLACED))


def _decode_legacy(data: bytes) -> _Decoded | None:
    """cp1252 when it reads as Western text; charset-normalizer only when it does not."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None  # bytes cp1252 leaves undefined: not cp1252, so replace them
    if _non_ascii_letter_share(text) <= 0.3:
        return _Decoded(text, "cp1252")
    # Mostly accented letters means another single-byte code page (Cyrillic, Greek, ...),
    # which cp1252 would turn into mojibake. Only here is a statistical guess worth its cost.
    import charset_normalizer

    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None and guess.encoding not in ("utf_8", "ascii", "cp1252"):
        try:
            return _Decoded(data.decode(guess.encoding), guess.encoding,
                            f"not UTF-8; decoded as {guess.encoding} (best guess)")
        except (UnicodeDecodeError, LookupError):
            pass
    return _Decoded(text, "cp1252")


def _decode_simple(data: bytes, *, bom: bool) -> tuple[str, bool]:
    """One corpus line: (text, bytes were replaced). Same order as :func:`_decode`."""
    try:
        return data.decode("utf-8-sig" if bom else "utf-8"), False
    except UnicodeDecodeError:
        pass
    if not _UTF8_MULTIBYTE.search(data):
        try:
            return data.decode("cp1252"), False
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", errors="replace"), True


def _checked(decoded: _Decoded) -> _Decoded:
    """Refuse text that is mostly control characters or replaced bytes: that is binary data."""
    text = decoded.text
    if text and len(_JUNK.findall(text)) > _MAX_JUNK_SHARE * len(text):
        raise IngestError(NOT_TEXT)
    return decoded


def _non_ascii_letter_share(text: str) -> float:
    letters = len(_LETTER.findall(text))
    return len(_NON_ASCII_LETTER.findall(text)) / letters if letters else 0.0


# ---------------------------------------------------------------------------------------------
# Metadata: headings, titles, dates


def _split_heading(line: str) -> tuple[str, str] | None:
    """ "Title | Outlet" -> (title, outlet); None for anything that is not such a heading.

    Only "|" counts: " - " appears in ordinary headlines too often to be safe.
    """
    line = line.strip()
    if "|" not in line or len(line) > 300:
        return None
    title, _, outlet = (part.strip() for part in line.rpartition("|"))
    if not title or not outlet or len(outlet) > 80 or len(outlet.split()) > 8:
        return None
    return title, outlet


def _first_line(text: str) -> str:
    return next((line for _, line in iter_lines(text) if line.strip()), "")


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


def _is_title(line: str, wanted_title: str) -> bool:
    if not wanted_title:
        return False
    heading = _split_heading(line)
    return _norm(line) == wanted_title or (heading is not None and _norm(heading[0]) == wanted_title)


def _matches_pattern(line: str) -> bool:
    return len(line) <= MAX_BOILERPLATE_LINE and any(p.search(line) for p in BOILERPLATE_PATTERNS)


# ---------------------------------------------------------------------------------------------
# Checks and reporting


def _language_problems(article: Article) -> list[InputProblem]:
    """A warning when the text is long enough to judge and hardly uses English function words."""
    sample = article.text[:LANGUAGE_SAMPLE_CHARS]
    words = _WORD.findall(sample.casefold())
    if len(words) < MIN_WORDS_FOR_LANGUAGE:
        return []
    share = sum(w in ENGLISH_STOPWORDS for w in words) / len(words)
    if share >= MIN_ENGLISH_SHARE:
        return []
    reason = (f"text does not look like English (detected {_main_script(sample)} script, "
              f"{share:.0%} common English words)")
    return [InputProblem(article.path, reason, "warning")]


def _main_script(text: str) -> str:
    # The first word of a letter's Unicode name is its script: LATIN, CYRILLIC, CJK, ARABIC...
    scripts = Counter(unicodedata.name(ch, "UNKNOWN").split()[0] for ch in text if ch.isalpha())
    return scripts.most_common(1)[0][0].title() if scripts else "unknown"


def _too_large(size: int, what: str = "file") -> str:
    return f"{what} too large ({size / 1_000_000:.1f} MB > {MAX_BYTES / 1_000_000:g} MB limit)"


def _os_reason(exc: OSError) -> str:
    # strerror is the human part ("No such file or directory"); the path is reported separately.
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def _print_problem(problem: InputProblem) -> None:
    print(problem, file=sys.stderr)
