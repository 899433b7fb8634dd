"""Reads of phishing security tests and their recipients, for reports (categories and templates from `raw`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from trainproof.store import schema
from trainproof.store.raw import named, raw_object
from trainproof.store.scoping import mine

__all__ = ["RecipientRow", "SecurityTestRow", "load_recipients", "load_security_tests"]


@dataclass(frozen=True, slots=True)
class SecurityTestRow:
    pst_id: int
    campaign_id: int | None
    campaign_name: str | None
    name: str | None
    status: str | None
    started_at: datetime | None
    phish_prone_percentage: float | None  # as KnowBe4 sends it on a test: a fraction (0.2 = 20 %)
    delivered_count: int | None
    categories: tuple[str, ...]
    template: str | None


@dataclass(frozen=True, slots=True)
class RecipientRow:
    recipient_id: int
    pst_id: int | None
    user_id: int | None
    user_email: str | None
    first_name: str | None
    last_name: str | None
    template: str | None
    delivered_at: datetime | None
    clicked_at: datetime | None
    data_entered_at: datetime | None
    attachment_opened_at: datetime | None
    macro_enabled_at: datetime | None
    qr_code_scanned_at: datetime | None
    reported_at: datetime | None

    def failures(self) -> dict[str, datetime]:
        """Each failing action with when it happened (KnowBe4's Phishing Failure: "clicked/failed a phishing test")."""
        found = {
            "clicked": self.clicked_at,
            "data_entered": self.data_entered_at,
            "attachment_opened": self.attachment_opened_at,
            "macro_enabled": self.macro_enabled_at,
            "qr_code_scanned": self.qr_code_scanned_at,
        }
        return {k: v for k, v in found.items() if v is not None}


def load_security_tests(conn: Connection) -> dict[int, SecurityTestRow]:
    """Phishing security tests with their campaign's name and, from `raw`, categories and template."""
    st, pc = schema.security_tests, schema.phishing_campaigns
    query = select(st, pc.c.name.label("campaign_name")).select_from(
        st.outerjoin(pc, (pc.c.account == st.c.account) & (pc.c.campaign_id == st.c.campaign_id))
    )
    out: dict[int, SecurityTestRow] = {}
    for r in conn.execute(query.where(mine(conn, st), st.c.removed_at.is_(None))):
        raw = raw_object(r.raw)
        cats: list[str] = []
        raw_cats: object = raw.get("categories")
        if isinstance(raw_cats, list):
            for cat in raw_cats:  # pyright: ignore[reportUnknownVariableType]
                name = named(cat)  # pyright: ignore[reportUnknownArgumentType]
                if name:
                    cats.append(name)
        out[r.pst_id] = SecurityTestRow(
            pst_id=r.pst_id,
            campaign_id=r.campaign_id,
            campaign_name=r.campaign_name,
            name=r.name,
            status=r.status,
            started_at=r.started_at,
            phish_prone_percentage=r.phish_prone_percentage,
            delivered_count=r.delivered_count,
            categories=tuple(cats),
            template=named(raw.get("template")),
        )
    return out


def load_recipients(conn: Connection, *, failed_only: bool = False) -> list[RecipientRow]:
    """Phishing test recipients; with `failed_only`, those who clicked, entered data, opened, enabled or scanned."""
    rc = schema.security_test_recipients
    query = select(rc).where(mine(conn, rc), rc.c.removed_at.is_(None)).order_by(rc.c.recipient_id)
    if failed_only:
        query = query.where(
            rc.c.clicked_at.is_not(None)
            | rc.c.data_entered_at.is_not(None)
            | rc.c.attachment_opened_at.is_not(None)
            | rc.c.macro_enabled_at.is_not(None)
            | rc.c.qr_code_scanned.is_not(None)
        )
    out: list[RecipientRow] = []
    for r in conn.execute(query):
        raw = raw_object(r.raw)
        user = raw.get("user")
        first = user.get("first_name") if isinstance(user, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        last = user.get("last_name") if isinstance(user, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        out.append(
            RecipientRow(
                recipient_id=r.recipient_id,
                pst_id=r.pst_id,
                user_id=r.user_id,
                user_email=r.user_email,
                first_name=first if isinstance(first, str) else None,
                last_name=last if isinstance(last, str) else None,
                template=named(raw.get("template")),
                delivered_at=r.delivered_at,
                clicked_at=r.clicked_at,
                data_entered_at=r.data_entered_at,
                attachment_opened_at=r.attachment_opened_at,
                macro_enabled_at=r.macro_enabled_at,
                qr_code_scanned_at=r.qr_code_scanned,
                reported_at=r.reported_at,
            )
        )
    return out
