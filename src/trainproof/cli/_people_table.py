"""`trainproof people` as a table: the rows of one slice, how many more match, the command for the next page.

KnowBe4's names, emails and departments are shown as the text they are (`trainproof.text.cell`).
On a terminal a table taller than the screen goes through $PAGER (Rich's pager, which asks pydoc,
which reads $PAGER); piped or redirected output is written as is.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from trainproof.cli.people import COLUMNS
from trainproof.compliance.decision import Decision
from trainproof.people import PeopleList, outstanding
from trainproof.text import cell

__all__ = ["show_table"]


_GAP = 3  # between columns: two spaces of padding and the table's column divider

# Column -> (least width, most width; None: takes the width left over).
_WIDTHS: dict[str, tuple[int, int | None]] = {
    "name": (12, 24),
    "training": (8, 20),
    "state": (12, 12),
    "since": (10, 10),
    "outstanding": (11, None),
    "email": (14, 34),
    "department": (10, 20),
    "late": (4, 4),
    "sticky": (6, 6),
    "manager": (14, 34),
}


def _value(d: Decision, column: str) -> object:
    if column == "since":
        return d.compliant_since.date().isoformat() if d.compliant_since else ""
    if column == "outstanding":
        return outstanding(d)
    if column == "manager":
        return d.manager_email
    if column in ("late", "sticky"):
        return column if getattr(d, column) else ""
    return getattr(d, column)


def show_table(listing: PeopleList, *, columns: Sequence[str] | None, wide: bool) -> None:
    """The slice as a table; `columns` None shows every column (`--wide`)."""
    shown = list(COLUMNS if columns is None else columns)
    rows = list(listing.rows)
    cells = [[cell(_value(d, c)) for c in shown] for d in rows]
    natural = [max([len(c), *(len(r[k].plain) for r in cells)]) for k, c in enumerate(shown)]
    terminal = shutil.get_terminal_size()
    widths = natural if wide else _fit(shown, natural, terminal.columns)
    console = Console(width=sum(widths) + _GAP * len(widths), soft_wrap=False)
    when = listing.as_of.strftime("%Y-%m-%d %H:%M UTC")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 2, 0, 0))
    for name, width in zip(shown, widths, strict=True):
        table.add_column(name, width=width, no_wrap=True, overflow="ellipsis")
    for row in cells:
        table.add_row(*row)
    first = listing.offset + 1
    if listing.shown:
        note = f"rows {first:,}-{listing.offset + listing.shown:,} of {listing.matched:,} as of {when}"
    else:
        note = f"no rows (of {listing.matched:,} matching) as of {when}"
    if listing.more:
        following = listing.offset + listing.shown
        note += f"; {listing.more:,} more: --offset {following} for the next page, --limit N for more"
    if not wide and len(shown) < len(COLUMNS):
        note += "; --wide for every column"
    lines = [note] if wide else textwrap.wrap(note, terminal.columns)
    if sys.stdout.isatty() and len(rows) + len(lines) + 2 > terminal.lines:
        with console.pager(styles=False):
            console.print(table)
            console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
        return
    console.print(table)
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def _fit(columns: Sequence[str], natural: Sequence[int], width: int) -> list[int]:
    """Each column's width so that the table fits `width`: the long texts give way first, down to their least."""
    widths = [min(n, _WIDTHS[c][1] or n) for c, n in zip(columns, natural, strict=True)]
    room = width - _GAP * len(columns)
    for k in sorted(range(len(columns)), key=lambda k: _GIVE_WAY.index(columns[k])):
        over = sum(widths) - room
        if over <= 0:
            break
        widths[k] = max(widths[k] - over, min(_WIDTHS[columns[k]][0], natural[k]))
    if sum(widths) < room and "outstanding" in columns:  # what is outstanding takes the room left
        k = columns.index("outstanding")
        widths[k] = min(natural[k], widths[k] + room - sum(widths))
    return widths


_GIVE_WAY = ("outstanding", "manager", "email", "department", "name", "training", "state", "since", "late", "sticky")
