"""The session engine without a screen: drawing questions, saving before grading, follow-ups,
skipping, resuming after a crash, pausing the clock (the scorecard: test_scorecard.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fake_grader import StreamingGrader, TermGrader
from fixture_packs import pack_text

from mockint.errors import UserError
from mockint.grading.base import Grade, PointVerdict
from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack, Question, parse_pack
from mockint.scorecard import build_scorecard
from mockint.session_plan import (
    choose_questions,
    options_from_session,
    pick_follow_up,
    pick_questions,
    practice_options,
    session_pack,
    session_position,
)
from mockint.store import Store


def start(store: Store, pack: Pack, grader: TermGrader | None = None, **options) -> Interview:
    opts = InterviewOptions(**{"questions": 3, "seed": 1, **options})
    return Interview.start(store, pack, grader or TermGrader(), opts)


def answer(interview: Interview, text: str):
    turn_id = interview.submit(text)
    outcome = interview.grade(turn_id)
    interview.advance(outcome)
    return outcome


def test_questions_drawn_without_repeats_and_seed_reproducible(pack: Pack) -> None:
    first = choose_questions(pack, 3, seed=42)
    assert sorted(first) == ["q1", "q2", "q3"]
    assert choose_questions(pack, 3, seed=42) == first
    assert len(choose_questions(pack, 99, seed=None)) == 3
    assert len(choose_questions(pack, 2, seed=None)) == 2


def test_answer_is_stored_before_grading(store: Store, pack: Pack) -> None:
    seen: list[str | None] = []

    class Checking(TermGrader):
        def grade(self, question: Question, answer: str) -> Grade:
            turn = store.turns(interview.session_id)[-1]
            seen.append(turn.answer)
            return super().grade(question, answer)

    interview = start(store, pack, Checking(), question_ids=("q1",))
    interview.save_draft("half")
    assert store.draft(interview.session_id).text == "half"
    turn_id = interview.submit("we spread requests")
    assert store.turn(turn_id).submitted_at is not None
    assert store.draft(interview.session_id) is None
    interview.grade(turn_id)
    assert seen == ["we spread requests"]


def test_follow_up_probes_the_heaviest_gap_and_can_earn_it(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1",), max_follow_ups=2)
    outcome = answer(interview, "It distributes requests.")
    assert outcome.next_follow_up is not None
    follow_up = interview.current
    assert follow_up is not None and follow_up.is_follow_up
    assert follow_up.probes == ("health",)  # health (weight 1, core) before the senior point
    assert follow_up.budget_seconds == 120  # the pack's budget, shared with the main answer

    outcome = answer(interview, "It runs a health check on every backend.")
    points = {p.point_id: p for p in outcome.question_grade.points}
    assert points["health"].verdict == "covered"
    assert points["health"].turn_id == follow_up.id
    assert points["spread"].turn_id != follow_up.id  # earned by the main answer
    # second follow-up: the remaining (senior) gap; then the question is over
    assert interview.current is not None and interview.current.probes == ("l4l7",)
    answer(interview, "no idea")
    assert interview.done


def test_a_follow_up_answer_is_graded_as_one(store: Store, pack: Pack) -> None:
    """A grader with its own way of reading follow-up answers (the offline grader) gets them
    that way; main answers go through `grade` as before."""

    class Recording(TermGrader):
        def __init__(self) -> None:
            super().__init__()
            self.asked: list[str] = []

        def grade(self, question: Question, answer: str) -> Grade:
            self.asked.append(f"main: {answer}")
            return super().grade(question, answer)

        def grade_follow_up(self, question: Question, answer: str) -> Grade:
            self.asked.append(f"follow-up: {answer}")
            return super().grade(question, answer)

    grader = Recording()
    interview = start(store, pack, grader, question_ids=("q1",), max_follow_ups=1)
    answer(interview, "It distributes requests.")
    answer(interview, "It runs a health check on every backend.")
    assert grader.asked == [
        "main: It distributes requests.",
        "follow-up: It runs a health check on every backend.",
    ]


def test_follow_ups_are_capped(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1", "q2"), max_follow_ups=1)
    answer(interview, "nothing useful")
    assert interview.current is not None and interview.current.is_follow_up
    answer(interview, "still nothing")
    assert interview.current is not None and interview.current.question.id == "q2"

    none = start(store, pack, question_ids=("q1",), max_follow_ups=0)
    outcome = answer(none, "nothing useful")
    assert outcome.next_follow_up is None and none.done


def test_follow_up_order_is_focus_then_missed_before_partial_then_weight(pack: Pack) -> None:
    question = pack.question("q1")
    assert question is not None

    def grade(**verdicts: str) -> Grade:
        return Grade("q1", "test", [PointVerdict(pid, v) for pid, v in verdicts.items()])

    half_spread = grade(spread="partial", health="missed", l4l7="covered")
    # health (weight 1) was missed outright, spread (weight 3) half said: the miss comes first
    assert pick_follow_up(question, half_spread, []).probes == ("health",)
    # among misses of the same kind, the heavier point
    assert pick_follow_up(question, grade(spread="missed", health="missed"), []).probes == (
        "spread",
    )
    # a practice focus outranks both
    assert pick_follow_up(question, half_spread, [], focus=["spread"]).probes == ("spread",)
    # gaps whose follow-ups were all asked: no follow-up at all, not one on the senior point
    assert pick_follow_up(question, half_spread, [("health",), ("spread",)]) is None


def test_nothing_missed_asks_for_senior_depth_or_nothing(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1", "q2"))
    outcome = answer(interview, "It will spread load, run a health check; layer 7 routes by path.")
    assert all(p.verdict == "covered" for p in outcome.question_grade.points)
    # all covered: the follow-up asks for depth on the senior point, once
    assert interview.current is not None and interview.current.probes == ("l4l7",)
    answer(interview, "L7 when routing needs headers.")
    assert interview.current is not None and interview.current.question.id == "q2"
    answer(interview, "It keeps copies near the reader.")  # q2 has no senior point
    assert interview.done


def test_skip_records_and_scores_zero(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q2", "q1"))
    interview.skip()
    assert interview.current is not None and interview.current.question.id == "q1"
    answer(interview, "spread, health check, layer 7")
    card = interview.finish()
    skipped = card.results[0]
    assert skipped.skipped and skipped.grade is None
    assert card.score == round((0 + card.results[1].grade.score) / 2, 1)
    assert store.session(interview.session_id).status == "completed"
    assert store.session(interview.session_id).score == card.score


def test_resume_restores_draft_and_does_not_count_time_away(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1", "q2"), max_follow_ups=0)
    answer(interview, "spread, health check, layer 7")
    turn = interview.current
    assert turn is not None and turn.question.id == "q2"
    # an hour ago the turn started; the draft was saved after 40 s; then the process died
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    store.set_turn_started(turn.id, long_ago.isoformat().replace("+00:00", "Z"))
    interview.save_draft("copies close to")
    saved = (long_ago + timedelta(seconds=40)).isoformat().replace("+00:00", "Z")
    store.db.execute("UPDATE drafts SET saved_at = ?", [saved])
    store.db.conn.commit()

    resumed = Interview.resume(store, pack, interview.session_id, TermGrader())
    assert resumed.current is not None
    assert resumed.current.id == turn.id and resumed.current.draft == "copies close to"
    worked = (datetime.now(UTC) - resumed.current.started_at).total_seconds()
    assert 39 <= worked <= 45
    assert session_position(store, interview.session_id) == (2, 2)


def test_resume_without_draft_restarts_the_clock(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1",))
    long_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    store.set_turn_started(interview.current.id, long_ago)
    resumed = Interview.resume(store, pack, interview.session_id, TermGrader())
    assert resumed.current.draft == ""
    assert (datetime.now(UTC) - resumed.current.started_at).total_seconds() < 5


def test_crash_between_submit_and_grade_is_graded_on_resume(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1", "q2"), max_follow_ups=0)
    turn_id = interview.submit("spread it")  # then kill -9 before grading
    assert store.grades(turn_id) == []
    resumed = Interview.resume(store, pack, interview.session_id, TermGrader())
    assert store.grades(turn_id) != []
    assert resumed.current is not None and resumed.current.question.id == "q2"


def test_resume_of_a_finished_session_is_done(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q2",), max_follow_ups=0)
    answer(interview, "copies")
    resumed = Interview.resume(store, pack, interview.session_id, TermGrader())
    assert resumed.done


def test_streaming_grader_gets_deltas_and_notes_mark_regrade(store: Store, pack: Pack) -> None:
    grader = StreamingGrader(note="LLM timed out; graded by the keyword grader")
    interview = start(store, pack, grader, question_ids=("q2",))
    turn_id = interview.submit("copies")
    chunks: list[str] = []
    outcome = interview.grade(turn_id, on_delta=chunks.append)
    assert "".join(chunks).startswith('{"points"')
    assert outcome.grade.note
    assert store.turn(turn_id).needs_regrade


def test_practice_options_pick_the_lowest_with_their_gaps(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1", "q2", "q3"), max_follow_ups=0)
    answer(interview, "spread load evenly")
    answer(interview, "copies")
    answer(interview, "nothing")
    card = interview.finish()
    assert [r.grade.score for r in card.results] == [6.0, 10.0, 0.0]
    session = store.session(interview.session_id)
    base = options_from_session(session)
    assert base.max_follow_ups == 0 and base.questions == 3
    options = practice_options(card, base, limit=3)
    # q2 scored 10 (strong hire): practising the lowest leaves it out even with room for it
    assert options is not None and options.question_ids == ("q3", "q1")
    assert options.focus["q1"] == ["health", "l4l7"]
    again = Interview.start(store, pack, TermGrader(), options)
    assert again.current is not None and again.current.question.id == "q3"


def test_nothing_to_practise_when_every_question_reached_hire(store: Store, pack: Pack) -> None:
    interview = start(store, pack, question_ids=("q1", "q2"), max_follow_ups=0)
    answer(interview, "spread load with a health check")  # 8.0
    answer(interview, "copies")  # 10.0
    card = interview.finish()
    base = options_from_session(store.session(interview.session_id))
    assert practice_options(card, base) is None


def test_session_pack_prefers_the_recorded_file(store: Store, tmp_path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(pack_text("engine"))
    pack = parse_pack(pack_text("engine"), str(path))
    interview = Interview.start(
        store, pack, TermGrader(), InterviewOptions(questions=1), pack_path=str(path)
    )
    assert session_pack(store.session(interview.session_id)).id == "tiny"


def test_paused_time_is_not_counted(store: Store, pack: Pack) -> None:
    """Paused ten minutes after 30 s of work: the clock, the stored turn and the scorecard all
    say 30 s, not ten and a half minutes."""
    interview = start(store, pack, question_ids=("q2",), max_follow_ups=0)
    turn = interview.current
    began = turn.started_at
    interview.pause_clock(at=began + timedelta(seconds=30))
    assert interview.paused
    # the clock stands still however long the pause lasts
    assert interview.elapsed(at=began + timedelta(minutes=5)) == pytest.approx(30)
    interview.resume_clock(at=began + timedelta(minutes=10, seconds=30))
    assert not interview.paused
    assert interview.elapsed(at=began + timedelta(minutes=10, seconds=40)) == pytest.approx(40)
    stored = store.turn(turn.id)
    assert stored is not None
    moved = datetime.fromisoformat(stored.started_at.replace("Z", "+00:00"))
    assert (moved - began).total_seconds() == pytest.approx(600)
    submitted = began + timedelta(minutes=10, seconds=45)
    interview.submit("copies")
    store.db["turns"].update(turn.id, {"submitted_at": submitted.isoformat()})
    card = build_scorecard(store, pack, interview.session_id)
    assert card.results[0].seconds_used == pytest.approx(45, abs=0.01)


def test_a_draft_saved_while_paused_keeps_the_time_of_the_last_work(
    store: Store, pack: Pack
) -> None:
    interview = start(store, pack, question_ids=("q2",), max_follow_ups=0)
    interview.save_draft("copies near")
    saved = store.draft(interview.session_id)
    interview.pause_clock()
    interview.save_draft("copies near")  # autosave while the pause menu is open
    assert store.draft(interview.session_id).saved_at == saved.saved_at
    interview.save_draft("copies near the reader")  # a changed text is always kept
    assert store.draft(interview.session_id).text == "copies near the reader"


def test_questions_by_id_or_by_tag(service_mesh: Pack) -> None:
    assert pick_questions(service_mesh, question_ids=("sm-04", "sm-01")) == ["sm-04", "sm-01"]
    security = pick_questions(service_mesh, tag="Security", seed=1)
    tagged = {q.id for q in service_mesh.questions if "security" in q.tags}
    assert set(security) == tagged and len(tagged) >= 2
    assert len(pick_questions(service_mesh, tag="security", count=1, seed=1)) == 1
    assert pick_questions(service_mesh, tag="security", seed=5) == pick_questions(
        service_mesh, tag="security", seed=5
    )
    with pytest.raises(UserError, match="no question sm-99"):
        pick_questions(service_mesh, question_ids=("sm-99",))
    with pytest.raises(UserError, match=r"its tags: .*mtls"):
        pick_questions(service_mesh, tag="kafka")
