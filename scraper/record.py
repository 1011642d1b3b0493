"""The Article record: one frozen dataclass, its stable id, and the JSON Schema it validates against."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SCHEMA_VERSION = 1

__all__ = [
    "Article", "Image", "SCHEMA_VERSION", "USERINFO", "make_id", "normalize_url", "strip_credentials",
    "content_hash", "record_schema",
]

# The "user:password@" part of a URL (also inside free text such as an error message).
USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")

# Query parameters that track a visit, not name a page; dropped before an URL becomes an id.
TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "utm_name",
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid",
    "yclid", "_ga", "_gl", "ocid", "cmpid", "ito", "at_medium", "at_campaign", "ns_mchannel",
    "ns_campaign", "ns_source", "ns_linkname", "ns_fee", "sr_share", "share", "ref_src",
)


def normalize_url(url: str) -> str:
    """The URL as an identity: lowercased scheme and host, sorted query, no fragment, no tracking params."""
    from w3lib.url import canonicalize_url, url_query_cleaner  # here: the record's readers do not need it

    try:
        cleaned = url_query_cleaner(url.strip(), TRACKING_PARAMS, remove=True, keep_fragments=False)
        return canonicalize_url(cleaned, keep_fragments=False)
    except ValueError:
        return url.strip()


def strip_credentials(url: str, *, mask: str = "") -> str:
    """``url`` with its ``user:password@`` part replaced by ``mask`` ("" drops it, "***@" shows it was there)."""
    if "@" not in url:
        return url
    try:
        parts = urlsplit(url)
        if "@" not in parts.netloc:
            return url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, mask + host, parts.path, parts.query, parts.fragment))
    except ValueError:
        return USERINFO.sub(mask, url)


def make_id(url: str | None, *, fallback: str = "") -> str:
    """Stable record id: 32 hex characters of SHA-256 of the normalised URL (or of ``fallback``)."""
    key = normalize_url(url) if url else "content:" + fallback
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def content_hash(body: str) -> str:
    """SHA-256 of the body with whitespace and case folded, to spot identical articles."""
    folded = " ".join(unicodedata.normalize("NFKC", body).casefold().split())
    return hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Image:
    """An image of the article, with its caption and credit, each given once."""

    url: str | None = None
    caption: str | None = None
    credit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "caption": self.caption, "credit": self.credit}


FIGURE_BLOCK = "figure"  # the kind of an Article.blocks entry that places an image of the article


@dataclass(frozen=True, slots=True)
class Article:
    """One extracted article. JSON keys equal the field names; see ``record_schema()``."""

    id: str
    url: str | None
    final_url: str | None
    canonical_url: str | None
    title: str | None
    description: str | None
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    section: str | None
    tags: tuple[str, ...]
    language: str | None
    site_name: str | None
    images: tuple[Image, ...]
    body: str
    word_count: int
    content_hash: str
    fetched_at: str | None
    extractor: dict[str, str] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    # The body's structure, (kind, text) per paragraph, and (start, end, URL) of its links as a third item
    # where it has any; a FIGURE_BLOCK's text is the URL of the image that stood there. For Markdown and
    # HTML output; not part of the JSON record.
    blocks: tuple[tuple[Any, ...], ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record, keys in schema order."""
        out: dict[str, Any] = {"schema_version": self.schema_version}
        for f in dataclasses.fields(self):
            if f.name in ("schema_version", "blocks"):
                continue
            value = getattr(self, f.name)
            if f.name == "images":
                value = [img.to_dict() for img in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Rebuild an Article from its JSON record."""
        values = dict(data)
        values["authors"] = tuple(values.get("authors") or ())
        values["tags"] = tuple(values.get("tags") or ())
        values["images"] = tuple(Image(**img) for img in values.get("images") or ())
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


@cache
def record_schema() -> dict[str, Any]:
    """The JSON Schema of a record, shipped in the package as ``article.schema.json``."""
    text = resources.files("scraper").joinpath("article.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
