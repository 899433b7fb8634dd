"""`trainproof --help` and `--version` start without the heavy libraries; a command loads what it uses.

Each check runs `python -c` in a fresh process: what a start imports is only visible there (a test
process has long imported everything).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

import trainproof.cli
from trainproof.cli import app
from trainproof.cli._commands import COMMANDS
from trainproof.cli._group import build

HEAVY = ("httpx2", "httpx", "sqlalchemy", "pydantic", "fpdf", "mcp", "starlette", "uvicorn", "alembic", "rich")

_PROBE = """
import json, sys
sys.argv = ["trainproof", *json.loads(sys.argv[1])]
from trainproof.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.write("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _start(*args: str) -> tuple[str, set[str]]:
    """`trainproof ARGS` in a new interpreter: what it printed and every module it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    out, _, last = done.stdout.rpartition("\n")
    probe = json.loads(last)
    assert probe["code"] in (0, None), (out, done.stderr)
    return out, set(probe["modules"])


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def _command_modules(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith("trainproof.cli.") and not m.startswith("trainproof.cli._"))


def test_help_imports_no_command_and_no_heavy_library() -> None:
    out, modules = _start("--help")
    for name, _, summary in COMMANDS:
        assert f"{name} " in out
        assert summary in out
    assert _heavy(modules) == []
    assert _command_modules(modules) == []


def test_version_imports_no_command_and_no_heavy_library() -> None:
    out, modules = _start("--version")
    assert out.strip() == f"trainproof {version('trainproof')}"
    assert _heavy(modules) == []
    assert _command_modules(modules) == []


# `api --help` lists the resources of the client's endpoint table, which lives with the client's models.
NEEDED_FOR_HELP = {"api": {"httpx2", "pydantic"}}


@pytest.mark.parametrize("name", [c[0] for c in COMMANDS])
def test_a_commands_help_imports_its_own_module_only(name: str) -> None:
    out, modules = _start(name, "--help")
    assert f"Usage: trainproof {name}" in out
    module = {n: t for n, t, _ in COMMANDS}[name].partition(":")[0]
    assert _command_modules(modules) == [module]
    assert {m.split(".")[0] for m in _heavy(modules)} <= NEEDED_FOR_HELP.get(name, set())


def test_status_help_imports_no_engine_and_no_store() -> None:
    _, modules = _start("status", "--help")
    assert _command_modules(modules) == ["trainproof.cli.status"]
    assert _heavy(modules) == []
    assert not any(m.startswith(("trainproof.store", "trainproof.compliance", "trainproof.judging")) for m in modules)


@pytest.mark.parametrize(("name", "target", "summary"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_each_entry_builds_the_command_it_names(name: str, target: str, summary: str) -> None:
    command = build(name)
    assert command.name == name
    assert len(summary) <= 60, "the summary must fit an 80-column `trainproof --help`"
    assert summary.endswith((".", "..."))


def test_every_registered_command_has_an_entry() -> None:
    """A command registered on `app` but missing from the table would never be reachable."""
    for info in pkgutil.iter_modules(trainproof.cli.__path__):
        importlib.import_module(f"trainproof.cli.{info.name}")
    registered = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    names = [name for name, _, _ in COMMANDS]
    assert sorted(n for n in registered if n is not None) == sorted(names)
    assert len(set(names)) == len(names)


def test_unknown_command_suggests_a_listed_one() -> None:
    result = CliRunner().invoke(app, ["stauts"])
    assert result.exit_code == 2
    assert "Did you mean 'status'?" in result.output


def test_configuration_errors_and_text_load_no_heavy_library() -> None:
    """Every command reads its settings and may fail with a TrainproofError: those stay cheap to import."""
    code = "import sys, trainproof.config, trainproof.errors, trainproof.text; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert _heavy(set(done.stdout.split())) == []
