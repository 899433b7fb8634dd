"""trainproof's MCP server: KnowBe4 training data and compliance decisions for AI assistants.

Named `mcp_server` so it never shadows the `mcp` SDK package.
"""

from trainproof.mcp_server.server import INSTRUCTIONS, create_server, serve

__all__ = ["INSTRUCTIONS", "create_server", "serve"]
