"""Pick a remedial module for a phishing failure from what the account owns (its store purchases).

KnowBe4's best practice "Match training to threats": a failure on a banking-themed template with data
entered calls for a module on financial fraud and credentials, not any module. The match is a transparent
keyword score (every keyword that counted is returned) so an admin can see why a module was picked
and override it; it never suggests a retired module, a poster or a newsletter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["FAILURE_ACTIONS", "Candidate", "Match", "suggest_module"]

# Recipient fields that count as failing a phishing test (§3.9; note `qr_code_scanned` has no `_at`).
FAILURE_ACTIONS: tuple[str, ...] = ("clicked", "data_entered", "attachment_opened", "macro_enabled", "qr_code_scanned")

# (words in a test's categories or template name, words sought in a module's name and description)
_THEMES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("bank", "financ", "invoice", "payment", "wire", "payroll", "tax", "paypal", "venmo", "ceo"),
        ("financ", "bank", "wire", "invoice", "payment", "bec", "business email compromise", "ceo fraud", "fraud"),
    ),
    (("social",), ("social media", "social engineering")),
    (
        ("health", "medical", "hipaa", "pharma", "patient", "ehr", "clinic", "prescription", "doctor"),
        ("hipaa", "health", "medical", "phi"),
    ),
    (
        ("shipping", "delivery", "package", "order", "amazon", "fedex", "ups", "dhl", "online shopping", "retail"),
        ("shopping", "delivery", "package", "online"),
    ),
    (
        ("it", "password", "account", "microsoft", "office 365", "google", "cloud", "online services", "help desk"),
        ("password", "credential", "account", "cloud", "mfa", "multi-factor"),
    ),
    (("hr", "human resources", "benefit", "employee", "onboarding"), ("hr", "human resources", "insider", "benefit")),
    (("covid", "coronavirus", "current events", "news", "holiday", "scam", "charity"), ("scam", "current", "holiday")),
    (("qr",), ("qr", "quishing", "mobile")),
    (("government", "irs", "court", "legal"), ("government", "tax", "legal")),
    (("ransom", "malware", "attachment", "document", "fax", "voicemail"), ("ransomware", "malware", "attachment")),
)
_ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "data_entered": ("password", "credential", "login"),
    "attachment_opened": ("attachment", "malware", "ransomware"),
    "macro_enabled": ("macro", "attachment", "malware", "ransomware"),
    "qr_code_scanned": ("qr", "quishing", "mobile"),
    "clicked": ("link", "url"),
}
_GENERIC: tuple[str, ...] = ("phish", "red flag", "email")
_THEME_WEIGHT, _CATEGORY_WEIGHT, _ACTION_WEIGHT, _GENERIC_WEIGHT = 3, 1, 2, 1
_NOT_TRAINING = ("poster", "newsletter")


@dataclass(frozen=True)
class Candidate:
    """A store purchase as the matcher needs it."""

    store_purchase_id: int
    name: str
    description: str | None = None
    type: str | None = None
    duration: int | None = None
    retired: bool = False
    retirement_date: datetime | None = None
    publish_date: datetime | None = None


@dataclass(frozen=True)
class Match:
    module: Candidate | None
    score: int
    keywords: tuple[str, ...]

    @property
    def reason(self) -> str:
        if self.module is None:
            return "no store purchase is a training module: buy or assign a remedial module"
        if not self.keywords:
            return "no module matched the test's theme: newest general module"
        return "matched " + ", ".join(self.keywords)


def _has(text: str, word: str) -> bool:
    """`word` starts a word of `text` ("financ" finds "financial"); a short one must be the whole word
    ("phi" is not "phishing", "it" not "item")."""
    tail = r"(?![a-z0-9])" if len(word) <= 3 else ""
    return re.search(r"(?<![a-z0-9])" + re.escape(word) + tail, text) is not None


def _wanted(categories: Iterable[str], template: str | None, actions: Iterable[str]) -> dict[str, int]:
    """Keywords to look for in module names, each with the highest weight that asks for it.

    The template is what the person actually saw; a test's categories are the pool its templates were
    drawn from (often five themes at once), so with a template they only nudge (weight 1).
    """
    template_text = (template or "").lower()
    category_text = " ".join(categories).lower()
    category_weight = _CATEGORY_WEIGHT if template_text else _THEME_WEIGHT
    wanted: dict[str, int] = {}

    def want(words: Iterable[str], weight: int) -> None:
        for w in words:
            wanted[w] = max(wanted.get(w, 0), weight)

    for triggers, words in _THEMES:
        if any(_has(template_text, t) for t in triggers):
            want(words, _THEME_WEIGHT)
        elif any(_has(category_text, t) for t in triggers):
            want(words, category_weight)
    for action in actions:
        want(_ACTION_WORDS.get(action, ()), _ACTION_WEIGHT)
    want(_GENERIC, _GENERIC_WEIGHT)
    return wanted


def _usable(c: Candidate, at: datetime | None) -> bool:
    if c.retired:
        return False
    if c.retirement_date is not None and at is not None and c.retirement_date <= at:
        return False
    kind = (c.type or "").lower()
    return not any(word in kind for word in _NOT_TRAINING)


def suggest_module(
    candidates: Sequence[Candidate],
    *,
    categories: Iterable[str],
    template: str | None,
    actions: Iterable[str],
    at: datetime | None = None,
) -> Match:
    """The best non-retired training purchase for a failure, with the keywords that made it win.

    Name matches count double (a module called "Financial Fraud" is about it; one that mentions
    fraud once in its description may not be). Ties go to the shorter module (remediation has one
    week), then the newest, then the name, so the answer is stable.
    """
    usable = [c for c in candidates if _usable(c, at)]
    if not usable:
        return Match(None, 0, ())
    wanted = _wanted(categories, template, actions)
    scored: list[tuple[tuple[int, int, float, str], Candidate, tuple[str, ...]]] = []
    for c in usable:
        name = c.name.lower()
        desc = (c.description or "").lower()
        score = 0
        hits: list[str] = []
        for word, weight in wanted.items():
            if _has(name, word):
                score += 2 * weight
                hits.append(word)
            elif _has(desc, word):
                score += weight
                hits.append(word)
        published = c.publish_date.timestamp() if c.publish_date else 0.0
        scored.append(((-score, c.duration or 10_000, -published, name), c, tuple(hits)))
    key, module, matched = min(scored, key=lambda item: item[0])
    return Match(module, -key[0], matched)
