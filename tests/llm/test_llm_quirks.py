"""Endpoints that refuse one of our request parameters, or answer a stream in their own way.

Each quirk costs one extra request once: the request is sent again without what was refused,
and the endpoint and model are remembered, so the next grade goes straight through.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from capable_model import CapableModel, only, variant
from llm_fake_server import FakeLLM, Reply
from llm_helpers import reply_json, run_mockint
from quote_variants import EXPERT_ANSWER, QUESTION_ID

from mockint.grading.llm_client import Mode, ModeCache, Quirks, redact
from mockint.packs import Pack

EXPERT_SCORE = 8.5


@pytest.fixture
def question(service_mesh: Pack):
    return service_mesh.question(QUESTION_ID)


def test_a_refused_stream_is_graded_without_streaming_and_remembered(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    fake_llm.refuse = {"stream"}
    fake_llm.default = CapableModel()
    grader = make_llm_grader()
    deltas: list[str] = []
    grade = grader.grade_streaming(question, EXPERT_ANSWER, deltas.append)
    assert grade.grader == "llm" and grade.score >= EXPERT_SCORE
    assert [bool(r.body.get("stream")) for r in fake_llm.chat_requests] == [True, False]
    assert "".join(deltas).startswith("A thorough answer")  # the feedback still arrives
    assert grader.client.quirks == Quirks(stream=False)
    fake_llm.requests.clear()
    grader.grade_streaming(question, EXPERT_ANSWER, deltas.append)
    assert [bool(r.body.get("stream")) for r in fake_llm.chat_requests] == [False]


def test_refused_stream_options_also_means_no_streaming(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    fake_llm.refuse = {"stream_options"}
    fake_llm.default = CapableModel()
    grade = make_llm_grader().grade_streaming(question, EXPERT_ANSWER, lambda text: None)
    assert grade.grader == "llm" and grade.usage.calls == 2


def test_max_completion_tokens_where_max_tokens_is_refused(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    fake_llm.refuse = {"max_tokens", "temperature"}  # as reasoning models do
    fake_llm.default = CapableModel()
    grader = make_llm_grader()
    grade = grader.grade(question, EXPERT_ANSWER)
    assert grade.grader == "llm" and grade.score >= EXPERT_SCORE
    last = fake_llm.chat_requests[-1].body
    assert "max_tokens" not in last and last["max_completion_tokens"] > 0
    assert "temperature" not in last
    assert grade.usage.calls == 3  # refused twice, then accepted
    fake_llm.requests.clear()
    assert grader.grade(question, EXPERT_ANSWER).usage.calls == 1  # remembered


def test_a_bare_500_on_response_format_moves_to_plain_text(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    fake_llm.format_500 = True
    fake_llm.default = CapableModel(style="fenced")
    grader = make_llm_grader()
    grade = grader.grade(question, EXPERT_ANSWER)
    assert grade.grader == "llm" and grade.score >= EXPERT_SCORE
    assert [r.mode for r in fake_llm.chat_requests] == [
        "json_schema", "json_object+schema", "json_object", "text"
    ]  # fmt: skip
    assert grader.client.mode is Mode.TEXT


def test_at_most_three_requests_with_every_retry(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    """Streaming refused, then a reply whose quotes are all invented, then a good one."""
    fake_llm.refuse = {"stream"}
    fake_llm.default = CapableModel(variants=only(variant("invented")))
    grade = make_llm_grader().grade_streaming(question, EXPERT_ANSWER, lambda text: None)
    assert grade.grader == "llm" and grade.score >= EXPERT_SCORE
    assert grade.usage.calls == 3


def test_a_plain_body_to_a_streamed_request_is_read_whole(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    fake_llm.default = CapableModel(style="plain-body")
    deltas: list[str] = []
    grader = make_llm_grader()
    grade = grader.grade_streaming(question, EXPERT_ANSWER, deltas.append)
    assert grade.grader == "llm" and grade.score >= EXPERT_SCORE
    assert "".join(deltas).startswith("A thorough answer")
    assert grade.usage.prompt_tokens == 321  # the body's usage, not an estimate
    assert grader.progress.judged == len(question.rubric)


def test_an_error_event_mid_stream_falls_back(fake_llm: FakeLLM, make_llm_grader, question) -> None:
    error = json.dumps({"error": {"message": "overloaded \x1b[31mnow", "code": 503}})
    fake_llm.default = Reply(events=[error])
    grade = make_llm_grader().grade_streaming(question, EXPERT_ANSWER, lambda text: None)
    assert grade.grader == "keyword" and "reported an error mid-stream" in grade.note
    assert "overloaded" in grade.note and "\x1b" not in grade.note
    assert grade.usage.calls == 1  # a server error, not a bad reply: no retry


def test_the_remembered_quirks_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "llm-modes.json"
    cache = ModeCache(path)
    cache.set("http://h/v1|m", Mode.JSON_OBJECT)
    cache.set_quirks("http://h/v1|m", Quirks(stream=False, tokens_param="max_completion_tokens"))
    again = ModeCache(path)
    assert again.get("http://h/v1|m") is Mode.JSON_OBJECT
    assert again.quirks("http://h/v1|m") == Quirks(False, "max_completion_tokens", True)
    # the older file format (a mode per key) still reads
    path.write_text(json.dumps({"http://old/v1|m": "json_object+schema"}))
    old = ModeCache(path)
    assert old.get("http://old/v1|m") is Mode.JSON_OBJECT_SCHEMA
    assert old.quirks("http://old/v1|m") == Quirks()


def test_only_keys_of_eight_characters_or_more_are_redacted() -> None:
    assert redact("maximum context exceeded", "x") == "maximum context exceeded"
    assert redact("key abcdefgh echoed", "abcdefgh") == "key [redacted] echoed"
    assert redact("line\x1b[31m red\x07", None) == "line [31m red "


# mockint doctor --------------------------------------------------------------------------------


def doctor(fake: FakeLLM) -> dict:
    result = run_mockint(
        "doctor", "--json", "--base-url", fake.url, "--model", "fake-model", env={}
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def ping(request) -> Reply:
    return Reply('{"ok": true}')


def test_doctor_checks_the_streamed_path(fake_llm: FakeLLM) -> None:
    fake_llm.default = ping
    report = doctor(fake_llm)
    assert report["ok"] and report["stream"]["result"] == "streamed"
    assert [bool(r.body.get("stream")) for r in fake_llm.chat_requests] == [False, True]


def test_doctor_accepts_a_server_that_ignores_stream(fake_llm: FakeLLM) -> None:
    fake_llm.default = lambda request: Reply('```json\n{"ok": true}\n```', plain_body=True)
    report = doctor(fake_llm)
    assert report["ok"] and report["stream"]["result"] == "plain body"


def test_doctor_remembers_a_refused_stream(fake_llm: FakeLLM, isolated_home: Path) -> None:
    fake_llm.refuse = {"stream"}
    fake_llm.default = ping
    report = doctor(fake_llm)
    assert report["ok"] and report["stream"]["result"] == "not streaming"
    modes = json.loads((isolated_home / "data" / "mockint" / "llm-modes.json").read_text())
    assert modes[f"{fake_llm.url}|fake-model"]["stream"] is False
    human = run_mockint("doctor", "--base-url", fake_llm.url, "--model", "fake-model", env={})
    assert "streaming          not streaming" in human.stdout and "ready" in human.stdout


def test_doctor_says_when_the_stream_carries_no_json(fake_llm: FakeLLM, isolated_home) -> None:
    def answer(request) -> Reply:
        return Reply("I cannot stream JSON." if request.body.get("stream") else '{"ok": true}')

    fake_llm.default = answer
    report = doctor(fake_llm)
    assert report["ok"] and report["stream"]["result"] == "not streaming"
    assert "not the JSON asked for" in report["stream"]["detail"]


def test_the_retry_names_the_failed_ids(fake_llm: FakeLLM, make_llm_grader, question) -> None:
    invented = {"definition": ("covered", "a mesh is a kind of database")}
    fake_llm.queue(Reply(reply_json(question, invented)), CapableModel())
    grade = make_llm_grader().grade(question, EXPERT_ANSWER)
    assert grade.grader == "llm" and grade.usage.calls == 2
    retry = fake_llm.chat_requests[1].body["messages"]
    assert retry[-2]["role"] == "assistant"  # the rejected reply, shown back
    assert (
        "definition" in retry[-1]["content"]
        and "not in the candidate's answer" in (retry[-1]["content"])
    )
