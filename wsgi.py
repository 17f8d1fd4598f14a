"""WSGI entry point of every app server: `gunicorn wsgi:app` (systemd, `make run`).

Each worker holds the serving lock while it lives, so `flask restore` refuses to run
under it (see intranet/ops/serving.py). Do not use gunicorn's --preload with it.
"""

from intranet import create_app
from intranet.ops import serving

app = create_app()
serving.hold_shared(app)
