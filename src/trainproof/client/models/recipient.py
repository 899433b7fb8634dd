"""GET /v1/phishing/security_tests/{pst_id}/recipients[/{recipient_id}]: what each person did."""

from __future__ import annotations

from trainproof.client.models._base import ApiModel, OptInstant
from trainproof.client.models.security_test import TemplateRef

__all__ = ["Recipient", "RecipientUser"]


class RecipientUser(ApiModel):
    id: int | None = None
    provisioning_guid: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class Recipient(ApiModel):
    """One recipient of a security test. Note the API's `qr_code_scanned` (a timestamp without `_at`)."""

    recipient_id: int
    pst_id: int | None = None
    user: RecipientUser | None = None
    template: TemplateRef | None = None
    scheduled_at: OptInstant = None
    delivered_at: OptInstant = None
    opened_at: OptInstant = None
    clicked_at: OptInstant = None
    replied_at: OptInstant = None
    attachment_opened_at: OptInstant = None
    macro_enabled_at: OptInstant = None
    data_entered_at: OptInstant = None
    qr_code_scanned: OptInstant = None
    reported_at: OptInstant = None
    bounced_at: OptInstant = None
    ip: str | None = None
    ip_location: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def failed(self) -> bool:
        """Clicked, opened an attachment, enabled macros, entered data, replied or scanned the QR code."""
        return any(
            t is not None
            for t in (
                self.clicked_at,
                self.attachment_opened_at,
                self.macro_enabled_at,
                self.data_entered_at,
                self.replied_at,
                self.qr_code_scanned,
            )
        )
