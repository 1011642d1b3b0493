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

__all__ = ["Config", "FetchConfig", "ExtractConfig", "OutputConfig", "SiteRules", "load_config"]


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """How pages are downloaded."""

    user_agent: str = ""  # empty: "scraper/VERSION (+project URL)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0  # wall-clock cap for one response, trickling bodies included
    max_bytes: int = 10_000_000  # decoded (decompressed) body cap
    max_redirects: int = 10
    retries: int = 3  # extra attempts after the first on connection errors, timeouts, 429 and 5xx
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


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """How records are written."""

    format: str = "json"  # json | jsonl | text | markdown
    indent: int = 2


@dataclass(frozen=True, slots=True)
class SiteRules:
    """Per-host cleaning rules, as data. The host matches itself and its subdomains."""

    drop_selectors: tuple[str, ...] = ()  # CSS selectors removed from the page before extraction
    drop_phrases: tuple[str, ...] = ()  # body paragraphs starting with one of these are dropped
    body_selector: str = ""  # CSS selector of the article body, when readability needs help


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration."""

    fetch: FetchConfig = field(default_factory=FetchConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    sites: Mapping[str, SiteRules] = field(default_factory=dict)

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
            if isinstance(value, Mapping) and dataclasses.is_dataclass(current):
                value = dataclasses.replace(current, **value)
            changes[name] = value
        return dataclasses.replace(self, **changes)


_SECTION_TYPES: dict[str, type] = {"fetch": FetchConfig, "extract": ExtractConfig, "output": OutputConfig}
_CHOICES: dict[str, tuple[str, ...]] = {"output.format": ("json", "jsonl", "text", "markdown")}


def _line_of(text: str, dotted: str) -> int | None:
    """Best-effort line number of a key in TOML text (tomllib does not keep positions)."""
    if not text:
        return None
    *tables, key = dotted.split(".")
    lines = text.splitlines()
    start = 0
    if tables:
        header = re.compile(r"^\s*\[+\s*" + r"\s*\.\s*".join(re.escape(t).replace(r"\"", '"?') for t in tables))
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
        else:
            known = ", ".join(sorted([*_SECTION_TYPES, "sites"]))
            raise ConfigError(f"{_where(path, text, name)}: unknown section [{name}] (known: {known})")
    return Config(**sections)


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
