"""`make bench`: the app with five years of a large office, under load, against budgets.

1. Generates the large office (`flask bench-data`) into bench/data/large.sqlite3 and a
   tenth of it into small.sqlite3 — never the user's database — again whenever the
   generator, the migrations or the date changed.
2. Serves the large one as `make run` does (gunicorn, 2 workers, production settings,
   benchmark mode for the /bench/baseline page), logs in as the benchmark receptionist
   and loads every page of `flask bench-pages` with wrk from a separate process on
   127.0.0.1 (16 connections, bounded in time): requests/s, p50/p95/p99, bytes.
3. Measures the baseline page (one indexed 20-row query in the layout) before and after
   the pages; each page's throughput is given as a ratio to it, so budgets hold on a noisy
   machine.
4. Volume: each page's median latency on one connection, on the large and on the small
   office: a page whose cost grows with the history fails.
5. Writes bench/results/latest.md and latest.json and exits 1 when a budget fails.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "report.lua"
USERNAME, PASSWORD = "bench.resepsionis", "bench12345"
WORKERS = 2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Budgets (see README, "Speed"): throughput as a share of the baseline page's.
MIN_RATIO = {"grid": 0.3, "feed": 0.3, "page": 0.5, "fragment": 0.5}
MAX_P99_MS = 100.0
MAX_VOLUME_RATIO = 1.2
MAX_BYTES = {"fragment": 10_000}
MAX_FIRST_LOAD_GZ = 100_000
MAX_RSS_MB = 150.0
SCALES = {"large": 1.0, "small": 0.1}


@dataclass
class Result:
    name: str
    path: str
    kind: str
    htmx: bool
    max_bytes: int = 0
    target: str = ""
    status: int = 0
    bytes: int = 0
    bytes_gz: int = 0
    first_load_gz: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    errors: int = 0
    cpu_ms: float = 0.0  # worker CPU per request
    ratio: float = 0.0  # throughput, as a share of the baseline's (by CPU per request)
    rps_ratio: float = 0.0  # the same, as measured (req/s; noisy on a busy machine)
    volume_large_ms: float = 0.0  # CPU per request, large and small office
    volume_small_ms: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def volume_ratio(self) -> float:
        if not self.volume_small_ms:
            return 0.0
        return self.volume_large_ms / self.volume_small_ms


# --- the data ------------------------------------------------------------------------------


def _stamp() -> str:
    """What the generated data depends on: generator, models, migrations and the date."""
    digest = hashlib.sha256()
    sources = sorted(
        [
            *ROOT.glob("intranet/**/bench.py"),
            *ROOT.glob("intranet/**/models.py"),
            *ROOT.glob("intranet/migrations/versions/*.py"),
        ]
    )
    for path in sources:
        digest.update(path.read_bytes())
    digest.update(datetime.now().date().isoformat().encode())
    return digest.hexdigest()[:16]


def _env(database: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTRANET_")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        FLASK_APP="intranet",
        INTRANET_DEMO="0",
        INTRANET_BENCH="1",
        **extra,
    )
    env.pop("SECRET_KEY", None)
    return env


def ensure_data(regenerate: bool) -> dict[str, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    stamp = _stamp()
    paths = {}
    for name, scale in SCALES.items():
        path = DATA / f"{name}.sqlite3"
        stamp_file = path.with_suffix(".stamp")
        paths[name] = path
        if (
            not regenerate
            and path.exists()
            and stamp_file.exists()
            and stamp_file.read_text() == stamp
        ):
            continue
        for leftover in DATA.glob(f"{name}.sqlite3*"):
            leftover.unlink()
        print(f"Generating the {name} office (scale {scale}) …", flush=True)
        env = _env(path)
        subprocess.run([BIN / "flask", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([BIN / "flask", "bench-data", "--scale", str(scale)], env=env, check=True)
        stamp_file.write_text(stamp)
    return paths


def page_list(database: Path) -> list[dict]:
    out = subprocess.run(
        [BIN / "flask", "bench-pages"], env=_env(database), check=True, capture_output=True
    )
    return json.loads(out.stdout)


# --- the server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, database: Path) -> None:
        self.port = _free_port()
        self.database = database
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = _env(self.database, INTRANET_SECRET_KEY=secrets.token_hex(32))
        self.process = subprocess.Popen(
            [
                BIN / "gunicorn",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _h, _b = self.get("/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def worker_pids(self) -> list[str]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return children.read_text().split() if children.exists() else []

    def worker_cpu_seconds(self) -> float:
        """CPU time the workers have used so far (user + system)."""
        ticks = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / CLOCK_TICKS

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def get(self, path: str, headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def login(self) -> str:
        """Log in as the benchmark receptionist; returns the session cookie."""
        status, headers, body = self.get("/login")
        cookie = headers.get("Set-Cookie", "").split(";")[0]
        token = re.search(rb'"X-CSRFToken": "([^"]+)"', body)
        if token is None:
            raise RuntimeError(f"no CSRF token on the login page ({status})")
        form = urllib.parse.urlencode(
            {"username": USERNAME, "password": PASSWORD, "csrf_token": token.group(1).decode()}
        )
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(
                "POST",
                "/login",
                body=form,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                    "Referer": f"http://127.0.0.1:{self.port}/login",
                },
            )
            response = conn.getresponse()
            response.read()
            session = response.getheader("Set-Cookie", "").split(";")[0]
        finally:
            conn.close()
        if response.status != 303 or not session:
            raise RuntimeError(f"login failed ({response.status})")
        return session


# --- measuring -----------------------------------------------------------------------------


def measure(server: Server, path: str, headers: dict[str, str], seconds: float, connections: int):
    """wrk's numbers, plus the workers' CPU time per request (``cpu_ms``)."""
    before = server.worker_cpu_seconds()
    numbers = wrk(server, path, headers, seconds, connections)
    used = server.worker_cpu_seconds() - before
    numbers["cpu_ms"] = 1000 * used / max(1, numbers["requests"])
    return numbers


def wrk(server: Server, path: str, headers: dict[str, str], seconds: float, connections: int):
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    line = next((x for x in out.stdout.splitlines() if x.startswith("JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {path}: {out.stdout}{out.stderr}")
    return json.loads(line[5:])


BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium and Firefox accept
ASSET_RE = re.compile(rb'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def weigh(server: Server, result: Result, headers: dict[str, str]) -> None:
    plain = {k: v for k, v in headers.items() if k != "Accept-Encoding"}
    status, _h, body = server.get(result.path, plain)
    result.status, result.bytes = status, len(body)
    _status, head_gz, body_gz = server.get(result.path, {**headers, "Accept-Encoding": "gzip"})
    compressed = head_gz.get("Content-Encoding") == "gzip"
    result.bytes_gz = len(body_gz) if compressed else len(gzip.compress(body))
    result.first_load_gz = len(body_gz)
    if result.htmx or result.kind == "feed":
        return
    for asset in dict.fromkeys(ASSET_RE.findall(body)):
        _s, _head, data = server.get(asset.decode(), {"Accept-Encoding": BROWSER_ENCODINGS})
        result.first_load_gz += len(data)


def judge(result: Result, baseline_rps: float) -> None:
    fails = result.failures
    if result.status != 200:
        fails.append(f"status {result.status}")
    if result.errors:
        fails.append(f"{result.errors} failed requests")
    if result.kind != "baseline":
        minimum = MIN_RATIO[result.kind]
        if result.ratio < minimum:
            fails.append(f"throughput {result.ratio:.2f}× < {minimum}×")
    if result.p99 > MAX_P99_MS:
        fails.append(f"p99 {result.p99:.0f} ms > {MAX_P99_MS:.0f}")
    limit = result.max_bytes or MAX_BYTES.get(result.kind, 0)
    if limit and result.bytes > limit:
        fails.append(f"{result.bytes / 1000:.1f} KB > {limit / 1000:.0f} KB")
    if not result.htmx and result.kind != "feed" and result.first_load_gz > MAX_FIRST_LOAD_GZ:
        fails.append(f"first load {result.first_load_gz / 1000:.0f} KB > 100 KB")
    if result.volume_ratio > MAX_VOLUME_RATIO:
        fails.append(f"volume {result.volume_ratio:.2f}× > {MAX_VOLUME_RATIO}×")


def request_headers(cookie: str, htmx: bool, target: str) -> dict[str, str]:
    headers = {"Cookie": cookie, "Accept-Encoding": "gzip"}
    if htmx:
        headers["HX-Request"] = "true"
    if target:
        headers["HX-Target"] = target
    return headers


def measure_volume(database: Path, results: list[Result], seconds: float) -> list[float]:
    """Worker CPU per request of each page (matched by name)."""
    pages = {p["name"]: p for p in page_list(database)}
    latencies = []
    with Server(database) as server:
        cookie = server.login()
        for result in results:
            page = pages[result.name]
            headers = request_headers(cookie, page["htmx"], page["target"])
            wrk(server, page["path"], headers, 1, 4)  # warm up
            latencies.append(measure(server, page["path"], headers, seconds, 4)["cpu_ms"])
    return latencies


def run(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        print("wrk is missing: `make bench` installs it (apt-get install wrk).", file=sys.stderr)
        return 2
    paths = ensure_data(args.regenerate)
    pages = page_list(paths["large"])
    if args.only:
        pages = [p for p in pages if p["kind"] == "baseline" or args.only in p["name"]]
    results = [Result(**p) for p in pages]
    started = datetime.now()
    with Server(paths["large"]) as server:
        cookie = server.login()
        baseline_runs = []
        rss: list[float] = []
        for index, result in enumerate([*results, results[0]]):
            headers = request_headers(cookie, result.htmx, result.target)
            if index < len(results):
                weigh(server, result, headers)
            wrk(server, result.path, headers, 1, args.connections)  # warm up
            numbers = measure(server, result.path, headers, args.duration, args.connections)
            if result.kind == "baseline":
                baseline_runs.append((numbers["rps"], numbers["cpu_ms"]))
            if index == len(results):
                break  # the closing baseline run
            result.rps, result.cpu_ms = numbers["rps"], numbers["cpu_ms"]
            result.p50, result.p95, result.p99 = numbers["p50"], numbers["p95"], numbers["p99"]
            result.errors = numbers["errors"] + numbers["non2xx"]
            print(
                f"  {result.name:<34} {result.rps:8.0f} req/s  {result.cpu_ms:6.2f} ms CPU"
                f"  p99 {result.p99:6.1f} ms",
                flush=True,
            )
        rss = server.worker_rss_mb()
    baseline = sum(rps for rps, _cpu in baseline_runs) / len(baseline_runs)
    baseline_cpu = sum(cpu for _rps, cpu in baseline_runs) / len(baseline_runs)
    for result in results:
        result.ratio = baseline_cpu / result.cpu_ms if result.cpu_ms else 0.0
        result.rps_ratio = result.rps / baseline if baseline else 0.0
    if not args.skip_volume:
        print("Volume: one connection, large vs small office …", flush=True)
        large = measure_volume(paths["large"], results, args.volume_duration)
        small = measure_volume(paths["small"], results, args.volume_duration)
        for result, big, little in zip(results, large, small, strict=True):
            result.volume_large_ms, result.volume_small_ms = big, little
    for result in results:
        judge(result, baseline)
    memory_fail = [f"worker {mb:.0f} MB > {MAX_RSS_MB:.0f} MB" for mb in rss if mb > MAX_RSS_MB]
    report = {
        "started": started.isoformat(timespec="seconds"),
        "duration_s": args.duration,
        "connections": args.connections,
        "workers": WORKERS,
        "baseline_rps": baseline,
        "baseline_cpu_ms": baseline_cpu,
        "baseline_runs": baseline_runs,
        "load_average": os.getloadavg(),
        "worker_rss_mb": rss,
        "memory_failures": memory_fail,
        "pages": [
            {**result.__dict__, "volume_ratio": result.volume_ratio, "ok": not result.failures}
            for result in results
        ],
    }
    markdown = render_markdown(report, results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / "latest.md").write_text(markdown)
    print()
    print(markdown)
    failed = [r for r in results if r.failures] or memory_fail
    return 1 if failed else 0


def render_markdown(report: dict, results: list[Result]) -> str:
    lines = [
        f"Run {report['started']}: gunicorn {report['workers']} workers, wrk "
        f"{report['connections']} connections × {report['duration_s']} s per page; baseline "
        f"{report['baseline_rps']:.0f} req/s, {report['baseline_cpu_ms']:.2f} ms CPU per "
        "request (runs: "
        + ", ".join(f"{r:.0f} req/s" for r, _c in report["baseline_runs"])
        + "); load average at the end "
        + ", ".join(f"{x:.1f}" for x in report["load_average"])
        + "; worker memory after the run: "
        + ", ".join(f"{mb:.0f} MB" for mb in report["worker_rss_mb"])
        + ".",
        "",
        "× baseline: the page's throughput as a share of the baseline page's, from the "
        "workers' CPU time per request (the measured req/s ratio beside it varies with "
        "whatever else the machine runs). Volume: CPU per request with 50,000 bookings "
        "over that with 5,000.",
        "",
        "| page | kind | req/s | CPU ms | × baseline | (req/s ×) | p50 ms | p95 ms | p99 ms "
        "| KB | KB gz | first load KB gz | volume × | result |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in results:
        first = "" if r.htmx or r.kind == "feed" else f"{r.first_load_gz / 1000:.1f}"
        volume = f"{r.volume_ratio:.2f}" if r.volume_small_ms else ""
        verdict = "pass" if not r.failures else "FAIL: " + "; ".join(r.failures)
        lines.append(
            f"| {r.name} | {r.kind} | {r.rps:.0f} | {r.cpu_ms:.2f} | {r.ratio:.2f} "
            f"| {r.rps_ratio:.2f} | {r.p50:.1f} | {r.p95:.1f} "
            f"| {r.p99:.1f} | {r.bytes / 1000:.1f} | {r.bytes_gz / 1000:.1f} | {first} "
            f"| {volume} | {verdict} |"
        )
    if report["memory_failures"]:
        lines += ["", "Memory: FAIL: " + "; ".join(report["memory_failures"])]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--volume-duration", type=int, default=2)
    parser.add_argument("--skip-volume", action="store_true")
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
