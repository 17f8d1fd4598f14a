"""The large office of ``make bench``: five years of a busy office, deterministic by seed.

``flask --app intranet bench-data`` fills an empty database with the pillars, 300 users
and then each feature's part (registered with :func:`intranet.core.features.bench_seeder`):
rooms and 50,000 bookings, later trainings, assets and posts. ``--scale 0.1`` makes the
office with a tenth of the history (the same recent months, the same busy days), so a
page's cost with both shows whether it grows with the history.

``flask --app intranet bench-pages`` prints, as JSON, the pages ``scripts/bench.py``
loads, with the URLs resolved against the data (busiest day, a room, a booking …).
Features add theirs with :func:`intranet.core.features.bench_pages`.

In benchmark mode (``INTRANET_BENCH=1``) the app also serves ``/bench/baseline``: one
indexed 20-row query rendered in the base layout, the yardstick every page is measured
against.
"""

from __future__ import annotations

import json
import random
import time as clock
from typing import Any

import click
from flask import Blueprint
from flask_login import login_required
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from intranet.auth.models import Pillar, Role, User
from intranet.core import features, meta
from intranet.core.db import utcnow, write_transaction
from intranet.core.formatting import local_today
from intranet.core.rendering import render
from intranet.demo import PILLARS
from intranet.extensions import db

BENCH_PASSWORD = "bench12345"  # noqa: S105 (benchmark database only, never the user's)
BENCH_USERNAME = "bench.resepsionis"
BENCH_KEY = "bench_data"
USERS = 300

FIRST_NAMES = [
    "Ahmad",
    "Budi",
    "Cut",
    "Dewi",
    "Eka",
    "Fajar",
    "Gita",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Muhammad",
    "Nurul",
    "Putri",
    "Rahmat",
    "Sari",
    "Teuku",
    "Umar",
    "Wahyu",
    "Yusuf",
    "Zahra",
    "Agus",
    "Bayu",
    "Citra",
    "Dian",
    "Erna",
    "Fitri",
    "Gilang",
    "Hasan",
    "Irma",
    "Jamal",
    "Khairul",
    "Lina",
    "Maya",
    "Nanda",
    "Oki",
    "Pratiwi",
    "Rizky",
    "Siti",
    "Taufik",
    "Utami",
    "Vina",
]
LAST_NAMES = [
    "Saputra",
    "Lestari",
    "Hidayat",
    "Wulandari",
    "Nugraha",
    "Permata",
    "Ramadhan",
    "Siregar",
    "Harahap",
    "Nasution",
    "Lubis",
    "Pohan",
    "Daulay",
    "Simanjuntak",
    "Sembiring",
    "Ginting",
    "Tarigan",
    "Sinaga",
    "Purba",
    "Manurung",
    "Yusuf",
    "Ibrahim",
    "Abdullah",
    "Rahman",
    "Husna",
    "Fadli",
    "Rizki",
    "Maulana",
    "Syahputra",
    "Kurniawan",
    "Setiawan",
    "Gunawan",
]


# --- the generator -----------------------------------------------------------------------


def _users(rng: random.Random, pillars: dict[str, int]) -> list[dict[str, Any]]:
    """300 accounts: the office roles, one secretary per pillar, staff across pillars."""
    password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
    now = utcnow()
    codes = list(pillars)
    rows: list[dict[str, Any]] = []

    def add(username: str, full_name: str, role: Role, pillar: str | None) -> None:
        rows.append(
            {
                "username": username,
                "full_name": full_name,
                "email": f"{username}@kantorbersama.example",
                "phone": f"0812-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                "password_hash": password_hash,
                "role": role.value,
                "pillar_id": pillars[pillar] if pillar else None,
                "active": True,
                "session_token": f"{rng.getrandbits(128):032x}",
                "calendar_token": f"bench-{len(rows):04d}-{rng.getrandbits(96):024x}",
                "created_at": now,
            }
        )

    add("bench.admin", "Administrator Kantor Bersama", Role.ADMIN, None)
    add(BENCH_USERNAME, "Siti Rahmawati", Role.RECEPTIONIST, None)
    add("bench.resepsionis2", "Rina Marlina", Role.RECEPTIONIST, None)
    add("bench.barang", "Nurul Hidayah", Role.ASSET_KEEPER, None)
    for code in codes:
        add(f"sekretaris.{code.lower()}", f"Sekretaris {code}", Role.SECRETARY, code)
    seen = {row["username"] for row in rows}
    while len(rows) < USERS:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{first}.{last}".lower()
        suffix = 2
        while username in seen:
            username, suffix = f"{first}.{last}{suffix}".lower(), suffix + 1
        seen.add(username)
        add(username, f"{first} {last}", Role.STAFF, rng.choice(codes))
    return rows


def generate(scale: float = 1.0, seed: int = 1) -> dict[str, int]:
    """Fill an empty database with the large office; returns row counts per table."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise click.ClickException("the database is not empty: bench data needs an empty one")
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not security)
    with write_transaction():
        pillar_ids = {}
        for code, name, colour, description in PILLARS:
            pillar = Pillar(code=code, name=name, colour=colour, description=description)
            db.session.add(pillar)
            db.session.flush()
            pillar_ids[code] = pillar.id
        db.session.execute(insert(User), _users(rng, pillar_ids))
        users = [
            (row.id, row.role, row.pillar_id)
            for row in db.session.execute(select(User.id, User.role, User.pillar_id))
        ]
        office = features.BenchOffice(
            seed=seed, scale=scale, pillars=pillar_ids, users=users, today=local_today()
        )
        for seeder in features.ordered(features.BENCH_SEEDERS):
            seeder.run(office)
            db.session.flush()
        meta.put(BENCH_KEY, json.dumps({"scale": scale, "seed": seed}))
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


# --- the pages ---------------------------------------------------------------------------


def pages() -> list[dict[str, Any]]:
    """Every registered page, resolved against the data in the database."""
    user = db.session.scalar(select(User).where(User.username == BENCH_USERNAME))
    if user is None:
        raise click.ClickException("no bench data in this database: run bench-data first")
    context = features.BenchContext(user=user, today=local_today())
    found: list[dict[str, Any]] = [
        features.BenchPage("baseline", "/bench/baseline", "baseline").as_dict()
    ]
    for provider in features.ordered(features.BENCH_PAGES):
        for page in provider.run(context):
            found.append(page.as_dict())
    return found


# --- the baseline page (benchmark mode only) -----------------------------------------------

baseline_bp = Blueprint("bench", __name__, url_prefix="/bench")


@baseline_bp.route("/baseline")
@login_required
def baseline():
    """One indexed 20-row query in the base layout: the yardstick."""
    users = db.session.scalars(select(User).order_by(User.username).limit(20)).all()
    return render("bench/baseline.html", users=users)


# --- command line ------------------------------------------------------------------------


@click.command("bench-data")
@click.option("--scale", type=float, default=1.0, show_default=True, help="0.1: a tenth.")
@click.option("--seed", type=int, default=1, show_default=True)
def bench_data_command(scale: float, seed: int) -> None:
    """Fill an EMPTY database with the large office of `make bench`."""
    started = clock.perf_counter()
    counts = generate(scale=scale, seed=seed)
    shown = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
    click.echo(f"Bench data (scale {scale}, seed {seed}) in {clock.perf_counter() - started:.1f} s")
    click.echo(shown)


@click.command("bench-pages")
def bench_pages_command() -> None:
    """Print the benchmark's pages (JSON), resolved against this database."""
    click.echo(json.dumps(pages(), indent=1))


def init_app(app) -> None:
    app.cli.add_command(bench_data_command)
    app.cli.add_command(bench_pages_command)
    if app.config.get("BENCH"):
        app.register_blueprint(baseline_bp)
