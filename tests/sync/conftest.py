"""Settings that point a sync at a running simulator and a store under test."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trainproof.config import Settings, load_settings

SettingsFor = Callable[..., Settings]

FAST = "0.00001"
"""Client pacing scale: KnowBe4's 4/s and 50/min shrunk to nothing, for a simulator with limits off."""


def sync_env(sim: Any, store_url: str, **extra: str) -> dict[str, str]:
    """The environment a `trainproof sync` process needs (token, simulator URL, store, state dir)."""
    env = {
        "KNOWBE4_API_KEY": sim.token,
        "KNOWBE4_BASE_URL": sim.base_url,
        "TRAINPROOF_DATABASE_URL": store_url,
        "TRAINPROOF_STATE_DIR": os.environ["TRAINPROOF_STATE_DIR"],
        "TRAINPROOF_TIME_SCALE": FAST,
        "TRAINPROOF_NO_KEYRING": "1",
    }
    env.update(extra)
    return env


@pytest.fixture
def settings_for(tmp_path: Path) -> SettingsFor:
    """`settings_for(sim, store_url, toml="...", **env)`: Settings for a sync of `sim` into the store."""

    def make(sim: Any, store_url: str, *, toml: str = "", **extra: str) -> Settings:
        config = None
        if toml:
            config = tmp_path / "trainproof.toml"
            config.write_text(toml, encoding="utf-8")
        return load_settings(config, env=sync_env(sim, store_url, **extra))

    return make
