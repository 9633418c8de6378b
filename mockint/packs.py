"""Question packs: pydantic models, the TOML loader and where packs are found.

A pack that fails to load raises `PackError` with one line naming the file, the question and
the field at fault, so the CLI can print it and exit 2 instead of showing a traceback.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mockint import locations
from mockint.errors import UserError

Level = Literal["core", "senior"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricPoint(_Strict):
    """One thing a good answer shows; `terms` are the words, phrases and synonyms that show it."""

    id: str = Field(min_length=1)
    description: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    level: Level = "core"
    terms: tuple[str, ...] = Field(min_length=1)


class RedFlag(_Strict):
    """A misconception that costs `penalty` points (on the 0-10 scale) when the answer shows it."""

    id: str = Field(min_length=1)
    description: str = Field(min_length=1)
    terms: tuple[str, ...] = Field(min_length=1)
    penalty: float = Field(default=1.5, gt=0, le=10)


class FollowUp(_Strict):
    text: str = Field(min_length=1)
    probes: tuple[str, ...] = Field(min_length=1)


class Question(_Strict):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    # topics, for practising one of them (`mockint run --tag security`)
    tags: tuple[str, ...] = ()
    intent: str = ""
    rubric: tuple[RubricPoint, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    model_answer: tuple[str, ...] = ()
    reference_answer: str | None = None
    time_budget_minutes: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _check_consistency(self) -> Question:
        if not self.rubric and not (self.reference_answer or "").strip():
            raise ValueError("needs rubric points or a reference_answer")
        _no_duplicates("rubric", [p.id for p in self.rubric])
        _no_duplicates("red_flags", [f.id for f in self.red_flags])
        known = {p.id for p in self.rubric}
        for index, follow_up in enumerate(self.follow_ups):
            for probe in follow_up.probes:
                if probe not in known:
                    raise ValueError(
                        f"follow_ups[{index}].probes names unknown rubric point {probe!r}"
                    )
        return self

    def point(self, point_id: str) -> RubricPoint | None:
        return next((p for p in self.rubric if p.id == point_id), None)


class PackInfo(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = Field(min_length=1)
    description: str = ""
    tags: tuple[str, ...] = ()
    time_budget_minutes: float | None = Field(default=None, gt=0)


class Pack(_Strict):
    pack: PackInfo
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_question_ids(self) -> Pack:
        _no_duplicates("questions", [q.id for q in self.questions])
        return self

    @property
    def id(self) -> str:
        return self.pack.id

    @property
    def title(self) -> str:
        return self.pack.title

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def budget_seconds(self, question: Question, default_minutes: float) -> float:
        minutes = question.time_budget_minutes or self.pack.time_budget_minutes or default_minutes
        return minutes * 60


def _no_duplicates(field: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate id {item!r} in {field}")
        seen.add(item)


class PackError(UserError):
    """A pack that cannot be loaded; the message names file, question and field."""


def _describe(error: Mapping[str, Any], raw: dict[str, Any]) -> str:
    """Turn one pydantic error into 'question 'x', field 'y': message'."""
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        questions = raw.get("questions") or []
        qid = None
        if loc[1] < len(questions) and isinstance(questions[loc[1]], dict):
            qid = questions[loc[1]].get("id")
        where = f"question {qid!r}" if qid else f"question #{loc[1] + 1}"
        loc = loc[2:]
    field = ""
    for part in loc:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += ("." if field else "") + str(part)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    elif error["type"] == "missing":
        message = "missing required field"
    parts = [p for p in (where, f"field {field!r}" if field else "") if p]
    return ", ".join([*parts, message])


def parse_pack(text: str, source: str) -> Pack:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{source}: invalid TOML: {exc}") from None
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise PackError(f"{source}: {_describe(first, raw)}{suffix}") from None


def load_pack(path: Path) -> Pack:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise PackError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise PackError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_pack(text, str(path))


def pack_folders() -> list[Path]:
    """Built-in packs first, then the user's: a user pack with the same id takes precedence."""
    return [locations.builtin_packs_dir(), locations.user_packs_dir()]


def discover_packs() -> tuple[dict[str, tuple[Pack, Path]], list[PackError]]:
    """All packs found in the pack folders, by id, plus the errors of those that failed."""
    found: dict[str, tuple[Pack, Path]] = {}
    errors: list[PackError] = []
    for folder in pack_folders():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                pack = load_pack(path)
            except PackError as exc:
                errors.append(exc)
                continue
            found[pack.id] = (pack, path)
    return found, errors


_LOOKS_LIKE_PATH = re.compile(r"[/\\]|\.toml$")


def resolve_pack(ref: str) -> tuple[Pack, Path]:
    """A pack by id (from the pack folders) or by file path."""
    if _LOOKS_LIKE_PATH.search(ref) or Path(ref).is_file():
        path = Path(ref).expanduser()
        return load_pack(path), path.resolve()
    for folder in reversed(pack_folders()):
        path = folder / f"{ref}.toml"
        if path.is_file():
            pack = load_pack(path)
            if pack.id == ref:
                return pack, path
    packs, _ = discover_packs()
    if ref in packs:
        return packs[ref]
    known = ", ".join(sorted(packs)) or "none"
    raise UserError(f"no pack with id {ref!r} (known packs: {known}); give an id or a .toml path")
