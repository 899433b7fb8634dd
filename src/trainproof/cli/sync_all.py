"""`trainproof sync --all`: every configured account at once, one line each, non-zero exit if any failed."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from trainproof.cli._app import account_option, all_accounts
from trainproof.cli._output import to_json
from trainproof.errors import ConfigError, TrainproofError
from trainproof.text import terminal_text

if TYPE_CHECKING:
    from trainproof.config import Settings


class AccountsFailed(TrainproofError):
    """Some accounts did not sync (the others did): each is named on its own line above."""


def sync_all(*, full: bool, as_json: bool, dry_run: bool, concurrency: int) -> None:
    """Sync every account concurrently (trainproof.sync.many) and print what each did."""
    if account_option() is not None:
        raise ConfigError("--all syncs every account; --account names one", "give one or the other")
    accounts = all_accounts()
    settings = [account.settings for account in accounts]
    if dry_run:
        _dry_runs(settings, full=full, as_json=as_json)
        return

    from trainproof.sync.many import sync_accounts

    report = sync_accounts(settings, full=full, concurrency=concurrency)
    if as_json:
        sys.stdout.write(to_json(report.as_dict()) + "\n")
    else:
        for outcome in report.outcomes:
            for warning in outcome.warnings:
                sys.stderr.write(f"warning: {terminal_text(outcome.account)}: {terminal_text(warning)}\n")
            if outcome.kept:
                sys.stderr.write(f"{outcome.account}: kept {outcome.kept} newly earned compliance record(s) (sticky)\n")
            sys.stdout.write(outcome.line() + "\n")
        sys.stdout.write(report.summary() + "\n")
    failed = report.failed
    if failed:
        names = ", ".join(o.account for o in failed)
        raise AccountsFailed(
            f"{len(failed)} of {len(report.outcomes)} accounts failed to sync ({names})",
            "each line names why; the other accounts are stored: fix these and run `trainproof --account NAME sync`",
        )


def _dry_runs(settings: list[Settings], *, full: bool, as_json: bool) -> None:
    """Each account's plan and cost from the store alone (no request is sent)."""
    from trainproof.sync import run_sync

    plans: list[dict[str, object]] = []
    for one in settings:
        report = run_sync(one, full=full, dry_run=True)
        if as_json:
            plans.append({"account": one.account, **report.as_dict()})
        else:
            sys.stdout.write(terminal_text(f"{one.account}: {report.summary()}") + "\n")
    if as_json:
        sys.stdout.write(to_json({"accounts": plans}) + "\n")
