"""`mockint run/resume/history/show` from the command line: clean errors before any screen
opens, the JSON shapes scripts rely on, and no openai import on the keyword path."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cli_runner import CliResult
from cli_runner import run_cli as mockint
from fake_grader import TermGrader

from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack
from mockint.store import Store


def assert_one_line_error(result: CliResult, *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]
    assert result.stdout == ""  # no screen was drawn


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "--pack", "nope"], ["no pack with id 'nope'"]),
        (["run"], ["Missing option", "--pack"]),
        (["run", "--pack", "service-mesh", "--questions", "0"], ["from 1 to 15"]),
        (["run", "--pack", "service-mesh", "-n", "99"], ["from 1 to 15"]),
        (["run", "--pack", "service-mesh", "-n", "abc"], ["not a valid integer"]),
        (["run", "--pack", "service-mesh", "--grader", "gpt"], ["--grader"]),
        (["run", "--pack", "service-mesh", "--grader", "llm"], ["needs a model"]),
        (["run", "--pack", "service-mesh", "--minutes", "0"], ["--minutes"]),
        (["run", "--pack", "service-mesh", "--follow-ups", "9"], ["--follow-ups"]),
        (["run", "--pack", "service-mesh", "--bogus"], ["No such option"]),
        (["run", "--pack", "service-mesh", "--question", "sm-99"], ["no question sm-99"]),
        (["run", "--pack", "service-mesh", "--tag", "nope"], ["tagged 'nope'", "security"]),
        (["run", "--pack", "service-mesh", "--tag", "mtls", "--due"], ["--due and --tag"]),
        (["run", "--pack", "service-mesh", "--due"], ["none of its 15 questions"]),
        (["run", "--pack", "service-mesh", "--question", "sm-01", "-n", "3"], ["--questions"]),
        (["resume"], ["no interrupted session"]),
        (["resume", "42"], ["no session 42"]),
        (["show", "42"], ["no session 42"]),
        (["show", "x"], ["not a valid integer"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needles: list[str], tmp_path) -> None:
    assert_one_line_error(mockint(*args, db=tmp_path / "m.db"), *needles)


def test_resume_refuses_a_finished_session(store: Store, service_mesh: Pack, db_path) -> None:
    interview = Interview.start(store, service_mesh, TermGrader(), InterviewOptions(questions=1))
    interview.abandon()
    result = mockint("resume", str(interview.session_id), db=db_path)
    assert_one_line_error(result, "abandoned")


def play(store: Store, pack: Pack, answers: list[str], finish: bool = True) -> int:
    options = InterviewOptions(questions=2, seed=3, max_follow_ups=1)
    interview = Interview.start(store, pack, TermGrader(), options)
    for text in answers:
        if interview.done:
            break
        turn_id = interview.submit(text)
        interview.advance(interview.grade(turn_id))
    if finish and interview.done:
        interview.finish()
    return interview.session_id


def test_history_and_show_json(store: Store, service_mesh: Pack, db_path: Path) -> None:
    done = play(store, service_mesh, ["sidecar proxy and mtls"] * 4)
    open_id = play(store, service_mesh, ["envoy"], finish=False)

    result = mockint("history", "--json", db=db_path)
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    for row in rows.values():
        for key in ("id", "pack", "started_at", "status", "questions", "score", "grader"):
            assert key in row
    assert rows[done]["status"] == "completed" and rows[done]["score"] is not None
    assert rows[open_id]["status"] == "in_progress" and rows[open_id]["score"] is None
    assert rows[done]["pack"] == "service-mesh" and rows[done]["questions"] == 2

    text = mockint("history", db=db_path)
    assert text.returncode == 0 and "in_progress" in text.stdout and "completed" in text.stdout

    shown = mockint("show", str(done), "--json", db=db_path)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["id"] == done and data["status"] == "completed" and data["pack"] == "service-mesh"
    kinds = {turn["kind"] for turn in data["turns"]}
    assert "main" in kinds and kinds <= {"main", "follow_up"}
    for turn in data["turns"]:
        for key in ("kind", "question_id", "prompt", "answer", "started_at", "submitted_at"):
            assert key in turn
        for grade in turn["grades"]:
            assert {"grader", "score", "band", "points"} <= set(grade)
            assert grade["grader"] == "keyword"
    assert [r["question_id"] for r in data["results"]] == data["question_ids"]

    readable = mockint("show", str(done), db=db_path)
    assert readable.returncode == 0 and "Question" in readable.stdout
    follow_ups = [t for t in data["turns"] if t["kind"] == "follow_up" and t["grades"]]
    assert follow_ups, "the scripted answers leave points for a follow-up to probe"
    lines = readable.stdout.splitlines()
    for turn in follow_ups:
        # a follow-up is labelled by the points it probes, never scored over the whole rubric
        at = lines.index(f"Follow-up {turn['question_id']}: {turn['prompt']}")
        grade_line = next(line for line in lines[at:] if line.startswith("  keyword"))
        assert "counts for the probed points only: " + turn["probes"][0] in grade_line
        assert "/ 10" not in grade_line


def test_history_on_an_empty_database(tmp_path: Path) -> None:
    result = mockint("history", "--json", db=tmp_path / "new.db")
    assert result.returncode == 0 and json.loads(result.stdout) == []


SESSION_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from mockint.cli.main import Context
    from mockint.tui.app import default_grader_factory, make_app
    from mockint.tui.requests import NewSession
    from mockint.interview import InterviewOptions
    from mockint.packs import resolve_pack

    async def main():
        ctx = Context(db_override=Path(sys.argv[1]))
        pack, _ = resolve_pack("service-mesh")
        options = InterviewOptions(questions=1, seed=1, max_follow_ups=0)
        request = NewSession(pack, options, ctx.settings.active_grader)
        app = make_app(ctx.settings, ctx.store(), default_grader_factory(ctx.settings),
                       start=request, cursor_blink=False)
        async with app.run_test() as pilot:
            deadline = time.monotonic() + 60  # generous: CI machines can be busy
            while getattr(app.screen, "phase", "") != "answering":
                assert time.monotonic() < deadline, "the question never appeared"
                await pilot.pause(0.05)
            app.screen.editor.insert("The sidecar proxy keeps routing with cached config.")
            await pilot.press("ctrl+s")
            while type(app.screen).__name__ != "ScorecardScreen":
                assert time.monotonic() < deadline, "the scorecard never appeared"
                await pilot.pause(0.05)
            print(type(app.screen).__name__, "openai" in sys.modules)

    asyncio.run(main())
    """
)


def test_keyword_session_with_the_real_grader_never_imports_openai(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SESSION_SCRIPT, str(tmp_path / "m.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ScorecardScreen", "False"]


def test_show_sums_llm_usage_per_session(store: Store, service_mesh: Pack, db_path: Path) -> None:
    from mockint.grading.base import Usage

    class CountingGrader(TermGrader):
        """Stands in for an LLM: its grades carry token counts and model time."""

        name = "llm"

        def grade(self, question, answer):
            grade = super().grade(question, answer)
            grade.model, grade.endpoint = "tiny", "http://127.0.0.1:9/v1"
            grade.usage = Usage(prompt_tokens=1000, completion_tokens=200, latency_ms=1500)
            return grade

    interview = Interview.start(
        store,
        service_mesh,
        CountingGrader(),
        InterviewOptions(questions=1, seed=1, max_follow_ups=1),
    )
    while not interview.done:
        turn_id = interview.submit("sidecar proxy and mtls")
        interview.advance(interview.grade(turn_id))
    interview.finish()
    graded_turns = len(store.turns(interview.session_id))

    data = json.loads(mockint("show", str(interview.session_id), "--json", db=db_path).stdout)
    assert data["usage"] == {
        "prompt_tokens": 1000 * graded_turns,
        "completion_tokens": 200 * graded_turns,
        "model_seconds": round(1.5 * graded_turns, 1),
    }
    first = data["turns"][0]["grades"][0]
    assert (first["model"], first["prompt_tokens"], first["latency_ms"]) == ("tiny", 1000, 1500)
    text = mockint("show", str(interview.session_id), db=db_path).stdout
    assert f"{1000 * graded_turns} prompt + {200 * graded_turns} completion tokens" in text
