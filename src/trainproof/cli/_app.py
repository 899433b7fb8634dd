"""The Typer application and the options every command shares.

Its commands are listed from the static table in `_commands.py` and imported only when used
(`_group.LazyGroup`), so `trainproof --help` and `--version` load no command module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trainproof.cli._group import LazyGroup

if TYPE_CHECKING:
    from trainproof.accounts import Accounts
    from trainproof.config import Settings

app = typer.Typer(
    name="trainproof",
    cls=LazyGroup,
    help=(
        "KnowBe4 training data turned into audit-ready compliance decisions and evidence.\n\n"
        "Start with `trainproof demo` (no key needed). With a Reporting API token in KNOWBE4_API_KEY: "
        "`trainproof sync`, then `trainproof status`."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals could hold the token
    rich_markup_mode=None,
    add_completion=False,
)

_state: dict[str, Path | None] = {"config": None}
_account: dict[str, str | None] = {"name": None}
_debug: dict[str, bool] = {"on": False}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"trainproof {version('trainproof')}")
        raise typer.Exit


@app.callback()
def _root(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="TRAINPROOF_CONFIG",
            help="trainproof.toml to read (default: ./trainproof.toml when present).",
            dir_okay=False,
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            envvar="TRAINPROOF_ACCOUNT",
            metavar="NAME",
            help="The [accounts.NAME] to work on (default: the only account).",
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="On an error, show the full traceback after the one-line message."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", help="Print trainproof's version and exit.", callback=_version, is_eager=True),
    ] = False,
) -> None:
    _state["config"] = config
    _account["name"] = account
    _debug["on"] = debug
    if debug:  # trainproof's own debug log, tracebacks included, on stderr (no token: see errors.py)
        import logging

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log = logging.getLogger("trainproof")
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)


def debugging() -> bool:
    """Whether `--debug` was given: errors then carry their traceback (never locals, which may hold the token)."""
    return _debug["on"]


def settings() -> Settings:
    """Settings of the account the command works on (env, then --config / trainproof.toml, then --account)."""
    from trainproof.accounts import account_settings

    return account_settings(_state["config"], _account["name"])


def all_accounts() -> Accounts:
    """Every account of the configuration (`trainproof accounts`, `sync --all`)."""
    from trainproof.accounts import load_accounts

    return load_accounts(_state["config"])


def account_option() -> str | None:
    """The name --account (or TRAINPROOF_ACCOUNT) gave; None when not given."""
    return _account["name"]


def config_option() -> Path | None:
    """The file --config (or TRAINPROOF_CONFIG) names, whether or not it exists yet (`init` creates it)."""
    return _state["config"]
