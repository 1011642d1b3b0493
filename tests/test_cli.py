"""The command line: outputs, exit codes, one stderr line per failure, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.cli import main
from tests.servers import LocalServer, static

ARTICLE = (
    "<html lang='en'><head><title>Rivers rise after storm - Example News</title></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Rivers rise after storm</h1>"
    + "".join(
        f"<p>Paragraph {i}: emergency crews worked through the night as rivers rose across the valley, "
        f"and residents of low-lying streets were told to move to higher ground before dawn.</p>"
        for i in range(5)
    )
    + "</article></body></html>"
)


@pytest.fixture()
def pages(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "a.html"
    b = tmp_path / "b.html"
    a.write_text(ARTICLE, encoding="utf-8")
    b.write_text(ARTICLE.replace("Rivers rise", "Floods ease").replace("night", "day"), encoding="utf-8")
    return a, b


def test_one_input_prints_one_json_object(pages, capsys) -> None:
    code = main(["extract", str(pages[0]), "--url", "https://news.example.com/rivers"])
    out = capsys.readouterr().out
    assert code == 0
    record = json.loads(out)
    assert record["url"] == "https://news.example.com/rivers"
    assert record["body"].startswith("Paragraph 0: emergency crews")


def test_several_inputs_print_json_lines(pages, capsys) -> None:
    assert main(["extract", str(pages[0]), str(pages[1])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert {json.loads(line)["title"] for line in lines} == {
        "Rivers rise after storm",
        "Floods ease after storm",
    }


def test_failure_is_one_stderr_line_and_exit_1(pages, tmp_path, capsys) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><nav>Home</nav></body></html>")
    code = main(["extract", str(tmp_path / "missing.html"), str(pages[0]), str(empty)])
    captured = capsys.readouterr()
    assert code == 1
    assert len(captured.out.splitlines()) == 1  # the good page still gave its record
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2
    assert "missing.html" in errors[0] and "cannot read" in errors[0]
    assert "empty.html" in errors[1] and "no article found" in errors[1]
    assert "Traceback" not in captured.err


def test_bad_config_exits_2(pages, tmp_path, capsys) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[fetch]\ntimeout = 3\n")
    assert main(["extract", "-c", str(cfg), str(pages[0])]) == 2
    err = capsys.readouterr().err
    assert "bad.toml:2" in err and "fetch.timeout" in err


def test_usage_error_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["extract", "--format", "pdf"])
    assert info.value.code == 2
    assert main(["extract"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("no inputs: give URLs or saved pages, - for stdin, or -i FILE")
    )


def test_output_dir_and_jsonl(pages, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["extract", str(pages[0]), "--url", "https://news.example.com/rivers", "-o", f"{out}/"]) == 0
    files = list(out.glob("*.json"))
    assert len(files) == 1
    first = json.loads(files[0].read_text(encoding="utf-8"))
    assert files[0].name == first["id"] + ".json"
    # the same URL again replaces its own file, and no other
    assert main(["extract", str(pages[1]), "--url", "https://news.example.com/rivers", "-o", str(out)]) == 0
    assert [p.name for p in out.glob("*.json")] == [files[0].name]
    assert json.loads(files[0].read_text(encoding="utf-8"))["title"] == "Floods ease after storm"
    jsonl = tmp_path / "all.jsonl"
    assert main(["extract", str(pages[0]), str(pages[1]), "-o", str(jsonl)]) == 0
    assert main(["extract", str(pages[0]), "-o", str(jsonl)]) == 0
    assert len([json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]) == 3


def test_text_and_markdown_formats(pages, capsys) -> None:
    assert main(["extract", str(pages[0]), "-f", "text"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Rivers rise after storm\n\nParagraph 0:")
    assert main(["extract", str(pages[0]), "-f", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Rivers rise after storm\n\nParagraph 0:")


def test_urls_end_to_end_against_local_server(capsys) -> None:
    with LocalServer() as server:
        server.routes["/news/rivers"] = static(
            ARTICLE.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
        )
        server.routes["/gone"] = static(b"not here", status=404, headers={"Content-Type": "text/html"})
        server.routes["/paper.pdf"] = static(b"%PDF-1.4 ...", headers={"Content-Type": "application/pdf"})
        good, gone, pdf = server.url("/news/rivers"), server.url("/gone"), server.url("/paper.pdf")
        # without the switch, loopback is refused
        assert main(["extract", good]) == 1
        assert "refus" in capsys.readouterr().err.lower()
        code = main(["extract", "--allow-private", good, gone, pdf])
    captured = capsys.readouterr()
    assert code == 1
    record = json.loads(captured.out.splitlines()[0])
    assert record["final_url"] == good and record["fetched_at"]
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2
    assert "404" in errors[0] and gone in errors[0]
    assert pdf in errors[1] and "not HTML" in errors[1].replace("not an HTML", "not HTML")


def test_python_dash_m_entry_point(pages) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", "extract", str(pages[0]), "-f", "text"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Paragraph 4" in proc.stdout


def test_scrape_fetches_and_extracts() -> None:
    import scraper
    from scraper.errors import BlockedError

    cfg = scraper.Config().replace(fetch={"allow_private": True})
    with LocalServer() as server:
        server.routes["/news/rivers"] = static(
            ARTICLE.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
        )
        article = scraper.scrape(server.url("/news/rivers"), config=cfg)
    assert article.title == "Rivers rise after storm"
    assert article.final_url == server.url("/news/rivers") and article.fetched_at
    with pytest.raises(BlockedError, match="not an http"):
        scraper.scrape("file:///etc/passwd", config=cfg)


NOT_HTML = {
    "notes.txt": b"Meeting notes\n\nThe council met on Tuesday and agreed to the budget.\n" * 5,
    "urls.txt": b"https://example.com/news/1\nhttps://example.com/news/2\n# a comment\n",
    "feed.xml": b"<?xml version='1.0' encoding='utf-8'?>\n<rss version='2.0'><channel><title>T</title>"
    b"<item><title>a</title><link>https://example.com/a</link></item></channel></rss>",
    "atom.xml": b"<?xml version='1.0'?><!-- generator --><feed xmlns='http://www.w3.org/2005/Atom'>"
    b"<title>T</title><entry><title>a</title></entry></feed>",
    "data.json": b'{"title": "Rivers rise", "body": "<p>Emergency crews worked</p>"}',
    "config.toml": b'[crawl]\ndelay = 1.0\n\n[[sources]]\nurl = "https://example.com/feed"\n',
    "README.md": b"# Rivers rise\n\nEmergency crews worked through the night.\n\n- one\n- two\n" * 5,
}


@pytest.mark.parametrize("name", sorted(NOT_HTML))
def test_local_file_that_is_not_html_fails_like_a_non_html_url(tmp_path: Path, capsys, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(NOT_HTML[name])
    assert main(["extract", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"scraper: {path}: not HTML: ")


@pytest.mark.parametrize(
    "head",
    [
        b"<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN' 'x'>",
        b"<!-- saved from url=(0042)https://news.example.com/rivers -->\n<!DOCTYPE html>",
        b"\xef\xbb\xbf  <html>",
        b"<meta charset='utf-8'>",
    ],
)
def test_saved_pages_in_their_usual_shapes_are_html(tmp_path: Path, capsys, head: bytes) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(head + ARTICLE.encode())
    assert main(["extract", str(path)]) == 0, capsys.readouterr().err
    path.write_bytes(ARTICLE.encode("utf-16"))  # with its byte order mark
    assert main(["extract", str(path)]) == 0, capsys.readouterr().err
