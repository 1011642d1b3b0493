"""Output safety: file names only from ids, nothing hostile reaches records or the terminal, and faults
(full disk, read-only folder) give one clear line, a non-zero exit and intact earlier records."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scraper import extract
from scraper.cli import main
from scraper.errors import OutputError
from scraper.record import Article, record_schema
from scraper.write import append_jsonl, atomic_write_bytes, record_json, write_record

SENTENCE = (
    "The harbour authority said on Monday that the new ferry terminal would open in the spring of next year."
)
ID_FILE = re.compile(r"[0-9a-f]{32}\.json")


def article_page(n: int = 0, *, paragraphs: int = 4, title: str = "Ferry terminal", head: str = "") -> str:
    """A small news page; ``n`` makes its body (and so its content id) unique."""
    body = "".join(f"<p>{SENTENCE} Item {n}, paragraph {i}.</p>" for i in range(paragraphs))
    return f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>{body}</article></body></html>"


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def has_control(text: str) -> bool:
    return any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in text)


# --- file names -------------------------------------------------------------------------------------------

HOSTILE_URLS = (
    "../../etc/passwd",
    "/etc/passwd",
    "https://example.com/../../../../etc/passwd",
    "file:///etc/passwd",
    "https://example.com/a\x00b",
    "https://example.com/" + "a" * 100_000,
    "C:\\Windows\\system32",
    "https://example.com/%2e%2e/%2e%2e/x",
    "https://example.com/\x1b[2J",
    "\\\\server\\share",
)


@pytest.mark.parametrize("url", HOSTILE_URLS, ids=range(len(HOSTILE_URLS)))
def test_file_names_come_only_from_ids(url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    title = "../../" + url[:200] + "/\x00/" + "t" * 5000
    article = extract(article_page(title=title.replace("<", "")), url)
    path = write_record(article, out)
    assert path.parent == out
    assert ID_FILE.fullmatch(path.name)
    assert [p.name for p in tmp_path.rglob("*")] == ["out", path.name]


def test_write_record_refuses_an_id_that_is_not_one(tmp_path: Path) -> None:
    article = extract(article_page(), "https://example.com/a")
    for bad in ("../../etc/passwd", "/tmp/x", "a" * 32 + "/..", "ABCDEF" * 6):
        forged = Article.from_dict({**article.to_dict(), "id": bad})
        with pytest.raises(OutputError, match="not a record id"):
            write_record(forged, tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- records: no control characters, no escape sequences, no credentials ---------------------------------

ESCAPES = "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J &#27;[1m &#x1b;]8;;http://x\x1b\\ \x07\x08\x00 &#x9b;"


def test_escape_sequences_never_reach_records() -> None:
    head = (
        f'<meta name="author" content="Eve {ESCAPES}"><meta name="description" content="D {ESCAPES}">'
        f'<meta property="og:site_name" content="S {ESCAPES}"><meta name="keywords" content="k1,{ESCAPES}">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H \\u001b[31m x \\u009b1m",'
        ' "author": {"@type": "Person", "name": "Jo \\u001b]0;x\\u0007 Doe"}, "articleSection": "S\\u0000ec",'
        ' "keywords": ["a\\u001bb"], "image": {"url": "http://img.example/\\u001b[1m.jpg"}}</script>'
    )
    page = article_page(title=f"Title {ESCAPES}", head=head).replace(
        "paragraph 1.", f"paragraph 1. {ESCAPES} end."
    )
    article = extract(page, "https://example.com/\x1b[31ma")
    record = json.loads(record_json(article))
    jsonschema.validate(record, record_schema())
    for text in strings(record):
        assert not has_control(text), repr(text)
    assert "paragraph 1." in record["body"]


def test_credentials_never_reach_records() -> None:
    head = (
        '<link rel="canonical" href="https://user:canonpass@example.com/a">'
        '<meta property="og:image" content="https://img:imgpass@cdn.example/lead.jpg">'
    )
    page = article_page(head=head).replace(
        "<h1>",
        '<figure><img src="https://u:figpass@cdn.example/f.jpg"><figcaption>A ferry</figcaption></figure><h1>',
    )
    article = extract(
        page, "https://bob:secret@example.com/a", final_url="https://bob:secret2@example.com/a?x=1"
    )
    text = record_json(article)
    for secret in ("secret", "canonpass", "imgpass", "figpass", "bob", "user:"):
        assert secret not in text
    assert article.url == "https://example.com/a"
    assert article.final_url == "https://example.com/a?x=1"


def test_json_survives_lone_surrogates_and_refuses_nan(tmp_path: Path) -> None:
    article = extract(
        article_page().replace("paragraph 2.", "paragraph 2. \ud800 &#xDFFF; x"), "https://e.com/a"
    )
    assert "\ufffd" in article.body
    path = write_record(article, tmp_path)
    json.loads(path.read_text(encoding="utf-8"))
    forged = Article.from_dict({**article.to_dict(), "title": "lone \udc80 surrogate"})
    assert json.loads(record_json(forged))["title"] == "lone \ufffd surrogate"
    write_record(forged, tmp_path).read_bytes().decode("utf-8")
    lines = tmp_path / "out.jsonl"
    append_jsonl([forged, {"id": "x", "score": 1.0}], lines)
    with pytest.raises(OutputError, match="not valid JSON"):
        append_jsonl([{"id": "y", "score": float("nan")}], lines)
    with pytest.raises(OutputError):
        record_json({"inf": float("inf")})
    assert [json.loads(line)["id"] for line in lines.read_text(encoding="utf-8").splitlines()] == [
        forged.id,
        "x",
    ]


# --- the terminal -----------------------------------------------------------------------------------------


def test_cli_error_lines_escape_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "page\x1b[31m\x07.html"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(100))
    missing = str(tmp_path / "gone\x1b]0;owned\x07\n.html")
    assert main(["extract", str(bad), missing]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    lines = err.splitlines()
    assert len(lines) == 2
    assert "page\\x1b[31m\\x07.html: corrupt gzip data in " in lines[0]
    assert "gone\\x1b]0;owned\\x07\\x0a.html" in lines[1]


def test_cli_error_lines_hide_url_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    # loopback is refused by default: the fetch fails before any network traffic
    assert main(["extract", "https://alice:hunter2@127.0.0.1:9/page?token=1"]) == 1
    err = capsys.readouterr().err
    assert "hunter2" not in err and "alice" not in err
    assert err.count("\n") == 1


# --- faults: a full disk, a read-only folder --------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "64k") -> Iterator[Path]:
    """A tiny tmpfs mounted at ``path``; skips the test where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def pages(tmp_path: Path, count: int, paragraphs: int = 40) -> list[str]:
    folder = tmp_path / "pages"
    folder.mkdir(exist_ok=True)
    out = []
    for n in range(count):
        path = folder / f"page{n}.html"
        path.write_text(article_page(n, paragraphs=paragraphs), encoding="utf-8")
        out.append(str(path))
    return out


def assert_records_intact(folder: Path) -> int:
    """Every file in ``folder`` is a whole, valid record (no temporary files left); returns the count."""
    names = sorted(p.name for p in folder.iterdir())
    for name in names:
        assert ID_FILE.fullmatch(name), name
        jsonschema.validate(json.loads((folder / name).read_text(encoding="utf-8")), record_schema())
    return len(names)


def assert_jsonl_intact(path: Path) -> int:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n")
    lines = data.decode("utf-8").splitlines()
    for line in lines:
        jsonschema.validate(json.loads(line), record_schema())
    return len(lines)


def test_full_disk_ids_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = pages(tmp_path, 30)
    with tmpfs(tmp_path / "disk") as disk:
        out = disk / "records"  # a folder: -o names it with a trailing /
        assert main(["extract", *inputs, "-o", f"{out}/"]) == 1
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith("scraper: error: cannot write ")
        assert err[0].endswith("No space left on device")
        written = assert_records_intact(out)
        assert 0 < written < len(inputs)


def test_full_disk_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = pages(tmp_path, 30)
    with tmpfs(tmp_path / "disk") as disk:
        out = disk / "all.jsonl"
        assert main(["extract", *inputs, "-o", str(out)]) == 1
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and "No space left on device" in err[0]
        assert 0 < assert_jsonl_intact(out) < len(inputs)


def test_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = pages(tmp_path, 4, paragraphs=4)
    with tmpfs(tmp_path / "disk", size="1m") as disk:
        out = disk / "records"  # a folder: -o names it with a trailing /
        assert main(["extract", *inputs[:2], "-o", f"{out}/"]) == 0
        assert main(["extract", *inputs[:2], "-o", str(disk / "all.jsonl")]) == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        lines_before = (disk / "all.jsonl").read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert main(["extract", *inputs[2:], "-o", f"{out}/"]) == 1
        assert main(["extract", *inputs[2:], "-o", str(disk / "all.jsonl")]) == 1
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 2 and all(line.endswith("Read-only file system") for line in err)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert (disk / "all.jsonl").read_bytes() == lines_before
        assert assert_records_intact(out) == 2


def test_short_write_leaves_whole_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a mount: os.write writes half a line, then the disk is full."""
    path = tmp_path / "all.jsonl"
    records = [extract(article_page(n), f"https://e.com/{n}") for n in range(3)]
    append_jsonl(records[:2], path)
    real_write = os.write

    def half_write(fd: int, data: bytes) -> int:
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(os, "write", half_write)
    with pytest.raises(OutputError, match="short write"):
        append_jsonl(records[2:], path)

    def no_space(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", no_space)
    with pytest.raises(OutputError, match="No space left on device"):
        append_jsonl(records[2:], path)
    monkeypatch.undo()
    assert assert_jsonl_intact(path) == 2


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.json"
    atomic_write_bytes(target, b'{"old": true}\n')

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write_bytes(target, b'{"new": true}\n')
    monkeypatch.undo()
    assert target.read_bytes() == b'{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
