"""procrastinate is an optional extra: loaded only by the worker commands, with one line if it is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from trainproof.errors import ConfigError

__all__ = ["INSTALL_HINT", "require_procrastinate"]

INSTALL_HINT = "pip install 'trainproof[workers]'"


def require_procrastinate() -> ModuleType:
    """The procrastinate module, or ConfigError saying how to install it."""
    try:
        return importlib.import_module("procrastinate")
    except ImportError:
        raise ConfigError(
            "the workers need procrastinate, which is not installed", f"install it with: {INSTALL_HINT}"
        ) from None
