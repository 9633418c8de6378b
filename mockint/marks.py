"""How a verdict, a red flag and a hire band look, on every screen and in every export.

One table of glyphs, and one tone per verdict and per band. A tone is a role, not a colour: the
TUI turns it into a theme variable ($success, $warning, $error), so every theme applies, and the
glyph carries the meaning where there is no colour (a monochrome terminal, a Markdown file).
The glyphs are narrow and have no emoji form, so columns line up in any terminal.
"""

from __future__ import annotations

from typing import Literal

Tone = Literal["success", "warning", "error"]

VERDICT_GLYPHS: dict[str, str] = {"covered": "✓", "partial": "~", "missed": "✗"}
VERDICT_TONES: dict[str, Tone] = {"covered": "success", "partial": "warning", "missed": "error"}
# a point covered in other words (the semantic layer), not by the words the rubric lists
OTHER_WORDS_GLYPH = "≈"
RED_FLAG_GLYPH = "⚑"

BAND_TONES: dict[str, Tone] = {
    "strong hire": "success",
    "hire": "success",
    "lean hire": "warning",
    "no hire": "error",
    "strong no hire": "error",
}


def verdict_glyph(verdict: str) -> str:
    """The verdict's glyph; '' for anything else (an empty cell: the grade did not judge it)."""
    return VERDICT_GLYPHS.get(verdict, "")


def verdict_label(verdict: str, *, other_words: bool = False) -> str:
    """'✓ covered', '✗ missed', '≈ covered' (in other words); '' for no verdict."""
    glyph = OTHER_WORDS_GLYPH if other_words and verdict == "covered" else verdict_glyph(verdict)
    return f"{glyph} {verdict}".strip()


def band_tone(band: str) -> Tone:
    return BAND_TONES.get(band, "error")


def claim_label(claim: str) -> str:
    """A dispute's claim in words: 'covered' ("I covered this") or 'not covered'."""
    return "covered" if claim == "covered" else "not covered"


# What each grader that needs no model reads, as the home screen and `doctor` describe it.
OFFLINE_GRADERS = {"offline": "keywords and meaning", "keyword": "words only"}


def grader_text(grader: str, model: str | None = None) -> str:
    """'keyword', or 'llm · gpt-4o-mini': which grader made a grade, named the same way in the
    transcript, history, exports, `show` and `grade`."""
    return f"{grader} · {model}" if model else grader
