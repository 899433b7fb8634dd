"""The local store: a mirror of KnowBe4 that remembers what KnowBe4 forgets, in SQLite or PostgreSQL.

>>> engine = open_store("sqlite:///trainproof.db")     # creates and migrates a new store
>>> with engine.connect() as conn:
...     facts = load_facts(conn, as_of=None)

Schema in `schema.py` (SQLAlchemy Core), migrations in `migrations/` (Alembic, shipped in the package),
history-keeping merges in `history.py`, the sync lock in `lock.py`. Reads are named after what they
read: `facts.py` (all compliance facts at once), `people.py`, `campaigns.py`, `enrollments.py`,
`sticky.py` (sticky records, the decision log), `reminders.py` (reminders sent), `runs.py` (sync runs,
request usage), `bookmarks.py` (what the sync planner may skip and what it fetched), `contents.py`
(counts, canonical dump), `account.py` (the tenant's own record). One store holds many KnowBe4
accounts: a handle answers for the one bound on it (`open_store(url, account="acme")`, `scoping.py`). Reports read
typed rows of the mirror (`UserRow`, `CampaignRow`, `EnrollmentRow`, ... in the same modules, plus
`catalogue.py` and `phishing.py`) through `source.connect`.
"""

from __future__ import annotations

from sqlalchemy import Engine

from trainproof.store.bookmarks import CampaignBookmark, campaign_bookmarks
from trainproof.store.campaigns import load_campaigns
from trainproof.store.contents import canonical_dump, store_counts
from trainproof.store.db import (
    create_store_engine,
    current_revision,
    ensure_schema,
    head_revision,
    redact_url,
    sqlite_path,
    upgrade,
    write_transaction,
)
from trainproof.store.enrollments import enrollment_history, load_enrollments
from trainproof.store.facts import Facts, load_facts
from trainproof.store.lock import StoreLock
from trainproof.store.people import load_people, user_history
from trainproof.store.reminders import SentReminder, record_reminder, reminders_sent
from trainproof.store.runs import last_run, sync_runs
from trainproof.store.scoping import DEFAULT_ACCOUNT, account_of, bind_account
from trainproof.store.sticky import (
    append_events,
    compliance_events,
    reset_sticky,
    save_sticky_records,
    sticky_records,
)

__all__ = [
    "DEFAULT_ACCOUNT",
    "CampaignBookmark",
    "Facts",
    "SentReminder",
    "StoreLock",
    "account_of",
    "append_events",
    "bind_account",
    "campaign_bookmarks",
    "canonical_dump",
    "compliance_events",
    "create_store_engine",
    "current_revision",
    "enrollment_history",
    "ensure_schema",
    "head_revision",
    "last_run",
    "load_campaigns",
    "load_enrollments",
    "load_facts",
    "load_people",
    "open_store",
    "record_reminder",
    "redact_url",
    "reminders_sent",
    "reset_sticky",
    "save_sticky_records",
    "sqlite_path",
    "sticky_records",
    "store_counts",
    "sync_runs",
    "upgrade",
    "user_history",
    "write_transaction",
]


def open_store(url: str, *, create: bool = True, account: str = DEFAULT_ACCOUNT) -> Engine:
    """An Engine on the store at `url` answering for `account`; a new, empty store gets its schema when
    `create` is true.

    Raises StoreError when the store needs `trainproof db upgrade` or is not a trainproof store.
    """
    engine = create_store_engine(url, account=account)
    if create:
        try:
            ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine
