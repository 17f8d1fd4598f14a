"""Real app servers for tests: gunicorn in its own process group, the app on a threaded
server in the test's process, a small HTTP client, and requests fired all at once.

with Gunicorn(app, workers=2) as server:
    browser = Browser(server.base)
    browser.login("staf")
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from werkzeug.serving import make_server

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A minimal HTTP client with cookies, enough to log in and post a form.

    ``base`` may be changed to send the same cookies to another server.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )
        self.headers: dict[str, str] = {}

    def request(
        self, path: str, data: dict | None = None, *, files: dict | None = None, timeout=60
    ) -> tuple[int, str]:
        status, body, self.headers = self.fetch(path, data, files=files, timeout=timeout)
        return status, body.decode(errors="replace")

    def fetch(self, path: str, data: dict | None = None, *, files: dict | None = None, timeout=60):
        """(status, body bytes, headers)."""
        headers = {}
        body = None
        if files:
            body, content_type = _multipart(data or {}, files)
            headers["Content-Type"] = content_type
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def token(self, path: str) -> str:
        _status, html = self.request(path)
        match = TOKEN_RE.search(html)
        assert match, html[:500]
        return match.group(1) or match.group(2)

    def login(self, username: str, password: str = PASSWORD) -> int:
        token = self.token("/login")
        status, _ = self.request(
            "/login", {"csrf_token": token, "username": username, "password": password}
        )
        return status


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content, mimetype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(app, **extra: str) -> dict[str, str]:
    """What a gunicorn needs to serve the test's database with the test's settings."""
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "INTRANET_SECRET_KEY": app.config["SECRET_KEY"],
        "INTRANET_PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
        "INTRANET_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "INTRANET_DEMO": "0",
        **extra,
    }


class Gunicorn:
    """``gunicorn wsgi:app`` as systemd runs it, in its own process group."""

    def __init__(self, app, *, workers: int = 2, log: Path | None = None, **env: str) -> None:
        self.env = server_environment(app, **env)
        self.workers = workers
        self.log = log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        stderr = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [
                    str(gunicorn),
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--no-control-socket",
                    "wsgi:app",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group: killable as a whole
            )
        finally:
            if self.log:
                stderr.close()
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if time.time() > deadline:
                raise TimeoutError("gunicorn did not answer /healthz")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a crash, no clean-up."""
        assert self.process
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def threaded_server(app) -> Iterator[str]:
    """The app on werkzeug's threaded server in this process; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def signed_in(base: str, usernames: list[str], token_path: str) -> list[tuple[Browser, str]]:
    """A browser per username, logged in, with a CSRF token from ``token_path``."""
    browsers = []
    for username in usernames:
        browser = Browser(base)
        assert browser.login(username) == 303
        browsers.append((browser, browser.token(token_path)))
    return browsers


T = TypeVar("T")


def all_at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
