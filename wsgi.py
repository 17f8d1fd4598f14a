"""WSGI entry point: `gunicorn wsgi:app`."""

from intranet import create_app

app = create_app()
