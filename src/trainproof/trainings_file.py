"""trainproof.toml as a person wrote it: read, edit the `[trainings.*]` tables, write it back unchanged elsewhere.

`trainproof init`, `trainproof trainings select|unselect|add|remove` and the web console change the file a
compliance lead also edits by hand, so an edit must keep their comments, order and layout (tomlkit keeps
them; the standard library's tomllib only reads). Each edit is checked as the commands will read the file
(`config_keys.check_document`, then `parse_trainings`) before anything is written, and the write goes
through `trainproof.files` (atomic: a reader never sees half a file). Nothing here decides which campaign a
reference selects: callers resolve references with `trainproof.selection.Catalog` first.

Campaign names come from KnowBe4, so a name written as a comment beside an id is cut to one short line of
printable characters: a newline in a name must not end the comment and start TOML of its own.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import Array, Table

from trainproof.compliance.trainings import KNOWN_TRAININGS, TrainingsConfig, parse_trainings
from trainproof.config_keys import check_document
from trainproof.errors import ConfigError
from trainproof.files import write_private
from trainproof.selection import CampaignRef

__all__ = ["HEADER", "TrainingsFile", "comment_text"]

HEADER = (
    "trainproof configuration: which KnowBe4 campaigns make up each training (Drata's campaign selection).",
    "Campaigns are KnowBe4 ids or exact names; `trainproof campaigns` lists them, `trainproof check` checks this file.",
)
_COMMENT_CAP = 70  # characters of a campaign name kept in a comment


def comment_text(text: str, cap: int = _COMMENT_CAP) -> str:
    """`text` as one line of a TOML comment: controls and line breaks become spaces, a long text is cut."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= cap else flat[: cap - 1] + "…"


@dataclass
class TrainingsFile:
    """One trainproof.toml (existing or about to be created) and the edits made to it so far.

    `original` is the file's bytes as read (None for a new file): `changed` compares against it, so a
    preview that is not confirmed provably leaves the file byte-identical.
    """

    path: Path
    document: tomlkit.TOMLDocument
    original: bytes | None = None
    _dirty: bool = field(default=False, repr=False)

    @classmethod
    def read(cls, path: Path | str) -> TrainingsFile:
        """The file at `path`; a ConfigError when it is missing or not TOML."""
        target = Path(path)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"{target} not found", "run `trainproof init` to create it, or pass --config") from None
        except OSError as exc:
            raise ConfigError(f"cannot read {target} ({exc.strerror})", "check the path and its permissions") from None
        try:
            document = tomlkit.parse(data.decode("utf-8"))
        except (UnicodeDecodeError, ParseError) as exc:
            raise ConfigError(f"{target} is not valid TOML ({exc})", "fix the file and run again") from None
        return cls(path=target, document=document, original=data)

    @classmethod
    def new(cls, path: Path | str) -> TrainingsFile:
        """An empty configuration that will be created at `path`, opening with a short comment."""
        document = tomlkit.document()
        for line in HEADER:
            document.add(tomlkit.comment(line))
        return cls(path=Path(path), document=document, original=None)

    # -- reading ---------------------------------------------------------------------------------------
    def raw(self) -> dict[str, Any]:
        """The document as plain Python values, as `tomllib` would read the written text."""
        return tomllib.loads(self.text())

    def text(self) -> str:
        return tomlkit.dumps(self.document)

    @property
    def changed(self) -> bool:
        """True when writing now would change the file (or create it)."""
        if self.original is None:
            return True
        return self._dirty and self.text().encode("utf-8") != self.original

    def keys(self) -> tuple[str, ...]:
        """The training keys, in the order the file lists them."""
        trainings = self._trainings(create=False)
        return () if trainings is None else tuple(_entries(trainings))

    def has(self, key: str) -> bool:
        return key in self.keys()

    def refs(self, key: str) -> tuple[CampaignRef, ...]:
        """The campaign references `[trainings.KEY]` lists, as written (ids or names)."""
        array = _get(self._table(key), "campaigns")
        if not isinstance(array, Array):
            return ()
        return tuple(_ref(v) for v in cast(list[object], array.unwrap()))

    def trainings(self, *, source: str | None = None) -> TrainingsConfig:
        """The trainings this document configures, checked as every command checks them."""
        return parse_trainings(self.raw(), source=source or str(self.path))

    # -- edits -----------------------------------------------------------------------------------------
    def add_training(self, key: str, *, title: str | None = None) -> None:
        """A new `[trainings.KEY]` with `campaigns = []` (and the title, when it is not the default one)."""
        if self.has(key):
            raise ConfigError(f"[trainings.{key}] already exists in {self.path}", "choose another key, or edit it")
        table = tomlkit.table()
        if title is not None and title.strip() and title.strip() != KNOWN_TRAININGS.get(key):
            table.add("title", title.strip())
        table.add("campaigns", tomlkit.array())
        trainings = self._trainings(create=True)
        assert trainings is not None
        trainings.add(key, table)
        self._check()

    def remove_training(self, key: str) -> None:
        trainings = self._trainings(create=False)
        if trainings is None or key not in trainings:
            raise ConfigError(f"no training [trainings.{key}] in {self.path}", _known(self.keys()))
        before = self.text()
        del trainings[key]
        self._tidy(before)
        self._check()

    def select(self, key: str, refs: Iterable[CampaignRef], *, names: Mapping[int, str] | None = None) -> None:
        """Append each reference not listed yet; an id gets its campaign's name as a comment when known.

        A multi-line list gets one line per reference (with the name); a one-line list stays one line.
        """
        table = self._table(key)
        if "campaigns" not in table:
            table.add("campaigns", tomlkit.array())
        array = cast(Array, table["campaigns"])
        present = list(self.refs(key))
        multiline = "\n" in array.as_string() or (not present and names is not None)
        found = re.search(r"\n([ \t]+)\S", array.as_string())
        indent = found.group(1) if found else "    "
        added = False
        for ref in refs:
            if ref in present:
                continue
            present.append(ref)
            name = names.get(ref) if names is not None and isinstance(ref, int) else None
            if multiline:
                array.add_line(ref, indent=indent, comment=comment_text(name) if name else None)
            else:
                cast(list[object], array).append(ref)
            added = True
        if added and multiline and "\n]" not in array.as_string():
            array.add_line(indent="")  # the closing bracket on a line of its own
        self._check()

    def unselect(self, key: str, refs: Iterable[CampaignRef]) -> None:
        """Remove each listed reference equal to one of `refs` (with its comment); the others stay as written."""
        array = _get(self._table(key), "campaigns")
        if not isinstance(array, Array):
            return
        drop = set(refs)
        for i in reversed(range(len(array))):
            if _ref(array[i]) in drop:
                del array[i]
        self._check()

    def set_renewal(self, key: str, *, every_days: int | None = None, on: str | None = None) -> None:
        """Renewal N days after completion, or each year on MM-DD (`renew_on`), or none; the other key removed."""
        if every_days is not None and on is not None:
            raise ConfigError("give one renewal: every N days or a fixed date, not both", "e.g. --renew-every-days 365")
        table = self._table(key)
        for name in ("renew_every_days", "renew_on"):
            if name in table:
                del table[name]
        if every_days is not None:
            table.add("renew_every_days", every_days)
        if on is not None:
            table.add("renew_on", on)
        self._check()

    def set_grace(self, key: str, days: int | None) -> None:
        """New-hire grace in days (`new_hire_grace_days`); None removes it."""
        table = self._table(key)
        if "new_hire_grace_days" in table:
            del table["new_hire_grace_days"]
        if days is not None:
            table.add("new_hire_grace_days", days)
        self._check()

    def set_value(self, table_name: str, key: str, value: str | int | bool) -> None:
        """One plain setting, e.g. ("knowbe4", "region", "eu"), the table created when missing."""
        if table_name not in self.document:
            self.document.add(table_name, tomlkit.table())
        cast(Table, self.document[table_name])[key] = value
        self._check()

    # -- writing ---------------------------------------------------------------------------------------
    def save(self) -> Path:
        """Write the edited document (atomic, owner-only); the file is left as it was when nothing changed."""
        if not self.changed:
            return self.path
        self._check()
        self.trainings()  # what every command would refuse is never written
        data = self.text().encode("utf-8")
        write_private(self.path, data, todo="choose another --config path")
        self.original, self._dirty = data, False
        return self.path

    # -- internals -------------------------------------------------------------------------------------
    def _trainings(self, *, create: bool) -> Table | None:
        value = _get(self.document, "trainings")
        if value is None:
            if not create:
                return None
            self.document.add("trainings", tomlkit.table(is_super_table=True))
            value = self.document["trainings"]
        if not isinstance(value, Table):
            raise ConfigError(f"[trainings] in {self.path} is not a table", "write each training as [trainings.KEY]")
        return value

    def _table(self, key: str) -> Table:
        trainings = self._trainings(create=False)
        value = None if trainings is None else _get(trainings, key)
        if value is None:
            raise ConfigError(
                f"no training [trainings.{key}] in {self.path}",
                f"{_known(self.keys())}; `trainproof trainings add {key}` creates it",
            )
        if not isinstance(value, Table):
            raise ConfigError(f"[trainings.{key}] in {self.path} is not a table", f"write [trainings.{key}]")
        return value

    def _tidy(self, before: str) -> None:
        """After a table is removed: no run of blank lines and no trailing blank lines the file did not have
        (tomlkit keeps the blank line that separated the removed table)."""
        text = self.text()
        if "\n\n\n" not in before:
            text = re.sub(r"\n{3,}", "\n\n", text)
        ending = len(before) - len(before.rstrip("\n"))
        text = text.rstrip("\n") + "\n" * ending
        if text != self.text():
            self.document = tomlkit.parse(text)

    def _check(self) -> None:
        """The document as it stands is one every command accepts (unknown keys, wrong kinds: ConfigError)."""
        self._dirty = True
        check_document(self.raw(), str(self.path))


def _get(container: object, key: str) -> object:
    """A key of a tomlkit table or document (tomlkit's own annotations leave the value untyped)."""
    return cast(Mapping[str, object], container).get(key)


def _entries(table: Table) -> list[str]:
    return [str(k) for k in cast(Mapping[str, object], table)]


def _ref(value: object) -> CampaignRef:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return str(value)
    return value


def _known(keys: Sequence[str]) -> str:
    return "the trainings are " + ", ".join(keys) if keys else "no training is configured yet"
