"""Run the console: bind first (so the printed link names the real port), then serve with uvicorn."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterable

from trainproof.config import Settings
from trainproof.console.security import LoginToken, url_host
from trainproof.errors import ConfigError
from trainproof.store.handle import StoreEngine

__all__ = ["bind", "serve"]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one); a ConfigError when it cannot be had.

    Made with IPPROTO_TCP named (not `socket.create_server`, which leaves the protocol 0): asyncio turns
    Nagle's algorithm off only on connections of such a socket, and with it on, each response's body
    waited for the browser's delayed ACK of its headers, about 40 ms a request.
    """
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if sys.platform != "win32":  # as socket.create_server: a restart may reuse the port at once
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bare, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {url_host(host)}:{port} ({exc.strerror or exc})",
            "give another --port (0 picks a free one)",
        ) from None
    return sock


def serve(
    settings: Callable[[], Settings],
    engine: StoreEngine,
    *,
    host: str,
    port: int,
    read_only: bool = False,
    extra_hosts: Iterable[str] = (),
    warning: str | None = None,
) -> None:
    """Serve until interrupted. stdout gets one line, the sign-in link; notes go to stderr.

    uvicorn's access log stays off: the sign-in request's address holds the token.
    """
    import uvicorn

    from trainproof.console.app import create_app

    token = LoginToken()
    app = create_app(settings, engine, token=token, host=host, extra_hosts=extra_hosts, read_only=read_only)
    sock = bind(host, port)
    bound = int(sock.getsockname()[1])
    if warning:
        sys.stderr.write(warning + "\n")
    if read_only:
        sys.stderr.write("read-only: no action is shown or accepted\n")
    shown = "127.0.0.1" if host.strip("[]") in ("0.0.0.0", "::") else url_host(host)  # noqa: S104
    sys.stdout.write(f"trainproof console: http://{shown}:{bound}/?token={token.value} (works once; Ctrl+C stops)\n")
    sys.stdout.flush()
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", server_header=False, proxy_headers=False
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        engine.dispose()
