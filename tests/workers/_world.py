"""Many simulated KnowBe4 accounts for the concurrency and worker tests: one simulator per account
(KnowBe4 binds each token to one account), a trainproof.toml with an [accounts.NAME] table for each,
and the environment that holds their tokens."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainproof.simulator import Simulator, generate_tenant

StartSimulator = Callable[..., Simulator]


@dataclass
class Account:
    name: str
    sim: Simulator
    token: str
    """The token the configuration hands trainproof (a wrong one for an account whose key was revoked)."""

    @property
    def enrollments(self) -> int:
        return self.sim.tenant.count("enrollments")

    @property
    def users(self) -> int:
        return self.sim.tenant.count("users")


@dataclass
class Accounts:
    items: list[Account]
    root: Path
    store_url: str
    time_scale: float
    extra_env: dict[str, str] = field(default_factory=dict[str, str])

    def __getitem__(self, name: str) -> Account:
        return next(a for a in self.items if a.name == name)

    @property
    def config(self) -> Path:
        return self.root / "trainproof.toml"

    def write_config(self, limits: str = "", own_limits: dict[str, str] | None = None) -> Path:
        """[knowbe4.limits] (time-scaled), one [accounts.NAME] per simulator, and `own_limits[NAME]` as its
        [accounts.NAME.limits]."""
        text = f"[knowbe4.limits]\ntime_scale = {self.time_scale}\ntimeout_s = 2.0\n{limits}\n"
        for a in self.items:
            var = "KNOWBE4_API_KEY__" + a.name.upper().replace("-", "_")
            text += f'\n[accounts.{a.name}]\ntitle = "{a.name.title()}"\nbase_url = "{a.sim.base_url}"\n'
            text += f'token_env = "{var}"\n'
            if own_limits and a.name in own_limits:
                text += f"[accounts.{a.name}.limits]\n{own_limits[a.name]}\n"
        self.config.write_text(text, encoding="utf-8")
        return self.config

    def env(self) -> dict[str, str]:
        """What a `trainproof` run needs: the store, the tokens, the state dir (the per-test one)."""
        env = {
            "TRAINPROOF_CONFIG": str(self.config),
            "TRAINPROOF_DATABASE_URL": self.store_url,
            "TRAINPROOF_STATE_DIR": os.environ["TRAINPROOF_STATE_DIR"],
            "TRAINPROOF_NO_KEYRING": "1",
            **self.extra_env,
        }
        for a in self.items:
            env["KNOWBE4_API_KEY__" + a.name.upper().replace("-", "_")] = a.token
        return env


def start_accounts(
    start: StartSimulator,
    names: list[str],
    root: Path,
    store_url: str,
    *,
    users: int | list[int] = 20,
    limits: str = "off",
    time_scale: float = 0.01,
    **sim_options: Any,
) -> Accounts:
    """One simulator per name (tenant seed = its position, so every account's data differs)."""
    sizes = users if isinstance(users, list) else [users] * len(names)
    items: list[Account] = []
    for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
        token = f"token-{name}"
        tenant = generate_tenant(size, seed=100 + i)
        sim = start(tenant, token=token, limits=limits, time_scale=time_scale, **sim_options)
        items.append(Account(name, sim, token))
    accounts = Accounts(items, root, store_url, time_scale)
    accounts.write_config()
    return accounts
