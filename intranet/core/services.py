"""What services raise when a rule is broken: the view puts it next to the field."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule was broken. ``field`` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The user may not do this to this object."""
