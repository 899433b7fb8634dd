"""The root command group: names and summaries from the static table, each command built on first use.

Click and Typer load every command up front; listing them would then import every command module and
all they depend on. Here the group's commands are a mapping whose keys are the names in
`trainproof.cli._commands.COMMANDS` and whose values are built (module imported, Typer command turned
into a Click one) the first time one is read, so every path that reads the commands (running one, its
--help, "did you mean" suggestions) sees the same set, and `trainproof --help` reads the table alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import typer
import typer.main
from typer.core import TyperGroup, TyperOption

from trainproof.cli._commands import COMMANDS

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter  # pyright: ignore[reportPrivateUsage]

_TARGETS = {name: target for name, target, _ in COMMANDS}
_SUMMARIES = {name: summary for name, _, summary in COMMANDS}


def build(name: str) -> Command:
    """The Click command for a table entry: its module imported, its registration on `app` converted."""
    from trainproof.cli._app import app

    module_name, _, attribute = _TARGETS[name].partition(":")
    target: object = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):
        for group in app.registered_groups:
            if group.typer_instance is target and group.name == name:
                return _lighten(
                    typer.main.get_group_from_info(
                        group,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                        suggest_commands=app.suggest_commands,
                        rich_markup_mode=app.rich_markup_mode,
                    )
                )
    else:
        for command in app.registered_commands:
            if command.callback is target and command.name == name:
                return typer.main.get_command_from_info(
                    command,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                )
    raise LookupError(f"{_TARGETS[name]} is not registered on trainproof's app as {name!r}")


class _Commands(MutableMapping[str, "Command"]):
    """The table's commands, each built when first read; commands added directly are kept as they are."""

    def __init__(self, built: MutableMapping[str, Command]) -> None:
        self._built: dict[str, Command] = dict(built)

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in _TARGETS:
                raise KeyError(name)
            self._built[name] = build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from _TARGETS
        yield from (name for name in self._built if name not in _TARGETS)

    def __len__(self) -> int:
        return len(_TARGETS) + sum(name not in _TARGETS for name in self._built)

    def __contains__(self, name: object) -> bool:
        return name in _TARGETS or name in self._built


class _Option(TyperOption):
    """Typer's option without coercing a value that was not given.

    Typer coerces every value through pydantic (imported on first use), even a missing one, which it
    returns unchanged as None for a single-valued option. Skipping that step changes no value, and
    keeps `trainproof CMD --help` from importing pydantic for the options of the groups above CMD.
    """

    def process_value(self, ctx: Context, value: Any) -> Any:
        if value is not None or self.required or self.multiple or self.nargs == -1:
            return super().process_value(ctx, value)
        return None if self.callback is None else self.callback(ctx, self, None)


def _light(param: object) -> None:
    if type(param) is TyperOption:
        param.__class__ = _Option


class _Group(TyperGroup):
    """A group whose options, --help included, are `_Option`s."""

    def get_help_option(self, ctx: Context) -> TyperOption | None:
        option = super().get_help_option(ctx)
        _light(option)
        return option


def _lighten(command: Command) -> Command:
    """`command` with its groups' options made `_Option`s (groups as `_Group`), sub-groups included."""
    if type(command) is TyperGroup:
        command.__class__ = _Group
        for param in command.params:
            _light(param)
        for sub in command.commands.values():
            _lighten(sub)
    return command


class LazyGroup(_Group):
    """Typer's group with the table's commands: listed from the table, built when used."""

    def __init__(self, *, commands: Any = None, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(dict(commands or {}))
        for param in self.params:
            _light(param)

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [(name, _SUMMARIES.get(name) or self.commands[name].get_short_help_str()) for name in self.commands]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
