"""Random hostile text through every renderer: the table, CSV and JSON of `render`, and the HTML report.

Hypothesis builds values from any Unicode (controls included), Rich markup, ESC/OSC sequences and
formula starts, up to 100,000 characters. Each renderer must finish without an exception; the table
must leave nothing a terminal acts on, CSV no cell that starts like a formula (and the value kept
behind its apostrophe), JSON the same data, and the HTML page the same tags whatever the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import types
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from typing import Any, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from trainproof.cli._output import render
from trainproof.csvfile import FORMULA_START, neutral
from trainproof.reports.html import HtmlReport, render_html

FRAGMENTS = [
    "[/red]",
    "[bold]",
    "[link=https://evil.example]",
    "[/]",
    ":smile:",
    "\x1b]0;title\x07",
    "\x1b]8;;https://evil.example\x1b\\",
    "\x1b[2J",
    "\x1b[31m",
    "\x9b2J",
    "\x9d0;t\x9c",
    "\u202e",
    "\u2028",
    "=HYPERLINK(",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "<script>",
    "</td>",
    "&amp;",
    '"',
    "'",
    ",",
]

_piece = st.one_of(st.text(max_size=12), st.sampled_from(FRAGMENTS))
_short = st.lists(_piece, max_size=8).map("".join)
_long = st.builds(lambda unit, n: ((unit or "x") * n)[:n], _short, st.integers(0, 100_000))
hostile = st.one_of(_short, _short, _long)
HUGE = ("".join(FRAGMENTS) * 1000)[:100_000]  # every fragment, 100,000 characters: always tried

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
NUMBER = re.compile(r"-?\d+(\.\d+)?")

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _rows(values: list[str]) -> list[dict[str, Any]]:
    """Rows as the CLI renders them: data text, a negative number trainproof computed, a flag, a list."""
    return [
        {"name": v, "department": values[(i + 1) % len(values)], "days": -5, "late": True, "outstanding": [v]}
        for i, v in enumerate(values)
    ]


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
@FUZZ
@given(values=st.lists(hostile, min_size=1, max_size=3), key=hostile)
@example(values=[HUGE, ""], key=HUGE)
def test_table(
    terminal: bool,
    values: list[str],
    key: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")  # Rich writes as to a colour terminal
    rows = [{**r, key: r["name"]} for r in _rows(values)]
    render(rows, "table", title=key, footer=[[key, *values]])
    out, err = capsys.readouterr()
    assert err == ""
    bare = _SGR.sub("", out)  # Rich's own colours
    found = _CONTROL.search(bare)
    assert found is None, f"raw control {found.group()!r}"
    assert len(bare.splitlines()) < 200  # a 100,000-character value is cut, not folded over thousands of lines


@FUZZ
@given(values=st.lists(hostile, min_size=1, max_size=3), key=hostile)
@example(values=[HUGE, ""], key=HUGE)
def test_csv(values: list[str], key: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{**r, key: r["name"]} for r in _rows(values)]
    render(rows, "csv")
    out, _ = capsys.readouterr()
    limit = csv.field_size_limit(
        10_000_000
    )  # Python's reader stops at 131,072 characters; JSON-escaped text can be more
    try:
        parsed = list(csv.reader(io.StringIO(out, newline="")))
    finally:
        csv.field_size_limit(limit)
    for line in parsed:
        for value in line:
            assert NUMBER.fullmatch(value) or not value.startswith(FORMULA_START), value
    header, *body = parsed
    assert header[:5] == ["name", "department", "days", "late", "outstanding"]
    for row, value in zip(body, values, strict=True):
        assert row[0] == neutral(value)  # the whole value, behind its apostrophe when it needs one
        assert row[2] == "-5"  # a number trainproof computed stays a number


@FUZZ
@given(values=st.lists(hostile, min_size=1, max_size=3))
@example(values=[HUGE])
def test_json(values: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(values)
    render(rows, "json")
    out, _ = capsys.readouterr()
    assert json.loads(out) == rows  # exactly the data
    assert _CONTROL.search(out.replace("\n", "")) is None  # escaped, so nothing a terminal acts on


def _fill(model: type[BaseModel], text: str) -> Any:
    """An instance of a report model with `text` in every text field (and lists of one)."""

    def value(annotation: Any) -> Any:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            return value(next(a for a in get_args(annotation) if a is not type(None)))
        if origin is list:
            return [value(get_args(annotation)[0])]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return _fill(annotation, text)
        return {str: text, int: 3, float: 42.5, bool: True, datetime: datetime(2026, 8, 15, tzinfo=UTC)}[annotation]

    return model(**{name: value(field.annotation) for name, field in model.model_fields.items()})


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)


def _tags(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


_PLAIN_TAGS = _tags(render_html(_fill(HtmlReport, "plain")))


@FUZZ
@given(text=hostile)
@example(text=HUGE)
def test_html_report(text: str) -> None:
    page = render_html(_fill(HtmlReport, text))
    assert _tags(page) == _PLAIN_TAGS  # no value opened or closed an element
    if text:
        assert escape(text) in page  # shown, escaped
