"""Vanta: every decision of a training as a `UserSecurityTrainingStatus` resource, pushed whole.

Vanta documents the sync (`PUT /v1/resources/user_security_training_status`, developer.vanta.com) as a
"state of the world" replacement: a record missing from the next sync is deleted in Vanta. So a push
always carries the whole population of every training that shares the resource, never a page of it,
and an empty population is refused before anything is sent (it would delete every record there).

Authorisation is OAuth client credentials (`POST /oauth/token`, scope `connectors.self:write-resource`)
with VANTA_CLIENT_ID and VANTA_CLIENT_SECRET; the access token lives for the push only. Timestamps are
RFC 3339 in whole seconds, as Vanta's FAQ asks; a field with no value is left out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx2

from trainproof.compliance.decision import Decision
from trainproof.compliance.trainings import TrainingsConfig
from trainproof.config import Secret, Settings
from trainproof.errors import ConfigError
from trainproof.evidence import PersonRecord
from trainproof.exports._common import exports_table, population, require_secret, rfc3339
from trainproof.exports._errors import ExportAuthError, ExportRefused, PlatformError
from trainproof.exports._http import Platform, PlatformClient, check_override
from trainproof.judging import Judged

__all__ = [
    "RESOURCE_PATH",
    "TOKEN_PATH",
    "VantaPush",
    "push_to_vanta",
    "resource_groups",
    "vanta_platform",
    "vanta_pushes",
]

VANTA_URL = "https://api.vanta.com"
TOKEN_PATH = "/oauth/token"  # noqa: S105  # a path, not a password
RESOURCE_PATH = "/v1/resources/user_security_training_status"
SCOPE = "connectors.self:write-resource"

# trainproof's frameworks as Vanta's `frameworksFulfilled` names them (the values its documentation and
# integrations show); a framework Vanta does not name there is left out rather than guessed.
VANTA_FRAMEWORKS = {"soc2": "SOC2", "iso27001": "ISO27001"}

# Where a person's training lives in KnowBe4, by region (the console, not the API).
CONSOLE_HOSTS = {
    "us": "training.knowbe4.com",
    "eu": "eu.knowbe4.com",
    "ca": "ca.knowbe4.com",
    "uk": "uk.knowbe4.com",
    "de": "de.knowbe4.com",
}

_RESOURCE_HELP = (
    'add [exports.vanta] resource_id = "..." to trainproof.toml: the id of your UserSecurityTrainingStatus '
    "resource (Vanta > Settings > Developer Console > your application > Resources)"
)


def vanta_platform() -> Platform:
    """api.vanta.com, or VANTA_BASE_URL (e.g. a proxy, or a stand-in on 127.0.0.1)."""
    override = os.environ.get("VANTA_BASE_URL", "").strip()
    base = check_override(override, "VANTA_BASE_URL") if override else VANTA_URL
    return Platform(
        name="Vanta",
        base_url=base,
        credentials="check VANTA_CLIENT_ID and VANTA_CLIENT_SECRET (Vanta > Settings > Developer Console)",
        licence=f"the application needs the scope {SCOPE} and the resource must belong to it",
    )


def _resource_id(settings: Settings, training: str) -> str | None:
    own = exports_table(settings, "vanta", "trainings", training).get("resource_id")
    shared = exports_table(settings, "vanta").get("resource_id")
    chosen = own if isinstance(own, str) and own.strip() else shared
    return chosen.strip() if isinstance(chosen, str) and chosen.strip() else None


def resource_groups(settings: Settings, policy: TrainingsConfig, chosen: Sequence[str] | None) -> dict[str, list[str]]:
    """Resource id -> the trainings pushed to it, refusing a choice that would leave a sharer out.

    Vanta replaces every record of a resource on each push: pushing one training into a resource that
    other trainings share would delete theirs.
    """
    ids = {t.key: _resource_id(settings, t.key) for t in policy.trainings}
    wanted = list(ids) if chosen is None else list(dict.fromkeys(chosen))
    groups: dict[str, list[str]] = {}
    for key in wanted:
        policy.training(key)  # an unknown key is a ConfigError naming the known ones
        rid = ids[key]
        if rid is None:
            raise ConfigError(f"no Vanta resource id for training '{key}'", _RESOURCE_HELP)
        sharers = [k for k, r in ids.items() if r == rid]
        left_out = [k for k in sharers if k not in wanted]
        if left_out:
            raise ConfigError(
                f"training '{key}' shares Vanta resource {rid} with {', '.join(left_out)}, and Vanta replaces every "
                "record of a resource on each push",
                "push them together (leave out --training), or give the training a resource of its own: "
                f'[exports.vanta.trainings.{key}] resource_id = "..."',
            )
        groups[rid] = sharers
    return groups


@dataclass(frozen=True, slots=True)
class VantaPush:
    """One sync-all call: the resource and every record it must hold afterwards."""

    resource_id: str
    trainings: tuple[str, ...]
    resources: tuple[dict[str, Any], ...]

    def body(self) -> dict[str, Any]:
        """Exactly the JSON body sent."""
        return {"resourceId": self.resource_id, "resources": list(self.resources)}


def _record(decision: Decision, person: PersonRecord, frameworks: Sequence[str], console: str) -> dict[str, Any]:
    created = [e.enrollment_date for c in person.campaigns for e in c.enrollments if e.enrollment_date is not None]
    name = " ".join(decision.name.split()) or decision.email
    fields: dict[str, Any] = {
        "uniqueId": f"{decision.training}:{decision.user_id}",
        "displayName": f"{name} - {decision.title}",
        "externalUrl": f"https://{console}/",
        "trainingId": decision.training,
        "trainingName": decision.title,
        "frameworksFulfilled": [VANTA_FRAMEWORKS[f] for f in frameworks if f in VANTA_FRAMEWORKS],
        "traineeFullName": name,
        "traineeAccountName": decision.email,
        "traineeEmail": decision.email,
        "status": "COMPLETE" if decision.compliant else "INCOMPLETE",
        "trainingCreatedTimestamp": rfc3339(min(created)) if created else None,
        "trainingDueTimestamp": rfc3339(decision.due_date),
        "trainingCompletedTimestamp": rfc3339(decision.compliant_since) if decision.compliant else None,
    }
    return {k: v for k, v in fields.items() if v is not None}


def vanta_pushes(judged: Judged, settings: Settings, groups: dict[str, list[str]]) -> list[VantaPush]:
    """The calls a push makes, one per resource, each with the whole population of its trainings.

    Raises ExportRefused when a training has no one in scope (its records would all be deleted in Vanta):
    nothing is sent at all then.
    """
    console = CONSOLE_HOSTS.get(settings.region, CONSOLE_HOSTS["us"])
    pushes: list[VantaPush] = []
    for rid, trainings in groups.items():
        resources: list[dict[str, Any]] = []
        for key in trainings:
            spec = judged.evaluation.trainings_config.training(key)
            decisions, records = population(judged, key)
            if not decisions:
                raise ExportRefused(
                    f"no one is in scope for {key}: a push would delete every {key} record of Vanta resource {rid}",
                    "nothing was sent; check that the store is synced (`trainproof sync`) and [scope] excludes no "
                    "one by mistake",
                )
            resources.extend(_record(d, r, spec.frameworks, console) for d, r in zip(decisions, records, strict=True))
        pushes.append(VantaPush(rid, tuple(trainings), tuple(resources)))
    return pushes


async def _access_token(client: PlatformClient, client_id: Secret, client_secret: Secret) -> Secret:
    body = {
        "client_id": client_id.get(),
        "client_secret": client_secret.get(),
        "scope": SCOPE,
        "grant_type": "client_credentials",
    }
    what = "exchange the client credentials for an access token"
    response = await client.send("POST", TOKEN_PATH, what=what, idempotent=True, json=body)
    if response.status_code in (400, 401):  # OAuth answers invalid_client with either (RFC 6749 5.2)
        raise ExportAuthError(
            f"Vanta rejected the client credentials (HTTP {response.status_code})", client.platform.credentials
        )
    if response.status_code != 200:
        raise client.fail(response, what)
    token = _json(response).get("access_token")
    if not isinstance(token, str) or not token:
        raise PlatformError("Vanta's token answer holds no access_token", "try again later; if it persists, report it")
    return Secret(token)


def _json(response: httpx2.Response) -> dict[str, Any]:
    try:
        body: Any = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}  # pyright: ignore[reportUnknownVariableType]


async def push_to_vanta(
    pushes: Sequence[VantaPush], settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None
) -> int:
    """Send every push; returns the records sent. The first failure stops, naming what was not sent."""
    client_id = require_secret("VANTA_CLIENT_ID", "Vanta > Settings > Developer Console > your application")
    client_secret = require_secret("VANTA_CLIENT_SECRET", "generated once in the same place")
    sent = 0
    async with PlatformClient(vanta_platform(), time_scale=settings.limits.time_scale, transport=transport) as client:
        token = await _access_token(client, client_id, client_secret)
        for push in pushes:
            what = f"replace the {len(push.resources)} records of resource {push.resource_id}"
            response = await client.send(
                "PUT",
                RESOURCE_PATH,
                what=what,
                idempotent=True,  # a full replacement: sending it twice leaves the same state
                headers={"Authorization": f"Bearer {token.get()}"},
                json=push.body(),
            )
            if response.status_code == 404:
                raise ConfigError(f"Vanta has no resource {push.resource_id} for this application", _RESOURCE_HELP)
            if not 200 <= response.status_code < 300:
                raise client.fail(response, what)
            sent += len(push.resources)
    return sent
