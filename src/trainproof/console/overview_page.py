"""The Overview: what `trainproof status` summarises, the trend of the HTML report, the daily request
budget `trainproof accounts` and `sync` count against, and the problems `trainproof check` finds.

Each part is the answer of the use case its command calls; the page draws and arranges them. The trend
(quarterly, from every enrollment) and check's problems take long at 50,000 people, so each is kept per
store version, day and trainproof.toml (console/judgements.py) like the evaluation they come from.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from trainproof import clock
from trainproof.console.pages import as_of_asked, people_link
from trainproof.console.rendering import Drawn, respond
from trainproof.console.state import state_of
from trainproof.errors import TrainproofError

__all__ = ["overview"]


def _trend(conn: Any, at: Any) -> list[Any]:
    """The quarters of `report quarterly`'s trend, as the HTML report takes them (none when it cannot run)."""
    from trainproof.reports.quarterly import report_quarterly

    try:
        return list(report_quarterly(conn, at=at or clock.now()).trend)
    except TrainproofError:
        return []


def _chart(trend: list[Any]) -> Drawn | None:
    """The HTML report's trend chart: completion and phish-prone percentage by quarter."""
    from trainproof.reports import charts

    if not trend:
        return None
    return Drawn(
        charts.line_chart(
            [p.quarter for p in trend],
            [
                charts.Series("Training completion", [p.completion_rate for p in trend], colour="#009E73"),
                charts.Series("Phish-prone", [p.phish_prone_percentage for p in trend], colour="#D55E00"),
            ],
            title="Completion and phish-prone percentage by quarter",
        )
    )


def _budget(settings: Any) -> dict[str, Any] | None:
    """Requests spent today against the daily limit, from the counter sync spends from (None: no token).

    The counter lives in the state folder; one this process cannot open (a read-only copy for an auditor)
    is said on the page rather than failing it."""
    from trainproof.sync.estimate import budget_for

    budget = budget_for(settings)
    if budget is None:
        return None
    try:
        used, limit = budget.used, budget.limit
    except OSError as exc:
        return {"error": f"the request counter in {settings.state_dir} cannot be read ({exc.strerror or exc})"}
    return {"requests_today": used, "daily_limit": limit, "remaining": max(0, limit - used)}


def overview(request: Request) -> Response:
    """Per training the summary `trainproof status` gives, the trend, the budget left, and check's problems."""
    from trainproof.checking import check_store
    from trainproof.summary import summary_of

    st = state_of(request)
    as_of = as_of_asked(request)
    settings = st.settings

    def work(conn: Any) -> tuple[Any, Any, list[Any], list[Any]]:
        judged, version = st.judged(conn, as_of)
        today = judged if as_of is None else st.judged(conn)[0]
        problems = st.kept("check", version, None, lambda: check_store(conn, settings, judged=today).problems)
        trend = st.kept("trend", version, as_of, lambda: _trend(conn, as_of))
        return judged, version, list(problems), trend

    judged, version, problems, trend = st.read(work)
    summary = summary_of(judged, synced_at=version.synced_at, now=clock.now())
    budget = _budget(settings)
    chase = people_link(summary.next_query) if summary.next_query is not None else None
    context = {
        "title": "Overview",
        "summary": summary,
        "chase": chase,
        "chart": _chart(trend),
        "trend": trend,
        "budget": budget,
        "problems": problems,
    }
    data = {
        **summary.to_dict(),
        "trend": [p.row() for p in trend],
        "budget": budget,
        "problems": [p.to_dict() for p in problems],
    }
    return respond(request, "overview.html", context, data)
