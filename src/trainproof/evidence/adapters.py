"""Compliance decisions to evidence records: the one place the two vocabularies meet.

A decision lists, per campaign, only the completion that counts for each module. The auditor also wants
the rest (the duplicate, the Past Due one, the enrollment KnowBe4 has since deleted), so the current
enrollment facts are merged in. For a sticky decision the frozen enrollments that earned it win over
KnowBe4's current copy (which may have been reset), keeping the date KnowBe4 stopped listing them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from trainproof.compliance.decision import Decision
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person
from trainproof.compliance.rules.training_selected_campaigns_complete import CampaignInfo
from trainproof.evidence.records import CampaignRecord, CertificateData, EnrollmentRecord, PersonRecord, TrainingRef
from trainproof.statuses import is_complete


def training_of(decision: Decision) -> TrainingRef:
    return TrainingRef(decision.training, decision.title)


def _visible(fact: EnrollmentFact, as_of: datetime | None) -> bool:
    """The enrollments the engine saw on `as_of` (same cut as the rule's `collect`)."""
    if fact.user_id is None:
        return False
    if as_of is None:
        return True
    if fact.removed_at is not None and fact.removed_at <= as_of:
        return False
    return fact.enrollment_date is None or fact.enrollment_date <= as_of


def _enrollment(fact: EnrollmentFact, info: CampaignInfo) -> EnrollmentRecord:
    deadline = info.deadline(fact)
    done = fact.completion_date
    late = is_complete(fact.status) and done is not None and deadline is not None and done > deadline
    return EnrollmentRecord(
        enrollment_id=fact.enrollment_id,
        module_name=fact.module_name,
        status=fact.status or "",
        content_type=fact.content_type,
        enrollment_date=fact.enrollment_date,
        start_date=fact.start_date,
        completion_date=done,
        late=late,
        removed_at=fact.removed_at,
    )


def records_from_decisions(
    decisions: Iterable[Decision],
    *,
    enrollments: Iterable[EnrollmentFact] = (),
    campaigns: Iterable[Campaign] = (),
    people: Iterable[Person] = (),
    as_of: datetime | None = None,
) -> list[PersonRecord]:
    """One `PersonRecord` per decision, with every enrollment of the person in the decision's campaigns.

    `enrollments`, `campaigns` and `people` are the facts the decisions were evaluated from (pass the
    same as-of date): they add the enrollments that did not count, campaign deadlines (for per-module
    "late" marks) and employee start dates. Without them the records hold the counted enrollments only.
    """
    chosen = list(decisions)
    wanted = {(d.user_id, c.campaign_id) for d in chosen for c in d.campaigns}
    by_pair: dict[tuple[int, int], dict[int, EnrollmentFact]] = defaultdict(dict)
    removed_on: dict[int, datetime] = {}  # also for enrollments gone by as_of: a sticky record may hold them
    for fact in enrollments:
        if fact.user_id is None or (fact.user_id, fact.campaign_id) not in wanted:
            continue
        if fact.removed_at is not None:
            removed_on[fact.enrollment_id] = fact.removed_at
        if _visible(fact, as_of):
            by_pair[(fact.user_id, fact.campaign_id)][fact.enrollment_id] = fact
    campaign_by_id = {c.campaign_id: c for c in campaigns}
    start_by_user = {p.user_id: p.employee_start_date for p in people}

    records: list[PersonRecord] = []
    for d in chosen:
        campaign_records: list[CampaignRecord] = []
        for result in d.campaigns:
            info = CampaignInfo.of(result.campaign_id, campaign_by_id.get(result.campaign_id))
            facts = dict(by_pair.get((d.user_id, result.campaign_id), {}))
            for counted in result.evidence:
                removed = counted.removed_at or removed_on.get(counted.enrollment_id)
                facts[counted.enrollment_id] = counted._replace(removed_at=removed)
            campaign_records.append(
                CampaignRecord(
                    campaign_id=result.campaign_id,
                    name=result.name,
                    complete=result.complete,
                    completed_at=result.completed_at,
                    late=result.late,
                    due_date=info.end_date,
                    outstanding_modules=result.outstanding_modules,
                    enrollments=tuple(_enrollment(f, info) for _, f in sorted(facts.items())),
                )
            )
        records.append(
            PersonRecord(
                user_id=d.user_id,
                email=d.email,
                name=d.name,
                training=d.training,
                state=d.state,
                compliant=d.compliant,
                compliant_since=d.compliant_since,
                late=d.late,
                sticky=d.sticky,
                reason=d.reason,
                department=d.department,
                manager_email=d.manager_email,
                employee_start_date=start_by_user.get(d.user_id) or d.started_on,
                due_date=d.due_date,
                campaigns=tuple(campaign_records),
                evidence_enrollment_ids=d.evidence_ids if d.compliant else None,
            )
        )
    return records


def certificates_from_decisions(
    decisions: Iterable[Decision], *, campaigns: Iterable[Campaign] = ()
) -> list[CertificateData]:
    """The certificate of every compliant decision (any training), ordered by training then user id.

    Only the enrollments that earned compliance are certified, so no other enrollment is needed; the
    campaigns give the deadlines behind per-module "late" marks.
    """
    compliant = [d for d in decisions if d.compliant]
    records = records_from_decisions(compliant, campaigns=campaigns)
    titles = {d.training: d.title for d in compliant}
    return [
        CertificateData.from_record(r, TrainingRef(r.training, titles[r.training]))
        for r in sorted(records, key=lambda r: (r.training, r.user_id))
    ]
