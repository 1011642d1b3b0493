"""robots.txt handling: parsing via protego, caching per site, status-code conventions."""

from __future__ import annotations

import pytest
import requests
import responses

from scraper.config import FetchConfig
from scraper.fetch import Fetcher
from scraper.robots import RobotsCache, user_agent_token

ROBOTS = """
User-agent: *
Disallow: /

User-agent: scraper
Disallow: /private/
Allow: /private/open
Crawl-delay: 2.5
"""


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def cache(**options) -> RobotsCache:
    return RobotsCache(Fetcher(FetchConfig(**{"retries": 0, **options}), sleep=lambda s: None))


def robots_calls(mocked) -> int:
    return sum(1 for c in mocked.calls if c.request.url.endswith("/robots.txt"))


def test_rules_for_our_token(mocked):
    mocked.get("https://example.com/robots.txt", body=ROBOTS, content_type="text/plain")
    robots = cache()
    assert robots.allowed("https://example.com/news/story")
    assert not robots.allowed("https://example.com/private/x")
    assert robots.allowed("https://example.com/private/open")
    assert robots.crawl_delay("https://example.com/") == 2.5


def test_robots_fetched_with_our_user_agent_and_not_as_html(mocked):
    mocked.get("https://example.com/robots.txt", body=ROBOTS, content_type="text/plain")
    cache().allowed("https://example.com/")
    assert mocked.calls[0].request.headers["User-Agent"].startswith("scraper/")


def test_other_user_agent_falls_to_star_group(mocked):
    mocked.get("https://example.com/robots.txt", body=ROBOTS, content_type="text/plain")
    robots = cache(user_agent="OtherBot/1.0 (+https://other.example)")
    assert robots.token == "OtherBot"
    assert not robots.allowed("https://example.com/news/story")
    assert robots.crawl_delay("https://example.com/") is None


def test_cached_per_scheme_and_host(mocked):
    mocked.get("https://example.com/robots.txt", body=ROBOTS, content_type="text/plain")
    mocked.get("http://example.com/robots.txt", body="User-agent: *\nDisallow:\n", content_type="text/plain")
    mocked.get("https://other.example/robots.txt", status=404)
    robots = cache()
    for _ in range(3):
        assert not robots.allowed("https://example.com/private/a")
        assert robots.allowed("http://example.com/private/a")
        assert robots.allowed("https://other.example/anything")
    assert robots_calls(mocked) == 3


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_4xx_allows_all(mocked, status):
    mocked.get("https://example.com/robots.txt", status=status)
    assert cache().allowed("https://example.com/private/x")


@pytest.mark.parametrize("status", [429, 500, 503])
def test_5xx_and_429_disallow_all(mocked, status):
    mocked.get("https://example.com/robots.txt", status=status)
    robots = cache()
    assert not robots.allowed("https://example.com/")
    assert robots.crawl_delay("https://example.com/") is None


def test_network_error_disallows_all(mocked):
    mocked.get("https://example.com/robots.txt", body=requests.exceptions.ConnectionError("refused"))
    assert not cache().allowed("https://example.com/")


def test_oversized_robots_disallows(mocked):
    mocked.get("https://example.com/robots.txt", body="#" * 600_000, content_type="text/plain")
    assert not cache().allowed("https://example.com/")


def test_redirected_robots_followed(mocked):
    mocked.get(
        "https://example.com/robots.txt",
        status=301,
        headers={"Location": "https://www.example.com/robots.txt"},
    )
    mocked.get("https://www.example.com/robots.txt", body=ROBOTS, content_type="text/plain")
    assert not cache().allowed("https://example.com/private/x")


def test_user_agent_token():
    assert user_agent_token("scraper/0.1.0 (+https://github.com/scraper/scraper)") == "scraper"
    assert user_agent_token("Bot") == "Bot"
    assert user_agent_token("") == "*"
