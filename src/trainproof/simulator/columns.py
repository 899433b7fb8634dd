"""One kind of record stored in columns, so a 50,000-person tenant fits in memory.

A 50,000-person tenant has about 500,000 enrollments, which as Python dicts would need gigabytes.
`RecordTable` keeps the API's fields in typed arrays (ids, timestamps, booleans) and shared object
references (strings, nested objects), renders a fresh dict per record on request, and falls back to
storing the record itself whenever it does not round-trip exactly (extra keys, other key order, a string
where an id belongs...), so a hand-written quirky tenant is served byte for byte.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any, Literal, cast

from trainproof.simulator.instants import format_instant, parse_exact_instant
from trainproof.simulator.kinds import ALT_KEYS, PRIMARY_KEYS, Record, normalize_id

__all__ = ["COLUMN_LAYOUTS", "NONE", "ColumnKind", "RecordTable", "SharedValues"]

ColumnKind = Literal["int", "date", "bool", "ref"]

# Column layouts in the API's key order. A record with exactly these keys, in this order, with values of
# these types, is stored in columns; anything else is stored as given.
COLUMN_LAYOUTS: dict[str, tuple[tuple[str, ColumnKind], ...]] = {
    "users": (
        ("id", "int"),
        ("employee_number", "ref"),
        ("first_name", "ref"),
        ("last_name", "ref"),
        ("job_title", "ref"),
        ("email", "ref"),
        ("phish_prone_percentage", "ref"),
        ("phone_number", "ref"),
        ("extension", "ref"),
        ("mobile_phone_number", "ref"),
        ("location", "ref"),
        ("division", "ref"),
        ("manager_name", "ref"),
        ("manager_email", "ref"),
        ("provisioning_managed", "bool"),
        ("provisioning_guid", "ref"),
        ("groups", "ref"),
        ("current_risk_score", "ref"),
        ("aliases", "ref"),
        ("joined_on", "date"),
        ("last_sign_in", "date"),
        ("status", "ref"),
        ("organization", "ref"),
        ("department", "ref"),
        ("language", "ref"),
        ("comment", "ref"),
        ("employee_start_date", "date"),
        ("archived_at", "date"),
        ("custom_field_1", "ref"),
        ("custom_field_2", "ref"),
        ("custom_field_3", "ref"),
        ("custom_field_4", "ref"),
        ("custom_date_1", "ref"),
        ("custom_date_2", "ref"),
    ),
    "enrollments": (
        ("enrollment_id", "int"),
        ("content_type", "ref"),
        ("module_name", "ref"),
        ("user", "ref"),
        ("campaign_name", "ref"),
        ("enrollment_date", "date"),
        ("start_date", "date"),
        ("completion_date", "date"),
        ("status", "ref"),
        ("time_spent", "int"),
        ("policy_acknowledged", "bool"),
        ("campaign_id", "int"),
        ("store_purchase_id", "int"),
    ),
    "recipients": (
        ("recipient_id", "int"),
        ("pst_id", "int"),
        ("user", "ref"),
        ("template", "ref"),
        ("scheduled_at", "date"),
        ("delivered_at", "date"),
        ("opened_at", "date"),
        ("clicked_at", "date"),
        ("replied_at", "date"),
        ("attachment_opened_at", "date"),
        ("macro_enabled_at", "date"),
        ("data_entered_at", "date"),
        ("qr_code_scanned", "date"),
        ("reported_at", "date"),
        ("bounced_at", "date"),
        ("ip", "ref"),
        ("ip_location", "ref"),
        ("browser", "ref"),
        ("browser_version", "ref"),
        ("os", "ref"),
    ),
}

NONE = -(2**63)
"""Sentinel for null in int, date and bool columns."""


def _decode(kind: ColumnKind, raw: Any) -> Any:
    """A column's stored value as the API writes it (NONE and -1 are null)."""
    if kind == "ref":
        return raw
    if kind == "date":
        return None if raw == NONE else format_instant(raw)
    if kind == "int":
        return None if raw == NONE else raw
    return None if raw < 0 else raw == 1


class SharedValues:
    """Shares equal strings and flat nested objects while a large tenant is loaded (json makes copies)."""

    def __init__(self) -> None:
        self._seen: dict[Hashable, Any] = {}

    def __call__(self, value: Any) -> Any:
        original: Any = value
        key: Hashable
        if type(value) is str:
            key = value
        elif type(value) is dict:
            mapping = cast(dict[str, Any], value)
            # Types are part of the key: True == 1 and must not be merged.
            key = ("d", tuple(mapping.items()), tuple(map(type, mapping.values())))
        elif type(value) is list:
            seq = cast(list[Any], value)
            key = ("l", tuple(seq), tuple(map(type, seq)))
        else:
            return original
        try:
            return self._seen.setdefault(key, original)
        except TypeError:  # nested lists or dicts: not worth sharing
            return original


class RecordTable:
    """The records of one kind, in API order, with id lookup and cached secondary indexes.

    Not thread-safe on its own: `Tenant` serialises access.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.pk = PRIMARY_KEYS[kind]
        self._alt = ALT_KEYS.get(kind)
        self._schema: tuple[tuple[str, ColumnKind], ...] = COLUMN_LAYOUTS.get(kind, ())
        self._keys = tuple(k for k, _ in self._schema)
        self._kinds: tuple[ColumnKind, ...] = tuple(c for _, c in self._schema)
        self._cols: list[Any] = [self._new_column(c) for c in self._kinds]
        self._col_of = {k: i for i, k in enumerate(self._keys)}
        self._ids = array("q")  # normalised int id per row, NONE when the id is not an int
        self._odd_ids: dict[Hashable, int] = {}  # rows whose id is not an int
        self._stored: dict[int, Record] = {}  # rows kept as given (no schema, or no exact round trip)
        self._dead = bytearray()
        self._ndead = 0
        self._increasing = True  # ids strictly increasing: look up by bisection, no dict needed
        self._by_id: dict[int, int] | None = None
        self._live: array[int] | None = None
        self._indexes: dict[str, dict[Hashable, list[int]]] = {}

    @staticmethod
    def _new_column(kind: ColumnKind) -> Any:
        if kind == "int" or kind == "date":
            return array("q")
        if kind == "bool":
            return array("b")
        return []

    # size and order

    def __len__(self) -> int:
        return len(self._ids) - self._ndead

    def rows(self) -> Sequence[int]:
        """Live row numbers in API order."""
        if not self._ndead:
            return range(len(self._ids))
        if self._live is None:
            dead = self._dead
            self._live = array("i", (r for r in range(len(dead)) if not dead[r]))
        return self._live

    # reading

    def alive(self, row: int) -> bool:
        return not self._dead[row]

    def render(self, row: int) -> Record:
        """A fresh top-level dict for the record (nested objects are shared: do not mutate them)."""
        stored = self._stored.get(row)
        if stored is not None:
            return dict(stored)
        columns = zip(self._keys, self._kinds, self._cols, strict=True)
        return {key: _decode(kind, col[row]) for key, kind, col in columns}

    def value(self, row: int, key: str) -> Any:
        """One field of a record, without rendering the rest (None when absent)."""
        stored = self._stored.get(row)
        if stored is not None:
            return stored.get(key)
        i = self._col_of.get(key)
        return None if i is None else _decode(self._kinds[i], self._cols[i][row])

    def id_of(self, record: Mapping[str, Any]) -> Any:
        value = record.get(self.pk)
        if value is None and self._alt is not None:
            value = record.get(self._alt)
        return value

    def find(self, record_id: object) -> int | None:
        """The live row holding this id, or None."""
        key = normalize_id(record_id)
        if type(key) is not int:
            row = self._odd_ids.get(key)
            return row if row is not None and not self._dead[row] else None
        if self._increasing:
            row = bisect_left(self._ids, key)
            if row < len(self._ids) and self._ids[row] == key and not self._dead[row]:
                return row
            return None
        if self._by_id is None:
            self._by_id = {}
            for r in self.rows():
                rid = self._ids[r]
                if rid != NONE:
                    self._by_id[rid] = r
        return self._by_id.get(key)

    def index(self, name: str, keys_of: Callable[[int], Iterable[Hashable]]) -> dict[Hashable, list[int]]:
        """Rows grouped by `keys_of(row)`, built once and kept until the table changes."""
        existing = self._indexes.get(name)
        if existing is not None:
            return existing
        built: dict[Hashable, list[int]] = {}
        for row in self.rows():
            for key in keys_of(row):
                bucket = built.get(key)
                if bucket is None:
                    built[key] = [row]
                else:
                    bucket.append(row)
        self._indexes[name] = built
        return built

    # writing

    def _encode(self, record: Mapping[str, Any], memo: SharedValues | None) -> list[Any] | None:
        if not self._schema or len(record) != len(self._keys):
            return None
        values: list[Any] = []
        for (key, kind), (rkey, value) in zip(self._schema, record.items(), strict=True):
            if key != rkey:
                return None
            if kind == "ref":
                values.append(memo(value) if memo is not None else value)
            elif kind == "int":
                if value is None:
                    values.append(NONE)
                elif type(value) is int and NONE < value < 2**63:
                    values.append(value)
                else:
                    return None
            elif kind == "date":
                if value is None:
                    values.append(NONE)
                else:
                    epoch = parse_exact_instant(value)
                    if epoch is None:
                        return None
                    values.append(epoch)
            elif value is None:
                values.append(-1)
            elif value is True or value is False:
                values.append(1 if value else 0)
            else:
                return None
        return values

    def _placeholder(self) -> list[Any]:
        return [None if k == "ref" else (-1 if k == "bool" else NONE) for k in self._kinds]

    def _note_id(self, row: int, record_id: object) -> None:
        key = normalize_id(record_id)
        if type(key) is int:
            if self._increasing and self._ids and self._ids[-1] >= key:
                self._increasing = False
            self._ids.append(key)
        else:
            self._ids.append(NONE)
            self._odd_ids[key] = row
            self._increasing = False

    def append(self, record: Mapping[str, Any], memo: SharedValues | None = None) -> int:
        """Add a record at the end; the caller has checked that its id is new."""
        row = len(self._ids)
        values = self._encode(record, memo)
        if values is None:
            self._stored[row] = dict(record)
            values = self._placeholder()
        for col, value in zip(self._cols, values, strict=True):
            col.append(value)
        self._note_id(row, self.id_of(record))
        self._dead.append(0)
        self._changed()
        return row

    def append_encoded(self, rows: Sequence[Sequence[Any]]) -> None:
        """Generator fast path: rows already in column form (epoch ints, NONE, 0/1/-1), id first.

        Column-wise extends run in C, which is what makes half a million enrollments cheap.
        """
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        ids = columns[0]
        if not all(type(i) is int for i in ids):
            for row in rows:
                self.append(dict(zip(self._keys, row, strict=True)))
            return
        for col, values in zip(self._cols, columns, strict=True):
            col.extend(values)
        increasing = all(a < b for a, b in pairwise(ids))
        if not increasing or (self._ids and self._ids[-1] >= ids[0]):
            self._increasing = False
        self._ids.extend(ids)
        self._dead.extend(bytes(len(ids)))
        self._changed()

    def replace(self, row: int, record: Mapping[str, Any]) -> None:
        values = self._encode(record, None)
        if values is None:
            self._stored[row] = dict(record)
        else:
            self._stored.pop(row, None)
            for col, value in zip(self._cols, values, strict=True):
                col[row] = value
        self._changed()

    def delete(self, row: int) -> None:
        if not self._dead[row]:
            self._dead[row] = 1
            self._ndead += 1
            self._stored.pop(row, None)
            self._changed()

    def _changed(self) -> None:
        self._by_id = None
        self._live = None
        self._indexes.clear()

    def clone(self) -> RecordTable:
        """An independent copy (columns are copied in C; nested objects are shared, never mutated)."""
        other = RecordTable(self.kind)
        other._cols = [col[:] for col in self._cols]
        other._ids = self._ids[:]
        other._odd_ids = dict(self._odd_ids)
        other._stored = dict(self._stored)
        other._dead = bytearray(self._dead)
        other._ndead = self._ndead
        other._increasing = self._increasing
        return other
