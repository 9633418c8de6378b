"""Verdicts, bands and highlights on screen, in the colours of the theme in use.

`mockint.marks` gives each verdict and band a glyph and a tone (success, warning, error); here
a tone becomes a theme variable ("bold $success"), so the dark and the light theme, and any
other picked from the palette, apply everywhere. Textual `Content` takes these styles as they
are; the review screens build Rich `Text` and tables (DataTable cells, grade tables), so
`rich_style` resolves a style against the theme in use, and those screens draw again when the
theme changes (`redraw_on_theme_change`).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style as RichStyle
from textual.content import Content
from textual.dom import DOMNode

from mockint.marks import (
    OTHER_WORDS_GLYPH,
    RED_FLAG_GLYPH,
    VERDICT_TONES,
    band_tone,
    verdict_glyph,
)

# the evidence words in an answer, by what they earned
EVIDENCE_STYLES: dict[str, str] = {
    "covered": "bold underline $success",
    "partial": "underline $warning",
    # said in other words (the semantic layer): the sentence, not words found as keywords
    "semantic": "italic $success",
    "red_flag": "bold strike $error",
}

# highlights that are not verdicts
MATCH_STYLE = "bold $warning"  # a search hit in a snippet
CHART_STYLE = "$accent"  # sparklines and bar charts
FLAG_STYLE = "$error"  # a red flag's text and penalty
NOTE_STYLE = "$warning"  # a grader's note


def verdict_style(verdict: str, *, bold: bool = True) -> str:
    """'bold $success' for covered, ... ; '' for no verdict."""
    tone = VERDICT_TONES.get(verdict)
    if tone is None:
        return ""
    return f"bold ${tone}" if bold else f"${tone}"


def band_style(band: str) -> str:
    return f"bold ${band_tone(band)}"


def delta_style(delta: float) -> str:
    """A regrade's score difference: up is good news, down is not."""
    return "$success" if delta >= 0 else "$error"


def verdict_mark(verdict: str, *, other_words: bool = False) -> Content:
    """The verdict's glyph in its tone; ≈ for a point covered in other words."""
    if other_words and verdict == "covered":
        return Content.styled(OTHER_WORDS_GLYPH, "bold $success")
    return Content.styled(verdict_glyph(verdict), verdict_style(verdict))


def red_flag_mark() -> Content:
    return Content.styled(RED_FLAG_GLYPH, f"bold {FLAG_STYLE}")


def rich_style(node: DOMNode, style: str) -> RichStyle:
    """A Textual style such as 'bold $success', as a Rich style in the theme in use."""
    if not style:
        return RichStyle.null()
    return node.app.stylesheet.parse_style(style).rich_style


def redraw_on_theme_change(node: DOMNode, redraw: Callable[[], object]) -> None:
    """Call `redraw` after each theme change: Rich text holds resolved colours."""
    node.app.theme_changed_signal.subscribe(node, lambda _theme: redraw())
