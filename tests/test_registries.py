"""The registries of output formats and source types: each list of choices elsewhere is read from them, or
checked against them here."""

from __future__ import annotations

import pytest

from scraper.config import _CHOICES
from scraper.formats import DATASET_FORMATS, FORMATS, OUTPUT_FORMATS, output_format
from scraper.sources import SOURCE_TYPES, read_source


def test_output_formats_of_each_verb_come_from_the_registry() -> None:
    from scraper import dataset
    from scraper.commands import export, extract

    assert extract.FORMATS == tuple(FORMATS) == _CHOICES["output.format"]
    assert export.FORMATS == dataset.FORMATS == DATASET_FORMATS == ("jsonl", "parquet")
    assert set(dataset.DATASET_WRITERS) == set(DATASET_FORMATS)
    for entry in OUTPUT_FORMATS.values():
        assert entry.document is not None or entry.dataset, entry.name  # every format is written by a verb
        assert (entry.document is None) == (entry.item is None), entry.name
        assert entry.header is None or entry.row is not None, entry.name
    with pytest.raises(ValueError, match="unknown format"):
        output_format("xml")


def test_source_types_are_the_configs() -> None:
    assert tuple(SOURCE_TYPES) == _CHOICES["sources.type"]
    assert [t.name for t in SOURCE_TYPES.values() if t.read is None] == ["site"]


def test_read_source_reads_each_type() -> None:
    feed = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><link>https://e.com/a</link></item></channel></rss>"
    )
    sitemap = (
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<url><loc>https://e.com/b</loc></url></urlset>"
    )
    page = b"<html><body><a href='/news/c'>c</a><a href='mailto:x@e.com'>m</a></body></html>"
    urls = b"# a list\nhttps://e.com/d\n\nhttps://e.com/e\n"
    assert [link.url for link in read_source("feed", feed, "https://e.com/rss").links] == ["https://e.com/a"]
    assert [link.url for link in read_source("sitemap", sitemap, "https://e.com/s.xml").links] == [
        "https://e.com/b"
    ]
    assert [link.url for link in read_source("page", page, "https://e.com/").links] == [
        "https://e.com/news/c"
    ]
    assert [link.url for link in read_source("urls", urls, "https://e.com/l.txt").links] == [
        "https://e.com/d",
        "https://e.com/e",
    ]
    with pytest.raises(ValueError):
        read_source("site", b"", "https://e.com/")


def test_one_test_of_an_http_url() -> None:
    from scraper.inputs import is_url
    from scraper.urls import is_http_url

    assert is_url is is_http_url
    assert (
        is_http_url("HTTPS://e.com") and not is_http_url("file:///etc/passwd") and not is_http_url("a.html")
    )
