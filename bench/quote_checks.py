"""Which model quotes the LLM grader believes, before and after word-sequence quote checks.

The corpus is the one the tests use (tests/llm/quote_variants.py): an expert answer to
sm-01, the passage that shows each rubric point, and the ways models change a passage when
they quote it; each is either accepted or rejected by a careful reader. For each variant this
prints what the quote check said before (the module at --before, read from git) and now, then
the score a fully correct reply earns when every quote has that slip, and the time the checks
add per answer (parsing the reply, building the evidence, checking every quote).

    .venv/bin/python bench/quote_checks.py                # Markdown tables on stdout
    .venv/bin/python bench/quote_checks.py --before bd7d3dd --repeat 300

--before is a git revision whose mockint/grading/llm_reply.py holds the old check
(`quote_found`, `evidence_text`, `check_reply`); without git the "before" column is left out.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "llm"))

from capable_model import mixed  # noqa: E402  (the corpus lives beside the tests that use it)
from quote_variants import (  # noqa: E402
    EXPERT_ANSWER,
    PASSAGES,
    QUESTION_ID,
    VARIANTS,
    Variant,
    cases,
)

from mockint.grading.base import Grade, finalize  # noqa: E402
from mockint.grading.llm_quotes import Evidence, quote_matches  # noqa: E402
from mockint.grading.llm_reply import check_reply, parse_reply  # noqa: E402
from mockint.packs import Question, resolve_pack  # noqa: E402

BEFORE = "bd7d3dd"  # the last revision with exact, sentence-split quote checks


def load_before(revision: str) -> ModuleType | None:
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:mockint/grading/llm_reply.py"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    name = "llm_reply_before"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:llm_reply.py", "exec"), module.__dict__)
    return module


def reply_with(variant: Variant | dict[str, Variant]) -> str:
    """A fully correct reply to the expert answer, its quotes changed by `variant` (or by one
    variant per point)."""
    points = []
    for point_id, passage in PASSAGES.items():
        if isinstance(variant, dict):
            change = variant.get(point_id)
        else:
            change = variant if variant.point in (None, point_id) else None
        quote = change.transform(passage) if change else passage
        points.append({"id": point_id, "quote": quote, "reason": "shown", "verdict": "covered"})
    return json.dumps({"points": points, "red_flags": [], "feedback": "Good.", "follow_up": ""})


def score(module: ModuleType, question: Question, reply_text: str) -> float:
    checked = module.check_reply(question, EXPERT_ANSWER, module.parse_reply(reply_text))
    grade = Grade(question_id=question.id, grader="llm", points=checked.points,
                  red_flags=checked.red_flags)  # fmt: skip
    return finalize(grade).score


def mark(value: bool | None) -> str:
    return "–" if value is None else ("accepted" if value else "rejected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git revision of the old check")
    parser.add_argument("--repeat", type=int, default=200, help="timing repetitions")
    parser.add_argument("--detail", action="store_true", help="also one row per quote")
    args = parser.parse_args()
    before = load_before(args.before)
    after = sys.modules[__name__]  # check_reply/parse_reply imported above
    pack, _ = resolve_pack("service-mesh")
    question = pack.question(QUESTION_ID)

    print(f"Quote variants on the expert answer to {QUESTION_ID} (before: {args.before}): how many")
    print("of the quotes each variant produced (one per point it applies to) were accepted.\n")
    print("| variant | a careful reader | accepted before | accepted after |")
    print("|---|---|---|---|")
    right_before = right_after = 0
    rows = cases()
    evidence = Evidence.of(EXPERT_ANSWER)
    old_evidence = before.evidence_text(EXPERT_ANSWER) if before else None
    details = []
    for variant in VARIANTS:
        mine = [(point_id, quote) for v, point_id, quote in rows if v is variant]
        now = [quote_matches(q, evidence, contiguous=variant.red_flag) for _, q in mine]
        then = [before.quote_found(q, old_evidence) for _, q in mine] if before else []
        right_after += sum(value is variant.accept for value in now)
        right_before += sum(value is variant.accept for value in then)
        old = f"{sum(then)}/{len(mine)}" if before else "–"
        print(
            f"| {variant.description} | {mark(variant.accept)} | {old} | {sum(now)}/{len(mine)} |"
        )
        for index, (point_id, quote) in enumerate(mine):
            details.append((variant, point_id, then[index] if then else None, now[index], quote))
    total = len(rows)
    print(f"\nQuotes judged as a careful reader would: before {right_before}/{total}, "
          f"after {right_after}/{total}.\n")  # fmt: skip
    if args.detail:
        print("| variant | point | careful reader | before | after | quote |")
        print("|---|---|---|---|---|---|")
        for variant, point_id, then_one, now_one, quote in details:
            shown = " ".join(quote.split())[:60].replace("|", "\\|")
            print(f"| {variant.name} | {point_id} | {mark(variant.accept)} | {mark(then_one)} "
                  f"| {mark(now_one)} | {shown} |")  # fmt: skip
        print()

    print("A fully correct reply (every point covered), its quotes slipped one way:\n")
    print("| quotes | score before | score after |")
    print("|---|---|---|")
    slips: list[tuple[str, Variant | dict[str, Variant]]] = [
        (v.description, v) for v in VARIANTS if not v.red_flag
    ]
    slips.append(("a different slip on each point (the tests' capable model)", mixed()))
    for description, variant in slips:
        text = reply_with(variant)
        old = f"{score(before, question, text):.1f}" if before else "–"
        print(f"| {description} | {old} | {score(after, question, text):.1f} |")

    text = reply_with({})
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        check_reply(question, EXPERT_ANSWER, parse_reply(text))
        timings.append((time.perf_counter() - started) * 1000)
    # A long answer: the expert answer, then other text of the pack (its model answers).
    extra = [line for q in pack.questions[1:] for line in q.model_answer]
    long_answer = EXPERT_ANSWER + "\n\n" + " ".join(extra)[:4500]
    long_timings = []
    for _ in range(max(1, args.repeat // 4)):
        started = time.perf_counter()
        check_reply(question, long_answer, parse_reply(text))
        long_timings.append((time.perf_counter() - started) * 1000)
    words = len(EXPERT_ANSWER.split())
    print(f"\nChecks per answer (parse the reply, build the evidence, check "
          f"{len(PASSAGES)} quotes), median of {args.repeat}:")  # fmt: skip
    print(f"- {words}-word answer: {statistics.median(timings):.2f} ms "
          f"(max {max(timings):.2f} ms)")  # fmt: skip
    print(f"- {len(long_answer.split())}-word answer: {statistics.median(long_timings):.2f} ms "
          f"(max {max(long_timings):.2f} ms)")  # fmt: skip
    print(f"\nCommand: python bench/quote_checks.py --before {args.before} "
          f"--repeat {args.repeat}")  # fmt: skip


if __name__ == "__main__":
    main()
