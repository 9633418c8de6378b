"""Regrading adds grades beside the old ones, and --pending redoes failed LLM gradings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from review_factory import T0, Answer, VerdictGrader, add_session, mtls_session, review_pack

from mockint.grading.base import Grade
from mockint.packs import Pack, Question
from mockint.review.regrade import PackUnavailable, regrade_pending, regrade_session
from mockint.review.transcript import load_transcript
from mockint.store import SessionRow, Store

PACK = review_pack()


def resolver(session: SessionRow) -> Pack:
    return PACK


def factory_of(grader: VerdictGrader) -> Callable[[str, Pack], VerdictGrader]:
    return lambda name, pack: grader


def test_regrade_keeps_both_grades_and_shows_the_difference(store: Store) -> None:
    session = mtls_session(store, T0)
    before = {t.id: len(store.grades(t.id)) for t in store.turns(session)}
    grader = VerdictGrader("llm")
    report = regrade_session(
        store, session, "llm", factory=factory_of(grader), resolve_pack=resolver
    )
    assert grader.calls == 3  # the skipped question is not regraded
    assert report.stored == 3 and not report.failed
    for turn in store.turns(session):
        if not turn.skipped:
            assert len(store.grades(turn.id)) == before[turn.id] + 1
    transcript = load_transcript(store, session)
    main = transcript.questions[0].turns[0]
    assert [g.row.grader for g in main.grades] == ["keyword", "llm"]
    assert main.grades[1].delta == pytest.approx(main.grades[1].row.score - 7.9, abs=0.05)
    assert main.primary is main.grades[0]  # a keyword session keeps counting its keyword grade
    assert store.session(session).score == 4.7


def test_regrade_reads_follow_up_answers_as_follow_ups(store: Store) -> None:
    """A regrade grades each follow-up answer the way the interview did."""
    session = mtls_session(store, T0)

    class FollowUpAware(VerdictGrader):
        follow_ups = 0

        def grade_follow_up(self, question: Question, answer: str) -> Grade:
            self.follow_ups += 1
            return self.grade(question, answer)

    grader = FollowUpAware("llm")
    regrade_session(store, session, "llm", factory=factory_of(grader), resolve_pack=resolver)
    kinds = [t.kind for t in store.turns(session) if not t.skipped]
    assert grader.follow_ups == kinds.count("follow_up") >= 1
    assert grader.calls == len(kinds)


def test_pending_regrade_clears_the_mark_only_on_success(store: Store) -> None:
    llm_session = add_session(
        store,
        T0,
        {"sm-04": [Answer("q", "identity and rotation", {"identity": "missed"})]},
        grader="llm",
        model="tiny",
    )
    turn = store.turns(llm_session)[0]
    # the LLM had failed: the stored grade is a keyword grade with a note
    store.db["grades"].update(store.grades(turn.id)[0].id, {"grader": "keyword", "note": "timeout"})
    store.mark_needs_regrade(turn.id)
    from mockint.review.results import resummarize

    resummarize(store, llm_session)

    failing = VerdictGrader("llm", fail=True)
    report = regrade_pending(store, "llm", factory=factory_of(failing), resolve_pack=resolver)
    assert report.stored == 0 and report.failed[0].note == "LLM timed out"
    assert len(store.grades(turn.id)) == 1 and store.turn(turn.id).needs_regrade

    keyword = VerdictGrader("keyword")
    regrade_pending(store, "keyword", factory=factory_of(keyword), resolve_pack=resolver)
    assert store.turn(turn.id).needs_regrade  # only an LLM grade clears the mark

    working = VerdictGrader("llm")
    report = regrade_pending(store, "llm", factory=factory_of(working), resolve_pack=resolver)
    assert report.stored == 1
    assert not store.turn(turn.id).needs_regrade
    assert [g.grader for g in store.grades(turn.id)] == ["keyword", "keyword", "llm"]
    # the LLM grade now counts for this LLM session: its score moves to 10
    assert report.session_scores[llm_session][1] == 10.0
    assert store.session(llm_session).score == 10.0
    assert store.turns_needing_regrade() == []


def test_pending_goes_on_when_a_pack_is_gone(store: Store) -> None:
    session = mtls_session(store, T0, pack_id="deleted-pack")
    turn = store.turns(session)[0]
    store.mark_needs_regrade(turn.id)
    from mockint.errors import UserError

    def gone(session: SessionRow) -> Pack:
        raise UserError("no pack with id 'deleted-pack'")

    report = regrade_pending(store, "llm", factory=factory_of(VerdictGrader()), resolve_pack=gone)
    assert report.failed and "deleted-pack" in report.failed[0].note
    with pytest.raises(PackUnavailable):
        regrade_session(
            store, session, "llm", factory=factory_of(VerdictGrader()), resolve_pack=gone
        )


def test_unknown_session(store: Store) -> None:
    with pytest.raises(LookupError):
        regrade_session(
            store, 999, "llm", factory=factory_of(VerdictGrader()), resolve_pack=resolver
        )


def test_a_follow_up_regrade_reports_its_probed_points(store: Store) -> None:
    """A follow-up answer counts for the points it probes only: the regrade says how their
    verdicts moved (its score over the whole rubric would mislead, as `show` explains)."""
    session = mtls_session(store, T0)
    report = regrade_session(
        store, session, "llm", factory=factory_of(VerdictGrader("llm")), resolve_pack=resolver
    )
    follow_up = next(item for item in report.items if item.kind == "follow_up")
    assert follow_up.probes == ("rotation",)
    # stored: covered; the grader here covers a point only when the answer names its id
    assert follow_up.probed_before == {"rotation": "covered"}
    assert follow_up.probed_after == {"rotation": "partial"}
    main = next(item for item in report.items if item.kind == "main")
    assert main.probes == () and main.probed_after == {}
