"""The `mockint` command group and what every subcommand shares.

Foreseeable mistakes raise `UserError`; `main()` prints them as one line and exits 2, so no
traceback reaches the user. Heavy imports (textual, openai) happen inside the commands that
need them, which keeps `mockint --help` and the scriptable commands quick.
"""

from __future__ import annotations

import functools
import importlib
import json
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from mockint import __version__
from mockint.config import Settings, load_settings
from mockint.credentials import scrub_url
from mockint.errors import UserError
from mockint.safe_text import json_safe, safe_text

if TYPE_CHECKING:
    # The store (and sqlite-utils) is imported by the commands that open the database, not by
    # `--version`, `paths` or `packs list`.
    from mockint.store import Store


# The database the command opened: a database error that surfaces later (a damaged page read
# by a query, a full disk on a write) is reported against it, in one line.
_opened_db: Path | None = None


@dataclass
class Context:
    db_override: Path | None = None
    _settings: Settings | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            settings = load_settings()
            if self.db_override:
                settings = settings.model_copy(update={"db": self.db_override})
            self._settings = settings
        return self._settings

    def with_overrides(self, **updates: Any) -> Settings:
        """Settings with command-line flags applied (flags that were not given are None)."""
        given = {key: value for key, value in updates.items() if value is not None}
        if not given:
            return self.settings
        try:  # validated like the config file: --base-url :::: or --timeout inf is refused
            self._settings = Settings.model_validate({**self.settings.model_dump(), **given})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            option = "--" + field.replace("_", "-")
            value = given.get(field)
            if field == "base_url":  # a URL's password or key is not repeated
                value = scrub_url(str(value))
            raise UserError(f"{option} {value!r}: {message}") from None
        return self._settings

    def store(self) -> Store:
        if self._store is None:
            from mockint.store import Store

            global _opened_db
            _opened_db = self.settings.db
            self._store = Store(self.settings.db, busy_timeout=self.settings.busy_timeout)
        return self._store

    def writable_store(self) -> Store:
        """The store, for a command that writes: a read-only database is one clear line now,
        before any work (or any screen) starts."""
        store = self.store()
        if store.read_only:
            from mockint.dberrors import read_only

            raise read_only(store.path)
        return store


pass_context = click.make_pass_decorator(Context)


def llm_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --model, --base-url and --timeout to a command and apply them to the settings.

    The wrapped command never sees the three options: they land in `Context.settings`, where
    every grader is built from.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        overrides = {key: kwargs.pop(key) for key in ("model", "base_url", "timeout")}
        context = click.get_current_context().find_object(Context)
        assert context is not None  # the group's callback made it
        context.with_overrides(**overrides)
        return command(*args, **kwargs)

    options = [
        click.option("--model", help="Model for the LLM grader (env MOCKINT_MODEL)."),
        click.option("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)."),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            help="Seconds to wait for each LLM call (env MOCKINT_LLM_TIMEOUT, default 60).",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


class OneLineErrors(click.Command):
    """Turn click's usage errors into a UserError: one line and exit 2, no usage block."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise UserError(f"{ctx.info_name}: {exc.format_message()}") from None


def echo_json(data: Any) -> None:
    click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=False)))


def shorten(text: str, width: int) -> str:
    """`text` cut to `width` characters, ending in "…" when cut, so a reader knows there is
    more than the column shows."""
    return text if len(text) <= width else text[: width - 1] + "…"


EPILOG = """\b
Examples:
  mockint                                  open the interview app
  mockint run --pack service-mesh -n 3     start a 3-question interview
  mockint packs list                       the packs mockint can find
  mockint grade --pack service-mesh --question sm-04 --answer "..."
"""


# command name -> the module that registers it on `cli`; imported only when that command runs,
# so a bare `mockint` (the app) does not pay for every command's imports.
COMMAND_MODULES: dict[str, str] = {
    "dispute": "mockint.cli.dispute_cmd",
    "doctor": "mockint.cli.doctor_cmd",
    "eval": "mockint.cli.grade_cmd",
    "export": "mockint.cli.review_cmd",
    "grade": "mockint.cli.grade_cmd",
    "history": "mockint.cli.session_cmd",
    "import": "mockint.cli.review_cmd",
    "packs": "mockint.cli.packs_cmd",
    "paths": "mockint.cli.packs_cmd",
    "regrade": "mockint.cli.review_cmd",
    "resume": "mockint.cli.session_cmd",
    "run": "mockint.cli.session_cmd",
    "search": "mockint.cli.review_cmd",
    "show": "mockint.cli.session_cmd",
    "stats": "mockint.cli.review_cmd",
}


class LazyGroup(click.Group):
    """A group that imports a command's module the first time the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(module)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, invoke_without_command=True, epilog=EPILOG)
@click.version_option(__version__, prog_name="mockint")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MOCKINT_DB",
    help="SQLite file to use (default: in the data folder; env MOCKINT_DB).",
)
@click.pass_context
def cli(ctx: click.Context, db: Path | None) -> None:
    """Rehearse technical interviews in the terminal.

    Without a command, opens the interview app.
    """
    ctx.obj = Context(db_override=db)
    if ctx.invoked_subcommand is None:
        from mockint.cli.launch import open_home

        open_home(ctx.obj)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="mockint", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.UsageError as exc:  # a bad option before the command: one line too
        hint = "" if exc.ctx is None else f" (see: {exc.ctx.command_path} --help)"
        click.echo(safe_text(f"mockint: {exc.format_message()}{hint}", one_line=True), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        click.echo(safe_text(f"mockint: {exc}", one_line=True), err=True)
        sys.exit(exc.exit_code)
    except sqlite3.Error as exc:
        # A fault of the database file itself (damaged pages, full disk, I/O) met by a query:
        # one line that says what to do. Anything else (a constraint) is a bug: re-raised.
        from mockint.dberrors import explain

        problem = explain(exc, _opened_db or Path("the database"))
        if problem is None:
            raise
        click.echo(safe_text(f"mockint: {problem}", one_line=True), err=True)
        sys.exit(problem.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    # click's return value in non-standalone mode is the exit code of ctx.exit()
