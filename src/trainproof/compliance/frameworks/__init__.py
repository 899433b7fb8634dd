"""Frameworks as data: each TOML file beside this module maps a framework's requirements to rule ids.

A training names the frameworks it provides evidence for (`frameworks = ["soc2"]`, defaulted for the
three trainings Drata automates with KnowBe4); evidence packs look the requirements up here. Adding a
framework is adding a file, not code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    name: str
    description: str
    rules: tuple[str, ...]

    @property
    def automated(self) -> bool:
        """False when no rule backs the requirement (an auditor must check it by hand)."""
        return bool(self.rules)


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    name: str
    version: str
    requirements: tuple[Requirement, ...]


def _load() -> dict[str, Framework]:
    found: dict[str, Framework] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data: dict[str, Any] = tomllib.loads(entry.read_text(encoding="utf-8"))
        fid = str(data["id"])
        if f"{fid}.toml" != entry.name:
            raise ValueError(f"framework file {entry.name} declares id {fid!r}; file and id must match")
        found[fid] = Framework(
            id=fid,
            name=str(data["name"]),
            version=str(data.get("version", "")),
            requirements=tuple(
                Requirement(
                    id=str(r["id"]),
                    name=str(r["name"]),
                    description=str(r["description"]),
                    rules=tuple(str(x) for x in r.get("rules", [])),
                )
                for r in data.get("requirements", [])
            ),
        )
    return found


FRAMEWORKS: dict[str, Framework] = _load()
FRAMEWORK_IDS: tuple[str, ...] = tuple(FRAMEWORKS)
