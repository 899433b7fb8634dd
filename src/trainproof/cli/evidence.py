"""`trainproof certificates`, `evidence`, `evidence verify` and `nightly`: what an auditor receives."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trainproof import clock
from trainproof.cli._app import app, settings
from trainproof.cli._store import opened_store
from trainproof.errors import ConfigError, TrainproofError
from trainproof.text import terminal_text

if TYPE_CHECKING:  # evidence (fpdf, cryptography) and the store load when a command runs, not for --help
    from trainproof.cli._progress import Bars
    from trainproof.evidence.certificates import CertificateProblem
    from trainproof.judging import Judged

AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Evidence as of this date (YYYY-MM-DD, end of day UTC).")]


class PackAltered(TrainproofError):
    """`trainproof evidence verify` found a difference."""


class Problems(list["CertificateProblem"]):
    """Certificates that could not be written: each printed on stderr when it happens, then one summary.

    One person's bad data never stops the others; the command still ends non-zero (`raise_for`).
    """

    def __call__(self, problem: CertificateProblem) -> None:
        sys.stderr.write(terminal_text(problem.line()) + "\n")
        self.append(problem)

    def raise_for(self, done: str) -> None:
        if self:
            from trainproof.evidence.certificates import CertificatesNotWritten

            raise CertificatesNotWritten(done, self)


def write_earned_certificates(
    judged: Judged, out: Path, *, only_new: bool, problems: Problems, bars: Bars | None = None
) -> list[Path]:
    """Certificates for every compliant decision; with `only_new`, skip those already written.

    `bars` draws one bar over the certificates (a PDF each: the long part at 50,000 people).
    """
    from trainproof.evidence import write_certificates
    from trainproof.evidence.adapters import certificates_from_decisions

    ev = judged.evaluation
    certs = certificates_from_decisions(ev.decisions, campaigns=judged.facts.campaigns)
    shown = bars.track(certs, "certificates", len(certs)) if bars is not None else certs
    return write_certificates(shown, out, issued_at=clock.now(), skip_existing=only_new, on_problem=problems)


@app.command("certificates")
def certificates_command(
    training: Annotated[str | None, typer.Option("--training", help="One training key (default: all).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the PDFs.")] = Path("certificates"),
) -> None:
    """One PDF per compliant person and training, with a certificate id derived from the evidence.

    Names and titles too long for a page are shortened (the exact text is in each PDF's evidence.json).
    A certificate that cannot be written is named on stderr, the others are written, and the exit code is 1.
    """
    from trainproof.cli._progress import Bars
    from trainproof.judging import judge

    cfg = settings()
    problems = Problems()
    with Bars() as bars:
        bars.step("judging compliance", 0, 1)
        with opened_store(intact=True) as engine, engine.connect() as conn:
            judged = judge(conn, cfg, trainings=[training] if training else None)
        bars.step("judging compliance", 1, 1)
        paths = write_earned_certificates(judged, out, only_new=False, problems=problems, bars=bars)
    problems.raise_for(f"wrote {len(paths)} certificate(s) to {out}")
    sys.stderr.write(f"wrote {len(paths)} certificate(s) to {out}\n")


evidence_app = typer.Typer(
    help=(
        "Write a signed, hashed evidence pack for one training (`--training T --out PACK.zip`), `verify` one, "
        "or show the public `key` that verifies this installation's packs."
    ),
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(evidence_app, name="evidence")


@evidence_app.callback()
def evidence_command(
    ctx: typer.Context,
    training: Annotated[str | None, typer.Option("--training", help="The training key.")] = None,
    as_of: AsOfOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="The pack to write, e.g. evidence.zip.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing pack.")] = False,
) -> None:
    """Population, completions, exceptions, certificates, configuration and sync runs, with a SHA-256 manifest
    signed by this installation's Ed25519 key (created on first use in TRAINPROOF_STATE_DIR)."""
    if ctx.invoked_subcommand is not None:
        return
    if training is None or out is None:
        raise typer.BadParameter("give --training T and --out PACK.zip (or `trainproof evidence verify PACK.zip`)")
    from trainproof.cli._progress import Bars
    from trainproof.evidence_pack import build_training_pack

    when = clock.parse_instant(as_of) if as_of else None
    problems = Problems()
    with opened_store(intact=True) as engine, Bars() as bars:
        built = build_training_pack(  # the pack the web console's Evidence page downloads
            engine,
            settings(),
            training=training,
            out=out,
            as_of=when,
            overwrite=overwrite,
            on_problem=problems,
            on_certificate=lambda done, total: bars.set("certificates", done, total),
        )
    sys.stderr.write(
        f"wrote {built.path}: {built.people} people, {built.compliant} compliant, {built.exceptions} exceptions\n"
    )
    sys.stdout.write(f"sha256 of manifest.json: {built.fingerprint}\n")
    sys.stdout.write(f"signed by key: {built.key_id} (the public key: trainproof evidence key)\n")
    problems.raise_for(f"wrote {built.path} with {built.compliant - len(problems)} certificate(s)")


@evidence_app.command("verify")
def verify_command(
    pack: Annotated[Path, typer.Argument(help="The evidence pack (.zip) to check.", exists=True, dir_okay=False)],
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="The builder's public key: the file or the one-line ed25519:... form `trainproof evidence key` "
            "prints. With it, verify proves who built the pack; without it, only that the pack is consistent.",
        ),
    ] = None,
    fingerprint: Annotated[
        str | None, typer.Option("--fingerprint", help="The manifest SHA-256 recorded when the pack was received.")
    ] = None,
) -> None:
    """Check a pack; what that proves depends on what it is checked against.

    With --public-key: the Ed25519 signature over manifest.json holds under that key and every file matches
    manifest.json, so the pack is exactly what the key's holder built. Without it: internal consistency
    only (every file matches its SHA-256 in the manifest); anyone with trainproof can rebuild a consistent
    pack after editing a file. With --fingerprint: manifest.json is the one recorded on receipt.
    Any problem is named, one line each, and the exit code is 1.
    """
    from trainproof.evidence import read_public_key, verify_pack

    key = read_public_key(public_key) if public_key is not None else None
    result = verify_pack(pack, expected_fingerprint=fingerprint, public_key=key)
    for line in result.lines():
        sys.stdout.write(terminal_text(line) + "\n")  # names inside a pack are untrusted too
    if not result.ok:
        first = result.problems[0]
        more = f" and {len(result.problems) - 1} more problem(s) listed above" if len(result.problems) > 1 else ""
        raise PackAltered(f"{pack} failed verification: {first}{more}", result.todo)


@evidence_app.command("key")
def key_command() -> None:
    """Print the public key that verifies this installation's evidence packs (PEM on stdout).

    The Ed25519 private key is created on first use in TRAINPROOF_STATE_DIR (mode 0600) and never leaves it.
    Give auditors the public key by another channel than the pack, e.g. `trainproof evidence key > key.pem`.
    """
    from trainproof.evidence import signing_key
    from trainproof.evidence.signing import key_id, public_line, public_pem

    signer = signing_key(settings().state_dir)
    sys.stdout.write(public_pem(signer.public))
    sys.stderr.write(
        f"fingerprint: {key_id(signer.public)}\none line:    {public_line(signer.public)}\n"
        f"verify with: trainproof evidence verify PACK.zip --public-key KEY.pem (or the one-line form)\n"
    )


@app.command("nightly")
def nightly_command(
    out: Annotated[Path, typer.Option("--out", help="Directory for new certificates.")] = Path("certificates"),
    every_account: Annotated[
        bool, typer.Option("--all", help="Every [accounts.NAME] at once, certificates in OUT/NAME.")
    ] = False,
) -> None:
    """Sync, evaluate, keep newly earned compliance, and write the certificates earned since the last run.

    Meant for cron or a systemd timer; prints one summary line. A certificate that cannot be written is
    named on stderr, the others are written, and the exit code is 1.
    """
    if every_account:
        from trainproof.cli.sync_all import nightly_all

        nightly_all(out)
        return
    from trainproof.cli._progress import Bars
    from trainproof.cli.sync import print_warnings
    from trainproof.judging import keep_after_sync
    from trainproof.sync import run_sync

    cfg = settings()
    problems = Problems()
    with Bars() as bars:
        report = run_sync(cfg, progress=bars)
        bars.step("judging compliance", 0, 1)
        found, kept, problem = keep_after_sync(cfg, actor="trainproof nightly")
        bars.step("judging compliance", 1, 1)
        print_warnings([*report.warnings, *([problem] if problem and found is not None else [])])
        if found is None:
            raise ConfigError("nothing to certify", problem or "configure [trainings.*] in trainproof.toml")
        judged = found
        paths = write_earned_certificates(judged, out, only_new=True, problems=problems, bars=bars)
    totals = judged.evaluation.totals()
    parts = [f"{key} {t['compliant']}/{t['total']}" for key, t in totals.items()]
    sys.stdout.write(
        f"{report.summary()}\nnightly: {', '.join(parts)} compliant; {kept} newly kept; "
        f"{len(paths)} new certificate(s) in {out}\n"
    )
    problems.raise_for(f"wrote {len(paths)} new certificate(s) to {out}")


__all__ = ["Problems", "write_earned_certificates"]
