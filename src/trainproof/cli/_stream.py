"""Rows written to stdout as they are produced: compact JSON (an array or one object a line) and CSV.

A list of 150,000 rows is never held as one document: each chunk of rows is encoded (orjson) and
written, so the first rows reach a pipe while later ones are still being explained, and memory holds
one chunk. The JSON is compact and escapes what a terminal would act on, as `_output.to_json` does
(DEL, C1 controls, line separators, bidirectional overrides as \\uXXXX: the same data to a JSON reader);
CSV goes through the one CSV writer (`trainproof.csvfile`).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import orjson

from trainproof.csvfile import csv_lines

__all__ = ["write_csv", "write_json_array", "write_json_lines"]

CHUNK = 1000  # rows per write
_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _compact(row: Mapping[str, Any]) -> str:
    try:
        return orjson.dumps(row).decode()
    except orjson.JSONEncodeError:  # a lone surrogate (KnowBe4 can send one escaped) is not UTF-8: orjson refuses it
        return json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str)


def _chunks(rows: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def _joined(chunk: list[Mapping[str, Any]], between: str) -> str:
    """A chunk's rows as compact JSON joined by `between`, made terminal-safe in one pass over the text."""
    return _UNSAFE.sub(_escaped, between.join(map(_compact, chunk)))


def write_json_lines(rows: Iterable[Mapping[str, Any]]) -> int:
    """One JSON object a line (jsonl, for pipelines); returns how many rows were written."""
    out, count = sys.stdout, 0
    for chunk in _chunks(rows):
        out.write(_joined(chunk, "\n") + "\n")
        count += len(chunk)
    return count


def write_json_array(rows: Iterable[Mapping[str, Any]]) -> int:
    """A JSON array, one compact row a line; returns how many rows were written."""
    out, count = sys.stdout, 0
    out.write("[")
    for chunk in _chunks(rows):
        out.write(("," if count else "") + "\n" + _joined(chunk, ",\n"))
        count += len(chunk)
    out.write("\n]\n" if count else "]\n")
    return count


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """CSV with a header, written a chunk of records at a time; returns how many rows were written."""
    out, count = sys.stdout, 0
    lines = csv_lines(columns, rows, line_end="\n")
    out.write(next(lines))
    while chunk := list(islice(lines, CHUNK)):
        out.write("".join(chunk))
        count += len(chunk)
    return count
