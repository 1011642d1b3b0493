"""Discovery of feeds and sitemaps on a local site: ``scraper discover`` and ``type = "site"`` sources."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from pathlib import Path

import pytest

from scraper.cli import main
from scraper.config import config_from_dict, load_config
from scraper.crawl import crawl
from scraper.discover import Discovery, declared_feeds
from tests.servers import LocalServer, static
from tests.test_crawl_site import article_html

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml"}
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def rss(server: LocalServer, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{server.url(p)}</link></item>" for p in paths)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Example</title>{items}</channel></rss>".encode()


def urlset(server: LocalServer, paths: list[str], *, news: bool = False) -> bytes:
    ns = f" xmlns:news='{NEWS_NS}'" if news else ""
    extra = (
        "<news:news><news:publication_date>2026-11-20T08:00:00Z</news:publication_date></news:news>"
        if news
        else ""
    )
    urls = "".join(f"<url><loc>{server.url(p)}</loc>{extra}</url>" for p in paths)
    return f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'{ns}>{urls}</urlset>".encode()


def declared_site(server: LocalServer) -> None:
    """A site that declares its feed on the home page and its sitemap index in robots.txt."""
    home = (
        b"<html><head><title>Example News</title>"
        b"<link rel='alternate' type='application/rss+xml' title='Example News: latest' href='/feed.xml'>"
        b"<link rel='alternate' type='application/rss+xml' title='Gone' href='/old-feed.xml'>"
        b"<link rel='stylesheet' href='/style.css'></head><body><a href='/news/1'>One</a></body></html>"
    )
    index = (
        "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>{server.url('/sitemap-news.xml')}</loc></sitemap>"
        f"<sitemap><loc>{server.url('/sitemap-pages.xml')}</loc></sitemap></sitemapindex>"
    ).encode()
    server.route("/", static(home, headers=HTML))
    server.route(
        "/robots.txt",
        static(
            f"User-agent: *\nAllow: /\nSitemap: {server.url('/sitemap_index.xml')}\n".encode(),
            headers={"Content-Type": "text/plain"},
        ),
    )
    server.route(
        "/feed.xml",
        static(rss(server, ["/news/1", "/news/2"]), headers={"Content-Type": "application/rss+xml"}),
    )
    server.route("/sitemap_index.xml", static(index, headers=XML))
    server.route("/sitemap-news.xml", static(urlset(server, ["/news/2", "/news/3"], news=True), headers=XML))
    server.route("/sitemap-pages.xml", static(urlset(server, ["/about"]), headers=XML))
    for n in (1, 2, 3):
        server.route(f"/news/{n}", static(article_html(n), headers=HTML))


def config_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"[fetch]\nallow_private = true\nretries = 0\n\n[crawl]\ndelay = 0.0\nout = '{tmp_path / 'out'}'\n"
        + extra
    )
    return path


def test_declared_feeds_of_a_page() -> None:
    page = (
        b"<html><head><base href='https://cdn.example.com/x/'>"
        b"<link rel='alternate' type='application/atom+xml' href='atom.xml' title=' Atom\n feed '>"
        b"<link rel='alternate' type='text/html' hreflang='fr' href='/fr/'>"
        b"<link rel='Alternate feed' type='application/rss+xml; charset=utf-8' href='javascript:alert(1)'>"
        b"</head></html>"
    )
    assert declared_feeds(page, "https://example.com/") == [
        ("https://cdn.example.com/x/atom.xml", "Atom feed")
    ]


def test_discover_prints_checked_sources_as_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with LocalServer() as server:
        declared_site(server)
        code = main(["discover", "-c", str(config_file(tmp_path)), server.url("/")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = captured.out
    config = config_from_dict(tomllib.loads(out))  # ready to paste: a valid config on its own
    assert [(s.type, s.url, s.name) for s in config.sources] == [
        ("feed", server.url("/feed.xml"), "Example News: latest"),
        ("sitemap", server.url("/sitemap-news.xml"), "127.0.0.1 news sitemap"),
    ]
    # the index is found and shown, commented out: the news sitemap covers the news
    assert f'# url = "{server.url("/sitemap_index.xml")}"' in out
    assert "# feed, 2 entries, declared by the site's page" in out
    assert "# news sitemap, 2 URLs, in the sitemap index" in out
    assert "old-feed" not in out  # declared but answering 404: not offered
    assert "/sitemap-pages.xml" not in out  # not a news sitemap: the index already covers it


def test_discover_guesses_common_paths_and_rejects_soft_404s(tmp_path: Path, capsys) -> None:
    with LocalServer() as server:
        server.route("/", static(b"<html><body><p>No feed declared here.</p></body></html>", headers=HTML))
        server.route("/feed", static(b"<html><body>Page not found</body></html>", headers=HTML))  # a soft 404
        server.route("/rss.xml", static(rss(server, ["/news/1"]), headers=XML))
        server.route("/sitemap.xml", static(urlset(server, ["/news/1", "/about"]), headers=XML))
        assert main(["discover", "-c", str(config_file(tmp_path)), server.url("/section/world")]) == 0
        asked = [r.path for r in server.requests]
    out = capsys.readouterr().out
    sources = config_from_dict(tomllib.loads(out)).sources
    assert [(s.type, s.url) for s in sources] == [("feed", server.url("/rss.xml"))]
    assert f'# url = "{server.url("/sitemap.xml")}"' in out  # found, but a feed is better
    assert asked[:2] == ["/robots.txt", "/section/world"]  # the page given, then the common paths
    assert "/feed" in asked and "/atom.xml" not in asked  # guessing stops at the first feed that works


def test_discover_nothing_found_is_exit_1(tmp_path: Path, capsys) -> None:
    with LocalServer() as server:
        server.route("/", static(b"<html><body>hello</body></html>", headers=HTML))
        assert main(["discover", "-c", str(config_file(tmp_path)), server.url("/"), "not-a-url"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        r"scraper: http://127\.0\.0\.1:\d+/: no feed or sitemap found \(\d+ requests\)", err[0]
    )
    assert err[1] == "scraper: not-a-url: not an http(s) URL"
    with LocalServer() as server:  # without --allow-private, loopback is refused: the line says why
        server.route("/", static(b"<html><body>hello</body></html>", headers=HTML))
        strict = tmp_path / "strict.toml"
        strict.write_text("[crawl]\ndelay = 0.0\n")
        assert main(["discover", "-c", str(strict), server.url("/")]) == 1
        assert server.requests == []
    err = capsys.readouterr().err
    assert "no feed or sitemap found" in err and "; the page: " in err and "refused" in err.lower()


def test_discover_obeys_robots_txt(tmp_path: Path, capsys) -> None:
    with LocalServer() as server:
        declared_site(server)
        server.route(
            "/robots.txt",
            static(b"User-agent: *\nDisallow: /feed.xml\n", headers={"Content-Type": "text/plain"}),
        )
        main(["discover", "-c", str(config_file(tmp_path)), server.url("/")])
        assert server.hits("/feed.xml") == 0
    assert "/feed.xml" not in capsys.readouterr().out


def test_site_source_crawls_what_it_discovers_and_caches_it(tmp_path: Path) -> None:
    with LocalServer() as server:
        declared_site(server)
        config = load_config(
            config_file(tmp_path, f"\n[[sources]]\ntype = 'site'\nurl = '{server.url('/')}'\n")
        )
        first = crawl(config)
        assert (
            first.written == 3 and first.failed_total == 0
        )  # /news/1 and 2 from the feed, 3 from the news sitemap
        # discovery checks each source once, then the crawl reads it
        assert (
            server.hits("/") == 1 and server.hits("/feed.xml") == 2 and server.hits("/sitemap-news.xml") == 2
        )
        second = crawl(config)
        # the state remembers what was discovered: no discovery requests, only the sources themselves
        assert server.hits("/") == 1 and server.hits("/sitemap_index.xml") == 1
        assert server.hits("/feed.xml") == 3 and server.hits("/sitemap-news.xml") == 3
        assert second.written == 0 and second.new == 0
        state = tmp_path / "out" / ".scraper-state.sqlite"
        with sqlite3.connect(state) as db:
            (found,) = db.execute(
                "SELECT found FROM discovered WHERE site = ?", (server.url("/"),)
            ).fetchone()
        assert {f.url for f in Discovery.from_json(found).found} >= {
            server.url("/feed.xml"),
            server.url("/sitemap-news.xml"),
        }
        # a week later the site refuses everything: discovery finds nothing, and the earlier finding is used
        with sqlite3.connect(state) as db:
            db.execute("UPDATE discovered SET checked = 0")
        server.route(
            "/robots.txt", static(b"User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"})
        )
        third = crawl(config)
    assert server.hits("/") == 1  # robots.txt refused the home page this time
    assert "source_not_found" not in third.failed
    assert third.failed == {"source_robots": 2}  # the two remembered sources were tried (and refused)
