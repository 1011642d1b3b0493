"""The Article record: one frozen dataclass, its stable id, and the JSON Schema it validates against.

The dataclass is the one definition of the record's shape: ``record_fields()`` lists the fields of the JSON
record in order, ``record_schema()`` derives the JSON Schema from their annotations (``_JSON_TYPES``) and
the keywords in their metadata, and ``scraper.dataset`` derives the Arrow schema the same way. Adding a
field is adding it here (and to ``article.schema.json``, which a test compares with the derived schema).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import Field, dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SCHEMA_VERSION = 1

__all__ = [
    "Article",
    "Image",
    "SCHEMA_VERSION",
    "USERINFO",
    "EXTRA_FIELDS",
    "make_id",
    "normalize_url",
    "strip_credentials",
    "content_hash",
    "record_fields",
    "record_schema",
]

# The "user:password@" part of a URL (also inside free text such as an error message).
USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")

# Query parameters that track a visit, not name a page; dropped before an URL becomes an id.
TRACKING_PARAMS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_id",
    "utm_name",
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "_gl",
    "ocid",
    "cmpid",
    "ito",
    "at_medium",
    "at_campaign",
    "ns_mchannel",
    "ns_campaign",
    "ns_source",
    "ns_linkname",
    "ns_fee",
    "sr_share",
    "share",
    "ref_src",
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


# JSON Schema keywords of a field beyond its type (``field(metadata={"schema": ...})``)
_HEX32 = {"pattern": "^[0-9a-f]{32}$"}
_ISO_8601 = {"pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$"}
_LANGUAGE_TAG = {"pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"}


def _schema(**keywords: Any) -> dict[str, Any]:
    """The metadata of a field whose JSON Schema adds ``keywords`` to its type's."""
    return {"schema": keywords}


@dataclass(frozen=True, slots=True)
class Article:
    """One extracted article. JSON keys equal the field names; see ``record_schema()``."""

    id: str = field(metadata=_schema(**_HEX32))
    url: str | None
    final_url: str | None
    canonical_url: str | None
    title: str | None
    description: str | None
    authors: tuple[str, ...] = field(metadata=_schema(items={"minLength": 1}))
    published: str | None = field(metadata=_schema(**_ISO_8601))
    modified: str | None = field(metadata=_schema(**_ISO_8601))
    section: str | None
    tags: tuple[str, ...]
    language: str | None = field(metadata=_schema(**_LANGUAGE_TAG))
    site_name: str | None
    images: tuple[Image, ...]
    body: str = field(metadata=_schema(minLength=1))
    word_count: int = field(metadata=_schema(minimum=0))
    content_hash: str = field(metadata=_schema(pattern="^[0-9a-f]{64}$"))
    fetched_at: str | None
    # {"name": "scraper", "version": ...}: an object with exactly the "keys" of its metadata
    extractor: dict[str, str] = field(default_factory=dict, metadata={"keys": ("name", "version")})
    schema_version: int = field(default=SCHEMA_VERSION, metadata={"schema": {"const": SCHEMA_VERSION}})
    # The body's structure, (kind, text) per paragraph, and (start, end, URL) of its links as a third item
    # where it has any; a FIGURE_BLOCK's text is the URL of the image that stood there. For Markdown and
    # HTML output; not part of the JSON record.
    blocks: tuple[tuple[Any, ...], ...] = field(
        default=(), compare=False, repr=False, metadata={"record": False}
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON record, keys in schema order."""
        out: dict[str, Any] = {}
        for f in record_fields():
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


# Keys some records carry beyond the Article's fields (nullable strings), with what they say.
EXTRA_FIELDS = {
    "warc_record_id": "extract-warc and export lines: the WARC-Record-ID of the response",
    "warc_date": "extract-warc and export lines: the WARC-Date of the response",
}


@cache
def record_fields() -> tuple[Field[Any], ...]:
    """The fields of the JSON record, in its key order: ``schema_version`` first, then as declared."""
    fields = [f for f in dataclasses.fields(Article) if f.metadata.get("record", True)]
    return tuple(sorted(fields, key=lambda f: f.name != "schema_version"))


def _image_schema() -> dict[str, Any]:
    names = [f.name for f in dataclasses.fields(Image)]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": names,
        "properties": {f.name: dict(_JSON_TYPES[str(f.type)]) for f in dataclasses.fields(Image)},
    }


# the JSON Schema of each annotation a record field may have
_JSON_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "str | None": {"type": ["string", "null"]},
    "int": {"type": "integer"},
    "tuple[str, ...]": {"type": "array", "items": {"type": "string"}},
    "tuple[Image, ...]": {"type": "array"},  # items: _image_schema()
    "dict[str, str]": {"type": "object"},  # required and properties: the field's "keys"
}


def _field_schema(f: Field[Any]) -> dict[str, Any]:
    extra = dict(f.metadata.get("schema", {}))
    if "const" in extra:  # one value: its type goes without saying
        return extra
    schema = copy.deepcopy(_JSON_TYPES[str(f.type)])
    if f.type == "tuple[Image, ...]":
        schema["items"] = _image_schema()
    if "keys" in f.metadata:
        schema["required"] = list(f.metadata["keys"])
        schema["properties"] = {key: {"type": "string"} for key in f.metadata["keys"]}
    if "items" in extra:
        schema["items"].update(extra.pop("items"))
    schema.update(extra)
    return schema


@cache
def record_schema() -> dict[str, Any]:
    """The JSON Schema of a record, derived from ``Article``; shipped as ``article.schema.json`` too."""
    properties = {f.name: _field_schema(f) for f in record_fields()}
    for name, description in EXTRA_FIELDS.items():
        properties[name] = {"type": ["string", "null"], "description": description}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/scraper/scraper/article.schema.json",
        "title": "Article record",
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in record_fields()],
        "properties": properties,
    }
