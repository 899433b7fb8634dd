"""Who a person is, from what someone types: the one lookup the CLI, the MCP tools and reports share.

People are asked for by whatever the asker has at hand: the KnowBe4 user id, the email address, an
older address KnowBe4 keeps as an alias (KnowBe4 documents `aliases` on every user), or the HR
employee number. Each is read from the users table as KnowBe4 last sent it; removed users are left
out, like everywhere else. When the same text is one kind of key for one person and another kind for
someone else, the first kind in `KINDS` wins (a user id before an employee number), so the user id
always names exactly one person. Text is compared as typed, without case: employee number 0042 is not
user 42.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from trainproof.errors import ConfigError
from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = ["KINDS", "AmbiguousPerson", "PersonIndex", "UnknownPerson", "person_aliases", "person_index"]

KINDS = ("KnowBe4 user id", "email", "KnowBe4 alias", "employee number")


class UnknownPerson(ConfigError):
    """No person in the store has this id, email, alias or employee number."""


class AmbiguousPerson(ConfigError):
    """Several people share this email, alias or employee number."""


@dataclass(frozen=True)
class PersonIndex:
    """For each kind of key (`KINDS`, in order), the user ids each key names."""

    keys: tuple[dict[str, frozenset[int]], ...]

    def find(self, who: str) -> int:
        """The user id `who` names; UnknownPerson or AmbiguousPerson (exit 2) otherwise."""
        text = who.strip()
        key = text.casefold()
        for kind, table in zip(KINDS, self.keys, strict=True):
            found = table.get(key)
            if not found:
                continue
            if len(found) == 1:
                return next(iter(found))
            ids = ", ".join(str(uid) for uid in sorted(found))
            raise AmbiguousPerson(
                f"'{text[:254]}' is the {kind} of {len(found)} people (user ids {ids})", "give the KnowBe4 user id"
            )
        raise UnknownPerson(
            f"no person '{text[:254]}' in the store",
            "give an email, KnowBe4 alias, employee number or user id from `trainproof people --format csv`",
        )


def person_index(conn: Connection) -> PersonIndex:
    """Every current person's keys, read once; a lookup is then a few dict reads."""
    u = schema.users
    query = select(u.c.id, u.c.email, u.c.aliases, u.c.employee_number).where(mine(conn, u), u.c.removed_at.is_(None))
    rows = conn.execute(query)
    by_id: dict[str, set[int]] = {}
    by_email: dict[str, set[int]] = {}
    by_alias: dict[str, set[int]] = {}
    by_number: dict[str, set[int]] = {}
    for uid, email, aliases, number in rows:
        by_id.setdefault(str(uid), set()).add(uid)
        if email:
            by_email.setdefault(email.strip().casefold(), set()).add(uid)
        for alias in aliases if isinstance(aliases, list) else ():  # pyright: ignore[reportUnknownVariableType]
            if isinstance(alias, str) and alias.strip():
                by_alias.setdefault(alias.strip().casefold(), set()).add(uid)
        if number is not None and str(number).strip():
            by_number.setdefault(str(number).strip().casefold(), set()).add(uid)
    tables = (by_id, by_email, by_alias, by_number)
    return PersonIndex(tuple({k: frozenset(v) for k, v in t.items()} for t in tables))


def person_aliases(conn: Connection, user_id: int) -> tuple[str, ...]:
    """The older addresses KnowBe4 keeps for this person (`aliases`), as it last sent them."""
    u = schema.users
    found = conn.execute(select(u.c.aliases).where(mine(conn, u), u.c.id == user_id)).scalar_one_or_none()
    if not isinstance(found, list):
        return ()
    return tuple(a.strip() for a in found if isinstance(a, str) and a.strip())  # pyright: ignore[reportUnknownVariableType]
