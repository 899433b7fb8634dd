"""The console's JSON twins give what the CLI gives, for the same store, clock and filters.

The console calls the CLI's use cases (trainproof.people, summary, person), so its rows must be the
CLI's rows exactly: `/people.json?F` is `people --format json F`, `/people.csv?F` is `people --format
csv F`, `/index.json` is `status --format json`, `/people/{who}.json` is `person WHO --format json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx2
import pytest

from console._world import Served, World

FILTERS: list[list[tuple[str, str]]] = [
    [],
    [("training", "security_awareness")],
    [("state", "incomplete")],
    [("training", "hipaa"), ("state", "compliant")],
    [("state", "incomplete"), ("state", "compliant"), ("sort", "-since")],
    [("department", "sales")],
    [("search", "WIZ")],
    [("search", "mallory"), ("training", "hipaa")],
    [("sort", "state"), ("limit", "3"), ("offset", "2")],
    [("late", "1")],
    [("as_of", "2026-08-15")],
]


@pytest.fixture(scope="module")
def client(shared_console: Served) -> Iterator[httpx2.Client]:
    """Signed in once (the link works once) for the module's questions, none of which changes the store."""
    with httpx2.Client(base_url=shared_console.base, follow_redirects=True, timeout=60) as signed_in:
        assert signed_in.get(shared_console.login_url).status_code == 200
        yield signed_in


def cli_args(pairs: list[tuple[str, str]]) -> list[str]:
    """The same filters as `trainproof people` options (late=1 is the flag --late, as_of is --as-of)."""
    args: list[str] = []
    for key, value in pairs:
        args += ["--late"] if key == "late" else [f"--{key.replace('_', '-')}", value]
    return args


@pytest.mark.parametrize("pairs", FILTERS, ids=lambda p: urlencode(p) or "all")
def test_people_json_is_the_cli_people_json(client: httpx2.Client, world: World, pairs: list[tuple[str, str]]) -> None:
    reply = client.get("/people.json", params=pairs)
    assert reply.status_code == 200, reply.text
    also = client.get("/people", params=pairs, headers={"accept": "application/json"})
    cli = world.run("people", "--format", "json", *cli_args(pairs)).json()
    assert reply.json() == cli
    assert also.json() == cli
    if not pairs:
        assert len(cli) == 8, "four people, two trainings"


@pytest.mark.parametrize("pairs", FILTERS[:4], ids=lambda p: urlencode(p) or "all")
def test_people_csv_is_the_cli_people_csv(client: httpx2.Client, world: World, pairs: list[tuple[str, str]]) -> None:
    reply = client.get("/people.csv", params=pairs)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.text == world.run("people", "--format", "csv", *cli_args(pairs)).stdout


def test_overview_json_is_status_check_trend_and_budget(client: httpx2.Client, world: World) -> None:
    """The overview's twin: `status --format json`, plus check's problems, the quarterly trend, the budget."""
    reply = client.get("/index.json").json()
    html = client.get("/").text
    more = {key: reply.pop(key) for key in ("trend", "budget", "problems")}
    summary = world.run("status", "--format", "json").json()
    assert reply == summary
    assert summary["next_command"] in html
    assert more["problems"] == world.run("check", "--format", "json", ok=False).json()
    assert more["problems"], "the tenant has a problem for check to name"
    assert more["trend"] == world.run("report", "quarterly", "--format", "json").json()["trend"]
    assert more["trend"], "the tenant's campaigns make a quarter"
    (account,) = world.run("accounts", "--format", "json").json()
    budget = more["budget"]
    assert (budget["requests_today"], budget["daily_limit"]) == (account["requests_today"], account["daily_limit"])
    assert budget["requests_today"] > 0, "the sync spent some"
    assert f"{budget['remaining']:,}</strong> of {budget['daily_limit']:,} requests left today" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="tp-chart' in html
    assert 'href="/accounts"' not in html, "one account: no Accounts page in the menu"


@pytest.mark.parametrize("who", ["1", "ada@acme.example", "MALLORY@ACME.EXAMPLE", "3", "W.Wizard@acme.example"])
def test_person_json_is_the_cli_person_json(client: httpx2.Client, world: World, who: str) -> None:
    reply = client.get(f"/people/{who}.json")
    assert reply.status_code == 200, reply.text
    assert reply.json() == json.loads(world.run("person", who, "--format", "json").stdout)


def test_a_person_page_names_the_knowbe4_aliases(client: httpx2.Client, world: World) -> None:
    page = client.get("/people/wanda@old.example").text
    assert "<dt>KnowBe4 aliases</dt><dd>w.wizard@acme.example, wanda@old.example</dd>" in page
    assert client.get("/people/2.json").json()["aliases"] == ["w.wizard@acme.example", "wanda@old.example"]
    assert "KnowBe4 aliases" not in client.get("/people/1").text, "nothing to say for a person without any"
    assert "KnowBe4 aliases w.wizard@acme.example, wanda@old.example\n" in world.run("person", "2").stdout


def test_bad_filters_and_unknown_people_are_one_line(client: httpx2.Client, world: World) -> None:
    for path, status in (
        ("/people.json?state=asleep", 400),
        ("/people.json?sort=height", 400),
        ("/people.json?offset=ten", 400),
        ("/people.json?group=nobody", 400),
        ("/people.json?training=gdpr", 400),
        ("/people/nobody@acme.example.json", 404),
    ):
        reply = client.get(path)
        assert reply.status_code == status, path
        assert set(reply.json()) == {"error"}
    error = client.get("/people.json?state=asleep").json()["error"]
    page = client.get("/people?state=asleep")
    assert page.status_code == 400
    assert "unknown state &#39;asleep&#39;" in page.text
    assert world.run("people", "--state", "asleep", ok=False).err_lines == [f"error: {error}"]


@pytest.mark.parametrize(("path", "command"), [("/trainings.json", "trainings"), ("/campaigns.json", "campaigns")])
def test_trainings_and_campaigns_json_are_the_cli_json(
    client: httpx2.Client, world: World, path: str, command: str
) -> None:
    reply = client.get(path)
    assert reply.status_code == 200, reply.text
    assert reply.json() == json.loads(world.run(command, "--format", "json").stdout)


@pytest.mark.parametrize(
    ("path", "command"),
    [
        ("/reports/campaigns.json", ["campaigns"]),
        ("/reports/departments.json", ["departments"]),
        (
            "/reports/departments.json?by=manager&training=hipaa",
            ["departments", "--by", "manager", "--training", "hipaa"],
        ),
        ("/reports/overdue.json", ["overdue"]),
        ("/reports/reminders.json", ["reminders"]),
    ],
)
def test_reports_json_are_the_cli_reports(client: httpx2.Client, world: World, path: str, command: list[str]) -> None:
    reply = client.get(path)
    assert reply.status_code == 200, reply.text
    assert reply.json() == json.loads(world.run("report", *command, "--format", "json").stdout)
    page = client.get(path.replace(".json", ""))
    assert page.status_code == 200
    assert "<table" in page.text


def test_a_report_that_cannot_run_says_what_the_cli_says(client: httpx2.Client, world: World) -> None:
    reply = client.get("/reports/new-hires.json")
    assert reply.status_code == 400
    cli = world.run("report", "new-hires", ok=False)
    assert cli.err_lines == [f"error: {reply.json()['error']}"]
    assert client.get("/reports/nothing").status_code == 400
