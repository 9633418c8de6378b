"""Progress: score over time per pack, the rubric points missed most often, time per question.

All figures are SQL aggregates over `sessions.score` (set when a session completes) and the
per-question tables of results.py, each served by an index.

Weak spots and times look at the pack's last `last` finished sessions (100 by default; 0 for
all of them): a point missed a year ago and covered ever since is no longer a weak spot. A
window counted in sessions rather than days fits both a weekly and a daily practiser, and costs
the same whatever the size of the history — the rows are found by primary key from those
sessions' ids, so 10,000 sessions answer as fast as 100. (All of them, `last=0`, scans the
pack's every rubric-point row: about a second at 10,000 sessions.) The weekly chart ends at
the pack's last completed session, so a month's break does not leave it empty, and starts at
the first practised week of its window.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mockint.review import queries
from mockint.review.results import refresh
from mockint.review.scheduler import due_summary
from mockint.store import Store
from mockint.timestamps import iso, parse_iso


@dataclass
class MissedPoint:
    question_id: str
    point_id: str
    description: str
    missed: int
    partial: int
    judged: int

    @property
    def rate(self) -> float:
        return self.missed / self.judged if self.judged else 0.0


@dataclass
class QuestionTime:
    question_id: str
    attempts: int
    avg_seconds: float
    avg_score: float


@dataclass
class WeekScore:
    week: str  # the Monday, YYYY-MM-DD
    average: float | None
    sessions: int


@dataclass
class PackStats:
    pack_id: str
    title: str
    sessions: int
    average: float | None
    best: float | None
    latest: float | None
    recent: list[tuple[int, str, float]] = field(default_factory=list)
    weekly: list[WeekScore] = field(default_factory=list)
    missed: list[MissedPoint] = field(default_factory=list)
    times: list[QuestionTime] = field(default_factory=list)
    avg_seconds: float | None = None
    due: dict[str, Any] = field(default_factory=dict)


@dataclass
class Stats:
    packs: list[PackStats]
    last: int  # sessions in the weak-spot and time window (0: all)
    generated_at: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for pack in data["packs"]:
            pack["recent"] = [
                {"session_id": sid, "started_at": at, "score": score}
                for sid, at, score in pack["recent"]
            ]
        return data


def compute_stats(
    store: Store,
    pack_id: str | None = None,
    *,
    last: int = 100,
    now: datetime | None = None,
    weeks: int = 12,
    recent: int = 40,
    top: int = 10,
) -> Stats:
    """Stats of one pack, or of every pack with a completed session (most used first)."""
    now = now or datetime.now(UTC)
    refresh(store)
    packs = []
    for pid, title, count, average, best in queries.completed_packs(store, pack_id):
        stats = PackStats(pid, title or pid, count, round(average, 2), best, None)
        stats.recent = queries.recent_scores(store, pid, recent)
        stats.latest = stats.recent[-1][2] if stats.recent else None
        anchor = min(now, parse_iso(stats.recent[-1][1]) or now) if stats.recent else now
        stats.weekly = _weekly(store, pid, anchor, weeks)
        window, window_params = queries.session_window(pid, last)
        stats.missed = _missed(store, pid, window, window_params, top)
        stats.times, stats.avg_seconds = _times(store, window, window_params)
        stats.due = due_summary(store, pid, now, refreshed=True)
        packs.append(stats)
    return Stats(packs=packs, last=last, generated_at=iso(now))


def practised_packs(store: Store) -> list[str]:
    """Ids of the packs with a completed session, most practised first (as compute_stats)."""
    return queries.completed_pack_ids(store)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly(store: Store, pack_id: str, now: datetime, weeks: int) -> list[WeekScore]:
    """Average score per calendar week (UTC, Monday first), the last `weeks` weeks, empty
    weeks between two practised ones included so the chart's time axis is honest; the empty
    weeks before the first practised one are left out (a first day is one row, not twelve)."""
    this_week = _monday(now.astimezone(UTC).date())
    first = this_week - timedelta(weeks=weeks - 1)
    found = queries.weekly_scores(store, pack_id, first.isoformat())
    out: list[WeekScore] = []
    for index in range(weeks):
        week = (first + timedelta(weeks=index)).isoformat()
        average, count = found.get(week, (None, 0))
        if not out and not count:
            continue
        out.append(WeekScore(week, round(average, 2) if average is not None else None, count))
    return out


def _missed(
    store: Store, pack_id: str, window: str, params: list[object], top: int
) -> list[MissedPoint]:
    rows = queries.most_missed_points(store, window, params, top)
    names = queries.rubric_descriptions(store, pack_id)
    return [
        MissedPoint(q, p, names.get((q, p), "") or p, missed, partial, judged)
        for q, p, missed, partial, judged in rows
    ]


def _times(
    store: Store, window: str, params: list[object]
) -> tuple[list[QuestionTime], float | None]:
    rows = queries.question_times(store, window, params)
    times = [QuestionTime(q, n, round(sec, 1), round(score, 2)) for q, n, sec, score in rows]
    total = sum(t.attempts for t in times)
    average = sum(t.avg_seconds * t.attempts for t in times) / total if total else None
    return times, round(average, 1) if average is not None else None


def practice_streak(store: Store, now: datetime | None = None) -> int:
    """Days in a row, in local time, with at least one completed session, ending today (or
    yesterday: a streak is not lost before the day is over)."""
    days = {date.fromisoformat(day) for day in queries.practice_days(store)}
    today = (now or datetime.now(UTC)).astimezone().date()
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak
