"""The engine against a plain transcription of the rule, on random tenants (hypothesis).

`evaluate` decides in bulk and assembles the explained decisions only when they are read, with flat
integer-keyed structures for speed. `oracle` below is the same rule (Drata's) written the obvious
way (per person, per training, per campaign, scanning the enrollments), with no shared code beyond
the helpers both use unchanged (population exclusion, standing records, campaign deadlines, status
words). Every field of every decision, the new sticky records, the scalar `answers()`, `totals()`,
`for_user` and `for_training` must match it, whatever order they are read in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.builders import day, policy
from trainproof.compliance import (
    Campaign,
    CampaignResult,
    Decision,
    EnrollmentFact,
    Evaluation,
    Person,
    StickyRecord,
    TrainingsConfig,
    evaluate,
)
from trainproof.compliance.rules import CAMPAIGNS_COMPLETE, NEW_HIRE_GRACE, POPULATION, RENEWAL, STICKY
from trainproof.compliance.rules.population_active_in_scope import exclusion
from trainproof.compliance.rules.training_compliance_sticky import standing
from trainproof.compliance.rules.training_selected_campaigns_complete import CampaignInfo
from trainproof.statuses import is_complete

# --- the oracle ------------------------------------------------------------------------------------


def oracle(
    people: list[Person],
    campaigns: list[Campaign],
    enrollments: list[EnrollmentFact],
    pol: TrainingsConfig,
    sticky: list[StickyRecord],
    as_of: datetime,
    recorded_at: datetime,
) -> tuple[list[Decision], list[StickyRecord], list[EnrollmentFact]]:
    by_id = {c.campaign_id: c for c in campaigns}
    selected = {cid for t in pol.trainings for cid in t.campaign_ids}
    infos = {cid: CampaignInfo.of(cid, by_id.get(cid)) for cid in by_id.keys() | selected}
    considered = [
        e
        for e in enrollments
        if e.campaign_id in selected
        and e.user_id is not None
        and not (e.removed_at is not None and e.removed_at <= as_of)
        and not (e.enrollment_date is not None and e.enrollment_date > as_of)
    ]

    def counted(e: EnrollmentFact) -> bool:
        return is_complete(e.status) and e.completion_date is not None and e.completion_date <= as_of

    # A completion dated after the as-of instant never counts, whatever its status: a data problem to list.
    future = [e for e in considered if e.completion_date is not None and e.completion_date > as_of]

    # A module's display name: from the first enrollment that opened it without counting as complete.
    names: dict[str, str] = {}
    opened: set[tuple[int | None, int, str]] = set()
    for e in considered:
        if (e.user_id, e.campaign_id, e.module_key) not in opened and not counted(e):
            names.setdefault(e.module_key, e.module_name)
        opened.add((e.user_id, e.campaign_id, e.module_key))

    def judged(info: CampaignInfo, modules: dict[str, EnrollmentFact | None], label: dict[str, str]) -> CampaignResult:
        evidence = tuple(f for f in modules.values() if f is not None)
        if any(f is None for f in modules.values()):
            outstanding = tuple(sorted(label.get(m, m) for m, f in modules.items() if f is None))
            return CampaignResult(info.campaign_id, info.name, False, None, False, outstanding, evidence)
        dates = [f.completion_date for f in evidence if f.completion_date is not None]
        late = False
        for f in evidence:
            deadline = info.deadline(f)
            late = late or (f.completion_date is not None and deadline is not None and f.completion_date > deadline)
        return CampaignResult(info.campaign_id, info.name, True, max(dates, default=None), late, (), evidence)

    def result(uid: int, cid: int) -> CampaignResult | None:
        mine = [e for e in considered if e.user_id == uid and e.campaign_id == cid]
        if not mine:
            return None
        modules: dict[str, EnrollmentFact | None] = {}
        for e in mine:
            best = modules.get(e.module_key)
            # The earliest counted completion counts (the first of equal ones).
            if counted(e) and (best is None or e.completion_date < (best.completion_date or e.completion_date)):
                modules[e.module_key] = e
            else:
                modules.setdefault(e.module_key, None)
        return judged(infos[cid], modules, names)

    def open_due(uid: int, cid: int) -> datetime | None:
        """An outstanding campaign's deadline: its end date, or the earliest deadline of its outstanding modules."""
        info = infos[cid]
        if info.end_date is not None:
            return info.end_date
        mine = [e for e in considered if e.user_id == uid and e.campaign_id == cid]
        done = {e.module_key for e in mine if counted(e)}
        dues = [d for e in mine if e.module_key not in done and (d := info.deadline(e)) is not None]
        return min(dues, default=None)

    def held(record: StickyRecord) -> tuple[CampaignResult, ...]:
        by_campaign: dict[int, dict[str, EnrollmentFact | None]] = {}
        for f in record.earned_by:
            by_campaign.setdefault(f.campaign_id, {})[f.module_key] = f
        return tuple(
            judged(infos.get(cid) or CampaignInfo(cid, f"campaign {cid}"), modules, {})
            for cid, modules in by_campaign.items()
        )

    population = [p for p in people if exclusion(p, pol.scope, as_of) is None]
    records = standing([r for r in sticky if r.training in {t.key for t in pol.trainings}], as_of)
    decisions: list[Decision] = []
    new: list[StickyRecord] = []
    for t in pol.trainings:
        renew = None if t.renew_every_days is None else timedelta(days=t.renew_every_days)
        data = (POPULATION, CAMPAIGNS_COMPLETE, RENEWAL) if renew else (POPULATION, CAMPAIGNS_COMPLETE)
        opened_rules = (
            (POPULATION, CAMPAIGNS_COMPLETE, NEW_HIRE_GRACE) if t.new_hire_grace_days is not None else data[:2]
        )
        for p in population:
            who = (p.user_id, p.email, p.name, p.department, p.manager_email, t.key, t.title)
            enrolled = tuple(r for cid in t.campaign_ids if (r := result(p.user_id, cid)) is not None)
            earned_before = lapsed_at = None
            record = records.get((p.user_id, t.key))
            if record is not None:
                lapse = None if renew is None else record.compliant_since + renew
                if lapse is None or lapse > as_of:
                    kept = held(record)
                    since = record.compliant_since
                    rules = (POPULATION, STICKY, RENEWAL) if renew else (POPULATION, STICKY)
                    decisions.append(Decision(*who, "compliant", True, since, since, any(c.late for c in kept), True,
                                              record.recorded_at, kept, lapse, None, rules))  # fmt: skip
                    continue
                earned_before, lapsed_at = record.compliant_since, lapse
            done = [r for r in enrolled if r.complete]
            late = any(r.late for r in done)
            earned = max((r.completed_at for r in done if r.completed_at is not None), default=None)
            if enrolled and len(done) == len(enrolled) and earned is not None:
                lapse = None if renew is None else earned + renew
                if lapse is None or lapse > as_of:
                    decisions.append(Decision(*who, "compliant", True, earned, earned, late, False, None, enrolled,
                                              lapse, None, data))  # fmt: skip
                    evidence = tuple(f for r in enrolled for f in r.evidence)
                    new.append(StickyRecord(p.user_id, t.key, earned, evidence, recorded_at))
                    continue
                if earned_before is None or earned > earned_before:
                    earned_before, lapsed_at = earned, lapse
            if lapsed_at is not None:
                rules = (POPULATION, CAMPAIGNS_COMPLETE, RENEWAL) + ((STICKY,) if record is not None else ())
                decisions.append(Decision(*who, "expired", False, None, earned_before, late, False, None, enrolled,
                                          lapsed_at, None, rules))  # fmt: skip
                continue
            start = p.employee_start_date or p.joined_on
            deadline = None
            if t.new_hire_grace_days is not None and start is not None:
                deadline = start + timedelta(days=t.new_hire_grace_days)
            if deadline is not None and as_of < deadline:
                state, due, started = "grace", deadline, start
            elif enrolled:
                ends = [e for r in enrolled if not r.complete and (e := open_due(p.user_id, r.campaign_id)) is not None]
                state, due, started = "incomplete", min(ends) if ends else deadline, None
            else:
                state, due, started = "not_enrolled", deadline, None
            decisions.append(Decision(*who, state, False, None, None, late, False, None, enrolled, due, started,
                                      opened_rules))  # fmt: skip
    return decisions, new, future


# --- random tenants ----------------------------------------------------------------------------------

DAYS = st.integers(min_value=-40, max_value=80)
# Weighted towards complete, dated, in-scope facts, so that every state (compliant, sticky, expired) is common.
STATUSES = st.sampled_from(
    ["Completed"] * 4 + ["Passed"] * 2 + ["In Progress", "Not Started", "Past Due", "Finished", None]
)
SOMETIMES = st.sampled_from([False, False, False, True])
# Now and then a date KnowBe4 should never send: 9999-12-31 (after any as-of instant) or year 1.
ODD = st.sampled_from([None] * 8 + [datetime(9999, 12, 31, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)])


@st.composite
def tenants(draw: st.DrawFn) -> tuple[list[Person], list[Campaign], list[EnrollmentFact], TrainingsConfig, int]:
    people = [
        Person(
            user_id=uid,
            email=f"user{uid}@example.com",
            first_name=draw(st.sampled_from([None, f"First{uid}"])),
            last_name=draw(st.sampled_from([None, f"Last{uid}"])),
            department=draw(st.sampled_from([None, "Finance", "Sales"])),
            status=draw(st.sampled_from(["active", "active", "active", "archived", None])),
            joined_on=draw(st.none() | DAYS.map(day)),
            employee_start_date=draw(st.none() | DAYS.map(day)),
            archived_at=day(draw(DAYS)) if draw(SOMETIMES) else None,
            groups=draw(st.sampled_from([(), (1,), (1,), (1, 9)])),
        )
        for uid in range(1, draw(st.integers(1, 6)) + 1)
    ]
    campaigns = [
        Campaign(
            campaign_id=cid,
            name=f"Campaign {cid}",
            end_date=draw(st.none() | DAYS.map(day)),
            duration_type=draw(st.sampled_from([None, None, "Specific End Date", "Relative End Date", "No End Date"])),
            relative_duration=draw(
                st.sampled_from(
                    [None, "2 weeks", "1 month", "10 days", "1 year", "soon", "10 business days", "1.5 weeks", "a week"]
                )
            ),
        )
        for cid in range(1, draw(st.integers(1, 4)) + 1)
    ]
    enrollments: list[EnrollmentFact] = []
    for eid in range(draw(st.integers(0, 30))):
        status = draw(STATUSES)
        module = draw(st.sampled_from(["m1", "m1", "m2", "m3"]))
        enrollments.append(
            EnrollmentFact(
                enrollment_id=eid,
                user_id=draw(st.sampled_from([None, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7])),
                campaign_id=draw(st.integers(1, 5)),
                module_key=f"sp:{module}",
                module_name=draw(st.sampled_from([f"Module {module}", f"Renamed {module}"])),
                status=status,
                enrollment_date=draw(st.none() | DAYS.map(day) | ODD),
                completion_date=(draw(ODD) or day(draw(DAYS))) if status != "Not Started" or draw(SOMETIMES) else None,
                removed_at=day(draw(DAYS)) if draw(SOMETIMES) else None,
            )
        )
    trainings = {
        key: {
            "campaigns": draw(st.lists(st.integers(1, 5), min_size=1, max_size=4, unique=True)),
            **({"renew_every_days": r} if (r := draw(st.none() | st.integers(5, 60))) is not None else {}),
            **({"new_hire_grace_days": g} if (g := draw(st.none() | st.integers(0, 40))) is not None else {}),
        }
        for key in draw(st.lists(st.sampled_from(["security_awareness", "hipaa", "ai_awareness"]), min_size=1,
                                 max_size=3, unique=True))
    }  # fmt: skip
    scope = draw(st.sampled_from([None, {"exclude_groups": [9]}, {"exclude_emails": ["user2@example.com"]}]))
    return people, campaigns, enrollments, policy(scope, **trainings), draw(st.integers(20, 90))


def check(
    result: Evaluation,
    expected: tuple[list[Decision], list[StickyRecord], list[EnrollmentFact]],
    read_first: int,
) -> None:
    decisions, new, future = expected
    # Read a part first (lazy assembly must not depend on the order things are read in).
    if read_first % 4 == 0 and decisions:
        uid = decisions[read_first % len(decisions)].user_id
        assert list(result.for_user(uid)) == [d for d in decisions if d.user_id == uid]
    elif read_first % 4 == 1:
        assert list(result.new_sticky) == new
    elif read_first % 4 == 2:
        key = result.trainings_config.trainings[read_first % len(result.trainings_config.trainings)].key
        assert list(result.for_training(key)) == [d for d in decisions if d.training == key]
    assert result.answers() == [(d.user_id, d.training, d.state, d.compliant_since, d.late) for d in decisions]
    counts = {
        t.key: Counter(d.state for d in decisions if d.training == t.key) for t in result.trainings_config.trainings
    }
    states = ("compliant", "incomplete", "not_enrolled", "grace", "expired")
    assert result.totals() == {k: {**{s: c[s] for s in states}, "total": c.total()} for k, c in counts.items()}
    assert list(result.decisions) == decisions
    assert list(result.new_sticky) == new
    assert list(result.future_completions) == future
    for t in result.trainings_config.trainings:
        assert list(result.for_training(t.key)) == [d for d in decisions if d.training == t.key]
    for d in decisions:
        assert d in result.for_user(d.user_id)
        assert d.reason.startswith(d.name)  # every explanation renders


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenant=tenants(), read_first=st.integers(0, 50), earlier=st.integers(1, 30), resets=st.lists(st.booleans()))
def test_engine_matches_the_plain_rule(
    tenant: tuple[list[Person], list[Campaign], list[EnrollmentFact], TrainingsConfig, int],
    read_first: int,
    earlier: int,
    resets: list[bool],
) -> None:
    people, campaigns, enrollments, pol, at = tenant
    as_of, before = day(at), day(at - earlier)
    # Sticky records as a first evaluation would keep them, some reset since (as `trainproof reset` does).
    first = evaluate(people, campaigns, enrollments, pol, [], before)
    check(first, oracle(people, campaigns, enrollments, pol, [], before, before), read_first)
    sticky = [
        replace(r, reset_at=before + timedelta(hours=1), reset_reason="test") if i < len(resets) and resets[i] else r
        for i, r in enumerate(first.new_sticky)
    ]
    # KnowBe4 changed since: completions reset and enrollments removed, which the records must outlive.
    later = [replace(e, status="Not Started", completion_date=None) if e.enrollment_id % 3 == 0 else e
             for e in enrollments]  # fmt: skip
    result = evaluate(people, campaigns, later, pol, sticky, as_of, recorded_at=as_of + timedelta(seconds=1))
    expected = oracle(people, campaigns, later, pol, sticky, as_of, as_of + timedelta(seconds=1))
    check(result, expected, read_first + 1)
