"""How long the LLM grader makes a candidate wait, against the keyword grader.

For each sample answer (built from the pack's model-answer outlines) it times, from submit:
the first streamed text (what moves the waiting indicator), the first point judged, the first
feedback text (the reply's last part but one), and the final, checked grade; it also counts the
HTTP requests per answer (the target is one: the mode probe costs one extra request the first
time an endpoint is used) and the tokens. The keyword grader grades the same answers.

Run against a local model server (see .ci/llm-server.sh), for example:

    python -m llama_cpp.server --model SmolLM2-135M-Instruct.Q4_1.gguf --port 8765 &
    .venv/bin/python bench/llm_latency.py --base-url http://127.0.0.1:8765/v1 \
        --model smollm2-135m --answers 3 --markdown /tmp/readme_llm.md

Without --base-url, MOCKINT_TEST_LLM_URL or OPENAI_BASE_URL is used. --markdown appends the
figures, and the command that produced them, to a Markdown file.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import threading
import time
from dataclasses import dataclass

from mockint.config import Settings
from mockint.grading.keyword import KeywordGrader
from mockint.grading.llm import LLMGrader
from mockint.grading.llm_client import ModeCache
from mockint.packs import Pack, Question, resolve_pack


@dataclass
class Row:
    question_id: str
    keyword_ms: float
    first_text_ms: float | None
    first_point_ms: float | None
    first_feedback_ms: float | None
    final_ms: float
    calls: int
    prompt_tokens: int
    completion_tokens: int
    grader: str
    llm_score: float
    keyword_score: float
    note: str


def sample_answers(pack: Pack, count: int) -> list[tuple[Question, str]]:
    """A plausible answer per question: the first half of its model-answer outline."""
    samples = []
    for question in pack.questions:
        lines = list(question.model_answer) or [question.reference_answer or question.text]
        samples.append((question, " ".join(lines[: max(1, len(lines) // 2)])))
        if len(samples) == count:
            break
    return samples


def measure(grader: LLMGrader, keyword: KeywordGrader, question: Question, answer: str) -> Row:
    started = time.perf_counter()
    keyword_grade = keyword.grade(question, answer)
    keyword_ms = (time.perf_counter() - started) * 1000

    first: list[float] = []

    def on_delta(text: str) -> None:
        if not first:
            first.append((time.perf_counter() - started) * 1000)

    seen: dict[str, float] = {}
    done = threading.Event()

    def watch() -> None:  # what the interview screen's clock reads, polled faster
        while not done.wait(0.02):
            progress = grader.progress
            now = (time.perf_counter() - started) * 1000
            if progress.active and progress.received:
                seen.setdefault("text", now)
            if progress.active and progress.judged:
                seen.setdefault("point", now)

    watcher = threading.Thread(target=watch, daemon=True)
    started = time.perf_counter()
    watcher.start()
    grade = grader.grade_streaming(question, answer, on_delta)
    final_ms = (time.perf_counter() - started) * 1000
    done.set()
    watcher.join()
    return Row(
        question.id,
        keyword_ms,
        seen.get("text"),
        seen.get("point"),
        first[0] if first else None,
        final_ms,
        grade.usage.calls,
        grade.usage.prompt_tokens,
        grade.usage.completion_tokens,
        grade.grader,
        grade.score,
        keyword_grade.score,
        grade.note,
    )


def report(rows: list[Row], model: str, endpoint: str, command: str) -> str:
    def median(values: list[float]) -> str:
        return f"{statistics.median(values) / 1000:.1f} s" if values else "n/a"

    lines = [
        f"LLM grader latency: {model} at {endpoint}, {len(rows)} answers, streaming on.",
        "",
        "| question | keyword grade | first text | first point | first feedback | final grade "
        "| requests | tokens in/out | grader | score (LLM / keyword) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def seconds(ms: float | None) -> str:
        return f"{ms / 1000:.1f} s" if ms else "none"

    for row in rows:
        lines.append(
            f"| {row.question_id} | {row.keyword_ms:.0f} ms | {seconds(row.first_text_ms)} | "
            f"{seconds(row.first_point_ms)} | {seconds(row.first_feedback_ms)} | "
            f"{row.final_ms / 1000:.1f} s | {row.calls} | {row.prompt_tokens}/"
            f"{row.completion_tokens} | {row.grader} | {row.llm_score:g} / {row.keyword_score:g} |"
        )
    keyword_ms = [r.keyword_ms for r in rows]
    firsts = [r.first_feedback_ms for r in rows if r.first_feedback_ms]
    texts = [r.first_text_ms for r in rows if r.first_text_ms]
    finals = [r.final_ms for r in rows]
    calls = [r.calls for r in rows]
    tokens_per_s = [
        r.completion_tokens / (r.final_ms / 1000) for r in rows if r.final_ms and r.grader == "llm"
    ]
    lines += [
        "",
        f"- keyword grader: median {statistics.median(keyword_ms):.0f} ms per answer",
        f"- LLM, submit to the first streamed text (the indicator moves): median {median(texts)}",
        f"- LLM, submit to first streamed feedback: median {median(firsts)}",
        f"- LLM, submit to final grade: median {median(finals)}",
        f"- requests per answer: {', '.join(map(str, calls))} "
        f"(mean {statistics.mean(calls):.2f}; the first includes the one-off mode probe, a "
        "second request is a retry after an unusable reply or quotes not in the answer)",
        f"- completion tokens per second over the whole call: median "
        f"{statistics.median(tokens_per_s):.1f}"
        if tokens_per_s
        else "- generation: no LLM grade succeeded",
        f"- fallbacks to the keyword grade: {sum(r.grader != 'llm' for r in rows)}",
        *(f"  - {r.question_id}: {r.note}" for r in rows if r.note),
        "- token counts are the server's; where a server sends no usage in streams "
        "(llama.cpp), they are estimated: one chunk per token, four prompt characters per token",
        "",
        "Command:",
        "",
        f"    {command}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base-url",
        default=os.environ.get("MOCKINT_TEST_LLM_URL") or os.environ.get("OPENAI_BASE_URL"),
    )
    parser.add_argument("--model", default=os.environ.get("MOCKINT_MODEL", "smollm2-135m"))
    parser.add_argument("--pack", default="service-mesh")
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--markdown", help="append the figures and the command to this file")
    args = parser.parse_args(argv)
    if not args.base_url:
        parser.error("give --base-url (or set MOCKINT_TEST_LLM_URL / OPENAI_BASE_URL)")

    pack, _ = resolve_pack(args.pack)
    settings = Settings(model=args.model, base_url=args.base_url, timeout=args.timeout)
    keyword = KeywordGrader(pack)
    # a fresh cache: the first answer pays for the mode probe, as on a first run
    grader = LLMGrader(settings, cache=ModeCache(), keyword=KeywordGrader(pack))
    rows = []
    for question, answer in sample_answers(pack, args.answers):
        row = measure(grader, keyword, question, answer)
        print(
            f"{row.question_id}: first text {(row.first_text_ms or 0) / 1000:.1f} s, first "
            f"feedback {(row.first_feedback_ms or 0) / 1000:.1f} s, final "
            f"{row.final_ms / 1000:.1f} s, "
            f"{row.calls} request(s), {row.grader} {row.note}",
            file=sys.stderr,
        )
        rows.append(row)
    command = "python bench/llm_latency.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    text = report(rows, args.model, grader.endpoint, command)
    print(text)
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as handle:
            handle.write("\n" + text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
