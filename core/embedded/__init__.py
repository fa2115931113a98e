"""Embedded PostgreSQL and Redis for a fresh machine, started only when no URL is given."""
