"""Every third-party import in src/ is a declared runtime dependency, and every runtime dependency is imported.

A package imported only in the dev extra works in the test run and fails for a user who ran `pip install
trainproof`; a declared package nobody imports is weight and attack surface for nothing. Imports are read
with ast, so lazy imports inside functions and imports under TYPE_CHECKING count like any other.
"""

from __future__ import annotations

import ast
import functools
import sys
import tomllib
from collections.abc import Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
OWN = "trainproof"


def imported_modules(src: Path = SRC) -> dict[str, set[str]]:
    """Top-level module name -> the files under `src` that import it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.partition(".")[0], set()).add(str(path.relative_to(src)))
    return found


def third_party(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    return {m: files for m, files in modules.items() if m != OWN and m not in sys.stdlib_module_names}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(spec).name) for spec in project["dependencies"]}


def optional_extras() -> set[str]:
    """Distributions of the optional extras users install on purpose (`trainproof[workers]`), not dev tools."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    wanted = [spec for name, specs in extras.items() if name != "dev" for spec in specs]
    return {canonicalize_name(Requirement(spec).name) for spec in wanted}


@functools.cache
def _installed() -> Mapping[str, list[str]]:
    return packages_distributions()


def distributions_of(module: str) -> set[str]:
    return {canonicalize_name(d) for d in _installed().get(module, [])}


def test_every_third_party_import_is_a_declared_runtime_dependency() -> None:
    runtime = declared() | optional_extras()  # an extra is imported lazily, with an install hint if missing
    undeclared = {
        module: sorted(files)
        for module, files in third_party(imported_modules()).items()
        if not distributions_of(module) & runtime
    }
    assert undeclared == {}, f"imported in src/ but not in [project].dependencies: {undeclared}"


def test_every_runtime_dependency_is_imported_in_src() -> None:
    used: set[str] = set()
    for module in third_party(imported_modules()):
        used |= distributions_of(module)
    assert sorted(declared() - used) == [], "declared in [project].dependencies but imported nowhere in src/"


def test_the_walk_sees_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    """The checks above can fail: an import inside a function or under TYPE_CHECKING is found and mapped."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "if TYPE_CHECKING:\n    import duckdb\n"
        "def later():\n    from fpdf.enums import XPos\n    import trainproof.clock\n",
        encoding="utf-8",
    )
    modules = third_party(imported_modules(tmp_path))
    assert sorted(modules) == ["duckdb", "fpdf"]
    assert distributions_of("fpdf") == {"fpdf2"}
    assert not distributions_of("duckdb") & declared(), "duckdb is a dev tool: importing it in src/ must fail"
