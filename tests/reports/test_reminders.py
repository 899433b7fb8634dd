"""`report reminders`: thresholds for both deadline kinds, and `--send` through a real SMTP server.

Judged on 2026-08-15 12:00 UTC unless said otherwise.

* Campaign 201, Specific End Date, 1 August 00:00 to 21 August 00:00 (20 days): 14.5 days have passed,
  72.5 % -> the 50 % reminder. Ann owes two modules (one message listing both); Bob passed; Dan is
  archived; Eve was enrolled late (11 August), so her own window is 10 days and only 45 % has passed.
* Campaign 202, Relative End Date, "10 days": Bob enrolled 7 August (85 % -> the 75 % reminder, due
  17 August), Cat 12 August (35 %: nothing yet), Eve 4 August (deadline 14 August passed: overdue, not a
  reminder).
* Campaign 203 is Closed and 204 has No End Date: never reminded.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine, select

from reports._cli import run
from reports._tenant import campaign, enrollment, group, purchase, sync_into_store, tenant, user
from trainproof.config import Settings
from trainproof.reports import ReminderTemplate, report_reminders, send_reminders
from trainproof.reports._mail import MailError, SmtpSettings
from trainproof.reports.reminders import DEFAULT_TEMPLATE, parse_thresholds
from trainproof.store import schema

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)
LATER = datetime(2026, 8, 17, tzinfo=UTC)


def build() -> dict[str, object]:
    ann = user(1, "Ann", "Archer", manager=("Maya Manager", "maya@acme.example"))
    bob = user(2, "Bob", "Baker")
    cat = user(3, "Cat", "Cole")
    dan = user(4, "Dan", "Dunn", status="archived", archived="2026-08-02")
    eve = user(5, "Eve", "Evans")
    m1 = purchase(21, "Security Basics")
    m2 = purchase(22, "Passwords")
    specific = campaign(201, "August Training", [m1, m2], start="2026-08-01", end="2026-08-21")
    relative = campaign(
        202, "Onboarding", [m1], duration_type="Relative End Date", start="2026-07-01", relative="10 days"
    )
    closed = campaign(203, "Closed One", [m1], status="Closed", start="2026-08-01", end="2026-08-25")
    open_ended = campaign(204, "Library", [m2], duration_type="No End Date", start="2026-06-01")
    e = enrollment
    return tenant(
        users=[ann, bob, cat, dan, eve],
        groups=[group(1, "Everyone", 5)],
        store_purchases=[m1, m2],
        training_campaigns=[specific, relative, closed, open_ended],
        enrollments=[
            e(1, ann, specific, m1),
            e(2, ann, specific, m2, status="In Progress", started="2026-08-03"),
            e(3, bob, specific, m1, status="Passed", completed="2026-08-04"),
            e(4, dan, specific, m1),
            e(5, eve, specific, m1, enrolled="2026-08-11"),
            e(6, bob, relative, m1, enrolled="2026-08-07"),
            e(7, cat, relative, m1, enrolled="2026-08-12"),
            e(8, eve, relative, m1, enrolled="2026-08-04"),
            e(9, cat, closed, m1),
            e(10, cat, open_ended, m2, enrolled="2026-06-01"),
        ],
    )


@pytest.fixture
def synced(tmp_path: Path, store_url: str) -> Iterator[tuple[Engine, Settings]]:
    """A fresh store per test (sending writes to it): SQLite, and PostgreSQL when TRAINPROOF_TEST_PG_URL is set."""
    template = tmp_path / "store" / "reminder.txt"
    template.parent.mkdir(parents=True)
    template.write_text(
        "Subject: [$threshold%] $campaign due $deadline\n\nHi $first_name ($email), manager: $manager_name\n"
        "$elapsed% elapsed, $days_left days left.\n$modules\n",
        encoding="utf-8",
    )
    store, settings = sync_into_store(
        build(), tmp_path / "store", '[reminders]\ntemplate = "reminder.txt"\n', store_url
    )
    yield store, settings
    store.dispose()


def test_thresholds_for_both_deadline_kinds(synced: tuple[Engine, Settings]) -> None:
    store, _ = synced
    rows = report_reminders(store, at=AT)
    got = [(r.email, r.campaign_id, r.module, r.threshold, r.elapsed_percent, r.days_left, r.action) for r in rows]
    assert got == [
        ("bob@acme.example", 202, "Security Basics", 75, 85.0, 2, "due"),
        ("ann@acme.example", 201, "Passwords", 50, 72.5, 6, "due"),
        ("ann@acme.example", 201, "Security Basics", 50, 72.5, 6, "due"),
    ]
    assert rows[0].deadline_kind == "relative"
    assert rows[0].deadline == datetime(2026, 8, 17, tzinfo=UTC)
    assert rows[1].deadline_kind == "specific"
    assert rows[1].window_start == datetime(2026, 8, 1, tzinfo=UTC)
    # Custom thresholds: at 25 % Cat's 35 % counts, Eve's 45 % too; Ann and Bob keep their highest.
    custom = {(r.email, r.campaign_id): r.threshold for r in report_reminders(store, thresholds=[25, 50], at=AT)}
    assert custom == {
        ("ann@acme.example", 201): 50,
        ("bob@acme.example", 202): 50,
        ("cat@acme.example", 202): 25,
        ("eve@acme.example", 201): 25,
    }


def test_parse_thresholds() -> None:
    assert parse_thresholds("75, 50,50") == (50, 75)
    assert parse_thresholds(None) == (50, 75)
    assert parse_thresholds([90]) == (90,)
    for bad in ("0", "100", "x", ""):
        with pytest.raises(Exception, match="threshold"):
            parse_thresholds(bad)


Received = tuple[str, list[str], EmailMessage]  # envelope sender, recipients, message


@dataclass
class Mailbox:
    """What the SMTP server received, and what it refuses."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(
        default_factory=list[tuple[str, list[str], EmailMessage]]
    )
    logins: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])
    refuse: set[str] = field(default_factory=set[str])
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((user, password))
        return AuthResult(success=(user, password) == ("mailer", "s3cret"), handled=False)  # handled=False: reply 535


def body(msg: EmailMessage) -> str:
    """The text as written (SMTP carries CRLF line ends)."""
    content = msg.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],  # PLAIN only: smtplib would otherwise retry a refused login with LOGIN
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def _smtp(settings: Settings, port: int, password: str = "s3cret", **extra: Any) -> SmtpSettings:
    """[smtp] pointing at the test server, read the way the CLI reads it (password from the environment)."""
    table = {"host": "127.0.0.1", "port": port, "from": "Security <sec@acme.example>", "starttls": False}
    table |= {"username": "mailer", "timeout_s": 5, **extra}
    cfg = replace(settings, raw={**settings.raw, "smtp": table})
    return SmtpSettings.from_settings(cfg, env={"TRAINPROOF_SMTP_PASSWORD": password})


def _sent_rows(store: Engine) -> list[tuple[int, int, str]]:
    t = schema.reminders_sent
    with store.connect() as conn:
        return sorted((r.user_id, r.enrollment_id, r.threshold) for r in conn.execute(select(t)))


def test_send_delivers_each_reminder_once(synced: tuple[Engine, Settings], smtp_server: tuple[Mailbox, int]) -> None:
    store, settings = synced
    box, port = smtp_server
    smtp = _smtp(settings, port)
    template = ReminderTemplate.load(None, settings)

    dry = send_reminders(store, smtp, template, at=AT)  # the default is a dry run
    assert (dry.dry_run, dry.messages, box.messages, _sent_rows(store)) == (True, 2, [], [])

    result = send_reminders(store, smtp, template, at=AT, dry_run=False)
    assert result.messages == 2
    assert [r.action for r in result.rows] == ["sent", "sent", "sent"]
    assert box.logins == [("mailer", "s3cret")]  # one SMTP session for the run; the dry run never connected
    by_to = {rcpt[0]: (sender, msg) for sender, rcpt, msg in box.messages}
    assert set(by_to) == {"ann@acme.example", "bob@acme.example"}
    sender, ann = by_to["ann@acme.example"]
    assert sender == "sec@acme.example"
    assert ann["From"] == "Security <sec@acme.example>"
    assert ann["Subject"] == "[50%] August Training due 2026-08-21"
    assert body(ann) == (
        "Hi Ann (ann@acme.example), manager: Maya Manager\n72% elapsed, 6 days left.\n- Passwords\n- Security Basics\n"
    )
    _, bob = by_to["bob@acme.example"]
    assert bob["Subject"] == "[75%] Onboarding due 2026-08-17"
    assert "85% elapsed, 2 days left.\n- Security Basics\n" in body(bob)
    assert _sent_rows(store) == [(1, 1, "50%"), (1, 2, "50%"), (2, 6, "75%")]

    again = send_reminders(store, smtp, template, at=AT, dry_run=False)
    assert again.messages == 0
    assert [r.action for r in again.rows] == ["already sent"] * 3
    assert len(box.messages) == 2

    # 17 August 00:00: campaign 201 is at 80 % (Ann: the 75 % reminder, her second and last), Eve's own
    # window there at 60 % and Cat's in 202 at 50 % (their first); Bob's deadline has come (overdue now).
    later = send_reminders(store, smtp, template, at=LATER, dry_run=False)
    assert later.messages == 3
    assert [(m[1], m[2]["Subject"]) for m in box.messages[2:]] == [
        (["ann@acme.example"], "[75%] August Training due 2026-08-21"),
        (["eve@acme.example"], "[50%] August Training due 2026-08-21"),
        (["cat@acme.example"], "[50%] Onboarding due 2026-08-22"),
    ]
    assert send_reminders(store, smtp, template, at=LATER, dry_run=False).messages == 0
    assert len(box.messages) == 5
    assert _sent_rows(store) == [
        (1, 1, "50%"),
        (1, 1, "75%"),
        (1, 2, "50%"),
        (1, 2, "75%"),
        (2, 6, "75%"),
        (3, 7, "50%"),
        (5, 5, "50%"),
    ]


def test_a_refused_message_is_not_recorded(synced: tuple[Engine, Settings], smtp_server: tuple[Mailbox, int]) -> None:
    store, settings = synced
    box, port = smtp_server
    smtp = _smtp(settings, port)
    box.refuse.add("ann@acme.example")
    with pytest.raises(MailError, match=r"refused recipient ann@acme\.example"):
        send_reminders(store, smtp, at=AT, dry_run=False)
    assert [m[1] for m in box.messages] == [["bob@acme.example"]]  # Bob's went first (nearest deadline)
    assert _sent_rows(store) == [(2, 6, "75%")]
    box.refuse.clear()
    assert send_reminders(store, smtp, at=AT, dry_run=False).messages == 1
    assert [m[1] for m in box.messages] == [["bob@acme.example"], ["ann@acme.example"]]


def test_smtp_failures_are_one_line_errors(synced: tuple[Engine, Settings], smtp_server: tuple[Mailbox, int]) -> None:
    store, settings = synced
    box, port = smtp_server
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        send_reminders(store, _smtp(settings, port, starttls=True), at=AT, dry_run=False)
    with pytest.raises(MailError, match=r"login to 127\.0\.0\.1:\d+ as mailer failed") as err:
        send_reminders(store, _smtp(settings, port, password="wrong"), at=AT, dry_run=False)
    assert "wrong" not in str(err.value)
    with pytest.raises(MailError, match="cannot connect"):
        send_reminders(store, _smtp(settings, _free_port()), at=AT, dry_run=False)
    assert box.messages == []
    assert _sent_rows(store) == []


def test_template_errors_and_default() -> None:
    default = ReminderTemplate.parse(DEFAULT_TEMPLATE)
    subject, body = default.render(
        {
            "first_name": "Ann",
            "name": "Ann A",
            "email": "a@x",
            "campaign": "C",
            "modules": "- M",
            "deadline": "2026-08-21",
            "days_left": "6",
            "threshold": "50",
            "elapsed": "72",
            "manager_name": "",
            "manager_email": "",
        }
    )
    assert subject == 'Reminder: "C" is due on 2026-08-21'
    assert "Hello Ann," in body
    assert "- M" in body
    with pytest.raises(Exception, match=r"must start with a 'Subject: \.\.\.' line"):
        ReminderTemplate.parse("Hello\n")
    with pytest.raises(Exception, match=r"unknown placeholder \$nickname"):
        ReminderTemplate.parse("Subject: hi\n\nHello $nickname\n")


def test_cli_dry_run_then_send(
    synced: tuple[Engine, Settings],
    smtp_server: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, settings = synced
    box, port = smtp_server
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())
    code, out, err = run(["report", "reminders", "--format", "csv"], capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (  # CSV keeps every field; the table shows a selection
        "enrollment_id,user_id,email,name,manager_email,campaign_id,campaign,module,status,deadline_kind,"
        "window_start,deadline,elapsed_percent,days_left,threshold,action,sent_at"
    )
    assert len(lines) == 4
    assert "2 message(s) due for 3 enrollment(s); dry run: add --send to email them" in err
    assert _sent_rows(store) == []

    code, out, err = run(["report", "reminders", "--send"], capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err.startswith("error: reminders need an SMTP server")

    smtp = f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nfrom = "sec@acme.example"\nstarttls = false\n'
    settings.config_path.write_text(settings.config_path.read_text(encoding="utf-8") + smtp, encoding="utf-8")
    code, out, err = run(["report", "reminders", "--send", "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert [r["action"] for r in json.loads(out)] == ["sent", "sent", "sent"]
    assert "sent 2 message(s)" in err
    assert len(box.messages) == 2
    code, out, err = run(["report", "reminders", "--send", "--format", "json"], capsys, monkeypatch)
    assert [r["action"] for r in json.loads(out)] == ["already sent"] * 3
    assert "sent 0 message(s)" in err
    assert len(box.messages) == 2
