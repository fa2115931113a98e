"""Tenants, plants, users, memberships and roles; signup."""
