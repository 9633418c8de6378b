"""Disputes: "I covered this" stored beside a grade, never over it; shown; read by eval."""

from __future__ import annotations

import json
from pathlib import Path

from fake_grader import TermGrader
from test_session_cli import assert_one_line_error, mockint

from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack
from mockint.review.disputes import disputable_points
from mockint.store import Store

PARAPHRASE = (
    "If istiod dies, the proxies keep working with the last configuration they got, so "
    "traffic between existing services carries on."
)


def one_question(store: Store, pack: Pack, answer: str) -> int:
    options = InterviewOptions(questions=1, question_ids=["sm-08"], max_follow_ups=0)
    interview = Interview.start(store, pack, TermGrader(), options)
    interview.advance(interview.grade(interview.submit(answer)))
    interview.finish()
    return interview.session_id


def test_a_dispute_sits_beside_the_grade(store: Store, service_mesh: Pack, db_path: Path) -> None:
    session = one_question(store, service_mesh, PARAPHRASE)
    turn = store.turns(session)[0]
    before = store.grades(turn.id)
    point = before[0].points[0].point_id

    done = mockint(
        "dispute", str(session), "sm-08", point, "--covered", "--note", "said it", db=db_path
    )
    assert done.returncode == 0, done.stderr
    assert "The grade itself is unchanged" in done.stdout
    assert store.grades(turn.id) == before  # never written into the grade

    shown = json.loads(mockint("show", str(session), "--json", db=db_path).stdout)
    disputes = shown["turns"][0]["grades"][0]["disputes"]
    assert disputes == [{"point": point, "claim": "covered", "note": "said it"}]
    text = mockint("show", str(session), db=db_path).stdout
    assert f"you dispute {point}: covered" in text

    # changing one's mind replaces the dispute; withdrawing removes it
    mockint("dispute", str(session), "sm-08", point, "--not-covered", db=db_path)
    assert [d.claim for d in store.all_disputes()] == ["missed"]
    mockint("dispute", str(session), "sm-08", point, "--withdraw", db=db_path)
    assert store.all_disputes() == []


def test_eval_measures_a_grader_against_your_disputes(
    store: Store, service_mesh: Pack, db_path: Path
) -> None:
    session = one_question(store, service_mesh, PARAPHRASE)
    mockint("dispute", str(session), "sm-08", "cp-down-static", "--covered", db=db_path)
    mockint("dispute", str(session), "sm-08", "proxy-crash", "--not-covered", db=db_path)
    reports = {}
    for grader in ("keyword", "offline"):
        args = ["eval", "--pack", "service-mesh", "--disputes", "--grader", grader, "--json"]
        done = mockint(*args, db=db_path)
        assert done.returncode == 0, done.stderr
        reports[grader] = json.loads(done.stdout)
    # the keyword grader misses the paraphrase the candidate says they covered
    assert reports["keyword"]["disputes"] == 2 and reports["keyword"]["agrees"] == 1
    assert reports["offline"]["agrees"] == 2


def test_bad_disputes_are_one_line_errors(store: Store, service_mesh: Pack, db_path: Path) -> None:
    session = one_question(store, service_mesh, PARAPHRASE)
    cases = [
        (("dispute", "99", "sm-08", "x", "--covered"), "no session 99"),
        (("dispute", str(session), "sm-99", "x", "--covered"), "no question"),
        (("dispute", str(session), "sm-08", "nope", "--covered"), "no rubric point"),
        (("dispute", str(session), "sm-08", "cp-down-static"), "--covered or --not-covered"),
        (("eval", "--pack", "service-mesh"), "--labels FILE or --disputes"),
    ]
    for args, needle in cases:
        assert_one_line_error(mockint(*args, db=db_path), needle)


def test_contradicting_claims_are_refused_and_nothing_is_stored(
    store: Store, service_mesh: Pack, db_path: Path
) -> None:
    session = one_question(store, service_mesh, PARAPHRASE)
    for flags in (("--covered", "--not-covered"), ("--not-covered", "--covered")):
        args = ("dispute", str(session), "sm-08", "cp-down-static", *flags)
        assert_one_line_error(mockint(*args, db=db_path), "mockint:", "--covered", "--not-covered")
    assert store.all_disputes() == []


def test_disputes_travel_with_exports(store: Store, service_mesh: Pack, tmp_path: Path) -> None:
    from mockint.review import export, markdown
    from mockint.review.importer import import_document, read_document
    from mockint.review.transcript import load_transcript

    session = one_question(store, service_mesh, PARAPHRASE)
    grade_id = store.grades(store.turns(session)[0].id)[0].id
    store.dispute(grade_id, "cp-down-static", "covered", "in other words")

    text = markdown.render(load_transcript(store, session))
    assert "**Disputed:** you say cp-down-static was covered" in text

    path = tmp_path / "out.json"
    path.write_text(export.to_json(export.export_document(store, [session])), encoding="utf-8")
    other = Store(tmp_path / "other.db")
    import_document(other, read_document(path))
    moved = other.all_disputes()
    assert [(d.point_id, d.claim, d.note) for d in moved] == [
        ("cp-down-static", "covered", "in other words")
    ]


def test_a_dispute_without_its_point_names_the_points_to_choose_from(
    store: Store, service_mesh: Pack, db_path: Path
) -> None:
    """`show` does not list a main answer's rubric points, so the error must."""
    session = one_question(store, service_mesh, PARAPHRASE)
    question = service_mesh.question("sm-08")
    assert question is not None
    done = mockint("dispute", str(session), "sm-08", db=db_path)
    assert_one_line_error(done, "give the rubric point", *(p.id for p in question.rubric))


def test_show_names_the_red_flags_that_cost_points(
    store: Store, service_mesh: Pack, db_path: Path
) -> None:
    """A red flag's penalty changes the score: `show` says which one and how much."""
    question = service_mesh.question("sm-08")
    assert question is not None and question.red_flags
    flag = question.red_flags[0]
    session = one_question(store, service_mesh, f"{PARAPHRASE} Also, {flag.terms[0]}.")
    text = mockint("show", str(session), db=db_path).stdout
    assert f"red flag: {flag.description} (-{flag.penalty:g})" in text


def earned_in_a_follow_up(store: Store, pack: Pack) -> tuple[int, str]:
    """A session whose sm-08 point was missed by the main answer and earned by a follow-up."""
    options = InterviewOptions(questions=1, question_ids=["sm-08"], max_follow_ups=1)
    interview = Interview.start(store, pack, TermGrader(), options)
    turn = interview.advance(interview.grade(interview.submit("The control plane can fail.")))
    assert turn is not None and turn.is_follow_up and turn.probes
    question = pack.question("sm-08")
    assert question is not None
    earned = question.point(turn.probes[0])
    assert earned is not None
    interview.advance(interview.grade(interview.submit(f"It {earned.terms[0]}.")))
    interview.finish()
    return interview.session_id, earned.id


def test_eval_grades_the_follow_ups_a_disputed_verdict_rests_on(
    store: Store, service_mesh: Pack, db_path: Path
) -> None:
    """The verdict disputed is the question's: eval grades the follow-up that earned the point
    too, not the main answer alone (which would "agree" that it was not covered)."""
    session, point = earned_in_a_follow_up(store, service_mesh)
    mockint("dispute", str(session), "sm-08", point, "--not-covered", db=db_path)
    args = ["eval", "--pack", "service-mesh", "--disputes", "--grader", "keyword", "--json"]
    done = mockint(*args, db=db_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["disputes"] == 1
    assert report["points"][0]["grader"] != "missed" and report["agrees"] == 0


def test_a_dispute_names_the_verdict_the_candidate_was_shown(
    store: Store, service_mesh: Pack, db_path: Path
) -> None:
    """A point the main answer missed and a follow-up earned is covered on the scorecard (and in
    the dispute dialog): noting "not covered" must not answer that the grader said missed."""
    session, earned = earned_in_a_follow_up(store, service_mesh)
    shown = {p.point_id: p.verdict for p in disputable_points(store, session)}
    assert shown[earned] == "covered"  # as the scorecard shows it
    done = mockint("dispute", str(session), "sm-08", earned, "--not-covered", db=db_path)
    assert done.returncode == 0, done.stderr
    assert "the keyword grader said covered" in done.stdout


def test_the_list_names_disputes_as_they_are_given(
    store: Store, service_mesh: Pack, db_path: Path
) -> None:
    """`mockint dispute SESSION` lists question/point (what `dispute` takes), not grade ids."""
    session = one_question(store, service_mesh, PARAPHRASE)
    args = ("dispute", str(session), "sm-08", "proxy-crash", "--covered", "--note", "[b]yes[/b]")
    assert mockint(*args, db=db_path).returncode == 0
    listed = mockint("dispute", str(session), db=db_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["sm-08/proxy-crash: you say covered — [b]yes[/b]"]
