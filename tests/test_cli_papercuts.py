"""What the quick commands import: neither the store (sqlite-utils) nor the TUI nor openai.

`mockint --version`, `paths` and `packs list` are what people run to check an install and what
scripts call; they must not pay for the database layer they never use.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_cli

HEAVY = ("sqlite_utils", "mockint.store", "textual", "openai")

PROBE = """
import json, sys
from mockint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps([name for name in {heavy!r} if name in sys.modules]), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["paths"], ["packs", "list"]], ids=" ".join)
def test_quick_commands_do_not_import_the_store(args: list[str], isolated_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip(), result.stderr
    imported = json.loads(result.stderr.strip().splitlines()[-1])
    assert imported == [], f"mockint {' '.join(args)} imported {imported}"


def test_the_probe_sees_the_store_when_a_command_opens_it(isolated_home: Path) -> None:
    """The check above can fail: `history` opens the database and so imports the store; but
    not numpy, which sqlite-utils would load (0.1 s) only to map numpy types mockint never
    stores."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=(*HEAVY, "numpy", "pandas")), "history"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    imported = json.loads(result.stderr.strip().splitlines()[-1])
    assert "sqlite_utils" in imported and "mockint.store" in imported
    assert "numpy" not in imported and "pandas" not in imported
    # numpy itself still works afterwards (the offline grader needs it)
    check = "import mockint.store, numpy; print(numpy.zeros(2).sum())"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True).stdout


def test_doctor_without_a_model_says_no_setup_is_needed_and_contacts_nothing() -> None:
    probe = PROBE.format(heavy=("openai", "mockint.grading.llm_client", "httpx"))
    result = subprocess.run(
        [sys.executable, "-c", probe, "doctor"], capture_output=True, text=True, timeout=60
    )
    assert "grades offline" in result.stdout and "needs no setup" in result.stdout
    assert "DNS" not in result.stdout + result.stderr and "not ready" not in result.stdout
    # no client was even built: nothing could have been contacted
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    as_json = run_cli("doctor", "--json")
    assert as_json.returncode == 0
    report = json.loads(as_json.stdout)
    assert report["llm_configured"] is False and report["grader"] == "offline"


def test_the_resume_hint_names_the_program_that_was_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockint.cli.launch import command_name

    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    program = venv / "mockint"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(sys, "argv", [str(program)])
    # after the quick start the virtual environment is not on PATH: say the path
    assert command_name() == ".venv/bin/mockint"
    monkeypatch.setenv("PATH", f"{venv}:/usr/bin:/bin")
    assert command_name() == "mockint"  # activated: plain mockint finds this same program
    monkeypatch.setattr(sys, "argv", ["mockint"])
    assert command_name() == "mockint"


def test_history_counts_answers_not_skips_and_widens_the_id_column(
    store, service_mesh, db_path: Path
) -> None:
    from fake_grader import TermGrader

    from mockint.interview import Interview, InterviewOptions

    skipped = Interview.start(store, service_mesh, TermGrader(), InterviewOptions(questions=3))
    for _ in range(3):
        skipped.skip()
    skipped.finish()
    answered = Interview.start(
        store, service_mesh, TermGrader(), InterviewOptions(questions=2, max_follow_ups=0)
    )
    answered.advance(answered.grade(answered.submit("sidecar proxies and mtls")))
    answered.skip()
    answered.finish()
    with store.atomic():  # a five-digit id, as after 10,000 sessions
        store.db.execute(
            "INSERT INTO sessions (id, pack_id, started_at, grader) VALUES (12345, "
            "'service-mesh', '2030-01-01T00:00:00.000Z', 'keyword')"
        )

    rows = {row["id"]: row for row in json.loads(run_cli("history", "--json", db=db_path).stdout)}
    assert (rows[skipped.session_id]["answered"], rows[skipped.session_id]["questions"]) == (0, 3)
    assert (rows[answered.session_id]["answered"], rows[answered.session_id]["questions"]) == (1, 2)
    text = run_cli("history", db=db_path).stdout.splitlines()
    header, first, *rest = text
    assert first.startswith("12345  ")
    # every row lines up under the header, five-digit ids included
    columns = header.index("started")
    assert all(line[columns - 2 : columns] == "  " for line in text[1:])
    assert any(" 0/3 " in line for line in rest) and any(" 1/2 " in line for line in rest)
