"""Page metadata (title, byline, dates, language, section...) from JSON-LD, meta tags and a few elements.

Reads the parsed tree with targeted XPath only and never changes it: the extractor prunes the same tree
afterwards. Sources are tried in priority order, JSON-LD first, then OpenGraph and other meta tags,
then microdata and visible elements as fallbacks.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
from lxml.html import HtmlElement

from .dates import MONTHS, date_from_page, date_from_url, normalize_date
from .language import guess_language

log = logging.getLogger(__name__)

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


# --- selectors and rules as data -------------------------------------------------------------------

_XP_META = lxml.etree.XPath("//meta[@content]")
_XP_JSONLD = lxml.etree.XPath(
    "//script[contains(translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'ld+json')]"
)
_XP_TITLE = lxml.etree.XPath("(//head/title | //title)[1]")
_XP_H1 = lxml.etree.XPath("//body//h1[not(ancestor::nav or ancestor::footer or ancestor::aside)]")
_XP_CANONICAL = lxml.etree.XPath(
    "//link[@href][contains(concat(' ', translate(@rel, 'CANONICAL', 'canonical'), ' '), ' canonical ')]"
)
_XP_IMAGE_SRC = lxml.etree.XPath("//link[@rel='image_src'][@href]/@href")
# Inside a reader's comment. Article and body elements are left out: blog themes mark them
# "comments-open" (seen on news, tech and blog sites), and that says nothing about what they hold.
_IN_COMMENT = (
    "ancestor::*[not(self::article or self::main or self::body)]"
    "[contains(@class, 'comment') or contains(@id, 'comment')]"
)
# The article's own <time> elements: one in an aside, nav or footer, a comment or "related" box, or a
# list item that links elsewhere (a teaser list) dates another article or a reply, not this one.
# Explicitly marked publication times first.
_NOT_TEASER = (
    "[not(ancestor::aside or ancestor::nav or ancestor::footer or ancestor::li[.//a[@href]]"
    f" or {_IN_COMMENT} or ancestor::*[contains(@class, 'related')])]"
)
_XP_TIME_MARKED = lxml.etree.XPath(
    f"//time[@pubdate or @itemprop='datePublished' or contains(@class, 'publish')]{_NOT_TEASER}"
)
_XP_TIME = lxml.etree.XPath(f"//body//time{_NOT_TEASER}")
_XP_ITEMPROP_DATE = lxml.etree.XPath("//*[@itemprop='datePublished'][not(self::meta)]")
_XP_ITEMPROP_MODIFIED = lxml.etree.XPath("//*[@itemprop='dateModified'][not(self::meta)]")
_XP_ITEMPROP_HEADLINE = lxml.etree.XPath("//*[@itemprop='headline'][not(self::meta)]")
_XP_ITEMPROP_AUTHOR = lxml.etree.XPath(
    f"//*[@itemprop='author' or @itemprop='creator'][not(self::meta)][not({_IN_COMMENT})]"
)
_XP_ITEMPROP_NAME = lxml.etree.XPath(".//*[@itemprop='name']")
_XP_REL_AUTHOR = lxml.etree.XPath(f"//body//a[@rel='author'][not({_IN_COMMENT})]")
# Links to an author's page ("/author/jane-roe", "/authors/...", "/autor/..."), the byline of many
# templates that mark nothing else (seen on university blogs, science and tech news sites). Links in
# lists, asides, navigation and footers belong to teasers and menus.
_XP_AUTHOR_LINK = lxml.etree.XPath(
    "//body//a[contains(@href, '/author/') or contains(@href, '/authors/') or contains(@href, '/autor/')"
    " or contains(@href, '/auteur/')]"
    f"[not(ancestor::li or ancestor::aside or ancestor::nav or ancestor::footer or {_IN_COMMENT})]"
)
# Short elements named like an author's name, the last resort for a byline.
_XP_AUTHOR_CLASS = lxml.etree.XPath(
    "//body//*[@class][contains(@class, 'author') or contains(@class, 'Author')]"
    "[self::span or self::a or self::div or self::p or self::li]"
)
_XP_FIRST_PARAGRAPHS = lxml.etree.XPath("(//body//p)[position() <= 12]//text()")
_XP_IN_FORM = lxml.etree.XPath(f"ancestor::form | {_IN_COMMENT}")
_XP_BYLINE = lxml.etree.XPath(
    "//body//*[@class][contains(@class, 'byline') or contains(@class, 'Byline')"
    " or contains(@class, 'author-name') or contains(@class, 'authorName')]"
)

# Meta keys (property, name or itemprop, lowercased) by field, best first.
TITLE_KEYS = (
    "og:title",
    "twitter:title",
    "parsely-title",
    "sailthru.title",
    "dc.title",
    "dcterms.title",
    "title",
)
HEADLINE_KEYS = ("headline",)
DESCRIPTION_KEYS = (
    "og:description",
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
TAG_KEYS = ("article:tag", "parsely-tags", "sailthru.tags", "news_keywords", "keywords")
LANGUAGE_KEYS = ("content-language", "language", "dc.language", "dcterms.language", "og:locale")
SITE_NAME_KEYS = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:app:name:iphone")
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

ARTICLE_TYPES = frozenset(
    {"blogposting", "liveblogposting", "report", "socialmediaposting", "scholarlyarticle"}
)
WEAK_TYPES = frozenset({"webpage", "itempage", "collectionpage", "creativework", "newsmediaorganization"})
PERSON_TYPES = frozenset({"person"})
# JSON-LD properties whose values may hold further typed objects worth indexing.
_NESTED_KEYS = frozenset(
    {
        "@graph",
        "mainEntity",
        "mainEntityOfPage",
        "itemListElement",
        "hasPart",
        "about",
        "subjectOf",
        "isPartOf",
        "author",
        "creator",
        "publisher",
    }
)

# Separators between a headline and a site name in <title> (and sometimes og:title).
_TITLE_SPLIT = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|/)\s+|\s*\|\s*")
_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xad\u200b-\u200d\u2060\ufeff]")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_HTML_COMMENT = re.compile(r"<!--|-->|<!\[CDATA\[|\]\]>|^\s*//.*$", re.M)
_JS_COMMENT = re.compile(r"/\*.*?\*/", re.S)

# Byline cleaning.
_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|words|story|text|reporting|reported|posted|published|compiled|photos?|report)"
    r"\s+(?:and\s+\w+\s+)?by|by|from|author|authors|von|par|por|door|di)\b\s*[:\-–]?\s*",
    re.I,
)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_FOR_SUFFIX = re.compile(r"\s+(?:for|of|at|in)\s+(?:the\s+)?[A-Z][\w.&' -]*$")
_SPLIT_AUTHORS = re.compile(r"\s*(?:,|;|\||&|\band\b|\bund\b|\bet\b|\by\b|\bwith\b|\n)\s*", re.I)
_ROLE_WORDS = re.compile(
    r"\b(writer|editor|reporter|correspondent|contributor|columnist|staff|analyst|producer|"
    r"photographer|intern|critic|journalist|chief|senior|associate|"
    r"updated|published|min(?:ute)?s?\s+read|read\s+more|follow|twitter|email|comments?|share|guest|"
    r"more\s+by|view\s+all|profile|biography)\b",
    re.I,
)
_NAME_SPLIT_PERIOD = re.compile(r"(?<=[a-z]{2})\.\s+(?=[A-Z])")
# A byline often runs on into its dateline: cut at a weekday, "Month 19", or a digit.
_DATE_TAIL = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b.*$|"
    r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d.*$|\d.*$",
    re.I | re.S,
)
_DOMAIN = re.compile(r"\w\.(?:com|net|org|co|uk|in|au|ca|de|fr|io|info|news)\b", re.I)
_ORG_WORDS = re.compile(
    r"\b(media|news|press|network|group|international|agency|inc|ltd|wires?|services|staff|associated|"
    r"newspaper|magazine|times|post|journal|daily|tribune|herald)\b",
    re.I,
)
_CAMEL_GLUE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")
# A dateline glued to the name before it, as page text runs together: "Marco BambiniDec 18, 2025".
_GLUED_MONTH = re.compile(r"(?<=[a-z])(?=(?:" + "|".join(m.capitalize() for m in MONTHS) + r")[a-z]*\.?\s+\d)")
# An outlet printed right after the name without a separator: "Jane Roe The Associated Press",
# "Jane Roe USA TODAY NETWORK" (seen in meta tags on three newspaper groups' sites).
_OUTLET_AFTER_NAME = re.compile(r"(?<=[a-z.])\s+(?:The\s+[A-Z].*|[A-Z]{2,}(?:\s+[A-Z]{2,})+)$")
# Post-nominal letters after a name: "Lauren Manaker MS, RDN, LD", "Jane Roe, Ph.D.".
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|[A-Z][a-z]?\.(?:[A-Z][a-z]?\.)+)$")
_ROMAN = re.compile(r"^[IVX]+$")
# Lowercase words that join co-authors in one byline ("A and B"); any other lowercase word between two
# names is a role ("Contributions from", "Photography by", "Reviewed by").
_JOIN_WORDS = frozenset({"and", "und", "et", "y", "e", "en", "og", "och", "i", "ve"})
_WORDS = re.compile(r"[^\W\d_]+")
# "by" in the languages of the development pages, as author links print it ("Beiträge von Jane Roe").
_LINK_BY_WORDS = frozenset({"by", "von", "par", "por", "door", "di", "da", "from", "av", "af"})
_LABEL_PREFIX = re.compile(r"^\w{3,12}\s*:\s*(?=\w)")
_NAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "der",
        "den",
        "da",
        "di",
        "du",
        "dos",
        "das",
        "del",
        "la",
        "le",
        "bin",
        "al",
        "el",
        "ter",
        "zu",
        "y",
        "e",
    }
)
_NON_NAME = re.compile(r"[\d@#<>{}\[\]=/\\]|https?:")
_LANG_OK = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_LANG_SPLIT = re.compile(r"[,;\s]+")
_KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")

MAX_AUTHORS = 10
# "First Last Outlet": a name and at least one word of an outlet after it.
MIN_NAME_WITH_OUTLET_WORDS = 3
MAX_TAGS = 40


# --- small text helpers ---------------------------------------------------------------------------


def _clean(text: Any) -> str | None:
    """Unescape entities, drop control characters and collapse whitespace; None for empty text."""
    if text is None:
        return None
    if not isinstance(text, str):
        if isinstance(text, int | float) and not isinstance(text, bool):
            text = str(text)
        else:
            return None
    if "&" in text:
        text = html.unescape(text)
    text = _WS.sub(" ", _CONTROL.sub("", text)).strip()
    return text or None


def _fold(text: str) -> str:
    """A comparison key: casefolded, typographic quotes and dashes made plain, spaces collapsed."""
    text = text.casefold()
    for src, dst in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("\xa0", " ")):
        text = text.replace(src, dst)
    return _WS.sub(" ", text).strip()


def _absolute(link: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL for ``link`` against ``base``, or None."""
    link = _clean(link)
    if not link or link.startswith(("data:", "javascript:", "#")):
        return None
    if link.startswith("//"):
        scheme = urlsplit(base).scheme if base else ""
        link = f"{scheme or 'https'}:{link}"
    if base:
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    return link if link.startswith(("http://", "https://")) else None


# --- meta tags ------------------------------------------------------------------------------------


def _collect_meta(tree: HtmlElement) -> dict[str, list[str]]:
    """All ``<meta content>`` values by lowercased property/name/itemprop/http-equiv, in page order."""
    found: dict[str, list[str]] = {}
    for el in _XP_META(tree):
        content = _clean(el.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def _first_meta(meta: dict[str, list[str]], keys: Iterable[str]) -> Iterator[str]:
    for key in keys:
        yield from meta.get(key, ())


# --- JSON-LD --------------------------------------------------------------------------------------


def _load_json(text: str) -> list[Any]:
    """Every JSON value in a script body, tolerating comments, trailing commas and concatenation."""
    text = text.strip()
    if not text:
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    repaired = _HTML_COMMENT.sub("", text)
    repaired = _JS_COMMENT.sub("", repaired)
    repaired = _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", repaired.replace("\n", " ").replace("\t", " ")))
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    pos = 0
    length = len(repaired)
    while pos < length:
        while pos < length and repaired[pos] not in "{[":
            pos += 1
        if pos >= length:
            break
        try:
            value, end = decoder.raw_decode(repaired, pos)
        except ValueError:
            log.debug("unreadable JSON-LD near offset %d", pos)
            break
        values.append(value)
        pos = end
    return values


def _walk(value: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    """Flatten nested JSON-LD (lists, @graph, mainEntity, nested objects) into a list of typed objects."""
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            _walk(item, out, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value or "@id" in value:
            out.append(value)
        for key, child in value.items():
            if key in _NESTED_KEYS:
                _walk(child, out, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower().rsplit("/", 1)[-1].rsplit(":", 1)[-1] for k in kinds if isinstance(k, str)}


def _is_article(obj: dict[str, Any]) -> bool:
    return any(k.endswith("article") or k in ARTICLE_TYPES for k in _types(obj))


@dataclass(slots=True)
class _JsonLd:
    article: dict[str, Any] | None
    weak: dict[str, Any] | None
    by_id: dict[str, dict[str, Any]]
    objects: list[dict[str, Any]]


def _read_jsonld(tree: HtmlElement) -> _JsonLd:
    objects: list[dict[str, Any]] = []
    for script in _XP_JSONLD(tree):
        for value in _load_json(script.text or ""):
            _walk(value, objects)
    by_id: dict[str, dict[str, Any]] = {}
    for obj in objects:
        ident = obj.get("@id")
        if isinstance(ident, str) and len(obj) > 1:
            by_id.setdefault(ident, obj)
    articles = [o for o in objects if _is_article(o)]
    # The article with a headline and a date is the page's own; teasers of other articles rarely have both.
    article = max(
        articles, key=lambda o: ("headline" in o) + ("datePublished" in o) + ("author" in o), default=None
    )
    weak = next(
        (o for o in objects if _types(o) & WEAK_TYPES and ("headline" in o or "datePublished" in o)), None
    )
    return _JsonLd(article, weak, by_id, objects)


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str):
        return by_id.get(value["@id"], value)
    return value


def _ld_text(value: Any, by_id: dict[str, dict[str, Any]] | None = None) -> str | None:
    """A plain string out of a JSON-LD value that may be a string, a list or a named object."""
    if by_id is not None:
        value = _resolve(value, by_id)
    if isinstance(value, list):
        for item in value:
            text = _ld_text(item, by_id)
            if text:
                return text
        return None
    if isinstance(value, dict):
        for key in ("name", "@value", "url", "contentUrl", "@id"):
            if key in value:
                return _ld_text(value[key])
        return None
    return _clean(value)


def _ld_people(value: Any, by_id: dict[str, dict[str, Any]], site_names: tuple[str, ...] = ()) -> list[str]:
    """Names of the authors in a JSON-LD author value (string, object, list or @id reference).

    An Organization author that is the site itself is left out: it names the publisher, not a byline.
    """
    value = _resolve(value, by_id)
    if isinstance(value, list):
        return [name for item in value for name in _ld_people(item, by_id, site_names)]
    if isinstance(value, dict):
        if _types(value) - PERSON_TYPES and site_names and isinstance(value.get("name"), str):
            key = re.sub(r"\W", "", _fold(value["name"]))
            if key and any(key in site or site in key for site in site_names):
                return []
        name = value.get("name")
        if isinstance(name, list | dict):
            return _ld_people(name, by_id)
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        text = _clean(name)
        return [text] if text else []
    text = _clean(value)
    return [text] if text else []


def _ld_get(ld: _JsonLd, key: str) -> Any:
    """A property of the page's article object, falling back to the weak (WebPage) object."""
    for obj in (ld.article, ld.weak):
        if obj is not None and obj.get(key) not in (None, "", []):
            return obj[key]
    return None


# --- fields ---------------------------------------------------------------------------------------


def _site_name(meta: dict[str, list[str]], ld: _JsonLd) -> str | None:
    for value in _first_meta(meta, SITE_NAME_KEYS[:1]):
        return value
    publisher = _ld_get(ld, "publisher")
    name = _ld_text(publisher, ld.by_id) if publisher is not None else None
    if name and not name.startswith(("http", "#")):
        return name
    for obj in ld.objects:
        if _types(obj) & {"newsmediaorganization", "organization", "website"}:
            name = _clean(obj.get("name")) if isinstance(obj.get("name"), str) else None
            if name:
                return name
    for value in _first_meta(meta, SITE_NAME_KEYS[1:]):
        if not value.startswith(("http", "@")):
            return value
    return None


def _host_words(url: str | None) -> set[str]:
    if not url:
        return set()
    host = urlsplit(url).hostname or ""
    parts = [
        p for p in host.split(".") if p not in ("www", "m", "com", "org", "net", "co", "uk", "au", "news")
    ]
    return {p for p in parts if len(p) > 2}


def _is_site_label(part: str, site_name: str | None, host_words: set[str]) -> bool:
    """True when a title segment names the site rather than the article."""
    key = re.sub(r"[^\w]", "", _fold(part))
    if not key:
        return True
    if site_name:
        site = re.sub(r"[^\w]", "", _fold(site_name))
        if site and (key == site or (len(key) > 2 and (key in site or site in key) and len(part) < 40)):
            return True
    return any(word == key or (len(word) > 3 and word in key and len(part) < 30) for word in host_words)


def _strip_site(title: str, site_name: str | None, host_words: set[str], *, loose: bool) -> str:
    """Remove a site name suffix or prefix; with ``loose`` also a short side ("Opinion | Headline")."""
    parts = _TITLE_SPLIT.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SPLIT.findall(title)
    # Drop site-name segments from both ends.
    start, end = 0, len(parts)
    while end - start > 1 and _is_site_label(parts[end - 1], site_name, host_words):
        end -= 1
    while end - start > 1 and _is_site_label(parts[start], site_name, host_words):
        start += 1
    if (start, end) == (0, len(parts)) and loose:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        others = [p for i, p in enumerate(parts) if i != longest]
        if all(len(p.split()) <= 3 for p in others) and len(parts[longest].split()) >= 3:
            # A lone short label at an end is the site; keep middle pieces joined as written.
            if longest == 0:
                end = 1
            elif longest == len(parts) - 1:
                start = longest
    kept = parts[start]
    for i in range(start + 1, end):
        kept += seps[i - 1] + parts[i]
    return kept.strip()


# --- title -------------------------------------------------------------------------------------------

# The headline as the page states it for machines, best first. Each source gives its candidate titles.
TitleSource = Callable[[HtmlElement, dict[str, list[str]], _JsonLd], list[str]]


def _og_title(tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd) -> list[str]:
    return list(_first_meta(meta, ("og:title",)))


def _jsonld_headline(tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd) -> list[str]:
    headline = _ld_text(_ld_get(ld, "headline")) or _ld_text(_ld_get(ld, "name") if ld.article else None)
    return [headline] if headline else []


def _other_meta_titles(tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd) -> list[str]:
    return list(_first_meta(meta, TITLE_KEYS[1:] + HEADLINE_KEYS))


def _itemprop_headline(tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd) -> list[str]:
    texts = (_clean(el.text_content()) for el in _XP_ITEMPROP_HEADLINE(tree)[:1])
    return [t for t in texts if t]


TITLE_SOURCES: tuple[TitleSource, ...] = (_og_title, _jsonld_headline, _other_meta_titles, _itemprop_headline)

# A headline has a few words; one or two are a site name or a section label ("Playful Tones", "News").
MIN_HEADLINE_WORDS = 3
# A label or dateline printed in the h1 before the headline ("Opinion", "Dec 18 2025") is at most
# this many words; the headline after it has at least MIN_KICKED_CHARS characters.
MAX_KICKER_WORDS = 5
MIN_KICKED_CHARS = 12
# More h1s than this and the page is a list of teasers, each with its own h1.
MAX_HEADLINE_H1S = 3
# The first h1s that may hold the headline (one of them agreeing with a metadata title); later ones are teasers'.
H1S_READ = 5


def _kicker_headline(h1: str, candidates: list[str]) -> str | None:
    """A metadata headline the h1 ends with, after a short label printed before it ("Opinion Headline")."""
    key = _fold(h1)
    for candidate in candidates:
        tail = _fold(candidate)
        if len(tail) < MIN_KICKED_CHARS or not key.endswith(tail) or key == tail:
            continue
        if 0 < len(key[: -len(tail)].split()) <= MAX_KICKER_WORDS:
            return candidate
    return None


def _title(
    tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd, site_name: str | None, url: str | None
) -> str | None:
    hosts = _host_words(url)
    h1_elements = _XP_H1(tree)
    h1s = [t for t in (_clean(h.text_content()) for h in h1_elements[:H1S_READ]) if t and len(t) > 3]
    title_el = _XP_TITLE(tree)
    html_title = _clean(title_el[0].text_content()) if title_el else None
    candidates = [c for source in TITLE_SOURCES for c in source(tree, meta, ld)]
    folded = [_fold(c) for c in candidates + ([html_title] if html_title else [])]
    # A visible h1 that a metadata title agrees with (fully or as one side of "Headline | Site") is the
    # headline as readers see it, without any site label or section prefix.
    for h1 in h1s:
        key = _fold(h1)
        if len(key) < 10:
            continue
        if any(key == c or (key in c and len(key) > 0.4 * len(c)) for c in folded):
            return h1
    stripped_all = [_strip_site(c, site_name, hosts, loose=False) for c in candidates]
    if html_title:
        stripped_all.append(_strip_site(html_title, site_name, hosts, loose=False))
    kicked = _kicker_headline(h1s[0], stripped_all) if h1s else None
    if kicked:
        return kicked
    # Metadata titles are often written for search engines and share cards; where they disagree with
    # the page's own h1, readers see the h1 (seen on news, shop blogs and company blogs alike).
    if len(h1_elements) <= MAX_HEADLINE_H1S:
        for h1 in h1s:
            if len(h1.split()) >= MIN_HEADLINE_WORDS and not _is_site_label(h1, site_name, hosts):
                return h1
    for candidate in candidates:
        stripped = _strip_site(candidate, site_name, hosts, loose=False)
        if stripped:
            # A longer h1 beginning with a truncated metadata headline is the full one.
            base = _fold(stripped).rstrip(".… ")
            for h1 in h1s:
                if len(base) > 20 and _fold(h1).startswith(base):
                    return h1
            return stripped
    if html_title:
        stripped = _strip_site(html_title, site_name, hosts, loose=True)
        if len(h1s) == 1 and _fold(h1s[0]) in _fold(html_title):
            return h1s[0]
        return stripped
    return h1s[0] if h1s else None


def _clean_person(raw: str, site_name: str | None, *, strict: bool = False) -> list[str]:
    """Names in a byline string: prefixes, emails, URLs, roles and "for Outlet" removed; "A and B" split.

    With ``strict`` (text from page elements rather than metadata) any part that does not look like a
    name rejects the whole string.
    """
    text = _clean(raw)
    if not text:
        return []
    if _URL.fullmatch(text) or text.startswith(("http", "www.", "/")):
        return []
    text = re.sub(r"\([^)]*\)", " ", text)
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    text = _DATE_TAIL.sub("", _GLUED_MONTH.sub(" ", text))
    text = _NAME_SPLIT_PERIOD.sub(", ", text)
    text = _BY_PREFIX.sub("", text).strip(" ,;:|-–—")
    text = _LABEL_PREFIX.sub("", text)
    names: list[str] = []
    for part in _SPLIT_AUTHORS.split(text):
        part = _BY_PREFIX.sub("", part).strip(" ,;:|-–—'\"")
        part = _FOR_SUFFIX.sub("", part).strip(" ,;:|-–—")
        part = _OUTLET_AFTER_NAME.sub("", part)
        part = _strip_credentials(part)
        if not part or part.startswith("@") or (names and _CREDENTIAL.match(part)):
            continue
        words = part.split()
        if (
            _ROLE_WORDS.search(_CAMEL_GLUE.sub(" ", part))
            or _NON_NAME.search(part)
            or _DOMAIN.search(part)
            or len(words) > 5
            or len(part) > 60
            or (len(words) == 1 and part.islower())
            or any(w[:1].islower() and w.lower() not in _NAME_PARTICLES for w in words[1:])
        ):
            if strict:
                return []
            continue
        if strict and words[0].lower() in ("the", "a", "an"):
            return []
        if part.isupper() and len(part) > 4 and " " in part:
            part = part.title()
        names.append(part)
    return _people_first(names)


# A post's meta line, as blog themes print it: "Posted on March 30, 2015 by Admin".
_XP_POST_META = lxml.etree.XPath(
    "//body//*[contains(@class, 'postinfo') or contains(@class, 'post-info') or contains(@class, 'entry-meta')"
    " or contains(@class, 'post-meta') or contains(@class, 'postmeta')][string-length(normalize-space(.)) < 160]"
)
_BY_IN_META = re.compile(r"(?:^|\s)by\s+(.+?)\s*(?:$|\s(?:on|in|at)\s|[|·•/])", re.I)


def _post_meta_byline(tree: HtmlElement, site_name: str | None) -> list[tuple[str, ...]]:
    """The name after "by" in a post's meta line, the last place a blog theme states its author."""
    for el in _XP_POST_META(tree)[:3]:
        match = _BY_IN_META.search(_clean(el.text_content()) or "")
        names = _clean_person(match.group(1), site_name, strict=True) if match else []
        if names and len(names) <= 4:
            return [_dedupe(names, MAX_AUTHORS)]
    return []


def _strip_credentials(part: str) -> str:
    """A name without its post-nominal letters ("MS", "Ph.D.") or a sentence's full stop ("Jr." stays)."""
    words = part.split()
    if not part.isupper():
        while len(words) > 2 and _CREDENTIAL.match(words[-1]) and not _ROMAN.match(words[-1]):
            words.pop()
    if words and words[-1].endswith(".") and len(words[-1]) > 4 and "." not in words[-1][:-1]:
        words[-1] = words[-1][:-1]  # a full stop, not an initial ("C.J.") or an abbreviation ("Jr.")
    return " ".join(words)


def _is_outlet(name: str) -> bool:
    """A credit naming an organisation rather than a person ("The Daily Journal", "Example Media")."""
    words = name.split()
    return bool(_ORG_WORDS.search(name)) or (bool(words) and words[0].lower() == "the")


def _people_first(names: list[str]) -> list[str]:
    """In a byline naming people, drop the outlet credited beside them ("Jane Roe, Example Media")."""
    people = [n for n in names if len(n.split()) >= 2 and not _ORG_WORDS.search(n)]
    if not people:
        return names
    return people


def _lead_credit(names: tuple[str, ...], statement: str | None) -> tuple[str, ...]:
    """The names a visible byline credits as authors, when metadata lists more people.

    JSON-LD and meta tags often list everyone involved (photographers, editors, contributors) as
    authors; the visible byline names the authors first and the others after a role ("Contributions
    from", "Photography by", "Reviewed by"): a lowercase word other than "and" between two names.
    Seen on games, fashion, tabloid and real-estate news sites.
    """
    if len(names) < 2 or not statement:
        return names
    text = " ".join(statement.split())
    low = text.lower()
    found = sorted((low.find(name.lower()), name) for name in names if name.lower() in low)
    if len(found) < 2 or found[0][1] != names[0]:
        return names  # not one statement of several credits, led by the first author
    lead = [found[0][1]]
    end = found[0][0] + len(found[0][1])
    for pos, name in found[1:]:
        between = _WORDS.findall(text[end:pos]) if pos >= end else []
        if any(w[:1].islower() and w not in _JOIN_WORDS for w in between):
            return tuple(lead)
        lead.append(name)
        end = pos + len(name)
    return names


def _byline_parts(el: HtmlElement) -> list[HtmlElement]:
    """The separate statements of a byline box (author, outlet, date), read one by one; else the box."""
    while True:
        parts = [c for c in el if isinstance(c.tag, str) and (c.text_content() or "").strip()]
        if len(parts) < 2 or (el.text or "").strip():
            return [el]
        nested = [c for c in parts[0] if isinstance(c.tag, str) and (c.text_content() or "").strip()]
        if len(nested) >= 2 and not (parts[0].text or "").strip():
            el = parts[0]  # the first statement is itself a box of parts
            continue
        return parts + [el]


def _short_text(el: HtmlElement, limit: int) -> str | None:
    """The element's text when shorter than ``limit`` characters, else None (without reading it all)."""
    parts: list[str] = []
    size = 0
    for piece in el.itertext():
        size += len(piece.strip())
        if size >= limit:
            return None
        parts.append(piece)
    return "".join(parts)


def _dedupe(values: Iterable[str], limit: int) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = _fold(value)
        if key and key not in seen:
            seen.add(key)
            out.append(value)
        if len(out) >= limit:
            break
    return tuple(out)


def _authors(
    tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd, site_name: str | None
) -> tuple[str, ...]:
    sources: list[list[str]] = []
    if ld.article is not None:
        raw = ld.article.get("author") or ld.article.get("creator")
        if raw:
            publisher = _ld_text(_ld_get(ld, "publisher"), ld.by_id)
            sites = tuple(k for k in (re.sub(r"\W", "", _fold(n)) for n in (site_name, publisher) if n) if k)
            sources.append(_ld_people(raw, ld.by_id, sites))
    for key in AUTHOR_KEYS:
        values = meta.get(key)
        if values:
            sources.append(values)
    people = [el for el in _XP_ITEMPROP_AUTHOR(tree)[:MAX_AUTHORS]]
    if people:
        names = []
        for el in people:
            inner = _XP_ITEMPROP_NAME(el)
            names.append(
                (inner[0].get("content") or inner[0].text_content())
                if inner
                else (el.get("content") or el.text_content())
            )
        sources.append(names)
    sources.append([_link_name(el) for el in _XP_REL_AUTHOR(tree)[:MAX_AUTHORS]])
    links = _XP_AUTHOR_LINK(tree)
    if links:
        # the first author link, and co-authors linked beside it in the same byline
        box = links[0].getparent()
        sources.append([_link_name(el) for el in links[:MAX_AUTHORS] if el.getparent() is box])
    site_key = re.sub(r"\W", "", _fold(site_name)) if site_name else ""
    publisher_name = _ld_text(_ld_get(ld, "publisher"), ld.by_id)
    outlets = [n for n in (site_name, publisher_name) if n]

    def visible_bylines(xpath: lxml.etree.XPath) -> list[tuple[str, ...]]:
        found = []
        for el in xpath(tree)[:3]:
            if "comment" in (el.get("class") or "").lower() or _XP_IN_FORM(el):
                continue
            # a byline box often holds several parts (author, source, date): read them one by one
            for part in _byline_parts(el):
                text = _short_text(part, 120)
                names = _clean_person(text, site_name, strict=True) if text else []
                if names and len(names) <= 4:
                    found.append(_dedupe((_cut_outlet_suffix(n, outlets) for n in names), MAX_AUTHORS))
                    break
        return found

    deferred: list[str] = []
    for values in sources:
        names = _dedupe((name for value in values for name in _clean_person(value, site_name)), MAX_AUTHORS)
        if not names:
            continue
        keys = {re.sub(r"\W", "", _fold(n)) for n in names}
        if (site_key and all(k and (k in site_key or site_key in k) for k in keys)) or all(
            _is_outlet(n) for n in names
        ):
            # Only the site's own name or an outlet's: a person's byline elsewhere on the page is better.
            deferred = deferred or list(names)
            outlets.extend(names)
            continue
        # A visible byline naming these people and more (co-authors) is the fuller statement.
        folded = {_fold(n) for n in names}
        for extra in visible_bylines(_XP_BYLINE)[:2]:
            if folded < {_fold(n) for n in extra}:
                return _without_outlets(extra)
        return _without_outlets(_lead_credit(names, _byline_statement(tree, names[0])))
    visible = (
        visible_bylines(_XP_BYLINE) or visible_bylines(_XP_AUTHOR_CLASS) or _post_meta_byline(tree, site_name)
    )
    if visible and not (deferred and all(_is_outlet(n) for n in visible[0])):
        return _without_outlets(visible[0])
    return tuple(deferred)


def _cut_outlet_suffix(name: str, outlets: list[str]) -> str:
    """A visible byline's name without the outlet printed after it ("Jane Roe Cherry Hill Courier-Post").

    The outlets are the page's own names for itself (site name, publisher, an outlet credited in its
    metadata); the name before them keeps at least two words. Seen on three newspaper groups' sites.
    """
    words = name.split()
    if len(words) < MIN_NAME_WITH_OUTLET_WORDS or not outlets:
        return name
    keys = [_fold(o).removeprefix("the ") for o in outlets]
    for cut in range(2, len(words)):
        tail = _fold(" ".join(words[cut:]))
        if any(key.startswith(tail) for key in keys if key):
            return " ".join(words[:cut])
    return name


def _link_name(link: HtmlElement) -> str:
    """The name in an author link's text: "View all posts by Jane Roe", "Alle Artikel von Jane Roe"."""
    words = [w for w in (link.text_content() or "").split() if any(c.isalpha() for c in w)]
    # the last "by" with words before it and a capitalised name of two or more words after it
    for i in range(len(words) - 3, 0, -1):
        if words[i].lower() in _LINK_BY_WORDS and words[i + 1][:1].isupper():
            return " ".join(words[i + 1 :])
    return " ".join(words)


def _without_outlets(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names without the outlets or agencies credited beside people; an outlet credited alone stays."""
    people = tuple(n for n in names if not _is_outlet(n))
    return people or names


def _byline_statement(tree: HtmlElement, first_name: str) -> str | None:
    """The text of the first visible byline that names ``first_name``."""
    key = _fold(first_name)
    for xpath in (_XP_BYLINE, _XP_AUTHOR_CLASS):
        for el in xpath(tree)[:6]:
            text = _short_text(el, 300)
            if text and key in _fold(text):
                return text
    return None


def _first_date(values: Iterable[Any]) -> str | None:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        text = _clean(value)
        result = normalize_date(text) if text else None
        if result:
            return result
    return None


def _element_dates(elements: Iterable[HtmlElement]) -> Iterator[str]:
    for el in elements:
        yield el.get("datetime") or el.get("content") or el.text_content()


@dataclass(frozen=True, slots=True)
class _Page:
    """What every date strategy may read: the tree, its meta tags and JSON-LD, and the page URL."""

    tree: HtmlElement
    meta: dict[str, list[str]]
    ld: _JsonLd
    url: str | None


def _jsonld_published(page: _Page) -> str | None:
    return _first_date([_ld_get(page.ld, "datePublished"), _ld_get(page.ld, "dateCreated")])


def _meta_published(page: _Page) -> str | None:
    return _first_date(_first_meta(page.meta, PUBLISHED_KEYS))


def _itemprop_published(page: _Page) -> str | None:
    return _first_date(_element_dates(_XP_ITEMPROP_DATE(page.tree)[:3]))


def _time_element(page: _Page) -> str | None:
    marked = _first_date(_element_dates(_XP_TIME_MARKED(page.tree)[:3]))
    return marked or _first_date(_element_dates(_XP_TIME(page.tree)[:3]))


def _url_date(page: _Page) -> str | None:
    return date_from_url(page.url)


def _htmldate(page: _Page) -> str | None:
    return date_from_page(page.tree, page.url)


# Text after the headline, in page order, outside teasers: where a template prints the bare dateline.
_XP_TEXT_AFTER_H1 = lxml.etree.XPath(
    "(//body//h1)[1]/following::text()[normalize-space()]"
    "[not(ancestor::script or ancestor::style or ancestor::aside or ancestor::nav or ancestor::footer"
    f" or ancestor::li[.//a[@href]] or {_IN_COMMENT})]"
)
# A bare dateline: a year, a day and at most a few words ("October 3, 2024", "20 December 2025",
# "12.03.2024"); a year alone ("Report 2021") is no day.
_BARE_DATE = re.compile(
    r"^(?=.*\b(?:19|20)\d{2}\b)(?=.*\b\d{1,2}\b)[^\W_]*(?:[\s,./-]+[^\W_]+){0,4}\.?$"
)
# The text pieces read after the headline: the dateline sits beside it, before the article's text.
TEXTS_AFTER_HEADLINE = 8


def _bare_dateline(page: _Page) -> str | None:
    """A piece of text after the headline that is a date and nothing else, as many templates print it."""
    for text in _XP_TEXT_AFTER_H1(page.tree)[:TEXTS_AFTER_HEADLINE]:
        piece = " ".join(text.split())
        if len(piece) <= 30 and _BARE_DATE.match(piece):
            day = normalize_date(piece)
            if day:
                return day
    return None


DateSource = Callable[[_Page], str | None]
# Where a page states its publication date, most deliberate statement first.
PUBLISHED_SOURCES: tuple[DateSource, ...] = (
    _jsonld_published,
    _meta_published,
    _itemprop_published,
    _url_date,  # a full date in the path is the site's own filing; right on 121 of 128 dev pages
    _time_element,
    _htmldate,  # datelines in page text, in any language and order
    _bare_dateline,
)


def _published(page: _Page) -> str | None:
    for source in PUBLISHED_SOURCES:
        value = source(page)
        if value:
            return _as_shown(page.tree, value)
    return None


# The article's visible dateline: <time> elements and short elements named for a date or publication,
# after the headline (a masthead prints today's date above it), outside teasers, asides and comments.
_DATELINE = (
    "[self::time or @itemprop='datePublished' or contains(@class, 'date') or contains(@class, 'Date')"
    f" or contains(@class, 'publish')][not(self::meta)][string-length(normalize-space(.)) < 80]{_NOT_TEASER}"
)
_XP_DATELINE_AFTER_H1 = lxml.etree.XPath(f"(//body//h1)[1]/following::*{_DATELINE}")
_XP_DATELINE = lxml.etree.XPath(f"//body//*{_DATELINE}")
_XP_DATETIME_ATTR = lxml.etree.XPath("descendant-or-self::*[@datetime][1]/@datetime")
# The datelines read: the article's own comes first, later ones date teasers and comments.
DATELINES_READ = 3
# Zones in use run from UTC-12 to UTC+14, in whole quarter hours.
_MIN_OFFSET = dt.timedelta(hours=-12)
_MAX_OFFSET = dt.timedelta(hours=14)
_QUARTER_HOUR = dt.timedelta(minutes=15)
_SAME_MOMENT = dt.timedelta(minutes=1)


def _as_shown(tree: HtmlElement, value: str) -> str:
    """A machine timestamp on the day the page's visible dateline shows for the same moment.

    Sites state the moment in UTC for machines and print it in their own zone for readers: "2023-12-23T03:00Z"
    is "December 22, 2023 10:00 PM" in New York. Where the first visible dateline shows that moment on
    another day (its clock time matches to the minute under some zone's offset, or it gives the day alone
    next to a UTC stamp), the moment is re-stated in the page's zone, or as the page's day. Seen on news,
    lifestyle and blog sites.
    """
    stamp = _aware(value)
    if stamp is None:
        return value
    datelines = _XP_DATELINE_AFTER_H1(tree) if _XP_H1(tree) else _XP_DATELINE(tree)
    for el in datelines[:DATELINES_READ]:
        attr = _XP_DATETIME_ATTR(el)
        text = _short_text(el, 80)
        shown = normalize_date(text) if text else None
        for candidate in (attr[0] if attr else None, shown):
            restated = _restate(stamp, candidate) if candidate else None
            if restated:
                return restated if restated[:10] != value[:10] else value
        if shown or attr:
            return value  # the article's dateline, read: it shows no other day
    return value


def _aware(value: str) -> dt.datetime | None:
    """A timestamp with its UTC offset, else None (a day, or a clock time without a zone)."""
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if len(value) > 10 and stamp.tzinfo is not None else None


def _restate(stamp: dt.datetime, shown: str) -> str | None:
    """``stamp`` as the dateline ``shown`` states it, when both are the same moment; else None."""
    normal = normalize_date(shown)
    if not normal:
        return None
    if len(normal) == 10:
        # a day alone: the local day of a UTC stamp under some zone
        if stamp.utcoffset() != dt.timedelta(0):
            return None
        day = dt.date.fromisoformat(normal)
        lowest = (stamp + _MIN_OFFSET).date()
        highest = (stamp + _MAX_OFFSET).date()
        return normal if lowest <= day <= highest and day != stamp.date() else None
    moment = dt.datetime.fromisoformat(normal)
    if moment.tzinfo is not None:
        offset = moment.utcoffset()
        if abs(moment - stamp) >= _SAME_MOMENT or offset is None:
            return None
    else:
        utc = stamp.astimezone(dt.UTC).replace(tzinfo=None)
        offset = moment - utc
        whole = round(offset / _QUARTER_HOUR) * _QUARTER_HOUR
        if abs(offset - whole) >= _SAME_MOMENT or not _MIN_OFFSET <= whole <= _MAX_OFFSET:
            return None
        offset = whole
    local = stamp.astimezone(dt.timezone(offset))
    return local.isoformat() if local.date() != stamp.date() else None


def _modified(tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd) -> str | None:
    return (
        _first_date([_ld_get(ld, "dateModified")])
        or _first_date(_first_meta(meta, MODIFIED_KEYS))
        or _first_date(_element_dates(_XP_ITEMPROP_MODIFIED(tree)[:2]))
    )


def _language(tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd) -> str | None:
    candidates = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        _ld_text(_ld_get(ld, "inLanguage")),
    ]
    candidates.extend(_first_meta(meta, LANGUAGE_KEYS))
    declared: list[str] = []
    for value in candidates:
        if not value:
            continue
        for token in _LANG_SPLIT.split(value.strip()):
            code = token.replace("_", "-").lower().strip("-")
            if _LANG_OK.match(code) and code not in ("und", "xx", "zz"):
                declared.append(code)
                break
    primaries = {code.split("-")[0] for code in declared}
    if len(primaries) == 1:
        return declared[0]
    # Nothing declared, or declarations disagree (a template's lang="en" on a German post): let the
    # page's own words decide between them.
    guess = _guess_language(tree)
    if guess:
        for code in declared:
            if code.split("-")[0] == guess:
                return code
        if not declared:
            return guess
    return declared[0] if declared else None


def _guess_language(tree: HtmlElement) -> str | None:
    """The language of the first paragraphs; None when unsure."""
    return guess_language(" ".join(_XP_FIRST_PARAGRAPHS(tree)))


# Links that name the post's category and tags (rel="category tag", rel="tag": blog engines' markup).
_XP_REL_CATEGORY = lxml.etree.XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]")
_XP_REL_TAG = lxml.etree.XPath(
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')"
    " and not(contains(concat(' ', normalize-space(@rel), ' '), ' category '))]"
)


def _section(meta: dict[str, list[str]], ld: _JsonLd, tree: HtmlElement) -> str | None:
    value = _ld_get(ld, "articleSection")
    text = _ld_text(value)
    if text:
        return text.split(",")[0].strip() or None
    for value in _first_meta(meta, SECTION_KEYS):
        if not value.startswith("http"):
            return value
    for link in _XP_REL_CATEGORY(tree)[:1]:
        return _clean(link.text_content())
    return None


def _tags(meta: dict[str, list[str]], ld: _JsonLd, tree: HtmlElement | None = None) -> tuple[str, ...]:
    values: list[str] = list(meta.get("article:tag", ()))
    if not values:
        keywords = _ld_get(ld, "keywords")
        if isinstance(keywords, list):
            values = [t for t in (_ld_text(k) for k in keywords) if t]
        elif isinstance(keywords, str):
            values = [keywords]
    if not values:
        for key in TAG_KEYS[1:]:
            if key in meta:
                values = meta[key]
                break
    tags = [t.strip() for v in values for t in _KEYWORD_SPLIT.split(v) if t.strip() and len(t) < 80]
    if not tags and tree is not None:
        tags = [
            t for t in (_clean(a.text_content()) for a in _XP_REL_TAG(tree)[:MAX_TAGS]) if t and len(t) < 80
        ]
    return _dedupe(tags, MAX_TAGS)


def _image(meta: dict[str, list[str]], ld: _JsonLd, tree: HtmlElement, base: str | None) -> str | None:
    for value in _first_meta(meta, IMAGE_KEYS):
        link = _absolute(value, base)
        if link:
            return link
    ld_image = _ld_get(ld, "image") or _ld_get(ld, "thumbnailUrl")
    link = _absolute(_ld_text(ld_image, ld.by_id), base) if ld_image else None
    if link:
        return link
    for value in _XP_IMAGE_SRC(tree)[:1]:
        return _absolute(value, base)
    return None


def _canonical(tree: HtmlElement, meta: dict[str, list[str]], ld: _JsonLd, base: str | None) -> str | None:
    for el in _XP_CANONICAL(tree)[:1]:
        link = _absolute(el.get("href"), base)
        if link:
            return link
    for value in _first_meta(meta, URL_KEYS):
        link = _absolute(value, base)
        if link:
            return link
    ld_url = _ld_get(ld, "url") or _ld_get(ld, "mainEntityOfPage")
    return _absolute(_ld_text(ld_url), base) if ld_url else None


def _description(meta: dict[str, list[str]], ld: _JsonLd) -> str | None:
    for value in _first_meta(meta, DESCRIPTION_KEYS[:1]):
        return value
    text = _ld_text(_ld_get(ld, "description"))
    if text:
        return text
    for value in _first_meta(meta, DESCRIPTION_KEYS[1:]):
        return value
    return None


def extract_metadata(tree: HtmlElement, url: str | None = None) -> Metadata:
    """Read a page's metadata from its parsed tree (not modified); ``url`` resolves relative links."""
    meta = _collect_meta(tree)
    ld = _read_jsonld(tree)
    site_name = _site_name(meta, ld)
    canonical = _canonical(tree, meta, ld, url)
    base = url or canonical
    return Metadata(
        title=_title(tree, meta, ld, site_name, url or canonical),
        description=_description(meta, ld),
        authors=_authors(tree, meta, ld, site_name),
        published=_published(_Page(tree, meta, ld, url or canonical)),
        modified=_modified(tree, meta, ld),
        section=_section(meta, ld, tree),
        tags=_tags(meta, ld, tree),
        language=_language(tree, meta, ld),
        site_name=site_name,
        canonical_url=canonical,
        image=_image(meta, ld, tree, base),
    )
