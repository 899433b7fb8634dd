"""What the reports read from the local store: typed rows over the store's tables, never an API call.

Reports only read, so they use SQLAlchemy Core selects against `trainproof.store.schema` and turn rows
into small frozen dataclasses. Fields the store keeps only in a record's `raw` JSON (a purchase's
description, a test's categories and template, a campaign's completion_percentage) are read from there.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, select

from trainproof.statuses import CampaignState, EnrollmentState, campaign_state, enrollment_state, is_complete
from trainproof.store import schema as s

__all__ = [
    "CampaignRow",
    "ContentRow",
    "EnrollmentRow",
    "PurchaseRow",
    "RecipientRow",
    "SecurityTestRow",
    "Source",
    "UserRow",
    "connect",
    "load_campaigns",
    "load_enrollments",
    "load_purchases",
    "load_recipients",
    "load_security_tests",
    "load_users",
]


class _HasEngine(Protocol):
    @property
    def engine(self) -> Engine: ...


Source = Connection | Engine | _HasEngine


@contextmanager
def connect(source: Source) -> Generator[Connection]:
    """A connection from a Connection (used as is), an Engine, or a store object with `.engine`."""
    if isinstance(source, Connection):
        yield source
        return
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        yield conn


def _raw(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownVariableType]


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    department: str | None
    division: str | None
    location: str | None
    manager_name: str | None
    manager_email: str | None
    employee_start_date: datetime | None
    joined_on: datetime | None
    status: str | None
    archived_at: datetime | None
    group_ids: tuple[int, ...]
    phish_prone_percentage: float | None
    removed: bool

    @property
    def name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or (self.email or f"user {self.id}")

    @property
    def started(self) -> datetime | None:
        """When the person started: the HR start date, else when KnowBe4 first saw them."""
        return self.employee_start_date or self.joined_on

    def active_at(self, at: datetime) -> bool:
        """In KnowBe4's active population at `at` (archived users leave it from archived_at)."""
        if self.removed:
            return False
        if self.archived_at is not None:
            return self.archived_at > at
        return (self.status or "active").lower() != "archived"


@dataclass(frozen=True, slots=True)
class ContentRow:
    module_key: str
    position: int
    content_type: str | None
    name: str | None
    store_purchase_id: int | None
    policy_id: int | None
    type: str | None
    duration: int | None
    retired: bool
    retirement_date: datetime | None
    publish_date: datetime | None


@dataclass(frozen=True, slots=True)
class CampaignRow:
    campaign_id: int
    name: str
    status: str | None
    duration_type: str | None
    start_date: datetime | None
    end_date: datetime | None
    relative_duration: str | None
    auto_enroll: bool | None
    allow_multiple_enrollments: bool | None
    completion_percentage: float | None
    group_ids: tuple[int, ...]
    content: tuple[ContentRow, ...]
    removed: bool

    @property
    def state(self) -> CampaignState:
        return campaign_state(self.status)


@dataclass(frozen=True, slots=True)
class EnrollmentRow:
    enrollment_id: int
    user_id: int | None
    user_email: str | None
    campaign_id: int | None
    campaign_name: str | None
    content_type: str | None
    module_name: str | None
    module_key: str
    store_purchase_id: int | None
    policy_id: int | None
    status: str | None
    enrollment_date: datetime | None
    start_date: datetime | None
    completion_date: datetime | None
    time_spent: int | None
    removed: bool

    @property
    def state(self) -> EnrollmentState:
        return enrollment_state(self.status)

    @property
    def complete(self) -> bool:
        return is_complete(self.status)


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    store_purchase_id: int
    name: str
    description: str | None
    type: str | None
    duration: int | None
    retired: bool
    retirement_date: datetime | None
    publish_date: datetime | None
    purchase_date: datetime | None


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


def _ints(value: object) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    out: list[int] = []
    for v in value:  # pyright: ignore[reportUnknownVariableType]
        if isinstance(v, int):
            out.append(v)
        elif isinstance(v, dict) and isinstance(v.get("group_id"), int):  # pyright: ignore[reportUnknownMemberType]
            out.append(v["group_id"])  # pyright: ignore[reportUnknownArgumentType]
    return tuple(out)


def load_users(conn: Connection, *, include_removed: bool = False) -> dict[int, UserRow]:
    """Every user the store knows (archived ones too: reports decide who is in the population)."""
    u = s.users
    query = select(
        u.c.id,
        u.c.email,
        u.c.first_name,
        u.c.last_name,
        u.c.department,
        u.c.division,
        u.c.location,
        u.c.manager_name,
        u.c.manager_email,
        u.c.employee_start_date,
        u.c.joined_on,
        u.c.status,
        u.c.archived_at,
        u.c.group_ids,
        u.c.phish_prone_percentage,
        u.c.removed_at,
    )
    if not include_removed:
        query = query.where(u.c.removed_at.is_(None))
    out: dict[int, UserRow] = {}
    for r in conn.execute(query):
        out[r.id] = UserRow(
            id=r.id,
            email=r.email,
            first_name=r.first_name,
            last_name=r.last_name,
            department=r.department,
            division=r.division,
            location=r.location,
            manager_name=r.manager_name,
            manager_email=r.manager_email,
            employee_start_date=r.employee_start_date,
            joined_on=r.joined_on,
            status=r.status,
            archived_at=r.archived_at,
            group_ids=_ints(r.group_ids),
            phish_prone_percentage=r.phish_prone_percentage,
            removed=r.removed_at is not None,
        )
    return out


def load_campaigns(conn: Connection, *, include_removed: bool = False) -> dict[int, CampaignRow]:
    """Training campaigns with their content, each item joined to its store purchase (retired, published)."""
    c, cc, sp = s.training_campaigns, s.campaign_content, s.store_purchases
    content: dict[int, list[ContentRow]] = {}
    query = (
        select(
            cc.c.campaign_id,
            cc.c.module_key,
            cc.c.position,
            cc.c.content_type,
            cc.c.name,
            cc.c.store_purchase_id,
            cc.c.policy_id,
            cc.c.raw,
            sp.c.type,
            sp.c.duration,
            sp.c.retired,
            sp.c.retirement_date,
            sp.c.publish_date,
        )
        .select_from(cc.outerjoin(sp, sp.c.store_purchase_id == cc.c.store_purchase_id))
        .where(cc.c.removed_at.is_(None))
        .order_by(cc.c.campaign_id, cc.c.position)
    )
    for r in conn.execute(query):
        raw = _raw(r.raw)
        retired = r.retired if r.retired is not None else bool(raw.get("retired"))
        content.setdefault(r.campaign_id, []).append(
            ContentRow(
                module_key=r.module_key,
                position=r.position,
                content_type=r.content_type,
                name=r.name,
                store_purchase_id=r.store_purchase_id,
                policy_id=r.policy_id,
                type=r.type or raw.get("type"),
                duration=r.duration,
                retired=bool(retired),
                retirement_date=r.retirement_date,
                publish_date=r.publish_date,
            )
        )
    cq = select(c)
    if not include_removed:
        cq = cq.where(c.c.removed_at.is_(None))
    out: dict[int, CampaignRow] = {}
    for r in conn.execute(cq):
        raw = _raw(r.raw)
        pct = raw.get("completion_percentage")
        out[r.campaign_id] = CampaignRow(
            campaign_id=r.campaign_id,
            name=r.name or f"campaign {r.campaign_id}",
            status=r.status,
            duration_type=r.duration_type,
            start_date=r.start_date,
            end_date=r.end_date,
            relative_duration=r.relative_duration,
            auto_enroll=r.auto_enroll,
            allow_multiple_enrollments=r.allow_multiple_enrollments,
            completion_percentage=float(pct) if isinstance(pct, int | float) and pct >= 0 else None,
            group_ids=_ints(r.group_ids),
            content=tuple(content.get(r.campaign_id, ())),
            removed=r.removed_at is not None,
        )
    return out


def load_enrollments(
    conn: Connection, *, campaign_ids: Iterable[int] | None = None, include_removed: bool = False
) -> list[EnrollmentRow]:
    """Enrollments (of some campaigns); removed ones, which KnowBe4 forgot, only when asked."""
    e = s.enrollments
    query = select(
        e.c.enrollment_id,
        e.c.user_id,
        e.c.user_email,
        e.c.campaign_id,
        e.c.campaign_name,
        e.c.content_type,
        e.c.module_name,
        e.c.module_key,
        e.c.store_purchase_id,
        e.c.policy_id,
        e.c.status,
        e.c.enrollment_date,
        e.c.start_date,
        e.c.completion_date,
        e.c.time_spent,
        e.c.removed_at,
    ).order_by(e.c.enrollment_id)
    if campaign_ids is not None:
        query = query.where(e.c.campaign_id.in_(list(campaign_ids)))
    if not include_removed:
        query = query.where(e.c.removed_at.is_(None))
    return [
        EnrollmentRow(
            enrollment_id=r.enrollment_id,
            user_id=r.user_id,
            user_email=r.user_email,
            campaign_id=r.campaign_id,
            campaign_name=r.campaign_name,
            content_type=r.content_type,
            module_name=r.module_name,
            module_key=r.module_key,
            store_purchase_id=r.store_purchase_id,
            policy_id=r.policy_id,
            status=r.status,
            enrollment_date=r.enrollment_date,
            start_date=r.start_date,
            completion_date=r.completion_date,
            time_spent=r.time_spent,
            removed=r.removed_at is not None,
        )
        for r in conn.execute(query)
    ]


def load_purchases(conn: Connection) -> list[PurchaseRow]:
    """The account's store purchases (the modules it can assign), with descriptions from `raw`."""
    sp = s.store_purchases
    out: list[PurchaseRow] = []
    for r in conn.execute(select(sp).where(sp.c.removed_at.is_(None)).order_by(sp.c.store_purchase_id)):
        raw = _raw(r.raw)
        description = raw.get("description")
        out.append(
            PurchaseRow(
                store_purchase_id=r.store_purchase_id,
                name=r.name or f"store purchase {r.store_purchase_id}",
                description=description if isinstance(description, str) else None,
                type=r.type,
                duration=r.duration,
                retired=bool(r.retired),
                retirement_date=r.retirement_date,
                publish_date=r.publish_date,
                purchase_date=r.purchase_date,
            )
        )
    return out


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        name = value.get("name")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        return name if isinstance(name, str) and name else None
    return None


def load_security_tests(conn: Connection) -> dict[int, SecurityTestRow]:
    """Phishing security tests with their campaign's name and, from `raw`, categories and template."""
    st, pc = s.security_tests, s.phishing_campaigns
    query = select(st, pc.c.name.label("campaign_name")).select_from(
        st.outerjoin(pc, pc.c.campaign_id == st.c.campaign_id)
    )
    out: dict[int, SecurityTestRow] = {}
    for r in conn.execute(query.where(st.c.removed_at.is_(None))):
        raw = _raw(r.raw)
        cats: list[str] = []
        raw_cats: object = raw.get("categories")
        if isinstance(raw_cats, list):
            for cat in raw_cats:  # pyright: ignore[reportUnknownVariableType]
                name = _name(cat)  # pyright: ignore[reportUnknownArgumentType]
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
            template=_name(raw.get("template")),
        )
    return out


def load_recipients(conn: Connection, *, failed_only: bool = False) -> list[RecipientRow]:
    """Phishing test recipients; with `failed_only`, those who clicked, entered data, opened, enabled or scanned."""
    rc = s.security_test_recipients
    query = select(rc).where(rc.c.removed_at.is_(None)).order_by(rc.c.recipient_id)
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
        raw = _raw(r.raw)
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
                template=_name(raw.get("template")),
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
