"""Local stand-ins for Vanta's and Drata's APIs: real HTTP on 127.0.0.1, like the KnowBe4 simulator.

Each serves the calls the exports make, the way the vendors document them (Vanta: `POST /oauth/token`
with client credentials, then `PUT /v1/resources/user_security_training_status`, a full replacement;
Drata: `POST /public/v2/users/email:ADDR/documents`, multipart, Bearer API key, 500 requests a minute
per address), checks what it receives, keeps it for the tests, and answers with the failures a real
platform gives: 401 for bad credentials, 402 without the licence, 404 for an unknown person or resource,
429 with Retry-After over its rate limit. `fail_next` queues answers for the next calls of a route.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from trainproof.simulator.server import bind

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
VANTA_STATUSES = {"COMPLETE", "INCOMPLETE"}
VANTA_REQUIRED = ("uniqueId", "displayName", "externalUrl", "trainingId", "trainingName", "traineeEmail", "status")
DRATA_TYPES = {"MFA_EVIDENCE", "SEC_TRAINING", "HIPAA_TRAINING_EVIDENCE", "OFFBOARDING_EVIDENCE"}


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict[str, str])


class _Faults:
    def __init__(self) -> None:
        self._queue: deque[Fault] = deque()
        self._lock = threading.Lock()

    def add(self, status: int, **headers: str) -> None:
        with self._lock:
            self._queue.append(Fault(status, {k.replace("_", "-"): v for k, v in headers.items()}))

    def take(self) -> JSONResponse | None:
        with self._lock:
            fault = self._queue.popleft() if self._queue else None
        if fault is None:
            return None
        return JSONResponse({"message": f"fault {fault.status}"}, status_code=fault.status, headers=fault.headers)


class VantaStandIn:
    """Vanta's OAuth token exchange and the user security training status sync."""

    def __init__(self, *, client_id: str = "vci_test_client", resources: tuple[str, ...] = ("res-1",)) -> None:
        self.client_id = client_id
        self.client_secret = "vcs_" + secrets.token_hex(16)
        self.licensed = True
        self.tokens: set[str] = set()
        self.token_requests: list[dict[str, Any]] = []
        self.resources: dict[str, list[dict[str, Any]]] = {rid: [] for rid in resources}
        self.puts: list[dict[str, Any]] = []
        self.put_attempts = 0
        self.fail_next = _Faults()
        self.app = Starlette(
            routes=[
                Route("/oauth/token", self._token, methods=["POST"]),
                Route("/v1/resources/user_security_training_status", self._sync, methods=["PUT"]),
            ]
        )

    async def _token(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.token_requests.append(body)
        ok = (
            body.get("grant_type") == "client_credentials"
            and body.get("client_id") == self.client_id
            and body.get("client_secret") == self.client_secret
            and "connectors.self:write-resource" in str(body.get("scope", "")).split()
        )
        if not ok:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = "vat_" + secrets.token_hex(16)
        self.tokens.add(token)
        return JSONResponse({"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

    async def _sync(self, request: Request) -> JSONResponse:
        self.put_attempts += 1
        fault = self.fail_next.take()
        if fault is not None:
            return fault
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return JSONResponse({"error": "invalid token"}, status_code=401)
        if not self.licensed:
            return JSONResponse({"error": "upgrade required"}, status_code=402)
        body = await request.json()
        rid = body.get("resourceId")
        if rid not in self.resources:
            return JSONResponse({"error": "resource not found"}, status_code=404)
        problems = [p for r in body.get("resources", []) for p in _vanta_problems(r)]
        if problems:
            return JSONResponse({"error": problems[:5]}, status_code=422)
        self.puts.append(body)
        self.resources[rid] = list(body["resources"])  # a state-of-the-world sync: the old set is gone
        return JSONResponse({"success": True})


def _vanta_problems(record: dict[str, Any]) -> list[str]:
    problems = [f"missing {k}" for k in VANTA_REQUIRED if not record.get(k)]
    if record.get("status") not in VANTA_STATUSES:
        problems.append(f"status {record.get('status')!r}")
    problems += [
        f"{k} {v!r} is not RFC 3339" for k, v in record.items() if k.endswith("Timestamp") and not RFC3339.match(str(v))
    ]
    if not isinstance(record.get("frameworksFulfilled", []), list):
        problems.append("frameworksFulfilled is not a list")
    return problems


@dataclass
class Document:
    email: str
    type: str
    completion_date: str
    filename: str
    content: bytes


class DrataStandIn:
    """Drata's User Documents upload, behind its API key and a per-address rate limit."""

    def __init__(self, *, people: tuple[str, ...] = (), limit: int = 500, window_s: float = 60.0) -> None:
        self.api_key = "drata_" + secrets.token_hex(16)
        self.people = {p.lower() for p in people}
        self.licensed = True
        self.limit, self.window_s = limit, window_s
        self.arrivals: deque[float] = deque()
        self.too_many = 0
        self.attempts = 0
        self.documents: list[Document] = []
        self.fail_next = _Faults()
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/public/v2/users/{user:path}/documents", self._upload, methods=["POST"])])

    @property
    def base_url_path(self) -> str:
        return "/public/v2"

    def _over_limit(self) -> float | None:
        """Seconds until a place frees up when this request passes the limit; None when it may go."""
        now = time.monotonic()
        with self._lock:
            while self.arrivals and self.arrivals[0] <= now - self.window_s:
                self.arrivals.popleft()
            if len(self.arrivals) >= self.limit:
                return self.arrivals[0] + self.window_s - now
            self.arrivals.append(now)
            return None

    async def _upload(self, request: Request) -> JSONResponse:
        self.attempts += 1
        wait = self._over_limit()
        if wait is not None:
            self.too_many += 1
            return JSONResponse({"message": "Too Many Requests"}, status_code=429, headers={"Retry-After": "1"})
        fault = self.fail_next.take()
        if fault is not None:
            return fault
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return JSONResponse({"message": "Invalid Authorization"}, status_code=401)
        if not self.licensed:
            return JSONResponse({"message": "You must upgrade your plan to use this feature"}, status_code=402)
        user = unquote(request.path_params["user"])
        if not user.startswith("email:") or user[6:].lower() not in self.people:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        async with request.form() as form:
            kind, completed, upload = form.get("type"), form.get("completionDate"), form.get("file")
            if kind not in DRATA_TYPES or not isinstance(completed, str) or not RFC3339.match(completed):
                return JSONResponse({"message": "Malformed data"}, status_code=400)
            if upload is None or isinstance(upload, str):
                return JSONResponse({"message": "file required"}, status_code=400)
            content = await upload.read()
            filename = upload.filename or ""
        if not content.startswith(b"%PDF") or not filename.endswith(".pdf"):
            return JSONResponse({"message": "not an accepted file"}, status_code=400)
        doc = Document(user[6:], str(kind), completed, filename, content)
        self.documents.append(doc)
        return JSONResponse(
            {
                "id": len(self.documents),
                "userId": 1,
                "name": "Security Training",
                "type": kind,
                "renewalDate": f"{int(completed[:4]) + 1}{completed[4:10]}",
                "createdAt": completed[:10],
                "updatedAt": completed[:10],
            },
            status_code=201,
        )


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 in a thread; yields its base URL (http://127.0.0.1:PORT)."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", http="h11", ws="none", loop="asyncio", log_level="warning")
    config.access_log = False
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the stand-in stopped while starting"
        assert time.monotonic() < deadline, "the stand-in did not start within 10 s"
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
