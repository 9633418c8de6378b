"""`mockint run`, `resume`, `history` and `show`: start or continue an interview, and read
sessions back as text or JSON.

Everything that can be checked before the screen opens is checked here (the pack, the flags,
the grader, the database), so a mistake is one line on stderr and exit 2, never a half-drawn TUI.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import click

from mockint.cli.launch import command_name
from mockint.cli.main import (
    Context,
    OneLineErrors,
    cli,
    echo_json,
    llm_options,
    pass_context,
    shorten,
)
from mockint.errors import UserError
from mockint.grading.serial import point_from_dict
from mockint.marks import claim_label, grader_text
from mockint.safe_text import safe_text
from mockint.timestamps import format_when

if TYPE_CHECKING:
    from mockint.config import Settings
    from mockint.grading.base import Grader
    from mockint.packs import Pack

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
    from mockint.interview import InterviewOptions
    from mockint.packs import resolve_pack
    from mockint.session_plan import pick_questions
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
    if question_ids and questions is not None:  # else -n would be dropped without a word
        raise UserError("--question asks exactly the questions named; leave out --questions")
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
    from mockint.session_plan import session_pack
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

# mockint.review.history.SORTS, spelled out: the module is imported only when a command runs
SORT_KEYS = ("date", "score", "pack", "duration", "status", "grader")


HISTORY_EPILOG = """\b
Examples:
  mockint history
  mockint history --pack service-mesh --status completed
  mockint history --score '<5' --last 30d
  mockint history --grader llm --sort score --json
  mockint history --filter 'pack:service-mesh since:2026-01 mtls'
"""


@cli.command(cls=OneLineErrors, epilog=HISTORY_EPILOG)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N sessions.")
@click.option("--pack", metavar="ID", help="Sessions of this pack.")
@click.option(
    "--status", metavar="STATUS", help="in_progress (interrupted), completed or abandoned."
)
@click.option("--grader", metavar="NAME", help="Sessions graded by keyword, offline, llm, ...")
@click.option("--since", metavar="DATE", help="Started on or after 2026-01-31 (or 2026-01).")
@click.option("--until", metavar="DATE", help="Started on or before 2026-03-31 (or 2026-03).")
@click.option("--last", metavar="SPAN", help="Started in the last 30d or 4w.")
@click.option("--score", metavar="RANGE", help="Score '<5', '>=7', '6-8' or '7.5'.")
@click.option(
    "--match", "words", multiple=True, metavar="TEXT", help="Pack id or title contains TEXT."
)
@click.option(
    "--filter",
    "filter_text",
    default="",
    metavar="TEXT",
    help="The History screen's filter text, e.g. 'pack:service-mesh score:<5 mtls'.",
)
@click.option(
    "--sort",
    type=click.Choice(list(SORT_KEYS)),
    default="date",
    show_default=True,
    help="Sort column, as on the History screen.",
)
@click.option("--ascending", is_flag=True, help="Oldest (lowest) first.")
@pass_context
def history(
    ctx: Context,
    as_json: bool,
    limit: int | None,
    words: tuple[str, ...],
    filter_text: str,
    sort: str,
    ascending: bool,
    pack: str | None,
    status: str | None,
    grader: str | None,
    since: str | None,
    until: str | None,
    last: str | None,
    score: str | None,
) -> None:
    """One row per session, newest first; "q" is questions answered (not skipped) of asked.
    Filters combine (all must hold), as on the History screen."""
    from mockint.review.history import FilterError, HistoryFilter, page, parse_filter

    filters = {
        "pack": pack,
        "status": status,
        "grader": grader,
        "since": since,
        "until": until,
        "last": last,
        "score": score,
    }
    given = {key: value for key, value in filters.items() if value is not None}
    try:
        flt = parse_filter(filter_text, options=given)
    except FilterError as exc:
        raise UserError(str(exc)) from None
    # --match text is matched as it is, spaces and colons included
    flt = replace(flt, words=(*flt.words, *(w for w in words if w.strip())))
    rows = page(
        ctx.store(),
        flt,
        sort=sort,  # type: ignore[arg-type]  # a click.Choice of SORT_KEYS
        descending=not ascending,
        limit=limit,
        count_answered=True,
    )
    if as_json:
        echo_json([row.as_json() for row in rows])
        return
    if not rows:
        if flt != HistoryFilter():
            click.echo("No sessions match these filters.")
            return
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
        pack = shorten(safe_text(row.pack_id, one_line=True), 18)
        lines.append(
            f"{row.id:>{width}}  {format_when(row.started_at, missing='-'):<16}  {pack:<18} "
            + safe_text(f"{row.status:<11} {score:>5}  {progress:<4} {row.grader}")
        )
    click.echo("\n".join(lines))


@cli.command(cls=OneLineErrors, epilog="\b\nExamples:\n  mockint show 12\n  mockint show 12 --json")
@click.argument("session_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def show(ctx: Context, session_id: int, as_json: bool) -> None:
    """The transcript of a session: every question, follow-up, answer and grade."""
    from mockint.grading.base import DISAGREEMENT_POINTS
    from mockint.review.session_json import session_json
    from mockint.review.transcript import probed_summary

    store = ctx.store()
    session = store.session(session_id)
    if session is None:
        raise UserError(f"no session {session_id} (`mockint history` lists sessions)")
    data = session_json(store, session)
    if as_json:
        echo_json(data)
        return
    # Every stored string goes through safe_text: an imported answer or a pack's text must not
    # reach the terminal with its escape sequences.
    score = "-" if data["score"] is None else f"{data['score']:.1f} / 10"
    heading = (
        f"Session #{data['id']} · {data['pack_title'] or data['pack']} · "
        f"{format_when(data['started_at'], missing='-')} · {data['status']} · score {score} · "
        f"{data['grader']}"
    )
    click.echo(safe_text(heading, one_line=True))
    for turn in data["turns"]:
        label = "Question" if turn["kind"] == "main" else "Follow-up"
        click.echo(safe_text(f"\n{label} {turn['question_id']}: {turn['prompt']}"))
        if turn["skipped"]:
            click.echo("  (skipped)")
        elif turn["answer"] is None:
            click.echo("  (not answered yet)")
            if turn["draft"]:  # what autosave kept of the answer being typed
                saved = format_when(turn["draft"]["saved_at"], missing="-")
                click.echo(f"  unsent draft, saved {saved}:")
                for line in safe_text(turn["draft"]["text"]).splitlines() or [""]:
                    click.echo(f"  ~ {line}")
        else:
            for line in safe_text(turn["answer"]).splitlines() or [""]:
                click.echo(f"  > {line}")
        for grade in turn["grades"]:
            by = grader_text(grade["grader"], grade["model"])
            note = f" — note: {grade['note']}" if grade["note"] else ""
            if turn["kind"] == "follow_up":
                summary = probed_summary(map(point_from_dict, grade["points"]), turn["probes"])
                line = f"  {by}: {summary}{note}"
            else:
                line = f"  {by}: {grade['score']:.1f} / 10, {grade['band']}{note}"
            click.echo(safe_text(line, one_line=True))
            # a red flag counts against the whole question: without it a follow-up answer's
            # -5 would turn 4.8 into 0.0 with nothing here to say why
            for flag in grade["red_flags"]:
                said = f"    red flag: {flag['description'] or flag['id']} (-{flag['penalty']:g})"
                click.echo(safe_text(said, one_line=True))
            verdicts = {p["id"]: p.get("verdict") for p in grade["points"]}
            for item in grade["disputes"]:
                why = f" ({item['note']})" if item["note"] else ""
                line = (
                    f"    you dispute {item['point']}: {claim_label(item['claim'])}, "
                    f"the grader said {verdicts.get(item['point'])}{why}"
                )
                click.echo(safe_text(line, one_line=True))
    answered = {turn["question_id"] for turn in data["turns"] if turn["submitted_at"]}
    for result in data.get("results", []):
        band = result["band"] or ("skipped" if result["skipped"] else "not graded")
        line = f"{result['question_id']}: {result['score']:.1f} / 10, {band}"
        if result["question_id"] not in answered:  # the question a session stopped at
            line = f"{result['question_id']}: not answered yet"
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
