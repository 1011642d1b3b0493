"""The engine: local process pool and a real 2-worker Dask LocalCluster give the single-process output."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.config import Config
from scraper.engine import Engine, extract_batch, extract_warc_files
from scraper.errors import ConfigError
from scraper.inputs import expand_inputs

WORDS = ["tide", "ferry", "council", "budget", "storm", "grain", "harvest", "rail", "strike", "court", "vote"]


def page(n: int) -> bytes:
    rng = random.Random(1000 + n)
    paras = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(35)) + f" item {n}, part {i}.</p>" for i in range(3)
    )
    return (
        f"<html><head><title>Item {n}</title></head><body><article><h1>Item {n}</h1>{paras}</article></body></html>"
    ).encode()


def write_warc(path: Path, numbers: range) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for n in numbers:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        rec = writer.create_warc_record(
            f"https://wire.example/{n}", "response", payload=io.BytesIO(page(n)), http_headers=http
        )
        writer.write_record(rec)
        if n % 4 == 0:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/css")], protocol="HTTP/1.1")
            css = writer.create_warc_record(
                f"https://wire.example/{n}.css", "response", payload=io.BytesIO(b"p{}"), http_headers=http
            )
            writer.write_record(css)
    path.write_bytes(buf.getvalue())


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("warcs")
    paths = [folder / "one.warc.gz", folder / "two.warc.gz"]
    write_warc(paths[0], range(0, 7))
    write_warc(paths[1], range(7, 12))
    return [str(p) for p in paths]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def read_lines(path: str | Path) -> list[dict]:
    with fsspec.open(str(path), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def by_id(lines: list[dict]) -> list[dict]:
    return sorted(lines, key=lambda d: (d["id"], d.get("warc_record_id") or ""))


@pytest.fixture(scope="module")
def single(warcs: list[str], tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("single") / "out.jsonl"
    summary = extract_warc_files(warcs, str(out), config=Config(), workers=1, chunk_records=3)
    assert summary.stats.articles == 12 and summary.stats.not_html == 3
    return read_lines(out)


def test_dask_cluster_equals_single_process(
    warcs: list[str], single: list[dict], scheduler: str, tmp_path: Path
) -> None:
    out = tmp_path / "dask.jsonl"
    summary = extract_warc_files(
        warcs, str(out), config=Config(), engine="dask", scheduler=scheduler, chunk_records=3
    )
    assert summary.tasks == 5  # 9 + 6 records in runs of 3
    dask_lines = read_lines(out)
    assert by_id(dask_lines) == by_id(single)
    assert dask_lines == single  # the merge keeps task order, so even the order matches
    assert not (tmp_path / ".dask.jsonl.parts").exists()


def test_dask_parts_folder(warcs: list[str], single: list[dict], scheduler: str, tmp_path: Path) -> None:
    out = tmp_path / "parts"
    (out).mkdir()
    (out / "part-00099.jsonl").write_text("stale\n")
    summary = extract_warc_files(
        warcs, str(out), config=Config(), engine="dask", scheduler=scheduler, chunk_records=5
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"part-{i:05d}.jsonl" for i in range(summary.tasks)]
    lines = [line for name in names for line in read_lines(out / name)]
    assert by_id(lines) == by_id(single)


def test_local_process_pool_equals_single_process(
    warcs: list[str], single: list[dict], tmp_path: Path
) -> None:
    out = tmp_path / "pool.jsonl"
    extract_warc_files(warcs, str(out), config=Config(), workers=2, chunk_records=4)
    assert read_lines(out) == single


def test_fsspec_destination(warcs: list[str], single: list[dict]) -> None:
    out = "memory://engine-test/out.jsonl"
    extract_warc_files(warcs, out, config=Config(), workers=1, chunk_records=3)
    assert read_lines(out) == single
    assert not fsspec.filesystem("memory").exists("/engine-test/.out.jsonl.parts")


def test_batch_extract_dask_equals_single(tmp_path: Path, scheduler: str) -> None:
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    for n in range(6):
        (pages / ("sub" if n % 2 else "") / f"p{n}.html").write_bytes(page(n))
    (pages / "notes.txt").write_text("not a page")
    (pages / "empty.html").write_bytes(b"<html><body></body></html>")
    one = extract_batch([str(pages)], str(tmp_path / "one.jsonl"), config=Config(), workers=1, chunk_size=2)
    assert (one.stats.inputs, one.stats.articles, one.stats.failed) == (7, 6, 1)
    many = extract_batch(
        [str(pages)],
        str(tmp_path / "many.jsonl"),
        config=Config(),
        engine="dask",
        scheduler=scheduler,
        chunk_size=2,
    )
    assert many.tasks == 4
    assert read_lines(tmp_path / "many.jsonl") == read_lines(tmp_path / "one.jsonl")


def test_expand_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("x")
    (tmp_path / "b.css").write_text("x")
    listing = tmp_path / "list.txt"
    listing.write_text("# urls\nhttps://a.example/1\n\n/tmp/page.html\n")
    assert expand_inputs([str(tmp_path), str(listing), "https://b.example/"]) == [
        str(tmp_path / "a.html"),
        "https://a.example/1",
        "/tmp/page.html",
        "https://b.example/",
    ]


def test_engine_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="scheduler"):
        Engine("dask")
    with pytest.raises(ConfigError, match="workers"):
        Engine("local", workers=0)
    with pytest.raises(ConfigError, match="engine"):
        Engine("spark")


def test_extract_verb_batch_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scraper.cli import main

    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"p{n}.html").write_bytes(page(n))
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(pages), "--workers", "1", "-o", str(out)]) == 0
    assert [line["title"] for line in read_lines(out)] == ["Item 0", "Item 1", "Item 2"]
    assert "3 inputs, 3 articles, 0 failed" in capsys.readouterr().err
    assert main(["extract", str(pages), "--workers", "1"]) == 2  # batch mode writes files, not stdout


def test_extract_warc_verb_on_dask(
    warcs: list[str], single: list[dict], scheduler: str, tmp_path: Path
) -> None:
    from scraper.cli import main

    out = tmp_path / "cli.jsonl"
    rc = main(["extract-warc", *warcs, "-o", str(out), "--engine", "dask", "--scheduler", scheduler])
    assert rc == 0
    assert read_lines(out) == single


def test_expand_inputs_reads_lists_as_saved_pages_are_read(tmp_path: Path) -> None:
    import gzip

    from scraper.errors import ScraperError, TooLargeError

    listing = tmp_path / "list.txt"
    listing.write_bytes(gzip.compress(b"https://a.example/1\n# comment\n"))
    assert expand_inputs([str(listing)]) == ["https://a.example/1"]
    listing.write_text("https://a.example/1\n" * 10)
    with pytest.raises(TooLargeError):
        expand_inputs([str(listing)], max_bytes=50)
    with pytest.raises(ScraperError, match="cannot read .*missing.txt: No such file or directory"):
        expand_inputs([str(tmp_path / "missing.txt")])
