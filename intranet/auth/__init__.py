"""Accounts, roles, pillars, login."""
