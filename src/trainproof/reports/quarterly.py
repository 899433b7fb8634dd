"""`report quarterly`: KnowBe4's "Quarterly Security Awareness Review" workflow, from the store alone.

For a quarter (`2026Q3`, default the current one): the training campaigns active in it, the overall
completion rate at the quarter's end and its trend over the quarters before ("Completion rates should
improve over time"), the departments with the lowest completion, the phish-prone trend from the
phishing tests run in each quarter ("Combine with phishing"), and the modules to rotate ("are modules
current and relevant?": retired, or published more than two years before the quarter ended).

Counting, so a past quarter reads the same whenever it is asked: an enrollment counts in a quarter when
its campaign was active then (started before the quarter ended, not ended before it began, not
cancelled) and it was enrolled by the quarter's end; it counts as completed when KnowBe4 has it
Completed or Passed with a completion date by the quarter's end. Enrollments of people since archived
still count for the quarters they were in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from trainproof import clock
from trainproof.reports._common import ReportInputError, ReportRow, is_retired, rate, too_old
from trainproof.store.campaigns import CampaignRow, load_campaign_rows
from trainproof.store.catalogue import PurchaseRow, load_purchases
from trainproof.store.enrollments import EnrollmentRow, load_enrollment_rows
from trainproof.store.people import UserRow, load_user_rows
from trainproof.store.phishing import SecurityTestRow, load_security_tests
from trainproof.store.source import Source, connect

__all__ = [
    "LOWEST_DEPARTMENTS",
    "TREND_QUARTERS",
    "DepartmentRate",
    "Quarter",
    "QuarterCampaign",
    "QuarterPoint",
    "QuarterlyReport",
    "StaleModule",
    "quarter_of",
    "report_quarterly",
]

TREND_QUARTERS = 4  # this quarter and the three before it
LOWEST_DEPARTMENTS = 5
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


class Quarter(BaseModel):
    model_config = ConfigDict(frozen=True)

    year: int
    q: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * self.q - 2, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the quarter."""
        return datetime(self.year + (self.q == 4), 1 if self.q == 4 else 3 * self.q + 1, 1, tzinfo=UTC)

    def previous(self) -> Quarter:
        return Quarter(year=self.year - 1, q=4) if self.q == 1 else Quarter(year=self.year, q=self.q - 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = _QUARTER.match(text)
        if not m:
            raise ReportInputError(f"'{text}' is not a quarter", "write it as 2026Q3")
        return cls(year=int(m.group(1)), q=int(m.group(2)))


def quarter_of(at: datetime) -> Quarter:
    return Quarter(year=at.year, q=(at.month - 1) // 3 + 1)


class QuarterCampaign(ReportRow):
    campaign_id: int
    name: str
    status: str | None
    start_date: datetime | None
    end_date: datetime | None
    enrollments: int
    completed: int
    completion_rate: float | None


class QuarterPoint(ReportRow):
    quarter: str
    campaigns: int
    enrollments: int
    completed: int
    completion_rate: float | None
    phishing_tests: int
    phish_prone_percentage: float | None  # percent (KnowBe4's 0.2 shown as 20.0)


class DepartmentRate(ReportRow):
    department: str
    enrollments: int
    completed: int
    completion_rate: float | None


class StaleModule(ReportRow):
    store_purchase_id: int
    name: str
    reason: str  # "retired" | "published more than two years ago" | both
    publish_date: datetime | None
    retirement_date: datetime | None
    used_by: list[str]  # campaigns active in the quarter that assign it


class QuarterlyReport(ReportRow):
    quarter: str
    start: datetime
    end: datetime  # the first instant after the quarter
    campaigns: list[QuarterCampaign]
    enrollments: int
    completed: int
    completion_rate: float | None
    change_vs_previous: float | None  # percentage points against the quarter before
    trend: list[QuarterPoint]
    lowest_departments: list[DepartmentRate]
    phish_prone_percentage: float | None
    phish_prone_change: float | None
    stale_modules: list[StaleModule]
    findings: list[str]


def _active_in(c: CampaignRow, q: Quarter) -> bool:
    if c.state == "cancelled" or c.start_date is None:
        return False
    return c.start_date < q.end and (c.end_date is None or c.end_date >= q.start)


def _counts(
    enrollments: Iterable[EnrollmentRow], cutoff: datetime
) -> tuple[int, int, list[tuple[EnrollmentRow, bool]]]:
    n = done = 0
    judged: list[tuple[EnrollmentRow, bool]] = []
    for e in enrollments:
        if e.user_id is None or (e.enrollment_date is not None and e.enrollment_date >= cutoff):
            continue
        complete = e.complete and e.completion_date is not None and e.completion_date < cutoff
        n += 1
        done += complete
        judged.append((e, complete))
    return n, done, judged


def _phish_prone(tests: Iterable[SecurityTestRow], q: Quarter) -> tuple[int, float | None]:
    """Tests started in the quarter and their phish-prone percentage, weighted by emails delivered."""
    chosen = [
        t
        for t in tests
        if t.started_at is not None and q.start <= t.started_at < q.end and t.phish_prone_percentage is not None
    ]
    if not chosen:
        return 0, None

    def pct(t: SecurityTestRow) -> float:
        value = t.phish_prone_percentage or 0.0
        return value * 100 if value <= 1 else value  # a test's value is a fraction; tolerate a percentage

    weights = [t.delivered_count or 0 for t in chosen]
    if sum(weights) > 0:
        value = sum(pct(t) * w for t, w in zip(chosen, weights, strict=True)) / sum(weights)
    else:
        value = sum(pct(t) for t in chosen) / len(chosen)
    return len(chosen), round(value, 1)


def _stale(
    purchases: Sequence[PurchaseRow], active: Sequence[CampaignRow], q: Quarter, at: datetime
) -> list[StaleModule]:
    used: dict[int, list[str]] = defaultdict(list)
    for c in active:
        for item in c.content:
            if item.store_purchase_id is not None:
                used[item.store_purchase_id].append(c.name)
    at = min(q.end, at)
    out: list[StaleModule] = []
    for p in purchases:
        reasons: list[str] = []
        if is_retired(p.retired, p.retirement_date, at):
            reasons.append("retired")
        if too_old(p.publish_date, at):
            reasons.append("published more than two years ago")
        if reasons:
            out.append(
                StaleModule(
                    store_purchase_id=p.store_purchase_id,
                    name=p.name,
                    reason=" and ".join(reasons),
                    publish_date=p.publish_date,
                    retirement_date=p.retirement_date,
                    used_by=sorted(set(used.get(p.store_purchase_id, []))),
                )
            )
    out.sort(key=lambda m: (not m.used_by, m.name))
    return out


def _diff(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 1)


def quarterly_report(
    q: Quarter,
    campaigns: dict[int, CampaignRow],
    enrollments: Sequence[EnrollmentRow],
    users: dict[int, UserRow],
    purchases: Sequence[PurchaseRow],
    tests: Iterable[SecurityTestRow],
    at: datetime,
) -> QuarterlyReport:
    """The review for quarter `q`, judged at `at` (a quarter not over yet is counted up to `at`)."""
    tests = list(tests)
    by_campaign: dict[int, list[EnrollmentRow]] = defaultdict(list)
    for e in enrollments:
        if e.campaign_id is not None:
            by_campaign[e.campaign_id].append(e)

    quarters = [q]
    for _ in range(TREND_QUARTERS - 1):
        quarters.insert(0, quarters[0].previous())
    trend: list[QuarterPoint] = []
    this: tuple[list[QuarterCampaign], int, int, list[tuple[EnrollmentRow, bool]]] = ([], 0, 0, [])
    for quarter in quarters:
        cutoff = min(quarter.end, at)
        active = sorted(
            (c for c in campaigns.values() if _active_in(c, quarter)), key=lambda c: (c.start_date, c.campaign_id)
        )
        rows: list[QuarterCampaign] = []
        total = done = 0
        judged_all: list[tuple[EnrollmentRow, bool]] = []
        for c in active:
            n, d, judged = _counts(by_campaign.get(c.campaign_id, []), cutoff)
            total += n
            done += d
            judged_all.extend(judged)
            rows.append(
                QuarterCampaign(
                    campaign_id=c.campaign_id,
                    name=c.name,
                    status=c.status,
                    start_date=c.start_date,
                    end_date=c.end_date,
                    enrollments=n,
                    completed=d,
                    completion_rate=rate(d, n),
                )
            )
        n_tests, ppp = _phish_prone(tests, quarter) if quarter.start <= at else (0, None)
        trend.append(
            QuarterPoint(
                quarter=quarter.label,
                campaigns=len(active) if quarter.start <= at else 0,
                enrollments=total,
                completed=done,
                completion_rate=rate(done, total),
                phishing_tests=n_tests,
                phish_prone_percentage=ppp,
            )
        )
        if quarter == q:
            this = (rows, total, done, judged_all)

    rows, total, done, judged = this
    depts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e, complete in judged:
        user = users.get(e.user_id) if e.user_id is not None else None
        name = ((user.department if user else None) or "").strip() or "(none)"
        depts[name][0] += 1
        depts[name][1] += complete
    lowest = sorted(
        (
            DepartmentRate(department=k, enrollments=v[0], completed=v[1], completion_rate=rate(v[1], v[0]))
            for k, v in depts.items()
        ),
        key=lambda d: (d.completion_rate if d.completion_rate is not None else 101.0, -d.enrollments, d.department),
    )[:LOWEST_DEPARTMENTS]
    active = [campaigns[r.campaign_id] for r in rows]
    stale = _stale(purchases, active, q, at)
    current, previous = trend[-1], trend[-2] if len(trend) > 1 else None
    change = _diff(current.completion_rate, previous.completion_rate if previous else None)
    ppp_change = _diff(current.phish_prone_percentage, previous.phish_prone_percentage if previous else None)

    findings: list[str] = []
    if not rows:
        findings.append(f"no training campaign was active in {q.label}")
    if change is not None and previous is not None:
        direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
        findings.append(
            f"completion {current.completion_rate}% is {direction} {abs(change)} points on {previous.quarter}"
            if change
            else f"completion {current.completion_rate}% is unchanged on {previous.quarter}"
        )
    if lowest and lowest[0].completion_rate is not None:
        findings.append(f"lowest department: {lowest[0].department} at {lowest[0].completion_rate}%")
    if ppp_change is not None and previous is not None:
        word = "worse" if ppp_change > 0 else "better" if ppp_change < 0 else "unchanged"
        findings.append(
            f"phish-prone {current.phish_prone_percentage}% ({word}: {ppp_change:+} points on {previous.quarter})"
        )
    in_use = [m for m in stale if m.used_by]
    if in_use:
        findings.append(f"{len(in_use)} module(s) in use are retired or older than two years: rotate them")
    return QuarterlyReport(
        quarter=q.label,
        start=q.start,
        end=q.end,
        campaigns=rows,
        enrollments=total,
        completed=done,
        completion_rate=rate(done, total),
        change_vs_previous=change,
        trend=trend,
        lowest_departments=lowest,
        phish_prone_percentage=current.phish_prone_percentage,
        phish_prone_change=ppp_change,
        stale_modules=stale,
        findings=findings,
    )


def report_quarterly(source: Source, *, quarter: str | None = None, at: datetime | None = None) -> QuarterlyReport:
    """The quarterly review for `quarter` ("2026Q3"; default: the quarter `at` falls in)."""
    when = at or clock.now()
    q = Quarter.parse(quarter) if quarter else quarter_of(when)
    if q.start > when:
        raise ReportInputError(f"{q.label} has not started yet", f"use {quarter_of(when).label} or earlier")
    with connect(source) as conn:
        campaigns = load_campaign_rows(conn, include_removed=True)
        enrollments = load_enrollment_rows(conn)
        users = load_user_rows(conn, include_removed=True)
        purchases = load_purchases(conn)
        tests = list(load_security_tests(conn).values())
    return quarterly_report(q, campaigns, enrollments, users, purchases, tests, when)
