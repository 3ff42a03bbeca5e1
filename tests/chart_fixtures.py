"""A small store whose chart numbers can be counted by hand (tests of charts and reports).

Three articles written by ``store_fixtures.make_article`` (each: "Mayor Ann Lee said that …",
a person; "Officials said that …", anonymous; one assertion), so 9 claims:

    article 1  Daily Planet  2024-05-01   Ann Lee (assert)  Officials (assert)  assertion
    article 2  Daily Planet  2024-05-03   Ann Lee (assert)  Officials (assert)  assertion
    article 3  Gazette       2024-06-10   Ann Lee (deny)    Officials (assert)  assertion

Reviews, in this order (each one change, so one history event per field):

    1. article 1, Ann Lee    status verified, verdict false
    2. article 2, Ann Lee    status verified, verdict true
    3. article 3, Officials  status in_review
    4. article 1, assertion  status published, verdict true, note, evidence

Attributions score 0.8 check-worthiness, assertions 0.3.
"""
from __future__ import annotations

import dataclasses

from store_fixtures import make_article

from claimkit.store import Store

ARTICLES = (("Daily Planet", "2024-05-01"), ("Daily Planet", "2024-05-03"),
            ("Gazette", "2024-06-10"))
REVIEWS = (  # (article number, claim position, review arguments)
    (1, 0, dict(status="verified", verdict="false")),
    (2, 0, dict(status="verified", verdict="true")),
    (3, 1, dict(status="in_review")),
    # Published the way the workflow allows (data/taxonomies/workflow.toml): verified with a
    # verdict first, then published.
    (1, 2, dict(status="verified", verdict="true")),
    (1, 2, dict(status="published", note="Matches the river authority's log.",
                evidence=["https://records.example/flood-1901"])),
)


def fill_known_store(store: Store) -> dict[tuple[int, int], str]:
    """Add the three articles and the five review changes; returns claim ids by (article, position)."""
    ids: dict[tuple[int, int], str] = {}
    for n, (outlet, published) in enumerate(ARTICLES, 1):
        article, claims = make_article(n, outlet=outlet, published=published)
        if n == 3:  # Ann Lee denies in the Gazette
            claims[0] = dataclasses.replace(claims[0], cue_lemma="deny", cue_class="deny")
        store.add(article, claims)
        ids.update({(n, i): c.claim_id for i, c in enumerate(claims)})
    for n, position, change in REVIEWS:
        store.review(ids[(n, position)], reviewer="tester", **change)
    return ids
