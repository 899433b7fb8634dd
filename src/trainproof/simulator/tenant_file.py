"""A tenant's JSON form: the layout `Tenant.dump` writes, and the readers that load it back.

Layout: one top-level key per line, and inside each record list one record per line, which is what lets
`load_dump_layout` read a 50,000-person tenant line by line instead of first holding the whole JSON
document in memory. Both readers check every record (`Tenant.checked`) and share equal values between
records (`SharedValues`: json makes copies).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from trainproof.simulator.columns import SharedValues
from trainproof.simulator.kinds import HISTORY_KEYS, KINDS, TENANT_KEYS, Record, TenantError, normalize_id

if TYPE_CHECKING:
    from trainproof.simulator.dataset import Tenant

__all__ = ["iter_json", "load_dict", "load_dump_layout", "write_json"]


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
    """Validates and stores incoming records (shared by `load_dict` and the streaming file reader)."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.memo = SharedValues()
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
            record = tenant.checked(kind, item, f"{kind}[{i}]")
            key = normalize_id(table.id_of(record))
            if key in seen:
                raise TenantError(f"{kind}[{i}] repeats {table.pk} {table.id_of(record)!r}", "ids must be unique")
            seen.add(key)
            table.append(record, self.memo)


def load_dump_layout(tenant: Tenant, fh: IO[str]) -> Tenant | None:
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


def load_dict(tenant: Tenant, data: Mapping[str, Any]) -> Tenant:
    """Fill an empty tenant from its JSON form (the records are taken over, not copied)."""
    if not isinstance(data, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TenantError("a tenant must be a JSON object", f"with keys {', '.join(TENANT_KEYS)}")
    loader = _Loader(tenant)
    for key, value in data.items():
        loader.scalar(key, value)
    # Campaigns and store purchases first: enrollments without ids are resolved against them.
    for kind in KINDS:
        loader.records(kind, _as_list(data, kind))
    return loader.tenant


def iter_json(tenant: Tenant) -> Iterator[str]:
    """The tenant as JSON text in chunks, in the layout above, without materialising it all."""

    def enc(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    # The lock is taken per batch, never across a yield: a streaming HTTP answer resumes this
    # generator from different threads, and a lock held between yields would block changes.
    with tenant.lock:
        head = '{\n"account":' + enc(tenant.account) + ",\n"
        tables = [(kind, tenant.tables[kind], list(tenant.tables[kind].rows())) for kind in KINDS]
        tail = (
            '"account_risk_score_history":' + enc(tenant.account_risk_score_history) + ",\n"
            '"group_risk_score_history":' + enc(tenant.group_risk_score_history) + ",\n"
            '"user_risk_score_history":' + enc(tenant.user_risk_score_history) + "\n}\n"
        )
    yield head
    for kind, table, rows in tables:
        yield f'"{kind}":[\n'
        emitted = False
        for start in range(0, len(rows), 1000):
            with tenant.lock:
                parts = [enc(table.render(r)) for r in rows[start : start + 1000] if table.alive(r)]
            if parts:
                yield (",\n" if emitted else "") + ",\n".join(parts)
                emitted = True
        yield ("\n" if emitted else "") + "],\n"
    yield tail


def write_json(tenant: Tenant, target: str | Path | IO[str]) -> None:
    """Write the JSON form to a path (through a temporary file, replaced at the end) or an open text file."""
    if isinstance(target, str | Path):
        path = Path(target)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for chunk in iter_json(tenant):
                fh.write(chunk)
        tmp.replace(path)
    else:
        for chunk in iter_json(tenant):
            target.write(chunk)
