"""The interview engine: question -> answer -> grade -> follow-up -> next question -> scorecard.

It knows nothing of screens. A front end calls `current`, `save_draft`, `submit`, `grade`
and `advance`; every step is written to the store first, so a session can be resumed from the
database alone after a crash: the state lives in the rows, not in this object.

An engine that starts or resumes a session claims it (mockint.ownership): a second process
opening the same session is refused while this one lives, and every write carries the claim's
token, so nothing one engine wrote can be overwritten by another. `release` lets it go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mockint.errors import UserError
from mockint.grading.base import (
    Grade,
    Grader,
    grade_follow_up,
)
from mockint.ownership import Claim
from mockint.packs import FollowUp, Pack, Question
from mockint.scorecard import Scorecard, build_scorecard, question_grade, seconds_between
from mockint.session_plan import (
    InterviewOptions,
    choose_questions,
    options_from_session,
    pick_follow_up,
)
from mockint.store import Store, TurnRow
from mockint.timestamps import iso, now_iso, parse_iso

DeltaCallback = Callable[[str], None]


@dataclass
class Turn:
    """The question currently on screen."""

    id: int
    question: Question
    kind: str  # "main" or "follow_up"
    prompt: str
    probes: tuple[str, ...]
    index: int  # position of the question in the session, from 0
    total: int
    started_at: datetime
    budget_seconds: float | None  # the question's budget, shared by its follow-ups
    used_before_seconds: float  # time already spent on this question's earlier turns
    draft: str = ""

    @property
    def is_follow_up(self) -> bool:
        return self.kind == "follow_up"


@dataclass
class TurnOutcome:
    """What grading one answer produced and what comes next."""

    grade: Grade
    question_grade: Grade
    next_follow_up: FollowUp | None


class Interview:
    def __init__(self, store: Store, pack: Pack, session_id: int, grader: Grader) -> None:
        self.store = store
        self.pack = pack
        self.session_id = session_id
        self.grader = grader
        session = store.session(session_id)
        if session is None:
            raise ValueError(f"no session {session_id}")
        self.question_ids: list[str] = list(session.question_ids)
        self.options = options_from_session(session)
        self.session_grader = session.grader
        self.current: Turn | None = None
        # when the clock of the current turn was stopped (the pause menu is open), else None
        self._paused_at: datetime | None = None
        self.claim: Claim | None = None  # set by start and resume

    @property
    def owner(self) -> str | None:
        return self.claim.token if self.claim else None

    # starting and resuming -----------------------------------------------------------------

    @classmethod
    def start(
        cls,
        store: Store,
        pack: Pack,
        grader: Grader,
        options: InterviewOptions,
        *,
        pack_path: str | None = None,
        model: str | None = None,
        endpoint: str | None = None,
    ) -> Interview:
        if options.question_ids:
            unknown = [qid for qid in options.question_ids if pack.question(qid) is None]
            if unknown:
                raise UserError(f"pack {pack.id} has no question {', '.join(unknown)}")
            question_ids = list(options.question_ids)
        else:
            question_ids = choose_questions(pack, options.questions, options.seed)
        settings = {
            "seed": options.seed,
            "timed": options.timed,
            "question_minutes": options.question_minutes,
            "coach": options.coach,
            "max_follow_ups": options.max_follow_ups,
            "focus": options.focus,
        }
        session_id = store.create_session(
            pack_id=pack.id,
            pack_title=pack.title,
            pack_path=pack_path,
            grader=grader.name,
            model=model,
            endpoint=endpoint,
            question_ids=question_ids,
            settings=settings,
        )
        interview = cls(store, pack, session_id, grader)
        interview.claim = Claim(store, session_id).acquire()
        interview._open_main(0)
        return interview

    @classmethod
    def resume(cls, store: Store, pack: Pack, session_id: int, grader: Grader) -> Interview:
        """Continue where the session stopped: the open turn with its draft, or the next step.

        The time between the last autosave and the resume is not counted against the answer.
        """
        interview = cls(store, pack, session_id, grader)
        interview.claim = Claim(store, session_id).acquire()  # SessionInUse when open elsewhere
        turns = store.turns(session_id)
        open_turn = next((t for t in turns if t.submitted_at is None), None)
        if open_turn is not None:
            draft = store.draft(session_id)
            own_draft = draft if draft and draft.turn_id == open_turn.id else None
            text = own_draft.text if own_draft else ""
            # Without a draft nothing was typed worth keeping: the clock restarts from zero.
            worked = seconds_between(open_turn.started_at, own_draft.saved_at) if own_draft else 0
            shifted = datetime.now(UTC) - timedelta(seconds=worked)
            store.set_turn_started(open_turn.id, iso(shifted), owner=interview.owner)
            open_turn = store.turn(open_turn.id) or open_turn
            interview.current = interview._turn_from_row(open_turn, draft=text)
            return interview
        if turns:
            last = turns[-1]
            if not store.grades(last.id) and not last.skipped:
                interview.grade(last.id)
            interview.current = None
            interview._advance_from(last)
        else:
            interview._open_main(0)
        return interview

    # the current turn ------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.current is None

    def save_draft(self, text: str) -> None:
        """Store the text being typed. While the clock is paused an unchanged draft is not
        written again: its time is the last moment of work, which `resume` counts up to."""
        if self.current is None:
            return
        if self._paused_at is not None and text == self.current.draft:
            return
        self.store.save_draft(self.session_id, self.current.id, text, owner=self.owner)
        self.current.draft = text

    # the clock -------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause_clock(self, at: datetime | None = None) -> None:
        """Stop the current question's clock (the pause menu is open, say); call only while
        the candidate is answering, never between submit and the next turn."""
        if self.current is not None and self._paused_at is None:
            self._paused_at = at or datetime.now(UTC)

    def resume_clock(self, at: datetime | None = None) -> None:
        """Start the clock again: the turn's start moves forward by the pause, in the store
        too, so neither the timer nor the scorecard counts the time spent paused."""
        paused_at = self._paused_at
        if paused_at is None or self.current is None:
            self._paused_at = None
            return
        gap = (at or datetime.now(UTC)) - paused_at
        if gap.total_seconds() <= 0:
            self._paused_at = None
            return
        started = self.current.started_at + gap
        # the clock stays paused if this write fails (a busy database): call it again later
        self.store.set_turn_started(self.current.id, iso(started), owner=self.owner)
        self._paused_at = None
        self.current.started_at = started

    def elapsed(self, at: datetime | None = None) -> float:
        """Seconds spent on the current question so far (earlier turns included), not
        counting the time paused; 0 without an open turn."""
        turn = self.current
        if turn is None:
            return 0.0
        moment = self._paused_at or at or datetime.now(UTC)
        return turn.used_before_seconds + max(0.0, (moment - turn.started_at).total_seconds())

    def submit(self, answer: str) -> int:
        """Store the answer (before any grading) and return the turn id to grade."""
        turn = self._require_current()
        self.resume_clock()
        self.store.submit_answer(turn.id, answer, owner=self.owner)
        return turn.id

    def skip(self) -> None:
        """Skip the current question: recorded as skipped, scored 0, no follow-ups.

        Safe to call again after a failed attempt (a busy database): what was stored stays."""
        turn = self._require_current()
        self.resume_clock()
        row = self.store.turn(turn.id)
        if row is None or row.submitted_at is None:
            self.store.submit_answer(turn.id, "", skipped=True, owner=self.owner)
        self._open_main(turn.index + 1)

    def grade(self, turn_id: int, on_delta: DeltaCallback | None = None) -> TurnOutcome:
        """Grade a submitted answer and decide the follow-up. Safe to call from a worker thread."""
        row = self.store.turn(turn_id)
        if row is None:
            raise ValueError(f"no turn {turn_id}")
        question = self._question(row.question_id)
        answer = row.answer or ""
        streaming = getattr(self.grader, "grade_streaming", None)
        if on_delta is not None and streaming is not None:
            grade = streaming(question, answer, on_delta)
        elif row.kind == "follow_up":
            grade = grade_follow_up(self.grader, question, answer)
        else:
            grade = self.grader.grade(question, answer)
        self.store.add_grade(turn_id, grade)
        if grade.cross_check is not None:
            self.store.add_grade(turn_id, grade.cross_check)
        if grade.note:
            self.store.mark_needs_regrade(turn_id)
        question_grade = self.question_grade(row.question_id)
        assert question_grade is not None
        follow_up = self._next_follow_up(row.question_id, question_grade)
        if follow_up is None and grade.follow_up and self._follow_ups_left(row.question_id):
            gaps = tuple(p.point_id for p in question_grade.points if p.verdict != "covered")
            if gaps:
                follow_up = FollowUp(text=grade.follow_up, probes=gaps[:1])
        return TurnOutcome(grade=grade, question_grade=question_grade, next_follow_up=follow_up)

    def advance(self, outcome: TurnOutcome | None = None) -> Turn | None:
        """Move on after the current turn was submitted (and graded): a follow-up or the next
        question; None when the interview is over. After a failed attempt (a busy database) the
        current turn is unchanged, so calling it again is safe."""
        turn = self._require_current()
        if outcome is not None and outcome.next_follow_up is not None:
            self._open_follow_up(turn.index, outcome.next_follow_up)
        else:
            self._open_main(turn.index + 1)
        return self.current

    # results ---------------------------------------------------------------------------------

    def question_grade(self, question_id: str, grader: str | None = None) -> Grade | None:
        """The grade of one question, combining its main answer and its follow-up answers."""
        return question_grade(
            self.store, self.session_id, question_id, grader or self.session_grader
        )

    def scorecard(self) -> Scorecard:
        return build_scorecard(self.store, self.pack, self.session_id)

    def finish(self) -> Scorecard:
        card = self.scorecard()
        self.store.finish_session(self.session_id, "completed", card.score, owner=self.owner)
        self.release()
        return card

    def abandon(self) -> None:
        self.store.finish_session(self.session_id, "abandoned", None, owner=self.owner)
        self.release()

    # the claim on the session ------------------------------------------------------------------

    def heartbeat(self) -> None:
        """Tell other processes this engine is alive (mockint.ownership.HEARTBEAT_SECONDS)."""
        if self.claim is not None:
            self.claim.heartbeat()

    def release(self) -> None:
        """Let the session go: another process may resume it now. Safe to call twice."""
        if self.claim is not None:
            claim, self.claim = self.claim, None
            claim.release()

    # internals -------------------------------------------------------------------------------

    def _require_current(self) -> Turn:
        if self.current is None:
            raise RuntimeError("the interview has no open question")
        return self.current

    def _question(self, question_id: str) -> Question:
        question = self.pack.question(question_id)
        if question is None:
            raise UserError(
                f"pack {self.pack.id} no longer has question {question_id}, which this session "
                "asked: was the pack file changed since? Put the question back to continue it"
            )
        return question

    def _budget(self, question: Question) -> float | None:
        if not self.options.timed:
            return None
        return self.pack.budget_seconds(question, self.options.question_minutes)

    def _asked(self, question_id: str) -> list[TurnRow]:
        return [
            t
            for t in self.store.turns(self.session_id)
            if t.question_id == question_id and t.kind == "follow_up"
        ]

    def _follow_ups_left(self, question_id: str) -> bool:
        return len(self._asked(question_id)) < self.options.max_follow_ups

    def _next_follow_up(self, question_id: str, question_grade: Grade) -> FollowUp | None:
        if not self._follow_ups_left(question_id):
            return None
        asked = [tuple(t.probes) for t in self._asked(question_id)]
        return pick_follow_up(
            self._question(question_id),
            question_grade,
            asked,
            self.options.focus.get(question_id),
        )

    def _advance_from(self, last: TurnRow) -> None:
        """After a crash between turns: decide again what follows the last answered turn."""
        index = self.question_ids.index(last.question_id)
        follow_up = None
        if not last.skipped:
            grade = self.question_grade(last.question_id)
            if grade is not None:
                follow_up = self._next_follow_up(last.question_id, grade)
        if follow_up is not None:
            self._open_follow_up(index, follow_up)
        else:
            self._open_main(index + 1)

    def _next_seq(self) -> int:
        turns = self.store.turns(self.session_id)
        return (turns[-1].seq + 1) if turns else 0

    def _open_main(self, index: int) -> None:
        if index >= len(self.question_ids):
            self.current = None
            return
        question = self._question(self.question_ids[index])
        self._open(index, question, "main", question.text, ())

    def _open_follow_up(self, index: int, follow_up: FollowUp) -> None:
        question = self._question(self.question_ids[index])
        self._open(index, question, "follow_up", follow_up.text, follow_up.probes)

    def _open(
        self, index: int, question: Question, kind: str, prompt: str, probes: tuple[str, ...]
    ) -> None:
        turn_id = self.store.start_turn(
            self.session_id,
            question_id=question.id,
            kind=kind,
            prompt=prompt,
            seq=self._next_seq(),
            probes=probes,
            budget_seconds=self._budget(question),
            owner=self.owner,
        )
        row = self.store.turn(turn_id)
        assert row is not None
        self.current = self._turn_from_row(row)

    def _turn_from_row(self, row: TurnRow, draft: str = "") -> Turn:
        question = self._question(row.question_id)
        earlier = [
            t
            for t in self.store.turns(self.session_id)
            if t.question_id == row.question_id and t.id != row.id and t.submitted_at
        ]
        started = parse_iso(row.started_at) or datetime.now(UTC)
        return Turn(
            id=row.id,
            question=question,
            kind=row.kind,
            prompt=row.prompt,
            probes=tuple(row.probes),
            index=self.question_ids.index(row.question_id),
            total=len(self.question_ids),
            started_at=started,
            budget_seconds=row.budget_seconds,
            used_before_seconds=sum(seconds_between(t.started_at, t.submitted_at) for t in earlier),
            draft=draft,
        )


# InterviewOptions is defined with the other session decisions (session_plan.py) and is
# importable from here too, beside the engine that runs with it.
__all__ = ["Interview", "InterviewOptions", "Turn", "TurnOutcome", "now_iso"]
