"""The API token appears nowhere: not in output, logs, the store, the state dir, certificates or the pack.

One test walks the whole product with a distinctive token: sync, status, certificates, an evidence pack,
the nightly run, raw API access, the evidence signing key and the MCP server (in process, live and from the
store); then it forces
every error path it can (a wrong token, the 2021 "200 Invalid Token" quirk, 403, 404, 429 until the
retries give up, 5xx, truncated JSON, wrong types, an HTML page, a timeout) through the CLI and the MCP
server. Everything captured is then searched for the token (and for the wrong token that was tried):
stdout and stderr of every command, every log record at DEBUG (httpx2, uvicorn, mcp and trainproof
included, tracebacks too), and every file written (the SQLite file and its -wal, the state dir, the
PDFs' compressed streams, the zip's members). The private half of the evidence signing key is searched
for in the same places: it may exist only in its own file in the state dir.

The same walk checks that the store, the state files and the evidence are private (0600), with the
process umask at 000 so that nothing can come from a cautious umask.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import sqlite3
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from mcp import Client
from mcp.types import TextContent

from running import CliResult, in_process
from trainproof.config import load_settings
from trainproof.mcp_server import create_server
from trainproof.simulator import Simulator, generate_tenant

from ._world import NOW, toml_text

TOKEN = "tp-canary-7Q9xK2mZ4vB8nR1wXe5L"
WRONG = "tp-wrongkey-Hd8sLq0Vb3Nc6Mz1"
LOGGERS = ("", "httpx2", "httpcore", "httpcore2", "uvicorn", "uvicorn.error", "uvicorn.access", "mcp", "trainproof")
TIMEOUT_S = 60.0
SYNC = (("sync", "--full"),)
ALL = (*SYNC, ("api", "account"), ("api", "users"))


def _needles(secret: str) -> list[bytes]:
    """The secret, distinctive pieces of it (a truncated leak), and common encodings of it."""
    raw = secret.encode()
    pieces = [raw, raw[:14], raw[-12:], raw[8:20]]
    encoded = [
        base64.b64encode(raw),
        base64.b64encode(b"Bearer " + raw),
        raw.hex().encode(),
        secret.encode("utf-16-le"),
    ]
    return pieces + encoded


def _blobs(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under `root`, plus the members of zip files and the decompressed streams of PDFs."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        yield str(path), data
        yield from _inner(str(path), data)


def _inner(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
            for member in zf.namelist():
                content = zf.read(member)
                yield f"{name}!{member}", content
                yield from _inner(f"{name}!{member}", content)
    if data[:5] == b"%PDF-":
        for i, stream in enumerate(re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)):
            try:
                yield f"{name}#stream{i}", zlib.decompress(stream)
            except zlib.error:
                yield f"{name}#stream{i}", stream


def _leaks(blobs: list[tuple[str, bytes]]) -> list[str]:
    found: list[str] = []
    for secret in (TOKEN, WRONG):
        needles = _needles(secret)
        for name, data in blobs:
            found.extend(f"{name} holds {needle!r}" for needle in needles if needle in data)
    return found


def _private_key_needles(key_file: Path) -> list[bytes]:
    """The signing key's private half in every form it could leak as: raw seed, DER, PEM body, encodings."""
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    b64 = base64.b64encode(der)
    return [raw, raw.hex().encode(), base64.b64encode(raw), base64.b64encode(raw).rstrip(b"="), der, b64, b64[-32:]]


def _key_leaks(needles: list[bytes], blobs: list[tuple[str, bytes]], key_file: Path) -> list[str]:
    return [
        f"{name} holds the private signing key"
        for name, data in blobs
        if name != str(key_file) and any(needle in data for needle in needles)
    ]


def _text(result: Any) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, TextContent))


def test_the_token_appears_nowhere_and_files_are_private(
    simulator_factory: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    old_umask = os.umask(0)
    try:
        _walk(simulator_factory, tmp_path, caplog, capfd)
    finally:
        os.umask(old_umask)


def _walk(
    simulator_factory: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    sim: Simulator = simulator_factory(generate_tenant(40, seed=3), limits="off", token=TOKEN, time_scale=0.01)
    work = tmp_path / "work"
    work.mkdir()
    open_campaigns = [c["name"] for c in sim.tenant.records("training_campaigns") if c["status"] == "In Progress"]
    training = f'\n[trainings.sat]\ntitle = "Security Awareness"\ncampaigns = ["{open_campaigns[0]}"]\n'
    config = work / "trainproof.toml"
    config.write_text(toml_text(timeout_s=0.3, retry_attempts=3, extra=training), encoding="utf-8")
    db = work / "data" / "trainproof.db"  # a directory the sync creates
    env = {
        "KNOWBE4_API_KEY": TOKEN,
        "KNOWBE4_BASE_URL": sim.base_url,
        "TRAINPROOF_DATABASE_URL": f"sqlite:///{db}",
        "TRAINPROOF_CONFIG": str(config),
        "TRAINPROOF_STATE_DIR": str(work / "state"),
        "TRAINPROOF_NOW": NOW,
        "TRAINPROOF_NO_KEYRING": "1",
    }
    wrong = {**env, "KNOWBE4_API_KEY": WRONG}
    results: list[CliResult] = []

    def cli(*args: str, ok: bool = True, environ: dict[str, str] = env) -> CliResult:
        result = in_process(list(args), environ, timeout=TIMEOUT_S)
        results.append(result)
        assert (result.code == 0) is ok, (args, result.stdout, result.stderr)
        return result

    # The happy path: everything that reads the token or writes a file.
    cli("sync")
    reader = sqlite3.connect(db)  # an open connection keeps the -wal file, so it gets searched too
    reader.execute("SELECT count(*) FROM users").fetchone()
    cli("sync", "--full", "--format", "json")
    cli("sync", "--dry-run")
    cli("status")
    cli("status", "--format", "json")
    cli("certificates", "--out", str(work / "certificates"))
    cli("evidence", "--training", "sat", "--out", str(work / "pack.zip"))
    (work / "key.pem").write_text(cli("evidence", "key").stdout, encoding="utf-8")
    cli("evidence", "verify", str(work / "pack.zip"), "--public-key", str(work / "key.pem"))
    cli("nightly", "--out", str(work / "nightly-certificates"))
    cli("api", "training-campaigns", "--format", "json")
    cli("api", "account")
    mcp_texts = anyio.run(_mcp_calls, env, sim)

    # Every error path that can be forced.
    cli("sync", ok=False, environ=wrong)  # 401
    cli("api", "users", ok=False, environ=wrong)
    sim.configure(invalid_token_status=200)  # the 2021 quirk: 200 {"message": "Invalid Token"}
    cli("sync", ok=False, environ=wrong)
    sim.configure(invalid_token_status=401)
    cli("api", "training-campaign", "999999", ok=False)  # 404
    cli("api", "enrollment", "1", ok=False)
    sim.configure(platinum=False)  # 403
    cli("sync", ok=False)
    mcp_texts += anyio.run(_mcp_calls, env, sim)
    sim.configure(platinum=True)
    for fault, commands in (
        ({"kind": "rate_limit"}, ALL),  # 429 until the retries give up
        ({"kind": "rate_limit", "retry_after": 3600}, ALL),
        ({"kind": "status", "status": 503}, ALL),
        ({"kind": "status", "status": 500}, ALL),
        ({"kind": "truncate", "times": 1}, ALL),
        ({"kind": "html", "status": 200, "times": 1}, ALL),
        ({"kind": "slow", "seconds": 1}, ALL),  # past the timeout, every time
        ({"kind": "drop"}, ALL),
        ({"kind": "wrong_types", "times": 1}, SYNC),  # `trainproof api` shows raw JSON as sent, by design
    ):
        for command in commands:
            sim.set_faults(fault)
            cli(*command, ok=False)
        sim.set_faults(fault)
        mcp_texts += anyio.run(_mcp_calls, env, sim, True)
    sim.clear_faults()
    cli("sync", "--full")  # and it still works

    errors = [r for r in results if r.code != 0]
    assert len(errors) >= 20
    assert all(len(r.err_lines) == 1 and r.err_lines[0].startswith("error: ") for r in errors)

    # Search everything.
    outer = capfd.readouterr()
    records = [(f"log {r.name}", logging.Formatter().format(r).encode()) for r in caplog.records]
    records += [(f"log args {r.name}", repr(r.args).encode()) for r in caplog.records]
    assert any(r.name.startswith("trainproof") for r in caplog.records)  # logging was on and captured
    outputs = [(f"output {i}", (r.stdout + r.stderr).encode()) for i, r in enumerate(results)]
    outputs += [("mcp", "\n".join(mcp_texts).encode()), ("fd", (outer.out + outer.err).encode())]
    files = list(_blobs(tmp_path))
    assert any(name.endswith("trainproof.db") for name, _ in files)
    assert (
        any(name.endswith("trainproof.db-wal") for name, _ in files) or not db.with_name("trainproof.db-wal").exists()
    )
    assert any("pack.zip!" in name for name, _ in files)
    assert any(name.endswith(".pdf#stream0") for name, _ in files)
    assert _leaks(outputs + records + files) == []

    # A control: the search finds the token where it is, so an empty result above means something.
    assert _leaks([("control", b"Authorization: Bearer " + TOKEN.encode())])

    # The evidence signing key's private half is in its own file and nowhere else (not the pack, not output).
    key_file = work / "state" / "evidence-signing-key.pem"
    key_needles = _private_key_needles(key_file)
    assert _key_leaks(key_needles, outputs + records + files, key_file) == []
    assert _key_leaks(key_needles, [("control", key_file.read_bytes())], key_file)  # the search can find it

    # Private files, though the umask allowed everything.
    private = [db, *db.parent.glob("trainproof.db-*"), work / "pack.zip"]
    private += [*(work / "state").rglob("*.json"), key_file]
    private += list((work / "certificates").rglob("*.pdf")) + list((work / "nightly-certificates").rglob("*.pdf"))
    assert len(private) > 5
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for directory in (work / "certificates", work / "nightly-certificates", work / "state", db.parent):
        assert stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0, directory


async def _mcp_calls(env: dict[str, str], sim: Simulator, live_only: bool = False) -> list[str]:
    """Live and store answers and errors through the official client, in process; their texts."""
    texts: list[str] = []
    servers = ((TOKEN, "live"),) if live_only else ((TOKEN, "live"), (TOKEN, "store"), (WRONG, "live"))
    for token, source in servers:
        settings = load_settings(env["TRAINPROOF_CONFIG"], env={**env, "KNOWBE4_API_KEY": token})
        with anyio.fail_after(TIMEOUT_S):
            texts += await _calls(settings, source, sim)
    return texts


async def _calls(settings: Any, source: str, sim: Simulator) -> list[str]:
    """One server: a list, a missing campaign, enrollments, the compliance summary, the sync status."""
    texts: list[str] = []
    campaign_id = sim.tenant.records("training_campaigns")[0]["campaign_id"]
    async with Client(create_server(settings, source=source)) as client:
        for name, args in (
            ("knowbe4_training_list_campaigns", {}),
            ("knowbe4_training_get_campaign", {"campaign_id": 999_999}),
            ("knowbe4_training_list_enrollments", {"campaign_id": campaign_id}),
            ("knowbe4_training_compliance_summary", {}),
            ("knowbe4_training_sync_status", {}),
        ):
            result = await client.call_tool(name, args)
            texts.append(_text(result))
            texts.append(repr(result.structured_content))
    return texts
