"""`trainproof check`, `status`, `person` and `reset`: compliance decisions with their reasons.

All of them read the local store (run `trainproof sync` first) and judge through
`trainproof.judging`, the same path the reports and the MCP server use.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from trainproof import clock
from trainproof.cli._app import app, settings
from trainproof.cli._output import Format, render, to_json
from trainproof.cli._store import opened_store
from trainproof.errors import ConfigError, TrainproofError
from trainproof.text import terminal_text

FormatOpt = Annotated[Format, typer.Option("--format", help="table, json or csv.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Answer as of this date (YYYY-MM-DD, end of day UTC) or ISO datetime."),
]


class CheckFailed(TrainproofError):
    """`trainproof check` found errors."""


@app.command("check")
def check_command(fmt: FormatOpt = Format.table) -> None:
    """Validate [trainings.*] and [scope] against the campaigns in the store, and Drata's prerequisites.

    Then name KnowBe4 rows with dates the decisions cannot trust, with a few examples each: a completion
    dated after now (9999-12-31 from a broken import) never counts; one dated before 1970, before its
    enrollment or before its campaign started counts as sent. The store keeps every row as received.
    """
    from trainproof.checking import check_store
    from trainproof.compliance.trainings import load_trainings, resolve_campaigns

    cfg = settings()
    load_trainings(cfg)  # a broken [trainings.*] is said first, store or not
    with opened_store() as engine, engine.connect() as conn:
        checked = check_store(conn, cfg)  # the problems the web console's overview shows
    policy, campaigns, problems = checked.policy, checked.campaigns, checked.problems
    rows = [p.to_dict() for p in problems]
    if fmt is Format.table:
        if not rows:
            sys.stdout.write(
                f"ok: {len(policy.trainings)} training(s), every selected campaign found in an allowed status\n"
            )
        for p in problems:
            sys.stdout.write(f"{p.severity}: {terminal_text(p.message)}\n")
    else:
        render(rows, fmt.value)
    resolve_campaigns(policy, campaigns)  # a reference that selects no campaign or several: status's and sync's error
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CheckFailed(f"{len(errors)} problem(s) in the configuration", "fix the lines marked error above")


@app.command("status")
def status_command(
    training: Annotated[
        list[str] | None, typer.Option("--training", help="Only this training key (repeat for several; default: all).")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    state: Annotated[str | None, typer.Option("--state", hidden=True)] = None,
) -> None:
    """Where compliance stands: per training the people in scope and in each state, the departments
    furthest behind, how old the data is, and the next step. `trainproof people` lists the people."""
    from trainproof.cli._summary_text import CSV_COLUMNS, summary_lines, summary_rows
    from trainproof.summary import summarize

    if state is not None:  # `status --state` listed people before status became a summary
        raise ConfigError(
            "status is a summary and takes no --state", f"list the people with: trainproof people --state {state}"
        )
    when = clock.parse_instant(as_of) if as_of else None
    cfg = settings()
    with opened_store() as engine, engine.connect() as conn:
        summary = summarize(conn, cfg, as_of=when, trainings=training or None)
    if fmt is Format.json:
        sys.stdout.write(to_json(summary.to_dict()) + "\n")
    elif fmt is Format.csv:
        render(summary_rows(summary), "csv", columns=CSV_COLUMNS)
    else:
        sys.stdout.write("\n".join(summary_lines(summary)) + "\n")


@app.command("person")
def person_command(
    who: Annotated[str, typer.Argument(help="Email or KnowBe4 alias (any case), employee number, or KnowBe4 user id.")],
    as_of: AsOfOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="table (readable) or json.")] = Format.table,
) -> None:
    """Every training for one person: the state, why, the evidence, and the history of decisions and resets."""
    from trainproof.person import person_record

    when = clock.parse_instant(as_of) if as_of else None
    cfg = settings()
    with opened_store() as engine, engine.connect() as conn:
        record = person_record(conn, cfg, who, as_of=when)  # the record the web console's person page shows
    person, decisions, events, excluded = record.person, record.decisions, record.events, record.out_of_scope
    if fmt is Format.json:
        sys.stdout.write(to_json(record.to_dict()) + "\n")
        return
    out = sys.stdout.write
    t = terminal_text  # KnowBe4 text: shown as the text it is
    out(f"{t(person.name or '')} <{t(person.email or '')}>  user {person.user_id}\n")
    out(f"department {t(person.department or '-')}, manager {t(person.manager_email or '-')}\n")
    if record.aliases:
        out(f"KnowBe4 aliases {t(', '.join(record.aliases))}\n")
    out(f"as of {record.as_of.isoformat()}\n")
    if excluded:
        out(f"not in the compliance population: {t(excluded)}\n")
    for d in decisions:
        out(f"\n{t(d.title)} [{d.training}]: {d.state}{' (sticky)' if d.sticky else ''}{' (late)' if d.late else ''}\n")
        out(f"  {t(d.reason)}\n")
        for c in d.campaigns:
            mark = "complete" if c.complete else "outstanding: " + t(", ".join(c.outstanding_modules))
            done = f" on {c.completed_at.date().isoformat()}" if c.completed_at else ""
            out(f"  - {t(c.name)} ({c.campaign_id}): {mark}{done}{' late' if c.late else ''}\n")
    if events:
        out("\nhistory:\n")
        for e in events:
            reason = f" ({t(str(e.get('reason')))})" if e.get("reason") else ""
            out(f"  {e.get('at')}  {e.get('kind')}  {e.get('training')}{reason}\n")


@app.command("reset")
def reset_command(
    emails: Annotated[
        list[str] | None,
        typer.Argument(help="The people to reset: emails, KnowBe4 aliases, employee numbers or user ids."),
    ] = None,
    training: Annotated[str, typer.Option("--training", help="The training key to reset.")] = ...,  # type: ignore[assignment]
    expired: Annotated[bool, typer.Option("--expired", help="Reset everyone whose renewal period has ended.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show who would flip; change nothing.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the history).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Reopen kept (sticky) compliance so people are judged again from KnowBe4's current data.

    Nothing is deleted: the earlier record stays in the history with the reset time and reason.
    """
    if bool(emails) == expired:
        raise ConfigError("give either EMAIL... or --expired", "e.g. trainproof reset a@x.com --training hipaa")
    from trainproof.resetting import reset_compliance

    with opened_store() as engine:
        plan = reset_compliance(  # the reset the web console's Reset button makes
            engine,
            settings(),
            training=training,
            who=emails or [],
            expired=expired,
            reason=reason,
            by="trainproof reset",
            dry_run=dry_run,
        )
    rows = [
        {
            "email": c.before.email,
            "name": c.before.name,
            "before": c.before.state,
            "after": c.after.state,
            "flips": c.flips,
        }
        for c in plan.changes
    ]
    render(rows, fmt.value) if rows else sys.stderr.write("no kept compliance to reset\n")
    for uid in plan.without_record:
        sys.stderr.write(f"user {uid} has no kept compliance for {training}: nothing to reset\n")
    if dry_run:
        sys.stderr.write(
            f"dry run: {len(plan.records)} record(s) would be reset, {len(plan.flips)} person(s) would flip\n"
        )
        return
    sys.stderr.write(f"reset {len(plan.records)} record(s); {len(plan.flips)} person(s) now judged from current data\n")


__all__ = ["check_command", "person_command", "reset_command", "status_command"]
