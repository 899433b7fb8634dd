"""Store tests: schema, migrations, history-keeping merges, queries; on SQLite files and PostgreSQL."""
