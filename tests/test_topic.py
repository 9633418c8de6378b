"""Whether an answer is about this question or another of the pack (grading/topic.py)."""

from __future__ import annotations

from fixture_packs import fixture_pack

from mockint.grading.compiled import IdfTable
from mockint.grading.semantic import load_encoder
from mockint.grading.topic import TopicMap, profile
from mockint.packs import parse_pack


def test_an_answer_is_closer_to_its_own_question_than_to_the_others() -> None:
    pack = fixture_pack("cs_basics")
    encoder = load_encoder()
    topics = TopicMap(pack.questions, IdfTable.for_pack(pack), encoder)
    answer = "The hash function turns the key into a slot number and the keys there are compared."
    vector = encoder.embed([answer])[0]
    assert topics.gap("hash", answer, vector)[0] > 0.1
    for other in ("stack", "proto"):
        gap, nearest = topics.gap(other, answer, vector)
        assert gap < -0.1 and nearest == "hash"  # and it says which question it is nearer


def test_a_pack_of_one_question_has_nothing_to_confuse_it_with() -> None:
    pack = fixture_pack("cs_basics")
    encoder = load_encoder()
    topics = TopicMap(pack.questions[:1], IdfTable.for_pack(pack), encoder)
    vector = encoder.embed(["anything at all"])[0]
    assert topics.gap("proto", "anything at all", vector) == (0.0, None)


def test_a_rubric_question_is_profiled_by_its_wording_outline_and_points() -> None:
    pack = parse_pack(
        """
[pack]
id = "p"
title = "P"
[[questions]]
id = "q"
text = "Why run a sidecar proxy?"
model_answer = ["It takes retries and mTLS out of the application."]
[[questions.rubric]]
id = "retries"
description = "Retries and timeouts live in the proxy"
terms = ["retry"]
""",
        "p.toml",
    )
    text = profile(pack.questions[0])
    assert "sidecar" in text and "mTLS" in text and "timeouts" in text
