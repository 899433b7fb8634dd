"""The generated organisation: its name and domain, departments, locations, and who belongs where."""

from __future__ import annotations

from datetime import date

from trainproof.simulator.synthetic.draft import Person

__all__ = [
    "DEPARTMENTS",
    "DOMAIN",
    "LOCATIONS",
    "ORG_NAME",
    "ROLLOUT",
    "anyone",
    "in_hipaa_audience",
    "is_clinical_staff",
    "is_leader",
    "is_technology_staff",
]

ORG_NAME = "Northwind Health"
DOMAIN = "northwind-health.example"
ROLLOUT = date(2019, 3, 4)  # when the organisation started using KnowBe4 (joined_on floor)

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


def anyone(person: Person) -> bool:
    return True


def is_leader(person: Person) -> bool:
    return person.dept == 0 or person.title.startswith("Head of")


def is_clinical_staff(person: Person) -> bool:
    return DEPARTMENTS[person.dept][1] == "Clinical"


def in_hipaa_audience(person: Person) -> bool:
    """Clinical staff and the privacy officer: who the HIPAA group and HIPAA campaigns hold."""
    return DEPARTMENTS[person.dept][1] == "Clinical" or person.title == "Privacy Officer"


def is_technology_staff(person: Person) -> bool:
    return DEPARTMENTS[person.dept][1] == "Technology"
