"""Sync tests: over HTTP against the simulator, into real SQLite files and PostgreSQL."""
