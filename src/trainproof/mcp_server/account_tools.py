"""The tools about accounts themselves: which ones this server answers for, and how they compare.

An MSP's server answers for many customers, each its own KnowBe4 account; every other tool takes an
`account` argument naming one of them. `knowbe4_training_list_accounts` is how an assistant learns the
names, and how fresh and healthy each account's data is (`trainproof accounts`);
`knowbe4_training_accounts_compliance` answers "which customers are below 90 % on security awareness"
(`trainproof report accounts`). Their rows are `trainproof.reports.accounts`' `account_states` and
`report_accounts`, the functions the commands print, so a tool and a command can never disagree; the
filters only choose among those rows.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from trainproof.compliance.trainings import load_trainings
from trainproof.errors import ConfigError
from trainproof.mcp_server import _errors
from trainproof.mcp_server._across_accounts import accounts_rows
from trainproof.mcp_server._paging import slice_page
from trainproof.mcp_server._state import LIST_ACCOUNTS_TOOL, ServerState, server_state_of
from trainproof.mcp_server.knowbe4_tools import Page, PerPage
from trainproof.mcp_server.models import AccountList, AccountsCompliance
from trainproof.mcp_server.report_tools import LOCAL_READ_ONLY
from trainproof.reports.accounts import account_states, below

ACCOUNTS_COMPLIANCE_TOOL = "knowbe4_training_accounts_compliance"


async def list_accounts(ctx: Context[ServerState, Any]) -> AccountList:
    server = server_state_of(ctx)
    with _errors.mapped():
        states = await anyio.to_thread.run_sync(account_states, server.accounts)
    return AccountList(accounts=states, default_account=server.default_account)


def _training_keys(server: ServerState) -> list[str]:
    """Every training key some served account configures (an account may add its own); an account whose
    trainings cannot be read adds none (its row in `unanswered` says what is wrong)."""
    keys: dict[str, None] = {}
    for account in server.accounts:
        try:
            keys.update(dict.fromkeys(t.key for t in load_trainings(account.settings).trainings))
        except ConfigError:
            continue
    return list(keys)


async def accounts_compliance(
    ctx: Context[ServerState, Any],
    training: Annotated[
        str | None,
        Field(
            max_length=64,
            description="Optional training key from trainproof.toml ([trainings.<key>]), e.g. security_awareness; "
            "default every training.",
        ),
    ] = None,
    below_percent: Annotated[
        float | None,
        Field(
            gt=0,
            le=100,
            description="Optional: only rows whose percent_compliant is below this (e.g. 90 for 'below 90 %'); "
            "rows with nobody in scope are left out then.",
        ),
    ] = None,
    page: Page = 1,
    per_page: PerPage = 100,
) -> AccountsCompliance:
    server = server_state_of(ctx)
    key = training.strip() if training is not None and training.strip() else None
    if key is not None:
        known = _training_keys(server)
        if key not in known:
            raise _errors.unknown_training(key, known)
    with _errors.mapped():
        rows, at = await accounts_rows(server.cache, server.accounts)
    unanswered = [r for r in rows if r.problem is not None]
    chosen = [r for r in rows if r.problem is None and (key is None or r.training == key)]
    if below_percent is not None:
        chosen = below(chosen, below_percent)
    chunk, info = slice_page(chosen, page, per_page)
    return AccountsCompliance(
        training_filter=key,
        below_percent=below_percent,
        rows=chunk,
        accounts=list(dict.fromkeys(r.account for r in chosen)),
        unanswered=unanswered,
        accounts_served=len(server.accounts),
        computed_at=at,
        page=info,
    )


TOOLS: tuple[tuple[str, str, Any, str], ...] = (
    (
        LIST_ACCOUNTS_TOOL,
        "List KnowBe4 accounts",
        list_accounts,
        "The KnowBe4 accounts this server answers for (an MSP's customers, one account each; `trainproof "
        "accounts`): each one's name, title, region, last successful sync and its age, API requests used today "
        "and a one-word health. Pass a name as the `account` argument of the tools about one account; each "
        "answer is about that one account only. Call it first when a tool says to name an account, or to see "
        "which customers' data is stale. Read from trainproof.toml and the local store (no KnowBe4 request).",
    ),
    (
        ACCOUNTS_COMPLIANCE_TOOL,
        "Compliance across accounts",
        accounts_compliance,
        "Each training's compliance in every KnowBe4 account this server answers for (an MSP's customers; "
        "`trainproof report accounts`): per account and training, people in scope, compliant, percent compliant, "
        "people past due and the last sync, worst first. Use it for 'which customers are below 90% on security "
        "awareness?' (training='security_awareness', below_percent=90) or 'who is worst on HIPAA?'; `accounts` "
        "names the customers matched, and `unanswered` the accounts that could not be judged (never synced, a "
        "configuration error). For one customer's people, use the other tools with `account`. From the local "
        "store (no KnowBe4 request); titles come from trainproof.toml.",
    ),
)


def register(server: MCPServer[ServerState]) -> None:
    for name, title, fn, description in TOOLS:
        server.add_tool(fn, name=name, title=title, description=description, annotations=LOCAL_READ_ONLY)
