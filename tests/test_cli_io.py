"""scraper extract's inputs (stdin, -i FILE) and outputs (-o, -f, [output] format), progress and log lines."""

from __future__ import annotations

import csv
import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.cli import main, progress_logging
from tests.servers import LocalServer, static
from tests.test_cli import ARTICLE

URL = "https://news.example.com/rivers"


@pytest.fixture()
def pages(tmp_path: Path) -> list[Path]:
    out = []
    for n, (title, when) in enumerate(
        [("Rivers rise", "night"), ("Floods ease", "day"), ("Roads reopen", "week")]
    ):
        path = tmp_path / f"p{n}.html"  # different bodies: saved pages without a URL are named by their body
        path.write_text(ARTICLE.replace("Rivers rise", title).replace("night", when), encoding="utf-8")
        out.append(path)
    return out


# -- 1. inputs -------------------------------------------------------------------------------------


def test_stdin_is_one_page_with_its_url(pages: list[Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", "extract", "-", "--url", URL],
        input=pages[0].read_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["url"] == URL and record["title"] == "Rivers rise after storm"


def test_stdin_twice_or_as_page_and_list_is_a_usage_error(pages: list[Path], capsys) -> None:
    assert main(["extract", "-", "-"]) == 2
    assert main(["extract", "-", "-i", "-"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "scraper: error: - (stdin) can be given once",
        "scraper: error: stdin cannot be both a page (-) and the input list (-i -)",
    ]


def test_input_file_lists_paths_and_urls_with_and_without_workers(
    pages: list[Path], tmp_path: Path, capsys
) -> None:
    with LocalServer() as server:
        server.routes["/news/roads"] = static(pages[2].read_bytes(), headers={"Content-Type": "text/html"})
        listing = tmp_path / "inputs.list"
        listing.write_text(
            f"# today's pages\n{pages[0]}\n\n   {pages[1]}  \n# a URL:\n{server.url('/news/roads')}\n"
        )
        assert main(["extract", "--allow-private", "-i", str(listing)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert [json.loads(line)["title"] for line in lines] == [
            "Rivers rise after storm",
            "Floods ease after storm",
            "Roads reopen after storm",
        ]
        out = tmp_path / "batch.jsonl"
        assert main(["extract", "--allow-private", "-i", str(listing), "--workers", "1", "-o", str(out)]) == 0
    batch = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["title"] for r in batch] == [json.loads(line)["title"] for line in lines]
    assert main(["extract", "-i", str(tmp_path / "missing.list")]) == 2
    assert "cannot read input list" in capsys.readouterr().err


# -- 2. outputs ------------------------------------------------------------------------------------


def test_config_output_format_is_honoured(pages: list[Path], tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[output]\nformat = "markdown"\n')
    assert main(["extract", "-c", str(config), str(pages[0])]) == 0
    assert capsys.readouterr().out.startswith("# Rivers rise after storm\n\nParagraph 0:")
    assert main(["extract", "-c", str(config), str(pages[0]), "-f", "text"]) == 0  # -f wins
    assert capsys.readouterr().out.startswith("Rivers rise after storm\n\nParagraph 0:")


def test_output_file_json_holds_one_record(pages: list[Path], tmp_path: Path, capsys) -> None:
    dest = tmp_path / "one.json"
    assert main(["extract", str(pages[0]), "-o", str(dest)]) == 0
    assert json.loads(dest.read_text(encoding="utf-8"))["title"] == "Rivers rise after storm"
    assert main(["extract", str(pages[1]), "-o", str(dest)]) == 0  # replaced, not appended
    assert json.loads(dest.read_text(encoding="utf-8"))["title"] == "Floods ease after storm"
    assert main(["extract", str(pages[0]), str(pages[1]), "-o", str(tmp_path / "two.json")]) == 2
    assert main(["extract", str(pages[0]), "-o", str(dest), "-f", "markdown"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "holds one record; with several inputs use -o FILE.jsonl" in err[0]
    assert "writes json, not -f markdown" in err[1]
    assert not (tmp_path / "two.json").exists()
    md = tmp_path / "one.md"  # the extension names the format
    assert main(["extract", str(pages[0]), "-o", str(md)]) == 0
    assert md.read_text(encoding="utf-8").startswith("# Rivers rise after storm\n")


def test_output_folder_one_file_per_record_in_the_format(pages: list[Path], tmp_path: Path) -> None:
    folder = tmp_path / "md"
    assert main(["extract", *map(str, pages), "-o", f"{folder}/", "-f", "markdown"]) == 0
    files = sorted(folder.iterdir())
    assert len(files) == 3 and all(p.suffix == ".md" and len(p.stem) == 32 for p in files)
    assert sorted(p.read_text(encoding="utf-8").splitlines()[0] for p in files) == [
        "# Floods ease after storm",
        "# Rivers rise after storm",
        "# Roads reopen after storm",
    ]
    assert main(["extract", str(pages[0]), "-o", str(folder), "-f", "text"]) == 0  # an existing folder
    assert len(list(folder.glob("*.txt"))) == 1


def test_anything_else_is_a_usage_error_never_a_new_folder(pages: list[Path], tmp_path: Path, capsys) -> None:
    for dest in (tmp_path / "newdir", tmp_path / "notes.pdf"):
        assert main(["extract", str(pages[0]), "-o", str(dest)]) == 2
        assert not dest.exists()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("not an existing folder, a path ending in /" in line for line in err)


def test_csv_file_appends_rows_under_one_header(pages: list[Path], tmp_path: Path) -> None:
    dest = tmp_path / "articles.csv"
    assert main(["extract", str(pages[0]), str(pages[1]), "-o", str(dest)]) == 0
    assert main(["extract", str(pages[2]), "-o", str(dest), "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(dest.read_text(encoding="utf-8"))))
    assert [r["title"] for r in rows] == [
        "Rivers rise after storm",
        "Floods ease after storm",
        "Roads reopen after storm",
    ]


def test_text_separates_articles(pages: list[Path], capsys) -> None:
    assert main(["extract", str(pages[0]), str(pages[1]), "-f", "text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"==> {pages[0]} <==\nRivers rise after storm\n\nParagraph 0:")
    assert f"\n\n==> {pages[1]} <==\nFloods ease after storm\n\n" in out


def test_links_and_images_need_markdown_or_html(pages: list[Path], capsys) -> None:
    assert main(["extract", str(pages[0]), "--links"]) == 2
    assert "--links and --images apply to markdown and html output, not json" in capsys.readouterr().err
    assert main(["extract", str(pages[0]), "--images", "-f", "html"]) == 0
    assert "<h1>Rivers rise after storm</h1>" in capsys.readouterr().out


# -- 6. progress and logs --------------------------------------------------------------------------


def test_log_lines_do_not_break_the_progress_bar(capsys) -> None:
    from tqdm import tqdm

    from scraper.cli import _setup_logging

    _setup_logging(0)
    with progress_logging(True):
        bar = tqdm(total=10, file=sys.stderr, ascii=True, mininterval=0)
        bar.update(3)
        logging.getLogger("scraper.test").warning("source gone: 404")
        bar.update(3)
        bar.close()
    err = capsys.readouterr().err
    # the log line starts a line of its own: after the bar was cleared with "\r", never after bar text
    before, _, _ = err.partition("scraper: WARNING: source gone: 404\n")
    assert before, err
    assert before.endswith("\r") or before.endswith("\n"), repr(before[-40:])
    assert "3/10" in before


def test_batch_mode_counts_the_errors_it_does_not_print(tmp_path: Path, capsys) -> None:
    inputs = [str(tmp_path / f"missing-{n:02d}.html") for n in range(25)]
    assert main(["extract", *inputs, "--workers", "1", "-o", str(tmp_path / "out.jsonl")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len([line for line in err if "missing-" in line]) == 20
    assert "scraper: ... and 5 more failed inputs not shown" in err
    assert err[-1] == "scraper: 25 inputs, 0 articles, 25 failed"
