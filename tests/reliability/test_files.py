"""Hostile files where mockint reads settings and packs: bad config values and encodings,
deeply nested TOML, pipes, a link to /dev/zero and huge files in the pack folder. Each is one
clear line (or a skipped pack), never a hang or a traceback; `packs list` and the home screen
stay quick. Real processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from cli_runner import assert_one_line_error, run_process
from cli_runner import run_cli as mockint
from tmux_terminal import Terminal, installed_mockint, needs_tmux, terminal_env

from mockint import locations


def config_env(tmp_path: Path, content: bytes | None = None, **extra: str) -> dict[str, str]:
    config = tmp_path / "config.toml"
    if content is not None:
        config.write_bytes(content)
    return {**os.environ, "MOCKINT_CONFIG": str(config), **extra}


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (b'base_url = "::::"\n', ["base_url", "http:// or https:// URL"]),
        (b'base_url = "ftp://example.com"\n', ["base_url", "http"]),
        (b"timeout = inf\n", ["timeout", "finite"]),
        (b"timeout = nan\n", ["timeout", "finite"]),
        (b"busy_timeout = -1\n", ["busy_timeout"]),
        ('model = "m"\n'.encode("utf-16"), ["UTF-16", "save the config file as UTF-8"]),
        (b'model = "\xff\xfe\xfa"\n', ["not UTF-8"]),
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", ["nested too deeply"]),
        (b"questions = 3\n" + b"# padding\n" * 200_000, ["too large"]),
    ],
    ids=["colons", "ftp", "inf", "nan", "negative", "utf16", "latin", "deep", "huge"],
)
def test_bad_config_files(tmp_path: Path, content: bytes, needles: list[str]) -> None:
    result = mockint("history", env=config_env(tmp_path, content))
    line = assert_one_line_error(result, *needles)
    assert "config.toml" in line


def test_bad_values_from_the_environment_and_flags_name_their_source(tmp_path: Path) -> None:
    env = config_env(tmp_path, None, OPENAI_BASE_URL="::::")
    assert_one_line_error(mockint("history", env=env), "OPENAI_BASE_URL", "base_url")
    env = config_env(tmp_path, None, MOCKINT_LLM_TIMEOUT="inf")
    assert_one_line_error(mockint("history", env=env), "MOCKINT_LLM_TIMEOUT")
    result = mockint(
        "regrade", "1", "--grader", "keyword", "--base-url", "::::", db=tmp_path / "m.db"
    )
    assert_one_line_error(result, "--base-url", "http")


def test_config_that_is_a_pipe_or_a_device(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert_one_line_error(
        run_process("history", env=config_env(tmp_path), timeout=30), "not a regular file"
    )
    fifo.unlink()
    fifo.symlink_to("/dev/zero")
    assert_one_line_error(
        run_process("history", env=config_env(tmp_path), timeout=30), "not a regular file"
    )
    assert time.monotonic() - started < 20


@pytest.fixture
def hostile_pack_folder(isolated_home: Path) -> Path:
    """The user pack folder with one good pack and every kind of bad file."""
    folder = locations.user_packs_dir()
    folder.mkdir(parents=True)
    (folder / "good.toml").write_text(
        '[pack]\nid = "good"\ntitle = "Good"\n[[questions]]\nid = "1"\ntext = "Why?"\n'
        'reference_answer = "Because caches keep copies close to the reader."\n'
    )
    os.mkfifo(folder / "fifo.toml")
    (folder / "zero.toml").symlink_to("/dev/zero")
    (folder / "loop.toml").symlink_to(folder / "loop.toml")
    (folder / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with (folder / "huge.toml").open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse
    (folder / "utf16.toml").write_bytes('[pack]\nid = "u"\n'.encode("utf-16"))
    return folder


def test_packs_list_and_validate_with_hostile_files(hostile_pack_folder: Path) -> None:
    started = time.monotonic()
    result = run_process("packs", "list", timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 0, result.stderr
    assert "good" in result.stdout and "Traceback" not in result.stderr
    warnings = result.stderr
    for name, needle in (
        ("fifo.toml", "not a regular file"),
        ("zero.toml", "not a regular file"),
        ("loop.toml", "cannot read"),
        ("deep.toml", "nested too deeply"),
        ("huge.toml", "too large"),
        ("utf16.toml", "UTF-16"),
    ):
        line = next((ln for ln in warnings.splitlines() if name in ln), "")
        assert needle in line, (name, warnings)
        validate = run_process("packs", "validate", str(hostile_pack_folder / name), timeout=30)
        assert validate.returncode == 2 and needle in validate.stderr, validate.stderr
        assert "Traceback" not in validate.stderr
    assert_one_line_error(
        run_process("run", "--pack", str(hostile_pack_folder / "fifo.toml"), timeout=30),
        "not a regular file",
    )


@needs_tmux
def test_home_screen_opens_with_hostile_files_in_the_pack_folder(
    hostile_pack_folder: Path, tmp_path: Path
) -> None:
    env = terminal_env(tmp_path, tmp_path / "m.db")
    home = Path(env["HOME"])
    target = home / "data" / "mockint" / "packs"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(hostile_pack_folder, target)
    terminal = Terminal(tmp_path, env)
    try:
        terminal.start(installed_mockint())
        screen = terminal.wait_for_text("Start", timeout=30)
        assert "Traceback" not in screen
        terminal.keys("C-q")
        terminal.wait_for_text("EXIT=0")
    finally:
        terminal.close()
