"""`mockint run`, `resume`, `history` and `show`: start or continue an interview, and read
sessions back as text or JSON.

Everything that can be checked before the screen opens is checked here (the pack, the flags,
the grader, the database), so a mistake is one line on stderr and exit 2, never a half-drawn TUI.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from mockint.cli.launch import command_name
from mockint.cli.main import (
    Context,
    OneLineErrors,
    cli,
    echo_json,
    llm_options,
    pass_context,
)
from mockint.errors import UserError
from mockint.grading.serial import flag_to_dict, point_from_dict, point_to_dict
from mockint.safe_text import safe_text
from mockint.store import DisputeRow, GradeRow, SessionRow, Store, parse_iso

if TYPE_CHECKING:
    from mockint.config import Settings
    from mockint.grading.base import Grader
    from mockint.packs import Pack
    from mockint.review.history import HistoryRow

# The engine, packs and scorecard are imported by the commands that use them: `history` is
# run by scripts and must answer fast on 10,000 sessions.


def require_grader(settings: Settings, name: str) -> None:
    if name == "llm" and not settings.llm_configured:
        raise UserError(
            "the llm grader needs a model: set MOCKINT_MODEL (and OPENAI_BASE_URL) or `model` "
            "in the config file (`mockint paths` shows where), or use --grader keyword"
        )


def build_grader(settings: Settings, name: str, pack: Pack) -> Grader:
    """The grader a session will use, built now so a misconfiguration stops us here."""
    require_grader(settings, name)
    from mockint.grading import make_grader

    return make_grader(name, settings, pack=pack)


RUN_EPILOG = """\b
Examples:
  mockint run --pack service-mesh
  mockint run --pack service-mesh -n 3 --seed 7 --coach
  mockint run --pack ./my-pack.toml --untimed --grader keyword
  mockint run --pack service-mesh --due     practise the questions that are due
  mockint run --pack service-mesh --question sm-04
  mockint run --pack service-mesh --tag security -n 2
"""


@cli.command(cls=OneLineErrors, epilog=RUN_EPILOG)
@click.option("--pack", "-p", "pack_ref", required=True, metavar="ID|PATH", help="Pack id or file.")
@click.option("--questions", "-n", type=int, help="How many questions (default 5).")
@click.option(
    "--grader",
    type=click.Choice(["offline", "keyword", "llm"]),
    help="Grader to use (default: llm when a model is set, else offline).",
)
@click.option("--seed", type=int, help="Draw the questions in a reproducible order.")
@click.option("--coach/--no-coach", default=None, help="Show grades after each answer.")
@click.option("--untimed", is_flag=True, help="No time budget per question.")
@click.option("--minutes", type=float, help="Budget per question when the pack sets none.")
@click.option("--follow-ups", "follow_ups", type=int, help="Follow-ups per question, 0-5.")
@click.option(
    "--due", is_flag=True, help="Only the questions due for practice, most-missed points first."
)
@click.option(
    "--question",
    "question_ids",
    multiple=True,
    metavar="ID",
    help="Practise this question (repeat for several, asked in that order).",
)
@click.option("--tag", metavar="TAG", help="Practise the questions tagged TAG (a topic).")
@llm_options
@pass_context
def run(
    ctx: Context,
    pack_ref: str,
    questions: int | None,
    grader: str | None,
    seed: int | None,
    coach: bool | None,
    untimed: bool,
    minutes: float | None,
    follow_ups: int | None,
    due: bool,
    question_ids: tuple[str, ...],
    tag: str | None,
) -> None:
    """Start an interview on a pack right away: questions drawn at random, or the ones given
    by --question, tagged --tag, or due for practice (--due)."""
    from mockint.interview import InterviewOptions, pick_questions
    from mockint.packs import resolve_pack
    from mockint.tui.requests import NewSession

    settings = ctx.with_overrides(coach=coach)
    pack, path = resolve_pack(pack_ref)
    available = len(pack.questions)
    if questions is not None and not 1 <= questions <= available:
        raise UserError(f"--questions must be from 1 to {available} for pack {pack.id!r}")
    if minutes is not None and minutes <= 0:
        raise UserError("--minutes must be more than 0")
    if follow_ups is not None and not 0 <= follow_ups <= 5:
        raise UserError("--follow-ups must be from 0 to 5")
    chosen = [
        name
        for name, given in (("--due", due), ("--question", question_ids), ("--tag", tag))
        if given
    ]
    if len(chosen) > 1:
        raise UserError(f"{' and '.join(chosen)} choose the questions differently; give one")
    picked: tuple[str, ...] | None = None
    if question_ids or tag:
        picked = tuple(
            pick_questions(pack, question_ids=question_ids, tag=tag, count=questions, seed=seed)
        )
    grader_name = grader or settings.active_grader
    ready = build_grader(settings, grader_name, pack)
    options = InterviewOptions(
        questions=len(picked) if picked else questions or min(settings.questions, available),
        question_ids=picked,
        seed=seed,
        timed=not untimed,
        question_minutes=minutes or settings.question_minutes,
        coach=settings.coach,
        max_follow_ups=settings.max_follow_ups if follow_ups is None else follow_ups,
    )
    store = ctx.writable_store()  # an unusable database is reported before the screen opens
    if due:
        from mockint.review.scheduler import due_plan, nothing_due_message

        # only what is due: never-practised questions are what a normal interview is for
        due_ids, focus = due_plan(store, pack, limit=options.questions, include_new=False)
        if not due_ids:
            raise UserError(nothing_due_message(store, pack))
        options = replace(options, questions=len(due_ids), question_ids=tuple(due_ids), focus=focus)
    from mockint.cli.launch import run_app

    run_app(ctx, NewSession(pack, options, grader_name, str(path)), ready=ready)


@cli.command(cls=OneLineErrors, epilog="\b\nExamples:\n  mockint resume\n  mockint resume 12")
@click.argument("session_id", type=int, required=False)
@llm_options
@pass_context
def resume(ctx: Context, session_id: int | None) -> None:
    """Continue an interrupted session (the latest one by default) at its open question."""
    from mockint.interview import session_pack
    from mockint.tui.requests import ResumeSession

    store = ctx.writable_store()
    if session_id is None:
        session = store.resumable_session()
        if session is None:
            raise UserError("no interrupted session to resume (`mockint history` lists sessions)")
    else:
        session = store.session(session_id)
        if session is None:
            raise UserError(f"no session {session_id} (`mockint history` lists sessions)")
        if session.status != "in_progress":
            raise UserError(f"session {session_id} is {session.status}; it cannot be resumed")
    from mockint.ownership import check_free

    check_free(store, session.id)  # open in another terminal: say so before any screen
    pack = session_pack(session)  # the pack must still load
    ready = build_grader(ctx.settings, session.grader, pack)
    from mockint.cli.launch import run_app

    run_app(ctx, ResumeSession(session.id), ready=ready)


# reading sessions back --------------------------------------------------------------------


def local_time(value: str | None) -> str:
    """'2026-03-20 13:05' in the local time zone ('-' for none); formatted by hand because
    strftime is a tenth of `mockint history`'s time on 10,000 sessions."""
    moment = parse_iso(value)
    if moment is None:
        return "-"
    m = moment.astimezone()
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}"


def history_row(store: Store, session: SessionRow) -> dict[str, Any]:
    """One session as `history --json` shows it; `answered` leaves skipped questions out."""
    turns = store.turns(session.id)
    answered = {
        t.question_id for t in turns if t.kind == "main" and t.submitted_at and not t.skipped
    }
    return {
        "id": session.id,
        "pack": session.pack_id,
        "pack_title": session.pack_title,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "status": session.status,
        "questions": len(session.question_ids),
        "answered": len(answered),
        "score": session.score,
        "grader": session.grader,
        "model": session.model,
    }


def _listing_row(row: HistoryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "pack": row.pack_id,
        "pack_title": row.pack_title,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "status": row.status,
        "questions": row.questions,
        "answered": row.answered,
        "score": row.score,
        "grader": row.grader,
        "model": row.model,
    }


@cli.command(cls=OneLineErrors, epilog="\b\nExamples:\n  mockint history\n  mockint history --json")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N sessions.")
@pass_context
def history(ctx: Context, as_json: bool, limit: int | None) -> None:
    """One row per session, newest first; "q" is questions answered (not skipped) of asked."""
    from mockint.review.history import page

    rows = page(ctx.store(), limit=limit, count_answered=True)
    if as_json:
        echo_json([_listing_row(row) for row in rows])
        return
    if not rows:
        name = command_name()
        click.echo(f"No sessions yet. Start one with `{name}` or `{name} run --pack ID`.")
        return
    width = max(2, *(len(str(row.id)) for row in rows))
    lines = [
        f"{'id':>{width}}  {'started':<16}  {'pack':<18} {'status':<11} {'score':>5}  q    grader"
    ]
    for row in rows:
        score = "-" if row.score is None else f"{row.score:.1f}"
        progress = f"{row.answered}/{row.questions}"
        pack = safe_text(row.pack_id, one_line=True)[:18]
        lines.append(
            f"{row.id:>{width}}  {local_time(row.started_at):<16}  {pack:<18} "
            + safe_text(f"{row.status:<11} {score:>5}  {progress:<4} {row.grader}")
        )
    click.echo("\n".join(lines))


def grade_json(grade: GradeRow, disputes: dict[str, DisputeRow] | None = None) -> dict[str, Any]:
    """A stored grade for `show --json`, with the candidate's disputes of its points."""
    keys = (
        "grader",
        "model",
        "endpoint",
        "score",
        "band",
        "feedback",
        "note",
        "created_at",
        "prompt_tokens",
        "completion_tokens",
        "latency_ms",
    )
    return {
        **{key: getattr(grade, key) for key in keys},
        "points": [point_to_dict(p) for p in grade.points],
        "red_flags": [flag_to_dict(f) for f in grade.red_flags],
        "disputes": [
            {"point": d.point_id, "claim": d.claim, "note": d.note}
            for d in (disputes or {}).values()
        ],
    }


def transcript_json(store: Store, session: SessionRow) -> dict[str, Any]:
    """The session with every turn and its grades; per-question results when the pack loads."""
    from mockint.grading.base import total_usage
    from mockint.interview import session_pack
    from mockint.scorecard import build_scorecard, seconds_between

    grades = store.session_grades(session.id)
    disputes = store.session_disputes(session.id)
    turns = [
        {
            "id": turn.id,
            "kind": turn.kind,
            "question_id": turn.question_id,
            "prompt": turn.prompt,
            "answer": turn.answer,
            "skipped": turn.skipped,
            "probes": turn.probes,
            "started_at": turn.started_at,
            "submitted_at": turn.submitted_at,
            "seconds_used": round(seconds_between(turn.started_at, turn.submitted_at), 1),
            "budget_seconds": turn.budget_seconds,
            "grades": [grade_json(g, disputes.get(g.id)) for g in grades.get(turn.id, [])],
        }
        for turn in store.turns(session.id)
    ]
    data = {**history_row(store, session), "question_ids": session.question_ids}
    usage = total_usage(g for rows in grades.values() for g in rows)
    data.update(
        settings=session.settings,
        endpoint=session.endpoint,
        usage={
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "model_seconds": round(usage.latency_ms / 1000, 1),
        },
        turns=turns,
    )
    try:
        card = build_scorecard(store, session_pack(session), session.id)
    except UserError:
        return data
    data["results"] = [
        {
            "question_id": r.question.id,
            "score": r.grade.score if r.grade else 0.0,
            "band": r.grade.band if r.grade else None,
            "skipped": r.skipped,
            "seconds_used": round(r.seconds_used, 1),
            "budget_seconds": r.budget_seconds,
            "points": [point_to_dict(p) for p in r.grade.points] if r.grade else [],
            "cross_check_score": r.cross_check_score,
            "disagreement": r.disagreement,
        }
        for r in card.results
    ]
    return data


@cli.command(cls=OneLineErrors, epilog="\b\nExamples:\n  mockint show 12\n  mockint show 12 --json")
@click.argument("session_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def show(ctx: Context, session_id: int, as_json: bool) -> None:
    """The transcript of a session: every question, follow-up, answer and grade."""
    from mockint.grading.base import DISAGREEMENT_POINTS
    from mockint.review.transcript import probed_summary

    store = ctx.store()
    session = store.session(session_id)
    if session is None:
        raise UserError(f"no session {session_id} (`mockint history` lists sessions)")
    data = transcript_json(store, session)
    if as_json:
        echo_json(data)
        return
    # Every stored string goes through safe_text: an imported answer or a pack's text must not
    # reach the terminal with its escape sequences.
    score = "-" if data["score"] is None else f"{data['score']:.1f} / 10"
    heading = (
        f"Session #{data['id']} · {data['pack_title'] or data['pack']} · "
        f"{local_time(data['started_at'])} · {data['status']} · score {score} · {data['grader']}"
    )
    click.echo(safe_text(heading, one_line=True))
    for turn in data["turns"]:
        label = "Question" if turn["kind"] == "main" else "Follow-up"
        click.echo(safe_text(f"\n{label} {turn['question_id']}: {turn['prompt']}"))
        if turn["skipped"]:
            click.echo("  (skipped)")
        elif turn["answer"] is None:
            click.echo("  (not answered yet)")
        else:
            for line in safe_text(turn["answer"]).splitlines() or [""]:
                click.echo(f"  > {line}")
        for grade in turn["grades"]:
            by = grade["grader"] + (f" ({grade['model']})" if grade["model"] else "")
            note = f" — note: {grade['note']}" if grade["note"] else ""
            if turn["kind"] == "follow_up":
                summary = probed_summary(map(point_from_dict, grade["points"]), turn["probes"])
                line = f"  {by}: {summary}{note}"
            else:
                line = f"  {by}: {grade['score']:.1f} / 10, {grade['band']}{note}"
            click.echo(safe_text(line, one_line=True))
            verdicts = {p["id"]: p.get("verdict") for p in grade["points"]}
            for item in grade["disputes"]:
                said = "covered" if item["claim"] == "covered" else "not covered"
                why = f" ({item['note']})" if item["note"] else ""
                line = (
                    f"    you dispute {item['point']}: {said}, "
                    f"the grader said {verdicts.get(item['point'])}{why}"
                )
                click.echo(safe_text(line, one_line=True))
    for result in data.get("results", []):
        band = result["band"] or "skipped"
        line = f"{result['question_id']}: {result['score']:.1f} / 10, {band}"
        click.echo("\n" + safe_text(line, one_line=True))
        if (result["disagreement"] or 0) >= DISAGREEMENT_POINTS:
            click.echo(
                f"  graders disagree: keyword cross-check {result['cross_check_score']:.1f} / 10"
            )
    usage = data["usage"]
    if usage["prompt_tokens"] or usage["completion_tokens"]:
        click.echo(
            f"\nLLM usage: {usage['prompt_tokens']} prompt + {usage['completion_tokens']} "
            f"completion tokens, {usage['model_seconds']} s of model time"
        )
