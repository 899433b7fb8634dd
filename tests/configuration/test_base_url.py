"""Where the token may go: KnowBe4's hosts and loopback freely, other hosts only on request, never link-local."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reports._cli import run
from trainproof.base_url import check_base_url
from trainproof.config import load_settings
from trainproof.errors import ConfigError
from trainproof.simulator import Simulator, generate_tenant

TOKEN = "tok-3f9a-never-shown"


@pytest.mark.parametrize(
    "url",
    [
        "https://us.api.knowbe4.com",
        "https://eu.api.knowbe4.com/",
        "https://DE.API.KNOWBE4.COM",
        "http://127.0.0.1:8765",
        "http://127.9.9.9:1",
        "http://[::1]:8765",
        "http://localhost:8765",
        "http://sim.localhost",
        "https://127.0.0.1",
    ],
)
def test_knowbe4_and_loopback_need_no_request(url: str) -> None:
    assert check_base_url(url, explicit=False, origin="base_url") == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://any-host", "would send the token unencrypted over plain HTTP"),
        ("http://us.api.knowbe4.com", "would send the token unencrypted over plain HTTP"),
        ("http://10.0.0.5:8080", "would send the token unencrypted over plain HTTP"),
        ("https://any-host", "is not a KnowBe4 API host"),
        ("https://us.api.knowbe4.com.evil.example", "is not a KnowBe4 API host"),
        ("https://proxy.corp.example:8443/kb4", "is not a KnowBe4 API host"),
    ],
)
def test_other_hosts_are_refused_unless_asked_for(url: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_base_url(url, explicit=False, origin="base_url")
    assert says in info.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "https://169.254.169.254",
        "https://169.254.0.1:443",
        "https://[fe80::1]",
        "https://[fe80::1%25eth0]",
        "https://[::ffff:169.254.169.254]",
        "https://2852039166",  # 169.254.169.254 as one decimal number, which the resolver accepts
        "https://0xa9.0xfe.0xa9.0xfe",
        "https://metadata.google.internal",
        "https://METADATA.google.internal./computeMetadata/v1",
        "https://metadata",
        "https://instance-data.ec2.internal",
        "https://[fd00:ec2::254]",
        "https://100.100.100.200",
        "https://168.63.129.16",
    ],
)
def test_link_local_and_metadata_are_always_refused(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_base_url(url, explicit=True, origin="KNOWBE4_BASE_URL")
    assert "link-local or cloud-metadata address, where the token is never sent" in info.value.message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://127.0.0.1", "is not an http(s) URL"),
        ("127.0.0.1:8765", "is not an http(s) URL"),
        ("https://", "has no host"),
        ("http://127.0.0.1:99999", "has an invalid port"),
        ("http://0.0.0.0:8765", "is a listening address"),
        ("http://[::]:8765", "is a listening address"),
        ("https://kb4user:hunter2@eu.api.knowbe4.com", "holds a user name or password"),
        ("https://eu.api.knowbe4.com/?api_key=hunter2", "has a query or fragment"),
    ],
)
def test_malformed_urls_say_what_is_wrong_without_echoing_secrets(url: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_base_url(url, explicit=True, origin="KNOWBE4_BASE_URL")
    assert says in info.value.message
    assert "hunter2" not in info.value.message


def test_https_custom_host_when_asked_for() -> None:
    url = "https://kb4-proxy.corp.example:8443/reporting"
    assert check_base_url(url, explicit=True, origin="KNOWBE4_BASE_URL") == url


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trainproof.toml"
    path.write_text(text)
    return path


def test_a_config_file_cannot_send_the_token_to_another_host(tmp_path: Path) -> None:
    path = write(tmp_path, '[knowbe4]\nbase_url = "https://any-host"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.message.startswith(f"[knowbe4] base_url in {path} 'https://any-host' is not a KnowBe4 API host")
    assert "allow_custom_base_url = true" in info.value.message
    allowed = write(tmp_path, '[knowbe4]\nbase_url = "https://any-host/"\nallow_custom_base_url = true\n')
    assert load_settings(allowed, env={}).base_url == "https://any-host"


def test_the_environment_is_an_explicit_request_but_not_for_plain_http(tmp_path: Path) -> None:
    path = write(tmp_path, '[knowbe4]\nbase_url = "https://any-host"\n')
    env = {"KNOWBE4_BASE_URL": "https://kb4-proxy.corp.example"}
    assert load_settings(path, env=env).base_url == "https://kb4-proxy.corp.example"
    with pytest.raises(ConfigError, match="unencrypted over plain HTTP"):
        load_settings(None, env={"KNOWBE4_BASE_URL": "http://kb4-proxy.corp.example"})
    opted_in = write(tmp_path, '[knowbe4]\nbase_url = "http://any-host"\nallow_custom_base_url = true\n')
    with pytest.raises(ConfigError, match="unencrypted over plain HTTP"):
        load_settings(opted_in, env={})
    metadata = write(tmp_path, '[knowbe4]\nbase_url = "http://169.254.169.254"\nallow_custom_base_url = true\n')
    with pytest.raises(ConfigError, match="link-local"):
        load_settings(metadata, env={})


def test_region_and_loopback_from_the_file(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, '[knowbe4]\nregion = "eu"\n'), env={}).base_url == "https://eu.api.knowbe4.com"
    local = write(tmp_path, '[knowbe4]\nbase_url = "http://127.0.0.1:8765/"\n')
    assert load_settings(local, env={}).base_url == "http://127.0.0.1:8765"


def test_cli_refuses_in_one_line_and_sends_nothing(
    tmp_path: Path,
    simulator_factory: Callable[..., Simulator],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The file in the working folder points away from a running simulator: refused before any request."""
    sim = simulator_factory(generate_tenant(3, seed=1), limits="off", token=TOKEN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOWBE4_API_KEY", TOKEN)
    port = sim.base_url.rsplit(":", 1)[1]
    for url, says in [
        (f"http://any-host:{port}", "would send the token unencrypted over plain HTTP"),
        (f"http://169.254.169.254:{port}", "link-local or cloud-metadata address"),
    ]:
        write(tmp_path, f'[knowbe4]\nbase_url = "{url}"\n')
        code, out, err = run(["api", "account"], capsys, monkeypatch)
        assert (code, out) == (2, "")
        assert err.startswith(f"error: [knowbe4] base_url in trainproof.toml '{url}' ")
        assert says in err
        assert err.count("\n") == 1
        assert "Traceback" not in err
        assert TOKEN not in err

    write(tmp_path, f'[knowbe4]\nbase_url = "{sim.base_url}"\n')  # loopback: the simulator answers
    code, out, err = run(["api", "account", "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert '"name"' in out
    assert [r.path for r in sim.stats.requests] == ["/v1/account"]


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254", "http://kb4-proxy.corp.example", "https://u:p@eu.api.knowbe4.com"]
)
def test_a_program_passing_a_base_url_to_the_client_meets_the_same_rule(tmp_path: Path, url: str) -> None:
    from trainproof.client import KnowBe4Client

    with pytest.raises(ConfigError):
        KnowBe4Client(base_url=url, token=TOKEN, state_dir=tmp_path)
    custom = KnowBe4Client(base_url="https://kb4-proxy.corp.example/", token=TOKEN, state_dir=tmp_path)
    assert custom.base_url == "https://kb4-proxy.corp.example"  # explicit in code: allowed over https
