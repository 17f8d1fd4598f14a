"""The write-transaction helper makes check-then-insert rules race-free."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.exc import OperationalError

from intranet.auth.models import Pillar
from intranet.core.db import UTCDateTime, lock_for_update, write_transaction
from intranet.extensions import db

# A scratch table outside the app's metadata: "claims" on a slot, at most one each.
scratch = MetaData()
claims = Table(
    "race_claim",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("slot", String(20), nullable=False),
    Column("worker", Integer, nullable=False),
)


class Taken(Exception):
    pass


def claim_slot(pillar_id: int, worker: int) -> str:
    """Check that the slot is free, then take it: the rule the helper must protect."""
    try:
        with write_transaction():
            lock_for_update(Pillar, pillar_id)
            taken = db.session.scalar(
                select(func.count()).select_from(claims).where(claims.c.slot == "A")
            )
            if taken:
                raise Taken
            time.sleep(0.02)  # widen the window between check and insert
            db.session.execute(insert(claims).values(slot="A", worker=worker))
    except Taken:
        return "conflict"
    except OperationalError as error:
        return f"error: {error}"
    return "won"


def _claim_in_process(config: dict, pillar_id: int, worker: int, start_at: float, out) -> None:
    from intranet import create_app

    app = create_app(config)
    with app.app_context():
        db.session.execute(select(1))  # connect before the start line
        db.session.commit()
        time.sleep(max(0.0, start_at - time.time()))
        out.put(claim_slot(pillar_id, worker))


@pytest.fixture
def race(app, make_pillar):
    pillar = make_pillar("RACE")
    scratch.create_all(db.engine)
    yield pillar.id
    db.session.remove()
    scratch.drop_all(db.engine)


def _claim_rows() -> list:
    db.session.rollback()
    return db.session.execute(select(claims)).all()


def test_concurrent_threads_exactly_one_wins(app, race):
    from intranet import create_app

    workers = 20
    # Its own app, with a pool big enough for every thread to hold a connection.
    threaded = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")},
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": workers + 2, "max_overflow": 0},
        }
    )
    barrier = threading.Barrier(workers)
    results: list[str] = []

    def run(worker: int) -> None:
        with threaded.app_context():
            db.session.execute(select(1))  # a read transaction is open, as in a request
            barrier.wait(timeout=30)
            results.append(claim_slot(race, worker))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with threaded.app_context():
        db.engine.dispose()
    assert sorted(results) == ["conflict"] * (workers - 1) + ["won"], results
    assert len(_claim_rows()) == 1


def test_concurrent_processes_exactly_one_wins(app, race):
    workers = 8
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    config = {
        key: app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "PASSWORD_HASH_METHOD")
    }
    start_at = time.time() + 4.0
    processes = [
        context.Process(target=_claim_in_process, args=(config, race, n, start_at, out))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert sorted(results) == ["conflict"] * (workers - 1) + ["won"], results
    assert len(_claim_rows()) == 1


def test_write_transaction_rolls_back_on_error(app, race):
    with pytest.raises(RuntimeError), write_transaction():
        db.session.execute(insert(claims).values(slot="B", worker=1))
        raise RuntimeError
    assert _claim_rows() == []


def test_utc_datetime_round_trip(app):
    from intranet.core.audit import AuditEntry

    wib = timezone(timedelta(hours=7))
    with write_transaction():
        entry = AuditEntry(
            action="x", object_type="y", at=datetime(2025, 11, 24, 14, 0, tzinfo=wib)
        )
        db.session.add(entry)
        db.session.flush()
        entry_id = entry.id
    db.session.expunge_all()
    stored = db.session.get(AuditEntry, entry_id)
    assert stored.at == datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
    assert stored.at.tzinfo is UTC


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2025, 1, 1), None)


def test_connection_settings(app):
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        else:
            assert db.engine.dialect.name == "postgresql"
            assert db.engine.dialect.driver == "psycopg"
            isolation = conn.exec_driver_sql("SHOW default_transaction_isolation").scalar()
            assert isolation == "read committed"  # row locks make the rules hold
