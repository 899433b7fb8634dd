"""The prose of src/ and of the documentation names the source of a behaviour, never "the seed" or an issue.

A reader of `--help`, a tool description or a docstring has neither the documents trainproof was
built from nor its issue tracker: "Drata's rule: ..." or "KnowBe4 documents ..." tells them where to
check, "the seed's" or "issue 4" tells them nothing. The simulator's random `seed` (`--seed`,
`generate_tenant(seed=1)`) is a real name and stays; identifiers are code, so only comments, strings
and Markdown are read.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "src").rglob("*.py"))
# Tests are read too (a test's docstring is how a maintainer learns what it holds); this file names the words.
TESTS = sorted(p for p in (ROOT / "tests").rglob("*.py") if p.name != "test_words.py")

DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *ROOT.glob("CONTRIBUTING.md"),
        ROOT / "bench" / "README.md",
    ]
)

# The phrases in which "seed" means the random seed of a generated tenant.
_RANDOM_SEED = re.compile(
    r"--seed|\bseed\s*=|same seed|seed of the generated|generated, seed|`seed`|\{seed\}|seed \d|for a seed|"
    r"\"seed\"|raw seed",
    re.IGNORECASE,
)
_WORDS = re.compile(r"\bseed(?:'?s)?\b|\bissues? ?#?\d+|\bacceptance(?: criteri(?:on|a))? ?\d+", re.IGNORECASE)


def _offences(text: str) -> list[str]:
    return _WORDS.findall(_RANDOM_SEED.sub("", text))


def _prose(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every comment and string literal of a Python file."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [(t.start[0], t.string) for t in tokens if t.type in (tokenize.COMMENT, tokenize.STRING)]


def _where(path: Path, found: list[tuple[int, str]]) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line}: {text.strip()[:100]}" for line, text in found if _offences(text)]


def test_the_words_are_recognised() -> None:
    """The checker itself can fail: each kind of offence is found, each random-seed phrase is not."""
    for bad in (
        "The seed's rule",
        "the seed: allow time",
        "seed vocabulary",
        "Seeds",
        "(issue 4)",
        "Issue #12",
        "issue12",
        "acceptance 5",
    ):
        assert _offences(bad), bad
    for good in (
        "--seed S",
        "Seed of the generated tenant: same seed, same data.",
        "generate_tenant(users=200, seed=1)",
        'f"generated, seed {seed}"',
        "people from `seed`",
        "the issue tracker",
        "seedling",
    ):
        assert not _offences(good), good


def test_source_prose_names_the_source_not_the_seed() -> None:
    assert len(SOURCES) > 50, "src/ not found"
    found = [offence for path in (*SOURCES, *TESTS) for offence in _where(path, _prose(path))]
    assert not found, "say the behaviour and its source (Drata's rule, KnowBe4 documents ...):\n" + "\n".join(found)


def test_documents_name_the_source_not_the_seed() -> None:
    found: list[str] = []
    for path in DOCUMENTS:
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            found += _where(path, list(enumerate(lines, start=1)))
    assert not found, "say the behaviour and its source (Drata's rule, KnowBe4 documents ...):\n" + "\n".join(found)
