"""Page metadata (title, byline, dates, language, section...) from JSON-LD, meta tags and a few elements.

Reads the parsed tree with targeted XPath only and never changes it: the extractor prunes the same tree
afterwards. One module per source or field, each field an ordered tuple of named strategies, most
deliberate statement first (JSON-LD, then OpenGraph and other meta tags, then microdata and visible
elements):

- ``meta_tags``: the meta-tag index and the keys each field reads;
- ``jsonld``: the page's JSON-LD objects, the article among them;
- ``title``: the headline (``TITLE_STRATEGIES``, ``HEADLINE_CHOICES``);
- ``byline``: the authors (``AUTHOR_STRATEGIES``, ``VISIBLE_BYLINE_STRATEGIES``);
- ``published``: publication and update dates (``PUBLISHED_STRATEGIES``, ``MODIFIED_STRATEGIES``);
- ``fields``: site name, description, section, tags, image, canonical URL and language.

A new field is a strategy tuple in one of these (or a new module), a line in :func:`extract_metadata`
and a field of :class:`Metadata` and of the record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lxml.html import HtmlElement

from .byline import find_authors
from .common import Page
from .fields import (
    find_canonical,
    find_description,
    find_image,
    find_language,
    find_section,
    find_site_name,
    find_tags,
)
from .jsonld import read_jsonld
from .meta_tags import collect_meta
from .published import find_modified, find_published
from .title import find_title

__all__ = ["Metadata", "extract_metadata"]


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a page says about its article; every field optional."""

    title: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    image: str | None = None


def extract_metadata(tree: HtmlElement, url: str | None = None) -> Metadata:
    """Read a page's metadata from its parsed tree (not modified); ``url`` resolves relative links."""
    page = Page(tree, collect_meta(tree), read_jsonld(tree), url)
    canonical = find_canonical(page)
    # the page's own URL, else the one it names as canonical, resolves links and dates the path
    page = replace(page, url=url or canonical, site_name=find_site_name(page))
    return Metadata(
        title=find_title(page),
        description=find_description(page),
        authors=find_authors(page),
        published=find_published(page),
        modified=find_modified(page),
        section=find_section(page),
        tags=find_tags(page),
        language=find_language(page),
        site_name=page.site_name,
        canonical_url=canonical,
        image=find_image(page),
    )
