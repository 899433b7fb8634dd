"""The remedial module picked for a phishing failure, from the account's store purchases."""

from __future__ import annotations

from datetime import UTC, datetime

from trainproof.reports._matching import Candidate, suggest_module

NOW = datetime(2026, 7, 1, tzinfo=UTC)

LIBRARY = [
    Candidate(1, "2026 Security Awareness Training", "A comprehensive overview", "Training Module", 45),
    Candidate(2, "Financial Fraud and BEC", "Spot wire and invoice fraud", "Training Module", 15),
    Candidate(3, "Password Basics", "Credentials, passphrases and MFA", "Video", 5),
    Candidate(4, "Ransomware", "What happens when you open a malicious attachment", "Training Module", 20),
    Candidate(5, "Phishing Red Flags Poster", "Print me", "Poster", None),
    Candidate(6, "QR Code Phishing (Quishing)", "Scanning codes safely on mobile", "Video", 5, retired=True),
    Candidate(7, "Social Media Safety", "Oversharing and social engineering", "Game", 10),
    Candidate(8, "Phishing Foundations", "Recognise the red flags of phishing email", "Training Module", 20),
]


def test_banking_template_gets_the_fraud_module() -> None:
    m = suggest_module(
        LIBRARY, categories=["Banking and Finance"], template="Wire transfer", actions=["clicked"], at=NOW
    )
    assert m.module is not None
    assert m.module.store_purchase_id == 2
    # "financ" (3) in the description? no: in the name "Financial" -> 6; "bec" name 6; "fraud" name 6;
    # "wire" description 3; "invoice" description 3.
    assert m.score == 24
    assert set(m.keywords) == {"financ", "bec", "fraud", "wire", "invoice"}


def test_credential_harvest_gets_the_password_module() -> None:
    m = suggest_module(
        LIBRARY, categories=["IT"], template="Password expiry", actions=["clicked", "data_entered"], at=NOW
    )
    assert m.module is not None
    assert m.module.name == "Password Basics"


def test_attachment_and_macro_get_ransomware() -> None:
    m = suggest_module(
        LIBRARY, categories=["Documents"], template="Shared file", actions=["attachment_opened", "macro_enabled"]
    )
    # The template names no theme, so the "Documents" category only nudges (weight 1); the actions ask for
    # ransomware, malware, attachment and macro (weight 2). Module 4: "ransomware" in the name (doubled) = 4
    # + "attachment" in its description = 2 -> 6. Phishing Foundations has only the generic words: 1 x 2 + 1 + 1.
    assert m.module is not None
    assert m.module.store_purchase_id == 4
    assert m.score == 6


def test_the_template_decides_over_a_broad_category_list() -> None:
    # A test drawn from five categories; the person saw a payroll template: finance, not social media.
    m = suggest_module(
        LIBRARY,
        categories=["Social Media", "Current Events", "IT", "Human Resources", "Banking and Finance"],
        template="Payroll: Direct Deposit Change",
        actions=["clicked"],
    )
    assert m.module is not None
    assert m.module.store_purchase_id == 2


def test_short_keywords_are_whole_words() -> None:
    # "phi" (health) must not find "phishing"; "it" must not find "item".
    lib = [Candidate(20, "Phishing 101", None, "Video", 5), Candidate(21, "HIPAA and PHI", None, "Video", 5)]
    m = suggest_module(lib, categories=[], template="EHR Portal: Unread Patient Message", actions=["clicked"])
    assert m.module is not None
    assert m.module.store_purchase_id == 21
    assert m.keywords == ("hipaa", "phi")


def test_the_template_theme_outweighs_the_action() -> None:
    # An "Invoice overdue" attachment: the financial theme (module 2 scores 24) beats ransomware (module 4: 4 + 2).
    m = suggest_module(
        LIBRARY, categories=[], template="Invoice overdue", actions=["attachment_opened", "macro_enabled"]
    )
    assert m.module is not None
    assert m.module.store_purchase_id == 2


def test_retired_modules_and_posters_are_never_suggested() -> None:
    m = suggest_module(LIBRARY, categories=["QR Code"], template=None, actions=["qr_code_scanned"], at=NOW)
    assert m.module is not None
    assert m.module.store_purchase_id not in (5, 6)
    # Nothing non-retired mentions qr/quishing/mobile: the generic phishing words decide.
    assert m.module.store_purchase_id == 8


def test_no_theme_falls_back_to_phishing_basics() -> None:
    m = suggest_module(LIBRARY, categories=["Baseline Templates"], template=None, actions=["clicked"], at=NOW)
    assert m.module is not None
    assert m.module.store_purchase_id == 8
    assert "phish" in m.keywords


def test_retirement_date_in_the_past_counts_as_retired() -> None:
    only = [Candidate(9, "Phishing 101", None, "Training Module", 10, retirement_date=datetime(2026, 1, 1, tzinfo=UTC))]
    m = suggest_module(only, categories=[], template=None, actions=["clicked"], at=NOW)
    assert m.module is None
    assert "buy or assign" in m.reason


def test_ties_go_to_the_shorter_module() -> None:
    lib = [
        Candidate(10, "Phishing Deep Dive", None, "Training Module", 40),
        Candidate(11, "Phishing Quick Refresher", None, "Video", 5),
    ]
    m = suggest_module(lib, categories=[], template=None, actions=["clicked"])
    assert m.module is not None
    assert m.module.store_purchase_id == 11
