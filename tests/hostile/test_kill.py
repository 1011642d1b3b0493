"""SIGKILL at random moments: nothing written is lost, nothing half-written is left, nothing is duplicated.

A crawl process is killed at ``SCRAPER_KILL_RUNS`` (default 100) random moments of its run, as many as
fit in ``SCRAPER_KILL_BUDGET`` seconds (default 60; at least 20 are required). After each
kill: every record file parses and validates against the schema, every JSON Lines line too, the state
database opens and passes ``PRAGMA integrity_check``, and no record id appears twice. Each time a run is
left to finish, the output must hold every article of the site exactly once, with no temporary files.

Starting a Python process that imports the scraper takes about a second here, too slow for 100 kills,
so a "zygote" process imports the scraper once and forks one child per run; the child runs the real
command line (``scraper.cli.main(["crawl", ...])``) and the zygote, its parent, kills it with SIGKILL
after the random delay and reaps it (so no pid is ever signalled after reuse).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("SCRAPER_KILL_RUNS", "100"))
# wall-clock budget for the kills: on a slow or busy machine fewer than KILLS fit; at least 20 must
BUDGET = float(os.environ.get("SCRAPER_KILL_BUDGET", "60"))


def _zygote() -> None:
    """Read ``{"argv": [...], "kill_after": seconds}`` lines; fork a crawl for each; report how it ended."""
    import scraper.cli  # imported once, shared by every forked child
    import scraper.commands.crawl  # noqa: F401
    from scraper.extract import extract
    from tests.test_crawl_site import article_html

    extract(article_html(1), "http://example.test/news/1")  # warm the extractor's lazy set-up too

    for line in sys.stdin:
        order = json.loads(line)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the crawl
            log = os.open(order["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(log, 2)
            try:
                code = scraper.cli.main(order["argv"])
            except BaseException:  # noqa: BLE001 - report, never return into the zygote's loop
                code = 99
            os._exit(code)
        deadline = started + order["kill_after"]
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                result = {"killed": False, "code": os.waitstatus_to_exitcode(status)}
                break
            if time.monotonic() >= deadline:
                os.kill(pid, signal.SIGKILL)  # our own unreaped child: the pid cannot have been reused
                os.waitpid(pid, 0)
                result = {"killed": True, "code": -9}
                break
            time.sleep(0.002)
        result["elapsed"] = time.monotonic() - started
        print(json.dumps(result), flush=True)


if __name__ == "__main__" and sys.argv[1:] == ["--zygote"]:
    sys.path.insert(0, str(REPO))
    _zygote()
    sys.exit(0)

from scraper.record import record_schema  # noqa: E402
from tests.servers import LocalServer  # noqa: E402
from tests.test_crawl_site import NewsSite  # noqa: E402

VALIDATOR = jsonschema.Draft202012Validator(record_schema())


class Zygote:
    def __init__(self, stderr: Path) -> None:
        self.stderr = stderr
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )

    def run(self, argv: list[str], kill_after: float) -> dict:
        """Run a crawl, killed after ``kill_after`` seconds unless it ends first; its stderr kept in a file."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        order = {"argv": argv, "kill_after": kill_after, "stderr": str(self.stderr)}
        self.proc.stdin.write(json.dumps(order) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the zygote died"
        return json.loads(line)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def check_output(out: Path) -> set[str]:
    """Everything on disk is whole and valid; returns the record ids (asserting none is duplicated)."""
    ids: list[str] = []
    for path in out.rglob("*.json"):
        if path.name.startswith("."):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        VALIDATOR.validate(data)
        ids.append(data["id"])
    for path in out.glob("crawl-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            VALIDATOR.validate(data)
            ids.append(data["id"])
    runs = out / "runs.jsonl"
    if runs.exists():
        for line in runs.read_text(encoding="utf-8").splitlines():
            json.loads(line)
    state = out / ".scraper-state.sqlite"
    if state.exists():
        db = sqlite3.connect(state)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            db.execute("SELECT COUNT(*) FROM urls").fetchone()
        except sqlite3.OperationalError as exc:  # killed before the schema was created: still must open
            assert "no such table" in str(exc)
        finally:
            db.close()
    assert len(ids) == len(set(ids)), "duplicate records"
    return set(ids)


def unfinished(out: Path) -> dict[str, int]:
    db = sqlite3.connect(out / ".scraper-state.sqlite")
    try:
        # robots.txt refusals are re-checked on later runs (as 'failed', reason 'robots'): not unfinished
        return dict(
            db.execute(
                "SELECT status, COUNT(*) FROM urls WHERE status NOT IN ('done', 'skipped') "
                "AND NOT (status IN ('failed', 'gave_up') AND reason = 'robots') "
                "GROUP BY status"
            ).fetchall()
        )
    finally:
        db.close()


@pytest.mark.slow
def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("SCRAPER_KILL_SEED", "20261129")))
    with LocalServer() as server:
        site = NewsSite(server, articles=6, crawl_delay=0.005, slow=0.05, retry_after=0)
        zygote = Zygote(tmp_path / "stderr.txt")
        try:

            def config(cycle: int, output: str) -> tuple[Path, list[str]]:
                out = tmp_path / f"cycle{cycle}"
                path = tmp_path / f"cycle{cycle}.toml"
                path.write_text(
                    site.config_toml(str(out), delay=0.005, output=output, extra="max_failure_share = 1.0")
                )
                return out, ["crawl", "--config", str(path), "-q"]

            out, argv = config(0, "files")
            calibration = zygote.run(argv, kill_after=60)
            assert calibration["code"] == 0 and not calibration["killed"]
            expected = check_output(out)
            assert len(expected) == 9
            out, argv = config(-1, "files")
            span = zygote.run(argv, kill_after=60)["elapsed"]  # a warm run: the span kills are drawn from

            kills = cycles = 0
            started = time.monotonic()

            def more() -> bool:
                return kills < KILLS and time.monotonic() - started < BUDGET

            while more():
                cycles += 1
                output = "jsonl" if cycles % 3 == 0 else "files"
                out, argv = config(cycles, output)
                while True:  # kill runs on this output until one completes
                    result = zygote.run(argv, kill_after=rng.uniform(0.0, 1.3 * span) if more() else 60)
                    ids = check_output(out)
                    if result["killed"]:
                        kills += 1
                        continue
                    assert result["code"] == 0, (result, (tmp_path / "stderr.txt").read_text())
                    assert ids == expected, (output, len(ids))
                    assert unfinished(out) == {}
                    assert not [p for p in out.rglob("*.tmp")], "temporary files left behind"
                    break
        finally:
            zygote.close()
    print(f"{kills} kills over {cycles} outputs in {time.monotonic() - started:.0f} s; warm run {span:.2f} s")
    assert kills >= min(KILLS, 20)
