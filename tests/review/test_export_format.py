"""`mockint export -o FILE` writes what the file's name says: JSON into a .json file, Markdown
into .md/.markdown, Markdown when the suffix says nothing. `--format` contradicting the suffix is
refused in one line before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_cli
from review_factory import T0, mtls_session

from mockint.store import Store


@pytest.fixture
def db(store: Store) -> Path:
    mtls_session(store, T0)
    return store.path


def is_export_json(path: Path) -> bool:
    try:
        return json.loads(path.read_text())["format"] == "mockint-sessions"
    except ValueError:
        return False


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("x.json", "json"),
        ("X.JSON", "json"),
        ("x.md", "md"),
        ("notes.markdown", "md"),
        ("x.txt", "md"),  # a suffix that names no format: the default
        ("x", "md"),
    ],
)
def test_the_suffix_chooses_the_format(db: Path, tmp_path: Path, name: str, fmt: str) -> None:
    output = tmp_path / name
    result = run_cli("export", "1", "-o", str(output), db=db)
    assert result.returncode == 0, result.stderr
    assert is_export_json(output) == (fmt == "json")
    if fmt == "md":
        assert output.read_text().startswith("# ")
    assert result.stderr.strip() == f"Wrote {output} (1 session, {fmt})."


def test_a_json_file_written_by_its_suffix_imports(db: Path, tmp_path: Path) -> None:
    output = tmp_path / "backup.json"
    assert run_cli("export", "1", "-o", str(output), db=db).returncode == 0
    result = run_cli("import", str(output), db=tmp_path / "other.db")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("fmt", "name"), [("json", "x.txt"), ("md", "x.txt"), ("json", "x")])
def test_an_explicit_format_into_a_file_that_names_none(
    db: Path, tmp_path: Path, fmt: str, name: str
) -> None:
    output = tmp_path / name
    assert run_cli("export", "1", "--format", fmt, "-o", str(output), db=db).returncode == 0
    assert is_export_json(output) == (fmt == "json")


@pytest.mark.parametrize(
    ("fmt", "name", "right"),
    [("md", "x.json", "x.md"), ("json", "x.md", "x.json"), ("json", "x.markdown", "x.json")],
)
def test_a_format_contradicting_the_suffix_is_refused(
    db: Path, tmp_path: Path, fmt: str, name: str, right: str
) -> None:
    output = tmp_path / name
    output.write_text("kept\n")  # a file already there is not touched either
    result = run_cli("export", "1", "--format", fmt, "-o", str(output), db=db)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mockint: {output}: --format {fmt} would")
    assert f"name the file {right}" in lines[0]
    assert output.read_text() == "kept\n"
    assert result.stdout == ""


def test_agreeing_format_and_suffix_and_standard_output(db: Path, tmp_path: Path) -> None:
    output = tmp_path / "x.json"
    assert run_cli("export", "1", "--format", "json", "-o", str(output), db=db).returncode == 0
    assert is_export_json(output)
    printed = run_cli("export", "1", db=db)
    assert printed.returncode == 0 and printed.stdout.startswith("# ")
    assert json.loads(run_cli("export", "1", "--format", "json", db=db).stdout)["sessions"]
