"""robots.txt: fetched once per site with our own Fetcher, parsed with protego, cached for the run.

Conventions (RFC 9309): a 4xx robots.txt (none published) allows everything; a 5xx, a network error or
an unreadable file disallows the whole site for this run, as does a 429 (the site asks us to slow down).
``failure(url)`` then gives the error that made robots.txt unavailable, so that the site's URLs can be
reported as what happened to it (DNS, connection, HTTP 503...), not as refused by robots.txt.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from .errors import FetchError, HTTPStatusError
from .fetch import Fetcher, redact_url

log = logging.getLogger(__name__)

__all__ = ["RobotsCache", "user_agent_token"]

MAX_ROBOTS_BYTES = 512 * 1024


def user_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: ``scraper/0.1.0 (+...)`` -> ``scraper``."""
    token = user_agent.strip().split(None, 1)[0] if user_agent.strip() else "*"
    return token.split("/", 1)[0] or "*"


class _Verdict:
    """A whole-site answer, for when there is no robots.txt to parse (``failure``: why it could not be had)."""

    def __init__(self, allow: bool, failure: FetchError | None = None) -> None:
        self.allow = allow
        self.failure = failure

    def can_fetch(self, url: str, user_agent: str) -> bool:
        return self.allow

    def crawl_delay(self, user_agent: str) -> float | None:
        return None


class RobotsCache:
    """Answers "may we fetch this URL?" from each site's robots.txt, fetched at most once per site."""

    def __init__(
        self, fetcher: Fetcher, *, user_agent: str | None = None, max_bytes: int = MAX_ROBOTS_BYTES
    ) -> None:
        self.fetcher = fetcher
        self.token = user_agent_token(user_agent or fetcher.user_agent)
        self.max_bytes = max_bytes
        self._rules: dict[str, Protego | _Verdict] = {}

    def allowed(self, url: str) -> bool:
        """True if robots.txt lets our user agent fetch ``url``."""
        return bool(self._rules_for(url).can_fetch(url, self.token))

    def failure(self, url: str) -> FetchError | None:
        """The error that kept ``url``'s robots.txt from us (its site is then off limits), or None."""
        rules = self._rules_for(url)
        return rules.failure if isinstance(rules, _Verdict) else None

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay (seconds) robots.txt asks of our user agent on ``url``'s site, if any."""
        delay = self._rules_for(url).crawl_delay(self.token)
        return float(delay) if delay is not None else None

    def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` URLs of the robots.txt of ``url``'s site (none when it has no robots.txt)."""
        rules = self._rules_for(url)
        return list(rules.sitemaps) if isinstance(rules, Protego) else []

    def _rules_for(self, url: str) -> Protego | _Verdict:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port else ""
        key = f"{parts.scheme.lower()}://{host}{port}"
        rules = self._rules.get(key)
        if rules is None:
            rules = self._rules[key] = self._load(
                urlunsplit((parts.scheme.lower(), f"{host}{port}", "/robots.txt", "", ""))
            )
        return rules

    def _load(self, robots_url: str) -> Protego | _Verdict:
        try:
            page = self.fetcher.fetch(robots_url, html_only=False, max_bytes=self.max_bytes)
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                log.debug("no robots.txt (%s): allowing all", exc)
                return _Verdict(True)
            log.info("robots.txt unavailable, disallowing the site for this run: %s", exc)
            return _Verdict(False, exc)
        except FetchError as exc:
            log.info("robots.txt unreadable, disallowing the site for this run: %s", exc)
            return _Verdict(False, exc)
        text = page.content.decode("utf-8", "replace")
        log.debug("robots.txt for %s: %d bytes", redact_url(robots_url), len(page.content))
        return Protego.parse(text)
