"""The scorecard of a session: time against the budget, the grade that counts beside its
keyword cross-check, and what the engine's clock says after a pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fake_grader import StreamingGrader
from test_interview import answer, start

from mockint.grading.base import Grade, PointVerdict, finalize
from mockint.packs import Pack, Question
from mockint.scorecard import build_scorecard
from mockint.store import Store


def test_scorecard_reports_time_against_budget(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q2",), max_follow_ups=0)
    turn = interview.current
    started = (datetime.now(UTC) - timedelta(minutes=3)).isoformat().replace("+00:00", "Z")
    store.set_turn_started(turn.id, started)
    answer(interview, "copies")
    card = build_scorecard(store, pack, interview.session_id)
    result = card.results[0]
    assert result.budget_seconds == 120 and 175 <= result.seconds_used <= 190
    untimed = start(store, pack, question_ids=("q2",), timed=False)
    assert untimed.current.budget_seconds is None


class FooledLLM(StreamingGrader):
    """An LLM grade that a prompt injection talked up, with its keyword cross-check beside it."""

    def grade(self, question: Question, answer: str) -> Grade:
        grade = super().grade(question, answer)
        grade.grader = "llm"
        grade.cross_check = finalize(
            Grade(
                question_id=question.id,
                grader="keyword",
                points=[PointVerdict(p.point_id, "missed", p.weight) for p in grade.points],
            )
        )
        return grade


def test_scorecard_flags_llm_and_keyword_disagreement(store: Store, pack: Pack) -> None:
    from mockint.tui.widgets.grade_view import report_text, result_heading, result_report

    interview = start(store, pack, FooledLLM(), questions=1, max_follow_ups=0)
    question = interview.current.question
    everything = " ".join(p.terms[0] for p in question.rubric)
    answer(interview, everything)
    result = interview.finish().results[0]
    # both grades are stored, the LLM's counts, the keyword cross-check sits beside it
    graders = [g.grader for g in store.grades(result.turns[0].id)]
    assert graders == ["llm", "keyword"]
    assert result.grade.score == 10.0 and result.cross_check_score == 0.0
    assert result.disagreement == 10.0
    assert "graders disagree" in str(result_heading(1, result))
    assert "Graders disagree" in report_text(result_report(result))
