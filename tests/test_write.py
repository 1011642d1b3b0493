"""scraper.write: record JSON, renderings, atomic ID.json files and whole-line JSON Lines."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from scraper.errors import OutputError
from scraper.record import Article, Image, make_id
from scraper.write import append_csv, append_jsonl, atomic_write_bytes, record_json, render, write_record


def article(n: int = 0, **changes: object) -> Article:
    body = f"First paragraph {n}.\n\nSecond paragraph."
    values: dict[str, object] = dict(
        id=make_id(f"https://example.com/{n}"),
        url=f"https://example.com/{n}",
        final_url=None,
        canonical_url=None,
        title="Title",
        description=None,
        authors=("Ann Lee",),
        published="2024-01-02",
        modified=None,
        section=None,
        tags=(),
        language="en",
        site_name=None,
        images=(Image("https://e.com/i.jpg", "Cap", None),),
        body=body,
        word_count=len(body.split()),
        content_hash="0" * 64,
        fetched_at=None,
        extractor={"name": "scraper", "version": "0"},
        blocks=(("p", f"First paragraph {n}."), ("li", "one"), ("li", "two"), ("quote", "Said.")),
    )
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


def test_record_json_is_utf8_text_in_schema_order() -> None:
    text = record_json(article(title="Café ☕"))
    assert "Café ☕" in text and "\\u" not in text
    assert list(json.loads(text))[:3] == ["schema_version", "id", "url"]
    assert "\n" in record_json(article(), indent=2) and "\n" not in record_json(article())


def test_record_json_replaces_lone_surrogates_and_refuses_nan() -> None:
    assert json.loads(record_json(article(title="a\ud800b")))["title"] == "a\ufffdb"
    assert json.loads(record_json({"x": ["\udfff"]})) == {"x": ["\ufffd"]}
    with pytest.raises(OutputError, match="not valid JSON"):
        record_json({"x": float("nan")})


def test_render_formats() -> None:
    a = article()
    assert json.loads(render(a, "json")) == json.loads(render(a, "jsonl")) == a.to_dict()
    assert render(a, "text") == f"Title\n\n{a.body}"
    assert render(a, "markdown") == "# Title\n\nFirst paragraph 0.\n\n- one\n- two\n\n> Said.\n"
    with pytest.raises(ValueError, match="unknown format"):
        render(a, "xml")


def test_write_record_replaces_its_own_file_atomically(tmp_path: Path) -> None:
    first = write_record(article(title="Old"), tmp_path / "out")
    second = write_record(article(title="New"), tmp_path / "out")
    other = write_record(article(1), tmp_path / "out")
    assert first == second != other
    assert first.name == f"{article().id}.json"
    assert json.loads(first.read_text(encoding="utf-8"))["title"] == "New"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([first.name, other.name])


@pytest.mark.parametrize("bad", ["../x", "", "a" * 31, "g" * 32, "0" * 32 + "/", "/" + "0" * 31])
def test_write_record_refuses_ids_that_could_name_another_file(bad: str, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="not a record id"):
        write_record(article(id=bad), tmp_path)


def test_atomic_write_reports_os_errors_as_output_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write_bytes(blocker / "sub" / "r.json", b"{}")
    assert blocker.read_text() == "x"


def test_append_jsonl_appends_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "all.jsonl"
    assert append_jsonl([article(0), article(1)], path) == 2
    assert append_jsonl([article(2)], path) == 1
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert ids == [article(n).id for n in range(3)]


def test_append_jsonl_cuts_a_partial_line_left_by_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "all.jsonl"
    append_jsonl([article(0)], path)
    with path.open("ab") as fh:
        fh.write(b'{"id": "half a rec')
    append_jsonl([article(1)], path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [article(0).id, article(1).id]
    assert "partial last line" in caplog.text


def test_append_jsonl_file_of_only_a_partial_line(tmp_path: Path) -> None:
    path = tmp_path / "all.jsonl"
    path.write_bytes(b"x" * 10_000)
    append_jsonl([article(0)], path)
    assert [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()] == [
        article(0).id
    ]


def test_append_jsonl_to_a_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        append_jsonl([article()], tmp_path)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_files_get_the_mode_the_umask_gives(tmp_path: Path, umask: int, mode: int) -> None:
    """Atomic files and appended files alike: readable by others where the umask says so (not 0600)."""
    old = os.umask(umask)
    try:
        record = write_record(article(1), tmp_path / "files")
        atomic_write_bytes(tmp_path / "plain.bin", b"x")
        append_jsonl([article(2)], tmp_path / "lines.jsonl")
        append_csv([article(3)], tmp_path / "rows.csv")
        page = write_record(article(4), tmp_path / "files", fmt="markdown")
    finally:
        os.umask(old)
    for path in (record, page, tmp_path / "plain.bin", tmp_path / "lines.jsonl", tmp_path / "rows.csv"):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
