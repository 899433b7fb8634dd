"""The console's pages. Each one calls the use case the CLI command of the same name calls, and shows
what it returns: no page judges, filters or dates anything itself.

Endpoints are plain functions: Starlette runs them in its thread pool, so the store's blocking reads
never hold up the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from trainproof import clock
from trainproof.compliance.decision import STATES
from trainproof.console.rendering import JSON_SUFFIX, json_response, page, respond, wants_json
from trainproof.console.state import state_of
from trainproof.errors import ConfigError, TrainproofError

__all__ = [
    "as_of_asked",
    "certificate",
    "people",
    "person",
    "reset",
    "sync_history",
    "sync_progress",
    "sync_run",
]

CONSOLE_ACTOR = "trainproof console"


class ReadOnly(TrainproofError):
    """An action asked of a console started with --read-only."""


def _who(request: Request) -> str:
    who = str(request.path_params["who"])
    return who.removesuffix(JSON_SUFFIX) if request.url.path.endswith(JSON_SUFFIX) else who


def as_of_asked(request: Request) -> Any:
    """The as-of date the address asks for (`?as_of=YYYY-MM-DD`), or None for now."""
    text = request.query_params.get("as_of", "").strip()
    return clock.parse_instant(text) if text else None


PAGE_SIZE = 50  # rows per people page (the JSON and CSV twins give every row unless limit is asked)


def _text(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def _count(request: Request, name: str, default: int | None) -> int | None:
    value = _text(request, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value[:40]!r} is not a whole number", f"give {name} as digits") from None


def people_query(request: Request, *, page_size: int | None) -> Any:
    """The `trainproof people` filters from the address (`?training=hipaa&state=incomplete&...`)."""
    from trainproof.people import PeopleQuery

    params = request.query_params
    return PeopleQuery(
        trainings=tuple(t.strip() for t in params.getlist("training") if t.strip()),
        states=frozenset(s.strip() for s in params.getlist("state") if s.strip()),
        department=_text(request, "department"),
        manager=_text(request, "manager"),
        group=_text(request, "group"),
        search=_text(request, "search"),
        late=params.get("late", "") in ("1", "true", "on"),
        sort=_text(request, "sort") or "name",
        limit=_count(request, "limit", page_size),
        offset=_count(request, "offset", 0) or 0,
        as_of=as_of_asked(request),
    )


def people_link(query: Any, **change: Any) -> str:
    """The people page's address for `query` (a PeopleQuery) with `change` applied: the same filters
    `trainproof people` takes, so a bookmark opens the same list."""
    from dataclasses import replace
    from urllib.parse import urlencode

    q = replace(query, **change)
    pairs: list[tuple[str, str]] = [("training", t) for t in q.trainings]
    pairs += [("state", s) for s in sorted(q.states)]
    pairs += [(k, v) for k in ("department", "manager", "group", "search") if (v := getattr(q, k))]
    if q.late:
        pairs.append(("late", "1"))
    if q.sort != "name":
        pairs.append(("sort", q.sort))
    if q.offset:
        pairs.append(("offset", str(q.offset)))
    if q.as_of is not None:
        pairs.append(("as_of", q.as_of.date().isoformat()))
    return "/people" + (f"?{urlencode(pairs)}" if pairs else "")


CSV_SUFFIX = ".csv"


def _csv(decisions: Iterator[Any]) -> Response:
    """The rows as `trainproof people --format csv` writes them (trainproof.csvfile), streamed."""
    from trainproof.csvfile import csv_lines
    from trainproof.people import CSV_COLUMNS, as_csv_rows

    return StreamingResponse(
        csv_lines(CSV_COLUMNS, as_csv_rows(decisions), line_end="\n"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="people.csv"'},
    )


def people(request: Request) -> Response:
    """The `trainproof people` rows for the filters in the address, a page at a time."""
    from trainproof.people import SORTS, RowIndex, select_people
    from trainproof.store.groups import group_names

    st = state_of(request)
    as_json = wants_json(request) or request.url.path.endswith(CSV_SUFFIX)
    query = people_query(request, page_size=None if as_json else PAGE_SIZE)
    query.check()

    def work(conn: Any) -> Any:
        judged, version = st.judged(conn, query.as_of)
        index = st.judgements.index(conn, version) if query.search else None
        groups = group_names(conn) if query.group else None
        rows = st.kept("rows", version, query.as_of, lambda: RowIndex(judged.evaluation))
        return judged, select_people(judged, query, index=index, groups=groups, rows=rows)

    judged, listed = st.read(work)
    if request.url.path.endswith(CSV_SUFFIX):
        return _csv(listed.rows)
    rows = [d.to_dict() for d in listed.rows]
    if as_json:
        return json_response(rows)
    trainings = [(t.key, t.title) for t in judged.evaluation.trainings_config.trainings]
    step = query.limit or PAGE_SIZE
    context = {
        "title": "People",
        "query": query,
        "listed": listed,
        "rows": rows,
        "trainings": trainings,
        "sorts": SORTS,
        "states": STATES,
        "next_page": people_link(query, offset=query.offset + step) if listed.more else None,
        "previous_page": people_link(query, offset=max(query.offset - step, 0)) if query.offset else None,
    }
    return page(request, "people.html", context)


def person(request: Request) -> Response:
    """Each training's decision with its reasons, the evidence's history, and decisions and resets."""
    from trainproof.person import person_record

    st = state_of(request)
    who = _who(request)
    as_of = as_of_asked(request)

    def work(conn: Any) -> Any:
        judged, version = st.judged(conn, as_of)
        return person_record(conn, st.settings, who, judged=judged, index=st.judgements.index(conn, version))

    record = st.read(work)
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

    st = state_of(request)
    training = str(request.path_params["training"])

    def work(conn: Any) -> tuple[Any, Any]:
        judged, version = st.judged(conn)
        judged.evaluation.trainings_config.training(training)  # an unknown training: its one-line ConfigError
        uid = st.judgements.index(conn, version).find(_who(request))
        mine = [d for d in judged.evaluation.for_user(uid) if d.training == training]
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


def sync_history(request: Request) -> Response:
    """The store's sync runs, newest first (what `trainproof sync` recorded)."""
    from trainproof.store import sync_runs

    st = state_of(request)
    runs = st.read(lambda conn: sync_runs(conn, limit=50))
    job = st.sync.snapshot()
    return respond(request, "sync.html", {"title": "Sync", "runs": runs, "job": job}, {"runs": runs, "now": job})


async def sync_run(request: Request) -> Response:
    """Start `trainproof sync` (then keep the compliance it earned, as the command does) in the server."""
    st = state_of(request)
    if st.read_only:
        raise ReadOnly("this console is read-only", "run `trainproof sync` where the console is not read-only")
    started = st.sync.begin(st.load_settings)
    return sync_progress(request, status_code=202 if started else 409)


def sync_progress(request: Request, status_code: int = 200) -> Response:
    """Where the console's sync stands: each resource's records so far, then how it ended."""
    job = state_of(request).sync.snapshot()
    return respond(request, "sync_progress.html", {"title": "Sync", "job": job}, job, status_code)


def not_yet(request: Request) -> Response:
    """A page of the console that is not built yet: says so instead of a 404."""
    return page(request, "error.html", {"title": "Not yet", "message": "this page is not built yet"}, 501)
