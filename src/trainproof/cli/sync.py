"""`trainproof sync`: refresh the local store from KnowBe4 with the fewest requests, all or nothing."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from trainproof.cli._app import app, settings
from trainproof.cli._output import to_json
from trainproof.text import terminal_text

if TYPE_CHECKING:  # the client, the store and rich load when a sync runs, not for --help
    from trainproof.sync import SyncReport


class SyncFormat(StrEnum):
    text = "text"
    json = "json"


def _print_plan(report: SyncReport) -> None:
    plan = report.plan
    lines: list[str] = []
    enrollment_steps = [s for s in plan.steps if s.key.startswith("enrollments:")]
    recipient_steps = [s for s in plan.steps if s.key.startswith("recipients:")]
    for step in plan.steps:
        if step in enrollment_steps or step in recipient_steps:
            continue
        known = "1" if step.pagination == "none" else "?"
        if step.estimated_records is not None:
            known = f"{step.estimated_records:,}"
        lines.append(f"  {step.label:<28} {known:>10} records  {step.estimated_requests:>6,} requests")
    for label, group in (("enrollments", enrollment_steps), ("recipients", recipient_steps)):
        if not group:
            continue
        records = [s.estimated_records for s in group]
        known = "?" if any(r is None for r in records) else f"{sum(r or 0 for r in records):,}"
        cost = sum(s.estimated_requests for s in group)
        lists = f"{len(group):,} list{'' if len(group) == 1 else 's'}"
        lines.append(f"  {label + f' ({lists})':<28} {known:>10} records  {cost:>6,} requests")
    ep = plan.enrollments
    if ep is not None:
        lines.append(f"  enrollment plan: {ep.reason}")
    lines.extend(f"  note: {terminal_text(note)}" for note in plan.notes)
    sys.stdout.write("\n".join(lines) + "\n")


@app.command("sync")
def sync_command(
    full: Annotated[
        bool, typer.Option("--full", help="Also refetch campaigns and tests that were finished when last stored.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and its cost against today's budget; call nothing.")
    ] = False,
    fmt: Annotated[SyncFormat, typer.Option("--format", help="text (a summary line) or json (one object).")] = (
        SyncFormat.text
    ),
    wait: Annotated[
        bool, typer.Option("--wait", help="If another sync is running on this store, wait for it (bounded).")
    ] = False,
    wait_timeout: Annotated[
        float, typer.Option("--wait-timeout", help="Seconds --wait waits at most.", min=0)
    ] = 1800.0,
    every_account: Annotated[
        bool, typer.Option("--all", help="Sync every [accounts.NAME] at once; one line per account.")
    ] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Accounts synced at once with --all.", min=1)] = 32,
) -> None:
    """Refresh the local store from KnowBe4: all changes are committed at once, or none.

    Fetches the account, users, training campaigns and the module catalogue, the enrollments of the
    campaigns your trainings select (or of the people not yet compliant, when that is cheaper), and
    phishing data; finished campaigns already stored are skipped unless --full.

    \b
    Example:
        trainproof sync --dry-run
        trainproof sync --format json
        trainproof sync --all
    """
    if every_account:
        from trainproof.cli.sync_all import sync_all

        sync_all(full=full, as_json=fmt is SyncFormat.json, dry_run=dry_run, concurrency=concurrency)
        return
    from trainproof.cli._progress import Bars, on_terminal
    from trainproof.judging import keep_after_sync
    from trainproof.sync import run_sync

    config = settings()
    with Bars(enabled=on_terminal() and not dry_run and fmt is SyncFormat.text) as bars:
        report = run_sync(config, full=full, dry_run=dry_run, progress=bars, wait_s=wait_timeout if wait else 0)
        bars.step("judging compliance", 0, 1)
        kept, problem = (0, None) if dry_run else keep_after_sync(config)[1:]
        bars.step("judging compliance", 1, 1)
    if fmt is SyncFormat.json:
        sys.stdout.write(to_json({**report.as_dict(), "kept_sticky": kept}) + "\n")
        return
    if dry_run:
        _print_plan(report)
    else:
        print_warnings([*report.warnings, *([problem] if problem else [])])
        if kept:
            sys.stderr.write(f"kept {kept} newly earned compliance record(s) (sticky)\n")
    sys.stdout.write(report.summary() + "\n")


def print_warnings(warnings: list[str]) -> None:
    """Data problems a sync met (skipped records, future dates, ...) as `warning:` lines on stderr."""
    for warning in warnings:
        sys.stderr.write(f"warning: {terminal_text(warning)}\n")
