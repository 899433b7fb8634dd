"""`trainproof simulate`: serve the local KnowBe4 Reporting API simulator in the foreground."""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trainproof.cli._app import app
from trainproof.errors import ConfigError

if TYPE_CHECKING:
    from trainproof.simulator import SimulatorApp

HELP = """Serve a faithful local KnowBe4 Reporting API (no key, no network needed).

Same paths under /v1, query parameters, payloads, pagination (page and cursor), errors and rate limits
as the real API. On start it prints the base URL and the two variables that point trainproof at it:

\b
  export KNOWBE4_BASE_URL=http://127.0.0.1:8765
  export KNOWBE4_API_KEY=sim-token

The tenant is generated (--users, --seed: same seed, same data) or read from --tenant FILE (a JSON object
with keys account, users, groups, training_campaigns, store_purchases, policies, enrollments,
phishing_campaigns, security_tests, recipients; edits to the file are served on the next request).
--dump-tenant FILE writes the tenant in that format and exits.

Admin endpoints (no token; GET /_admin/help lists them): /_admin/stats, /_admin/reset, /_admin/faults,
/_admin/tenant, /_admin/mutate, /_admin/reload, /_admin/config. They can replace the data, so keep the
default --host 127.0.0.1.

--faults takes JSON or a JSON file: a rule or a list of rules such as

\b
  {"kind": "status", "status": 503, "path": "/v1/training/enrollments", "skip": 1, "times": 2}

Kinds: status, rate_limit, lockout, daily_quota, html, slow, drop, truncate, content_type, repeat_page,
cursor_loop, wrong_types, redirect, not_json, drip, huge, endless_pages, bad_ids, duplicates (see
trainproof.simulator.faults for every field).
"""


class LimitsMode(StrEnum):
    real = "real"
    off = "off"


def _fmt(n: int) -> str:
    return f"{n:,}"


@app.command("simulate", help=HELP, no_args_is_help=False)
def simulate(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).", min=0, max=65535)] = 8765,
    users: Annotated[int, typer.Option(help="People in a generated tenant (about 10 enrollments each).", min=0)] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the generated tenant: same seed, same data.")] = 1,
    reference_date: Annotated[
        str, typer.Option("--reference-date", help="'Today' of the generated tenant (YYYY-MM-DD).")
    ] = "2026-11-01",
    tenant: Annotated[
        Path | None, typer.Option(help="Serve this tenant JSON file instead of generating one.", dir_okay=False)
    ] = None,
    dump_tenant: Annotated[
        Path | None,
        typer.Option("--dump-tenant", help="Write the tenant as JSON to this file and exit.", dir_okay=False),
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Bearer token the simulator accepts (default: sim-token).", show_default=False)
    ] = None,
    limits: Annotated[
        LimitsMode, typer.Option(help="real: 4/s, 50/min then a 5-minute lockout, 2,000 + seats a day. off: none.")
    ] = LimitsMode.real,
    time_scale: Annotated[
        float, typer.Option("--time-scale", help="Multiply every rate-limit duration (0.01: a minute is 0.6 s).")
    ] = 1.0,
    retry_after: Annotated[
        bool, typer.Option("--retry-after", help="Send Retry-After with rate-limit 429s (KnowBe4 does not).")
    ] = False,
    cursor_everywhere: Annotated[
        bool, typer.Option("--cursor-everywhere", help="Accept cursor= on every list endpoint, not only enrollments.")
    ] = False,
    faults: Annotated[str | None, typer.Option(help="Fault rules: JSON text or a JSON file (see above).")] = None,
) -> None:
    # Imported here so `trainproof --help` stays fast.
    import uvicorn

    from trainproof.simulator import DEFAULT_TOKEN, Tenant, create_app, generate_tenant, parse_faults
    from trainproof.simulator.server import bind, uvicorn_config

    if time_scale <= 0:
        raise ConfigError("--time-scale must be positive", "e.g. --time-scale 0.01")
    try:
        as_of = date.fromisoformat(reference_date)
    except ValueError:
        raise ConfigError(f"--reference-date '{reference_date}' is not a date", "use YYYY-MM-DD") from None
    rules = parse_faults(faults)
    if dump_tenant is not None:
        data = Tenant.load(tenant) if tenant is not None else generate_tenant(users, seed, reference_date=as_of)
        data.dump(dump_tenant)
        counts = ", ".join(f"{_fmt(data.count(k))} {k}" for k in ("users", "enrollments", "training_campaigns"))
        sys.stderr.write(f"wrote {dump_tenant} ({counts})\n")
        return

    sim = create_app(
        tenant if tenant is not None else generate_tenant(users, seed, reference_date=as_of),
        token=token or DEFAULT_TOKEN,
        faults=rules,
        limits=limits.value,
        time_scale=time_scale,
        retry_after=retry_after,
        cursor_everywhere=cursor_everywhere,
    )
    source = f"file {tenant} (re-read when it changes)" if tenant is not None else f"generated, seed {seed}"
    sock = bind(host, port)
    base_url = reachable_url(host, sock.getsockname()[1])
    sys.stderr.write(banner(sim, base_url, source=source, token_given=token is not None, faults=len(rules)))
    sys.stderr.flush()
    server = uvicorn.Server(uvicorn_config(sim, configure_logging=True))
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it handled: a normal stop
        server.run(sockets=[sock])
    sys.stderr.write("simulator stopped\n")


def reachable_url(host: str, port: int) -> str:
    """The URL a client on this machine uses: every interface (0.0.0.0, ::) is reached through loopback,
    the one place trainproof sends a token over plain HTTP."""
    reach = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - a lookup, not a bind
    shown = f"[{reach}]" if ":" in reach else reach
    return f"http://{shown}:{port}"


def banner(sim: SimulatorApp, base_url: str, *, source: str, token_given: bool, faults: int = 0) -> str:
    """What `simulate` prints on start: where it listens and how to point a client at it.

    A token given with --token is never shown (it may be a real one); the default one is public.
    """
    from trainproof.simulator import DEFAULT_TOKEN

    shown_token = "'<the token you passed with --token>'" if token_given else DEFAULT_TOKEN
    opts = sim.options
    limit_text = (
        f"real (4/s, 50/min then a 5-minute lockout, {_fmt(sim.limiter.daily_quota())}/day), "
        f"time scale {opts.time_scale:g}"
        if opts.limits == "real"
        else "off"
    )
    t = sim.tenant
    return (
        f"KnowBe4 Reporting API simulator on {base_url}\n"
        f"  tenant: {source}: {_fmt(t.count('users'))} users, {_fmt(t.count('enrollments'))} enrollments, "
        f"{_fmt(t.count('training_campaigns'))} training campaigns\n"
        f"  limits: {limit_text}\n"
        + (f"  faults: {faults} rule(s)\n" if faults else "")
        + "Point trainproof (or any client) at it:\n"
        f"  export KNOWBE4_BASE_URL={base_url}\n"
        f"  export KNOWBE4_API_KEY={shown_token}\n"
        f"Admin endpoints: {base_url}/_admin/help. Stop with Ctrl-C.\n"
    )
