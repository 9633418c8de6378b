"""`mockint grade` and `mockint eval`: grade answers from the command line, measure agreement.

`grade` grades one answer (a readable report, or Grade.to_dict() with --json) or a JSONL batch
(one output line per input line, in order; a bad line gets an error object and exit code 1,
the others are still graded). `eval` grades labelled answers and reports how well the grader
agrees with the people who labelled them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mockint.cli.main import Context, cli, echo_json, llm_options, pass_context
from mockint.cli.session_cmd import require_grader
from mockint.credentials import scrub_url
from mockint.errors import UserError
from mockint.grading import GRADER_NAMES, make_grader
from mockint.grading.base import Grade, Grader, combine, grade_follow_up
from mockint.grading.metrics import agreement
from mockint.marks import OTHER_WORDS_GLYPH, RED_FLAG_GLYPH, grader_text, verdict_glyph
from mockint.packs import Pack, Question, resolve_pack
from mockint.safe_text import json_safe, safe_text
from mockint.textfiles import MB, read_text

if TYPE_CHECKING:
    from mockint.store import Store

GRADE_EPILOG = """\b
Examples:
  mockint grade --pack service-mesh --question sm-04 --answer "Both sides present..."
  mockint grade --pack service-mesh --question sm-04 --answer-file answer.txt --json
  echo "Both sides present..." | mockint grade --pack service-mesh --question sm-04 -
  mockint grade --pack my-pack.toml --batch answers.jsonl > grades.jsonl

\b
A batch file has one JSON object per line: {"question_id": "sm-04", "answer": "..."}.
"""

EVAL_EPILOG = """\b
Examples:
  mockint eval --pack service-mesh --labels labels.jsonl
  mockint eval --pack my-pack.toml --labels labels.jsonl --grader keyword --json

\b
A labels file has one JSON object per line:
  {"question_id": "sm-04", "answer": "...", "human_score": 7, "scale_max": 10}
scale_max is optional (default 10); scores are compared on the 0-10 scale.
"""

# beyond any answer a person types (the keyword grader reads the first 30,000 characters) or
# any labelled set worth grading in one run
ANSWER_LIMIT = 5 * MB
BATCH_LIMIT = 200 * MB

_GRADER_CHOICE = click.Choice(GRADER_NAMES)


def _grader(ctx: Context, name: str | None, pack: Pack) -> Grader:
    return make_grader(name or ctx.settings.active_grader, ctx.settings, pack=pack)


@cli.command("grade", epilog=GRADE_EPILOG)
@click.option("--pack", "pack_ref", required=True, metavar="ID|PATH", help="Pack id or file.")
@click.option("--question", "question_id", metavar="QID", help="Question id in the pack.")
@click.option("--answer", metavar="TEXT", help="The answer to grade.")
@click.option(
    "--answer-file",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Read the answer from a file ('-' for standard input).",
)
@click.option(
    "--batch",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    metavar="FILE.jsonl",
    help="Grade every line of a JSONL file; prints one JSON line per input line.",
)
@click.option("--grader", "grader_name", type=_GRADER_CHOICE, help="Grader (default: config).")
@llm_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.argument("stdin_marker", required=False, metavar="[-]")
@pass_context
def grade_command(
    ctx: Context,
    pack_ref: str,
    question_id: str | None,
    answer: str | None,
    answer_file: Path | None,
    batch: Path | None,
    grader_name: str | None,
    as_json: bool,
    stdin_marker: str | None,
) -> None:
    """Grade one answer to a question, or a batch of answers."""
    if stdin_marker not in (None, "-"):
        raise UserError(
            f"unexpected argument {stdin_marker!r}; use '-' to read the answer from stdin"
        )
    sources = [s for s in (answer is not None, answer_file is not None, stdin_marker) if s]
    pack, _ = resolve_pack(pack_ref)
    if batch is not None:
        if sources or question_id:
            raise UserError("--batch takes question ids and answers from the file; drop the others")
        failed = _grade_batch(_grader(ctx, grader_name, pack), pack, batch)
        if failed:
            raise SystemExit(1)
        return
    if not question_id:
        raise UserError("give --question QID (or --batch FILE.jsonl)")
    if len(sources) != 1:
        raise UserError("give the answer exactly one way: --answer TEXT, --answer-file FILE or -")
    question = pack.question(question_id)
    if question is None:
        raise UserError(_unknown_question(pack, question_id))
    given = "--answer"
    if answer is None:
        source = answer_file or Path("-")
        given = "standard input" if str(source) == "-" else str(source)
        answer = _read_text(source, limit=ANSWER_LIMIT, what="text file")
    if not answer.strip():
        # an unset shell variable or an empty file, not an answer: grading it only says so
        raise UserError(f"the answer is empty ({given}): nothing to grade")
    grade = _not_stored(_grader(ctx, grader_name, pack).grade(question, answer))
    if as_json:
        echo_json(grade.to_dict())
    else:
        _print_report(grade)


GRADE_AGAIN = "Nothing is stored: grade it again once the endpoint answers (`mockint doctor`)."


def _not_stored(grade: Grade) -> Grade:
    """`grade` keeps no answer, so a fallback note's advice to run `mockint regrade` (which
    regrades stored answers) would lead nowhere: it says what does work here instead."""
    if "mockint regrade" not in grade.note:
        return grade
    # only an LLM grader's fallback carries the hint, so the LLM modules are loaded already
    from mockint.grading.llm import REGRADE_HINT

    return replace(grade, note=grade.note.replace(REGRADE_HINT, GRADE_AGAIN))


def _unknown_question(pack: Pack, question_id: str) -> str:
    known = ", ".join(q.id for q in pack.questions[:20])
    more = ", ..." if len(pack.questions) > 20 else ""
    return f"pack {pack.id!r} has no question {question_id!r} (questions: {known}{more})"


def _read_text(path: Path, *, limit: int, what: str) -> str:
    """A file named on the command line ('-' for standard input; a pipe such as <(...) too)."""
    if str(path) == "-":
        return sys.stdin.read()
    return read_text(path, limit=limit, what=what, pipes=True)


def _echo(text: str = "") -> None:
    """Print text that may come from a pack or a server, without its control sequences."""
    click.echo(safe_text(text))


def _print_report(grade: Grade) -> None:
    by = grader_text(grade.grader, grade.model)
    by += f" at {scrub_url(grade.endpoint)}" if grade.endpoint else ""
    _echo(f"{grade.question_id}: {grade.score:.1f} / 10 — {grade.band} (grader: {by})")
    if grade.note:
        _echo(f"note: {grade.note}")
    _echo()
    for point in grade.points:
        in_other_words = point.source == "semantic" and point.verdict == "covered"
        glyph = OTHER_WORDS_GLYPH if in_other_words else verdict_glyph(point.verdict)
        _echo(f"{glyph} {point.point_id} (weight {point.weight:g})")
        if point.description:
            _echo(f"    {point.description}")
        if point.evidence:
            _echo("    evidence: " + "; ".join(f'"{e}"' for e in point.evidence))
        elif point.reason and point.reason != "not found":
            _echo(f"    {point.reason}")
    for flag in grade.red_flags:
        _echo(f"{RED_FLAG_GLYPH} red flag {flag.flag_id} (-{flag.penalty:g}): {flag.description}")
        if flag.evidence:
            _echo("    evidence: " + "; ".join(f'"{e}"' for e in flag.evidence))
    _echo()
    _echo(grade.feedback)


@dataclass
class _Line:
    number: int
    data: dict[str, Any] | None
    error: str | None = None


def _read_jsonl(path: Path, required: tuple[str, ...]) -> Iterator[_Line]:
    """Each non-blank line parsed, or the reason it could not be (with its line number)."""
    text = _read_text(path, limit=BATCH_LIMIT, what="JSONL file")
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield _Line(number, None, f"line {number}: not JSON ({exc.msg})")
            continue
        if not isinstance(data, dict):
            yield _Line(number, None, f"line {number}: expected a JSON object")
            continue
        missing = [key for key in required if key not in data]
        if missing:
            yield _Line(number, None, f"line {number}: missing {', '.join(missing)}")
            continue
        if not isinstance(data.get("answer"), str):
            yield _Line(number, None, f"line {number}: 'answer' must be a string")
            continue
        yield _Line(number, data)


def _grade_batch(grader: Grader, pack: Pack, path: Path) -> int:
    """Grade every line; return how many lines failed."""
    failed = 0
    for line in _read_jsonl(path, ("question_id", "answer")):
        result: dict[str, Any]
        if line.data is None:
            result = {"line": line.number, "error": line.error}
        else:
            question = pack.question(str(line.data["question_id"]))
            if question is None:
                message = _unknown_question(pack, str(line.data["question_id"]))
                result = {"line": line.number, "error": f"line {line.number}: {message}"}
            else:
                try:
                    result = {
                        "line": line.number,
                        **_not_stored(grader.grade(question, line.data["answer"])).to_dict(),
                    }
                except UserError as exc:
                    result = {"line": line.number, "error": f"line {line.number}: {exc}"}
        if "error" in result:
            failed += 1
        click.echo(json_safe(json.dumps(result, ensure_ascii=False)))
    return failed


@cli.command("eval", epilog=EVAL_EPILOG)
@click.option("--pack", "pack_ref", required=True, metavar="ID|PATH", help="Pack id or file.")
@click.option(
    "--labels",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    metavar="FILE.jsonl",
    help="Answers with human scores.",
)
@click.option(
    "--disputes",
    is_flag=True,
    help="Use your disputes (mockint dispute) in the database as labels instead.",
)
@click.option("--grader", "grader_name", type=_GRADER_CHOICE, help="Grader (default: config).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def eval_command(
    ctx: Context,
    pack_ref: str,
    labels: Path | None,
    disputes: bool,
    grader_name: str | None,
    as_json: bool,
) -> None:
    """Measure how well a grader agrees with human scores (or with your disputes)."""
    pack, _ = resolve_pack(pack_ref)
    if disputes == (labels is not None):
        raise UserError("give either --labels FILE or --disputes")
    # eval has no --model flag: say what sets a model here, not what the grader's own
    # message names
    require_grader(ctx.settings, grader_name or ctx.settings.active_grader)
    if disputes:
        _eval_disputes(ctx, pack, _grader(ctx, grader_name, pack), as_json)
        return
    assert labels is not None
    rows = _read_labels(pack, labels)
    grader = _grader(ctx, grader_name, pack)
    machine: list[float] = []
    human: list[float] = []
    disagreements: list[dict[str, Any]] = []
    for number, question, answer, score in rows:
        grade = grader.grade(question, answer)
        machine.append(grade.score)
        human.append(score)
        disagreements.append(
            {
                "line": number,
                "question_id": question.id,
                "human": round(score, 2),
                "grader": grade.score,
                "difference": round(grade.score - score, 2),
                "answer": answer,
            }
        )
    disagreements.sort(key=lambda d: (-abs(d["difference"]), d["line"]))
    report = {
        "pack": pack.id,
        "grader": grader.name,
        **agreement(machine, human).to_dict(),
        "mean_human": round(sum(human) / len(human), 2),
        "mean_grader": round(sum(machine) / len(machine), 2),
        "largest_disagreements": disagreements[:10],
    }
    if as_json:
        echo_json(report)
    else:
        _print_eval(report)


def _question_regraded(
    store: Store, grader: Grader, question: Question, session_id: int, answer: str
) -> Grade:
    """The question's grade again, over its main answer and follow-ups: what a dispute
    disputes is the verdict shown for the question, and a follow-up answer earns the points
    it probes."""
    graded: list[tuple[int, Grade, tuple[str, ...] | None]] = [
        (0, grader.grade(question, answer), None)
    ]
    for turn in store.turns(session_id):
        follow_up = turn.question_id == question.id and turn.kind == "follow_up"
        if follow_up and turn.answer and not turn.skipped:
            grade = grade_follow_up(grader, question, turn.answer)
            graded.append((turn.id, grade, tuple(turn.probes)))
    return combine(question.id, graded)


def _eval_disputes(ctx: Context, pack: Pack, grader: Grader, as_json: bool) -> None:
    """Each disputed point is a label: does the grader, grading the question's answers again,
    agree with what the candidate says ("covered" counts partial as agreement)?"""
    store = ctx.store()
    rows = [d for d in store.all_disputes() if d.pack_id == pack.id and d.kind == "main"]
    checked = []
    for row in rows:
        question = pack.question(row.question_id)
        if question is None or row.answer is None:
            continue
        grade = _question_regraded(store, grader, question, row.session_id, row.answer)
        verdict = next((p.verdict for p in grade.points if p.point_id == row.point_id), None)
        if verdict is None:
            continue
        agrees = (verdict != "missed") == (row.claim == "covered")
        checked.append(
            {
                "session_id": row.session_id,
                "question_id": row.question_id,
                "point_id": row.point_id,
                "you": row.claim,
                "grader": verdict,
                "agrees": agrees,
            }
        )
    agreed = sum(1 for item in checked if item["agrees"])
    report = {
        "pack": pack.id,
        "grader": grader.name,
        "disputes": len(checked),
        "agrees": agreed,
        "share": round(agreed / len(checked), 3) if checked else None,
        "points": checked,
    }
    if as_json:
        echo_json(report)
        return
    if not checked:
        click.echo(f"No disputes on pack {pack.id} yet (`mockint dispute` records them).")
        return
    click.echo(
        f"{grader.name} grader agrees with you on {agreed} of {len(checked)} disputed points "
        f"of {pack.id} ({agreed / len(checked):.0%})."
    )
    for item in checked:
        if not item["agrees"]:
            line = (
                f"  #{item['session_id']} {item['question_id']}/{item['point_id']}: "
                f"you say {item['you']}, the grader says {item['grader']}"
            )
            click.echo(safe_text(line, one_line=True))


def _read_labels(pack: Pack, path: Path) -> list[tuple[int, Question, str, float]]:
    """(line, question id, answer, human score on 0-10); any bad line stops the evaluation."""
    rows = []
    for line in _read_jsonl(path, ("question_id", "answer", "human_score")):
        if line.data is None:
            raise UserError(f"{path}: {line.error}")
        data = line.data
        question_id = str(data["question_id"])
        question = pack.question(question_id)
        if question is None:
            raise UserError(f"{path}: line {line.number}: {_unknown_question(pack, question_id)}")
        score, scale = data["human_score"], data.get("scale_max", 10)
        if not _is_number(score) or not _is_number(scale) or scale <= 0 or not 0 <= score <= scale:
            raise UserError(
                f"{path}: line {line.number}: human_score must be a number in 0..scale_max "
                "(scale_max > 0, default 10)"
            )
        rows.append((line.number, question, data["answer"], 10.0 * score / scale))
    if not rows:
        raise UserError(f"{path}: no labelled answers")
    return rows


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _print_eval(report: dict[str, Any]) -> None:
    _echo(f"pack {report['pack']}, grader {report['grader']}: {report['n']} answers")
    _echo(f"  Pearson r                  {_fmt(report['pearson'])}")
    _echo(f"  Spearman rho               {_fmt(report['spearman'])}")
    _echo(f"  quadratic weighted kappa   {_fmt(report['qwk'])}  (rounded 0-10 marks)")
    _echo(f"  mean absolute error        {_fmt(report['mae'])}  (0-10 scale)")
    _echo(f"  mean score: human {report['mean_human']:.2f}, grader {report['mean_grader']:.2f}")
    _echo()
    _echo("Largest disagreements:")
    for item in report["largest_disagreements"]:
        answer = " ".join(item["answer"].split())
        if len(answer) > 70:
            answer = answer[:67] + "..."
        _echo(
            f"  line {item['line']:>5}  {item['question_id']:<8} human {item['human']:>5.1f}  "
            f"grader {item['grader']:>4.1f}  {answer}"
        )
