"""JSON-LD: every typed object of a page's ``ld+json`` scripts, the article among them, and its values.

Scripts are read leniently (comments, trailing commas, several values in one script), nested objects
are flattened (``@graph``, ``mainEntity``, authors and publishers), and ``@id`` references resolved.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.etree
from lxml.html import HtmlElement

from .text import CONTROL, clean, fold

log = logging.getLogger(__name__)

XP_JSONLD = lxml.etree.XPath(
    "//script[contains(translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'ld+json')]"
)
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
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_HTML_COMMENT = re.compile(r"<!--|-->|<!\[CDATA\[|\]\]>|^\s*//.*$", re.M)
_JS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


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
    repaired = _TRAILING_COMMA.sub(r"\1", CONTROL.sub(" ", repaired.replace("\n", " ").replace("\t", " ")))
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


def ld_types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower().rsplit("/", 1)[-1].rsplit(":", 1)[-1] for k in kinds if isinstance(k, str)}


def _is_article(obj: dict[str, Any]) -> bool:
    return any(k.endswith("article") or k in ARTICLE_TYPES for k in ld_types(obj))


@dataclass(slots=True)
class JsonLd:
    article: dict[str, Any] | None
    weak: dict[str, Any] | None
    by_id: dict[str, dict[str, Any]]
    objects: list[dict[str, Any]]


def read_jsonld(tree: HtmlElement) -> JsonLd:
    objects: list[dict[str, Any]] = []
    for script in XP_JSONLD(tree):
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
        (o for o in objects if ld_types(o) & WEAK_TYPES and ("headline" in o or "datePublished" in o)), None
    )
    return JsonLd(article, weak, by_id, objects)


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str):
        return by_id.get(value["@id"], value)
    return value


def ld_text(value: Any, by_id: dict[str, dict[str, Any]] | None = None) -> str | None:
    """A plain string out of a JSON-LD value that may be a string, a list or a named object."""
    if by_id is not None:
        value = _resolve(value, by_id)
    if isinstance(value, list):
        for item in value:
            text = ld_text(item, by_id)
            if text:
                return text
        return None
    if isinstance(value, dict):
        for key in ("name", "@value", "url", "contentUrl", "@id"):
            if key in value:
                return ld_text(value[key])
        return None
    return clean(value)


def ld_people(value: Any, by_id: dict[str, dict[str, Any]], site_names: tuple[str, ...] = ()) -> list[str]:
    """Names of the authors in a JSON-LD author value (string, object, list or @id reference).

    An Organization author that is the site itself is left out: it names the publisher, not a byline.
    """
    value = _resolve(value, by_id)
    if isinstance(value, list):
        return [name for item in value for name in ld_people(item, by_id, site_names)]
    if isinstance(value, dict):
        if ld_types(value) - PERSON_TYPES and site_names and isinstance(value.get("name"), str):
            key = re.sub(r"\W", "", fold(value["name"]))
            if key and any(key in site or site in key for site in site_names):
                return []
        name = value.get("name")
        if isinstance(name, list | dict):
            return ld_people(name, by_id)
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        text = clean(name)
        return [text] if text else []
    text = clean(value)
    return [text] if text else []


def ld_get(ld: JsonLd, key: str) -> Any:
    """A property of the page's article object, falling back to the weak (WebPage) object."""
    for obj in (ld.article, ld.weak):
        if obj is not None and obj.get(key) not in (None, "", []):
            return obj[key]
    return None
