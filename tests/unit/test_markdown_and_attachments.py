"""The shared Markdown renderer and attachment component (trainings, announcements)."""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import FileStorage

from intranet.core import attachments, audit
from intranet.core.db import write_transaction
from intranet.core.markdown import plain_text, render
from intranet.core.services import ServiceError
from intranet.extensions import db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil></iframe>",
    '[x](https://ok.example/ "t" onmouseover=alert(1))',
    "<style>body{display:none}</style>",
    "![x](javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))


@pytest.mark.parametrize("source", PAYLOADS)
def test_markdown_never_lets_script_through(source):
    parser = _Tags()
    parser.feed(str(render(source)))
    for tag, attrs in parser.seen:
        assert tag in {"p", "a", "strong", "em", "code"}, tag
        assert not [name for name in attrs if name.startswith("on") or name == "style"]
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript", "data", "vbscript")), href


def test_markdown_formats_and_marks_external_links():
    html = str(render("# Judul\n\n**tebal** [situs](https://kemensos.go.id) [dalam](/trainings/)"))
    assert "<h2>Judul</h2>" in html and "<strong>tebal</strong>" in html
    assert 'href="https://kemensos.go.id" class="external" rel="noopener noreferrer"' in html
    assert '<a href="/trainings/">dalam</a>' in html
    assert plain_text("**Rapat** _penting_ di [aula](/rooms/1)", 12) == "Rapat penti…"


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def test_the_type_comes_from_the_content_not_the_name():
    assert attachments.detect(_pdf(), "x.exe") == "pdf"
    assert attachments.detect(_docx(), "materi.pdf") == "docx"
    assert attachments.detect(b"\x89PNG\r\n\x1a\n....", "a.pdf") == "png"
    assert attachments.detect(b"<html><script>", "materi.pdf") is None
    assert attachments.detect(b"PK\x03\x04 not a zip", "a.docx") is None
    assert attachments.safe_filename("../../etc/pass\x00wd.pdf", "pdf") == "passwd.pdf"
    assert attachments.safe_filename('Materi "1".exe', "pdf") == "Materi 1.pdf"


@pytest.fixture
def owner(app):
    attachments.register_owner("test", lambda user, owner_id: owner_id == 1)
    yield "test"
    attachments.OWNERS.pop("test", None)


def test_saving_checks_every_file_and_stores_all_or_none(app, owner, users):
    with pytest.raises(ServiceError) as error, write_transaction():
        attachments.save_all(
            [_upload(_pdf(), "a.pdf"), _upload(b"MZ...", "b.exe"), _upload(b"", "c.pdf")],
            owner, 1, users["staff"],
        )  # fmt: skip
    assert "b.exe" in str(error.value) and "c.pdf" in str(error.value)
    assert attachments.for_owner(owner, 1) == []
    app.config["MAX_ATTACHMENT_BYTES"] = 20
    with pytest.raises(ServiceError, match="lebih besar"):
        attachments.check(_upload(_pdf(), "a.pdf"))


def test_a_rolled_back_upload_leaves_no_file_and_a_deleted_one_goes(app, owner, users):
    with pytest.raises(RuntimeError), write_transaction():
        attachments.save(_upload(_pdf(), "a.pdf"), owner, 1, users["staff"])
        raise RuntimeError("the change failed")
    assert list(attachments.folder().iterdir()) == []
    with write_transaction():
        saved = attachments.save(_upload(_docx(), "Materi.docx"), owner, 1, users["staff"])
    assert saved.kind == "document" and saved.filename == "Materi.docx"
    assert len(list(attachments.folder().iterdir())) == 1
    with write_transaction():
        attachments.remove(db.session.get(attachments.Attachment, saved.id))
    assert list(attachments.folder().iterdir()) == []


def test_files_are_served_only_to_who_may_see_them(app, owner, users, login_as):
    with write_transaction():
        seen = attachments.save(_upload(_pdf(), "Materi.pdf"), owner, 1, users["staff"])
        hidden = attachments.save(_upload(_pdf(), "Rahasia.pdf"), owner, 2, users["staff"])
    assert app.test_client().get(f"/attachments/{seen.id}").status_code in (302, 303)
    client = login_as("staff")
    response = client.get(f"/attachments/{seen.id}")
    assert response.status_code == 200 and response.data == _pdf()
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Materi.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    assert client.get(f"/attachments/{hidden.id}").status_code == 404
    assert client.get("/attachments/999999").status_code == 404


def test_audit_values_read_as_names(app, users, make_pillar):
    pillar = make_pillar("PKH", name="Program Keluarga Harapan")
    entry = audit.AuditEntry(
        action="user.update", object_type="user", object_id="1",
        changes={"role": ["staff", "secretary"], "pillar_id": [None, pillar.id],
                 "active": [True, False]},
    )  # fmt: skip
    labels = audit.value_labels([entry])
    shown = [str(audit.value_label(entry, name, pair[1], labels))
             for name, pair in entry.changes.items()]  # fmt: skip
    assert shown == ["Sekretaris pilar", "Program Keluarga Harapan", "Tidak"]
