"""Alembic migrations of the log's tables (tiles, leaves, tracking state)."""
