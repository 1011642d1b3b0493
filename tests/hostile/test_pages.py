"""Hostile pages: each gives a record or our own clear error, within 5 s of CPU and 500 MB, never a traceback.

Every case runs ``scraper.extract`` in a child process with its address space capped at 500 MB
(``RLIMIT_AS``) and a wall-clock timeout, and reports its outcome, CPU time and peak memory.
``python -m tests.hostile.test_pages`` prints the table of cases used in ``tests/hostile/README.md``.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest

from scraper.record import record_schema

ROOT = Path(__file__).resolve().parents[2]
CPU_LIMIT_S = 5.0
MEMORY_LIMIT_MB = 500
WALL_TIMEOUT_S = 60  # a hang guard only: CPU time is what is asserted (the test machines are shared)

PARAGRAPHS = (
    "The city council voted on Tuesday night to approve a budget of 4.2 billion dollars for the coming "
    "financial year, after a debate that lasted more than six hours.",
    "Councillors who opposed the plan said the rise in parking fees would hurt small shops in the centre, "
    "while supporters pointed to the new money set aside for libraries and parks.",
    "The mayor said the vote showed that the council could still agree on hard choices, and promised a "
    "review of the parking fees before the end of the summer.",
    "Residents will be able to comment on the details of the spending plan at three public meetings to be "
    "held in March, the council said in a statement.",
)
ARTICLE = "<h1>Council passes budget</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>Council passes budget</title>{head}</head><body>{body}</body></html>"


# The child: extract one saved input and report the outcome as one JSON line.
CHILD = r"""
import json, resource, sys, time, traceback
limit = int(sys.argv[1]) * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from scraper import extract
from scraper.errors import ScraperError
from scraper.write import record_json
for spec in sys.argv[2:]:
    mode, _, path = spec.partition(":")
    data = open(path, "rb").read()
    if mode == "str":
        data = data.decode("utf-8", "surrogatepass")
    start, cpu0 = time.perf_counter(), time.process_time()
    try:
        article = extract(data, "https://news.example/2024/budget")
        out = {"outcome": "record", "record": json.loads(record_json(article))}
    except ScraperError as exc:
        out = {"outcome": "error", "type": type(exc).__name__, "message": str(exc)}
    except BaseException as exc:
        out = {"outcome": "crash", "type": type(exc).__name__, "message": traceback.format_exc()[-2000:]}
    del data
    out["seconds"] = time.perf_counter() - start
    out["cpu"] = time.process_time() - cpu0
    # VmHWM (peak so far), not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
    status = open("/proc/self/status").read()
    out["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps(out), flush=True)
"""


@dataclass(frozen=True)
class Case:
    """A hostile input and the outcome it must give."""

    name: str
    build: Callable[[], bytes]
    expect: str  # "record" or "error"
    message: str = ""  # for errors: a phrase the message must hold
    contains: tuple[str, ...] = ()  # for records: texts the body must hold
    whole: bool = False  # for records: the body is exactly the article's paragraphs
    as_text: bool = False  # pass the page to extract() as str instead of bytes
    note: str = field(default="", compare=False)


def _random_bytes(n: int, seed: int = 5) -> bytes:
    return random.Random(seed).randbytes(n)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (64).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"".join(b"\x00" + _random_bytes(192, y) for y in range(64)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _nested(depth: int, *, closed: bool = True, tag: str = "div") -> bytes:
    inner = f"<{tag}>" * depth + ARTICLE + (f"</{tag}>" * depth if closed else "")
    return page(inner).encode()


def _text_at_every_level() -> bytes:
    return page("".join(f"<div>level{i} " for i in range(50_000)) + ARTICLE).encode()


def _big_page(size: int) -> bytes:
    unit = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return page(unit * (size // len(unit) + 1)).encode()


def _xhtml_bom() -> bytes:
    return (
        b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\n'
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><head><title>Council passes budget</title>'
        b"</head><body>" + ARTICLE.encode() + b"<p>Caf\xc3\xa9 owners welcomed it.</p></body></html>"
    )


CASES = (
    Case(
        "nul-bytes",
        lambda: page(ARTICLE.replace("council", "coun\x00cil")).encode(),
        "record",
        contains=("The city council voted",),
    ),
    Case(
        "nul-entities",
        lambda: page(ARTICLE.replace("council", "coun&#0;cil")).encode(),
        "record",
        contains=("The city council voted",),
    ),
    Case("nesting-300", lambda: _nested(300), "record", whole=True),
    Case("nesting-100000", lambda: _nested(100_000), "record", whole=True),
    Case("nesting-100000-unclosed", lambda: _nested(100_000, closed=False), "record", whole=True),
    Case("nesting-100000-as-str", lambda: _nested(100_000), "record", whole=True, as_text=True),
    Case(
        "nesting-30000-tables",
        lambda: _nested(30_000, closed=False, tag="table><tr><td"),
        "record",
        whole=True,
    ),
    Case(
        "nesting-100000-links", lambda: _nested(100_000, closed=False, tag="a href='#'"), "record", whole=True
    ),
    Case("nesting-50000-text-every-level", _text_at_every_level, "record", contains=("level49999",)),
    Case(
        "attribute-5mb",
        lambda: page(f'<div class="{"a" * 5_000_000}">{ARTICLE}</div>').encode(),
        "record",
        whole=True,
    ),
    Case(
        "attributes-200000",
        lambda: page("<div " + " ".join(f"a{i}=x" for i in range(200_000)) + f">{ARTICLE}</div>").encode(),
        "record",
        whole=True,
    ),
    Case(
        "text-5mb-one-word",
        lambda: page(ARTICLE + "<p>" + "x" * 5_000_000 + "</p>").encode(),
        "record",
        contains=PARAGRAPHS,
    ),
    Case(
        "paragraphs-50000",
        lambda: page(
            "".join(
                f"<p>Paragraph {i}: the council met again on Tuesday to discuss the budget and roads.</p>"
                for i in range(50_000)
            )
        ).encode(),
        "record",
        contains=("Paragraph 0:", "Paragraph 49999:"),
    ),
    Case("page-50mb", lambda: _big_page(50_000_000), "error", message="page too large"),
    Case("page-50mb-as-str", lambda: _big_page(50_000_000), "error", message="page too large", as_text=True),
    Case("empty-bytes", lambda: b"", "error", message="no article found"),
    Case("whitespace-only", lambda: b" \n\t " * 1000, "error", message="no article found"),
    Case("empty-body", lambda: page("").encode(), "error", message="no article found"),
    Case("random-bytes", lambda: _random_bytes(200_000), "error", message="not HTML"),
    Case("png-as-html", _png, "error", message="not HTML"),
    Case("gzip-as-html", lambda: gzip.compress(page(ARTICLE).encode()), "error", message="not HTML"),
    Case("pdf-as-html", lambda: b"%PDF-1.7\n" + _random_bytes(50_000), "error", message="not HTML"),
    Case("utf16-without-bom", lambda: page(ARTICLE).encode("utf-16-le"), "error", message="not HTML"),
    Case(
        "utf8-declared-cp1252-bytes",
        lambda: page(
            ARTICLE.replace("budget of", "budget — of caf\u00e9s’"), '<meta charset="utf-8">'
        ).encode("cp1252"),
        "record",
        contains=("budget — of cafés’",),
    ),
    Case(
        "utf8-and-cp1252-mixed",
        lambda: (
            page(ARTICLE, '<meta charset="utf-8">')
            .encode()
            .replace(b"budget of", "budget \u00e9t\u00e9 ".encode() + "caf\u00e9".encode("cp1252") + b" of")
        ),
        "record",
        contains=("budget été café of",),
    ),
    Case(
        "unknown-charset-name",
        lambda: page(ARTICLE, '<meta charset="x-foobar">').encode(),
        "record",
        whole=True,
    ),
    Case(
        "unknown-charset-xml",
        lambda: b'<?xml version="1.0" encoding="x-nonsense"?>' + page(ARTICLE).encode(),
        "record",
        whole=True,
    ),
    Case("utf16-with-bom", lambda: page(ARTICLE).encode("utf-16"), "record", whole=True),
    Case(
        "frameset",
        lambda: (
            b'<html><head><title>Frames</title></head><frameset cols="50%,50%">'
            b'<frame src="a.html"><frame src="b.html"></frameset></html>'
        ),
        "error",
        message="no article found",
    ),
    Case("xhtml-xml-declaration-bom", _xhtml_bom, "record", contains=(*PARAGRAPHS, "Café owners")),
    Case(
        "all-script",
        lambda: ("<script>" + "var x = '<p>not text</p>';" * 20_000 + "</script>").encode(),
        "error",
        message="no article found",
    ),
    Case(
        "lone-surrogate-entity",
        lambda: page(ARTICLE.replace("budget of", "budget &#xD800; of")).encode(),
        "record",
        contains=("budget \ufffd of",),
    ),
    Case(
        "lone-surrogate-str",
        lambda: page(ARTICLE.replace("budget of", "budget \ud800 of")).encode("utf-8", "surrogatepass"),
        "record",
        contains=("budget \ufffd of",),
        as_text=True,
    ),
    Case(
        "terminal-escapes",
        lambda: page(
            ARTICLE.replace("council", "coun\x1b[31mcil\x1b]0;owned\x07&#27;[2J"),
            '<meta name="author" content="Eve\x1b[5m &#x9b;1m">',
        ).encode(),
        "record",
        contains=("The city council",),
    ),
    Case(
        "tag-soup",
        lambda: page("<" * 1_000_000 + "<a<b<c" * 100_000 + ARTICLE).encode(),
        "record",
        contains=PARAGRAPHS,
    ),
    Case(
        "entities-500000",
        lambda: page(ARTICLE + "<p>" + "&amp;" * 500_000 + "</p>").encode(),
        "record",
        contains=PARAGRAPHS,
    ),
)


def run_cases(cases: tuple[Case, ...], tmp: Path) -> dict[str, dict]:
    """Run every case in capped child processes, two at a time; the child's report per case.

    Inputs over 1 MB get a child of their own, so their peak memory is their own; the small ones share one.
    """
    batches: list[list[tuple[Case, Path]]] = [[]]
    for case in cases:
        path = tmp / f"{case.name}.html"
        path.write_bytes(case.build())
        if path.stat().st_size > 1_000_000:
            batches.append([(case, path)])
        else:
            batches[0].append((case, path))
    reports: dict[str, dict] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for result in pool.map(_run_batch, batches):
            reports.update(result)
    return reports


def _run_batch(batch: list[tuple[Case, Path]]) -> dict[str, dict]:
    specs = [f"{'str' if case.as_text else 'bytes'}:{path}" for case, path in batch]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(MEMORY_LIMIT_MB), *specs],
        capture_output=True,
        text=True,
        timeout=WALL_TIMEOUT_S,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    lines = proc.stdout.splitlines()
    died = {
        "outcome": "crash",
        "message": f"child died ({proc.returncode}): {proc.stderr[-2000:]}",
        "cpu": 0.0,
        "seconds": 0.0,
        "peak_mb": 0.0,
    }
    return {case.name: json.loads(lines[i]) if i < len(lines) else died for i, (case, _) in enumerate(batch)}


def check(case: Case, report: dict) -> None:
    """Assert the outcome the case requires."""
    assert report["outcome"] != "crash", report["message"]
    assert report["cpu"] < CPU_LIMIT_S, f"{case.name}: {report['cpu']:.1f} s of CPU"
    assert report["peak_mb"] < MEMORY_LIMIT_MB
    assert report["outcome"] == case.expect, report
    if case.expect == "error":
        assert report["type"] == "ExtractionError"
        assert case.message in report["message"]
        assert "\n" not in report["message"]
        return
    record = report["record"]
    jsonschema.validate(record, record_schema())
    body = record["body"]
    for text in case.contains:
        assert text in body
    if case.whole:
        assert body == "\n\n".join(PARAGRAPHS)
    for value in (body, record["title"] or "", *record["authors"]):
        assert not any(ord(ch) < 32 and ch not in "\n\t" or 0x7F <= ord(ch) <= 0x9F for ch in value), value


@pytest.fixture(scope="module")
def reports() -> Iterator[dict[str, dict]]:
    with tempfile.TemporaryDirectory() as tmp:
        yield run_cases(CASES, Path(tmp))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_page(case: Case, reports: dict[str, dict]) -> None:
    check(case, reports[case.name])


def test_cli_refuses_50mb_file_in_one_line(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(_big_page(50_000_000))
    gz = tmp_path / "page.html"
    gz.write_bytes(gzip.compress(page(ARTICLE).encode()))
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", "extract", str(big), str(gz)],
        capture_output=True,
        text=True,
        timeout=WALL_TIMEOUT_S,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    # the oversized page is refused in one line; the gzip-compressed saved page is read as the page it holds
    assert proc.stderr.splitlines() == [
        f"scraper: {big}: {big} is larger than the 10000000 byte cap (fetch.max_bytes)"
    ]
    (record,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["body"] == "\n\n".join(PARAGRAPHS)


def main() -> None:  # pragma: no cover - prints the README table
    print("| case | expected | actual | CPU s | wall s | peak MB |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        all_reports = run_cases(CASES, Path(tmp))
        for case in CASES:
            report = all_reports[case.name]
            if report["outcome"] == "record":
                actual = f"record, {report['record']['word_count']} words"
            else:
                actual = f"{report['outcome']}: {report.get('type')}: {report['message'][:60]}"
            expected = (
                "record" + (" (whole body)" if case.whole else "")
                if case.expect == "record"
                else (f'error "{case.message}"')
            )
            print(
                f"| {case.name} | {expected} | {actual} | {report['cpu']:.2f} | {report['seconds']:.2f} "
                f"| {report['peak_mb']:.0f} |"
            )


if __name__ == "__main__":  # pragma: no cover
    main()
