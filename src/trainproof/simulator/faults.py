"""Failures the simulator injects on request, so clients can be tested against what really happens.

A fault spec is a JSON object, a JSON array of them, or `{"rules": [...]}`, given from Python
(`Simulator.set_faults`), `POST /_admin/faults` or `trainproof simulate --faults` (JSON text or a file).
Each rule:

    {"kind": "status", "status": 503, "path": "/v1/training/enrollments", "skip": 1, "times": 2}

Targeting (all optional): `path` (prefix of the URL path), `regex` (searched in the path), `skip` (let the
first N matching requests through), `times` (fire this many times; absent or null = always), `every`
(fire on every Nth matching request after `skip`). Only /v1 requests are matched, never /_admin.
Rules are checked in order; once a rule answers a request (status, rate_limit, lockout, daily_quota,
html, redirect), later rules neither count nor fire for it. `slow` and the kinds that damage an answer combine.

Kinds (their own fields and defaults in brackets):

- `status`: a JSON error `{"message": ...}` with that status: 500, 502, 503, 504, 401... [`status` 503, `message`]
- `rate_limit`: a 429; with `times` a "429 storm" [`retry_after` seconds, absent = no header; `message`]
- `lockout`: the burst lockout: 429 on every match for `seconds`, scaled by time_scale [`seconds` 300]
- `daily_quota`: the daily quota runs out after `after` matching requests, 429 from then on [`after` = `skip`]
- `html`: a CloudFront-style HTML error page, `Content-Type: text/html` [`status` 502]
- `slow`: sleep before answering (real seconds, not scaled), then answer normally [`seconds` 5]
- `drop`: headers with the full Content-Length, part of the body, then the connection closes [`keep` 0.5]
- `truncate`: a complete response whose JSON body is cut short [`keep` 0.5]
- `content_type`: the normal body with another Content-Type [`content_type` "text/plain; charset=utf-8"]
- `repeat_page`: page N answers with page N-1's records (cursor mode: the previous window)
- `cursor_loop`: cursor mode never ends: the last page points at itself (`mode` "repeat", default) or at
  ever-new empty pages (`mode` "advance")
- `wrong_types`: a record's id becomes a string and its first date a number [`fields`: exact values to set
  instead; `records` "first" or "all"]
- `redirect`: a redirect instead of the answer [`status` 302, `location` "https://login.example.net/v1/account"]
- `not_json`: a 200 labelled JSON whose body is plain text [`message` "Service temporarily unavailable"]
- `drip`: the normal answer, sent `size` bytes every `seconds` (real seconds) [`size` 64, `seconds` 0.5]
- `huge`: the normal answer padded with spaces (still valid JSON) to `size` bytes, made while sending, so
  the simulator holds none of it [`size` 100 MiB; `mode` "length" (announced by Content-Length) or
  "chunked" (announced by nothing)]
- `endless_pages`: a list never ends: every page past the real records is filled with invented records
  whose ids were never seen (clones of real ones), and a cursor always points further
- `bad_ids`: the answer gains `count` copies of its first record whose ids are 0, -1, -2 ... [`count` 2]
- `duplicates`: the answer repeats its first `count` records at its end [`count` 2; `fields`: values the
  copies get, so a copy that replaced the first one would show]
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, cast, get_args

from trainproof.errors import TrainproofError

__all__ = [
    "FAULT_KINDS",
    "DroppedConnection",
    "FaultEngine",
    "FaultRule",
    "FaultSpecError",
    "parse_faults",
]

FaultKind = Literal[
    "status",
    "rate_limit",
    "lockout",
    "daily_quota",
    "html",
    "slow",
    "drop",
    "truncate",
    "content_type",
    "repeat_page",
    "cursor_loop",
    "wrong_types",
    "redirect",
    "not_json",
    "drip",
    "huge",
    "endless_pages",
    "bad_ids",
    "duplicates",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

RESPONDING = frozenset({"status", "rate_limit", "lockout", "daily_quota", "html", "redirect", "not_json"})
"""Kinds that answer instead of the API (no auth check, no rate-limit counting)."""
BODY_KINDS = frozenset({"drop", "truncate", "content_type", "drip", "huge"})
"""Kinds that damage the encoded answer."""

_DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "Invalid Token",
    403: "Forbidden",
    404: "Not Found",
    429: "API rate limit exceeded",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FaultSpecError(TrainproofError):
    """A fault spec that cannot be understood."""

    exit_code = 2


class DroppedConnection(Exception):
    """Raised after a partial body on purpose, so the server closes the connection mid-answer."""


@dataclass
class FaultRule:
    """One injected failure and where it applies (see the module docstring)."""

    kind: FaultKind
    path: str | None = None
    regex: str | None = None
    skip: int = 0
    times: int | None = None
    every: int = 1
    status: int | None = None
    message: str | None = None
    retry_after: float | None = None
    seconds: float | None = None
    keep: float | None = None
    content_type: str | None = None
    mode: str | None = None
    fields: dict[str, Any] | None = None
    records: str = "first"
    size: int | None = None
    count: int | None = None
    location: str | None = None
    matched: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)
    _locked_until: float = field(default=-math.inf, compare=False, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise FaultSpecError(f"unknown fault kind '{self.kind}'", f"use one of {', '.join(FAULT_KINDS)}")
        if self.skip < 0 or self.every < 1 or (self.times is not None and self.times < 0):
            raise FaultSpecError("fault skip, times and every must be >= 0, >= 0 and >= 1", "fix the spec")
        if self.status is not None and not 100 <= self.status <= 599:
            raise FaultSpecError(f"fault status {self.status} is not an HTTP status", "use e.g. 503")
        if self.keep is not None and not 0 <= self.keep < 1:
            raise FaultSpecError("fault 'keep' is the share of the body sent", "use a number in [0, 1)")
        modes = ("length", "chunked") if self.kind == "huge" else ("repeat", "advance")
        if self.mode is not None and self.mode not in modes:
            raise FaultSpecError(f"{self.kind} mode '{self.mode}' is unknown", f"use {' or '.join(modes)}")
        if (self.size is not None and self.size < 1) or (self.count is not None and self.count < 1):
            raise FaultSpecError("fault size and count must be >= 1", "fix the spec")
        if self.records not in ("first", "all"):
            raise FaultSpecError(f"wrong_types records '{self.records}' is unknown", "use first or all")
        if self.regex is not None:
            try:
                self._pattern = re.compile(self.regex)
            except re.error as exc:
                raise FaultSpecError(f"fault regex {self.regex!r} does not compile ({exc})", "fix it") from None

    def applies_to(self, path: str) -> bool:
        if self.path is not None and not path.startswith(self.path):
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    def to_dict(self) -> dict[str, Any]:
        """The rule as given, plus its counters (what GET /_admin/faults shows)."""
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        return {k: v for k, v in data.items() if v is not None or k == "times"}

    def reset(self) -> None:
        self.matched = 0
        self.fired = 0
        self._locked_until = -math.inf


_RULE_FIELDS = {f.name for f in fields(FaultRule) if not f.name.startswith("_")} - {"matched", "fired"}


def _rule(data: object, where: str) -> FaultRule:
    if isinstance(data, FaultRule):
        return FaultRule(**{k: getattr(data, k) for k in _RULE_FIELDS})
    if not isinstance(data, Mapping):
        raise FaultSpecError(f"{where} is not an object", 'e.g. {"kind": "status", "status": 503}')
    spec = dict(cast(Mapping[str, Any], data))
    if "after" in spec:  # daily_quota's natural name for skip
        spec["skip"] = spec.pop("after")
    unknown = set(spec) - _RULE_FIELDS
    if unknown:
        raise FaultSpecError(f"{where} has unknown field(s) {', '.join(sorted(unknown))}", "see `--help`")
    if "kind" not in spec:
        raise FaultSpecError(f"{where} has no 'kind'", f"use one of {', '.join(FAULT_KINDS)}")
    try:
        return FaultRule(**spec)
    except TypeError as exc:
        raise FaultSpecError(f"{where} is not a valid fault ({exc})", "see `--help`") from None


def parse_faults(spec: object) -> list[FaultRule]:
    """Rules from JSON text, a path to a JSON file, a dict, a FaultRule or a list of them."""
    if spec is None:
        return []
    if isinstance(spec, Path) or (isinstance(spec, str) and spec.strip()[:1] not in ("{", "[")):
        path = Path(spec)
        try:
            spec = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise FaultSpecError(f"fault spec {spec!s} is neither JSON nor a readable file ({exc})", "fix it") from None
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except ValueError as exc:
            raise FaultSpecError(f"fault spec is not valid JSON ({exc})", "give a JSON object or array") from None
    if isinstance(spec, Mapping) and ("rules" in spec or "faults" in spec):
        mapping = cast(Mapping[str, Any], spec)
        spec = mapping.get("rules", mapping.get("faults"))
    if isinstance(spec, FaultRule):
        return [_rule(spec, "fault")]
    if isinstance(spec, Mapping):
        return [_rule(cast(Mapping[str, Any], spec), "fault")]
    if isinstance(spec, Sequence) and not isinstance(spec, str | bytes):
        return [_rule(item, f"fault #{i + 1}") for i, item in enumerate(cast(Sequence[Any], spec))]
    raise FaultSpecError("a fault spec is a JSON object or array", 'e.g. [{"kind": "status", "status": 503}]')


class FaultEngine:
    """The active rules; decides which fire for a request. Thread-safe."""

    def __init__(self, rules: Sequence[FaultRule] = (), *, time_scale: float = 1.0) -> None:
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = list(rules)
        self.time_scale = time_scale

    def set(self, rules: Sequence[FaultRule]) -> None:
        with self._lock:
            self.rules = list(rules)

    def add(self, rules: Sequence[FaultRule]) -> None:
        with self._lock:
            self.rules.extend(rules)

    def clear(self) -> None:
        self.set([])

    def reset_counters(self) -> None:
        with self._lock:
            for rule in self.rules:
                rule.reset()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_dict() for rule in self.rules]

    def match(self, path: str, now: float) -> list[FaultRule]:
        """The rules firing for this request, in spec order (counters advance)."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self.rules:
                if not rule.applies_to(path):
                    continue
                rule.matched += 1
                if rule.kind == "lockout" and now < rule._locked_until:  # pyright: ignore[reportPrivateUsage]
                    fired.append(rule)
                    break
                n = rule.matched - rule.skip
                if n <= 0 or (rule.times is not None and rule.fired >= rule.times) or (n - 1) % rule.every:
                    continue
                rule.fired += 1
                if rule.kind == "lockout":
                    seconds = 300.0 if rule.seconds is None else rule.seconds
                    rule._locked_until = now + seconds * self.time_scale  # pyright: ignore[reportPrivateUsage]
                fired.append(rule)
                if rule.kind in RESPONDING:
                    break  # this rule answers: later rules do not see the request
        return fired

    def lockout_left(self, rule: FaultRule, now: float) -> float:
        return max(0.0, rule._locked_until - now)  # pyright: ignore[reportPrivateUsage]


def default_message(status: int) -> str:
    return _DEFAULT_MESSAGES.get(status, "Error")


def html_page(status: int) -> bytes:
    """A CloudFront-style error page, as a proxy in front of the API would send it."""
    title = "ERROR: The request could not be satisfied"
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n'
        '<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">\n'
        f"<TITLE>{title}</TITLE>\n</HEAD><BODY>\n<H1>{status} ERROR</H1>\n"
        '<H2>The request could not be satisfied.</H2>\n<HR noshade size="1px">\n'
        'We can\'t connect to the server for this app or website at this time.\n<BR clear="all">\n'
        '<HR noshade size="1px">\n<PRE>\nGenerated by cloudfront (CloudFront)\n</PRE>\n</BODY></HTML>\n'
    ).encode("iso-8859-1")


_DATE_KEYS = re.compile(r"(_date|_at|^date|_on|last_run|last_sign_in|qr_code_scanned)$")


def corrupt_records(payload: object, rule: FaultRule, id_key: str | None) -> object:
    """Apply a wrong_types rule to a payload (list, cursor envelope or single object), in place."""
    result: object = payload
    records: Any
    if isinstance(payload, dict) and "data" in payload:
        records = cast(dict[str, Any], payload)["data"]
    elif isinstance(payload, list):
        records = cast(list[Any], payload)
    else:
        records = [payload]
    targets: list[Any] = list(cast(list[Any], records)) if isinstance(records, list) else []
    if rule.records == "first":
        targets = targets[:1]
    for record in targets:
        if not isinstance(record, dict):
            continue
        rec = cast(dict[str, Any], record)
        if rule.fields:
            rec.update(rule.fields)
            continue
        key = id_key if id_key in rec else next((k for k in rec if k == "id" or k.endswith("_id")), None)
        if key is not None and rec[key] is not None:
            rec[key] = str(rec[key])
        for name, value in rec.items():
            if _DATE_KEYS.search(name) and isinstance(value, str):
                rec[name] = 1_700_000_000
                break
    return result


def _records_of(payload: object) -> list[Any] | None:
    """The record list inside a payload (a bare list or a cursor envelope's `data`); None for an object."""
    if isinstance(payload, dict) and isinstance(cast(dict[str, Any], payload).get("data"), list):
        return cast(list[Any], cast(dict[str, Any], payload)["data"])
    if isinstance(payload, list):
        return cast(list[Any], payload)
    return None


def add_records(payload: object, rule: FaultRule, id_key: str | None) -> object:
    """Apply a bad_ids or duplicates rule to a list payload, in place (a single object is left alone)."""
    records = _records_of(payload)
    if not records or id_key is None:
        return payload
    count = 2 if rule.count is None else rule.count
    if rule.kind == "bad_ids":
        first = cast(dict[str, Any], records[0])
        records.extend(dict(first, **{id_key: -i}) for i in range(count))
    else:
        records.extend(dict(cast(dict[str, Any], r), **(rule.fields or {})) for r in records[:count])
    return payload


def invented_records(render: Any, rows: Sequence[int], start: int, n: int, id_key: str) -> list[Any]:
    """`n` records never seen before (endless_pages): clones of real rows under ids far above any real one."""
    made: list[Any] = []
    for i in range(n):
        record = dict(cast(dict[str, Any], render(rows[(start + i) % len(rows)])))
        record[id_key] = 900_000_000 + start + i
        made.append(record)
    return made
