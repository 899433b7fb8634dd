"""One resolver for `[trainings.*] campaigns`: `check`, `sync` and `status` fail with the same one line.

A real simulator on 127.0.0.1 serves a tenant where two campaigns share a name (KnowBe4 allows it) and
the commands run in process through `main()`. A store is first filled by a sync whose trainings select
by id; then a name that matches no campaign, or both twins, makes each of the three commands exit 2
with the identical error naming the training and the name, and the sync keeps nothing of its run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reports._cli import run
from reports._tenant import FAST, campaign, enrollment, purchase, tenant, user
from trainproof.simulator import Simulator
from trainproof.store import open_store, sync_runs

MA, MB = purchase(1, "Module A"), purchase(2, "Module B")
ANNUAL = campaign(101, "Annual Security Awareness 2026", [MA])
TWIN_1 = campaign(201, "Phishing Refresher", [MB], status="Active")
TWIN_2 = campaign(202, "Phishing Refresher", [MB], status="Completed")
ADA, BO = user(1, "Ada", "Lovelace"), user(2, "Bo", "Diddley")


def _tenant() -> dict[str, object]:
    return tenant(
        users=[ADA, BO],
        store_purchases=[MA, MB],
        training_campaigns=[ANNUAL, TWIN_1, TWIN_2],
        enrollments=[
            enrollment(11, ADA, ANNUAL, MA, status="Passed", started="2026-08-02", completed="2026-08-03"),
            enrollment(12, BO, ANNUAL, MA),
            enrollment(21, ADA, TWIN_1, MB),
            enrollment(22, BO, TWIN_2, MB, status="Passed", started="2026-08-02", completed="2026-08-04"),
        ],
    )


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    simulator_factory: Callable[..., Simulator],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """`cli(toml, *args)`: trainproof.toml rewritten, then `trainproof *args` in process against the simulator."""
    sim = simulator_factory(_tenant(), limits="off")
    config = tmp_path / "trainproof.toml"
    monkeypatch.setenv("KNOWBE4_BASE_URL", sim.base_url)
    monkeypatch.setenv("KNOWBE4_API_KEY", sim.token)
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(config))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("TRAINPROOF_NOW", "2026-09-01T12:00:00Z")

    def call(campaigns: str, *args: str) -> tuple[int, str, str]:
        config.write_text(f"{FAST}\n[trainings.security_awareness]\ncampaigns = {campaigns}\n", encoding="utf-8")
        return run(list(args), capsys, monkeypatch)

    return call


def _runs(tmp_path: Path) -> list[str]:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with engine.connect() as conn:
            return [r["outcome"] for r in sync_runs(conn)]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("campaigns", "error"),
    [
        (
            '[101, "Annual Security Awarenes 2026"]',
            "error: [trainings.security_awareness] campaigns: no campaign is named 'Annual Security Awarenes 2026': "
            "did you mean 'Annual Security Awareness 2026' (id 101)? Names must match exactly; "
            "`trainproof api training-campaigns` lists them",
        ),
        (
            '[101, "Phishing Refresher"]',
            "error: [trainings.security_awareness] campaigns: the name 'Phishing Refresher' matches 2 campaigns "
            "(ids 201, 202): write the id of the one meant instead, e.g. campaigns = [201]",
        ),
        (
            "[101, 2020]",
            "error: [trainings.security_awareness] campaigns: no campaign has id 2020: did you mean "
            "'Phishing Refresher' (id 202)? `trainproof api training-campaigns` lists them",
        ),
    ],
    ids=["no-match", "two-matches", "unknown-id"],
)
def test_check_sync_and_status_fail_with_the_same_line(cli: Cli, tmp_path: Path, campaigns: str, error: str) -> None:
    code, _, err = cli("[101, 202]", "sync")
    assert code == 0, err
    code, out, err = cli("[101, 202]", "people", "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) == 3  # header + Ada and Bo: the store answers for a good selection

    for args in (["check"], ["sync"], ["status"]):
        code, out, err = cli(campaigns, *args)
        assert (code, err.splitlines()[-1]) == (2, error), args
        assert "Traceback" not in err
        if args == ["check"]:  # check lists every problem first, the same line among them
            assert error in out.splitlines()
        else:
            assert out == ""
    assert _runs(tmp_path) == ["failed", "ok"]  # the failed sync is recorded and changed nothing


def test_every_status_drata_lets_a_training_select_is_judged(cli: Cli) -> None:
    """The twins are Active and Completed; selecting both by id is clean in check and judged in status."""
    code, _, err = cli("[101, 201, 202]", "sync")
    assert code == 0, err
    code, out, err = cli("[101, 201, 202]", "check")
    assert (code, err) == (0, "")
    assert out.startswith("ok: 1 training(s)")
    code, out, err = cli('["Annual Security Awareness 2026", 202]', "people", "--format", "csv")
    assert code == 0, err
    states = {line.split(",")[1]: line.split(",")[6] for line in out.splitlines()[1:]}
    assert states == {"ada@acme.example": "compliant", "bo@acme.example": "incomplete"}
