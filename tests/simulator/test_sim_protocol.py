"""Auth, errors and the headers every response carries; the app in process over ASGI."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx2
import pytest

from trainproof.simulator import Simulator, create_app

from ._helpers import client


def _is_uuid4(text: str) -> bool:
    return uuid.UUID(text).version == 4 and str(uuid.UUID(text)) == text


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer: sim-token"}, {"Authorization": "sim-token"}],
)
def test_missing_or_wrong_token_is_401_invalid_token(simulator: Simulator, headers: dict[str, str]) -> None:
    response = httpx2.get(simulator.base_url + "/v1/account", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid Token"}
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_the_2021_quirk_answers_200_with_the_error_body(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(users=5, limits="off", invalid_token_status=200)
    response = httpx2.get(sim.base_url + "/v1/users", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 200
    assert response.json() == {"message": "Invalid Token"}


def test_a_non_platinum_account_gets_403_everywhere(simulator: Simulator) -> None:
    with client(simulator) as http:
        assert http.get("/v1/account").status_code == 200
        simulator.configure(platinum=False)
        answers = [http.get(p) for p in ("/v1/account", "/v1/users", "/v1/training/enrollments", "/v1/nope")]
        simulator.configure(platinum=True)
        assert http.get("/v1/account").status_code == 200
    assert {r.status_code for r in answers} == {403}
    assert all(set(r.json()) == {"message"} and "Platinum" in r.json()["message"] for r in answers)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD"])
def test_only_get_is_allowed(simulator: Simulator, method: str) -> None:
    with client(simulator) as http:
        response = http.request(method, "/v1/training/campaigns")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_unknown_paths_and_ids_are_404_json(simulator: Simulator) -> None:
    with client(simulator) as http:
        unknown_path = http.get("/v1/training/modules")
        unknown_user = http.get("/v1/users/123")
        not_an_id = http.get("/v1/users/abc")
        outside = http.get("/v2/users")
    assert unknown_path.status_code == 404
    assert unknown_path.json() == {"message": "Not Found"}
    assert unknown_user.json() == {"message": "User not found"}
    assert not_an_id.status_code == 404
    assert outside.status_code == 404
    assert outside.headers["content-type"] == "application/json; charset=utf-8"


def test_406_when_json_is_not_acceptable(simulator: Simulator) -> None:
    with client(simulator) as http:
        refused = http.get("/v1/account", headers={"Accept": "text/html"})
        fine = http.get("/v1/account", headers={"Accept": "application/json, text/plain"})
    assert refused.status_code == 406
    assert fine.status_code == 200


def test_every_response_has_a_fresh_request_id_and_json_content_type(simulator: Simulator) -> None:
    with client(simulator) as http:
        responses = [
            http.get("/v1/account"),
            http.get("/v1/training/enrollments", params={"cursor": "true"}),
            http.get("/v1/users/1"),
            http.get("/v1/training/enrollments", params={"cursor": "zz"}),
            http.post("/v1/account"),
            httpx2.get(simulator.base_url + "/v1/account"),
            http.get("/_admin/stats"),
        ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(_is_uuid4(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert {r.headers["content-type"] for r in responses} == {"application/json; charset=utf-8"}
    assert [r.status_code for r in responses] == [200, 200, 404, 400, 405, 401, 200]


def test_stats_count_api_requests_by_path_and_status(simulator: Simulator) -> None:
    with client(simulator) as http:
        for _ in range(3):
            http.get("/v1/training/campaigns")
        http.get("/v1/users/1")
        http.get("/_admin/stats")
    stats = simulator.stats
    assert stats.count("/v1/training/campaigns") == 3
    assert stats.count("/v1/users/1", status=404) == 1
    assert stats.by_route["/v1/users/{user_id}"] == 1
    assert stats.total == 4  # admin requests are not counted
    assert stats.requests[-1].status == 404
    assert _is_uuid4(stats.requests[-1].request_id)
    simulator.reset_stats()
    assert simulator.stats.total == 0


@pytest.mark.anyio
async def test_the_asgi_app_works_in_process() -> None:
    app = create_app(users=10, limits="off")
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://kb4.test") as http:
        response = await http.get("/v1/users", headers={"Authorization": "Bearer sim-token"})
    assert response.status_code == 200
    assert len(response.json()) == 10
    assert app.stats().count("/v1/users") == 1
