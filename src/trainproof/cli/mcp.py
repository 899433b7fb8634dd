"""`trainproof mcp`: serve the MCP server to an AI assistant (stdio) or over streamable HTTP."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from trainproof.cli._app import account_option, all_accounts, app


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


class Source(StrEnum):
    auto = "auto"
    store = "store"
    live = "live"


@app.command("mcp")
def mcp_command(
    transport: Annotated[
        Transport, typer.Option("--transport", help="stdio (for desktop assistants and IDEs) or streamable http.")
    ] = Transport.stdio,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="HTTP only: address to listen on. Anything but loopback requires a bearer token: "
            "TRAINPROOF_MCP_TOKEN, else one generated and shown once on stderr.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="HTTP only: port to listen on.")] = 8000,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="HTTP only, repeatable: a Host header to accept besides localhost and --host "
            "(NAME, NAME:PORT or NAME:*; a bare NAME is accepted with the server's port or none). "
            "Other hosts are refused (DNS rebinding).",
        ),
    ] = None,
    allowed_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-origin",
            help="HTTP only, repeatable: a browser Origin to accept (e.g. https://app.example.com) besides "
            "http://localhost:PORT; requests with another Origin are refused.",
        ),
    ] = None,
    source: Annotated[
        Source | None,
        typer.Option(
            "--source",
            help="Where answers come from; overrides [mcp] source. auto: the store once a sync has run, "
            "else the live API.",
        ),
    ] = None,
) -> None:
    """Serve trainproof's MCP server: KnowBe4 training tools and compliance answers, all read-only.

    On stdio nothing but the protocol is written to stdout; logs go to stderr. The HTTP endpoint is
    http://HOST:PORT/mcp; it listens on loopback unless --host says otherwise, checks every request's
    Host and Origin, and requires 'Authorization: Bearer TOKEN' off loopback (or whenever
    TRAINPROOF_MCP_TOKEN is set).

    It answers for every [accounts.NAME] of trainproof.toml (each tool then takes `account`), or only
    for the one `trainproof --account NAME mcp` names: a server handed to one customer sees no other.
    """
    from trainproof.accounts import Accounts
    from trainproof.mcp_server import serve

    accounts = all_accounts()
    name = account_option()
    if name is not None:
        accounts = Accounts((accounts.get(name),), accounts.configured)
    serve(
        accounts=accounts,
        transport="stdio" if transport is Transport.stdio else "http",
        host=host,
        port=port,
        allowed_hosts=allowed_host or (),
        allowed_origins=allowed_origin or (),
        source=source.value if source is not None else None,
    )
