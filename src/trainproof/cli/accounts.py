"""`trainproof accounts`: every KnowBe4 account of trainproof.toml, its last sync and health; `accounts check`.

A thin face over `trainproof.reports.accounts` (the MCP server's account tool calls the same function).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from trainproof.cli._app import all_accounts, app
from trainproof.cli._output import Format, render

__all__ = ["accounts_app"]

accounts_app = typer.Typer(
    name="accounts",
    help="Every KnowBe4 account ([accounts.NAME]): region, last sync, its age, requests used today, health.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(accounts_app, name="accounts")

FormatOpt = Annotated[Format, typer.Option("--format", help="table, json or csv.")]


def _age(hours: float | None) -> str:
    if hours is None:
        return "-"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


@accounts_app.callback()
def accounts_command(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Every account: region, last sync and its age, requests used today of the daily limit, and health
    (ok, stale: no sync for 36 h, failing: the last sync failed, never: not synced yet, no-token).

    \b
    Examples:
      trainproof accounts
      trainproof accounts check
      trainproof --account acme status
    """
    if ctx.invoked_subcommand is not None:
        return
    from trainproof.reports.accounts import account_states

    states = account_states(all_accounts())
    if fmt is not Format.table:
        render([s.row() for s in states], fmt.value)
        return
    rows: list[dict[str, Any]] = [
        {
            "account": s.account,
            "title": s.title,
            "region": s.region,
            "last sync": s.last_sync.strftime("%Y-%m-%d %H:%M") if s.last_sync else "never",
            "age": _age(s.age_hours),
            "requests today": "-" if s.requests_today is None else f"{s.requests_today}/{s.daily_limit}",
            "health": s.health,
        }
        for s in states
    ]
    render(rows, "table", title="KnowBe4 accounts")


@accounts_app.command("check")
def check_command(fmt: FormatOpt = Format.table) -> None:
    """Try every account's token against its region at once (one /v1/account request each); exit 1 when
    any is refused or unreachable."""
    import anyio

    from trainproof.reports.accounts import check_accounts

    checks = anyio.run(check_accounts, all_accounts())
    if fmt is Format.table:
        render(
            [
                {
                    "account": c.account,
                    "region": c.region,
                    "ok": "yes" if c.ok else "NO",
                    "KnowBe4 name": c.knowbe4_name or "",
                    "detail": c.detail,
                }
                for c in checks
            ],
            "table",
            title="Tokens",
        )
    else:
        render([c.row() for c in checks], fmt.value)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
