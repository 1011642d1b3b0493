"""The SQLite crawl state: discovery with validators, retries with backoff, the write protocol."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scraper.crawl import settle
from scraper.state import CrawlState


@pytest.fixture
def state(tmp_path: Path):
    s = CrawlState(tmp_path / "state.sqlite")
    yield s
    s.close()


def test_wal_and_reopen(tmp_path: Path) -> None:
    s = CrawlState(tmp_path / "s.sqlite")
    s.discovered("https://x/feed", [("k1", "https://x/1")], etag='"v1"', last_modified=None)
    s.close()
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    s = CrawlState(tmp_path / "s.sqlite")
    assert s.validators("https://x/feed") == ('"v1"', None)
    assert s.status_of("k1") == "pending"
    s.close()


def test_discovered_returns_only_new(state: CrawlState) -> None:
    assert state.discovered("f", [("a", "u/a"), ("b", "u/b")], etag=None, last_modified="d") == [
        ("a", "u/a"),
        ("b", "u/b"),
    ]
    assert state.discovered("f", [("b", "u/b"), ("c", "u/c")], etag=None, last_modified="d") == [("c", "u/c")]
    assert state.known(["a", "c", "z"]) == {"a", "c"}
    assert [r.key for r in state.due()] == ["c", "b", "a"] or {r.key for r in state.due()} == {"a", "b", "c"}


def test_failed_backoff_doubles_then_gives_up(state: CrawlState) -> None:
    state.discovered("f", [("a", "u/a")], etag=None, last_modified=None, now=0)
    assert state.failed("a", "http_503", retry_limit=3, backoff=100) == "failed"
    assert [r.key for r in state.due()] == []  # not before the backoff
    (row,) = state._run("SELECT next_retry - updated, attempts FROM urls").fetchall()
    assert row == (pytest.approx(100), 1)
    assert state.failed("a", "http_503", retry_limit=3, backoff=100) == "failed"
    (row,) = state._run("SELECT next_retry - updated, attempts FROM urls").fetchall()
    assert row == (pytest.approx(200), 2)
    assert state.due(now=10**12)[0].key == "a"
    assert state.failed("a", "http_503", retry_limit=3, backoff=100) == "gave_up"
    assert state.due(now=10**12) == []


def test_duplicate_content_lookup(state: CrawlState) -> None:
    state.discovered("f", [("a", "u/a"), ("b", "u/b")], etag=None, last_modified=None)
    assert state.hash_owners("h", "b") == []
    state.writing("a", record_id="rid-a", path="/o/a.json", content_hash="h")
    assert state.hash_owners("h", "b") == [("a", "rid-a")]  # claimed while being written
    state.done("a")
    assert state.hash_owners("h", "b") == [("a", "rid-a")] and state.hash_owners("h", "a") == []
    assert state.record_path_in_use("/o/a.json", "b") and not state.record_path_in_use("/o/a.json", "a")
    state.alias("b", "rid-a")
    assert state.status_of("b") == "skipped" and state.hash_owners("h", "a") == []


def test_sitemap_children_saved_with_the_index_validators(state: CrawlState) -> None:
    state.discovered(
        "idx", [], etag='"v1"', last_modified=None, children=[("c1", "2026-11-20"), ("c2", None)]
    )
    assert state.validators("idx") == ('"v1"', None)
    assert state.sitemap_children("idx") == [("c1", "2026-11-20"), ("c2", None)]
    state.discovered("idx", [], etag='"v2"', last_modified=None, children=[("c3", None)])
    assert state.sitemap_children("idx") == [("c3", None)]


def test_settle_after_a_kill(tmp_path: Path, state: CrawlState) -> None:
    """Rows left in 'writing': done if the record made it to disk, pending again if not."""
    good = tmp_path / "2026" / "11" / "20" / "rid1.json"
    good.parent.mkdir(parents=True)
    good.write_text('{"id": "rid1"}')
    stray = good.parent / ".rid2.json.abc.tmp"
    stray.write_text('{"id": "ri')
    jsonl = tmp_path / "crawl-1.jsonl"
    jsonl.write_text('{"id": "rid3"}\n{"id": "ri')  # a partial tail line
    state.discovered("f", [(k, f"u/{k}") for k in ("k1", "k2", "k3", "k4")], etag=None, last_modified=None)
    state.writing("k1", record_id="rid1", path=str(good), content_hash="h1")
    state.writing("k2", record_id="rid2", path=str(good.parent / "rid2.json"), content_hash="h2")
    state.writing("k3", record_id="rid3", path=str(jsonl), content_hash="h3")
    state.writing("k4", record_id="rid4", path=str(jsonl), content_hash="h4")
    assert settle(state) == (2, 2)
    assert [state.status_of(k) for k in ("k1", "k2", "k3", "k4")] == ["done", "pending", "done", "pending"]
    assert not stray.exists()
    assert jsonl.read_text() == '{"id": "rid3"}\n'
