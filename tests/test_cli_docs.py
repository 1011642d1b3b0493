"""Docs that cannot drift: every option of every verb is in the README (or a doc it links), every option the
docs show exists on the verb they show it with, and each verb imports only what it needs."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.cli import FETCHING_VERBS, VERBS, build_parser, main
from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
_LINKED = re.compile(r"\bdocs/[\w.-]+\.md\b")
_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
_SPAN = re.compile(r"`([^`\n]+)`")


def docs() -> dict[str, str]:
    """The README and the docs it links to, by name."""
    text = README.read_text(encoding="utf-8")
    out = {"README.md": text}
    for name in sorted(set(_LINKED.findall(text))):
        out[name] = (REPO_ROOT / name).read_text(encoding="utf-8")
    return out


def verb_options() -> dict[str, set[str]]:
    """Option strings per verb ("" for the top-level parser)."""
    parser = build_parser()
    out = {"": {s for a in parser._actions for s in a.option_strings}}
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for verb, p in sub.choices.items():
        out[verb] = {s for a in p._actions for s in a.option_strings}
    return out


def command_lines(text: str) -> list[str]:
    """Command lines shown in the docs: indented code lines and code spans that run ``scraper``."""
    lines = [line.strip() for line in text.splitlines() if line.startswith("    ")]
    lines += _SPAN.findall(text)
    return [line for line in lines if line.startswith("scraper ")]


def test_every_option_of_every_verb_is_documented() -> None:
    text = "\n".join(docs().values())
    documented = set(_OPTION.findall(text))
    missing = []
    for verb, options in verb_options().items():
        for option in options:
            if option not in documented:
                missing.append(f"{verb or 'scraper'} {option}")
    assert not missing, f"options not in the README or a doc it links: {missing}"
    assert set(VERBS) <= {m.split()[1] for m in re.findall(r"scraper [a-z-]+", text)}


def test_every_documented_option_exists_on_its_verb() -> None:
    options = verb_options()
    wrong = []
    for name, text in docs().items():
        for line in command_lines(text):
            words = line.split()
            verb = words[1] if len(words) > 1 and words[1] in options else ""
            for option in _OPTION.findall(line.split(" #")[0]):
                if option not in options[verb] | options[""]:
                    wrong.append(f"{name}: {line!r}: {option}")
        # a lone option in a code span (`--workers N`, `-c/--config FILE`) must exist on some verb
        for span in _SPAN.findall(text):
            if re.match(r"-{1,2}[a-zA-Z]", span):
                for option in _OPTION.findall(span):
                    if not any(option in opts for opts in options.values()):
                        wrong.append(f"{name}: `{span}`: {option}")
    assert not wrong, wrong


def test_the_docs_check_catches_an_undocumented_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from scraper.commands import crawl

    original = crawl.add_parser

    def with_extra(sub, name, parents):  # type: ignore[no-untyped-def]
        p = original(sub, name, parents)
        p.add_argument("--brand-new-option")
        return p

    monkeypatch.setattr(crawl, "add_parser", with_extra)
    with pytest.raises(AssertionError, match="crawl --brand-new-option"):
        test_every_option_of_every_verb_is_documented()


def test_allow_private_only_on_verbs_that_fetch() -> None:
    options = verb_options()
    assert {verb for verb, opts in options.items() if "--allow-private" in opts} == FETCHING_VERBS
    assert {"extract", "crawl", "discover"} == FETCHING_VERBS
    with pytest.raises(SystemExit) as info:
        main(["export", "out", "--allow-private"])
    assert info.value.code == 2


def test_choices_spelled_out_in_the_cli_match_the_library() -> None:
    from scraper import dataset, engine
    from scraper.commands import export, warc

    assert export.FORMATS == dataset.FORMATS and export.DEDUP_MODES == dataset.DEDUP_MODES
    assert warc.ENGINES == engine.ENGINES


_PROBE = """
import json, sys
from scraper.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\\n" + json.dumps(sorted(sys.modules)), file=sys.stderr)
raise SystemExit(code)
"""
HEAVY = ("pyarrow", "numpy", "dask", "distributed", "datasketch", "fsspec", "warcio")


def _imported(*argv: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return {m.split(".")[0] for m in json.loads(proc.stderr.strip().splitlines()[-1])}


def test_each_verb_imports_only_what_it_needs(tmp_path: Path) -> None:
    page = str(REPO_ROOT / "fixtures" / "pages" / "sbs-north-korea.html")
    extract_modules = _imported("extract", page, "-f", "text")
    assert not extract_modules & {*HEAVY, "requests", "tenacity", "feedparser", "tqdm"}, extract_modules & {
        *HEAVY,
        "requests",
        "tenacity",
        "feedparser",
        "tqdm",
    }
    assert "lxml" in extract_modules  # the probe sees imports at all
    # --help of the command and of a verb: no extractor, no fetcher
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from scraper.cli import build_parser; "
            "build_parser(); print(' '.join(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = {m.split(".")[0] for m in proc.stdout.split()}
    assert not loaded & {*HEAVY, "lxml", "readability", "requests", "tqdm", "w3lib"}
