"""Reports: each `trainproof report` as a page, each row as the CLI's `--format json` gives it.

The reports are the functions `trainproof report` and the MCP tools call (trainproof.reports); reminders
are shown as the dry run `report reminders` prints (sending stays a CLI or cron action).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response

from trainproof.console.rendering import respond
from trainproof.console.state import ConsoleState, state_of
from trainproof.errors import ConfigError

__all__ = ["REPORTS", "report", "reports"]


def _campaigns(st: ConsoleState, request: Request) -> Sequence[Any]:
    from trainproof.reports import report_campaigns

    return report_campaigns(st.engine, status=request.query_params.get("status") or None)


def _departments(st: ConsoleState, request: Request) -> Sequence[Any]:
    from trainproof.reports import report_departments
    from trainproof.reports.departments import GROUPINGS

    by = request.query_params.get("by") or "department"
    if by not in GROUPINGS:
        raise ConfigError(f"cannot group by '{by[:40]}'", f"use one of {', '.join(GROUPINGS)}")
    training = request.query_params.get("training") or None
    return report_departments(st.engine, st.settings, training=training, by=by)  # type: ignore[arg-type]


def _overdue(st: ConsoleState, request: Request) -> Sequence[Any]:
    from trainproof.reports import report_overdue

    return report_overdue(st.engine, st.settings, training=request.query_params.get("training") or None)


def _new_hires(st: ConsoleState, request: Request) -> Sequence[Any]:
    from trainproof.reports import report_new_hires

    return report_new_hires(st.engine, st.settings)


def _reminders(st: ConsoleState, request: Request) -> Sequence[Any]:
    from trainproof.reports.reminders import ReminderTemplate, parse_thresholds, send_reminders

    settings = st.settings
    chosen = parse_thresholds(settings.table("reminders").get("thresholds"))
    template = ReminderTemplate.load(None, settings)
    return send_reminders(st.engine, None, template, thresholds=chosen, dry_run=True).rows


REPORTS: dict[str, tuple[str, str, Callable[[ConsoleState, Request], Sequence[Any]]]] = {
    "campaigns": ("Training campaigns", "completion, counts per status, days to the deadline, flags", _campaigns),
    "departments": (
        "Completion by department",
        "per training, lowest rate first",
        _departments,
    ),
    "overdue": ("Overdue, by manager", "people past due or not compliant: the escalation list", _overdue),
    "reminders": ("Reminders due", "the dry run of `report reminders`: sending stays a CLI or cron action", _reminders),
    "new-hires": ("New hires", "started in the last 30 days and not enrolled in an onboarding campaign", _new_hires),
}


def reports(request: Request) -> Response:
    listed = [{"report": name, "title": title, "about": about} for name, (title, about, _) in REPORTS.items()]
    return respond(request, "reports.html", {"title": "Reports", "reports": listed}, listed)


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        items = cast("Sequence[object]", value)
        return "; ".join(_cell(v) for v in items)
    return "" if value is None else str(value)


def report(request: Request) -> Response:
    """One report; its JSON twin is the report's `--format json` (`trainproof report overdue --format json`, ...)."""
    name = str(request.path_params["name"]).removesuffix(".json")
    found = REPORTS.get(name)
    if found is None:
        raise ConfigError(f"no report '{name[:40]}'", f"use one of {', '.join(REPORTS)}")
    title, about, make = found
    rows = [r.row() for r in make(state_of(request), request)]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    table = [[_cell(r.get(c)) for c in columns] for r in rows]
    context = {"title": title, "about": about, "columns": columns, "table": table}
    return respond(request, "report.html", context, rows)
