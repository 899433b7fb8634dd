"""`trainproof demo`: the whole flow against an embedded KnowBe4 simulator, no key and no network.

Starts the simulator on a free 127.0.0.1 port with a generated tenant, syncs it into
./trainproof-demo/ (SQLite) through the real client and its real rate limits, maps the demo's
campaigns to three trainings, and writes what an auditor would receive. Everything it shows comes
from the same functions the other commands use.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from trainproof import clock
from trainproof.cli._app import app
from trainproof.config import load_settings
from trainproof.text import cell

DEMO_DIR = Path("trainproof-demo")
DEMO_TOML = """\
# Written by `trainproof demo`. Point any command at it with --config trainproof-demo/trainproof.toml
[store]
url = "sqlite:///trainproof-demo/trainproof.db"

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = ["Security Awareness 2026 - Part A", "Security Awareness 2026 - Part B"]
renew_every_days = 365
new_hire_grace_days = 30

[trainings.hipaa]
title = "HIPAA Privacy and Security"
campaigns = ["HIPAA Privacy and Security 2026"]
renew_every_days = 365
new_hire_grace_days = 30

[trainings.ai_awareness]
title = "AI Awareness (NIST AI RMF GOVERN 2.2)"
campaigns = ["AI Acceptable Use 2026"]

[onboarding]
campaigns = ["New Hire Onboarding"]

[sync]
campaigns = "all"   # the demo's reports look at every campaign; "selected" (default) fetches fewer
"""


@app.command("demo")
def demo_command(
    users: Annotated[int, typer.Option("--users", min=10, max=20000, help="People in the simulated tenant.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated tenant (same seed, same tenant).")] = 7,
    out: Annotated[Path, typer.Option("--out", help="Where the demo writes its store and evidence.")] = DEMO_DIR,
) -> None:
    """Try trainproof end to end on a simulated KnowBe4 tenant: sync, decide, certify, report. No key needed."""
    from rich.console import Console
    from rich.table import Table

    from trainproof.cli.evidence import Problems, write_earned_certificates
    from trainproof.evidence import build_pack, read_fingerprint, verify_pack
    from trainproof.evidence.adapters import records_from_decisions
    from trainproof.evidence.records import TrainingRef
    from trainproof.evidence.signing import public_line, signing_key
    from trainproof.judging import keep_after_sync
    from trainproof.reports import report_campaigns, report_html, write_html
    from trainproof.simulator import Simulator, generate_tenant
    from trainproof.store import open_store, sync_runs
    from trainproof.sync import run_sync

    err = Console(stderr=True)
    console = Console(width=max(110, Console().width))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, mode=0o700)
    config = out / "trainproof.toml"
    config.write_text(DEMO_TOML.replace("trainproof-demo/", f"{out.as_posix()}/"), encoding="utf-8")

    tenant = generate_tenant(users=users, seed=seed, reference_date=clock.today())
    sizes = (
        f"{tenant.count('users')} people, {tenant.count('training_campaigns')} training campaigns, "
        f"{tenant.count('enrollments')} enrollments"
    )
    err.print(f"[bold]trainproof demo[/]: a simulated KnowBe4 tenant with {sizes}")
    with Simulator(tenant, limits="real") as sim:
        env = {"KNOWBE4_BASE_URL": sim.base_url, "KNOWBE4_API_KEY": sim.token, "TRAINPROOF_NO_KEYRING": "1"}
        if os.environ.get("TRAINPROOF_STATE_DIR"):
            env["TRAINPROOF_STATE_DIR"] = os.environ["TRAINPROOF_STATE_DIR"]
        else:
            env["TRAINPROOF_STATE_DIR"] = str(out / "state")
        cfg = load_settings(config, env=env)
        err.print(f"simulator at {sim.base_url} with KnowBe4's real rate limits (4/s, 50/min); syncing ...")
        report = run_sync(cfg)
    console.print(f"[green]{report.summary()}[/]")

    judged, _kept, problem = keep_after_sync(cfg, actor="trainproof demo")
    assert judged is not None, problem  # the demo's own configuration always evaluates
    engine = open_store(cfg.database_url)
    with engine.connect() as conn:
        runs = sync_runs(conn)
    ev = judged.evaluation

    campaigns = report_campaigns(engine)
    table = Table(title="Training campaigns in KnowBe4 (from the local store)")
    for col in ("campaign", "status", "enrolled", "people complete", "deadline", "flags"):
        table.add_column(col, overflow="fold")
    for c in campaigns:
        rate = "" if c.user_completion_rate is None else f"{c.user_completion_rate:g}%"
        deadline = f"{c.deadline:%Y-%m-%d}" if c.deadline else (c.relative_duration or "")
        flags = "; ".join(c.flags)
        table.add_row(cell(c.name), cell(c.status), str(c.enrolled_users or ""), rate, cell(deadline), cell(flags))
    console.print(table)

    summary = Table(title=f"Compliance as of {judged.as_of:%Y-%m-%d} (the rule Drata uses; sticky once compliant)")
    for col in ("training", "people", "compliant", "incomplete", "not enrolled", "new-hire grace", "expired", "rate"):
        summary.add_column(col, justify="right" if col != "training" else "left")
    for t in ev.trainings_config.trainings:
        n = ev.totals()[t.key]
        rate = n["compliant"] / n["total"] if n["total"] else 0.0
        summary.add_row(cell(t.title), str(n["total"]), str(n["compliant"]), str(n["incomplete"]),
                        str(n["not_enrolled"]), str(n["grace"]), str(n["expired"]), f"{rate:.0%}")  # fmt: skip
    console.print(summary)

    chase = sorted(
        (d for d in ev.decisions if d.state in ("incomplete", "expired")),
        key=lambda d: ((d.manager_email or "~"), d.training, d.name),
    )
    people = Table(title=f"People to chase ({len(chase)}; first 12, by manager)")
    for col in ("manager", "person", "training", "state", "outstanding", "due"):
        people.add_column(col, overflow="fold")
    for d in chase[:12]:
        outstanding = "; ".join(f"{c.name}: {', '.join(c.outstanding_modules)}" for c in d.outstanding)
        due = f"{d.due_date:%Y-%m-%d}" if d.due_date else ""
        who = (cell(d.manager_email or "-"), cell(d.email), cell(d.training))
        people.add_row(*who, d.state, cell(outstanding or d.state), due)
    console.print(people)

    problems = Problems()
    certs = write_earned_certificates(judged, out / "certificates", only_new=False, problems=problems)
    key = "security_awareness"
    spec = ev.trainings_config.training(key)
    records = records_from_decisions(
        ev.for_training(key),
        enrollments=judged.facts.enrollments,
        campaigns=judged.facts.campaigns,
        people=ev.population,
        as_of=judged.as_of,
    )
    signer = signing_key(cfg.state_dir)  # the demo's own key, in its state folder
    pack = build_pack(
        out / f"evidence-{key}.zip",
        training=TrainingRef(spec.key, spec.title),
        records=records,
        as_of=judged.as_of,
        config=cfg.raw,
        sync_runs=runs,
        secrets=[cfg.token],
        on_problem=problems,
        signer=signer,
    )
    verified = verify_pack(pack, public_key=signer.public)
    html = write_html(out / "report.html", report_html(engine, cfg))
    engine.dispose()

    console.print(f"\nwrote {len(certs)} certificates to {out / 'certificates'}")
    console.print(f"wrote {pack} (manifest sha256 {read_fingerprint(pack)[:16]}..., signed by {signer.key_id}; "
                  f"verify: {'ok' if verified.ok else 'FAILED'})")  # fmt: skip
    console.print(f"wrote {html} (open it in a browser; it works offline)")
    c = f"--config {config}"
    console.print(
        "\n[bold]Try next[/] (these read the demo store; no key needed):\n"
        f"  trainproof {c} people --training hipaa --state incomplete\n"
        f"  trainproof {c} person {chase[0].email if chase else '<email>'}\n"
        f"  trainproof {c} status --as-of {clock.today().replace(day=1).isoformat()} --format json\n"
        f"  trainproof {c} report overdue\n"
        f"  trainproof {c} report departments --training security_awareness\n"
        f"  trainproof evidence verify {pack} --public-key {public_line(signer.public)}\n"
        "  trainproof simulate            # a KnowBe4 API to sync against, in another terminal\n"
        "  trainproof mcp                 # the MCP server (see docs/mcp.md)\n"
        "With a real Reporting API token: export KNOWBE4_API_KEY=...; trainproof sync; trainproof status"
    )
    sys.stdout.flush()
    problems.raise_for(f"the demo wrote {len(certs)} certificates")
