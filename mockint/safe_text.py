"""Untrusted text made safe to show: no terminal control sequences, no raw control bytes.

Pack files, imported sessions, LLM replies and a candidate's own answers can all carry bytes a
terminal acts on: an ESC sequence recolours or clears the screen, an OSC sequence retitles the
window (or, in some terminals, writes the clipboard), a backspace or carriage return hides what
came before it. `safe_text` is the one gate every such string passes on its way to a screen,
the terminal (`show`, `search`, `history`, `stats`) or an export. Front ends add their own layer
on top (the TUI shows the result as plain content, never markup; the Markdown export escapes
what would become structure), but the control bytes are gone before either sees the text.

Kept: printable text of every script, newlines and tabs (answers are prose with paragraphs).
Removed: whole ESC/CSI/OSC/DCS sequences (so "\\x1b]0;pwned\\x07" leaves nothing behind, not
"]0;pwned"), then any other C0 control, DEL and C1 control. Lone surrogates, which cannot be
encoded as UTF-8 and would crash whatever writes them, become U+FFFD.
"""

from __future__ import annotations

import re

# ESC-introduced sequences, 7-bit and 8-bit forms:
# - CSI: ESC [ (or 0x9b), parameter and intermediate bytes, one final byte;
# - OSC, DCS, SOS, PM, APC: ESC ] P X ^ _ (or 0x9d 0x90 0x98 0x9e 0x9f), a body, then BEL or
#   ST (ESC \ or 0x9c); an unterminated one is left to the byte filter below;
# - any other two-byte escape: ESC and one byte from 0x20 to 0x7e.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x7e]"
)
# C0 controls but tab and newline, DEL, C1 controls; and lone surrogates
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NEWLINES = re.compile(r"\r\n?")
_LINE_BREAKS = re.compile(r"[\n\t\u2028\u2029]+")


def safe_text(text: object, *, one_line: bool = False) -> str:
    """`text` (anything; None is "") without control sequences or control characters.

    `one_line`: newlines, tabs and Unicode line separators become single spaces, for labels,
    table cells and headings that must stay on one line.
    """
    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    if value.isprintable() and not one_line:  # the common case: nothing to do
        return value
    value = _NEWLINES.sub("\n", value)
    value = _SEQUENCE.sub("", value)
    value = _CONTROL.sub("", value)
    value = _SURROGATE.sub("\ufffd", value)
    if one_line:
        value = _LINE_BREAKS.sub(" ", value)
    return value


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def json_safe(document: str) -> str:
    """A JSON document with the characters JSON leaves raw escaped as \\uXXXX.

    JSON already escapes C0 controls; DEL, C1 controls (0x9b is a one-byte CSI), lone
    surrogates and U+2028/U+2029 pass through `ensure_ascii=False` raw. Escaping (rather than
    `safe_text`'s stripping) keeps the data exact: an export read back is what was exported.
    Outside strings a JSON document is ASCII, so every match is inside a string.
    """
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
