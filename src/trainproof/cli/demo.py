"""placeholder: filled in by its issue."""

from trainproof.cli._app import app  # noqa: F401  # pyright: ignore[reportUnusedImport]
