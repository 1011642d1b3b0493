"""End-to-end crawl tests against a small news site on 127.0.0.1 (see ``tests/test_crawl_site.py``)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import jsonschema
import pytest

from scraper.cli import main as cli_main
from scraper.config import Config, config_from_dict
from scraper.crawl import CrawlLockedError, RunSummary, crawl, crawl_lock
from scraper.errors import ConfigError
from scraper.record import normalize_url, record_schema
from scraper.state import CrawlState
from tests.servers import LocalServer
from tests.test_crawl_site import NewsSite, article_html

REPO = Path(__file__).resolve().parents[1]
# a source that is never fetched in the tests that use it (they stop before any request)
ONE_SOURCE = '[[sources]]\ntype = "urls"\nurls = ["http://127.0.0.1:9/never"]\n'
VALIDATOR = jsonschema.Draft202012Validator(record_schema())


def make_config(text: str) -> Config:
    return config_from_dict(tomllib.loads(text), path="test.toml", text=text)


def records_on_disk(out: Path) -> dict[str, dict]:
    """Every record file under ``out`` (hidden files excluded), validated, by id; fails on a duplicate id."""
    found: dict[str, dict] = {}
    for path in sorted(out.rglob("*.json")):
        if path.name.startswith("."):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        VALIDATOR.validate(data)
        assert path.stem == data["id"]
        assert data["id"] not in found, f"duplicate record {data['id']}"
        found[data["id"]] = data
    return found


@pytest.fixture
def site():
    with LocalServer() as server:
        yield NewsSite(server, crawl_delay=0.1)


def test_crawl_end_to_end_then_nothing_new(site: NewsSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = make_config(site.config_toml(str(out)))
    summary = crawl(config)

    records = records_on_disk(out)
    # 6 feed articles + flaky (503 twice, recovers) + limited (429) + slow + 6 from the two sitemaps
    assert summary.written == len(records) == 15
    urls = {r["url"] for r in records.values()}
    assert site.server.url("/news/flaky") in urls and site.server.url("/news/limited") in urls
    assert site.server.url("/news/slow") in urls
    # dated folders by published date
    assert all(p.parent.relative_to(out).as_posix() == "2026/11/20" for p in out.rglob("[!.]*.json"))
    # robots.txt: the disallowed path never requested, the crawl-delay kept between article requests
    assert site.server.hits("/private/secret") == 0
    assert summary.skipped == {"robots": 1}
    gaps = [b - a for a, b in zip(site.article_times, site.article_times[1:], strict=False)]
    assert min(gaps) >= 0.08, gaps
    # the 429's Retry-After (1 s) was waited for
    assert site.server.hits("/news/limited") == 2
    assert site.server.hits("/news/flaky") == 3
    assert summary.failed == {"http_404": 1}
    # /news/1?utm_source=rss#top is /news/1 once normalised: fetched once
    assert site.server.hits("/news/1") == 1
    assert summary.found == 17 and summary.new == 17 and summary.sitemaps == 3
    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text().splitlines()]
    assert runs[-1]["written"] == 15 and runs[-1]["failed"] == {"http_404": 1}

    # second run: only the feed and sitemaps are fetched, with 304s; nothing is written
    before = len(site.server.requests)
    second = crawl(config)
    requests = site.server.requests[before:]
    assert sorted(r.path for r in requests) == sorted(
        ["/robots.txt", "/feed.xml", "/sitemap_index.xml", "/sitemap-1.xml", "/sitemap-news.xml.gz"]
    )
    # every feed and sitemap, the index included, asked conditionally and answered 304
    assert all(r.headers.get("If-None-Match") for r in requests if r.path != "/robots.txt")
    assert second.sources_not_modified == 4 and second.sitemaps == 3
    assert second.written == second.fetched == second.new == 0
    assert records_on_disk(out).keys() == records.keys()
    assert len((out / "runs.jsonl").read_text().splitlines()) == 2


def test_failed_urls_retried_on_later_runs_up_to_the_limit(tmp_path: Path) -> None:
    with LocalServer() as server:
        calls = {"recovers": 0}

        def recovers(request):
            calls["recovers"] += 1
            if calls["recovers"] == 1:
                return 503, {}, b"down"
            return 200, {"Content-Type": "text/html"}, article_html(7)

        server.route("/a/recovers", recovers)
        server.route("/a/down", lambda r: (503, {}, b"down"))
        text = f"""
[fetch]
allow_private = true
retries = 0
[crawl]
out = "{tmp_path / "out"}"
delay = 0.0
retry_limit = 3
retry_backoff = 0.0
max_failure_share = 1.0
[[sources]]
type = "urls"
urls = ["{server.url("/a/recovers")}", "{server.url("/a/down")}"]
"""
        config = make_config(text)
        first = crawl(config)
        assert first.written == 0 and first.failed == {"http_503": 2}
        second = crawl(config)
        assert second.retried == 2 and second.written == 1 and second.failed == {"http_503": 1}
        third = crawl(config)
        assert third.retried == 1 and third.failed == {"http_503": 1}  # third attempt: gives up
        fourth = crawl(config)
        assert fourth.retried == 0 and server.hits("/a/down") == 3
        state = CrawlState(tmp_path / "out" / ".scraper-state.sqlite")
        try:
            assert state.status_of(normalize_url(server.url("/a/down"))) == "gave_up"
            assert state.status_of(normalize_url(server.url("/a/recovers"))) == "done"
        finally:
            state.close()


def test_page_source_filters_budget_and_jsonl(tmp_path: Path) -> None:
    with LocalServer() as server:
        links = "".join(f"<a href='/story/{n}'>s{n}</a>" for n in range(1, 7))
        links += (
            "<a href='/about'>about</a><a href='/story/ads'>ad</a><a href='http://elsewhere.test/x'>x</a>"
        )
        server.route(
            "/", lambda r: (200, {"Content-Type": "text/html"}, f"<html><body>{links}</body></html>".encode())
        )
        for n in range(1, 7):
            server.route(f"/story/{n}", lambda r, n=n: (200, {"Content-Type": "text/html"}, article_html(n)))
        old = article_html(50, published="2001-01-01T00:00:00Z")
        server.route("/old", lambda r: (200, {"Content-Type": "text/html"}, old))
        out = tmp_path / "out"
        text = f"""
[fetch]
allow_private = true
[crawl]
out = "{out}"
output = "jsonl"
delay = 0.0
page_budget = 4
[[sources]]
type = "page"
url = "{server.url("/")}"
include = ["/story/"]
exclude = ["/ads"]
[[sources]]
type = "urls"
urls = ["{server.url("/old")}"]
max_age_days = 30
"""
        config = make_config(text)
        first = crawl(config)
        assert first.found == 7 and first.new == 7
        assert first.written + sum(first.skipped.values()) == 4 and first.pending == 3
        second = crawl(config)
        assert (
            first.written + second.written == 6
            and second.skipped.get("too_old", 0) + first.skipped.get("too_old", 0) == 1
        )
        assert server.hits("/story/ads") == server.hits("/about") == 0
        files = sorted(out.glob("crawl-*.jsonl"))
        assert len(files) == 2  # one JSON Lines file per run
        ids = [json.loads(line)["id"] for f in files for line in f.read_text().splitlines()]
        assert len(ids) == len(set(ids)) == 6


def test_max_articles_per_source_keeps_the_rest_for_later_runs(site: NewsSite, tmp_path: Path) -> None:
    text = site.config_toml(str(tmp_path / "out"))
    text = text[: text.rindex("[[sources]]")]  # the feed alone
    text += 'max_articles = 2\ninclude = ["/news/[0-9]+$"]\n'
    first = crawl(make_config(text))
    assert first.found == 6 and first.new == 6 and first.written == 2 and first.pending == 4
    second = crawl(make_config(text))  # the feed answers 304: the URLs kept in the state are the work
    assert second.sources_not_modified == 1
    assert second.written == 2 and second.pending == 2
    third = crawl(make_config(text))
    assert third.written == 2 and third.pending == 0
    assert len(records_on_disk(tmp_path / "out")) == 6


def test_lock_in_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with crawl_lock(out / ".scraper.lock"), pytest.raises(CrawlLockedError, match="another crawl is running"):
        crawl(Config(), out=out)


def _cli(args: list[str], **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_cli_second_run_exits_75_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = tmp_path / "c.toml"
    config.write_text(f'[crawl]\nout = "{out}"\n{ONE_SOURCE}')
    with crawl_lock(out / ".scraper.lock"):
        start = time.monotonic()
        proc = _cli(["crawl", "--config", str(config)])
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 75
        assert "another crawl is running" in err and str(os.getpid()) in err
        assert time.monotonic() - start < 15


def test_cli_bad_config_names_key_and_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[crawl]\ndelay = 1.0\nworkers = "many"\n')
    proc = _cli(["crawl", "--config", str(config)])
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert f"{config}:3" in err and "crawl.workers" in err


def test_cli_exit_1_when_too_many_failures(site: NewsSite, tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text(site.config_toml(str(tmp_path / "out"), extra="max_failure_share = 0.0"))
    site.crawl_delay, site.retry_after = 0.0, 0
    code = cli_main(["crawl", "--config", str(config)])
    assert code == 1
    err = capsys.readouterr().err
    assert "scraper crawl:" in err and "written 15" in err and "http_404 1" in err


def test_cli_sigterm_finishes_in_flight_and_resumes(tmp_path: Path) -> None:
    with LocalServer() as server:
        site = NewsSite(server, articles=12, crawl_delay=0.1, retry_after=0)
        out = tmp_path / "out"
        config = tmp_path / "c.toml"
        config.write_text(site.config_toml(str(out)))
        proc = _cli(["crawl", "--config", str(config)])
        deadline = time.monotonic() + 30
        while not any(p for p in out.rglob("*.json") if not p.name.startswith(".")):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 128 + signal.SIGTERM, err
        assert "interrupted" in err
        partial = records_on_disk(out)
        runs = [json.loads(line) for line in (out / "runs.jsonl").read_text().splitlines()]
        assert runs[-1]["interrupted"] is True and runs[-1]["pending"] > 0
        assert runs[-1]["written"] == len(partial) < 15
        # the next run completes the rest: no duplicates, no losses
        proc = _cli(["crawl", "--config", str(config), "-q"])
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert len(records_on_disk(out)) == 15


def test_output_error_stops_the_run_cleanly_and_the_next_run_recovers(
    site: NewsSite, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "2026").write_text("in the way")  # the dated folders cannot be made: like a full disk
    config = tmp_path / "c.toml"
    config.write_text(site.config_toml(str(out)))
    site.crawl_delay = 0.0
    assert cli_main(["crawl", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err
    (out / "2026").unlink()
    assert cli_main(["crawl", "--config", str(config), "-q"]) == 0
    assert len(records_on_disk(out)) == 15


def test_cli_output_folder_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("")
    config = tmp_path / "c.toml"
    config.write_text(f'[crawl]\nout = "{tmp_path / "out"}"\n{ONE_SOURCE}')
    proc = _cli(["crawl", "--config", str(config)])
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "scraper: error:" in err and "Traceback" not in err


def test_state_elsewhere_is_locked_too(tmp_path: Path) -> None:
    state = tmp_path / "var" / "state.sqlite"
    with crawl_lock(state.with_name("state.sqlite.lock")), pytest.raises(CrawlLockedError):
        crawl(Config(), out=tmp_path / "out", state_path=state)
    summary = crawl(Config(), out=tmp_path / "out", state_path=state)
    assert state.exists() and not (tmp_path / "out" / ".scraper-state.sqlite").exists()
    assert summary.written == 0 and (tmp_path / "out" / "runs.jsonl").exists()


def test_long_retry_after_skips_for_this_run_only(tmp_path: Path) -> None:
    with LocalServer() as server:
        answers = iter([(429, {"Retry-After": "86400"}, b"come back tomorrow")])
        server.route("/a", lambda r: next(answers, (200, {"Content-Type": "text/html"}, article_html(3))))
        text = f"""
[fetch]
allow_private = true
[crawl]
out = "{tmp_path / "out"}"
delay = 0.0
retry_backoff = 0.0
max_failure_share = 1.0
[[sources]]
type = "urls"
urls = ["{server.url("/a")}"]
"""
        start = time.monotonic()
        first = crawl(make_config(text))
        assert first.failed == {"http_429": 1} and time.monotonic() - start < 10  # no day-long wait
        second = crawl(make_config(text))
        assert second.retried == 1 and second.written == 1


def _same_body_config(out: Path, urls: list[str], dedup: str | None = None) -> Config:
    setting = f'dedup = "{dedup}"' if dedup else ""
    listed = ", ".join(f'"{u}"' for u in urls)
    return make_config(f"""
[fetch]
allow_private = true
[crawl]
out = "{out}"
delay = 0.0
{setting}
[[sources]]
type = "urls"
urls = [{listed}]
""")


def test_same_body_under_two_urls_of_one_host_is_one_record_and_aliases(tmp_path: Path) -> None:
    with LocalServer() as server:
        for path in ("/x", "/y", "/z"):
            server.route(path, lambda r: (200, {"Content-Type": "text/html"}, article_html(5)))
        urls = [server.url(p) for p in ("/x", "/y", "/z")]
        summary = crawl(_same_body_config(tmp_path / "out", urls))
        assert summary.written == 1 and summary.skipped == {"alias": 2}
        (record,) = records_on_disk(tmp_path / "out").values()
        db = sqlite3.connect(tmp_path / "out" / ".scraper-state.sqlite")
        rows = dict(db.execute("SELECT url, reason || ' ' || record_id FROM urls WHERE reason = 'alias'"))
        db.close()
        aliases = {u for u in urls if u != record["url"]}
        assert rows == {u: f"alias {record['id']}" for u in aliases}


def test_syndicated_copy_on_another_host_is_its_own_record(tmp_path: Path) -> None:
    page = article_html(5)
    with LocalServer() as one, LocalServer() as two:
        for server in (one, two):
            server.route("/wire/story", lambda r: (200, {"Content-Type": "text/html"}, page))
        urls = [one.url("/wire/story"), two.url("/wire/story")]
        default = crawl(_same_body_config(tmp_path / "host", urls))
        assert default.written == 2 and default.skipped == {}
        assert {r["url"] for r in records_on_disk(tmp_path / "host").values()} == set(urls)
        glob = crawl(_same_body_config(tmp_path / "global", urls, "global"))
        assert glob.written == 1 and glob.skipped == {"alias": 1}
        urls.append(one.url("/wire/story-copy"))
        one.route("/wire/story-copy", lambda r: (200, {"Content-Type": "text/html"}, page))
        none = crawl(_same_body_config(tmp_path / "none", urls, "none"))
        assert none.written == 3 and len(records_on_disk(tmp_path / "none")) == 3


def test_dedup_setting_is_checked() -> None:
    with pytest.raises(ConfigError, match="crawl.dedup must be one of host, global, none"):
        make_config('[crawl]\ndedup = "site"\n')


def test_start_page_follows_article_links_of_its_own_host_only(tmp_path: Path) -> None:
    with LocalServer() as server, LocalServer() as other:
        html = {"Content-Type": "text/html"}
        other.route("/story/9", lambda r: (200, html, article_html(9)))
        links = [
            "/",
            "/news/latest",
            "/news/latest#top",
            "/about",
            "/about-us/",
            "/tag/floods",
            "/section/world",
            "/category/x",
            "/author/jo",
            "/img/a.jpg",
            "/media/clip.mp4",
            "/story/1",
            "/story/2",
            "/story/empty",
            other.url("/story/9"),
        ]
        anchors = "".join(f"<a href='{link}'>{link}</a>" for link in links)
        server.route("/news/latest", lambda r: (200, html, f"<html><body>{anchors}</body></html>".encode()))
        server.route("/", lambda r: (200, html, b"<html><body><p>home</p></body></html>"))
        for n in (1, 2):
            server.route(f"/story/{n}", lambda r, n=n: (200, html, article_html(n)))
        server.route("/story/empty", lambda r: (200, html, b"<html><body><p>Nothing here.</p></body></html>"))
        text = f"""
[fetch]
allow_private = true
[crawl]
out = "{tmp_path / "out"}"
delay = 0.0
[[sources]]
type = "page"
url = "{server.url("/news/latest")}"
"""
        summary = crawl(make_config(text))
        fetched = sorted(r.path for r in server.requests if r.path not in ("/robots.txt",))
        assert fetched == ["/news/latest", "/story/1", "/story/2", "/story/empty"]
        assert other.requests == []
        assert summary.written == 2 and summary.skipped == {"no_article": 1} and summary.failed == {}


def test_cli_crawl_without_sources_exits_2_naming_the_config(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCRAPER_CONFIG", raising=False)
    config = tmp_path / "empty.toml"
    config.write_text("[crawl]\ndelay = 1.0\n")
    assert cli_main(["crawl", "--config", str(config)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and str(config) in lines[0] and "[[sources]]" in lines[0]
    assert cli_main(["crawl"]) == 2  # no config file at all
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "no config file" in lines[0] and "[[sources]]" in lines[0]
    assert list(tmp_path.iterdir()) == [config]  # no ./out/


def test_failures_are_reported_by_kind(tmp_path: Path, monkeypatch) -> None:
    import scraper.netsafety

    real = scraper.netsafety._default_resolver

    def resolver(host: str, port: int):
        if host == "offline.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port)

    monkeypatch.setattr(scraper.netsafety, "_default_resolver", resolver)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with LocalServer() as server:
        html = {"Content-Type": "text/html"}
        server.route(
            "/robots.txt", lambda r: (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /no/\n")
        )
        server.route("/busy", lambda r: (503, {}, b"busy"))
        server.route("/slow", lambda r: (200, html, [b"<html>", 3.0, b"</html>"]))
        server.route("/no/entry", lambda r: (200, html, article_html(1)))
        urls = [
            f"http://127.0.0.1:{closed}/a",
            server.url("/busy"),
            server.url("/slow"),
            server.url("/no/entry"),
            f"https://127.0.0.1:{server.port}/tls",
        ]
        listed = ", ".join(f'"{u}"' for u in urls)
        text = f"""
[fetch]
allow_private = true
retries = 0
total_timeout = 1.0
[crawl]
out = "{tmp_path / "out"}"
delay = 0.0
max_failure_share = 1.0
[[sources]]
type = "feed"
url = "http://offline.test/feed.xml"
[[sources]]
type = "urls"
urls = [{listed}]
"""
        summary = crawl(make_config(text))
    assert summary.failed == {"source_dns": 1, "connect": 1, "http_503": 1, "timeout": 1, "tls": 1}
    assert summary.skipped == {"robots": 1}


def test_failure_share_counts_a_failed_source_once() -> None:
    every_source_down = RunSummary(started="", out="", failed={"source_fetch": 4}, _sources_tried=4)
    assert every_source_down.failure_share == 1.0
    mixed = RunSummary(
        started="", out="", written=6, failed={"http_404": 1, "source_fetch": 1}, _sources_tried=2
    )
    assert mixed.failure_share == 2 / 9  # 6 written + 1 failed page + 2 sources
