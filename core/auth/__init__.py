"""Passwords, tokens and login."""
