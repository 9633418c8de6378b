"""One mapping between a Grade and its dicts: what is stored, exported and printed parses back."""

from __future__ import annotations

import json
from dataclasses import asdict

from mockint.grading.base import Grade, PointVerdict, RedFlagHit, Usage, finalize
from mockint.grading.serial import (
    flag_from_dict,
    flag_to_dict,
    grade_to_dict,
    point_from_dict,
    point_to_dict,
)
from mockint.store import Store

POINT = PointVerdict(
    "mtls",
    "partial",
    2.0,
    evidence=["mutual TLS"],
    reason="named, not explained",
    description="Mutual TLS between sidecars",
    level="senior",
    turn_id=3,
    source="semantic",
    similarity=0.71,
    closest="the proxies encrypt traffic",
)
FLAG = RedFlagHit("plaintext", 1.5, ["plaintext is fine"], "Says plaintext is fine")


def test_a_point_and_a_flag_survive_the_round_trip() -> None:
    assert point_from_dict(json.loads(json.dumps(point_to_dict(POINT)))) == POINT
    assert flag_from_dict(json.loads(json.dumps(flag_to_dict(FLAG)))) == FLAG


def test_what_older_versions_stored_parses_with_defaults() -> None:
    point = point_from_dict({"id": "p1", "verdict": "covered", "weight": 1.0})
    assert point == PointVerdict("p1", "covered", 1.0)
    # nulls where a newer field was later given a value
    point = point_from_dict({"id": "p1", "verdict": "missed", "reason": None, "source": None})
    assert point.reason == "" and point.source == "" and point.evidence == []
    assert flag_from_dict({"id": "f"}) == RedFlagHit("f", 0.0)


def test_grade_to_dict_uses_the_same_point_shape() -> None:
    grade = finalize(Grade("q1", "keyword", [POINT], [FLAG]))
    data = grade_to_dict(grade)
    assert data == grade.to_dict()
    assert data["points"] == [point_to_dict(POINT)] and data["red_flags"] == [flag_to_dict(FLAG)]
    assert data["score"] == grade.score and data["cross_check"] is None


def test_the_store_keeps_points_in_this_shape(store: Store) -> None:
    session = store.create_session(
        pack_id="p", pack_title="P", grader="keyword", question_ids=["q1"], settings={}
    )
    turn = store.start_turn(session, question_id="q1", kind="main", prompt="Why?", seq=0)
    grade = finalize(Grade("q1", "keyword", [POINT], [FLAG]))
    store.add_grade(turn, grade)
    raw = store.rows("SELECT points, red_flags FROM grades")[0]
    assert json.loads(raw["points"]) == [point_to_dict(POINT)]
    assert json.loads(raw["red_flags"]) == [flag_to_dict(FLAG)]
    row = store.grades(turn)[0]
    assert row.points == (POINT,) and row.red_flags == (FLAG,)
    again = row.to_grade("q1")
    assert asdict(again)["points"] == asdict(grade)["points"] and again.score == grade.score
    again.points[0].evidence.append("changed")  # a copy: the row stays as read
    assert row.points[0].evidence == ["mutual TLS"]


def test_the_stored_grade_row_keeps_its_columns_and_json_text(store: Store) -> None:
    """What older mockints wrote and read: the same columns, the same JSON text to the byte."""
    session = store.create_session(
        pack_id="p", pack_title="P", grader="llm", question_ids=["q1"], settings={}
    )
    turn = store.start_turn(session, question_id="q1", kind="main", prompt="Why?", seq=0)
    grade = finalize(Grade("q1", "llm", [POINT], [FLAG], model="m", endpoint="http://h/v1"))
    grade.note, grade.follow_up = "fell back", "And then?"
    grade.usage = Usage(prompt_tokens=120, completion_tokens=30, latency_ms=812.345, calls=2)
    grade_id = store.add_grade(turn, grade, created_at="2026-01-02T03:04:05.678Z")
    raw = dict(store.rows("SELECT * FROM grades WHERE id = ?", [grade_id])[0])
    assert raw == {
        "id": grade_id,
        "turn_id": turn,
        "grader": "llm",
        "model": "m",
        "endpoint": "http://h/v1",
        "score": grade.score,
        "band": grade.band,
        "feedback": grade.feedback,
        "points": '[{"id": "mtls", "verdict": "partial", "weight": 2.0, "level": "senior", '
        '"description": "Mutual TLS between sidecars", "evidence": ["mutual TLS"], '
        '"reason": "named, not explained", "turn_id": 3, "source": "semantic", '
        '"similarity": 0.71, "closest": "the proxies encrypt traffic"}]',
        "red_flags": '[{"id": "plaintext", "penalty": 1.5, "description": "Says plaintext is '
        'fine", "evidence": ["plaintext is fine"]}]',
        "prompt_tokens": 120,
        "completion_tokens": 30,
        "latency_ms": 812.345,  # as measured: `grade --json` rounds, the store does not
        "note": "fell back",
        "created_at": "2026-01-02T03:04:05.678Z",
    }
