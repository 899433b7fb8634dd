"""Which KnowBe4 region a Reporting API token belongs to, found by asking each region's `/v1/account`.

KnowBe4 runs one server per region (us, eu, ca, uk, de) and a token of one region fails on another
exactly like a bad token (401), so `trainproof init` asks each in turn and says which answered. A 403
stops the search: the token is known there, but the account has no Reporting API (KnowBe4 sells it with
Platinum and Diamond) or the token lacks the permission, which the client's error explains.

`TRAINPROOF_REGION_URLS` ("us=http://127.0.0.1:8001,eu=http://127.0.0.1:8002") replaces the five
servers by local simulators, for tests and demonstrations of this very search. Every URL in it must
be a loopback address: were it any other host, a trainproof.toml or a shell profile could send a real
token to a server of someone else's choosing, so anything else is refused before a request is made.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from trainproof.base_url import REGIONS, check_base_url
from trainproof.client import Account, APIConnectionError, AuthError, KnowBe4Client
from trainproof.config import Secret, Settings
from trainproof.errors import ConfigError

__all__ = ["REGION_URLS_ENV", "RegionFound", "account_at", "find_region", "region_urls"]

REGION_URLS_ENV = "TRAINPROOF_REGION_URLS"


@dataclass(frozen=True, slots=True)
class RegionFound:
    """The region whose server accepted the token, its base URL and the account it answered with."""

    region: str
    base_url: str
    account: Account


def region_urls(environ: Mapping[str, str]) -> dict[str, str]:
    """The five regions' API servers, or the loopback stand-ins `TRAINPROOF_REGION_URLS` names."""
    spec = environ.get(REGION_URLS_ENV, "").strip()
    if not spec:
        return dict(REGIONS)
    urls: dict[str, str] = {}
    for part in spec.split(","):
        region, sep, url = part.partition("=")
        region = region.strip().lower()
        if not sep or region not in REGIONS:
            raise ConfigError(
                f"{REGION_URLS_ENV} has {part.strip()[:40]!r}, not REGION=URL",
                f"e.g. {REGION_URLS_ENV}=us=http://127.0.0.1:8001,eu=http://127.0.0.1:8002",
            )
        if not _loopback(url.strip()):
            raise ConfigError(
                f"{REGION_URLS_ENV} {region} is not a loopback address",
                "it replaces KnowBe4's servers by local simulators only (127.0.0.1, ::1 or localhost)",
            )
        urls[region] = check_base_url(url, explicit=False, origin=f"{REGION_URLS_ENV} {region}")
    return urls


def _loopback(url: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _quick(settings: Settings) -> Settings:
    """Settings for one probe: an unanswered region is reported in seconds, not after minutes of retries."""
    limits = dataclasses.replace(
        settings.limits, retry_attempts=2, retry_budget_s=10.0, timeout_s=10.0, request_deadline_s=20.0
    )
    return dataclasses.replace(settings, limits=limits)


async def account_at(settings: Settings, base_url: str, token: Secret) -> Account:
    """`/v1/account` at `base_url` with `token`: AuthError (401), ForbiddenError (403) or the account."""
    async with KnowBe4Client(_quick(settings), base_url=base_url, token=token) as kb4:
        return await kb4.account()


async def find_region(
    settings: Settings,
    token: Secret,
    urls: Mapping[str, str],
    tried: Callable[[str, str], None] = lambda region, outcome: None,
) -> RegionFound:
    """The first region, in KnowBe4's order, whose server accepts `token`; `tried(region, outcome)` hears each.

    A 403 (ForbiddenError) is raised as it is: the token belongs there, the account cannot use the API.
    """
    for region, url in urls.items():
        try:
            account = await account_at(settings, url, token)
        except AuthError:
            tried(region, "token not known there")
            continue
        except APIConnectionError:
            tried(region, "no answer")
            continue
        tried(region, "accepted the token")
        return RegionFound(region=region, base_url=url, account=account)
    raise ConfigError(
        f"no KnowBe4 region ({', '.join(urls)}) accepted the token",
        "check it in KnowBe4 (Account Settings > Account Integrations > API > Reporting API), or pass --region",
    )
