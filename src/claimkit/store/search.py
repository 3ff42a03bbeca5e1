"""Text search and the speaker filter, indexed (docs/architecture.md §5).

Both are case-insensitive substring searches ("contains"). A plain ``LIKE '%…%'`` reads every
claim (428 ms for a speaker at 100k claims), so each backend gets an index that answers
substrings:

- SQLite: an FTS5 table with the trigram tokenizer over the claims' text, speaker and canonical
  speaker, kept in step by triggers. A quoted FTS5 string of three or more characters matches
  exactly the rows that contain it; shorter searches fall back to ``LIKE``.
- PostgreSQL: GIN indexes with ``pg_trgm``'s operators, which ``ILIKE '%…%'`` uses as it is. If
  the extension cannot be created (no rights), the indexes are skipped and the same SQL scans.

The speaker filter matches the *reviewed* speaker: a reviewer's correction where there is one,
else the extractor's speaker or canonical name. Corrections are few; they are found through a
partial index, the uncorrected claims through the text index, and the two sets united.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean, ColumnElement, Connection, Select, and_, column, literal_column, or_, select, table,
    text, union,
)
from sqlalchemy.ext.compiler import compiles

from claimkit.store.schema import claims, reviews

FTS_TABLE = "claims_fts"
TRIGRAM = 3  # the trigram index answers searches of at least this many characters

_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(text, speaker, "
    "speaker_canonical, content='claims', content_rowid='rowid', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS claims_fts_insert AFTER INSERT ON claims BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text, speaker, speaker_canonical) "
    "VALUES (new.rowid, new.text, new.speaker, new.speaker_canonical); END",
    f"CREATE TRIGGER IF NOT EXISTS claims_fts_delete AFTER DELETE ON claims BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text, speaker, speaker_canonical) "
    "VALUES ('delete', old.rowid, old.text, old.speaker, old.speaker_canonical); END",
    f"CREATE TRIGGER IF NOT EXISTS claims_fts_update AFTER UPDATE OF text, speaker, "
    f"speaker_canonical ON claims BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text, speaker, speaker_canonical) "
    "VALUES ('delete', old.rowid, old.text, old.speaker, old.speaker_canonical); "
    f"INSERT INTO {FTS_TABLE}(rowid, text, speaker, speaker_canonical) "
    "VALUES (new.rowid, new.text, new.speaker, new.speaker_canonical); END",
    # Fill it from the claims already stored (a store upgraded from schema 4).
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
_POSTGRES_TRGM = (
    "CREATE INDEX IF NOT EXISTS ix_claims_text_trgm ON claims USING gin (text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_claims_speaker_trgm ON claims "
    "USING gin (speaker gin_trgm_ops, speaker_canonical gin_trgm_ops)",
)
_CORRECTED_SPEAKER_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_reviews_corrected_speaker ON reviews (corrected_speaker) "
    "WHERE corrected_speaker IS NOT NULL")


def create_search_indexes(conn: Connection) -> None:
    """Create the search indexes in the caller's transaction (a new store, or schema 5)."""
    conn.execute(text(_CORRECTED_SPEAKER_INDEX))
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_DDL:
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        savepoint = conn.begin_nested()
        try:  # pg_trgm is a trusted extension (PostgreSQL 13+), yet a locked-down role may lack it
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            for statement in _POSTGRES_TRGM:
                conn.execute(text(statement))
            savepoint.commit()
        except Exception:  # noqa: BLE001 - without the extension the same SQL still works, by scanning
            savepoint.rollback()


def text_contains(needle: str) -> ColumnElement[bool]:
    """The claim's text contains ``needle`` (case-insensitive)."""
    return _indexed_contains(needle, ("text",), claims.c.text.ilike(_like(needle), escape="\\"))


def speaker_contains(needle: str) -> ColumnElement[bool]:
    """The reviewed speaker (the correction, else the extracted speaker or canonical name)
    contains ``needle`` (case-insensitive)."""
    pattern = _like(needle)
    corrected = and_(reviews.c.corrected_speaker.is_not(None),
                     reviews.c.corrected_speaker != "")
    extracted = _indexed_contains(
        needle, ("speaker", "speaker_canonical"),
        or_(claims.c.speaker.ilike(pattern, escape="\\"),
            claims.c.speaker_canonical.ilike(pattern, escape="\\")))
    # The claims found by their extracted speaker, less those a reviewer renamed (found through
    # the partial index on corrections), plus those whose correction matches. No join: each
    # part is answered by an index, so the planner drives the query from the few hits.
    # correlate(None): these are lists of ids in their own right, never tied to the row of the
    # query they end up in (which reads the same tables).
    renamed = select(reviews.c.claim_id).where(corrected).correlate(None)
    uncorrected_hits: Select = (select(claims.c.claim_id).where(extracted)
                                .where(claims.c.claim_id.not_in(renamed)).correlate(None))
    corrected_hits: Select = (select(reviews.c.claim_id).where(corrected)
                              .where(reviews.c.corrected_speaker.ilike(pattern, escape="\\"))
                              .correlate(None))
    return claims.c.claim_id.in_(union(uncorrected_hits, corrected_hits))


def _indexed_contains(needle: str, columns: tuple[str, ...],
                      scan: ColumnElement[bool]) -> ColumnElement[bool]:
    """``scan`` (a LIKE), or on SQLite for searches the trigram index can answer, a lookup of
    the claims' rowids in the FTS5 table restricted to ``columns``."""
    if len(needle) < TRIGRAM:
        return scan
    fts = table(FTS_TABLE, column("rowid"))
    query = "{" + " ".join(columns) + "} : " + _fts_string(needle)
    hits = select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(query))
    return _on_sqlite(literal_column("claims.rowid").in_(hits), otherwise=scan)


class _OnSqlite(ColumnElement):
    """One condition on SQLite, another elsewhere: the filters are built before anyone knows
    which backend will run them, so the choice is made when the SQL is compiled."""

    inherit_cache = False
    type = Boolean()
    _is_implicitly_boolean = True  # a condition itself: AND / OR take it as it is (no "= 1")

    def __init__(self, sqlite: ColumnElement[bool], otherwise: ColumnElement[bool]) -> None:
        self.sqlite = sqlite
        self.otherwise = otherwise


@compiles(_OnSqlite)
def _compile_elsewhere(element: _OnSqlite, compiler, **kw) -> str:
    # Parenthesised: the element stands inside AND / OR it knows nothing about.
    return "(" + compiler.process(element.otherwise, **kw) + ")"


@compiles(_OnSqlite, "sqlite")
def _compile_on_sqlite(element: _OnSqlite, compiler, **kw) -> str:
    return "(" + compiler.process(element.sqlite, **kw) + ")"


def _on_sqlite(sqlite: ColumnElement[bool], *, otherwise: ColumnElement[bool]) -> _OnSqlite:
    return _OnSqlite(sqlite, otherwise)


def _fts_string(needle: str) -> str:
    """``needle`` as one FTS5 string: every character literal (a double quote doubled)."""
    return '"' + needle.replace('"', '""') + '"'


def _like(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
