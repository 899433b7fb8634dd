"""`nightly`, `certificates` and `evidence` with names KnowBe4 users really type: long, any script, controls.

A simulator on 127.0.0.1 serves a campaign and a module whose titles are thousands of characters long and
a person whose name mixes scripts, markup and escape sequences; the commands run through the CLI's entry point. Every
certificate is written, the exact text is in each evidence.json, and one certificate that cannot be
written is one line on stderr while the others are written and the command ends non-zero.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports._tenant import campaign, enrollment, purchase, tenant, user
from running import CliResult, in_process
from trainproof.simulator import Simulator

NOW = "2026-09-01T12:00:00Z"
CAMPAIGN = "Security Awareness 2026 " + "with a very long name " * 250  # 5,524 characters
MODULE = "Phishing " * 600
TITLE = ("Security Awareness Training " * 100).strip()
ODD_LAST = "Łukasz-Οδυσσέας-Владимир [/red] \x1b]0;owned\x07 李 " + "x" * 3000

MOD = purchase(1, MODULE)
CAMP = campaign(101, CAMPAIGN, [MOD], start="2026-08-01", end="2026-09-30")
ADA = user(1, "Ada", ODD_LAST)
BOB = user(2, "Bob", "Builder")

TOML = f"""
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[trainings.security_awareness]
title = "{TITLE}"
campaigns = [101]
"""


class World:
    def __init__(self, sim: Simulator, root: Path) -> None:
        self.root = root
        (root / "trainproof.toml").write_text(TOML, encoding="utf-8")
        self.env = {
            "KNOWBE4_BASE_URL": sim.base_url,
            "KNOWBE4_API_KEY": sim.token,
            "TRAINPROOF_CONFIG": str(root / "trainproof.toml"),
            "TRAINPROOF_DATABASE_URL": f"sqlite:///{root / 'store.db'}",
            "TRAINPROOF_STATE_DIR": str(root / "state"),
            "TRAINPROOF_NOW": NOW,
        }

    def run(self, *args: str) -> CliResult:
        return in_process(list(args), self.env, cwd=self.root)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    data = tenant(
        users=[ADA, BOB],
        store_purchases=[MOD],
        training_campaigns=[CAMP],
        enrollments=[
            enrollment(11, ADA, CAMP, MOD, status="Passed", started="2026-08-10", completed="2026-08-10"),
            enrollment(21, BOB, CAMP, MOD, status="Passed", started="2026-08-11", completed="2026-08-11"),
        ],
    )
    with Simulator(data, limits="off") as sim:
        yield World(sim, tmp_path)


def evidence_of(pdf: Path) -> dict[str, object]:
    (body,) = PdfReader(pdf).attachments["evidence.json"]
    return json.loads(body)


def by_user(folder: Path) -> dict[int, Path]:
    return {int(p.name.split("_")[1]): p for p in folder.glob("*.pdf") if p.is_file()}


def test_long_and_unusual_names_block_no_one(world: World) -> None:
    nightly = world.run("nightly", "--out", "nightly")
    assert nightly.code == 0, nightly.stderr
    assert "2 new certificate(s)" in nightly.stdout

    certs = world.run("certificates", "--out", "certs")
    assert certs.code == 0, certs.stderr
    assert "Traceback" not in certs.stderr
    files = by_user(world.root / "certs")
    assert sorted(files) == [1, 2]
    ada = evidence_of(files[1])
    assert ada["person"] == {"user_id": 1, "email": ADA["email"], "name": f"Ada {ODD_LAST}"}
    assert ada["training"] == {"key": "security_awareness", "title": TITLE}
    (camp,) = ada["campaigns"]  # type: ignore[misc]
    assert camp["name"] == CAMPAIGN
    assert camp["enrollments"][0]["module_name"] == MODULE
    page = " ".join(" ".join(p.extract_text() for p in PdfReader(files[1]).pages).split())  # lines joined
    assert "Łukasz-Οδυσσέας-Владимир [/red] ]0;owned 李" not in page  # 李 is not in the font ...
    assert "Łukasz-Οδυσσέας-Владимир [/red] ]0;owned ?" in page  # ... the escape is gone, the rest drawn
    assert "shortened" in page

    pack = world.run("evidence", "--training", "security_awareness", "--out", "pack.zip")
    assert pack.code == 0, pack.stderr
    with zipfile.ZipFile(world.root / "pack.zip") as zf:
        assert len([n for n in zf.namelist() if n.startswith("certificates/")]) == 2
    assert world.run("evidence", "verify", "pack.zip").code == 0


def test_one_certificate_that_cannot_be_written_is_reported_and_the_others_are_written(world: World) -> None:
    assert world.run("sync").code == 0
    first = world.run("certificates", "--out", "certs")
    assert first.code == 0, first.stderr
    ada_name = by_user(world.root / "certs")[1].name
    for folder in ("blocked", "nightly"):  # a directory where Ada's certificate should go
        (world.root / folder / ada_name).mkdir(parents=True)

    blocked = world.run("certificates", "--out", "blocked")

    assert blocked.code == 1
    assert "Traceback" not in blocked.stderr
    lines = blocked.stderr.splitlines()
    assert lines[0].startswith(f"certificate {ada_name} for KnowBe4 user 1 not written: cannot write ")
    assert lines[-1].startswith("error: wrote 1 certificate(s) to blocked; 1 could not be written (")
    assert len(lines) == 2
    assert sorted(by_user(world.root / "blocked")) == [2]

    nightly = world.run("nightly", "--out", "nightly")
    assert nightly.code == 1
    assert "1 new certificate(s) in nightly" in nightly.stdout  # the summary is still printed
    assert f"certificate {ada_name} for KnowBe4 user 1 not written" in nightly.stderr
    assert nightly.stderr.splitlines()[-1].startswith("error: wrote 1 new certificate(s) to nightly; 1 could not")
    assert sorted(by_user(world.root / "nightly")) == [2]
