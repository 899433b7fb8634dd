"""Store purchases of every content type (some retired, some bought years ago) and uploaded policies."""

from __future__ import annotations

from typing import Any

from trainproof.simulator.instants import format_instant
from trainproof.simulator.synthetic.draft import DAY, Draft, between, instant
from trainproof.simulator.synthetic.organisation import DOMAIN

__all__ = ["POLICIES", "STORE_PURCHASES", "content_item", "make_content"]

# name, type, duration (minutes), publisher, retired, days since purchase, description
STORE_PURCHASES: tuple[tuple[str, str, int | None, str, bool, int, str], ...] = (
    (
        "Security Awareness Fundamentals 2026",
        "Training Module",
        25,
        "KnowBe4",
        False,
        330,
        "The threats every employee meets: phishing, social engineering, passwords and data handling.",
    ),
    (
        "Kevin Mitnick Security Awareness Training - 45 min",
        "Training Module",
        45,
        "KnowBe4",
        False,
        1420,
        "The full-length course with real-world social engineering examples.",
    ),
    (
        "2024 Kevin Mitnick Security Awareness Training - 15 min",
        "Training Module",
        15,
        "KnowBe4",
        True,
        1060,
        "A condensed version of the full 45-minute training.",
    ),
    (
        "HIPAA Privacy and Security for Healthcare Workers",
        "Training Module",
        30,
        "The Security Awareness Company",
        False,
        950,
        "Protected health information, the Privacy Rule and the Security Rule for everyday clinical work.",
    ),
    (
        "AI Acceptable Use and Data Privacy",
        "Training Module",
        20,
        "KnowBe4",
        False,
        45,
        "Using generative AI tools safely: what data may be shared and how to check the output.",
    ),
    (
        "Phishing Foundations: Spot the Red Flags",
        "Training Module",
        15,
        "KnowBe4",
        False,
        540,
        "Remedial training for users who failed a simulated phishing test.",
    ),
    (
        "Password Manager Essentials",
        "Training Module",
        10,
        "KnowBe4",
        False,
        200,
        "Setting up and using the company password manager.",
    ),
    (
        "The Inside Man: Season 5, Episode 1",
        "Video",
        12,
        "KnowBe4",
        False,
        110,
        "An award-winning drama series about social engineering inside a company.",
    ),
    (
        "Security Moment: Deepfake Voice Scams",
        "Video",
        5,
        "KnowBe4",
        False,
        20,
        "A short video on voice-cloning fraud and call-back verification.",
    ),
    ("Holiday Scams 2025", "Video", 6, "KnowBe4", True, 380, "Seasonal shopping and delivery scams."),
    (
        "Cybersecurity Escape Room",
        "Game",
        15,
        "KnowBe4",
        False,
        410,
        "A game in which players solve security puzzles to escape.",
    ),
    (
        "Security Awareness Proficiency Assessment",
        "Assessment",
        10,
        "KnowBe4",
        False,
        760,
        "Measures what users know about security topics.",
    ),
    (
        "Security Hints & Tips Newsletter - November 2026",
        "Newsletter",
        4,
        "KnowBe4",
        False,
        8,
        "Monthly newsletter with current scams and tips.",
    ),
    ("Think Before You Click Poster", "Poster", None, "KnowBe4", False, 1250, "A printable awareness poster."),
)
# name, minimum_time, default_language, status (1 published, 0 draft)
POLICIES: tuple[tuple[str, int, str, int], ...] = (
    ("Acceptable Use Policy", 3, "en-us", 1),
    ("Information Security Policy", 5, "en-us", 1),
    ("HIPAA Privacy Policy", 4, "en-us", 1),
    ("AI Acceptable Use Policy", 3, "en-us", 1),
    ("Code of Conduct", 5, "en-us", 1),
    ("Remote Work Policy (draft)", 2, "en-us", 0),
)


def make_content(draft: Draft) -> None:
    """The store purchases and policies campaigns draw their content from."""
    rng = draft.rng(3)
    for k, (name, kind, minutes, publisher, retired, bought, text) in enumerate(STORE_PURCHASES):
        purchase = draft.days_ago(bought, 15)
        publish = purchase - between(rng, 20, 200) * DAY
        draft.purchases.append(
            {
                "store_purchase_id": 6401 + k * 7,
                "content_type": "Store Purchase",
                "name": name,
                "description": text,
                "type": kind,
                "duration": minutes,
                "retired": retired,
                "retirement_date": instant(draft.days_ago(between(rng, 15, 90), 0)) if retired else None,
                "publish_date": format_instant(publish),
                "publisher": publisher,
                "purchase_date": format_instant(purchase),
                "policy_url": f"https://intranet.{DOMAIN}/policies/security-awareness.pdf" if k % 4 == 0 else None,
            }
        )
    for k, (name, minimum, language, status) in enumerate(POLICIES):
        draft.policies.append(
            {
                "policy_id": 2401 + k * 3,
                "content_type": "Uploaded Policy",
                "name": name,
                "minimum_time": minimum,
                "default_language": language,
                "status": status,
            }
        )


def content_item(draft: Draft, name: str) -> dict[str, Any]:
    """A campaign content item: the store purchase as listed, or the policy with `published`."""
    for purchase in draft.purchases:
        if purchase["name"] == name:
            return purchase
    for policy in draft.policies:
        if policy["name"] == name:
            out = {k: v for k, v in policy.items() if k != "status"}
            out["published"] = policy["status"] == 1
            return out
    raise KeyError(name)
