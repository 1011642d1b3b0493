"""Configuration: defaults in dataclasses, the user's ``config.toml`` layered over them, validated once.

Every section is a frozen dataclass; an unknown key, a wrong type or a bad value raises ``ConfigError``
naming the key and the line of the file it came from.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = [
    "Config",
    "CrawlConfig",
    "ExtractConfig",
    "FetchConfig",
    "OutputConfig",
    "SiteRules",
    "SourceConfig",
    "load_config",
]


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """How pages are downloaded."""

    user_agent: str = ""  # empty: "scraper/VERSION (+project URL)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0  # wall-clock cap for one response, trickling bodies included
    max_bytes: int = 10_000_000  # decoded (decompressed) body cap
    max_redirects: int = 10
    retries: int = 3  # extra attempts after the first on connection errors, timeouts and retry_http_codes
    # statuses worth another attempt (Scrapy's RETRY_HTTP_CODES); a crawl also retries them on later runs
    retry_http_codes: tuple[int, ...] = (429, *range(500, 600))
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a longer Retry-After skips the URL instead of waiting
    allow_private: bool = False  # allow loopback and private address ranges
    allow_link_local: bool = False  # allow 169.254.0.0/16 and fe80::/10 (cloud metadata)
    respect_robots: bool = True


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """How the article is found and cleaned."""

    site_rules: bool = True  # apply the per-host rules of [sites.*]
    min_body_words: int = 20  # fewer words than this: "no article found"
    links: bool = False  # record where the body's links stand (for Markdown/HTML with --links)


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """How records are written."""

    format: str = "json"  # json | jsonl | csv | text | markdown | html (scraper.formats.FORMATS)
    indent: int = 2


@dataclass(frozen=True, slots=True)
class SiteRules:
    """Per-host cleaning rules, as data. The host matches itself and its subdomains."""

    drop_selectors: tuple[str, ...] = ()  # CSS selectors removed from the page before extraction
    drop_phrases: tuple[str, ...] = ()  # body paragraphs starting with one of these are dropped
    body_selector: str = ""  # CSS selector of the article body, when readability needs help


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    """How ``scraper crawl`` runs: output, politeness, budgets and retries."""

    out: str = "out"  # output folder (relative paths: to the current directory)
    output: str = "files"  # files: OUT/YYYY/MM/DD/ID.json | jsonl: one OUT/crawl-TIMESTAMP.jsonl per run
    state: str = ""  # SQLite state file; empty: OUT/.scraper-state.sqlite
    workers: int = 8  # threads; hosts fetched concurrently, each host one request at a time
    delay: float = 1.0  # seconds between request starts on one host (robots.txt Crawl-delay wins if longer)
    page_budget: int = 1000  # article pages fetched per run at most; the rest wait for the next run
    max_failure_share: float = 0.5  # exit 1 when more than this share of fetched pages failed
    retry_limit: int = 3  # attempts per URL over runs before giving up on a transient failure
    retry_backoff: float = 900.0  # seconds before the first retry on a later run, doubled per attempt
    max_sitemaps: int = 50  # sitemap files fetched per run at most (index children included)
    max_links: int = 200  # links followed from one start page at most
    # one body under several URLs: host = one record per body within a host, the other URLs kept as
    # aliases in the state; global = the same across hosts (syndicated copies dropped); none = every URL
    dedup: str = "host"


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One ``[[sources]]`` entry: where article URLs come from."""

    type: str = "feed"  # feed | sitemap | page | urls | site (its feeds and sitemaps, discovered)
    url: str = (
        ""  # the feed, sitemap, start page or site; for "urls": a text file (path or http URL), optional
    )
    urls: tuple[str, ...] = ()  # for "urls": the article URLs themselves
    include: tuple[str, ...] = ()  # regexes; an URL must match one (searched anywhere in the URL)
    exclude: tuple[str, ...] = ()  # regexes; an URL matching one is dropped
    max_articles: int = 0  # new articles taken from this source per run; 0: no limit
    max_age_days: float = 0.0  # only articles newer than this (by feed/sitemap date or published); 0: any
    name: str = ""  # for the logs and the run summary; default: the URL


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration."""

    fetch: FetchConfig = field(default_factory=FetchConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    sites: Mapping[str, SiteRules] = field(default_factory=dict)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    sources: tuple[SourceConfig, ...] = ()

    def rules_for(self, host: str | None) -> SiteRules | None:
        """The site rules for ``host`` (or its closest parent domain), if any and if enabled."""
        if not host or not self.extract.site_rules:
            return None
        host = host.lower().rstrip(".")
        if host.startswith("www."):
            host = host[4:]
        parts = host.split(".")
        for i in range(len(parts) - 1):
            rules = self.sites.get(".".join(parts[i:]))
            if rules is not None:
                return rules
        return None

    def replace(self, **sections: Any) -> Config:
        """A copy with whole sections or single options replaced: ``cfg.replace(fetch={"retries": 0})``."""
        changes: dict[str, Any] = {}
        for name, value in sections.items():
            current = getattr(self, name)
            if (
                isinstance(value, Mapping)
                and dataclasses.is_dataclass(current)
                and not isinstance(current, type)
            ):
                value = dataclasses.replace(current, **value)
            changes[name] = value
        return dataclasses.replace(self, **changes)


_SECTION_TYPES: dict[str, type] = {
    "fetch": FetchConfig,
    "extract": ExtractConfig,
    "output": OutputConfig,
    "crawl": CrawlConfig,
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "output.format": ("json", "jsonl", "csv", "text", "markdown", "html"),  # scraper.formats.FORMATS
    "crawl.output": ("files", "jsonl"),
    "crawl.dedup": ("host", "global", "none"),
    "sources.type": ("feed", "sitemap", "page", "urls", "site"),
}


def _line_of(text: str, dotted: str) -> int | None:
    """Best-effort line number of a key in TOML text (tomllib does not keep positions)."""
    if not text:
        return None
    *tables, key = dotted.split(".")
    lines = text.splitlines()
    start = 0
    if tables:
        header = re.compile(
            r"^\s*\[+\s*" + r"\s*\.\s*".join(re.escape(t).replace(r"\"", '"?') for t in tables)
        )
        for i, line in enumerate(lines):
            if header.match(line.replace('"', "")):
                start = i
                break
    pattern = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1 if tables else None


def _where(path: str, text: str, dotted: str) -> str:
    line = _line_of(text, dotted)
    return f"{path}:{line}" if line else path


def _is_error_status(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599


def _coerce(value: Any, hint: Any, dotted: str, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise ConfigError(f"{where}: {dotted} must not be negative, got {value}")
            return value
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0:
                raise ConfigError(f"{where}: {dotted} must not be negative, got {value}")
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif origin is tuple and typing.get_args(hint)[0] is int:  # HTTP status codes
        if isinstance(value, list) and all(_is_error_status(v) for v in value):
            return tuple(value)
        raise ConfigError(f"{where}: {dotted} must be a list of HTTP error statuses (400 to 599)")
    elif origin is tuple:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(f"{where}: {dotted} must be a list of strings")
    else:  # pragma: no cover - only the types above are used in the dataclasses
        return value
    name = getattr(hint, "__name__", str(hint))
    raise ConfigError(f"{where}: {dotted} must be of type {name}, got {type(value).__name__} {value!r}")


def build_section(cls: type, table: Any, *, prefix: str, path: str = "<config>", text: str = "") -> Any:
    """Build the dataclass ``cls`` from a TOML table, refusing unknown keys and wrong types."""
    if not isinstance(table, dict):
        raise ConfigError(f"{_where(path, text, prefix)}: [{prefix}] must be a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}.{key}"
        where = _where(path, text, dotted)
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{where}: unknown key {dotted!r} (known keys: {known})")
        hint = hints[key]
        if isinstance(hint, types.UnionType):  # e.g. "str | None": take the non-None member
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        coerced = _coerce(value, hint, dotted, where)
        choices = _CHOICES.get(dotted)
        if choices and coerced not in choices:
            raise ConfigError(f"{where}: {dotted} must be one of {', '.join(choices)}, got {coerced!r}")
        values[key] = coerced
    return cls(**values)


def config_from_dict(data: Mapping[str, Any], *, path: str = "<config>", text: str = "") -> Config:
    """Validate a parsed TOML document into a ``Config``."""
    sections: dict[str, Any] = {}
    for name, table in data.items():
        if name in _SECTION_TYPES:
            sections[name] = build_section(_SECTION_TYPES[name], table, prefix=name, path=path, text=text)
        elif name == "sites":
            if not isinstance(table, dict):
                raise ConfigError(f"{_where(path, text, 'sites')}: [sites] must be a table of hosts")
            sections["sites"] = {
                host.lower(): build_section(SiteRules, rules, prefix=f"sites.{host}", path=path, text=text)
                for host, rules in table.items()
            }
        elif name == "sources":
            sections["sources"] = _build_sources(table, path=path, text=text)
        else:
            known = ", ".join(sorted([*_SECTION_TYPES, "sites", "sources"]))
            raise ConfigError(f"{_where(path, text, name)}: unknown section [{name}] (known: {known})")
    crawl = sections.get("crawl")
    if crawl is not None and crawl.max_failure_share > 1:
        where = _where(path, text, "crawl.max_failure_share")
        raise ConfigError(
            f"{where}: crawl.max_failure_share must be between 0 and 1, got {crawl.max_failure_share}"
        )
    if crawl is not None and crawl.workers < 1:
        raise ConfigError(f"{_where(path, text, 'crawl.workers')}: crawl.workers must be at least 1")
    return Config(**sections)


def _build_sources(tables: Any, *, path: str, text: str) -> tuple[SourceConfig, ...]:
    """Validate ``[[sources]]``: each entry's errors name the key and the line within that entry."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(
            f"{_where(path, text, 'sources')}: sources must be an array of tables ([[sources]])"
        )
    headers = [i for i, line in enumerate(text.splitlines()) if re.match(r"^\s*\[\[\s*sources\s*\]\]", line)]
    out: list[SourceConfig] = []
    for n, table in enumerate(tables):
        # blank the lines before the n-th [[sources]] header so line lookups land inside this entry
        local = text
        if n < len(headers):
            lines = text.splitlines()
            local = "\n" * headers[n] + "\n".join(lines[headers[n] :])
        source = build_section(SourceConfig, table, prefix="sources", path=path, text=local)
        if source.type in ("feed", "sitemap", "page", "site") and not source.url:
            raise ConfigError(f"{_where(path, local, 'sources.type')}: a {source.type} source needs a url")
        if source.type == "urls" and not (source.url or source.urls):
            raise ConfigError(f"{_where(path, local, 'sources.type')}: a urls source needs urls or url")
        for key in ("include", "exclude"):
            for pattern in getattr(source, key):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    where = _where(path, local, f"sources.{key}")
                    raise ConfigError(f"{where}: sources.{key}: bad regex {pattern!r}: {exc}") from None
        out.append(source)
    return tuple(out)


def load_config(path: str | Path | None = None) -> Config:
    """Read ``path`` (TOML) over the defaults; ``None`` gives the defaults alone."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config is not UTF-8") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return config_from_dict(data, path=str(path), text=text)
