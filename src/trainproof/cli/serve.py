"""`trainproof serve`: the local web console, for the people who live in a browser."""

from __future__ import annotations

from typing import Annotated

import typer

from trainproof.cli._app import app, settings


@app.command("serve")
def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on. Anything but loopback is refused unless --allow-remote is given."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free port).")] = 8000,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="For auditors: every action (reset, save, sync) hidden and refused.")
    ] = False,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a --host other machines can reach. The console speaks plain HTTP: put a TLS proxy in front.",
        ),
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Repeatable: a Host name to accept besides localhost and --host (the name a TLS proxy forwards). "
            "Other hosts are refused (DNS rebinding).",
        ),
    ] = None,
) -> None:
    """Open the web console on this machine: overview, people, a person's decisions with Reset, downloads.

    Prints one line with a sign-in link that works once (like Jupyter's); the browser that opens it gets a
    session cookie, and every other request is refused. The pages call the same functions as the CLI.
    """
    from trainproof.cli._store import read_engine
    from trainproof.console.security import check_bind
    from trainproof.console.server import serve

    warning = check_bind(host, allow_remote=allow_remote)
    settings()  # a configuration error stops here, before anything listens
    serve(
        settings,
        read_engine(),
        host=host,
        port=port,
        read_only=read_only,
        extra_hosts=allowed_host or (),
        warning=warning,
    )
