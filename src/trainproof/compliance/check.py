"""`trainproof check`: the trainings configuration against the campaigns in the store, and Drata's prerequisites.

Returns problems rather than raising, so the CLI can print all of them at once. Errors make
compliance answers wrong or empty; warnings are worth reading but change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from trainproof.compliance.deadline import CampaignDeadline
from trainproof.compliance.engine import Evaluation
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person
from trainproof.compliance.trainings import TrainingsConfig
from trainproof.selection import Catalog, SelectionError
from trainproof.statuses import SELECTABLE_CAMPAIGN_STATUSES, is_finished_campaign, is_selectable_campaign

Severity = Literal["error", "warning"]

_SELECTABLE_TEXT = ", ".join(SELECTABLE_CAMPAIGN_STATUSES)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing `trainproof check` found wrong (error) or worth a look (warning), as one line and as data."""

    severity: Severity
    code: str  # stable identifier, e.g. "unknown_campaign_id"
    message: str  # one line: what is wrong and what to do
    training: str | None = None
    campaign: int | str | None = None
    count: int | None = None  # data problems: how many rows
    examples: tuple[dict[str, Any], ...] = ()  # data problems: a few of those rows, as data

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "training": self.training,
            "campaign": self.campaign,
            "message": self.message,
            "count": self.count,
            "examples": list(self.examples),
        }


def check(trainings_config: TrainingsConfig, campaigns: Sequence[Campaign]) -> tuple[Finding, ...]:
    """Every problem with `trainings_config` given the campaigns in the store, errors first."""
    problems: list[Finding] = []
    catalog = Catalog.of((c.campaign_id, c.name) for c in campaigns)
    by_id = {c.campaign_id: c for c in campaigns}

    if not campaigns:
        problems.append(
            Finding(
                "error", "no_campaigns_in_store", "the store holds no training campaigns: run `trainproof sync` first"
            )
        )
    elif not any(is_selectable_campaign(c.status) for c in campaigns):
        problems.append(
            Finding(
                "error",
                "no_allowed_campaign",
                f"no training campaign in KnowBe4 is in a status Drata lets a training select ({_SELECTABLE_TEXT}): "
                "create or start a training campaign",
            )
        )
    if not trainings_config.trainings:
        problems.append(
            Finding(
                "error",
                "no_trainings",
                "trainproof.toml configures no training: add [trainings.security_awareness] with campaigns = [...]",
            )
        )

    for t in trainings_config.trainings:
        where = f"[trainings.{t.key}]"
        if not t.campaigns:
            problems.append(
                Finding(
                    "error",
                    "training_without_campaign",
                    f"{where} selects no campaign, so nobody can be compliant for {t.title}: "
                    'add campaigns = [101, "Campaign name"]',
                    t.key,
                )
            )
        seen: dict[int, int | str] = {}
        for ref in t.campaigns:
            try:
                cid = catalog.resolve(t.key, ref)
            except SelectionError as exc:  # the same line `status` and `sync` fail with
                problems.append(Finding("error", exc.code, exc.message, t.key, ref))
                continue
            campaign = by_id[cid]
            if cid in seen:
                problems.append(
                    Finding(
                        "warning",
                        "campaign_selected_twice",
                        f"{where} campaigns: {ref!r} and {seen[cid]!r} are the same campaign (id {cid}): list it once",
                        t.key,
                        ref,
                    )
                )
                continue
            seen[cid] = ref
            if not is_selectable_campaign(campaign.status):
                problems.append(
                    Finding(
                        "error",
                        "campaign_status_not_allowed",
                        f"{where} campaign {_quoted(campaign.name)} (id {cid}) is "
                        f"{_quoted(campaign.status) if campaign.status else 'without a status'}; Drata lets a "
                        f"training select only {_SELECTABLE_TEXT}: select a campaign in one of those statuses",
                        t.key,
                        cid,
                    )
                )
    problems.extend(unreadable_durations(campaigns))
    problems.sort(key=lambda p: p.severity != "error")
    return tuple(problems)


def unreadable_durations(campaigns: Sequence[Campaign]) -> list[Finding]:
    """Relative End Date campaigns whose duration cannot be read, so their enrollments have no deadline.

    Every campaign, not only the selected ones: the reminders, overdue and campaigns reports read them all.
    """
    problems: list[Finding] = []
    for c in campaigns:
        text = CampaignDeadline.of(c.duration_type, c.end_date, c.relative_duration).unreadable
        if text is None:
            continue
        problems.append(
            Finding(
                "warning",
                "unreadable_relative_duration",
                f"campaign {_quoted(c.name)} (id {c.campaign_id}) has the relative duration {_quoted(text)}, "
                "which is no readable time (e.g. '2 weeks', '1 month', '10 business days'), so its enrollments "
                "have no deadline: nobody is late, overdue or reminded there; correct it in KnowBe4",
                campaign=c.campaign_id,
            )
        )
    return problems


_EXAMPLES = 3  # rows named in a data problem's message; `--format json` lists the same ones
_TEXT_CAP = 60  # characters of a name from KnowBe4 quoted in a message


def data_problems(evaluation: Evaluation, campaigns: Sequence[Campaign]) -> tuple[Finding, ...]:
    """What KnowBe4's data says that the configuration alone cannot: selected campaigns that ended with
    people still incomplete (`ended_with_incomplete`), and rows with dates the decisions cannot trust, as
    warnings naming a few of them.

    A completion dated after now does not count; one dated before 1970, before its enrollment or before
    its campaign started counts (the rule looks at status and date only) but is named. The rows stay in
    the store as KnowBe4 sent them; these problems say what is odd and where to correct it.
    `evaluation` must be a current one (as of now): the store hides later completions from a
    point-in-time evaluation, so it has none to report.
    """
    problems = ended_with_incomplete(evaluation, campaigns)
    people = {p.user_id: p for p in evaluation.population}
    people.update((x.person.user_id, x.person) for x in evaluation.excluded)
    names = {c.campaign_id: c.name for c in campaigns}
    future = evaluation.future_completions
    if future:
        n = len(future)
        examples = tuple(_example(e, people, names) for e in future[:_EXAMPLES])
        problems.append(
            Finding(
                "warning",
                "completion_after_now",
                f"{n} completion{'' if n == 1 else 's'} in the selected campaigns "
                f"{'is' if n == 1 else 'are'} dated after now ({_instant(evaluation.as_of)}), so "
                f"{'it does' if n == 1 else 'they do'} not count: {_listed(examples, n)}; correct the date in "
                "KnowBe4 (trainproof keeps the row as received)",
                count=n,
                examples=examples,
            )
        )
    # Odd dates among the completions that do count: kept (the rule counts a completion dated by the as-of
    # instant, as Drata does) but named, so that nobody relies on them without looking.
    starts = {c.campaign_id: c.start_date for c in campaigns}
    odd: dict[str, list[EnrollmentFact]] = {code: [] for code in _ODD}
    for e in evaluation.counted_completions:
        done = e.completion_date
        if done is None:  # pragma: no cover - a counted completion is dated
            continue
        start = starts.get(e.campaign_id)
        if done < _PLACEHOLDER:
            odd["completion_placeholder_date"].append(e)
        elif e.enrollment_date is not None and done < e.enrollment_date:
            odd["completion_before_enrollment"].append(e)
        elif start is not None and done < start:
            odd["completion_before_campaign_start"].append(e)
    for code, rows in odd.items():
        if rows:
            n = len(rows)
            examples = tuple(_example(e, people, names) for e in rows[:_EXAMPLES])
            problems.append(
                Finding(
                    "warning",
                    code,
                    f"{n} counted completion{'' if n == 1 else 's'} {'is' if n == 1 else 'are'} dated {_ODD[code]}: "
                    f"{_listed(examples, n)}; {'it counts' if n == 1 else 'they count'} as KnowBe4 sent "
                    f"{'it' if n == 1 else 'them'}: check the date in KnowBe4",
                    count=n,
                    examples=examples,
                )
            )
    return tuple(problems)


def ended_with_incomplete(evaluation: Evaluation, campaigns: Sequence[Campaign]) -> list[Finding]:
    """Selected campaigns that have ended (a finished status, or a Specific End Date passed) while people
    in them still have modules outstanding: a warning, since Drata lets a training select any of them.

    Under Drata's rule those people stay incomplete for every training selecting the campaign until
    they complete it, so the lead should know before an auditor asks.
    """
    by_id = {c.campaign_id: c for c in campaigns}
    incomplete = evaluation.incomplete_by_campaign()
    as_of = evaluation.as_of
    problems: list[Finding] = []
    for t in evaluation.trainings_config.trainings:
        for cid in t.campaign_ids:
            c, n = by_id.get(cid), incomplete.get(cid, 0)
            if c is None or not n:
                continue
            end = CampaignDeadline.of(c.duration_type, c.end_date, c.relative_duration).end
            if is_finished_campaign(c.status):
                how = f"is {_quoted(c.status or '')}"
            elif end is not None and end <= as_of:
                how = f"ended on {_instant(end)}"
            else:
                continue
            problems.append(
                Finding(
                    "warning",
                    "ended_campaign_incomplete",
                    f"[trainings.{t.key}] campaign {_quoted(c.name)} (id {cid}) {how} with {n} "
                    f"{'person' if n == 1 else 'people'} still incomplete in it, who stay incomplete for "
                    f"{t.title} while it is selected: enrol them in an open campaign, or unselect it if it "
                    "should no longer count",
                    t.key,
                    cid,
                    count=n,
                )
            )
    return problems


_PLACEHOLDER = datetime(1970, 1, 1, tzinfo=UTC)  # 0001-01-01 or 1900-01-01 stand for "unknown", not a day
_ODD = {
    "completion_placeholder_date": "before 1970 (a placeholder such as 0001-01-01, not a real day)",
    "completion_before_enrollment": "before the enrollment it completes",
    "completion_before_campaign_start": "before its campaign started",
}


def _example(e: EnrollmentFact, people: dict[int, Person], names: dict[int, str]) -> dict[str, Any]:
    person = people.get(e.user_id) if e.user_id is not None else None
    return {
        "enrollment_id": e.enrollment_id,
        "user_id": e.user_id,
        "email": person.email if person is not None else None,
        "name": person.name if person is not None else None,
        "campaign_id": e.campaign_id,
        "campaign": names.get(e.campaign_id),
        "module": e.module_name,
        "status": e.status,
        "enrollment_date": e.enrollment_date,
        "completion_date": e.completion_date,
    }


def _listed(examples: Sequence[dict[str, Any]], count: int) -> str:
    """'enrollment 12 of 'bob@x' in 'Campaign A' completed 9999-12-31, ...': names quoted as data (repr)."""
    parts: list[str] = []
    for x in examples:
        who = _quoted(x["email"]) if x["email"] is not None else f"user {x['user_id']}"
        where = _quoted(x["campaign"]) if x["campaign"] is not None else f"campaign {x['campaign_id']}"
        done, enrolled = x["completion_date"], x["enrollment_date"]
        text = f"enrollment {x['enrollment_id']} of {who} in {where} completed {_instant(done)}"
        if done is not None and enrolled is not None and done < enrolled:
            text += f" (enrolled {_instant(enrolled)})"
        parts.append(text)
    more = count - len(examples)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _quoted(text: str) -> str:
    """A name from KnowBe4 as a Python literal: control characters escaped, long text cut."""
    return repr(text if len(text) <= _TEXT_CAP else text[: _TEXT_CAP - 1] + "…")


def _instant(value: datetime | None) -> str:
    if value is None:
        return "without a date"
    if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()
    return f"{value.date().isoformat()} {value:%H:%M} UTC"  # isoformat pads year 1 as 0001; %Y does not
