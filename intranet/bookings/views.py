"""Booking pages: request, check, detail, edit, decide, lists and the approval queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from intranet.auth import permissions
from intranet.auth.services import pillar_choices
from intranet.bookings import bookings_bp as bp
from intranet.bookings import series as series_text
from intranet.bookings import services
from intranet.bookings.forms import BookingForm, DecisionForm
from intranet.bookings.models import Booking, BookingSeries, BookingStatus
from intranet.bookings.recurrence import Recurrence
from intranet.core.formatting import format_date_long, local_today
from intranet.core.forms import apply_service_error, time_grid
from intranet.core.pagination import Page, paginate
from intranet.core.rendering import redirect_after_post, render, wants_fragment
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db


def _booking_or_404(booking_id: int) -> Booking:
    return db.get_or_404(Booking, booking_id)


def _parse_date(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None


def _parse_time(value: str | None) -> time | None:
    try:
        return datetime.strptime(value or "", "%H:%M").time()
    except ValueError:
        return None


def _prepare(form: BookingForm, booking: Booking | None = None) -> None:
    pillars = services.allowed_pillars(current_user)
    if booking is not None and booking.pillar and booking.pillar not in pillars:
        pillars.append(booking.pillar)  # an edit keeps the pillar the booking has
    form.set_choices(services.active_rooms(), pillars, allow_no_pillar=True)


def _time_span(form: BookingForm) -> tuple[time, time]:
    """The hours the time selects offer: the chosen room's bookable hours (office hours
    before a room is chosen); the whole day for the front desk, who may override them."""
    if permissions.can_manage_front_desk(current_user):
        return time(0, 0), time(23, 45)
    room = db.session.get(services.Room, form.room_id.data) if form.room_id.data else None
    if room is not None:
        return services.bookable_hours(room)
    return services.office_hours()


def _set_time_grid(form: BookingForm) -> str:
    """Fill the start and end selects; returns the span's key (``07:30-16:00``)."""
    opens, closes = _time_span(form)
    step = current_app.config["BOOKING_SLOT_MINUTES"]
    times = time_grid(opens, closes, step)
    blank = _("— choose —")
    form.start.set_grid(times[:-1], blank)
    form.end.set_grid(times[1:], blank)
    return f"{opens:%H:%M}-{closes:%H:%M}"


def _request_from_form(form: BookingForm) -> services.BookingRequest:
    return services.BookingRequest(
        room_id=form.room_id.data,
        day=form.date.data,
        start=form.start.data,
        end=form.end.data,
        title=form.title.data or "",
        purpose=form.purpose.data or "",
        pillar_id=form.pillar_id.data,
        attendees=form.attendees.data or 1,
        phone=form.phone.data or "",
        override_reason=form.override_reason.data or "",
    )


def _rule_from_form(form: BookingForm) -> Recurrence:
    return Recurrence(
        frequency=form.frequency.data,
        interval=form.interval.data or 1,
        weekdays=tuple(form.weekdays.data or ()),
        until=form.until.data,
        count=form.count.data,
    )


def _show_check(form: BookingForm, check: services.Check) -> None:
    for name, messages in check.by_field().items():
        field = getattr(form, name, None)
        target = field if field is not None else form.start
        new = [m for m in messages if m not in target.errors]  # the form may have said it
        target.errors = [*list(target.errors), *new]


def _availability(form: BookingForm, booking: Booking | None = None):
    """The chosen room's day, for the free/busy strip (the edited booking not as busy)."""
    room = db.session.get(services.Room, form.room_id.data) if form.room_id.data else None
    day = form.date.data
    if room is None or day is None:
        return None
    return services.day_schedule(
        room,
        day,
        exclude_ids=(booking.id,) if booking else (),
        chosen=(form.start.data, form.end.data),
    )


def _form_page(form: BookingForm, *, status: int = 200, preview=None, check=None, booking=None):
    hours_key = _set_time_grid(form)
    return render(
        "bookings/form.html",
        "bookings/_form.html",
        status=status,
        form=form,
        preview=preview,
        check=check,
        booking=booking,
        hours_key=hours_key,
        summary=_summary(form),
        availability=_availability(form, booking),
        front_desk=permissions.can_manage_front_desk(current_user),
    )


def _summary(form: BookingForm) -> str:
    """The repeat rule in one sentence, when the form says enough to tell."""
    if not form.frequency.data or not form.date.data or form.frequency.errors:
        return ""
    text = series_text.describe(
        form.date.data, form.start.data, form.end.data, _rule_from_form(form)
    )
    if text:
        return text
    if not form.until.data and not form.count.data:
        return _("Say until when: a date or a number of times.")
    return _("Check the repeat settings.")


def _add_rule_problems(form: BookingForm, booking: Booking | None = None) -> services.Check:
    """The booking rules' problems beside the form's own, so one answer shows them all."""
    booking_request = _request_from_form(form)
    result = services.check_request(
        current_user,
        booking_request,
        exclude_ids=(booking.id,) if booking else (),
        time_rules=_moves(booking, form),
    )
    if booking is not None:
        result = services.keeping_pillar(result, booking, booking_request)
    _show_check(form, result)
    return result


def _prefill_from_query(form: BookingForm) -> None:
    args = request.args
    form.room_id.data = args.get("room_id", type=int)
    form.date.data = _parse_date(args.get("date"))
    form.start.data = _parse_time(args.get("start"))
    form.end.data = _parse_time(args.get("end"))
    if args.get("attendees", type=int):  # from the room finder
        form.attendees.data = args.get("attendees", type=int)
    if form.start.data and not form.end.data:
        room = db.session.get(services.Room, form.room_id.data) if form.room_id.data else None
        closes = services.bookable_hours(room)[1] if room else time(23, 45)
        hour_later = form.start.data.replace(hour=min(form.start.data.hour + 1, 23))
        form.end.data = min(hour_later, closes) if closes > form.start.data else hour_later
    if current_user.pillar_id and permissions.is_secretary_of(current_user, current_user.pillar_id):
        form.pillar_id.data = current_user.pillar_id
    form.phone.data = current_user.phone


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = BookingForm()
    _prepare(form)
    if request.method == "GET":
        _prefill_from_query(form)
        return _form_page(form)
    if not form.validate():
        if not form.frequency.data:  # a series checks each date in its preview
            _add_rule_problems(form)
        return _form_page(form, status=422)
    booking_request = _request_from_form(form)
    if form.frequency.data:
        return _new_series(form, booking_request)
    try:
        booking = services.create_booking(current_user, booking_request)
    except services.BookingRejected as error:
        _show_check(form, error.check)
        return _form_page(form, status=422, check=error.check)
    except ServiceError as error:
        apply_service_error(form, error)
        return _form_page(form, status=422)
    if booking.status == BookingStatus.PENDING:
        flash(_("Booking requested. The front desk will approve it."), "success")
    else:
        flash(_("Room booked."), "success")
    return redirect_after_post(url_for("bookings.detail", booking_id=booking.id))


def _new_series(form: BookingForm, booking_request: services.BookingRequest):
    rule = _rule_from_form(form)
    try:
        preview = services.preview_series(current_user, booking_request, rule)
    except ServiceError as error:
        apply_service_error(form, error)
        return _form_page(form, status=422)
    skip = {d for d in (_parse_date(v) for v in form.skip.data or ()) if d}
    if form.confirm.data == "1":
        try:
            new_series, bookings = services.create_series(
                current_user, booking_request, rule, skip=skip
            )
        except services.BookingRejected as error:
            form.form_errors.append(
                _("Some dates cannot be booked. Tick them to skip them, or change the time.")
            )
            preview = services.preview_series(current_user, booking_request, rule)
            return _form_page(form, status=422, preview=preview, check=error.check)
        except ServiceError as error:
            apply_service_error(form, error)
            return _form_page(form, status=422, preview=preview)
        flash(
            ngettext("%(num)d date booked.", "%(num)d dates booked.", len(bookings)),
            "success",
        )
        return redirect_after_post(url_for("bookings.series", series_id=new_series.id))
    # First submit: show every date; conflicting ones are pre-selected to skip.
    form.confirm.data = "1"
    if preview and preview[0].day != form.date.data:  # e.g. a Monday for "every Tuesday"
        form.date.data = preview[0].day
        form.date.raw_data = [preview[0].day.isoformat()]  # what the input shows
        form.date.description = _("Moved to the first date the repeat rule gives.")
    front_desk = permissions.can_manage_front_desk(current_user)
    form.skip.data = [
        o.day.isoformat() for o in preview if (o.check.blocking if front_desk else o.check.problems)
    ]
    return _form_page(form, preview=preview)


LIVE_FIELDS = ("room_id", "date", "start", "end", "attendees", "pillar_id", "override_reason")


@bp.route("/check")
@login_required
def check():
    """Live check while the form is filled: the room's day and every problem the submit
    would report for the fields filled so far (an untouched field is not yet an error)."""
    booking = None
    booking_id = request.args.get("booking_id", type=int)
    if booking_id:  # checking an edit: the booking does not clash with itself
        booking = _booking_or_404(booking_id)
        if not services.can_edit(current_user, booking):
            abort(403)
    form = BookingForm(formdata=request.args, meta={"csrf": False})
    _prepare(form, booking)
    form.validate()
    for field in form:
        if not (field.raw_data and any(v.strip() for v in field.raw_data if isinstance(v, str))):
            field.errors = []
    result = None
    if form.room_id.data and form.date.data and form.start.data and form.end.data:
        result = _add_rule_problems(form, booking)
    if not wants_fragment():
        return _form_page(form, check=result, booking=booking)
    hours_key = _set_time_grid(form)
    return render(
        "bookings/form.html",
        "bookings/_check.html",
        form=form,
        check=result,
        booking=booking,
        live_fields=LIVE_FIELDS,
        times_changed=hours_key != request.args.get("hours_shown"),
        hours_key=hours_key,
        summary=_summary(form),
        availability=_availability(form, booking),
        front_desk=permissions.can_manage_front_desk(current_user),
    )


def _moves(booking: Booking | None, form: BookingForm) -> bool:
    """Whether the form asks for another slot than the booking has (new: always)."""
    if booking is None:
        return True
    current = services.request_from_booking(booking)
    return (current.room_id, current.day, current.start, current.end) != (
        form.room_id.data,
        form.date.data,
        form.start.data,
        form.end.data,
    )


def panel_context(booking: Booking) -> dict:
    """What a booking's details need (its page, or the panel beside the calendar)."""
    return {
        "booking": booking,
        "history": services.booking_history(booking.id),
        "decision_form": DecisionForm(),
        "series": services.series_bookings(booking.series_id) if booking.series_id else [],
    }


@bp.route("/<int:booking_id>")
@login_required
def detail(booking_id: int):
    booking = _booking_or_404(booking_id)
    return render("bookings/detail.html", "bookings/_panel.html", **panel_context(booking))


@bp.route("/series/<int:series_id>")
@login_required
def series(series_id: int):
    """Every date of a recurring booking with what became of it."""
    record = db.get_or_404(BookingSeries, series_id)
    bookings = services.series_bookings(series_id)
    rows = series_text.dates_of(record, bookings)
    summary = series_text.describe(
        record.first_date, record.start_time, record.end_time, series_text.rule_of(record)
    )
    return render(
        "bookings/series.html",
        "bookings/_series.html",
        series=record,
        lead=bookings[0] if bookings else None,
        rows=rows,
        counts=series_text.counts(rows),
        state_labels=series_text.STATE_LABELS,
        summary=summary,
    )


@bp.route("/<int:booking_id>/edit", methods=["GET", "POST"])
@login_required
def edit(booking_id: int):
    booking = _booking_or_404(booking_id)
    if not services.can_edit(current_user, booking):
        abort(403)
    form = BookingForm()
    _prepare(form, booking)
    if request.method == "GET":
        current = services.request_from_booking(booking)
        form.room_id.data = current.room_id
        form.date.data = current.day
        form.start.data, form.end.data = current.start, current.end
        form.title.data, form.purpose.data = current.title, current.purpose
        form.pillar_id.data, form.attendees.data = current.pillar_id, current.attendees
        form.phone.data = current.phone
        return _form_page(form, booking=booking)
    if not form.validate():
        _add_rule_problems(form, booking)
        return _form_page(form, status=422, booking=booking)
    scope = form.scope.data or "one"
    booking_request = _request_from_form(form)
    skip: set[date] = set()
    if booking.series_id and scope != "one":
        if form.confirm.data == "1":
            skip = {d for d in (_parse_date(v) for v in form.skip.data or ()) if d}
        else:
            preview = _series_edit_preview(form, booking, booking_request, scope)
            if preview is not None:
                return _form_page(form, status=422, preview=preview, booking=booking)
    try:
        services.update_series(current_user, booking.id, booking_request, scope=scope, skip=skip)
    except services.BookingRejected as error:
        _show_check(form, error.check)
        return _form_page(form, status=422, check=error.check, booking=booking)
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        apply_service_error(form, error)
        return _form_page(form, status=422, booking=booking)
    flash(_("Booking changed."), "success")
    return redirect_after_post(url_for("bookings.detail", booking_id=booking.id))


def _series_edit_preview(form: BookingForm, booking: Booking, booking_request, scope: str):
    """Before changing several dates: when some of them cannot take the change, name them
    and show every date, the troubled ones ticked to stay as they are (None: all fine)."""
    preview = services.preview_update(current_user, booking.id, booking_request, scope=scope)
    front_desk = permissions.can_manage_front_desk(current_user)
    troubled = [o for o in preview if (o.check.blocking if front_desk else o.check.problems)]
    if not troubled:
        return None
    form.confirm.data = "1"
    form.skip.data = [o.day.isoformat() for o in troubled]
    form.form_errors.append(
        _(
            "These dates cannot be changed: %(dates)s. They are ticked to stay as they are;"
            " save again to change the others, or choose another time.",
            dates="; ".join(format_date_long(o.day) for o in troubled),
        )
    )
    return preview


def _decide(booking_id: int, action: str):
    booking = _booking_or_404(booking_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    allowed = (
        services.can_decide(current_user, booking)
        if action in ("approve", "reject")
        else services.can_cancel(current_user, booking)
    )
    if not allowed:
        abort(403)
    scope = form.scope.data or "one"
    error = None
    try:
        if action == "approve":
            services.approve(current_user, booking.id, scope=scope)
        elif action == "reject":
            services.reject(current_user, booking.id, form.reason.data or "", scope=scope)
        else:
            services.cancel(current_user, booking.id, form.reason.data or "", scope=scope)
    except NotAllowed:
        abort(403)
    except ServiceError as exc:
        error = exc.message
    booking = db.session.get(Booking, booking_id, populate_existing=True)
    changed = {} if error else {"HX-Trigger": "badgeChanged"}
    if request.form.get("view") == "row" and wants_fragment() and booking.series_id and not error:
        # A whole series changed: its other rows in the queue change too.
        return render(
            "bookings/approvals.html",
            "bookings/_approvals_table.html",
            headers={"HX-Retarget": "#approvals", "HX-Reswap": "innerHTML", **changed},
            page=_approval_page(),
            decision_form=DecisionForm(),
        )
    if request.form.get("view") == "row" and wants_fragment():
        return render(
            "bookings/approvals.html",
            "bookings/_approval_row.html",
            status=422 if error else 200,
            headers=changed,
            booking=services.booking_rows([booking.id])[0],
            row_error=error,
            decision_form=DecisionForm(),
        )
    if error:
        flash(error, "error")
    else:
        flash(
            {
                "approve": _("Booking approved."),
                "reject": _("Booking rejected."),
                "cancel": _("Booking cancelled."),
            }[action],
            "success",
        )
    if request.form.get("view") == "row":
        # Decided from the queue without JavaScript: back to the queue.
        return redirect_after_post(url_for("bookings.approvals"))
    return redirect_after_post(url_for("bookings.detail", booking_id=booking_id))


@bp.route("/<int:booking_id>/approve", methods=["POST"])
@login_required
def approve(booking_id: int):
    return _decide(booking_id, "approve")


@bp.route("/<int:booking_id>/reject", methods=["POST"])
@login_required
def reject(booking_id: int):
    return _decide(booking_id, "reject")


@bp.route("/<int:booking_id>/cancel", methods=["POST"])
@login_required
def cancel(booking_id: int):
    return _decide(booking_id, "cancel")


@bp.route("/")
@login_required
def index():
    who = request.args.get("who", "mine")
    filters = {
        "room_id": request.args.get("room", type=int),
        "pillar_id": request.args.get("pillar", type=int),
        "status": request.args.get("status", ""),
        "date_from": _parse_date(request.args.get("from")),
        "date_to": _parse_date(request.args.get("to")),
    }
    # Without dates the list starts today (soonest first); "from" empty but present = all.
    if "from" not in request.args and not filters["date_to"]:
        filters["date_from"] = local_today()
    search = services.search_bookings(
        user_id=current_user.id if who == "mine" else None, **filters, ids=True
    )
    page = paginate(*search)
    return render(
        "bookings/index.html",
        "bookings/_list.html",
        page=replace(page, items=services.booking_rows(page.items)),
        who=who,
        filters=filters,
        rooms=services.active_rooms(),
        pillars=pillar_choices(include_inactive=True),
        status_labels=services.STATUS_LABELS,
    )


@bp.route("/approvals")
@permissions.require(permissions.can_manage_front_desk)
def approvals():
    return render(
        "bookings/approvals.html",
        "bookings/_approvals_table.html",
        page=_approval_page(),
        decision_form=DecisionForm(),
    )


def _approval_page() -> Page:
    page = paginate(*services.approval_queue(ids=True))
    return replace(page, items=services.booking_rows(page.items))


@bp.route("/approvals/badge")
@permissions.require(permissions.can_manage_front_desk)
def approvals_badge():
    """The pending count in the navigation, refreshed after each decision."""
    return render(
        "_badge.html",
        "_badge.html",
        count=services.pending_count(),
        badge_url=url_for("bookings.approvals_badge"),
    )


@bp.app_template_global()
def approval_texts() -> dict[str, str]:
    """What every row of the approval queue repeats: made once per queue."""
    return {
        "detail": url_for("bookings.detail", booking_id=0).removesuffix("0"),
        "csrf": generate_csrf(),
        "series": _("series"),
        "people": _("people"),
        "approve": _("Approve"),
        "approve_series": _("Approve the series"),
        "reject": _("Reject"),
        "reject_series": _("Reject the series"),
        "reason": _("Reason for the booker"),
        "reason_placeholder": _("Reason to reject"),
        "when": _("When"),
        "room": _("Room"),
        "booked_by": _("Booked by"),
    }
