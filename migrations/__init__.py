"""The one linear alembic history for core and plugin tables."""
