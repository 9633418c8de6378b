"""End to end against a real model server (llama-cpp-python serving SmolLM2-135M).

A 135M model grades badly; these tests check protocol and plumbing, not judgement: the mode
probing against a server that rejects json_schema, that what a real model writes parses, the
structure of what comes back, the provenance stored with each grade (model, endpoint, token
counts), streaming and its progress, and fallbacks. Whatever the model claims, credit needs a
quote the answer holds; a reply whose quotes mostly are not in the answer is asked for again
and then replaced by a marked keyword grade (SmolLM2 often invents a quote or a red flag).
They skip without a server (see conftest.real_llm) and fail instead under CI's
MOCKINT_REQUIRE_LLM_SERVER=1. The tiny pack keeps each model call short on two CPU cores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_process
from llm_helpers import ANSWER, PACK_TOML, RealServer

from mockint.config import Settings
from mockint.grading.base import compute_score
from mockint.grading.keyword import KeywordGrader
from mockint.grading.llm import LLMGrader
from mockint.grading.llm_client import LLMClient, Mode, ModeCache
from mockint.grading.llm_prompt import grading_messages
from mockint.grading.llm_quotes import Evidence, quote_matches
from mockint.grading.llm_reply import GradeReply, check_reply, parse_reply, reply_schema
from mockint.grading.serial import flag_from_dict, point_from_dict
from mockint.interview import Interview, InterviewOptions
from mockint.packs import parse_pack
from mockint.store import Store

# under pytest-xdist (-n 3 --dist loadgroup) one worker runs them all: one model server
pytestmark = [
    pytest.mark.llm_server,
    pytest.mark.timeout(900),
    pytest.mark.xdist_group("real_llm"),
]
SLOW_MODEL_TIMEOUT = 600.0  # seconds: a loaded 2-core runner can be very slow
# A good answer in the rubric's own words, so a small model has real text to quote.
GOOD_ANSWER = (
    "The sidecar proxy intercepts all inbound and outbound traffic of the service. It retries "
    "failed calls with timeouts and backoff, and encrypts calls with mTLS."
)
# Why a grade of the real model may be the keyword grade: its reply, never the protocol.
JUDGEMENT_FALLBACKS = ("the model's quotes were not in the answer", "the model's reply was")


def assert_llm_or_judgement_fallback(grade: dict, answer: str) -> None:
    """An LLM grade whose credit rests on real quotes, or a keyword grade marked as standing in
    for a reply that was parsed but not believed (never a protocol or transport failure)."""
    if grade["grader"] == "keyword":
        assert any(why in grade["note"] for why in JUDGEMENT_FALLBACKS), grade["note"]
        assert grade["usage"]["calls"] >= 2  # it was asked again before falling back
        return
    evidence = Evidence.of(answer)
    for point in grade["points"]:
        for quote in point["evidence"]:
            assert quote_matches(quote, evidence), quote


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
    result = run_process(
        "grade", "--pack", str(pack_file), "--question", "q1", "--grader", "llm", "--json",
        "--answer", ANSWER, env=env, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert_llm_or_judgement_fallback(grade, ANSWER)
    assert [p["id"] for p in grade["points"]] == ["intercepts", "retries"]
    assert all(p["verdict"] in ("covered", "partial", "missed") for p in grade["points"])
    points = [point_from_dict(p) for p in grade["points"]]
    flags = [flag_from_dict(f) for f in grade["red_flags"]]
    assert grade["score"] == compute_score(points, flags)
    usage = grade["usage"]  # tokens are on record, also for a fallback (they were paid for)
    assert usage["prompt_tokens"] > 100 and usage["completion_tokens"] > 10
    assert usage["latency_ms"] > 0 and 1 <= usage["calls"] <= 4
    if grade["grader"] == "llm":
        assert grade["model"] == real_llm.model and grade["endpoint"] == real_llm.url
        assert grade["cross_check"]["grader"] == "keyword"
    # llama.cpp's server refuses json_schema: the probe found and remembered the next mode
    modes = json.loads((isolated_home / "data" / "mockint" / "llm-modes.json").read_text())
    assert modes[f"{real_llm.url}|{real_llm.model}"]["mode"] == "json_object+schema"


def test_what_the_real_model_writes_parses_and_is_checked(real_llm: RealServer) -> None:
    """The grammar mode pins the point ids; our parser must read whatever else the model does
    (raw line breaks inside strings, odd spacing), and the check must believe only real quotes."""
    question = parse_pack(PACK_TOML, "llm-e2e.toml").questions[0]
    client = LLMClient(
        model=real_llm.model, base_url=real_llm.url, api_key=None, timeout=SLOW_MODEL_TIMEOUT,
        cache=ModeCache(),
    )  # fmt: skip
    result = client.chat(
        grading_messages(question, GOOD_ANSWER), reply_model=GradeReply,
        schema=reply_schema(question), modes=(Mode.JSON_OBJECT_SCHEMA,),
    )  # fmt: skip
    client.close()
    reply = parse_reply(result.content)
    assert [p.id for p in reply.points] == ["intercepts", "retries"]
    checked = check_reply(question, GOOD_ANSWER, reply)
    evidence = Evidence.of(GOOD_ANSWER)
    for point, claimed in zip(checked.points, reply.points, strict=True):
        if point.verdict != "missed":
            assert point.source == "llm" and quote_matches(claimed.quote, evidence)
        elif claimed.verdict != "missed":
            assert point.point_id in checked.unverified


def test_doctor_against_the_real_server(real_llm: RealServer) -> None:
    result = run_process(
        "doctor", "--json", "--base-url", real_llm.url, "--model", real_llm.model, env={},
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["chat"]["mode"] == "json_object+schema"
    assert report["stream"]["result"] == "streamed"  # llama.cpp sends server-sent events
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
    assert grader.client.mode is Mode.JSON_OBJECT_SCHEMA
    # the waiting indicator had something to show: characters and points as they streamed
    assert grader.progress.received > 100 and grader.progress.judged == 2
    rows = store.grades(turn_id)
    if grade.grader == "llm":
        streamed = " ".join("".join(deltas).split())
        assert grade.feedback.startswith(streamed)  # what streamed is the feedback we kept
        assert [r.grader for r in rows] == ["llm", "keyword"]
        row = rows[0]
        assert row.model == real_llm.model and row.endpoint == real_llm.url
        assert row.prompt_tokens > 100 and row.completion_tokens > 10
        assert row.latency_ms > 0
    else:
        assert any(why in grade.note for why in JUDGEMENT_FALLBACKS), grade.note
        assert store.turn(turn_id).needs_regrade
    session = store.session(interview.session_id)
    assert (session.grader, session.model, session.endpoint) == (
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
    assert store.turn(turn_id).needs_regrade and store.turn(turn_id).answer == ANSWER
    store.close()
