"""`trainproof campaigns`: the training campaigns to choose from, and which trainings select each.

A thin face over `trainproof.campaign_list` (the web console calls the same functions): from the store
once a sync has succeeded, otherwise live from KnowBe4.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainproof.cli._app import app, settings
from trainproof.cli._output import Format

if TYPE_CHECKING:
    from trainproof.campaign_list import CampaignListing

COLUMNS = ["id", "name", "status", "content", "enrolled", "completion", "start", "end", "selected by"]


@app.command("campaigns")
def campaigns_command(
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this status: active, closed, cancelled... or KnowBe4's 'In Progress'."),
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Only campaigns whose name contains this, or this id.")
    ] = None,
    live: Annotated[bool, typer.Option("--live", help="Ask KnowBe4 even when the store has been synced.")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
) -> None:
    """Every training campaign: status, content, people enrolled, completion, start and end, and the
    trainings that select it.

    From the store after `trainproof sync`; before a first sync (or with --live) from KnowBe4, which
    does not tell who is enrolled or has completed without reading every enrollment.

    \b
    Examples:
      trainproof campaigns --status active
      trainproof campaigns --search hipaa --format json
    """
    from trainproof.campaign_list import stored_campaigns
    from trainproof.synced_store import synced_store

    cfg = settings()
    engine = None if live else synced_store(cfg.database_url, cfg.account)
    if engine is not None:
        try:
            rows = stored_campaigns(engine, cfg.raw, status=status, search=search)
        finally:
            engine.dispose()
    else:
        rows = _live(status, search)
        sys.stderr.write("live from KnowBe4: people enrolled and completion are counted after `trainproof sync`\n")
    _show(rows, fmt)


def _live(status: str | None, search: str | None) -> list[CampaignListing]:
    import anyio

    from trainproof.campaign_list import live_campaigns
    from trainproof.client import KnowBe4Client

    cfg = settings()
    cfg.require_token()

    async def fetch() -> list[CampaignListing]:
        async with KnowBe4Client(cfg) as kb4:
            return await live_campaigns(kb4, cfg.raw, status=status, search=search)

    return anyio.run(fetch)


def table_row(c: CampaignListing) -> dict[str, Any]:
    """A campaign as one table or CSV row (JSON keeps `to_dict`'s typed fields)."""
    return {
        "id": c.campaign_id,
        "name": c.name,
        "status": c.status or "",
        "content": c.content,
        "enrolled": "-" if c.enrolled is None else c.enrolled,
        "completion": "-" if c.completion is None else f"{c.completion:.1f}%",
        "start": c.start_date.date().isoformat() if c.start_date else "",
        "end": c.end_date.date().isoformat() if c.end_date else "",
        "selected by": ", ".join(c.selected_by),
    }


def _show(rows: list[CampaignListing], fmt: Format) -> None:
    from trainproof.cli._output import render

    if fmt is Format.json:
        render([c.to_dict() for c in rows], "json")
        return
    render([table_row(c) for c in rows], fmt.value, columns=COLUMNS, title="Training campaigns")
