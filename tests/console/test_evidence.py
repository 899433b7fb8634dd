"""Verifying an uploaded evidence pack: the console says what `trainproof evidence verify` says.

The pack is built by `trainproof evidence`, then uploaded as a browser does (multipart, CSRF header);
an edited copy names the edited file; an upload past the limit is refused before or while it is read;
a read-only console verifies too (verifying changes nothing).
"""

from __future__ import annotations

import copy
import http.client
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from console._world import Served, World, start_console, stop_console
from console.test_security import csrf_of, signed_in
from trainproof.console.upload import receive_file


@pytest.fixture(scope="module")
def packs(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A pack built by the CLI, the public key that verifies it, and a copy with population.csv edited."""
    folder = tmp_path_factory.mktemp("packs")
    good = folder / "evidence-hipaa.zip"
    world.run("evidence", "--training", "hipaa", "--out", str(good))
    key = folder / "key.pem"
    key.write_text(world.run("evidence", "key").stdout, encoding="utf-8")
    return {"good": good, "altered": altered_copy(good, folder / "evidence-hipaa-edited.zip"), "key": key}


def altered_copy(pack: Path, out: Path) -> Path:
    """`pack` with one line of population.csv changed and everything else as it was."""
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "population.csv":
                data = data.replace(b"incomplete", b"compliant", 1)
                assert data != src.read(info)
            dst.writestr(info, data)
        dst.comment = src.comment
    return out


def upload(client: httpx2.Client, token: str, pack: Path, path: str = "/evidence/verify.json") -> httpx2.Response:
    files = {"pack": (pack.name, pack.read_bytes(), "application/zip")}
    return client.post(path, files=files, headers={"x-csrftoken": token})


def cli_lines(world: World, pack: Path, key: Path) -> tuple[list[str], str]:
    result = world.run("evidence", "verify", str(pack), "--public-key", str(key), ok=False)
    return result.stdout.splitlines(), result.stderr


def test_a_good_pack_verifies_as_the_cli_says(console: Served, world: World, packs: dict[str, Path]) -> None:
    with signed_in(console) as client:
        token = csrf_of(client.get("/evidence").text)
        reply = upload(client, token, packs["good"])
        assert reply.status_code == 200, reply.text
        got = reply.json()
        lines, _ = cli_lines(world, packs["good"], packs["key"])
        assert got["ok"] is True
        assert got["lines"] == lines, "the same words as `trainproof evidence verify --public-key`"
        assert got["verified_key"] == got["key"] is not None
        assert got["lines"][0].startswith("evidence-hipaa.zip: OK, signed by the key given")
        page = upload(client, token, packs["good"], "/evidence/verify").text
        assert "Verified: evidence-hipaa.zip" in page
        assert "Proved: the pack is byte for byte what the holder of that key" in page


def test_an_edited_pack_names_the_file(console: Served, world: World, packs: dict[str, Path]) -> None:
    with signed_in(console) as client:
        token = csrf_of(client.get("/evidence").text)
        got = upload(client, token, packs["altered"]).json()
    lines, stderr = cli_lines(world, packs["altered"], packs["key"])
    assert got["ok"] is False
    assert got["lines"] == lines
    assert [(p["path"], p["kind"]) for p in got["problems"]] == [("population.csv", "modified")] * len(got["problems"])
    assert stderr.rstrip().endswith(got["todo"]), "the CLI's advice, word for word"


def test_no_file_no_token_and_too_large_are_refused(console: Served, packs: dict[str, Path]) -> None:
    with signed_in(console) as client:
        token = csrf_of(client.get("/evidence").text)
        files = {"pack": ("p.zip", packs["good"].read_bytes(), "application/zip")}
        assert client.post("/evidence/verify.json", files=files).status_code == 403
        empty = client.post("/evidence/verify.json", data={"other": "x"}, headers={"x-csrftoken": token})
        assert empty.status_code == 400
        assert set(empty.json()) == {"error"}
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    conn = http.client.HTTPConnection("127.0.0.1", console.port, timeout=30)
    try:  # a declared size past the limit: refused before any of the body is read
        conn.putrequest("POST", "/evidence/verify.json")
        for name, value in (
            ("cookie", cookie),
            ("x-csrftoken", token),
            ("content-type", "multipart/form-data; boundary=b"),
            ("content-length", str(3 << 30)),
        ):
            conn.putheader(name, value)
        conn.endheaders()
        reply = conn.getresponse()
        assert reply.status == 413
        assert "larger than 512 MB" in reply.read().decode()
    finally:
        conn.close()


def test_a_read_only_console_verifies(world: World, packs: dict[str, Path]) -> None:
    served = start_console(world, "--read-only")
    try:
        with signed_in(served) as client:
            page = client.get("/evidence").text
            assert "Verify the pack" in page
            got = upload(client, csrf_of(page), packs["good"])
            assert got.status_code == 200
            assert got.json()["ok"] is True
    finally:
        stop_console(served)


def test_verifying_where_no_pack_was_signed_creates_no_key(
    world: World, packs: dict[str, Path], tmp_path: Path
) -> None:
    """An installation that never built a pack has no key: the pack is checked for consistency only, as the
    CLI without --public-key does, and no key is made."""
    state = tmp_path / "state"
    elsewhere = copy.copy(world)  # the same store, clock and KnowBe4; another installation's state folder
    elsewhere.env = {**world.env, "TRAINPROOF_STATE_DIR": str(state)}
    served = start_console(elsewhere)
    try:
        with signed_in(served) as client:
            got = upload(client, csrf_of(client.get("/evidence").text), packs["good"]).json()
    finally:
        stop_console(served)
    assert got["ok"] is True
    assert got["key"] is None
    assert got["lines"] == world.run("evidence", "verify", str(packs["good"])).stdout.splitlines()
    assert not (state / "evidence-signing-key.pem").exists()


# --- the size limit while the body streams (no Content-Length), on a small app with a small limit ------


@pytest.fixture
def small_limit() -> Iterator[str]:
    """An ASGI app taking one file of at most 1,000 bytes through `receive_file`, served by uvicorn."""
    import uvicorn

    async def take(request: Request) -> Response:
        got = await receive_file(request, "pack", limit=1000, default_name="pack.zip")
        try:
            return JSONResponse({"name": got.path.name, "size": got.path.stat().st_size})
        finally:
            got.remove()

    async def refused(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, 413 if type(exc).__name__ == "UploadTooLarge" else 400)

    from trainproof.errors import TrainproofError

    app = Starlette(routes=[Route("/", take, methods=["POST"])], exception_handlers={TrainproofError: refused})
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_the_limit_holds_while_the_body_streams(small_limit: str) -> None:
    boundary = "xyz"

    def body(size: int) -> Iterator[bytes]:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="pack"; filename="../../a b.zip"\r\n\r\n'.encode()
        for _ in range(size // 100):
            yield b"x" * 100
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    small = httpx2.post(small_limit, content=body(500), headers=headers, timeout=30)
    assert small.json() == {"name": "a_b.zip", "size": 500}, "the name without its folders, the bytes all there"
    large = httpx2.post(small_limit, content=body(5000), headers=headers, timeout=30)
    assert large.status_code == 413
