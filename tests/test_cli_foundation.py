"""The command line as a user runs it: exit codes, JSON shapes and clear errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from cli_runner import CliResult
from fixture_packs import pack_path

RunCli = Callable[..., CliResult]


def test_version_and_help(run_cli: RunCli) -> None:
    assert "mockint, version" in run_cli("--version").stdout
    result = run_cli("packs", "show", "--help")
    assert result.returncode == 0 and "Example" in result.stdout


def test_packs_show_json_has_all_questions(run_cli: RunCli) -> None:
    result = run_cli("packs", "show", "service-mesh", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "service-mesh" and data["title"]
    assert len(data["questions"]) == 15
    first = data["questions"][0]
    for key in ("id", "text", "rubric", "follow_ups", "red_flags"):
        assert key in first
    assert first["rubric"][0]["terms"]


def test_packs_list_shows_builtin(run_cli: RunCli) -> None:
    result = run_cli("packs", "list", "--json")
    assert result.returncode == 0
    assert any(row["id"] == "service-mesh" for row in json.loads(result.stdout))


def test_validate_broken_pack_names_file_and_field(tmp_path: Path, run_cli: RunCli) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[pack]\nid = "b"\ntitle = "B"\n[[questions]]\nid = "q9"\ntext = "Why?"\n'
        '[[questions.rubric]]\nid = "p"\ndescription = "d"\nweight = -1\nterms = ["x"]\n'
    )
    good = pack_path("minimal")
    result = run_cli("packs", "validate", str(good), str(broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(broken) in result.stderr and "'q9'" in result.stderr
    assert "rubric[0].weight" in result.stderr
    assert f"ok: {good}" in result.stdout


def test_unknown_pack_is_a_clean_error(run_cli: RunCli) -> None:
    result = run_cli("packs", "show", "nope")
    assert result.returncode == 2
    assert "no pack with id 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_paths_follow_db_override(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("--db", str(tmp_path / "x.db"), "paths", "--json")
    data = json.loads(result.stdout)
    assert data["database"] == str(tmp_path / "x.db")
    assert Path(data["builtin_packs"], "service-mesh.toml").is_file()
    assert Path(data["prompts"]).is_dir()


def test_bad_config_file_is_a_clean_error(isolated_home: Path, run_cli: RunCli) -> None:
    config = isolated_home / "config" / "mockint" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("questions = 'many'\n")
    result = run_cli("paths")
    assert result.returncode == 2
    assert "config.toml" in result.stderr and "questions" in result.stderr
    assert "Traceback" not in result.stderr
