"""`mockint dispute`: say "I covered this" (or "not covered") about a rubric point of a grade.

A dispute is stored beside the grade that counts for the question's main answer, never over
it: the grade keeps what the grader said, the dispute what the candidate says. `show`, the
transcript screen and the exports show both, and `mockint eval --disputes` measures a grader
against the candidate's own judgement.
"""

from __future__ import annotations

from dataclasses import asdict

import click

from mockint.cli.main import Context, cli, echo_json, pass_context
from mockint.errors import UserError
from mockint.marks import claim_label
from mockint.safe_text import safe_text
from mockint.store import Store

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
@click.option("--covered", is_flag=True, help="I covered this point.")
@click.option("--not-covered", is_flag=True, help="I did not cover it.")
@click.option("--note", default="", help="Why (kept with the dispute).")
@click.option("--withdraw", is_flag=True, help="Remove the dispute of this point.")
@click.option("--json", "as_json", is_flag=True, help="Print the session's disputes as JSON.")
@pass_context
def dispute(
    ctx: Context,
    session_id: int,
    question_id: str | None,
    point_id: str | None,
    covered: bool,
    not_covered: bool,
    note: str,
    withdraw: bool,
    as_json: bool,
) -> None:
    """Dispute a rubric point's verdict, or list a session's disputes."""
    from mockint.review.disputes import counting_grade, record_dispute

    # Two flags, not one option with two values: click would keep the last one given, and a
    # dispute that says both would be stored as whichever came second.
    if covered and not_covered:
        raise UserError("--covered and --not-covered contradict each other: give one")
    claim = "covered" if covered else "missed" if not_covered else None
    store = ctx.store()
    if store.session(session_id) is None:
        raise UserError(f"no session {session_id} (`mockint history` lists sessions)")
    if question_id is None:
        _list(store, session_id, as_json)
        return
    if point_id is None:
        # `show` names only the points a follow-up probes: the ids to choose from are listed here
        known = ", ".join(counting_grade(store, session_id, question_id).verdicts) or "none"
        raise UserError(f"give the rubric point of {question_id} to dispute ({known})")
    if (claim is None) == (not withdraw):
        raise UserError("say --covered or --not-covered (or --withdraw)")
    if withdraw:
        store.withdraw_dispute(counting_grade(store, session_id, question_id).id, point_id)
        click.echo(safe_text(f"Withdrew the dispute of {question_id}/{point_id}.", one_line=True))
        return
    assert claim is not None
    message = record_dispute(store, session_id, question_id, point_id, claim, note)
    click.echo(safe_text(message, one_line=True))


def _list(store: Store, session_id: int, as_json: bool) -> None:
    disputes = store.session_disputes(session_id)
    rows = [row for by_point in disputes.values() for row in by_point.values()]
    if as_json:
        echo_json([asdict(row) for row in rows])
        return
    if not rows:
        click.echo(f"Session {session_id} has no disputes.")
        return
    # named as they are given to `mockint dispute` (question/point), not by an internal grade id
    question_of = {turn.id: turn.question_id for turn in store.turns(session_id)}
    graded = {
        grade.id: question_of.get(turn_id, "?")
        for turn_id, grades in store.session_grades(session_id).items()
        for grade in grades
    }
    for row in rows:
        note = f" — {row.note}" if row.note else ""
        where = f"{graded.get(row.grade_id, '?')}/{row.point_id}"
        line = f"{where}: you say {claim_label(row.claim)}{note}"
        click.echo(safe_text(line, one_line=True))
