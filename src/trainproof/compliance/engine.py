"""evaluate(): plain facts and the trainings configuration in, one explained decision per person and training out.

Pure: no HTTP, no SQL, no clock (the caller passes `as_of`). The store builds the facts for the
as-of date and persists the sticky records this returns; reports and the CLI consume the decisions.

Decide in bulk, explain on demand. `evaluate` makes one pass over the enrollments (grouped by an
integer per user and campaign), judges each (user, selected campaign) group once, and records each
person's verdict per training in a few columns (state, dates, late): everything a query over the
store would answer. Each rule is applied by its own module's functions (`compliance.rules`); the
engine orders them and keeps the columns. The explained `Decision`s (per-campaign results,
outstanding modules, evidence, rule ids) are assembled from those columns when first read, and only
the ones read: `totals()` and `answers()` build none, `for_user` builds that person's, `decisions`
builds them all. Nothing is decided twice, so what is read never depends on what was read before.

The bulk structures are dicts of integers and dates: they hold no reference Python's cyclic garbage
collector follows, so it does not walk them (a million small objects would cost it about as much
as the evaluation). Numbers for 100,000 people x 3 trainings: bench/evaluate.py, bench/README.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import chain, repeat

from trainproof.compliance.decision import STATES, CampaignResult, Decision, State
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.compliance.rules import CAMPAIGNS_COMPLETE, NEW_HIRE_GRACE, POPULATION, RENEWAL, STICKY
from trainproof.compliance.rules.population_active_in_scope import exclusion
from trainproof.compliance.rules.training_compliance_sticky import standing
from trainproof.compliance.rules.training_new_hire_grace import grace_deadlines, grace_starts, still_in_grace
from trainproof.compliance.rules.training_renewal_period import lapse_of, renews
from trainproof.compliance.rules.training_selected_campaigns_complete import (
    CampaignInfo,
    Groups,
    Shared,
    Summaries,
    campaign_results,
    collect,
    hold,
    outcomes,
    summarize,
)
from trainproof.compliance.trainings import Training, TrainingsConfig, resolve_campaigns
from trainproof.gc_pause import gc_paused


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A person outside the population on the as-of date, and why (archived, not yet joined, scope)."""

    person: Person
    reason: str


# The scalar part of one decision, what one row of a query over the store would answer:
# (user_id, training, state, compliant_since, late). A plain tuple: a NamedTuple costs twice as much.
DecisionRow = tuple[int, str, State, datetime | None, bool]


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Every decision for the as-of date, plus the sticky records the caller should persist.

    `decisions` and `new_sticky` are assembled from the verdicts when first read, then kept.
    """

    as_of: datetime
    trainings_config: TrainingsConfig  # with campaign names resolved to ids
    population: tuple[Person, ...]
    excluded: tuple[Exclusion, ...]
    _verdicts: _Verdicts = field(repr=False)

    @cached_property
    def decisions(self) -> tuple[Decision, ...]:
        """Training by training, people in input order."""
        v = self._verdicts
        everyone = range(len(v.uids))
        with gc_paused():
            v.explain_all()
            return tuple(chain.from_iterable(v.explain(t, everyone) for t in range(len(v.trainings))))

    @cached_property
    def new_sticky(self) -> tuple[StickyRecord, ...]:
        """A record for each compliant decision not yet held by one, in `decisions` order."""
        v = self._verdicts
        with gc_paused():
            return tuple(chain.from_iterable(v.new_sticky(t) for t in range(len(v.trainings))))

    def for_training(self, key: str) -> tuple[Decision, ...]:
        v = self._verdicts
        everyone = range(len(v.uids))
        chosen = [t for t, c in enumerate(v.trainings) if c.training.key == key]
        with gc_paused():
            v.explain_all({i for t in chosen for i in v.trainings[t].slots})
            return tuple(chain.from_iterable(v.explain(t, everyone) for t in chosen))

    def explained(self, rows: Sequence[tuple[int, int]]) -> list[Decision]:
        """The decisions at (training index, position in the population) `rows`, in that order, explained
        without being kept: a listing reads 150,000 rows a chunk at a time and holds one chunk."""
        v = self._verdicts
        by_training: dict[int, list[int]] = {}
        for t, p in rows:
            by_training.setdefault(t, []).append(p)
        with gc_paused():
            made = {t: iter(v.explain(t, positions, keep=False)) for t, positions in by_training.items()}
            return [next(made[t]) for t, _ in rows]

    def for_user(self, user_id: int) -> tuple[Decision, ...]:
        v = self._verdicts
        where = v.positions.get(user_id, [])
        with gc_paused():
            return tuple(chain.from_iterable(v.explain(t, where) for t in range(len(v.trainings))))

    @property
    def future_completions(self) -> tuple[EnrollmentFact, ...]:
        """Completions in the selected campaigns dated after `as_of`, which therefore did not count.

        For a current evaluation these are data problems (a date KnowBe4 cannot yet know); the store
        already hides later completions from a point-in-time one. In input order.
        """
        return tuple(self._verdicts.groups.future)

    @property
    def counted_completions(self) -> tuple[EnrollmentFact, ...]:
        """The completions the decisions from KnowBe4's data rest on (one per person, campaign and module).

        Built when asked (`trainproof check` looks for odd dates among them), never by `evaluate` itself.
        """
        groups = self._verdicts.groups
        kept = groups.kept
        return tuple(kept[at] for modules in groups.modules.values() for at in modules.values() if at >= 0)

    def incomplete_by_campaign(self) -> dict[int, int]:
        """Per selected campaign id: how many people of the population are enrolled in it with a module
        still outstanding (`trainproof check` warns when such a campaign has ended)."""
        v = self._verdicts
        n, ids, population = v.groups.n, list(v.index), set(v.uids)
        found: Counter[int] = Counter()
        for key, done in v.summaries.done.items():
            if done is False and key // n in population:
                found[ids[key % n]] += 1
        return dict(found)

    def totals(self) -> dict[str, dict[str, int]]:
        """Per training: how many people are in each state, and in all."""
        counts: dict[str, Counter[str]] = {t.key: Counter() for t in self.trainings_config.trainings}
        for columns in self._verdicts.trainings:
            counts[columns.training.key].update(columns.state)
        return {key: {**{s: c[s] for s in STATES}, "total": c.total()} for key, c in counts.items()}

    def answers(self) -> list[DecisionRow]:
        """(user_id, training, state, compliant_since, late) of every decision, in `decisions` order.

        Read straight from the verdicts, without assembling the explained decisions.
        """
        uids = self._verdicts.uids
        everyone = range(len(uids))
        with gc_paused():
            return list(
                chain.from_iterable(
                    zip(
                        uids,
                        repeat(c.training.key),
                        c.state,
                        map(c.since.get, everyone),
                        map(c.late.__contains__, everyone),
                    )
                    for c in self._verdicts.trainings
                )
            )


def evaluate(
    people: Iterable[Person],
    campaigns: Sequence[Campaign],
    enrollments: Iterable[EnrollmentFact],
    trainings_config: TrainingsConfig,
    sticky: Iterable[StickyRecord],
    as_of: datetime,
    *,
    recorded_at: datetime | None = None,
) -> Evaluation:
    """Decide every person in the population for every training of `trainings_config` on `as_of`.

    `sticky` holds every record ever kept (reset ones included); those that stood on `as_of` are used.
    New records in the result carry `recorded_at` (default `as_of`). Campaign names in the configuration are
    resolved against `campaigns`; an unknown name raises ConfigError.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (UTC)")
    with gc_paused():
        return _evaluate(people, campaigns, enrollments, trainings_config, sticky, as_of, recorded_at)


def _evaluate(
    people: Iterable[Person],
    campaigns: Sequence[Campaign],
    enrollments: Iterable[EnrollmentFact],
    trainings_config: TrainingsConfig,
    sticky: Iterable[StickyRecord],
    as_of: datetime,
    recorded_at: datetime | None,
) -> Evaluation:
    if not trainings_config.resolved:  # names still as written; `judging.judge` resolves (and checks ids) first
        trainings_config = resolve_campaigns(trainings_config, campaigns)
    campaign_by_id = {c.campaign_id: c for c in campaigns}

    population: list[Person] = []
    excluded: list[Exclusion] = []
    for person in people:
        why = exclusion(person, trainings_config.scope, as_of)
        if why is None:
            population.append(person)
        else:
            excluded.append(Exclusion(person, why))

    # One small integer per selected campaign; (user, campaign) groups are keyed user * n + index.
    index: dict[int, int] = {}
    for training in trainings_config.trainings:
        for cid in training.campaign_ids:
            index.setdefault(cid, len(index))
    infos = {cid: CampaignInfo.of(cid, campaign_by_id.get(cid)) for cid in campaign_by_id.keys() | index.keys()}
    info_at = [infos[cid] for cid in index]

    groups = collect(enrollments, index, as_of)
    keys = {t.key for t in trainings_config.trainings}
    verdicts = _Verdicts(
        population=population,
        index=index,
        infos=infos,
        info_at=info_at,
        groups=groups,
        summaries=summarize(groups, info_at),
        standing=standing((r for r in sticky if r.training in keys), as_of),
        as_of=as_of,
        recorded_at=as_of if recorded_at is None else recorded_at,
    )
    for training in trainings_config.trainings:
        verdicts.decide(training)
    return Evaluation(
        as_of=as_of,
        trainings_config=trainings_config,
        population=tuple(population),
        excluded=tuple(excluded),
        _verdicts=verdicts,
    )


class _Columns:
    """One training's verdicts: a state per person of the population (by position), the rest sparse.

    The sparse columns map a position to a value and leave out None and False.
    """

    def __init__(self, training: Training, slots: list[int]) -> None:
        self.training = training
        self.slots = slots  # the training's campaigns, as indexes into the groups
        self.state: list[State] = []
        self.since: dict[int, datetime] = {}  # compliant_since
        self.earned: dict[int, datetime] = {}  # earned_at
        self.late: dict[int, bool] = {}  # the positions of late decisions (always True)
        self.due: dict[int, datetime] = {}
        self.started: dict[int, datetime] = {}
        # The sticky record (its index in `_Verdicts.records`) that holds a compliant decision, or that lapsed
        # for an expired one.
        self.held: dict[int, int] = {}
        self.built: list[Decision | None] = []  # explained decisions, once assembled
        renew = renews(training)
        data = (POPULATION, CAMPAIGNS_COMPLETE, RENEWAL) if renew else (POPULATION, CAMPAIGNS_COMPLETE)
        lapsed = (POPULATION, CAMPAIGNS_COMPLETE, RENEWAL)
        grace = training.new_hire_grace_days is not None
        opened = (POPULATION, CAMPAIGNS_COMPLETE, NEW_HIRE_GRACE) if grace else data[:2]
        # State -> the ids of the rules that produced the decision, and for one held by a sticky record.
        self.rules: dict[str, tuple[str, ...]] = {
            "compliant": data, "expired": lapsed, "grace": opened, "incomplete": opened, "not_enrolled": opened
        }  # fmt: skip
        self.held_rules: dict[str, tuple[str, ...]] = {
            "compliant": (POPULATION, STICKY, RENEWAL) if renew else (POPULATION, STICKY),
            "expired": (*lapsed, STICKY),
        }


@dataclass(eq=False)
class _Verdicts:
    """The bulk decision (`decide`), and the explained decisions assembled from it (`explain`)."""

    population: list[Person]
    index: dict[int, int]  # selected campaign id -> its index in the group keys
    infos: dict[int, CampaignInfo]
    info_at: list[CampaignInfo]  # by index
    groups: Groups
    summaries: Summaries
    standing: dict[tuple[int, str], StickyRecord]  # the records standing on as_of
    as_of: datetime
    recorded_at: datetime
    trainings: list[_Columns] = field(default_factory=list[_Columns])
    results: dict[int, CampaignResult] = field(default_factory=dict[int, CampaignResult])  # by group key, once built
    shared: Shared = field(default_factory=Shared)
    _deadlines: dict[int, list[datetime | None]] = field(default_factory=dict[int, list[datetime | None]])
    _in_grace: dict[int, list[int]] = field(default_factory=dict[int, list[int]])
    _grace_due: dict[int, dict[int, datetime]] = field(default_factory=dict[int, dict[int, datetime]])

    def __post_init__(self) -> None:
        self.records = list(self.standing.values())
        # Per training: user -> the index in `records` of the record standing for them.
        self.record_index: dict[str, dict[int, int]] = {}
        for r, (uid, training) in enumerate(self.standing):
            self.record_index.setdefault(training, {})[uid] = r
        self.held = hold([record.earned_by for record in self.records], self.infos)  # judged in one pass
        self.held_results: dict[int, CampaignResult] = {}  # by group key of `held`, once built

    @cached_property
    def uids(self) -> list[int]:
        return [p.user_id for p in self.population]

    @cached_property
    def positions(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for p, uid in enumerate(self.uids):
            found.setdefault(uid, []).append(p)
        return found

    @cached_property
    def grace_starts(self) -> list[datetime | None]:
        return grace_starts(self.population)

    def deadlines(self, days: int) -> list[datetime | None]:
        """Each person's new-hire grace deadline for `days` (computed once per distinct value)."""
        found = self._deadlines.get(days)
        if found is None:
            found = self._deadlines[days] = grace_deadlines(self.grace_starts, days)
        return found

    def decide(self, training: Training) -> None:
        """Every person's verdict for `training`: each rule's answer, laid over the previous one.

        The rules live in their modules: Drata's rule (`outcomes`), the new-hire grace (`grace_deadlines`,
        `still_in_grace`), the renewal (`lapse_of`) and the kept records (`standing`). Each layer below
        touches only the people its rule speaks about, from the weakest answer to the strongest: not
        enrolled, incomplete, in grace, compliant or expired from KnowBe4's data, held by a kept record.
        """
        as_of = self.as_of
        slots = [self.index[cid] for cid in training.campaign_ids]
        columns = _Columns(training, slots)
        self.trainings.append(columns)
        state = columns.state
        since, earned, late, due, started, held = (
            columns.since, columns.earned, columns.late, columns.due, columns.started, columns.held
        )  # fmt: skip
        found = outcomes(self.uids, self.groups.n, slots, self.info_at, self.summaries)
        state.extend(repeat("not_enrolled", len(self.uids)))

        # Not compliant: due by the grace deadline, or by the earliest open campaign deadline while incomplete.
        deadlines = None if training.new_hire_grace_days is None else self.deadlines(training.new_hire_grace_days)
        if deadlines is not None:
            due.update(self.grace_due(training.new_hire_grace_days or 0))
        for p, open_end in found.incomplete.items():
            state[p] = "incomplete"
            if open_end is not None:
                due[p] = open_end
        if deadlines is not None:
            starts = self.grace_starts
            for p in self.in_grace(training.new_hire_grace_days or 0):
                state[p] = "grace"
                deadline = deadlines[p]
                if deadline is not None:  # always: in grace means before a deadline
                    due[p] = deadline
                start = starts[p]
                if start is not None:  # always: a deadline is counted from a start
                    started[p] = start
        late.update(dict.fromkeys(found.late, True))

        # Compliant from KnowBe4's data until the renewal lapses, then expired.
        lapse_at = lapse_of(training)
        lapsed: dict[int, tuple[datetime, datetime]] = {}  # position -> (earned, lapsed at)
        for p, done_at in found.earned.items():
            lapse = None if lapse_at is None else lapse_at(done_at)
            started.pop(p, None)
            if lapse is None or lapse > as_of:
                state[p] = "compliant"
                since[p] = earned[p] = done_at
                if lapse is None:
                    due.pop(p, None)
                else:
                    due[p] = lapse
            else:
                lapsed[p] = (done_at, lapse)

        # A record kept earlier holds until reset (handled by `standing`) or until renewal lapses; a lapsed
        # one stands for the expiry unless KnowBe4's data earned compliance later.
        record_index = self.record_index.get(training.key)
        if record_index:
            records, held_late, positions = self.records, self.held.late, self.positions
            for uid, r in record_index.items():
                kept = records[r].compliant_since
                lapse = None if lapse_at is None else lapse_at(kept)
                for p in positions.get(uid, ()):
                    held[p] = r
                    if lapse is None or lapse > as_of:
                        state[p] = "compliant"
                        since[p] = earned[p] = kept
                        started.pop(p, None)
                        lapsed.pop(p, None)
                        if r in held_late:
                            late[p] = True
                        else:
                            late.pop(p, None)
                        if lapse is None:
                            due.pop(p, None)
                        else:
                            due[p] = lapse
                    elif state[p] == "compliant":  # earned again from KnowBe4's data: not held
                        del held[p]
                    else:
                        data = lapsed.get(p)
                        if data is None or data[0] <= kept:
                            lapsed[p] = (kept, lapse)
        for p, (earned_at, lapse) in lapsed.items():
            state[p] = "expired"
            earned[p] = earned_at
            due[p] = lapse
            started.pop(p, None)

    def grace_due(self, days: int) -> dict[int, datetime]:
        """Position -> grace deadline for everyone who has one (once per value; copied, never changed)."""
        found = self._grace_due.get(days)
        if found is None:
            found = self._grace_due[days] = {p: d for p, d in enumerate(self.deadlines(days)) if d is not None}
        return found

    def in_grace(self, days: int) -> list[int]:
        """The positions still inside a `days`-day new-hire grace window on the as-of date (once per value)."""
        found = self._in_grace.get(days)
        if found is None:
            found = self._in_grace[days] = still_in_grace(self.deadlines(days), self.as_of)
        return found

    def explain(self, t: int, positions: Iterable[int], *, keep: bool = True) -> list[Decision]:
        """The explained decisions of training t for the people at `positions` (each assembled once).

        With `keep` false nothing is kept: decisions already kept are reused, the others are assembled from
        campaign results built for these positions in one batch, and dropped with them (a listing of
        150,000 rows then holds one chunk at a time).
        """
        c = self.trainings[t]
        built = c.built
        if keep:
            if not built:
                built.extend(repeat(None, len(self.population)))
            results, held_results = self.results, self.held_results
        else:
            positions = list(positions)
            results, held_results = self.batch(t, positions)
        people = self.people
        tkey, title, slots = c.training.key, c.training.title, c.slots
        state, late, held, rules, held_rules = c.state, c.late, c.held, c.rules, c.held_rules
        since, earned, due, started = c.since.get, c.earned.get, c.due.get, c.started.get
        done = self.summaries.done
        get_result = results.get
        n = self.groups.n
        found: list[Decision] = []
        add = found.append
        for p in positions:
            decision = built[p] if built else None
            if decision is not None:
                add(decision)
                continue
            uid, email, name, department, manager = people[p]
            s = state[p]
            r = held.get(p) if held else None
            if r is not None:  # held by a sticky record: compliant from it, or expired with it
                compliant = s == "compliant"
                campaigns = self.held_campaigns(r, held_results) if compliant else self.enrolled(uid, slots, results)
                recorded_at = self.records[r].recorded_at if compliant else None
                decision = Decision(
                    uid, email, name, department, manager, tkey, title, s, compliant, since(p), earned(p), p in late,
                    compliant, recorded_at, campaigns, due(p), started(p), held_rules[s],
                )  # fmt: skip
            else:
                base = uid * n
                enrolled: list[CampaignResult] = []
                for i in slots:
                    key = base + i
                    if key in done:
                        result = get_result(key)
                        enrolled.append(self.result(key) if result is None else result)
                decision = Decision(
                    uid, email, name, department, manager, tkey, title, s, s == "compliant", since(p), earned(p),
                    p in late, False, None, tuple(enrolled), due(p), started(p), rules[s],
                )  # fmt: skip
            if keep:
                built[p] = decision
            add(decision)
        return found

    def batch(self, t: int, positions: Iterable[int]) -> tuple[dict[int, CampaignResult], dict[int, CampaignResult]]:
        """The campaign results training t's decisions at `positions` need (by group key, and by group key of the
        sticky records that hold them), built in one pass for them alone and kept by nobody."""
        c = self.trainings[t]
        n, slots, uids, done = self.groups.n, c.slots, self.uids, self.summaries.done
        held, compliant, h = c.held, c.since, self.held
        keys: list[int] = []
        kept: list[int] = []
        for p in positions:
            r = held.get(p) if held else None
            if r is not None and p in compliant:
                kept.extend(h.keys[r])
                continue
            base = uids[p] * n
            keys.extend(key for i in slots if (key := base + i) in done)
        return (
            campaign_results(self.groups, self.summaries, self.info_at, keys, self.shared),
            campaign_results(h.groups, h.summaries, h.infos, kept, self.shared),
        )

    def enrolled(
        self, uid: int, slots: list[int], results: dict[int, CampaignResult] | None = None
    ) -> tuple[CampaignResult, ...]:
        """The person's results in the given campaigns (where enrolled), in that order."""
        found = self.results if results is None else results
        keys = [uid * self.groups.n + i for i in slots]
        return tuple(found.get(key) or self.result(key) for key in keys if key in self.summaries.done)

    def result(self, key: int) -> CampaignResult:
        found = campaign_results(self.groups, self.summaries, self.info_at, (key,), self.shared)[key]
        self.results[key] = found
        return found

    def held_campaigns(self, r: int, results: dict[int, CampaignResult] | None = None) -> tuple[CampaignResult, ...]:
        """The campaign results record r's frozen enrollments stand for (all complete)."""
        h = self.held
        found = self.held_results if results is None else results
        missing = [key for key in h.keys[r] if key not in found]
        if missing:
            found.update(campaign_results(h.groups, h.summaries, h.infos, missing, self.shared))
        return tuple([found[key] for key in h.keys[r]])

    def explain_all(self, slots: set[int] | None = None) -> None:
        """Every group's result (or those of the campaigns of index in `slots`), and every sticky record's,
        in one pass over the groups in memory order: before assembling many decisions."""
        n = self.groups.n
        for groups, summaries, infos, results, only in (
            (self.groups, self.summaries, self.info_at, self.results, slots),
            (self.held.groups, self.held.summaries, self.held.infos, self.held_results, None),
        ):
            if results or only is not None:
                keys = [k for k in groups.modules if k not in results and (only is None or k % n in only)]
                results.update(campaign_results(groups, summaries, infos, keys, self.shared))
            else:
                results.update(campaign_results(groups, summaries, infos, None, self.shared))

    @cached_property
    def people(self) -> list[tuple[int, str, str, str | None, str | None]]:
        return [(p.user_id, p.email, p.name, p.department, p.manager_email) for p in self.population]

    def new_sticky(self, t: int) -> list[StickyRecord]:
        """Records for training t's compliant decisions that no record holds yet."""
        c = self.trainings[t]
        earned = sorted(p for p in c.since if p not in c.held)  # `since` is set for compliant decisions only
        records: list[StickyRecord] = []
        for p, d in zip(earned, self.explain(t, earned), strict=True):
            campaigns = d.campaigns
            evidence = campaigns[0].evidence if len(campaigns) == 1 else d.evidence
            records.append(StickyRecord(d.user_id, d.training, c.since[p], evidence, self.recorded_at))
        return records
