"""The one renderer: rows of dicts to a table, JSON or CSV on stdout.

Data goes to stdout, progress and diagnostics to stderr, so `trainproof ... --format json | jq` works.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(value: object) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, indent=2)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, default=_default, ensure_ascii=False)
    return str(value)


def columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every key in first-seen order, so no field a record carries is dropped."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def render(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    footer: Iterable[Sequence[object]] = (),
) -> None:
    """Write rows to stdout in the chosen format."""
    if fmt == "json":
        sys.stdout.write(to_json(list(rows)) + "\n")
        return
    cols = list(columns) if columns is not None else columns_of(rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in cols])
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for col in cols:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in cols])
    foot = list(footer)
    if foot:
        table.add_section()
        for line in foot:
            table.add_row(*[_cell(v) for v in line])
    Console(soft_wrap=False, width=max(120, Console().width)).print(table)


def progress_console() -> Console:
    """A console on stderr; progress bars only show when stderr is a terminal."""
    return Console(stderr=True)
