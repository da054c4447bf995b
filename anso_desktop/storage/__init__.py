"""Storage: engine and sessions, ORM models, migrations, backup and restore, integrity check."""
