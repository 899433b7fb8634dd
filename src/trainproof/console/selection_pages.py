"""Trainings and Campaigns: Drata's KnowBe4 drawer as a page, campaign checkboxes per training.

The page shows `trainproof trainings` (each training, its campaigns, renewal and grace) and the campaign
list of `trainproof campaigns`; ticking and unticking becomes the edits `trainproof trainings select` and
`unselect` make (trainproof.selection_preview, written with comments kept by trainproof.trainings_file),
previewed by the same `preview_selection` before anything is saved.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from trainproof.console.pages import ReadOnly
from trainproof.console.rendering import json_response, page, respond, wants_json
from trainproof.console.state import ConsoleState, state_of
from trainproof.errors import ConfigError

__all__ = ["campaigns", "trainings", "trainings_change"]


def _listings(st: ConsoleState) -> tuple[Any, list[Any]]:
    from trainproof.campaign_list import stored_campaigns
    from trainproof.selection_preview import selection_overview

    settings = st.settings
    source = str(settings.config_path or "trainproof.toml")
    views = selection_overview(settings.raw, settings, engine=st.engine, source=source)
    return views, stored_campaigns(st.engine, settings.raw)


def trainings(request: Request) -> Response:
    """Each training with a checkbox per campaign; JSON: what `trainproof trainings --format json` gives."""
    from trainproof.statuses import is_selectable_campaign

    st = state_of(request)
    views, listed = _listings(st)
    selectable = {c.campaign_id for c in listed if is_selectable_campaign(c.status)}
    context = {"title": "Trainings", "views": views, "campaigns": listed, "selectable": selectable}
    return respond(request, "trainings.html", context, [v.to_dict() for v in views])


def campaigns(request: Request) -> Response:
    """Completion and enrolment per campaign, and the trainings selecting it (`trainproof campaigns`)."""
    st = state_of(request)
    _, listed = _listings(st)
    return respond(
        request, "campaigns.html", {"title": "Campaigns", "campaigns": listed}, [c.to_dict() for c in listed]
    )


async def trainings_change(request: Request) -> Response:
    """Preview (and with `save`, write) the selection the checkboxes describe."""
    st = state_of(request)
    if st.read_only:
        raise ReadOnly("this console is read-only", "start `trainproof serve` without --read-only to change trainings")
    form = parse_qsl((await request.body()).decode("utf-8", "replace"))
    save = request.url.path.endswith("/save")
    return await run_in_threadpool(_change, request, st, form, save)


def _change(request: Request, st: ConsoleState, form: list[tuple[str, str]], save: bool) -> Response:
    from trainproof.campaign_list import selected_by, stored_names
    from trainproof.selection import Catalog
    from trainproof.selection_preview import preview_selection, select_campaigns, unselect_campaigns
    from trainproof.trainings_file import TrainingsFile

    settings = st.settings
    if settings.config_path is None:
        raise ConfigError("no trainproof.toml to change", "run `trainproof init` first, or serve with --config PATH")
    wanted: dict[str, set[int]] = {}
    for name, value in form:
        if name == "shown":  # every training on the page, ticked or not
            wanted.setdefault(value, set())
        elif name == "select":
            key, _, cid = value.rpartition(":")
            if not cid.isdigit():
                raise ConfigError(f"{value[:60]!r} is not a training and campaign id", "tick the boxes on the page")
            wanted.setdefault(key, set()).add(int(cid))
    file = TrainingsFile.read(settings.config_path)
    before = file.raw()
    names = stored_names(st.engine)
    catalog = Catalog.of(names)
    chosen = selected_by(before, names)
    notes: list[str] = []
    for key, ids in wanted.items():
        now = {cid for cid, keys in chosen.items() if key in keys}
        if ids - now:
            notes += select_campaigns(file, key, sorted(ids - now), catalog)
        if now - ids:
            notes += unselect_campaigns(file, key, sorted(now - ids), catalog)
    source = str(settings.config_path)
    preview = preview_selection(before, file.raw(), settings, engine=st.engine, campaigns=names, source=source)
    written = bool(save and file.changed and file.save())
    if wants_json(request):
        return json_response({**preview.to_dict(), "notes": [*notes, *preview.notes], "written": written})
    context = {"preview": preview, "notes": notes, "written": written, "changed": file.changed}
    return page(request, "selection_preview.html", context)
