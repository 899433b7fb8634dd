"""Every `trainproof` command, in the order `trainproof --help` lists them.

`trainproof --help` is written from this table alone, so listing the commands imports no command
module (and none of SQLAlchemy, httpx2, pydantic, fpdf or the MCP SDK behind them); a command's module
is imported when that command runs or its own `--help` is asked (a lazy group, as Click documents for
large command sets and pip does with its `commands_dict`).

To add a command:

1. Write it in a module under trainproof/cli/ with `@app.command("NAME")` (a group of sub-commands:
   `app.add_typer(sub_app, name="NAME")`). Import what is heavy (the store, the client, reports,
   evidence, rich) inside the function that runs, not at the top of the module, so `NAME --help`
   stays as quick as `trainproof --help`.
2. Add one line below: `("NAME", "trainproof.cli.MODULE:FUNCTION_OR_SUB_APP", "One-line summary.")`,
   the summary at most 60 characters so the list fits 80 columns.

tests/cli/test_startup.py checks that each line loads the command it names under that name, and that
no command is registered without a line here.
"""

from __future__ import annotations

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("demo", "trainproof.cli.demo:demo_command", "Try trainproof on a simulated KnowBe4 tenant (no key)."),
    ("init", "trainproof.cli.init:init_command", "First run: token, region, campaigns per training."),
    ("sync", "trainproof.cli.sync:sync_command", "Refresh the local store from KnowBe4 (all or nothing)."),
    ("status", "trainproof.cli.status:status_command", "Where compliance stands, from the local store."),
    ("people", "trainproof.cli.people:people_command", "Each person and training: filter, sort, page, export."),
    ("person", "trainproof.cli.status:person_command", "Every training for one person: state, why, history."),
    ("check", "trainproof.cli.status:check_command", "Validate [trainings.*] and [scope] against the store."),
    ("reset", "trainproof.cli.status:reset_command", "Reopen kept (sticky) compliance to judge it again."),
    ("campaigns", "trainproof.cli.campaigns:campaigns_command", "Training campaigns and the trainings selecting them."),
    ("trainings", "trainproof.cli.trainings:trainings_app", "Each training's campaigns; select or unselect them."),
    ("nightly", "trainproof.cli.evidence:nightly_command", "Sync, keep new compliance, write new certificates."),
    ("certificates", "trainproof.cli.evidence:certificates_command", "A PDF per compliant person and training."),
    ("evidence", "trainproof.cli.evidence:evidence_app", "Write or verify a signed evidence pack; show the key."),
    ("accounts", "trainproof.cli.accounts:accounts_app", "Every KnowBe4 account: last sync, usage, health; check."),
    ("report", "trainproof.cli.report:report_app", "Reports over the store: campaigns, overdue, html, ..."),
    ("export", "trainproof.cli.export:export_app", "Send decisions to Vanta or Drata, or write OSCAL."),
    ("db", "trainproof.cli.db:db_app", "Create, migrate or check the local store."),
    ("worker", "trainproof.cli.worker:worker_command", "Run account syncs from the PostgreSQL job queue."),
    ("enqueue", "trainproof.cli.enqueue:enqueue_app", "Queue account syncs for trainproof worker."),
    ("api", "trainproof.cli.api:api", "Print what the KnowBe4 Reporting API returns."),
    ("serve", "trainproof.cli.serve:serve_command", "Open the web console on this machine."),
    ("mcp", "trainproof.cli.mcp:mcp_command", "Serve the read-only MCP server (KnowBe4, compliance)."),
    ("simulate", "trainproof.cli.simulate:simulate", "Serve a simulated KnowBe4 Reporting API locally."),
)
"""(name, "module:attribute", summary): the attribute is the decorated function or the sub-Typer."""
