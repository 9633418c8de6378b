"""Hostile strings and a pack full of them, shared by the text-safety tests.

Each string mixes what Textual/Rich would parse as markup ("[/]" closes a tag that was never
opened and raises MarkupError, "[link=…]" makes a link, "[bold]" styles) with what a terminal
would act on (CSI clears the screen, OSC 0 retitles the window, OSC 52 writes the clipboard).
"""

from __future__ import annotations

import json

from mockint.safe_text import safe_text

MARKUP = "Arrays [easy] [/] [link=https://evil.example/]click[/link] [bold]B[/bold]"
ESCAPES = "\x1b[2J\x1b]0;pwned-title\x07\x1b]52;c;ZXZpbA==\x07\x9b31m\x1b[31m"
HOSTILE = f"{MARKUP} {ESCAPES}end"
# what must reach the screen: the markup literally, no escape byte
VISIBLE = safe_text(HOSTILE)
assert f"{MARKUP} end" == VISIBLE


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML escapes for these characters)."""
    return json.dumps(text)


def hostile_pack_toml(pack_id: str = "hostile") -> str:
    h = toml_string(HOSTILE)
    return f"""
[pack]
id = "{pack_id}"
title = {h}
description = {h}

[[questions]]
id = {toml_string("q1[/]" + ESCAPES)}
text = {toml_string("Explain **caches**. " + HOSTILE)}
model_answer = [{h}]

[[questions.rubric]]
id = "spread"
description = {h}
weight = 2
terms = ["spread"]

[[questions.rubric]]
id = "health"
description = "Checks health"
terms = ["health"]

[[questions.red_flags]]
id = "magic"
description = {h}
terms = ["magic"]

[[questions.follow_ups]]
text = {toml_string("Follow-up: " + HOSTILE)}
probes = ["spread"]
"""


def broken_pack_toml(question_id: str) -> str:
    """A pack refused for its only question (no rubric, no reference answer), whose error
    message therefore quotes `question_id`: hostile text in an error line."""
    return f'[pack]\nid = "broken"\ntitle = "B"\n[[questions]]\nid = {toml_string(question_id)}\n'


def assert_clean(lines: list[str] | str) -> None:
    """No control byte anywhere in what reached the screen or the terminal."""
    text = "\n".join(lines) if isinstance(lines, list) else lines
    bad = sorted({hex(ord(c)) for c in text if c in "\x1b\x07\x9b\x9c\x9d" or ord(c) < 9})
    assert not bad, f"control characters reached the output: {bad}"
