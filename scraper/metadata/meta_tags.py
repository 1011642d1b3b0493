"""The meta-tag index: every ``<meta content>`` by its key, and the keys each field reads, best first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import lxml.etree
from lxml.html import HtmlElement

from .text import clean

XP_META = lxml.etree.XPath("//meta[@content]")

# Meta keys (property, name or itemprop, lowercased) by field and strategy, best first.
OG_TITLE_KEYS = ("og:title",)
META_TITLE_KEYS = (
    "twitter:title",
    "parsely-title",
    "sailthru.title",
    "dc.title",
    "dcterms.title",
    "title",
    "headline",
)
OG_DESCRIPTION_KEYS = ("og:description",)
META_DESCRIPTION_KEYS = (
    "description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
)
PUBLISHED_KEYS = (
    "article:published_time",
    "article:published",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "publish-date",
    "publishdate",
    "publish_date",
    "pubdate",
    "og:pubdate",
    "dcterms.created",
    "dcterms.issued",
    "dc.date.issued",
    "dc.date.created",
    "dc.date",
    "dcterms.date",
    "date",
    "cxenseparse:recs:publishtime",
    "article_date_original",
    "originalpublicationdate",
    "pdate",
    "displaydate",
    "dc.date.published",
    "article:post_date",
    "published_time",
    "published-date",
    "release_date",
    "datecreated",
)
MODIFIED_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "article.updated",
    "dcterms.modified",
    "dc.date.modified",
    "lastmod",
    "last-modified",
    "article:modified",
    "modified_time",
    "updated_time",
    "cxenseparse:recs:articlemodifiedtime",
)
AUTHOR_KEYS = (
    "author",
    "byl",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "article:author",
    "cxenseparse:author",
    "article.author",
    "author_name",
    "og:article:author",
    "book:author",
)
SECTION_KEYS = (
    "article:section",
    "parsely-section",
    "article.section",
    "section",
    "cxenseparse:recs:articlesection",
    "sailthru.section",
    "dc.subject",
    "category",
)
ARTICLE_TAG_KEYS = ("article:tag",)
KEYWORD_KEYS = ("parsely-tags", "sailthru.tags", "news_keywords", "keywords")
LANGUAGE_KEYS = ("content-language", "language", "dc.language", "dcterms.language", "og:locale")
OG_SITE_NAME_KEYS = ("og:site_name",)
META_SITE_NAME_KEYS = ("application-name", "publisher", "dc.publisher", "twitter:app:name:iphone")
IMAGE_KEYS = (
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
    "image",
    "thumbnail",
)
URL_KEYS = ("og:url", "twitter:url", "parsely-link")


def collect_meta(tree: HtmlElement) -> dict[str, list[str]]:
    """All ``<meta content>`` values by lowercased property/name/itemprop/http-equiv, in page order."""
    found: dict[str, list[str]] = {}
    for el in XP_META(tree):
        content = clean(el.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def first_meta(meta: dict[str, list[str]], keys: Iterable[str]) -> Iterator[str]:
    """The values of ``keys`` in key order, each key's values in page order."""
    for key in keys:
        yield from meta.get(key, ())
