"""The offline grader against our own labelled service-mesh answers (tests/data/).

These hold the figures docs/benchmarks.md reports with some room, so that a change which
breaks the semantic layer, its thresholds or the "about another question" check fails here
rather than only in a benchmark nobody reran.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from mockint.grading.base import Grade, remarks
from mockint.grading.keyword import KeywordGrader
from mockint.grading.metrics import agreement
from mockint.grading.offline import OfflineGrader
from mockint.packs import Pack, Question, resolve_pack

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def mesh() -> Pack:
    return resolve_pack("service-mesh")[0]


@pytest.fixture(scope="module")
def graders(mesh: Pack) -> tuple[OfflineGrader, KeywordGrader]:
    offline = OfflineGrader(mesh)
    offline.warm_up()
    assert offline.unavailable is None, offline.unavailable
    return offline, KeywordGrader(mesh)


def _rows(name: str) -> list[dict]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def scored(mesh: Pack, graders) -> list[tuple[dict, float, float]]:
    """(row, offline score, keyword score) for both service-mesh labelled sets."""
    offline, keyword = graders
    by_id = {q.id: q for q in mesh.questions}
    out = []
    for row in _rows("service_mesh_labels.jsonl") + _rows("service_mesh_labels_extra.jsonl"):
        question = by_id[row["question_id"]]
        out.append(
            (
                row,
                offline.grade(question, row["answer"]).score,
                keyword.grade(question, row["answer"]).score,
            )
        )
    return out


def test_offline_agrees_with_our_labels(scored) -> None:
    result = agreement(
        [score for _, score, _ in scored], [row["human_score"] for row, _, _ in scored]
    )
    assert result.pearson is not None and result.pearson >= 0.85


def test_answers_said_in_other_words_gain_over_the_keyword_grader(scored) -> None:
    kinds = ("paraphrased", "natural-paraphrase")
    gains = [off - kw for row, off, kw in scored if row["kind"] in kinds]
    assert statistics.mean(gains) >= 2.0


def test_answers_that_avoid_every_domain_word_still_pass(scored) -> None:
    # people score these about 7; each makes several points in long sentences of its own words
    scores = [off for row, off, _ in scored if row["kind"] == "paraphrased"]
    assert len(scores) == 15 and statistics.mean(scores) >= 5.5


@pytest.mark.parametrize("kind", ["negated", "negation", "stuffed", "injected"])
def test_negated_stuffed_and_injected_answers_stay_low(scored, kind: str) -> None:
    scores = [off for row, off, _ in scored if row["kind"] == kind]
    assert scores and statistics.mean(scores) <= 3.0


def test_strong_answers_sent_to_the_next_question_gain_nothing_by_resemblance(
    mesh: Pack, graders
) -> None:
    """The next question of the pack shares the mesh's words; a strong answer to one question
    must earn there only what its words earn, not what it resembles."""
    offline, keyword = graders
    questions = list(mesh.questions)
    following = {q.id: questions[(i + 1) % len(questions)] for i, q in enumerate(questions)}
    strong = [row for row in _rows("service_mesh_labels.jsonl") if row["kind"] == "strong"]
    lifts = []
    for row in strong:
        target = following[row["question_id"]]
        lifts.append(
            offline.grade(target, row["answer"]).score - keyword.grade(target, row["answer"]).score
        )
    assert statistics.mean(lifts) <= 0.2
    assert (
        statistics.mean(
            offline.grade(following[r["question_id"]], r["answer"]).score for r in strong
        )
        <= 1.5
    )


def test_an_answer_to_another_question_earns_nothing_and_says_which(mesh: Pack, graders) -> None:
    """The words the pack's questions share still earned a strong answer to the next question
    a point or two (1.2 on average); an answer clearly about another question earns nothing,
    and the feedback names that question."""
    offline, keyword = graders
    questions = list(mesh.questions)
    following = {q.id: questions[(i + 1) % len(questions)] for i, q in enumerate(questions)}
    strong = [row for row in _rows("service_mesh_labels.jsonl") if row["kind"] == "strong"]
    earned_by_words = 0.0
    for row in strong:
        target = following[row["question_id"]]
        grade = offline.grade(target, row["answer"])
        assert grade.score == 0.0, (row["question_id"], target.id, grade.score)
        assert all(p.verdict == "missed" for p in grade.points)
        assert remarks(grade).startswith(
            f"This answer reads as an answer to another question ({row['question_id']}: "
        )
        earned_by_words += keyword.grade(target, row["answer"]).score
    assert earned_by_words > 0  # the keyword grader alone still gives them something


def test_a_follow_up_answer_may_earn_the_points_it_was_asked_about(mesh: Pack, graders) -> None:
    """sm-02's follow-up asks for the numbers of a sidecar's cost; an answer with them sits
    nearer sm-12 (what the whole fleet costs) than sm-02, so as a main answer it earns nothing
    by resemblance, while as the follow-up answer it is, it earns the cost points."""
    offline, _ = graders
    sidecar = mesh.question("sm-02")
    assert sidecar is not None
    numbers = (
        "Each hop through two proxies adds roughly a millisecond or two at p99. Each sidecar "
        "takes something like 50 to 100 MB of memory and a tenth of a core, so with 300 pods "
        "that's 20 to 30 GB and 30 cores reserved just for proxies."
    )
    cost = {"resource-overhead", "latency-overhead"}

    def earned(grade: Grade) -> dict[str, str]:
        return {p.point_id: p.verdict for p in grade.points if p.point_id in cost}

    assert set(earned(offline.grade(sidecar, numbers)).values()) == {"missed"}
    as_follow_up = offline.grade_follow_up(sidecar, numbers)
    assert "missed" not in earned(as_follow_up).values()
    assert all(p.source == "semantic" for p in as_follow_up.points if p.point_id in cost)
    assert remarks(as_follow_up) == ""  # not "nothing matches": the words alone earned nothing
    # an answer to another question earns nothing, follow-up or not
    other = next(r for r in _rows("service_mesh_labels.jsonl") if r["question_id"] == "sm-03")
    assert offline.grade_follow_up(sidecar, other["answer"]).score == 0.0


def test_in_the_minimal_pack_form_keyword_lists_still_earn_little(mesh: Pack) -> None:
    """Cut to wording plus a reference answer, a question has no rubric terms for the
    stuffing rules to count; a bare list of the reference's words must still earn little."""
    minimal = Pack(
        pack=mesh.pack,
        questions=tuple(
            Question(id=q.id, text=q.text, reference_answer=" ".join(q.model_answer))
            for q in mesh.questions
        ),
    )
    offline = OfflineGrader(minimal)
    stuffed = [r for r in _rows("service_mesh_labels.jsonl") if r["kind"] == "stuffed"]
    by_id = {q.id: q for q in minimal.questions}
    scores = [offline.grade(by_id[r["question_id"]], r["answer"]).score for r in stuffed]
    assert offline.unavailable is None and len(scores) == 15
    assert statistics.mean(scores) <= 1.5
