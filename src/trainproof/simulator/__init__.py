"""A faithful local KnowBe4 Reporting API, for tests, the demo and anyone without a Platinum key.

Same paths under `/v1`, query parameters, payload shapes, pagination (page and cursor), limits and errors
as the research notes on the real API describe (`shared/reference/knowbe4_api.md`; where they say
[INFERENCE], the inference is implemented). The simulator builds its payloads itself and imports
nothing from `trainproof.client`.

Python API::

    from trainproof.simulator import Simulator, generate_tenant

    tenant = generate_tenant(users=200, seed=1)          # deterministic: same seed, same JSON
    with Simulator(tenant, token="sim-token", limits="off") as sim:
        sim.base_url                                     # "http://127.0.0.1:<free port>"
        sim.token, sim.headers                           # "sim-token", {"Authorization": "Bearer sim-token"}
        sim.stats.count("/v1/training/enrollments")      # requests so far (sim.stats is a snapshot)
        sim.tenant.update("enrollments", 1425001, status="Passed")   # visible to the next request
        sim.set_faults({"kind": "status", "status": 503, "times": 2})
        sim.configure(platinum=False)                    # every request now 403
        sim.reset_limits(); sim.reset()

`Simulator(tenant=None, *, host="127.0.0.1", port=0, token="sim-token", limits="real" | "off",
time_scale=1.0, rate_limits=RateLimits(), retry_after=False, invalid_token_status=401, platinum=True,
cursor_everywhere=False, cursor_style="both" | "body" | "header", faults=None, users=200, seed=1)`:
`tenant` may be a `Tenant`, its dict form, or a JSON file path (re-read whenever it changes).

- `generate_tenant(users=200, seed=1, *, reference_date=date(2026, 11, 1), seats=None) -> Tenant`
- `Tenant.from_dict(d)`, `Tenant.load(path)`, `tenant.dump(path)`, `tenant.to_dict()`,
  `tenant.count(kind)`, `tenant.get(kind, id)`, `tenant.records(kind)`; changes (thread-safe):
  `upsert(kind, *records)`, `update(kind, id, **fields)`, `delete(kind, *ids)`, `set_account(dict)`,
  `update_account(**fields)`, `set_risk_score_history(scope, entries, id)`, `replace(other)`,
  `apply(ops)`. Kinds: users, groups, training_campaigns, store_purchases, policies, enrollments,
  phishing_campaigns, security_tests, recipients.
- `create_app(tenant=None, *, token=..., faults=None, **options) -> SimulatorApp`: the ASGI app, for
  `httpx2.ASGITransport(app=...)` in process.
- Faults: `FaultRule`, `parse_faults(spec)`; the spec format is in `trainproof.simulator.faults`.
- Admin endpoints (no token, not counted): `ADMIN_HELP` lists them (`GET /_admin/help` too):
  `/_admin/stats`, `/_admin/reset`, `/_admin/faults`, `/_admin/tenant`, `/_admin/mutate`,
  `/_admin/reload`, `/_admin/config`, `/_admin/health`.

Behaviour, briefly: Bearer token or 401 `{"message": "Invalid Token"}` (200 with
`invalid_token_status=200`, the 2021 quirk); `platinum=False` gives 403 everywhere; unknown ids 404
`{"message": "... not found"}`; non-GET 405; `X-Request-Id` and `Content-Type: application/json;
charset=utf-8` on every response. Page mode (default 100, 1..500 per page, `[]` past the end); cursor mode
on enrollments (everywhere with `cursor_everywhere=True`): `{"data", "pagination": {"per_page",
"next_cursor"}}` plus `X-Next-Cursor`, null/"" on the last page, 400 for a cursor never issued. Training
campaigns without `exclude_percentages=true`: only the first 10, with `completion_percentage`. Limits
(`limits="real"`): 4/s, 50/min then a ~5 min lockout, 2,000 + seats per day from the first request; 429
`{"message": ...}`, Retry-After only with `retry_after=True`; `time_scale` shrinks every duration.
"""

from __future__ import annotations

from trainproof.simulator.app import ADMIN_HELP, DEFAULT_TOKEN, SimulatorApp, SimulatorOptions, create_app
from trainproof.simulator.dataset import Tenant
from trainproof.simulator.faults import FAULT_KINDS, FaultRule, FaultSpecError, parse_faults
from trainproof.simulator.generator import REFERENCE_DATE, generate_tenant
from trainproof.simulator.kinds import HISTORY_KEYS, KINDS, PRIMARY_KEYS, TENANT_KEYS, TenantError
from trainproof.simulator.limits import RateLimits
from trainproof.simulator.server import Simulator, SimulatorStartError
from trainproof.simulator.stats import RequestRecord, StatsSnapshot
from trainproof.simulator.synthetic.campaigns import DEMO_CAMPAIGN_NAMES

__all__ = [
    "ADMIN_HELP",
    "DEFAULT_TOKEN",
    "DEMO_CAMPAIGN_NAMES",
    "FAULT_KINDS",
    "HISTORY_KEYS",
    "KINDS",
    "PRIMARY_KEYS",
    "REFERENCE_DATE",
    "TENANT_KEYS",
    "FaultRule",
    "FaultSpecError",
    "RateLimits",
    "RequestRecord",
    "Simulator",
    "SimulatorApp",
    "SimulatorOptions",
    "SimulatorStartError",
    "StatsSnapshot",
    "Tenant",
    "TenantError",
    "create_app",
    "generate_tenant",
    "parse_faults",
]
