"""A deterministic, realistic synthetic KnowBe4 tenant: the same seed always gives the same JSON.

What it holds, and why (each item is something a client, the compliance engine or the demo must cope
with): an organisation with departments, divisions, locations and a manager hierarchy (manager_name and
manager_email point at other users); hire dates spread over twelve years with some hires in the last 30
days (new-hire grace); archived users with archived_at; aliases; string employee numbers (a few null);
groups of every type with memberships; store purchases of every content type (some retired, some bought
more than two years ago) and uploaded policies; training campaigns in every status with flat `content`
lists mixing store purchases and policies, Specific, Relative and No End Date campaigns, more than ten of
them, including the names the demo maps trainings to; enrollments in every status with late completions,
duplicate enrollments for one user and module, and a few enrollments whose user was deleted (`user:
null`); phishing campaigns (one callback, one in Error), security tests and recipients with clicks, data
entered, attachments, macros, QR scans, replies and reports, and remediation training for the people who
failed. Every date is relative to `reference_date` (default 2026-11-01), never to the wall clock.

Scale: 50,000 users (about half a million enrollments) generate in seconds, because enrollments and
recipients go straight into the compact columns of `RecordTable`.
"""

from __future__ import annotations

import calendar
import gc
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from trainproof.simulator.dataset import NONE, Record, Tenant, format_instant

__all__ = ["DEMO_CAMPAIGN_NAMES", "REFERENCE_DATE", "derived_user_history", "generate_tenant"]

REFERENCE_DATE = date(2026, 11, 1)
"""The default "today" of a generated tenant."""

DEMO_CAMPAIGN_NAMES: tuple[str, ...] = (
    "Security Awareness 2026 - Part A",
    "Security Awareness 2026 - Part B",
    "HIPAA Privacy and Security 2026",
    "AI Acceptable Use 2026",
    "New Hire Onboarding",
    "Phishing Remediation - Q3 2026",
)
"""Training campaign names every generated tenant holds exactly (the demo maps trainings to them)."""

DAY = 86_400
ORG_NAME = "Northwind Health"
DOMAIN = "northwind-health.example"
ROLLOUT = date(2019, 3, 4)  # when the organisation started using KnowBe4 (joined_on floor)

FIRST_NAMES = (
    "Aaliyah",
    "Aaron",
    "Abigail",
    "Adam",
    "Adrian",
    "Aisha",
    "Alejandro",
    "Alex",
    "Alice",
    "Amara",
    "Amelia",
    "Ana",
    "Andre",
    "Andrew",
    "Angela",
    "Anika",
    "Anthony",
    "Aria",
    "Arjun",
    "Ava",
    "Ben",
    "Bianca",
    "Brandon",
    "Brianna",
    "Caleb",
    "Camila",
    "Carlos",
    "Carmen",
    "Charlotte",
    "Chloe",
    "Chris",
    "Claire",
    "Daniel",
    "Daniela",
    "David",
    "Deepa",
    "Diego",
    "Dmitri",
    "Elena",
    "Eli",
    "Elijah",
    "Emily",
    "Emma",
    "Ethan",
    "Fatima",
    "Felix",
    "Fiona",
    "Gabriel",
    "Grace",
    "Hana",
    "Hannah",
    "Harper",
    "Hassan",
    "Henry",
    "Ibrahim",
    "Isabella",
    "Isaac",
    "Ivan",
    "Jack",
    "Jacob",
    "James",
    "Jasmine",
    "Javier",
    "Jin",
    "Joao",
    "John",
    "Jordan",
    "Jose",
    "Joseph",
    "Julia",
    "Kai",
    "Karen",
    "Kenji",
    "Kevin",
    "Laila",
    "Laura",
    "Leah",
    "Leo",
    "Liam",
    "Lily",
    "Lucas",
    "Lucia",
    "Luis",
    "Maya",
    "Mateo",
    "Mei",
    "Mia",
    "Michael",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Nathan",
    "Nia",
    "Noah",
    "Nora",
    "Olivia",
    "Omar",
    "Oscar",
    "Paul",
    "Priya",
    "Rafael",
    "Rahul",
    "Rebecca",
    "Riya",
    "Rosa",
    "Ryan",
    "Samuel",
    "Sara",
    "Sean",
    "Sofia",
    "Sophie",
    "Takumi",
    "Thomas",
    "Valentina",
    "Victor",
    "William",
    "Yara",
    "Yusuf",
    "Zara",
    "Zoe",
)
LAST_NAMES = (
    "Abbott",
    "Adams",
    "Afolabi",
    "Ahmed",
    "Alvarez",
    "Anderson",
    "Bailey",
    "Baker",
    "Banerjee",
    "Bennett",
    "Brooks",
    "Brown",
    "Campbell",
    "Carter",
    "Castillo",
    "Chen",
    "Clark",
    "Collins",
    "Cooper",
    "Cruz",
    "Davies",
    "Davis",
    "Diaz",
    "Dubois",
    "Edwards",
    "Evans",
    "Fernandez",
    "Fischer",
    "Flores",
    "Foster",
    "Garcia",
    "Gonzalez",
    "Gray",
    "Green",
    "Gupta",
    "Hall",
    "Harris",
    "Hernandez",
    "Hill",
    "Hoang",
    "Hughes",
    "Ibrahim",
    "Ito",
    "Jackson",
    "James",
    "Jensen",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "Kim",
    "King",
    "Kowalski",
    "Kumar",
    "Lee",
    "Lewis",
    "Lopez",
    "Martin",
    "Martinez",
    "Mendes",
    "Miller",
    "Mitchell",
    "Moore",
    "Morales",
    "Morgan",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Nielsen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Olsen",
    "Ortiz",
    "Park",
    "Patel",
    "Perez",
    "Peterson",
    "Phillips",
    "Price",
    "Quinn",
    "Ramirez",
    "Reddy",
    "Reyes",
    "Richardson",
    "Rivera",
    "Roberts",
    "Robinson",
    "Rodriguez",
    "Rossi",
    "Russell",
    "Sanchez",
    "Sato",
    "Schmidt",
    "Scott",
    "Shah",
    "Silva",
    "Singh",
    "Smith",
    "Sokolov",
    "Stewart",
    "Sullivan",
    "Suzuki",
    "Taylor",
    "Thomas",
    "Thompson",
    "Torres",
    "Tran",
    "Turner",
    "Walker",
    "Wang",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wong",
    "Wright",
    "Wu",
    "Yamamoto",
    "Young",
    "Zhang",
)

# name, division, weight, job titles
DEPARTMENTS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("Executive", "Corporate", 0.5, ("Chief Operating Officer", "Chief Financial Officer", "Chief Medical Officer")),
    ("Engineering", "Technology", 14, ("Software Engineer", "Senior Software Engineer", "Site Reliability Engineer")),
    ("IT", "Technology", 5, ("IT Support Specialist", "Systems Administrator", "Security Analyst")),
    ("Clinical Operations", "Clinical", 18, ("Registered Nurse", "Clinical Coordinator", "Medical Assistant")),
    ("Patient Services", "Clinical", 12, ("Patient Services Representative", "Billing Specialist", "Scheduler")),
    ("Sales", "Commercial", 9, ("Account Executive", "Sales Development Representative")),
    ("Marketing", "Commercial", 5, ("Marketing Manager", "Content Strategist", "Designer")),
    ("Customer Support", "Commercial", 10, ("Support Specialist", "Support Team Lead")),
    ("Finance", "Corporate", 5, ("Accountant", "Financial Analyst", "Payroll Specialist")),
    ("People", "Corporate", 4, ("HR Generalist", "Recruiter", "People Partner")),
    ("Legal & Compliance", "Corporate", 3, ("Counsel", "Compliance Analyst", "Privacy Officer")),
)
LOCATIONS: tuple[tuple[str, str, float], ...] = (
    ("Boston HQ", "English - United States", 40),
    ("Chicago", "English - United States", 15),
    ("Austin", "English - United States", 12),
    ("Remote - US", "English - United States", 15),
    ("London", "English - Great Britain", 10),
    ("Toronto", "French - Canada", 8),
)

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


@dataclass(frozen=True)
class _CampaignSpec:
    name: str
    status: str
    group: str | None  # None: All Users
    content: tuple[str, ...]
    duration_type: str
    start: date
    end: date | None
    relative: str | None = None
    auto_enroll: bool = False
    allow_multiple: bool = False
    audience: str = "all"


# In campaign_id order; the first ten are what a client sees without exclude_percentages=true.
TRAINING_CAMPAIGNS: tuple[_CampaignSpec, ...] = (
    _CampaignSpec(
        "Security Awareness 2024",
        "Closed",
        None,
        ("2024 Kevin Mitnick Security Awareness Training - 15 min", "Information Security Policy"),
        "Specific End Date",
        date(2024, 1, 15),
        date(2024, 3, 31),
    ),
    _CampaignSpec(
        "New Hire Onboarding",
        "In Progress",
        "New Hires",
        ("Kevin Mitnick Security Awareness Training - 45 min", "Acceptable Use Policy", "Code of Conduct"),
        "Relative End Date",
        date(2023, 6, 1),
        None,
        relative="30 days",
        auto_enroll=True,
    ),
    _CampaignSpec(
        "Security Awareness 2025",
        "Completed",
        None,
        ("Kevin Mitnick Security Awareness Training - 45 min", "Security Awareness Proficiency Assessment"),
        "Specific End Date",
        date(2025, 1, 13),
        date(2025, 3, 31),
    ),
    _CampaignSpec(
        "HIPAA Privacy and Security 2025",
        "Completed",
        "Clinical Staff - HIPAA",
        ("HIPAA Privacy and Security for Healthcare Workers", "HIPAA Privacy Policy"),
        "Specific End Date",
        date(2025, 2, 3),
        date(2025, 4, 30),
        audience="clinical",
    ),
    _CampaignSpec(
        "Holiday Scam Awareness 2025",
        "Canceled",
        None,
        ("Holiday Scams 2025",),
        "Specific End Date",
        date(2025, 11, 17),
        date(2025, 12, 31),
    ),
    _CampaignSpec(
        "Security Awareness 2026 - Part A",
        "Closed",
        None,
        ("Security Awareness Fundamentals 2026", "Information Security Policy"),
        "Specific End Date",
        date(2026, 1, 12),
        date(2026, 3, 31),
    ),
    _CampaignSpec(
        "Phishing Remediation - Q2 2026",
        "Completed",
        "Phishing Repeat Clickers",
        ("Phishing Foundations: Spot the Red Flags",),
        "Relative End Date",
        date(2026, 4, 1),
        None,
        relative="2 weeks",
        auto_enroll=True,
        allow_multiple=True,
    ),
    _CampaignSpec(
        "Password Manager Rollout",
        "Cancelled",
        "IT",
        ("Password Manager Essentials",),
        "Specific End Date",
        date(2026, 5, 4),
        date(2026, 6, 30),
        audience="tech",
    ),
    _CampaignSpec(
        "HIPAA Privacy and Security 2026",
        "In Progress",
        "Clinical Staff - HIPAA",
        ("HIPAA Privacy and Security for Healthcare Workers", "HIPAA Privacy Policy"),
        "Specific End Date",
        date(2026, 6, 1),
        date(2026, 10, 15),
        auto_enroll=True,
        audience="clinical",
    ),
    _CampaignSpec(
        "Phishing Remediation - Q3 2026",
        "Completed",
        "Phishing Repeat Clickers",
        ("Phishing Foundations: Spot the Red Flags",),
        "Relative End Date",
        date(2026, 7, 1),
        None,
        relative="2 weeks",
        auto_enroll=True,
        allow_multiple=True,
    ),
    _CampaignSpec(
        "Security Awareness 2026 - Part B",
        "In Progress",
        None,
        ("The Inside Man: Season 5, Episode 1", "Cybersecurity Escape Room"),
        "Specific End Date",
        date(2026, 9, 1),
        date(2026, 12, 15),
        auto_enroll=True,
    ),
    _CampaignSpec(
        "AI Acceptable Use 2026",
        "In Progress",
        None,
        ("AI Acceptable Use and Data Privacy", "AI Acceptable Use Policy"),
        "Specific End Date",
        date(2026, 10, 1),
        date(2026, 11, 30),
        auto_enroll=True,
    ),
    _CampaignSpec(
        "Q4 Security Newsletter and Posters",
        "Enrolling",
        None,
        (
            "Security Hints & Tips Newsletter - November 2026",
            "Think Before You Click Poster",
            "Security Moment: Deepfake Voice Scams",
        ),
        "No End Date",
        date(2026, 11, 1),
        None,
        auto_enroll=True,
    ),
    _CampaignSpec(
        "Security Awareness 2027 - Part A",
        "Created",
        None,
        ("Security Awareness Fundamentals 2026", "Information Security Policy"),
        "Specific End Date",
        date(2027, 1, 11),
        date(2027, 3, 31),
    ),
)
COMPLETED_BY_PASSING = frozenset({"Training Module", "Assessment"})

CATEGORIES: dict[str, dict[str, Any]] = {
    "current": {"category_id": 4237, "name": "Current Events"},
    "banking": {"category_id": 4240, "name": "Banking and Finance"},
    "online": {"category_id": 4245, "name": "Online Services"},
    "hr": {"category_id": 4251, "name": "Human Resources"},
    "it": {"category_id": 4252, "name": "IT"},
    "health": {"category_id": 4260, "name": "Healthcare"},
    "qr": {"category_id": 64810, "name": "QR Code Phishing"},
    "callback": {"category_id": 70115, "name": "Callback Phishing"},
    "baseline": {"category_id": 11244, "name": "Baseline Templates"},
    "hints": {"category_id": 17525, "name": "Security Hints&Tips (Branded) (Not PST)"},
}
TEMPLATES: dict[str, dict[str, Any]] = {
    "cnn": {"id": 11428, "name": "CNN Breaking News"},
    "amazon": {"id": 2, "name": "Your Amazon Order"},
    "m365": {"id": 20311, "name": "Microsoft 365: Password Expires Today"},
    "docusign": {"id": 18772, "name": "DocuSign: Please Review and Sign"},
    "hr": {"id": 15230, "name": "HR: Updated Holiday Schedule"},
    "mfa": {"id": 21004, "name": "IT: Re-enroll in Multi-Factor Authentication"},
    "ups": {"id": 9981, "name": "UPS: Delivery Exception"},
    "payroll": {"id": 17720, "name": "Payroll: Direct Deposit Change Confirmation"},
    "ehr": {"id": 23110, "name": "EHR Portal: Unread Patient Message"},
    "qr": {"id": 26650, "name": "Parking Permit Renewal (QR Code)"},
    "callback": {"id": 27001, "name": "Norton Subscription Renewal - Call to Cancel"},
    "ceo": {"id": 24502, "name": "CEO: Urgent Wire Request"},
}
LANDING_PAGES = (
    {"id": 1842, "name": "SEI Landing Page"},
    {"id": 4072, "name": "Verify Java"},
    {"id": 5123, "name": "Oops! You Clicked on a Simulated Phishing Test"},
)
IP_LOCATIONS = ("Boston, MA", "Chicago, IL", "Austin, TX", "London, GB", "Toronto, CA", "Newark, NJ", "Denver, CO")
BROWSERS = (("Chrome", "128.0"), ("Edge", "129.0"), ("Safari", "17.6"), ("Firefox", "131.0"), ("Chrome", "127.0"))
SYSTEMS = ("Windows 11", "Windows 10", "MacOSX", "iOS", "Android")


def _epoch(d: date, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return calendar.timegm((d.year, d.month, d.day, hour, minute, second, 0, 0, 0))


def _instant(epoch: int | None) -> str | None:
    return None if epoch is None else format_instant(epoch)


def _between(rng: random.Random, lo: int, hi: int) -> int:
    """An int in [lo, hi): randrange's job at a third of its cost (this runs millions of times)."""
    return lo + int(rng.random() * (hi - lo))


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@dataclass(slots=True, eq=False)
class _Person:
    """Working state of one generated user (slots keep 50,000 of them small)."""

    id: int
    first: str
    last: str
    email: str
    employee_number: str | None
    start: int
    joined: int
    archived_at: int | None
    dept: int
    location: int
    title: str
    manager: _Person | None
    is_manager: bool
    provisioned: bool
    guid: str | None
    aliases: list[str]
    groups: list[int]
    diligence: float
    phished: int
    fails: list[int]
    risk: float
    enroll_user: dict[str, Any]
    phish_user: dict[str, Any]


@dataclass
class _Campaign:
    id: int
    name: str
    status: str
    groups: list[dict[str, Any]]
    content: list[dict[str, Any]]
    duration_type: str
    start: int
    end: int | None
    relative: str | None
    relative_days: int | None
    auto_enroll: bool
    allow_multiple: bool
    audience: Callable[[_Person], bool]
    reach: float = 1.0  # share of the audience enrolled so far (Enrolling campaigns)
    stop: int | None = None  # when a cancelled campaign stopped
    triggers: list[tuple[_Person, int]] = field(default_factory=list[tuple["_Person", int]])


def _anyone(person: _Person) -> bool:
    return True


def _is_leader(person: _Person) -> bool:
    return person.dept == 0 or person.title.startswith("Head of")


def _is_clinical_staff(person: _Person) -> bool:
    return DEPARTMENTS[person.dept][1] == "Clinical"


def derived_user_history(user_id: int, current: object, end: date) -> list[Record]:
    """Monthly risk scores for 24 months ending at `end`, derived from the id: no storage, same every time."""
    rng = random.Random(user_id)
    target = float(current) if isinstance(current, int | float) and not isinstance(current, bool) else 30.0
    score = min(99.0, target + rng.uniform(5, 20))
    out: list[Record] = []
    for months_back in range(23, -1, -1):
        day = _add_months(end, -months_back)
        score = round(score + (target - score) * 0.15 + rng.uniform(-2.5, 2.5), 3)
        out.append({"risk_score": max(0.0, score) if months_back else target, "date": day.isoformat()})
    return out


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year = d.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class _Generator:
    def __init__(self, users: int, seed: int, reference: date, seats: int | None) -> None:
        if users < 0:
            raise ValueError("users must be >= 0")
        self.n = users
        self.seed = seed
        self.ref_date = reference
        self.ref = _epoch(reference, 12)
        self.seats = seats
        self.people: list[_Person] = []
        self.tenant = Tenant()
        self.purchases: list[Record] = []
        self.policies: list[Record] = []
        self.group_ids: dict[str, int] = {}
        self.group_guids: dict[str, str | None] = {}
        self.group_records: list[Record] = []
        self.strings: dict[str, str] = {}

    def rng(self, part: int) -> random.Random:
        """One stream per section, so changing one section leaves the others' data unchanged."""
        return random.Random(self.seed * 7919 + part)

    def s(self, text: str) -> str:
        """Share equal strings between records (memory)."""
        return self.strings.setdefault(text, text)

    def days_ago(self, days: float, hour: int = 0) -> int:
        return _epoch(self.ref_date - timedelta(days=days), hour)

    # --- people ---------------------------------------------------------------------------------

    def make_people(self) -> None:
        rng = self.rng(1)
        n = self.n
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
        rollout = _epoch(ROLLOUT, 9)
        next_id = 700_001
        for i, age in enumerate(ages):
            first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            local = f"{_slug(first)}.{_slug(last)}"
            count = used_emails.get(local, 0) + 1
            used_emails[local] = count
            email = f"{local}{count if count > 1 else ''}@{DOMAIN}"
            start = self.days_ago(age)
            joined = min(max(start, rollout) + _between(rng, 3600, 3 * DAY), self.ref - 600)
            if i == 0:
                dept = 0
            elif i <= len(DEPARTMENTS) - 1:
                dept = i
            else:
                dept = rng.choices(range(len(DEPARTMENTS)), dept_weights)[0]
            contractor = i > 0 and rng.random() < 0.02
            titles = DEPARTMENTS[dept][3]
            person = _Person(
                id=next_id,
                first=self.s(first),
                last=self.s(last),
                email=email,
                employee_number=None if contractor else str(20_000 + i * 3 + _between(rng, 0, 3)),
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
                person.guid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if rng.random() < 0.08:
                person.aliases = [f"{_slug(first)[0]}{_slug(last)}{count if count > 1 else ''}@{DOMAIN}"]
            next_id += 1 + (rng.random() < 0.1)  # a few gaps, as deleted users leave
            self.people.append(person)
        self.assign_managers(rng)
        for person in self.people:
            eligible = person.manager is not None and not person.is_manager and person.start < self.days_ago(120)
            if eligible and rng.random() < 0.06:
                lo = person.start + 90 * DAY
                person.archived_at = lo + _between(rng, 0, max(DAY, self.ref - DAY - lo))
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

    def assign_managers(self, rng: random.Random) -> None:
        if not self.people:
            return
        ceo = self.people[0]
        members: dict[int, list[_Person]] = {}
        for person in self.people[1:]:
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
        ceo.is_manager = len(self.people) > 1
        del rng

    # --- groups ---------------------------------------------------------------------------------

    def plan_groups(self) -> None:
        """Fix group ids and guids up front: phishing tests name groups before memberships are known."""
        rng = self.rng(2)
        gid = 31_001
        for name, group_type, _status in GROUPS:
            self.group_ids[name] = gid
            guid = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if group_type != "console_group" else None
            self.group_guids[name] = guid
            gid += 1 + _between(rng, 0, 3)

    def make_groups(self) -> None:
        recent = self.days_ago(90)
        members: dict[str, list[_Person]] = {name: [] for name, _, _ in GROUPS}
        for p in self.people:
            members[DEPARTMENTS[p.dept][0]].append(p)
            if p.provisioned:
                members["All Staff (Entra ID)"].append(p)
            if DEPARTMENTS[p.dept][1] == "Clinical" or p.title == "Privacy Officer":
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
            gid = self.group_ids[name]
            for p in members[name]:
                p.groups.append(gid)
            active = [p for p in members[name] if p.archived_at is None]
            risk = round(sum(p.risk for p in active) / len(active), 3) if active else 0.0
            self.group_records.append(
                {
                    "id": gid,
                    "name": name,
                    "group_type": group_type,
                    "provisioning_guid": self.group_guids[name],
                    "member_count": len(active) if status == "active" else 0,
                    "current_risk_score": risk,
                    "status": status,
                }
            )

    # --- content --------------------------------------------------------------------------------

    def make_content(self) -> None:
        rng = self.rng(3)
        for k, (name, kind, minutes, publisher, retired, bought, text) in enumerate(STORE_PURCHASES):
            purchase = self.days_ago(bought, 15)
            publish = purchase - _between(rng, 20, 200) * DAY
            self.purchases.append(
                {
                    "store_purchase_id": 6401 + k * 7,
                    "content_type": "Store Purchase",
                    "name": name,
                    "description": text,
                    "type": kind,
                    "duration": minutes,
                    "retired": retired,
                    "retirement_date": _instant(self.days_ago(_between(rng, 15, 90), 0)) if retired else None,
                    "publish_date": format_instant(publish),
                    "publisher": publisher,
                    "purchase_date": format_instant(purchase),
                    "policy_url": f"https://intranet.{DOMAIN}/policies/security-awareness.pdf" if k % 4 == 0 else None,
                }
            )
        for k, (name, minimum, language, status) in enumerate(POLICIES):
            self.policies.append(
                {
                    "policy_id": 2401 + k * 3,
                    "content_type": "Uploaded Policy",
                    "name": name,
                    "minimum_time": minimum,
                    "default_language": language,
                    "status": status,
                }
            )

    def item(self, name: str) -> dict[str, Any]:
        """A campaign content item: the store purchase as listed, or the policy with `published`."""
        for purchase in self.purchases:
            if purchase["name"] == name:
                return purchase
        for policy in self.policies:
            if policy["name"] == name:
                out = {k: v for k, v in policy.items() if k != "status"}
                out["published"] = policy["status"] == 1
                return out
        raise KeyError(name)

    # --- phishing -------------------------------------------------------------------------------

    def make_phishing(self) -> None:
        rng = self.rng(4)
        all_users = [{"group_id": 0, "name": "All Users"}]
        monthly_starts = [_add_months(self.ref_date.replace(day=1), -m) for m in range(12, 0, -1)]
        exec_group = [{"group_id": self.group_ids["Executive"], "name": "Executive"}]
        specs: list[dict[str, Any]] = [
            {
                "name": "Baseline Phishing Test 2024",
                "groups": all_users,
                "frequency": "One Time",
                "status": "Closed",
                "difficulty": [1, 2, 3, 4, 5],
                "starts": [date(2024, 1, 9)],
                "share": 1.0,
                "click": 0.22,
                "categories": ["baseline"],
                "templates": ["amazon", "cnn", "ups"],
            },
            {
                "name": "Monthly Phishing Security Test",
                "groups": all_users,
                "frequency": "Monthly",
                "status": "Active",
                "difficulty": [2, 3, 4],
                "starts": [d + timedelta(days=(1 - d.weekday()) % 7) for d in monthly_starts],
                "share": 0.2,
                "click": 0.08,
                "categories": ["current", "online", "hr", "it", "banking"],
                "templates": ["m365", "docusign", "hr", "mfa", "payroll", "ups"],
            },
            {
                "name": "Executive Spear Phishing - Q3 2026",
                "groups": exec_group,
                "frequency": "One Time",
                "status": "Closed",
                "difficulty": [4, 5],
                "starts": [date(2026, 8, 18)],
                "share": 1.0,
                "click": 0.15,
                "categories": ["banking"],
                "templates": ["ceo"],
                "audience": _is_leader,
            },
            {
                "name": "QR Code Phishing 2026",
                "groups": all_users,
                "frequency": "One Time",
                "status": "Closed",
                "difficulty": [3, 4],
                "starts": [date(2026, 8, 11)],
                "share": 0.3,
                "click": 0.03,
                "qr": 0.14,
                "categories": ["qr"],
                "templates": ["qr"],
            },
            {
                "name": "Callback Phishing Test 2026",
                "groups": all_users,
                "frequency": "One Time",
                "status": "Closed",
                "difficulty": [3],
                "starts": [date(2026, 5, 12)],
                "share": 0.1,
                "click": 0.0,
                "reply": 0.09,
                "categories": ["callback"],
                "templates": ["callback"],
                "callback": True,
            },
            {
                "name": "Clinical Phishing Test - EHR Portal",
                "groups": [{"group_id": self.group_ids["Clinical Staff - HIPAA"], "name": "Clinical Staff - HIPAA"}],
                "frequency": "Quarterly",
                "status": "Active",
                "difficulty": [2, 3],
                "starts": [date(2026, 4, 14), date(2026, 7, 14), date(2026, 10, 13)],
                "share": 0.5,
                "click": 0.1,
                "attach": 0.06,
                "categories": ["health"],
                "templates": ["ehr"],
                "audience": _is_clinical_staff,
            },
        ]
        campaign_id = 229_001
        pst_id = 509_001
        recipient_id = 3_077_001
        phishing: list[Record] = []
        tests: list[Record] = []
        recipients = self.tenant.tables["recipients"]
        recipient_rows: list[tuple[Any, ...]] = []
        ips = [f"{'203.0.113' if k % 2 else '198.51.100'}.{k % 250 + 1}" for k in range(300)]
        for spec in specs:
            pst_summaries: list[Record] = []
            audience: Callable[[_Person], bool] = spec.get("audience", _anyone)
            audience_people = [p for p in self.people if audience(p)]
            share: float = spec["share"]
            rates = (spec["click"], spec.get("attach", 0.01), spec.get("qr", 0.002), spec.get("reply", 0.004))
            last_ppp = 0.0
            last_run: int | None = None
            for start_day in spec["starts"]:
                t0 = _epoch(start_day, 14)
                if t0 > self.ref:
                    continue
                template_pool = [TEMPLATES[t] for t in spec["templates"]]
                rnd = rng.random
                failed_count = 0
                for person in audience_people:
                    if person.start > t0 or (person.archived_at is not None and person.archived_at <= t0):
                        continue
                    if rnd() >= share:
                        continue
                    row, failed = self.recipient(rng, rates, person, t0, recipient_id, pst_id, template_pool, ips)
                    recipient_rows.append(row)
                    recipient_id += 1 + (rnd() < 0.05)
                    if row[5] != NONE:
                        person.phished += 1
                    if failed is not None:
                        failed_count += 1
                        person.fails.append(failed)
                columns = list(zip(*recipient_rows, strict=True)) if recipient_rows else [()] * 20
                counts = {
                    key: sum(1 for value in columns[col] if value != NONE)
                    for key, col in (
                        ("delivered", 5),
                        ("opened", 6),
                        ("clicked", 7),
                        ("replied", 8),
                        ("attachment", 9),
                        ("macro", 10),
                        ("data", 11),
                        ("qr", 12),
                        ("reported", 13),
                        ("bounced", 14),
                    )
                }
                counts["scheduled"] = len(recipient_rows)
                counts["failed"] = failed_count
                ppp = round(counts["failed"] / counts["delivered"], 3) if counts["delivered"] else 0.0
                landing = LANDING_PAGES[pst_id % len(LANDING_PAGES)]
                tests.append(
                    {
                        "campaign_id": campaign_id,
                        "pst_id": pst_id,
                        "status": "Closed",
                        "name": spec["name"],
                        "groups": spec["groups"],
                        "phish_prone_percentage": ppp,
                        "started_at": format_instant(t0),
                        "duration": 3,
                        "categories": [CATEGORIES[c] for c in spec["categories"]],
                        "template": template_pool[0],
                        "landing_page": landing,
                        "scheduled_count": counts["scheduled"],
                        "delivered_count": counts["delivered"],
                        "opened_count": counts["opened"],
                        "clicked_count": counts["clicked"],
                        "replied_count": counts["replied"],
                        "attachment_open_count": counts["attachment"],
                        "macro_enabled_count": counts["macro"],
                        "data_entered_count": counts["data"],
                        "qr_code_scanned_count": counts["qr"],
                        "reported_count": counts["reported"],
                        "bounced_count": counts["bounced"],
                    }
                )
                pst_summaries.append(
                    {
                        "pst_id": pst_id,
                        "status": "Closed",
                        "start_date": format_instant(t0),
                        "users_count": counts["scheduled"],
                        "phish_prone_percentage": ppp,
                    }
                )
                last_ppp, last_run = ppp, t0
                recipients.append_encoded(recipient_rows)
                recipient_rows.clear()
                pst_id += 1 + _between(rng, 0, 4)
            first_start = _epoch(spec["starts"][0], 14)
            campaign: Record = {
                "campaign_id": campaign_id,
                "name": spec["name"],
                "groups": spec["groups"],
                "last_phish_prone_percentage": last_ppp,
                "last_run": _instant(last_run),
                "status": spec["status"],
                "hidden": False,
                "send_duration": "3 Business Days",
                "track_duration": "3 Days",
                "frequency": spec["frequency"],
                "difficulty_filter": spec["difficulty"],
                "create_date": format_instant(first_start - 6 * DAY - 3 * 3600),
                "psts_count": len(pst_summaries),
                "psts": pst_summaries,
            }
            if spec.get("callback"):
                campaign["campaign_type"] = "callback"
            phishing.append(campaign)
            campaign_id += 1 + _between(rng, 0, 5)
        # The real API's quirks: a campaign in Error with a test that never started.
        error_group = [{"group_id": self.group_ids["Finance"], "name": "Finance"}]
        phishing.append(
            {
                "campaign_id": campaign_id,
                "name": "Finance Phishing Test (misconfigured)",
                "groups": error_group,
                "last_phish_prone_percentage": 0.0,
                "last_run": None,
                "status": "Error",
                "hidden": False,
                "send_duration": "1 Business Day",
                "track_duration": "3 Days",
                "frequency": "One Time",
                "difficulty_filter": [4, 2],
                "create_date": format_instant(self.days_ago(40, 13)),
                "psts_count": 1,
                "psts": [
                    {
                        "pst_id": pst_id,
                        "status": "Error",
                        "start_date": None,
                        "users_count": None,
                        "phish_prone_percentage": 0.0,
                    }
                ],
            }
        )
        tests.append(
            {
                "campaign_id": campaign_id,
                "pst_id": pst_id,
                "status": "Error",
                "name": "Finance Phishing Test (misconfigured)",
                "groups": error_group,
                "phish_prone_percentage": 0.0,
                "started_at": None,
                "duration": 4,
                "categories": [CATEGORIES["baseline"], CATEGORIES["hints"]],
                "template": {"id": None, "name": None},
                "landing_page": LANDING_PAGES[1],
                "scheduled_count": None,
                "delivered_count": 0,
                "opened_count": 0,
                "clicked_count": 0,
                "replied_count": 0,
                "attachment_open_count": 0,
                "macro_enabled_count": 0,
                "data_entered_count": 0,
                "qr_code_scanned_count": 0,
                "reported_count": 0,
                "bounced_count": 0,
            }
        )
        for record in phishing:
            self.tenant.tables["phishing_campaigns"].append(record)
        for record in tests:
            self.tenant.tables["security_tests"].append(record)

    def recipient(
        self,
        rng: random.Random,
        rates: tuple[float, float, float, float],
        person: _Person,
        t0: int,
        recipient_id: int,
        pst_id: int,
        templates: list[dict[str, Any]],
        ips: list[str],
    ) -> tuple[tuple[Any, ...], int | None]:
        """One recipient row in column form, and when the person failed (or None)."""
        rnd = rng.random
        click, attach_rate, qr_rate, reply_rate = rates
        scheduled = t0 + int(rnd() * 3 * DAY)
        delivered = opened = clicked = replied = attach = macro = data = qr = reported = bounced = NONE
        ip = location = browser = version = system = None
        if rnd() < 0.02:
            bounced = scheduled + 40
        else:
            delivered = scheduled + 5 + int(rnd() * 115)
            careless = 0.4 + 1.2 * (1 - person.diligence)
            if rnd() < 0.5:
                opened = delivered + 60 + int(rnd() * 2 * DAY)
            base = opened if opened != NONE else delivered
            if rnd() < click * careless:
                clicked = base + 5 + int(rnd() * 3600)
                if rnd() < 0.3:
                    data = clicked + 30 + int(rnd() * 270)
            if rnd() < attach_rate * careless:
                attach = base + 30 + int(rnd() * 7200)
                if rnd() < 0.3:
                    macro = attach + 5 + int(rnd() * 115)
            if rnd() < qr_rate * careless:
                qr = base + 60 + int(rnd() * 6 * 3600)
            if rnd() < reply_rate * careless:
                replied = base + 60 + int(rnd() * 3 * 3600)
            if clicked == NONE and rnd() < 0.2 * (0.5 + person.diligence):
                reported = base + 30 + int(rnd() * 4 * 3600)
            elif clicked != NONE and rnd() < 0.05:
                reported = clicked + 60 + int(rnd() * 540)
            if clicked != NONE or qr != NONE or data != NONE:
                ip = ips[int(rnd() * len(ips))]
                location = IP_LOCATIONS[int(rnd() * len(IP_LOCATIONS))]
                browser, version = BROWSERS[int(rnd() * len(BROWSERS))]
                system = SYSTEMS[int(rnd() * len(SYSTEMS))]
        events = [e for e in (clicked, data, attach, macro, qr, replied) if e != NONE]
        row = (
            recipient_id,
            pst_id,
            person.phish_user,
            templates[int(rnd() * len(templates))],
            scheduled,
            delivered,
            opened,
            clicked,
            replied,
            attach,
            macro,
            data,
            qr,
            reported,
            bounced,
            ip,
            location,
            browser,
            version,
            system,
        )
        return row, (min(events) if events else None)

    # --- users ----------------------------------------------------------------------------------

    def finish_people(self) -> None:
        rng = self.rng(5)
        for person in self.people:
            ppp = round(100 * len(person.fails) / person.phished, 3) if person.phished else 0.0
            person.risk = round(min(99.0, 8 + 0.8 * ppp + 30 * (1 - person.diligence) + rng.uniform(0, 8)), 3)

    def write_users(self) -> None:
        rng = self.rng(6)
        rows: list[tuple[Any, ...]] = []
        last_seen_floor = self.days_ago(120)
        for person in self.people:
            dept_name, division, *_ = DEPARTMENTS[person.dept]
            location, language = LOCATIONS[person.location][:2]
            manager = person.manager
            ppp = round(100 * len(person.fails) / person.phished, 3) if person.phished else 0.0
            if person.archived_at is not None:
                last_sign_in = person.archived_at - _between(rng, DAY, 60 * DAY) if rng.random() < 0.7 else NONE
            elif rng.random() < 0.85:
                last_sign_in = max(person.joined, last_seen_floor) + _between(rng, 0, 100 * DAY)
                last_sign_in = min(last_sign_in, self.ref - 3600)
            else:
                last_sign_in = NONE
            if last_sign_in != NONE and last_sign_in < person.joined:
                last_sign_in = NONE
            hq = location == "Boston HQ"
            rows.append(
                (
                    person.id,
                    person.employee_number,
                    person.first,
                    person.last,
                    person.title,
                    person.email,
                    ppp,
                    f"555-{_between(rng, 100, 1000)}-{_between(rng, 1000, 10000)}",
                    str(_between(rng, 100, 1000)) if hq and rng.random() < 0.5 else None,
                    f"555-{_between(rng, 100, 1000)}-{_between(rng, 1000, 10000)}" if rng.random() < 0.5 else None,
                    self.s(location),
                    self.s(division),
                    None if manager is None else f"{manager.first} {manager.last}",
                    None if manager is None else manager.email,
                    1 if person.provisioned else 0,
                    person.guid,
                    sorted(person.groups),
                    person.risk,
                    person.aliases,
                    person.joined,
                    last_sign_in,
                    "archived" if person.archived_at is not None else "active",
                    ORG_NAME,
                    self.s(dept_name),
                    self.s(language),
                    "Low PPP" if ppp == 0 and person.phished >= 3 and rng.random() < 0.3 else None,
                    person.start,
                    NONE if person.archived_at is None else person.archived_at,
                    self.s(f"Building {'ABC'[person.id % 3]}, Floor {person.id % 5 + 1}") if hq else None,
                    None,
                    None,
                    None,
                    None,
                    None,
                )
            )
        self.tenant.tables["users"].append_encoded(rows)

    # --- training -------------------------------------------------------------------------------

    def campaigns(self) -> list[_Campaign]:
        g = self.group_ids
        everyone = [{"group_id": 0, "name": "All Users"}]

        def grp(name: str) -> list[dict[str, Any]]:
            return [{"group_id": g[name], "name": name}]

        def clinical(p: _Person) -> bool:
            return DEPARTMENTS[p.dept][1] == "Clinical" or p.title == "Privacy Officer"

        def tech(p: _Person) -> bool:
            return DEPARTMENTS[p.dept][1] == "Technology"

        def anyone(p: _Person) -> bool:
            return True

        q2 = (_epoch(date(2026, 4, 1)), _epoch(date(2026, 7, 1)))
        q3 = (_epoch(date(2026, 7, 1)), _epoch(date(2026, 10, 1)))
        remediation_q2 = [(p, t) for p in self.people for t in p.fails if q2[0] <= t < q2[1]]
        remediation_q3 = [(p, t) for p in self.people for t in p.fails if q3[0] <= t < q3[1]]
        remediation_q2.sort(key=lambda pt: (pt[1], pt[0].id))
        remediation_q3.sort(key=lambda pt: (pt[1], pt[0].id))
        if remediation_q3:  # guarantee a duplicate (same user, same module) even in tiny tenants
            first = remediation_q3[0]
            if sum(1 for p, _ in remediation_q3 if p is first[0]) < 2:
                remediation_q3.insert(1, (first[0], first[1] + 9 * DAY))
        out: list[_Campaign] = []
        cid = 4201
        audiences = {"all": anyone, "clinical": clinical, "tech": tech}
        for spec in TRAINING_CAMPAIGNS:
            name, status, relative = spec.name, spec.status, spec.relative
            camp = _Campaign(
                id=cid,
                name=name,
                status=status,
                groups=everyone if spec.group is None else grp(spec.group),
                content=[self.item(c) for c in spec.content],
                duration_type=spec.duration_type,
                start=_epoch(spec.start, 9),
                end=None if spec.end is None or relative is not None else _epoch(spec.end, 23, 59, 59),
                relative=relative,
                relative_days=None if relative is None else (30 if relative == "30 days" else 14),
                auto_enroll=spec.auto_enroll,
                allow_multiple=spec.allow_multiple,
                audience=audiences[spec.audience],
            )
            if status == "Enrolling":
                camp.reach = 0.3
            if status in ("Cancelled", "Canceled"):
                camp.stop = camp.start + 19 * DAY
                camp.reach = 0.6
            if name == "Phishing Remediation - Q2 2026":
                camp.triggers = remediation_q2
            elif name == "Phishing Remediation - Q3 2026":
                camp.triggers = remediation_q3
            out.append(camp)
            cid += 1 + (cid % 3 == 0)
        return out

    def make_training(self) -> None:
        rng = self.rng(7)
        campaigns = self.campaigns()
        table = self.tenant.tables["enrollments"]
        next_id = 1_425_001
        ghosts = max(2, self.n // 500) if self.n >= 10 else min(self.n, 1)  # users deleted since: user null
        for camp in campaigns:
            self.tenant.tables["training_campaigns"].append(
                {
                    "campaign_id": camp.id,
                    "name": camp.name,
                    "groups": camp.groups,
                    "status": camp.status,
                    "content": camp.content,
                    "duration_type": camp.duration_type,
                    "start_date": format_instant(camp.start),
                    "end_date": _instant(camp.end),
                    "relative_duration": camp.relative,
                    "auto_enroll": camp.auto_enroll,
                    "allow_multiple_enrollments": camp.allow_multiple,
                }
            )
            if camp.status == "Created" or camp.start > self.ref:
                continue
            rows, next_id = self.campaign_rows(rng, camp, self.enrollees(rng, camp, ghosts), next_id)
            table.append_encoded(rows)

    def enrollees(self, rng: random.Random, camp: _Campaign, ghosts: int) -> list[tuple[int, _Person | None]]:
        """Who is enrolled in a campaign, and when (ghost users were deleted later: `user: null`)."""
        out: list[tuple[int, _Person | None]] = []
        if camp.triggers:
            for person, failed_at in camp.triggers:
                out.append((failed_at + DAY + _between(rng, 0, 3600), person))
            return out
        horizon = min(self.ref, camp.end or self.ref, camp.stop or self.ref)
        new_hire_campaign = camp.name == "New Hire Onboarding"
        for person in self.people:
            if not camp.audience(person):
                continue
            if new_hire_campaign:
                if person.start < camp.start or person.start > self.ref:
                    continue
                at = person.start + DAY + _between(rng, 0, 3600)
            elif person.start <= camp.start:
                at = camp.start + _between(rng, 0, 6 * 3600)
            elif camp.auto_enroll and person.start <= horizon:
                at = person.start + DAY + _between(rng, 0, 3600)
            else:
                continue
            if person.archived_at is not None and person.archived_at <= at:
                continue
            if at > self.ref or (camp.reach < 1.0 and rng.random() >= camp.reach):
                continue
            out.append((at, person))
        if camp.name in ("Security Awareness 2024", "Security Awareness 2025"):
            out.extend((camp.start + _between(rng, 0, 6 * 3600), None) for _ in range(ghosts))
        return out

    def campaign_rows(
        self, rng: random.Random, camp: _Campaign, enrollees: list[tuple[int, _Person | None]], next_id: int
    ) -> tuple[list[tuple[Any, ...]], int]:
        """Enrollment rows (column form) for everyone enrolled in a campaign, one per content item.

        The hottest loop of the generator (half a million rows at 50,000 users), hence the locals.
        """
        rnd = rng.random
        ref = self.ref
        items: list[tuple[str, str, bool, str, int, int]] = []
        for item in camp.content:
            is_policy = item["content_type"] == "Uploaded Policy"
            kind = "Uploaded Policy" if is_policy else item["type"]
            minutes = item.get("minimum_time") if is_policy else item.get("duration")
            items.append(
                (
                    item["content_type"],
                    item["name"],
                    is_policy,
                    "Passed" if kind in COMPLETED_BY_PASSING else "Completed",
                    (minutes or 2) * 60,
                    NONE if is_policy else item["store_purchase_id"],
                )
            )
        enrolling = camp.status == "Enrolling"
        stop, relative, end, cid, cname = camp.stop, camp.relative_days, camp.end, camp.id, camp.name
        rows: list[tuple[Any, ...]] = []
        for at, person in enrollees:
            if person is None:
                diligence, user, horizon = 0.7, None, ref
            else:
                diligence, user = person.diligence, person.enroll_user
                horizon = ref if person.archived_at is None else min(ref, person.archived_at)
            if stop is not None and stop < horizon:
                horizon = stop
            due = end if relative is None else at + relative * DAY
            window = (due - at) if due is not None else 45 * DAY
            never = 0.9 if enrolling else 0.03 + 0.3 * (1 - diligence) ** 3
            lateness = 1.8 if diligence < 0.35 else 1.1  # the careless finish late more often
            past_due = due is not None and due < horizon and stop is None
            for content_type, name, is_policy, done, seconds, purchase_id in items:
                completed = started = NONE
                if rnd() >= never:
                    finish = at + int(rnd() * rnd() * lateness * window) + int(rnd() * 8 * 3600)
                    if finish <= horizon:
                        completed = finish
                        started = max(at + 60, finish - 600 - int(rnd() * (3 * DAY - 600)))
                if completed == NONE and horizon > at + 3600 and rnd() < 0.35:
                    started = at + 3600 + int(rnd() * (horizon - at - 3600))
                if completed != NONE:
                    status = done
                    spent = int(seconds * (0.55 + 0.95 * rnd()))
                else:
                    status = "Past Due" if past_due else ("In Progress" if started != NONE else "Not Started")
                    spent = int(seconds * (0.05 + 0.55 * rnd())) if started != NONE else 0
                rows.append(
                    (
                        next_id,
                        content_type,
                        name,
                        user,
                        cname,
                        at,
                        started,
                        completed,
                        status,
                        spent,
                        1 if is_policy and completed != NONE else 0,
                        cid,
                        purchase_id,
                    )
                )
                next_id += 1
        return rows, next_id

    # --- account and histories ------------------------------------------------------------------

    def history(self, rng: random.Random, current: float, weeks: int = 104) -> list[Record]:
        score = min(95.0, current + rng.uniform(8, 20))
        out: list[Record] = []
        for w in range(weeks - 1, -1, -1):
            day = self.ref_date - timedelta(weeks=w)
            score = score + (current - score) * 0.05 + rng.uniform(-1.2, 1.2)
            out.append({"risk_score": round(score, 3) if w else current, "date": day.isoformat()})
        return out

    def finish(self) -> None:
        rng = self.rng(8)
        active = [p for p in self.people if p.archived_at is None]
        current = round(sum(p.risk for p in active) / len(active), 3) if active else 0.0
        admins = [p for p in self.people if DEPARTMENTS[p.dept][0] == "IT" and p.archived_at is None][:2]
        seats = self.seats if self.seats is not None else max(25, -(-len(active) * 21 // 20 // 25) * 25)
        self.tenant.account = {
            "name": ORG_NAME,
            "type": "paid",
            "domains": [DOMAIN],
            "admins": [
                {"id": 974_001 + k, "first_name": p.first, "last_name": p.last, "email": p.email}
                for k, p in enumerate(admins)
            ],
            "subscription_level": "Platinum",
            "subscription_end_date": (self.ref_date + timedelta(days=243)).isoformat(),
            "number_of_seats": seats,
            "current_risk_score": current,
        }
        self.tenant.account_risk_score_history = self.history(rng, current)
        for group in self.group_records:
            self.tenant.group_risk_score_history[str(group["id"])] = self.history(rng, group["current_risk_score"])
        for record in self.group_records:
            self.tenant.tables["groups"].append(record)
        for record in self.purchases:
            self.tenant.tables["store_purchases"].append(record)
        for record in self.policies:
            self.tenant.tables["policies"].append(record)

    def build(self) -> Tenant:
        self.make_people()
        self.make_content()
        self.plan_groups()
        self.make_phishing()
        self.finish_people()
        self.make_groups()
        self.write_users()
        self.finish()  # appends groups, purchases, policies in API order before enrollments need them
        self.make_training()
        self.tenant.version += 1
        return self.tenant


def generate_tenant(
    users: int = 200, seed: int = 1, *, reference_date: date = REFERENCE_DATE, seats: int | None = None
) -> Tenant:
    """A realistic synthetic tenant; identical (same JSON) for the same arguments.

    `users` people (about 10 enrollments each), dates relative to `reference_date`, and
    `number_of_seats` = `seats` (default: active users plus 5 %, rounded up to 25), which sets the daily
    request quota (2,000 + seats).
    """
    # The generator allocates millions of objects that all stay alive: cyclic GC passes over them would
    # only cost time (they made 50,000 users twice as slow), and nothing here forms reference cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Generator(users, seed, reference_date, seats).build()
    finally:
        if enabled:
            gc.enable()
