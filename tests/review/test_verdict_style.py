"""One look for verdicts and bands: the same glyphs on every screen and in the Markdown export,
and the colours of the theme in use (switching theme recolours the review screens)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from review_factory import T0, mtls_session
from rich.color import Color as RichColor
from rich.console import Console
from rich.text import Text
from screen_app import FIXED_NOW, ScreenApp, settle
from textual.color import Color
from textual.widgets import DataTable, Static

from mockint.grading.base import BANDS, Grade, PointVerdict, finalize
from mockint.marks import BAND_TONES, VERDICT_GLYPHS, verdict_label
from mockint.review.markdown import render
from mockint.review.transcript import load_transcript
from mockint.store import Store
from mockint.tui.screens.history import HistoryScreen
from mockint.tui.screens.review_common import ReviewDeps
from mockint.tui.screens.search import SearchScreen
from mockint.tui.screens.stats import StatsScreen
from mockint.tui.screens.transcript import TranscriptScreen

# a theme whose success, warning and error differ from textual-dark's (textual-light shares them)
DARK, LIGHT = "textual-dark", "nord"


def deps(tmp_path: Path) -> ReviewDeps:
    return ReviewDeps(export_dir=tmp_path / "exports", now=lambda: FIXED_NOW)


def colour_of(text: object, fragment: str) -> tuple[int, int, int] | None:
    """The foreground colour `fragment` is drawn in, in `text` (its base style or a span)."""
    assert isinstance(text, Text)
    start = text.plain.index(fragment)
    styles = [text.style] + [s.style for s in text.spans if s.start <= start < s.end]
    colours: list[RichColor] = [
        style.color for style in styles if not isinstance(style, str) and style.color is not None
    ]
    return tuple(colours[-1].get_truecolor()) if colours else None  # type: ignore[return-value]


def theme_colour(app: ScreenApp, variable: str) -> tuple[int, int, int]:
    return Color.parse(app.theme_variables[variable]).rgb


def test_every_band_has_a_tone_and_every_verdict_a_glyph() -> None:
    assert set(BAND_TONES) == {name for _, name in BANDS}
    assert set(VERDICT_GLYPHS) == {"covered", "partial", "missed"}
    assert len(set(VERDICT_GLYPHS.values())) == 3
    assert verdict_label("covered") == "✓ covered" and verdict_label("") == ""


def test_the_markdown_export_uses_the_same_glyphs(store: Store) -> None:
    session = mtls_session(store, T0)
    markdown = render(load_transcript(store, session))
    assert "| ✓ covered |" in markdown and "✗ missed" in markdown
    assert "\\~ partial" in markdown  # escaped: a ~ never starts a strikethrough
    assert "⚑ −" in markdown
    assert not {"✔", "◐", "✘"} & set(markdown)


def semantic_regrade(store: Store, session: int) -> int:
    """A second grade of the first answer that found its identity point in other words."""
    turn = store.turns(session)[0]
    points = [
        PointVerdict(
            "identity", "covered", 2.0, description="Workload identity", source="semantic"
        ),
        PointVerdict("rotation", "missed", 1.5, description="Cert rotation"),
    ]
    store.add_grade(turn.id, finalize(Grade(turn.question_id, "offline", points)))
    return turn.id


def test_a_point_covered_in_other_words_shows_as_on_the_scorecard(
    store: Store, tmp_path: Path
) -> None:
    session = mtls_session(store, T0)
    semantic_regrade(store, session)
    markdown = render(load_transcript(store, session))
    row = next(line for line in markdown.splitlines() if line.startswith("| Workload identity"))
    # the first grade found it by its words, the regrade in other words
    assert row.endswith("| ✓ covered | ≈ covered |")


async def test_the_transcript_marks_other_words_too(store: Store, tmp_path: Path) -> None:
    session = mtls_session(store, T0)
    turn_id = semantic_regrade(store, session)
    app = ScreenApp(lambda: TranscriptScreen(store, session, deps=deps(tmp_path)))
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        block = app.screen.query_one(f"#turn-{turn_id}", Static)
        console = Console(width=110, record=True, file=io.StringIO())
        console.print(block.content)
        line = next(x for x in console.export_text().splitlines() if "Workload identity" in x)
        assert "✓ covered" in line and "≈ covered" in line


async def test_the_transcript_follows_the_theme(store: Store, tmp_path: Path) -> None:
    session = mtls_session(store, T0)
    app = ScreenApp(lambda: TranscriptScreen(store, session, deps=deps(tmp_path)))
    async with app.run_test(size=(110, 40)) as pilot:
        app.theme = DARK
        await settle(pilot)
        header = app.screen.query_one("#transcript-header", Static).content
        band = app.screen.transcript.band  # type: ignore[attr-defined]
        tone = BAND_TONES[band]
        fragment = f" / 10 {band}"
        dark = theme_colour(app, tone)
        assert colour_of(header, fragment) == dark

        app.theme = LIGHT
        await settle(pilot)
        light = theme_colour(app, tone)
        assert light != dark
        header = app.screen.query_one("#transcript-header", Static).content
        assert colour_of(header, fragment) == light


async def test_history_scores_follow_the_theme(store: Store, tmp_path: Path) -> None:
    mtls_session(store, T0)
    app = ScreenApp(lambda: HistoryScreen(store, deps=deps(tmp_path)))
    async with app.run_test(size=(110, 30)) as pilot:
        app.theme = DARK
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        row = table.get_row_at(0)
        score, band = row[4], str(row[5])
        tone = BAND_TONES[band]
        dark = theme_colour(app, tone)
        assert colour_of(score, str(score)) == dark
        app.theme = LIGHT
        await settle(pilot)
        score = table.get_row_at(0)[4]
        light = theme_colour(app, tone)
        assert light != dark
        assert colour_of(score, str(score)) == light


def drawn_colours(app: ScreenApp, renderable: object, chars: str) -> set[tuple[int, int, int]]:
    """The colours the characters in `chars` are drawn in, when `renderable` is printed."""
    console = Console(width=110, color_system="truecolor", file=io.StringIO())
    colours = set()
    for segment in console.render(renderable):  # type: ignore[arg-type]
        style = segment.style
        if style and style.color and any(c in segment.text for c in chars):
            colours.add(tuple(style.color.get_truecolor()))
    return colours  # type: ignore[return-value]


async def test_stats_and_search_follow_the_theme(store: Store, tmp_path: Path) -> None:
    mtls_session(store, T0)
    mtls_session(store, T0 + timedelta(days=1))
    stats = ScreenApp(lambda: StatsScreen(store, deps=deps(tmp_path)))
    async with stats.run_test(size=(110, 40)) as pilot:
        stats.theme = DARK
        await settle(pilot)
        content = stats.screen.query_one("#stats-content", Static).content
        dark = theme_colour(stats, "accent")
        assert drawn_colours(stats, content, "▁▂▃▄▅▆▇█") == {dark}
        stats.theme = LIGHT
        await settle(pilot)
        content = stats.screen.query_one("#stats-content", Static).content
        light = theme_colour(stats, "accent")
        assert light != dark and drawn_colours(stats, content, "▁▂▃▄▅▆▇█") == {light}

    search = ScreenApp(lambda: SearchScreen(store, deps=deps(tmp_path), query="SPIFFE"))
    async with search.run_test(size=(110, 30)) as pilot:
        search.theme = DARK
        await settle(pilot)
        table = search.screen.query_one(DataTable)
        dark = theme_colour(search, "warning")
        assert colour_of(table.get_row_at(0)[3], "SPIFFE") == dark
        search.theme = LIGHT
        await settle(pilot)
        light = theme_colour(search, "warning")
        assert light != dark and colour_of(table.get_row_at(0)[3], "SPIFFE") == light
