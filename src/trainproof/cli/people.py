"""`trainproof people`: the person x training decisions, filtered, sorted and sliced by `trainproof.people`.

A table shows the first 50 rows (sized to the terminal, `--wide` for every column) and says how many
more there are; on a terminal a table longer than the screen goes through $PAGER. `--format
json|jsonl|csv` writes every matching row (or `--limit` of them) as each chunk is explained, so a
pipe sees the first rows at once and memory stays flat.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from trainproof.cli._app import app, settings

TABLE_ROWS = 50  # rows a table shows unless --limit says otherwise

# Table columns, most telling first: a narrow terminal keeps the first ones.
COLUMNS = ("name", "training", "state", "since", "outstanding", "email", "department", "late", "sticky", "manager")
_NARROW = {80: 5, 100: 6, 120: 7, 140: 8}  # terminal width -> columns shown without --wide


class PeopleFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


Text = str | None
TrainingOpt = Annotated[
    list[str] | None, typer.Option("--training", metavar="KEY", help="Only this training key (repeatable).")
]
StateOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--state",
        metavar="STATE",
        help="Only this state (repeatable): compliant, incomplete, not_enrolled, grace, expired.",
    ),
]
DepartmentOpt = Annotated[Text, typer.Option("--department", metavar="NAME", help="Only this department (any case).")]
ManagerOpt = Annotated[
    Text, typer.Option("--manager", metavar="EMAIL|NAME", help="Only people whose manager has this email or name.")
]
GroupOpt = Annotated[
    Text, typer.Option("--group", metavar="NAME|ID", help="Only members of this KnowBe4 group (name or id).")
]
SearchOpt = Annotated[
    Text, typer.Option("--search", metavar="TEXT", help="Text in a name, email, KnowBe4 alias or employee number.")
]
LateOpt = Annotated[bool, typer.Option("--late", help="Only decisions with a campaign completed late.")]
AsOfOpt = Annotated[
    Text,
    typer.Option(
        "--as-of", metavar="DATE", help="Answer as of this date (YYYY-MM-DD, end of day UTC) or ISO datetime."
    ),
]
SortOpt = Annotated[
    str,
    typer.Option(
        "--sort", metavar="FIELD", help="name, email, department, manager, training, state or since; -FIELD reverses."
    ),
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", metavar="N", help=f"At most N rows (a table shows {TABLE_ROWS} unless told).")
]
OffsetOpt = Annotated[int, typer.Option("--offset", metavar="N", help="Skip the first N matching rows.")]
WideOpt = Annotated[bool, typer.Option("--wide", help="Table: every column, whatever the terminal's width.")]
FormatOpt = Annotated[PeopleFormat, typer.Option("--format", help="table, json, jsonl or csv.")]


@app.command("people")
def people_command(
    training: TrainingOpt = None,
    state: StateOpt = None,
    department: DepartmentOpt = None,
    manager: ManagerOpt = None,
    group: GroupOpt = None,
    search: SearchOpt = None,
    late: LateOpt = False,
    as_of: AsOfOpt = None,
    sort: SortOpt = "name",
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    wide: WideOpt = False,
    fmt: FormatOpt = PeopleFormat.table,
) -> None:
    """One row per person and training: the state, since when, late, sticky, and what is outstanding."""
    from trainproof import clock
    from trainproof.cli._store import opened_store
    from trainproof.people import PeopleQuery, list_people

    query = PeopleQuery(
        trainings=tuple(training or ()),
        states=frozenset(state or ()),
        department=department,
        manager=manager,
        group=group,
        search=search,
        late=late,
        sort=sort,
        limit=TABLE_ROWS if limit is None and fmt is PeopleFormat.table else limit,
        offset=offset,
        as_of=clock.parse_instant(as_of) if as_of else None,
    )
    query.check()
    cfg = settings()
    with opened_store() as engine, engine.connect() as conn:
        listing = list_people(conn, cfg, query)
    if fmt is PeopleFormat.table:
        from trainproof.cli._people_table import show_table

        show_table(listing, columns=None if wide else _fitting(), wide=wide)
        return
    from trainproof.cli import _stream
    from trainproof.people import CSV_COLUMNS, as_csv_rows, as_rows

    if fmt is PeopleFormat.csv:
        _stream.write_csv(CSV_COLUMNS, as_csv_rows(listing.rows))
    elif fmt is PeopleFormat.jsonl:
        _stream.write_json_lines(as_rows(listing.rows))
    else:
        _stream.write_json_array(as_rows(listing.rows))


def _fitting() -> tuple[str, ...]:
    """The columns that fit the terminal's width (COLUMNS, else the terminal's, else 80)."""
    import shutil

    width = shutil.get_terminal_size().columns
    shown = max((n for w, n in _NARROW.items() if width >= w), default=4)
    return COLUMNS[:shown]
