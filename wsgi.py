"""WSGI entry point of every app server: `gunicorn wsgi:app` (systemd, `make run`).

Each worker holds the serving lock while it lives, so `flask restore` refuses to run
under it (see intranet/ops/serving.py). Do not use gunicorn's --preload with it.
"""

import gc

from intranet import create_app
from intranet.ops import serving

app = create_app()
serving.hold_shared(app)
# The app's ~140,000 long-lived objects (modules, templates, mappers) never become
# garbage: moved out of the collector's sight, a full collection no longer walks them
# all (a 25-90 ms pause every few hundred requests, the slowest 1% of responses).
gc.freeze()
