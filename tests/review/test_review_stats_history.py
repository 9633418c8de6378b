"""Stats figures on known data, text charts, and the history list's filters, sorting and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from review_factory import T0, Answer, add_session, mtls_session

from mockint.review import history
from mockint.review.charts import bar, bar_chart, sparkline
from mockint.review.stats import compute_stats
from mockint.store import Store


def test_sparkline_and_bars() -> None:
    assert sparkline([0, 5, 10]) == "▁▅█"
    assert sparkline([]) == ""
    assert bar(10, 4) == "████" and bar(0, 4) == "    " and bar(5, 4) == "██  "
    assert bar(1.25, 8, hi=10) == "█    ".ljust(8)
    assert bar_chart([("a", 5, "5.0"), ("bbb", 10, "10")], width=4) == [
        "a    ██    5.0",
        "bbb  ████  10",
    ]


def test_stats_on_known_sessions(store: Store) -> None:
    mtls_session(store, T0)
    mtls_session(store, T0 + timedelta(days=7))
    add_session(
        store,
        T0 + timedelta(days=8),
        {"sm-04": [Answer("q", "a", {"identity": "missed"})]},
        status="abandoned",
    )
    add_session(store, T0, {"sm-04": [Answer("q", "a", {"identity": "covered"})]}, pack_id="other")
    stats = compute_stats(store, now=T0 + timedelta(days=10), weeks=3)
    assert [p.pack_id for p in stats.packs] == ["service-mesh", "other"]
    mesh = stats.packs[0]
    assert mesh.sessions == 2 and mesh.average == 4.7 and mesh.best == 4.7 and mesh.latest == 4.7
    # the weeks before the first practised one are left out
    assert [(w.week, w.sessions) for w in mesh.weekly] == [("2026-03-02", 1), ("2026-03-09", 1)]
    missed = [(m.question_id, m.point_id, m.missed, m.partial, m.judged) for m in mesh.missed]
    # the abandoned session's missed identity point counts as a weak spot too
    assert missed == [
        ("sm-01", "operational-cost", 2, 0, 2),
        ("sm-04", "identity", 1, 0, 3),
        ("sm-04", "rotation", 1, 0, 3),
    ]
    assert mesh.missed[0].description == "Running cost"
    times = {t.question_id: t for t in mesh.times}
    assert times["sm-04"].avg_seconds == pytest.approx((210 * 2 + 90) / 3, abs=0.1)
    assert "sm-07" not in times  # skipped questions do not count for time
    assert mesh.due["practised"] == 3
    data = stats.to_dict()
    assert data["packs"][0]["recent"][0]["score"] == 4.7
    only = compute_stats(store, "other", now=T0)
    assert [p.pack_id for p in only.packs] == ["other"]
    assert compute_stats(store, "nope").packs == []


def test_window_leaves_old_weak_spots_out(store: Store) -> None:
    mtls_session(store, T0)
    later = T0 + timedelta(days=200)
    covered = {"identity": "covered", "rotation": "covered"}
    add_session(store, later, {"sm-04": [Answer("q", "a", covered)]})
    assert compute_stats(store, now=later, last=1).packs[0].missed == []
    assert compute_stats(store, now=later, last=0).packs[0].missed
    assert compute_stats(store, now=later, last=2).packs[0].missed
    # a break: the chart ends at the last session, so it still shows the last stretch
    old = compute_stats(store, now=later + timedelta(days=400)).packs[0]
    assert old.weekly[-1].sessions == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pack:service-mesh", {"pack": "service-mesh"}),
        ("since:2026-03", {"since": "2026-03-01"}),
        ("until:2026-03", {"until": "2026-04-01"}),
        ("until:2026-12", {"until": "2027-01-01"}),
        ("until:2026-03-05", {"until": "2026-03-06"}),
        ("score:<5", {"max_score": 4.95}),
        ("score:>=7", {"min_score": 7.0}),
        ("score:6-8", {"min_score": 6.0, "max_score": 8.0}),
        ("status:in-progress", {"status": "in_progress"}),
        ("grader:llm mesh", {"grader": "llm", "words": ("mesh",)}),
        ("last:2w", {"since": "2026-02-16"}),
    ],
)
def test_parse_filter(text: str, expected: dict) -> None:
    parsed = history.parse_filter(text, now=T0)
    for key, value in expected.items():
        assert (
            getattr(parsed, key) == pytest.approx(value)
            if isinstance(value, float)
            else (getattr(parsed, key) == value)
        ), key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("since:yesterday", "since:yesterday: use a date"),
        ("score:high", "score:high: use score:<5"),
        ("status:done", "status is one of"),
        ("colour:red", "unknown filter"),
        ("pack:", "give a value"),
        ("last:3y", "last:30d"),
    ],
)
def test_bad_filters_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(history.FilterError, match=message):
        history.parse_filter(text)


def test_pages_sorting_and_filters(store: Store) -> None:
    ids = [mtls_session(store, T0 + timedelta(days=d)) for d in range(5)]
    add_session(
        store,
        T0 + timedelta(days=9),
        {"sm-04": [Answer("q", "a", {"identity": "covered", "rotation": "covered"})]},
    )
    open_id = add_session(
        store, T0 + timedelta(days=10), {"sm-04": [Answer("q", None, {})]}, status="in_progress"
    )
    assert history.count(store) == 7
    first = history.page(store, limit=3)
    assert [r.id for r in first] == [open_id, open_id - 1, ids[4]]
    assert [r.id for r in history.page(store, limit=3, offset=3)] == [ids[3], ids[2], ids[1]]
    by_score = history.page(store, sort="score")
    assert by_score[0].score == 10.0 and by_score[-1].id == open_id  # no score: last
    assert history.page(store, sort="score", descending=False)[0].score == 4.7
    assert history.page(store, sort="duration")[0].duration_seconds == pytest.approx(440)
    high = history.parse_filter("score:>=8")
    assert history.count(store, high) == 1
    row = history.page(store, high)[0]
    assert row.band == "strong hire" and row.questions == 1 and row.status == "completed"
    assert history.count(store, history.parse_filter("status:in_progress")) == 1
    assert history.count(store, history.parse_filter("until:2026-03-03")) == 2


def test_an_abandoned_sessions_open_question_is_not_an_answer(store: Store) -> None:
    """Abandoned mid-answer: the open question counts nowhere (not as a 0.0 answer in stats,
    not as a failed review for spaced practice); what was answered before still counts."""
    from mockint.review.results import session_outcomes
    from mockint.review.scheduler import sync_cards

    session = add_session(
        store,
        T0,
        {
            "sm-04": [Answer("q", "mtls with rotation", {"identity": "covered"})],
            "sm-07": [Answer("q", None, {})],  # on screen when the session was abandoned
        },
        status="abandoned",
    )
    outcomes = session_outcomes(store, store.session(session))
    assert [o.question_id for o in outcomes] == ["sm-04"]
    assert set(sync_cards(store, "service-mesh")) == {"sm-04"}
    # a database summarised before this rule kept such rows: readers leave them out too
    store.db.execute(
        "INSERT INTO question_results (session_id, pack_id, question_id, position, at, score, "
        "seconds, skipped, grader) VALUES (?, 'service-mesh', 'sm-07', 1, ?, 0, 30, 0, '')",
        [session, "2026-03-02T09:40:00.000Z"],
    )
    store.db.conn.commit()
    assert set(sync_cards(store, "service-mesh")) == {"sm-04"}
    mtls_session(store, T0 + timedelta(hours=1))
    stats = compute_stats(store, "service-mesh", now=T0 + timedelta(days=1)).packs[0]
    answers = {t.question_id: t.attempts for t in stats.times}
    # sm-04 answered in both sessions; sm-07 skipped in one and left open in the other
    assert answers == {"sm-04": 2, "sm-01": 1}
