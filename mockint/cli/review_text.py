"""Plain-text rendering of stats for `mockint stats` (kept apart from the command definitions)."""

from __future__ import annotations

import click

from mockint.cli.main import echo_json, shorten
from mockint.errors import UserError
from mockint.review.charts import bar_chart, sparkline
from mockint.review.results import question_history
from mockint.review.stats import PackStats, Stats
from mockint.review.transcript import format_seconds
from mockint.safe_text import safe_text
from mockint.store import Store
from mockint.timestamps import format_when


def _count(number: int, noun: str) -> str:
    """'1 completed session', '3 completed sessions'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def print_stats(result: Stats) -> None:
    window = f"last {result.last} sessions" if result.last else "all sessions"
    for index, pack in enumerate(result.packs):
        if index:
            click.echo()
        _print_pack(pack, window)


def _print_pack(pack: PackStats, window: str) -> None:
    latest = f", latest {pack.latest:.1f}" if pack.latest is not None else ""
    click.echo(
        click.style(safe_text(f"{pack.title} ({pack.pack_id})", one_line=True), bold=True)
        + f" — {_count(pack.sessions, 'completed session')}, average {pack.average:.1f}, "
        f"best {pack.best:.1f}{latest}"
    )
    if pack.recent:
        scores = [score for _, _, score in pack.recent]
        click.echo(f"Last {_count(len(scores), 'session')} (0–10): {sparkline(scores)}")
    click.echo("Weekly average score, up to the last session (weeks start Monday, UTC):")
    rows = [
        (w.week, w.average or 0.0, f"{w.average:.1f} ({w.sessions})" if w.sessions else "–")
        for w in pack.weekly
    ]
    for line in bar_chart(rows, width=30):
        click.echo("  " + line)
    click.echo(f"Rubric points missed most often ({window}):")
    if not pack.missed:
        click.echo("  none")
    for point in pack.missed:
        line = (
            f"  {point.question_id}/{point.point_id}: missed {point.missed}, partly "
            f"{point.partial}, of {point.judged} — {shorten(point.description, 60)}"
        )
        click.echo(safe_text(line, one_line=True))
    average = format_seconds(pack.avg_seconds) if pack.avg_seconds is not None else "–"
    click.echo(f"Time per question ({window}): average {average}")
    for item in pack.times:
        question_id = safe_text(item.question_id, one_line=True)
        answers = "answer" if item.attempts == 1 else "answers"
        click.echo(
            f"  {question_id:<10} {item.attempts:>5} {answers:<7}  "
            f"{format_seconds(item.avg_seconds):>8}  average score {item.avg_score:.1f}"
        )
    due = pack.due
    if due:
        names = ", ".join(due["due_now"][:8]) + ("…" if len(due["due_now"]) > 8 else "")
        next_due = f"; next due {format_when(due['next_due'])}" if due["next_due"] else ""
        line = (
            f"Practice: {len(due['due_now'])} of {due['practised']} practised questions due"
            f"{' (' + names + ')' if names else ''}{next_due}. "
            f"Start: mockint run --pack {pack.pack_id} --due"
        )
        click.echo(safe_text(line, one_line=True))


def require_pack(pack_id: str, question_id: str | None = None) -> None:
    """UserError unless the pack (and the question in it) exists: for ids nothing is stored
    under, where a typo would otherwise read as "no sessions yet"."""
    from mockint.packs import resolve_pack

    pack, _ = resolve_pack(pack_id)
    if question_id is not None and pack.question(question_id) is None:
        known = ", ".join(q.id for q in pack.questions)
        raise UserError(f"pack {pack_id!r} has no question {question_id!r} (questions: {known})")


def print_question_history(store: Store, pack_id: str, question_id: str, as_json: bool) -> None:
    history = question_history(store, pack_id, question_id, limit=50)
    if not history:
        require_pack(pack_id, question_id)
    if as_json:
        echo_json([{"session_id": sid, "at": at, "score": score} for sid, at, score in history])
        return
    if not history:
        click.echo(f"No finished session of pack {pack_id!r} asked question {question_id!r}.")
        return
    scores = [score for _, _, score in history]
    click.echo(
        safe_text(f"{pack_id}/{question_id}", one_line=True)
        + f": {len(history)} attempts  {sparkline(scores)}  "
        f"first {scores[0]:.1f} → last {scores[-1]:.1f}"
    )
    rows = [(f"{format_when(at)}  #{sid}", score, f"{score:.1f}") for sid, at, score in history]
    for line in bar_chart(rows, width=30):
        click.echo("  " + line)
