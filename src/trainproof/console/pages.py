"""The console's pages. Each one calls the use case the CLI command of the same name calls, and shows
what it returns: no page judges, filters or dates anything itself.

Endpoints are plain functions: Starlette runs them in its thread pool, so the store's blocking reads
never hold up the event loop.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from trainproof import clock
from trainproof.console.rendering import JSON_SUFFIX, json_response, page, respond, wants_json
from trainproof.console.state import state_of
from trainproof.errors import ConfigError, TrainproofError

__all__ = ["certificate", "evidence", "evidence_pack", "overview", "person", "reset", "sync_history"]

CONSOLE_ACTOR = "trainproof console"


class ReadOnly(TrainproofError):
    """An action asked of a console started with --read-only."""


def _who(request: Request) -> str:
    who = str(request.path_params["who"])
    return who.removesuffix(JSON_SUFFIX) if request.url.path.endswith(JSON_SUFFIX) else who


def _as_of(request: Request) -> Any:
    text = request.query_params.get("as_of", "").strip()
    return clock.parse_instant(text) if text else None


def overview(request: Request) -> Response:
    """Per training: how many people are in each state (the totals `trainproof status` gives), and the
    last sync."""
    from trainproof.judging import judge
    from trainproof.store.runs import last_run

    st = state_of(request)
    judged, last = st.read(lambda conn: (judge(conn, st.settings, as_of=_as_of(request)), last_run(conn)))
    ev = judged.evaluation
    totals = ev.totals()
    trainings = [{"training": t.key, "title": t.title, **totals.get(t.key, {})} for t in ev.policy.trainings]
    data = {"as_of": judged.as_of, "trainings": trainings, "last_sync": last}
    return respond(request, "overview.html", {"title": "Overview", **data}, data)


def person(request: Request) -> Response:
    """Each training's decision with its reasons, the evidence's history, and decisions and resets."""
    from trainproof.person import person_record

    st = state_of(request)
    who = _who(request)
    record = st.read(lambda conn: person_record(conn, st.settings, who, as_of=_as_of(request)))
    return respond(request, "person.html", {"title": record.person.name, "record": record}, record.to_dict())


async def reset(request: Request) -> Response:
    """Reset one training's kept compliance for this person, as `trainproof reset` does."""
    from starlette.concurrency import run_in_threadpool

    from trainproof.resetting import reset_compliance

    st = state_of(request)
    if st.read_only:
        raise ReadOnly("this console is read-only", "start `trainproof serve` without --read-only to reset")
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    training = form.get("training", "").strip()
    if not training:
        raise ConfigError("no training given", "choose the training to reset")
    who = _who(request)
    reason = form.get("reason", "").strip() or None
    plan = await run_in_threadpool(
        lambda: reset_compliance(st.engine, st.settings, training=training, who=[who], reason=reason, by=CONSOLE_ACTOR)
    )
    if wants_json(request):
        changes = [
            {"user_id": c.before.user_id, "before": c.before.state, "after": c.after.state, "flips": c.flips}
            for c in plan.changes
        ]
        return json_response({"training": training, "reset": len(plan.records), "changes": changes})
    if request.headers.get("hx-request") == "true":
        return await run_in_threadpool(person, request)
    return RedirectResponse(request.url_for("person", who=who).path, 303)


def certificate(request: Request) -> Response:
    """The PDF `trainproof certificates` writes for this person and training (compliant decisions only)."""
    from trainproof.evidence import certificates_from_decisions, render_certificate
    from trainproof.judging import judge

    st = state_of(request)
    training = str(request.path_params["training"])

    def work(conn: Any) -> tuple[Any, Any]:
        from trainproof.store.person_index import person_index

        uid = person_index(conn).find(_who(request))
        judged = judge(conn, st.settings, trainings=[training])
        mine = [d for d in judged.evaluation.decisions if d.user_id == uid]
        return certificates_from_decisions(mine, campaigns=judged.facts.campaigns), mine

    certs, mine = st.read(work)
    if not certs:
        state = mine[0].state if mine else "not in scope"
        raise NoCertificate(f"no certificate: this person is {state} for {training}", "only compliance is certified")
    data = certs[0]
    return Response(
        render_certificate(data, issued_at=clock.now()),
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{data.filename}"'},
    )


class NoCertificate(TrainproofError):
    """The person has no compliance to certify for that training."""


def evidence(request: Request) -> Response:
    """The trainings whose evidence pack can be built, as `trainproof evidence --training T` builds it."""
    from trainproof.judging import configured_trainings

    st = state_of(request)
    trainings = [{"training": t.key, "title": t.title} for t in configured_trainings(st.settings).trainings]
    return respond(request, "evidence.html", {"title": "Evidence", "trainings": trainings}, {"trainings": trainings})


def evidence_pack(request: Request) -> Response:
    """Build the pack in a private temporary folder and send it; the folder goes once it is sent."""
    from trainproof.evidence_pack import build_training_pack

    st = state_of(request)
    training = str(request.path_params["training"])
    folder = Path(tempfile.mkdtemp(prefix="trainproof-pack-"))
    try:
        built = build_training_pack(
            st.engine, st.settings, training=training, out=folder / f"evidence-{training}.zip", as_of=_as_of(request)
        )
    except BaseException:
        _remove(folder)
        raise
    return FileResponse(
        built.path,
        media_type="application/zip",
        filename=built.path.name,
        headers={"x-manifest-sha256": built.fingerprint, "x-signing-key": built.key_id},
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def sync_history(request: Request) -> Response:
    """The store's sync runs, newest first (what `trainproof sync` recorded)."""
    from trainproof.store import sync_runs

    st = state_of(request)
    runs = st.read(lambda conn: sync_runs(conn, limit=50))
    return respond(request, "sync.html", {"title": "Sync", "runs": runs}, {"runs": runs})


def not_yet(request: Request) -> Response:
    """A page of the console that is not built yet: says so instead of a 404."""
    return page(request, "error.html", {"title": "Not yet", "message": "this page is not built yet"}, 501)
