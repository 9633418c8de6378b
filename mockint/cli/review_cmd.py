"""`mockint search | export | import | regrade | stats`: looking back at sessions from the shell.

Thin wrappers over mockint.review; every foreseeable mistake (unknown session, unreadable file,
grader not configured) is a UserError, printed as one line with exit status 2.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from mockint.cli.main import Context, OneLineErrors, cli, echo_json, llm_options, pass_context
from mockint.cli.session_cmd import require_grader
from mockint.errors import UserError
from mockint.review.search import search as run_search
from mockint.review.search import snippet_parts
from mockint.safe_text import safe_text
from mockint.store import Store
from mockint.timestamps import format_when


def _session_ids(store: Store, ids: tuple[int, ...]) -> list[int]:
    missing = [str(sid) for sid in ids if store.session(sid) is None]
    if missing:
        raise UserError(
            f"no session {', '.join(missing)} in {store.path} (list them with: mockint history)"
        )
    return list(dict.fromkeys(ids))  # `export 12 12` is session 12 once


@cli.command(
    cls=OneLineErrors,
    epilog="\b\nExamples:\n  mockint search mtls rotation\n"
    '  mockint search "circuit breaker" --pack service-mesh --json\n  mockint search 服务网格',
)
@click.argument("terms", nargs=-1, required=True)
@click.option("--pack", "pack_id", metavar="ID", help="Only sessions of this pack.")
@click.option("--since", metavar="DATE", help="Only sessions started on or after DATE.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--relevance", is_flag=True, help="Best matches first instead of newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def search(
    ctx: Context,
    terms: tuple[str, ...],
    pack_id: str | None,
    since: str | None,
    limit: int,
    relevance: bool,
    as_json: bool,
) -> None:
    """Find questions and answers by their words (every word must appear).

    Words match by prefix and ignore case and accents; "quoted words" match as a phrase;
    Chinese, Japanese, Korean, Thai and emoji match as substrings.
    """
    text = " ".join(terms)
    if since:
        try:
            since = date.fromisoformat(since).isoformat()
        except ValueError:
            raise UserError(f"--since {since}: use a date like 2026-01-31") from None
    hits = run_search(
        ctx.store(),
        text,
        pack_id=pack_id,
        since=since,
        limit=limit,
        order="relevance" if relevance else "recent",
    )
    if as_json:
        echo_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        click.echo(f"No answer or question matches {text!r}.")
        return
    # colour only for a terminal, and never when the user asked for none (no-color.org)
    styled = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for hit in hits:
        kind = "follow-up" if hit.kind == "follow_up" else "question"
        line = (
            f"{format_when(hit.turn_started_at)}  session {hit.session_id} · turn {hit.turn_id}"
            f" · {hit.question_id} {kind} · {hit.pack_id}"
        )
        click.echo(safe_text(line, one_line=True))
        # the snippet is cleaned before the highlight's own escape codes are added
        parts = [
            click.style(chunk, bold=True, fg="yellow")
            if hit and styled
            else (f"[{chunk}]" if hit else chunk)
            for chunk, hit in snippet_parts(safe_text(hit.snippet, one_line=True))
        ]
        click.echo("    " + "".join(parts))
    more = " (more with --limit)" if len(hits) == limit else ""
    click.echo(
        f"\n{len(hits)} match{'es' if len(hits) != 1 else ''}{more}. "
        "Read one: mockint show SESSION (or export it: mockint export SESSION --format md)"
    )


@cli.command(
    "export",
    cls=OneLineErrors,
    epilog="\b\nExamples:\n  mockint export 12 -o interview.md\n"
    "  mockint export 12 13 -o backup.json         (the suffix chooses JSON)\n"
    "  mockint export 12 --format json             (to standard output)\n"
    "  mockint export --schema",
)
@click.argument("session_ids", metavar="ID...", nargs=-1, type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    help="md or json (default: what the -o file's suffix says, .json or .md; else md).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@click.option("--schema", is_flag=True, help="Print the JSON Schema of the export format.")
@pass_context
def export_cmd(
    ctx: Context, session_ids: tuple[int, ...], fmt: str | None, output: Path | None, schema: bool
) -> None:
    """Export sessions as Markdown (to read or share) or JSON (to import elsewhere).

    JSON follows the versioned `mockint-sessions` schema and carries every grade; it never
    contains API keys.
    """
    from mockint.review import export, markdown
    from mockint.review.transcript import load_transcript

    if schema:
        import json

        text = json.dumps(export.json_schema(), indent=2) + "\n"
    else:
        fmt = export_format(fmt, output)
        if not session_ids:
            raise UserError("give the id of a session to export (list them with: mockint history)")
        store = ctx.store()
        ids = _session_ids(store, session_ids)
        if fmt == "json":
            text = export.to_json(export.export_document(store, ids))
        else:
            text = "\n---\n\n".join(
                markdown.render(load_transcript(store, sid, with_history=True)) for sid in ids
            )
    if output is None:
        click.echo(text, nl=False)
        return
    from mockint.locations import write_private

    try:
        write_private(output, text)
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror}") from None
    count = len(set(session_ids))
    click.echo(
        f"Wrote {output} ({count or 'schema'} session"
        f"{'s' if count != 1 else ''}, {fmt if not schema else 'json'}).",
        err=True,
    )


# what a file's suffix says it holds
SUFFIX_FORMATS = {".json": "json", ".md": "md", ".markdown": "md"}
FORMAT_NAMES = {"json": "JSON", "md": "Markdown"}


def export_format(asked: str | None, output: Path | None) -> str:
    """The format to write: the one asked for, else the one the output file's suffix names,
    else Markdown. Asking for one format into a file named for the other is refused before
    anything is written: a .json file holding Markdown cannot be imported, and the mismatch is
    almost always a slip (a command line half edited)."""
    implied = SUFFIX_FORMATS.get(output.suffix.lower()) if output is not None else None
    if asked is None:
        return implied or "md"
    if implied is not None and implied != asked:
        assert output is not None  # implied comes from it
        right = output.with_suffix(".json" if asked == "json" else ".md").name
        raise UserError(
            f"{output}: --format {asked} would write {FORMAT_NAMES[asked]} into a "
            f"{output.suffix} file; leave out --format (the suffix decides) or name the file "
            f"{right}"
        )
    return asked


@cli.command(
    "import",
    cls=OneLineErrors,
    epilog="\b\nExample:\n  mockint export 12 --format json -o s12.json\n"
    "  mockint --db other.db import s12.json",
)
@click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def import_cmd(ctx: Context, path: Path, as_json: bool) -> None:
    """Import sessions from a JSON export (new ids; sessions already here are skipped)."""
    from mockint.review.importer import import_file

    report = import_file(ctx.writable_store(), path)
    if as_json:
        echo_json({"imported": report.imported, "skipped": report.skipped})
        return
    for old, new in report.imported.items():
        click.echo(f"imported session {old} as {new}")
    for old, existing in report.skipped.items():
        click.echo(f"skipped session {old}: already here as {existing}")
    click.echo(f"{len(report.imported)} imported, {len(report.skipped)} skipped.")


@cli.command(
    cls=OneLineErrors,
    epilog="\b\nExamples:\n  mockint regrade 12 --grader llm\n  mockint regrade --pending",
)
@click.argument("session_id", metavar="[ID]", required=False, type=int)
@click.option("--pending", is_flag=True, help="Every answer whose LLM grading fell back.")
@click.option(
    "--grader",
    type=click.Choice(["llm", "offline", "keyword"]),
    help="Default: llm for --pending, else the configured grader.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@llm_options
@pass_context
def regrade(
    ctx: Context, session_id: int | None, pending: bool, grader: str | None, as_json: bool
) -> None:
    """Grade stored answers again. A regrade adds a grade; it never replaces one."""
    from mockint.review.regrade import (
        RegradeItem,
        default_grader_factory,
        regrade_pending,
        regrade_session,
    )

    if (session_id is None) == (not pending):
        raise UserError("give a session id or --pending (not both)")
    store = ctx.writable_store()
    if pending and not store.turns_needing_regrade():
        click.echo("Nothing to regrade: no answer is marked for regrade.")
        return
    name = grader or ("llm" if pending else ctx.settings.active_grader)
    require_grader(ctx.settings, name)
    factory = default_grader_factory(ctx.settings)

    def show(item: RegradeItem) -> None:
        if as_json:
            return
        kind = " follow-up" if item.kind == "follow_up" else ""
        where = f"session {item.session_id} turn {item.turn_id} {item.question_id}{kind}"
        if item.stored and item.probes:
            # as `show` and the transcript put it: a follow-up counts for its probed points
            changes = ", ".join(
                f"{pid} {item.probed_before.get(pid, '–')} → {item.probed_after.get(pid, '–')}"
                for pid in item.probes
            )
            click.echo(safe_text(f"  {where}: probed points: {changes}", one_line=True))
        elif item.stored:
            before = f"{item.before:.1f}" if item.before is not None else "–"
            delta = f" ({item.delta:+.1f})" if item.delta is not None else ""
            click.echo(safe_text(f"  {where}: {before} → {item.after:.1f}{delta}", one_line=True))
        else:
            click.echo(safe_text(f"  {where}: not regraded: {item.note}", one_line=True), err=True)

    if pending:
        report = regrade_pending(store, name, factory=factory, progress=show)
    else:
        assert session_id is not None
        _session_ids(store, (session_id,))
        if not as_json:
            click.echo(f"Regrading session {session_id} with the {name} grader…")
        report = regrade_session(store, session_id, name, factory=factory, progress=show)
    if as_json:
        echo_json(
            {
                "grader": name,
                "items": [vars(item) | {"delta": item.delta} for item in report.items],
                "sessions": {
                    str(k): {"before": b, "after": a} for k, (b, a) in report.session_scores.items()
                },
            }
        )
    else:
        for sid, (before, after) in report.session_scores.items():
            if before is not None and after is not None and before != after:
                click.echo(f"session {sid}: score {before:.1f} → {after:.1f}")
        click.echo(f"{report.stored} regraded, {len(report.failed)} not regraded.")
    if report.failed:
        sys.exit(1)


@cli.command(
    cls=OneLineErrors,
    epilog="\b\nExamples:\n  mockint stats\n  mockint stats --pack service-mesh --json\n"
    "  mockint stats --pack service-mesh --question sm-04",
)
@click.option("--pack", "pack_id", metavar="ID", help="Only this pack.")
@click.option("--question", "question_id", metavar="QID", help="Score history of one question.")
@click.option(
    "--last",
    default=100,
    show_default=True,
    type=click.IntRange(0),
    help="Weak spots and times over the last N sessions of the pack (0: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def stats(
    ctx: Context, pack_id: str | None, question_id: str | None, last: int, as_json: bool
) -> None:
    """Progress: score over time, the points missed most often, time per question, what is due."""
    from mockint.cli.review_text import print_question_history, print_stats, require_pack
    from mockint.review.stats import compute_stats

    store = ctx.store()
    if question_id:
        if not pack_id:
            raise UserError("--question needs --pack (question ids are per pack)")
        print_question_history(store, pack_id, question_id, as_json)
        return
    result = compute_stats(store, pack_id, last=last)
    if pack_id and not result.packs:
        # nothing stored under this id: a typo gets one clear line, not an invitation to run
        # a pack that does not exist (a removed pack's stored sessions still have their stats)
        require_pack(pack_id)
    if as_json:
        echo_json(result.to_dict())
        return
    if not result.packs:
        from mockint.cli.launch import command_name

        where = f" for pack {pack_id!r}" if pack_id else ""
        start = f"{command_name()} run --pack {pack_id or 'ID'}"  # run needs a pack
        click.echo(f"No completed sessions{where} yet. Start one with: {start}")
        return
    print_stats(result)
