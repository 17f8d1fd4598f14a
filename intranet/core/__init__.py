"""Shared web plumbing: database helpers, rendering, time, audit log, errors."""
