"""Training pages: agenda, training page, create/edit, publish/cancel/finish, sessions,
materials."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from intranet.auth.services import pillar_choices
from intranet.bookings import services as booking_services
from intranet.core import attachments, audit
from intranet.core.formatting import local_today, to_local
from intranet.core.forms import EmptyForm, apply_service_error
from intranet.core.pagination import paginate
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import NotAllowed, ServiceError
from intranet.trainings import bp, permissions, services
from intranet.trainings.forms import (
    CancelForm,
    MaterialsForm,
    MinutesForm,
    SessionForm,
    TrainingForm,
)
from intranet.trainings.models import Training, TrainingSession

# Cards per agenda page: about a month of the office's trainings.
AGENDA_PAGE_SIZE = 15


def training_or_404(training_id: int) -> Training:
    training = services.get_training(training_id)
    if training is None or not permissions.can_see_training(current_user, training):
        abort(404)
    return training


def managed_or_403(training_id: int) -> Training:
    training = training_or_404(training_id)
    if not permissions.can_manage_training(current_user, training):
        abort(403)
    return training


def apply_errors(form, error: ServiceError) -> None:
    """Every message of a service error next to its field (or above the form)."""
    if isinstance(error, services.FormInvalid):
        for name, messages in error.errors.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = [*list(field.errors), *messages]
            else:
                form.form_errors.extend(messages)
    else:
        apply_service_error(form, error)


def _month(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


@bp.route("/")
@login_required
def index():
    view = request.args.get("view", "upcoming")
    if view == "calendar":
        return _calendar()
    if view not in ("upcoming", "archive", "mine"):
        view = "upcoming"
    filters = services.AgendaFilters(
        organiser_id=request.args.get("organiser", type=int),
        target_id=request.args.get("target", type=int),
        month=_month(request.args.get("month")),
        open_only=request.args.get("open") == "1",
        q=request.args.get("q", "")[:100],
    )
    if view == "mine":
        listed = services.my_trainings(current_user)
    else:
        listed = services.agenda(current_user, filters, archive=view == "archive")
    page = paginate(*listed, per_page=AGENDA_PAGE_SIZE)
    ids = [t.id for t in page.items]
    now = services.utcnow()
    groups: list[tuple[date | None, list[Training]]] = []
    for training in page.items:
        month = training.first_day.replace(day=1) if training.first_day else None
        if not groups or groups[-1][0] != month:
            groups.append((month, []))
        groups[-1][1].append(training)
    return render(
        "trainings/index.html",
        "trainings/_agenda.html",
        page=page,
        groups=groups,
        view=view,
        filters=filters,
        pillars=pillar_choices(),
        mine=services.own_registrations(current_user.id, ids),
        targets=services.target_chips([t.id for t in page.items if not t.for_all_pillars]),
        open_ids={t.id for t in page.items if services.open_by_day(t, now, local_today())},
        can_create=permissions.can_create_training(current_user),
        texts=_agenda_texts(),
    )


def _calendar():
    """The month as a calendar: every session a line on its day."""
    month = _month(request.args.get("month")) or local_today().replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    first = month - timedelta(days=month.weekday())  # the Monday the grid starts on
    last = following + timedelta(days=(7 - following.weekday()) % 7)
    weeks = [
        [first + timedelta(days=7 * week + day) for day in range(7)]
        for week in range((last - first).days // 7)
    ]
    return render(
        "trainings/calendar.html",
        None,
        view="calendar",
        month=month,
        previous=(month - timedelta(days=1)).replace(day=1),
        following=following,
        weeks=weeks,
        entries=services.month_entries(current_user, first, last),
        today=local_today(),
        can_create=permissions.can_create_training(current_user),
    )


def _agenda_texts() -> dict[str, str]:
    """What every card repeats, translated once per page."""
    return {
        "detail": url_for("trainings.detail", training_id=0)[:-1],
        "for": _("For"),
        "all": _("All pillars"),
        "open": _("Registration open"),
        "full": _("Full — waitlist"),
        "undated": _("No sessions yet"),
    }


def _training_form(form: TrainingForm) -> None:
    form.set_choices(services.organiser_choices(current_user), pillar_choices())


def guest_data(form) -> services.GuestData:
    """A guest (no account) from the guest form, for the desk's walk-in and the list."""
    return services.GuestData(
        name=form.name.data or "",
        pillar_id=form.pillar_id.data,
        organisation=form.organisation.data or "",
        phone=form.phone.data or "",
        origin=form.origin.data or "",
        notes=form.notes.data or "",
    )


def _data(form: TrainingForm) -> services.TrainingData:
    return services.TrainingData(
        title=form.title.data or "",
        organiser_pillar_id=form.organiser_pillar_id.data,
        capacity=form.capacity.data,
        description=form.description.data or "",
        for_all_pillars=bool(form.for_all_pillars.data),
        target_ids=list(form.target_ids.data or []),
        facilitators=form.facilitators.data or "",
        registration_opens_at=services.to_utc_local(form.registration_opens_at.data),
        registration_closes_at=services.to_utc_local(form.registration_closes_at.data),
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        certificate_threshold=form.certificate_threshold.data or 1,
    )


def _form_page(form: TrainingForm, training: Training | None = None, status: int = 200):
    return render(
        "trainings/form.html", "trainings/_form.html", status=status, form=form, training=training
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_create_training(current_user):
        abort(403)
    form = TrainingForm()
    _training_form(form)
    if request.method == "GET":
        form.organiser_pillar_id.data = current_user.pillar_id
        form.contact_name.data = current_user.full_name
        form.contact_phone.data = current_user.phone
        form.capacity.data = 30
        return _form_page(form)
    if not form.validate():
        return _form_page(form, status=422)
    try:
        training = services.create_training(current_user, _data(form))
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        apply_errors(form, error)
        return _form_page(form, status=422)
    flash(_("Training saved as a draft. Add its sessions, then publish it."), "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training.id))


@bp.route("/<int:training_id>/edit", methods=["GET", "POST"])
@login_required
def edit(training_id: int):
    training = managed_or_403(training_id)
    form = TrainingForm(obj=training if request.method == "GET" else None)
    _training_form(form)
    if request.method == "GET":
        form.target_ids.data = [p.id for p in training.targets]
        for name in ("registration_opens_at", "registration_closes_at"):
            value = getattr(training, name)
            getattr(form, name).data = to_local(value).replace(tzinfo=None) if value else None
        return _form_page(form, training)
    if not form.validate():
        return _form_page(form, training, status=422)
    try:
        services.update_training(current_user, training.id, _data(form))
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        apply_errors(form, error)
        return _form_page(form, training, status=422)
    flash(_("Training changed."), "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training.id))


def detail_context(training: Training) -> dict:
    manage = permissions.can_manage_training(current_user, training)
    mine = services.own_registration(current_user, training.id)
    history = services.history(training.id) if manage else []
    return {
        "training": training,
        "manage": manage,
        "check_in": permissions.can_check_in(current_user, training),
        "mine": mine,
        "rank": services.waitlist_rank(training.id, mine) if mine else None,
        "waiting": services.waitlist_count(training.id),
        "open_now": services.is_open(training),
        "outside": services.outside_targets(current_user, training),
        "materials": attachments.for_owner("training", training.id),
        "history": history,
        "history_labels": audit.value_labels(history),
        "field_label": audit.field_label,
        "value_label": audit.value_label,
        "action_form": EmptyForm(),
        "cancel_form": CancelForm(),
        "share_text": share_text(training),
    }


@bp.route("/<int:training_id>")
@login_required
def detail(training_id: int):
    training = training_or_404(training_id)
    return render("trainings/detail.html", None, **detail_context(training))


def share_text(training: Training) -> str:
    """The WhatsApp invitation: *bold* and _italic_ marks, Indonesian dates and times."""
    from intranet.core.formatting import format_date_long, format_time
    from intranet.core.markdown import plain_text

    lines = [f"*{training.title}*", f"_{training.organiser.name}_", ""]
    summary = plain_text(training.description, 240)
    if summary:
        lines += [summary, ""]
    for session in training.sessions:
        topic = f" — {session.topic}" if session.topic else ""
        lines.append(
            f"📅 {format_date_long(session.day)}, {format_time(session.start_at)}–"
            f"{format_time(session.end_at)}{topic}"
        )
        lines.append(f"📍 {session.place_label}")
    lines.append("")
    if training.status == "published":
        lines.append(
            _(
                "Seats left: %(num)d of %(capacity)d",
                num=training.seats_left,
                capacity=training.capacity,
            )
        )
        if training.registration_closes_at:
            lines.append(
                _(
                    "Registration closes %(when)s",
                    when=f"{format_date_long(training.registration_closes_at)} "
                    f"{format_time(training.registration_closes_at)}",
                )
            )
    if training.contact_name:
        contact = training.contact_name
        if training.contact_phone:
            contact += f" ({training.contact_phone})"
        lines.append(_("Contact: %(contact)s", contact=contact))
    lines.append(
        _(
            "Register: %(url)s",
            url=url_for("trainings.detail", training_id=training.id, _external=True),
        )
    )
    return "\n".join(lines)


def _action(training_id: int, run, message: str):
    training = managed_or_403(training_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        run(training)
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training_id))


@bp.route("/<int:training_id>/publish", methods=["POST"])
@login_required
def publish(training_id: int):
    return _action(
        training_id,
        lambda t: services.publish(current_user, t.id),
        _("Training published: everyone can see it and register."),
    )


@bp.route("/<int:training_id>/cancel", methods=["POST"])
@login_required
def cancel(training_id: int):
    training = managed_or_403(training_id)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.cancel_training(current_user, training.id, form.reason.data or "")
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("trainings.detail", training_id=training.id))
    flash(_("Training cancelled; its room bookings are released."), "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training.id))


@bp.route("/<int:training_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(training_id: int):
    training = managed_or_403(training_id)
    form = MinutesForm(obj=training if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        finish = request.form.get("finish") == "1"
        try:
            if finish:
                services.finish(current_user, training.id, form.minutes.data or "")
            else:
                services.save_minutes(current_user, training.id, form.minutes.data or "")
        except NotAllowed:
            abort(403)
        except ServiceError as error:
            apply_errors(form, error)
        else:
            flash(
                _("Training marked finished; certificates are ready.")
                if finish
                else _("Minutes saved."),
                "success",
            )
            return redirect_after_post(url_for("trainings.detail", training_id=training.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "trainings/minutes.html",
        "trainings/_minutes_form.html",
        status=status,
        form=form,
        training=training,
    )


@bp.route("/<int:training_id>/materials", methods=["POST"])
@login_required
def materials(training_id: int):
    training = managed_or_403(training_id)
    form = MaterialsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        saved = services.add_materials(current_user, training.id, request.files.getlist("files"))
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(ngettext("%(num)d file added.", "%(num)d files added.", len(saved)), "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training.id) + "#materials")


@bp.route("/<int:training_id>/materials/<int:attachment_id>/delete", methods=["POST"])
@login_required
def remove_material(training_id: int, attachment_id: int):
    return _action(
        training_id,
        lambda t: services.remove_material(current_user, t.id, attachment_id),
        _("File removed."),
    )


# --- sessions ----------------------------------------------------------------------


def _session_form_page(form, training, session=None, status: int = 200):
    return render(
        "trainings/session_form.html",
        "trainings/_session_form.html",
        status=status,
        form=form,
        training=training,
        session=session,
    )


def _session_data(form: SessionForm) -> services.SessionData:
    return services.SessionData(
        day=form.day.data,
        start=form.start.data,
        end=form.end.data,
        topic=form.topic.data or "",
        room_id=form.room_id.data,
        place=form.place.data or "",
    )


@bp.route("/<int:training_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(training_id: int):
    training = managed_or_403(training_id)
    form = SessionForm()
    form.set_rooms(booking_services.active_rooms())
    if request.method == "GET":
        last = training.sessions[-1] if training.sessions else None
        form.day.data = last.day if last else local_today()
        if last:
            form.start.data, form.end.data = last.start_time, last.end_time
            form.room_id.data = last.room_id
        return _session_form_page(form, training)
    if not form.validate():
        return _session_form_page(form, training, status=422)
    try:
        services.add_session(current_user, training.id, _session_data(form))
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        apply_errors(form, error)
        return _session_form_page(form, training, status=422)
    flash(_("Session added."), "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training.id))


def _session_or_404(training: Training, session_id: int) -> TrainingSession:
    session = services.get_session(session_id)
    if session is None or session.training_id != training.id:
        abort(404)
    return session


@bp.route("/<int:training_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(training_id: int, session_id: int):
    training = managed_or_403(training_id)
    session = _session_or_404(training, session_id)
    form = SessionForm()
    form.set_rooms(booking_services.active_rooms())
    if request.method == "GET":
        form.day.data, form.start.data, form.end.data = (
            session.day,
            session.start_time,
            session.end_time,
        )
        form.topic.data, form.room_id.data, form.place.data = (
            session.topic,
            session.room_id,
            session.place,
        )
        return _session_form_page(form, training, session)
    if not form.validate():
        return _session_form_page(form, training, session, status=422)
    try:
        services.update_session(current_user, session.id, _session_data(form))
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        apply_errors(form, error)
        return _session_form_page(form, training, session, status=422)
    flash(_("Session changed."), "success")
    return redirect_after_post(url_for("trainings.detail", training_id=training.id))


@bp.route("/<int:training_id>/sessions/<int:session_id>/delete", methods=["POST"])
@login_required
def remove_session(training_id: int, session_id: int):
    training = managed_or_403(training_id)
    _session_or_404(training, session_id)
    return _action(
        training_id,
        lambda t: services.remove_session(current_user, session_id),
        _("Session removed; its room booking is released."),
    )
