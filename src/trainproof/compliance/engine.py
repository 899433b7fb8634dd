"""evaluate(): plain facts and a policy in, one explained decision per person and training out.

Pure: no HTTP, no SQL, no clock (the caller passes `as_of`). The store builds the facts for the
as-of date and persists the sticky records this returns; reports and the CLI consume the decisions.

Cost: one pass over the enrollments (grouped by an integer per user and campaign), one summary per
(user, selected campaign), then one NamedTuple per person and training. 100,000 people x 3
trainings over 1,000,000 enrollments take about 1.7 s on an idle 2-core machine
(bench/evaluate.py; numbers in bench/README.md).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Generator, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain

from trainproof.compliance.decision import STATES, CampaignResult, Decision, State
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.compliance.policy import Policy, resolve_campaigns
from trainproof.compliance.rules import CAMPAIGNS_COMPLETE, NEW_HIRE_GRACE, POPULATION, RENEWAL, STICKY
from trainproof.compliance.rules.population_active_in_scope import exclusion
from trainproof.compliance.rules.training_compliance_sticky import standing
from trainproof.compliance.rules.training_new_hire_grace import grace_window
from trainproof.compliance.rules.training_selected_campaigns_complete import (
    CampaignInfo,
    collect,
    from_evidence,
    summarize,
)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A person outside the population on the as-of date, and why (archived, not yet joined, scope)."""

    person: Person
    reason: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every decision for the as-of date, plus the sticky records the caller should persist."""

    as_of: datetime
    policy: Policy  # with campaign names resolved to ids
    decisions: tuple[Decision, ...]  # training by training, people in input order
    new_sticky: tuple[StickyRecord, ...]  # compliant decisions not yet held by a record
    population: tuple[Person, ...]
    excluded: tuple[Exclusion, ...]

    def for_training(self, key: str) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.training == key)

    def for_user(self, user_id: int) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.user_id == user_id)

    def totals(self) -> dict[str, dict[str, int]]:
        """Per training: how many people are in each state, and in all."""
        counts: dict[str, Counter[str]] = {t.key: Counter() for t in self.policy.trainings}
        for d in self.decisions:
            counts[d.training][d.state] += 1
        return {key: {**{s: c[s] for s in STATES}, "total": c.total()} for key, c in counts.items()}


def evaluate(
    people: Iterable[Person],
    campaigns: Sequence[Campaign],
    enrollments: Iterable[EnrollmentFact],
    policy: Policy,
    sticky: Iterable[StickyRecord],
    as_of: datetime,
    *,
    recorded_at: datetime | None = None,
) -> Evaluation:
    """Decide every person in the population for every training of `policy` on `as_of`.

    `sticky` holds every record ever kept (reset ones included); those that stood on `as_of` are used.
    New records in the result carry `recorded_at` (default `as_of`). Campaign names in the policy are
    resolved against `campaigns`; an unknown name raises ConfigError.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (UTC)")
    with _gc_paused():
        return _evaluate(people, campaigns, enrollments, policy, sticky, as_of, recorded_at)


def _evaluate(
    people: Iterable[Person],
    campaigns: Sequence[Campaign],
    enrollments: Iterable[EnrollmentFact],
    policy: Policy,
    sticky: Iterable[StickyRecord],
    as_of: datetime,
    recorded_at: datetime | None,
) -> Evaluation:
    policy = resolve_campaigns(policy, campaigns)
    recorded = as_of if recorded_at is None else recorded_at
    campaign_by_id = {c.campaign_id: c for c in campaigns}

    population: list[Person] = []
    excluded: list[Exclusion] = []
    for person in people:
        why = exclusion(person, policy.scope, as_of)
        if why is None:
            population.append(person)
        else:
            excluded.append(Exclusion(person, why))

    # One small integer per selected campaign; (user, campaign) groups are keyed user * n + index.
    index: dict[int, int] = {}
    for training in policy.trainings:
        for cid in training.campaign_ids:
            index.setdefault(cid, len(index))
    n = len(index) or 1
    infos = {cid: CampaignInfo.of(cid, campaign_by_id.get(cid)) for cid in campaign_by_id.keys() | index.keys()}
    info_at = [infos[cid] for cid in index]

    groups, module_names = collect(enrollments, index, as_of)
    results: dict[int, CampaignResult] = {
        key: summarize(info_at[key % n], modules, module_names) for key, modules in groups.items()
    }
    del groups

    keys = {t.key for t in policy.trainings}
    records = standing((r for r in sticky if r.training in keys), as_of)

    people_rows = [(p, p.user_id, p.email, p.name, p.department, p.manager_email) for p in population]
    decisions: list[Decision] = []
    new_sticky: list[StickyRecord] = []
    add = decisions.append
    get_result = results.get
    for training in policy.trainings:
        tkey, title = training.key, training.title
        slots = [index[cid] for cid in training.campaign_ids]
        renew = None if training.renew_every_days is None else timedelta(days=training.renew_every_days)
        grace_days = training.new_hire_grace_days
        rules_data = (POPULATION, CAMPAIGNS_COMPLETE, RENEWAL) if renew else (POPULATION, CAMPAIGNS_COMPLETE)
        rules_sticky = (POPULATION, STICKY, RENEWAL) if renew else (POPULATION, STICKY)
        rules_open = (POPULATION, CAMPAIGNS_COMPLETE, NEW_HIRE_GRACE) if grace_days is not None else rules_data[:2]
        rules_lapsed = (POPULATION, CAMPAIGNS_COMPLETE, RENEWAL)
        ends = {cid: end for cid in training.campaign_ids if (end := infos[cid].end_date) is not None}
        for person, uid, email, name, department, manager in people_rows:
            base = uid * n
            enrolled = tuple([r for i in slots if (r := get_result(base + i)) is not None])

            # A record kept earlier holds until reset (handled by `standing`) or until renewal lapses.
            earned_before: datetime | None = None
            lapsed_at: datetime | None = None
            record = records.get((uid, tkey)) if records else None
            if record is not None:
                since = record.compliant_since
                lapse = None if renew is None else since + renew
                if lapse is None or lapse > as_of:
                    held = from_evidence(record.earned_by, infos)
                    add(Decision(
                        uid, email, name, department, manager, tkey, title, "compliant", True, since, since,
                        any(c.late for c in held), True, record.recorded_at, held, lapse, None, rules_sticky,
                    ))  # fmt: skip
                    continue
                earned_before, lapsed_at = since, lapse

            # From KnowBe4's data: compliant when enrolled somewhere and every enrolled campaign is complete.
            complete = bool(enrolled)
            earned: datetime | None = None
            late = False
            for r in enrolled:
                if r.complete:
                    late = late or r.late
                    done_at = r.completed_at
                    if earned is None or (done_at is not None and done_at > earned):
                        earned = done_at
                else:
                    complete = False
            if complete and earned is not None:
                lapse = None if renew is None else earned + renew
                if lapse is None or lapse > as_of:
                    add(Decision(
                        uid, email, name, department, manager, tkey, title, "compliant", True, earned, earned,
                        late, False, None, enrolled, lapse, None, rules_data,
                    ))  # fmt: skip
                    evidence = enrolled[0].evidence if len(enrolled) == 1 else tuple(_evidence(enrolled))
                    new_sticky.append(StickyRecord(uid, tkey, earned, evidence, recorded))
                    continue
                if earned_before is None or earned > earned_before:
                    earned_before, lapsed_at = earned, lapse

            state: State
            started: datetime | None = None
            due: datetime | None = None
            if lapsed_at is not None:
                state, due, rules = "expired", lapsed_at, rules_lapsed
                if record is not None:
                    rules = (*rules, STICKY)
            else:
                if grace_days is not None:
                    window = grace_window(person, grace_days)
                    if window is not None:
                        started, due = window
                if due is not None and as_of < due:
                    state, rules = "grace", rules_open
                elif enrolled:
                    state, rules, started = "incomplete", rules_open, None
                    if ends:
                        open_ends = [ends[r.campaign_id] for r in enrolled if not r.complete and r.campaign_id in ends]
                        due = min(open_ends) if open_ends else due
                else:
                    state, rules, started = "not_enrolled", rules_open, None
            add(Decision(
                uid, email, name, department, manager, tkey, title, state, False, None, earned_before, late,
                False, None, enrolled, due, started, rules,
            ))  # fmt: skip

    return Evaluation(
        as_of=as_of,
        policy=policy,
        decisions=tuple(decisions),
        new_sticky=tuple(new_sticky),
        population=tuple(population),
        excluded=tuple(excluded),
    )


def _evidence(results: Sequence[CampaignResult]) -> chain[EnrollmentFact]:
    return chain.from_iterable(r.evidence for r in results)


@contextmanager
def _gc_paused() -> Generator[None, None, None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Evaluating 100,000 people allocates about a million small tuples; each allocation burst would
    otherwise trigger full collections that walk the million enrollment facts too, which costs about
    as much as the evaluation itself. Nothing built here forms a cycle, so reference counting frees it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
