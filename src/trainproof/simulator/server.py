"""Serving the simulator over real HTTP: in a background thread (tests, demo) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from trainproof.errors import TrainproofError
from trainproof.simulator.app import DEFAULT_TOKEN, QUIET_DROPS, SimulatorApp, SimulatorOptions
from trainproof.simulator.dataset import Tenant
from trainproof.simulator.faults import FaultRule, parse_faults
from trainproof.simulator.limits import RateLimits
from trainproof.simulator.stats import StatsSnapshot

__all__ = ["Simulator", "SimulatorStartError", "bind", "uvicorn_config"]


class SimulatorStartError(TrainproofError):
    """The simulator could not listen (port taken, bad host)."""

    exit_code = 2


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto set: asyncio then sets TCP_NODELAY
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise SimulatorStartError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc})",
            "pick another --port (or 0 for any free port) or another --host",
        ) from None
    sock.setblocking(False)
    return sock


def uvicorn_config(app: SimulatorApp, *, log_level: str = "warning", configure_logging: bool = False) -> uvicorn.Config:
    """uvicorn settings shared by the thread and the CLI: plain h11, no lifespan, no websockets."""
    logging.getLogger("uvicorn.error").addFilter(QUIET_DROPS)
    return uvicorn.Config(
        app,
        lifespan="off",
        http="h11",
        ws="none",
        loop="asyncio",
        log_level=log_level,
        access_log=False,
        log_config=LOGGING_CONFIG if configure_logging else None,
        timeout_graceful_shutdown=2,
        server_header=False,
        date_header=True,
    )


class _ThreadServer(uvicorn.Server):
    """uvicorn, stoppable at once from another thread (its own loop polls every 0.1 s)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets)
            return
        # Nothing to drain: skip uvicorn's fixed 0.1 s grace period (it adds up over hundreds of tests).
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        await self.lifespan.shutdown()

    def request_stop(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(wake.set)


class Simulator:
    """A running simulator on 127.0.0.1 in a background thread. Use as a context manager.

        with Simulator(generate_tenant(50), limits="off") as sim:
            httpx2.get(sim.base_url + "/v1/account", headers={"Authorization": f"Bearer {sim.token}"})

    `tenant` is a Tenant, its dict form, a JSON file path (watched: edits are served on the next
    request), or None (a generated tenant of `users` people from `seed`). The other keyword arguments
    are `SimulatorOptions` fields plus `faults` (a fault spec).
    """

    def __init__(
        self,
        tenant: Tenant | Mapping[str, Any] | str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        limits: Literal["real", "off"] = "real",
        time_scale: float = 1.0,
        rate_limits: RateLimits | None = None,
        retry_after: bool = False,
        invalid_token_status: int = 401,
        platinum: bool = True,
        cursor_everywhere: bool = False,
        cursor_style: Literal["both", "body", "header"] = "both",
        faults: object = None,
        users: int = 200,
        seed: int = 1,
    ) -> None:
        options = SimulatorOptions(
            limits=limits,
            time_scale=time_scale,
            rate_limits=rate_limits or RateLimits(),
            retry_after=retry_after,
            invalid_token_status=invalid_token_status,
            platinum=platinum,
            cursor_everywhere=cursor_everywhere,
            cursor_style=cursor_style,
        )
        self.app = SimulatorApp(tenant, token=token, faults=faults, options=options, users=users, seed=seed)
        self.token = token
        self.host = host
        self._port = port
        self._server: _ThreadServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # lifecycle

    def start(self, timeout: float = 10.0) -> Simulator:
        if self._thread is not None:
            return self
        self._socket = bind(self.host, self._port)
        self._port = self._socket.getsockname()[1]
        server = _ThreadServer(uvicorn_config(self.app))
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._socket]}, name=f"kb4-simulator:{self._port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise SimulatorStartError(f"the simulator did not start within {timeout:.0f} s", "see the log")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.request_stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # what tests use

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` (no trailing slash, no /v1): what KNOWBE4_BASE_URL takes."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header for this simulator's token."""
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def tenant(self) -> Tenant:
        """The live tenant: change it with its methods (upsert, update, delete, ...); thread-safe."""
        return self.app.tenant

    @property
    def stats(self) -> StatsSnapshot:
        """Request counters now (a snapshot: read it again after more requests)."""
        return self.app.stats()

    @property
    def options(self) -> SimulatorOptions:
        return self.app.options

    def configure(self, **changes: Any) -> SimulatorOptions:
        """Change options between requests, e.g. `configure(platinum=False)`."""
        return self.app.configure(**changes)

    def set_faults(self, *rules: FaultRule | Mapping[str, Any] | Sequence[Any] | str) -> list[FaultRule]:
        """Replace the fault rules (FaultRule objects, dicts, or a spec: JSON text, path or list)."""
        parsed = [rule for spec in rules for rule in parse_faults(spec)]
        self.app.faults.set(parsed)
        return parsed

    def add_fault(self, kind: str, **fields: Any) -> FaultRule:
        """Add one rule, e.g. `add_fault("status", status=503, times=2)`."""
        rule = parse_faults({"kind": kind, **fields})[0]
        self.app.faults.add([rule])
        return rule

    def clear_faults(self) -> None:
        self.app.faults.clear()

    def reset_limits(self) -> None:
        """Forget rate-limit windows, lockouts and the daily count."""
        self.app.limiter.reset()

    def reset_stats(self) -> None:
        self.app.stats_counter.reset()

    def reset(self) -> None:
        """Stats, limits and fault counters back to zero (fault rules stay)."""
        self.app.reset()

    def reload(self) -> bool:
        """Re-read the tenant file now (it is also re-read automatically when it changes)."""
        return self.app.reload()
