"""What the simulator was asked, so tests can assert request counts ("1,234 enrollments = 3 requests").

Only API requests are counted (everything outside /_admin). Counters are exact; the request log keeps
the most recent 10,000 entries.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["RequestRecord", "Stats", "StatsSnapshot"]

LOG_SIZE = 10_000


@dataclass(frozen=True)
class RequestRecord:
    """One answered request."""

    method: str
    path: str
    route: str | None  # the path template, e.g. "/v1/users/{user_id}"; None for unknown paths
    query: str
    status: int
    request_id: str
    faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatsSnapshot:
    """Counters at one moment.

    `by_path` and `rate_limited` are keyed by the URL path (`/v1/training/enrollments`), `by_route` by
    the path template, `by_status` by HTTP status.
    """

    total: int
    by_path: dict[str, int]
    by_route: dict[str, int]
    by_status: dict[int, int]
    rate_limited: dict[str, int]
    requests: tuple[RequestRecord, ...] = field(repr=False)

    def count(self, path: str | None = None, *, status: int | None = None, prefix: str | None = None) -> int:
        """Requests to `path` (exact) or under `prefix`, optionally only those answered with `status`."""
        if status is None and prefix is None:
            return self.total if path is None else self.by_path.get(path, 0)
        if status == 429 and prefix is None:
            return sum(self.rate_limited.values()) if path is None else self.rate_limited.get(path, 0)
        if status is None and prefix is not None:
            return sum(n for p, n in self.by_path.items() if p.startswith(prefix))
        return sum(
            1
            for r in self.requests
            if (path is None or r.path == path)
            and (prefix is None or r.path.startswith(prefix))
            and (status is None or r.status == status)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_path": self.by_path,
            "by_route": self.by_route,
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "rate_limited": self.rate_limited,
            "requests": [asdict(r) for r in list(self.requests)[-200:]],
        }


class Stats:
    """Thread-safe request counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_path: Counter[str] = Counter()
        self._by_route: Counter[str] = Counter()
        self._by_status: Counter[int] = Counter()
        self._limited: Counter[str] = Counter()
        self._log: deque[RequestRecord] = deque(maxlen=LOG_SIZE)

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self._by_path[entry.path] += 1
            if entry.route is not None:
                self._by_route[entry.route] += 1
            self._by_status[entry.status] += 1
            if entry.status == 429:
                self._limited[entry.path] += 1
            self._log.append(entry)

    def reset(self) -> None:
        with self._lock:
            for counter in (self._by_path, self._by_route, self._by_status, self._limited):
                counter.clear()
            self._log.clear()

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                total=sum(self._by_path.values()),
                by_path=dict(self._by_path),
                by_route=dict(self._by_route),
                by_status=dict(self._by_status),
                rate_limited=dict(self._limited),
                requests=tuple(self._log),
            )
