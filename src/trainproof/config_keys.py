"""Every table and key trainproof.toml may hold, declared once and checked when settings load.

A misspelt key must not be skipped silently: `base_ulr` would fall back to the live US API and
`per_secnd` to the default pace. So an unknown table or key is an error that names it and suggests the
nearest known one, and each value is checked for its kind and range (TOML allows nan and inf, which no
setting wants) before any command uses it. Modules that read a table keep their own checks of meaning
(campaign names, frameworks); the keys they accept live here only.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from trainproof.errors import ConfigError

Kind = Literal["text", "flag", "list", "number", "whole"]


@dataclass(frozen=True, slots=True)
class Key:
    """One setting: its kind, an example written back in errors, and its range when it has one."""

    kind: Kind
    example: str
    least: float | None = None
    above: bool = False  # True: `least` itself is not allowed (a timeout of 0 s is no timeout)
    most: float | None = None


def _positive(example: str) -> Key:
    return Key("number", example, least=0, above=True)


# Tables by dotted path; "trainings.*" is every table under [trainings] (custom keys are allowed).
TABLES: dict[str, dict[str, Key]] = {
    "knowbe4": {
        "region": Key("text", '"eu"'),
        "base_url": Key("text", '"https://eu.api.knowbe4.com"'),
        "allow_custom_base_url": Key("flag", "true"),
    },
    "knowbe4.limits": {
        "per_second": _positive("4"),
        "per_minute": _positive("50"),
        "daily_base": Key("whole", "2000", least=0),
        "time_scale": _positive("1.0"),
        "timeout_s": _positive("30"),
        "retry_budget_s": _positive("300"),
        "retry_attempts": Key("whole", "8", least=1),
        "request_deadline_s": _positive("120"),
        "max_response_bytes": Key("whole", "67108864", least=1),
    },
    "store": {"url": Key("text", '"sqlite:///trainproof.db"')},
    "sync": {
        "campaigns": Key("text", '"selected"'),
        "phishing": Key("flag", "true"),
        "groups": Key("flag", "true"),
    },
    "trainings": {},
    "trainings.*": {
        "title": Key("text", '"Security Awareness Training"'),
        "campaigns": Key("list", '[101, "Security Awareness 2026 - Part B"]'),
        "renew_every_days": Key("whole", "365"),
        "renew_on": Key("text", '"01-15"'),
        "new_hire_grace_days": Key("whole", "30"),
        "frameworks": Key("list", '["soc2", "iso27001"]'),
    },
    "scope": {
        "exclude_groups": Key("list", "[4567]"),
        "exclude_emails": Key("list", '["svc-scanner@example.com"]'),
    },
    "onboarding": {"campaigns": Key("list", '[301, "New Hire Onboarding"]')},
    "reminders": {
        "thresholds": Key("list", "[50, 75]"),
        "template": Key("text", '"reminder.txt"'),
    },
    "smtp": {
        "host": Key("text", '"smtp.example.com"'),
        "port": Key("whole", "587", least=1, most=65535),
        "from": Key("text", '"security@example.com"'),
        "starttls": Key("flag", "true"),
        "username": Key("text", '"security@example.com"'),
        "timeout_s": _positive("30"),
    },
    "remediation": {"group_prefix": Key("text", '"Remediation - "')},
    "mcp": {
        "source": Key("text", '"auto"'),
        "cache_seconds": Key("number", "300", least=0),
        "retry_budget_s": _positive("30"),
        "live_compliance_max_requests": Key("whole", "100", least=1),
    },
    "exports": {},
    "exports.vanta": {"resource_id": Key("text", '"65e1efde08e8478f143a8ff9"')},
    "exports.vanta.trainings": {},
    "exports.vanta.trainings.*": {"resource_id": Key("text", '"65e1efde08e8478f143a9001"')},
    "exports.drata": {
        "region": Key("text", '"eu"'),
        "per_minute": _positive("500"),
    },
    # One KnowBe4 account per table (an MSP's customers): each its own token, region and limits; its
    # trainings, scope and limits override the top-level ones key by key (trainproof.accounts).
    "accounts": {},
    "accounts.*": {
        "title": Key("text", '"Acme Corporation"'),
        "region": Key("text", '"eu"'),
        "base_url": Key("text", '"https://eu.api.knowbe4.com"'),
        "allow_custom_base_url": Key("flag", "true"),
        "token_env": Key("text", '"KNOWBE4_API_KEY__ACME"'),
        "token_keyring": Key("text", '"acme"'),
    },
    "accounts.*.trainings": {},
}


# An account's own tables take the same keys as the top-level ones they override.
TABLES["accounts.*.trainings.*"] = TABLES["trainings.*"]
TABLES["accounts.*.scope"] = TABLES["scope"]
TABLES["accounts.*.limits"] = TABLES["knowbe4.limits"]


def check_document(raw: Mapping[str, Any], source: str) -> None:
    """Raise ConfigError at the first unknown table or key, or value of the wrong kind or range."""
    for name, value in raw.items():
        if isinstance(value, dict) and name in TABLES:
            _check_table(name, name, cast(dict[str, Any], value), source)
            continue
        if isinstance(value, dict):
            close = difflib.get_close_matches(name, _top_tables(), n=1)
            todo = f"did you mean [{close[0]}]?" if close else f"the tables are {_names(_top_tables(), '[]')}"
            raise ConfigError(f"{source} has an unknown table [{name}]", todo)
        if name in TABLES:
            raise ConfigError(f"{name} in {source} must be a table", f"write [{name}] on its own line, then its keys")
        owners = [t for t, keys in TABLES.items() if name in keys and not t.endswith("*")]
        todo = f"put it under [{owners[0]}]" if owners else f"settings go under a table: {_names(_top_tables(), '[]')}"
        raise ConfigError(f"{source} has the key '{name}' outside any table", todo)


def reject_unknown_keys(path: str, table: Mapping[str, object], source: str, *, shown: str | None = None) -> None:
    """Raise ConfigError naming the first key of `table` that [path] does not declare, and the nearest one."""
    if f"{path}.*" in TABLES:
        return  # any name: each is a table of its own, checked against [path.*]
    known = [*TABLES[path], *_subtables(path)]
    for name in table:
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            todo = f"did you mean {close[0]}?" if close else "use one of: " + ", ".join(known)
            raise ConfigError(f"[{shown or path}] in {source} has an unknown key '{name}'", todo)


def check_value(where: str, name: str, value: object, key: Key, source: str) -> None:
    """Raise ConfigError when `value` is not of `key`'s kind or outside its range."""
    fix = f"write e.g. {name} = {key.example}"
    if not _is_kind(value, key.kind):
        raise ConfigError(f"{where} {name} in {source} is {_describe(value)}, not {_KIND_WORDS[key.kind]}", fix)
    if key.kind not in ("number", "whole"):
        return
    number = cast(float, value)
    if not math.isfinite(number):
        raise ConfigError(f"{where} {name} in {source} is {_describe(value)}, not a finite number", fix)
    low = key.least is not None and (number <= key.least if key.above else number < key.least)
    if low or (key.most is not None and number > key.most):
        raise ConfigError(f"{where} {name} in {source} is {_describe(value)}; it must be {_range(key)}", fix)


def _check_table(path: str, shown: str, table: dict[str, Any], source: str) -> None:
    reject_unknown_keys(path, table, source, shown=shown)
    keys = TABLES[path]
    for name, value in table.items():
        if name in keys:
            check_value(f"[{shown}]", name, value, keys[name], source)
            continue
        child = f"{path}.{name}" if f"{path}.{name}" in TABLES else f"{path}.*"
        if not isinstance(value, dict):
            if child.endswith("trainings.*"):
                todo = f'write [{shown}.{name}] on its own line, then campaigns = [101, "Campaign name"]'
            else:
                todo = f"write [{shown}.{name}] on its own line, then its keys"
            raise ConfigError(f"[{shown}] {name} in {source} must be a table", todo)
        _check_table(child, f"{shown}.{name}", cast(dict[str, Any], value), source)


def _subtables(path: str) -> list[str]:
    """The names of the tables declared directly under [path] ("*" when any name is allowed)."""
    prefix = path + "."
    return [t[len(prefix) :] for t in TABLES if t.startswith(prefix) and "." not in t[len(prefix) :]]


def _top_tables() -> list[str]:
    return [t for t in TABLES if "." not in t]


def _names(items: list[str], brackets: str) -> str:
    return ", ".join(f"{brackets[0]}{i}{brackets[1]}" for i in items)


def _is_kind(value: object, kind: Kind) -> bool:
    if isinstance(value, bool):
        return kind == "flag"
    match kind:
        case "text":
            return isinstance(value, str)
        case "flag":
            return False
        case "list":
            return isinstance(value, list)
        case "number":
            return isinstance(value, int | float)
        case "whole":
            return isinstance(value, int)


_KIND_WORDS: dict[Kind, str] = {
    "text": "text in quotes",
    "flag": "true or false",
    "list": "a list [...]",
    "number": "a number",
    "whole": "a whole number",
}


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value[:40]}"' + (" (text)" if len(value) <= 40 else "... (text)")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _range(key: Key) -> str:
    if key.least is not None and key.most is not None:
        return f"between {key.least:g} and {key.most:g}"
    if key.least is not None:
        return f"above {key.least:g}" if key.above else f"at least {key.least:g}"
    return f"at most {key.most or 0:g}"
