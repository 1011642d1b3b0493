"""The extraction benchmark's own plumbing (benchmarks/extraction.py) on a tiny hand-made bench folder.

Only ``ours`` runs (the peers are an optional extra); the real sets are not needed.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import extraction  # noqa: E402

STORY = [
    "The harbour council voted on Tuesday to rebuild the old stone pier before the winter storms arrive.",
    "Fishermen had asked for the repairs for three years, after a storm tore away part of the wall.",
    "Work will start in March and should take about eight months, the council's engineer said.",
]


def _page(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        "<html><head><title>Pier to be rebuilt</title></head><body><nav><a href='/'>Home</a> "
        "<a href='/news'>News</a></nav><article><h1>Pier to be rebuilt</h1>"
        f"{body}</article><footer>Subscribe to our newsletter for more</footer></body></html>"
    )
    return gzip.compress(html.encode())


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    aeb = tmp_path / "aeb-dev"
    (aeb / "html").mkdir(parents=True)
    (aeb / "html" / "a1.html.gz").write_bytes(_page(STORY))
    (aeb / "ground-truth.json").write_text(
        json.dumps({"a1": {"url": "https://news.example/pier", "articleBody": "\n".join(STORY)}})
    )
    traf = tmp_path / "news-dev" / "trafeval"
    (traf / "html").mkdir(parents=True)
    (traf / "html" / "t1.html.gz").write_bytes(_page(STORY))
    truth = {
        "t1": {
            "url": "https://news.example/pier",
            "body": None,
            "with": ["rebuild the old stone pier", "a sentence the page does not have"],
            "without": ["Subscribe to our newsletter"],
        }
    }
    (traf / "truth.json").write_text(json.dumps(truth))
    return tmp_path


def test_sets_load_in_both_truth_formats(bench: Path) -> None:
    (aeb,) = extraction.load_set("aeb", bench)
    assert aeb.body == "\n".join(STORY) and not aeb.snippets and aeb.path.is_file()
    (traf,) = extraction.load_set("trafeval", bench)
    assert traf.snippets and traf.body is None and len(traf.with_) == 2 and traf.without
    assert extraction.load_set("aeb", bench, only=["zz"]) == []
    with pytest.raises(extraction.BenchError, match="fundus"):
        extraction.load_set("fundus", bench)


@pytest.mark.parametrize(
    ("declared", "encoding", "text"),
    [
        ("utf-8", "utf-8", "Grüße aus Zürich"),
        ("iso-8859-1", "windows-1252", "Grüße aus Zürich \u201cnow\u201d"),  # read as browsers do
        ("gb2312", "gb2312", "话剧《约定无期限》"),
    ],
)
def test_pages_are_read_in_the_charset_they_declare(
    tmp_path: Path, declared: str, encoding: str, text: str
) -> None:
    html = f'<html><head><meta charset="{declared}"><title>x</title></head><body><p>{text}</p></body></html>'
    path = tmp_path / "p.html.gz"
    path.write_bytes(gzip.compress(html.encode(encoding)))
    assert text in extraction.read_html(path)


def test_quality_run_json_compare_and_failures(
    bench: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "run.json"
    common = ["--bench", str(bench), "--sets", "aeb,trafeval", "--systems", "ours", "--no-cpu", "--jobs", "1"]
    assert extraction.main([*common, "--json", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "| aeb (1) | 1.000 |" in out  # the story is the whole article: exact
    assert "| trafeval (1, snippet F1) | 0.667 |" in out  # one of two found, nothing leaked: 2/(2+0+1)
    data = json.loads(saved.read_text())
    page = data["sets"]["trafeval"]["systems"]["ours"]["pages"]["t1"]
    assert (page["tp"], page["fn"], page["fp"]) == (1, 1, 0)
    assert page["missed"] == ["a sentence the page does not have"]

    # a saved run where the aeb page scored worse: the comparison shows the gain, page by page
    data["sets"]["aeb"]["systems"]["ours"]["pages"]["a1"].update(precision=0.5, recall=0.5, f1=0.5)
    saved.write_text(json.dumps(data))
    assert extraction.main([*common, "--compare", str(saved), "--failures", "1"]) == 0
    out = capsys.readouterr().out
    assert "0.500 -> 1.000 (+0.500)" in out
    assert "gained most: a1" in out
    assert 'missed:  "a sentence the page does not have"' in out
    assert "lost:    -" in out and "leaked:  -" in out


def test_bad_arguments_exit_2_with_one_line(bench: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert extraction.main(["--bench", str(bench), "--sets", "aeb", "--only", "nothing"]) == 2
    assert capsys.readouterr().err.strip() == "extraction.py: no page id starts with any of nothing"
    assert extraction.main(["--bench", str(bench), "--sets", "naeb"]) == 2
    assert capsys.readouterr().err.startswith("extraction.py: cannot read the truth of set naeb")
    with pytest.raises(SystemExit) as exc:
        extraction.main(["--sets", "nope"])
    assert exc.value.code == 2 and "unknown set(s) nope" in capsys.readouterr().err


def test_timing_pairs_ours_with_each_peer() -> None:
    assert extraction.timing_groups(["ours", "trafilatura", "readability"]) == [
        ("ours", "trafilatura"),
        ("ours", "readability"),
    ]
    assert extraction.timing_groups(["ours"]) == [("ours",)]
    assert extraction.timing_groups(["trafilatura"]) == [("trafilatura",)]


def test_interleaved_timing_gives_one_figure_per_page(bench: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extraction, "_quiet", lambda: None)  # meant for worker processes: it silences logging
    (page,) = extraction.load_set("aeb", bench)
    result = extraction.run_timing(("ours",), [(str(page.path), page.url)] * 2, repeat=2)
    assert result.unavailable is None and len(result.cpu_ms["ours"]) == 2
    assert all(ms > 0 for ms in result.cpu_ms["ours"])


def test_synthetic_page_is_just_under_the_page_cap() -> None:
    html = extraction.synthetic_page()
    assert 9_000_000 < len(html.encode()) <= 9_900_000 < 10_000_000
    assert html.endswith("</html>") and html.count("<h2>") > 1000
