"""A person is found by KnowBe4 user id, email, any KnowBe4 alias or employee number, on SQLite and PostgreSQL.

The tenant is served by the simulator and synced over HTTP, so the keys are read as a sync stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from reports._tenant import sync_into_store
from store._people import TOML, people_tenant
from trainproof import clock
from trainproof.store import schema, write_transaction
from trainproof.store.person_index import AmbiguousPerson, UnknownPerson, person_index


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine, _ = sync_into_store(people_tenant(), tmp_path / "people", TOML, url=store_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("who", "user_id"),
    [
        ("1", 1),  # a user id: Ada, though "1" is also Bob's employee number
        ("2", 2),
        ("ada@acme.example", 1),  # Ada's email, though it is also Eve's alias
        ("  ADA@Acme.Example ", 1),
        ("ada.old@acme.example", 1),  # an alias
        ("a.l@ACME.example", 1),  # an alias, any case
        ("E-100", 1),  # an employee number
        ("e-100", 1),
        ("eve@acme.example", 5),
        ("5", 5),
    ],
)
def test_found_by_id_email_alias_and_employee_number(store: Engine, who: str, user_id: int) -> None:
    with store.connect() as conn:
        assert person_index(conn).find(who) == user_id


def test_a_shared_employee_number_names_every_match_and_the_way_out(store: Engine) -> None:
    with store.connect() as conn, pytest.raises(AmbiguousPerson) as info:
        person_index(conn).find("X-7")
    assert info.value.message == "'X-7' is the employee number of 2 people (user ids 3, 4): give the KnowBe4 user id"
    assert info.value.exit_code == 2


@pytest.mark.parametrize("who", ["nobody@acme.example", "999", "E-1000", "001", ""])
def test_unknown_text_is_an_error_naming_it(store: Engine, who: str) -> None:
    with store.connect() as conn, pytest.raises(UnknownPerson) as info:
        person_index(conn).find(who)
    assert info.value.message.startswith(f"no person '{who}' in the store: give an email, KnowBe4 alias")


def test_a_removed_person_is_not_found_by_any_key(store: Engine) -> None:
    with store.connect() as conn:
        with write_transaction(conn):
            conn.execute(update(schema.users).where(schema.users.c.id == 1).values(removed_at=clock.now()))
        index = person_index(conn)
    for who in ("ada.old@acme.example", "E-100"):
        with pytest.raises(UnknownPerson):
            index.find(who)
    assert index.find("1") == 2  # now only Bob's employee number
    assert index.find("ada@acme.example") == 5  # now only Eve's alias
