"""Who may reach the console, checked over real HTTP against `trainproof serve` in its own process.

No cookie: 401 and no data. Wrong Host: refused (DNS rebinding). A POST without the CSRF token: 403.
The sign-in link works once. A non-loopback bind without --allow-remote: one line, exit 2. Every
response carries the CSP without inline script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import pytest

from console._world import Served, World, start_console, stop_console

NAMES = ("Ada", "Wanda", "Astronaut", "ada@acme.example")


@contextmanager
def signed_in(console: Served) -> Iterator[httpx2.Client]:
    """A client that opened the sign-in link (cookies kept, redirects followed)."""
    with httpx2.Client(base_url=console.base, follow_redirects=True, timeout=30) as client:
        reply = client.get(console.login_url)
        assert reply.status_code == 200, reply.text
        assert str(reply.url) == console.base + "/", "the token is taken out of the address"
        yield client


def csrf_of(page: str) -> str:
    found = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page)
    assert found, "every page carries the CSRF token for htmx"
    return found.group(1)


@pytest.mark.parametrize("path", ["/", "/index.json", "/people/1", "/people/1.json", "/evidence", "/sync.json"])
def test_without_the_cookie_no_page_holds_data(console: Served, path: str) -> None:
    reply = httpx2.get(console.base + path, timeout=30)
    assert reply.status_code == 401
    assert not any(name in reply.text for name in NAMES)
    assert "Sign in" in reply.text or "sign in" in reply.text


def test_downloads_without_the_cookie_are_refused(console: Served) -> None:
    for path in ("/people/1/certificates/security_awareness.pdf", "/evidence/security_awareness.zip"):
        reply = httpx2.get(console.base + path, timeout=30)
        assert reply.status_code == 401
        assert reply.headers["content-type"].startswith("text/html")


def test_the_sign_in_link_works_once(console: Served) -> None:
    with signed_in(console) as first:
        assert "Security Awareness Training" in first.get("/").text
        assert first.get(console.login_url).status_code == 200  # the signed-in browser just goes on
    with httpx2.Client(base_url=console.base, follow_redirects=True, timeout=30) as second:
        reply = second.get(console.login_url)
        assert reply.status_code == 401
        assert "already used" in reply.text
        assert second.get("/index.json").status_code == 401
    with httpx2.Client(base_url=console.base, timeout=30) as guess:
        assert guess.get("/?token=" + "x" * 43).status_code == 401


def test_the_session_cookie_is_httponly_and_samesite_strict(console: Served) -> None:
    with httpx2.Client(base_url=console.base, timeout=30) as client:
        reply = client.get(console.login_url)
        assert reply.status_code == 303
        assert reply.headers["location"] == "/"
        cookies = {c.split("=", 1)[0]: c.lower() for c in reply.headers.get_list("set-cookie")}
        assert "httponly" in cookies["trainproof_session"]
        assert "samesite=strict" in cookies["trainproof_session"]
        assert "samesite=strict" in cookies["trainproof_csrf"]


def test_a_wrong_host_is_refused(console: Served) -> None:
    with signed_in(console) as client:
        assert client.get("/index.json").status_code == 200
        for host in ("evil.example", f"evil.example:{console.port}", "127.0.0.1.evil.example"):
            reply = client.get("/index.json", headers={"host": host})
            assert reply.status_code == 400, host
            assert "Astronaut" not in reply.text
        assert client.get("/index.json", headers={"host": f"localhost:{console.port}"}).status_code == 200


def test_a_post_without_the_csrf_token_is_refused(console: Served, world: World) -> None:
    with signed_in(console) as client:
        token = csrf_of(client.get("/people/1").text)
        form = {"training": "security_awareness", "reason": "csrf check"}
        assert client.post("/people/1/reset", data=form).status_code == 403
        assert client.post("/people/1/reset", data=form, headers={"x-csrftoken": "forged"}).status_code == 403
        assert client.post("/people/1/reset", data=form, headers={"x-csrftoken": token[:-2] + "xx"}).status_code == 403
    person = world.run("person", "1", "--format", "json").json()
    assert not [e for e in person["events"] if e["kind"] == "reset"], "nothing was reset"


def test_every_response_carries_the_browser_policy(console: Served) -> None:
    with signed_in(console) as client:
        for reply in (client.get("/"), client.get("/index.json"), httpx2.get(console.base + "/", timeout=30)):
            csp = reply.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assert "unsafe-inline" not in csp
            assert "frame-ancestors 'none'" in csp
            assert reply.headers["referrer-policy"] == "no-referrer"
            assert reply.headers["cache-control"] == "no-store"
        page = client.get("/").text
        assert "<script>" not in page.replace('<script src="/static/htmx-2.0.11.min.js" defer></script>', "")


def test_read_only_hides_and_refuses_actions(world: World) -> None:
    served = start_console(world, "--read-only")
    try:
        with signed_in(served) as client:
            page = client.get("/people/1").text
            assert "Reset" not in page
            token = csrf_of(page)
            for path, form in (
                ("/people/1/reset", {"training": "security_awareness"}),
                ("/trainings/preview", {"shown": "hipaa", "select": "hipaa:101"}),
                ("/trainings/save", {"shown": "hipaa", "select": "hipaa:101"}),
                ("/sync/run", {}),
            ):
                reply = client.post(path, data=form, headers={"x-csrftoken": token})
                assert reply.status_code == 403, path
                assert "read-only" in reply.text
            assert "Sync now" not in client.get("/sync").text
            assert "<button" not in client.get("/trainings").text
    finally:
        stop_console(served)
    assert "read-only: no action is shown or accepted\n" in served.stderr


def test_a_non_loopback_bind_needs_allow_remote(world: World) -> None:
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        result = world.run("serve", "--host", host, "--port", "0", ok=False)
        assert result.code == 2
        assert result.err_lines == [
            f"error: --host {host} would let other machines reach the console: keep the default 127.0.0.1, "
            "or add --allow-remote behind a TLS proxy"
        ]
        assert result.stdout == ""


def test_a_port_in_use_is_one_line(console: Served, world: World) -> None:
    result = world.run("serve", "--port", str(console.port), ok=False)
    assert result.code == 2
    assert len(result.err_lines) == 1
    assert result.err_lines[0].startswith(f"error: cannot listen on 127.0.0.1:{console.port}")


def test_allow_remote_warns_and_still_checks_the_host(world: World) -> None:
    served = start_console(world, "--host", "0.0.0.0", "--allow-remote", "--allowed-host", "console.example.org")
    try:
        with httpx2.Client(base_url=served.base, timeout=30) as client:
            assert client.get("/", headers={"host": "console.example.org"}).status_code == 401  # reached, no session
            assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    finally:
        stop_console(served)
    assert served.stderr == [
        "warning: the console on 0.0.0.0 speaks plain HTTP: put a TLS proxy in front of it "
        "and give its public name with --allowed-host\n"
    ]
