"""Fixtures shared by every test package."""

from __future__ import annotations

import os

import pytest

# Tests must never pick up a developer's real token, keyring or config.
os.environ.pop("KNOWBE4_API_KEY", None)
os.environ.pop("KNOWBE4_REGION", None)
os.environ.pop("KNOWBE4_BASE_URL", None)
os.environ.pop("TRAINPROOF_CONFIG", None)
os.environ.pop("TRAINPROOF_DATABASE_URL", None)
os.environ["TRAINPROOF_NO_KEYRING"] = "1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own state dir (daily API usage) so runs never share budgets."""
    monkeypatch.setenv("TRAINPROOF_STATE_DIR", str(tmp_path_factory.mktemp("state")))
