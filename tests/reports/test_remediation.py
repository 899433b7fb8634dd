"""`report remediation` on a tenant built for it, judged on 2026-08-15 12:00 UTC.

The account owns: Financial Fraud and BEC, Password Basics, Ransomware, Phishing Foundations, Security
Basics, a retired QR Code Phishing video and a poster. Three phishing tests: a banking template
(May), a shared-document template (July), a QR code (August).

| who | test     | did                               | trained since?           | suggested                   |
|-----|----------|-----------------------------------|--------------------------|-----------------------------|
| Ann | bank     | clicked, entered data (11 May)    | Security Basics, 1 June  | Financial Fraud and BEC     |
| Bob | bank     | clicked (12 May)                  | no                       | Financial Fraud and BEC     |
| Bob | document | opened the attachment, macros     | no                       | Ransomware                  |
| Cat | QR       | scanned the QR code (2 Aug)       | no                       | Phishing Foundations (*)    |
| Dan | QR       | clicked, but archived since       | -                        | not listed                  |
| Eve | QR       | reported it                       | -                        | not a failure               |

(*) the QR module is retired and the poster is not training, so the generic phishing module wins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reports._cli import run
from reports._tenant import (
    campaign,
    enrollment,
    phishing_campaign,
    purchase,
    recipient,
    security_test,
    sync_into_store,
    tenant,
    user,
)
from trainproof.config import Settings
from trainproof.reports import import_csv, report_remediation

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)


def build() -> dict[str, object]:
    ann, bob, cat = user(1, "Ann", "A", department="Sales"), user(2, "Bob", "B"), user(3, "Cat", "C")
    dan = user(4, "Dan", "D", status="archived", archived="2026-08-05")
    eve = user(5, "Eve", "E")
    fraud = purchase(41, "Financial Fraud and BEC", description="Wire transfer and invoice scams")
    passwords = purchase(42, "Password Basics", description="Credentials and MFA", kind="Video", duration=5)
    ransomware = purchase(43, "Ransomware", description="Malicious attachments and macros", duration=20)
    foundations = purchase(44, "Phishing Foundations", description="The red flags of a phishing email", duration=20)
    qr = purchase(45, "QR Code Phishing", description="Quishing", kind="Video", duration=5, retired=True)
    poster = purchase(46, "Phishing Awareness Poster", kind="Poster", duration=None)
    basics = purchase(47, "Security Basics")
    annual = campaign(401, "Annual", [basics], start="2026-05-20", end="2026-06-30")
    bank = security_test(
        601,
        501,
        "Q2 Bank Test",
        started="2026-05-10",
        categories=["Banking and Finance"],
        template="Wire Transfer Request",
        phish_prone=0.5,
        delivered=4,
    )
    docs = security_test(
        602,
        501,
        "Q3 Document Test",
        started="2026-07-10",
        categories=["Documents"],
        template="Shared File",
        phish_prone=0.25,
        delivered=4,
    )
    qrt = security_test(
        603,
        502,
        "Q3 QR Test",
        started="2026-08-01",
        categories=["QR Code"],
        template="Parking Permit",
        phish_prone=0.5,
        delivered=4,
    )
    return tenant(
        users=[ann, bob, cat, dan, eve],
        store_purchases=[fraud, passwords, ransomware, foundations, qr, poster, basics],
        training_campaigns=[annual],
        enrollments=[
            enrollment(1, ann, annual, basics, enrolled="2026-05-20", status="Passed", completed="2026-06-01")
        ],
        phishing_campaigns=[
            phishing_campaign(501, "Quarterly Tests", [bank, docs]),
            phishing_campaign(502, "QR", [qrt]),
        ],
        security_tests=[bank, docs, qrt],
        recipients=[
            recipient(1, bank, ann, clicked="2026-05-11", data_entered="2026-05-11"),
            recipient(2, bank, bob, clicked="2026-05-12"),
            recipient(3, docs, bob, attachment_opened="2026-07-11", macro_enabled="2026-07-11"),
            recipient(4, qrt, cat, qr_code_scanned="2026-08-02"),
            recipient(5, qrt, dan, clicked="2026-08-02"),
            recipient(6, qrt, eve, reported="2026-08-02"),
        ],
    )


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    return sync_into_store(build(), tmp_path_factory.mktemp("remediation"))


def test_failures_training_since_and_matched_modules(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    rows = report_remediation(store, settings, at=AT)
    got = [(r.email, r.pst_id, r.failures, r.trained_since, r.suggested_module, r.group) for r in rows]
    assert got == [  # not trained first, newest failure first
        (
            "cat@acme.example",
            603,
            ["qr_code_scanned"],
            False,
            "Phishing Foundations",
            "Remediation - Phishing Foundations",
        ),
        (
            "bob@acme.example",
            602,
            ["attachment_opened", "macro_enabled"],
            False,
            "Ransomware",
            "Remediation - Ransomware",
        ),
        (
            "bob@acme.example",
            601,
            ["clicked"],
            False,
            "Financial Fraud and BEC",
            "Remediation - Financial Fraud and BEC",
        ),
        ("ann@acme.example", 601, ["clicked", "data_entered"], True, "Financial Fraud and BEC", None),
    ]
    ann = rows[3]
    assert ann.trained_with == "Security Basics (2026-06-01)"
    assert ann.failed_at == datetime(2026, 5, 11, tzinfo=UTC)
    assert (ann.phishing_campaign, ann.test, ann.template, ann.categories) == (
        "Quarterly Tests",
        "Q2 Bank Test",
        "Wire Transfer Request",
        ["Banking and Finance"],
    )
    assert ann.suggested_store_purchase_id == 41
    assert ann.match == "matched financ, wire, invoice, bec, fraud"
    assert {r.deadline for r in rows} == {datetime(2026, 8, 22, 23, 59, 59, tzinfo=UTC)}  # a week (KnowBe4's workflow)
    assert rows[1].match == "matched ransomware, attachment, macro"


def test_since_and_untrained_filters(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    since = [
        (r.email, r.pst_id) for r in report_remediation(store, settings, since=datetime(2026, 7, 1, tzinfo=UTC), at=AT)
    ]
    assert since == [("cat@acme.example", 603), ("bob@acme.example", 602)]
    untrained = report_remediation(store, settings, untrained_only=True, at=AT)
    assert [r.email for r in untrained] == ["cat@acme.example", "bob@acme.example", "bob@acme.example"]


def test_import_csv_one_line_per_person(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    text = import_csv(report_remediation(store, settings, at=AT))
    # Bob's latest failure (the document test) decides his group; Ann has trained since.
    assert text == (
        "Email,Group\r\n"
        "cat@acme.example,Remediation - Phishing Foundations\r\n"
        "bob@acme.example,Remediation - Ransomware\r\n"
    )


def test_cli_writes_the_import_file(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, settings = synced
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())
    target = tmp_path / "import.csv"
    code, out, err = run(
        ["report", "remediation", "--since", "2026-07-01", "--import-csv", str(target)], capsys, monkeypatch
    )
    assert code == 0, err
    assert "Ransomware" in out
    assert f"wrote {target} (2 people)" in err
    assert target.read_text(encoding="utf-8").splitlines()[0] == "Email,Group"
    assert target.stat().st_mode & 0o777 == 0o600
