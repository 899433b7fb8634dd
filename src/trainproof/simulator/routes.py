"""The Reporting API's endpoints (reference §2), in the documentation's order.

Each handler reads the tenant (the caller holds its lock) and returns the payload the real API would
send; auth, limits, faults and encoding are the app's job. Paths, query parameters and shapes follow the
reference; where it says [INFERENCE] the inference is implemented and noted here:

- by-id answers for phishing campaigns, security tests and recipients are arrays of one (as documented);
- `campaign_type=callback` lists only callback campaigns (and their tests and recipients); without it
  they are left out;
- risk score histories are not paginated (up to 1,000 entries); without `full=true` they hold the last
  six months before the newest entry;
- `expand=group` replaces the user's group ids by the group objects (the real shape is undocumented);
- `completion_percentage` is the rounded share of a campaign's enrollments that are Completed or Passed,
  unless the tenant gives one;
- without `exclude_percentages=true` the campaign list holds the first 10 campaigns only, whatever the
  page (page 2 and later are `[]` at the default page size).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from trainproof.simulator.dataset import Record, RecordTable, Tenant, normalize_id
from trainproof.simulator.faults import FaultRule, invented_records
from trainproof.simulator.generator import REFERENCE_DATE, derived_user_history
from trainproof.simulator.pagination import parse_paging, window

__all__ = ["ROUTES", "Context", "NotFound", "Result", "Route", "resolve"]

PERCENTAGE_CAP = 10
HISTORY_CAP = 1000
COMPLETE = frozenset({"completed", "passed"})


class NotFound(Exception):
    """Answered with 404 and `{"message": ...}`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Context:
    """One request as the handlers see it."""

    tenant: Tenant
    query: Mapping[str, str]
    cursor_everywhere: bool = False
    cursor_style: str = "both"
    transforms: Sequence[FaultRule] = ()

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").strip().lower() == "true"

    def fault(self, kind: str) -> FaultRule | None:
        return next((r for r in self.transforms if r.kind == kind), None)

    def table(self, kind: str) -> RecordTable:
        return self.tenant.tables[kind]


@dataclass
class Result:
    payload: Any
    headers: dict[str, str] = field(default_factory=dict[str, str])
    id_key: str | None = None


Handler = Callable[..., Result]


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    handler: Handler


# --- helpers --------------------------------------------------------------------------------------


def _listing(
    ctx: Context, rows: Sequence[int], render: Callable[[int], Record], id_key: str, *, cursor: bool = False
) -> Result:
    """One page of `rows` in page or cursor mode, with the repeat_page / cursor_loop / endless_pages
    faults applied."""
    paging = parse_paging(ctx.query, cursor_allowed=cursor or ctx.cursor_everywhere)
    loop = ctx.fault("cursor_loop")
    endless = ctx.fault("endless_pages") is not None and len(rows) > 0
    total = len(rows)
    win = window(total, paging, lenient=loop is not None or endless)
    start, end = win.start, win.end
    if ctx.fault("repeat_page") is not None and paging.offset >= paging.per_page:
        start = min(total, paging.offset - paging.per_page)
        end = min(total, start + paging.per_page)
    data = [render(r) for r in rows[start:end]]
    if endless and len(data) < paging.per_page:
        at = paging.offset + len(data)
        data += invented_records(render, rows, at, paging.per_page - len(data), id_key)
    if not paging.cursor:
        return Result(data, id_key=id_key)
    next_cursor = str(paging.offset + paging.per_page) if endless else win.next_cursor
    if loop is not None and next_cursor is None:
        if (loop.mode or "repeat") == "repeat":
            next_cursor = str(paging.offset)
        else:
            next_cursor = str(paging.offset + paging.per_page)
    headers: dict[str, str] = {}
    if ctx.cursor_style in ("both", "header"):
        headers["X-Next-Cursor"] = next_cursor or ""
    if ctx.cursor_style == "header":
        return Result(data, headers, id_key)
    envelope = {"data": data, "pagination": {"per_page": paging.per_page, "next_cursor": next_cursor}}
    return Result(envelope, headers, id_key)


def _row(ctx: Context, kind: str, record_id: str, label: str) -> int:
    row = ctx.table(kind).find(record_id)
    if row is None:
        raise NotFound(f"{label} not found")
    return row


def _index(table: RecordTable, name: str, key: str | None = None) -> dict[Hashable, list[int]]:
    field_name = key or name

    def keys(row: int) -> tuple[Hashable, ...]:
        return (normalize_id(table.value(row, field_name)),)

    return table.index(name, keys)


def _filtered(ctx: Context, key: Hashable, build: Callable[[], Sequence[int]]) -> Sequence[int]:
    return cast(Sequence[int], ctx.tenant.cached(key, build))


def _history_end(tenant: Tenant) -> date:
    for entry in reversed(tenant.account_risk_score_history):
        try:
            return date.fromisoformat(str(entry.get("date"))[:10])
        except ValueError:
            continue
    return REFERENCE_DATE


def _history(ctx: Context, entries: Sequence[Record]) -> Result:
    if ctx.flag("full"):
        return Result([dict(e) for e in entries[-HISTORY_CAP:]])
    dated: list[tuple[date | None, Record]] = []
    for entry in entries:
        try:
            dated.append((date.fromisoformat(str(entry.get("date"))[:10]), entry))
        except ValueError:
            dated.append((None, entry))
    known = [d for d, _ in dated if d is not None]
    if not known:
        return Result([dict(e) for e in entries[-HISTORY_CAP:]])
    cutoff = max(known) - timedelta(days=183)
    return Result([dict(e) for d, e in dated if d is None or d >= cutoff][-HISTORY_CAP:])


# --- account --------------------------------------------------------------------------------------


def account(ctx: Context) -> Result:
    return Result(dict(ctx.tenant.account))


def account_history(ctx: Context) -> Result:
    return _history(ctx, ctx.tenant.account_risk_score_history)


# --- users and groups -----------------------------------------------------------------------------


def _user_renderer(ctx: Context) -> Callable[[int], Record]:
    users = ctx.table("users")
    if ctx.query.get("expand", "").strip().lower() != "group":
        return users.render
    groups = ctx.table("groups")

    def render(row: int) -> Record:
        record = users.render(row)
        ids = record.get("groups")
        if isinstance(ids, list):
            expanded: list[Any] = []
            for gid in cast(list[Any], ids):
                grow = groups.find(gid)
                expanded.append(groups.render(grow) if grow is not None else {"id": gid})
            record["groups"] = expanded
        return record

    return render


def _group_members_index(ctx: Context) -> dict[Hashable, list[int]]:
    users = ctx.table("users")

    def keys(row: int) -> list[Hashable]:
        ids = users.value(row, "groups")
        return [normalize_id(g) for g in cast(list[Any], ids)] if isinstance(ids, list) else []

    return users.index("groups", keys)


def users_list(ctx: Context) -> Result:
    users = ctx.table("users")
    status = ctx.query.get("status")
    group = ctx.query.get("group_id")

    def build() -> Sequence[int]:
        rows: Sequence[int] = users.rows()
        if group is not None:
            rows = _group_members_index(ctx).get(normalize_id(group), [])
        if status is not None:
            rows = [r for r in rows if users.value(r, "status") == status.strip().lower()]
        return rows

    rows = _filtered(ctx, ("users", status, group), build)
    return _listing(ctx, rows, _user_renderer(ctx), "id")


def user(ctx: Context, user_id: str) -> Result:
    return Result(_user_renderer(ctx)(_row(ctx, "users", user_id, "User")), id_key="id")


def user_history(ctx: Context, user_id: str) -> Result:
    users = ctx.table("users")
    row = _row(ctx, "users", user_id, "User")
    key = str(normalize_id(users.value(row, "id")))
    entries = ctx.tenant.user_risk_score_history.get(key)
    if entries is None:
        uid = normalize_id(users.value(row, "id"))
        seed = uid if type(uid) is int else len(key)
        entries = derived_user_history(seed, users.value(row, "current_risk_score"), _history_end(ctx.tenant))
    return _history(ctx, entries)


def groups_list(ctx: Context) -> Result:
    groups = ctx.table("groups")
    status = ctx.query.get("status")

    def build() -> Sequence[int]:
        if status is None:
            return groups.rows()
        return [r for r in groups.rows() if groups.value(r, "status") == status.strip().lower()]

    return _listing(ctx, _filtered(ctx, ("groups", status), build), groups.render, "id")


def group(ctx: Context, group_id: str) -> Result:
    return Result(ctx.table("groups").render(_row(ctx, "groups", group_id, "Group")), id_key="id")


def group_members(ctx: Context, group_id: str) -> Result:
    groups = ctx.table("groups")
    row = _row(ctx, "groups", group_id, "Group")
    members = _group_members_index(ctx).get(normalize_id(groups.value(row, "id")), [])
    return _listing(ctx, members, _user_renderer(ctx), "id")


def group_history(ctx: Context, group_id: str) -> Result:
    groups = ctx.table("groups")
    row = _row(ctx, "groups", group_id, "Group")
    key = str(normalize_id(groups.value(row, "id")))
    entries = ctx.tenant.group_risk_score_history.get(key)
    if entries is None:
        gid = normalize_id(groups.value(row, "id"))
        seed = gid if type(gid) is int else len(key)
        entries = derived_user_history(seed, groups.value(row, "current_risk_score"), _history_end(ctx.tenant))
    return _history(ctx, entries)


# --- phishing -------------------------------------------------------------------------------------


def _wants_callback(ctx: Context) -> bool:
    return ctx.query.get("campaign_type", "").strip().lower() == "callback"


def _callback_campaigns(ctx: Context) -> frozenset[Hashable]:
    campaigns = ctx.table("phishing_campaigns")

    def build() -> frozenset[Hashable]:
        return frozenset(
            normalize_id(campaigns.value(r, "campaign_id"))
            for r in campaigns.rows()
            if str(campaigns.value(r, "campaign_type") or "").lower() == "callback"
        )

    return cast(frozenset[Hashable], ctx.tenant.cached("callback-campaigns", build))


def _phishing_renderer(ctx: Context) -> Callable[[int], Record]:
    campaigns = ctx.table("phishing_campaigns")

    def render(row: int) -> Record:
        record = campaigns.render(row)
        record.pop("campaign_type", None)
        return record

    return render


def phishing_campaigns(ctx: Context) -> Result:
    campaigns = ctx.table("phishing_campaigns")
    want = _wants_callback(ctx)
    callbacks = _callback_campaigns(ctx)

    def build() -> Sequence[int]:
        return [r for r in campaigns.rows() if (normalize_id(campaigns.value(r, "campaign_id")) in callbacks) == want]

    return _listing(ctx, _filtered(ctx, ("phishing", want), build), _phishing_renderer(ctx), "campaign_id")


def _phishing_row(ctx: Context, campaign_id: str) -> int:
    campaigns = ctx.table("phishing_campaigns")
    row = _row(ctx, "phishing_campaigns", campaign_id, "Campaign")
    is_callback = normalize_id(campaigns.value(row, "campaign_id")) in _callback_campaigns(ctx)
    if is_callback != _wants_callback(ctx):
        raise NotFound("Campaign not found")
    return row


def phishing_campaign(ctx: Context, campaign_id: str) -> Result:
    return Result([_phishing_renderer(ctx)(_phishing_row(ctx, campaign_id))], id_key="campaign_id")


def campaign_security_tests(ctx: Context, campaign_id: str) -> Result:
    campaigns = ctx.table("phishing_campaigns")
    row = _phishing_row(ctx, campaign_id)
    tests = ctx.table("security_tests")
    rows = _index(tests, "campaign_id").get(normalize_id(campaigns.value(row, "campaign_id")), [])
    return _listing(ctx, rows, tests.render, "pst_id")


def _test_in_scope(ctx: Context, tests: RecordTable, row: int) -> bool:
    return (normalize_id(tests.value(row, "campaign_id")) in _callback_campaigns(ctx)) == _wants_callback(ctx)


def security_tests(ctx: Context) -> Result:
    tests = ctx.table("security_tests")
    want = _wants_callback(ctx)

    def build() -> Sequence[int]:
        return [r for r in tests.rows() if _test_in_scope(ctx, tests, r)]

    return _listing(ctx, _filtered(ctx, ("tests", want), build), tests.render, "pst_id")


def _test_row(ctx: Context, pst_id: str) -> int:
    tests = ctx.table("security_tests")
    row = _row(ctx, "security_tests", pst_id, "Security test")
    if not _test_in_scope(ctx, tests, row):
        raise NotFound("Security test not found")
    return row


def security_test(ctx: Context, pst_id: str) -> Result:
    return Result([ctx.table("security_tests").render(_test_row(ctx, pst_id))], id_key="pst_id")


def recipients(ctx: Context, pst_id: str) -> Result:
    tests = ctx.table("security_tests")
    row = _test_row(ctx, pst_id)
    table = ctx.table("recipients")
    rows = _index(table, "pst_id").get(normalize_id(tests.value(row, "pst_id")), [])
    return _listing(ctx, rows, table.render, "recipient_id")


def recipient(ctx: Context, pst_id: str, recipient_id: str) -> Result:
    tests = ctx.table("security_tests")
    test_row = _test_row(ctx, pst_id)
    table = ctx.table("recipients")
    row = table.find(recipient_id)
    if row is None or normalize_id(table.value(row, "pst_id")) != normalize_id(tests.value(test_row, "pst_id")):
        raise NotFound("Recipient not found")
    return Result([table.render(row)], id_key="recipient_id")


# --- training -------------------------------------------------------------------------------------


def store_purchases(ctx: Context) -> Result:
    table = ctx.table("store_purchases")
    return _listing(ctx, table.rows(), table.render, "store_purchase_id")


def store_purchase(ctx: Context, store_purchase_id: str) -> Result:
    row = _row(ctx, "store_purchases", store_purchase_id, "Store purchase")
    return Result(ctx.table("store_purchases").render(row), id_key="store_purchase_id")


def policies(ctx: Context) -> Result:
    table = ctx.table("policies")
    return _listing(ctx, table.rows(), table.render, "policy_id")


def policy(ctx: Context, policy_id: str) -> Result:
    return Result(ctx.table("policies").render(_row(ctx, "policies", policy_id, "Policy")), id_key="policy_id")


def _enrollment_index(ctx: Context, name: str) -> dict[Hashable, list[int]]:
    table = ctx.table("enrollments")
    if name != "user_id":
        return _index(table, name)

    def keys(row: int) -> tuple[Hashable, ...]:
        user_obj = table.value(row, "user")
        return (normalize_id(cast(dict[str, Any], user_obj).get("id")) if isinstance(user_obj, dict) else None,)

    return table.index("user_id", keys)


def completion_percentage(ctx: Context, campaign_id: object) -> int:
    """Share of a campaign's enrollments that are Completed or Passed, in whole percent."""
    table = ctx.table("enrollments")
    key = normalize_id(campaign_id)

    def build() -> int:
        rows = _enrollment_index(ctx, "campaign_id").get(key, [])
        if not rows:
            return 0
        done = sum(1 for r in rows if str(table.value(r, "status") or "").lower() in COMPLETE)
        return round(100 * done / len(rows))

    return cast(int, ctx.tenant.cached(("percentage", key), build))


def _campaign_renderer(ctx: Context) -> Callable[[int], Record]:
    table = ctx.table("training_campaigns")
    exclude = ctx.flag("exclude_percentages")

    def render(row: int) -> Record:
        record = table.render(row)
        if exclude:
            record.pop("completion_percentage", None)
        elif "completion_percentage" not in record:
            record["completion_percentage"] = completion_percentage(ctx, record.get("campaign_id"))
        return record

    return render


def training_campaigns(ctx: Context) -> Result:
    table = ctx.table("training_campaigns")
    rows = table.rows()
    if not ctx.flag("exclude_percentages"):
        rows = rows[:PERCENTAGE_CAP]
    return _listing(ctx, rows, _campaign_renderer(ctx), "campaign_id")


def training_campaign(ctx: Context, campaign_id: str) -> Result:
    row = _row(ctx, "training_campaigns", campaign_id, "Campaign")
    return Result(_campaign_renderer(ctx)(row), id_key="campaign_id")


def _enrollment_renderer(ctx: Context) -> Callable[[int], Record]:
    table = ctx.table("enrollments")
    users = ctx.table("users")
    with_campaign = ctx.flag("include_campaign_id")
    with_purchase = ctx.flag("include_store_purchase_id")
    with_number = ctx.flag("include_employee_number")

    def render(row: int) -> Record:
        record = table.render(row)
        if not with_campaign:
            record.pop("campaign_id", None)
        if not with_purchase:
            record.pop("store_purchase_id", None)
        user_obj = record.get("user")
        if isinstance(user_obj, dict):
            shown = dict(cast(dict[str, Any], user_obj))
            if not with_number:
                shown.pop("employee_number", None)
            elif "employee_number" not in shown:
                urow = users.find(shown.get("id"))
                shown["employee_number"] = None if urow is None else users.value(urow, "employee_number")
            record["user"] = shown
        return record

    return render


def enrollments(ctx: Context) -> Result:
    table = ctx.table("enrollments")
    filters = {
        name: normalize_id(ctx.query[name].strip())
        for name in ("campaign_id", "user_id", "store_purchase_id")
        if ctx.query.get(name) is not None
    }
    exclude_archived = ctx.flag("exclude_archived_users")

    def build() -> Sequence[int]:
        rows: Sequence[int] = table.rows()
        rest = dict(filters)
        for name in ("campaign_id", "user_id", "store_purchase_id"):
            if name in rest:
                rows = _enrollment_index(ctx, name).get(rest.pop(name), [])
                break
        checks = [(_enrollment_index(ctx, name), value) for name, value in rest.items()]
        if checks:
            allowed = [set(index.get(value, [])) for index, value in checks]
            rows = [r for r in rows if all(r in s for s in allowed)]
        if exclude_archived:
            users = ctx.table("users")
            archived = {
                normalize_id(users.value(r, "id")) for r in users.rows() if users.value(r, "status") == "archived"
            }
            user_index = _enrollment_index(ctx, "user_id")
            dropped = {r for uid in archived for r in user_index.get(uid, [])}
            if dropped:
                rows = [r for r in rows if r not in dropped]
        return rows

    rows = _filtered(ctx, ("enrollments", tuple(sorted(filters.items(), key=str)), exclude_archived), build)
    return _listing(ctx, rows, _enrollment_renderer(ctx), "enrollment_id", cursor=True)


def enrollment(ctx: Context, enrollment_id: str) -> Result:
    row = _row(ctx, "enrollments", enrollment_id, "Enrollment")
    return Result(_enrollment_renderer(ctx)(row), id_key="enrollment_id")


# --- the table ------------------------------------------------------------------------------------

_TABLE: tuple[tuple[str, Handler], ...] = (
    ("/v1/account", account),
    ("/v1/account/risk_score_history", account_history),
    ("/v1/users", users_list),
    ("/v1/users/{user_id}", user),
    ("/v1/users/{user_id}/risk_score_history", user_history),
    ("/v1/groups", groups_list),
    ("/v1/groups/{group_id}", group),
    ("/v1/groups/{group_id}/members", group_members),
    ("/v1/groups/{group_id}/risk_score_history", group_history),
    ("/v1/phishing/campaigns", phishing_campaigns),
    ("/v1/phishing/campaigns/{campaign_id}", phishing_campaign),
    ("/v1/phishing/campaigns/{campaign_id}/security_tests", campaign_security_tests),
    ("/v1/phishing/security_tests", security_tests),
    ("/v1/phishing/security_tests/{pst_id}", security_test),
    ("/v1/phishing/security_tests/{pst_id}/recipients", recipients),
    ("/v1/phishing/security_tests/{pst_id}/recipients/{recipient_id}", recipient),
    ("/v1/training/store_purchases", store_purchases),
    ("/v1/training/store_purchases/{store_purchase_id}", store_purchase),
    ("/v1/training/policies", policies),
    ("/v1/training/policies/{policy_id}", policy),
    ("/v1/training/campaigns", training_campaigns),
    ("/v1/training/campaigns/{campaign_id}", training_campaign),
    ("/v1/training/enrollments", enrollments),
    ("/v1/training/enrollments/{enrollment_id}", enrollment),
)


def _compile(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "/?$")


ROUTES: tuple[Route, ...] = tuple(Route(t, _compile(t), h) for t, h in _TABLE)
"""Every endpoint: its path template, matcher and handler."""


def resolve(path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        match = route.pattern.match(path)
        if match is not None:
            return route, match.groupdict()
    return None
