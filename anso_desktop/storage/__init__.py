"""Storage: everything that touches the database, and nothing of Qt or the services.

`database` (engine, sessions, errors) and `credentials` (server passwords); `models`, `types`,
`text` and `schema` (the tables); `history` and `history_models` (the change log, kept by
triggers); `migrations` (schema revisions); `integrity` (checks); `backup` (copies and automatic
backups); `maintenance` (what composes them: back up then migrate, restore a backup).
"""
