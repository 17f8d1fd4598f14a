"""The "today" page."""
