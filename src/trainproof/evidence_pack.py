"""Build one training's evidence pack from the store: `trainproof evidence` and the console's download.

Population, completions, exceptions, certificates, configuration and the sync runs up to the as-of
date, judged through `trainproof.judging` and written by `trainproof.evidence.build_pack` (SHA-256
manifest signed with this installation's Ed25519 key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from trainproof.config import Settings
from trainproof.evidence import build_pack, read_fingerprint, signing_key
from trainproof.evidence.adapters import records_from_decisions
from trainproof.evidence.certificates import OnProblem
from trainproof.evidence.records import TrainingRef
from trainproof.judging import configured_trainings, judge
from trainproof.store import sync_runs
from trainproof.store.handle import StoreEngine

__all__ = ["BuiltPack", "build_training_pack"]


@dataclass(frozen=True, slots=True)
class BuiltPack:
    path: Path
    people: int
    compliant: int
    fingerprint: str  # SHA-256 of manifest.json
    key_id: str  # the signing key's fingerprint

    @property
    def exceptions(self) -> int:
        return self.people - self.compliant


def _started_by(run: dict[str, Any], when: datetime) -> bool:
    started = run.get("started_at")
    return started is None or str(started) <= when.isoformat()


def build_training_pack(
    engine: StoreEngine,
    settings: Settings,
    *,
    training: str,
    out: Path,
    as_of: datetime | None = None,
    overwrite: bool = False,
    on_problem: OnProblem | None = None,
    on_certificate: Callable[[int, int], None] | None = None,
) -> BuiltPack:
    """Write the pack of `training` (now, or as the store stood at `as_of`) to `out`.

    A certificate that cannot be written goes to `on_problem` and the pack is still written;
    `on_certificate(done, total)` follows the certificates (`build_pack`).
    """
    policy = configured_trainings(settings, [training])
    with engine.connect() as conn:
        judged = judge(conn, settings, as_of=as_of, policy=policy)
        runs = [r for r in sync_runs(conn, limit=1000) if as_of is None or _started_by(r, as_of)]
    ev = judged.evaluation
    records = records_from_decisions(
        ev.decisions,
        enrollments=judged.facts.enrollments,
        campaigns=judged.facts.campaigns,
        people=ev.population,
        as_of=judged.as_of,
    )
    spec = ev.trainings_config.training(training)
    signer = signing_key(settings.state_dir)
    path = build_pack(
        out,
        training=TrainingRef(spec.key, spec.title),
        records=records,
        as_of=judged.as_of,
        config=settings.raw,
        sync_runs=runs,
        secrets=[settings.token],
        overwrite=overwrite,
        signer=signer,
        on_problem=on_problem,
        on_certificate=on_certificate,
    )
    compliant = sum(1 for d in ev.decisions if d.compliant)
    return BuiltPack(path, len(ev.decisions), compliant, read_fingerprint(path), signer.key_id)
