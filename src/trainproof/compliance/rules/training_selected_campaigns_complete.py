"""Drata's rule: complete every selected campaign you are enrolled in, in at least one.

This module holds the rule's definitions (enrolled, complete, late) and the single pass over the
enrollments that applies them; the engine only orchestrates. The pass is the hot loop of a
100,000-person evaluation, so it touches each enrollment once, keys groups by one integer per
(user, campaign) and never parses a date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trainproof.compliance.deadline import CampaignDeadline
from trainproof.compliance.decision import CampaignResult
from trainproof.compliance.facts import Campaign, EnrollmentFact
from trainproof.compliance.rules._metadata import DRATA_ARTICLE, RuleMetadata
from trainproof.statuses import is_complete

METADATA = RuleMetadata(
    id="training_selected_campaigns_complete",
    title="Every selected campaign a person is enrolled in is complete, and they are enrolled in at least one",
    rationale=(
        "Drata documents: each individual is required to complete all the selected campaigns they are enrolled "
        "in to count towards completion of the training; campaigns that are not selected are ignored, and "
        "a campaign selected for several trainings counts for each."
    ),
    auditor_text=(
        "A person is enrolled in a campaign when KnowBe4 lists at least one enrollment of theirs in it. A "
        "campaign is complete for them when every module (store purchase or uploaded policy) they are "
        "enrolled in within it has at least one enrollment with status Completed or Passed and a completion "
        "date on or before the as-of date (a later date, such as 9999-12-31, never counts); Not Started, In "
        "Progress, Past Due and unrecognised statuses do not count. A person is compliant when enrolled in at "
        "least one selected campaign and every such campaign is complete. Completions after the campaign's "
        "deadline count and are flagged late."
    ),
    remediation=(
        "Remind the person to finish the outstanding modules listed in the decision, or enrol them in the "
        "training's campaigns if they are enrolled in none."
    ),
    source=f"{DRATA_ARTICLE}, 'How Drata Determines Training Compliance'",
)


@dataclass(frozen=True, slots=True)
class CampaignInfo:
    """What the rule needs to know about a selected campaign: its name and its deadline."""

    campaign_id: int
    name: str
    rule: CampaignDeadline = field(default_factory=lambda: CampaignDeadline("none"))

    @classmethod
    def of(cls, campaign_id: int, campaign: Campaign | None) -> CampaignInfo:
        if campaign is None:
            return cls(campaign_id, f"campaign {campaign_id}")
        rule = CampaignDeadline.of(campaign.duration_type, campaign.end_date, campaign.relative_duration)
        return cls(campaign_id, campaign.name, rule)

    @property
    def end_date(self) -> datetime | None:
        """The end date that applies to everyone (Specific End Date campaigns), else None."""
        return self.rule.end

    @property
    def relative(self) -> bool:
        """True when each enrollment has its own deadline (Relative End Date campaigns)."""
        return self.rule.duration is not None

    def deadline(self, enrollment: EnrollmentFact) -> datetime | None:
        """The enrollment's deadline (`trainproof.compliance.deadline`)."""
        return self.rule.due(enrollment.enrollment_date)


@dataclass(frozen=True, slots=True)
class Groups:
    """The enrollments of selected campaigns grouped by (user, campaign), as `collect` found them.

    Group keys are `user * n + i` for the campaign of index i. For each module the user is enrolled in
    within the campaign, `modules[key]` holds the position in `kept` of the completion that counts (the
    earliest), or, while none does, a negative `~position` in `waiting` of the module's earliest
    enrollment (the one its deadline counts from). Positions rather than the facts themselves keep these
    300,000 small dicts free of references, so Python's cyclic garbage collector never has to walk them.
    """

    n: int
    modules: dict[int, dict[str, int]]
    kept: list[EnrollmentFact]  # the counted completions
    names: dict[str, str]  # display names of modules seen outstanding
    future: list[EnrollmentFact] = field(default_factory=list[EnrollmentFact])  # completions dated after as_of
    waiting: list[EnrollmentFact] = field(default_factory=list[EnrollmentFact])  # outstanding modules' enrollments


@dataclass(frozen=True, slots=True)
class Summaries:
    """Every group judged: the only place a campaign is found complete, when, and late.

    `done[key]` is False while a module is outstanding, else when the campaign was completed (the
    latest module's first completion; True when no completion date is known). `late` holds the keys
    of complete groups completed after the campaign's deadline. `due` holds, for outstanding groups of
    Relative End Date campaigns, the earliest deadline of their outstanding modules (a Specific End
    Date campaign's is its end date). Flat dicts of integers and dates, so no object per group and
    nothing for the garbage collector to walk.
    """

    done: dict[int, datetime | bool]
    late: set[int]
    due: dict[int, datetime] = field(default_factory=dict[int, datetime])


def collect(enrollments: Iterable[EnrollmentFact], index: Mapping[int, int], as_of: datetime) -> Groups:
    """Group the enrollments of selected campaigns by (user, campaign) in one pass.

    `index` maps each selected campaign id to a small integer i (see `Groups`). Null users,
    enrollments removed from KnowBe4 by `as_of` and enrollments made after `as_of` are skipped; a
    completion counts only when dated by `as_of`. A completion dated later (9999-12-31 from a
    broken import, or a clock ahead) leaves the module outstanding and is listed in `Groups.future`,
    so `trainproof check` can name it: the comparison is the one this pass already makes.
    """
    n = len(index) or 1
    groups: dict[int, dict[str, int]] = {}
    kept: list[EnrollmentFact] = []
    names: dict[str, str] = {}
    future: list[EnrollmentFact] = []
    waiting: list[EnrollmentFact] = []
    complete_cache: dict[str | None, bool] = {}
    get_index = index.get
    get_group = groups.get
    keep, wait = kept.append, waiting.append
    for e in enrollments:
        i = get_index(e.campaign_id)
        if i is None:
            continue
        uid = e.user_id
        if uid is None:
            continue
        removed = e.removed_at
        if removed is not None and removed <= as_of:
            continue
        enrolled = e.enrollment_date
        if enrolled is not None and enrolled > as_of:
            continue
        key = uid * n + i
        modules = get_group(key)
        if modules is None:
            modules = groups[key] = {}
        status = e.status
        done = complete_cache.get(status)
        if done is None:
            done = complete_cache[status] = is_complete(status)
        completed = e.completion_date
        module = e.module_key
        if done and completed is not None and completed <= as_of:
            prev = modules.get(module)
            if prev is None or prev < 0 or kept[prev].completion_date > completed:  # pyright: ignore[reportOptionalOperand]  # a counted completion is dated
                modules[module] = len(kept)
                keep(e)
            continue
        if completed is not None and completed > as_of:
            future.append(e)
        if module not in modules:
            modules[module] = ~len(waiting)
            wait(e)
            if module not in names:
                names[module] = e.module_name
        elif enrolled is not None and (prev := modules[module]) < 0:  # a repeat: the deadline counts from the first
            first = waiting[~prev].enrollment_date
            if first is None or enrolled < first:
                waiting[~prev] = e
    return Groups(n, groups, kept, names, future, waiting)


def summarize(groups: Groups, infos: Sequence[CampaignInfo]) -> Summaries:
    """Judge every group: complete when each of its modules has a counted completion; late after the deadline.

    `infos[i]` describes the campaign of index i. Runs once per group (300,000 for a 100,000-person
    tenant), so the loop is flat.
    """
    n = groups.n
    kept, waiting = groups.kept, groups.waiting
    slots = [(info.end_date, info.relative, info) for info in infos]
    done: dict[int, datetime | bool] = {}
    late: set[int] = set()
    due: dict[int, datetime] = {}
    flag_late = late.add
    for key, modules in groups.modules.items():
        end, relative, info = slots[key % n]
        if len(modules) == 1:  # the common single-module campaign, without the loop state
            for at in modules.values():
                if at < 0:
                    done[key] = False
                    if relative and (deadline := info.deadline(waiting[~at])) is not None:
                        due[key] = deadline
                    continue
                fact = kept[at]
                when = fact.completion_date
                done[key] = True if when is None else when
                if when is None:
                    continue
                if end is not None:
                    if when > end:
                        flag_late(key)
                elif relative:
                    deadline = info.deadline(fact)
                    if deadline is not None and when > deadline:
                        flag_late(key)
            continue
        completed_at: datetime | None = None
        is_late = False
        for at in modules.values():
            if at < 0:
                done[key] = False
                if relative:
                    dues = [d for w in modules.values() if w < 0 and (d := info.deadline(waiting[~w])) is not None]
                    if dues:
                        due[key] = min(dues)
                break
            fact = kept[at]
            when = fact.completion_date
            if when is None:  # never from collect(), which only keeps dated completions
                continue
            if completed_at is None or when > completed_at:
                completed_at = when
            if end is not None:
                is_late = is_late or when > end
            elif relative and not is_late:
                deadline = info.deadline(fact)
                is_late = deadline is not None and when > deadline
        else:
            done[key] = True if completed_at is None else completed_at
            if is_late:
                flag_late(key)
    return Summaries(done, late, due)


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Drata's rule for one training, person by person (keys are positions in the population).

    `earned[p]`: enrolled in at least one selected campaign and every one complete: compliant from the
    latest completion. `incomplete[p]`: enrolled, not compliant, and the earliest deadline among the
    outstanding campaigns (an end date, or for a Relative End Date campaign the person's own; None
    without one). People in neither are enrolled in no selected campaign. `late`: a complete campaign
    was completed after its deadline. Flat dicts and sets of integers and dates, like `Summaries`.
    """

    earned: dict[int, datetime]
    incomplete: dict[int, datetime | None]
    late: set[int]


def outcomes(
    uids: Sequence[int], n: int, slots: Sequence[int], infos: Sequence[CampaignInfo], summaries: Summaries
) -> Outcomes:
    """Apply the rule to everyone at once over the judged groups (`slots`: the training's campaign indexes).

    One flat loop over the population per training: it runs 300,000 times for 100,000 people and three
    trainings, so it reads the summaries through bound methods and keeps its state in locals.
    """
    earned: dict[int, datetime] = {}
    incomplete: dict[int, datetime | None] = {}
    late: set[int] = set()
    slot_ends = [(i, infos[i].end_date) for i in slots]
    get_done, get_due, late_keys = summaries.done.get, summaries.due.get, summaries.late
    add_late = late.add
    for p, uid in enumerate(uids):
        base = uid * n
        found = False
        complete = True
        done_at = open_end = None
        for i, end in slot_ends:
            key = base + i
            done = get_done(key)
            if done is None:
                continue
            found = True
            if done is False:
                complete = False
                if end is None:
                    end = get_due(key)
                if end is not None and (open_end is None or end < open_end):
                    open_end = end
                continue
            if key in late_keys:
                add_late(p)
            if done is not True and (done_at is None or done > done_at):
                done_at = done
        if not found:
            continue
        if complete and done_at is not None:
            earned[p] = done_at
        else:
            incomplete[p] = open_end
    return Outcomes(earned, incomplete, late)


@dataclass(frozen=True, slots=True)
class Shared:
    """Identical parts of explained results, kept as one object across `campaign_results` calls."""

    outstanding: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict[tuple[str, ...], tuple[str, ...]])
    # (campaign id, outstanding modules) -> the result of everyone in that campaign with nothing completed
    nothing_done: dict[tuple[int, tuple[str, ...]], CampaignResult] = field(
        default_factory=dict[tuple[int, tuple[str, ...]], CampaignResult]
    )


def campaign_results(
    groups: Groups,
    summaries: Summaries,
    infos: Sequence[CampaignInfo],
    keys: Iterable[int] | None = None,
    shared: Shared | None = None,
) -> dict[int, CampaignResult]:
    """The explained result of each group (all, or those of `keys`): its summary, the outstanding modules and
    the counted completions. Results are immutable, so `shared` lets identical ones be one object."""
    same = Shared() if shared is None else shared
    same_outstanding, nothing_done = same.outstanding, same.nothing_done
    modules_of = groups.modules
    kept, names, n = groups.kept, groups.names, groups.n
    done_of, late_keys = summaries.done, summaries.late
    found: dict[int, CampaignResult] = {}
    items = modules_of.items() if keys is None else ((key, modules_of[key]) for key in keys)
    for key, modules in items:
        info = infos[key % n]
        done = done_of[key]
        if done is not False:  # complete: every module has a counted completion
            if len(modules) == 1:
                evidence = (kept[next(iter(modules.values()))],)
            else:
                evidence = tuple([kept[at] for at in modules.values()])
            completed_at = None if done is True else done
            found[key] = CampaignResult(info.campaign_id, info.name, True, completed_at, key in late_keys, (), evidence)
            continue
        if len(modules) == 1:  # and so outstanding
            module = next(iter(modules))
            outstanding: tuple[str, ...] = (names.get(module, module),)
            evidence = ()
        else:
            outstanding = tuple(sorted([names.get(m, m) for m, at in modules.items() if at < 0]))
            evidence = tuple([kept[at] for at in modules.values() if at >= 0])
        outstanding = same_outstanding.setdefault(outstanding, outstanding)
        if evidence:
            found[key] = CampaignResult(info.campaign_id, info.name, False, None, False, outstanding, evidence)
            continue
        result = nothing_done.get((info.campaign_id, outstanding))
        if result is None:
            result = nothing_done[info.campaign_id, outstanding] = CampaignResult(
                info.campaign_id, info.name, False, None, False, outstanding, ()
            )
        found[key] = result
    return found


@dataclass(frozen=True, slots=True)
class Held:
    """Sticky records' frozen enrollments as groups (one per record and campaign), judged like any other.

    `keys[r]` lists record r's group keys, its campaigns in order of first appearance; `infos[i]`
    describes the campaign of index i; `late` holds the records with a campaign completed late.
    """

    groups: Groups
    summaries: Summaries
    infos: list[CampaignInfo]
    keys: list[list[int]]
    late: set[int]


_RECORD_STRIDE = 1 << 16  # group key of record r in campaign index i: r * stride + i (far more campaigns than used)


def hold(evidence: Sequence[Sequence[EnrollmentFact]], infos: Mapping[int, CampaignInfo]) -> Held:
    """Group and judge the frozen enrollments of many records at once (`evidence[r]` is record r's).

    Within a record, a later enrollment of the same module replaces an earlier one, as when it was kept.
    """
    index: dict[int, int] = {}
    chosen: list[CampaignInfo] = []
    modules: dict[int, dict[str, int]] = {}
    kept: list[EnrollmentFact] = []
    keys: list[list[int]] = []
    get_index, get_group, keep = index.get, modules.get, kept.append
    for r, facts in enumerate(evidence):
        mine: list[int] = []
        base = r * _RECORD_STRIDE
        for fact in facts:
            cid = fact.campaign_id
            i = get_index(cid)
            if i is None:
                i = index[cid] = len(chosen)
                chosen.append(infos.get(cid) or CampaignInfo(cid, f"campaign {cid}"))
            key = base + i
            group = get_group(key)
            if group is None:
                group = modules[key] = {}
                mine.append(key)
            group[fact.module_key] = len(kept)
            keep(fact)
        keys.append(mine)
    if len(chosen) >= _RECORD_STRIDE:  # pragma: no cover - 65,536 campaigns in one tenant's records
        raise ValueError("too many campaigns in the sticky records")
    groups = Groups(_RECORD_STRIDE, modules, kept, {})
    summaries = summarize(groups, chosen)
    return Held(groups, summaries, chosen, keys, {key // _RECORD_STRIDE for key in summaries.late})
