"""`trainproof enqueue sync|nightly`: put account syncs in the PostgreSQL job queue for `trainproof worker`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from trainproof.cli._app import account_option, all_accounts, app, config_option
from trainproof.errors import ConfigError

enqueue_app = typer.Typer(
    name="enqueue",
    help="Queue account syncs for `trainproof worker` (PostgreSQL store, trainproof[workers]).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(enqueue_app, name="enqueue")


@enqueue_app.command("sync")
def enqueue_sync_command(
    every_account: Annotated[bool, typer.Option("--all", help="One job per configured account.")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Also refetch campaigns and tests that were finished when last stored.")
    ] = False,
) -> None:
    """Queue a sync of the account (--account NAME, or the only one) or of every account (--all).

    An account whose sync already waits in the queue keeps that one job; a running sync does not stop
    another from waiting behind it. Workers run them (`trainproof worker`).

    \b
    Example:
        trainproof enqueue sync --all
        trainproof --account acme enqueue sync
    """
    accounts = all_accounts()
    if every_account and account_option() is not None:
        raise ConfigError("--all queues every account; --account names one", "give one or the other")
    names = accounts.names if every_account else [accounts.choose(account_option()).name]
    _defer(accounts.items[0].settings.database_url, names, full=full)


@enqueue_app.command("nightly")
def enqueue_nightly_command() -> None:
    """Run the nightly fan-out now: a worker queues a sync of every account, as it does each night.

    \b
    Example:
        trainproof enqueue nightly
    """
    _defer(all_accounts().items[0].settings.database_url, None, full=False)


def _defer(url: str, names: list[str] | None, *, full: bool) -> None:
    """Defer the jobs (names None: the nightly fan-out) and print one line per account."""
    import anyio

    from trainproof.workers.requirement import require_procrastinate

    require_procrastinate()

    from trainproof.store.db import store_label
    from trainproof.workers.deferring import defer_nightly, defer_syncs
    from trainproof.workers.queue import QueueOptions, build_app
    from trainproof.workers.schema import require_queue_schema

    queue_app = build_app(url, QueueOptions(config=config_option()))

    async def run() -> list[str]:
        async with queue_app.open_async():
            await require_queue_schema(queue_app, store_label(url))
            if names is None:
                job = await defer_nightly(queue_app)
                return [f"nightly: queued (job {job})" if job is not None else "nightly: already queued"]
            return [d.line() for d in await defer_syncs(queue_app, names, full=full)]

    for line in anyio.run(run):
        sys.stdout.write(line + "\n")
