"""`trainproof status` on a terminal and as CSV: the summary of `trainproof.summary`, laid out, nothing computed.

The table is made for 80 columns and a screen of 40 lines: the trainings are columns (four to a
block, the states rows), so a training key of any length costs no width; KnowBe4's department names
are cut to fit and shown as the text they are (`trainproof.text`).
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta
from typing import Any

from trainproof.compliance.decision import STATES
from trainproof.summary import Summary, TrainingSummary
from trainproof.text import shorten, terminal_text

__all__ = ["CSV_COLUMNS", "summary_lines", "summary_rows"]

WIDTH = 80
LABEL = 18  # the row labels' column
COLUMN = 15  # each training's column
PER_BLOCK = (WIDTH - LABEL) // COLUMN  # trainings side by side
DEPARTMENT = 30

_ROWS: tuple[tuple[str, str], ...] = (
    ("in scope", "in_scope"),
    ("compliant", "compliant"),
    ("% compliant", "percent"),
    ("incomplete", "incomplete"),
    ("not enrolled", "not_enrolled"),
    ("in new-hire grace", "grace"),
    ("expired", "expired"),
    ("completed late", "late"),
)

CSV_COLUMNS = (
    "kind", "name", "in_scope", *STATES, "percent_compliant", "late", "as_of", "last_sync", "text",
)  # fmt: skip
"""One CSV for the whole summary: a row per training, per department furthest behind, and the next step."""


def summary_lines(summary: Summary) -> list[str]:
    """The summary as lines of at most 80 characters."""
    lines = [_as_of_line(summary), _sync_line(summary)]
    trainings = summary.trainings
    if not trainings:
        lines += ["", "no trainings to summarize"]
    for start in range(0, len(trainings), PER_BLOCK):
        block = trainings[start : start + PER_BLOCK]
        lines.append("")
        lines.append(" " * LABEL + "".join(_right(shorten(t.key, COLUMN - 1), COLUMN) for t in block))
        for label, field in _ROWS:
            lines.append(label.ljust(LABEL) + "".join(_right(_figure(t, field), COLUMN) for t in block))
    if summary.lowest_departments:
        lines += ["", "Lowest completion by department (compliant of all decisions):"]
        for d in summary.lowest_departments:
            name = "(no department)" if d.department is None else terminal_text(d.department)
            share = f"{d.percent_compliant:.1f}%"
            lines.append(f"  {shorten(name, DEPARTMENT):<{DEPARTMENT}} {share:>6}  {d.compliant:,} of {d.decisions:,}")
    lines.append("")
    lines += textwrap.wrap(f"Next: {terminal_text(summary.next_step)}", WIDTH, subsequent_indent="  ")
    if summary.next_command:
        lines += textwrap.wrap(summary.next_command, WIDTH, initial_indent="  ", subsequent_indent="    ")
    return lines


def summary_rows(summary: Summary) -> list[dict[str, Any]]:
    """The summary as CSV rows (`CSV_COLUMNS`): the same data as `Summary.to_dict`, flat."""
    when = {"as_of": summary.as_of, "last_sync": summary.synced_at}
    rows: list[dict[str, Any]] = [
        {"kind": "training", "name": t.key, "text": t.title, **t.to_dict(), **when} for t in summary.trainings
    ]
    rows.extend(
        {
            "kind": "lowest_department",
            "name": d.department,
            "in_scope": d.decisions,
            "compliant": d.compliant,
            "percent_compliant": round(d.percent_compliant, 1),
            **when,
        }
        for d in summary.lowest_departments
    )
    step = summary.next_step + (f": {summary.next_command}" if summary.next_command else "")
    rows.append({"kind": "next_step", "text": step, **when})
    return rows


def _figure(t: TrainingSummary, field: str) -> str:
    if field == "percent":
        share = t.percent_compliant
        return "-" if share is None else f"{share:.1f}%"
    value: int = getattr(t, field)
    return f"{value:,}"


def _right(text: str, width: int) -> str:
    return text.rjust(width)


def _as_of_line(summary: Summary) -> str:
    when = _minute(summary.as_of)
    return f"Compliance as of {when}" + (" (a past date)" if summary.point_in_time else " (now)")


def _sync_line(summary: Summary) -> str:
    age = summary.sync_age
    if summary.synced_at is None or age is None:
        return "No successful sync yet: the store holds no KnowBe4 data to judge."
    return f"Last successful sync {_minute(summary.synced_at)}, {_ago(age)}"


def _minute(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _ago(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"
