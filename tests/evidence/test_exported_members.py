"""The public surface of trainproof.evidence is exactly what the CLI and MCP server are meant to use."""

from __future__ import annotations

import trainproof.evidence


def test_all_lists_every_public_name_once() -> None:
    public = sorted(n for n in dir(trainproof.evidence) if not n.startswith("_"))
    modules = {"adapters", "certificates", "manifest", "pack", "records", "signing"}
    assert sorted(trainproof.evidence.__all__) == sorted(set(public) - modules)
    assert len(set(trainproof.evidence.__all__)) == len(trainproof.evidence.__all__)
