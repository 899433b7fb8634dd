"""What one server process holds: each KnowBe4 account's settings, API client and store, and how to choose.

A server answers for the accounts it was started with (every `[accounts.NAME]` of trainproof.toml, or
the one `trainproof --account NAME mcp` names). Each tool call names its account (the `account`
argument; optional when there is only one) and gets that account's `AppState`, made on the account's
first question: its own client (token, region, limiter, daily budget), a store handle bound to it
(`store.scoping`), its own live mirror. The one answer cache is shared, keyed by account too, so the
worker thread never judges two large stores at once and one account's answers are never another's.

`[mcp] source` in trainproof.toml picks where answers come from:

* "auto" (default): the store when a sync has succeeded there, otherwise the live API. Checked on every
  call, so a `trainproof sync` run while the server is up takes effect at once.
* "store": only the store; a call before the first successful sync is a tool error saying to sync.
* "live": only the KnowBe4 API.

Other keys: `cache_seconds` (how long live lists are reused, default 300) and `retry_budget_s` (how
long one live call may spend retrying throttled or failed requests, default 30: an assistant is
waiting).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import shutil
import tempfile
import threading
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field

from trainproof import clock
from trainproof.accounts import Account, Accounts
from trainproof.client import KnowBe4Client
from trainproof.config import Limits, Settings
from trainproof.config_keys import reject_unknown_keys
from trainproof.errors import ConfigError, StoreError
from trainproof.mcp_server import _errors
from trainproof.mcp_server._backend import Answer, Backend
from trainproof.mcp_server._cache import AnswerCache, StoreKey, store_key
from trainproof.mcp_server._evaluations import SNAPSHOT_WEIGHT, judge_snapshot
from trainproof.mcp_server._live import LiveBackend
from trainproof.mcp_server._store import StoreBackend
from trainproof.store import open_store
from trainproof.store.db import create_store_engine, redact_url, sqlite_path
from trainproof.store.freshness import StoreVersion, store_version
from trainproof.store.handle import StoreEngine, read
from trainproof.sync import run_sync_async, sync_options

logger = logging.getLogger("trainproof.mcp")

SourceMode = Literal["auto", "store", "live"]
SOURCES: tuple[SourceMode, ...] = ("auto", "store", "live")

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
"""Every tool only reads (KnowBe4 or the local store); open world: the data is KnowBe4's."""

LIST_ACCOUNTS_TOOL = "knowbe4_training_list_accounts"

AccountArg = Annotated[
    str | None,
    Field(
        max_length=63,
        description="The KnowBe4 account to answer for: an [accounts.NAME] of trainproof.toml "
        f"({LIST_ACCOUNTS_TOOL} lists them). Optional when the server serves one account; every answer is "
        "about that one account only.",
    ),
]


@dataclass(frozen=True)
class McpOptions:
    """The `[mcp]` table of trainproof.toml."""

    source: SourceMode = "auto"
    cache_seconds: float = 300.0
    retry_budget_s: float = 30.0
    live_compliance_max_requests: int = 100

    @classmethod
    def from_settings(cls, settings: Settings, source: str | None = None) -> McpOptions:
        table = settings.table("mcp")
        reject_unknown_keys("mcp", table, str(settings.config_path or "trainproof.toml"))
        chosen = str(source or table.get("source", "auto")).strip().lower()
        if chosen not in SOURCES:
            raise ConfigError(f"[mcp] source '{chosen}' is not valid", 'use "auto", "store" or "live"')
        try:
            cache = float(table.get("cache_seconds", 300.0))
            retry = float(table.get("retry_budget_s", 30.0))
            max_live = int(table.get("live_compliance_max_requests", 100))
        except (TypeError, ValueError):
            raise ConfigError(
                "[mcp] cache_seconds and retry_budget_s must be numbers", "e.g. cache_seconds = 300"
            ) from None
        if cache < 0 or retry <= 0:
            raise ConfigError("[mcp] cache_seconds must be >= 0 and retry_budget_s > 0", "e.g. retry_budget_s = 30")
        return cls(source=chosen, cache_seconds=cache, retry_budget_s=retry, live_compliance_max_requests=max_live)


MIRROR_NOTE = (
    "Live: the compliance facts were fetched from KnowBe4 by a sync into a private, temporary mirror "
    "(requests_made counts it; it is reused for [mcp] cache_seconds)."
)


@dataclass
class LiveMirror:
    """The private store compliance answers use in live mode: a store like any other, synced on demand."""

    settings: Settings
    engine: StoreEngine
    directory: Path
    lock: anyio.Lock = field(default_factory=anyio.Lock)

    @classmethod
    def create(cls, settings: Settings, limits: Limits) -> LiveMirror:
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        directory = Path(tempfile.mkdtemp(prefix="mcp-live-", dir=settings.state_dir))
        url = f"sqlite:///{directory / 'mirror.db'}"
        raw = dict(settings.raw)
        raw["sync"] = {**settings.table("sync"), "phishing": False}
        mirror_settings = dataclasses.replace(settings, database_url=url, limits=limits, raw=raw)
        engine = open_store(url, account=settings.account)
        return cls(settings=mirror_settings, engine=engine, directory=directory)

    def version(self) -> StoreVersion:
        return read(self.engine, store_version)

    def close(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass(frozen=True)
class FactsSource:
    """The store compliance decisions are judged from (the local store or the live mirror), as cached."""

    engine: StoreEngine
    store: StoreKey
    answer: Answer


@dataclass
class AppState:
    """Everything a tool call about one account needs; made on that account's first question."""

    settings: Settings
    options: McpOptions
    client: KnowBe4Client | None
    live: LiveBackend | None
    cache: AnswerCache
    sync_command: str = "trainproof sync"
    """The command that fills this account's part of the store, as error messages name it."""
    engine: StoreEngine | None = None
    mirror: LiveMirror | None = None
    mirror_lock: anyio.Lock = field(default_factory=anyio.Lock)
    _engine_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def account(self) -> str:
        return self.settings.account

    @property
    def store_label(self) -> str:
        return redact_url(self.settings.database_url)

    def _store_exists(self) -> bool:
        path = sqlite_path(self.settings.database_url)
        return path is None or path.exists()

    def _engine(self) -> StoreEngine | None:
        """The store's engine, opened on first need; never creates a store file that does not exist."""
        with self._engine_lock:
            if self.engine is None and self._store_exists():
                self.engine = create_store_engine(self.settings.database_url, account=self.settings.account)
            return self.engine

    def read_version(self) -> StoreVersion | None:
        """The store's version (its sync runs and what changed since); None without a usable store.

        Read on every call (a few primary-key lookups), so a sync while the server runs takes effect at
        once. A new version starts judging "now" in the background, so the next compliance question
        after a sync finds it under way or done. Blocking (call it from a thread).
        """
        engine = self._engine()
        if engine is None:
            return None
        try:
            version = read(engine, store_version)
        except StoreError:  # no tables yet, not a trainproof store, unreachable server: the line says which
            if self.options.source == "store":
                raise
            logger.info("store at %s not usable; answering live", self.store_label)
            return None
        if version.ok is not None and self.options.source != "live":
            settings = self.settings
            self.cache.submit(
                store_key(engine, version),
                ("decisions", None),
                lambda: judge_snapshot(engine, settings, None),
                weight=SNAPSHOT_WEIGHT,
            )
        return version

    async def version(self) -> StoreVersion | None:
        return await anyio.to_thread.run_sync(self.read_version)

    def live_backend(self) -> LiveBackend:
        if self.live is None:
            raise ConfigError(
                "no KnowBe4 API token, so answers cannot come from the live API",
                "set KNOWBE4_API_KEY in the MCP client's env for this server, or run `trainproof sync` "
                'and set [mcp] source = "store"',
            )
        return self.live

    def _no_sync(self) -> StoreError:
        return StoreError(
            f"the store at {self.store_label} has no successful sync yet",
            f'run `{self.sync_command}` first (or set [mcp] source = "live")',
        )

    async def facts_source(self) -> FactsSource:
        """The store (and its version) compliance decisions are computed from."""
        if self.options.source != "live":
            version = await self.version()
            engine = self.engine
            if version is not None and version.ok is not None and engine is not None:
                answer = StoreBackend(engine, version).begin()
                return FactsSource(engine, store_key(engine, version), answer)
            if self.options.source == "store":
                raise self._no_sync()
        return await self.live_facts()

    async def live_facts(self) -> FactsSource:
        """Compliance facts from the live API: a sync into a private, temporary mirror, reused for a while.

        The compliance engine judges people, campaigns and enrollments together, which only a sync can
        gather correctly (the same code path as `trainproof sync`, with the same limiter and budget). The
        mirror lives in a temporary directory removed when the server stops; phishing data is skipped.
        """
        live = self.live_backend()  # no token: the same error as every live answer
        async with self.mirror_lock:
            if self.mirror is None:
                self.mirror = await anyio.to_thread.run_sync(LiveMirror.create, self.settings, live.client.limits)
        mirror = self.mirror
        async with mirror.lock:
            version = await anyio.to_thread.run_sync(mirror.version)
            synced_at = version.synced_at
            age = (clock.now() - synced_at).total_seconds() if synced_at is not None else None
            if synced_at is not None and age is not None and age < self.options.cache_seconds:
                ans = Answer(kind="live", as_of=synced_at, account=self.account)
            else:
                cost = Answer(kind="live", as_of=clock.now(), account=self.account)
                if version.ok is None:  # the first sync reads everything; later ones skip finished campaigns
                    await self._check_live_cost(live, cost)
                report = await run_sync_async(mirror.settings)
                ans = Answer(
                    kind="live",
                    as_of=report.finished_at,
                    account=self.account,
                    requests=report.requests + cost.requests,
                )
                version = await anyio.to_thread.run_sync(mirror.version)
            ans.notes.append(MIRROR_NOTE)
            return FactsSource(mirror.engine, store_key(mirror.engine, version), ans)

    def fallback(self) -> LiveBackend | None:
        """The live API for what the store cannot answer (auto mode, with a token); None otherwise."""
        return self.live if self.options.source == "auto" else None

    async def _check_live_cost(self, live: LiveBackend, ans: Answer) -> None:
        """Refuse a live compliance answer that would cost more requests than `[mcp]` allows.

        A sync's cost grows with the licensed seats: users are read 500 a page, and so are the
        enrollments of each selected campaign. One request (the account) tells the seats.
        """
        account = await live.account(ans)
        seats = max(1, account.number_of_seats or 0)
        selected = sum(len(t) for t in sync_options(self.settings).trainings.values()) or 1
        estimate = math.ceil(seats / 500) * (1 + selected) + 4
        limit = self.options.live_compliance_max_requests
        if estimate > limit:
            per_minute = self.settings.limits.per_minute
            minutes = math.ceil(estimate / per_minute)
            raise ConfigError(
                f"answering compliance live would take about {estimate:,} KnowBe4 requests for {seats:,} "
                f"licensed users (at least {minutes} min at {per_minute:,.0f} requests/min), more than "
                f"[mcp] live_compliance_max_requests = {limit}",
                "run `trainproof sync` (e.g. nightly) so compliance answers come from the store, or raise the limit",
            )

    async def backend(self) -> Backend:
        """The store when configured or (auto) when a sync succeeded there; the live API otherwise."""
        if self.options.source == "live":
            return self.live_backend()
        version = await self.version()
        engine = self.engine
        if version is not None and version.ok is not None and engine is not None:
            return StoreBackend(engine, version)
        if self.options.source == "store":
            raise self._no_sync()
        return self.live_backend()


async def _open_state(account: Account, options: McpOptions, cache: AnswerCache, sync_command: str) -> AppState:
    """One account's state: its own KnowBe4Client (when it has a token and may answer live)."""
    settings = account.settings
    client: KnowBe4Client | None = None
    live: LiveBackend | None = None
    if settings.token is not None and options.source != "store":
        limits = dataclasses.replace(
            settings.limits, retry_budget_s=min(settings.limits.retry_budget_s, options.retry_budget_s)
        )
        client = KnowBe4Client(settings, limits=limits)  # closed by _close_state
        live = LiveBackend(client, cache_seconds=options.cache_seconds)
    return AppState(
        settings=settings, options=options, client=client, live=live, cache=cache, sync_command=sync_command
    )


async def _close_state(state: AppState) -> None:
    if state.client is not None:
        await state.client.aclose()
    if state.engine is not None:
        state.engine.dispose()
    if state.mirror is not None:
        state.mirror.close()


@dataclass
class ServerState:
    """Every account this server answers for; each account's `AppState` made on its first question."""

    accounts: Accounts
    options: McpOptions
    cache: AnswerCache = field(default_factory=AnswerCache)
    _states: dict[str, AppState] = field(default_factory=dict[str, AppState])
    _lock: anyio.Lock = field(default_factory=anyio.Lock)

    @property
    def default_account(self) -> str | None:
        """The account a tool answers for without an `account` argument: the only one, else none."""
        return self.accounts.names[0] if len(self.accounts) == 1 else None

    def choose(self, name: str | None) -> Account:
        """The account a tool call asks for; a tool error naming the accounts when it cannot say which."""
        names = ", ".join(self.accounts.names)
        wanted = name.strip() if name is not None and name.strip() else None
        if wanted is None:
            if len(self.accounts) == 1:
                return self.accounts.items[0]
            raise _errors.bad_argument(
                f"this server answers for {len(self.accounts)} KnowBe4 accounts ({names}): say which with the "
                f"account argument ({LIST_ACCOUNTS_TOOL} lists them)"
            )
        for account in self.accounts:
            if account.name == wanted:
                return account
        raise _errors.bad_argument(f"no account '{wanted[:63]}': this server answers for {names}")

    def _sync_command(self, account: Account) -> str:
        return f"trainproof --account {account.name} sync" if self.accounts.configured else "trainproof sync"

    async def state(self, name: str | None) -> AppState:
        """The state of the account named (or the only one), made and warmed up on its first question."""
        account = self.choose(name)
        async with self._lock:
            state = self._states.get(account.name)
            if state is None:
                with _errors.mapped():
                    state = await _open_state(account, self.options, self.cache, self._sync_command(account))
                self._states[account.name] = state
                if self.options.source != "live":
                    self.cache.background(state.read_version)
        return state

    async def aclose(self) -> None:
        self.cache.close()
        for state in self._states.values():
            await _close_state(state)
        self._states.clear()


def make_lifespan(accounts: Accounts, options: McpOptions) -> Any:
    """The server lifespan: the accounts' states, each closed on the way out (its client, store, mirror).

    With one account, its state is made at once, so the current decisions start computing (in the
    answer cache's worker) before the first compliance question; with several, each account's on its
    first question, so a server for a hundred customers does not judge them all at start.
    """

    @asynccontextmanager
    async def lifespan(_server: MCPServer[ServerState]) -> AsyncGenerator[ServerState]:
        server_state = ServerState(accounts, options)
        try:
            if server_state.default_account is not None:
                await server_state.state(None)
            yield server_state
        finally:
            await server_state.aclose()

    return lifespan


async def state_of(ctx: Context[ServerState, Any], account: str | None) -> AppState:
    """The state of the account a tool call names (`account`), or of the only account."""
    return await ctx.request_context.lifespan_context.state(account)


def server_state_of(ctx: Context[ServerState, Any]) -> ServerState:
    return ctx.request_context.lifespan_context
