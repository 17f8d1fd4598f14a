"""Kantor Bersama: the intranet of a shared office of social-welfare pillars."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask

from intranet import config as settings
from intranet.extensions import db, migrate

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent

# Feature packages, each with ``register(app)``: blueprints, navigation, predicates,
# today-page panels, demo and benchmark data. The order is the navigation's order.
FEATURES = (
    "intranet.bookings",
    "intranet.trainings",
    "intranet.assets",
    "intranet.announcements",
)


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """The app; ``instance_path`` (default ``instance/`` next to the code) holds the
    database, ``config.py``, ``secret_key``, uploads and backups."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(settings.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    settings.load_environment(app.config)
    if test_config:
        app.config.update(test_config)

    os.makedirs(app.instance_path, exist_ok=True)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        "sqlite:///" + os.path.join(app.instance_path, "intranet.sqlite3"),
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault("UPLOAD_FOLDER", os.path.join(app.instance_path, "uploads"))
    app.config.setdefault("BACKUP_FOLDER", os.path.join(app.instance_path, "backups"))
    # Never put SQL parameters (password hashes, tokens) into error messages and logs.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True,
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key_from_instance(app.instance_path)
    if app.config["BEHIND_HTTPS_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    settings.check_office_timezone(app.config["OFFICE_TIMEZONE"])
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["OFFICE_TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PACKAGE_DIR / "translations")

    _init_extensions(app)
    _register_blueprints(app)

    from intranet import bench, cli

    cli.init_app(app)
    bench.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    import intranet.models  # noqa: F401  (all tables known to the metadata)
    from intranet.core import (
        assets,
        attachments,
        audit,
        errors,
        form_messages,
        formatting,
        i18n,
        layout,
        logs,
        markdown,
        pagination,
        security,
    )
    from intranet.core import db as core_db
    from intranet.extensions import csrf, htmx

    logs.init_app(app)  # first: its hooks time everything the others do
    db.init_app(app)
    with app.app_context():
        core_db.configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    form_messages.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    layout.init_app(app)
    pagination.init_app(app)
    markdown.init_app(app)
    attachments.init_app(app)
    audit.init_app(app)

    from intranet.auth import login

    login.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from intranet.auth.admin_views import bp as admin_bp
    from intranet.auth.views import bp as auth_bp
    from intranet.core.views import bp as core_bp
    from intranet.dashboard.views import bp as dashboard_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(dashboard_bp)

    for name in FEATURES:
        importlib.import_module(name).register(app)
