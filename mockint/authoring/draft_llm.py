"""Drafting a question's rubric with a model: one call per question, checked in code.

The model gets the question, its intent and the guide's answer (prompts/draft_*.md) and replies
with rubric points, red flags, follow-ups, an intent and a model-answer outline. The reply is
untrusted text: it is parsed leniently, then every part is cleaned (ids made into slugs and
de-duplicated, weights and lengths bounded, follow-ups that probe no known point dropped) and the
question is validated by the pack loader's own model. A point none of whose terms, and too
little of whose description, appear in the guide's text is kept but marked for review: the model
may have invented it. Any failure (the endpoint, the reply, validation) leaves the question as
the offline draft made it, with a note saying why.

The LLM client (and with it openai) is imported only when a model is asked for.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError, field_validator

from mockint import locations
from mockint.authoring.draft import DraftQuestion
from mockint.authoring.guide import GuideQuestion
from mockint.errors import UserError
from mockint.grading.llm_reply import StrictReply, empty_if_none
from mockint.grading.text import content_stems
from mockint.packs import Question
from mockint.safe_text import safe_text

if TYPE_CHECKING:
    from mockint.config import Settings
    from mockint.grading.llm_client import LLMClient

MAX_TOKENS = 3000
MAX_POINTS = 8
MAX_TERMS = 12
MAX_FLAGS = 4
MAX_FOLLOW_UPS = 5
MAX_OUTLINE = 8
MAX_CHARS = 400
# A point is backed by the guide when one of its terms is (all its content words occur in the
# guide's text for the question), or when this share of its description's content words do.
SUPPORTED_DESCRIPTION = 0.6

Progress = Callable[[str], None]


class PointDraft(StrictReply):
    id: str
    description: str
    weight: float = 1.0
    level: str = "core"
    terms: list[str] = Field(default_factory=list)

    _texts = field_validator("id", "description", "level", mode="before")(empty_if_none)


class FlagDraft(StrictReply):
    id: str
    description: str
    terms: list[str] = Field(default_factory=list)


class FollowUpDraft(StrictReply):
    text: str
    probes: list[str] = Field(default_factory=list)


class QuestionDraft(StrictReply):
    intent: str = ""
    rubric: list[PointDraft]
    red_flags: list[FlagDraft] = Field(default_factory=list)
    follow_ups: list[FollowUpDraft] = Field(default_factory=list)
    model_answer: list[str] = Field(default_factory=list)

    _texts = field_validator("intent", mode="before")(empty_if_none)

    @field_validator("red_flags", "follow_ups", "model_answer", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


# Bounds for the published schema. Servers that turn a schema into a grammar (llama.cpp) then
# cannot let a small model ramble until the token limit; the parsing stays lenient either way.
_MAX_ITEMS = {"rubric": 7, "terms": 8, "red_flags": 3, "follow_ups": 4, "probes": 3,
              "model_answer": 6}  # fmt: skip
_MAX_LENGTH = {"id": 40, "description": 200, "text": 200, "intent": 200, "level": 6,
               "terms": 60, "probes": 40, "model_answer": 160}  # fmt: skip


def reply_schema() -> dict[str, Any]:
    """The reply's JSON schema, with the bounds above, for servers that take a schema."""
    schema = QuestionDraft.model_json_schema()
    for model in [schema, *schema.get("$defs", {}).values()]:
        for name, prop in model.get("properties", {}).items():
            if prop.get("type") == "array":
                prop["maxItems"] = _MAX_ITEMS.get(name, 8)
                if prop.get("items", {}).get("type") == "string" and name in _MAX_LENGTH:
                    prop["items"]["maxLength"] = _MAX_LENGTH[name]
            elif prop.get("type") == "string" and name in _MAX_LENGTH:
                prop["maxLength"] = _MAX_LENGTH[name]
            if name == "level":
                prop["enum"] = ["core", "senior"]
            if name == "weight":
                prop.update(minimum=1, maximum=3)
    return schema


def make_client(settings: Settings) -> LLMClient:
    """The client for the configured endpoint, with the checks the LLM grader makes."""
    from mockint.grading.llm_client import LLMClient, endpoint_key

    model, api_key = endpoint_key(settings, "drafting with a model needs one")
    return LLMClient(
        model=model,
        base_url=settings.base_url,
        api_key=api_key,
        timeout=settings.timeout,
    )


def _template(name: str) -> str:
    path = locations.prompts_dir() / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"prompt template {path} cannot be read: {exc.strerror}") from None


def _fill(template: str, **values: str) -> str:
    """Placeholders filled in one pass, so guide text cannot expand into more placeholders."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


def messages_for(found: GuideQuestion, answer: str) -> list[dict[str, str]]:
    boundary = f"----- guide text {secrets.token_hex(4)} -----"
    user = _fill(
        _template("draft_user.md"),
        question=safe_text(found.text),
        intent=safe_text(found.intent) or "(the guide does not say)",
        answer=safe_text(answer) or "(the guide gives no answer: draft from the question)",
        boundary=boundary,
    )
    return [
        {"role": "system", "content": _template("draft_system.md")},
        {"role": "user", "content": user},
    ]


class ModelDrafter:
    """Drafts each question's rubric through `client`; see the module docstring."""

    def __init__(self, client: LLMClient, on_progress: Progress | None = None) -> None:
        self.client = client
        self.on_progress = on_progress
        self.calls = 0

    def __call__(self, found: GuideQuestion, question: DraftQuestion) -> list[str]:
        from mockint.grading.llm_client import LLMFailure

        self.calls += 1
        try:
            result = self.client.chat(
                messages_for(found, question.reference_answer),
                reply_model=QuestionDraft,
                schema=reply_schema(),
                max_tokens=MAX_TOKENS,
            )
        except LLMFailure as exc:
            return self._kept(question, f"the model's draft failed ({exc.message})")
        try:
            reply = QuestionDraft.model_validate(_json_object(result.content))
        except (ValueError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            return self._kept(question, f"the model's reply was unusable ({reason})")
        guide_words = set(content_stems(" ".join([found.text, found.intent, found.answer])))
        draft = replace(
            question, rubric=[], red_flags=[], follow_ups=[], model_answer=[], review={}
        )
        notes = _apply(reply, draft, guide_words)
        if not draft.rubric:
            return self._kept(question, "the model's reply had no usable rubric point")
        try:
            Question.model_validate(_as_pack_question(draft))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            return self._kept(question, f"the model's draft did not validate ({reason})", notes)
        for name in ("intent", "rubric", "red_flags", "follow_ups", "model_answer", "review"):
            setattr(question, name, getattr(draft, name))
        made = [
            _count(len(question.rubric), "point"),
            _count(len(question.red_flags), "red flag"),
            _count(len(question.follow_ups), "follow-up"),
        ]
        if question.review:
            made.append(f"{len(question.review)} marked for review")
        self._progress(f"{question.id}: {', '.join(made)}")
        return notes

    def _kept(self, question: DraftQuestion, why: str, notes: list[str] | None = None) -> list[str]:
        kept = "kept the guide's answer as its reference" if question.reference_answer else ""
        message = f"{why}; {kept}" if kept else why
        self._progress(f"{question.id}: {message}")
        return [*(notes or []), message]

    def _progress(self, line: str) -> None:
        if self.on_progress is not None:
            self.on_progress(line)


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _json_object(text: str) -> Any:
    """The JSON object in a reply: the whole of it, a fenced block, or the outermost braces."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL | re.IGNORECASE)
    candidates = [text, fenced.group(1) if fenced else ""]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        if candidate:
            try:
                return json.loads(candidate)
            except ValueError:
                continue
    raise ValueError("no JSON object in the reply")


def _slug(value: str, fallback: str, taken: set[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:40].strip("-") or fallback
    candidate, suffix = slug, 2
    while candidate in taken:
        candidate, suffix = f"{slug}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


# What the prompt's shape shows in angle brackets ("<phrase>"): a model that copies it back
# has said nothing, and nothing of it should reach the pack.
_PLACEHOLDER = re.compile(r"^\s*<|<[^<>]{1,40}>")


def _clean(value: str) -> str:
    text = safe_text(value, one_line=True).strip()[:MAX_CHARS]
    return "" if _PLACEHOLDER.search(text) else text


def _terms(values: list[str]) -> list[str]:
    seen: set[str] = set()
    terms = []
    for value in values:
        term = _clean(value)[:80]
        if term and term.lower() not in seen:
            seen.add(term.lower())
            terms.append(term)
    return terms[:MAX_TERMS]


def _apply(reply: QuestionDraft, question: DraftQuestion, guide: set[str]) -> list[str]:
    """Put the cleaned reply into `question`; return what was dropped along the way."""
    notes: list[str] = []
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for index, point in enumerate(reply.rubric[:MAX_POINTS], start=1):
        terms, description = _terms(point.terms), _clean(point.description)
        if not terms or not description:
            notes.append(f"dropped the model's point {_clean(point.id)!r}: no terms or text")
            continue
        point_id = _slug(point.id, f"point-{index}", taken)
        ids.setdefault(point.id, point_id)  # a repeated id keeps its first point
        ids.setdefault(point.id.strip(), point_id)
        level = "senior" if "senior" in point.level.lower() else "core"
        weight = min(3.0, max(0.5, point.weight)) if point.weight == point.weight else 1.0
        entry = {"id": point_id, "description": description, "weight": round(weight, 1)}
        question.rubric.append({**entry, "level": level, "terms": terms})
        if not _supported(description, terms, guide):
            question.review[point_id] = "the guide does not back this point: check or delete it"
    flag_ids: set[str] = set()
    for index, flag in enumerate(reply.red_flags[:MAX_FLAGS], start=1):
        terms, description = _terms(flag.terms), _clean(flag.description)
        if terms and description:
            flag_id = _slug(flag.id, f"flag-{index}", flag_ids)
            question.red_flags.append({"id": flag_id, "description": description, "terms": terms})
    for follow_up in reply.follow_ups[:MAX_FOLLOW_UPS]:
        probes = list(dict.fromkeys(ids[p] for p in follow_up.probes if p in ids))
        text = _clean(follow_up.text)
        if not probes or not text:
            notes.append(f"dropped a follow-up that probes no point of the rubric: {text[:60]!r}")
            continue
        question.follow_ups.append({"text": text, "probes": probes})
    question.model_answer = [s for s in map(_clean, reply.model_answer[:MAX_OUTLINE]) if s]
    if not question.intent:
        question.intent = _clean(reply.intent)
    return notes


def _supported(description: str, terms: list[str], guide: set[str]) -> bool:
    for term in terms:
        stems = content_stems(term)
        if stems and all(stem in guide for stem in stems):
            return True
    described = set(content_stems(description))
    return bool(described) and len(described & guide) / len(described) >= SUPPORTED_DESCRIPTION


def _as_pack_question(question: DraftQuestion) -> dict[str, Any]:
    data: dict[str, Any] = {"id": question.id, "text": question.text, "rubric": question.rubric}
    for key in ("intent", "reference_answer"):
        if getattr(question, key):
            data[key] = getattr(question, key)
    for key in ("red_flags", "follow_ups", "model_answer"):
        if getattr(question, key):
            data[key] = getattr(question, key)
    return data
