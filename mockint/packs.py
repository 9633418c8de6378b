"""Question packs: pydantic models, the TOML loader and where packs are found.

A pack that fails to load raises `PackError` with one line naming the file, the question and
the field at fault, so the CLI can print it and exit 2 instead of showing a traceback.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mockint import locations
from mockint.errors import UserError
from mockint.textfiles import MB, read_text

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
        problems = _consistency(
            [p.id for p in self.rubric],
            [f.id for f in self.red_flags],
            [list(f.probes) for f in self.follow_ups],
            bool((self.reference_answer or "").strip()),
        )
        if problems:
            raise ValueError(_SEPARATOR.join(problems))
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
        problems = _duplicates("questions", [q.id for q in self.questions])
        if problems:
            raise ValueError(_SEPARATOR.join(problems))
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


# A validator that finds several problems reports them in one error, joined by this; `_describe`
# splits them again, so that `mockint packs validate` can list every one on a line of its own.
_SEPARATOR = "\n"


def _duplicates(field: str, ids: list[Any]) -> list[str]:
    seen: set[Any] = set()
    problems = []
    for item in ids:
        if item in seen:
            problems.append(f"duplicate id {item!r} in {field}")
        seen.add(item)
    return problems


def _consistency(
    point_ids: list[Any], flag_ids: list[Any], probes: list[list[Any]], has_reference: bool
) -> list[str]:
    """What a question's parts must agree on, from plain ids, so that the same checks run on a
    validated question and, when some of its fields are broken, on the raw TOML."""
    problems = []
    if not point_ids and not has_reference:
        problems.append("needs rubric points or a reference_answer")
    problems += _duplicates("rubric", point_ids)
    problems += _duplicates("red_flags", flag_ids)
    known = set(point_ids)
    for index, named in enumerate(probes):
        for probe in named:
            if probe not in known:
                problems.append(f"follow_ups[{index}].probes names unknown rubric point {probe!r}")
    return problems


def _raw_consistency(raw: dict[str, Any], errors: list[Any]) -> list[tuple[int, str]]:
    """The consistency checks of questions whose own check never ran because a field of theirs
    is broken (pydantic runs a model's check only once its fields are valid)."""
    questions = raw.get("questions")
    if not isinstance(questions, list):
        return []
    broken = {e["loc"][1] for e in errors if len(e["loc"]) > 2 and e["loc"][0] == "questions"}
    problems: list[tuple[int, str]] = []
    for index in sorted(broken):
        question = questions[index] if index < len(questions) else None
        if not isinstance(question, dict):
            continue

        def ids(field: str, item: dict[str, Any] = question) -> list[Any]:
            value = item.get(field)
            rows = value if isinstance(value, list) else []
            return [row.get("id") for row in rows if isinstance(row, dict) and "id" in row]

        follow_ups = question.get("follow_ups")
        probes = [
            list(f["probes"]) if isinstance(f, dict) and isinstance(f.get("probes"), list) else []
            for f in (follow_ups if isinstance(follow_ups, list) else [])
        ]
        reference = question.get("reference_answer")
        has_rubric_field = isinstance(question.get("rubric"), list) and bool(question["rubric"])
        found = _consistency(
            ids("rubric"),
            ids("red_flags"),
            probes,
            has_rubric_field or (isinstance(reference, str) and bool(reference.strip())),
        )
        where = f"question {question['id']!r}" if question.get("id") else f"question #{index + 1}"
        problems += [(index, f"{where}, {problem}") for problem in found]
    return problems


class PackError(UserError):
    """A pack that cannot be loaded; the message names file, question and field.

    `problems` holds every problem found, one line each; the message (what a command that only
    needs the pack prints) is the first of them and how many more there are.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems: tuple[str, ...] = tuple(problems) or (message,)
        super().__init__(message)

    @classmethod
    def of(cls, problems: Sequence[str]) -> PackError:
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        return cls(f"{problems[0]}{suffix}", problems)


def _describe(error: Mapping[str, Any], raw: dict[str, Any]) -> list[str]:
    """Turn one pydantic error into 'question 'x', field 'y': message' (one per problem)."""
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
    messages = error["msg"].removeprefix("Value error, ").split(_SEPARATOR)
    if error["type"] == "extra_forbidden":
        messages = ["unknown field"]
    elif error["type"] == "missing":
        messages = ["missing required field"]
    parts = [p for p in (where, f"field {field!r}" if field else "") if p]
    return [", ".join([*parts, message]) for message in messages]


def _unchecked_duplicates(raw: dict[str, Any], errors: list[Any]) -> list[str]:
    """Duplicate question ids: the pack's own check runs only when every field is valid, so
    when it did not run (no error about the pack as a whole), look at the raw questions."""
    if any(not error["loc"] for error in errors):
        return []
    questions = raw.get("questions")
    if not isinstance(questions, list):
        return []
    ids = [q.get("id") for q in questions if isinstance(q, dict) and isinstance(q.get("id"), str)]
    return _duplicates("questions", ids)


def parse_pack(text: str, source: str) -> Pack:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise PackError(f"{source}: nested too deeply to be a pack") from None
    try:
        return Pack.model_validate(raw)
    except RecursionError:
        raise PackError(f"{source}: nested too deeply to be a pack") from None
    except ValidationError as exc:
        errors = list(exc.errors())
        # "questions should have at least 1 item after validation" only echoes broken items
        errors = [e for e in errors if not (e["type"] == "too_short" and _above(e, errors))]
        found = [
            (_order(error["loc"]), problem) for error in errors for problem in _describe(error, raw)
        ]
        found += _raw_consistency(raw, errors)
        found += [(_LAST, problem) for problem in _unchecked_duplicates(raw, errors)]
        found.sort(key=lambda item: item[0])  # stable: in file order, question by question
        raise PackError.of([f"{source}: {problem}" for _, problem in found]) from None


_LAST = 1 << 30


def _order(loc: tuple[Any, ...]) -> int:
    """Problems of the pack's header first, then question by question."""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        return loc[1]
    return -1 if loc and loc[0] == "pack" else _LAST


def _above(error: Mapping[str, Any], errors: list[Any]) -> bool:
    """Whether other errors lie inside the field this one is about."""
    loc = tuple(error["loc"])
    return any(len(e["loc"]) > len(loc) and tuple(e["loc"][: len(loc)]) == loc for e in errors)


# A pack of 10,000 questions or one question of 5 MB is fine; a file of gigabytes is a mistake.
PACK_LIMIT = 64 * MB


def load_pack(path: Path) -> Pack:
    """A pack from a file. A pipe, a device (a link to /dev/zero) or a file over PACK_LIMIT
    is refused at once instead of hanging `packs list` and the home screen."""
    try:
        text = read_text(path, limit=PACK_LIMIT, what="pack")
    except UserError as exc:
        raise PackError(str(exc)) from None
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
