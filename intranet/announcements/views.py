"""Board pages: the board, a post, posting and editing, acknowledgements, the badge."""

from __future__ import annotations

from functools import lru_cache

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from intranet.announcements import announcements_bp as bp
from intranet.announcements import links, services
from intranet.announcements.forms import ALL, AnnouncementForm
from intranet.announcements.models import Announcement
from intranet.announcements.permissions import (
    can_edit_announcement,
    can_post_announcements,
    can_see_acknowledgements,
    can_see_announcement,
)
from intranet.auth import permissions
from intranet.auth.services import pillar_choices
from intranet.core import attachments, markdown
from intranet.core.db import utcnow
from intranet.core.formatting import format_date_long
from intranet.core.forms import EmptyForm
from intranet.core.pagination import paginate
from intranet.core.rendering import redirect_after_post, render, wants_fragment
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db

PER_PAGE = 12


def _post_or_404(post_id: int) -> Announcement:
    post = db.session.get(Announcement, post_id)
    if post is None or not can_see_announcement(current_user, post):
        abort(404)
    return post


def _editable_or_403(post_id: int) -> Announcement:
    post = _post_or_404(post_id)
    if not can_edit_announcement(current_user, post):
        abort(403)
    return post


# --- the board -----------------------------------------------------------------------

# The board counts its matches only this far ("more than 240"): twenty pages of cards is
# more than anyone pages through, and the count stays the same cost as years pile up.
COUNT_CAP = 240


def card_context(posts: list) -> dict:
    """What the cards need besides themselves: the linked events (one query per kind)."""
    return {
        "events": links.events_for(posts),
        "now": utcnow(),
        "texts": card_texts(),
        "detail_base": url_for("announcements.index"),
    }


def card_texts() -> dict[str, str]:
    """What every card repeats, translated once per page."""
    return {
        "office": _("Office"),
        "pinned": _("Pinned"),
        "new": _("New"),
        "unread": _("unread"),
        "for_": _("For:"),
        "everyone": _("Everyone"),
        "updated": _("updated"),
        "acked": _("acknowledged"),
        "please_ack": _("please acknowledge"),
    }


@bp.route("/")
@login_required
def index():
    view = request.args.get("view", "current")
    if view not in services.VIEWS:
        view = "current"
    filters = {
        "pillar_id": request.args.get("pillar", type=int),
        "category_id": request.args.get("category", type=int),
        "q": request.args.get("q", "").strip()[:100],
    }
    try:
        board = services.board_query(current_user, view=view, **filters, ids=True)
    except NotAllowed:
        abort(403)
    # Page over ids (cheap), then read the page's cards as plain rows.
    page = paginate(*board, per_page=PER_PAGE, count_cap=COUNT_CAP)
    page.items = services.cards(current_user, page.items)
    full_page = not wants_fragment("board")
    return render(
        "announcements/index.html",
        "announcements/_board.html",
        target="board",
        page=page,
        view=view,
        filters=filters,
        categories=services.categories() if full_page else [],
        pillars=pillar_choices(include_inactive=True) if full_page else [],
        **card_context(page.items),
    )


@bp.route("/badge")
@login_required
def badge():
    """The unread count for the navigation: one indexed count, no layout."""
    return render(
        "_badge.html",
        "_badge.html",
        count=services.unread_count(current_user),
        badge_url=url_for("announcements.badge"),
    )


# --- one post --------------------------------------------------------------------------


@bp.route("/<int:post_id>")
@login_required
def detail(post_id: int):
    post = _post_or_404(post_id)
    read, acknowledged = services.receipt_of(current_user, post)
    newly_read = services.mark_read(current_user, post, already=read)
    headers = (
        {"HX-Trigger": "badgeChanged"} if newly_read and request.headers.get("HX-Request") else None
    )
    return render(
        "announcements/detail.html", headers=headers, **_detail_context(post, acknowledged)
    )


def _detail_context(post: Announcement, acknowledged: bool | None = None) -> dict:
    shows_acks = can_see_acknowledgements(current_user, post)
    url = url_for("announcements.detail", post_id=post.id, _external=True)
    return {
        "post": post,
        "files": attachments.for_owner(services.OWNER, post.id),
        "events": links.events_for([post]),
        "acknowledged": (
            acknowledged
            if acknowledged is not None
            else post.requires_ack and services.has_acknowledged(current_user, post)
        ),
        "summary": services.ack_summary(post) if shows_acks else None,
        "read_count": services.read_count(post)
        if shows_acks or can_edit_announcement(current_user, post)
        else None,
        "versions": services.history(post) if post.version > 1 else [],
        "share_text": services.share_text(post, url, format_date_long(post.publish_at)),
        "action_form": EmptyForm(),
        "now": utcnow(),
    }


@bp.route("/<int:post_id>/ack", methods=["POST"])
@login_required
def acknowledge(post_id: int):
    post = _post_or_404(post_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.acknowledge(current_user, post.id)
    except NotAllowed:
        abort(403)
    except ServiceError:
        abort(404)
    if wants_fragment():
        return render(
            "announcements/detail.html",
            "announcements/_ack.html",
            headers={"HX-Trigger": "badgeChanged"},
            **_detail_context(post),
        )
    flash(_("Thank you: your acknowledgement is recorded."), "success")
    return redirect_after_post(url_for("announcements.detail", post_id=post.id))


@bp.route("/<int:post_id>/acknowledgements")
@login_required
def acknowledgements(post_id: int):
    """Who has and has not acknowledged, by pillar: printable."""
    post = _post_or_404(post_id)
    if not can_see_acknowledgements(current_user, post):
        abort(403)
    return render(
        "announcements/acknowledgements.html",
        post=post,
        report=services.ack_report(post),
        now=utcnow(),
    )


@bp.route("/<int:post_id>/delete", methods=["POST"])
@login_required
def delete(post_id: int):
    post = _editable_or_403(post_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete(current_user, post.id)
    flash(_("The announcement is deleted. The administrator can restore it."), "success")
    return redirect_after_post(url_for("announcements.index"))


@bp.route("/<int:post_id>/restore", methods=["POST"])
@permissions.require(permissions.is_admin)
def restore(post_id: int):
    post = _post_or_404(post_id)
    if post.deleted_at is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.restore(current_user, post.id)
    flash(_("The announcement is restored."), "success")
    return redirect_after_post(url_for("announcements.detail", post_id=post.id))


# --- posting and editing ------------------------------------------------------------


def _prepare(form: AnnouncementForm, post: Announcement | None = None) -> None:
    form.set_choices(
        services.categories(include_inactive=False)
        + ([post.category] if post is not None and not post.category.active else []),
        pillar_choices(),
        links.choices_for(current_user),
    )
    if post is not None:
        current = links.encode(post.link_kind, post.link_id)
        known = {value for value, _text in form.link.choices}
        if current and current not in known:
            events = links.events_for([post])
            event = events.get((post.link_kind, post.link_id))
            form.link.choices.append((current, event.title if event else current))


def _data_from_form(form: AnnouncementForm) -> services.PostData:
    chosen = [str(v) for v in (form.audience.data or [])]
    pillar_ids = [int(v) for v in chosen if v.isdigit()]
    return services.PostData(
        title=form.title.data or "",
        body=form.body.data or "",
        category_id=form.category.data,
        audience_all=ALL in chosen,
        audience_pillar_ids=pillar_ids,
        pinned=bool(form.pinned.data),
        publish_at=AnnouncementForm.to_utc(form.publish_at.data),
        expires_at=AnnouncementForm.to_utc(form.expires_at.data),
        requires_ack=bool(form.requires_ack.data),
        link=form.link.data or "",
    )


def _show_errors(form: AnnouncementForm, error: ServiceError) -> None:
    errors = getattr(error, "errors", None) or {error.field or "": [error.message]}
    for name, messages in errors.items():
        target = getattr(form, name, None) if name else None
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = [*list(target.errors), *messages]


def _form_page(form, *, post=None, status=200, preview=None):
    return render(
        "announcements/form.html",
        "announcements/_form.html",
        status=status,
        form=form,
        post=post,
        preview=preview,
        files=attachments.for_owner(services.OWNER, post.id) if post else [],
        posting_as=post.pillar
        if post
        else current_user.pillar
        if not services.posts_as_office(current_user)
        else None,
    )


def _preview_of(form: AnnouncementForm) -> dict:
    data = _data_from_form(form)
    category = next(
        (name for value, name in form.category.choices if value == data.category_id), ""
    )
    return {"title": data.title, "body": data.body, "category": category}


def _bad_form_errors(form: AnnouncementForm) -> None:
    """WTForms' own parse errors (a date it cannot read) are kept beside their fields."""
    for name in ("publish_at", "expires_at"):
        field = getattr(form, name)
        if field.raw_data and field.raw_data[0] and field.data is None:
            field.errors = [_("Enter a date and time.")]


@bp.route("/new", methods=["GET", "POST"])
@permissions.require(can_post_announcements)
def new():
    form = AnnouncementForm()
    _prepare(form)
    if request.method == "GET":
        form.audience.data = [ALL]
        return _form_page(form)
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    _bad_form_errors(form)
    if request.form.get("preview"):
        return _form_page(form, preview=_preview_of(form))
    if any(getattr(form, n).errors for n in ("publish_at", "expires_at")):
        return _form_page(form, status=422)
    try:
        post = services.create(current_user, _data_from_form(form), form.attachments.data)
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        _show_errors(form, error)
        return _form_page(form, status=422)
    flash(_("The announcement is posted."), "success")
    return redirect_after_post(url_for("announcements.detail", post_id=post.id))


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    post = _editable_or_403(post_id)
    form = AnnouncementForm()
    _prepare(form, post)
    if request.method == "GET":
        form.title.data = post.title
        form.body.data = post.body
        form.category.data = post.category_id
        form.audience.data = (
            [ALL] if post.audience_all else [str(i) for i in post.audience_pillar_ids]
        )
        form.pinned.data = post.pinned
        form.publish_at.data = AnnouncementForm.to_local_input(post.publish_at)
        form.expires_at.data = AnnouncementForm.to_local_input(post.expires_at)
        form.requires_ack.data = post.requires_ack
        form.link.data = links.encode(post.link_kind, post.link_id)
        return _form_page(form, post=post)
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    _bad_form_errors(form)
    if request.form.get("preview"):
        return _form_page(form, post=post, preview=_preview_of(form))
    if any(getattr(form, n).errors for n in ("publish_at", "expires_at")):
        return _form_page(form, post=post, status=422)
    try:
        services.update(
            current_user,
            post.id,
            _data_from_form(form),
            form.attachments.data,
            form.remove_attachments.data or [],
        )
    except NotAllowed:
        abort(403)
    except ServiceError as error:
        _show_errors(form, error)
        return _form_page(form, post=post, status=422)
    flash(_("The announcement is changed."), "success")
    return redirect_after_post(url_for("announcements.detail", post_id=post.id))


@bp.route("/preview", methods=["POST"])
@permissions.require(can_post_announcements)
def preview():
    """The Markdown preview for htmx (the form stays as it is, files included)."""
    form = AnnouncementForm()
    _prepare(form)
    form.validate()
    return render(
        "announcements/_preview.html",
        "announcements/_preview.html",
        preview=_preview_of(form),
    )


@lru_cache(maxsize=512)
def _rendered(source: str) -> Markup:
    return markdown.render(source)


@bp.app_template_filter("board_markdown")
def board_markdown(source: str | None) -> Markup:
    """``|markdown`` of post bodies, kept per worker: a post is read far more than written."""
    return _rendered(source or "")
