"""The evidence pack: one zip an auditor can sample from and check, for one training and one as-of date.

It answers the auditor's questions in files they can open without trainproof: who was in scope and in
which state (population.csv), what each of them did (completions.csv), who is not compliant and why
(exceptions.csv), the certificates, the configuration and the sync runs the answer rests on, a README that
explains it all, a SHA-256 manifest that makes any later change visible (`verify_pack`), and the builder's
signature over that manifest, which shows who built it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trainproof import __version__, clock
from trainproof.config import Secret
from trainproof.csvfile import csv_text
from trainproof.evidence._common import (
    EvidenceError,
    iso,
    pretty_json,
    redact,
    redact_text,
    secret_values,
)
from trainproof.evidence.certificates import (
    CertificateProblem,
    CertificatesNotWritten,
    OnProblem,
    UnicodeFont,
    try_render,
)
from trainproof.evidence.manifest import manifest_header, write_zip
from trainproof.evidence.records import CertificateData, PersonRecord, TrainingRef
from trainproof.evidence.signing import SigningKey

POPULATION_COLUMNS = (
    "user_id",
    "email",
    "name",
    "department",
    "manager_email",
    "employee_start_date",
    "training",
    "state",
    "compliant",
    "compliant_since",
    "late",
    "sticky",
    "due_date",
    "campaigns_enrolled",
    "campaigns_complete",
    "certificate_id",
    "certificate_file",
    "reason",
)
COMPLETIONS_COLUMNS = (
    "user_id",
    "email",
    "training",
    "campaign_id",
    "campaign_name",
    "campaign_complete",
    "campaign_completed_at",
    "campaign_late",
    "module_name",
    "content_type",
    "enrollment_id",
    "status",
    "enrollment_date",
    "start_date",
    "completion_date",
    "late",
    "removed_from_knowbe4_at",
    "counts_as_evidence",
)
EXCEPTIONS_COLUMNS = (
    "user_id",
    "email",
    "name",
    "department",
    "manager_email",
    "state",
    "due_date",
    "outstanding",
    "reason",
)

TOKEN_ENV = "KNOWBE4_API_KEY"  # noqa: S105  # the variable's name; its value is read here only to keep its value out of the pack, never to use it


@dataclass(frozen=True, slots=True)
class _Files:
    """The rendered text files of a pack, before they are zipped."""

    text: dict[str, bytes]


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _outstanding(record: PersonRecord) -> str:
    parts: list[str] = []
    for c in sorted(record.campaigns, key=lambda c: c.campaign_id):
        if c.complete:
            continue
        modules = ", ".join(c.outstanding_modules)
        parts.append(
            f"{c.name} (campaign {c.campaign_id}): {modules}" if modules else f"{c.name} (campaign {c.campaign_id})"
        )
    return " | ".join(parts)


def _population_row(record: PersonRecord, cert: CertificateData | None) -> dict[str, str | None]:
    return {
        "user_id": str(record.user_id),
        "email": record.email,
        "name": record.name,
        "department": record.department,
        "manager_email": record.manager_email,
        "employee_start_date": iso(record.employee_start_date),
        "training": record.training,
        "state": record.state,
        "compliant": _flag(record.compliant),
        "compliant_since": iso(record.compliant_since),
        "late": _flag(record.late),
        "sticky": _flag(record.sticky),
        "due_date": iso(record.due_date),
        "campaigns_enrolled": str(len(record.campaigns)),
        "campaigns_complete": str(sum(1 for c in record.campaigns if c.complete)),
        "certificate_id": cert.certificate_id if cert else "",
        "certificate_file": f"certificates/{cert.filename}" if cert else "",
        "reason": record.reason,
    }


def _completion_rows(record: PersonRecord) -> list[dict[str, str | None]]:
    earning = record.earning_enrollment_ids() if record.compliant else frozenset[int]()
    return [
        {
            "user_id": str(record.user_id),
            "email": record.email,
            "training": record.training,
            "campaign_id": str(c.campaign_id),
            "campaign_name": c.name,
            "campaign_complete": _flag(c.complete),
            "campaign_completed_at": iso(c.completed_at),
            "campaign_late": _flag(c.late),
            "module_name": e.module_name,
            "content_type": e.content_type,
            "enrollment_id": str(e.enrollment_id),
            "status": e.status,
            "enrollment_date": iso(e.enrollment_date),
            "start_date": iso(e.start_date),
            "completion_date": iso(e.completion_date),
            "late": _flag(e.late),
            "removed_from_knowbe4_at": iso(e.removed_at),
            "counts_as_evidence": _flag(e.enrollment_id in earning),
        }
        for c in sorted(record.campaigns, key=lambda c: c.campaign_id)
        for e in sorted(c.enrollments, key=lambda e: e.enrollment_id)
    ]


def _exception_row(record: PersonRecord) -> dict[str, str | None]:
    return {
        "user_id": str(record.user_id),
        "email": record.email,
        "name": record.name,
        "department": record.department,
        "manager_email": record.manager_email,
        "state": record.state,
        "due_date": iso(record.due_date),
        "outstanding": _outstanding(record),
        "reason": record.reason,
    }


def compliance_config(raw: Mapping[str, Any], training_key: str) -> dict[str, Any]:
    """The trainproof.toml tables a decision for `training_key` depends on: its [trainings.*] table and [scope].

    Nothing else is copied (no [knowbe4], no [store]), so a token or database password cannot ride along.
    """
    trainings = raw.get("trainings")
    chosen: dict[str, Any] = {}
    if isinstance(trainings, Mapping) and isinstance(trainings.get(training_key), Mapping):  # pyright: ignore[reportUnknownMemberType]
        chosen["trainings"] = {training_key: dict(trainings[training_key])}  # pyright: ignore[reportUnknownArgumentType]
    scope = raw.get("scope")
    if isinstance(scope, Mapping):
        chosen["scope"] = dict(scope)  # pyright: ignore[reportUnknownArgumentType]
    return chosen


def _certificates_line(counts: Mapping[str, Any]) -> str:
    users: list[int] = counts.get("certificates_not_written", [])
    if not users:
        return str(counts["certificates"])
    ids = ", ".join(map(str, users))
    return f"{counts['certificates']} ({len(users)} could not be written, for KnowBe4 users {ids})"


def _readme(
    training: TrainingRef, as_of: str, generated_at: str, counts: Mapping[str, Any], signed_by: str | None
) -> str:
    by_state = counts.get("by_state", {})
    states = ", ".join(f"{k} {v}" for k, v in sorted(by_state.items())) if by_state else "none"  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType, reportUnknownArgumentType]
    certificates = _certificates_line(counts)
    return f"""\
trainproof evidence pack
========================

Training:     {training.title} ({training.key})
As of:        {as_of}
Generated:    {generated_at} by trainproof {__version__}
Population:   {counts["population"]} people in scope ({states})
Compliant:    {counts["compliant"]}; not compliant: {counts["not_compliant"]}; certificates: {certificates}
Signed by:    {f"Ed25519 key {signed_by} (manifest.sig)" if signed_by else "nobody (an unsigned pack: see below)"}

This pack holds the compliance decision of every person in scope for the training above on the as-of
date, the KnowBe4 training records each decision rests on, and a manifest that makes any later change
to any file visible. Data comes from the KnowBe4 Reporting API, synced into trainproof's local store
(see sync_runs.json); the rule applied is the one in config.json.

The rule
--------
A person is enrolled in a campaign when KnowBe4 lists at least one enrollment of theirs in it. A campaign
is complete for them when every module they are enrolled in within it has an enrollment with status
Completed or Passed dated on or before the as-of date. A person is compliant when enrolled in at least
one of the training's selected campaigns and every such campaign is complete; campaigns that are not
selected are ignored. Completions after a campaign's end date still count and are marked "late".
Once compliant, the decision and the enrollments that earned it are kept ("sticky"), even if KnowBe4
later resets progress or deletes the enrollment; only a recorded reset or the renewal period reopens it.

States: compliant; incomplete (enrolled, something outstanding); not_enrolled (in no selected
campaign); grace (new hire inside the grace period, not yet due); expired (renewal period passed).

Files
-----
README.txt        This file.
population.csv    Everyone in scope on the as-of date, one row each: state, compliant (yes/no), since
                  when, late, sticky, due date, campaign counts, certificate id and file, and the reason
                  in one sentence. This is the population to sample from.
completions.csv   One row per KnowBe4 enrollment of each person in the training's selected campaigns:
                  campaign, module, enrollment id, status, enrollment/start/completion dates, late, the
                  date KnowBe4 stopped listing it (if it did; trainproof keeps it), and whether it is part
                  of the evidence that earned compliance (counts_as_evidence). A completion dated after
                  the as-of date is listed as KnowBe4 has it now but did not count on that date.
exceptions.csv    Everyone not compliant, with the outstanding campaigns and modules and the reason.
certificates/     One PDF per compliant person, named <training>_<user id>_<email>_<id>.pdf.
config.json       The configuration used: the [trainings.{training.key}] and [scope] tables of
                  trainproof.toml (selected campaigns, renewal period, new-hire grace, exclusions).
sync_runs.json    The KnowBe4 syncs the data rests on: when each ran, what it fetched, how it ended.
manifest.json     The SHA-256 and size of every file above, the training, the as-of date, the
                  generation time and the trainproof version.
manifest.sha256   The same hashes in sha256sum format, plus the SHA-256 of manifest.json.
manifest.sig      The Ed25519 signature of manifest.json by the key of the trainproof installation that
                  built the pack (manifest.json names the key). Absent from an unsigned pack.

All times are UTC (ISO 8601). CSV files are UTF-8 with a byte-order mark, comma-separated, CRLF line
ends. A text cell that begins with = + - @, a tab or a carriage return is prefixed with an
apostrophe so spreadsheet programs show it instead of running it as a formula.

How to verify this pack
-----------------------
What a check proves depends on what you compare the pack with.

1. With the builder's public key: proves the pack is exactly what the holder of the private key built
   (no file edited, added or removed since). Get the public key from the sender by another channel than
   the pack (`trainproof evidence key` prints it on the machine that built it) and compare its
   fingerprint with them; then:
     trainproof evidence verify PACK.zip --public-key KEY.pem      (or the one-line ed25519:... form)
2. Without it: `trainproof evidence verify PACK.zip` proves internal consistency only: every file matches
   its SHA-256 in manifest.json. It does not prove who built the pack: anyone with trainproof can rebuild
   a consistent pack after editing a file. The pack fingerprint (the SHA-256 of manifest.json, printed
   when the pack is built and in the zip comment: `unzip -z PACK.zip`) recorded on receipt proves at
   least that nothing changed since: trainproof evidence verify PACK.zip --fingerprint HEX
3. Without trainproof: unzip the pack, then in its folder run
     openssl pkeyutl -verify -pubin -inkey KEY.pem -rawin -in manifest.json -sigfile manifest.sig
     sha256sum -c manifest.sha256              (Linux)
     shasum -a 256 -c manifest.sha256          (macOS)
     Get-FileHash -Algorithm SHA256 <file>     (Windows PowerShell; compare with manifest.sha256)
   openssl must say "Signature Verified Successfully" and every sha256sum line OK; check that manifest.json
   lists the same SHA-256 as manifest.sha256 and that the folder holds no file other than those listed,
   manifest.json, manifest.sha256 and manifest.sig.
4. Each certificate carries its own proof: the evidence record it certifies is attached to the PDF as
   evidence.json, and the certificate's full SHA-256 (footer and metadata) is the SHA-256 of that
   attachment (`pdfdetach -saveall CERT.pdf && sha256sum evidence.json`). Its enrollment ids are the
   rows of completions.csv marked counts_as_evidence, and can be looked up in the KnowBe4 console.
"""


def _render_files(
    training: TrainingRef,
    records: list[PersonRecord],
    *,
    as_of: str,
    generated_at: str,
    config: Mapping[str, Any],
    sync_runs: list[Mapping[str, Any]],
    secrets: tuple[str, ...],
    signed_by: str | None,
    certificates: Mapping[int, CertificateData],
    not_written: list[int],
) -> tuple[_Files, dict[str, Any]]:
    population = [_population_row(r, certificates.get(r.user_id)) for r in records]
    completions = [row for r in records for row in _completion_rows(r)]
    exceptions = [_exception_row(r) for r in records if not r.compliant]
    by_state = Counter(r.state for r in records)
    counts: dict[str, Any] = {
        "population": len(records),
        "compliant": sum(1 for r in records if r.compliant),
        "not_compliant": len(exceptions),
        "by_state": dict(sorted(by_state.items())),
        "certificates": len(certificates),
        **({"certificates_not_written": not_written} if not_written else {}),
        "completions": len(completions),
        "sync_runs": len(sync_runs),
    }
    config_doc = {
        "source": "trainproof.toml",
        "tables": redact(compliance_config(config, training.key), secrets),
        "training": {"key": training.key, "title": training.title},
    }
    runs_doc = {"sync_runs": redact([dict(run) for run in sync_runs], secrets)}
    rendered = {
        "README.txt": _readme(training, as_of, generated_at, counts, signed_by),
        "population.csv": csv_text(POPULATION_COLUMNS, population),
        "completions.csv": csv_text(COMPLETIONS_COLUMNS, completions),
        "exceptions.csv": csv_text(EXCEPTIONS_COLUMNS, exceptions),
        "config.json": pretty_json(config_doc).decode("utf-8"),
        "sync_runs.json": pretty_json(runs_doc).decode("utf-8"),
    }
    # Last line of defence: no secret value or token-like string leaves in any text file. CSV files get a
    # byte-order mark so spreadsheet programs read names in UTF-8.
    text = {
        name: redact_text(body, secrets).encode("utf-8-sig" if name.endswith(".csv") else "utf-8")
        for name, body in rendered.items()
    }
    return _Files(text=text), counts


def build_pack(
    out: Path | str,
    *,
    training: TrainingRef,
    records: Iterable[PersonRecord],
    as_of: datetime | date | None = None,
    config: Mapping[str, Any] | None = None,
    sync_runs: Iterable[Mapping[str, Any]] = (),
    generated_at: datetime | None = None,
    secrets: Iterable[Secret | str | None] = (),
    unicode_font: UnicodeFont = True,
    overwrite: bool = False,
    signer: SigningKey | None = None,
    on_problem: OnProblem | None = None,
    on_certificate: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the evidence pack for one training to `out` (a .zip, mode 0600) and return its path.

    `records` are the decisions of everyone in scope (records for other trainings are ignored); `config`
    is the whole trainproof.toml (`Settings.raw`), of which only the compliance tables are kept;
    `sync_runs` are the store's sync-run records, serialised as JSON. `generated_at` (default
    `clock.now()`) is also the certificates' issue time and the zip entries' time, so the same inputs and
    clock give the same bytes. `secrets` (e.g. `Settings.token`) and the KNOWBE4_API_KEY environment
    variable are redacted wherever they might appear. `signer` (`signing.signing_key(state_dir)`) signs
    manifest.json, so that a pack rebuilt after an edit no longer verifies under the builder's public key.

    A certificate that cannot be written is one person's problem: the pack is still written without it
    (README.txt and the manifest's counts name the user ids) and the problem goes to `on_problem`;
    without one, `CertificatesNotWritten` is raised after the pack is complete. `on_certificate(done, total)`
    follows the certificates, the long part of a large pack (a progress bar on a terminal).
    """
    target = Path(out)
    if target.exists() and not overwrite:
        raise EvidenceError(f"{target} already exists", "choose another --out, or allow overwriting")
    if target.is_dir():
        raise EvidenceError(f"{target} is a directory", "give a file name such as evidence.zip")
    moment = (generated_at or clock.now()).replace(microsecond=0)
    chosen = sorted((r for r in records if r.training == training.key), key=lambda r: r.user_id)
    dup = [uid for uid, n in Counter(r.user_id for r in chosen).items() if n > 1]
    if dup:
        raise EvidenceError(f"user {dup[0]} has more than one decision for {training.key}", "pass one per person")
    hidden = secret_values([*secrets, os.environ.get(TOKEN_ENV)])
    as_of_text = iso(as_of if as_of is not None else moment)
    problems: list[CertificateProblem] = []
    with write_zip(target, moment) as pack:
        # Certificates first, so the text files can say which ones could not be written.
        certificates: dict[int, CertificateData] = {}
        earned = [record for record in chosen if record.compliant]
        for done, record in enumerate(earned):
            if on_certificate is not None:
                on_certificate(done, len(earned))
            cert = CertificateData.from_record(record, training)
            pdf = try_render(cert, issued_at=moment, unicode_font=unicode_font)
            if isinstance(pdf, CertificateProblem):
                problems.append(pdf)
                continue
            pack.add(f"certificates/{cert.filename}", pdf)
            certificates[record.user_id] = cert
        if on_certificate is not None:
            on_certificate(len(earned), len(earned))
        files, counts = _render_files(
            training,
            chosen,
            as_of=as_of_text,
            generated_at=iso(moment),
            config=config or {},
            sync_runs=list(sync_runs),
            secrets=hidden,
            signed_by=signer.key_id if signer is not None else None,
            certificates=certificates,
            not_written=[p.user_id for p in problems],
        )
        for name in (
            "README.txt",
            "population.csv",
            "completions.csv",
            "exceptions.csv",
            "config.json",
            "sync_runs.json",
        ):
            pack.add(name, files.text[name])
        header = manifest_header(
            training_key=training.key,
            training_title=training.title,
            as_of=as_of if as_of is not None else moment,
            generated_at=moment,
            counts=counts,
        )
        pack.finish(header, signer)
    for problem in problems:
        if on_problem is not None:
            on_problem(problem)
    if problems and on_problem is None:
        raise CertificatesNotWritten(f"wrote {target} with {counts['certificates']} certificates", problems)
    return target
