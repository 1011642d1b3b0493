"""scraper: fetch news pages and write the article, the whole article and nothing but the article.

The public names load on first use (PEP 562), so that ``scraper --help`` and verbs that need neither the
extractor nor the fetcher do not pay for importing them.
"""

from __future__ import annotations

import importlib
import logging
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .config import Config, load_config
    from .errors import ScraperError
    from .extract import extract
    from .record import Article

# public name -> the submodule that defines it
_LAZY = {
    "Article": "record",
    "Config": "config",
    "load_config": "config",
    "ScraperError": "errors",
    "extract": "extract",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """The package module. Importing the submodule ``scraper.extract`` binds it as the package attribute
    ``extract``; the public ``scraper.extract`` is the function, so the function is bound instead (as the
    eager ``from .extract import extract`` used to do)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "extract" and isinstance(value, types.ModuleType):
            value = value.extract
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def scrape(url: str, *, config: Config | None = None) -> Article:
    """Fetch ``url`` and extract its article (network access; see ``extract`` for the pure step)."""
    from .config import Config
    from .errors import BlockedError
    from .inputs import extract_input
    from .urls import is_http_url

    if not is_http_url(url):
        raise BlockedError(f"not an http(s) URL: {url}", url=url)
    return extract_input(url, config=config or Config())


logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["Article", "Config", "ScraperError", "extract", "load_config", "scrape", "__version__"]
