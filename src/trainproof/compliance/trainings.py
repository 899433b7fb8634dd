"""The configuration of trainings: which campaigns make up which training, and who is in scope.

Not called a policy: KnowBe4 already has policies (documents people acknowledge, `client.models.Policy`).

Parsed from the `[trainings.*]` and `[scope]` tables of trainproof.toml (`Settings.raw`). Every mistake
raises `ConfigError` with one line that names the key and shows what to write, because the person
reading it is editing a config file, not debugging Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from trainproof.compliance.deadline import AnnualDate
from trainproof.compliance.facts import Campaign
from trainproof.compliance.frameworks import FRAMEWORK_IDS
from trainproof.config import Settings
from trainproof.config_keys import reject_unknown_keys
from trainproof.errors import ConfigError
from trainproof.selection import CampaignRef, Catalog, campaign_refs

# The trainings Drata automates with KnowBe4 (Security Awareness, HIPAA, AI Awareness), with the titles
# and frameworks they get when the config is silent.
KNOWN_TRAININGS: dict[str, str] = {
    "security_awareness": "Security Awareness Training",
    "hipaa": "HIPAA Training",
    "ai_awareness": "AI Awareness Training",
}
DEFAULT_FRAMEWORKS: dict[str, tuple[str, ...]] = {
    "security_awareness": ("soc2", "iso27001"),
    "hipaa": ("hipaa",),
    "ai_awareness": ("nist_ai_rmf",),
}

_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class Training:
    """One training requirement: complete every selected campaign you are enrolled in.

    `campaigns` holds ids or exact names as written in the config until `resolve_campaigns` turns
    each into the id of the one campaign it selects.
    """

    key: str
    title: str
    campaigns: tuple[CampaignRef, ...] = ()
    renew_every_days: int | None = None
    renew_on: AnnualDate | None = None  # a fixed renewal date each year; never set with renew_every_days
    new_hire_grace_days: int | None = None
    frameworks: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        return all(isinstance(c, int) for c in self.campaigns)

    @property
    def campaign_ids(self) -> tuple[int, ...]:
        """The selected campaign ids; only valid once names are resolved."""
        if not self.resolved:
            raise ValueError(f"training {self.key} still names campaigns; call resolve_campaigns first")
        return tuple(c for c in self.campaigns if isinstance(c, int))


@dataclass(frozen=True, slots=True)
class Scope:
    """People left out of the population (service accounts, contractors' groups...)."""

    exclude_groups: frozenset[int] = frozenset()
    exclude_emails: frozenset[str] = frozenset()  # lower-cased


@dataclass(frozen=True, slots=True)
class TrainingsConfig:
    """The `[trainings.*]` and `[scope]` tables of trainproof.toml, checked."""

    trainings: tuple[Training, ...] = ()
    scope: Scope = Scope()

    @property
    def resolved(self) -> bool:
        return all(t.resolved for t in self.trainings)

    def training(self, key: str) -> Training:
        for t in self.trainings:
            if t.key == key:
                return t
        raise ConfigError(f"unknown training '{key}'", _one_of([t.key for t in self.trainings], "[trainings.*]"))

    def only(self, keys: Iterable[str] | None) -> TrainingsConfig:
        """The same configuration restricted to some trainings (e.g. `--training hipaa`); None keeps all."""
        if keys is None:
            return self
        wanted = list(dict.fromkeys(keys))
        return replace(self, trainings=tuple(self.training(k) for k in wanted))


def parse_trainings(raw: Mapping[str, Any], *, source: str = "trainproof.toml") -> TrainingsConfig:
    """Build the configuration from the parsed TOML document (`Settings.raw`)."""
    trainings_raw = _table(raw.get("trainings", {}))
    if trainings_raw is None:
        raise ConfigError(
            f"[trainings] in {source} must be a table of trainings",
            'write [trainings.security_awareness] with campaigns = [101, "Campaign name"]',
        )
    trainings = tuple(_parse_training(str(key), value, source) for key, value in trainings_raw.items())
    return TrainingsConfig(trainings=trainings, scope=_parse_scope(raw.get("scope", {}), source))


def load_trainings(settings: Settings) -> TrainingsConfig:
    """The trainings configured in the loaded trainproof.toml."""
    return parse_trainings(settings.raw, source=str(settings.config_path or "trainproof.toml"))


def resolve_campaigns(trainings_config: TrainingsConfig, campaigns: Sequence[Campaign]) -> TrainingsConfig:
    """Every training's campaign references turned into ids against `campaigns` (the store's, as of
    the date judged), through the one resolver the sync uses too (`trainproof.selection`).

    A reference that selects no campaign, or a name that selects several, raises SelectionError (a
    ConfigError): nothing can be judged against it.
    """
    catalog = Catalog.of((c.campaign_id, c.name) for c in campaigns)
    trainings = tuple(replace(t, campaigns=catalog.resolve_all(t.key, t.campaigns)) for t in trainings_config.trainings)
    return replace(trainings_config, trainings=trainings)


def _parse_training(key: str, value: object, source: str) -> Training:
    where = f"[trainings.{key}]"
    if not _KEY_RE.match(key):
        raise ConfigError(
            f"{where} in {source}: '{key}' is not a usable training key",
            "use letters, digits, _ or -, starting with a letter, e.g. [trainings.gdpr_awareness]",
        )
    table = _table(value)
    if table is None:
        raise ConfigError(
            f"{where} in {source} must be a table", f"write {where} on its own line, then campaigns = [...]"
        )
    reject_unknown_keys("trainings.*", table, source, shown=f"trainings.{key}")

    title = table.get("title", KNOWN_TRAININGS.get(key, key.replace("_", " ").replace("-", " ").title()))
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(f"{where} title must be text", f'write title = "{KNOWN_TRAININGS.get(key, "My Training")}"')

    campaigns = campaign_refs(where, table.get("campaigns", []))

    renew = _days(where, table, "renew_every_days", minimum=1, example=365)
    renew_on = _annual_date(where, table, "renew_on")
    if renew is not None and renew_on is not None:
        raise ConfigError(
            f"{where} sets both renew_every_days and renew_on: compliance renews one way",
            "keep renew_every_days (N days after completion) or renew_on (a fixed date each year), not both",
        )
    grace = _days(where, table, "new_hire_grace_days", minimum=0, example=30)

    frameworks_raw = _list(table.get("frameworks", list(DEFAULT_FRAMEWORKS.get(key, ()))))
    if frameworks_raw is None or not all(isinstance(f, str) for f in frameworks_raw):
        raise ConfigError(
            f"{where} frameworks must be a list of names", f"write frameworks = {_toml_list(FRAMEWORK_IDS)}"
        )
    frameworks = [str(f) for f in frameworks_raw]
    for f in frameworks:
        if f not in FRAMEWORK_IDS:
            raise ConfigError(f"{where} frameworks has unknown framework '{f}'", _one_of(FRAMEWORK_IDS, "frameworks"))

    return Training(
        key=key,
        title=title.strip(),
        campaigns=campaigns,
        renew_every_days=renew,
        renew_on=renew_on,
        new_hire_grace_days=grace,
        frameworks=tuple(dict.fromkeys(frameworks)),
    )


def _days(where: str, table: Mapping[str, object], name: str, *, minimum: int, example: int) -> int | None:
    value = table.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        least = "a positive" if minimum > 0 else "a non-negative"
        raise ConfigError(
            f"{where} {name} = {value!r} is not {least} whole number of days",
            f"write e.g. {name} = {example}, or remove the line",
        )
    return value


def _annual_date(where: str, table: Mapping[str, object], name: str) -> AnnualDate | None:
    value = table.get(name)
    if value is None:
        return None
    found = AnnualDate.parse(value) if isinstance(value, str) else None
    if found is None:
        raise ConfigError(
            f"{where} {name} = {_shown(value)} is not a day of the year as MM-DD",
            f'write e.g. {name} = "01-15" (02-29 falls on 02-28 in common years), or remove the line',
        )
    return found


def _shown(value: object) -> str:
    """A value from the config file quoted for an error line, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _parse_scope(value: object, source: str) -> Scope:
    table = _table(value)
    if table is None:
        raise ConfigError(
            f"[scope] in {source} must be a table", "write [scope] on its own line, then exclude_groups = [...]"
        )
    reject_unknown_keys("scope", table, source)
    groups = _list(table.get("exclude_groups", []))
    if groups is None or not all(isinstance(g, int) and not isinstance(g, bool) for g in groups):
        raise ConfigError("[scope] exclude_groups must be a list of KnowBe4 group ids", "write exclude_groups = [4567]")
    emails = _list(table.get("exclude_emails", []))
    if emails is None or not all(isinstance(e, str) and "@" in e for e in emails):
        raise ConfigError(
            "[scope] exclude_emails must be a list of email addresses",
            'write exclude_emails = ["svc-scanner@example.com"]',
        )
    return Scope(
        exclude_groups=frozenset(g for g in groups if isinstance(g, int)),
        exclude_emails=frozenset(str(e).strip().lower() for e in emails),
    )


def _table(value: object) -> Mapping[str, object] | None:
    """`value` as a TOML table, or None when it is something else."""
    return cast("Mapping[str, object]", value) if isinstance(value, Mapping) else None


def _list(value: object) -> list[object] | None:
    """`value` as a TOML array, or None when it is something else."""
    return cast("list[object]", value) if isinstance(value, list) else None


def _one_of(options: Sequence[str], what: str) -> str:
    if not options:
        return f"none are configured; add {what} to trainproof.toml"
    return "use one of: " + ", ".join(options)


def _toml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"
