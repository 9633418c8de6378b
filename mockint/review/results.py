"""Per-question results of finished sessions, computed once from the stored grades.

A question's score combines the grades of its main answer and follow-ups (`grading.base.combine`,
with the grade that counts chosen by `primary_grade`), exactly as the scorecard does, but from
the stored rows alone: no pack is needed, so sessions of a pack that was since edited or
deleted still count.

Why a table rather than computing on demand: stats and the scheduler look at every question of
every session; combining 50,000 questions' grades in Python takes seconds, an SQL aggregate over
`question_results` takes milliseconds. Rows are written lazily — `refresh()` finds finished
sessions not yet summarised (one anti-join) — so whoever finishes a session needs no hook, and
`resummarize()` rewrites one session after a regrade or an import.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockint.grading.base import Grade, combine, primary_grade
from mockint.review import queries
from mockint.scorecard import seconds_between
from mockint.store import SessionRow, Store, TurnRow
from mockint.timestamps import now_iso


@dataclass
class QuestionOutcome:
    """One question of one session: its combined grade, time used and whether it was skipped."""

    question_id: str
    position: int
    at: str
    score: float
    seconds: float
    skipped: bool
    grade: Grade | None


def session_outcomes(store: Store, session: SessionRow) -> list[QuestionOutcome]:
    """The outcome of each question the session reached, in the session's order.

    A question with no submitted turn (open when the session was abandoned) is left out: it was
    neither answered nor skipped, so it must not count as a 0 in stats or practice.
    """
    turns = store.turns(session.id)
    grades = store.session_grades(session.id)
    order = {qid: index for index, qid in enumerate(session.question_ids)}
    by_question: dict[str, list[TurnRow]] = {}
    for turn in turns:
        by_question.setdefault(turn.question_id, []).append(turn)
    outcomes: list[QuestionOutcome] = []
    for question_id, own in sorted(
        by_question.items(), key=lambda item: order.get(item[0], len(order))
    ):
        if not any(turn.submitted_at for turn in own):
            continue
        graded: list[tuple[int, Grade, tuple[str, ...] | None]] = []
        for turn in own:
            row = primary_grade(grades.get(turn.id, []), session.grader)
            if row is None:
                continue
            probes = None if turn.kind == "main" else tuple(turn.probes)
            graded.append((turn.id, row.to_grade(question_id), probes))
        grade = combine(question_id, graded) if graded else None
        outcomes.append(
            QuestionOutcome(
                question_id=question_id,
                position=order.get(question_id, len(order)),
                at=own[0].started_at,
                score=grade.score if grade else 0.0,
                seconds=sum(seconds_between(t.started_at, t.submitted_at) for t in own),
                skipped=bool(own[0].skipped),
                grade=grade,
            )
        )
    return outcomes


def session_score(outcomes: list[QuestionOutcome]) -> float:
    """Mean of the question scores (skipped or ungraded questions count 0), as on the scorecard."""
    if not outcomes:
        return 0.0
    return round(sum(o.score for o in outcomes) / len(outcomes), 1)


def _write(store: Store, session: SessionRow, outcomes: list[QuestionOutcome]) -> None:
    sid, pack_id = session.id, session.pack_id
    for outcome in outcomes:
        queries.add_question_result(
            store,
            sid,
            pack_id,
            outcome.question_id,
            position=outcome.position,
            at=outcome.at,
            score=outcome.score,
            seconds=outcome.seconds,
            skipped=outcome.skipped,
            grader=outcome.grade.grader if outcome.grade else "",
        )
        if outcome.grade is None:
            continue
        for point in outcome.grade.points:
            queries.add_point_result(
                store, sid, pack_id, outcome.question_id, point.point_id, point.verdict, outcome.at
            )
            queries.remember_rubric_point(
                store, pack_id, outcome.question_id, point.point_id, point.description, point.weight
            )
    queries.mark_summarized(store, sid, now_iso())


BATCH = 500  # sessions summarised per transaction: one commit (fsync) per batch, not per session


def refresh(store: Store) -> int:
    """Summarise every finished session that is not summarised yet; returns how many."""
    pending = queries.unsummarized_sessions(store)
    for start in range(0, len(pending), BATCH):
        sessions = [store.session(sid) for sid in pending[start : start + BATCH]]
        work = [(s, session_outcomes(store, s)) for s in sessions if s is not None]
        with store.atomic():
            for session, outcomes in work:
                queries.forget_results(store, session.id)
                _write(store, session, outcomes)
    return len(pending)


def resummarize(store: Store, session_id: int) -> list[QuestionOutcome]:
    """(Re)write one session's results, e.g. after a regrade; in-progress sessions are skipped."""
    session = store.session(session_id)
    if session is None:
        return []
    outcomes = session_outcomes(store, session) if session.status != "in_progress" else []
    with store.atomic():
        queries.forget_results(store, session_id)
        if session.status != "in_progress":
            _write(store, session, outcomes)
    return outcomes


def question_history(
    store: Store, pack_id: str, question_id: str, limit: int = 30, *, refreshed: bool = False
) -> list[tuple[int, str, float]]:
    """(session id, when, score) of the last `limit` attempts at one question, oldest first.

    `refreshed`: the caller has just run `refresh` (a transcript asks for several questions)."""
    if not refreshed:
        refresh(store)
    return queries.question_attempts(store, pack_id, question_id, limit)
