"""Which KnowBe4 account a store handle answers for: bound once on the engine, read by every store function.

One store holds many accounts (an MSP's customers), every row carrying its `account`. The account is
bound on the handle (`bind_account(engine, "acme")`, which `open_store(url, account=...)` does): a
SQLAlchemy execution option, so every connection taken from that engine carries it, and no signature
of the hundred store functions changes. Each query adds `mine(conn, table)` (a table's rows of the
bound account), each raw SQL text `AND account = :account` with `account_param(conn)`, and every INSERT
gets the bound account from the column's default (`bound_account`), so a row cannot be written under
another account than the handle's. A handle bound to nothing is the `default` account, which is where
a store made before accounts existed keeps its rows (migration 0003).

Why on the handle and not a parameter: a caller cannot forget to pass it to one of a hundred functions,
and a function cannot be handed one account's connection and another's name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Table

__all__ = ["ACCOUNT_OPTION", "DEFAULT_ACCOUNT", "account_of", "account_param", "bind_account", "bound_account", "mine"]

ACCOUNT_OPTION = "trainproof_account"
DEFAULT_ACCOUNT = "default"


def bind_account(engine: Engine, account: str) -> Engine:
    """The same store (one pool) answering for `account` only."""
    return engine.execution_options(**{ACCOUNT_OPTION: account})


def account_of(conn: Connection | Engine) -> str:
    """The account a connection (or engine) is bound to."""
    return str(conn.get_execution_options().get(ACCOUNT_OPTION, DEFAULT_ACCOUNT))


def mine(conn: Connection, table: Table) -> ColumnElement[bool]:
    """`table`'s rows of the connection's account: the criterion every store query carries."""
    return table.c.account == account_of(conn)


def account_param(conn: Connection) -> dict[str, Any]:
    """The bound parameter of raw SQL's `account = :account`."""
    return {"account": account_of(conn)}


def bound_account(context: Any) -> str:
    """Column default of `account`: the account of the connection executing the INSERT."""
    return str(context.execution_options.get(ACCOUNT_OPTION, DEFAULT_ACCOUNT))
