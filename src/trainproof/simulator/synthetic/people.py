"""The people of the generated organisation.

Hire dates over twelve years (some in the last 30 days, for new-hire grace), contractors without
employee numbers, aliases, provisioning guids, a manager hierarchy, archived leavers, and a risk score
from each person's phishing results.
"""

from __future__ import annotations

from trainproof.simulator.synthetic.draft import DAY, Draft, Person, between, epoch, random_guid, slug
from trainproof.simulator.synthetic.names import FIRST_NAMES, LAST_NAMES
from trainproof.simulator.synthetic.organisation import DEPARTMENTS, DOMAIN, LOCATIONS, ROLLOUT

__all__ = ["assign_managers", "make_people", "score_risk"]


def make_people(draft: Draft) -> None:
    """People in hire order (the CEO first), with the ids, emails and numbers the other parts refer to."""
    rng = draft.rng(1)
    n = draft.n
    span = 12 * 365
    ages = sorted((1 + int(span * rng.random() ** 1.6) for _ in range(n)), reverse=True)
    recent = max(1, round(n * 0.03)) if n >= 5 else 0
    for k in range(recent):  # guarantee new hires for the grace-period feature
        ages[n - 1 - k] = min(ages[n - 1 - k], 3 + (k * 7) % 25)
    ages.sort(reverse=True)
    if ages:
        ages[0] = span  # the CEO, hired first
    dept_weights = [d[2] for d in DEPARTMENTS]
    loc_weights = [loc[2] for loc in LOCATIONS]
    used_emails: dict[str, int] = {}
    rollout = epoch(ROLLOUT, 9)
    next_id = 700_001
    for i, age in enumerate(ages):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        local = f"{slug(first)}.{slug(last)}"
        count = used_emails.get(local, 0) + 1
        used_emails[local] = count
        email = f"{local}{count if count > 1 else ''}@{DOMAIN}"
        start = draft.days_ago(age)
        joined = min(max(start, rollout) + between(rng, 3600, 3 * DAY), draft.ref - 600)
        if i == 0:
            dept = 0
        elif i <= len(DEPARTMENTS) - 1:
            dept = i
        else:
            dept = rng.choices(range(len(DEPARTMENTS)), dept_weights)[0]
        contractor = i > 0 and rng.random() < 0.02
        titles = DEPARTMENTS[dept][3]
        person = Person(
            id=next_id,
            first=draft.s(first),
            last=draft.s(last),
            email=email,
            employee_number=None if contractor else str(20_000 + i * 3 + between(rng, 0, 3)),
            start=start,
            joined=joined,
            archived_at=None,
            dept=dept,
            location=rng.choices(range(len(LOCATIONS)), loc_weights)[0],
            title="Contractor" if contractor else ("Chief Executive Officer" if i == 0 else rng.choice(titles)),
            manager=None,
            is_manager=False,
            provisioned=rng.random() < 0.85,
            guid=None,
            aliases=[],
            groups=[],
            diligence=rng.random(),
            phished=0,
            fails=[],
            risk=0.0,
            enroll_user={},
            phish_user={},
        )
        if person.provisioned:
            person.guid = random_guid(rng)
        if rng.random() < 0.08:
            person.aliases = [f"{slug(first)[0]}{slug(last)}{count if count > 1 else ''}@{DOMAIN}"]
        next_id += 1 + (rng.random() < 0.1)  # a few gaps, as deleted users leave
        draft.people.append(person)
    assign_managers(draft)
    for person in draft.people:
        eligible = person.manager is not None and not person.is_manager and person.start < draft.days_ago(120)
        if eligible and rng.random() < 0.06:
            lo = person.start + 90 * DAY
            person.archived_at = lo + between(rng, 0, max(DAY, draft.ref - DAY - lo))
        person.phish_user = {
            "id": person.id,
            "provisioning_guid": person.guid,
            "first_name": person.first,
            "last_name": person.last,
            "email": person.email,
        }
        person.enroll_user = {
            "id": person.id,
            "first_name": person.first,
            "last_name": person.last,
            "email": person.email,
            "employee_number": person.employee_number,
        }


def assign_managers(draft: Draft) -> None:
    """The CEO over department heads, team leads over about every eighth person, everyone else under a lead."""
    if not draft.people:
        return
    ceo = draft.people[0]
    members: dict[int, list[Person]] = {}
    for person in draft.people[1:]:
        members.setdefault(person.dept, []).append(person)
    for dept, people in members.items():
        head = people[0]
        head.manager = ceo
        head.is_manager = True
        if dept != 0:
            head.title = f"Head of {DEPARTMENTS[dept][0]}"
        leads = people[1::8][: max(1, len(people) // 8)] if len(people) > 4 else []
        for lead in leads:
            lead.manager = head
            lead.is_manager = True
            if lead.title != "Contractor":
                lead.title = f"{DEPARTMENTS[dept][0]} Team Lead"
        for k, person in enumerate(people[1:]):
            if person.manager is None:
                person.manager = leads[k % len(leads)] if leads else head
    ceo.is_manager = len(draft.people) > 1


def score_risk(draft: Draft) -> None:
    """Risk scores from each person's phish-prone percentage and diligence (needs the phishing results)."""
    rng = draft.rng(5)
    for person in draft.people:
        ppp = person.phish_prone_percentage
        person.risk = round(min(99.0, 8 + 0.8 * ppp + 30 * (1 - person.diligence) + rng.uniform(0, 8)), 3)
