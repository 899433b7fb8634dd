"""SMTP delivery for reminders: settings from `[smtp]`, the password only from the environment.

```toml
[smtp]
host = "smtp.example.com"
port = 587
from = "Security Awareness <security@example.com>"
starttls = true
username = "security@example.com"   # password: TRAINPROOF_SMTP_PASSWORD
```
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from trainproof import clock
from trainproof.config import Secret, Settings
from trainproof.errors import ConfigError, TrainproofError

__all__ = ["PASSWORD_ENV", "MailError", "SmtpSettings", "smtp_session"]

PASSWORD_ENV = "TRAINPROOF_SMTP_PASSWORD"  # noqa: S105  # the name of the variable, not a password


class MailError(TrainproofError):
    """The SMTP server refused the connection, the login or a message."""

    exit_code = 4


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool
    username: str | None
    password: Secret | None
    timeout_s: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings, env: dict[str, str] | None = None) -> SmtpSettings:
        """Read `[smtp]`; raise ConfigError naming what is missing."""
        table: dict[str, Any] = settings.table("smtp")
        environ = os.environ if env is None else env
        host = str(table.get("host") or "").strip()
        sender = str(table.get("from") or "").strip()
        if not host or not sender:
            raise ConfigError(
                "reminders need an SMTP server to send",
                'add [smtp] host = "smtp.example.com" and from = "security@example.com" to trainproof.toml',
            )
        if "@" not in parseaddr(sender)[1]:
            raise ConfigError(f"[smtp] from = '{sender}' is not an email address", "e.g. security@example.com")
        starttls = bool(table.get("starttls", True))
        try:
            port = int(table.get("port") or (587 if starttls else 25))
        except (TypeError, ValueError):
            raise ConfigError("[smtp] port is not a number", "e.g. port = 587") from None
        username = str(table["username"]).strip() if table.get("username") else None
        password_text = environ.get(PASSWORD_ENV, "")
        if username and not password_text:
            raise ConfigError(f"[smtp] username is set but {PASSWORD_ENV} is empty", f"export {PASSWORD_ENV}=...")
        return cls(
            host=host,
            port=port,
            sender=sender,
            starttls=starttls,
            username=username,
            password=Secret(password_text) if password_text else None,
            timeout_s=float(table.get("timeout_s", 30.0)),
        )


class _Session:
    """An open SMTP connection that sends one message at a time."""

    def __init__(self, smtp: smtplib.SMTP, sender: str) -> None:
        self._smtp = smtp
        self._sender = sender

    def send(self, to: str, subject: str, body: str) -> str:
        """Send one plain-text message and return its Message-ID."""
        msg = EmailMessage()
        msg["From"] = self._sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(clock.now())
        domain = parseaddr(self._sender)[1].rpartition("@")[2] or None
        msg["Message-ID"] = make_msgid("trainproof", domain=domain)
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(body)
        try:
            refused = self._smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused:
            raise MailError(f"the SMTP server refused recipient {to}", "check the address in KnowBe4") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"sending to {to} failed ({type(exc).__name__})", "check [smtp] and retry") from None
        if refused:
            raise MailError(f"the SMTP server refused recipient {to}", "check the address in KnowBe4")
        return str(msg["Message-ID"])


@contextmanager
def smtp_session(cfg: SmtpSettings) -> Generator[_Session]:
    """Connect, STARTTLS and log in as configured; errors become one-line MailErrors (never the password)."""
    where = f"{cfg.host}:{cfg.port}"
    try:
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"cannot connect to SMTP server {where} ({type(exc).__name__})", "check [smtp] host and port"
        ) from None
    try:
        try:
            smtp.ehlo()
            if cfg.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if cfg.username and cfg.password is not None:
                smtp.login(cfg.username, cfg.password.get())
        except smtplib.SMTPAuthenticationError:
            raise MailError(f"SMTP login to {where} as {cfg.username} failed", f"check {PASSWORD_ENV}") from None
        except smtplib.SMTPNotSupportedError:
            raise MailError(
                f"{where} does not offer STARTTLS or AUTH", "set [smtp] starttls = false or fix the server"
            ) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise MailError(f"SMTP setup with {where} failed ({type(exc).__name__})", "check [smtp]") from None
        yield _Session(smtp, cfg.sender)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
