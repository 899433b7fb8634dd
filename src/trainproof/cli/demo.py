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
from trainproof.text import terminal_text

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
    """Try trainproof end to end on a simulated KnowBe4 tenant: sync, decide, certify, report. No key needed.

    Tells what it did in under 40 lines: the sync, the headline numbers, the files written and three
    commands to try next (progress bars on a terminal only, gone once done).
    """
    from trainproof.cli._progress import Bars
    from trainproof.cli.evidence import Problems, write_earned_certificates
    from trainproof.evidence import build_pack, read_fingerprint, verify_pack
    from trainproof.evidence.adapters import records_from_decisions
    from trainproof.evidence.records import TrainingRef
    from trainproof.evidence.signing import signing_key
    from trainproof.judging import keep_after_sync
    from trainproof.reports import report_campaigns, report_html, write_html
    from trainproof.reports.overdue import past_due_counts
    from trainproof.simulator import Simulator, generate_tenant
    from trainproof.store import open_store, sync_runs
    from trainproof.sync import run_sync

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, mode=0o700)
    config = out / "trainproof.toml"
    config.write_text(DEMO_TOML.replace("trainproof-demo/", f"{out.as_posix()}/"), encoding="utf-8")
    lines: list[str] = []
    say = lines.append

    tenant = generate_tenant(users=users, seed=seed, reference_date=clock.today())
    sys.stderr.write(
        f"trainproof demo: a simulated KnowBe4 tenant of {tenant.count('users'):,} people, "
        f"{tenant.count('training_campaigns')} training campaigns and {tenant.count('enrollments'):,} enrollments\n"
    )
    problems = Problems()
    with Bars(transient=True) as bars:
        with Simulator(tenant, limits="real") as sim:
            env = {"KNOWBE4_BASE_URL": sim.base_url, "KNOWBE4_API_KEY": sim.token, "TRAINPROOF_NO_KEYRING": "1"}
            env["TRAINPROOF_STATE_DIR"] = os.environ.get("TRAINPROOF_STATE_DIR") or str(out / "state")
            cfg = load_settings(config, env=env)
            sys.stderr.write(f"syncing from {sim.base_url} with KnowBe4's real rate limits (4/s, 50/min) ...\n")
            report = run_sync(cfg, progress=bars)
        say(report.summary())
        bars.step("judging compliance", 0, 1)
        judged, _kept, problem = keep_after_sync(cfg, actor="trainproof demo")
        assert judged is not None, problem  # the demo's own configuration always evaluates
        bars.step("judging compliance", 1, 1)
        ev = judged.evaluation
        certs = write_earned_certificates(judged, out / "certificates", only_new=False, problems=problems, bars=bars)
        engine = open_store(cfg.database_url)
        try:
            with engine.connect() as conn:
                runs = sync_runs(conn)
            campaigns = report_campaigns(engine)
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
                on_certificate=lambda done, total: bars.set("evidence pack", done, total),
            )
            verified = verify_pack(pack, public_key=signer.public)
            html = write_html(out / "report.html", report_html(engine, cfg, on_step=bars.step))
        finally:
            engine.dispose()

    totals = ev.totals()
    late = past_due_counts(judged, judged.as_of)
    say("")
    say(f"Compliance as of {judged.as_of:%Y-%m-%d} (Drata's rule: every module of a selected campaign done;")
    say("kept once earned, so a later KnowBe4 reset cannot undo it)")
    say(f"  {'training':<38} {'in scope':>9} {'compliant':>10} {'rate':>5} {'to chase':>9} {'past due':>9}")
    for t in ev.trainings_config.trainings:
        n = totals[t.key]
        due = n["total"] - n["grace"]
        rate = f"{n['compliant'] / due:.0%}" if due else "-"
        owed = n["incomplete"] + n["not_enrolled"] + n["expired"]
        figures = f"{n['total']:>9,} {n['compliant']:>10,} {rate:>5} {owed:>9,} {late[t.key]:>9,}"
        say(f"  {terminal_text(t.title)[:38]:<38} {figures}")
    say("  to chase: incomplete, not enrolled or expired (people in their new-hire grace are not due yet)")
    flagged = [c for c in campaigns if c.flags]
    say(f"  {len(campaigns)} training campaigns in KnowBe4, {len(flagged)} with something to check (report campaigns)")
    say("")
    say(f"Wrote to {out}/ (readable by you only):")
    say(f"  {'trainproof.toml, trainproof.db':<34} the configuration and the synced store")
    say(f"  {'certificates/':<34} {len(certs)} PDF certificates, one per compliant person and training")
    say(f"  {pack.name:<34} evidence pack, manifest sha256 {read_fingerprint(pack)[:16]}...")
    say(f"  {'':<34} signed by {signer.key_id}; verify: {'ok' if verified.ok else 'FAILED'}")
    say(f"  {html.name:<34} the HTML report: open it in a browser, it works offline")
    c = f"--config {config}"
    say("")
    say("Try next (these read the demo store; no key needed):")
    say(f"  trainproof {c} status")
    say(f"  trainproof {c} people --training hipaa --state incomplete")
    say(f"  trainproof {c} report overdue")
    say("With a real Reporting API token: export KNOWBE4_API_KEY=...; trainproof sync; trainproof status")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    problems.raise_for(f"the demo wrote {len(certs)} certificates")
