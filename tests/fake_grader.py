"""A small deterministic grader for tests that must not depend on the real keyword grader.

A rubric point is covered when one of its terms appears in the answer (case-insensitive), a red
flag is hit the same way; a question with only a reference answer has one point, covered when
the answer shares three words with it. The score comes from `finalize`, like every grader's.
"""

from __future__ import annotations

from collections.abc import Callable

from mockint.grading.base import Grade, PointVerdict, RedFlagHit, finalize
from mockint.packs import Pack, Question


class TermGrader:
    name = "keyword"

    def __init__(self, note: str = "") -> None:
        self.note = note
        self.calls: list[tuple[str, str]] = []

    def grade(self, question: Question, answer: str) -> Grade:
        self.calls.append((question.id, answer))
        text = answer.lower()
        points: list[PointVerdict] = []
        for point in question.rubric:
            hits = [term for term in point.terms if term.lower() in text]
            points.append(
                PointVerdict(
                    point.id,
                    "covered" if hits else "missed",
                    point.weight,
                    evidence=hits[:2],
                    description=point.description,
                    level=point.level,
                )
            )
        if not question.rubric:
            shared = set(text.split()) & set((question.reference_answer or "").lower().split())
            points.append(PointVerdict("reference", "covered" if len(shared) >= 3 else "missed"))
        flags = [
            RedFlagHit(
                flag.id,
                flag.penalty,
                [t for t in flag.terms if t.lower() in text][:1],
                flag.description,
            )
            for flag in question.red_flags
            if any(t.lower() in text for t in flag.terms)
        ]
        grade = Grade(question_id=question.id, grader=self.name, points=points, red_flags=flags)
        grade.note = self.note
        return finalize(grade)


class StreamingGrader(TermGrader):
    """Looks like the LLM grader: grades while 'streaming' a few chunks to `on_delta`."""

    name = "llm"
    model = "tiny-test-model"
    endpoint = "http://127.0.0.1:9/v1"

    def grade_streaming(
        self, question: Question, answer: str, on_delta: Callable[[str], None]
    ) -> Grade:
        for chunk in ('{"points": ', "[...]", "}"):
            on_delta(chunk)
        grade = self.grade(question, answer)
        grade.grader = self.name
        return grade


def factory(grader: TermGrader | None = None) -> Callable[[str, Pack], TermGrader]:
    """A grader factory for make_app: always the same grader object, whatever name is asked."""
    chosen = grader or TermGrader()
    return lambda name, pack: chosen
