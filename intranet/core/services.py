"""What services raise when a rule is broken: the view puts it next to the field."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule was broken. ``field`` names the form field it belongs to, if any.

    ``more`` carries further (field, message) pairs found at the same time, so a form
    shows every problem at once instead of one per submit.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        more: list[tuple[str | None, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.more = list(more or ())

    def all(self) -> list[tuple[str | None, str]]:
        return [(self.field, self.message), *self.more]

    @classmethod
    def collect(cls, problems: list[tuple[str | None, str]]) -> None:
        """Raise one error carrying every (field, message) found, if any."""
        if problems:
            (field, message), *more = problems
            raise cls(message, field=field, more=more)


class NotAllowed(ServiceError):
    """The user may not do this to this object."""
