"""Reading a grader's reply while it streams: the feedback text, and how far judging has got.

The reply is validated only once it is complete, but a person waiting for it should see it
move: the feedback as the model writes it (coach mode shows it live) and, before that, how many
rubric points have been judged and how much of the reply has arrived. Nothing here imports
openai or textual; the grader feeds chunks in from its worker thread and the screen reads
`GradeProgress` on its own clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FEEDBACK_KEY = re.compile(r'"feedback"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class FeedbackStream:
    """Pulls the "feedback" string out of a JSON reply while it is still arriving.

    `feed(chunk)` returns the feedback text decoded since the last call, so the screen can show
    the model's words as they come even though the reply as a whole is only validated at the
    end. One stream can span a retry: `restart()` forgets the reply but remembers what was
    shown, and text already shown is not shown twice.
    """

    def __init__(self) -> None:
        self.shown = ""
        self.restart()

    def restart(self) -> None:
        self.judged = 0  # verdicts seen so far in this reply
        self._scanned = 0
        self._buffer = ""
        self._start: int | None = None
        self._pos = 0
        self._decoded = ""
        self._done = False

    def feed(self, chunk: str) -> str:
        self._buffer += chunk
        # Count the verdict keys that end in the new text (one may straddle two chunks).
        start = max(0, self._scanned - 64)
        self.judged += sum(
            1 for m in _VERDICT_KEY.finditer(self._buffer, start) if m.end() > self._scanned
        )
        self._scanned = len(self._buffer)
        if self._done:
            return ""
        if self._start is None:
            match = _FEEDBACK_KEY.search(self._buffer)
            if match is None:
                return ""
            self._start = self._pos = match.end()
        self._decode()
        if not self._decoded.startswith(self.shown) and not self.shown.startswith(self._decoded):
            return ""  # a retry wrote different feedback: keep what is on screen
        new = self._decoded[len(self.shown) :]
        if new:
            self.shown += new
        return new

    def _decode(self) -> None:
        buffer, pos = self._buffer, self._pos
        out = []
        while pos < len(buffer):
            char = buffer[pos]
            if char == '"':
                self._done = True
                pos += 1
                break
            if char != "\\":
                out.append(char)
                pos += 1
                continue
            if pos + 1 >= len(buffer):
                break  # an escape cut in half: wait for the next chunk
            code = buffer[pos + 1]
            if code == "u":
                digits = buffer[pos + 2 : pos + 6]
                if len(digits) < 4:
                    break
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    out.append(digits)
                pos += 6
                continue
            out.append(_ESCAPES.get(code, code))
            pos += 2
        self._pos = pos
        self._decoded += "".join(out)


_VERDICT_KEY = re.compile(r'"verdict"\s*:\s*"')


@dataclass
class GradeProgress:
    """How far the grading of one answer has got (plain numbers, written by one thread)."""

    total: int = 0  # rubric points to judge
    judged: int = 0  # verdicts received in the current attempt
    received: int = 0  # characters of reply received, all attempts
    attempt: int = 1
    active: bool = False

    def describe(self) -> str:
        """'3 of 5 points judged', or '812 characters received', or '' before anything."""
        if not self.active or not self.received:
            return ""
        again = "second try: " if self.attempt > 1 else ""
        if self.judged:
            return f"{again}{min(self.judged, self.total)} of {self.total} points judged"
        return f"{again}{self.received} characters received"
