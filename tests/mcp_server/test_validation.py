"""Bad input is refused before any tool runs or any request is sent."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from trainproof.config import load_settings
from trainproof.mcp_server import create_server


def _text(result: Any) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, TextContent))


@pytest.fixture
async def client(tmp_path: Any) -> Any:
    # No token and no store: any call that got past validation would fail with the "no token" error.
    env = {"TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}", "TRAINPROOF_STATE_DIR": str(tmp_path)}
    async with Client(create_server(load_settings(env=env))) as c:
        yield c


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "field"),
    [
        ("knowbe4_training_get_campaign", {"campaign_id": 0}, "campaign_id"),
        ("knowbe4_training_get_campaign", {"campaign_id": -5}, "campaign_id"),
        ("knowbe4_training_get_campaign", {"campaign_id": "abc"}, "campaign_id"),
        ("knowbe4_training_get_campaign", {"campaign_id": 1.5}, "campaign_id"),
        ("knowbe4_training_get_campaign", {}, "campaign_id"),
        ("knowbe4_training_get_enrollment", {"enrollment_id": 0}, "enrollment_id"),
        ("knowbe4_training_get_module", {"module_id": -1}, "module_id"),
        ("knowbe4_training_get_store_purchase", {"store_purchase_id": "1; DROP TABLE"}, "store_purchase_id"),
        ("knowbe4_training_list_campaigns", {"per_page": 501}, "per_page"),
        ("knowbe4_training_list_campaigns", {"per_page": 0}, "per_page"),
        ("knowbe4_training_list_campaigns", {"page": 0}, "page"),
        ("knowbe4_training_list_enrollments", {"campaign_id": 1, "per_page": 10_000}, "per_page"),
        ("knowbe4_training_list_store_purchases", {"per_page": 100_000}, "per_page"),
        ("knowbe4_training_compliance_summary", {"as_of": "yesterday"}, "as_of"),
        ("knowbe4_training_compliance_summary", {"as_of": "2026-02-30"}, "as_of"),
        ("knowbe4_training_list_noncompliant", {"training": "hipaa", "group_by": "team"}, "group_by"),
        ("knowbe4_training_list_noncompliant", {"training": "hipaa", "state": "compliant"}, "state"),
        ("knowbe4_training_list_noncompliant", {"training": "hipaa", "per_page": 501}, "per_page"),
        ("knowbe4_training_person_status", {"person": ""}, "person"),
        ("knowbe4_training_person_status", {"person": "x" * 300}, "person"),
        ("knowbe4_training_campaigns", {"per_page": 501}, "per_page"),
        ("knowbe4_training_departments", {"group_by": "team"}, "group_by"),
        ("knowbe4_training_departments", {"training": "x" * 65}, "training"),
        ("knowbe4_training_overdue", {"page": 0}, "page"),
        ("knowbe4_training_reminders", {"thresholds": [0]}, "thresholds"),
        ("knowbe4_training_reminders", {"thresholds": [50, 100]}, "thresholds"),
        ("knowbe4_training_reminders", {"thresholds": []}, "thresholds"),
        ("knowbe4_training_reminders", {"thresholds": "50,75"}, "thresholds"),
        ("knowbe4_training_remediation", {"since": "last week"}, "since"),
        ("knowbe4_training_remediation", {"since": "2026-02-30"}, "since"),
        ("knowbe4_training_new_hires", {"days": -1}, "days"),
        ("knowbe4_training_new_hires", {"days": 100_000}, "days"),
        ("knowbe4_training_quarterly", {"quarter": "2026Q5"}, "quarter"),
        ("knowbe4_training_quarterly", {"quarter": "Q3 2026"}, "quarter"),
        ("knowbe4_training_quarterly", {"quarter": "2026-07-01"}, "quarter"),
    ],
)
async def test_invalid_arguments_are_tool_errors_naming_the_field(
    client: Client, tool: str, args: Any, field: str
) -> None:
    result = await client.call_tool(tool, args)
    assert result.is_error
    text = _text(result)
    assert field in text
    assert "KNOWBE4_API_KEY" not in text  # rejected before the tool ran


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        (
            "knowbe4_training_list_campaigns",
            {"status": "running"},
            "unknown campaign status 'running': use one of created",
        ),
        ("knowbe4_training_list_enrollments", {"campaign_id": 1, "status": "done"}, "use one of not_started"),
        ("knowbe4_training_list_modules", {"type": "Podcast"}, "use one of Training Module, Video, Game"),
        ("knowbe4_training_campaigns", {"status": "running"}, "unknown campaign status 'running': use one of"),
    ],
)
async def test_unknown_filter_words_list_the_accepted_ones(client: Client, tool: str, args: Any, expected: str) -> None:
    result = await client.call_tool(tool, args)
    assert result.is_error
    assert expected in _text(result)


@pytest.mark.anyio
async def test_without_token_or_store_the_error_says_what_to_set(client: Client, tmp_path: Any) -> None:
    result = await client.call_tool("knowbe4_training_list_campaigns", {})
    assert result.is_error
    assert "KNOWBE4_API_KEY" in _text(result)
    assert "trainproof sync" in _text(result)
    assert not (tmp_path / "none.db").exists()  # "auto" looked for a store without creating one
