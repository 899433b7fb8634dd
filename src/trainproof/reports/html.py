"""`report html`: one self-contained file a compliance lead opens, forwards, or prints to PDF.

Everything is inline: CSS, the SVG charts (drawn in Python by `charts`), and a ten-line script that
only counts the bars the browser drew (`data-drawn-*` on <html>, which the test reads). A Content
Security Policy forbids every fetch, so the file works offline and never calls home, and nothing in
it comes from a CDN. Every value from KnowBe4 is HTML-escaped. Print styles give a clean A4 PDF
(browser "Print > Save as PDF"): no page breaks inside a chart or a table row, table headers repeated.

The file holds names and email addresses, so it is written readable by its owner only.

With several KnowBe4 accounts (an MSP's customers), a report is one account's (`--account NAME`) and
holds nothing of another: it may be forwarded to that customer. The page across customers is its own
(`build_accounts_html_report`): the rows of `report accounts`, worst first, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from pydantic import Field

from trainproof import clock
from trainproof.accounts import Accounts
from trainproof.compliance.decision import STATES
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.files import write_private
from trainproof.judging import Judged, judge
from trainproof.reports import charts
from trainproof.reports._common import ReportRow, rate
from trainproof.reports.accounts import AccountTrainingRow, below, report_accounts
from trainproof.reports.campaigns import CampaignReport, campaign_reports
from trainproof.reports.departments import DepartmentRow, department_rows
from trainproof.reports.overdue import ManagerSummary, OverdueRow, by_manager, overdue_rows
from trainproof.reports.quarterly import QuarterPoint, quarter_of, quarterly_report
from trainproof.store.account import account_name
from trainproof.store.campaigns import load_campaign_rows
from trainproof.store.catalogue import load_purchases
from trainproof.store.enrollments import load_enrollment_rows
from trainproof.store.freshness import last_sync_run
from trainproof.store.people import load_user_rows
from trainproof.store.phishing import load_security_tests
from trainproof.store.source import Source, connect

__all__ = [
    "HtmlReport",
    "TrainingSummary",
    "build_accounts_html_report",
    "build_html_report",
    "render_html",
    "report_html",
    "write_html",
]

Step = Callable[[str, int, int], None]
"""Told (label, steps done, steps in all) as each step of building the page starts."""
MAX_DEPARTMENTS_CHARTED = 20
MAX_MANAGERS_CHARTED = 15
MAX_OVERDUE_LISTED = 500
MAX_ACCOUNT_ROWS_CHARTED = 30
TARGET_PERCENT = 90.0
"""The bar an MSP asks about: which customers are below 90 % on a training."""
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
)


class TrainingSummary(ReportRow):
    training: str
    title: str
    people: int
    compliant: int
    incomplete: int
    not_enrolled: int
    grace: int
    expired: int
    completion_rate: float | None  # compliant / (people - grace), as in `report departments`


class HtmlReport(ReportRow):
    """Everything the page shows; MCP can return it as data, `render_html` turns it into the page."""

    title: str
    account: str | None
    generated_at: datetime
    last_sync: datetime | None
    trainings: list[TrainingSummary]
    departments: list[DepartmentRow]
    trend: list[QuarterPoint]
    overdue: list[OverdueRow]
    managers: list[ManagerSummary]
    campaigns: list[CampaignReport]
    notes: list[str]
    across_accounts: bool = False
    """The page across accounts: only `accounts` is shown."""
    accounts: list[AccountTrainingRow] = Field(default_factory=list[AccountTrainingRow])
    """On the page across accounts: `report accounts`' rows, worst first."""


STEPS = ("judging compliance", "overdue, departments", "reading the store", "campaigns, trend", "drawing the page")
"""What `report html` does in turn (`on_step` is told each as it starts; the CLI draws them as a bar)."""


def _no_step(label: str, done: int, total: int) -> None:
    del label, done, total


def _compliance(judged: Judged, when: datetime) -> tuple[list[TrainingSummary], list[DepartmentRow], list[OverdueRow]]:
    """The compliance sections: per training, by department, and the escalation list."""
    evaluation = judged.evaluation
    totals = evaluation.totals()
    trainings: list[TrainingSummary] = []
    for t in evaluation.trainings_config.trainings:
        c = totals.get(t.key, {})
        trainings.append(
            TrainingSummary(
                training=t.key,
                title=t.title,
                people=c.get("total", 0),
                compliant=c.get("compliant", 0),
                incomplete=c.get("incomplete", 0),
                not_enrolled=c.get("not_enrolled", 0),
                grace=c.get("grace", 0),
                expired=c.get("expired", 0),
                completion_rate=rate(c.get("compliant", 0), c.get("total", 0) - c.get("grace", 0)),
            )
        )
    return trainings, department_rows(evaluation, "department"), overdue_rows(judged, when)


def build_html_report(
    source: Source, settings: Settings, *, at: datetime | None = None, on_step: Step = _no_step
) -> HtmlReport:
    """Gather every section from the store; compliance sections are skipped (with a note) without trainings.

    `on_step(label, done, total)` is told each of the first four STEPS as it starts (`report_html` the last).
    """
    when = at or clock.now()
    notes: list[str] = []
    trainings: list[TrainingSummary] = []
    departments: list[DepartmentRow] = []
    overdue: list[OverdueRow] = []
    with connect(source) as conn:
        account = account_name(conn)
        last_ok = last_sync_run(conn)
        on_step(STEPS[0], 0, len(STEPS))
        try:
            judged = judge(conn, settings, at=when)
        except ConfigError as exc:
            judged = None
            notes.append(f"Compliance sections left out: {exc.message}")
        on_step(STEPS[1], 1, len(STEPS))
        if judged is not None:
            trainings, departments, overdue = _compliance(judged, when)
            del judged  # the facts go before the rows below are read: the page's peak memory holds one of them
        # Read once for the campaign table and the trend (each report alone reads its own).
        on_step(STEPS[2], 2, len(STEPS))
        campaigns = load_campaign_rows(conn, include_removed=True)
        users = load_user_rows(conn, include_removed=True)
        enrollments = load_enrollment_rows(conn)
        purchases = load_purchases(conn)
        tests = list(load_security_tests(conn).values())
    on_step(STEPS[3], 3, len(STEPS))
    listed = {cid: c for cid, c in campaigns.items() if not c.removed}
    present = {uid: u for uid, u in users.items() if not u.removed}
    campaign_rows = campaign_reports(listed, present, enrollments, when)
    trend = quarterly_report(quarter_of(when), campaigns, enrollments, users, purchases, tests, when).trend
    return HtmlReport(
        title="Security awareness training report",
        account=account,
        generated_at=when,
        last_sync=last_ok.finished_at if last_ok is not None else None,
        trainings=trainings,
        departments=departments,
        trend=trend,
        overdue=overdue,
        managers=by_manager(overdue),
        campaigns=campaign_rows,
        notes=notes,
    )


def build_accounts_html_report(accounts: Accounts, *, at: datetime | None = None) -> HtmlReport:
    """The page across accounts: every account's trainings as `report accounts` judges them, worst first."""
    when = at or clock.now()
    rows = report_accounts(accounts, at=when)
    synced = [r.last_sync for r in rows if r.last_sync is not None]
    return HtmlReport(
        title="Security awareness training across accounts",
        account=None,
        generated_at=when,
        last_sync=min(synced) if synced else None,
        trainings=[],
        departments=[],
        trend=[],
        overdue=[],
        managers=[],
        campaigns=[],
        notes=[],
        across_accounts=True,
        accounts=rows,
    )


_CSS = """
:root{--ink:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f5f7fa;--accent:#0072B2}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:var(--ink);
  background:var(--bg);font-size:14px;line-height:1.45}
body{margin:0 auto;max-width:1040px;padding:28px 32px 48px;background:#fff}
header{border-bottom:3px solid var(--accent);padding-bottom:12px;margin-bottom:8px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--muted);font-size:12.5px}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0 4px}
.tile{flex:1 1 170px;border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.tile .v{font-size:26px;font-weight:650}
.tile .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.note{background:#fff8e6;border-left:4px solid #E69F00;padding:8px 12px;margin:10px 0}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.mgr td{background:#f3f6fb;font-weight:600;border-top:2px solid var(--line)}
.flag{display:block;color:#8a4b00;font-size:11.5px}
.chart{margin:6px 0 14px}
.muted{color:var(--muted)}
footer{margin-top:32px;color:var(--muted);font-size:11.5px;border-top:1px solid var(--line);padding-top:8px}
@page{size:A4;margin:14mm 12mm}
@media print{
  html{background:#fff;font-size:11.5px}
  body{max-width:none;padding:0}
  h2{break-after:avoid}
  .chart,.tiles,.tile,svg{break-inside:avoid}
  tr{break-inside:avoid}
  thead{display:table-header-group}
  section{break-inside:auto}
  a{color:inherit;text-decoration:none}
}
"""

# Counts what the browser actually drew: the test reads these attributes from --dump-dom.
_SELF_CHECK = """
document.addEventListener('DOMContentLoaded',function(){
  var drawn=function(sel){var n=0;document.querySelectorAll(sel).forEach(function(el){
    var r=el.getBoundingClientRect();if(r.width>0&&r.height>0){n++;}});return n;};
  var root=document.documentElement;
  root.setAttribute('data-drawn-bars',drawn('svg .tp-bar'));
  root.setAttribute('data-drawn-lines',drawn('svg .tp-line'));
  root.setAttribute('data-drawn-charts',drawn('svg.tp-chart'));
});
"""


def _e(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return escape(value.strftime("%Y-%m-%d"))
    return escape(str(value))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:g}%"


def _table(head: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]], css: str = "") -> str:
    """A table; cells are already-escaped HTML; head is (label, numeric)."""
    th = "".join(f'<th class="n">{escape(h)}</th>' if num else f"<th>{escape(h)}</th>" for h, num in head)
    body: list[str] = []
    for r in rows:
        cells = "".join(f'<td class="n">{cell}</td>' if head[i][1] else f"<td>{cell}</td>" for i, cell in enumerate(r))
        body.append(f"<tr>{cells}</tr>")
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _tiles(report: HtmlReport) -> str:
    people = sum(t.people - t.grace for t in report.trainings)
    compliant = sum(t.compliant for t in report.trainings)
    overall = rate(compliant, people)
    overdue_people = len({r.user_id for r in report.overdue if r.past_due})
    active = sum(1 for c in report.campaigns if c.state == "active")
    tiles = [
        ("Overall compliance", _pct(overall) if report.trainings else "–"),
        ("Trainings tracked", str(len(report.trainings))),
        ("People past due", str(overdue_people)),
        ("Active campaigns", str(active)),
    ]
    return (
        '<div class="tiles">'
        + "".join(
            f'<div class="tile"><div class="v">{escape(v)}</div><div class="k">{escape(k)}</div></div>'
            for k, v in tiles
        )
        + "</div>"
    )


def _summary(report: HtmlReport) -> str:
    if not report.trainings:
        return '<p class="muted">No trainings configured.</p>'
    chart = charts.stacked_chart(
        [
            charts.StackedRow(
                t.title,
                [charts.Segment(state, float(getattr(t, state)), charts.STATE_COLOURS[state]) for state in STATES],
            )
            for t in report.trainings
        ],
        title="People per compliance state, per training",
    )
    rows = [
        [
            _e(t.title),
            _e(t.people),
            _e(t.compliant),
            _e(t.incomplete),
            _e(t.not_enrolled),
            _e(t.grace),
            _e(t.expired),
            _pct(t.completion_rate),
        ]
        for t in report.trainings
    ]
    head = [
        ("Training", False),
        ("People", True),
        ("Compliant", True),
        ("Incomplete", True),
        ("Not enrolled", True),
        ("New-hire grace", True),
        ("Expired", True),
        ("Rate", True),
    ]
    return f'<div class="chart">{chart}</div>' + _table(head, rows)


def _departments(report: HtmlReport) -> str:
    if not report.departments:
        return '<p class="muted">No compliance data by department.</p>'
    parts: list[str] = []
    for t in report.trainings:
        rows = [d for d in report.departments if d.training == t.training]
        if not rows:
            continue
        shown = rows[:MAX_DEPARTMENTS_CHARTED]
        bars = [
            charts.Bar(d.group, d.completion_rate or 0.0, note=f"{d.compliant}/{d.people - d.grace}") for d in shown
        ]
        more = f" (lowest {len(shown)} of {len(rows)})" if len(rows) > len(shown) else ""
        parts.append(f"<h3>{_e(t.title)}{escape(more)}</h3>")
        parts.append(
            '<div class="chart">'
            + charts.bar_chart(bars, title=f"Completion by department: {t.title}", css_class="tp-dept-chart")
            + "</div>"
        )
    return "".join(parts)


def _trend(report: HtmlReport) -> str:
    if not report.trend:
        return '<p class="muted">No campaign history yet.</p>'
    labels = [p.quarter for p in report.trend]
    chart = charts.line_chart(
        labels,
        [
            charts.Series("Training completion", [p.completion_rate for p in report.trend], colour="#009E73"),
            charts.Series("Phish-prone", [p.phish_prone_percentage for p in report.trend], colour="#D55E00"),
        ],
        title="Completion and phish-prone percentage by quarter",
    )
    rows = [
        [_e(p.quarter), _e(p.campaigns), _e(p.enrollments), _pct(p.completion_rate), _pct(p.phish_prone_percentage)]
        for p in report.trend
    ]
    head = [("Quarter", False), ("Campaigns", True), ("Enrollments", True), ("Completion", True), ("Phish-prone", True)]
    return f'<div class="chart">{chart}</div>' + _table(head, rows)


def _overdue(report: HtmlReport) -> str:
    if not report.overdue:
        return '<p class="muted">Nobody to chase.</p>' if report.trainings else ""
    bars = [
        charts.Bar(m.manager.split(" <")[0], float(m.people), note=f"{m.past_due} past due")
        for m in report.managers[:MAX_MANAGERS_CHARTED]
    ]
    chart = charts.bar_chart(bars, title="People to chase per manager", unit=" people", css_class="tp-manager-chart")
    head = [
        ("Person", False),
        ("Training", False),
        ("Outstanding", False),
        ("Deadline", False),
        ("Days overdue", True),
    ]
    rows_html: list[str] = []
    current = None
    for r in report.overdue[:MAX_OVERDUE_LISTED]:
        if r.manager != current:
            current = r.manager
            rows_html.append(f'<tr class="mgr"><td colspan="5">{_e(r.manager)}</td></tr>')
        cells = [
            f"{_e(r.name)}<br><span class='muted'>{_e(r.email)}</span>",
            _e(r.title),
            _e("; ".join(r.outstanding))
            + (f"<span class='flag'>{_e(', '.join(r.modules))}</span>" if r.modules else ""),
            _e(r.deadline),
            _e(r.days_overdue),
        ]
        tds = "".join(f'<td class="n">{c}</td>' if head[i][1] else f"<td>{c}</td>" for i, c in enumerate(cells))
        rows_html.append(f"<tr>{tds}</tr>")
    th = "".join(f'<th class="n">{escape(h)}</th>' if n else f"<th>{escape(h)}</th>" for h, n in head)
    more = ""
    if len(report.overdue) > MAX_OVERDUE_LISTED:
        more = (
            f'<p class="muted">First {MAX_OVERDUE_LISTED} of {len(report.overdue)} rows; '
            "<code>trainproof report overdue --format csv</code> lists all.</p>"
        )
    return (
        f'<div class="chart">{chart}</div>'
        f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(rows_html)}</tbody></table>{more}"
    )


def _campaigns(report: HtmlReport) -> str:
    if not report.campaigns:
        return '<p class="muted">No training campaigns in the store.</p>'
    head = [
        ("Campaign", False),
        ("Status", False),
        ("Deadline", False),
        ("Days left", True),
        ("Enrolled", True),
        ("Completed", True),
        ("Past due", True),
        ("Completion", True),
    ]
    rows: list[list[str]] = []
    for c in report.campaigns:
        deadline = _e(c.deadline) if c.deadline else _e(c.relative_duration and f"{c.relative_duration} each")
        flags = "".join(f"<span class='flag'>{_e(f)}</span>" for f in c.flags)
        rows.append(
            [
                _e(c.name) + flags,
                _e(c.status),
                deadline,
                _e(c.days_to_deadline),
                _e(c.enrolled_users),
                _e(c.completed),
                _e(c.past_due),
                _pct(c.completion_rate),
            ]
        )
    return _table(head, rows)


def _account_tiles(report: HtmlReport) -> str:
    rows = report.accounts
    tiles = [
        ("Accounts", str(len({r.account for r in rows}))),
        (f"Trainings below {TARGET_PERCENT:g}%", str(len(below(rows, TARGET_PERCENT)))),
        ("People past due", str(sum(r.overdue or 0 for r in rows))),
        ("Accounts without an answer", str(len({r.account for r in rows if r.problem is not None}))),
    ]
    return (
        '<div class="tiles">'
        + "".join(
            f'<div class="tile"><div class="v">{escape(v)}</div><div class="k">{escape(k)}</div></div>'
            for k, v in tiles
        )
        + "</div>"
    )


def _accounts(report: HtmlReport) -> str:
    """`report accounts` as a chart (the worst rows) and a table (every row), worst first."""
    rows = report.accounts
    if not rows:
        return '<p class="muted">No trainings configured.</p>'
    judged = [r for r in rows if r.percent_compliant is not None][:MAX_ACCOUNT_ROWS_CHARTED]
    parts: list[str] = []
    if judged:
        bars = [
            charts.Bar(
                f"{r.title}: {r.training}",
                r.percent_compliant or 0.0,
                note=f"{r.compliant}/{r.in_scope}",
                colour="#D55E00" if (r.percent_compliant or 0.0) < TARGET_PERCENT else None,
            )
            for r in judged
        ]
        more = (
            f" (worst {len(judged)})" if len(judged) < sum(1 for r in rows if r.percent_compliant is not None) else ""
        )
        parts.append(
            '<div class="chart">'
            + charts.bar_chart(bars, title=f"% compliant per account and training{more}", css_class="tp-account-chart")
            + "</div>"
        )
    head = [
        ("Account", False),
        ("Training", False),
        ("In scope", True),
        ("Compliant", True),
        ("% compliant", True),
        ("Overdue", True),
        ("Last sync", False),
    ]
    table_rows = [
        [
            f"{_e(r.title)}<br><span class='muted'>{_e(r.account)}</span>",
            _e(r.training) if r.problem is None else f"<span class='flag'>{_e(r.problem)}</span>",
            _e(r.in_scope),
            _e(r.compliant),
            _pct(r.percent_compliant) if r.problem is None else "",
            _e(r.overdue),
            _e(r.last_sync) if r.last_sync else "never",
        ]
        for r in rows
    ]
    return "".join(parts) + _table(head, table_rows, css="tp-accounts")


def _account_body(report: HtmlReport) -> str:
    return (
        _account_tiles(report)
        + '<section id="accounts"><h2>Compliance across accounts, worst first</h2>'
        + _accounts(report)
        + "<p class='muted'>Each account's own report (departments, overdue people, campaigns): "
        "<code>trainproof --account NAME report html</code>.</p></section>"
    )


def render_html(report: HtmlReport) -> str:
    """The whole page as one string (UTF-8, no external reference of any kind)."""
    sync = f"store last synced {report.last_sync:%Y-%m-%d %H:%M} UTC" if report.last_sync else "store never synced"
    if report.across_accounts:
        sync = f"oldest last sync {report.last_sync:%Y-%m-%d %H:%M} UTC" if report.last_sync else "never synced"
    account = f"{_e(report.account)} · " if report.account else ""
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in report.notes)
    body = _account_body(report) if report.across_accounts else _account_report_body(report)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="trainproof">
<title>{_e(report.title)}</title>
<style>{_CSS}</style>
<script>{_SELF_CHECK}</script>
</head>
<body>
<header>
<h1>{_e(report.title)}</h1>
<div class="meta">{account}generated {report.generated_at:%Y-%m-%d %H:%M} UTC · {escape(sync)}</div>
</header>
{notes}
{body}
<footer>Made by trainproof from the local store (no live API call). Compliance follows the rules in
trainproof.toml: enrolled in at least one selected campaign and every module of each completed; people in
their new-hire grace period are not counted in rates.</footer>
</body>
</html>
"""


def _account_report_body(report: HtmlReport) -> str:
    """One account's sections."""
    return f"""{_tiles(report)}
<section id="summary"><h2>Compliance per training</h2>{_summary(report)}</section>
<section id="departments"><h2>Completion by department</h2>{_departments(report)}</section>
<section id="trend"><h2>Trend</h2>{_trend(report)}</section>
<section id="overdue"><h2>Overdue, by manager</h2>{_overdue(report)}</section>
<section id="campaigns"><h2>Campaigns</h2>{_campaigns(report)}</section>"""


def report_html(source: Source, settings: Settings, *, at: datetime | None = None, on_step: Step = _no_step) -> str:
    """The page of one account's store (`on_step`: see `build_html_report`; the last step is drawing it)."""
    report = build_html_report(source, settings, at=at, on_step=on_step)
    on_step(STEPS[4], 4, len(STEPS))
    page = render_html(report)
    on_step(STEPS[4], len(STEPS), len(STEPS))
    return page


def write_html(path: Path | str, html: str) -> Path:
    """Write the page readable by its owner only (it names people); replaces the file atomically."""
    return write_private(path, html, todo="choose another --out path")
