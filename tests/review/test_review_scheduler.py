"""The FSRS scheduler: ratings from grades, what is due, focus points, and a cache that heals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fsrs import Rating
from review_factory import T0, Answer, add_session, mtls_session, review_pack

from mockint.review.scheduler import (
    RECENT_ATTEMPTS,
    due_plan,
    due_summary,
    practice_plan,
    rating_for,
    sync_cards,
)
from mockint.store import Store

PACK = review_pack()


@pytest.mark.parametrize(
    ("score", "skipped", "rating"),
    [
        (9.0, False, Rating.Easy),
        (8.0, False, Rating.Easy),
        (7.9, False, Rating.Good),
        (6.5, False, Rating.Good),
        (5.0, False, Rating.Hard),
        (4.9, False, Rating.Again),
        (10.0, True, Rating.Again),
    ],
)
def test_ratings_follow_the_hire_bands(score: float, skipped: bool, rating: Rating) -> None:
    assert rating_for(score, skipped) == rating


def test_without_history_everything_is_new(store: Store) -> None:
    ids, focus = due_plan(store, PACK, limit=2, now=T0)
    assert ids == ["sm-01", "sm-04"] and focus == {}
    assert due_plan(store, PACK, now=T0, include_new=False) == ([], {})


def test_due_questions_most_missed_first_with_focus(store: Store) -> None:
    mtls_session(store, T0)  # sm-04 7.9+follow-up -> 10 (Easy), sm-01 4.1 (Again), sm-07 skipped
    same_day = due_plan(store, PACK, now=T0 + timedelta(hours=2), include_new=False)
    next_day = due_plan(store, PACK, now=T0 + timedelta(days=1), include_new=False)
    assert same_day == ([], {})  # a failed question comes back the next day
    ids, focus = next_day
    assert ids == ["sm-01", "sm-07"]  # sm-01 missed a point; sm-07 was skipped
    assert focus == {"sm-01": ["operational-cost"]}
    plan = {p.question_id: p for p in practice_plan(store, PACK, T0 + timedelta(days=1))}
    assert plan["sm-04"].status == "later" and plan["sm-04"].due > T0 + timedelta(days=3)
    assert plan["sm-01"].reviews == 1 and plan["sm-01"].last_score == 4.1
    assert plan["sm-04"].last_score == 10.0  # the follow-up earned the rest: Easy


def test_focus_orders_points_by_recent_misses(store: Store) -> None:
    for day in range(3):
        verdicts = {"retries": "missed", "breaker": "missed" if day == 2 else "partial"}
        add_session(store, T0 + timedelta(days=day), {"sm-07": [Answer("q", "a", verdicts)]})
    ids, focus = due_plan(store, PACK, now=T0 + timedelta(days=4), include_new=False)
    assert ids == ["sm-07"] and focus["sm-07"] == ["retries", "breaker"]


def test_focus_counts_only_the_latest_attempts(store: Store) -> None:
    """Misses older than the last RECENT_ATTEMPTS attempts no longer set the focus: over the
    whole history `retries` was missed five times and `breaker` once, but recently only
    `breaker` was."""
    for day in range(RECENT_ATTEMPTS):  # retries missed at first
        verdicts = {"retries": "missed", "breaker": "covered"}
        add_session(store, T0 + timedelta(days=day), {"sm-07": [Answer("q", "a", verdicts)]})
    learnt = T0 + timedelta(days=RECENT_ATTEMPTS)
    for day in range(RECENT_ATTEMPTS):  # then learnt; breaker slips once
        verdicts = {"retries": "covered", "breaker": "missed" if day == 0 else "covered"}
        add_session(store, learnt + timedelta(days=day), {"sm-07": [Answer("q", "a", verdicts)]})
    plan = {p.question_id: p for p in practice_plan(store, PACK, learnt + timedelta(days=30))}
    assert plan["sm-07"].focus == ["breaker"]
    assert plan["sm-07"].misses == {"breaker": 1}


def cards_snapshot(store: Store) -> dict[str, tuple]:
    return {
        q: (c.card.due, round(c.card.stability, 6), round(c.card.difficulty, 6), c.reviews)
        for q, c in sync_cards(store, "service-mesh").items()
    }


def test_incremental_cache_matches_a_rebuild_even_out_of_order(store: Store) -> None:
    for day in (0, 3, 9):
        mtls_session(store, T0 + timedelta(days=day))
        cards_snapshot(store)  # brought forward one session at a time
    mtls_session(store, T0 - timedelta(days=30))  # an older session arrives (an import)
    incremental = cards_snapshot(store)
    store.db.execute("DELETE FROM question_reviews")
    assert cards_snapshot(store) == incremental
    assert incremental["sm-04"][3] == 4


def test_a_regrade_moves_the_card(store: Store) -> None:
    from review_factory import VerdictGrader

    from mockint.review.regrade import regrade_session

    session = mtls_session(store, T0, grader="llm")
    before = sync_cards(store, "service-mesh")["sm-01"]
    grader = VerdictGrader("llm")
    # an answer of "all" covers every point: sm-01 goes from Again to Easy
    store.db["turns"].update(store.turns(session)[2].id, {"answer": "all of it"})
    regrade_session(store, session, "llm", factory=lambda n, p: grader, resolve_pack=lambda s: PACK)
    after = sync_cards(store, "service-mesh")["sm-01"]
    assert before.last_score is not None and rating_for(before.last_score) == Rating.Again
    assert after.last_score is not None and rating_for(after.last_score) == Rating.Easy
    assert after.reviews == before.reviews == 1  # the regrade replaces the review, adds none
    assert after.due > before.due


def test_due_summary_without_a_pack_file(store: Store) -> None:
    mtls_session(store, T0)
    summary = due_summary(store, "service-mesh", T0 + timedelta(days=1))
    assert summary["due_now"] == ["sm-01", "sm-07"] and summary["practised"] == 3
    assert summary["next_due"] is not None


def test_in_progress_sessions_do_not_count(store: Store) -> None:
    add_session(
        store, T0, {"sm-04": [Answer("q", "a", {"identity": "missed"})]}, status="in_progress"
    )
    assert sync_cards(store, "service-mesh") == {}


def test_nothing_due_message(store: Store) -> None:
    from mockint.review.scheduler import nothing_due_message

    assert nothing_due_message(store, PACK, T0) == (
        "Nothing is due in pack service-mesh: none of its 3 questions has been practised yet; "
        "start an interview first."
    )
    for day in range(3):  # everything covered, three times: nothing due for a while
        add_session(
            store,
            T0 + timedelta(days=day),
            {
                qid: [Answer("q", "a", {p: "covered" for p in points})]
                for qid, points in {
                    "sm-01": ["definition", "operational-cost"],
                    "sm-04": ["identity", "rotation"],
                    "sm-07": ["retries", "breaker"],
                }.items()
            },
        )
    now = T0 + timedelta(days=3)
    assert due_plan(store, PACK, now=now) == ([], {})
    message = nothing_due_message(store, PACK, now)
    assert message.startswith("Nothing is due in pack service-mesh: the next question (sm-0")
