"""The `mockint` command group and what every subcommand shares.

Foreseeable mistakes raise `UserError`; `main()` prints them as one line and exits 2, so no
traceback reaches the user. Heavy imports (textual, openai) happen inside the commands that
need them, which keeps `mockint --help` and the scriptable commands quick.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from mockint import __version__
from mockint.config import Settings, load_settings
from mockint.errors import UserError
from mockint.store import Store


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
        self._settings = self.settings.model_copy(update=given)
        return self._settings

    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.db)
        return self._store


pass_context = click.make_pass_decorator(Context)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


EPILOG = """\b
Examples:
  mockint                                  open the interview app
  mockint run --pack service-mesh -n 3     start a 3-question interview
  mockint packs list                       the packs mockint can find
  mockint grade --pack service-mesh --question sm-04 --answer "..."
"""


@click.group(invoke_without_command=True, epilog=EPILOG)
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
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        click.echo(f"mockint: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    # click's return value in non-standalone mode is the exit code of ctx.exit()
