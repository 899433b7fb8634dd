"""Accounts: `trainproof report accounts` as a page, for a trainproof.toml with several KnowBe4 accounts.

A console serves the one account it was started for (`trainproof --account NAME serve`): its store
handle, evaluation, sync and signing key are that account's. Switching accounts inside one console
would need all of that per account, so the page names the command that opens another account's console
instead. The rows judge every account, as the command does, each time the page is asked for.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from trainproof.console.rendering import respond
from trainproof.console.state import state_of

__all__ = ["BELOW", "accounts"]

BELOW = 90.0
"""% compliant under which a row is marked, as the HTML report across accounts marks it."""


def accounts(request: Request) -> Response:
    """Per account and training: in scope, % compliant, overdue, last sync; worst first."""
    from trainproof.reports.accounts import below, report_accounts

    st = state_of(request)
    every = st.accounts()
    rows = report_accounts(every)
    marked = {id(r) for r in below(rows, BELOW)}
    context = {
        "title": "Accounts",
        "rows": [(r, id(r) in marked) for r in rows],
        "names": every.names,
        "serving": st.settings.account,
        "below": BELOW,
    }
    return respond(request, "accounts.html", context, [r.row() for r in rows])
