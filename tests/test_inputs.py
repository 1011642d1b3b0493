"""Reading saved pages: plain or gzip, capped before and after decompression, clear errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scraper.errors import ScraperError, TooLargeError
from scraper.inputs import is_url, read_page_file
from scraper.sniff import gunzip_capped

PAGE = b"<html><body><p>" + b"A sentence of the article. " * 40 + b"</p></body></html>"


def test_plain_and_gzip_pages_read_the_same(tmp_path: Path) -> None:
    plain, packed = tmp_path / "a.html", tmp_path / "a.html.gz"
    plain.write_bytes(PAGE)
    packed.write_bytes(gzip.compress(PAGE))
    assert read_page_file(str(plain), max_bytes=10_000) == PAGE
    assert read_page_file(str(packed), max_bytes=10_000) == PAGE


def test_caps_hold_before_and_after_decompression(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(PAGE * 100)
    with pytest.raises(TooLargeError, match="larger than the 10000 byte cap"):
        read_page_file(str(big), max_bytes=10_000)
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b"x" * 50_000_000))  # 50 KB that inflates to 50 MB
    assert bomb.stat().st_size < 100_000
    with pytest.raises(TooLargeError):
        read_page_file(str(bomb), max_bytes=1_000_000)


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00garbage" * 20)
    with pytest.raises(ScraperError, match="corrupt gzip data"):
        read_page_file(str(broken), max_bytes=10_000)
    with pytest.raises(ScraperError, match="is a folder"):
        read_page_file(str(tmp_path), max_bytes=10_000)
    with pytest.raises(ScraperError, match="No such file"):
        read_page_file(str(tmp_path / "missing.html"), max_bytes=10_000)


def test_only_http_urls_are_fetched() -> None:
    assert is_url("https://example.com/a") and is_url("HTTP://example.com")
    assert not is_url("file:///etc/passwd") and not is_url("page.html")


def test_one_capped_gunzip() -> None:
    """sniff.gunzip_capped, under read_page_file and the sitemaps: our errors, a cut-short stream on request."""
    assert gunzip_capped(PAGE, max_bytes=1) == PAGE  # not gzip: untouched
    packed = gzip.compress(PAGE)
    assert gunzip_capped(packed, max_bytes=len(PAGE)) == PAGE
    with pytest.raises(TooLargeError, match=f"larger than {len(PAGE) - 1} bytes"):
        gunzip_capped(packed, max_bytes=len(PAGE) - 1)
    cut = packed[:-12]  # the last block's end and the trailer gone
    with pytest.raises(ScraperError, match=r"bad gzip data \(truncated\)"):
        gunzip_capped(cut, max_bytes=10_000)
    assert PAGE.startswith(gunzip_capped(cut, max_bytes=10_000, allow_truncated=True))
    with pytest.raises(ScraperError, match="bad gzip data") as caught:
        gunzip_capped(b"\x1f\x8b\x08\x00" + b"\x00garbage" * 20, max_bytes=10_000)
    assert caught.value.__cause__ is not None  # the zlib error, which read_page_file quotes
