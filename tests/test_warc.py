"""WARC input: HTML responses only, damage counted and survived, chunks that add up to the whole file."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.cli import main
from scraper.config import Config
from scraper.warc import WarcStats, extract_chunk, index_warc, iter_html_pages, plan_chunks

WORDS = [
    "harbour",
    "council",
    "budget",
    "river",
    "water",
    "minister",
    "election",
    "school",
    "bridge",
    "rain",
    "farmers",
    "market",
    "hospital",
    "court",
    "police",
    "train",
    "festival",
    "museum",
    "coast",
    "storm",
    "wind",
    "energy",
    "price",
    "union",
    "workers",
    "report",
    "study",
]


def article_html(n: int) -> bytes:
    """A small news page whose body is distinct for each ``n``."""
    rng = random.Random(n)
    paras = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)) + f" story {n} paragraph {i}.</p>"
        for i in range(4)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>Story {n}</title>"
        f"<meta property='article:published_time' content='2024-0{1 + n % 3}-1{n % 10}T08:00:00Z'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Story {n}</h1>{paras}</article>"
        f"<footer>Copyright</footer></body></html>"
    ).encode()


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str | None, status: str = "200 OK"
) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
    writer.write_record(record)


def build_warc(path: Path, pages: int = 3, *, gzip: bool = True, extras: bool = True) -> list[int]:
    """Write a WARC with ``pages`` HTML articles (and, with ``extras``, records that must be skipped).

    Returns the byte offset of each record, plus the file size at the end.
    """
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    offsets = []
    if extras:
        offsets.append(buf.tell())
        writer.write_record(writer.create_warcinfo_record("test.warc.gz", {"software": "tests"}))
    for n in range(pages):
        offsets.append(buf.tell())
        _response(writer, f"https://news.example/story/{n}", article_html(n), "text/html; charset=utf-8")
        if extras and n == 0:
            offsets.append(buf.tell())
            _response(writer, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/png")
            offsets.append(buf.tell())
            _response(writer, "https://news.example/gone", article_html(99), "text/html", "404 Not Found")
            offsets.append(buf.tell())
            http = StatusAndHeaders("GET /story/0 HTTP/1.1", [("Host", "news.example")], is_http_request=True)
            writer.write_record(
                writer.create_warc_record("https://news.example/story/0", "request", http_headers=http)
            )
    offsets.append(buf.tell())
    path.write_bytes(buf.getvalue())
    return offsets


def test_html_responses_only(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    build_warc(path, pages=3)
    stats = WarcStats()
    pages = list(iter_html_pages(str(path), stats=stats))
    assert [p.url for p in pages] == [f"https://news.example/story/{n}" for n in range(3)]
    assert pages[1].content == article_html(1)
    assert pages[0].http_charset == "utf-8"
    assert all(p.record_id and p.record_id.startswith("<urn:uuid:") for p in pages)
    assert all(p.warc_date and p.warc_date.endswith("Z") for p in pages)
    assert (stats.records, stats.html, stats.not_response, stats.not_html, stats.bad_status) == (
        7,
        3,
        2,
        1,
        1,
    )
    assert stats.skipped() == {"not_response": 2, "not_html": 1, "bad_status": 1}


def test_uncompressed_warc_and_sniffed_type(tmp_path: Path) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    _response(writer, "https://news.example/untyped", article_html(5), None)
    _response(writer, "https://news.example/data", b'{"a": 1}', None)
    path = tmp_path / "plain.warc"
    path.write_bytes(buf.getvalue())
    stats = WarcStats()
    pages = list(iter_html_pages(str(path), stats=stats))
    assert [p.url for p in pages] == ["https://news.example/untyped"]
    assert stats.not_html == 1


def test_truncated_file_keeps_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "t.warc.gz"
    offsets = build_warc(path, pages=4, extras=False)
    data = path.read_bytes()
    for cut in (offsets[3] + 40, offsets[4] - 30):  # inside the last record's gzip member, early and late
        path.write_bytes(data[:cut])
        stats = WarcStats()
        urls = [p.url for p in iter_html_pages(str(path), stats=stats)]
        assert urls == [f"https://news.example/story/{n}" for n in range(3)]
        assert stats.truncated == 1 and stats.corrupt == 0


def test_corrupt_gzip_member_keeps_records_before_it(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    offsets = build_warc(path, pages=4, extras=False)
    data = bytearray(path.read_bytes())
    for i in range(offsets[1] + 20, offsets[1] + 60):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    stats = WarcStats()
    urls = [p.url for p in iter_html_pages(str(path), stats=stats)]
    assert urls == ["https://news.example/story/0"]
    assert stats.corrupt == 1


def test_not_a_warc_is_counted_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(b"this is not a WARC file at all\n" * 10)
    stats = WarcStats()
    assert list(iter_html_pages(str(path), stats=stats)) == []
    assert stats.corrupt == 1


def test_chunks_add_up_to_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    offsets = build_warc(path, pages=5)
    assert index_warc(str(path)) == offsets[:-1]
    chunks = plan_chunks(str(path), offsets[:-1], chunk_records=3)
    assert [c.records for c in chunks] == [3, 3, 3]
    assert chunks[-1].end is None
    whole_stats = WarcStats()
    whole = [p.record_id for p in iter_html_pages(str(path), stats=whole_stats)]
    parts_stats = WarcStats()
    parts = [
        p.record_id
        for c in chunks
        for p in iter_html_pages(str(path), stats=parts_stats, start=c.start, end=c.end)
    ]
    assert parts == whole and len(whole) == 5
    assert parts_stats == whole_stats


def test_extract_chunk_lines_carry_provenance(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    build_warc(path, pages=2)
    lines, stats = extract_chunk(
        plan_chunks(str(path), index_warc(str(path)), chunk_records=100)[0], config=Config()
    )
    assert stats.articles == 2 and len(lines) == 2
    for line in lines:
        assert line["warc_record_id"].startswith("<urn:uuid:")
        assert line["fetched_at"] == line["warc_date"]
        assert line["title"].startswith("Story")
        assert line["url"].startswith("https://news.example/story/")


def test_cli_extract_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.warc.gz", tmp_path / "bad.warc.gz"
    build_warc(good, pages=3)
    offsets = build_warc(bad, pages=2, extras=False)
    bad.write_bytes(bad.read_bytes()[: offsets[1] + 40])
    out = tmp_path / "out.jsonl"
    rc = main(["extract-warc", str(good), str(bad), "-o", str(out), "--workers", "1"])
    assert rc == 1  # damage is reported in the exit code, after writing what could be read
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 4
    assert not (tmp_path / ".out.jsonl.parts").exists()
    err = capsys.readouterr().err
    assert "4 articles" in err and "truncated 1" in err and "not_html 1" in err
