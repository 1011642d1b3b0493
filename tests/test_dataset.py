"""Export: reading crawl output, date filters, exact and near dedup, the Parquet schema, deterministic output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from scraper.cli import main
from scraper.dataset import (
    DATASET_SCHEMA,
    ExportSummary,
    collect,
    dedup_exact,
    dedup_near,
    export,
    filter_dates,
    read_records,
)
from scraper.record import content_hash, make_id

WIRE = (
    "The central bank left its main interest rate unchanged on Tuesday, saying inflation was easing more "
    "slowly than expected while the labour market remained tight. Officials signalled that any cut would "
    "depend on data over the coming months, and markets pared bets on a reduction before the summer. "
    "The governor told reporters the board had discussed a rise but agreed that holding was the prudent "
    "course given the uncertain outlook for wages, energy prices and the housing market."
)
OTHER = (
    "Heavy rain flooded roads across the north of the state overnight, cutting off several towns and "
    "forcing the closure of two highways. Emergency services carried out more than forty rescues and "
    "warned residents to stay away from swollen rivers as more storms were forecast for the weekend, "
    "with farmers bracing for losses to crops that had only just recovered from last year's drought."
)


def rec(
    url: str, body: str, published: str | None, fetched_at: str = "2024-05-01T00:00:00Z", **extra: Any
) -> dict:
    record = {
        "schema_version": 1,
        "id": make_id(url),
        "url": url,
        "final_url": url,
        "canonical_url": None,
        "title": "A title",
        "description": None,
        "authors": ["Jo Smith"],
        "published": published,
        "modified": None,
        "section": None,
        "tags": ["economy"],
        "language": "en",
        "site_name": None,
        "images": [{"url": f"{url}/a.jpg", "caption": "A caption", "credit": None}],
        "body": body,
        "word_count": len(body.split()),
        "content_hash": content_hash(body),
        "fetched_at": fetched_at,
        "extractor": {"name": "scraper", "version": "0.1.0"},
    }
    record.update(extra)
    return record


def syndicated(text: str) -> str:
    """A lightly edited republication: one word changed, a credit line added."""
    return text.replace("Tuesday", "Tuesday afternoon") + " Reporting by the wire service."


@pytest.fixture
def crawl_out(tmp_path: Path) -> Path:
    """A crawl output folder: dated ID.json files, a JSONL file, junk and a hidden folder."""
    out = tmp_path / "out"
    records = [
        rec("https://wire.example/fed", WIRE, "2024-03-05T09:00:00Z"),
        # the same story, republished later by a partner: exact copy and lightly edited copy
        rec(
            "https://partner.example/copy",
            WIRE,
            "2024-03-05T11:00:00+01:00",
            fetched_at="2024-03-06T00:00:00Z",
        ),
        rec("https://aaa.example/edited", syndicated(WIRE), "2024-03-06"),
        rec("https://news.example/floods", OTHER, "2024-04-30T23:30:00-04:00"),
        rec("https://news.example/undated", OTHER.replace("Heavy", "Torrential") + " More soon.", None),
    ]
    for r in records[:3]:
        day = (r["published"] or "unknown")[:10].replace("-", "/")
        path = out / day / f"{r['id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(r, indent=2))
    (out / "extra.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[3:]) + "{broken\n")
    (out / ".state").mkdir()
    (out / ".state" / "state.json").write_text('{"not": "a record"}')
    (out / "notes.json").write_text('{"hello": 1}')
    return out


def ids(records: list[dict]) -> list[str]:
    return [r["url"] for r in records]


def test_read_records_skips_junk_and_hidden(crawl_out: Path) -> None:
    summary = ExportSummary()
    records = list(read_records(crawl_out, summary=summary))
    assert len(records) == 5
    assert summary.read == 7 and summary.dropped == {"unreadable": 2}


def test_exact_dedup_keeps_earliest(crawl_out: Path) -> None:
    summary = ExportSummary()
    kept = dedup_exact(read_records(crawl_out), summary=summary)
    assert summary.dropped == {"exact_duplicate": 1}
    assert "https://wire.example/fed" in ids(kept) and "https://partner.example/copy" not in ids(kept)


def test_near_dedup_drops_the_edited_copy_keeps_the_earliest(crawl_out: Path) -> None:
    summary = ExportSummary()
    records = collect(crawl_out, dedup="near", threshold=0.7, summary=summary)
    assert summary.dropped == {"exact_duplicate": 1, "near_duplicate": 2, "unreadable": 2}
    # the edited copy's id sorts first, but the wire original was published earlier
    assert ids(records) == ["https://wire.example/fed", "https://news.example/floods"]


def test_near_dedup_threshold(crawl_out: Path) -> None:
    records = list(read_records(crawl_out))
    assert len(dedup_near(records, threshold=0.99)) == 4  # only the exact copy is that close
    assert len(dedup_near(records, threshold=0.7)) == 2


def test_date_filters(crawl_out: Path) -> None:
    summary = ExportSummary()
    kept = list(
        filter_dates(
            read_records(crawl_out), since=dt.date(2024, 3, 6), until=dt.date(2024, 4, 30), summary=summary
        )
    )
    # dates are compared as written: 2024-04-30T23:30-04:00 is April 30 where it was published
    assert sorted(ids(kept)) == ["https://aaa.example/edited", "https://news.example/floods"]
    assert summary.dropped == {"before_since": 2, "undated": 1}


def test_jsonl_order_and_schema_keys(crawl_out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "export.jsonl"
    summary = export(crawl_out, dest, dedup="none")
    lines = [json.loads(line) for line in dest.read_text().splitlines()]
    assert summary.written == len(lines) == 5
    assert [list(line) for line in lines] == [DATASET_SCHEMA.names] * 5
    # by published instant (UTC), undated last
    assert ids(lines) == [
        "https://wire.example/fed",
        "https://partner.example/copy",
        "https://aaa.example/edited",
        "https://news.example/floods",
        "https://news.example/undated",
    ]


def test_parquet_schema_and_partitions(crawl_out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "parquet"
    summary = export(crawl_out, dest, fmt="parquet", dedup="exact")
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*.parquet"))
    assert files == [
        "published_month=2024-03/part-00000.parquet",
        "published_month=2024-04/part-00000.parquet",
        "published_month=unknown/part-00000.parquet",
    ]
    assert summary.written == 4
    for name in files:
        assert pq.read_schema(dest / name).equals(DATASET_SCHEMA)
    table = ds.dataset(dest, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 4
    row = table.filter(ds.field("url") == "https://news.example/floods").to_pylist()[0]
    assert row["published_month"] == "2024-04"
    assert row["images"] == [
        {"url": "https://news.example/floods/a.jpg", "caption": "A caption", "credit": None}
    ]
    assert row["authors"] == ["Jo Smith"] and row["warc_record_id"] is None


def test_two_runs_are_byte_identical(crawl_out: Path, tmp_path: Path) -> None:
    for fmt in ("jsonl", "parquet"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        export(crawl_out, first, fmt=fmt, dedup="near")
        export(crawl_out, second, fmt=fmt, dedup="near")
        if fmt == "jsonl":
            assert first.read_bytes() == second.read_bytes()
        else:
            a = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
            b = {p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()}
            assert a == b and a


def test_parquet_rerun_replaces_old_partitions(crawl_out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "pq"
    export(crawl_out, dest, fmt="parquet", dedup="none")
    export(crawl_out, dest, fmt="parquet", dedup="none", since=dt.date(2024, 4, 1))
    assert sorted(p.name for p in dest.iterdir()) == ["published_month=2024-04"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_warc_provenance_columns(tmp_path: Path) -> None:
    line = rec(
        "https://x.example/1",
        WIRE,
        "2024-01-02",
        warc_record_id="<urn:uuid:1>",
        warc_date="2024-01-03T00:00:00Z",
    )
    src = tmp_path / "warc.jsonl"
    src.write_text(json.dumps(line) + "\n")
    export(src, tmp_path / "pq", fmt="parquet")
    row = ds.dataset(tmp_path / "pq", partitioning="hive").to_table().to_pylist()[0]
    assert (row["warc_record_id"], row["warc_date"]) == ("<urn:uuid:1>", "2024-01-03T00:00:00Z")


def test_cli_export_prints_counts(
    crawl_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["export", str(crawl_out), "--dedup", "near", "--threshold", "0.7", "--since", "2024-01-01"])
    assert rc == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    assert "7 in, 2 out" in captured.err
    assert (
        "exact_duplicate 1" in captured.err
        and "near_duplicate 1" in captured.err
        and "undated 1" in captured.err
    )
    assert main(["export", str(crawl_out), "--format", "parquet"]) == 2
    with pytest.raises(SystemExit):
        main(["export", str(crawl_out), "--since", "March"])


def test_export_of_a_crawl_folder_reads_records_only(tmp_path: Path, capsys, caplog) -> None:
    """runs.jsonl, the state, the lock and temporary files are the crawl's own, not input: no warnings."""
    from scraper.config import Config, CrawlConfig, FetchConfig, SourceConfig
    from scraper.crawl import crawl
    from tests.servers import LocalServer
    from tests.test_crawl_site import article_html

    out = tmp_path / "out"
    with LocalServer() as server:
        for n in (1, 2):
            server.route(f"/a/{n}", lambda r, n=n: (200, {"Content-Type": "text/html"}, article_html(n)))
        config = Config(
            fetch=FetchConfig(allow_private=True),
            crawl=CrawlConfig(out=str(out), delay=0.0),
            sources=(SourceConfig(type="urls", urls=(server.url("/a/1"), server.url("/a/2"))),),
        )
        assert crawl(config).written == 2
        assert crawl(config).written == 0  # a second run: two lines in runs.jsonl
    (out / "2026" / ".stray.json.1234.tmp").write_text("{half")
    assert (out / "runs.jsonl").exists() and (out / ".scraper-state.sqlite").exists()
    caplog.clear()
    assert main(["export", str(out), "-o", str(tmp_path / "all.jsonl")]) == 0
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["scraper: export: 2 in, 2 out; dropped: none"]


def test_every_line_written_validates_against_the_schema(tmp_path: Path, capsys) -> None:
    """extract-warc and export lines carry warc_record_id and warc_date: the shipped schema allows them."""
    import jsonschema

    from scraper.record import record_schema
    from tests.test_warc import build_warc

    validator = jsonschema.Draft202012Validator(record_schema())
    warc = tmp_path / "a.warc.gz"
    build_warc(warc, pages=3)
    assert main(["extract-warc", str(warc), "-o", str(tmp_path / "w.jsonl"), "--workers", "1"]) == 0
    assert main(["export", str(tmp_path / "w.jsonl"), "-o", str(tmp_path / "e.jsonl")]) == 0
    lines = [
        json.loads(line)
        for name in ("w.jsonl", "e.jsonl")
        for line in (tmp_path / name).read_text().splitlines()
    ]
    assert len(lines) == 6 and all(line["warc_record_id"] for line in lines)
    for line in lines:
        validator.validate(line)
    wrong = dict(lines[0], warc_date=5)
    assert not validator.is_valid(wrong)  # the new keys are typed, not a hole in the schema
