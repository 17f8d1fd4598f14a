"""Registration: register and cancel oneself, the organisers' participant list with
guests, and the exports (CSV, XLSX)."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intranet.auth.services import pillar_choices
from intranet.core.formatting import format_datetime_short, spreadsheet_safe
from intranet.core.forms import EmptyForm
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import NotAllowed, ServiceError
from intranet.trainings import bp, services
from intranet.trainings.forms import GuestForm
from intranet.trainings.views import apply_errors, guest_data, managed_or_403, training_or_404


@bp.route("/<int:training_id>/register", methods=["POST"])
@login_required
def register(training_id: int):
    training = training_or_404(training_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        registration = services.register_self(current_user, training.id)
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        if registration.status == "registered":
            flash(_("You are registered. See you there!"), "success")
        else:
            flash(
                _(
                    "The training is full: you are number %(rank)d on the waitlist. "
                    "You move up automatically when a seat becomes free.",
                    rank=services.waitlist_rank(training.id, registration) or 1,
                ),
                "success",
            )
    return redirect_after_post(url_for("trainings.detail", training_id=training.id))


@bp.route("/<int:training_id>/unregister", methods=["POST"])
@login_required
def unregister(training_id: int):
    training = training_or_404(training_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    mine = services.own_registration(current_user, training.id)
    if mine is None or mine.status == "cancelled":
        flash(_("You are not registered for this training."), "error")
        return redirect_after_post(url_for("trainings.detail", training_id=training.id))
    try:
        services.cancel_registration(current_user, mine.id)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("Your registration is cancelled."), "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training.id))


def _participants_page(training, form: GuestForm, *, status: int = 200, matches=None):
    people = services.participants(training.id)
    attended = services.attended_counts(training.id)
    return render(
        "trainings/participants.html",
        "trainings/_guest_form.html",
        status=status,
        training=training,
        form=form,
        people=people,
        attended=attended,
        matches=matches or [],
        summary=services.attendance_summary(training, people, attended),
        open_now=services.is_open(training),
        action_form=EmptyForm(),
        needed=services.needed_sessions(training),
    )


@bp.route("/<int:training_id>/participants", methods=["GET", "POST"])
@login_required
def participants(training_id: int):
    training = managed_or_403(training_id)
    form = GuestForm()
    form.set_pillars(pillar_choices())
    if request.method == "GET":
        return _participants_page(training, form)
    if not form.validate():
        return _participants_page(training, form, status=422)
    data = guest_data(form)
    try:
        registration = services.register_guest(
            current_user,
            training.id,
            data,
            confirm_duplicate=form.confirm_duplicate.data == "1",
            override_window=bool(form.override_window.data),
        )
    except NotAllowed:
        abort(403)
    except services.PossibleDuplicate as error:
        form.confirm_duplicate.data = "1"
        return _participants_page(training, form, status=422, matches=error.matches)
    except ServiceError as error:
        apply_errors(form, error)
        return _participants_page(training, form, status=422)
    if registration.status == "registered":
        flash(_("%(name)s is registered.", name=registration.display_name), "success")
    else:
        flash(
            _("The training is full: %(name)s is on the waitlist.", name=registration.display_name),
            "success",
        )
    return redirect_after_post(url_for("trainings.participants", training_id=training.id))


@bp.route("/<int:training_id>/participants/<int:registration_id>/cancel", methods=["POST"])
@login_required
def cancel_participant(training_id: int, registration_id: int):
    training = managed_or_403(training_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    registration = services.db.session.get(services.Registration, registration_id)
    if registration is None or registration.training_id != training.id:
        abort(404)
    try:
        _cancelled, promoted = services.cancel_registration(current_user, registration_id)
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        message = _("Registration of %(name)s cancelled.", name=registration.display_name)
        if promoted:
            message += " " + _(
                "%(names)s moved up from the waitlist.",
                names=", ".join(p.display_name for p in promoted),
            )
        flash(message, "success")
    return redirect_after_post(url_for("trainings.participants", training_id=training.id))


# --- exports -----------------------------------------------------------------------


def _export_rows(training) -> tuple[list[str], list[list]]:
    header = [
        _("No."),
        _("Name"),
        _("Pillar / organisation"),
        _("From"),
        _("Phone / WhatsApp"),
        _("Status"),
        _("Waitlist position"),
        _("Registered at"),
        _("Sessions attended"),
        _("Notes"),
    ]
    attended = services.attended_counts(training.id)
    rows = []
    rank = 0
    for number, person in enumerate(services.participants(training.id), start=1):
        if person.status == "waitlisted":
            rank += 1
        rows.append(
            [
                number,
                person.display_name,
                person.affiliation,
                person.origin,
                person.contact_phone,
                str(services.REGISTRATION_LABELS[person.status]),
                rank if person.status == "waitlisted" else "",
                format_datetime_short(person.registered_at),
                attended.get(person.id, 0),
                person.notes,
            ]
        )
    return header, rows


def _filename(training, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in training.title.lower()).strip("-")
    return f"peserta-{safe[:60] or training.id}.{extension}"


@bp.route("/<int:training_id>/participants.csv")
@login_required
def participants_csv(training_id: int):
    training = managed_or_403(training_id)
    header, rows = _export_rows(training)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[spreadsheet_safe(v) for v in row] for row in rows])
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(training, "csv")}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/<int:training_id>/participants.xlsx")
@login_required
def participants_xlsx(training_id: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    training = managed_or_403(training_id)
    header, rows = _export_rows(training)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Participants")[:31]
    sheet.append([training.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_safe(v) for v in row])
    for column, width in zip("ABCDEFGHIJ", (5, 30, 24, 22, 18, 16, 10, 18, 10, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(training, "xlsx")}"',
            "Cache-Control": "private, no-store",
        },
    )
