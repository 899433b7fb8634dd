"""The simulated tenant: every record the simulated KnowBe4 account holds, stored compactly.

A tenant is, on disk and on the wire, a JSON object with the keys in `TENANT_KEYS` (plus the optional
risk-score-history keys in `HISTORY_KEYS`), each holding objects exactly as the Reporting API returns
them. Two kinds carry fields the API only shows on request: enrollments keep `campaign_id` and
`store_purchase_id` (shown with `include_campaign_id=true` / `include_store_purchase_id=true`) and
`user.employee_number` (shown with `include_employee_number=true`); phishing campaigns may carry
`"campaign_type": "callback"` (never shown; it decides what `campaign_type=callback` returns).

Why the storage is columnar: a 50,000-person tenant has about 500,000 enrollments, which as Python dicts
would need gigabytes. `RecordTable` keeps the API's fields in typed arrays (ids, timestamps, booleans) and
shared object references (strings, nested objects), renders a fresh dict per record on request, and
falls back to storing the record itself whenever it does not round-trip exactly (extra keys, other key
order, a string where an id belongs...), so a hand-written quirky tenant is served byte for byte.

`Tenant` is thread-safe: every public method takes its lock, so a test thread may change records while
the server thread answers requests.
"""

from __future__ import annotations

import calendar
import copy
import gc
import json
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import IO, Any, Literal, cast

from trainproof.errors import TrainproofError

__all__ = [
    "HISTORY_KEYS",
    "KINDS",
    "PRIMARY_KEYS",
    "TENANT_KEYS",
    "RecordTable",
    "Tenant",
    "TenantError",
    "format_instant",
    "parse_exact_instant",
]

Record = dict[str, Any]

TENANT_KEYS: tuple[str, ...] = (
    "account",
    "users",
    "groups",
    "training_campaigns",
    "store_purchases",
    "policies",
    "enrollments",
    "phishing_campaigns",
    "security_tests",
    "recipients",
)
"""The top-level keys of a tenant file, in the order they are written."""

KINDS: tuple[str, ...] = TENANT_KEYS[1:]
"""The record kinds (every tenant key except the single `account` object)."""

HISTORY_KEYS: tuple[str, ...] = (
    "account_risk_score_history",
    "group_risk_score_history",
    "user_risk_score_history",
)
"""Optional tenant keys: a list for the account, `{"<id>": [...]}` maps for groups and users.

A user without an entry gets a history derived from its id and current risk score, so a 50,000-person
tenant does not store 50,000 histories; give `[]` to serve none.
"""

PRIMARY_KEYS: dict[str, str] = {
    "users": "id",
    "groups": "id",
    "training_campaigns": "campaign_id",
    "store_purchases": "store_purchase_id",
    "policies": "policy_id",
    "enrollments": "enrollment_id",
    "phishing_campaigns": "campaign_id",
    "security_tests": "pst_id",
    "recipients": "recipient_id",
}
"""The field that identifies a record of each kind (what `/{id}` paths look up)."""

_ALT_KEYS: dict[str, str] = {"store_purchases": "store_purchased_id"}  # the documentation's typo, accepted

ColumnKind = Literal["int", "date", "bool", "ref"]

# Column layouts in the API's key order. A record with exactly these keys, in this order, with values of
# these types, is stored in columns; anything else is stored as given.
_SCHEMAS: dict[str, tuple[tuple[str, ColumnKind], ...]] = {
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


class TenantError(TrainproofError):
    """A tenant (file, dict or mutation) that the simulator cannot serve."""

    exit_code = 2


# --- timestamps -----------------------------------------------------------------------------------


def format_instant(epoch: int) -> str:
    """Epoch seconds as the API writes instants: `2019-04-02T15:02:38.000Z` (year 1 as `0001`)."""
    t = time.gmtime(epoch)
    text = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", t)
    return text if t.tm_year >= 1000 else f"{t.tm_year:04d}{text[text.index('-') :]}"  # C's %Y does not pad


_DAY_EPOCH: dict[str, int] = {}  # "YYYY-MM-DD" -> epoch of its midnight, filled as dates are seen
_DIGITS = frozenset("0123456789")


def parse_exact_instant(text: object) -> int | None:
    """Epoch seconds of an instant written exactly as `format_instant` writes it, else None.

    Runs for every date of a loaded tenant (millions at 50,000 users), hence the per-day cache.
    """
    if type(text) is not str or len(text) != 24 or text[19:] != ".000Z" or text[10] != "T":
        return None
    if text[13] != ":" or text[16] != ":" or not _DIGITS.issuperset(text[11:13] + text[14:16] + text[17:19]):
        return None
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    if hour > 23 or minute > 59 or second > 59:
        return None
    day = text[:10]
    midnight = _DAY_EPOCH.get(day)
    if midnight is None:
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            return None
        if parsed.isoformat() != day:  # fromisoformat also takes other spellings
            return None
        midnight = calendar.timegm((parsed.year, parsed.month, parsed.day, 0, 0, 0, 0, 0, 0))
        if len(_DAY_EPOCH) < 100_000:
            _DAY_EPOCH[day] = midnight
    return midnight + hour * 3600 + minute * 60 + second


# --- identifiers ----------------------------------------------------------------------------------


def normalize_id(value: object) -> Hashable:
    """The lookup key of an id: ints and digit strings compare equal (`/v1/users/7` finds `"7"` too)."""
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, Hashable):
        return value
    return json.dumps(value, sort_keys=True)


# --- one table of records -------------------------------------------------------------------------


class _Memo:
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
        self._alt = _ALT_KEYS.get(kind)
        self._schema: tuple[tuple[str, ColumnKind], ...] = _SCHEMAS.get(kind, ())
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
        out: Record = {}
        for key, kind, col in zip(self._keys, self._kinds, self._cols, strict=True):
            value = col[row]
            if kind == "ref":
                out[key] = value
            elif kind == "date":
                out[key] = None if value == NONE else format_instant(value)
            elif kind == "int":
                out[key] = None if value == NONE else value
            else:
                out[key] = None if value < 0 else value == 1
        return out

    def value(self, row: int, key: str) -> Any:
        """One field of a record, without rendering the rest (None when absent)."""
        stored = self._stored.get(row)
        if stored is not None:
            return stored.get(key)
        i = self._col_of.get(key)
        if i is None:
            return None
        value = self._cols[i][row]
        kind = self._kinds[i]
        if kind == "ref":
            return value
        if kind == "date":
            return None if value == NONE else format_instant(value)
        if kind == "int":
            return None if value == NONE else value
        return None if value < 0 else value == 1

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

    def _encode(self, record: Mapping[str, Any], memo: _Memo | None) -> list[Any] | None:
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

    def append(self, record: Mapping[str, Any], memo: _Memo | None = None) -> int:
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


# --- the tenant -----------------------------------------------------------------------------------


DEFAULT_ACCOUNT: Record = {
    "name": "Simulated Account",
    "type": "paid",
    "domains": ["example.com"],
    "admins": [],
    "subscription_level": "Platinum",
    "subscription_end_date": None,
    "number_of_seats": 0,
    "current_risk_score": None,
}


def _as_list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise TenantError(f"tenant key '{key}' holds {type(value).__name__}", "it must be a JSON array of objects")
    return cast(list[Any], value)


def _as_history_map(data: Mapping[str, Any], key: str) -> dict[str, list[Record]]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TenantError(f"tenant key '{key}' holds {type(value).__name__}", 'use {"<id>": [...]}')
    out: dict[str, list[Record]] = {}
    for k, v in cast(dict[Any, Any], value).items():
        if not isinstance(v, list):
            raise TenantError(f"{key}['{k}'] is not a list", "give a list of {risk_score, date} objects")
        out[str(normalize_id(k))] = cast(list[Record], v)
    return out


class _Loader:
    """Validates and stores incoming records (shared by from_dict and the streaming file reader)."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.memo = _Memo()
        self.seen: dict[str, set[Hashable]] = {kind: set() for kind in KINDS}
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def scalar(self, key: str, value: Any) -> None:
        """A top-level key other than a record list."""
        tenant = self.tenant
        if key in KINDS or key.startswith("_"):
            return
        if key == "account":
            if value is not None and not isinstance(value, dict):
                raise TenantError("tenant key 'account' is not an object", "give the /v1/account object")
            if value is not None:
                tenant.account = cast(Record, value)
        elif key == "account_risk_score_history":
            tenant.account_risk_score_history = cast(list[Record], _as_list({key: value}, key))
        elif key in ("group_risk_score_history", "user_risk_score_history"):
            setattr(tenant, key, _as_history_map({key: value}, key))
        else:
            raise TenantError(
                f"unknown tenant key '{key}'",
                f"use {', '.join(TENANT_KEYS + HISTORY_KEYS)} (keys starting with _ are ignored)",
            )

    def records(self, kind: str, items: Iterable[Any]) -> None:
        tenant = self.tenant
        table = tenant.tables[kind]
        seen = self.seen[kind]
        for item in items:
            i = self.counts[kind]
            self.counts[kind] = i + 1
            record = tenant._checked(kind, item, f"{kind}[{i}]")  # pyright: ignore[reportPrivateUsage]
            key = normalize_id(table.id_of(record))
            if key in seen:
                raise TenantError(f"{kind}[{i}] repeats {table.pk} {table.id_of(record)!r}", "ids must be unique")
            seen.add(key)
            table.append(record, self.memo)


def _load_dump_layout(tenant: Tenant, fh: IO[str]) -> Tenant | None:
    """Read a file in `Tenant.dump`'s layout line by line; None if it is laid out otherwise."""
    if fh.readline() != "{\n":
        return None
    try:
        return _read_dump_lines(_Loader(tenant), fh)
    except ValueError:
        return None  # not our layout after all (or broken): the JSON parser will say which


def _read_dump_lines(loader: _Loader, fh: IO[str]) -> Tenant | None:
    kind: str | None = None
    done: set[str] = set()
    for raw in fh:
        line = raw.rstrip("\n")
        if kind is not None:
            if line in ("],", "]"):
                done.add(kind)
                kind = None
            else:
                loader.records(kind, (json.loads(line.removesuffix(",")),))
        elif line == "}":
            break
        elif line.endswith(":[") and line.startswith('"') and line[1:-3] in KINDS and line[1:-3] not in done:
            kind = line[1:-3]
        else:
            entry = json.loads("{" + line.removesuffix(",") + "}")
            if not isinstance(entry, dict) or len(cast(dict[str, Any], entry)) != 1:
                raise ValueError(f"unexpected line in a tenant file: {line[:60]!r}")
            ((key, value),) = cast(dict[str, Any], entry).items()
            loader.scalar(key, value)
    else:
        return None  # no closing brace: let the JSON parser report where the file is broken
    return loader.tenant


class Tenant:
    """A simulated KnowBe4 account. Build one with `generate_tenant`, `Tenant.from_dict` or `Tenant.load`.

    Reading: `count(kind)`, `get(kind, id)`, `records(kind)`, `to_dict()`, `dump(path)`.
    Changing (thread-safe, visible to the next request): `upsert`, `update`, `delete`, `set_account`,
    `update_account`, `set_risk_score_history`, `replace`, `apply` (the admin endpoint's op list).
    Records returned by the readers are copies; changing them changes nothing.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.account: Record = dict(DEFAULT_ACCOUNT)
        self.tables: dict[str, RecordTable] = {kind: RecordTable(kind) for kind in KINDS}
        self.account_risk_score_history: list[Record] = []
        self.group_risk_score_history: dict[str, list[Record]] = {}
        self.user_risk_score_history: dict[str, list[Record]] = {}
        self.version = 0
        self._cache: dict[Hashable, Any] = {}

    # construction

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tenant:
        """A tenant from its JSON form (the records are taken over, not copied)."""
        if not isinstance(data, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TenantError("a tenant must be a JSON object", f"with keys {', '.join(TENANT_KEYS)}")
        loader = _Loader(cls())
        for key, value in data.items():
            loader.scalar(key, value)
        # Campaigns and store purchases first: enrollments without ids are resolved against them.
        for kind in KINDS:
            loader.records(kind, _as_list(data, kind))
        return loader.tenant

    @classmethod
    def load(cls, path: str | Path) -> Tenant:
        """A tenant from a JSON file (see the module docstring for its keys).

        Files in the layout `dump` writes (one record per line) are read line by line, so a 50,000-person
        tenant loads without first holding the whole JSON document in memory; any other JSON is parsed
        whole.
        """
        p = Path(path)
        enabled = gc.isenabled()
        gc.disable()  # millions of long-lived objects: collection passes would only cost time
        try:
            with p.open("r", encoding="utf-8") as fh:
                streamed = _load_dump_layout(cls(), fh)
                if streamed is not None:
                    return streamed
                fh.seek(0)
                data = json.load(fh)
            return cls.from_dict(data)
        except FileNotFoundError:
            raise TenantError(f"tenant file {p} not found", "check the path given to --tenant") from None
        except (OSError, ValueError) as exc:
            raise TenantError(f"tenant file {p} is not readable JSON ({exc})", "fix or regenerate it") from None
        finally:
            if enabled:
                gc.enable()

    def _checked(self, kind: str, item: object, where: str) -> Record:
        """Validate one incoming record and fill in the hidden ids enrollments need."""
        if kind not in PRIMARY_KEYS:
            raise TenantError(f"unknown record kind '{kind}'", f"use one of {', '.join(KINDS)}")
        if not isinstance(item, dict):
            raise TenantError(f"{where} is {type(item).__name__}, not an object", "records are JSON objects")
        record = cast(Record, item)
        table = self.tables[kind]
        if table.id_of(record) is None:
            raise TenantError(f"{where} has no {table.pk}", f"every {kind} record needs one")
        if kind == "recipients" and record.get("pst_id") is None:
            raise TenantError(f"{where} has no pst_id", "recipients belong to a security test")
        if kind == "enrollments" and ("campaign_id" not in record or "store_purchase_id" not in record):
            record = dict(record)
            if "campaign_id" not in record:
                record["campaign_id"] = self._campaign_id_named(record.get("campaign_name"))
            if "store_purchase_id" not in record:
                record["store_purchase_id"] = self._purchase_id_named(record)
        return record

    def _campaign_id_named(self, name: object) -> Any:
        if name is None:
            return None
        table = self.tables["training_campaigns"]
        for row in table.rows():
            if table.value(row, "name") == name:
                return table.value(row, "campaign_id")
        return None

    def _purchase_id_named(self, enrollment: Mapping[str, Any]) -> Any:
        if enrollment.get("content_type") == "Uploaded Policy" or enrollment.get("module_name") is None:
            return None
        table = self.tables["store_purchases"]
        for row in table.rows():
            if table.value(row, "name") == enrollment.get("module_name"):
                return table.id_of(table.render(row))
        return None

    # reading

    def table(self, kind: str) -> RecordTable:
        try:
            return self.tables[kind]
        except KeyError:
            raise TenantError(f"unknown record kind '{kind}'", f"use one of {', '.join(KINDS)}") from None

    def count(self, kind: str) -> int:
        with self.lock:
            return len(self.table(kind))

    def get(self, kind: str, record_id: object) -> Record | None:
        """A copy of the stored record (hidden fields included), or None."""
        with self.lock:
            table = self.table(kind)
            row = table.find(record_id)
            return None if row is None else copy.deepcopy(table.render(row))

    def records(self, kind: str) -> list[Record]:
        """Copies of every stored record of a kind, in API order (materialises them all)."""
        with self.lock:
            table = self.table(kind)
            return [copy.deepcopy(table.render(r)) for r in table.rows()]

    def seats(self) -> int:
        value = self.account.get("number_of_seats")
        return value if type(value) is int and value > 0 else 0

    def cached(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """A value derived from the records, recomputed after any change. Call with the lock held."""
        full = (self.version, key)
        if full not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[full] = build()
        return self._cache[full]

    # writing

    def _bump(self) -> None:
        self.version += 1
        self._cache.clear()

    def upsert(self, kind: str, *records: Mapping[str, Any]) -> None:
        """Add records, or replace the stored record with the same id (keeping its place in the order)."""
        with self.lock:
            table = self.table(kind)
            for i, item in enumerate(records):
                record = self._checked(kind, dict(item), f"{kind} record #{i + 1}")
                row = table.find(table.id_of(record))
                if row is None:
                    table.append(record)
                else:
                    table.replace(row, record)
            self._bump()

    def update(self, kind: str, record_id: object, /, **fields: Any) -> Record:
        """Change some fields of one record; returns a copy of the result."""
        with self.lock:
            table = self.table(kind)
            row = table.find(record_id)
            if row is None:
                raise TenantError(f"no {kind} record with {table.pk} {record_id!r}", "upsert it first")
            record = copy.deepcopy(table.render(row))
            record.update(fields)
            if normalize_id(table.id_of(record)) != normalize_id(record_id):
                raise TenantError(f"update() cannot change {table.pk}", "delete the record and upsert a new one")
            table.replace(row, self._checked(kind, record, f"{kind} {record_id!r}"))
            self._bump()
            return copy.deepcopy(record)

    def delete(self, kind: str, *record_ids: object) -> int:
        """Remove records by id; returns how many existed."""
        with self.lock:
            table = self.table(kind)
            removed = 0
            for record_id in record_ids:
                row = table.find(record_id)
                if row is not None:
                    table.delete(row)
                    removed += 1
            self._bump()
            return removed

    def set_account(self, account: Mapping[str, Any]) -> None:
        with self.lock:
            self.account = dict(account)
            self._bump()

    def update_account(self, **fields: Any) -> None:
        with self.lock:
            self.account = {**self.account, **fields}
            self._bump()

    def set_risk_score_history(
        self, scope: Literal["account", "group", "user"], history: Sequence[Mapping[str, Any]], record_id: object = None
    ) -> None:
        """Replace a risk score history (for a group or user, give its id)."""
        with self.lock:
            entries = [dict(e) for e in history]
            if scope == "account":
                self.account_risk_score_history = entries
            elif scope == "group":
                self.group_risk_score_history[str(normalize_id(record_id))] = entries
            elif scope == "user":
                self.user_risk_score_history[str(normalize_id(record_id))] = entries
            else:
                raise TenantError(f"unknown risk score scope '{scope}'", "use account, group or user")
            self._bump()

    def replace(self, other: Tenant | Mapping[str, Any]) -> None:
        """Swap in another tenant's content; this handle (and the server using it) stays valid."""
        new = other if isinstance(other, Tenant) else Tenant.from_dict(other)
        with self.lock:
            self.account = new.account
            self.tables = new.tables
            self.account_risk_score_history = new.account_risk_score_history
            self.group_risk_score_history = new.group_risk_score_history
            self.user_risk_score_history = new.user_risk_score_history
            self._bump()

    def apply(self, ops: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Apply admin operations atomically (all or none).

        Each op is one of `{"op": "upsert", "kind": K, "record": {...}}` (or `"records": [...]`),
        `{"op": "update", "kind": K, "id": ID, "fields": {...}}`, `{"op": "delete", "kind": K, "id": ID}`
        (or `"ids": [...]`), `{"op": "set_account", "record": {...}}`, `{"op": "update_account",
        "fields": {...}}`.
        """
        with self.lock:
            backup = self._snapshot()
            counts = {"upserted": 0, "updated": 0, "deleted": 0, "account": 0}
            try:
                for n, op in enumerate(ops):
                    self._apply_one(op, n, counts)
            except TenantError:
                self._restore(backup)
                raise
            except (TypeError, ValueError, AttributeError) as exc:
                self._restore(backup)
                raise TenantError(f"bad mutation op ({exc})", "see the Tenant.apply docstring") from None
            return counts

    def _apply_one(self, op: Mapping[str, Any], n: int, counts: dict[str, int]) -> None:
        if not isinstance(op, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TenantError(f"op #{n + 1} is not an object", 'e.g. {"op": "delete", "kind": "users", "id": 1}')
        name = op.get("op")
        kind = str(op.get("kind", ""))
        if name == "upsert":
            records = op.get("records", [op["record"]] if "record" in op else [])
            self.upsert(kind, *records)
            counts["upserted"] += len(records)
        elif name == "update":
            self.update(kind, op.get("id"), **dict(op.get("fields", {})))
            counts["updated"] += 1
        elif name == "delete":
            ids = op.get("ids", [op.get("id")])
            counts["deleted"] += self.delete(kind, *ids)
        elif name == "set_account":
            self.set_account(op["record"])
            counts["account"] += 1
        elif name == "update_account":
            self.update_account(**dict(op.get("fields", {})))
            counts["account"] += 1
        else:
            raise TenantError(
                f"op #{n + 1} has unknown op {name!r}", "use upsert, update, delete, set_account or update_account"
            )

    def _snapshot(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "tables": {kind: table.clone() for kind, table in self.tables.items()},
            "history": (
                self.account_risk_score_history,
                dict(self.group_risk_score_history),
                dict(self.user_risk_score_history),
            ),
        }

    def _restore(self, backup: dict[str, Any]) -> None:
        self.account = backup["account"]
        self.tables = backup["tables"]
        (self.account_risk_score_history, self.group_risk_score_history, self.user_risk_score_history) = backup[
            "history"
        ]
        self._bump()

    # JSON form

    def iter_json(self) -> Iterator[str]:
        """The tenant as JSON text in chunks, without materialising it all.

        Layout: one top-level key per line, and inside each record list one record per line, which is
        what lets `load` stream the file back.
        """

        def enc(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

        # The lock is taken per batch, never across a yield: a streaming HTTP answer resumes this
        # generator from different threads, and a lock held between yields would block changes.
        with self.lock:
            head = '{\n"account":' + enc(self.account) + ",\n"
            tables = [(kind, self.tables[kind], list(self.tables[kind].rows())) for kind in KINDS]
            tail = (
                '"account_risk_score_history":' + enc(self.account_risk_score_history) + ",\n"
                '"group_risk_score_history":' + enc(self.group_risk_score_history) + ",\n"
                '"user_risk_score_history":' + enc(self.user_risk_score_history) + "\n}\n"
            )
        yield head
        for kind, table, rows in tables:
            yield f'"{kind}":[\n'
            emitted = False
            for start in range(0, len(rows), 1000):
                with self.lock:
                    parts = [enc(table.render(r)) for r in rows[start : start + 1000] if table.alive(r)]
                if parts:
                    yield (",\n" if emitted else "") + ",\n".join(parts)
                    emitted = True
            yield ("\n" if emitted else "") + "],\n"
        yield tail

    def dump(self, target: str | Path | IO[str]) -> None:
        """Write the JSON form to a path or an open text file (same tenant, same bytes)."""
        if isinstance(target, str | Path):
            path = Path(target)
            tmp = path.with_name(path.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                for chunk in self.iter_json():
                    fh.write(chunk)
            tmp.replace(path)
        else:
            for chunk in self.iter_json():
                target.write(chunk)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as Python objects (materialises every record: mind large tenants)."""
        return cast(dict[str, Any], json.loads("".join(self.iter_json())))
