"""`mockint search | export | import | regrade | stats` as a user runs them, bad input included."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import CliResult, run_cli
from review_factory import T0, mtls_session

from mockint.store import Store


def mockint(db: Path, *args: str) -> CliResult:
    return run_cli(*args, db=db)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    store = Store(path)
    mtls_session(store, T0)
    store.close()
    return path


def _search_on_a_terminal(db: Path, **env: str) -> bytes:
    """`mockint search` with its output on a pseudo-terminal, as a person at a shell sees it."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "mockint", "--db", str(db), "search", "spiffe"],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    ) as process:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=60) == 0
    os.close(leader)
    return seen


def test_search_highlights_on_a_terminal_unless_no_color(db: Path) -> None:
    coloured = _search_on_a_terminal(db)
    assert b"\x1b[" in coloured and b"SPIFFE" in coloured
    plain = _search_on_a_terminal(db, NO_COLOR="1")
    assert b"\x1b[" not in plain and b"[SPIFFE]" in plain


def test_search_export_import_stats(db: Path, tmp_path: Path) -> None:
    found = mockint(db, "search", "spiffe", "--json")
    assert found.returncode == 0, found.stderr
    hit = json.loads(found.stdout)[0]
    assert hit["session_id"] == 1 and hit["turn_id"] == 1 and "**SPIFFE**" in hit["snippet"]
    text = mockint(db, "search", "spiffe")
    assert "session 1 · turn 1 · sm-04 question" in text.stdout and "[SPIFFE]" in text.stdout

    md = mockint(db, "export", "1")
    assert md.returncode == 0 and md.stdout.startswith("# Interview: Service meshes")
    out = tmp_path / "s1.json"
    assert mockint(db, "export", "1", "--format", "json", "-o", str(out)).returncode == 0
    other = tmp_path / "other.db"
    imported = mockint(other, "import", str(out))
    assert imported.returncode == 0 and "imported session 1 as 1" in imported.stdout
    again = mockint(other, "import", str(out), "--json")
    assert json.loads(again.stdout) == {"imported": {}, "skipped": {"1": 1}}

    stats = mockint(other, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    pack = json.loads(stats.stdout)["packs"][0]
    assert pack["pack_id"] == "service-mesh" and pack["sessions"] == 1
    assert "Rubric points missed most often" in mockint(other, "stats").stdout
    history = mockint(other, "stats", "--pack", "service-mesh", "--question", "sm-04")
    assert "service-mesh/sm-04: 1 attempts" in history.stdout
    schema = mockint(db, "export", "--schema")
    assert json.loads(schema.stdout)["title"] == "ExportDocument"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search",), "Missing argument"),
        (("search", "---"), "No such option"),
        (("search", "--", "?!"), "nothing to search for"),
        (("search", "mtls", "--since", "yesterday"), "use a date like"),
        (("export",), "give the id of a session"),
        (("export", "99"), "no session 99"),
        (("export", "abc"), "not a valid integer"),
        (("export", "1", "--format", "pdf"), "'pdf' is not one of"),
        (("export", "1", "-o", "/dev/null/x.md"), "cannot write"),  # unwritable even for root
        (("import", "/nonexistent.json"), "no such file"),
        (("regrade",), "give a session id or --pending"),
        (("regrade", "1", "--pending"), "give a session id or --pending"),
        (("regrade", "99", "--grader", "keyword"), "no session 99"),
        (("regrade", "1", "--grader", "llm"), "needs a model"),
        (("stats", "--question", "sm-04"), "--question needs --pack"),
        (("stats", "--last", "-1"), "not in the range"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(db: Path, args: tuple[str, ...], message: str) -> None:
    result = mockint(db, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_regrade_reports_a_follow_up_by_its_probed_points(db: Path) -> None:
    result = mockint(db, "regrade", "1", "--grader", "keyword")
    assert result.returncode == 0, result.stderr
    line = next(row for row in result.stdout.splitlines() if "follow-up" in row)
    assert "sm-04 follow-up: probed points: rotation covered → " in line, line
    main = next(row for row in result.stdout.splitlines() if "turn 1 sm-04:" in row)
    assert " → " in main and "probed" not in main


def test_regrade_with_the_keyword_grader_adds_grades(db: Path) -> None:
    result = mockint(db, "regrade", "1", "--grader", "keyword", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["items"]) == 3 and all(item["stored"] for item in data["items"])
    store = Store(db)
    assert [g.grader for g in store.grades(1)] == ["keyword", "keyword"]
    nothing = mockint(db, "regrade", "--pending")
    assert nothing.returncode == 0 and "Nothing to regrade" in nothing.stdout


def test_stats_without_sessions_suggests_a_command_that_runs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    result = mockint(empty, "stats")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("run --pack ID"), result.stdout
    # the suggestion, typed as shown, is accepted: `run` without --pack is not
    assert "Missing option" in mockint(empty, "run").stderr
    named = mockint(empty, "stats", "--pack", "service-mesh")
    assert named.stdout.rstrip().endswith("run --pack service-mesh"), named.stdout


def test_stats_of_one_session_says_one_session(db: Path) -> None:
    result = mockint(db, "stats")
    assert result.returncode == 0, result.stderr
    assert "— 1 completed session," in result.stdout
    assert "Last 1 session (0–10)" in result.stdout
    assert " 1 answer " in result.stdout and " 1 answers" not in result.stdout


def test_a_session_named_twice_is_exported_once(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "twice.json"
    result = mockint(db, "export", "1", "1", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "(1 session, json)" in result.stderr
    assert [s["id"] for s in json.loads(out.read_text())["sessions"]] == [1]
    markdown = mockint(db, "export", "1", "1", "--format", "md").stdout
    assert markdown.count("Exported from mockint session #1") == 1


def test_stats_of_a_pack_or_question_that_does_not_exist_is_one_line_error(
    tmp_path: Path, db: Path
) -> None:
    """A typo in --pack or --question is not "no sessions yet" (which offered to run it)."""
    empty = tmp_path / "empty.db"
    for args, needle in (
        (("stats", "--pack", "servce-mesh"), "no pack with id 'servce-mesh'"),
        (("stats", "--pack", "servce-mesh", "--json"), "no pack with id 'servce-mesh'"),
        (("stats", "--pack", "service-mesh", "--question", "sm-99"), "no question 'sm-99'"),
    ):
        result = mockint(empty, *args)
        assert result.returncode == 2, result
        assert result.stdout == "" and needle in result.stderr
        assert result.stderr.startswith("mockint: ") and len(result.stderr.splitlines()) == 1
    # a pack that exists, with no sessions yet, still says so
    named = mockint(empty, "stats", "--pack", "service-mesh", "--question", "sm-01")
    assert named.returncode == 0 and "No finished session" in named.stdout
    # stored sessions keep their stats even when their pack is not installed (any more)
    store = Store(db)
    mtls_session(store, T0, pack_id="retired-pack", pack_title="Retired")
    store.close()
    for args in (
        ("stats", "--pack", "retired-pack"),
        ("stats", "--pack", "retired-pack", "--json"),
    ):
        kept = mockint(db, *args)
        assert kept.returncode == 0 and "retired-pack" in kept.stdout, kept
