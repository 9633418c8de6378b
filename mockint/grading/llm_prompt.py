"""The LLM grader's prompt: templates from `prompts/`, filled with one question and one answer.

Templates are plain Markdown with `{{name}}` placeholders (no template engine: nothing in a
pack or an answer can run code or expand further placeholders, because values are inserted in
one pass). The answer is fenced between two lines carrying a random token, so an answer cannot
close the fence and pose as instructions.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from pathlib import Path

from mockint import locations
from mockint.grading.llm_reply import rubric_points
from mockint.packs import Question

SYSTEM_TEMPLATE = "grade_system.md"
USER_TEMPLATE = "grade_user.md"
RETRY_TEMPLATE = "grade_retry.md"

Message = dict[str, str]
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@lru_cache(maxsize=8)
def load_template(name: str, folder: Path | None = None) -> str:
    path = (folder or locations.prompts_dir()) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuntimeError(f"prompt template {path} cannot be read: {exc.strerror}") from None


def render(template: str, **values: str) -> str:
    """Fill `{{name}}` placeholders in one pass; an unknown placeholder is a bug, not a blank."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"prompt template needs a value for {{{{{name}}}}}")
        return values[name]

    return _PLACEHOLDER.sub(fill, template)


def _rubric_lines(question: Question) -> str:
    return "\n".join(
        f"- {point.id} (weight {point.weight:g}, {point.level}): {point.description}"
        for point in rubric_points(question)
    )


def _red_flag_lines(question: Question) -> str:
    if not question.red_flags:
        return "(none for this question: reply with an empty red_flags list)"
    return "\n".join(f"- {flag.id}: {flag.description}" for flag in question.red_flags)


def grading_messages(question: Question, answer: str, fence: str | None = None) -> list[Message]:
    """System and user messages asking for one question's verdicts, red flags and follow-up."""
    fence = fence or f"=====ANSWER-{secrets.token_hex(6)}====="
    # The token is random, but strip it anyway so the fence stays unique in the prompt.
    safe_answer = answer.replace(fence, "").strip() or "(no answer given)"
    user = render(
        load_template(USER_TEMPLATE),
        question_id=question.id,
        question=question.text.strip(),
        intent=question.intent.strip() or "(not stated)",
        rubric=_rubric_lines(question),
        red_flags=_red_flag_lines(question),
        fence=fence,
        answer=safe_answer,
        point_ids=", ".join(point.id for point in rubric_points(question)),
    )
    return [
        {"role": "system", "content": load_template(SYSTEM_TEMPLATE).strip()},
        {"role": "user", "content": user.strip()},
    ]


def retry_messages(
    messages: list[Message], question: Question, bad_reply: str | None, error: str
) -> list[Message]:
    """The conversation again, with the rejected reply and what was wrong with it."""
    retry = render(
        load_template(RETRY_TEMPLATE),
        error=error,
        point_ids=", ".join(point.id for point in rubric_points(question)),
    )
    extra: list[Message] = []
    if bad_reply:
        extra.append({"role": "assistant", "content": bad_reply[:4000]})
    extra.append({"role": "user", "content": retry.strip()})
    return [*messages, *extra]
