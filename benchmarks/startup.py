"""Start-up cost of the command line: wall time and peak RSS of short commands, beside trafilatura's CLI.

Each command runs ``--repeat`` times as a fresh process (after one untimed warm-up run, so the files are
in the page cache for every system alike); the table shows the median and the minimum wall time and the
median peak RSS (``ru_maxrss`` of that child, from ``os.wait4``). All systems are measured in the same run.

    python benchmarks/startup.py [--repeat 7] [--page fixtures/pages/sbs-north-korea.html]

Target (issue 12): ``scraper --help`` and ``scraper extract PAGE`` under 0.3 s and 60 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS, TARGET_MB = 0.3, 60.0


def _script(name: str) -> str | None:
    """The console script installed beside this interpreter (the venv's), else one on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def run_once(argv: list[str], stdin_path: Path | None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit status) of one run of ``argv``."""
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting
    finally:
        if stdin_path:
            stdin.close()  # type: ignore[union-attr]
    return wall, usage.ru_maxrss / 1024, proc.returncode


def measure(argv: list[str], repeat: int, stdin_path: Path | None = None) -> dict[str, float]:
    run_once(argv, stdin_path)  # warm-up
    walls, rss, codes = [], [], set()
    for _ in range(repeat):
        wall, mb, code = run_once(argv, stdin_path)
        walls.append(wall)
        rss.append(mb)
        codes.add(code)
    return {"median": statistics.median(walls), "min": min(walls), "rss": statistics.median(rss),
            "exit": max(codes)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per command (default 7)")
    parser.add_argument("--page", type=Path, default=ROOT / "fixtures/pages/sbs-north-korea.html")
    args = parser.parse_args()

    ours = _script("scraper")
    if ours is None:
        print("the scraper command is not installed: pip install -e .", file=sys.stderr)
        return 2
    rows: list[tuple[str, list[str], Path | None]] = [
        ("scraper --help", [ours, "--help"], None),
        ("scraper extract PAGE", [ours, "extract", str(args.page)], None),
        ("scraper extract PAGE -f text", [ours, "extract", str(args.page), "-f", "text"], None),
    ]
    theirs = _script("trafilatura")
    if theirs is not None:
        rows += [
            ("trafilatura --help", [theirs, "--help"], None),
            ("trafilatura --json < PAGE", [theirs, "--json"], args.page),
        ]
    else:
        print("(trafilatura not installed: pip install -e '.[bench]' to compare)", file=sys.stderr)

    print(f"{len(rows)} commands, {args.repeat} runs each; page {args.page.name}; "
          f"target {TARGET_SECONDS} s, {TARGET_MB:.0f} MB for ours")
    print(f"| {'command':<30} | wall median s | wall min s | peak RSS MB | exit |")
    print(f"|{'-' * 32}|---------------|------------|-------------|------|")
    for label, argv, stdin_path in rows:
        m = measure(argv, args.repeat, stdin_path)
        print(f"| {label:<30} | {m['median']:13.3f} | {m['min']:10.3f} | {m['rss']:11.1f} | {m['exit']:4d} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
