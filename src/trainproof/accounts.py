"""Many KnowBe4 accounts in one trainproof.toml: an MSP's customers, each with its own token and region.

KnowBe4 binds a Reporting API token to one account and one region and has no cross-account
reporting, so a provider serving many customers holds one token per customer. Each `[accounts.NAME]`
table names where that account's token comes from (`token_env`, or `token_keyring` for an OS keyring
entry under the service `trainproof`; neither: the variable `KNOWBE4_API_KEY__NAME`), its `region` or
`base_url` (the same rule as [knowbe4]: `trainproof.base_url`), and optionally its own
`[accounts.NAME.trainings.KEY]`, `[accounts.NAME.scope]` and `[accounts.NAME.limits]`, which override
the top-level [trainings.*], [scope] and [knowbe4.limits] key by key; what an account does not say it
inherits.

Every account gets Settings of its own, as if its effective tables were the whole file, so every use
case that takes Settings (sync, judging, reports, evidence) works on one account unchanged. The store
is shared; `Settings.account` is the name its rows are kept under. Each named account keeps its state
(the daily request budget, the evidence signing key) in `STATE_DIR/accounts/NAME`, so one customer's
usage never eats another's budget. A file without [accounts] is one account, `default`, exactly as before
(environment overrides such as KNOWBE4_API_KEY and KNOWBE4_BASE_URL apply to it only: with many accounts,
one variable must not send every customer's token to one place).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from trainproof.config import Secret, Settings, limits_from, load_settings, resolve_base_url, token_from_keyring
from trainproof.errors import ConfigError

__all__ = ["DEFAULT", "Account", "Accounts", "account_settings", "load_accounts"]

DEFAULT = "default"
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_RENEWALS = ("renew_every_days", "renew_on")  # one or the other: an account choosing one drops the inherited other


@dataclass(frozen=True)
class Account:
    """One KnowBe4 account: its name (the store's key), a title for people, and its own Settings."""

    name: str
    title: str
    settings: Settings
    token_source: str
    """Where the token is looked for, to say so when it is missing (never the token itself)."""

    @property
    def has_token(self) -> bool:
        return self.settings.token is not None


@dataclass(frozen=True)
class Accounts:
    """The accounts of one configuration, in the file's order."""

    items: tuple[Account, ...]
    configured: bool
    """True when the file has [accounts.*] tables; False for the single `default` account."""

    def __iter__(self) -> Iterator[Account]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.items]

    def get(self, name: str) -> Account:
        for account in self.items:
            if account.name == name:
                return account
        raise ConfigError(f"no account '{name}'", f"the accounts are {', '.join(self.names)}")

    def choose(self, name: str | None) -> Account:
        """The account `--account NAME` asks for; without a name, the only one (several: an error naming them)."""
        if name is not None:
            return self.get(name)
        if len(self.items) == 1:
            return self.items[0]
        raise ConfigError(
            f"this configuration has {len(self.items)} accounts ({', '.join(self.names)})",
            "say which with --account NAME",
        )


def load_accounts(config: Path | str | None = None, *, env: Mapping[str, str] | None = None) -> Accounts:
    """Every account of the configuration, each with its own Settings."""
    import os

    environ = dict(os.environ if env is None else env)
    base = load_settings(config, env=environ)
    tables = cast(dict[str, Any], base.raw.get("accounts", {}))
    if not tables:
        return Accounts((Account(DEFAULT, DEFAULT, base, "KNOWBE4_API_KEY or the OS keyring"),), configured=False)
    return Accounts(
        tuple(_account(base, name, cast(dict[str, Any], table), environ) for name, table in tables.items()),
        configured=True,
    )


def account_settings(config: Path | str | None, name: str | None, *, env: Mapping[str, str] | None = None) -> Settings:
    """The Settings of the account named (or the only one): what a command run with `--account NAME` uses."""
    return load_accounts(config, env=env).choose(name).settings


def _account(base: Settings, name: str, table: dict[str, Any], env: Mapping[str, str]) -> Account:
    source = str(base.config_path)
    where = f"[accounts.{name}]"
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(
            f"{where} in {source}: an account name is lower-case letters, digits, - and _ (at most 63)",
            'rename it, e.g. [accounts.acme] with title = "Acme Corp." for people',
        )
    kb4 = cast(dict[str, Any], base.raw.get("knowbe4", {}))
    if "base_url" in table:
        base_url, region = resolve_base_url(
            table.get("region"),
            table["base_url"],
            explicit=bool(table.get("allow_custom_base_url", False)),
            origin=f"{where} base_url in {source}",
        )
    else:
        region_key = table.get("region") or kb4.get("region")
        if region_key is None and kb4.get("base_url"):
            raise ConfigError(
                f"{where} in {source} has no region or base_url",
                "each account names its own (a token works only in its account's region)",
            )
        base_url, region = resolve_base_url(region_key, None)
    token, token_source = _token(name, table, env)
    limits_table = {**cast(dict[str, Any], kb4.get("limits", {})), **cast(dict[str, Any], table.get("limits", {}))}
    if env.get("TRAINPROOF_TIME_SCALE"):
        limits_table["time_scale"] = base.limits.time_scale  # already checked by load_settings
    settings = replace(
        base,
        base_url=base_url,
        region=region,
        token=token,
        limits=limits_from(limits_table),
        state_dir=base.state_dir / "accounts" / name,
        raw=_effective(base.raw, table),
        account=name,
    )
    return Account(name, str(table.get("title") or name), settings, token_source)


def _token(name: str, table: dict[str, Any], env: Mapping[str, str]) -> tuple[Secret | None, str]:
    variable = table.get("token_env")
    entry = table.get("token_keyring")
    if variable is None and entry is None:
        variable = "KNOWBE4_API_KEY__" + re.sub(r"[^A-Z0-9]", "_", name.upper())
    if variable is not None:
        value = env.get(str(variable), "").strip()
        if value:
            return Secret(value), str(variable)
    if entry is not None:
        found = token_from_keyring(str(entry))
        source = f"keyring entry trainproof/{entry}"
        return found, source if variable is None else f"{variable} or {source}"
    return None, str(variable)


def _effective(raw: Mapping[str, Any], table: Mapping[str, Any]) -> dict[str, Any]:
    """The file as this account sees it: its trainings, scope and limits over the top-level ones."""
    doc: dict[str, Any] = {k: v for k, v in raw.items() if k != "accounts"}
    trainings = {k: dict(v) for k, v in cast(dict[str, dict[str, Any]], raw.get("trainings", {})).items()}
    for key, own in cast(dict[str, dict[str, Any]], table.get("trainings", {})).items():
        inherited = trainings.get(key, {})
        if any(r in own for r in _RENEWALS):
            inherited = {k: v for k, v in inherited.items() if k not in _RENEWALS}
        trainings[key] = {**inherited, **own}
    if trainings:
        doc["trainings"] = trainings
    scope = {**cast(dict[str, Any], raw.get("scope", {})), **cast(dict[str, Any], table.get("scope", {}))}
    if scope:
        doc["scope"] = scope
    kb4 = dict(cast(dict[str, Any], raw.get("knowbe4", {})))
    kb4.pop("base_url", None)
    kb4.pop("allow_custom_base_url", None)
    kb4["limits"] = {**cast(dict[str, Any], kb4.get("limits", {})), **cast(dict[str, Any], table.get("limits", {}))}
    doc["knowbe4"] = kb4
    return doc
