"""The root of every error trainproof raises on purpose.

Each error carries what happened and what to do, so the CLI and the MCP server can print one line
without a traceback. Messages must never contain the API token: they are built from our own words,
status codes, ids and request ids only. A message may name KnowBe4 data (a campaign, a person), so it
is made terminal-safe here, once for every reader (`trainproof.text.terminal_text`).
"""

from __future__ import annotations

from trainproof.text import terminal_text


class TrainproofError(Exception):
    """An expected failure with a one-line explanation and a remedy."""

    exit_code: int = 1

    def __init__(self, what: str, todo: str = "", *, request_id: str | None = None) -> None:
        self.what = what
        self.todo = todo
        self.request_id = request_id
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = self.what
        if self.todo:
            text = f"{text}: {self.todo}"
        if self.request_id:
            text = f"{text} (X-Request-Id {self.request_id})"
        return terminal_text(text)

    def __str__(self) -> str:
        return self.message


class ConfigError(TrainproofError):
    """Missing or invalid configuration (token, region, trainproof.toml)."""

    exit_code = 2


class StoreError(TrainproofError):
    """The local store cannot be opened, migrated or written."""


class SyncInProgressError(StoreError):
    """Another sync holds the store's sync lock."""

    exit_code = 3
