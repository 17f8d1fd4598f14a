"""Authorization matrix: every URL x every role and anonymous → the expected status.

Every rule in the URL map must appear here, so a new page cannot go unchecked.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROLES

ANON = "anonymous"
EVERYONE = (*ROLES,)
ADMIN = ("admin",)

# (method, url, roles allowed) — allowed roles get 200 (GET) or their success status;
# other signed-in roles get 403; anonymous users are sent to the login page.
PUBLIC = "public"
MATRIX = [
    ("GET", "/healthz", PUBLIC),
    ("GET", "/login", PUBLIC),
    ("POST", "/login", PUBLIC),
    ("POST", "/language", PUBLIC),
    ("GET", "/", EVERYONE),
    ("GET", "/profile", EVERYONE),
    ("POST", "/profile/password", EVERYONE),
    ("GET", "/logout", EVERYONE),
    ("POST", "/logout", EVERYONE),
    ("GET", "/admin/users/", ADMIN),
    ("GET", "/admin/users/new", ADMIN),
    ("POST", "/admin/users/new", ADMIN),
    ("GET", "/admin/users/<int:user_id>", ADMIN),
    ("POST", "/admin/users/<int:user_id>", ADMIN),
    ("POST", "/admin/users/<int:user_id>/active", ADMIN),
    ("POST", "/admin/users/<int:user_id>/password", ADMIN),
    ("GET", "/admin/pillars/", ADMIN),
    ("GET", "/admin/pillars/new", ADMIN),
    ("POST", "/admin/pillars/new", ADMIN),
    ("GET", "/admin/pillars/<int:pillar_id>", ADMIN),
    ("POST", "/admin/pillars/<int:pillar_id>", ADMIN),
    ("GET", "/admin/audit/", ADMIN),
]

# Endpoints whose rules are covered above by another method or need no login.
NOT_PAGES = {"static"}


def _expand(url: str, users, pillar) -> str:
    values = {"user_id": users["staff"].id, "pillar_id": pillar.id}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), url)


def test_every_rule_is_in_the_matrix(app):
    listed = {(method, url) for method, url, _ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, rule.rule) not in listed:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"add these to the authorization matrix: {missing}"


@pytest.mark.parametrize(("method", "url", "allowed"), MATRIX, ids=lambda v: str(v))
@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_matrix(app, users, login_as, client, role, method, url, allowed):
    pillar = users["secretary"].pillar
    target = _expand(url, users, pillar)
    for htmx in (False, True):
        web = client if role == ANON else login_as(role)
        data = {"csrf_token": web.csrf_token()} if method == "POST" else None
        headers = {"HX-Request": "true"} if htmx else {}
        response = web.open(target, method=method, data=data, headers=headers)
        status = response.status_code
        if allowed == PUBLIC:
            assert status < 500 and status != 403, (role, target, status)
        elif role == ANON:
            if htmx:
                assert status == 401 and "/login" in response.headers["HX-Redirect"]
            else:
                assert status == 302 and "/login" in response.headers["Location"]
        elif role in allowed:
            # Allowed: success, or a validation answer for an empty POST.
            assert status in (200, 204, 303, 400, 422), (role, target, status)
        else:
            assert status == 403, (role, target, status)
