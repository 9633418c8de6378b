"""`mockint packs ...` and `mockint paths`: what packs exist and where things live."""

from __future__ import annotations

from pathlib import Path

import click

from mockint import locations
from mockint.cli.main import Context, cli, echo_json, pass_context
from mockint.errors import UserError
from mockint.packs import Pack, PackError, discover_packs, load_pack, resolve_pack
from mockint.safe_text import safe_text


@cli.group()
def packs() -> None:
    """List, show and validate question packs."""


@packs.command("list", epilog="\b\nExample:\n  mockint packs list --json")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_packs(as_json: bool) -> None:
    """The packs found in the built-in and user pack folders."""
    found, errors = discover_packs()
    rows = [
        {
            "id": pack.id,
            "title": pack.title,
            "questions": len(pack.questions),
            "tags": list(pack.pack.tags),
            "path": str(path),
        }
        for pack, path in sorted(found.values(), key=lambda item: item[0].id)
    ]
    if as_json:
        echo_json(rows)
    else:
        for row in rows:
            title = safe_text(row["title"], one_line=True)
            click.echo(f"{row['id']:<20} {row['questions']:>3} questions  {title}")
        if not rows:
            click.echo(f"No packs found. Put .toml packs in {locations.user_packs_dir()}")
    for error in errors:
        click.echo(safe_text(f"warning: skipped {error}", one_line=True), err=True)


def pack_to_json(pack: Pack) -> dict:
    data = pack.model_dump(mode="json")
    info = data.pop("pack")
    return {**info, "questions": data["questions"]}


@packs.command("show", epilog="\b\nExample:\n  mockint packs show service-mesh --json")
@click.argument("pack_ref", metavar="ID|PATH")
@click.option("--json", "as_json", is_flag=True, help="Print the whole pack as JSON.")
def show_pack(pack_ref: str, as_json: bool) -> None:
    """Show a pack's questions (or the whole pack as JSON)."""
    pack, path = resolve_pack(pack_ref)
    if as_json:
        echo_json(pack_to_json(pack))
        return
    heading = f"{pack.title} ({pack.id}) — {len(pack.questions)} questions — {path}"
    click.echo(safe_text(heading, one_line=True))
    if pack.pack.description:
        click.echo(safe_text(pack.pack.description))
    click.echo()
    for question in pack.questions:
        points = len(question.rubric) or "reference answer"
        click.echo(safe_text(f"{question.id:<8} {question.text}"))
        click.echo(
            f"{'':<8} rubric: {points}, follow-ups: {len(question.follow_ups)}, "
            f"red flags: {len(question.red_flags)}"
        )


def echo_problems(error: PackError) -> None:
    """Every problem of a broken pack, one `mockint: ...` line each, on standard error."""
    for problem in error.problems:
        click.echo(safe_text(f"mockint: {problem}", one_line=True), err=True)


@packs.command("validate", epilog="\b\nExample:\n  mockint packs validate my-pack.toml other.toml")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate_packs(paths: tuple[Path, ...]) -> None:
    """Check pack files and report every problem of each; exit 2 when any is broken."""
    failed = False
    for path in paths:
        try:
            pack = load_pack(path)
        except PackError as exc:
            echo_problems(exc)
            failed = True
            continue
        click.echo(safe_text(f"ok: {path} ({pack.id}, {len(pack.questions)} questions)"))
    if failed:
        raise SystemExit(2)


LINT_EPILOG = """\b
Examples:
  mockint packs lint my-pack.toml
  mockint packs lint kubernetes --json

\b
Exit status: 0 when every pack loads (with or without warnings), 2 when one does not.
"""


@packs.command("lint", epilog=LINT_EPILOG)
@click.argument("refs", nargs=-1, required=True, metavar="ID|PATH...")
@click.option("--json", "as_json", is_flag=True, help="Print the warnings as JSON.")
@pass_context
def lint_packs(ctx: Context, refs: tuple[str, ...], as_json: bool) -> None:
    """Warn about what makes a pack grade badly: thin or vague terms, twin points, and more."""
    from mockint.authoring.lint import lint_pack

    failed = False
    report = []
    for ref in refs:
        try:
            pack, path = resolve_pack(ref)
        except PackError as exc:
            echo_problems(exc)
            failed = True
            continue
        except UserError as exc:
            click.echo(safe_text(f"mockint: {exc}", one_line=True), err=True)
            failed = True
            continue
        findings = lint_pack(pack, ctx.settings.question_minutes)
        report.append(
            {
                "pack": pack.id,
                "path": str(path),
                "questions": len(pack.questions),
                "points": sum(len(q.rubric) for q in pack.questions),
                "warnings": [
                    {
                        "check": f.check,
                        "question": f.question_id,
                        "part": f.part,
                        "message": f.message,
                    }
                    for f in findings
                ],
            }
        )
        if as_json:
            continue
        for finding in findings:
            click.echo(safe_text(f"{path}: {finding.describe()}", one_line=True))
        count = len(findings)
        verdict = f"{count} warning{'s' if count != 1 else ''}" if count else "clean"
        click.echo(
            safe_text(
                f"{pack.id}: {len(pack.questions)} questions, "
                f"{report[-1]['points']} rubric points: {verdict}",
                one_line=True,
            )
        )
    if as_json:
        echo_json(report)
    if failed:
        raise SystemExit(2)


@cli.command(epilog="\b\nExample:\n  mockint paths --json")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def paths(ctx: Context, as_json: bool) -> None:
    """Where the config file, packs and database live."""
    rows = {
        "config": str(locations.config_file()),
        "database": str(ctx.settings.db),
        "user_packs": str(locations.user_packs_dir()),
        "builtin_packs": str(locations.builtin_packs_dir()),
        "prompts": str(locations.prompts_dir()),
    }
    if as_json:
        echo_json(rows)
        return
    width = max(len(key) for key in rows)
    for key, value in rows.items():
        click.echo(f"{key:<{width}}  {value}")
