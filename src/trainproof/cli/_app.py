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
    """Settings for the running command (env, then --config / trainproof.toml)."""
    from trainproof.config import load_settings

    return load_settings(_state["config"])


def config_option() -> Path | None:
    """The file --config (or TRAINPROOF_CONFIG) names, whether or not it exists yet (`init` creates it)."""
    return _state["config"]
