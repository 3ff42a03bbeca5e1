"""Stores filled by hand for the store, review, export, chart and report tests (no spaCy).

The store fixtures themselves (``store_url``: SQLite and PostgreSQL; ``pg_url``; ``store``) are
in conftest.py.
"""
from __future__ import annotations

from claimkit.model import Article, Claim, Kind, SpeakerType, article_id_for, claim_id_for


# --- data -------------------------------------------------------------------------------------

def make_article(n: int, *, outlet: str = "Daily Planet", published: str | None = "2024-05-01",
                 sentences: list[str] | None = None, title: str | None = None
                 ) -> tuple[Article, list[Claim]]:
    """An article whose claims are written by hand: one per sentence, no spaCy involved.

    Each sentence is ``Speaker said that CONTENT.``; a sentence without " said that " becomes
    an assertion.
    """
    from datetime import date

    sentences = sentences or [
        f"Mayor Ann Lee said that the bridge {n} cost 12 million dollars.",
        f"Officials said that traffic fell by {n} percent.",
        f"The river flooded in {1900 + n}.",
    ]
    text = " ".join(sentences)
    article = Article(article_id=article_id_for(text), text=text,
                      title=title if title is not None else f"Article {n}", outlet=outlet,
                      url=f"https://news.example/{n}",
                      published=date.fromisoformat(published) if published else None,
                      path=f"article{n}.txt")
    claims, offset = [], 0
    for sentence in sentences:
        start = text.index(sentence, offset)
        offset = start + len(sentence)
        if " said that " in sentence:
            speaker, content = sentence.split(" said that ", 1)
            cs = start + len(speaker) + len(" said that ")
            ce = start + len(sentence) - 1
            claims.append(Claim(
                claim_id=claim_id_for(article.article_id, text[cs:ce]),
                article_id=article.article_id, kind=Kind.INDIRECT, content=((cs, ce),),
                text=text[cs:ce], source=((start, start + len(speaker)),),
                cue=((start + len(speaker) + 1, start + len(speaker) + 5),), speaker=speaker,
                speaker_canonical=speaker.replace("Mayor ", ""),
                speaker_type=(SpeakerType.PERSON if "Mayor" in speaker
                              else SpeakerType.ANONYMOUS),
                cue_lemma="say", cue_class="assert", hedges=(), checkworthiness=0.8,
                reasons=("number",), rule="test:said-that", extractor_version="test-1"))
        else:
            ce = start + len(sentence) - 1
            claims.append(Claim(
                claim_id=claim_id_for(article.article_id, text[start:ce]),
                article_id=article.article_id, kind=Kind.ASSERTION, content=((start, ce),),
                text=text[start:ce], checkworthiness=0.3, rule="test:assertion",
                extractor_version="test-1"))
    return article, claims


# --- older schemas --------------------------------------------------------------------------------

# The review columns (and their indexes) each schema version added, newest last: what
# make_schema drops to turn a store back into one an older claimkit wrote.
ADDED_IN = {2: ("corrected_speaker", "not_a_claim"),
            3: ("corrected_cue_class", "corrected_kind", "corrected_content"),
            4: ("assignee",), 5: ("published_at",), 6: (), 7: ("corrected_speaker_id",),
            8: ("cluster_id",), 9: ("written_xid",)}
# Claims columns each schema version added.
CLAIM_COLUMNS_ADDED_IN = {7: ("speaker_id",)}
# Tables each schema version added: dropped too.
TABLES_ADDED_IN = {6: ("claim_vectors", "factchecks"),
                   7: ("speaker_events", "speaker_aliases", "speakers")}
INDEXES_ADDED_IN = {4: ("ix_reviews_assignee",),
                    5: ("ix_reviews_corrected_speaker", "ix_claims_text_trgm",
                        "ix_claims_speaker_trgm"),
                    7: ("ix_claims_speaker_id",), 8: ("ix_reviews_cluster",),
                    9: ("ix_reviews_written_xid",)}
# Schema 5's search index on SQLite (store/search.py): a table and the triggers that fill it.
SQLITE_SEARCH_OBJECTS = ("TRIGGER claims_fts_insert", "TRIGGER claims_fts_delete",
                         "TRIGGER claims_fts_update", "TABLE claims_fts")


def make_schema(url: str, version: int) -> None:
    """Turn a store (a SQLite path or a postgresql:// URL) back into what claimkit with schema
    ``version`` wrote: the indexes, search tables and review columns later versions added
    dropped (indexes first: SQLite refuses to drop an indexed column), no Alembic stamp,
    ``schema_version`` at ``version``."""
    import sqlite3

    from sqlalchemy import create_engine, text

    from claimkit.store import schema

    assert schema.SCHEMA_VERSION == max(ADDED_IN), "a new schema version: add it to ADDED_IN"
    assert 1 <= version < schema.SCHEMA_VERSION
    later = [v for v in sorted(ADDED_IN) if v > version]
    statements = [f"DROP INDEX IF EXISTS {i}" for v in later for i in INDEXES_ADDED_IN.get(v, ())]
    if 5 in later and "://" not in url:
        statements += [f"DROP {what}" for what in SQLITE_SEARCH_OBJECTS]
    if 9 in later and "://" in url:  # the trigger would write the dropped column
        statements.append("DROP TRIGGER IF EXISTS reviews_written_xid ON reviews")
    statements += [f"DROP TABLE {t}" for v in later for t in TABLES_ADDED_IN.get(v, ())]
    statements.append("DROP TABLE alembic_version")  # no claimkit before schema 5 used Alembic
    statements += [f"ALTER TABLE reviews DROP COLUMN {c}" for v in later for c in ADDED_IN[v]]
    statements += [f"ALTER TABLE claims DROP COLUMN {c}" for v in later
                   for c in CLAIM_COLUMNS_ADDED_IN.get(v, ())]
    statements.append(f"UPDATE schema_version SET version = {version}")  # a new store: one row
    if "://" not in url:
        raw = sqlite3.connect(url)
        for statement in statements:
            raw.execute(statement)
        raw.commit()
        raw.close()
        return
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()
