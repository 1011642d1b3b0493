"""scraper: fetch news pages and write the article, the whole article and nothing but the article."""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .errors import ScraperError  # noqa: E402
from .extract import extract  # noqa: E402
from .record import Article  # noqa: E402


def scrape(url: str, *, config: Config | None = None) -> Article:
    """Fetch ``url`` and extract its article (network access; see ``extract`` for the pure step)."""
    from .errors import BlockedError
    from .inputs import extract_input, is_url

    if not is_url(url):
        raise BlockedError(f"not an http(s) URL: {url}", url=url)
    return extract_input(url, config=config or Config())


logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["Article", "Config", "ScraperError", "extract", "load_config", "scrape", "__version__"]
