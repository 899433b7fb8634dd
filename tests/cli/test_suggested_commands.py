"""Every `trainproof ...` command that trainproof's own text suggests is a command that exists.

Errors, hints, help epilogs and next steps tell people what to run; a suggestion of a command that does
not exist (`trainproof api training/campaigns`) sends them nowhere. The suggestions are collected from
the string literals of src/ (backticked spans, lines that start with `trainproof`, text after "e.g.",
"run", "Check:", "from:", ";" or in <code>), and each one's command path answers `--help`, its options are options
of that command, and a resource given to `trainproof api` is one it serves.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main

from reports._cli import run
from trainproof.cli import app
from trainproof.client import ENDPOINTS

SRC = Path(__file__).resolve().parents[2] / "src" / "trainproof"

# Text that starts like a command but is a sentence or a title, not something to run.
PROSE = ("trainproof evidence pack - manifest", "trainproof evidence pack\n")
# Where a suggestion is written: in backticks or after a word that introduces one; or on a line of its
# own or after ";" (help epilogs, next steps), there only when the next word is a command, since
# wrapped prose can start a line with "trainproof keeps ...".
_STRICT = (
    r"`(trainproof [^`]*)`",
    r"<code>(trainproof [^<]*)</code>",
    r"(?:e\.g\.|\brun|Check:|from:)[ \t]+(trainproof [^\n`]*)",
)
_LINE = r"(?m)(?:^[ \t]*(?:\$ )?|;[ \t]+)(trainproof [^\n]*)"
_END = re.compile(r"\s{2,}|[#>|;(),]|(?<!\.)\.(?!\.)(?=\s|$)")  # a comment, a pipe, prose, a sentence's end


def _literals(tree: ast.AST) -> list[str]:
    texts: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # f-strings: each replacement field becomes "{}"
            texts.append("".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
    return texts


def suggestions() -> dict[str, str]:
    """Each suggested command line (cut at comments, pipes and prose) -> the file that suggests it."""
    found: dict[str, str] = {}
    for file in sorted(SRC.rglob("*.py")):
        for text in _literals(ast.parse(file.read_text())):
            lines = [m.group(1) for pattern in _STRICT for m in re.finditer(pattern, text)]
            lines += [m.group(1) for m in re.finditer(_LINE, text) if _names_a_command(m.group(1))]
            for line in lines:
                if any((line + "\n").startswith(p) for p in PROSE) or not re.match(r"trainproof [a-z{.-]", line):
                    continue
                found.setdefault(_END.split(line, maxsplit=1)[0].strip(), str(file.relative_to(SRC)))
    return found


def _subcommands(command: Any) -> dict[str, Any]:
    """A group's commands ({} for a leaf); typer's bundled click, so duck-typed."""
    return getattr(command, "commands", None) or {}


def _names_a_command(line: str) -> bool:
    """A line of its own is a suggestion when its first word (after options and placeholders) is a command."""
    words = [w for w in line.split()[1:] if w != "{}" and not w.startswith("-")]
    return bool(words) and words[0] in _subcommands(typer.main.get_command(app))


def _walk(words: list[str]) -> tuple[list[str], Any, list[str]]:
    """The command path the words name, the command, and the words after it."""
    command: Any = typer.main.get_command(app)
    path: list[str] = []
    rest = list(words)
    while rest and rest[0] in _subcommands(command):
        path.append(rest[0])
        command = _subcommands(command)[rest.pop(0)]
    return path, command, rest


def _options(command: Any) -> set[str]:
    return {opt for p in command.params for opt in (*p.opts, *p.secondary_opts) if opt.startswith("-")}


SUGGESTIONS = suggestions()


def test_suggestions_are_found() -> None:
    """The collector still sees the suggestions it is meant to check (a stale pattern would pass anything)."""
    assert "trainproof api training-campaigns" in SUGGESTIONS
    assert "trainproof sync --dry-run" in SUGGESTIONS
    assert "trainproof db upgrade" in SUGGESTIONS
    assert len(SUGGESTIONS) > 40


@pytest.mark.parametrize("line", sorted(SUGGESTIONS))
def test_every_suggested_command_exists(
    line: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    where = SUGGESTIONS[line]
    words = shlex.split(line)[1:]
    root_options = _options(typer.main.get_command(app))
    root_values = {o for p in typer.main.get_command(app).params if not getattr(p, "is_flag", False) for o in p.opts}
    while words and words[0] in root_options:  # e.g. `trainproof --debug ...`, `trainproof --account NAME ...`
        if words.pop(0) in root_values and words:
            words.pop(0)
    words = [w for w in words if w != "{}"]  # {}: a value filled in at run time
    if words in ([], ["--help"]):
        return  # the root itself with its own options, checked in test_startup.py
    if words[:1] == ["..."]:
        return  # "any command"
    path, command, rest = _walk(words)
    assert path, f"{where}: `{line}` names no trainproof command"
    if _subcommands(command) and rest and not rest[0].startswith("-") and rest[0] != "...":
        pytest.fail(f"{where}: `{line}`: '{rest[0]}' is not a command of trainproof {' '.join(path)}")

    code, out, err = run([*path, "--help"], capsys, monkeypatch)
    assert code == 0, f"{where}: `trainproof {' '.join(path)} --help` failed: {err}"
    assert f"trainproof {' '.join(path)}" in " ".join(out.split())

    if "..." in rest:
        rest = rest[: rest.index("...")]
    known = _options(command) | root_options | {"--help"}
    for word in rest:
        flag = word.split("=", 1)[0]
        if flag.startswith("--"):
            assert flag in known, f"{where}: `{line}`: trainproof {' '.join(path)} has no option {flag}"
    if path == ["api"] and rest and not rest[0].startswith("-"):
        resources = {e.cli_name for e in ENDPOINTS}
        assert rest[0] in resources or rest[0].isupper(), f"{where}: `{line}`: '{rest[0]}' is not an api resource"
