"""`trainproof trainings`: each training and its campaigns; select, unselect, add and remove with a preview first.

A thin face over `trainproof.trainings_file` (the file, edited with its comments kept) and
`trainproof.selection_preview` (what the change would do, judged by the one judging path). Every change
prints its preview, then writes trainproof.toml only with --yes or after a yes on a terminal; otherwise
the file stays byte for byte as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainproof.cli._app import app, settings
from trainproof.cli._output import Format
from trainproof.errors import ConfigError

if TYPE_CHECKING:
    from trainproof.config import Settings
    from trainproof.selection import Catalog
    from trainproof.selection_preview import SelectionPreview, TrainingView
    from trainproof.store.handle import StoreEngine
    from trainproof.trainings_file import TrainingsFile

trainings_app = typer.Typer(
    help=(
        "Each training with its campaigns and figures; `select`, `unselect`, `add` and `remove` change "
        "[trainings.*] in trainproof.toml after showing what would change."
    ),
    rich_markup_mode=None,
)
app.add_typer(trainings_app, name="trainings")

YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Write trainproof.toml without asking.")]
FormatOpt = Annotated[Format, typer.Option("--format", help="table or json.")]
SHOWN = 50  # people listed per table of a preview; --format json lists everyone


@trainings_app.callback(invoke_without_command=True)
def trainings_command(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Each training: its campaigns, renewal, new-hire grace, and (from the store) people covered and compliant."""
    if ctx.invoked_subcommand is not None:
        return
    _table_or_json(fmt)
    from trainproof.selection_preview import selection_overview

    cfg = settings()
    with _campaigns(cfg) as (engine, names):
        views = selection_overview(cfg.raw, cfg, engine=engine, campaigns=names, source=_source(cfg))
    if fmt is Format.json:
        from trainproof.cli._output import render

        render([v.to_dict() for v in views], "json")
        return
    _print_views(views)


@trainings_app.command("select")
def select_command(
    training: Annotated[str, typer.Argument(help="The training key, e.g. hipaa.")],
    campaigns: Annotated[list[str], typer.Argument(help="Campaign ids or exact names (quote a name).")],
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add campaigns to a training: show who would change, then write.

    \b
    Example:
      trainproof trainings select hipaa 401 "HIPAA Refresher 2026"
    """
    from trainproof.selection import parse_ref
    from trainproof.selection_preview import select_campaigns

    refs = [parse_ref(c) for c in campaigns]
    _change(lambda f, catalog: select_campaigns(f, training, refs, catalog), yes=yes, fmt=fmt)


@trainings_app.command("unselect")
def unselect_command(
    training: Annotated[str, typer.Argument(help="The training key, e.g. hipaa.")],
    campaigns: Annotated[list[str], typer.Argument(help="Campaign ids or exact names (quote a name).")],
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove campaigns from a training (by id or name, whichever the file lists): show who would change, then write."""
    from trainproof.selection import parse_ref
    from trainproof.selection_preview import unselect_campaigns

    refs = [parse_ref(c) for c in campaigns]
    _change(lambda f, catalog: unselect_campaigns(f, training, refs, catalog), yes=yes, fmt=fmt)


@trainings_app.command("add")
def add_command(
    key: Annotated[str, typer.Argument(help="The new training's key: letters, digits, _ or -, e.g. gdpr.")],
    title: Annotated[str | None, typer.Option("--title", help="Its title, e.g. 'GDPR Awareness Training'.")] = None,
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a training with no campaign yet (then `trainproof trainings select KEY ...`)."""

    def edit(f: TrainingsFile, _catalog: Catalog) -> list[str]:
        f.add_training(key, title=title)
        return [f"next: trainproof trainings select {key} CAMPAIGN..."]

    _change(edit, yes=yes, fmt=fmt)


@trainings_app.command("remove")
def remove_command(
    key: Annotated[str, typer.Argument(help="The training key to remove.")],
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove a training and its campaign selection (its kept records stay in the store's history)."""

    def edit(f: TrainingsFile, _catalog: Catalog) -> list[str]:
        f.remove_training(key)
        return []

    _change(edit, yes=yes, fmt=fmt)


# -- one change: preview, then write on consent --------------------------------------------------------


def _change(edit: Callable[[TrainingsFile, Catalog], list[str]], *, yes: bool, fmt: Format) -> None:
    from trainproof.selection import Catalog
    from trainproof.selection_preview import preview_selection
    from trainproof.trainings_file import TrainingsFile

    _table_or_json(fmt)
    cfg = settings()
    if cfg.config_path is None:
        raise ConfigError("no trainproof.toml here", "run `trainproof init` first, or pass --config PATH")
    file = TrainingsFile.read(cfg.config_path)
    before = file.raw()
    with _campaigns(cfg) as (engine, names):
        notes = edit(file, Catalog.of(names))
        preview = preview_selection(before, file.raw(), cfg, engine=engine, campaigns=names, source=_source(cfg))
    for note in notes:
        sys.stderr.write(f"{note}\n")
    if fmt is Format.json:
        from trainproof.cli._output import to_json

        written = file.changed and _consent(yes, interactive=False) and bool(file.save())
        sys.stdout.write(to_json({**preview.to_dict(), "written": written}) + "\n")
        return
    print_preview(preview)
    if not file.changed:
        sys.stderr.write(f"nothing to change in {file.path}\n")
        return
    if _consent(yes, interactive=True):
        file.save()
        sys.stderr.write(f"wrote {file.path}; `trainproof sync` reads the newly selected campaigns' enrollments\n")
    else:
        sys.stderr.write(f"{file.path} not changed: run again with --yes to write it\n")


def _table_or_json(fmt: Format) -> None:
    if fmt is Format.csv:
        raise ConfigError("trainings shows a table or json, not csv", "use --format json")


def _consent(yes: bool, *, interactive: bool) -> bool:
    """--yes, or a yes typed on a terminal; without a terminal nothing is written."""
    if yes:
        return True
    if not (interactive and sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    import questionary

    return bool(questionary.confirm("Write trainproof.toml?", default=False).ask())


@contextmanager
def _campaigns(cfg: Settings) -> Generator[tuple[StoreEngine | None, list[tuple[int, str | None]]]]:
    """The store when a sync filled it (and its campaigns), else KnowBe4's live campaign list."""
    from trainproof.campaign_list import stored_names
    from trainproof.synced_store import synced_store

    engine = synced_store(cfg.database_url, cfg.account)
    if engine is None:
        yield None, _live_names(cfg)
        return
    try:
        yield engine, stored_names(engine)
    finally:
        engine.dispose()


def _live_names(cfg: Settings) -> list[tuple[int, str | None]]:
    import anyio

    from trainproof.campaign_list import live_names
    from trainproof.client import KnowBe4Client

    if cfg.token is None:
        raise ConfigError(
            "no store yet and no KnowBe4 API token to list the campaigns",
            "run `trainproof sync` first, or set KNOWBE4_API_KEY",
        )

    async def fetch() -> list[tuple[int, str | None]]:
        async with KnowBe4Client(cfg) as kb4:
            return await live_names(kb4)

    return anyio.run(fetch)


def _source(cfg: Settings) -> str:
    return str(cfg.config_path or "trainproof.toml")


# -- output ------------------------------------------------------------------------------------------------


def print_preview(preview: SelectionPreview) -> None:
    """The change in words, the people whose state would change, and who stays compliant by a kept record."""
    from trainproof.cli._output import render
    from trainproof.text import terminal_text

    out = sys.stdout.write
    for t in preview.changes:
        out(f"{t.key} ({terminal_text(t.title)}): {_what(t.change)}\n")
        for label in t.added:
            out(f"  + {terminal_text(label.name)} (id {label.campaign_id})\n")
        for label in t.removed:
            out(f"  - {terminal_text(label.name)} (id {label.campaign_id})\n")
        if t.before or t.after:
            out(f"  {_figures(t.before, t.after)}\n")
    if preview.as_of is not None and preview.changes:
        out(f"people whose state would change: {len(preview.flips)}\n")
    if preview.flips:
        rows = [_person(f.to_dict()) | {"before -> after": f"{f.before} -> {f.after}"} for f in preview.flips[:SHOWN]]
        render(rows, "table", columns=["email", "name", "training", "before -> after"])
        _more(len(preview.flips))
    if preview.kept:
        out(
            f"{len(preview.kept)} person(s) stay compliant by a kept record though the new selection judges them "
            "otherwise (Drata keeps compliance once earned):\n"
        )
        rows = [
            _person(k.to_dict())
            | {
                "since": k.compliant_since.date().isoformat() if k.compliant_since else "",
                "new selection": k.from_data,
            }
            for k in preview.kept[:SHOWN]
        ]
        render(rows, "table", columns=["email", "name", "training", "since", "new selection"])
        _more(len(preview.kept))
        for key in dict.fromkeys(k.training for k in preview.kept):
            out(f"  to judge them by the new selection: trainproof reset EMAIL... --training {key} (--dry-run first)\n")
    for note in preview.notes:
        out(f"note: {terminal_text(note)}\n")


def _more(count: int) -> None:
    if count > SHOWN:
        sys.stdout.write(f"  ... and {count - SHOWN} more (--format json lists everyone)\n")


def _person(d: dict[str, Any]) -> dict[str, Any]:
    return {"email": d["email"], "name": d["name"], "training": d["training"]}


def _what(change: str) -> str:
    return {
        "added": "new training",
        "removed": "training removed",
        "changed": "campaigns or settings change",
    }.get(change, change)


def _figures(before: Any, after: Any) -> str:
    def side(f: Any, name: str) -> str:
        return "-" if f is None else str(getattr(f, name))

    people = (after or before).people
    return (
        f"{people} people in scope; enrolled in a selected campaign {side(before, 'covered')} -> "
        f"{side(after, 'covered')}; compliant {side(before, 'compliant')} -> {side(after, 'compliant')}"
    )


def _print_views(views: tuple[TrainingView, ...]) -> None:
    from trainproof.text import terminal_text

    out = sys.stdout.write
    if not views:
        out("no training is configured: `trainproof trainings add KEY` or `trainproof init`\n")
    for v in views:
        out(f"{v.key} ({terminal_text(v.title)}): renewal {v.renewal}, new-hire grace ")
        out(f"{v.grace_days} days\n" if v.grace_days is not None else "none\n")
        for c in v.campaigns:
            out(f"  {terminal_text(c.name)} (id {c.campaign_id})\n")
        if not v.campaigns:
            out(f"  no campaign selected: trainproof trainings select {v.key} CAMPAIGN...\n")
        if v.figures is not None:
            f = v.figures
            out(
                f"  {f.people} people in scope, {f.covered} enrolled in a selected campaign, {f.compliant} compliant"
                f" ({_pct(f.compliant, f.people)})\n"
            )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


__all__ = ["print_preview", "trainings_app"]
