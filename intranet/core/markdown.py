"""Markdown for trainings and announcements: markdown-it-py renders, nh3 sanitizes.

Raw HTML in the source is not rendered (it shows as text); what the renderer makes is
then cleaned by nh3 with an allow-list: no scripts, no event handlers, no ``style``, and
links only to http(s), mailto, tel and relative addresses. Links that leave the office
are marked (``class="external"``) and open with ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title", "class"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "js-default": CommonMark without raw HTML, with tables and strikethrough.
    parser = MarkdownIt("js-default", {"linkify": False, "typographer": False})
    # Headings start at h2: the page title is the h1.
    parser.add_render_rule("heading_open", _heading_open)
    parser.add_render_rule("heading_close", _heading_close)
    return parser


def _shift(tag: str) -> str:
    level = min(int(tag[1]) + 1, 6)
    return f"h{level}"


def _heading_open(self, tokens, idx, options, env):
    return f"<{_shift(tokens[idx].tag)}>"


def _heading_close(self, tokens, idx, options, env):
    return f"</{_shift(tokens[idx].tag)}>\n"


def _link_attributes(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "class":
        return None  # only the class we set below
    return value


def is_external(href: str) -> bool:
    parts = urlsplit(href)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def clean(html: str) -> str:
    """Sanitize HTML with the allow-list; external links get their marks."""
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_link_attributes,
        strip_comments=True,
    )
    return _mark_external(cleaned)


def _mark_external(html: str) -> str:
    # nh3 has already removed every attribute but href/title on links; add ours.
    out: list[str] = []
    rest = html
    while (start := rest.find("<a ")) != -1:
        end = rest.find(">", start)
        if end == -1:
            break
        tag = rest[start:end]
        out.append(rest[:start])
        href_at = tag.find('href="')
        href = tag[href_at + 6 : tag.find('"', href_at + 6)] if href_at != -1 else ""
        if is_external(href.replace("&amp;", "&")):
            tag += ' class="external" rel="noopener noreferrer" target="_blank"'
        out.append(tag)
        rest = rest[end:]
    out.append(rest)
    return "".join(out)


def render(source: str | None) -> Markup:
    """Safe HTML for a Markdown text (an empty text gives an empty string)."""
    if not source:
        return Markup("")
    return Markup(clean(_parser().render(source)))  # noqa: S704  (sanitized by nh3)


def plain_text(source: str | None, limit: int = 0) -> str:
    """The text of a Markdown source without marks (for previews and WhatsApp texts)."""
    if not source:
        return ""
    text = nh3.clean(_parser().render(source), tags=set())
    text = " ".join(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def init_app(app) -> None:
    app.jinja_env.filters["markdown"] = render
    app.jinja_env.filters["markdown_text"] = plain_text
