"""A session whose pack file changed or went away since: resuming says so plainly."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli
from fake_grader import TermGrader

from mockint.errors import UserError
from mockint.interview import Interview, InterviewOptions
from mockint.packs import load_pack
from mockint.session_plan import session_pack
from mockint.store import Store

QUESTION = """
[[questions]]
id = "{id}"
text = "Question {id}?"
[[questions.rubric]]
id = "point"
description = "Says the thing"
terms = ["thing"]
"""


def write_pack(path: Path, ids: list[str]) -> None:
    head = '[pack]\nid = "edited"\ntitle = "Edited pack"\n'
    path.write_text(head + "".join(QUESTION.format(id=i) for i in ids), encoding="utf-8")


def test_resuming_after_the_pack_lost_the_open_question_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "edited.toml"
    write_pack(path, ["a", "b"])
    store = Store(tmp_path / "m.db")
    options = InterviewOptions(questions=2, seed=1)
    interview = Interview.start(store, load_pack(path), TermGrader(), options, pack_path=str(path))
    asked = interview.question_ids[0]
    write_pack(path, [q for q in ("a", "b") if q != asked])  # the candidate edits the pack

    session = store.session(interview.session_id)
    assert session is not None
    with pytest.raises(UserError, match=f"no longer has question {asked}"):
        Interview.resume(store, session_pack(session), interview.session_id, TermGrader())
    store.close()


def test_resuming_after_the_pack_file_is_gone_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "edited.toml"
    write_pack(path, ["a", "b"])
    db = tmp_path / "m.db"
    store = Store(db)
    options = InterviewOptions(questions=2, seed=1)
    interview = Interview.start(store, load_pack(path), TermGrader(), options, pack_path=str(path))
    store.close()
    path.unlink()  # moved away or deleted

    result = run_cli("resume", str(interview.session_id), db=db)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert str(path) in message and "is missing" in message and "'edited'" in message
    # `resume` takes no pack: advice to give one would send the candidate nowhere
    assert "give an id or a .toml path" not in message
