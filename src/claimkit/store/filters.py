"""``store.claims(**filters)``: the filters, turned into SQL conditions (parameterised) on
:func:`claims_joined`, and the orders a reviewing queue can take."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import ColumnElement, Join, Text, and_, case, false, func, or_, true, type_coerce

from claimkit.store.schema import articles, claims, dumps, reviews
from claimkit.store.search import speaker_contains, text_contains


def claims_joined() -> Join:
    """Each claim with its review and its article: what the filters' conditions apply to."""
    return (claims.join(reviews, reviews.c.claim_id == claims.c.claim_id)
            .join(articles, articles.c.article_id == claims.c.article_id))


# The reviewer's correction of each extracted column that has one (as in frames.reviewed_view).
_CORRECTED_BY = {"speaker": "corrected_speaker", "speaker_canonical": "corrected_speaker",
                 "kind": "corrected_kind", "cue_class": "corrected_cue_class"}


def reviewed(name: str) -> ColumnElement:
    """A claims column as reviewed: the correction where there is one, else the extractor's."""
    return func.coalesce(func.nullif(reviews.c[_CORRECTED_BY[name]], ""), claims.c[name])


@dataclass(frozen=True)
class ClaimFilter:
    """Which claims to show. Every field is optional; given ones must all hold.

    Fields that take text accept one value or a list of them (any of them matches).
    """

    status: str | Iterable[str] | None = None
    verdict: str | Iterable[str] | None = None
    has_verdict: bool | None = None
    tag: str | Iterable[str] | None = None  # any of these tags
    # case-insensitive, in the speaker or its canonical name (the corrected speaker if any)
    speaker: str | None = None
    speaker_type: str | Iterable[str] | None = None
    outlet: str | Iterable[str] | None = None
    kind: str | Iterable[str] | None = None
    cue_class: str | Iterable[str] | None = None
    since: date | str | None = None  # article published on or after
    until: date | str | None = None  # article published on or before
    search: str | None = None  # case-insensitive, in the claim's text
    min_checkworthiness: float | None = None
    article_id: str | Iterable[str] | None = None
    claim_id: str | Iterable[str] | None = None
    reviewer: str | Iterable[str] | None = None
    flagged: bool | None = None
    missing: bool | None = None  # True: only claims a newer extractor no longer finds
    not_a_claim: bool | None = None  # a reviewer marked it "not a claim"
    assignee: str | Iterable[str] | None = None  # whose queue; "" matches unassigned claims
    # the reviewed speaker's entity (store.speakers()); store.claims() adds the ids of the
    # speakers merged into it
    speaker_id: int | Iterable[int] | None = None
    cluster_id: str | Iterable[str] | None = None  # the claims that state the same thing

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_kwargs(cls, filters: dict) -> ClaimFilter:
        unknown = sorted(set(filters) - set(cls.names()))
        if unknown:
            raise TypeError(f"unknown claim filter {', '.join(unknown)}; "
                            f"filters are: {', '.join(cls.names())}")
        return cls(**filters)

    def conditions(self) -> list[ColumnElement[bool]]:
        c, r, a = claims.c, reviews.c, articles.c
        out: list[ColumnElement[bool]] = []
        for column, value in ((r.status, self.status), (r.verdict, self.verdict),
                              (c.speaker_type, self.speaker_type), (a.outlet, self.outlet),
                              (reviewed("kind"), self.kind),
                              (reviewed("cue_class"), self.cue_class),
                              (c.article_id, self.article_id), (c.claim_id, self.claim_id),
                              (r.reviewer, self.reviewer), (r.cluster_id, self.cluster_id)):
            if value is not None:
                out.append(column.in_(as_list(value)))
        if self.assignee is not None:
            names = as_list(self.assignee)
            # "IS NOT NULL" lets the planner use the partial index (schema 5): most claims
            # are nobody's, and an index of NULLs says nothing about selectivity.
            named = and_(r.assignee.is_not(None), r.assignee.in_([n for n in names if n]))
            out.append(or_(named, r.assignee.is_(None)) if "" in names else named)
        if self.speaker_id is not None:
            ids = [int(i) for i in ([self.speaker_id] if isinstance(self.speaker_id, int)
                                    else self.speaker_id)]
            out.append(or_(r.corrected_speaker_id.in_(ids),
                           and_(r.corrected_speaker_id.is_(None), c.speaker_id.in_(ids))))
        if self.has_verdict is not None:
            out.append(r.verdict.is_not(None) if self.has_verdict else r.verdict.is_(None))
        if self.tag is not None:
            # Tags are a JSON list of strings: '"tag"' appears in the text exactly when the
            # list holds the tag (json quotes and escapes every element the same way).
            as_text = type_coerce(r.tags, Text)  # compare the stored text, not a JSON value
            out.append(or_(false(), *(as_text.like(_contains(dumps(t)), escape="\\")
                                      for t in as_list(self.tag))))
        if self.speaker:
            out.append(speaker_contains(self.speaker))
        if self.since is not None:
            out.append(a.published >= as_date(self.since, "since"))
        if self.until is not None:
            out.append(a.published <= as_date(self.until, "until"))
        if self.search:
            out.append(text_contains(self.search))
        if self.min_checkworthiness is not None:
            out.append(c.checkworthiness >= float(self.min_checkworthiness))
        if self.flagged is not None:
            out.append(r.flagged.is_(True) if self.flagged else r.flagged.is_(False))
        if self.missing is not None:
            out.append(c.missing_since.is_not(None) if self.missing else c.missing_since.is_(None))
        if self.not_a_claim is not None:
            out.append(r.not_a_claim.is_(True) if self.not_a_claim else r.not_a_claim.is_(False))
        return out

    def where(self) -> ColumnElement[bool]:
        conditions = self.conditions()
        return and_(true(), *conditions) if conditions else true()


# Orders for a reviewing queue (``Store.review_queue``): name -> ORDER BY terms. Every order
# ends with the claim's place in its article, so ties read in article order (and the claim id:
# a claim a re-extraction no longer finds keeps its old position, which a new one may take).
_IN_ARTICLE = (claims.c.article_id, claims.c.position, claims.c.claim_id)
SORT_ORDERS: dict[str, tuple] = {
    # The review app's default: claims still without a decision (no verdict, not marked "not a
    # claim") first, the most check-worthy of them first; decided ones after, in the same order.
    "worthy_undecided": (case((and_(reviews.c.verdict.is_(None),
                                    func.coalesce(reviews.c.not_a_claim, false()).is_(false())), 0),
                              else_=1),
                         claims.c.checkworthiness.desc(), *_IN_ARTICLE),
    "article": _IN_ARTICLE,
    "newest": (articles.c.published.desc().nulls_last(), *_IN_ARTICLE),
    "oldest": (articles.c.published.asc().nulls_last(), *_IN_ARTICLE),
    "checkworthiness": (claims.c.checkworthiness.desc(), *_IN_ARTICLE),
    "speaker": (reviewed("speaker_canonical"), *_IN_ARTICLE),
    "recently_changed": (reviews.c.updated_at.desc().nulls_last(), *_IN_ARTICLE),
}


def sort_order(name: str) -> tuple:
    try:
        return SORT_ORDERS[name]
    except KeyError:
        raise ValueError(f"unknown sort {name!r}; sorts are: {', '.join(SORT_ORDERS)}") from None


def as_list(value: str | Iterable[str]) -> list[str]:
    """A filter's value as a list of text: one value, or any of several."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def as_date(value: date | str, name: str) -> date:
    """A date filter's value as a date (ValueError naming the filter if it is not one)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}: expected a date (YYYY-MM-DD), got {value!r}") from None
