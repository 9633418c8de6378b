"""Regrading: a stored answer judged again, by the same or another grader.

A regrade adds a grade and never overwrites one, so the transcript can show the grades side by
side. Which grade counts stays decided by `primary_grade` (the newest by the session's own
grader without a failure note): an LLM regrade of a turn whose LLM grading fell back therefore
becomes the grade that counts, while an LLM second opinion on a keyword session is shown beside
the keyword grade without changing the session's score.

When the LLM fails again during a regrade (its grade comes back as a keyword grade with a
note), nothing is stored — the turn already has that fallback grade — and the turn keeps its
needs_regrade mark. A successful LLM grade without a note clears it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mockint.config import Settings
from mockint.errors import UserError
from mockint.grading import make_grader
from mockint.grading.base import Grade, Grader, PointVerdict, grade_follow_up, primary_grade
from mockint.packs import Pack, Question
from mockint.review.results import resummarize, session_score
from mockint.session_plan import session_pack
from mockint.store import SessionRow, Store, TurnRow

# (grader name, pack) -> a grader; the pack lets the keyword grader weigh words by rarity.
GraderFactory = Callable[[str, Pack], Grader]
# a stored session -> the pack it was run with (raises UserError when it cannot be found)
PackResolver = Callable[[SessionRow], Pack]
Progress = Callable[["RegradeItem"], None]


class PackUnavailable(UserError):
    """The pack a session was run with can no longer be loaded, so it cannot be regraded."""


def default_grader_factory(settings: Settings | None) -> GraderFactory:
    def make(name: str, pack: Pack) -> Grader:
        return make_grader(name, settings, pack=pack)

    return make


@dataclass
class RegradeItem:
    session_id: int
    turn_id: int
    question_id: str
    kind: str  # "main" or "follow_up"
    before: float | None  # the score of the grade that counted before
    after: float | None  # the new grade's score (None when nothing was stored)
    grader: str
    stored: bool
    note: str = ""
    # a follow-up answer counts for the points it probes only: their verdicts before and after
    # (its score over the whole rubric says little about what changed)
    probes: tuple[str, ...] = ()
    probed_before: dict[str, str] = field(default_factory=dict)
    probed_after: dict[str, str] = field(default_factory=dict)

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


@dataclass
class RegradeReport:
    items: list[RegradeItem] = field(default_factory=list)
    session_scores: dict[int, tuple[float | None, float | None]] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return sum(1 for item in self.items if item.stored)

    @property
    def failed(self) -> list[RegradeItem]:
        return [item for item in self.items if not item.stored]


def regradable(turn: TurnRow) -> bool:
    """Only submitted, non-skipped answers can be graded."""
    return turn.answer is not None and not turn.skipped


def regrade_session(
    store: Store,
    session_id: int,
    grader_name: str,
    *,
    factory: GraderFactory,
    resolve_pack: PackResolver = session_pack,
    turn_ids: set[int] | None = None,
    progress: Progress | None = None,
    report: RegradeReport | None = None,
) -> RegradeReport:
    """Grade every answer of a session (or only `turn_ids`) again and store the new grades."""
    report = report if report is not None else RegradeReport()
    session = store.session(session_id)
    if session is None:
        raise LookupError(f"no session {session_id}")
    try:
        pack = resolve_pack(session)
    except UserError as exc:
        raise PackUnavailable(f"session {session_id}: {exc}") from None
    grader = factory(grader_name, pack)
    before = session.score
    grades = store.session_grades(session_id)
    # Grading (an LLM can take minutes) happens first, outside any transaction; the new
    # grades, the per-question results and the session's score are then written in one
    # transaction, so a kill in between never leaves a stale score beside new grades.
    graded: list[tuple[TurnRow, Grade]] = []
    for turn in store.turns(session_id):
        if not regradable(turn) or (turn_ids is not None and turn.id not in turn_ids):
            continue
        question = pack.question(turn.question_id)
        previous = primary_grade(grades.get(turn.id, []), session.grader)
        item = RegradeItem(
            session_id=session_id,
            turn_id=turn.id,
            question_id=turn.question_id,
            kind=turn.kind,
            before=previous.score if previous else None,
            after=None,
            grader=grader_name,
            stored=False,
        )
        if turn.kind == "follow_up" and turn.probes:
            item.probes = tuple(turn.probes)
            item.probed_before = _probed(previous.points if previous else [], item.probes)
        if question is None:
            item.note = f"pack {pack.id} no longer has question {turn.question_id}"
        else:
            grade = _grade_turn(grader, grader_name, question, turn, item)
            if grade is not None:
                graded.append((turn, grade))
        report.items.append(item)
        if progress is not None:
            progress(item)
    after = before
    with store.atomic():
        for turn, grade in graded:
            store.add_grade(turn.id, grade)
            if grader_name == "llm" and not grade.note:
                store.mark_needs_regrade(turn.id, False)
        outcomes = resummarize(store, session_id)
        if session.status == "completed" and outcomes:
            after = session_score(outcomes)
            if after != before:
                store.update_session(session_id, score=after)
    report.session_scores[session_id] = (before, after)
    return report


def _grade_turn(
    grader: Grader,
    grader_name: str,
    question: Question,
    turn: TurnRow,
    item: RegradeItem,
) -> Grade | None:
    """The new grade to store, or None when the grader failed (the item says why)."""
    if turn.kind == "follow_up":
        grade = grade_follow_up(grader, question, turn.answer or "")
    else:
        grade = grader.grade(question, turn.answer or "")
    failed = bool(grade.note) and grade.grader != grader_name
    if failed:
        item.note = grade.note
        return None
    item.after = grade.score
    item.probed_after = _probed(grade.points, item.probes)
    item.stored = True
    item.note = grade.note
    return grade


def _probed(points: Iterable[PointVerdict], probes: tuple[str, ...]) -> dict[str, str]:
    return {p.point_id: p.verdict for p in points if p.point_id in probes}


def regrade_pending(
    store: Store,
    grader_name: str = "llm",
    *,
    factory: GraderFactory,
    resolve_pack: PackResolver = session_pack,
    progress: Progress | None = None,
) -> RegradeReport:
    """Regrade every turn marked needs_regrade (its LLM grading fell back), session by session."""
    report = RegradeReport()
    by_session: dict[int, set[int]] = {}
    for turn in store.turns_needing_regrade():
        by_session.setdefault(turn.session_id, set()).add(turn.id)
    for session_id, turn_ids in sorted(by_session.items()):
        try:
            regrade_session(
                store,
                session_id,
                grader_name,
                factory=factory,
                resolve_pack=resolve_pack,
                turn_ids=turn_ids,
                progress=progress,
                report=report,
            )
        except PackUnavailable as exc:  # the session's pack is gone: go on with the others
            for turn_id in sorted(turn_ids):
                row = store.turn(turn_id)
                item = RegradeItem(
                    session_id=session_id,
                    turn_id=turn_id,
                    question_id=row.question_id if row else "?",
                    kind=row.kind if row else "main",
                    before=None,
                    after=None,
                    grader=grader_name,
                    stored=False,
                    note=str(exc),
                )
                report.items.append(item)
                if progress is not None:
                    progress(item)
    return report
