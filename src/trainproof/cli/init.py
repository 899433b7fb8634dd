"""`trainproof init`: the first run, as Drata's KnowBe4 connection drawer does it, from a terminal.

Token (environment or OS keyring, else asked for, hidden, and offered to the keyring: never written
to a file), region (found by asking each KnowBe4 server, see `trainproof.region_discovery`), the
prerequisites (a 403 explains Platinum/Diamond), the campaigns ticked per training (Security
Awareness, HIPAA, AI Awareness, and any custom one), who each training would cover and who is compliant
now, renewal and new-hire grace, then trainproof.toml written (`trainproof.trainings_file`) and the first
sync offered. Without a terminal every answer comes from options, and `--yes` is required.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trainproof.cli._app import app, config_option
from trainproof.errors import ConfigError

if TYPE_CHECKING:
    from trainproof.campaign_list import CampaignListing
    from trainproof.config import Secret, Settings
    from trainproof.selection import Catalog
    from trainproof.trainings_file import TrainingsFile

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_NON_INTERACTIVE = (
    "init asks its questions on a terminal; without one pass --region REGION, --select KEY=CAMPAIGNS "
    "(repeatable), --renew-every-days N or --renew-on MM-DD, --grace-days N, and --yes"
)


@app.command("init")
def init_command(
    region: Annotated[
        str | None, typer.Option("--region", help="KnowBe4 region: us, eu, ca, uk or de (default: found by asking).")
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="KEY=CAMPAIGNS: a training and its campaign ids or exact names, comma-separated (repeatable).",
        ),
    ] = None,
    renew_every_days: Annotated[
        int | None, typer.Option("--renew-every-days", help="Compliance renews N days after completion.", min=1)
    ] = None,
    renew_on: Annotated[
        str | None, typer.Option("--renew-on", help="Compliance renews each year on this date (MM-DD).")
    ] = None,
    grace_days: Annotated[
        int | None, typer.Option("--grace-days", help="New hires have N days before they count as late.", min=0)
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Answer from the options; ask nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing trainproof.toml.")] = False,
    sync: Annotated[bool, typer.Option("--sync", help="With --yes: run the first sync after writing.")] = False,
) -> None:
    """Create trainproof.toml: token, region, the campaigns each training counts, renewal and grace.

    On a terminal it asks; in scripts and CI give the answers as options with --yes. The token is read
    from KNOWBE4_API_KEY or the OS keyring (or typed, hidden) and never written to the file.

    \b
    Examples:
      trainproof init
      trainproof init --region eu --select security_awareness=101,102 \\
          --select "hipaa=HIPAA 2026" --renew-every-days 365 --grace-days 30 --yes
    """
    path = config_option() or Path("trainproof.toml")
    if path.exists() and not force:
        raise ConfigError(
            f"{path} already exists and is left as it is",
            "`trainproof trainings` changes its campaigns; pass --force to replace it",
        )
    if renew_every_days is not None and renew_on is not None:
        raise ConfigError("give one renewal: --renew-every-days or --renew-on, not both", "e.g. --renew-on 01-15")
    interactive = not yes and sys.stdin.isatty() and sys.stdout.isatty()
    if not interactive and not yes:
        raise ConfigError(_NON_INTERACTIVE)
    if interactive:
        _interactive(path, region)
    else:
        _scripted(path, region, select or [], renew_every_days, renew_on, grace_days, run_sync=sync)


# -- the two ways through --------------------------------------------------------------------------------


def _scripted(
    path: Path,
    region: str | None,
    select: Sequence[str],
    every: int | None,
    on: str | None,
    grace: int | None,
    *,
    run_sync: bool,
) -> None:
    from trainproof.selection import Catalog, parse_ref

    if not select:
        raise ConfigError("no --select given", "e.g. --select security_awareness=101,102 (campaign ids or exact names)")
    base = _environment_settings()
    token = base.token
    if token is None:
        raise ConfigError("no KnowBe4 API token", "set KNOWBE4_API_KEY (init never writes the token to a file)")
    cfg, region_key = _connect(base, token, region)
    campaigns = _campaigns(cfg)
    catalog = Catalog.of((c.campaign_id, c.name) for c in campaigns)
    chosen: dict[str, list[int]] = {}
    for item in select:
        key, sep, refs = item.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key) or not refs.strip():
            raise ConfigError(
                f"--select {item[:60]!r} is not KEY=CAMPAIGNS",
                'e.g. --select security_awareness=101,102 or --select "hipaa=HIPAA 2026"',
            )
        ids = chosen.setdefault(key, [])
        for ref in refs.split(","):
            cid = catalog.resolve(key, parse_ref(ref.strip()))
            if cid not in ids:
                ids.append(cid)
    file = _build(path, region_key, chosen, catalog, {}, every=every, on=on, grace=grace)
    _show_coverage(cfg, file)
    file.save()
    sys.stderr.write(f"wrote {path} (the token is not in it)\n")
    if run_sync:
        _first_sync(cfg, file)
    _next_steps(token_kept=True, synced=run_sync)


def _interactive(path: Path, region: str | None) -> None:
    import questionary

    from trainproof.compliance.trainings import KNOWN_TRAININGS
    from trainproof.selection import Catalog

    base = _environment_settings()
    token, token_kept = (base.token, True) if base.token is not None else _ask_token()
    cfg, region_key = _connect(base, token, region)
    campaigns = _campaigns(cfg)
    catalog = Catalog.of((c.campaign_id, c.name) for c in campaigns)
    sys.stderr.write(
        f"{len(campaigns)} training campaign(s). Tick the ones that count for each training "
        "(type to filter, space to tick, enter when done; tick none to leave a training out).\n"
    )
    chosen: dict[str, list[int]] = {}
    titles: dict[str, str] = {}
    for key, title in KNOWN_TRAININGS.items():
        ticked = _tick(title, campaigns)
        if ticked:
            chosen[key] = ticked
    while True:
        key = questionary.text(
            "Another training to add? Its key, e.g. gdpr_awareness (empty when done):",
            validate=_optional_key,
        ).unsafe_ask()
        key = key.strip()
        if not key:
            break
        titles[key] = questionary.text("Its title:", default=key.replace("_", " ").title()).unsafe_ask().strip()
        ticked = _tick(titles[key] or key, campaigns)
        if ticked:
            chosen[key] = ticked
    if not chosen:
        raise ConfigError("no campaign was ticked, so there is nothing to write", "run `trainproof init` again")
    every, on = _ask_renewal()
    grace_text = questionary.text("New-hire grace in days (empty: none):", validate=_optional_days).unsafe_ask()
    grace = int(grace_text) if grace_text.strip() else None
    file = _build(path, region_key, chosen, catalog, titles, every=every, on=on, grace=grace)
    _show_coverage(cfg, file)
    if not questionary.confirm(f"Write {path}?", default=True).unsafe_ask():
        sys.stderr.write(f"{path} not written\n")
        return
    file.save()
    sys.stderr.write(f"wrote {path} (the token is not in it)\n")
    synced = bool(questionary.confirm("Run the first `trainproof sync` now?", default=True).unsafe_ask())
    if synced:
        _first_sync(replace(cfg, token=token), file)
    _next_steps(token_kept=token_kept, synced=synced)


# -- the steps -------------------------------------------------------------------------------------------


def _environment_settings() -> Settings:
    """The environment's settings (token, base URL, store, state folder) without any trainproof.toml:
    the file is what init writes, and an existing one is being replaced."""
    from trainproof.config import load_settings

    return load_settings(os.devnull)


def _ask_token() -> tuple[Secret, bool]:
    """The token typed (hidden), and whether the OS keyring now keeps it."""
    import questionary

    from trainproof.config import KEYRING_SERVICE, KEYRING_USERNAME, Secret

    sys.stderr.write(
        "No KnowBe4 API token in KNOWBE4_API_KEY or the OS keyring. KnowBe4: Account Settings > "
        "Account Integrations > API > Reporting API.\n"
    )
    typed = questionary.password("Reporting API token (hidden):", validate=_some_text).unsafe_ask()
    token = Secret(typed.strip())
    if os.environ.get("TRAINPROOF_NO_KEYRING"):
        return token, False
    if not questionary.confirm("Keep it in the OS keyring (never in a file)?", default=True).unsafe_ask():
        return token, False
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, KEYRING_USERNAME, token.get())
        kept = keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME) == token.get()
    except Exception:  # any keyring backend failure: the token is simply not kept
        kept = False
    sys.stderr.write("kept in the OS keyring\n" if kept else "the OS keyring did not keep it (no usable backend)\n")
    return token, kept


def _connect(base: Settings, token: Secret, region: str | None) -> tuple[Settings, str | None]:
    """Settings pointed at the token's region, after KnowBe4 answered `/v1/account` there.

    --region or KNOWBE4_BASE_URL is checked with one request; otherwise each region is asked in turn.
    Returns the region key to write (None when KNOWBE4_BASE_URL chose the server).
    """
    import anyio

    from trainproof.base_url import REGIONS
    from trainproof.region_discovery import account_at, find_region, region_urls
    from trainproof.text import terminal_text

    def tried(name: str, outcome: str) -> None:
        sys.stderr.write(f"  {name}: {outcome}\n")

    if region is not None:
        key = region.strip().lower()
        if key not in REGIONS:
            raise ConfigError(f"unknown KnowBe4 region '{region}'", f"use one of {', '.join(REGIONS)}")
        url, written = region_urls(os.environ).get(key, REGIONS[key]), key
        account = anyio.run(account_at, base, url, token)
    elif os.environ.get("KNOWBE4_BASE_URL"):
        url, written = base.base_url, None
        account = anyio.run(account_at, base, url, token)
    else:
        urls = region_urls(os.environ)
        sys.stderr.write("finding the token's KnowBe4 region:\n")
        found = anyio.run(find_region, base, token, urls, tried)
        url, written = found.base_url, found.region
        account = found.account
    where = f"region {written}" if written else terminal_text(url)
    level = f", {terminal_text(account.subscription_level)}" if account.subscription_level else ""
    sys.stderr.write(f"KnowBe4 account {terminal_text(account.name or '?')} ({where}{level})\n")
    return replace(base, base_url=url, region=written or base.region, token=token), written


def _campaigns(cfg: Settings) -> list[CampaignListing]:
    import anyio

    from trainproof.campaign_list import live_campaigns
    from trainproof.client import KnowBe4Client

    async def fetch() -> list[CampaignListing]:
        async with KnowBe4Client(cfg) as kb4:
            return await live_campaigns(kb4, {})

    campaigns = anyio.run(fetch)
    if not campaigns:
        raise ConfigError(
            "this KnowBe4 account has no training campaign",
            "create one in KnowBe4 (Drata needs one Created, Pending, In Progress, Active, Canceled or Closed)",
        )
    return campaigns


def _tick(title: str, campaigns: Sequence[CampaignListing]) -> list[int]:
    import questionary

    from trainproof.text import terminal_text

    choices = [
        questionary.Choice(
            title=terminal_text(
                f"{c.name} [{c.status or '?'}] {c.content} item(s)"
                + (f", ends {c.end_date.date().isoformat()}" if c.end_date else "")
                + f" (id {c.campaign_id})"
            ),
            value=c.campaign_id,
        )
        for c in campaigns
    ]
    picked = questionary.checkbox(
        f"Campaigns for {terminal_text(title)}:", choices=choices, use_search_filter=True, use_jk_keys=False
    ).unsafe_ask()
    return [int(v) for v in picked]


def _ask_renewal() -> tuple[int | None, str | None]:
    import questionary

    from trainproof.compliance.deadline import AnnualDate

    how = questionary.select(
        "How does compliance renew?",
        choices=["never (kept until a reset)", "N days after completion", "a fixed date each year"],
    ).unsafe_ask()
    if how.startswith("N days"):
        days = questionary.text("Days after completion:", default="365", validate=_positive_days).unsafe_ask()
        return int(days), None
    if how.startswith("a fixed"):
        on = questionary.text(
            "Renewal date each year (MM-DD):",
            validate=_month_day,
        ).unsafe_ask()
        return None, str(AnnualDate.parse(on))
    return None, None


def _build(
    path: Path,
    region: str | None,
    chosen: dict[str, list[int]],
    catalog: Catalog,
    titles: dict[str, str],
    *,
    every: int | None,
    on: str | None,
    grace: int | None,
) -> TrainingsFile:
    from trainproof.trainings_file import TrainingsFile

    file = TrainingsFile.new(path)
    if region is not None:
        file.set_value("knowbe4", "region", region)
    for key, ids in chosen.items():
        file.add_training(key, title=titles.get(key))
        file.select(key, ids, names={cid: catalog.name(cid) for cid in ids})
        file.set_renewal(key, every_days=every, on=on)
        file.set_grace(key, grace)
    file.trainings()  # an impossible --renew-on or key fails here, before anything is fetched or written
    return file


def _show_coverage(cfg: Settings, file: TrainingsFile) -> None:
    from trainproof.selection_preview import coverage_before_sync
    from trainproof.text import terminal_text

    sys.stderr.write("reading the enrollments of the ticked campaigns to show coverage...\n")
    for view in coverage_before_sync(cfg, file.raw()):
        f = view.figures
        if f is None:
            continue
        share = f"{100 * f.compliant / f.people:.0f}%" if f.people else "-"
        sys.stderr.write(
            f"  {view.key} ({terminal_text(view.title)}): {len(view.campaigns)} campaign(s), renewal {view.renewal}; "
            f"covers {f.covered} of {f.people} people, {f.compliant} compliant now ({share})\n"
        )


def _first_sync(cfg: Settings, file: TrainingsFile) -> None:
    from trainproof.judging import keep_after_sync
    from trainproof.sync import run_sync

    settings = replace(cfg, raw=file.raw(), config_path=file.path)
    sys.stderr.write("running the first sync...\n")
    report = run_sync(settings)
    _judged, kept, problem = keep_after_sync(settings)
    if problem:
        sys.stderr.write(f"warning: {problem}\n")
    sys.stdout.write(report.summary() + "\n")
    if kept:
        sys.stderr.write(f"kept {kept} newly earned compliance record(s) (sticky)\n")


def _next_steps(*, token_kept: bool, synced: bool) -> None:
    lines: list[str] = []
    if not token_kept:
        lines.append("the token is not stored: set KNOWBE4_API_KEY before the next command")
    if not synced:
        lines.append("next: trainproof sync, then trainproof status")
    else:
        lines.append("next: trainproof status (and `trainproof sync` nightly)")
    sys.stderr.write("\n".join(lines) + "\n")


# -- answers a prompt accepts (True, or what to type instead) -------------------------------------------------


def _optional_key(text: str) -> bool | str:
    return not text.strip() or bool(_KEY.match(text.strip())) or "letters, digits, _ or -, starting with a letter"


def _optional_days(text: str) -> bool | str:
    return not text.strip() or text.strip().isdigit() or "a whole number of days, or empty"


def _positive_days(text: str) -> bool | str:
    return (text.strip().isdigit() and int(text) > 0) or "a whole number of days, e.g. 365"


def _month_day(text: str) -> bool | str:
    from trainproof.compliance.deadline import AnnualDate

    return AnnualDate.parse(text) is not None or "a month and day, e.g. 01-15"


def _some_text(text: str) -> bool | str:
    return bool(text.strip()) or "paste the token"
