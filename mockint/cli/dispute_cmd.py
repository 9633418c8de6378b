"""`mockint dispute`: say "I covered this" (or "not covered") about a rubric point of a grade.

A dispute is stored beside the grade that counts for the question's main answer, never over
it: the grade keeps what the grader said, the dispute what the candidate says. `show`, the
transcript screen and the exports show both, and `mockint eval --disputes` measures a grader
against the candidate's own judgement.
"""

from __future__ import annotations

from typing import Any

import click

from mockint.cli.main import Context, cli, echo_json, pass_context
from mockint.errors import UserError
from mockint.safe_text import safe_text

DISPUTE_EPILOG = """\b
Examples:
  mockint dispute 3                                     list the disputes of session 3
  mockint dispute 3 sm-08 cp-down-static --covered      "I covered this"
  mockint dispute 3 sm-08 cert-expiry --not-covered --note "lucky keyword"
  mockint dispute 3 sm-08 cert-expiry --withdraw
"""


@cli.command("dispute", epilog=DISPUTE_EPILOG)
@click.argument("session_id", type=int)
@click.argument("question_id", required=False)
@click.argument("point_id", required=False)
@click.option("--covered", "claim", flag_value="covered", help="I covered this point.")
@click.option("--not-covered", "claim", flag_value="missed", help="I did not cover it.")
@click.option("--note", default="", help="Why (kept with the dispute).")
@click.option("--withdraw", is_flag=True, help="Remove the dispute of this point.")
@click.option("--json", "as_json", is_flag=True, help="Print the session's disputes as JSON.")
@pass_context
def dispute(
    ctx: Context,
    session_id: int,
    question_id: str | None,
    point_id: str | None,
    claim: str | None,
    note: str,
    withdraw: bool,
    as_json: bool,
) -> None:
    """Dispute a rubric point's verdict, or list a session's disputes."""
    from mockint.grading.base import primary_grade

    store = ctx.store()
    session = store.session(session_id)
    if session is None:
        raise UserError(f"no session {session_id} (`mockint history` lists sessions)")
    if question_id is None:
        _list(store.session_disputes(session_id), session_id, as_json)
        return
    if point_id is None:
        raise UserError("give the rubric point to dispute (`mockint show ID` lists them)")
    if (claim is None) == (not withdraw):
        raise UserError("say --covered or --not-covered (or --withdraw)")
    turns = store.turns(session_id)
    main = next((t for t in turns if t["question_id"] == question_id and t["kind"] == "main"), None)
    if main is None:
        raise UserError(f"session {session_id} has no question {question_id!r}")
    grade = primary_grade(store.grades(main["id"]), session["grader"])
    if grade is None:
        raise UserError(f"question {question_id!r} of session {session_id} has no grade yet")
    points = {p["id"]: p for p in grade["points"]}
    if point_id not in points:
        known = ", ".join(points) or "none"
        raise UserError(f"question {question_id!r} has no rubric point {point_id!r} ({known})")
    if withdraw:
        store.withdraw_dispute(grade["id"], point_id)
        click.echo(safe_text(f"Withdrew the dispute of {question_id}/{point_id}.", one_line=True))
        return
    assert claim is not None
    store.dispute(grade["id"], point_id, claim, note)
    said = "covered" if claim == "covered" else "not covered"
    line = (
        f"Noted: you say {question_id}/{point_id} was {said}; the {grade['grader']} grader "
        f"said {points[point_id]['verdict']}. The grade itself is unchanged."
    )
    click.echo(safe_text(line, one_line=True))


def _list(disputes: dict[int, dict[str, dict[str, Any]]], session_id: int, as_json: bool) -> None:
    rows = [row for by_point in disputes.values() for row in by_point.values()]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(f"Session {session_id} has no disputes.")
        return
    for row in rows:
        said = "covered" if row["claim"] == "covered" else "not covered"
        note = f" — {row['note']}" if row["note"] else ""
        line = f"grade {row['grade_id']}: {row['point_id']} {said}{note}"
        click.echo(safe_text(line, one_line=True))
