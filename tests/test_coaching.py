"""Coaching: for every point missed or partly made, why it matters, the candidate's nearest
sentence and what a strong answer says; "said in other words" for the semantic layer; the
reference answer for a pack that has only one."""

from __future__ import annotations

from mockint.coaching import coach, nearest_sentence, quote
from mockint.grading.base import NOTHING_MATCHES, Grade, PointVerdict, combine, finalize, remarks
from mockint.grading.keyword import KeywordGrader
from mockint.packs import Pack, parse_pack
from mockint.rows import TurnRow
from mockint.tui.widgets.grade_view import (
    EVIDENCE_STYLES,
    evidence_for_turn,
    grade_report,
    report_text,
)

LOCALITY = (
    "Locality aware load balancing keeps traffic in the same zone to cut latency and "
    "cross-zone cost. Envoy prefers endpoints in the same zone and fails over to other zones "
    "when outlier detection ejects them. In Istio you set localityLbSetting in a DestinationRule."
)


def main_turn(turn_id: int, answer: str) -> TurnRow:
    return TurnRow(
        id=turn_id,
        session_id=1,
        question_id="q",
        kind="main",
        prompt="q",
        answer=answer,
        started_at="2026-01-01T00:00:00.000Z",
        submitted_at="2026-01-01T00:01:00.000Z",
        seq=0,
        probes=(),
        skipped=False,
        budget_seconds=None,
        needs_regrade=False,
    )


def test_each_gap_gets_why_nearest_sentence_and_a_strong_answer(service_mesh: Pack) -> None:
    question = service_mesh.question("sm-14")
    assert question is not None
    grade = KeywordGrader(service_mesh).grade(question, LOCALITY)
    coaching = coach(question, grade, [LOCALITY])
    gaps = {p.point_id for p in grade.points if p.verdict != "covered"}
    assert {item.point_id for item in coaching.points} == gaps and gaps
    total = sum(p.weight for p in grade.points)
    by_id = {item.point_id: item for item in coaching.points}
    # the weightiest missed point first
    assert coaching.points[0].share == max(item.share for item in coaching.points)
    failover = by_id["priority-failover"]
    assert (
        failover.share
        == next(p.weight for p in grade.points if p.point_id == "priority-failover") / total
    )
    assert failover.why.startswith(f"{failover.share:.0%} of this question's score")
    # the candidate's own sentence about failing over, quoted as typed
    assert failover.said.startswith("Envoy prefers endpoints in the same zone and fails over")
    # what a strong answer says: the model-answer line about the failover order
    assert failover.strong.startswith("Failover order:")
    assert failover.strong in question.model_answer
    savings = by_id["cost-numbers"]
    assert savings.strong in question.model_answer
    # a sentence is quoted under one gap only: the next gaps do not all repeat it
    saids = [item.said for item in coaching.points if item.said]
    assert len(saids) == len(set(saids))


def test_the_graders_closest_sentence_comes_first(service_mesh: Pack) -> None:
    question = service_mesh.question("sm-14")
    assert question is not None
    point = question.rubric[0]
    verdict = PointVerdict(
        point.id, "missed", point.weight, closest="  A  sentence the grader chose. "
    )
    assert nearest_sentence(verdict, point, []) == "A sentence the grader chose."
    # nothing on topic: no sentence is dressed up as close
    off_topic = [("I like turtles.", frozenset({"like", "turtl"}))]
    assert nearest_sentence(PointVerdict(point.id, "missed", 1.0), point, off_topic) == ""
    assert quote("x " * 200).endswith("…") and len(quote("x " * 200)) <= 220


def test_a_partial_point_quotes_the_sentence_with_its_evidence(service_mesh: Pack) -> None:
    question = service_mesh.question("sm-04")
    assert question is not None
    answer = "We use Istio. Certificates are rotated by istiod every day. Nothing else."
    point = question.rubric[0]
    grade = finalize(
        Grade(
            question.id,
            "keyword",
            [
                PointVerdict(p.id, "partial" if p is point else "covered", p.weight)
                for p in question.rubric
            ],
        )
    )
    grade.points[0].evidence = ["rotated by istiod"]
    item = coach(question, grade, [answer]).points[0]
    assert (
        item.verdict == "partial" and item.said == "Certificates are rotated by istiod every day."
    )


def test_said_in_other_words_is_not_shown_as_a_keyword_hit(service_mesh: Pack) -> None:
    question = service_mesh.question("sm-14")
    assert question is not None
    sentence = "Calls stay near the caller unless that area is unhealthy."
    points = [
        PointVerdict(p.id, "missed", p.weight, description=p.description) for p in question.rubric
    ]
    points[0] = PointVerdict(
        question.rubric[0].id,
        "covered",
        question.rubric[0].weight,
        evidence=[sentence],
        description=question.rubric[0].description,
        source="semantic",
        similarity=0.71,
        turn_id=7,
    )
    grade = finalize(Grade(question.id, "keyword", points))
    turns = [main_turn(7, sentence)]
    text = report_text(grade_report(question, grade, turns))
    line = next(row for row in text.splitlines() if question.rubric[0].description in row)
    assert line.lstrip().startswith("≈") and "✓" not in line
    assert f"said in other words: “{sentence}”" in line
    styles = {style for _, style in evidence_for_turn(grade, 7)}
    assert styles == {EVIDENCE_STYLES["semantic"]}
    assert EVIDENCE_STYLES["semantic"] != EVIDENCE_STYLES["covered"]


REFERENCE_PACK = """
[pack]
id = "ref"
title = "Reference only"

[[questions]]
id = "1.1"
text = "What is the role of a prototype program in problem solving?"
reference_answer = "To simulate the behaviour of portions of the desired software product."
"""


def test_a_reference_only_question_shows_its_reference_answer() -> None:
    pack = parse_pack(REFERENCE_PACK, "ref.toml")
    question = pack.questions[0]
    answer = "It lets you try ideas early."
    grade = KeywordGrader(pack).grade(question, answer)
    coaching = coach(question, grade, [answer])
    assert coaching.reference_answer == question.reference_answer
    assert coaching.points == []  # fragments of the reference are not coached one by one
    turns = [main_turn(1, answer)]
    text = report_text(grade_report(question, grade, turns))
    assert "Reference answer:" in text and question.reference_answer in text


def test_the_coach_panel_reads_as_coaching(service_mesh: Pack) -> None:
    question = service_mesh.question("sm-14")
    assert question is not None
    grade = KeywordGrader(service_mesh).grade(question, LOCALITY)
    turns = [main_turn(1, LOCALITY)]
    text = report_text(grade_report(question, grade, turns))
    for needle in (
        "Why it matters:",
        "Closest you came:",
        "A strong answer:",
        "Model answer outline:",
    ):
        assert needle in text
    assert "What the interviewer is after:" in text and question.intent in text


KEYWORD_LIST = (
    "iptables, ebpf, ztunnel, ambient mode, sidecar container, same pod, 1-3 ms, 10-15%, "
    "graceful shutdown, polyglot"
)
NEGATED = "The sidecar does not run in the same pod. There is no iptables involved."


def test_a_point_whose_words_did_not_count_says_why(service_mesh: Pack) -> None:
    """An answer that has a point's words in a bare list, or negated, did get to the point: the
    coach says why it was not credited instead of "your answer did not get to it"."""
    question = service_mesh.question("sm-02")
    assert question is not None
    for answer, expected in (
        (KEYWORD_LIST, {"interception": "only in a bare list of keywords"}),
        (NEGATED, {"mechanism": "negated: 'same pod'", "interception": "negated: 'iptables'"}),
    ):
        grade = KeywordGrader(service_mesh).grade(question, answer)
        by_id = {item.point_id: item for item in coach(question, grade, [answer]).points}
        for point_id, reason in expected.items():
            assert by_id[point_id].not_credited == reason
        text = report_text(grade_report(question, grade, [main_turn(1, answer)]))
        for reason in expected.values():
            assert f"Not credited: {reason}" in text
    # a point the answer never touched still says so
    assert by_id["lifecycle"].not_credited == ""
    assert "Your answer did not get to it." in text
    # the list names every point: none of them reads as if the answer never got to it
    grade = KeywordGrader(service_mesh).grade(question, KEYWORD_LIST)
    text = report_text(grade_report(question, grade, [main_turn(1, KEYWORD_LIST)]))
    assert "did not get to it" not in text


def test_a_follow_up_with_nothing_relevant_does_not_deny_the_main_answers_points(
    service_mesh: Pack,
) -> None:
    """The question's grade combines its answers: a follow-up answer off the point must not
    make the coach panel say that nothing matches above the points the main answer earned."""
    question = service_mesh.question("sm-02")
    assert question is not None
    grader = KeywordGrader(service_mesh)
    main = (
        "A proxy container runs in the same pod as the app and intercepts all inbound and "
        "outbound traffic. iptables rules set by an init container redirect the traffic."
    )
    off = "I would rather talk about my holiday in the mountains."
    grade = combine(
        "sm-02",
        [(1, grader.grade(question, main), None), (2, grader.grade(question, off), ("lifecycle",))],
    )
    assert NOTHING_MATCHES not in grade.feedback and grade.score > 0
    text = report_text(grade_report(question, grade, [main_turn(1, main), main_turn(2, off)]))
    assert "Nothing in this answer matches" not in text
    assert "✓" in text
    # an answer that earned nothing still hears it
    alone = grader.grade(question, off)
    assert NOTHING_MATCHES in report_text(grade_report(question, alone, [main_turn(1, off)]))


def test_what_was_noticed_in_an_earlier_answer_is_labelled_so(service_mesh: Pack) -> None:
    """After a follow-up answer, a remark the grader made about the main answer (here: a bare
    keyword list) must not read as a verdict on the follow-up answer just given."""
    question = service_mesh.question("sm-02")
    assert question is not None
    grader = KeywordGrader(service_mesh)
    listed = "iptables, ebpf, sidecar container, same pod, polyglot, ambient mode"
    prose = (
        "On shutdown the proxy has to drain connections, so we use graceful shutdown and make "
        "sure the proxy starts first."
    )
    main, follow_up = grader.grade(question, listed), grader.grade(question, prose)
    assert remarks(main) and not remarks(follow_up)
    grade = combine("sm-02", [(1, main, None), (2, follow_up, ("lifecycle",))])
    turns = [main_turn(1, listed), main_turn(2, prose)]
    after = report_text(grade_report(question, grade, turns, follow_up))
    assert f"Grader, on an earlier answer: {remarks(main)}" in after
    assert "\nGrader: " not in after
    # right after the main answer it is that answer's own remark
    first = report_text(grade_report(question, main, turns[:1], main))
    assert f"\nGrader: {remarks(main)}" in first and "earlier answer" not in first
