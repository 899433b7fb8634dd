"""What a sync needs to know before it asks KnowBe4 anything: the options, and the store's bookmarks.

Options come from trainproof.toml:

```toml
[sync]
campaigns = "selected"   # or "all": fetch enrollments of every campaign, not only those trainings select
phishing = true          # phishing campaigns, security tests and recipients (reports use them)
groups = true            # the group list (names for scope exclusions and reports)

[trainings.security_awareness]
campaigns = [101, "Security Awareness 2026 - Part B"]   # ids or exact names (`trainproof.selection`)
```

With no training configured, `campaigns = "selected"` behaves as "all". Bookmarks are read from the
store (see `store.bookmarks`): which campaigns were fetched completely, in which status, and how many
enrollments they had, which lets the planner skip finished campaigns and estimate costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from trainproof.config import Settings
from trainproof.config_keys import reject_unknown_keys
from trainproof.errors import ConfigError
from trainproof.selection import CampaignRef, Catalog, SelectionError, campaign_refs
from trainproof.store.bookmarks import (
    CampaignBookmark,
    campaign_bookmarks,
    recipient_bookmarks,
    security_test_kinds,
)
from trainproof.store.contents import store_counts
from trainproof.store.freshness import SyncRun, last_sync_run
from trainproof.store.handle import StoreConnection
from trainproof.store.people import active_user_ids
from trainproof.store.sticky import open_sticky_trainings

__all__ = [
    "StoreState",
    "SyncOptions",
    "estimate_selection",
    "read_state",
    "selected_campaigns",
    "sync_options",
]

CampaignsMode = Literal["selected", "all"]


@dataclass(frozen=True)
class SyncOptions:
    """The `[sync]` table and the campaign references of every `[trainings.*]` table."""

    campaigns: CampaignsMode = "selected"
    phishing: bool = True
    groups: bool = True
    trainings: Mapping[str, tuple[CampaignRef, ...]] = field(default_factory=dict[str, tuple[CampaignRef, ...]])

    @property
    def fetch_all(self) -> bool:
        """True when every campaign's enrollments are wanted (mode "all", or no training configured)."""
        return self.campaigns == "all" or not any(self.trainings.values())


def _bool(table: Mapping[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"[sync] {key} must be true or false, not {value!r}", f"write {key} = {str(default).lower()}")
    return value


def sync_options(settings: Settings) -> SyncOptions:
    """Read `[sync]` and the trainings' campaign lists; a malformed value raises ConfigError."""
    table = settings.table("sync")
    reject_unknown_keys("sync", table, str(settings.config_path or "trainproof.toml"))
    mode = table.get("campaigns", "selected")
    if mode not in ("selected", "all"):
        raise ConfigError(f'[sync] campaigns must be "selected" or "all", not {mode!r}', 'write campaigns = "selected"')
    trainings: dict[str, tuple[CampaignRef, ...]] = {}
    for key, value in settings.table("trainings").items():
        if not isinstance(value, dict):
            continue  # the compliance policy reports malformed trainings; the sync only needs campaigns
        trainings[key] = campaign_refs(f"[trainings.{key}]", cast(dict[str, Any], value).get("campaigns", []))
    return SyncOptions(
        campaigns=mode,
        phishing=_bool(table, "phishing", True),
        groups=_bool(table, "groups", True),
        trainings=trainings,
    )


def selected_campaigns(
    options: SyncOptions, fetched: Mapping[int, tuple[str | None, str | None]], state: StoreState
) -> dict[str, set[int]]:
    """Campaign ids each training selects, resolved as compliance will resolve them after this sync.

    `fetched` is KnowBe4's campaign list just read (id -> (name, status)); the store's campaigns
    complete it, because the store keeps those KnowBe4 deleted and compliance judges them. A
    reference that selects no campaign or several fails the sync with compliance's own error.
    """
    names: dict[int, str | None] = {cid: bm.name for cid, bm in state.bookmarks.items()}
    names.update((cid, name) for cid, (name, _) in fetched.items())
    catalog = Catalog(names)
    return {key: set(catalog.resolve_all(key, refs)) for key, refs in options.trainings.items()}


def estimate_selection(options: SyncOptions, state: StoreState) -> tuple[dict[str, set[int]], list[str]]:
    """The selection from the store alone, for a plan made before KnowBe4 is asked (--dry-run).

    KnowBe4 may list campaigns the store does not know yet, so a reference that fails here is a note
    (the sync itself fails if it still fails against the fresh list); a new store knows no campaign.
    """
    catalog = Catalog({cid: bm.name for cid, bm in state.bookmarks.items()})
    selected: dict[str, set[int]] = {}
    notes: list[str] = []
    for key, refs in options.trainings.items():
        ids: set[int] = set()
        for ref in refs:
            try:
                ids.add(catalog.resolve(key, ref))
            except SelectionError as exc:
                if not state.is_new:
                    notes.append(f"{exc.message} (the sync fails unless KnowBe4 now lists it)")
        selected[key] = ids
    return selected, notes


@dataclass(frozen=True)
class StoreState:
    """The store's view of the tenant as of the last sync (all zeros for a new store)."""

    bookmarks: Mapping[int, CampaignBookmark] = field(default_factory=dict[int, CampaignBookmark])
    recipients: Mapping[int, tuple[str | None, int | None]] = field(
        default_factory=dict[int, tuple[str | None, int | None]]
    )
    counts: Mapping[str, int] = field(default_factory=dict[str, int])
    active_users: frozenset[int] = frozenset()
    open_sticky: Mapping[int, frozenset[str]] = field(default_factory=dict[int, frozenset[str]])
    tests: Mapping[int, tuple[str | None, str | None]] = field(default_factory=dict[int, tuple[str | None, str | None]])
    last_ok: SyncRun | None = None  # the last successful sync

    @property
    def is_new(self) -> bool:
        return self.last_ok is None


# The resources walked page by page whose size the plan estimates (enrollments and recipients are
# estimated per campaign and test, from the bookmarks).
_COUNTED = (
    "users",
    "groups",
    "training_campaigns",
    "store_purchases",
    "policies",
    "phishing_campaigns",
    "security_tests",
)


def read_state(conn: StoreConnection) -> StoreState:
    """Bookmarks, counts from the last sync, active users and open sticky records."""
    return StoreState(
        bookmarks=campaign_bookmarks(conn),
        recipients=recipient_bookmarks(conn),
        counts=store_counts(conn, _COUNTED),
        active_users=active_user_ids(conn),
        open_sticky=open_sticky_trainings(conn),
        tests=security_test_kinds(conn),
        last_ok=last_sync_run(conn),
    )
