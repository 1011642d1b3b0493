"""Every verb through its error paths: one stderr line naming the problem, the right exit code, no traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from scraper.cli import main
from tests.servers import LocalServer, static
from tests.test_warc import build_warc

ARTICLE = (
    "<!doctype html><html lang='en'><head><title>Rivers rise</title></head><body><article>"
    + "<p>Emergency crews worked through the night as rivers rose across the valley and residents "
    "of low-lying streets were told to move to higher ground before dawn.</p>"
    * 4
    + "</article></body></html>"
)
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
    (tmp_path / "no-retries.toml").write_text("[fetch]\nretries = 0\n")
    (tmp_path / "inputs.list").write_text("# one missing page\nmissing.html\n")
    build_warc(tmp_path / "a.warc.gz", pages=2)
    return tmp_path


CASES = [
    # extract
    (["extract", "missing.html"], 1, "No such file"),
    (["extract", "records"], 1, "is a folder"),
    (["extract", "notes.txt"], 1, "not HTML"),
    (["extract", "page.html", "-c", "missing.toml"], 2, "cannot read config"),
    (["extract", "page.html", "-c", "bad.toml"], 2, "invalid TOML"),
    (
        ["extract", "page.html", "notes.txt", "--url", "https://example.com/a"],
        2,
        "--url applies to a single input",
    ),
    (["extract", "page.html", "-o", "s3://bucket/out.jsonl"], 2, "pip install s3fs"),
    (["extract", "page.html", "-o", "nosuch://bucket/out"], 2, "unknown URL scheme nosuch://"),
    (["extract", "page.html", "-o", "memory://bucket/out"], 2, "memory:// URLs are not supported here"),
    (["extract", "page.html", "--workers", "1", "-o", "s3://bucket/out.jsonl"], 2, "pip install s3fs"),
    (["extract", "page.html", "--workers", "1", "-o", "nosuch://bucket/out.jsonl"], 2, "unknown URL scheme"),
    (["extract", "s3://bucket/page.html"], 1, "s3fs"),
    (["extract", "page.html", "-o", "afile/out/"], 1, "cannot write"),
    (["extract", "page.html", "-o", "afile/out.csv"], 1, "cannot write"),
    (["extract", "page.html", "-o", "out"], 2, "not an existing folder, a path ending in /"),
    (["extract"], 2, "no inputs"),
    (["extract", "-", "-"], 2, "- (stdin) can be given once"),
    (["extract", "-", "-i", "-"], 2, "stdin cannot be both"),
    (["extract", "-i", "missing.list"], 2, "cannot read input list missing.list"),
    (["extract", "-i", "inputs.list"], 1, "No such file"),
    (["extract", "page.html", "page.html", "-o", "one.json"], 2, "holds one record"),
    (["extract", "page.html", "-o", "one.json", "-f", "markdown"], 2, "writes json, not -f markdown"),
    (["extract", "page.html", "--links"], 2, "--links and --images apply to markdown and html"),
    (["extract", "page.html", "-f", "csv", "--images"], 2, "not csv"),
    (["extract", "-", "--workers", "1", "-o", "out.jsonl"], 2, "cannot be read in batch mode"),
    (["extract", "page.html", "--workers", "1"], 2, "batch mode (--workers/--engine) needs -o"),
    (
        ["extract", "page.html", "--workers", "1", "-o", "out.md"],
        2,
        "batch mode (--workers/--engine) needs -o",
    ),
    (["extract", "--explain", "page.html", "page.html"], 2, "--explain applies to a single input"),
    (["extract", "--explain", "page.html", "-o", "out.jsonl"], 2, "--explain prints a report"),
    (["extract", "--explain", "page.html", "--workers", "1"], 2, "it takes no --workers"),
    (["extract", "--explain", "missing.html"], 1, "No such file"),
    (["extract", "--explain", "notes.txt"], 1, "not HTML"),
    (["extract", "--explain", "-c", "bad.toml", "page.html"], 2, "invalid TOML"),
    # crawl
    (["crawl"], 2, "no [[sources]]"),
    (["crawl", "-c", "badkey.toml"], 2, "crawl.workers"),
    (["crawl", "-c", "sources.toml", "--out", "s3://bucket/out"], 2, "pip install s3fs"),
    (["crawl", "-c", "sources.toml", "--out", "nosuch://x/out"], 2, "unknown URL scheme"),
    (["crawl", "-c", "sources.toml", "--state", "memory://x/state.sqlite"], 2, "not supported here"),
    (["crawl", "-c", "into-file.toml"], 1, "afile"),
    # discover
    (["discover", "notaurl"], 1, "notaurl: not an http(s) URL"),
    (["discover", "http://127.0.0.1:9/"], 1, "--allow-private"),  # the reason, not "disallowed by robots.txt"
    (
        ["discover", "--allow-private", "-c", "no-retries.toml", "http://127.0.0.1:9/"],
        1,
        "connection refused",
    ),
    (["discover", "-c", "bad.toml", "http://127.0.0.1:9/"], 2, "invalid TOML"),
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
    (
        ["extract-warc", "a.warc.gz", "-o", "afile/out.jsonl", "--workers", "1", "--no-progress"],
        1,
        "cannot write",
    ),
]


@pytest.mark.parametrize(("argv", "code", "needle"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_error_path_gives_one_line_and_no_traceback(
    work: Path, capsys, argv: list[str], code: int, needle: str
) -> None:
    assert main(argv) == code
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("scraper") and needle in lines[0], lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert not any(p.name.endswith(":") for p in work.rglob("*"))  # no folder named after a URL scheme


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"just some notes\n", "scraper: -: not HTML: stdin does not start"),
        (b"<p>x</p>" * 20, "larger than the 100 byte cap"),
    ],
)
def test_a_page_on_stdin_that_cannot_be_used(
    work: Path, capsys, monkeypatch: pytest.MonkeyPatch, data: bytes, needle: str
) -> None:
    (work / "small.toml").write_text("[fetch]\nmax_bytes = 100\n")
    for argv in (["extract", "-c", "small.toml", "-"], ["extract", "-c", "small.toml", "--explain", "-"]):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert main(argv) == 1
        captured = capsys.readouterr()
        lines = captured.err.splitlines()
        assert len(lines) == 1 and needle in lines[0], lines
        assert captured.out == ""


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
