"""Turning an interview guide into a pack file a person can edit.

Offline, always: every question the guide asks becomes a question of the pack, with the guide's
text after it as its reference answer (and its intent when the guide says what the interviewer
is after). That is the minimal pack form, which the offline grader grades at once by deriving
what to look for from the reference answer.

With a model (`draft_llm.py`), each question also gets rubric points with terms and levels,
red flags, follow-ups and a model-answer outline; the guide's text stays as the reference.

Either way the result is written as TOML by `render_pack`, then read back through the pack
loader before it is saved, so a draft that mockint would refuse is never written. Nothing here
prints: `DraftResult` says what was made and what needs a human look, and the CLI shows it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockint.authoring.guide import GuideQuestion, parse_guide
from mockint.errors import UserError
from mockint.packs import Pack, PackError, parse_pack
from mockint.safe_text import safe_text
from mockint.textfiles import MB, read_text

MAX_GUIDE_BYTES = 5 * MB
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class DraftQuestion:
    """One question as it will be written: the fields of a pack question, plus review notes."""

    id: str
    text: str
    intent: str = ""
    reference_answer: str = ""
    rubric: list[dict[str, Any]] = field(default_factory=list)
    red_flags: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    model_answer: list[str] = field(default_factory=list)
    # point id -> why a person should look at it (written as a comment above the point)
    review: dict[str, str] = field(default_factory=dict)


@dataclass
class DraftResult:
    pack: Pack
    text: str  # the TOML written
    questions: list[DraftQuestion]
    notes: list[str]  # what needs a human look, beyond what `mockint packs lint` reports
    used_model: bool = False


ModelDrafter = Callable[[GuideQuestion, DraftQuestion], list[str]]


def read_guide(path: Path) -> str:
    return read_text(path, limit=MAX_GUIDE_BYTES, what="guide", pipes=True)


def pack_id_for(name: str) -> str:
    """A pack id from a file name: lower case, words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "drafted-pack"


def check_pack_id(pack_id: str) -> str:
    if not _ID_PATTERN.match(pack_id):
        raise UserError(
            f"pack id {pack_id!r} must start with a letter or digit and hold only letters, "
            "digits, '.', '_' and '-'"
        )
    return pack_id


def draft_pack(
    guide_text: str,
    *,
    pack_id: str,
    title: str | None,
    source: str,
    model: ModelDrafter | None = None,
) -> DraftResult:
    """Draft a pack from a guide's text; `model`, when given, drafts each question's rubric."""
    guide = parse_guide(guide_text)
    if not guide.questions:
        raise UserError(
            f"{source}: no questions found (looked for headings and numbered lines that ask "
            "something, and 'Q:' lines)"
        )
    notes: list[str] = []
    questions: list[DraftQuestion] = []
    for index, found in enumerate(guide.questions, start=1):
        question = _offline(found, _question_id(found, index, questions))
        if model is not None:
            notes += [f"{question.id}: {note}" for note in model(found, question)]
        if not question.rubric and not question.reference_answer:
            notes.append(
                f"{question.id}: the guide has no answer text after it (line {found.line}); "
                "left out"
            )
            continue
        questions.append(question)
    if not questions:
        raise UserError(f"{source}: the questions found have no answer text to grade against")
    text = render_pack(pack_id, title or guide.title or pack_id, source, questions)
    try:
        pack = parse_pack(text, source)
    except PackError as exc:  # a bug in the draft, not in the guide: say so plainly
        raise UserError(f"the drafted pack does not load: {exc}") from None
    return DraftResult(pack, text, questions, notes, used_model=model is not None)


def _question_id(found: GuideQuestion, index: int, taken: list[DraftQuestion]) -> str:
    wanted = f"q{found.number if found.number is not None else index:02d}"
    used = {q.id for q in taken}
    candidate, suffix = wanted, 2
    while candidate in used:
        candidate, suffix = f"{wanted}-{suffix}", suffix + 1
    return candidate


def _offline(found: GuideQuestion, question_id: str) -> DraftQuestion:
    return DraftQuestion(
        id=question_id,
        text=safe_text(found.text),
        intent=safe_text(found.intent),
        reference_answer=safe_text(found.answer),
    )


# TOML ------------------------------------------------------------------------------------------


def _string(value: str) -> str:
    """A TOML string: a multi-line literal for text with line breaks (easier to edit), else a
    basic string (JSON's escapes are TOML's)."""
    value = safe_text(value)
    if "\n" in value and "'''" not in value and not value.endswith("'"):
        return "'''\n" + value + "'''"
    return json.dumps(value, ensure_ascii=False)


def _strings(values: list[str], multiline: bool = False) -> str:
    if not multiline:
        return "[" + ", ".join(json.dumps(safe_text(v), ensure_ascii=False) for v in values) + "]"
    inner = "".join(f"  {json.dumps(safe_text(v), ensure_ascii=False)},\n" for v in values)
    return "[\n" + inner + "]"


def render_pack(pack_id: str, title: str, source: str, questions: list[DraftQuestion]) -> str:
    lines = [
        f"# Drafted by `mockint packs draft` from {safe_text(source, one_line=True)}.",
        "# Check it, then run `mockint packs lint` on this file.",
        "[pack]",
        f"id = {_string(check_pack_id(pack_id))}",
        f"title = {_string(safe_text(title, one_line=True))}",
        f"description = {_string(f'Drafted from {Path(source).name}.')}",
        "",
    ]
    for question in questions:
        lines += _render_question(question)
    return "\n".join(lines).rstrip() + "\n"


def _render_question(question: DraftQuestion) -> list[str]:
    lines = ["[[questions]]", f"id = {_string(question.id)}", f"text = {_string(question.text)}"]
    if question.intent:
        lines.append(f"intent = {_string(question.intent)}")
    if question.model_answer:
        lines.append(f"model_answer = {_strings(question.model_answer, multiline=True)}")
    if question.reference_answer:
        lines.append(f"reference_answer = {_string(question.reference_answer)}")
    lines.append("")
    for point in question.rubric:
        if point["id"] in question.review:
            reason = safe_text(question.review[point["id"]], one_line=True)
            lines.append(f"# REVIEW: {reason}")
        lines += [
            "[[questions.rubric]]",
            f"id = {_string(point['id'])}",
            f"description = {_string(point['description'])}",
            f"weight = {point['weight']:g}",
            f"level = {_string(point['level'])}",
            f"terms = {_strings(point['terms'])}",
            "",
        ]
    for flag in question.red_flags:
        lines += [
            "[[questions.red_flags]]",
            f"id = {_string(flag['id'])}",
            f"description = {_string(flag['description'])}",
            f"terms = {_strings(flag['terms'])}",
            "",
        ]
    for follow_up in question.follow_ups:
        lines += [
            "[[questions.follow_ups]]",
            f"text = {_string(follow_up['text'])}",
            f"probes = {_strings(follow_up['probes'])}",
            "",
        ]
    return lines


# writing ---------------------------------------------------------------------------------------


def write_pack(text: str, path: Path, *, force: bool) -> None:
    """Write the pack file; an existing file is replaced only with `force`, and never left
    half-written (the text goes to a temporary file beside it, then takes its place)."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file name ending in .toml")
    if path.exists() and not force:
        raise UserError(f"{path} exists; add --force to replace it, or choose another file with -o")
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".draft-", suffix=".toml")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror}") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
