"""Drive Debian's headless Chromium over the DevTools protocol on a pipe (no extra package, no port).

Why the protocol and not `--dump-dom`: Chromium itself talks to Google in the background (Debian turns
on remote extensions and API keys), so a proxy alone cannot tell the browser's traffic from the page's.
`Network.requestWillBeSent` events of the page's own session can: they are exactly what the page asked
for. Every connection the browser makes is still sent to a dead-end proxy on 127.0.0.1, so nothing
leaves the machine either way.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
    "--proxy-bypass-list=<-loopback>",  # even loopback goes to the dead-end proxy
)


class DeadEndProxy:
    """An HTTP proxy on 127.0.0.1 that answers 502 to everything and remembers each request line."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    line = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                    if line:
                        self.requests.append(line)
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


@dataclass
class Rendered:
    """What the page did in the browser."""

    requests: list[str]  # every URL the page asked for, its own file:// URL excluded
    dataset: dict[str, str]  # <html data-*> attributes after load
    screenshot: bytes | None = None
    console: list[str] = field(default_factory=list[str])


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.proc = proc
        self._w = write_fd
        self._r = read_fd
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(method)
            self.events.append(self._read())

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buf:
            chunk = os.read(self._r, 1 << 16)
            if not chunk:
                raise EOFError(f"chromium closed the pipe (exit {self.proc.poll()})")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message


def render(
    html: Path,
    profile: Path,
    proxy: DeadEndProxy,
    *,
    width: int = 1100,
    height: int = 2200,
    screenshot: bool = False,
    settle_s: float = 0.5,
) -> Rendered:
    """Open `html` in a fresh headless Chromium, wait for load, and report what it requested and drew."""
    assert CHROMIUM is not None
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()

    def fds() -> None:
        """In the child: the protocol pipe must be fd 3 (commands in) and fd 4 (replies out), inheritable.

        Copies go above 10 first so that neither dup2 can overwrite the other end.
        """
        high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.dup2(high_r, 3)
        os.dup2(high_w, 4)
        os.set_inheritable(3, True)
        os.set_inheritable(4, True)
        os.close(high_r)
        os.close(high_w)

    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--proxy-server=http://127.0.0.1:{proxy.port}"]
    # close_fds=False: otherwise the fds made in preexec_fn are closed before exec. Nothing else leaks:
    # Python opens files non-inheritable.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=fds,
        close_fds=False,
    )
    os.close(to_child_r)
    os.close(from_child_w)
    pipe = _Pipe(proc, to_child_w, from_child_r)
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network.enable", "Page.enable", "Runtime.enable"):
            pipe.send(domain, session=session)
        pipe.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        pipe.send("Page.navigate", {"url": html.as_uri()}, session=session)
        pipe.wait_for("Page.loadEventFired")
        time.sleep(settle_s)  # anything a script would fetch after load
        value = pipe.send(
            "Runtime.evaluate",
            {
                "expression": "JSON.stringify(Object.assign({}, document.documentElement.dataset))",
                "returnByValue": True,
            },
            session=session,
        )
        dataset: dict[str, str] = json.loads(value["result"]["value"])
        shot = None
        if screenshot:
            shot = base64.b64decode(pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"])
        pipe.send("Runtime.evaluate", {"expression": "1"}, session=session)  # flush pending events
        own = html.as_uri()
        requests = [
            str(e["params"]["request"]["url"])
            for e in pipe.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session
        ]
        console = [
            json.dumps(e["params"].get("args", []))
            for e in pipe.events
            if e.get("method") == "Runtime.consoleAPICalled" and e.get("sessionId") == session
        ]
        with contextlib.suppress(EOFError, RuntimeError, OSError):
            pipe.send("Browser.close")
        return Rendered([u for u in requests if u != own], dataset, shot, console)
    finally:
        os.close(to_child_w)
        os.close(from_child_r)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
