"""End to end against a real model server (llama-cpp-python serving SmolLM2-135M).

A 135M model grades badly; these tests check protocol and plumbing, not judgement: the mode
probing against a server that rejects json_schema, the structure of what comes back, the
provenance stored with each grade (model, endpoint, token counts), streaming, and fallbacks.
They skip without a server (see conftest.real_llm) and fail instead under CI's
MOCKINT_REQUIRE_LLM_SERVER=1. The tiny pack keeps each model call short on two CPU cores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_helpers import ANSWER, PACK_TOML, RealServer, run_mockint

from mockint.config import Settings
from mockint.grading.base import compute_score, grade_from_row
from mockint.grading.keyword import KeywordGrader
from mockint.grading.llm import LLMGrader
from mockint.grading.llm_client import Mode, ModeCache
from mockint.interview import Interview, InterviewOptions
from mockint.packs import parse_pack
from mockint.store import Store

pytestmark = [pytest.mark.llm_server, pytest.mark.timeout(900)]
SLOW_MODEL_TIMEOUT = 600.0  # seconds: a loaded 2-core runner can be very slow


@pytest.fixture
def pack_file(tmp_path: Path) -> Path:
    path = tmp_path / "llm-e2e.toml"
    path.write_text(PACK_TOML)
    return path


def settings_for(server: RealServer, db: Path, **updates: object) -> Settings:
    return Settings(
        db=db, model=server.model, base_url=server.url, timeout=SLOW_MODEL_TIMEOUT
    ).model_copy(update=updates)


def test_cli_grade_json_against_the_real_server(
    real_llm: RealServer, pack_file: Path, isolated_home: Path
) -> None:
    env = {
        "OPENAI_BASE_URL": real_llm.url,
        "MOCKINT_MODEL": real_llm.model,
        "MOCKINT_LLM_TIMEOUT": str(SLOW_MODEL_TIMEOUT),
    }
    result = run_mockint(
        "grade", "--pack", str(pack_file), "--question", "q1", "--grader", "llm", "--json",
        "--answer", ANSWER, env=env, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["grader"] == "llm", grade["note"]
    assert grade["model"] == real_llm.model and grade["endpoint"] == real_llm.url
    assert [p["id"] for p in grade["points"]] == ["intercepts", "retries"]
    assert all(p["verdict"] in ("covered", "partial", "missed") for p in grade["points"])
    for point in grade["points"]:  # whatever the model claimed, credit needs a real quote
        for quote in point["evidence"]:
            assert " ".join(quote.lower().split()) in " ".join(ANSWER.lower().split())
    stored = grade_from_row({**grade, "points": grade["points"]}, "q1")
    assert grade["score"] == compute_score(stored.points, stored.red_flags)
    usage = grade["usage"]
    assert usage["prompt_tokens"] > 100 and usage["completion_tokens"] > 10
    assert usage["latency_ms"] > 0 and 1 <= usage["calls"] <= 4
    assert grade["cross_check"]["grader"] == "keyword"
    # llama.cpp's server refuses json_schema: the probe found and remembered the next mode
    modes = json.loads((isolated_home / "data" / "mockint" / "llm-modes.json").read_text())
    assert modes[f"{real_llm.url}|{real_llm.model}"] == "json_object+schema"


def test_doctor_against_the_real_server(real_llm: RealServer) -> None:
    result = run_mockint(
        "doctor", "--json", "--base-url", real_llm.url, "--model", real_llm.model, env={},
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["chat"]["mode"] == "json_object+schema"
    assert report["models"]["model_listed"] is True
    assert report["chat"]["tried"][0] == {
        "mode": "json_schema",
        "result": "rejected by the server",
        "ms": report["chat"]["tried"][0]["ms"],
    }


def test_engine_session_against_the_real_server(real_llm: RealServer, tmp_path: Path) -> None:
    pack = parse_pack(PACK_TOML, "llm-e2e.toml")
    store = Store(tmp_path / "session.db")
    grader = LLMGrader(
        settings_for(real_llm, store.path), cache=ModeCache(), keyword=KeywordGrader(pack)
    )
    interview = Interview.start(
        store, pack, grader, InterviewOptions(questions=1, timed=False, max_follow_ups=1),
        model=grader.model, endpoint=grader.endpoint,
    )  # fmt: skip
    turn_id = interview.submit(ANSWER)
    deltas: list[str] = []
    outcome = interview.grade(turn_id, on_delta=deltas.append)

    grade = outcome.grade
    assert grade.grader == "llm", grade.note
    assert grader.client.mode is Mode.JSON_OBJECT_SCHEMA
    streamed = " ".join("".join(deltas).split())
    assert grade.feedback.startswith(streamed)  # what streamed is the feedback we kept
    rows = store.grades(turn_id)
    assert [r["grader"] for r in rows] == ["llm", "keyword"]
    row = rows[0]
    assert row["model"] == real_llm.model and row["endpoint"] == real_llm.url
    assert row["prompt_tokens"] > 100 and row["completion_tokens"] > 10 and row["latency_ms"] > 0
    session = store.session(interview.session_id)
    assert (session["grader"], session["model"], session["endpoint"]) == (
        "llm",
        real_llm.model,
        real_llm.url,
    )
    if outcome.next_follow_up is not None:  # the pack has none: any follow-up is generated
        assert outcome.next_follow_up.text == grade.follow_up
    interview.advance(outcome)
    while interview.current is not None:
        follow_id = interview.submit("It also retries failed calls.")
        interview.advance(interview.grade(follow_id))
    card = interview.finish()
    assert card.results and card.results[0].grade is not None
    store.close()


def test_fallback_when_the_real_server_is_too_slow(real_llm: RealServer, tmp_path: Path) -> None:
    """Last: the server may keep generating for the abandoned request for a while."""
    pack = parse_pack(PACK_TOML, "llm-e2e.toml")
    store = Store(tmp_path / "slow.db")
    settings = settings_for(real_llm, store.path, timeout=0.05)
    grader = LLMGrader(settings, max_retries=0, cache=ModeCache(), keyword=KeywordGrader(pack))
    interview = Interview.start(store, pack, grader, InterviewOptions(questions=1, timed=False))
    turn_id = interview.submit(ANSWER)
    outcome = interview.grade(turn_id, on_delta=lambda text: None)
    assert outcome.grade.grader == "keyword"
    assert "within 0.05 s" in outcome.grade.note and "mockint regrade" in outcome.grade.note
    assert store.turn(turn_id)["needs_regrade"] and store.turn(turn_id)["answer"] == ANSWER
    store.close()
