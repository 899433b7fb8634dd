"""The two places an answer can come from, behind one interface: the local store or the live API.

Tools ask a `Backend` for KnowBe4 records as the client's own models (`TrainingCampaign`, `Enrollment`,
...) and never know which one answered; each call gets an `Answer` that counts the API requests spent
and remembers how fresh the data is, so every result can say where it came from and as of when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from trainproof.client.models import Enrollment, Policy, StorePurchase, TrainingCampaign
from trainproof.mcp_server.models import SourceInfo

SourceKind = Literal["store", "live"]


@dataclass
class Answer:
    """Book-keeping for one tool call: requests spent and the oldest data used."""

    kind: SourceKind
    as_of: datetime
    account: str
    requests: int = 0
    notes: list[str] = field(default_factory=list[str])

    def saw(self, fetched_at: datetime) -> None:
        """Record that data fetched at `fetched_at` went into this answer (a cached page is older)."""
        self.as_of = min(self.as_of, fetched_at)

    def source(self) -> SourceInfo:
        return SourceInfo(
            source=self.kind,
            account=self.account,
            as_of=self.as_of,
            requests_made=self.requests,
            note=" ".join(self.notes) or None,
        )


class Backend(Protocol):
    """KnowBe4 records from the store or the API; `None` means "no such object"."""

    kind: SourceKind

    def begin(self) -> Answer: ...

    async def campaigns(self, ans: Answer) -> list[TrainingCampaign]: ...

    async def campaign(self, ans: Answer, campaign_id: int) -> TrainingCampaign | None: ...

    async def completion_percentages(self, ans: Answer, campaign_ids: list[int]) -> dict[int, float]:
        """Completion percentage per campaign where it is known without extra API requests."""
        ...

    async def enrollments(self, ans: Answer, campaign_id: int) -> list[Enrollment]:
        """Every enrollment of a campaign, in enrollment_id order."""
        ...

    async def enrollments_page(
        self, ans: Answer, campaign_id: int, page: int, per_page: int, accepted: frozenset[str] | None
    ) -> tuple[list[Enrollment], int | None, bool]:
        """One page of a campaign's enrollments (status in `accepted` when given), in enrollment_id order.

        Returns (rows, total or None when unknown without reading everything, whether there is more).
        """
        ...

    async def enrollment(self, ans: Answer, enrollment_id: int) -> Enrollment | None: ...

    async def store_purchases(self, ans: Answer) -> list[StorePurchase]: ...

    async def store_purchase(self, ans: Answer, store_purchase_id: int) -> StorePurchase | None: ...

    async def policies(self, ans: Answer) -> list[Policy]: ...

    async def policy(self, ans: Answer, policy_id: int) -> Policy | None: ...
