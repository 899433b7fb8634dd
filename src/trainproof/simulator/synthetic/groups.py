"""Groups of every type (console, smart, provisioning-managed, archived) and their memberships."""

from __future__ import annotations

from trainproof.simulator.synthetic.draft import Draft, Person, between, mean_risk, random_guid
from trainproof.simulator.synthetic.organisation import DEPARTMENTS, in_hipaa_audience

__all__ = ["GROUPS", "make_groups", "plan_groups"]

# name, group_type, status: one group per department, then the cross-cutting ones
GROUPS: tuple[tuple[str, str, str], ...] = (
    *((d[0], "console_group", "active") for d in DEPARTMENTS),
    ("All Staff (Entra ID)", "provisioning_managed_group", "active"),
    ("Clinical Staff - HIPAA", "smart_group", "active"),
    ("New Hires", "smart_group", "active"),
    ("People Managers", "smart_group", "active"),
    ("Phishing Repeat Clickers", "console_group", "active"),
    ("Contractors 2023", "console_group", "archived"),
)


def plan_groups(draft: Draft) -> None:
    """Fix group ids and guids up front: phishing tests name groups before memberships are known."""
    rng = draft.rng(2)
    gid = 31_001
    for name, group_type, _status in GROUPS:
        draft.group_ids[name] = gid
        guid = random_guid(rng) if group_type != "console_group" else None
        draft.group_guids[name] = guid
        gid += 1 + between(rng, 0, 3)


def make_groups(draft: Draft) -> None:
    """Memberships and the group records (member counts and risk count active members only)."""
    recent = draft.days_ago(90)
    members: dict[str, list[Person]] = {name: [] for name, _, _ in GROUPS}
    for p in draft.people:
        members[DEPARTMENTS[p.dept][0]].append(p)
        if p.provisioned:
            members["All Staff (Entra ID)"].append(p)
        if in_hipaa_audience(p):
            members["Clinical Staff - HIPAA"].append(p)
        if p.start >= recent and p.archived_at is None:
            members["New Hires"].append(p)
        if p.is_manager:
            members["People Managers"].append(p)
        if len(p.fails) >= 2:
            members["Phishing Repeat Clickers"].append(p)
        if p.employee_number is None:
            members["Contractors 2023"].append(p)
    for name, group_type, status in GROUPS:
        gid = draft.group_ids[name]
        for p in members[name]:
            p.groups.append(gid)
        active = [p for p in members[name] if p.archived_at is None]
        risk = mean_risk(active)
        draft.group_records.append(
            {
                "id": gid,
                "name": name,
                "group_type": group_type,
                "provisioning_guid": draft.group_guids[name],
                "member_count": len(active) if status == "active" else 0,
                "current_risk_score": risk,
                "status": status,
            }
        )
