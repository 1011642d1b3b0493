"""What the verbs share with the ``scraper`` entry point: exit codes, terminal-safe text, the config file
in use and logging beside a progress bar. ``scraper.cli`` imports from here, never the other way round."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config

__all__ = [
    "EXIT_OK",
    "EXIT_SOME_FAILED",
    "EXIT_USAGE",
    "EXIT_LOCKED",
    "EXIT_INTERRUPTED",
    "printable",
    "progress_logging",
    "config_path",
    "resolve_config",
]

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it

# Not text.CONTROL_CHARS, on purpose: one terminal line escapes tab and newlines too, and the line and
# paragraph separators and lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe for one terminal line: control characters (ESC included) shown as ``\\xNN`` escapes."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


@contextmanager
def progress_logging(active: bool = True) -> Iterator[None]:
    """While a tqdm progress bar is on stderr, log lines go through ``tqdm.write``: the bar is cleared,
    the line written, the bar drawn again, so a log line never lands in the middle of the bar."""
    if not active:
        yield
        return
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm():
        yield


def config_path(path: str | None) -> str | None:
    """The config file in use: named on the command line, else $SCRAPER_CONFIG, else ./config.toml, else None."""
    if path is None:
        path = os.environ.get("SCRAPER_CONFIG")
        if path is None and Path("config.toml").is_file():
            path = "config.toml"
    return path


def resolve_config(path: str | None) -> Config:
    """The config of ``config_path(path)``, or the defaults when there is none."""
    from ..config import load_config

    return load_config(config_path(path))
