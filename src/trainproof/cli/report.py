"""`trainproof report ...`: KnowBe4's weekly and quarterly training workflows, answered from the local store.

Each command calls one `trainproof.reports.report_*` function (the MCP tools call the same ones) and
prints through the one renderer. No command calls the KnowBe4 API: run `trainproof sync` first.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainproof import clock
from trainproof.cli._app import app, settings
from trainproof.cli._output import Format, render, to_json
from trainproof.cli._store import opened_store
from trainproof.files import write_private
from trainproof.text import terminal_text

if TYPE_CHECKING:  # the store (and SQLAlchemy) and the reports load when a command runs, not for --help
    from trainproof.reports._common import ReportRow

__all__ = ["report_app"]

report_app = typer.Typer(
    name="report",
    help=(
        "KnowBe4's training campaign workflows as reports over the local store (no API call): campaigns, departments, "
        "overdue, reminders, remediation, new-hires, quarterly, accounts (across customers), and a self-contained "
        "HTML report."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(report_app, name="report")

FormatOpt = Annotated[Format, typer.Option("--format", help="table, json or csv.")]
TrainingOpt = Annotated[
    str | None, typer.Option("--training", help="One training key from [trainings.*] (default: all).")
]


def _flat(row: Mapping[str, Any], *, dates: bool = False) -> dict[str, Any]:
    """Lists read better as '; '-joined text in a table or a CSV cell; a table shows datetimes as dates."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        items: object = value
        if dates and isinstance(items, datetime):
            out[key] = items.date()
        elif isinstance(items, list):
            out[key] = "; ".join(str(x) for x in items)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        else:
            out[key] = value
    return out


_LABELS = {
    "campaign_id": "id",
    "days_to_deadline": "days left",
    "enrolled_users": "enrolled",
    "completion_rate": "rate %",
    "elapsed_percent": "elapsed %",
    "days_since_start": "days",
    "trained_since": "trained",
    "manager_email": "manager",
    "not_enrolled": "not enrolled",
    "percent_compliant": "compliant %",
}


def _show(rows: Sequence[ReportRow], fmt: Format, *, columns: Sequence[str] | None = None, title: str = "") -> None:
    from trainproof.reports._common import as_dicts

    dicts = as_dicts(rows)
    if fmt is Format.json:
        render(dicts, "json")
        return
    flat = [_flat(d, dates=fmt is Format.table) for d in dicts]
    if fmt is Format.table:
        if not flat:
            sys.stderr.write(f"{title or 'report'}: nothing to show\n")
            return
        # Short headers leave the width to the values (the JSON and CSV keep the field names).
        cols = list(columns) if columns is not None else list(flat[0])
        short = [_LABELS.get(c, c.replace("_", " ")) for c in cols]
        table = [{label: row.get(col) for col, label in zip(cols, short, strict=True)} for row in flat]
        render(table, "table", columns=short, title=title or None)
    else:
        render(flat, "csv")


def _date(text: str | None) -> datetime | None:
    return clock.parse_instant(text, end_of_day=False) if text else None


@report_app.command("campaigns")
def campaigns_command(
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only campaigns in this status: active, closed... or an API status."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Each training campaign: enrollment and completion rates, counts per status, days to the deadline,
    and the data considerations KnowBe4 documents flagged.

    \b
    Examples:
      trainproof report campaigns --status active
      trainproof report campaigns --format csv > campaigns.csv
    """
    from trainproof.reports import report_campaigns

    with opened_store() as engine:
        rows = report_campaigns(engine, status=status)
    cols = [
        "campaign_id",
        "name",
        "state",
        "deadline",
        "days_to_deadline",
        "enrolled_users",
        "completed",
        "past_due",
        "completion_rate",
        "flags",
    ]
    _show(rows, fmt, columns=cols, title="Training campaigns")


@report_app.command("departments")
def departments_command(
    training: TrainingOpt = None,
    by: Annotated[
        str, typer.Option("--by", help="Group people by department, manager, division or location.")
    ] = "department",
    fmt: FormatOpt = Format.table,
) -> None:
    """Completion rate per department (or manager, division, location) for each training, lowest first.

    People in their new-hire grace period are counted but left out of the rate.
    """
    from trainproof.reports import report_departments
    from trainproof.reports.departments import GROUPINGS

    if by not in GROUPINGS:
        raise typer.BadParameter(f"use one of {', '.join(GROUPINGS)}", param_hint="--by")
    with opened_store() as engine:
        rows = report_departments(engine, settings(), training=training, by=by)  # type: ignore[arg-type]
    cols = [
        "training",
        "group",
        "people",
        "compliant",
        "incomplete",
        "not_enrolled",
        "expired",
        "grace",
        "completion_rate",
    ]
    _show(rows, fmt, columns=cols, title=f"Completion by {by}")


@report_app.command("overdue")
def overdue_command(training: TrainingOpt = None, fmt: FormatOpt = Format.table) -> None:
    """People past due or not compliant, grouped by manager, with days overdue: the escalation list."""
    from trainproof.reports import report_overdue

    with opened_store() as engine:
        rows = report_overdue(engine, settings(), training=training)
    cols = ["manager", "name", "email", "training", "state", "outstanding", "deadline", "days_overdue"]
    _show(rows, fmt, columns=cols, title="Overdue, by manager")


@report_app.command("reminders")
def reminders_command(
    thresholds: Annotated[
        str | None,
        typer.Option("--thresholds", help="Percent of the deadline elapsed (default [reminders] thresholds or 50,75)."),
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="Email the reminders that are due (default: dry run).")] = False,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template", help="Reminder template file (default [reminders] template, else built in).", dir_okay=False
        ),
    ] = None,
    show_template: Annotated[
        bool, typer.Option("--show-template", help="Print the built-in template and its placeholders, then exit.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Enrollments Not Started or In Progress that passed 50% / 75% of their time to the deadline.

    Works for Specific End Date and Relative End Date campaigns. Dry run by default; --send emails each
    person once per campaign and threshold through [smtp] (password in TRAINPROOF_SMTP_PASSWORD) and
    records it in the store, so running it again sends nothing twice.

    \b
    trainproof.toml:
      [smtp]
      host = "smtp.example.com"
      port = 587
      from = "security@example.com"
      starttls = true
      username = "security@example.com"
      [reminders]
      thresholds = [50, 75]
      template = "reminder.txt"     # start from: trainproof report reminders --show-template
    """
    from trainproof.reports.reminders import (
        DEFAULT_TEMPLATE,
        PLACEHOLDERS,
        ReminderTemplate,
        parse_thresholds,
        send_reminders,
    )

    if show_template:
        sys.stdout.write(DEFAULT_TEMPLATE)
        sys.stderr.write("placeholders:\n" + "".join(f"  ${k:<14} {v}\n" for k, v in PLACEHOLDERS.items()))
        return
    cfg = settings()
    configured: Any = cfg.table("reminders").get("thresholds")
    chosen = parse_thresholds(thresholds if thresholds is not None else configured)
    tpl = ReminderTemplate.load(template, cfg)
    smtp = None
    if send:
        from trainproof.reports._mail import SmtpSettings

        smtp = SmtpSettings.from_settings(cfg)
    with opened_store() as engine:
        result = send_reminders(engine, smtp, tpl, thresholds=chosen, dry_run=not send)
    cols = ["email", "campaign", "module", "status", "deadline", "elapsed_percent", "days_left", "threshold", "action"]
    _show(result.rows, fmt, columns=cols, title="Reminders")
    due = sum(1 for r in result.rows if r.action == "due")
    if result.dry_run:
        sys.stderr.write(
            f"{result.messages} message(s) due for {due} enrollment(s); dry run: add --send to email them\n"
        )
    else:
        sys.stderr.write(f"sent {result.messages} message(s)\n")


@report_app.command("remediation")
def remediation_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Only failures on or after this date (YYYY-MM-DD).")
    ] = None,
    untrained: Annotated[
        bool, typer.Option("--untrained", help="Only people with no training completed since.")
    ] = False,
    import_csv: Annotated[
        Path | None,
        typer.Option("--import-csv", help="Also write a KnowBe4 CSV user import (Email, Group) here.", dir_okay=False),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Phishing failures (clicked, entered data, opened an attachment, enabled macros, scanned a QR code),
    whether training was completed since, a matched module from your store purchases, a one-week deadline.

    --import-csv writes the people still to train, each in a group named after their suggested module,
    for Users > Import Users > CSV Import; then target a training campaign at each group. Check your
    console's example CSV first: the import overwrites the columns it carries.
    """
    from trainproof.reports import report_remediation
    from trainproof.reports.remediation import import_csv as to_csv

    with opened_store() as engine:
        rows = report_remediation(engine, settings(), since=_date(since), untrained_only=untrained)
    cols = ["email", "test", "failures", "failed_at", "trained_since", "suggested_module", "deadline"]
    _show(rows, fmt, columns=cols, title="Phishing remediation")
    if import_csv is not None:
        text = to_csv(rows)
        write_private(import_csv, text, todo="choose another --import-csv path")
        sys.stderr.write(f"wrote {import_csv} ({text.count(chr(10)) - 1} people)\n")


@report_app.command("new-hires")
def new_hires_command(
    days: Annotated[int, typer.Option("--days", min=0, help="Started within this many days.")] = 30,
    include_enrolled: Annotated[
        bool, typer.Option("--all", help="Also list new hires already enrolled in an onboarding campaign.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """New hires not enrolled in an onboarding campaign ([onboarding] campaigns = [...]), with days since start."""
    from trainproof.reports import report_new_hires

    with opened_store() as engine:
        rows = report_new_hires(engine, settings(), days=days, include_enrolled=include_enrolled)
    cols = ["name", "email", "department", "manager_email", "started", "days_since_start", "enrolled"]
    _show(rows, fmt, columns=cols, title=f"New hires (last {days} days)")


_SECTIONS = ("trend", "campaigns", "departments", "modules")


@report_app.command("quarterly")
def quarterly_command(
    quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. 2026Q3 (default: this quarter).")] = None,
    section: Annotated[
        str | None,
        typer.Option(
            "--section", help="table/csv: only trend, campaigns, departments or modules (csv default: trend)."
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The quarterly review: active campaigns, overall completion and its trend, lowest departments,
    phish-prone trend, and modules retired or older than two years.
    """
    from trainproof.reports import report_quarterly

    if section is not None and section not in _SECTIONS:
        raise typer.BadParameter(f"use one of {', '.join(_SECTIONS)}", param_hint="--section")
    with opened_store() as engine:
        report = report_quarterly(engine, quarter=quarter)
    if fmt is Format.json:
        sys.stdout.write(to_json(report.model_dump()) + "\n")
        return
    parts: dict[str, tuple[Sequence[ReportRow], str]] = {
        "trend": (report.trend, "Trend by quarter"),
        "campaigns": (report.campaigns, f"Campaigns active in {report.quarter}"),
        "departments": (report.lowest_departments, "Lowest departments"),
        "modules": (report.stale_modules, "Modules retired or older than two years"),
    }
    if fmt is Format.csv:
        rows, _ = parts[section or "trend"]
        _show(rows, fmt)
        return
    if section is None:
        rate = "–" if report.completion_rate is None else f"{report.completion_rate}%"
        sys.stdout.write(
            f"{report.quarter}: {len(report.campaigns)} campaign(s), {report.enrollments} enrollments, "
            f"completion {rate}\n" + "".join(f"  - {terminal_text(f)}\n" for f in report.findings)
        )
    for name in [section] if section else list(_SECTIONS):
        rows, title = parts[name]
        _show(rows, fmt, title=title)


@report_app.command("accounts")
def accounts_command(fmt: FormatOpt = Format.table) -> None:
    """Per account and training: people in scope, % compliant, overdue, last sync; worst first."""
    from trainproof.cli._app import all_accounts
    from trainproof.reports.accounts import report_accounts

    rows = report_accounts(all_accounts())
    cols = ["account", "title", "training", "in_scope", "percent_compliant", "overdue", "last_sync", "problem"]
    _show(rows, fmt, columns=cols, title="Compliance across accounts, worst first")


@report_app.command("html")
def html_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the page.", dir_okay=False)] = Path("report.html"),
) -> None:
    """One self-contained HTML file (works offline, no CDN): compliance per training, completion by
    department, trend, overdue by manager and the campaign table. Print it to PDF from any browser.
    With several [accounts.NAME] and no --account: the page across accounts (report accounts' rows).
    """
    from trainproof.cli._app import account_option, all_accounts
    from trainproof.cli._progress import Bars
    from trainproof.reports.html import build_accounts_html_report, render_html, report_html, write_html

    accounts = all_accounts()
    if len(accounts) > 1 and account_option() is None:
        html = render_html(build_accounts_html_report(accounts))
    else:
        with opened_store() as engine, Bars() as bars:
            html = report_html(engine, settings(), on_step=bars.step)
    path = write_html(out, html)
    sys.stderr.write(f"wrote {path} ({len(html.encode()) // 1024} KB)\n")
