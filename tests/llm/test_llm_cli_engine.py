"""The LLM grader as people meet it: `mockint grade`, `mockint doctor`, an interview session.

All against the fake endpoint on 127.0.0.1, through the installed command line or the engine.
Also the promise about secrets: a recognisable API key, refused by the server (which echoes it
back, as some do), appears in no output, no log line and no byte of the database.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_process
from llm_fake_server import FakeLLM, Reply, Request
from llm_helpers import ANSWER, PACK_TOML, TEST_KEY, reply_json, run_mockint
from pydantic import SecretStr

from mockint.config import Settings
from mockint.grading.base import total_usage
from mockint.grading.keyword import KeywordGrader
from mockint.grading.llm import LLMGrader
from mockint.grading.llm_client import ModeCache
from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack, parse_pack
from mockint.store import Store


@pytest.fixture
def small_pack(tmp_path: Path) -> tuple[Pack, Path]:
    path = tmp_path / "llm-e2e.toml"
    path.write_text(PACK_TOML)
    return parse_pack(PACK_TOML, str(path)), path


def llm_env(fake: FakeLLM, key: str = TEST_KEY) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": fake.url,
        "OPENAI_API_KEY": key,
        "MOCKINT_MODEL": "fake-model",
        "MOCKINT_LLM_TIMEOUT": "5",
    }


def partial_reply(request: Request) -> Reply:
    pack = parse_pack(PACK_TOML, "x.toml")
    verdicts = {"intercepts": ("covered", "intercepts all traffic of the service")}
    return Reply(
        reply_json(pack.questions[0], verdicts, follow_up="How would the proxy retry a call?")
    )


def test_cli_grade_with_the_llm_grader(fake_llm: FakeLLM, small_pack) -> None:
    fake_llm.api_key = TEST_KEY
    fake_llm.default = partial_reply
    _, path = small_pack
    result = run_mockint(
        "grade", "--pack", str(path), "--question", "q1", "--grader", "llm", "--json",
        "--answer", ANSWER, env=llm_env(fake_llm),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["grader"] == "llm" and grade["model"] == "fake-model"
    assert grade["endpoint"] == fake_llm.url and grade["note"] == ""
    assert [p["verdict"] for p in grade["points"]] == ["covered", "missed"]
    assert grade["score"] == 6.7  # 2 of 3 weight
    assert grade["usage"]["prompt_tokens"] == 321 and grade["usage"]["calls"] == 1
    assert grade["cross_check"]["grader"] == "keyword"
    assert grade["follow_up"] == "How would the proxy retry a call?"


def test_cli_flags_override_the_environment(fake_llm: FakeLLM, small_pack) -> None:
    fake_llm.api_key = None
    fake_llm.models = ["flag-model"]
    fake_llm.default = partial_reply
    _, path = small_pack
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "MOCKINT_MODEL": "env-model"}
    result = run_mockint(
        "grade", "--pack", str(path), "--question", "q1", "--grader", "llm", "--json",
        "--model", "flag-model", "--base-url", fake_llm.url, "--timeout", "4",
        "--answer", ANSWER, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["model"] == "flag-model"


def test_cli_reads_the_llm_settings_from_the_config_file(
    fake_llm: FakeLLM, small_pack, isolated_home: Path
) -> None:
    fake_llm.api_key = TEST_KEY
    fake_llm.default = partial_reply
    config = isolated_home / "config" / "mockint" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'model = "fake-model"\nbase_url = "{fake_llm.url}"\napi_key = "{TEST_KEY}"\n'
        "timeout = 7.5\n"
    )
    _, path = small_pack
    result = run_mockint(
        "grade", "--pack", str(path), "--question", "q1", "--json", "--answer", ANSWER, env={}
    )
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)  # a configured model makes the LLM the default grader
    assert grade["grader"] == "llm" and grade["endpoint"] == fake_llm.url


def test_cli_grade_without_a_model_is_a_clear_error(small_pack) -> None:
    _, path = small_pack
    result = run_mockint(
        "grade", "--pack", str(path), "--question", "q1", "--grader", "llm", "--answer", "x",
        env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
    )  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "set MOCKINT_MODEL or --model" in result.stderr


def test_cli_grade_against_a_dead_port_falls_back(small_pack) -> None:
    _, path = small_pack
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "MOCKINT_MODEL": "m"}
    result = run_mockint(
        "grade", "--pack", str(path), "--question", "q1", "--grader", "llm", "--json",
        "--answer", ANSWER, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["grader"] == "keyword" and grade["model"] is None
    assert "cannot connect to http://127.0.0.1:9/v1" in grade["note"]
    # nothing was stored, so there is nothing for `mockint regrade` to find
    assert "mockint regrade" not in grade["note"] and "Nothing is stored" in grade["note"]
    text = run_mockint(
        "grade", "--pack", str(path), "--question", "q1", "--grader", "llm",
        "--answer", ANSWER, env=env,
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert "Nothing is stored" in text.stdout and "mockint regrade" not in text.stdout


def test_doctor_reports_mode_and_round_trip(fake_llm: FakeLLM) -> None:
    fake_llm.api_key = TEST_KEY
    fake_llm.llama_cpp_style = True
    fake_llm.default = Reply('{"ok": true}')
    result = run_mockint("doctor", "--json", env=llm_env(fake_llm))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["api_key"] == "set"
    assert report["models"]["model_listed"] is True and report["models"]["ms"] > 0
    assert report["chat"]["mode"] == "json_object+schema" and report["chat"]["ms"] > 0
    assert [row["mode"] for row in report["chat"]["tried"]] == ["json_schema", "json_object+schema"]
    assert TEST_KEY not in result.stdout

    text = run_mockint("doctor", env=llm_env(fake_llm))
    assert text.returncode == 0
    assert "structured output  json_object+schema" in text.stdout and "ready" in text.stdout


def test_doctor_dead_port_and_missing_model() -> None:
    dead = run_mockint("doctor", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", env={})
    assert dead.returncode == 1 and "Traceback" not in dead.stderr
    assert "not ready: cannot connect to http://127.0.0.1:9/v1" in dead.stdout


def test_doctor_without_model_lists_the_models(fake_llm: FakeLLM) -> None:
    result = run_mockint("doctor", "--base-url", fake_llm.url, env={})
    assert result.returncode == 1
    assert "fake-model" in result.stdout and "set MOCKINT_MODEL or --model" in result.stdout


def test_doctor_wrong_key(fake_llm: FakeLLM) -> None:
    fake_llm.api_key = "the-right-one"
    result = run_mockint("doctor", "--json", env=llm_env(fake_llm, key="sk-doctor-WRONG-987654"))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert "HTTP 401" in report["problem"] and "sk-doctor-WRONG" not in result.stdout


def test_api_key_never_leaks(fake_llm: FakeLLM, small_pack, tmp_path: Path, caplog) -> None:
    """A refused key, echoed back by the server, is in no output, log or database byte."""
    secret = "sk-mockint-LEAKCHECK-7f3a9c1e5b"
    fake_llm.api_key = "something-else"
    pack, path = small_pack

    # a process of its own: openai reads OPENAI_LOG when it is first imported
    cli = run_process(
        "grade", "--pack", str(path), "--question", "q1", "--grader", "llm", "--json",
        "--answer", ANSWER, env={**llm_env(fake_llm, key=secret), "OPENAI_LOG": "debug"},
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert "HTTP 401" in json.loads(cli.stdout)["note"]
    assert secret not in cli.stdout and secret not in cli.stderr
    assert "openai" in cli.stderr.lower()  # the client's debug log was on, and is clean

    caplog.set_level(logging.DEBUG)
    db = tmp_path / "leak.db"
    store = Store(db)
    settings = Settings(
        db=db, model="fake-model", base_url=fake_llm.url, api_key=SecretStr(secret), timeout=5
    )
    grader = LLMGrader(settings, max_retries=0, cache=ModeCache(), keyword=KeywordGrader(pack))
    interview = Interview.start(
        store, pack, grader, InterviewOptions(questions=1, timed=False),
        model=grader.model, endpoint=grader.endpoint,
    )  # fmt: skip
    assert interview.current is not None
    turn_id = interview.submit(ANSWER)
    outcome = interview.grade(turn_id)
    assert outcome.grade.grader == "keyword" and "HTTP 401" in outcome.grade.note
    store.close()
    assert caplog.records  # openai and httpx2 logged at debug level
    assert secret not in caplog.text
    for file in tmp_path.glob("leak.db*"):  # the database, its WAL and shared memory
        assert secret.encode() not in file.read_bytes(), file


def test_engine_session_with_the_llm_grader(fake_llm: FakeLLM, small_pack, store: Store) -> None:
    fake_llm.api_key = TEST_KEY
    pack, path = small_pack
    fake_llm.queue(partial_reply)
    settings = Settings(
        db=store.path, model="fake-model", base_url=fake_llm.url, api_key=SecretStr(TEST_KEY)
    )
    grader = LLMGrader(settings, max_retries=0, cache=ModeCache(), keyword=KeywordGrader(pack))
    interview = Interview.start(
        store, pack, grader, InterviewOptions(questions=1, timed=False, max_follow_ups=1),
        pack_path=str(path), model=grader.model, endpoint=grader.endpoint,
    )  # fmt: skip
    session = store.session(interview.session_id)
    assert session.grader == "llm" and session.model == "fake-model"
    assert session.endpoint == fake_llm.url

    turn_id = interview.submit(ANSWER)
    deltas: list[str] = []
    outcome = interview.grade(turn_id, on_delta=deltas.append)
    assert "".join(deltas) and outcome.grade.feedback.startswith("".join(deltas))
    rows = store.grades(turn_id)
    assert [r.grader for r in rows] == ["llm", "keyword"]  # the grade and its cross-check
    llm_row = rows[0]
    assert llm_row.model == "fake-model" and llm_row.endpoint == fake_llm.url
    assert (llm_row.prompt_tokens, llm_row.completion_tokens) == (321, 123)
    assert llm_row.latency_ms > 0 and llm_row.note == ""
    assert not store.turn(turn_id).needs_regrade

    # the pack has no follow-ups: the model's follow-up probes the gap
    assert outcome.next_follow_up is not None
    assert outcome.next_follow_up.text == "How would the proxy retry a call?"
    assert outcome.next_follow_up.probes == ("retries",)
    follow = interview.advance(outcome)
    assert follow is not None and follow.is_follow_up

    fake_llm.default = Reply(status=503, error="overloaded")  # the follow-up's grade fails
    follow_id = interview.submit("It retries with backoff and has timeouts.")
    failed = interview.grade(follow_id, on_delta=deltas.append)
    assert failed.grade.grader == "keyword" and "HTTP 503" in failed.grade.note
    assert store.turn(follow_id).answer.startswith("It retries")  # the answer is kept
    assert store.turn(follow_id).needs_regrade
    [fallback_row] = store.grades(follow_id)
    assert fallback_row.grader == "keyword" and "mockint regrade" in fallback_row.note

    assert interview.advance(failed) is None
    card = interview.finish()
    assert card.results[0].grade is not None
    spent = total_usage(
        r for rows in store.session_grades(interview.session_id).values() for r in rows
    )
    assert spent.prompt_tokens == 321 and spent.completion_tokens == 123


def test_openai_is_imported_only_for_the_llm_grader() -> None:
    code = (
        "import sys, mockint.cli, mockint.interview, mockint.grading.base;"
        "from mockint.grading import make_grader; make_grader('keyword');"
        "import mockint.grading.llm_reply, mockint.grading.llm_prompt;"
        "assert 'openai' not in sys.modules, 'openai imported';"
        "import mockint.grading.llm; assert 'openai' in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
