"""Start-up cost of the command line: wall time and peak RSS of short commands, beside trafilatura's CLI.

Each command runs ``--repeat`` times as a fresh process (after one untimed warm-up run, so the files are
in the page cache for every system alike); the table shows the median and the minimum wall time, the
median CPU time (user + system) and the median peak RSS (``ru_maxrss``), both of that child, from
``os.wait4``. All systems are measured in the same run. On a busy machine wall time mostly measures the
other processes; CPU time much less so.

    python benchmarks/startup.py [--repeat 7] [--page fixtures/pages/sbs-north-korea.html] [--compare DIR]

``--compare DIR`` adds the same scraper commands run from another checkout (``git worktree add DIR REV``),
e.g. the revision before a change, in the same sitting: its package is imported from DIR (PYTHONPATH),
started as the console script starts ours (``python -P``: the current folder is not on the path).

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


def run_once(
    argv: list[str], stdin_path: Path | None, env: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MB, exit status) of one run of ``argv``."""
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting
    finally:
        if stdin_path:
            stdin.close()  # type: ignore[union-attr]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def measure(
    argv: list[str], repeat: int, stdin_path: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, float]:
    run_once(argv, stdin_path, env)  # warm-up
    walls, cpus, rss, codes = [], [], [], set()
    for _ in range(repeat):
        wall, cpu, mb, code = run_once(argv, stdin_path, env)
        walls.append(wall)
        cpus.append(cpu)
        rss.append(mb)
        codes.add(code)
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "cpu": statistics.median(cpus),
        "rss": statistics.median(rss),
        "exit": max(codes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per command (default 7)")
    parser.add_argument("--page", type=Path, default=ROOT / "fixtures/pages/sbs-north-korea.html")
    parser.add_argument(
        "--compare", type=Path, metavar="DIR", help="another checkout of scraper to measure too"
    )
    args = parser.parse_args()

    ours = _script("scraper")
    if ours is None:
        print("the scraper command is not installed: pip install -e .", file=sys.stderr)
        return 2
    rows: list[tuple[str, list[str], Path | None, dict[str, str] | None]] = [
        ("scraper --help", [ours, "--help"], None, None),
        ("scraper extract PAGE", [ours, "extract", str(args.page)], None, None),
        ("scraper extract PAGE -f text", [ours, "extract", str(args.page), "-f", "text"], None, None),
    ]
    if args.compare:
        env = {**os.environ, "PYTHONPATH": str(args.compare.resolve())}
        start = [
            sys.executable,
            "-P",
            "-c",
            "import sys; from scraper.cli import main; sys.argv[0] = 'scraper'; sys.exit(main())",
        ]
        name = args.compare.name
        rows += [
            (f"{name}: scraper --help", [*start, "--help"], None, env),
            (f"{name}: scraper extract PAGE", [*start, "extract", str(args.page)], None, env),
        ]
    theirs = _script("trafilatura")
    if theirs is not None:
        rows += [
            ("trafilatura --help", [theirs, "--help"], None, None),
            ("trafilatura --json < PAGE", [theirs, "--json"], args.page, None),
        ]
    else:
        print("(trafilatura not installed: pip install -e '.[bench]' to compare)", file=sys.stderr)

    print(
        f"{len(rows)} commands, {args.repeat} runs each; page {args.page.name}; "
        f"target {TARGET_SECONDS} s, {TARGET_MB:.0f} MB for ours"
    )
    print(f"| {'command':<36} | wall median s | wall min s | CPU median s | peak RSS MB | exit |")
    print(f"|{'-' * 38}|---------------|------------|--------------|-------------|------|")
    for label, argv, stdin_path, env in rows:
        m = measure(argv, args.repeat, stdin_path, env)
        print(
            f"| {label:<36} | {m['median']:13.3f} | {m['min']:10.3f} | {m['cpu']:12.3f} | {m['rss']:11.1f} "
            f"| {m['exit']:4d} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
