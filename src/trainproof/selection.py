"""Which campaigns a training selects: `[trainings.*] campaigns`, ids or exact names, resolved one way.

`[onboarding] campaigns` (the new-hires report) is resolved the same way.

The sync (whose enrollments to fetch), the compliance decisions (what to judge) and `trainproof check`
all resolve through `Catalog`, so what is fetched is what is judged and the three fail alike. A
reference must select exactly one campaign: a name that matches none or several, and an id that
matches none, is a `SelectionError` (exit 2) naming the training and the reference, with the closest
names or ids as suggestions. An unknown id is refused too, not skipped: it is a typo or another
tenant's id, and skipping it would judge the training on fewer campaigns than configured, silently
(the store keeps the campaigns KnowBe4 deletes, so a real id never goes missing after a sync).

The campaign status does not matter here: Drata lets a training select campaigns in any of its
statuses (see `trainproof.statuses.SELECTABLE_CAMPAIGN_STATUSES`); `check` names the others.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from trainproof.errors import ConfigError

__all__ = ["CampaignRef", "Catalog", "SelectionError", "campaign_refs", "parse_ref"]

CampaignRef = int | str
"""A campaign as trainproof.toml names it: its KnowBe4 id, or its exact name."""

SelectionCode = Literal["unknown_campaign_id", "unknown_campaign_name", "ambiguous_campaign_name"]

_SUGGESTIONS = 3  # closest names or ids offered
_NAME_CAP = 60  # characters of a campaign name quoted in a message (KnowBe4 allows thousands)
_LIST_HINT = "`trainproof api training-campaigns` lists them"


class SelectionError(ConfigError):
    """A `campaigns = [...]` reference that selects no campaign, or several; `table` is where it is written."""

    def __init__(self, code: SelectionCode, table: str, ref: CampaignRef, what: str, todo: str) -> None:
        super().__init__(f"[{table}] campaigns: {what}", todo)
        self.code: SelectionCode = code
        self.table = table
        self.ref = ref


def campaign_refs(where: str, value: object) -> tuple[CampaignRef, ...]:
    """The references of a `campaigns = [...]` value, in order, repeats dropped; a malformed one is a ConfigError.

    `where` names the table in the message, e.g. "[trainings.hipaa]".
    """
    if not isinstance(value, list):
        raise ConfigError(
            f"{where} campaigns must be a list of campaign ids or exact names",
            'write campaigns = [101, "Security Awareness 2026 - Part B"]',
        )
    refs: list[CampaignRef] = []
    for ref in value:  # pyright: ignore[reportUnknownVariableType]
        if isinstance(ref, bool) or not isinstance(ref, int | str):
            raise ConfigError(
                f"{where} campaigns has {ref!r}, which is neither a campaign id nor a name",
                'write ids as numbers and names in quotes, e.g. campaigns = [101, "Annual Training"]',
            )
        if isinstance(ref, int) and ref <= 0:
            raise ConfigError(f"{where} campaigns has the id {ref}", "campaign ids are positive numbers, e.g. 101")
        if isinstance(ref, str) and not ref.strip():
            raise ConfigError(f"{where} campaigns has an empty name", "write the campaign's exact name or its id")
        if ref not in refs:
            refs.append(ref)
    return tuple(refs)


def parse_ref(text: str) -> CampaignRef:
    """A reference typed on a command line: digits are a campaign id, anything else an exact name."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and int(stripped) > 0:
        return int(stripped)
    if not stripped:
        raise ConfigError("an empty campaign reference", "give a campaign id (e.g. 401) or its exact name in quotes")
    return text


def _quoted(name: str, cap: int | None = _NAME_CAP) -> str:
    """A campaign name as data: quoted as a Python literal (controls escaped), a long one from KnowBe4 cut.

    The reference written in trainproof.toml is shown whole (`cap=None`): it is what must be corrected.
    """
    return repr(name if cap is None or len(name) <= cap else name[: cap - 1] + "…")


class Catalog:
    """The training campaigns references are resolved against: id -> name.

    The compliance side passes the store's campaigns (as of the date judged); the sync passes the
    store's campaigns updated with the list it has just fetched, which is what the store holds once
    the sync commits.
    """

    def __init__(self, names: Mapping[int, str | None]) -> None:
        self._names = {cid: name or "" for cid, name in names.items()}
        self._by_name: dict[str, list[int]] = {}
        for cid in sorted(self._names):
            self._by_name.setdefault(self._names[cid], []).append(cid)

    @classmethod
    def of(cls, campaigns: Iterable[tuple[int, str | None]]) -> Catalog:
        return cls(dict(campaigns))

    def resolve(self, training: str, ref: CampaignRef) -> int:
        """The one campaign id `ref` selects for `training`, or a SelectionError."""
        return self.resolve_in(f"trainings.{training}", ref)

    def resolve_in(self, table: str, ref: CampaignRef) -> int:
        """The one campaign id `ref` selects, written in `[table]` (e.g. "onboarding"), or a SelectionError."""
        if isinstance(ref, int):
            if ref in self._names:
                return ref
            raise SelectionError("unknown_campaign_id", table, ref, f"no campaign has id {ref}", self._id_hint(ref))
        found = self._by_name.get(ref, [])
        if len(found) == 1:
            return found[0]
        if found:
            ids = ", ".join(str(cid) for cid in found)
            raise SelectionError(
                "ambiguous_campaign_name",
                table,
                ref,
                f"the name {_quoted(ref, None)} matches {len(found)} campaigns (ids {ids})",
                f"write the id of the one meant instead, e.g. campaigns = [{found[0]}]",
            )
        raise SelectionError(
            "unknown_campaign_name", table, ref, f"no campaign is named {_quoted(ref, None)}", self._name_hint(ref)
        )

    def resolve_all(self, training: str, refs: Sequence[CampaignRef]) -> tuple[int, ...]:
        """Every reference resolved, in order, a campaign selected twice kept once; the first failure raised."""
        return tuple(dict.fromkeys(self.resolve(training, ref) for ref in refs))

    def selecting(self, training: str, refs: Sequence[CampaignRef], campaign_id: int) -> tuple[CampaignRef, ...]:
        """The references among `refs` that select `campaign_id` (an id, or a name only it bears)."""
        found: list[CampaignRef] = []
        for ref in refs:
            try:
                if self.resolve(training, ref) == campaign_id:
                    found.append(ref)
            except SelectionError:
                continue
        return tuple(found)

    def name(self, campaign_id: int) -> str:
        """The campaign's name ("" when KnowBe4 sent none); KeyError for an id not in the catalog."""
        return self._names[campaign_id]

    def problems(self, training: str, refs: Sequence[CampaignRef]) -> list[SelectionError]:
        """Every reference that fails, for `check`, which lists them all (`resolve_all` raises the first)."""
        failed: list[SelectionError] = []
        for ref in refs:
            try:
                self.resolve(training, ref)
            except SelectionError as exc:
                failed.append(exc)
        return failed

    def _label(self, cid: int) -> str:
        return f"{_quoted(self._names[cid])} (id {cid})"

    def _name_hint(self, name: str) -> str:
        if not self._names:
            return _NONE_KNOWN
        folded = [cid for cid, n in self._names.items() if n.casefold() == name.casefold()]
        if len(folded) == 1:
            cid = folded[0]
            return f"write the exact name {_quoted(self._names[cid])} or its id {cid}"
        close = difflib.get_close_matches(name, list(self._by_name), n=_SUGGESTIONS, cutoff=0.6)
        labels = [self._label(cid) for n in close for cid in self._by_name[n]][:_SUGGESTIONS]
        if labels:
            return f"did you mean {_one_of(labels)}? Names must match exactly; {_LIST_HINT}"
        return f"names must match exactly; {_LIST_HINT}"

    def _id_hint(self, cid: int) -> str:
        if not self._names:
            return _NONE_KNOWN
        close = difflib.get_close_matches(str(cid), [str(i) for i in self._names], n=_SUGGESTIONS, cutoff=0.6)
        labels = [self._label(int(i)) for i in close]
        if labels:
            return f"did you mean {_one_of(labels)}? {_LIST_HINT}"
        return f"check the id; {_LIST_HINT}"


_NONE_KNOWN = "no training campaign is known yet: create one in KnowBe4, then run `trainproof sync`"


def _one_of(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
