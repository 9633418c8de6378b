"""What the fault suite shares: sessions written through the real engine. (The command line
runners are in tests/cli_runner.py, the tmux terminal in tests/tmux_terminal.py.)"""

from __future__ import annotations

from mockint.grading.base import Grade, PointVerdict, RedFlagHit, finalize
from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack, Question
from mockint.store import Store


class SimpleGrader:
    """Covered when a term appears in the answer; a fixed note (for hostile-note tests)."""

    name = "keyword"

    def __init__(self, note: str = "") -> None:
        self.note = note

    def grade(self, question: Question, answer: str) -> Grade:
        text = answer.lower()
        points = [
            PointVerdict(
                p.id,
                "covered" if any(t.lower() in text for t in p.terms) else "missed",
                p.weight,
                evidence=[t for t in p.terms if t.lower() in text][:1],
                description=p.description,
            )
            for p in question.rubric
        ]
        flags = [
            RedFlagHit(f.id, f.penalty, [t for t in f.terms if t in text][:1], f.description)
            for f in question.red_flags
            if any(t in text for t in f.terms)
        ]
        grade = Grade(question_id=question.id, grader=self.name, points=points, red_flags=flags)
        grade.note = self.note
        return finalize(grade)


def finished_session(store: Store, pack: Pack, answer: str, note: str = "") -> int:
    """One completed session of the pack's first question, answered with `answer`."""
    first = pack.questions[0].id
    options = InterviewOptions(questions=1, question_ids=(first,), max_follow_ups=0)
    interview = Interview.start(store, pack, SimpleGrader(note), options)
    turn_id = interview.submit(answer)
    interview.advance(interview.grade(turn_id))
    interview.finish()
    return interview.session_id
