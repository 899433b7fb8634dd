"""The simulated tenant: every record the simulated KnowBe4 account holds, and the changes tests make to it.

What a tenant holds is declared in `kinds` (its JSON keys, record kinds and id fields); each kind is kept
in a columnar `RecordTable` (`columns`), and its JSON file form is read and written by `tenant_file`.

`Tenant` is thread-safe: every public method takes its lock, so a test thread may change records while
the server thread answers requests.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal, cast

from trainproof.gc_pause import gc_paused
from trainproof.simulator.columns import RecordTable
from trainproof.simulator.kinds import KINDS, PRIMARY_KEYS, Record, TenantError, normalize_id
from trainproof.simulator.tenant_file import iter_json, load_dict, load_dump_layout, write_json

__all__ = ["DEFAULT_ACCOUNT", "Tenant"]


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
        return load_dict(cls(), data)

    @classmethod
    def load(cls, path: str | Path) -> Tenant:
        """A tenant from a JSON file (see the module docstring for its keys).

        Files in the layout `dump` writes (one record per line) are read line by line, so a 50,000-person
        tenant loads without first holding the whole JSON document in memory; any other JSON is parsed
        whole.
        """
        p = Path(path)
        try:
            with gc_paused():  # millions of long-lived objects: collection passes would only cost time
                with p.open("r", encoding="utf-8") as fh:
                    streamed = load_dump_layout(cls(), fh)
                    if streamed is not None:
                        return streamed
                    fh.seek(0)
                    data = json.load(fh)
                return cls.from_dict(data)
        except FileNotFoundError:
            raise TenantError(f"tenant file {p} not found", "check the path given to --tenant") from None
        except (OSError, ValueError) as exc:
            raise TenantError(f"tenant file {p} is not readable JSON ({exc})", "fix or regenerate it") from None

    def checked(self, kind: str, item: object, where: str) -> Record:
        """Validate one incoming record and fill in the hidden ids enrollments need (`where` names it)."""
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
                record = self.checked(kind, dict(item), f"{kind} record #{i + 1}")
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
            table.replace(row, self.checked(kind, record, f"{kind} {record_id!r}"))
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
        """The tenant as JSON text in chunks, without materialising it all (layout: `tenant_file`)."""
        return iter_json(self)

    def dump(self, target: str | Path | IO[str]) -> None:
        """Write the JSON form to a path or an open text file (same tenant, same bytes)."""
        write_json(self, target)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as Python objects (materialises every record: mind large tenants)."""
        return cast(dict[str, Any], json.loads("".join(self.iter_json())))
