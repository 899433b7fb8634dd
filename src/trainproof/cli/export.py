"""`trainproof export vanta | drata | oscal`: the decisions handed to where auditors look.

A thin face over `trainproof.exports`: each command judges the store through `trainproof.judging` (the
path `status` and the evidence pack take), builds what the platform or file receives there, and prints,
sends or writes it. `--dry-run` prints exactly what would be sent and sends nothing.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainproof.cli._app import app, settings

if TYPE_CHECKING:
    from trainproof.exports.drata import UploadProblem
    from trainproof.exports.oscal_pack import CitedPack

export_app = typer.Typer(
    help=(
        "Hand the decisions to a GRC platform or a standard file: `vanta` (user security training statuses), "
        "`drata` (certificates of people newly compliant), `oscal` (assessment results). "
        "Each takes --dry-run to print exactly what would be sent."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(export_app, name="export")

TrainingsOpt = Annotated[
    list[str] | None,
    typer.Option("--training", metavar="KEY", help="A training key (repeat for several; default: all)."),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print exactly what would be sent; send nothing.")]
FormatOpt = Annotated[str, typer.Option("--format", metavar="table|json", help="table or json.")]


def _format(fmt: str) -> str:
    if fmt not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    return fmt


def _note(text: str) -> None:
    from trainproof.text import terminal_text

    sys.stderr.write(terminal_text(text) + "\n")


@export_app.command("vanta", short_help="Records in Vanta's training status shape; --push sends.")
def vanta_command(
    training: TrainingsOpt = None,
    push: Annotated[
        bool, typer.Option("--push", help="Send them to Vanta (client credentials from the environment or keyring).")
    ] = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = "table",
) -> None:
    """One record per person and training in Vanta's UserSecurityTrainingStatus shape.

    Without --push, shows what a push sends. Vanta replaces every record of the resource on each push, so a
    push always carries the whole population of each training sharing the resource, and an empty one is
    refused. Needs [exports.vanta] resource_id; with --push, VANTA_CLIENT_ID and VANTA_CLIENT_SECRET
    (VANTA_BASE_URL to send elsewhere, e.g. a proxy).
    """
    import anyio

    from trainproof.cli._store import read_engine
    from trainproof.exports.vanta import push_to_vanta, resource_groups, vanta_pushes
    from trainproof.judging import configured_trainings, judge

    fmt = _format(fmt)
    cfg = settings()
    groups = resource_groups(cfg, configured_trainings(cfg), training or None)
    keys = [key for trainings in groups.values() for key in trainings]
    engine = read_engine(intact=True)
    try:
        with engine.connect() as conn:
            judged = judge(conn, cfg, trainings=keys)
    finally:
        engine.dispose()
    pushes = vanta_pushes(judged, cfg, groups)
    if push and not dry_run:
        sent = anyio.run(push_to_vanta, pushes, cfg)
        for p in pushes:
            sys.stdout.write(
                f"pushed {len(p.resources)} records ({', '.join(p.trainings)}) to Vanta resource {p.resource_id}\n"
            )
        _note(f"Vanta now holds exactly these {sent} records for the resource(s) above")
        return
    if fmt == "json":
        _print_json([p.body() for p in pushes])
    else:
        from trainproof.cli._output import render

        columns = ["uniqueId", "traineeEmail", "status", "trainingCompletedTimestamp", "trainingDueTimestamp"]
        render([r for p in pushes for r in p.resources], "table", columns=columns)
    for p in pushes:
        _note(f"would replace every record of Vanta resource {p.resource_id} with these {len(p.resources)}")
    if not push:
        _note("nothing was sent (add --push to send)")


@export_app.command("drata", short_help="Upload certificates of people newly compliant.")
def drata_command(training: TrainingsOpt = None, dry_run: DryRunOpt = False, fmt: FormatOpt = "table") -> None:
    """Upload the certificate of each person newly compliant since the last export to that person in Drata.

    Security awareness as SEC_TRAINING, HIPAA as HIPAA_TRAINING_EVIDENCE, with the completion date. What
    Drata accepted is remembered in the store, so a rerun uploads nothing twice. Paced under Drata's 500
    requests a minute ([exports.drata] per_minute); Drata's Retry-After is honoured. Needs DRATA_API_KEY;
    [exports.drata] region = "eu" or "apac" for those hosts, DRATA_BASE_URL to send elsewhere. A person
    Drata does not know is named on stderr, the others are uploaded, and the exit code is 1.
    """
    import anyio

    from trainproof.cli._store import read_engine
    from trainproof.exports import UploadsIncomplete
    from trainproof.exports.drata import drata_platform, drata_uploads, upload_to_drata
    from trainproof.judging import judge

    fmt = _format(fmt)
    cfg = settings()
    platform = drata_platform(cfg)
    engine = read_engine(intact=True)
    try:
        with engine.connect() as conn:
            judged = judge(conn, cfg, trainings=training or None)
        uploads, skipped = drata_uploads(judged, engine, platform.base_url, only=training or None)
        for key in skipped:
            _note(f"skipped training '{key}': Drata's API takes no uploaded evidence for it")
        if dry_run:
            rows = [u.preview() for u in uploads]
            if fmt == "json":
                _print_json(rows)
            else:
                from trainproof.cli._output import render

                render(rows, "table", columns=["email", "training", "type", "completionDate", "file"])
            _note(f"would upload {len(uploads)} certificate(s) to Drata at {platform.base_url}; nothing was sent")
            return
        if not uploads:
            sys.stdout.write("nothing new to upload: every compliant person's certificate is already in Drata\n")
            return
        problems: list[UploadProblem] = []

        def report(problem: UploadProblem) -> None:
            _note(problem.line())
            problems.append(problem)

        async def run() -> int:
            return len(await upload_to_drata(uploads, cfg, engine, on_problem=report))

        done = anyio.run(run)
    finally:
        engine.dispose()
    sys.stdout.write(f"uploaded {done} certificate(s) to Drata at {platform.base_url}\n")
    if problems:
        raise UploadsIncomplete(
            f"{len(problems)} of {len(uploads)} certificate(s) not uploaded (named above)",
            "fix what each line says, then run again: the uploaded ones are not sent twice",
        )


@export_app.command("oscal", short_help="Write OSCAL assessment results citing an evidence pack.")
def oscal_command(
    training: Annotated[str, typer.Option("--training", metavar="KEY", help="The training key.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The JSON file to write; the evidence pack is written beside it.", dir_okay=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="As of this date (YYYY-MM-DD, end of day UTC; default: now, or the --pack's date)."
        ),
    ] = None,
    pack: Annotated[
        Path | None,
        typer.Option(
            "--pack",
            help="Cite this evidence pack (from `trainproof evidence`) instead of building one beside --out.",
            dir_okay=False,
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Start of the assessment period (default: a year before as-of).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the document; write nothing.")] = False,
) -> None:
    """An OSCAL assessment-results document: one observation per person, one finding per mapped control.

    Controls come from the training's `frameworks` (SOC 2 CC1.4 and CC2.2, ISO 27001 A.6.3, HIPAA
    164.308(a)(5), NIST AI RMF GOVERN 2.2). Every observation cites the evidence pack by its SHA-256:
    the pack `trainproof evidence` builds, written beside --out as NAME.evidence.zip, or the --pack given
    (checked intact and for the same training, date and decisions). A pack beside --out that already holds
    this evidence is kept as it is (a pack records when it was built), so the same store and as-of give
    the same pack and the same document, byte for byte.
    """
    from trainproof import clock
    from trainproof.cli._store import read_engine
    from trainproof.cli.evidence import Problems
    from trainproof.exports.oscal import oscal_document, oscal_json, read_pack
    from trainproof.exports.oscal_pack import cited_pack, pack_beside
    from trainproof.files import write_private
    from trainproof.judging import configured_trainings, judge

    if out is None and not dry_run:
        raise typer.BadParameter("give --out FILE.json (or --dry-run to print it)", param_hint="--out")
    need_out = "give --out FILE.json (the evidence pack goes beside it) or --pack PACK.zip"
    if out is None and pack is None:
        raise typer.BadParameter(need_out, param_hint="--out")
    cfg = settings()
    policy = configured_trainings(cfg, [training])
    given = read_pack(pack) if pack is not None else None
    if as_of:
        when = clock.parse_instant(as_of)
    else:  # a pack's as-of has whole seconds, so the document's and the pack's compare equal
        when = given.as_of if given is not None else clock.now().replace(microsecond=0)
    begin = clock.parse_instant(start, end_of_day=False) if start else when - timedelta(days=365)
    problems = Problems()
    cited: CitedPack | None = None
    engine = read_engine(intact=True)
    try:
        if given is not None:
            evidence = given
        elif out is not None:
            beside = pack_beside(out)
            cited = cited_pack(
                engine, cfg, training=training, as_of=when, path=beside, write=not dry_run, on_problem=problems
            )
            evidence = cited.evidence
        else:  # refused above
            raise typer.BadParameter(need_out, param_hint="--out")
        with engine.connect() as conn:
            judged = judge(conn, cfg, as_of=when, policy=policy)
    finally:
        engine.dispose()
    document = oscal_document(judged, training, evidence, start=begin)
    data = oscal_json(document)
    if cited is not None:
        _note(f"{cited.outcome} evidence pack {cited.path} (SHA-256 {evidence.sha256})")
    if dry_run or out is None:
        sys.stdout.write(data.decode("utf-8"))
        if cited is not None and cited.outcome != "would keep":
            _note("nothing was written; a pack records when it was built, so the one written will have another SHA-256")
        problems.raise_for("printed the document")
        return
    write_private(out, data)
    result: dict[str, Any] = document["assessment-results"]["results"][0]
    _note(
        f"wrote {out}: {len(result.get('observations', []))} observation(s), "
        f"{len(result.get('findings', []))} finding(s), citing {evidence.file_name}"
    )
    problems.raise_for(f"wrote {out}, citing {evidence.file_name}")


def _print_json(value: object) -> None:
    from trainproof.cli._output import to_json

    sys.stdout.write(to_json(value) + "\n")


__all__ = ["export_app"]
