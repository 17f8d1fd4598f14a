"""Five years of notices for the large office of ``make bench``: 5,000 posts and about
500,000 read receipts at scale 1 (a tenth at 0.1), bulk-inserted.

Posts are generated backwards from today, each day's choices seeded by the date, so both
scales hold the same recent months. Most posts are for everyone, the rest for one to
three pillars; older ones often expired; a few recent ones pinned; one in ten asks for
acknowledgements. Readers are drawn from each post's audience (about a hundred a post);
the benchmark's receptionist has read about half of the recent ones.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from intranet.announcements import services
from intranet.announcements.models import (
    Announcement,
    AnnouncementAck,
    AnnouncementAudience,
    AnnouncementRead,
)
from intranet.announcements.permissions import can_see_acknowledgements
from intranet.core.features import BenchContext, BenchOffice, BenchPage, bench_pages, bench_seeder
from intranet.core.formatting import office_zone
from intranet.core.markdown import plain_text
from intranet.extensions import db

POSTS = 5_000
READS = 500_000
CHUNK = 10_000

SUBJECTS = {
    "Info": ["Perubahan jadwal piket", "Pemadaman listrik terjadwal", "Jam layanan kantor"],
    "Undangan": ["Undangan rapat koordinasi", "Undangan bimbingan teknis", "Undangan sosialisasi"],
    "Penting": ["Siaga bencana", "Batas akhir laporan bulanan", "Pembaruan data anggota"],
    "Laporan": ["Laporan kegiatan bulanan", "Rekap penyaluran bantuan", "Hasil validasi data"],
    "Peluang": ["Beasiswa pelatihan", "Lowongan pendamping", "Hibah program CSR"],
}
BODY = (
    "Dengan hormat,\n\nBersama ini kami sampaikan informasi untuk rekan-rekan pilar sosial. "
    "Mohon dibaca dengan saksama dan diteruskan kepada anggota.\n\n"
    "- Tempat: Kantor Bersama\n- Waktu: pukul 09.00 WIB s.d. selesai\n\n"
    "Atas perhatian dan kerja samanya kami ucapkan terima kasih."
)


SUMMARY = plain_text(BODY, limit=services.SUMMARY_LENGTH)


def _day_rng(seed: int, day: date) -> random.Random:
    return random.Random(seed * 1_000_003 + 4_111 * 7_919 + day.toordinal())  # noqa: S311


@bench_seeder("announcements", order=30)
def seed(office: BenchOffice) -> None:
    services.ensure_default_categories()
    categories = {c.name: c.id for c in services.categories()}
    names = list(SUBJECTS)
    zone = office_zone()
    pillar_ids = list(office.pillars.values())
    by_pillar: dict[int, list[int]] = {}
    everyone = []
    for user_id, _role, pillar_id in office.users:
        everyone.append(user_id)
        if pillar_id is not None:
            by_pillar.setdefault(pillar_id, []).append(user_id)
    authors = [(uid, pid) for uid, role, pid in office.users if role == "secretary"]
    office_authors = [uid for uid, role, _p in office.users if role in ("admin", "receptionist")]
    bench_user = _bench_user_id(office)
    future_bookings = _upcoming_bookings(office)

    target = round(POSTS * office.scale)
    read_target = round(READS * office.scale)
    posts: list[dict[str, Any]] = []
    audiences: list[dict[str, Any]] = []
    reads: list[dict[str, Any]] = []
    acks: list[dict[str, Any]] = []
    day = office.today
    post_id = 0
    while post_id < target:
        rng = _day_rng(office.seed, day)
        for _ in range(rng.choice((1, 2, 3, 3, 4))):
            if post_id >= target:
                break
            post_id += 1
            age = (office.today - day).days
            at = datetime.combine(day, time(rng.randint(7, 15), rng.choice((0, 15, 30, 45))))
            at = at.replace(tzinfo=zone)
            category = rng.choice(names)
            if rng.random() < 0.3 and office_authors:
                author, pillar_id = rng.choice(office_authors), None
            else:
                author, pillar_id = rng.choice(authors)
            audience_all = rng.random() < 0.6
            chosen = [] if audience_all else rng.sample(pillar_ids, rng.randint(1, 3))
            if pillar_id is not None and chosen and pillar_id not in chosen:
                chosen.append(pillar_id)
            expires = (
                at + timedelta(days=rng.choice((7, 14, 30, 60))) if rng.random() < 0.6 else None
            )
            requires_ack = rng.random() < 0.1
            link = None
            if category == "Undangan" and age < 60 and future_bookings:
                link = rng.choice(future_bookings)
            posts.append(
                {
                    "id": post_id,
                    "title": f"{rng.choice(SUBJECTS[category])} #{post_id}",
                    "body": BODY,
                    "summary": SUMMARY,
                    "category_id": categories[category],
                    "pillar_id": pillar_id,
                    "audience_all": audience_all,
                    "author_id": author,
                    "pinned": age < 45 and rng.random() < 0.05,
                    "publish_at": at,
                    "expires_at": expires,
                    "requires_ack": requires_ack,
                    "link_kind": "booking" if link else None,
                    "link_id": link,
                    "created_at": at,
                    "version": 1,
                }
            )
            audiences.extend({"announcement_id": post_id, "pillar_id": p} for p in chosen)
            pool = (
                everyone
                if audience_all
                else sorted({u for p in chosen for u in by_pillar.get(p, [])})
            )
            pool = [u for u in pool if u != author]
            count = min(len(pool), rng.randint(80, 180))
            readers = rng.sample(pool, count)
            if bench_user in pool and age < 30 and bench_user not in readers and rng.random() < 0.5:
                readers.append(bench_user)
            for n, reader in enumerate(readers):
                read_at = at + timedelta(minutes=5 + 7 * n)
                reads.append({"user_id": reader, "announcement_id": post_id, "read_at": read_at})
                if requires_ack and n % 2 == 0:
                    acks.append(
                        {"user_id": reader, "announcement_id": post_id, "acked_at": read_at}
                    )
        day -= timedelta(days=1)
    # Newest posts first were numbered from 1: number them oldest first, as inserted.
    renumber = {row["id"]: target + 1 - row["id"] for row in posts}
    for row in posts:
        row["id"] = renumber[row["id"]]
    for rows in (audiences, reads, acks):
        for row in rows:
            row["announcement_id"] = renumber[row["announcement_id"]]
    reads = reads[:read_target]
    posts.sort(key=lambda r: r["id"])
    for table, rows in (
        (Announcement, posts),
        (AnnouncementAudience, audiences),
        (AnnouncementRead, reads),
        (AnnouncementAck, acks),
    ):
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[start : start + CHUNK])


def _bench_user_id(office: BenchOffice) -> int | None:
    from intranet.auth.models import User
    from intranet.bench import BENCH_USERNAME

    return db.session.scalar(select(User.id).where(User.username == BENCH_USERNAME))


def _upcoming_bookings(office: BenchOffice) -> list[int]:
    from intranet.bookings.models import Booking

    start = datetime.combine(office.today, time(0), tzinfo=office_zone())
    return list(
        db.session.scalars(
            select(Booking.id).where(Booking.start_at >= start).order_by(Booking.start_at).limit(40)
        )
    )


@bench_pages("announcements", order=30)
def pages(context: BenchContext) -> list[BenchPage]:
    user = context.user
    board = services.board_query(user)
    newest = db.session.scalars(board.stmt.limit(60), board.params).all()
    acked = next((p for p in newest if p.requires_ack), newest[0])
    plain = newest[0]
    pillar_id = db.session.scalar(
        select(Announcement.pillar_id).where(Announcement.pillar_id.is_not(None)).limit(1)
    )
    category_id = plain.category_id
    token = user.calendar_token
    found = [
        BenchPage("board", "/announcements/"),
        BenchPage(
            "board, filtered and searched",
            f"/announcements/?pillar={pillar_id}&category={category_id}&q=rapat",
        ),
        BenchPage("board archive", "/announcements/?view=archive"),
        BenchPage(
            "board page (fragment)", "/announcements/?page=2", "fragment", htmx=True, target="board"
        ),
        BenchPage("announcement", f"/announcements/{plain.id}"),
        BenchPage("announcement asking for acknowledgement", f"/announcements/{acked.id}"),
        BenchPage("unread badge (fragment)", "/announcements/badge", "fragment", htmx=True),
    ]
    if can_see_acknowledgements(user, acked):
        found.append(
            BenchPage(
                "acknowledgement list (printable)",
                f"/announcements/{acked.id}/acknowledgements",
                max_bytes=80_000,
            )
        )
    if token:
        found.append(
            BenchPage("announcements Atom feed", f"/announcements/feed.atom?token={token}", "feed")
        )
    return found
