"""The smaller fields: site name, description, section, tags, image, canonical URL and language.

Each is an ordered tuple of named strategies; the first that answers wins, except the language, where
the page's declarations are weighed against the language of its first paragraphs.
"""

from __future__ import annotations

import re

import lxml.etree

from ..language import guess_language
from .common import Page, Strategies, first
from .jsonld import ld_get, ld_text, ld_types
from .meta_tags import (
    ARTICLE_TAG_KEYS,
    IMAGE_KEYS,
    KEYWORD_KEYS,
    LANGUAGE_KEYS,
    META_DESCRIPTION_KEYS,
    META_SITE_NAME_KEYS,
    OG_DESCRIPTION_KEYS,
    OG_SITE_NAME_KEYS,
    SECTION_KEYS,
    URL_KEYS,
    first_meta,
)
from .text import absolute, clean, dedupe

_XP_CANONICAL = lxml.etree.XPath(
    "//link[@href][contains(concat(' ', translate(@rel, 'CANONICAL', 'canonical'), ' '), ' canonical ')]"
)
_XP_IMAGE_SRC = lxml.etree.XPath("//link[@rel='image_src'][@href]/@href")
_XP_FIRST_PARAGRAPHS = lxml.etree.XPath("(//body//p)[position() <= 12]//text()")
# Links that name the post's category and tags (rel="category tag", rel="tag": blog engines' markup).
_XP_REL_CATEGORY = lxml.etree.XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]")
_XP_REL_TAG = lxml.etree.XPath(
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')"
    " and not(contains(concat(' ', normalize-space(@rel), ' '), ' category '))]"
)
_LANG_OK = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_LANG_SPLIT = re.compile(r"[,;\s]+")
_KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")
# Placeholders that declare no language.
_NO_LANGUAGE = ("und", "xx", "zz")
_SITE_TYPES = frozenset({"newsmediaorganization", "organization", "website"})

MAX_TAGS = 40
# A tag this long is a sentence, not a keyword.
MAX_TAG_CHARS = 80


# --- site name ------------------------------------------------------------------------------------------


def _og_site_name(page: Page) -> str | None:
    return next(first_meta(page.meta, OG_SITE_NAME_KEYS), None)


def _jsonld_publisher(page: Page) -> str | None:
    publisher = ld_get(page.ld, "publisher")
    name = ld_text(publisher, page.ld.by_id) if publisher is not None else None
    return name if name and not name.startswith(("http", "#")) else None


def _jsonld_organization(page: Page) -> str | None:
    for obj in page.ld.objects:
        if ld_types(obj) & _SITE_TYPES:
            name = clean(obj.get("name")) if isinstance(obj.get("name"), str) else None
            if name:
                return name
    return None


def _meta_site_name(page: Page) -> str | None:
    return next(
        (v for v in first_meta(page.meta, META_SITE_NAME_KEYS) if not v.startswith(("http", "@"))), None
    )


SITE_NAME_STRATEGIES: Strategies[str] = (
    ("og_site_name", _og_site_name),
    ("jsonld_publisher", _jsonld_publisher),
    ("jsonld_organization", _jsonld_organization),
    ("meta_site_name", _meta_site_name),
)


# --- description, section, tags --------------------------------------------------------------------------


def _og_description(page: Page) -> str | None:
    return next(first_meta(page.meta, OG_DESCRIPTION_KEYS), None)


def _jsonld_description(page: Page) -> str | None:
    return ld_text(ld_get(page.ld, "description"))


def _meta_description(page: Page) -> str | None:
    return next(first_meta(page.meta, META_DESCRIPTION_KEYS), None)


DESCRIPTION_STRATEGIES: Strategies[str] = (
    ("og_description", _og_description),
    ("jsonld_description", _jsonld_description),
    ("meta_description", _meta_description),
)


def _jsonld_section(page: Page) -> str | None:
    text = ld_text(ld_get(page.ld, "articleSection"))
    return (text.split(",")[0].strip() or None) if text else None


def _meta_section(page: Page) -> str | None:
    return next((v for v in first_meta(page.meta, SECTION_KEYS) if not v.startswith("http")), None)


def _rel_category(page: Page) -> str | None:
    links = _XP_REL_CATEGORY(page.tree)[:1]
    return clean(links[0].text_content()) if links else None


SECTION_STRATEGIES: Strategies[str] = (
    ("jsonld_article_section", _jsonld_section),
    ("meta_section", _meta_section),
    ("rel_category", _rel_category),
)


def _split_tags(values: list[str]) -> list[str]:
    return [
        t.strip() for v in values for t in _KEYWORD_SPLIT.split(v) if t.strip() and len(t) < MAX_TAG_CHARS
    ]


def _article_tag(page: Page) -> list[str]:
    return _split_tags(list(first_meta(page.meta, ARTICLE_TAG_KEYS)))


def _jsonld_keywords(page: Page) -> list[str]:
    keywords = ld_get(page.ld, "keywords")
    if isinstance(keywords, list):
        return _split_tags([t for t in (ld_text(k) for k in keywords) if t])
    return _split_tags([keywords]) if isinstance(keywords, str) else []


def _meta_keywords(page: Page) -> list[str]:
    key = next((k for k in KEYWORD_KEYS if k in page.meta), None)
    return _split_tags(page.meta[key]) if key else []


def _rel_tag(page: Page) -> list[str]:
    texts = (clean(a.text_content()) for a in _XP_REL_TAG(page.tree)[:MAX_TAGS])
    return [t for t in texts if t and len(t) < MAX_TAG_CHARS]


TAG_STRATEGIES: Strategies[list[str]] = (
    ("article_tag", _article_tag),
    ("jsonld_keywords", _jsonld_keywords),
    ("meta_keywords", _meta_keywords),
    ("rel_tag", _rel_tag),
)


# --- image and canonical URL -------------------------------------------------------------------------------


def _meta_image(page: Page) -> str | None:
    return next((link for v in first_meta(page.meta, IMAGE_KEYS) if (link := absolute(v, page.url))), None)


def _jsonld_image(page: Page) -> str | None:
    image = ld_get(page.ld, "image") or ld_get(page.ld, "thumbnailUrl")
    return absolute(ld_text(image, page.ld.by_id), page.url) if image else None


def _image_src(page: Page) -> str | None:
    links = _XP_IMAGE_SRC(page.tree)[:1]
    return absolute(links[0], page.url) if links else None


IMAGE_STRATEGIES: Strategies[str] = (
    ("meta_image", _meta_image),
    ("jsonld_image", _jsonld_image),
    ("link_image_src", _image_src),
)


def _link_canonical(page: Page) -> str | None:
    links = _XP_CANONICAL(page.tree)[:1]
    return absolute(links[0].get("href"), page.url) if links else None


def _meta_url(page: Page) -> str | None:
    return next((link for v in first_meta(page.meta, URL_KEYS) if (link := absolute(v, page.url))), None)


def _jsonld_url(page: Page) -> str | None:
    url = ld_get(page.ld, "url") or ld_get(page.ld, "mainEntityOfPage")
    return absolute(ld_text(url), page.url) if url else None


CANONICAL_STRATEGIES: Strategies[str] = (
    ("link_canonical", _link_canonical),
    ("meta_url", _meta_url),
    ("jsonld_url", _jsonld_url),
)


def find_site_name(page: Page) -> str | None:
    return first(SITE_NAME_STRATEGIES, page)


def find_description(page: Page) -> str | None:
    return first(DESCRIPTION_STRATEGIES, page)


def find_section(page: Page) -> str | None:
    return first(SECTION_STRATEGIES, page)


def find_tags(page: Page) -> tuple[str, ...]:
    return dedupe(first(TAG_STRATEGIES, page) or (), MAX_TAGS)


def find_image(page: Page) -> str | None:
    return first(IMAGE_STRATEGIES, page)


def find_canonical(page: Page) -> str | None:
    return first(CANONICAL_STRATEGIES, page)


# --- language ------------------------------------------------------------------------------------------------


def _html_lang(page: Page) -> list[str]:
    return [value for value in (page.tree.get("lang"),) if value]


def _xml_lang(page: Page) -> list[str]:
    return [value for value in (page.tree.get("{http://www.w3.org/XML/1998/namespace}lang"),) if value]


def _jsonld_in_language(page: Page) -> list[str]:
    value = ld_text(ld_get(page.ld, "inLanguage"))
    return [value] if value else []


def _meta_language(page: Page) -> list[str]:
    return list(first_meta(page.meta, LANGUAGE_KEYS))


# Where a page declares its language, in order; each declaration gives its first well-formed code.
LANGUAGE_DECLARATIONS: Strategies[list[str]] = (
    ("html_lang", _html_lang),
    ("xml_lang", _xml_lang),
    ("jsonld_in_language", _jsonld_in_language),
    ("meta_language", _meta_language),
)


def _declared(page: Page) -> list[str]:
    declared: list[str] = []
    for _name, strategy in LANGUAGE_DECLARATIONS:
        for value in strategy(page) or ():
            for token in _LANG_SPLIT.split(value.strip()):
                code = token.replace("_", "-").lower().strip("-")
                if _LANG_OK.match(code) and code not in _NO_LANGUAGE:
                    declared.append(code)
                    break
    return declared


def find_language(page: Page) -> str | None:
    """The declared language where declarations agree; else the one the first paragraphs are in."""
    declared = _declared(page)
    primaries = {code.split("-")[0] for code in declared}
    if len(primaries) == 1:
        return declared[0]
    # Nothing declared, or declarations disagree (a template's lang="en" on a German post): let the
    # page's own words decide between them.
    guess = guess_language(" ".join(_XP_FIRST_PARAGRAPHS(page.tree)))
    if guess:
        for code in declared:
            if code.split("-")[0] == guess:
                return code
        if not declared:
            return guess
    return declared[0] if declared else None
