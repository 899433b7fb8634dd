"""The one renderer: rows of dicts to a table, JSON or CSV on stdout.

Data goes to stdout, progress and diagnostics to stderr, so `trainproof ... --format json | jq` works.
Values from KnowBe4 are untrusted text: a table shows each as the text it is (`trainproof.text.cell`),
CSV goes through the one CSV writer (`trainproof.csvfile`), and JSON escapes every character a terminal
would act on (it stays the same data to a JSON reader).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from itertools import chain
from typing import TYPE_CHECKING, Any

from trainproof.csvfile import csv_text
from trainproof.text import cell

if TYPE_CHECKING:  # rich loads when a table or a progress bar is drawn, not when the CLI starts
    from rich.console import Console


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# JSON already escapes C0 controls; DEL, C1 controls, lone surrogates, line separators and bidi overrides
# are written as \uXXXX too, the same string to any JSON reader and nothing a terminal acts on.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def to_json(value: object) -> str:
    """Indented JSON. orjson writes the same text as `json.dumps(indent=2)` many times faster (the Python
    encoder indents in Python: a 100,000-row report took seconds); what orjson writes differently or
    refuses (a lone surrogate, a float it spells another way, a huge integer) goes through `json`."""
    text = _orjson_text(value) if _orjson_safe(value) else None
    if text is None:
        text = json.dumps(value, default=_default, ensure_ascii=False, indent=2)
    if text.isascii() and "\x7f" not in text:
        return text  # nothing to escape (DEL is the only ASCII character of _JSON_UNSAFE)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _orjson_text(value: object) -> str | None:
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    try:
        return orjson.dumps(value, default=_default, option=options).decode()
    except (orjson.JSONEncodeError, TypeError):
        return None


def _orjson_safe(value: object) -> bool:
    """No float that orjson spells differently from Python (1e-05, nan, inf), no key that is not a str, and
    nothing but plain JSON values and datetimes. Walked a level at a time with C-speed iteration: a
    per-value Python loop cost more than the encoding itself at 100,000 rows."""
    items: list[Any] = [value]
    while items:
        kinds = set(map(type, items))
        if not kinds <= _KINDS:
            return False
        nested: list[Any] = []
        if dict in kinds:
            mappings: list[dict[Any, Any]] = [item for item in items if type(item) is dict]
            if set(map(type, chain.from_iterable(mappings))) - {str}:
                return False
            nested.extend(chain.from_iterable(m.values() for m in mappings))
        if list in kinds or tuple in kinds:
            sequences: list[Sequence[Any]] = [item for item in items if type(item) is list or type(item) is tuple]
            nested.extend(chain.from_iterable(sequences))
        if float in kinds and not all(x == 0.0 or 1e-4 <= abs(x) < 1e16 for x in items if type(x) is float):
            return False  # also nan and inf
        items = nested
    return True


_KINDS = frozenset({str, int, bool, type(None), datetime, date, float, dict, list, tuple})


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
        sys.stdout.write(csv_text(cols, rows, line_end="\n"))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=cell(title) if title else None, show_lines=False)
    for col in cols:
        table.add_column(cell(col), overflow="fold")
    for row in rows:
        table.add_row(*[cell(row.get(c)) for c in cols])
    foot = list(footer)
    if foot:
        table.add_section()
        for line in foot:
            table.add_row(*[cell(v) for v in line])
    Console(soft_wrap=False, width=max(120, Console().width)).print(table)


def progress_console() -> Console:
    """A console on stderr; progress bars only show when stderr is a terminal."""
    from rich.console import Console

    return Console(stderr=True)
