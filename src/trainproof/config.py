"""Settings: where KnowBe4 is, where the store is, and the trainproof.toml tables.

Precedence: environment variables, then trainproof.toml (`--config PATH`, `TRAINPROOF_CONFIG`, or
./trainproof.toml), then defaults. The API token is read only from `KNOWBE4_API_KEY` or the OS keyring,
never from a file, and is held in a `Secret` whose repr and str hide it. Every table and key of the
file is declared in `config_keys` (a typo is an error, not a silent default), and the base URL the token
goes to follows `base_url`'s rule (KnowBe4 or loopback unless asked for explicitly, never link-local).
"""

from __future__ import annotations

import hashlib
import math
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from trainproof.base_url import REGIONS, check_base_url
from trainproof.config_keys import check_document
from trainproof.errors import ConfigError

KEYRING_SERVICE = "trainproof"
KEYRING_USERNAME = "KNOWBE4_API_KEY"
DEFAULT_DATABASE_URL = "sqlite:///trainproof.db"


class Secret:
    """A string that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def fingerprint(self) -> str:
        """A short one-way id, to key per-token state (daily usage) without storing the token."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Limits:
    """Client-side pacing, kept under KnowBe4's published limits.

    `time_scale` shrinks every window (0.01 makes a minute last 0.6 s) so tests can exercise the
    limiter against a simulator scaled the same way; 1.0 in real use.
    """

    per_second: float = 4.0
    per_minute: float = 50.0
    daily_base: int = 2000
    time_scale: float = 1.0
    timeout_s: float = 30.0
    retry_budget_s: float = 300.0
    retry_attempts: int = 8
    request_deadline_s: float = 120.0
    max_response_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything trainproof reads from the environment and trainproof.toml."""

    base_url: str
    region: str
    token: Secret | None
    database_url: str
    state_dir: Path
    limits: Limits
    config_path: Path | None
    raw: dict[str, Any] = field(default_factory=dict[str, Any])
    account: str = "default"
    """The KnowBe4 account these settings are for ([accounts.NAME]; `default` in a single-account file)."""

    def require_token(self) -> Secret:
        if self.token is None:
            raise ConfigError(
                "no KnowBe4 API token",
                "set KNOWBE4_API_KEY (Account Settings > Account Integrations > API > Reporting API) "
                "or store it with `keyring set trainproof KNOWBE4_API_KEY`",
            )
        return self.token

    def table(self, name: str) -> dict[str, Any]:
        """A top-level table of trainproof.toml ({} when absent)."""
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] in {self.config_path} is not a table", "write it as [" + name + "]")
        return value  # type: ignore[return-value]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found", "check --config or TRAINPROOF_CONFIG") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc})", "fix the file and run again") from None


def token_from_keyring(username: str = KEYRING_USERNAME) -> Secret | None:
    """The token stored under (trainproof, `username`) in the OS keyring; None when absent or unreadable."""
    if os.environ.get("TRAINPROOF_NO_KEYRING"):
        return None
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, username)
    except Exception:  # any keyring backend failure means "no token there"
        return None
    return Secret(value) if value else None


def resolve_base_url(
    region: str | None, base_url: str | None, *, explicit: bool = True, origin: str = "KNOWBE4_BASE_URL"
) -> tuple[str, str]:
    """Return (base_url, region) from a region key or a base URL the token may be sent to (trainproof.base_url)."""
    reg = (region or "us").strip().lower()
    if base_url:
        return check_base_url(base_url, explicit=explicit, origin=origin), reg
    if reg not in REGIONS:
        raise ConfigError(
            f"unknown KnowBe4 region '{region}'",
            f"set KNOWBE4_REGION to one of {', '.join(REGIONS)} "
            "(from your console's host: training=us, eu, ca, uk, de)",
        )
    return REGIONS[reg], reg


def _env_number(name: str, text: str) -> float:
    """A positive, finite number from the environment (TOML's own values are checked by config_keys)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} '{text[:40]}' is not a positive number", f"e.g. {name}=0.01")
    return value


def limits_from(table: dict[str, Any]) -> Limits:
    """[knowbe4.limits] over the defaults; values were checked against config_keys.TABLES already."""
    defaults = Limits()
    values: dict[str, Any] = {}
    for f in fields(Limits):
        default = getattr(defaults, f.name)
        value = table.get(f.name, default)
        values[f.name] = float(value) if isinstance(default, float) else int(value)
    return Limits(**values)


def load_settings(config: Path | str | None = None, *, env: dict[str, str] | None = None) -> Settings:
    """Build Settings from the environment and the config file."""
    environ = os.environ if env is None else env
    path: Path | None = None
    if config is not None:
        path = Path(config)
    elif environ.get("TRAINPROOF_CONFIG"):
        path = Path(environ["TRAINPROOF_CONFIG"])
    elif Path("trainproof.toml").is_file():
        path = Path("trainproof.toml")
    raw: dict[str, Any] = _read_toml(path) if path is not None else {}
    source = str(path)
    check_document(raw, source)

    kb4: dict[str, Any] = raw.get("knowbe4", {})
    region_key = environ.get("KNOWBE4_REGION") or kb4.get("region")
    if environ.get("KNOWBE4_BASE_URL"):  # set in the environment: asked for on purpose
        base_url, region = resolve_base_url(region_key, environ["KNOWBE4_BASE_URL"])
    else:
        base_url, region = resolve_base_url(
            region_key,
            kb4.get("base_url"),
            explicit=kb4.get("allow_custom_base_url", False),
            origin=f"[knowbe4] base_url in {source}",
        )
    token_value = environ.get("KNOWBE4_API_KEY", "").strip()
    token = Secret(token_value) if token_value else token_from_keyring()

    store: dict[str, Any] = raw.get("store", {})
    database_url = environ.get("TRAINPROOF_DATABASE_URL") or str(store.get("url") or DEFAULT_DATABASE_URL)

    state_dir = Path(environ.get("TRAINPROOF_STATE_DIR") or Path.home() / ".local" / "state" / "trainproof")

    lim: dict[str, Any] = {**kb4.get("limits", {})}
    if environ.get("TRAINPROOF_TIME_SCALE"):
        lim["time_scale"] = _env_number("TRAINPROOF_TIME_SCALE", environ["TRAINPROOF_TIME_SCALE"])
    limits = limits_from(lim)

    return Settings(
        base_url=base_url,
        region=region,
        token=token,
        database_url=database_url,
        state_dir=state_dir,
        limits=limits,
        config_path=path,
        raw=raw,
    )
