"""`knowbe4_training_list_accounts`: the KnowBe4 accounts this server answers for (`trainproof accounts`).

An MSP's server answers for many customers, each its own KnowBe4 account; every other tool takes an
`account` argument naming one of them. This tool is how an assistant learns the names, and how fresh
and healthy each account's data is. The rows are `trainproof.reports.accounts.account_states`, the
function `trainproof accounts` prints, so a tool and the command can never disagree.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer

from trainproof.mcp_server import _errors
from trainproof.mcp_server._state import LIST_ACCOUNTS_TOOL, ServerState, server_state_of
from trainproof.mcp_server.models import AccountList
from trainproof.mcp_server.report_tools import LOCAL_READ_ONLY
from trainproof.reports.accounts import account_states


async def list_accounts(ctx: Context[ServerState, Any]) -> AccountList:
    server = server_state_of(ctx)
    with _errors.mapped():
        states = await anyio.to_thread.run_sync(account_states, server.accounts)
    return AccountList(accounts=states, default_account=server.default_account)


TOOLS: tuple[tuple[str, str, Any, str], ...] = (
    (
        LIST_ACCOUNTS_TOOL,
        "List KnowBe4 accounts",
        list_accounts,
        "The KnowBe4 accounts this server answers for (an MSP's customers, one account each; `trainproof "
        "accounts`): each one's name, title, region, last successful sync and its age, API requests used today "
        "and a one-word health. Pass a name as the `account` argument of any other tool; each answer is about "
        "that one account only. Call it first when a tool says to name an account, or to see which customers' "
        "data is stale. Read from trainproof.toml and the local store (no KnowBe4 request).",
    ),
)


def register(server: MCPServer[ServerState]) -> None:
    for name, title, fn, description in TOOLS:
        server.add_tool(fn, name=name, title=title, description=description, annotations=LOCAL_READ_ONLY)
