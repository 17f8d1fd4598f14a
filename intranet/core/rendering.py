"""One helper decides between a fragment and a full page."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def wants_fragment(target: str | None = None) -> bool:
    """A real htmx request: not boosted navigation, not a history restore.

    With ``target`` (an element id), a request aimed at that element — boosted links
    inside it included — and no other.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    if target is not None:
        return htmx.target == target
    return not htmx.boosted


def render(
    template: str,
    fragment: str | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    target: str | None = None,
    **context: Any,
) -> Response:
    """Render ``fragment`` for htmx swaps, else the full ``template`` (which includes it).

    Fragments answering a change (POST) carry the flashed messages as an out-of-band
    swap, so messages show after partial updates too. Fragments for GET requests (live
    checks, filters) leave them for the next page, which may already be on its way.
    ``target``: the fragment answers only requests aimed at that element (see
    :func:`wants_fragment`), for a page whose parts are swapped separately.
    """
    if fragment is not None and wants_fragment(target):
        body = render_template(fragment, is_fragment=True, **context)
        if request.method != "GET":
            body += render_template("_flash_oob.html")
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    if target is not None:
        response.vary.add("HX-Target")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def redirect_after_post(location: str) -> Response:
    """Post/redirect/get for plain forms; a full-page client-side redirect for htmx ones.

    HX-Redirect (not HX-Location): the next page must arrive whole, with its layout
    and flashed message, not as the fragment an htmx request would get.
    """
    if wants_fragment():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
    else:
        response = make_response("", 303)
        response.headers["Location"] = location
    response.vary.add("HX-Request")
    return response
