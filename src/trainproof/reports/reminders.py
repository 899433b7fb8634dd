"""`report reminders`: KnowBe4's "Notify at 50% and 75% of deadline elapsed", computed and (with --send) sent.

Who: enrollments Not Started or In Progress, in campaigns that are still open, of active people, whose
own window (`CampaignDeadline.window` in `trainproof.compliance.deadline`: both Specific End Date and
Relative End Date campaigns)
has passed a threshold but not yet its deadline (after that the person belongs to `report overdue`).

Each person gets one message per campaign and threshold, listing the modules still to do. What was
sent is recorded in the store's `reminders_sent` (one row per enrollment and threshold, unique), so a
re-run sends nothing twice. Only the highest threshold reached is sent: someone first seen at 80 %
gets the 75 % reminder, not both. The row is written in the same transaction as the send, so a send
that fails leaves no record and an interrupted run never records a message it did not send.

The template is plain text with `$placeholders` (`string.Template`); its first line is `Subject: ...`:

    Subject: Reminder: $campaign is due on $deadline

    Hello $first_name, ...
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from trainproof import clock
from trainproof.compliance.deadline import CampaignDeadline, days_until
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.reports._common import ReportInputError, ReportRow
from trainproof.reports._mail import SmtpSettings, smtp_session
from trainproof.statuses import is_finished_campaign
from trainproof.store.campaigns import CampaignRow, load_campaign_rows
from trainproof.store.db import write_transaction
from trainproof.store.enrollments import load_enrollment_rows
from trainproof.store.people import load_user_rows
from trainproof.store.reminders import SentReminder, record_reminder, reminders_sent
from trainproof.store.source import Source, connect

__all__ = [
    "DEFAULT_TEMPLATE",
    "DEFAULT_THRESHOLDS",
    "PLACEHOLDERS",
    "ReminderRow",
    "ReminderTemplate",
    "SendResult",
    "parse_thresholds",
    "report_reminders",
    "send_reminders",
    "threshold_label",
]

DEFAULT_THRESHOLDS: tuple[int, ...] = (50, 75)

DEFAULT_TEMPLATE = """\
Subject: Reminder: "$campaign" is due on $deadline

Hello $first_name,

$elapsed% of the time to complete the security awareness training "$campaign" has passed.
Please finish it by $deadline ($days_left days left).

Still to do:
$modules

Open your KnowBe4 training page to continue where you left off.

Thank you,
Security Awareness Team
"""

PLACEHOLDERS: dict[str, str] = {
    "first_name": "the person's first name (or their name, or email)",
    "name": "first and last name",
    "email": "the address the reminder goes to",
    "campaign": "the training campaign's name",
    "modules": "one '- module' line per module still to do",
    "deadline": "the deadline, YYYY-MM-DD (UTC)",
    "days_left": "whole days until the deadline",
    "threshold": "the threshold reached, e.g. 75",
    "elapsed": "percent of the person's window that has passed, e.g. 78",
    "manager_name": "the person's manager (may be empty)",
    "manager_email": "the manager's email (may be empty)",
}

Action = Literal["due", "sent", "already sent"]


class ReminderRow(ReportRow):
    """One enrollment that has passed a reminder threshold before its deadline."""

    enrollment_id: int
    user_id: int
    email: str
    name: str
    manager_email: str | None
    campaign_id: int
    campaign: str
    module: str
    status: str | None
    deadline_kind: str
    window_start: datetime
    deadline: datetime
    elapsed_percent: float
    days_left: int
    threshold: int
    action: Action
    sent_at: datetime | None


@dataclass(frozen=True)
class SendResult:
    rows: list[ReminderRow]
    messages: int  # messages sent (or, in a dry run, that would be sent)
    dry_run: bool


def threshold_label(threshold: int) -> str:
    """How a threshold is written in `reminders_sent.threshold`."""
    return f"{threshold}%"


def _label_value(label: str) -> int | None:
    try:
        return int(label.strip().rstrip("%"))
    except ValueError:
        return None


def parse_thresholds(value: str | Iterable[int] | None) -> tuple[int, ...]:
    """ "50,75" or [50, 75] -> (50, 75); each between 1 and 99."""
    if value is None:
        return DEFAULT_THRESHOLDS
    items: list[str | int] = [p.strip() for p in value.split(",") if p.strip()] if isinstance(value, str) else [*value]
    out: set[int] = set()
    for item in items:
        try:
            n = int(str(item).rstrip("%"))
        except ValueError:
            raise ReportInputError(f"threshold '{item}' is not a number", "use e.g. --thresholds 50,75") from None
        if not 0 < n < 100:
            raise ReportInputError(f"threshold {n} is outside 1..99", "thresholds are percent of the deadline elapsed")
        out.add(n)
    if not out:
        raise ReportInputError("no thresholds given", "use e.g. --thresholds 50,75")
    return tuple(sorted(out))


@dataclass(frozen=True)
class ReminderTemplate:
    """A reminder's subject and body, with `$placeholders` from PLACEHOLDERS."""

    subject: string.Template
    body: string.Template
    source: str = "built-in"

    @classmethod
    def parse(cls, text: str, source: str = "built-in") -> ReminderTemplate:
        first, _, rest = text.lstrip("\ufeff").partition("\n")
        if not first.lower().startswith("subject:"):
            raise ConfigError(
                f"reminder template {source} must start with a 'Subject: ...' line", "see --show-template"
            )
        template = cls(string.Template(first[8:].strip()), string.Template(rest.lstrip("\n")), source)
        template.render(dict.fromkeys(PLACEHOLDERS, "x"))  # unknown placeholders fail now, before any send
        return template

    @classmethod
    def load(cls, path: Path | str | None = None, settings: Settings | None = None) -> ReminderTemplate:
        """`path`, else `[reminders] template` in trainproof.toml, else the built-in template."""
        if path is None and settings is not None:
            configured = settings.table("reminders").get("template")
            if configured:
                path = Path(str(configured))
                if not path.is_absolute() and settings.config_path is not None:
                    path = settings.config_path.parent / path
        if path is None:
            return cls.parse(DEFAULT_TEMPLATE)
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read reminder template {p} ({exc.strerror})", "check the path") from None
        return cls.parse(text, str(p))

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        try:
            return self.subject.substitute(values), self.body.substitute(values)
        except KeyError as exc:
            raise ConfigError(
                f"reminder template {self.source} uses unknown placeholder ${exc.args[0]}",
                "use " + ", ".join("$" + k for k in PLACEHOLDERS),
            ) from None
        except ValueError as exc:
            raise ConfigError(f"reminder template {self.source} is invalid ({exc})", "write $$ for a dollar") from None


def _sent(recorded: Iterable[SentReminder]) -> dict[int, list[tuple[int, datetime]]]:
    """Enrollment id -> (threshold, when) of each reminder recorded for it."""
    out: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for r in recorded:
        value = _label_value(r.threshold)
        if value is not None:
            out[r.enrollment_id].append((value, r.sent_at))
    return out


def report_reminders(
    source: Source, *, thresholds: Sequence[int] = DEFAULT_THRESHOLDS, at: datetime | None = None
) -> list[ReminderRow]:
    """Enrollments past a threshold and before their deadline, each with whether its reminder was sent."""
    when = at or clock.now()
    chosen = parse_thresholds(thresholds)
    with connect(source) as conn:
        campaigns = {cid: c for cid, c in load_campaign_rows(conn).items() if not is_finished_campaign(c.status)}
        users = load_user_rows(conn)
        enrollments = load_enrollment_rows(conn, campaign_ids=list(campaigns))
        sent = _sent(reminders_sent(conn))
    rows: list[ReminderRow] = []
    rules: dict[int, CampaignDeadline] = {}
    for e in enrollments:
        if e.user_id is None or e.campaign_id is None or e.state not in ("not_started", "in_progress"):
            continue
        user = users.get(e.user_id)
        if user is None or not user.active_at(when) or not user.email:
            continue
        c: CampaignRow = campaigns[e.campaign_id]
        rule = rules.get(c.campaign_id)
        if rule is None:
            rule = rules[c.campaign_id] = CampaignDeadline.of(c.duration_type, c.end_date, c.relative_duration)
        window = rule.window(c.start_date, e.enrollment_date)
        if window is None or when >= window.end:
            continue
        pct = window.elapsed_percent(when)
        crossed = [t for t in chosen if pct >= t]  # thresholds are sorted
        if not crossed:
            continue
        threshold = crossed[-1]
        earlier = [at_ for value, at_ in sent.get(e.enrollment_id, []) if value >= threshold]
        rows.append(
            ReminderRow(
                enrollment_id=e.enrollment_id,
                user_id=user.id,
                email=user.email,
                name=user.name,
                manager_email=user.manager_email,
                campaign_id=c.campaign_id,
                campaign=c.name,
                module=e.module_name or e.module_key,
                status=e.status,
                deadline_kind=window.kind,
                window_start=window.start,
                deadline=window.end,
                elapsed_percent=round(pct, 1),
                days_left=days_until(window.end, when),
                threshold=threshold,
                action="already sent" if earlier else "due",
                sent_at=min(earlier) if earlier else None,
            )
        )
    rows.sort(key=lambda r: (r.deadline, r.email, r.campaign_id, r.module, r.enrollment_id))
    return rows


def _values(group: list[ReminderRow], first_name: str, manager_name: str) -> dict[str, str]:
    head = group[0]
    modules = "\n".join(f"- {m}" for m in sorted({r.module for r in group}))
    return {
        "first_name": first_name or head.name,
        "name": head.name,
        "email": head.email,
        "campaign": head.campaign,
        "modules": modules,
        "deadline": head.deadline.date().isoformat(),
        "days_left": str(min(r.days_left for r in group)),
        "threshold": str(head.threshold),
        "elapsed": str(int(max(r.elapsed_percent for r in group))),
        "manager_name": manager_name,
        "manager_email": head.manager_email or "",
    }


def send_reminders(
    source: Source,
    smtp: SmtpSettings | None,
    template: ReminderTemplate | None = None,
    *,
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
    at: datetime | None = None,
    dry_run: bool = True,
) -> SendResult:
    """Send each due reminder once (one message per person, campaign and threshold) and record it.

    With `dry_run` (the default) nothing is sent or written: the result says what would be. A message
    another run recorded meanwhile (the unique row already exists) is skipped, never sent twice.
    """
    when = at or clock.now()
    tpl = template or ReminderTemplate.parse(DEFAULT_TEMPLATE)
    rows = report_reminders(source, thresholds=thresholds, at=when)
    groups: dict[tuple[int, int, int], list[ReminderRow]] = defaultdict(list)
    for r in rows:
        if r.action == "due":
            groups[(r.user_id, r.campaign_id, r.threshold)].append(r)
    if dry_run or not groups:
        return SendResult(rows, len(groups), dry_run)
    if smtp is None:
        raise ConfigError("--send needs [smtp] in trainproof.toml", "see `trainproof report reminders --help`")
    with connect(source) as conn:
        users = load_user_rows(conn)
        if conn.in_transaction():
            conn.rollback()
        sent_ids: dict[int, datetime] = {}
        with smtp_session(smtp) as session:
            for (user_id, _cid, threshold), group in groups.items():
                user = users.get(user_id)
                subject, body = tpl.render(
                    _values(group, (user.first_name or "") if user else "", (user.manager_name or "") if user else "")
                )
                stamp = clock.now()
                with write_transaction(conn):
                    fresh = [
                        r
                        for r in group
                        if record_reminder(
                            conn,
                            user_id=user_id,
                            enrollment_id=r.enrollment_id,
                            threshold=threshold_label(threshold),
                            sent_at=stamp,
                        )
                    ]
                    if not fresh:
                        continue  # another run sent it meanwhile
                    session.send(group[0].email, subject, body)
                for r in group:
                    sent_ids[r.enrollment_id] = stamp
    out = [
        r.model_copy(update={"action": "sent", "sent_at": sent_ids[r.enrollment_id]})
        if r.enrollment_id in sent_ids
        else r
        for r in rows
    ]
    messages = len({(r.user_id, r.campaign_id, r.threshold) for r in out if r.action == "sent"})
    return SendResult(out, messages, False)
