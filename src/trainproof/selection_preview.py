"""What the campaign selection is, and what a change to it would do, before anything is written.

Drata's rule: a person must complete every selected campaign they are enrolled in, and once compliant
is kept compliant (Drata stops syncing them). So selecting or unselecting a campaign can move people
between states, and it can also leave people compliant only because their kept (sticky) record says so:
the new selection would judge them otherwise, but nothing does until someone runs `trainproof reset`.
A preview names both, like `trainproof reset --dry-run` does, so the change is never silent.

Campaign references are resolved by `trainproof.selection.Catalog` (the one resolver) and people are
judged by `trainproof.judging.judge` (the one judging path), before and after, at the same instant and
from the same store. Without a store (before a first sync) only the campaigns can be compared, against
KnowBe4's live list. The CLI (`trainproof trainings`, `trainproof init`) and the web console call these
functions; none computes a decision of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from trainproof import clock
from trainproof.compliance.decision import STATES, Decision, State
from trainproof.compliance.engine import evaluate
from trainproof.compliance.trainings import Training, TrainingsConfig, parse_trainings
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.judging import Judged, judge
from trainproof.selection import CampaignRef, Catalog, SelectionError
from trainproof.store.bookmarks import campaign_bookmarks
from trainproof.store.campaigns import load_campaigns
from trainproof.store.handle import StoreConnection, StoreEngine, read
from trainproof.trainings_file import TrainingsFile

__all__ = [
    "CampaignLabel",
    "Figures",
    "Flip",
    "KeptCompliance",
    "SelectionPreview",
    "TrainingChange",
    "TrainingView",
    "coverage_before_sync",
    "preview_selection",
    "select_campaigns",
    "selection_overview",
    "unselect_campaigns",
]

Change = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True, slots=True)
class CampaignLabel:
    campaign_id: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"campaign_id": self.campaign_id, "name": self.name}


@dataclass(frozen=True, slots=True)
class Figures:
    """One training's people on the date judged: in the population, enrolled in a selected campaign, compliant."""

    people: int
    covered: int
    compliant: int
    states: Mapping[str, int]

    @classmethod
    def of(cls, decisions: Sequence[Decision]) -> Figures:
        states = Counter(d.state for d in decisions)
        return cls(
            people=len(decisions),
            covered=sum(1 for d in decisions if d.campaigns),
            compliant=states["compliant"],
            states={s: states[s] for s in STATES},
        )

    def to_dict(self) -> dict[str, Any]:
        return {"people": self.people, "covered": self.covered, "compliant": self.compliant, **self.states}


@dataclass(frozen=True, slots=True)
class TrainingView:
    """A training as configured, its campaigns by name, and its figures (None without a store)."""

    key: str
    title: str
    campaigns: tuple[CampaignLabel, ...]
    renewal: str
    grace_days: int | None
    figures: Figures | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "training": self.key,
            "title": self.title,
            "campaigns": [c.to_dict() for c in self.campaigns],
            "renewal": self.renewal,
            "new_hire_grace_days": self.grace_days,
            **(self.figures.to_dict() if self.figures else {}),
        }


@dataclass(frozen=True, slots=True)
class TrainingChange:
    """One training before and after: the campaigns added and removed, and the figures on each side."""

    key: str
    title: str
    change: Change
    campaigns: tuple[CampaignLabel, ...]  # selected after the change (before it, for a removed training)
    added: tuple[CampaignLabel, ...]
    removed: tuple[CampaignLabel, ...]
    before: Figures | None
    after: Figures | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "training": self.key,
            "title": self.title,
            "change": self.change,
            "campaigns": [c.to_dict() for c in self.campaigns],
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
        }


@dataclass(frozen=True, slots=True)
class Flip:
    """A person whose state for a training would change."""

    user_id: int
    email: str
    name: str
    training: str
    before: State
    after: State

    @property
    def compliance_changes(self) -> bool:
        return (self.before == "compliant") != (self.after == "compliant")

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "email": self.email,
            "name": self.name,
            "training": self.training,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class KeptCompliance:
    """A person the new selection would judge otherwise, who stays compliant by their kept record."""

    user_id: int
    email: str
    name: str
    training: str
    compliant_since: datetime | None
    from_data: State  # the state the new selection gives from KnowBe4's data alone

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "email": self.email,
            "name": self.name,
            "training": self.training,
            "compliant_since": self.compliant_since,
            "from_data": self.from_data,
        }


@dataclass(frozen=True, slots=True)
class SelectionPreview:
    """What writing the new configuration would change; `as_of` is None when no store could be judged."""

    trainings: tuple[TrainingChange, ...]
    flips: tuple[Flip, ...]
    kept: tuple[KeptCompliance, ...]
    as_of: datetime | None
    notes: tuple[str, ...] = ()

    @property
    def changes(self) -> tuple[TrainingChange, ...]:
        return tuple(t for t in self.trainings if t.change != "unchanged")

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "trainings": [t.to_dict() for t in self.changes],
            "flips": [f.to_dict() for f in self.flips],
            "kept": [k.to_dict() for k in self.kept],
            "notes": list(self.notes),
        }


# -- the selection as it is ---------------------------------------------------------------------------


def selection_overview(
    raw: Mapping[str, Any],
    settings: Settings,
    *,
    engine: StoreEngine | None = None,
    campaigns: Sequence[tuple[int, str | None]] | None = None,
    source: str = "trainproof.toml",
) -> tuple[TrainingView, ...]:
    """Every configured training with its campaigns, renewal, grace and, from the store, its figures now.

    Without `engine`, `campaigns` (KnowBe4's live list) names the campaigns and no figures are given.
    """
    config = parse_trainings(raw, source=source)
    if engine is None:
        catalog = Catalog.of(campaigns or ())
        return tuple(_view(t, catalog, None) for t in config.trainings)

    def work(conn: StoreConnection) -> tuple[TrainingView, ...]:
        catalog = Catalog.of((c.campaign_id, c.name) for c in load_campaigns(conn))
        judged = judge(conn, replace(settings, raw=dict(raw)), policy=config) if config.trainings else None
        return tuple(
            _view(t, catalog, Figures.of(judged.evaluation.for_training(t.key)) if judged else None)
            for t in config.trainings
        )

    return read(engine, work)


def coverage_before_sync(settings: Settings, raw: Mapping[str, Any]) -> tuple[TrainingView, ...]:
    """`selection_overview` for a configuration not written yet, before any sync: who each training
    would cover and who is compliant now.

    Drata's rule judges people, campaigns and enrollments together, which only a sync gathers correctly,
    so the chosen campaigns are synced (the same code path as `trainproof sync`, phishing and groups left
    out) into a temporary store in the state folder, judged, and the store removed. `settings` carries
    the token and base URL to use.
    """
    import shutil
    import tempfile
    from pathlib import Path

    from trainproof.store import open_store
    from trainproof.sync import run_sync

    settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory = Path(tempfile.mkdtemp(prefix="preview-", dir=settings.state_dir))
    try:
        url = f"sqlite:///{directory / 'preview.db'}"
        preview_raw = {**raw, "sync": {"campaigns": "selected", "phishing": False, "groups": False}}
        preview = replace(settings, database_url=url, raw=preview_raw)
        run_sync(preview)
        engine = open_store(url, account=settings.account)
        try:
            return selection_overview(preview_raw, preview, engine=engine)
        finally:
            engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _view(training: Training, catalog: Catalog, figures: Figures | None) -> TrainingView:
    return TrainingView(
        key=training.key,
        title=training.title,
        campaigns=_labels(catalog, catalog.resolve_all(training.key, training.campaigns)),
        renewal=renewal_text(training),
        grace_days=training.new_hire_grace_days,
        figures=figures,
    )


def renewal_text(training: Training) -> str:
    """How compliance renews, in words: none, every N days after completion, or each year on MM-DD."""
    if training.renew_on is not None:  # Drata's other recurring reset: a fixed date each year
        return f"each year on {training.renew_on}"
    if training.renew_every_days:
        return f"{training.renew_every_days} days after completion"
    return "none"


# -- changing it ------------------------------------------------------------------------------------


def select_campaigns(file: TrainingsFile, training: str, refs: Sequence[CampaignRef], catalog: Catalog) -> list[str]:
    """Add each campaign `refs` selects to `[trainings.TRAINING]` as written (an id with its name as a
    comment); a campaign already selected, by any reference, is named in the notes returned, not added twice.

    A reference that selects no campaign or several raises SelectionError with the closest names.
    """
    notes: list[str] = []
    adding: list[CampaignRef] = []
    names: dict[int, str] = {}
    for ref in refs:
        cid = catalog.resolve(training, ref)
        if catalog.selecting(training, [*file.refs(training), *adding], cid):
            notes.append(f"{_label(catalog, cid)} is already selected by {training}")
            continue
        adding.append(ref)
        names[cid] = catalog.name(cid)
    file.select(training, adding, names=names)
    return notes


def unselect_campaigns(file: TrainingsFile, training: str, refs: Sequence[CampaignRef], catalog: Catalog) -> list[str]:
    """Remove every reference of `[trainings.TRAINING]` that selects a campaign `refs` selects (an id
    given removes the name written for it, and the other way round); notes name those not selected."""
    notes: list[str] = []
    for ref in refs:
        cid = catalog.resolve(training, ref)
        written = catalog.selecting(training, file.refs(training), cid)
        if not written:
            notes.append(f"{_label(catalog, cid)} is not selected by {training}")
            continue
        file.unselect(training, written)
    return notes


def _label(catalog: Catalog, cid: int) -> str:
    return f"{catalog.name(cid)!r} (id {cid})"


# -- what a change would do ---------------------------------------------------------------------------


def preview_selection(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    settings: Settings,
    *,
    engine: StoreEngine | None = None,
    campaigns: Sequence[tuple[int, str | None]] | None = None,
    source: str = "trainproof.toml",
    at: datetime | None = None,
) -> SelectionPreview:
    """Compare two configuration documents (as `tomllib` reads them) for the trainings that differ.

    With `engine` (the store), each changed training is judged before and after at the same instant:
    the people whose state would change (`flips`), and the people the new selection would judge
    otherwise but who stay compliant by a kept record (`kept`, who would need `trainproof reset`).
    Without it, `campaigns` (KnowBe4's live list) resolves the references and only campaigns are compared.
    A reference of `after` that selects no campaign, or several, raises SelectionError.
    """
    old = parse_trainings(before, source=source)
    new = parse_trainings(after, source=source)
    if engine is None:
        catalog = Catalog.of(campaigns or ())
        changes = _changes(old, new, catalog)
        note = "no store yet: people are judged after the first `trainproof sync`"
        return SelectionPreview(trainings=changes, flips=(), kept=(), as_of=None, notes=(note,))
    when = at or clock.now()
    after_settings = replace(settings, raw=dict(after))

    def work(conn: StoreConnection) -> SelectionPreview:
        catalog = Catalog.of((c.campaign_id, c.name) for c in load_campaigns(conn))
        changes = _changes(old, new, catalog)
        moved = [c for c in changes if c.change != "unchanged"]
        notes = _unread(conn, moved)
        judged_before: Judged | None = None
        keys_before = [c.key for c in moved if c.change != "added"]
        if keys_before:
            try:
                judged_before = judge(conn, settings, at=when, policy=old.only(keys_before))
            except ConfigError as exc:  # the file as it is does not resolve: the change may be its fix
                notes.append(f"the current selection cannot be judged ({exc.message}): no before figures")
        keys_after = [c.key for c in moved if c.change != "removed"]
        judged_after = judge(conn, after_settings, at=when, policy=new.only(keys_after)) if keys_after else None
        return _compare(moved, changes, judged_before, judged_after, when, tuple(notes))

    return read(engine, work)


def _unread(conn: StoreConnection, moved: Sequence[TrainingChange]) -> list[str]:
    """A note per newly selected campaign whose enrollments the store has not read: a sync reads only the
    selected campaigns' (`[sync] campaigns = "selected"`), so the people it covers are judged after the next one."""
    bookmarks = campaign_bookmarks(conn)
    notes: list[str] = []
    for label in dict.fromkeys(a for c in moved for a in c.added):
        mark = bookmarks.get(label.campaign_id)
        if mark is None or mark.fetched_at is None:
            notes.append(
                f"the store has not read the enrollments of {label.name!r} (id {label.campaign_id}) yet: "
                "the people it covers count after the next `trainproof sync`"
            )
    return notes


def _changes(old: TrainingsConfig, new: TrainingsConfig, catalog: Catalog) -> tuple[TrainingChange, ...]:
    """Each training of either side, resolved; unchanged when its campaigns and settings are the same."""
    before = {t.key: t for t in old.trainings}
    after = {t.key: t for t in new.trainings}
    out: list[TrainingChange] = []
    for key in [*after, *(k for k in before if k not in after)]:
        b, a = before.get(key), after.get(key)
        ids_after = catalog.resolve_all(key, a.campaigns) if a else ()
        ids_before = _resolved_or_empty(catalog, b) if b else ()
        if a is None:
            assert b is not None
            change: Change = "removed"
        elif b is None:
            change = "added"
        elif set(ids_after) != set(ids_before) or replace(a, campaigns=()) != replace(b, campaigns=()):
            change = "changed"
        else:
            change = "unchanged"
        shown = a or b
        assert shown is not None
        out.append(
            TrainingChange(
                key=key,
                title=shown.title,
                change=change,
                campaigns=_labels(catalog, ids_after if a else ids_before),
                added=_labels(catalog, [c for c in ids_after if c not in ids_before]),
                removed=_labels(catalog, [c for c in ids_before if c not in ids_after]),
                before=None,
                after=None,
            )
        )
    return tuple(out)


def _resolved_or_empty(catalog: Catalog, training: Training) -> tuple[int, ...]:
    """The ids the current file selects; the references that no longer resolve are left out."""
    ids: list[int] = []
    for ref in training.campaigns:
        try:
            ids.append(catalog.resolve(training.key, ref))
        except SelectionError:
            continue
    return tuple(dict.fromkeys(ids))


def _compare(
    moved: Sequence[TrainingChange],
    changes: tuple[TrainingChange, ...],
    judged_before: Judged | None,
    judged_after: Judged | None,
    when: datetime,
    notes: tuple[str, ...],
) -> SelectionPreview:
    before = _by_training(judged_before)
    after = _by_training(judged_after)
    from_data = _from_data(judged_after)
    flips: list[Flip] = []
    kept: list[KeptCompliance] = []
    for change in moved:
        old, new = before.get(change.key, {}), after.get(change.key, {})
        if change.change == "changed" and old:
            for uid, d in new.items():
                was = old.get(uid)
                if was is not None and was.state != d.state:
                    flips.append(Flip(uid, d.email, d.name, change.key, was.state, d.state))
        if change.change != "removed":
            data = from_data.get(change.key, {})
            for uid, d in new.items():
                if d.sticky and d.state == "compliant" and data.get(uid, "compliant") != "compliant":
                    kept.append(KeptCompliance(uid, d.email, d.name, change.key, d.compliant_since, data[uid]))
    figured = {
        c.key: replace(
            c,
            before=Figures.of(tuple(before[c.key].values())) if c.key in before else None,
            after=Figures.of(tuple(after[c.key].values())) if c.key in after else None,
        )
        for c in moved
    }
    return SelectionPreview(
        trainings=tuple(figured.get(c.key, c) for c in changes),
        flips=tuple(flips),
        kept=tuple(kept),
        as_of=when,
        notes=notes,
    )


def _by_training(judged: Judged | None) -> dict[str, dict[int, Decision]]:
    out: dict[str, dict[int, Decision]] = {}
    if judged is None:
        return out
    for d in judged.evaluation.decisions:
        out.setdefault(d.training, {})[d.user_id] = d
    return out


def _from_data(judged: Judged | None) -> dict[str, dict[int, State]]:
    """The new selection judged from KnowBe4's data alone (no kept record), from the same facts and instant."""
    if judged is None:
        return {}
    facts = judged.facts
    ev = evaluate(
        facts.people, facts.campaigns, facts.enrollments, judged.evaluation.trainings_config, (), judged.as_of
    )
    out: dict[str, dict[int, State]] = {}
    for uid, training, state, _since, _late in ev.answers():
        out.setdefault(training, {})[uid] = state
    return out


def _labels(catalog: Catalog, ids: Sequence[int]) -> tuple[CampaignLabel, ...]:
    return tuple(CampaignLabel(cid, catalog.name(cid)) for cid in ids)
