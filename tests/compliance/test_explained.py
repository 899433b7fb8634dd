"""`Evaluation.explained`: rows explained without being kept (what `trainproof people` streams), equal to the
plain rule's decisions in any order, before or after other reads."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.builders import day
from compliance.test_engine_oracle import oracle, tenants
from trainproof.compliance import Campaign, EnrollmentFact, Person, TrainingsConfig, evaluate


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenant=tenants(), seed=st.integers(0, 1000), earlier=st.integers(1, 30))
def test_explained_rows_are_the_plain_rules_decisions(
    tenant: tuple[list[Person], list[Campaign], list[EnrollmentFact], TrainingsConfig, int], seed: int, earlier: int
) -> None:
    people, campaigns, enrollments, config, at = tenant
    as_of, before = day(at), day(at - earlier)
    sticky = list(evaluate(people, campaigns, enrollments, config, [], before).new_sticky)  # some decisions held
    result = evaluate(people, campaigns, enrollments, config, sticky, as_of, recorded_at=as_of + timedelta(seconds=1))
    decisions, _, _ = oracle(people, campaigns, enrollments, config, sticky, as_of, as_of + timedelta(seconds=1))
    n = len(result.population)
    rows = [(t, p) for t in range(len(config.trainings)) for p in range(n)]  # `decisions` order
    expected = dict(zip(rows, decisions, strict=True))
    chosen = random.Random(seed).choices(rows, k=len(rows) * 2) if rows else []  # any order, repeats too
    assert result.explained(chosen) == [expected[row] for row in chosen]
    assert list(result.decisions) == decisions  # the kept decisions, read after
    assert result.explained(chosen) == [expected[row] for row in chosen]  # and explained again, after them
