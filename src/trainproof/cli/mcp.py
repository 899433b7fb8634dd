"""`trainproof mcp`: serve the MCP server to an AI assistant (stdio) or over streamable HTTP."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from trainproof.cli._app import app, settings


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
    host: Annotated[str, typer.Option("--host", help="HTTP only: address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="HTTP only: port to listen on.")] = 8000,
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
    http://HOST:PORT/mcp.
    """
    from trainproof.mcp_server import serve

    serve(
        settings(),
        transport="stdio" if transport is Transport.stdio else "http",
        host=host,
        port=port,
        source=source.value if source is not None else None,
    )
