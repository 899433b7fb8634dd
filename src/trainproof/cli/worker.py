"""`trainproof worker`: run account syncs from the PostgreSQL job queue (procrastinate), as many as wanted."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from trainproof.cli._app import all_accounts, app, config_option

if TYPE_CHECKING:
    from trainproof.workers.queue import QueueOptions


@app.command("worker")
def worker_command(
    init: Annotated[
        bool,
        typer.Option("--init", help="Create the store and the job queue's tables, then exit."),
    ] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Account syncs run at once.", min=1)] = 4,
    until_empty: Annotated[
        bool, typer.Option("--until-empty", help="Exit when no job is left instead of waiting for more.")
    ] = False,
    nightly_cron: Annotated[
        str, typer.Option("--nightly-cron", metavar="CRON", help="When every account is queued (UTC).")
    ] = "15 2 * * *",
    stalled_after: Annotated[
        float,
        typer.Option("--stalled-after", help="Seconds without a heartbeat before a worker's jobs are retried.", min=1),
    ] = 30.0,
    retry_attempts: Annotated[int, typer.Option("--retry-attempts", help="Runs of a failing job at most.", min=1)] = 5,
    retry_wait: Annotated[
        float, typer.Option("--retry-wait", help="Seconds before the first retry; doubled each time.", min=0)
    ] = 60.0,
    name: Annotated[str | None, typer.Option("--name", help="This worker's name in the queue and logs.")] = None,
) -> None:
    """Run account syncs from the job queue in the store's PostgreSQL database (procrastinate).

    Start as many workers as wanted, on one machine or several: a job is one account's sync, never
    two of one account at once. Each worker also queues every account nightly (--nightly-cron) and puts
    back the jobs of a worker that died (--stalled-after). Tokens come from this worker's own
    configuration; jobs carry account names only. Queue syncs with `trainproof enqueue sync --all`.

    \b
    Example:
        trainproof worker --init
        trainproof worker --concurrency 8
    """
    import anyio

    from trainproof.workers.queue import QueueOptions
    from trainproof.workers.requirement import require_procrastinate

    require_procrastinate()
    accounts = all_accounts()
    url = accounts.items[0].settings.database_url
    options = QueueOptions(
        config=config_option(),
        nightly_cron=nightly_cron,
        stalled_after_s=stalled_after,
        retry_attempts=retry_attempts,
        retry_base_s=retry_wait,
    )
    label = f"{len(accounts)} account{'' if len(accounts) == 1 else 's'}"
    anyio.run(
        lambda: _run(url, options, init=init, concurrency=concurrency, until_empty=until_empty, name=name, label=label)
    )


async def _run(
    url: str, options: QueueOptions, *, init: bool, concurrency: int, until_empty: bool, name: str | None, label: str
) -> None:
    import logging
    import os
    import socket

    from trainproof.store import open_store
    from trainproof.store.db import store_label
    from trainproof.workers.queue import QUEUE, build_app
    from trainproof.workers.schema import install_queue_schema, require_queue_schema

    queue_app = build_app(url, options)
    where = store_label(url)
    if init:  # the store's schema, then the queue's: what every worker expects to find
        open_store(url).dispose()
        async with queue_app.open_async():
            created = await install_queue_schema(queue_app)
        sys.stdout.write(f"job queue {'installed' if created else 'already installed'} in {where}\n")
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for logger_name, level in (("trainproof.workers", logging.INFO), ("procrastinate", logging.WARNING)):
        log = logging.getLogger(logger_name)
        log.addHandler(handler)
        log.setLevel(level)
    worker_name = name or f"{socket.gethostname()}-{os.getpid()}"
    async with queue_app.open_async():
        await require_queue_schema(queue_app, where)
        sys.stderr.write(f"worker {worker_name}: {label}, {concurrency} at once, jobs from {where}\n")
        await queue_app.run_worker_async(
            queues=[QUEUE],
            concurrency=concurrency,
            name=worker_name,
            wait=not until_empty,
            update_heartbeat_interval=options.heartbeat_s,
            stalled_worker_timeout=options.stalled_after_s,
            fetch_job_polling_interval=min(5.0, options.heartbeat_s),
        )
