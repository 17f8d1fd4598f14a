"""The board's own XSS payloads against the Markdown renderer and sanitizer: none survives.

Each payload goes through ``|markdown`` (post bodies, previews, history, the Atom feed) and
through a real post page; the output may hold only allow-listed tags, no event handlers
or styles, and no link or image address with a script-capable scheme, however encoded.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from intranet.core.markdown import TAGS, render

SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:", "mocha:", "file:")

BOARD_PAYLOADS = [
    # script tags and friends
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<script\n>alert(1)</script\n>",
    "```\n</code><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="https://ok.example" onclick="alert(1)">klik</a>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<marquee onstart=alert(1)>",
    '[klik](https://ok.example/"onmouseover="alert(1))',
    '[x](https://ok.example/ "t" onmouseover=alert(1))',
    # javascript: links, plain and encoded
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6A%61%76%61script:alert(1))",
    "[x](\\javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#14;javascript:alert(1)">x</a>',
    "[x]: javascript:alert(1)\n\n[link][x]",
    "<javascript:alert(1)>",
    "![gambar](javascript:alert(1))",
    # data: and vbscript: links
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:MsgBox(1))",
    "[x](vbscript&#58;msgbox(1))",
    "[x](&#118;bscript:msgbox(1))",
    '<a href="vbscript:msgbox(1)">x</a>',
    "[x]: vbscript:msgbox(1)\n\n[vb][x]",
    # SVG and MathML tricks
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICK</math>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    # broken and nested markup
    '<img src="x" alt="" onerror="alert(1)"',
    "<a href='javascript:alert(1)'",
    "<<img src=x onerror=alert(1)//<",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "**tebal <img src=x onerror=alert(1)>**",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "> kutipan <svg/onload=alert(1)>",
    '- daftar [x](vbscript:msgbox(1))\n- <iframe srcdoc="<script>alert(1)</script>">',
]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _normalised(url: str) -> str:
    text = html.unescape(url or "")
    return re.sub(r"[\x00-\x20]", "", text).lower()


def assert_harmless(output: str) -> None:
    parser = _Collect()
    parser.feed(output)
    for tag, attrs in parser.tags:
        assert tag in TAGS, (tag, output)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, output)
            assert name not in {"style", "src", "srcdoc", "action", "formaction", "xlink:href"}
            if name == "href":
                assert not _normalised(value).startswith(SCHEMES), (value, output)
    lowered = output.lower()
    assert "<script" not in lowered and "<svg" not in lowered and "<math" not in lowered
    assert "<iframe" not in lowered and "<img" not in lowered


def test_there_are_enough_payloads():
    assert len(BOARD_PAYLOADS) >= 50
    assert sum("vbscript" in p.lower() for p in BOARD_PAYLOADS) >= 6


@pytest.mark.parametrize("source", BOARD_PAYLOADS)
def test_no_payload_survives_the_renderer(source):
    assert_harmless(str(render(source)))


@pytest.mark.parametrize(
    "source",
    ["[x](vbscript:msgbox(1))", "[x](VBScript:MsgBox(1))", '<a href="vbscript:x">x</a>'],
)
def test_vbscript_links_lose_their_address(source):
    out = str(render(source))
    assert "vbscript" not in _normalised(re.sub(r">[^<]*<", "><", out))


@pytest.fixture
def payload_post(app, users, make_pillar):
    from intranet.announcements import services
    from intranet.core.db import write_transaction

    with write_transaction():
        services.ensure_default_categories()
    return services.create(
        users["admin"],
        services.PostData(
            title='Judul <script>alert("t")</script>',
            body="\n\n".join(BOARD_PAYLOADS),
            category_id=services.categories()[0].id,
        ),
    )


def test_payloads_are_harmless_on_the_post_page_and_the_board(login_as, payload_post):
    web = login_as("staff")
    page = web.get(f"/announcements/{payload_post.id}").get_data(as_text=True)
    body = page.split('class="post-body">', 1)[1].split("</div>", 1)[0]
    assert_harmless(body)
    assert '<script>alert("t")' not in page
    # Cards show the text without marks: whatever the body held arrives escaped.
    board = web.get("/announcements/").get_data(as_text=True)
    card = board.split('class="post-summary">', 1)[1].split("</p>", 1)[0]
    assert "<" not in card
