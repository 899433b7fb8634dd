"""`trainproof api RESOURCE [ID...] [filters]`: raw access to every Reporting API endpoint.

The output is the API's own objects (its field names and status strings), every page joined and every
record kept, so what trainproof decides can always be checked against what KnowBe4 said.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Generator
from typing import Annotated, Any

import typer

from trainproof.cli._app import app, settings
from trainproof.cli._output import Format, columns_of, progress_console, render

# The resource list in `api --help` comes from the client's endpoint table, so this command's help loads
# the client (httpx2, pydantic); the rest of the CLI does not.
from trainproof.client import ENDPOINTS, Endpoint, KnowBe4Client, endpoint
from trainproof.text import terminal_text

__all__ = ["api"]

TABLE_COLUMNS = 8
"""A terminal table folds beyond this many columns; JSON and CSV always carry every field."""


def _resource_help() -> str:
    width = max(len(e.cli_name) + len(" ".join(p.upper() for p in e.path_params)) + 1 for e in ENDPOINTS)
    lines = ["\b", "Resources (singular ones take ids):"]
    for e in ENDPOINTS:
        args = " ".join(p.upper() for p in e.path_params)
        usage = f"{e.cli_name} {args}".strip()
        flags = [f"--{f.name.replace('_', '-')}" for f in e.filters if f.name not in {"page", "per_page", "cursor"}]
        if e.name == "training_campaigns":
            flags = ["--include-percentages"]
        if e.name.startswith("enrollment"):
            flags = [f for f in flags if not f.startswith("--include-")] + ["--no-include-..."]
        extra = f"  [{' '.join(flags)}]" if flags else ""
        lines.append(f"  {usage.ljust(width)}  {e.summary}{extra}")
    lines += [
        "",
        "\b",
        "Examples:",
        "  trainproof api training-campaigns",
        "  trainproof api enrollments --campaign-id 101 --user-id 7 --exclude-archived-users",
        "  trainproof api enrollment 1425526",
        "  trainproof api users --status active --format table",
        "  trainproof api recipients 16142",
    ]
    return "\n".join(lines)


def _given(ctx: typer.Context, name: str) -> bool:
    """True when the user set this option (on the command line or through the environment)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in {"COMMANDLINE", "ENVIRONMENT"}


def _build_kwargs(ctx: typer.Context, spec: Endpoint, ids: list[int], options: dict[str, Any]) -> dict[str, Any]:
    """Path ids from the positional arguments, filters from the options; refuse what does not apply."""
    params = spec.path_params
    if len(ids) != len(params):
        need = " ".join(p.upper() for p in params) or "no id"
        raise typer.BadParameter(
            f"{spec.cli_name} takes {need} ({len(ids)} given): trainproof api {spec.cli_name} {need}".rstrip(),
            param_hint="ID",
        )
    kwargs: dict[str, Any] = dict(zip(params, ids, strict=True))
    filters = set(spec.filter_names)
    for name, value in options.items():
        if not _given(ctx, name):
            continue
        if name == "include_percentages":
            if spec.name != "training_campaigns":
                raise typer.BadParameter("--include-percentages only applies to training-campaigns")
            kwargs["exclude_percentages"] = not value
            continue
        if name not in filters:
            flag = "--" + name.replace("_", "-")
            accepted = ", ".join(
                "--" + f.replace("_", "-") for f in spec.filter_names if f not in {"page", "per_page", "cursor"}
            )
            raise typer.BadParameter(
                f"{flag} does not apply to {spec.cli_name} (it accepts: {accepted or 'no filters'})"
            )
        kwargs[name] = value
    if spec.name in {"enrollments", "enrollment"}:
        for flag in ("include_campaign_id", "include_store_purchase_id", "include_employee_number"):
            if flag in filters and flag not in kwargs:
                kwargs[flag] = True  # the same defaults as the typed client
    return kwargs


class _WarningLines(logging.Handler):
    """The client's warnings (e.g. the 10-campaign cap) as `warning: ...` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"warning: {terminal_text(record.getMessage())}\n")


@contextlib.contextmanager
def _client_warnings() -> Generator[None]:
    log = logging.getLogger("trainproof.client")
    handler = _WarningLines(logging.WARNING)
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)


async def _fetch(spec: Endpoint, kwargs: dict[str, Any], show_progress: bool) -> tuple[list[dict[str, Any]], str]:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    records: list[dict[str, Any]] = []
    async with KnowBe4Client(settings()) as kb4:
        console = progress_console()
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not show_progress,
        ) as progress:
            task = progress.add_task(f"GET {spec.path}", total=None)
            async for obj in kb4.iter_raw(spec, **kwargs):
                records.append(obj)
                progress.update(
                    task, description=f"{spec.cli_name}: {len(records):,} records, {kb4.stats.requests} requests"
                )
        summary = f"{len(records):,} records in {kb4.stats.requests} requests; {kb4.budget.describe()}"
    return records, summary


@app.command(
    "api",
    help="Print what the KnowBe4 Reporting API returns for RESOURCE: every page, every record, as sent.",
    epilog=_resource_help(),
    no_args_is_help=True,
)
def api(
    ctx: typer.Context,
    resource: Annotated[str, typer.Argument(help="Resource in kebab-case, e.g. training-campaigns (see below).")],
    ids: Annotated[list[int] | None, typer.Argument(help="Id(s) the resource needs, outermost first.")] = None,
    status: Annotated[str | None, typer.Option(help="users, groups: active or archived.")] = None,
    group_id: Annotated[int | None, typer.Option(help="users: only members of this group.")] = None,
    expand: Annotated[str | None, typer.Option(help="users: 'group' expands each user's groups.")] = None,
    full: Annotated[bool, typer.Option("--full", help="risk score histories: the entire history.")] = False,
    campaign_type: Annotated[str | None, typer.Option(help="phishing: 'callback' for callback campaigns.")] = None,
    campaign_id: Annotated[int | None, typer.Option(help="enrollments: only this training campaign.")] = None,
    user_id: Annotated[int | None, typer.Option(help="enrollments: only this user.")] = None,
    store_purchase_id: Annotated[int | None, typer.Option(help="enrollments: only this store purchase.")] = None,
    exclude_archived_users: Annotated[
        bool, typer.Option("--exclude-archived-users", help="enrollments: leave out archived users.")
    ] = False,
    include_campaign_id: Annotated[bool, typer.Option(help="enrollments: add campaign_id (default on).")] = True,
    include_store_purchase_id: Annotated[
        bool, typer.Option(help="enrollments: add store_purchase_id (default on).")
    ] = True,
    include_employee_number: Annotated[
        bool, typer.Option(help="enrollments: add user.employee_number (default on).")
    ] = True,
    include_percentages: Annotated[
        bool,
        typer.Option(
            "--include-percentages",
            help="training-campaigns: add completion_percentage (KnowBe4 then answers 10 at a time).",
        ),
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.json,
) -> None:
    try:
        spec = endpoint(resource)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="RESOURCE") from None
    options: dict[str, Any] = {
        "status": status,
        "group_id": group_id,
        "expand": expand,
        "full": full,
        "campaign_type": campaign_type,
        "campaign_id": campaign_id,
        "user_id": user_id,
        "store_purchase_id": store_purchase_id,
        "exclude_archived_users": exclude_archived_users,
        "include_campaign_id": include_campaign_id,
        "include_store_purchase_id": include_store_purchase_id,
        "include_employee_number": include_employee_number,
        "include_percentages": include_percentages,
    }
    kwargs = _build_kwargs(ctx, spec, list(ids or []), options)
    import anyio

    show_progress = progress_console().is_terminal
    with _client_warnings():
        records, summary = anyio.run(_fetch, spec, kwargs, show_progress)
    columns = columns_of(records)
    if fmt is Format.table and len(columns) > TABLE_COLUMNS:
        sys.stderr.write(
            f"note: the table shows {TABLE_COLUMNS} of {len(columns)} fields; --format json or csv shows them all\n"
        )
        columns = columns[:TABLE_COLUMNS]
    render(records, fmt.value, columns=columns)
    if show_progress:
        progress_console().print(summary, highlight=False)
