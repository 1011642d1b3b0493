"""Every verb through its error paths: one stderr line naming the problem, the right exit code, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.cli import main
from tests.servers import LocalServer, static
from tests.test_warc import build_warc

ARTICLE = ("<!doctype html><html lang='en'><head><title>Rivers rise</title></head><body><article>"
           + "<p>Emergency crews worked through the night as rivers rose across the valley and residents "
             "of low-lying streets were told to move to higher ground before dawn.</p>" * 4
           + "</article></body></html>")
SOURCE = '[[sources]]\ntype = "urls"\nurls = ["http://127.0.0.1:9/never"]\n'


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a page, a text file, a WARC, an empty record folder, configs and a plain file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCRAPER_CONFIG", raising=False)
    (tmp_path / "page.html").write_text(ARTICLE)
    (tmp_path / "notes.txt").write_text("just some notes\n")
    (tmp_path / "records").mkdir()
    (tmp_path / "afile").write_text("")
    (tmp_path / "bad.toml").write_text("[fetch\nretries = 1\n")
    (tmp_path / "badkey.toml").write_text("[crawl]\nworkers = 'many'\n")
    (tmp_path / "sources.toml").write_text(SOURCE)
    (tmp_path / "into-file.toml").write_text(f'[crawl]\nout = "afile"\n{SOURCE}')
    build_warc(tmp_path / "a.warc.gz", pages=2)
    return tmp_path


CASES = [
    # extract
    (["extract", "missing.html"], 1, "No such file"),
    (["extract", "records"], 1, "is a folder"),
    (["extract", "notes.txt"], 1, "not HTML"),
    (["extract", "page.html", "-c", "missing.toml"], 2, "cannot read config"),
    (["extract", "page.html", "-c", "bad.toml"], 2, "invalid TOML"),
    (["extract", "page.html", "notes.txt", "--url", "https://example.com/a"], 2, "--url applies to a single input"),
    (["extract", "page.html", "-o", "s3://bucket/out.jsonl"], 2, "pip install s3fs"),
    (["extract", "page.html", "-o", "nosuch://bucket/out"], 2, "unknown URL scheme nosuch://"),
    (["extract", "page.html", "-o", "memory://bucket/out"], 2, "memory:// URLs are not supported here"),
    (["extract", "page.html", "--workers", "1", "-o", "s3://bucket/out.jsonl"], 2, "pip install s3fs"),
    (["extract", "page.html", "--workers", "1", "-o", "nosuch://bucket/out.jsonl"], 2, "unknown URL scheme"),
    (["extract", "s3://bucket/page.html"], 1, "s3fs"),
    (["extract", "page.html", "-o", "afile/out"], 1, "cannot write"),
    # crawl
    (["crawl"], 2, "no [[sources]]"),
    (["crawl", "-c", "badkey.toml"], 2, "crawl.workers"),
    (["crawl", "-c", "sources.toml", "--out", "s3://bucket/out"], 2, "pip install s3fs"),
    (["crawl", "-c", "sources.toml", "--out", "nosuch://x/out"], 2, "unknown URL scheme"),
    (["crawl", "-c", "sources.toml", "--state", "memory://x/state.sqlite"], 2, "not supported here"),
    (["crawl", "-c", "into-file.toml"], 1, "afile"),
    # export
    (["export", "missing"], 1, "no such file or folder"),
    (["export", "s3://bucket/records"], 2, "pip install s3fs"),
    (["export", "memory://bucket/records"], 2, "not supported here"),
    (["export", "records", "-o", "s3://bucket/all.jsonl"], 2, "pip install s3fs"),
    (["export", "records", "-o", "nosuch://bucket/all.jsonl"], 2, "unknown URL scheme"),
    (["export", "records", "--format", "parquet", "-o", "s3://bucket/ds"], 2, "pip install s3fs"),
    (["export", "records", "--format", "parquet", "-o", "memory://bucket/ds"], 2, "not supported here"),
    (["export", "records", "--format", "parquet"], 2, "needs -o FOLDER"),
    (["export", "records", "--dedup", "near", "--threshold", "2"], 2, "--threshold"),
    (["export", "records", "-o", "afile/all.jsonl"], 1, "cannot write"),
    # extract-warc
    (["extract-warc", "missing.warc.gz", "-o", "out.jsonl"], 1, "No such file"),
    (["extract-warc", "memory://bucket/missing.warc.gz", "-o", "out.jsonl"], 1, "No such file"),
    (["extract-warc", "a.warc.gz", "-o", "s3://bucket/out.jsonl"], 2, "pip install s3fs"),
    (["extract-warc", "s3://bucket/a.warc.gz", "-o", "out.jsonl"], 2, "pip install s3fs"),
    (["extract-warc", "a.warc.gz", "-o", "nosuch://bucket/out.jsonl"], 2, "unknown URL scheme"),
    (["extract-warc", "a.warc.gz", "-o", "out.jsonl", "--workers", "0"], 2, "--workers"),
    (["extract-warc", "a.warc.gz", "-o", "afile/out.jsonl", "--workers", "1", "--no-progress"], 1, "cannot write"),
]


@pytest.mark.parametrize(("argv", "code", "needle"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_error_path_gives_one_line_and_no_traceback(work: Path, capsys, argv: list[str], code: int,
                                                    needle: str) -> None:
    assert main(argv) == code
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("scraper") and needle in lines[0], lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert not any(p.name.endswith(":") for p in work.rglob("*"))  # no folder named after a URL scheme


def test_a_refused_url_says_how_to_allow_it(work: Path, capsys) -> None:
    with LocalServer({"/": static(ARTICLE.encode(), headers={"Content-Type": "text/html"})}) as server:
        assert main(["extract", server.url("/")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "--allow-private" in lines[0]


def test_every_verb_is_covered() -> None:
    from scraper.cli import VERBS

    assert {argv[0] for argv, _, _ in CASES} == set(VERBS)


def test_export_to_an_installed_url_backend_writes_there_not_to_a_local_folder(work: Path, capsys) -> None:
    import fsspec

    assert main(["export", "records", "-o", "memory://bucket/all.jsonl"]) == 0
    assert fsspec.filesystem("memory").exists("/bucket/all.jsonl")
    assert not any(p.name.endswith(":") for p in work.rglob("*"))
