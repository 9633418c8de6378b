"""The LLM grader: one call per answer to any OpenAI-compatible endpoint, checked in code.

The model judges like a careful examiner: per rubric point the words of the answer that show
it, then a one-line reason, then the verdict; then the red flags the answer shows, feedback and
one follow-up, all in one reply (prompts/grade_*.md). We never take its word for more than it
can show: quotes must be in the answer (llm_quotes.py), unknown ids are dropped, and the score
is computed by `base.finalize` from the verdicts that survive.

One request per answer in the normal case. A reply that cannot be parsed, or whose claimed
quotes mostly are not in the answer (it judged some other text, or invented its evidence), is
sent back once with what was wrong, naming the failed ids; a second bad reply falls back.

The keyword grade is computed first, for every answer. It is stored beside the LLM grade as a
cross-check (a large disagreement is worth a human look, see `base.disagreement`), and it is
the grade the candidate gets, with a visible note, whenever the LLM path fails: timeouts,
refused connections, bad keys, unknown models, rate limits, server errors, refusals, replies
cut off or invalid twice. The answer itself is saved before grading starts, so a failure never
loses work, and the turn is marked for `mockint regrade`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mockint.config import Settings
from mockint.grading.base import Grade, Grader, Usage, finalize
from mockint.grading.llm_client import ChatResult, LLMClient, LLMFailure, endpoint_key
from mockint.grading.llm_endpoint import ModeCache
from mockint.grading.llm_prompt import grading_messages, retry_messages
from mockint.grading.llm_reply import (
    Checked,
    GradeReply,
    ReplyError,
    check_reply,
    missed_point,
    parse_reply,
    reply_schema,
    rubric_points,
)
from mockint.grading.llm_stream import FeedbackStream, GradeProgress
from mockint.packs import Pack, Question

DeltaCallback = Callable[[str], None]
REGRADE_HINT = "Run `mockint regrade` to grade it with the LLM again."


def quotes_problem(checked: Checked) -> str:
    """What to tell the model when most of its quotes are not in the answer."""
    return (
        "the quotes given for " + ", ".join(checked.failed) + " are not in the candidate's "
        "answer; copy each quote from the answer as written, or judge the point missed"
    )


def fallback_note(reason: str) -> str:
    """The note on a keyword grade that stands in for a failed LLM grade."""
    return f"LLM grading failed: {reason}. This is the keyword grade. {REGRADE_HINT}"


class LLMGrader:
    """Grades through an OpenAI-compatible endpoint; falls back to the keyword grader."""

    name = "llm"

    def __init__(
        self,
        settings: Settings,
        *,
        max_retries: int = 2,
        cache: ModeCache | None = None,
        keyword: Grader | None = None,
        client: LLMClient | None = None,
    ) -> None:
        model, api_key = endpoint_key(settings, "the LLM grader needs a model")
        if keyword is None:
            from mockint.grading.keyword import KeywordGrader

            keyword = KeywordGrader()
        self.keyword = keyword
        # How far the current grade has got; the interview screen reads it on its clock.
        self.progress = GradeProgress()
        self.client = client or LLMClient(
            model=model,
            base_url=settings.base_url,
            api_key=api_key,
            timeout=settings.timeout,
            max_retries=max_retries,
            cache=cache,
        )

    @property
    def model(self) -> str:
        return self.client.model

    @property
    def endpoint(self) -> str:
        return self.client.endpoint

    def use_pack(self, pack: Pack) -> None:
        """Let the keyword cross-check weigh words across the pack, as the keyword grader does."""
        use_pack = getattr(self.keyword, "use_pack", None)
        if use_pack is not None:
            use_pack(pack)

    def grade(self, question: Question, answer: str) -> Grade:
        return self._grade(question, answer, None)

    def grade_streaming(self, question: Question, answer: str, on_delta: DeltaCallback) -> Grade:
        """Grade, calling `on_delta` with the model's feedback text as it arrives.

        The reply is validated only once it is complete; what streams is the "feedback" field
        of the JSON as the model writes it (a retry does not repeat text already shown), and
        `progress` counts the points judged and the characters received meanwhile.
        """
        return self._grade(question, answer, on_delta)

    def close(self) -> None:
        self.client.close()

    # internals -------------------------------------------------------------------------------

    def _grade(self, question: Question, answer: str, on_delta: DeltaCallback | None) -> Grade:
        keyword = self.keyword.grade(question, answer)
        if not answer.strip():
            return self._empty(question, keyword)
        started = time.perf_counter()
        usage = Usage()
        stream = FeedbackStream()
        progress = self.progress = GradeProgress(total=len(rubric_points(question)), active=True)

        def on_text(chunk: str) -> None:
            progress.received += len(chunk)
            text = stream.feed(chunk)
            progress.judged = stream.judged
            if text and on_delta is not None:
                on_delta(text)

        messages = grading_messages(question, answer)
        schema = reply_schema(question)
        calls_before = self.client.calls_made
        result: ChatResult | None = None
        checked: Checked | None = None
        problem = ""
        try:
            for attempt in (1, 2):
                if attempt == 2:
                    stream.restart()
                    progress.attempt, progress.judged = 2, 0
                    bad = result.content if result else None
                    messages = retry_messages(messages, question, bad, problem)
                result = self._call(messages, schema, on_text if on_delta else None, usage)
                try:
                    checked = check_reply(question, answer, parse_reply(result.content))
                except ReplyError as exc:
                    checked, problem = None, str(exc)
                    continue
                if checked.quotes_mostly_failed:
                    problem = quotes_problem(checked)
                    continue
                break
        except LLMFailure as exc:
            return self._fallback(keyword, exc.message, usage, started, calls_before)
        finally:
            progress.active = False
        if checked is not None and checked.quotes_mostly_failed:
            failed = ", ".join(checked.failed)
            reason = f"the model's quotes were not in the answer, twice ({failed})"
            return self._fallback(keyword, reason, usage, started, calls_before)
        if checked is None:
            reason = f"the model's reply was unusable twice ({problem})"
            return self._fallback(keyword, reason, usage, started, calls_before)
        usage.latency_ms = (time.perf_counter() - started) * 1000
        usage.calls = self.client.calls_made - calls_before
        grade = Grade(
            question_id=question.id,
            grader=self.name,
            points=checked.points,
            red_flags=checked.red_flags,
            feedback=checked.feedback,
            model=self.model,
            endpoint=self.endpoint,
            usage=usage,
            follow_up=checked.follow_up,
            cross_check=keyword,
        )
        finalize(grade)
        notes = checked.notes()
        if notes:
            grade.feedback = " ".join([grade.feedback, *notes])
        return grade

    def _call(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        on_text: Callable[[str], None] | None,
        usage: Usage,
    ) -> ChatResult:
        result = self.client.chat(messages, reply_model=GradeReply, schema=schema, on_text=on_text)
        usage.prompt_tokens += result.prompt_tokens
        usage.completion_tokens += result.completion_tokens
        return result

    def _fallback(
        self, keyword: Grade, reason: str, usage: Usage, started: float, calls_before: int
    ) -> Grade:
        """The keyword grade, marked so nobody mistakes it for an LLM grade.

        Tokens spent on failed attempts stay on record (they were paid for), as do the time
        waited and the requests made.
        """
        keyword.note = fallback_note(reason)
        keyword.usage = Usage(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            latency_ms=(time.perf_counter() - started) * 1000,
            calls=self.client.calls_made - calls_before,
        )
        keyword.cross_check = None
        return keyword

    def _empty(self, question: Question, keyword: Grade) -> Grade:
        """No answer, nothing to ask the model: every point missed, no call made."""
        points = [missed_point(point, "no answer given") for point in rubric_points(question)]
        grade = Grade(
            question_id=question.id,
            grader=self.name,
            points=points,
            model=self.model,
            endpoint=self.endpoint,
            cross_check=keyword,
        )
        return finalize(grade)


def make_llm_grader(
    settings: Settings | None = None,
    *,
    pack: Pack | None = None,
    max_retries: int = 2,
    cache: ModeCache | None = None,
) -> LLMGrader:
    """The LLM grader for these settings (loaded from config and environment when None).

    Raises UserError when no model is configured, or no key for api.openai.com. `pack` goes
    to the keyword cross-check, which weighs words across the pack.
    """
    from mockint.grading.keyword import KeywordGrader

    if settings is None:
        from mockint.config import load_settings

        settings = load_settings()
    return LLMGrader(settings, max_retries=max_retries, cache=cache, keyword=KeywordGrader(pack))
