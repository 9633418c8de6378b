"""The keyword grader on the built-in service-mesh pack, against our own labelled answers.

tests/data/service_mesh_labels.jsonl holds, for every question, a strong, a middling and a weak
answer plus stuffed, negated, injected, paraphrased and empty ones, each with the score a person
would give (0-10) and its "kind".
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from mockint import locations
from mockint.grading.keyword import KeywordGrader
from mockint.grading.metrics import agreement
from mockint.packs import load_pack

LABELS = Path(__file__).parent / "data" / "service_mesh_labels.jsonl"
PACK = locations.builtin_packs_dir() / "service-mesh.toml"
KINDS = {"strong", "middling", "weak", "stuffed", "negated", "injected", "paraphrased", "empty"}

pytestmark = pytest.mark.skipif(
    not PACK.is_file(), reason="rubrics/service-mesh.toml is not there yet (being written)"
)


def load_labels() -> list[dict]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def graded() -> dict[str, dict[str, float]]:
    """question id -> kind -> keyword score."""
    pack = load_pack(PACK)
    grader = KeywordGrader(pack)
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    for row in load_labels():
        question = pack.question(row["question_id"])
        assert question is not None, row["question_id"]
        scores[row["question_id"]][row["kind"]] = grader.grade(question, row["answer"]).score
    return scores


def test_the_labelled_set_covers_every_question_and_kind() -> None:
    pack = load_pack(PACK)
    rows = load_labels()
    assert {row["kind"] for row in rows} == KINDS
    for question in pack.questions:
        kinds = {row["kind"] for row in rows if row["question_id"] == question.id}
        assert kinds == KINDS, question.id
    for row in rows:
        assert 0 <= row["human_score"] <= 10
        assert isinstance(row["answer"], str)


def test_strong_beats_middling_beats_weak_for_every_question(graded) -> None:
    for question_id, scores in graded.items():
        assert scores["strong"] > scores["middling"] > scores["weak"], (question_id, scores)


@pytest.mark.parametrize("kind", ["stuffed", "injected", "empty"])
def test_gaming_and_empty_answers_stay_below_3(graded, kind: str) -> None:
    for question_id, scores in graded.items():
        assert scores[kind] < 3, (question_id, kind, scores[kind])


def test_negated_answers_score_far_below_strong_ones(graded) -> None:
    for question_id, scores in graded.items():
        assert scores["negated"] <= scores["strong"] - 5, (question_id, scores)


def test_agreement_with_our_own_labels_does_not_regress(graded) -> None:
    rows = load_labels()
    machine = [graded[row["question_id"]][row["kind"]] for row in rows]
    human = [float(row["human_score"]) for row in rows]
    result = agreement(machine, human)
    # Measured: Pearson 0.80 (120 answers). Paraphrased answers are the keyword grader's known blind
    # spot (they use none of the rubric's words), which is what keeps this from going higher.
    assert result.pearson is not None and result.pearson >= 0.7
