"""The demo office's board: four months of notices from several pillars and the office."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime, time, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from intranet.announcements import services
from intranet.announcements.models import AnnouncementAck, AnnouncementRead
from intranet.core.features import DemoOffice, demo_seeder
from intranet.core.formatting import office_zone
from intranet.extensions import db

# days ago, hour, author, category, title, body, audience codes (None = everyone), extras
POSTS = [
    (118, 9, "admin", "Info", "Selamat datang di papan pengumuman Kantor Bersama",
     "Mulai bulan ini pengumuman kantor bersama dipasang di sini, tidak lagi hanya di grup "
     "WhatsApp.\n\n- Pengumuman **penting** disematkan di atas.\n- Tombol *Saya sudah membaca* "
     "dipakai untuk pengumuman yang wajib diketahui.\n\nTerima kasih atas kerja samanya.",
     None, {"pinned": True}),
    (104, 10, "sekretaris.tksk", "Laporan", "Laporan kegiatan TKSK triwulan III",
     "Rekap kegiatan pendampingan TKSK di 23 kecamatan sudah selesai disusun. Ringkasan:\n\n"
     "1. 1.240 kunjungan rumah\n2. 87 rujukan ke Puskesos\n3. 12 kegiatan sosialisasi\n\n"
     "Laporan lengkap tersedia di sekretariat.", None, {"expired_days": 60}),
    (96, 8, "resepsionis", "Info", "Jadwal piket resepsionis bulan ini",
     "Piket meja depan pukul 07.30 s.d. 16.45 WIB bergantian. Mohon tamu dicatat di buku tamu.",
     None, {"expired_days": 70}),
    (88, 14, "sekretaris.tagana", "Penting", "Siaga banjir: cek perlengkapan dapur umum",
     "Musim hujan sudah masuk. Seluruh anggota Tagana diminta memeriksa perlengkapan dapur "
     "umum dan tenda di gudang lantai 1 paling lambat hari Jumat.", ["TAGANA"],
     {"expired_days": 55}),
    (75, 9, "sekretaris.tksk", "Peluang", "Beasiswa pelatihan pekerja sosial dari Poltekesos",
     "Poltekesos Bandung membuka 5 kursi pelatihan pekerja sosial tingkat dasar untuk pilar "
     "sosial. Pendaftaran melalui sekretariat TKSK dengan melampirkan surat tugas.", None, {}),
    (61, 11, "admin", "Info", "Perubahan jam kerja selama Ramadan",
     "Selama Ramadan jam kerja kantor: **Senin–Kamis 08.00–15.00 WIB**, "
     "**Jumat 08.00–16.00 WIB**.", None, {"expired_days": 30}),
    (48, 10, "sekretaris.tagana", "Undangan", "Simulasi evakuasi gedung Kantor Bersama",
     "Simulasi evakuasi kebakaran untuk seluruh penghuni gedung. Titik kumpul di halaman depan.",
     None, {"expired_days": 40}),
    (35, 13, "sekretaris.tksk", "Laporan", "Rekap data PPKS hasil validasi",
     "Hasil validasi data PPKS bersama PSM sudah diunggah. Mohon dicek untuk kecamatan "
     "masing-masing.", ["TKSK", "PSM"], {}),
    (27, 9, "resepsionis", "Info", "Parkir motor dipindah ke sisi timur",
     "Mulai Senin parkir motor pindah ke sisi timur gedung karena perbaikan halaman depan.",
     None, {}),
    (19, 15, "sekretaris.tksk", "Peluang", "Lowongan pendamping sosial program rehabilitasi",
     "Dinas Sosial membuka 10 lowongan pendamping sosial. Syarat: S1 kesejahteraan sosial "
     "atau sederajat. Berkas ke [laman resmi](https://dinsos.example.go.id/lowongan).",
     None, {"edited": "Lowongan pendamping sosial (diperpanjang)"}),
    (12, 10, "sekretaris.tagana", "Info", "Pembagian seragam Tagana",
     "Seragam lapangan baru dapat diambil di sekretariat Tagana dengan membawa KTA.",
     ["TAGANA"], {}),
    (6, 8, "admin", "Penting", "Wajib: pembaruan data anggota pilar",
     "Setiap pilar diminta memperbarui data anggota (nama, NIK, nomor HP) paling lambat akhir "
     "bulan. Formulir terlampir.\n\nSetelah membaca, tekan **Saya sudah membaca**.",
     None, {"pinned": True, "requires_ack": True, "attach": "pdf", "acks": 0.5}),
    (3, 9, "sekretaris.tksk", "Undangan", "Undangan rapat koordinasi TKSK dan PSM",
     "Dengan hormat, kami mengundang koordinator TKSK dan PSM untuk rapat koordinasi "
     "penanganan PPKS.\n\nAcara: pukul 09.00 WIB s.d. selesai.", ["TKSK", "PSM"],
     {"invite": True, "attach": "png", "requires_ack": True, "acks": 0.3}),
    (1, 14, "resepsionis", "Info", "Aula dipakai acara Dinas Sosial hari Kamis",
     "Aula tidak dapat dipinjam hari Kamis karena dipakai acara Dinas Sosial provinsi.",
     None, {}),
    (0, 7, "sekretaris.tagana", "Penting", "Peringatan dini cuaca ekstrem",
     "BMKG mengeluarkan peringatan dini cuaca ekstrem tiga hari ke depan. Anggota Tagana "
     "siaga di posko.", ["TAGANA", "TKSK"], {"requires_ack": True, "acks": 0.2}),
    (-3, 8, "sekretaris.tksk", "Undangan", "Bimbingan teknis TKSK angkatan II",
     "Bimtek untuk TKSK baru. Undangan resmi menyusul.", ["TKSK"], {}),
]  # fmt: skip


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _png(width: int = 240, height: int = 120) -> bytes:
    """A small banner image (stripes in the office's colours), made without a library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b""
    for y in range(height):
        colour = (21, 101, 192) if (y // 20) % 2 == 0 else (255, 193, 7)
        rows += b"\x00" + bytes(colour) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@demo_seeder("announcements", order=30)
def seed_board(office: DemoOffice) -> None:
    services.ensure_default_categories()
    categories = {c.name: c for c in services.categories()}
    users, pillars, today = office.users, office.pillars, office.today
    zone = office_zone()
    invitation_booking = _upcoming_booking(office)
    people = list(users.values())
    for n, (days_ago, hour, author, category, title, body, codes, extra) in enumerate(POSTS):
        when = datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=zone)
        created_at = min(when, datetime.now(zone))
        uploads = []
        if extra.get("attach") == "pdf":
            uploads.append(FileStorage(io.BytesIO(_pdf()), filename="Formulir data anggota.pdf"))
        if extra.get("attach") == "png":
            uploads.append(FileStorage(io.BytesIO(_png()), filename="Denah ruang rapat.png"))
        link = ""
        if extra.get("invite") and invitation_booking is not None:
            link = f"booking:{invitation_booking}"
        data = services.PostData(
            title=title,
            body=body,
            category_id=categories[category].id,
            audience_all=codes is None,
            audience_pillar_ids=[pillars[c].id for c in codes or []],
            pinned=extra.get("pinned", False),
            publish_at=when,
            requires_ack=extra.get("requires_ack", False),
            link=link,
        )
        author_user = users[author]
        post = services.create(author_user, data, uploads, now=created_at)
        if "expired_days" in extra:
            post.expires_at = when + timedelta(days=extra["expired_days"])
        if extra.get("edited"):
            data.title = extra["edited"]
            data.body = body + "\n\n**Pendaftaran diperpanjang satu minggu.**"
            services.update(author_user, post.id, data, now=when + timedelta(days=2))
        db.session.flush()
        if days_ago < 0:
            continue
        # Some colleagues have read it (more of the older ones); some acknowledged.
        audience = [u for u in people if codes is None or (u.pillar and u.pillar.code in codes)]
        readers = [u for i, u in enumerate(audience) if (i + n) % 3 != 0 or days_ago > 20]
        if "staf" in users and days_ago < 8:
            readers = [u for u in readers if u.username != "staf"]  # the demo staff has news
        for i, reader in enumerate(readers):
            read_at = max(when, created_at) + timedelta(hours=1 + i)
            db.session.add(
                AnnouncementRead(user_id=reader.id, announcement_id=post.id, read_at=read_at)
            )
            if extra.get("requires_ack") and i < len(readers) * extra.get("acks", 0):
                db.session.add(
                    AnnouncementAck(user_id=reader.id, announcement_id=post.id, acked_at=read_at)
                )
    db.session.flush()


def _upcoming_booking(office: DemoOffice) -> int | None:
    from intranet.bookings.models import Booking

    tksk = office.pillars.get("TKSK")
    return db.session.scalar(
        select(Booking.id)
        .where(Booking.pillar_id == (tksk.id if tksk else None), Booking.day > office.today)
        .order_by(Booking.start_at)
        .limit(1)
    )
