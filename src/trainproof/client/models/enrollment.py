"""GET /v1/training/enrollments[/{enrollment_id}]: one person's progress on one module of one campaign."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from trainproof.client.models._base import ApiModel, IntStr, OptInstant
from trainproof.client.models.content import module_key_for
from trainproof.statuses import EnrollmentState, enrollment_state, is_complete

__all__ = ["Enrollment", "EnrollmentUser"]


class EnrollmentUser(ApiModel):
    """The user embedded in an enrollment; `employee_number` only with `include_employee_number=true`."""

    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    employee_number: IntStr = None


class Enrollment(ApiModel):
    """A training enrollment.

    `user` may be null (deleted users) and one user can hold several enrollments for the same module,
    so `enrollment_id` is the only key. `campaign_id` and `store_purchase_id` are present only when the
    request asked for them (`include_campaign_id`, `include_store_purchase_id`).
    """

    enrollment_id: int
    content_type: str | None = None
    module_name: str | None = None
    user: EnrollmentUser | None = None
    campaign_name: str | None = None
    campaign_id: int | None = None
    store_purchase_id: int | None = Field(
        default=None, validation_alias=AliasChoices("store_purchase_id", "store_purchased_id")
    )
    enrollment_date: OptInstant = None
    start_date: OptInstant = None
    completion_date: OptInstant = None
    status: str | None = None
    time_spent: int | None = None
    policy_acknowledged: bool | None = None
    score: float | None = None

    @property
    def state(self) -> EnrollmentState:
        """KnowBe4's enrollment status word for `status` ("unknown" for a string KnowBe4 adds later)."""
        return enrollment_state(self.status)

    @property
    def is_complete(self) -> bool:
        return is_complete(self.status)

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def module_key(self) -> str:
        """ "store_purchase:<id>" when the purchase id is known, else "<content_type>:<module_name>"."""
        return module_key_for(
            store_purchase_id=self.store_purchase_id,
            policy_id=None,
            content_type=self.content_type,
            name=self.module_name,
        )
