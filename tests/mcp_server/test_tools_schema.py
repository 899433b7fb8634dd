"""The tool list is the server's public contract: names, parameters, annotations and output schemas.

`snapshots/tools.json` pins every tool as a client sees it (`tools/list`). An intended change is
recorded with `TRAINPROOF_UPDATE_SNAPSHOTS=1 pytest tests/mcp_server/test_tools_schema.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import Tool

from trainproof.config import load_settings
from trainproof.mcp_server import create_server

from ._helpers import EXPECTED

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def _tools() -> list[Tool]:
    server = create_server(load_settings(env={}), source="live")
    async with Client(server) as client:
        return (await client.list_tools()).tools


@pytest.mark.anyio
async def test_tools_have_the_exact_names_and_parameters() -> None:
    tools = {t.name: t for t in await _tools()}
    assert set(tools) == set(EXPECTED)
    for name, (required, optional) in EXPECTED.items():
        schema = tools[name].input_schema
        assert set(schema.get("required", [])) == required, name
        assert set(schema["properties"]) == required | optional, name


@pytest.mark.anyio
async def test_seed_defaults_and_bounds() -> None:
    tools = {t.name: t for t in await _tools()}
    for name, tool in tools.items():
        props: dict[str, Any] = tool.input_schema["properties"]
        if "page" in props:
            assert props["page"]["default"] == 1, name
            assert props["page"]["minimum"] == 1, name
        if "per_page" in props:
            # the guide's 100 for KnowBe4 lists; 50 people (with reasons) per compliance page
            assert props["per_page"]["default"] == (50 if name == "knowbe4_training_list_noncompliant" else 100), name
            assert props["per_page"]["maximum"] == 500, name
        for key in ("campaign_id", "enrollment_id", "module_id", "store_purchase_id"):
            if key in props:
                assert props[key]["type"] == "integer", (name, key)
                assert props[key]["minimum"] == 1, (name, key)
    noncompliant = tools["knowbe4_training_list_noncompliant"].input_schema["properties"]
    assert noncompliant["group_by"]["enum"] == ["none", "department", "manager"]
    assert noncompliant["group_by"]["default"] == "none"
    as_of = tools["knowbe4_training_compliance_summary"].input_schema["properties"]["as_of"]
    assert {"type": "string", "format": "date"} in as_of["anyOf"]


@pytest.mark.anyio
async def test_every_tool_is_read_only_titled_described_and_has_an_output_schema() -> None:
    for tool in await _tools():
        a = tool.annotations
        assert a is not None, tool.name
        assert a.read_only_hint is True, tool.name
        assert a.destructive_hint is False, tool.name
        assert a.idempotent_hint is True, tool.name
        assert a.open_world_hint is not None, tool.name
        assert tool.title, tool.name
        assert len(tool.description or "") > 80, tool.name
        assert (tool.output_schema or {}).get("type") == "object", tool.name
        for param, spec in tool.input_schema["properties"].items():
            assert spec.get("description"), (tool.name, param)


@pytest.mark.anyio
async def test_status_mapping_is_documented_in_the_descriptions() -> None:
    tools = {t.name: t for t in await _tools()}
    campaigns = tools["knowbe4_training_list_campaigns"].input_schema["properties"]["status"]["description"]
    for text in ("active = In Progress / Active", "scheduled = Pending / Scheduled / Enrolling", "closed"):
        assert text in campaigns
    enrollments = tools["knowbe4_training_list_enrollments"]
    status = enrollments.input_schema["properties"]["status"]["description"]
    assert "completed = Completed / Passed" in status
    assert "past_due = Past Due" in status
    assert "no status filter" in (enrollments.description or "")


def _dump(tools: list[Tool]) -> list[dict[str, Any]]:
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in sorted(tools, key=lambda t: t.name)]


@pytest.mark.anyio
async def test_schema_snapshot() -> None:
    current = _dump(await _tools())
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if os.environ.get("TRAINPROOF_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot: run with TRAINPROOF_UPDATE_SNAPSHOTS=1 to record it"
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert [t["name"] for t in recorded] == [t["name"] for t in current]
    for old, new in zip(recorded, current, strict=True):
        assert old == new, (
            f"tool {new['name']} changed; if intended, rerun with TRAINPROOF_UPDATE_SNAPSHOTS=1 and commit "
            "tests/mcp_server/snapshots/tools.json"
        )
