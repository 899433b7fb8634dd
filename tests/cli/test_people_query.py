"""`trainproof.people`, the use case behind `trainproof people`, the console and the MCP tools: every
filter, the sort orders, the slice, and rows produced as they are read."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cli._people_world import AT, HOSTILE_FIRST, World
from trainproof.errors import ConfigError
from trainproof.people import CSV_COLUMNS, PeopleList, PeopleQuery, as_csv_rows, as_rows, list_people, outstanding


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("people"))
    yield w
    w.engine.dispose()


def listed(world: World, **asked: object) -> PeopleList:
    with world.engine.connect() as conn:
        return list_people(conn, world.settings, PeopleQuery(**asked), at=AT)  # type: ignore[arg-type]


def rows(world: World, **asked: object) -> list[tuple[str, str, str]]:
    """(first name, training, state) of each row, in order."""
    return [(d.name.split()[0], d.training, d.state) for d in listed(world, **asked).rows]


def who(world: World, **asked: object) -> set[str]:
    return {d.email.split("@")[0] for d in listed(world, **asked).rows}


def test_every_person_and_training_by_name(world: World) -> None:
    assert rows(world) == [
        (HOSTILE_FIRST, "security", "incomplete"),  # ESC sorts before letters
        (HOSTILE_FIRST, "hipaa", "not_enrolled"),
        ("Ada", "security", "compliant"),
        ("Ada", "hipaa", "compliant"),
        ("Bo", "security", "compliant"),
        ("Bo", "hipaa", "incomplete"),
        ("Cy", "security", "incomplete"),
        ("Cy", "hipaa", "not_enrolled"),
        ("Di", "security", "compliant"),
        ("Di", "hipaa", "compliant"),
        ("Fay", "security", "not_enrolled"),
        ("Fay", "hipaa", "grace"),
    ]


def test_reverse_name_order_is_the_name_order_reversed(world: World) -> None:
    assert rows(world, sort="-name") == rows(world)[::-1]
    assert (
        rows(world, sort="-name", states=frozenset({"compliant"})) == rows(world, states=frozenset({"compliant"}))[::-1]
    )


def test_rows_are_the_decisions_own_fields(world: World) -> None:
    decisions = list(listed(world).rows)
    assert list(as_rows(decisions)) == [d.to_dict() for d in decisions]
    table = list(as_csv_rows(decisions))
    assert all(tuple(row) == CSV_COLUMNS for row in table)
    assert [row["outstanding"] for row in table] == [outstanding(d) for d in decisions]
    assert {row["outstanding"] for row in table} >= {"", "HIPAA 2026: HIPAA Basics", "Security 2026: Security Basics"}


def test_training_and_state(world: World) -> None:
    assert {t for _, t, _ in rows(world, trainings=("hipaa",))} == {"hipaa"}
    assert len(rows(world, trainings=("hipaa",))) == 6
    assert rows(world, states=frozenset({"incomplete"})) == [
        (HOSTILE_FIRST, "security", "incomplete"),
        ("Bo", "hipaa", "incomplete"),
        ("Cy", "security", "incomplete"),
    ]
    assert rows(world, trainings=("hipaa",), states=frozenset({"grace", "not_enrolled"})) == [
        (HOSTILE_FIRST, "hipaa", "not_enrolled"),
        ("Cy", "hipaa", "not_enrolled"),
        ("Fay", "hipaa", "grace"),
    ]


def test_department_manager_and_group_ignore_case(world: World) -> None:
    assert who(world, department="ENG") == {"ada", "bo"}
    assert who(world, department="Sales") == {"cy", "di"}  # Di's department is written "sales"
    assert who(world, manager="MARIA@acme.example") == {"ada", "bo"}
    assert who(world, manager="sam chief") == {"cy", "di"}
    assert who(world, group="nurses") == {"ada"}
    assert who(world, group="7") == {"ada"}
    assert who(world, group="All Staff") == {"ada", "bo", "cy", "di", "eve", "fay"}


def test_search_reaches_name_email_alias_and_employee_number(world: World) -> None:
    assert who(world, search="astro") == {"ada"}  # name
    assert who(world, search="cy@acme") == {"cy"}  # email
    assert who(world, search="ADA.OLD") == {"ada"}  # an older address KnowBe4 keeps as an alias
    assert who(world, search="e-0042") == {"ada"}  # employee number
    assert who(world, search="nobody-like-this") == set()


def test_late_and_as_of(world: World) -> None:
    assert rows(world, late=True) == [("Bo", "security", "compliant")]
    then = datetime(2026, 8, 8, 23, 59, 59, tzinfo=UTC)
    past = listed(world, trainings=("security",), as_of=then)
    assert past.point_in_time
    assert past.as_of == then
    states = {d.name.split()[0]: d.state for d in past.rows}
    assert (states["Ada"], states["Di"]) == ("incomplete", "compliant")  # Ada completed on 08-10


def test_sort_orders_keep_missing_values_last(world: World) -> None:
    newest = [(d.name.split()[0], d.training) for d in listed(world, sort="-since").rows]
    assert newest[:5] == [
        ("Bo", "security"),
        ("Ada", "hipaa"),
        ("Ada", "security"),
        ("Di", "hipaa"),
        ("Di", "security"),
    ]
    oldest = [(d.name.split()[0], d.training) for d in listed(world, sort="since").rows]
    assert oldest[:5] == newest[:5][::-1]
    assert [d.name.split()[0] for d in listed(world, sort="department").rows][-2:] == ["Fay", "Fay"]
    assert [d.name.split()[0] for d in listed(world, sort="-department").rows][-2:] == ["Fay", "Fay"]
    by_state = [d.state for d in listed(world, sort="state").rows]
    assert by_state == sorted(by_state, key=["compliant", "incomplete", "not_enrolled", "grace", "expired"].index)
    assert [d.training for d in listed(world, sort="training").rows] == ["security"] * 6 + ["hipaa"] * 6


def test_limit_and_offset_slice_the_same_order(world: World) -> None:
    everyone = rows(world)
    page = listed(world, limit=3, offset=4)
    assert (page.matched, page.offset, page.shown, page.more) == (12, 4, 3, 5)
    assert [(d.name.split()[0], d.training, d.state) for d in page.rows] == everyone[4:7]
    end = listed(world, limit=10, offset=10)
    assert (end.shown, end.more) == (2, 0)
    assert list(listed(world, offset=50).rows) == []
    assert listed(world, limit=0).more == 12


def test_rows_are_produced_as_they_are_read(world: World) -> None:
    listing = listed(world, sort="training")
    stream = listing.rows
    assert inspect.isgenerator(stream)
    first = next(stream)
    assert inspect.getgeneratorstate(stream) == inspect.GEN_SUSPENDED  # the rest not yet produced
    assert first.training == "security"
    rest = list(stream)
    assert len(rest) == listing.shown - 1 == 11
    assert rest[-1].training == "hipaa"
    assert first.to_dict().keys() == rest[-1].to_dict().keys()


@pytest.mark.parametrize(
    ("asked", "message"),
    [
        ({"states": frozenset({"done"})}, "unknown state 'done'"),
        ({"sort": "age"}, "cannot sort by 'age'"),
        ({"limit": -1}, "--limit -1 is negative"),
        ({"offset": -2}, "--offset -2 is negative"),
        ({"group": "Nope"}, "no KnowBe4 group named 'Nope' in the store"),
        ({"trainings": ("nope",)}, "nope"),
    ],
)
def test_what_cannot_be_listed_is_one_config_error(world: World, asked: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        listed(world, **asked)
