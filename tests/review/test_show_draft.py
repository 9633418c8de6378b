"""A session in progress keeps the draft of its unanswered turn (autosave): `mockint show`,
`show --json` and the transcript screen all show it, marked as an unsent draft, as plain text.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from cli_runner import run_cli
from review_factory import T0, Answer, add_session
from rich.console import Console
from screen_app import ScreenApp, settle
from textual.widgets import Static

from mockint.store import Store
from mockint.tui.screens.transcript import TranscriptScreen

# markup, an escape sequence and a bell: all must reach the terminal as plain text or not at all
DRAFT = "Sidecars do [bold]mTLS[/bold] \x1b[31mbetween\x07 pods\nand istiod rotates the certs"
SHOWN_FIRST = "Sidecars do [bold]mTLS[/bold] between pods"


def in_progress_with_draft(store: Store) -> tuple[int, int]:
    """sm-04 answered, sm-01 asked and not answered yet, its draft saved."""
    session = add_session(
        store,
        T0,
        {
            "sm-04": [Answer("How does mTLS work in a mesh?", "Both sides show certificates.", {})],
            "sm-01": [Answer("Define a service mesh.", None, {})],
        },
        status="in_progress",
    )
    open_turn = store.turns(session)[-1].id
    store.save_draft(session, open_turn, DRAFT)
    return session, open_turn


def test_show_prints_the_draft_as_plain_text(store: Store) -> None:
    session, _ = in_progress_with_draft(store)
    result = run_cli("show", str(session), db=store.path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out
    lines = out.splitlines()
    marker = next(i for i, line in enumerate(lines) if "unsent draft" in line)
    assert "Question sm-01" in "\n".join(lines[:marker])  # under the unanswered turn
    assert lines[marker + 1].endswith(SHOWN_FIRST), lines[marker + 1]
    assert lines[marker + 2].endswith("and istiod rotates the certs")
    assert not lines[marker + 1].lstrip().startswith(">")  # not shown as an answer
    # the results at the end say the same, not "skipped" (as the transcript's heading)
    assert "sm-01: not answered yet" in lines and not any("skipped" in line for line in lines)


def test_show_json_puts_the_draft_on_its_turn(store: Store) -> None:
    session, open_turn = in_progress_with_draft(store)
    result = run_cli("show", str(session), "--json", db=store.path)
    assert result.returncode == 0, result.stderr
    turns = json.loads(result.stdout)["turns"]
    by_id = {turn["id"]: turn for turn in turns}
    assert by_id[open_turn]["draft"]["text"] == DRAFT  # exact: JSON escapes the control bytes
    assert by_id[open_turn]["draft"]["saved_at"]
    assert by_id[open_turn]["answer"] is None
    assert [turn["draft"] for turn in turns if turn["id"] != open_turn] == [None]


def test_a_session_without_a_draft_shows_none(store: Store) -> None:
    session, _ = in_progress_with_draft(store)
    store.db.execute("DELETE FROM drafts")
    result = run_cli("show", str(session), db=store.path)
    assert "unsent draft" not in result.stdout and "(not answered yet)" in result.stdout
    data = json.loads(run_cli("show", str(session), "--json", db=store.path).stdout)
    assert all(turn["draft"] is None for turn in data["turns"])


async def test_the_transcript_screen_shows_the_same_draft(store: Store, tmp_path: Path) -> None:
    session, open_turn = in_progress_with_draft(store)
    app = ScreenApp(lambda: TranscriptScreen(store, session))
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.query_one(f"#turn-{open_turn}", Static).content)
        text = console.export_text()
    assert "Unsent draft" in text, text
    assert SHOWN_FIRST in text and "and istiod rotates the certs" in text
    assert "\x1b" not in text and "\x07" not in text


def test_the_markdown_export_shows_the_same_draft(store: Store) -> None:
    from mockint.review.markdown import render
    from mockint.review.transcript import load_transcript

    session, _ = in_progress_with_draft(store)
    text = render(load_transcript(store, session))
    assert "## 2. sm-01 — not answered yet" in text
    assert "**Unsent draft**" in text and "\x1b" not in text and "\x07" not in text
    assert "> and istiod rotates the certs" in text


async def test_a_session_in_progress_has_no_duration_yet(store: Store) -> None:
    """History shows "–" for a session that has not ended; the transcript and the Markdown
    export say the same rather than "0s"."""
    from mockint.review.markdown import render
    from mockint.review.transcript import load_transcript

    session, _ = in_progress_with_draft(store)
    assert "| Duration | – |" in render(load_transcript(store, session))
    app = ScreenApp(lambda: TranscriptScreen(store, session))
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        heading = str(app.screen.query_one("#transcript-header", Static).render())
    assert " · – · " in heading and " 0s " not in heading, heading
