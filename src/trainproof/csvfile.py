"""The one CSV writer: command output (--format csv), the KnowBe4 user import and the evidence pack.

KnowBe4 text is data, but Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ as a
formula, and skip a leading tab or carriage return before one (CSV injection). OWASP's rule: such a text
cell gets a leading apostrophe, which every spreadsheet shows as the text it is and does not run.

Numbers trainproof computes itself (days overdue, rates, counts: Python int and float) are written as
numbers, so `-5` stays `-5`: a value typed as a number holds only digits, a sign and a point, never a
formula, and nothing KnowBe4 sends as text is ever turned into one. Text that looks like a number
(an id or a department named "-5") is text and is prefixed like any other.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain

from trainproof.text import as_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""OWASP's list of cell starts a spreadsheet reads as a formula."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def neutral(text: str) -> str:
    """`text` as a spreadsheet shows it without running it: an apostrophe before a formula start.

    >>> neutral("=HYPERLINK(\\"http://x\\")"), neutral("Sales")
    ('\\'=HYPERLINK("http://x")', 'Sales')
    """
    if _SURROGATE.search(text):  # a lone surrogate cannot be written as UTF-8 at all
        text = _SURROGATE.sub("\ufffd", text)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value: object) -> str:
    """One cell: numbers as they are, everything else as text (see `as_text`) made neutral."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return neutral(as_text(value))


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]], *, line_end: str = "\r\n") -> str:
    """RFC 4180 CSV (CRLF by default): a header of `columns`, then each row's values for them ('' if absent)."""
    return "".join(csv_lines(columns, rows, line_end=line_end))


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, object]], *, line_end: str = "\r\n") -> Iterator[str]:
    """`csv_text` one record at a time (the header first), for output that streams as rows are produced."""
    buf = io.StringIO()
    minimal = csv.writer(buf, lineterminator=line_end)
    # Python's writer quotes a carriage return only when it is part of the line end; a lone CR left bare
    # ends the row for every reader, so a row holding one is written fully quoted.
    quoted = csv.writer(buf, lineterminator=line_end, quoting=csv.QUOTE_ALL)
    header = [neutral(c) for c in columns]
    for cells in chain((header,), ([csv_cell(row.get(c)) for c in columns] for row in rows)):
        (quoted if "\r" not in line_end and any("\r" in c for c in cells) else minimal).writerow(cells)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
