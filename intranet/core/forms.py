"""Form helpers shared by every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm

from intranet.core.services import ServiceError


def apply_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's error next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*list(field.errors), error.message]
    else:
        form.form_errors.append(error.message)
