"""`mockint packs ...` and `mockint paths`: what packs exist and where things live."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mockint import locations
from mockint.cli.main import Context, OneLineErrors, cli, echo_json, llm_options, pass_context
from mockint.errors import UserError
from mockint.grading import GRADER_NAMES
from mockint.packs import Pack, PackError, discover_packs, load_pack, resolve_pack
from mockint.safe_text import safe_text

if TYPE_CHECKING:
    from mockint.authoring.draft import DraftResult
    from mockint.authoring.lint import Finding


@cli.group()
def packs() -> None:
    """List, show, check and draft question packs."""


@packs.command("list", cls=OneLineErrors, epilog="\b\nExample:\n  mockint packs list --json")
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


def pack_to_json(pack: Pack) -> dict[str, Any]:
    data = pack.model_dump(mode="json")
    info = data.pop("pack")
    return {**info, "questions": data["questions"]}


@packs.command(
    "show", cls=OneLineErrors, epilog="\b\nExample:\n  mockint packs show service-mesh --json"
)
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


@packs.command(
    "validate",
    cls=OneLineErrors,
    epilog="\b\nExample:\n  mockint packs validate my-pack.toml other.toml",
)
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


@packs.command("lint", cls=OneLineErrors, epilog=LINT_EPILOG)
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


DRAFT_EPILOG = """\b
Examples:
  mockint packs draft interview-guide.md
  mockint packs draft guide.txt -o my-pack.toml --force
  mockint packs draft guide.md --grader llm --model gpt-4o-mini

\b
Offline (the default), each question of the guide becomes a question whose reference answer is
the guide's text after it. With --grader llm, a model also drafts rubric points, red flags,
follow-ups and a model answer for each, one call per question. The pack goes to your pack
folder (or -o PATH); an existing file is replaced only with --force.
"""


@packs.command("draft", cls=OneLineErrors, epilog=DRAFT_EPILOG)
@click.argument("guide", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Where to write the pack file."
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--id", "pack_id", help="The pack's id (default: from the file name).")
@click.option("--title", help="The pack's title (default: the guide's title).")
@click.option(
    "--grader",
    "grader_name",
    type=click.Choice(GRADER_NAMES),
    help="llm: draft rubrics with the model; anything else drafts offline (default).",
)
@llm_options
@pass_context
def draft_command(
    ctx: Context,
    guide: Path,
    output: Path | None,
    force: bool,
    pack_id: str | None,
    title: str | None,
    grader_name: str | None,
) -> None:
    """Turn an interview guide (Markdown or text) into a pack file you can edit."""
    from mockint.authoring.draft import (
        check_pack_id,
        draft_pack,
        pack_id_for,
        read_guide,
        write_pack,
    )
    from mockint.authoring.lint import lint_pack

    text = read_guide(guide)
    if output is not None and output.suffix != ".toml":
        raise UserError(f"{output}: a pack file name ends in .toml")
    pack_id = check_pack_id(pack_id or pack_id_for((output or guide).stem))
    path = output or locations.user_packs_dir() / f"{pack_id}.toml"
    if path.exists() and not force:  # before any model call: fail fast, lose nothing
        raise UserError(f"{path} exists; add --force to replace it, or choose another file with -o")
    drafter = None
    if grader_name == "llm":
        from mockint.authoring.draft_llm import ModelDrafter, make_client

        settings = ctx.settings
        drafter = ModelDrafter(
            make_client(settings),
            on_progress=lambda line: click.echo(safe_text(line, one_line=True), err=True),
        )
        doing = f"Drafting rubrics with {settings.model}, one call per question..."
        click.echo(safe_text(doing, one_line=True), err=True)
    started = time.perf_counter()
    result = draft_pack(text, pack_id=pack_id, title=title, source=str(guide), model=drafter)
    elapsed = time.perf_counter() - started

    write_pack(result.text, path, force=force)
    _report_draft(
        result, guide, path, elapsed, lint_pack(result.pack, ctx.settings.question_minutes)
    )


def _report_draft(
    result: DraftResult, guide: Path, path: Path, elapsed: float, findings: list[Finding]
) -> None:
    """What was made, and what needs a human look: the drafter's notes, the points marked for
    review, and the lint warnings counted by check."""
    pack = result.pack
    points = sum(len(q.rubric) for q in pack.questions)
    drafted = sum(1 for q in pack.questions if q.rubric)
    how = (
        f"the model drafted rubrics for {drafted} of them, {points} points"
        if result.used_model
        else "offline: each reference answer is the guide's text after the question"
    )
    click.echo(
        safe_text(
            f"Drafted {len(pack.questions)} question{'s' if len(pack.questions) != 1 else ''} "
            f"from {guide.name} into {path} "
            f"({how}; {elapsed:.2f} s)",
            one_line=True,
        )
    )
    review = [(q.id, point, why) for q in result.questions for point, why in q.review.items()]
    look = list(result.notes)
    look += [f"{qid}: point {point!r}: {why}" for qid, point, why in review]
    order = {q.id: index for index, q in enumerate(result.questions)}
    look.sort(key=lambda line: order.get(line.split(":", 1)[0], len(order)))  # stable
    grouped: dict[str, list[str]] = {}
    for finding in findings:
        grouped.setdefault(finding.check, []).append(finding.question_id or "")
    for check, ids in grouped.items():
        unique = list(dict.fromkeys(ids))
        shown = ", ".join(unique[:6]) + (", ..." if len(unique) > 6 else "")
        look.append(f"lint {check}: {len(ids)} warning{'s' if len(ids) != 1 else ''} ({shown})")
    if look:
        click.echo("Needs a human look:")
        for line in look:
            click.echo(safe_text(f"  {line}", one_line=True))
        if findings:
            click.echo(
                safe_text(f"  (mockint packs lint {path} shows each warning)", one_line=True)
            )
    found_by_id = path.parent.resolve() == locations.user_packs_dir().resolve()
    click.echo(
        safe_text(f"Try it: mockint run --pack {pack.id if found_by_id else path}", one_line=True)
    )


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
