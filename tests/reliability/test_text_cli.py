"""Hostile text through the command line and the exports: `show`, `search`, `history`,
`stats`, `packs`, error lines, the Markdown and JSON exports (all as real processes), and the
pane title of a real terminal after `show` printed an OSC sequence."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cli_runner import assert_one_line_error
from cli_runner import run_cli as mockint
from helpers import finished_session
from hostile import (
    ESCAPES,
    HOSTILE,
    MARKUP,
    assert_clean,
    broken_pack_toml,
    hostile_pack_toml,
)
from tmux_terminal import Terminal, installed_mockint, needs_tmux, terminal_env

from mockint import locations
from mockint.packs import parse_pack
from mockint.review import export
from mockint.store import Store


@pytest.fixture
def hostile_db(tmp_path: Path) -> tuple[Path, int]:
    """A database holding an imported session whose every string is hostile."""
    source = Store(tmp_path / "source.db")
    pack = parse_pack(hostile_pack_toml(), "hostile.toml")
    session_id = finished_session(
        source, pack, f"it is magic\n{HOSTILE}\n# heading\n<script>x</script>", note=HOSTILE
    )
    document = json.loads(export.to_json(export.export_document(source, [session_id])))
    source.close()
    session = document["sessions"][0]
    session["pack_id"] = "p|`x`</td><h1>" + ESCAPES  # an import can set it to anything
    session["pack_title"] = HOSTILE
    session["model"] = "m[/]" + ESCAPES
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document))
    db = tmp_path / "target.db"
    result = mockint("import", str(path), db=db)
    assert result.returncode == 0, result.stderr
    return db, Store(db).sessions()[0].id


def test_show_history_search_stats_print_no_control_bytes(hostile_db) -> None:
    db, session_id = hostile_db
    for args in (
        ("show", str(session_id)),
        ("history",),
        ("search", "magic"),
        ("search", "caches"),
        ("stats",),
        ("show", str(session_id), "--json"),
        ("history", "--json"),
        ("search", "magic", "--json"),
    ):
        result = mockint(*args, db=db)
        assert result.returncode == 0, (args, result.stderr)
        assert_clean(result.stdout)
        assert_clean(result.stderr)
        assert "Traceback" not in result.stderr
    shown = mockint("show", str(session_id), db=db).stdout
    assert MARKUP in shown  # the text is shown as written, only without its escapes
    assert "p|`x`</td><h1>" in mockint("history", db=db).stdout
    data = json.loads(mockint("show", str(session_id), "--json", db=db).stdout)
    assert data["turns"][0]["grades"][0]["note"] == HOSTILE  # JSON escapes; the data is exact


def test_markdown_export_escapes_structure_and_strips_controls(hostile_db, tmp_path) -> None:
    db, session_id = hostile_db
    out = tmp_path / "out.md"
    result = mockint("export", str(session_id), "--format", "md", "-o", str(out), db=db)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert_clean(text)
    assert "<h1>" not in text and "</td>" not in text and "<script>" not in text
    assert "\\<h1\\>" in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert len(headings) == 2, headings  # the title and one question: nothing injected
    assert all(line.startswith(("# Interview:", "## 1.")) for line in headings)
    table_rows = [line for line in text.splitlines() if line.startswith("| Pack |")]
    assert table_rows and table_rows[0].count(" | ") == 1  # the | in pack_id is escaped
    assert "`" not in table_rows[0].replace("\\`", "")


def test_exports_and_data_folders_are_private(hostile_db, tmp_path) -> None:
    db, session_id = hostile_db
    for fmt in ("md", "json"):
        out = tmp_path / "new" / f"out.{fmt}"
        out.parent.mkdir(exist_ok=True)
        result = mockint("export", str(session_id), "--format", fmt, "-o", str(out), db=db)
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    json_text = (tmp_path / "new" / "out.json").read_text()
    assert "\x1b" not in json_text and "\x9b" not in json_text and "\\u009b" in json_text
    # a folder mockint creates for its data is 0700, parents included
    nested = tmp_path / "a" / "b" / "c.db"
    assert mockint("history", db=nested).returncode == 0
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert stat.S_IMODE(nested.stat().st_mode) == 0o600


def test_data_folder_made_by_the_llm_mode_cache_is_private(isolated_home) -> None:
    from mockint.grading.llm_client import Mode, ModeCache

    cache = ModeCache(locations.data_dir() / "llm-modes.json")
    cache.set("http://x/v1|m", next(iter(Mode)))
    assert stat.S_IMODE(locations.data_dir().stat().st_mode) == 0o700
    assert stat.S_IMODE((locations.data_dir() / "llm-modes.json").stat().st_mode) == 0o600


def test_packs_list_show_and_errors_print_no_control_bytes(isolated_home, tmp_path) -> None:
    folder = locations.user_packs_dir()
    folder.mkdir(parents=True)
    (folder / "hostile.toml").write_text(hostile_pack_toml())
    broken = folder / "broken.toml"
    broken.write_text(broken_pack_toml("x\x1b]0;t\x07[/]"))
    for args in (
        ("packs", "list"),
        ("packs", "show", "hostile"),
        ("packs", "show", "--json", "hostile"),
    ):
        result = mockint(*args)
        assert result.returncode == 0, result.stderr
        assert_clean(result.stdout)
        assert_clean(result.stderr)
    assert MARKUP in mockint("packs", "list").stdout
    line = assert_one_line_error(mockint("run", "--pack", str(broken)), "[/]", "broken.toml")
    assert_clean(line)
    validate = mockint("packs", "validate", str(broken))
    assert validate.returncode == 2 and "Traceback" not in validate.stderr
    assert_clean(validate.stderr)


@needs_tmux
def test_show_in_a_real_terminal_keeps_the_pane_title(hostile_db, tmp_path) -> None:
    db, session_id = hostile_db
    terminal = Terminal(tmp_path, terminal_env(tmp_path, db))
    try:
        terminal.start(f"printf '\\033]2;before\\007'; {installed_mockint()} show {session_id}")
        screen = terminal.wait_for_text("EXIT=0")
        assert "Arrays [easy] [/]" in screen
        assert terminal.title() == "before"  # the OSC 0 in the data did not retitle the pane
    finally:
        terminal.close()
