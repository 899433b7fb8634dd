"""`trainproof sync --all` and `nightly --all`: every configured account at once, one line each, non-zero
exit if any failed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trainproof.cli._app import account_option, all_accounts
from trainproof.cli._output import to_json
from trainproof.errors import ConfigError, TrainproofError
from trainproof.text import terminal_text

if TYPE_CHECKING:
    from trainproof.config import Settings
    from trainproof.sync.many import ManyReport
    from trainproof.sync.report import SyncReport


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
        _print(report, {})
    _raise_for(report)


def nightly_all(out: Path) -> None:
    """`trainproof nightly` for every account at once: sync, keep, and new certificates in OUT/NAME."""
    if account_option() is not None:
        raise ConfigError("--all runs every account; --account names one", "give one or the other")
    from trainproof.cli.evidence import Problems, write_earned_certificates
    from trainproof.judging import keep_after_sync
    from trainproof.sync.many import sync_accounts

    problems = Problems()
    notes: dict[str, str] = {}

    async def keep_and_certify(settings: Settings, report: SyncReport) -> tuple[int, str | None]:
        judged, kept, problem = keep_after_sync(settings, actor="trainproof nightly")
        if judged is None:
            notes[settings.account] = "nightly: no certificates" + ("" if problem else " (no [trainings.*] to judge)")
            return kept, problem
        folder = out / settings.account
        paths = write_earned_certificates(judged, folder, only_new=True, problems=problems)
        totals = judged.evaluation.totals()
        parts = ", ".join(f"{key} {t['compliant']}/{t['total']}" for key, t in totals.items())
        notes[settings.account] = f"nightly: {parts} compliant; {len(paths)} new certificate(s) in {folder}"
        return kept, problem

    report = sync_accounts([a.settings for a in all_accounts()], after=keep_and_certify)
    _print(report, notes)
    _raise_for(report)
    problems.raise_for("the other certificates were written")


def _print(report: ManyReport, notes: dict[str, str]) -> None:
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            sys.stderr.write(f"warning: {terminal_text(outcome.account)}: {terminal_text(warning)}\n")
        if outcome.kept:
            sys.stderr.write(f"{outcome.account}: kept {outcome.kept} newly earned compliance record(s) (sticky)\n")
        sys.stdout.write(outcome.line() + "\n")
        if outcome.account in notes:
            sys.stdout.write(terminal_text(f"{outcome.account}: {notes[outcome.account]}") + "\n")
    sys.stdout.write(report.summary() + "\n")


def _raise_for(report: ManyReport) -> None:
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
