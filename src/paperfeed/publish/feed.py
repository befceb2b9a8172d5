"""Atom feeds (RFC 4287): one per topic and one for everything, built from archived digests.

Pure: digests in, XML bytes out (lxml). Entry ids are tag URIs (RFC 4151) made from the arXiv
id and the topic only (``tag:paperfeed,2026:arxiv/2606.04029/topic/diffusion-policy``), so a
rebuilt feed keeps every id and a feed reader never shows a paper twice; a paper listed again
(a replacement) keeps its id and gets a later ``updated``. The "everything" feed has one entry
per paper (``.../arxiv/2606.04029``) with each matched topic as a category. An entry shows a
paper as the digest's view model (``view.paper_view``) has it; feed file names are the topics'
slugs (``anchors.topic_slug``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from lxml import etree
from markupsafe import Markup, escape

from paperfeed.core.records import Digest
from paperfeed.publish.anchors import topic_slugs
from paperfeed.publish.mathtext import plain_math
from paperfeed.publish.view import PaperView, paper_view

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TAG_PREFIX = "tag:paperfeed,2026:"
ARXIV_SCHEME = "http://arxiv.org/schemas/atom"
TOPIC_SCHEME = "https://paperfeed.invalid/topic"
ALL_FEED = "all.xml"


def entry_id(arxiv_id: str, topic_slug_: str | None = None) -> str:
    specific = f"arxiv/{arxiv_id}" + (f"/topic/{topic_slug_}" if topic_slug_ else "")
    return TAG_PREFIX + quote(specific, safe="/-._~")


def feed_id(slug: str | None) -> str:
    return TAG_PREFIX + quote(f"feed/{slug or 'all'}", safe="/-._~")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    title: str
    updated: datetime
    published: datetime
    link: str
    pdf: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]  # arXiv categories
    topics: tuple[str, ...]
    summary: str
    content_html: str


def _content(paper: PaperView, topics: Sequence[str]) -> str:
    parts = [Markup("<p><b>{}</b></p>").format(plain_math(paper.title))]
    if paper.translated and paper.title_zh:
        parts.append(Markup("<p><b>{}</b></p>").format(plain_math(paper.title_zh)))
    meta = [", ".join(paper.authors), "; ".join(paper.subjects)]
    if paper.announce_type:
        meta.append(paper.announce_type)
    meta.append("topics: " + ", ".join(topics))
    if paper.matched:
        meta.append("matched: " + paper.matched)
    parts.append(Markup("<p>{}</p>").format(Markup("<br>").join(escape(m) for m in meta if m)))
    if paper.translated and paper.abstract_zh:
        parts.append(Markup("<p>中文摘要：{}</p>").format(plain_math(paper.abstract_zh)))
    parts.append(Markup("<p>Abstract: {}</p>").format(plain_math(paper.abstract)))
    parts.append(
        Markup(
            '<p><a href="{}">arXiv</a> · <a href="{}">PDF</a> · <a href="{}">HTML</a></p>'
        ).format(paper.abs_url, paper.pdf_url, paper.html_url)
    )
    return str(Markup("").join(parts))


def feed_entries(
    digests: Sequence[Digest],
    *,
    topic: str | None,
    slugs: Mapping[str, str],
    max_entries: int,
    subject_names: Mapping[str, str] | None = None,
) -> list[FeedEntry]:
    """Entries of one feed (``topic`` None: everything), newest listing first, one per id."""
    found: dict[str, FeedEntry] = {}
    for digest in sorted(digests, key=lambda d: d.listing_date, reverse=True):
        topics_of: dict[str, list[str]] = {}
        for section in digest.sections:
            for entry in section.entries:
                topics_of.setdefault(entry.paper.arxiv_id, []).append(section.topic)
        sections = [s for s in digest.sections if topic is None or s.topic == topic]
        updated = digest.generated_at
        published = digest.announced_at or digest.generated_at
        for section in sections:
            for entry in section.entries:
                ident = entry_id(entry.paper.arxiv_id, None if topic is None else slugs[topic])
                if ident in found:
                    continue  # a later listing of the same paper already has the entry
                paper = paper_view(entry, subject_names)
                paper_topics = tuple(topics_of[paper.arxiv_id])
                title = paper.title_zh if paper.translated and paper.title_zh else paper.title
                found[ident] = FeedEntry(
                    id=ident,
                    title=plain_math(title),
                    updated=updated,
                    published=published,
                    link=paper.abs_url,
                    pdf=paper.pdf_url,
                    authors=paper.authors,
                    categories=paper.categories,
                    topics=paper_topics,
                    # The Chinese abstract even when the title is not translated.
                    summary=plain_math(paper.abstract_zh or paper.abstract),
                    content_html=_content(paper, paper_topics),
                )
                if len(found) >= max_entries:
                    return list(found.values())
    return list(found.values())


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def build_feed(
    entries: Sequence[FeedEntry],
    *,
    ident: str,
    title: str,
    updated: datetime,
    self_url: str = "",
    alternate_url: str = "",
) -> bytes:
    """One Atom document."""
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]
    root.set(XML_LANG, "zh")
    _sub(root, "id", ident)
    _sub(root, "title", _clean(title))
    _sub(root, "updated", updated.isoformat())
    author = _sub(root, "author")
    _sub(author, "name", "paperfeed")
    _sub(root, "generator", "paperfeed")
    if self_url:
        _sub(root, "link", rel="self", href=self_url, type="application/atom+xml")
    if alternate_url:
        _sub(root, "link", rel="alternate", href=alternate_url, type="text/html")
    for item in entries:
        entry = _sub(root, "entry")
        _sub(entry, "id", item.id)
        _sub(entry, "title", _clean(item.title))
        _sub(entry, "updated", item.updated.isoformat())
        _sub(entry, "published", item.published.isoformat())
        _sub(entry, "link", rel="alternate", href=item.link, type="text/html")
        _sub(entry, "link", rel="related", href=item.pdf, type="application/pdf")
        for name in item.authors:
            _sub(_sub(entry, "author"), "name", _clean(name))
        for code in item.categories:
            _sub(entry, "category", term=code, scheme=ARXIV_SCHEME)
        for name in item.topics:
            _sub(entry, "category", term=_clean(name), scheme=TOPIC_SCHEME, label=_clean(name))
        _sub(entry, "summary", _clean(item.summary), type="text")
        _sub(entry, "content", _clean(item.content_html), type="html")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def build_feeds(
    digests: Sequence[Digest],
    *,
    title: str = "paperfeed",
    base_url: str = "",
    alternate_url: str = "",
    max_entries: int = 300,
    subject_names: Mapping[str, str] | None = None,
    slugs: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """File name -> Atom document: ``all.xml`` and ``<topic-slug>.xml`` per topic ever listed.
    ``base_url`` is where these files are published (for ``rel="self"``)."""
    if not digests:
        return {}
    newest = max(digests, key=lambda d: d.listing_date)
    names = [s.topic for s in newest.sections]
    for digest in digests:
        names += [s.topic for s in digest.sections if s.topic not in names]
    slugs = dict(slugs) if slugs is not None else topic_slugs(names)
    feeds: dict[str, bytes] = {}
    for topic in [None, *names]:
        entries = feed_entries(
            digests, topic=topic, slugs=slugs, max_entries=max_entries, subject_names=subject_names
        )
        file_name = ALL_FEED if topic is None else f"{slugs[topic]}.xml"
        updated = max((e.updated for e in entries), default=newest.generated_at)
        feeds[file_name] = build_feed(
            entries,
            ident=feed_id(None if topic is None else slugs[topic]),
            title=f"{title}: {topic}" if topic else f"{title}: arXiv 速递",
            updated=updated,
            self_url=f"{base_url}{quote(file_name)}" if base_url else "",
            alternate_url=alternate_url,
        )
    return feeds
