"""Credentials in an endpoint URL never reach the database, the terminal or an export.

An endpoint can carry a password (`user:pw@host`), a key in its query (`?api_key=…`) or a token
in its fragment. The store scrubs endpoints and settings as it writes them (an import included),
and everything that prints or serialises a stored session scrubs them again through the same
function (mockint.credentials), for a database written before that: here a real SQLite file
whose rows were given credentials directly.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cli_runner import run_cli
from review_factory import T0, mtls_session

from mockint.credentials import scrub_settings, scrub_url, url_secrets
from mockint.grading.base import Grade
from mockint.store import Store

PASSWORD = "pw-Hunter2-7c1d9a"
KEY = "sk-live-8f2e4b6a9d0c"
TOKEN = "tok-5e8a1f3b77"
SECRETS = (PASSWORD, KEY, TOKEN)
LEAKY = f"https://alice:{PASSWORD}@llm.example/v1?api_key={KEY}&api-version=2024-06-01#access_token={TOKEN}"
CLEAN = "https://llm.example/v1?api-version=2024-06-01"
LEAKY_SETTINGS = {"timed": True, "api_key": KEY, "llm": {"Authorization": f"Bearer {TOKEN}"}}


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def assert_no_secret_in_files(db: Path) -> None:
    for file in db.parent.glob(db.name + "*"):  # the database, its WAL and shared memory
        data = file.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, (file, secret)


@pytest.fixture
def older_db(tmp_path: Path) -> tuple[Path, int]:
    """A database holding credentials, as one written before the store scrubbed them: the
    rows are given them directly."""
    db = tmp_path / "older.db"
    store = Store(db)
    session_id = mtls_session(store, T0, model="gpt-test")
    store.close()
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE sessions SET endpoint = ?, settings = ?", [LEAKY, json.dumps(LEAKY_SETTINGS)]
        )
        connection.execute("UPDATE grades SET endpoint = ?, grader = 'llm'", [LEAKY])
    connection.close()
    assert KEY.encode() in db.read_bytes()  # the premise: the file does hold them
    return db, session_id


@pytest.mark.parametrize(
    "args",
    [
        ["show", "{id}"],
        ["show", "{id}", "--json"],
        ["history"],
        ["history", "--json"],
        ["export", "{id}"],
        ["export", "{id}", "--format", "json"],
        ["search", "mesh"],
        ["stats"],
    ],
    ids=" ".join,
)
def test_nothing_printed_from_an_older_database_carries_its_credentials(
    older_db: tuple[Path, int], args: list[str]
) -> None:
    db, session_id = older_db
    result = run_cli(*(a.format(id=session_id) for a in args), db=db)
    assert result.returncode == 0, result.stderr
    assert_no_secret(result.stdout + result.stderr)


def test_show_json_scrubs_like_the_export(older_db: tuple[Path, int]) -> None:
    db, session_id = older_db
    shown = json.loads(run_cli("show", str(session_id), "--json", db=db).stdout)
    document = run_cli("export", str(session_id), "--format", "json", db=db).stdout
    exported = json.loads(document)["sessions"][0]
    assert shown["endpoint"] == exported["endpoint"] == CLEAN
    assert shown["settings"] == exported["settings"] == {"timed": True, "llm": {}}
    grades = [g for turn in shown["turns"] for g in turn["grades"]]
    assert grades and {g["endpoint"] for g in grades} == {CLEAN}
    exported_grades = [g for turn in exported["turns"] for g in turn["grades"]]
    assert {g["endpoint"] for g in exported_grades} == {CLEAN}


def test_the_store_scrubs_what_it_is_given(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    store = Store(db)
    session_id = store.create_session(
        pack_id="p",
        pack_title="P",
        grader="llm",
        model="gpt-test",
        endpoint=LEAKY,
        question_ids=["q1"],
        settings=LEAKY_SETTINGS,
    )
    turn_id = store.start_turn(session_id, question_id="q1", kind="main", prompt="Why?", seq=1)
    grade = Grade(question_id="q1", grader="llm", points=[], model="gpt-test", endpoint=LEAKY)
    store.add_grade(turn_id, grade)
    store.update_session(session_id, endpoint=LEAKY, settings=json.dumps(LEAKY_SETTINGS))
    session = store.session(session_id)
    assert session is not None
    assert session.endpoint == CLEAN and session.settings == {"timed": True, "llm": {}}
    assert [g.endpoint for g in store.grades(turn_id)] == [CLEAN]
    store.close()
    assert_no_secret_in_files(db)


def test_an_import_carrying_credentials_stores_none(
    older_db: tuple[Path, int], tmp_path: Path
) -> None:
    """A hand-edited (or foreign) export file with credentials in its endpoints: the
    imported rows have them scrubbed."""
    db, session_id = older_db
    exported = json.loads(run_cli("export", str(session_id), "--format", "json", db=db).stdout)
    session = exported["sessions"][0]
    session["endpoint"], session["settings"] = LEAKY, LEAKY_SETTINGS
    for turn in session["turns"]:
        for grade in turn["grades"]:
            grade["endpoint"] = LEAKY
    document = tmp_path / "leaky.json"
    document.write_text(json.dumps(exported))
    target = tmp_path / "target.db"
    result = run_cli("import", str(document), db=target)
    assert result.returncode == 0, result.stderr
    assert_no_secret(result.stdout + result.stderr)
    assert_no_secret_in_files(target)
    shown = json.loads(run_cli("show", "1", "--json", db=target).stdout)
    assert shown["endpoint"] == CLEAN


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        (LEAKY, CLEAN),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("https://sk-abcdef123456@host/v1", "https://host/v1"),
        ("https://host/v1?key=AIzaSyA-secret&x=1", "https://host/v1?x=1"),
        ("https://host/v1?access_token=abc&monkey=1", "https://host/v1?monkey=1"),
        ("https://host/keys/sk-abcdef123456/v1", "https://host/keys/[redacted]/v1"),
        ("http://u:p4ssw0rd-xyz@[::1/v1?api_key=k", "http://[::1/v1"),  # not a valid URL
        (None, None),
        ("", ""),
    ],
)
def test_scrub_url(url: str | None, clean: str | None) -> None:
    assert scrub_url(url) == clean


def test_url_secrets_and_settings() -> None:
    assert set(url_secrets(LEAKY)) == {"alice", PASSWORD, KEY, TOKEN}
    assert url_secrets("http://127.0.0.1/v1?x=1") == []
    assert scrub_settings(LEAKY_SETTINGS) == {"timed": True, "llm": {}}
    assert scrub_settings([{"token": 1, "n": 2}]) == [{"n": 2}]
