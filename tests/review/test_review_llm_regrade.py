"""Regrading an offline session with the real LLM grader, over HTTP to a scripted endpoint.

The fake OpenAI-compatible server of the LLM tests (tests/llm_fake_server.py) answers; the
command line, make_grader, the openai client and the grader's reply parsing all run for real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_fake_server import FakeLLM, Reply
from llm_helpers import PACK_TOML, TEST_KEY, reply_json, run_mockint

from mockint.grading.base import Grade as BaseGrade
from mockint.grading.base import PointVerdict, finalize
from mockint.packs import load_pack
from mockint.store import Store

ANSWER = "The sidecar intercepts all traffic of the service; it also retries with timeouts."


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    server.api_key = TEST_KEY
    yield server
    server.close()


def offline_session(tmp_path: Path) -> tuple[Path, Path]:
    """A finished keyword session on the small LLM test pack; the pack is found by its path."""
    pack_path = tmp_path / "llm-e2e.toml"
    pack_path.write_text(PACK_TOML)
    pack = load_pack(pack_path)
    db = tmp_path / "offline.db"
    store = Store(db)
    sid = store.create_session(
        pack_id=pack.id,
        pack_title=pack.title,
        pack_path=str(pack_path),
        grader="keyword",
        question_ids=["q1"],
        settings={},
        started_at="2026-03-02T09:30:00.000Z",
    )
    turn = store.start_turn(
        sid,
        question_id="q1",
        kind="main",
        prompt=pack.questions[0].text,
        seq=0,
        started_at="2026-03-02T09:30:00.000Z",
    )
    store.submit_answer(turn, ANSWER, submitted_at="2026-03-02T09:32:00.000Z")
    keyword = finalize(
        BaseGrade(
            "q1",
            "keyword",
            [PointVerdict("intercepts", "covered", 2.0), PointVerdict("retries", "missed", 1.0)],
        )
    )
    store.add_grade(turn, keyword, created_at="2026-03-02T09:32:01.000Z")
    store.finish_session(sid, "completed", keyword.score)
    store.close()
    return db, pack_path


def env_for(fake: FakeLLM) -> dict[str, str]:
    return {
        "MOCKINT_MODEL": "fake-model",
        "OPENAI_BASE_URL": fake.url,
        "OPENAI_API_KEY": TEST_KEY,
        "MOCKINT_LLM_TIMEOUT": "5",
    }


def test_llm_regrade_of_an_offline_session(fake: FakeLLM, tmp_path: Path) -> None:
    db, pack_path = offline_session(tmp_path)
    question = load_pack(pack_path).questions[0]
    fake.queue(
        Reply(
            content=reply_json(
                question,
                {
                    "intercepts": ("covered", "intercepts all traffic"),
                    "retries": ("covered", "retries with timeouts"),
                },
            )
        )
    )
    result = run_mockint("--db", str(db), "regrade", "1", "--grader", "llm", env=env_for(fake))
    assert result.returncode == 0, result.stderr
    assert "1 regraded, 0 not regraded" in result.stdout
    store = Store(db)
    grades = store.grades(1)
    assert [g.grader for g in grades] == ["keyword", "llm"]  # added, not replaced
    assert grades[1].model == "fake-model" and grades[1].score == 10.0
    assert store.session(1).score == grades[0].score  # a keyword session counts keyword

    md = run_mockint("--db", str(db), "export", "1", env=env_for(fake)).stdout
    assert "keyword ·" in md and "llm · fake-model" in md  # side by side
    exported = run_mockint("--db", str(db), "export", "1", "--format", "json", env=env_for(fake))
    assert TEST_KEY not in exported.stdout
    assert len(json.loads(exported.stdout)["sessions"][0]["turns"][0]["grades"]) == 2


def test_a_failing_llm_stores_nothing_and_says_so(fake: FakeLLM, tmp_path: Path) -> None:
    db, _ = offline_session(tmp_path)
    fake.default = Reply(status=500, error="model crashed")
    result = run_mockint("--db", str(db), "regrade", "1", "--grader", "llm", env=env_for(fake))
    assert result.returncode == 1
    assert "not regraded" in result.stderr and "Traceback" not in result.stderr
    assert [g.grader for g in Store(db).grades(1)] == ["keyword"]
