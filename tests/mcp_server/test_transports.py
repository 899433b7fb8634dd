"""The server as assistants launch it: a `python -m trainproof mcp` subprocess over stdio, and over HTTP.

These only check the transports (tools listed, one call answered, nothing but protocol on stdout);
what each tool answers is tested in process (test_tools_live.py, test_tools_store.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from trainproof.simulator import Simulator

from ._helpers import EXPECTED


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KNOWBE4_", "TRAINPROOF_"))}
    env.update(
        TRAINPROOF_NO_KEYRING="1",
        TRAINPROOF_STATE_DIR=str(tmp_path / "state"),
        TRAINPROOF_DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
    )
    env.update(extra)
    return env


@pytest.mark.anyio
async def test_stdio_subprocess_lists_the_tools_and_answers(tmp_path: Path, sim: Simulator) -> None:
    env = _env(tmp_path, KNOWBE4_API_KEY=sim.token, KNOWBE4_BASE_URL=sim.base_url)
    params = StdioServerParameters(command=sys.executable, args=["-m", "trainproof", "mcp"], env=env, cwd=str(tmp_path))
    with (tmp_path / "stderr.txt").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == set(EXPECTED)
            for name, (required, optional) in EXPECTED.items():
                assert set(tools[name].input_schema["properties"]) == required | optional
            result = await client.call_tool("knowbe4_training_sync_status", {})
            assert not result.is_error
            assert result.structured_content is not None
            assert result.structured_content["configured_source"] == "auto"
            assert result.structured_content["last_sync"] is None
            assert result.structured_content["answering_from"] == "live"  # no store yet
            campaigns = await client.call_tool("knowbe4_training_list_campaigns", {"status": "active"})
            out = campaigns.structured_content
            assert out is not None
            assert out["source"]["source"] == "live"
            active = [c for c in sim.tenant.records("training_campaigns") if c["status"] == "In Progress"]
            assert [c["campaign_id"] for c in out["campaigns"]] == sorted(c["campaign_id"] for c in active)
            bad = await client.call_tool("knowbe4_training_get_campaign", {"campaign_id": 0})
            assert bad.is_error
            missing = await client.call_tool("knowbe4_training_get_campaign", {"campaign_id": 123})
            assert "Campaign 123 not found: list campaigns to see valid ids" in missing.content[0].text  # type: ignore[union-attr]


def test_stdout_carries_only_the_protocol(tmp_path: Path) -> None:
    """Every line the server writes to stdout is a JSON-RPC message; logs go to stderr."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "knowbe4_training_list_campaigns", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "knowbe4_training_get_enrollment", "arguments": {"enrollment_id": -1}}},
    ]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainproof", "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
        cwd=str(tmp_path),
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
        proc.stdin.flush()
        replies: list[dict[str, Any]] = []
        by_id: dict[int, dict[str, Any]] = {}
        while set(by_id) != {1, 2, 3}:
            line = proc.stdout.readline()  # the pytest timeout of the suite bounds this
            assert line, "the server closed stdout before answering"
            reply = json.loads(line)  # anything but JSON on stdout fails here
            replies.append(reply)
            if "id" in reply:
                by_id[reply["id"]] = reply
        proc.stdin.close()  # EOF: the server shuts down
        rest = proc.stdout.read()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert all(r.get("jsonrpc") == "2.0" for r in replies)
    assert not rest.strip()
    assert by_id[2]["result"]["isError"] is True  # no token, no store: a tool error, not a crash
    assert "KNOWBE4_API_KEY" in by_id[2]["result"]["content"][0]["text"]
    assert by_id[3]["result"]["isError"] is True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.anyio
async def test_streamable_http(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainproof", "mcp", "--transport", "http", "--port", str(port)],
        env=_env(tmp_path),
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("the HTTP server did not start") from None
                await anyio.sleep(0.1)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert names == set(EXPECTED)
            result: Any = await client.call_tool("knowbe4_training_sync_status", {})
            assert not result.is_error
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
