"""Attendance: the check-in list, walk-ins, self check-in by QR, the daftar hadir,
certificates and their public verification, and the agenda's calendar feed."""

from __future__ import annotations

import segno
from flask import Response, abort, flash, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from markupsafe import Markup

from intranet.auth.services import pillar_choices
from intranet.bookings import feeds
from intranet.core.db import utcnow
from intranet.core.forms import EmptyForm
from intranet.core.rendering import redirect_after_post, render, wants_fragment
from intranet.core.services import NotAllowed, ServiceError
from intranet.trainings import bp, permissions, services, verify_bp
from intranet.trainings.forms import GuestForm
from intranet.trainings.models import Training, TrainingSession
from intranet.trainings.views import apply_errors, guest_data, training_or_404


def _session_for_desk(training_id: int, session_id: int) -> tuple[Training, TrainingSession]:
    training = training_or_404(training_id)
    if not permissions.can_check_in(current_user, training):
        abort(403)
    session = services.get_session(session_id)
    if session is None or session.training_id != training.id:
        abort(404)
    return training, session


def _qr_svg(data: str, scale: int = 6) -> Markup:
    qr = segno.make(data, error="m")
    svg = qr.svg_inline(scale=scale, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)  # noqa: S704  (segno's own SVG of our URL)


def _checkin_page(training, session, form=None, status: int = 200):
    q = request.args.get("q", "")[:100]
    rows = services.checkin_rows(session, q)
    # The walk-in form only when asked for (or coming back with errors): the list is
    # what the desk needs at once.
    if form is None and request.args.get("walkin") == "1":
        form = GuestForm()
        form.set_pillars(pillar_choices())
    return render(
        "trainings/checkin.html",
        "trainings/_checkin_rows.html",
        target="checkin-rows",  # the search swaps the list; everything else gets the page
        status=status,
        training=training,
        session=session,
        rows=rows,
        q=q,
        present=sum(1 for _r, a in rows if a is not None),
        form=form,
        action_form=EmptyForm(),
        can_change=training.status == "published",
    )


@bp.route("/<int:training_id>/sessions/<int:session_id>/checkin")
@login_required
def checkin(training_id: int, session_id: int):
    training, session = _session_for_desk(training_id, session_id)
    return _checkin_page(training, session)


def _mark(training_id: int, session_id: int, registration_id: int, present: bool):
    training, session = _session_for_desk(training_id, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    error = None
    try:
        if present:
            services.check_in(current_user, session.id, registration_id)
        else:
            services.undo_check_in(current_user, session.id, registration_id)
    except NotAllowed:
        abort(403)
    except ServiceError as exc:
        error = exc.message
    if wants_fragment():
        row = services.person_row(session, registration_id)
        if row is None:
            abort(404)
        return render(
            "trainings/checkin.html",
            "trainings/_checkin_row.html",
            status=422 if error else 200,
            training=training,
            session=session,
            person=row[0],
            attendance=row[1],
            row_error=error,
            can_change=training.status == "published",
        )
    if error:
        flash(error, "error")
    q = request.form.get("q", "")
    return redirect_after_post(
        url_for("trainings.checkin", training_id=training.id, session_id=session.id, q=q or None)
        + f"#person-{registration_id}"
    )


@bp.route(
    "/<int:training_id>/sessions/<int:session_id>/checkin/<int:registration_id>",
    methods=["POST"],
)
@login_required
def mark_present(training_id: int, session_id: int, registration_id: int):
    return _mark(training_id, session_id, registration_id, True)


@bp.route(
    "/<int:training_id>/sessions/<int:session_id>/checkin/<int:registration_id>/undo",
    methods=["POST"],
)
@login_required
def undo_present(training_id: int, session_id: int, registration_id: int):
    return _mark(training_id, session_id, registration_id, False)


@bp.route("/<int:training_id>/sessions/<int:session_id>/walkin", methods=["POST"])
@login_required
def walk_in(training_id: int, session_id: int):
    training, session = _session_for_desk(training_id, session_id)
    form = GuestForm()
    form.set_pillars(pillar_choices())
    if not form.validate():
        return _checkin_page(training, session, form, status=422)
    data = guest_data(form)
    try:
        registration = services.register_guest(
            current_user,
            training.id,
            data,
            walk_in=True,
            confirm_duplicate=form.confirm_duplicate.data == "1",
        )
        services.check_in(current_user, session.id, registration.id)
    except NotAllowed:
        abort(403)
    except services.PossibleDuplicate as error:
        form.confirm_duplicate.data = "1"
        form.name.errors = [
            *form.name.errors,
            _(
                "Already on the list: %(names)s. Mark them present above, or add again "
                "to register another person.",
                names=", ".join(m.display_name for m in error.matches),
            ),
        ]
        return _checkin_page(training, session, form, status=422)
    except ServiceError as error:
        apply_errors(form, error)
        return _checkin_page(training, session, form, status=422)
    flash(_("%(name)s added and checked in.", name=registration.display_name), "success")
    return redirect_after_post(
        url_for("trainings.checkin", training_id=training.id, session_id=session.id)
    )


@bp.route("/<int:training_id>/sessions/<int:session_id>/sheet")
@login_required
def sheet(training_id: int, session_id: int):
    """The daftar hadir (A4): blank rows for paper, or filled with the check-ins."""
    training, session = _session_for_desk(training_id, session_id)
    blank = request.args.get("blank") == "1"
    rows = services.checkin_rows(session)
    if not blank:
        rows = [(r, a) for r, a in rows if a is not None]
    extra = max(0, 20 - len(rows)) if blank else 3
    return render(
        "trainings/sheet.html",
        None,
        training=training,
        session=session,
        rows=[] if blank else rows,
        blank_rows=(len(rows) if blank else 0) + extra,
        blank=blank,
    )


@bp.route("/<int:training_id>/sessions/<int:session_id>/qr")
@login_required
def session_qr(training_id: int, session_id: int):
    """The self check-in code, shown on the projector."""
    training, session = _session_for_desk(training_id, session_id)
    link = url_for("trainings.self_checkin", code=session.checkin_code, _external=True)
    opens, closes = services.checkin_window(session)
    return render(
        "trainings/qr.html",
        None,
        training=training,
        session=session,
        link=link,
        svg=_qr_svg(link, scale=10),
        opens=opens,
        closes=closes,
    )


@bp.route("/checkin/<code>", methods=["GET", "POST"])
@login_required
def self_checkin(code: str):
    session = services.session_for_code(code)
    if session is None:
        abort(404)
    training = session.training
    done = None
    error = None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            done = services.self_check_in(current_user, code)
        except ServiceError as exc:
            error = exc.message
    opens, closes = services.checkin_window(session)
    now = utcnow()
    return render(
        "trainings/self_checkin.html",
        None,
        status=422 if error else 200,
        training=training,
        session=session,
        done=done,
        error=error,
        window_open=opens <= now < closes,
        opens=opens,
        action_form=EmptyForm(),
        code=code,
    )


# --- certificates --------------------------------------------------------------------


@bp.route("/<int:training_id>/certificates/<int:registration_id>")
@login_required
def certificate(training_id: int, registration_id: int):
    training = training_or_404(training_id)
    registration = services.db.session.get(services.Registration, registration_id)
    if registration is None or registration.training_id != training.id:
        abort(404)
    own = registration.user_id == current_user.id
    if not own and not permissions.can_manage_training(current_user, training):
        abort(403)
    if not registration.certificate_code:
        abort(404)
    link = url_for("verify.certificate", code=registration.certificate_code, _external=True)
    return render(
        "trainings/certificate.html",
        None,
        training=training,
        person=registration,
        link=link,
        svg=_qr_svg(link, scale=3),
    )


@verify_bp.route("/<code>", endpoint="certificate")
def verify_certificate(code: str):
    """Public: only the name, the training, its dates and the organiser."""
    registration = services.registration_for_code(code)
    status = 200 if registration is not None else 404
    return render(
        "trainings/verify.html",
        None,
        status=status,
        person=registration,
        training=registration.training if registration else None,
        code=code[:20],
    )


# --- calendar feed -------------------------------------------------------------------


@bp.route("/calendar.ics")
def calendar_feed():
    """Every published session (a year ahead, 30 days back) for calendar apps; the
    URL carries the user's calendar token, as the booking feeds do."""
    user = feeds.user_for_token(request.args.get("token"))
    if user is None:
        abort(404)
    now = utcnow()
    start, end = feeds.feed_window(now)
    with force_locale(user.locale or "id"):
        calendar = Calendar()
        calendar.add("prodid", feeds.PRODID)
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", _("Training agenda"))
        for session in services.sessions_between(start, end):
            training = session.training
            event = Event()
            event.add("uid", f"training-session-{session.id}@{feeds.UID_DOMAIN}")
            event.add("dtstamp", training.updated_at)
            event.add("dtstart", session.start_at)
            event.add("dtend", session.end_at)
            summary = training.title + (f" — {session.topic}" if session.topic else "")
            event.add("summary", summary)
            event.add("location", session.place_label)
            event.add(
                "description",
                "\n".join(
                    [
                        _("Organiser: %(pillar)s", pillar=training.organiser.name),
                        url_for("trainings.detail", training_id=training.id, _external=True),
                    ]
                ),
            )
            event.add("status", "CANCELLED" if training.status == "cancelled" else "CONFIRMED")
            calendar.add_component(event)
    return Response(
        calendar.to_ical(),
        mimetype="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
