"""`python -m trainproof` runs the CLI (the stdio MCP test uses this)."""

from trainproof.cli import main

main()
