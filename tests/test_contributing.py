"""CONTRIBUTING.md is the map a newcomer reads first: every part of the package is on it.

A new top-level module or package that the map does not name is a part nobody was told about; one the map
names that no longer exists sends a reader looking for nothing. Both fail here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "trainproof"
MAP = ROOT / "CONTRIBUTING.md"
_NOT_PARTS = {"__init__.py", "__main__.py", "py.typed"}


def parts() -> set[str]:
    """Top-level modules as `name.py`, packages as `name/`."""
    found: set[str] = set()
    for path in PACKAGE.iterdir():
        if path.name in _NOT_PARTS or path.name.startswith((".", "_")) or path.name == "__pycache__":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            found.add(f"{path.name}/")
        elif path.suffix == ".py":
            found.add(path.name)
    return found


def named(text: str) -> set[str]:
    return set(re.findall(r"`([a-z_]+(?:\.py|/))`", text))


def test_every_part_of_the_package_is_on_the_map() -> None:
    missing = sorted(parts() - named(MAP.read_text(encoding="utf-8")))
    assert not missing, f"CONTRIBUTING.md does not name {missing}: say what each holds"


def test_the_map_names_no_part_that_is_gone() -> None:
    """A name on the map is a file or folder of the package (at any depth) or of the repository's root."""
    everything = {p.name for p in PACKAGE.rglob("*")} | {p.name for p in ROOT.iterdir()}
    gone = sorted(n for n in named(MAP.read_text(encoding="utf-8")) if n.rstrip("/") not in everything)
    assert not gone, f"CONTRIBUTING.md names {gone}, which no longer exist"


def test_the_check_can_fail() -> None:
    assert named("the `people.py` use case and `store/`") == {"people.py", "store/"}
    assert {"sync/", "judging.py"} <= parts()
