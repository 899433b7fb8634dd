"""`report remediation`: KnowBe4's "Post-Phishing Remediation Training" workflow, prepared from the store.

For every phishing failure (clicked, entered data, opened an attachment, enabled macros, scanned a QR
code): whether the person has completed any training since, a remedial module matched to the test's
template and categories from the account's own store purchases (`_matching`), and a deadline one week
out (KnowBe4's best practice: "1 week for remediation"). `import_csv` writes the people still to train as a KnowBe4
CSV user import (Users > Import Users > CSV Import) that puts each of them in a group per suggested
module, ready for one targeted training campaign per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from trainproof import clock
from trainproof.config import Settings
from trainproof.csvfile import csv_text
from trainproof.reports._common import ReportRow
from trainproof.reports._matching import FAILURE_ACTIONS, Candidate, Match, suggest_module
from trainproof.store.catalogue import PurchaseRow, load_purchases
from trainproof.store.enrollments import EnrollmentRow, load_enrollment_rows
from trainproof.store.people import load_user_rows
from trainproof.store.phishing import load_recipients, load_security_tests
from trainproof.store.source import Source, connect

__all__ = [
    "DEFAULT_GROUP_PREFIX",
    "IMPORT_COLUMNS",
    "REMEDIATION_DEADLINE",
    "RemediationRow",
    "import_csv",
    "report_remediation",
]

REMEDIATION_DEADLINE = timedelta(days=7)
DEFAULT_GROUP_PREFIX = "Remediation - "
IMPORT_COLUMNS = ("Email", "Group")
_GROUP_MAX = 64  # KnowBe4's limit on a group name


class RemediationRow(ReportRow):
    user_id: int | None
    email: str | None
    first_name: str | None
    last_name: str | None
    department: str | None
    manager_email: str | None
    phishing_campaign: str | None
    pst_id: int | None
    test: str | None
    template: str | None
    categories: list[str]
    failed_at: datetime
    failures: list[str]
    trained_since: bool
    trained_with: str | None  # the first training completed after the failure, with its date
    suggested_module: str | None
    suggested_store_purchase_id: int | None
    match: str
    deadline: datetime
    group: str | None  # the KnowBe4 group for the import, None once trained


def _candidates(purchases: Sequence[PurchaseRow]) -> list[Candidate]:
    return [
        Candidate(
            store_purchase_id=p.store_purchase_id,
            name=p.name,
            description=p.description,
            type=p.type,
            duration=p.duration,
            retired=p.retired,
            retirement_date=p.retirement_date,
            publish_date=p.publish_date,
        )
        for p in purchases
    ]


def _group_name(prefix: str, module: str) -> str:
    name = f"{prefix}{module}"
    return name if len(name) <= _GROUP_MAX else name[: _GROUP_MAX - 1] + "…"


def report_remediation(
    source: Source,
    settings: Settings | None = None,
    *,
    since: datetime | None = None,
    untrained_only: bool = False,
    at: datetime | None = None,
) -> list[RemediationRow]:
    """One row per person and phishing test they failed (since `since`), newest failure first."""
    when = at or clock.now()
    prefix = DEFAULT_GROUP_PREFIX
    if settings is not None:
        table: dict[str, Any] = settings.table("remediation")
        prefix = str(table.get("group_prefix", prefix))
    with connect(source) as conn:
        users = load_user_rows(conn, include_removed=True)
        tests = load_security_tests(conn)
        candidates = _candidates(load_purchases(conn))
        recipients = load_recipients(conn, failed_only=True)
        completions: dict[int, list[EnrollmentRow]] = {}
        failed = {r.user_id for r in recipients if r.user_id is not None}
        # KnowBe4 forgetting a completion does not undo it: removed enrollments count too.
        for e in load_enrollment_rows(conn, include_removed=True, completed_only=True, user_ids=failed):
            if e.user_id is not None and e.complete and e.completion_date is not None:
                completions.setdefault(e.user_id, []).append(e)
    for done in completions.values():
        done.sort(key=lambda e: (e.completion_date or when, e.enrollment_id))
    # One week, to the end of that day (UTC): a date an admin can type into a campaign's end date.
    deadline = datetime.combine((when + REMEDIATION_DEADLINE).date(), time(23, 59, 59), tzinfo=UTC)
    rows: list[RemediationRow] = []
    # Thousands of failures share a handful of (categories, template, actions): each is matched once.
    matches: dict[tuple[tuple[str, ...], str | None, tuple[str, ...]], Match] = {}
    for r in recipients:
        failures = r.failures()
        failed_at = min(failures.values())
        if (since is not None and failed_at < since) or failed_at > when:
            continue
        user = users.get(r.user_id) if r.user_id is not None else None
        if user is not None and not user.active_at(when):
            continue  # archived or gone from KnowBe4: nobody to train
        test = tests.get(r.pst_id) if r.pst_id is not None else None
        template = r.template or (test.template if test else None)
        categories = list(test.categories) if test else []
        actions = [a for a in FAILURE_ACTIONS if a in failures]
        theirs = completions.get(r.user_id, []) if r.user_id is not None else []
        after = [e for e in theirs if e.completion_date is not None and e.completion_date >= failed_at]
        first = after[0] if after else None
        asked = (tuple(categories), template, tuple(actions))
        match = matches.get(asked)
        if match is None:
            match = matches[asked] = suggest_module(
                candidates, categories=categories, template=template, actions=actions, at=when
            )
        module = match.module.name if match.module else None
        rows.append(
            RemediationRow(
                user_id=r.user_id,
                email=(user.email if user else None) or r.user_email,
                first_name=(user.first_name if user else None) or r.first_name,
                last_name=(user.last_name if user else None) or r.last_name,
                department=user.department if user else None,
                manager_email=user.manager_email if user else None,
                phishing_campaign=test.campaign_name if test else None,
                pst_id=r.pst_id,
                test=test.name if test else None,
                template=template,
                categories=categories,
                failed_at=failed_at,
                failures=actions,
                trained_since=first is not None,
                trained_with=(
                    f"{first.module_name or first.module_key} ({first.completion_date:%Y-%m-%d})"
                    if first is not None and first.completion_date is not None
                    else None
                ),
                suggested_module=module,
                suggested_store_purchase_id=match.module.store_purchase_id if match.module else None,
                match=match.reason,
                deadline=deadline,
                group=_group_name(prefix, module) if module and first is None else None,
            )
        )
    if untrained_only:
        rows = [r for r in rows if not r.trained_since]
    rows.sort(key=lambda r: (r.trained_since, -r.failed_at.timestamp(), r.email or "", r.pst_id or 0))
    return rows


def import_csv(rows: Sequence[RemediationRow]) -> str:
    """A KnowBe4 CSV user import for everyone not trained since: one line per person, their latest failure's group.

    Only Email and Group: these people already exist in KnowBe4, and an import overwrites (or, when
    empty, clears) every column it carries, so names and other fields are left out on purpose.
    """
    latest: dict[str, RemediationRow] = {}
    for r in rows:
        if r.trained_since or not r.email or r.group is None:
            continue
        key = r.email.lower()
        if key not in latest or r.failed_at > latest[key].failed_at:
            latest[key] = r
    chosen = sorted(latest.values(), key=lambda r: (r.group or "", (r.email or "").lower()))
    return csv_text(IMPORT_COLUMNS, [{"Email": r.email, "Group": r.group} for r in chosen])
