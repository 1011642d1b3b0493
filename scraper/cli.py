"""The ``scraper`` command: argument parsing, logging set-up and exit codes, in one place.

Each verb lives in ``scraper.commands.<verb>`` with ``add_parser(subparsers)`` and ``run(args) -> int``
and is a thin layer over library functions; what the verbs share with this module (exit codes,
``printable``, the config file in use) is in ``scraper.commands._common``, so no verb imports this one.
This is the only module that configures logging.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
from collections.abc import Sequence

from ._version import __version__
from .commands._common import (
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    config_path,
    printable,
    progress_logging,
    resolve_config,
)
from .errors import ConfigError, ScraperError, UsageError

log = logging.getLogger(__name__)

# verb -> module under scraper.commands
VERBS = {
    "extract": "extract",
    "crawl": "crawl",
    "discover": "discover",
    "export": "export",
    "extract-warc": "warc",
}
# verbs that fetch over the network, and so take --allow-private
FETCHING_VERBS = frozenset({"extract", "crawl", "discover"})

# the shared helpers stay importable from here, where callers found them before commands._common
__all__ = [
    "main",
    "build_parser",
    "VERBS",
    "FETCHING_VERBS",
    "EXIT_OK",
    "EXIT_SOME_FAILED",
    "EXIT_USAGE",
    "EXIT_LOCKED",
    "printable",
    "progress_logging",
    "config_path",
    "resolve_config",
]


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record to the current ``sys.stderr`` (which a caller or a test may have replaced)."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def _setup_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * verbosity
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("scraper: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    # replace only our own handler: others (an embedding program's, pytest's) stay
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _StderrHandler)] + [handler]
    root.setLevel(max(logging.DEBUG, min(logging.ERROR, level)))
    if verbosity < 2:  # third-party chatter only when asked for twice
        for noisy in ("readability", "urllib3", "charset_normalizer"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scraper", description="Fetch news pages and write the article as clean JSON records."
    )
    parser.add_argument("--version", action="version", version=f"scraper {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c", "--config", metavar="FILE", help="config.toml (default: $SCRAPER_CONFIG or ./config.toml)"
    )
    common.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    common.add_argument("-q", "--quiet", action="store_true", help="errors only")
    fetching = argparse.ArgumentParser(add_help=False)
    fetching.add_argument(
        "--allow-private", action="store_true", help="allow fetching loopback and private network addresses"
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for verb, module_name in VERBS.items():
        name = f"{__package__}.commands.{module_name}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        p = module.add_parser(sub, verb, [common, fetching] if verb in FETCHING_VERBS else [common])
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 some inputs failed, 2 usage/config, 75 locked)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(-1 if args.quiet else args.verbose)
    try:
        config = resolve_config(args.config)
        if getattr(args, "allow_private", False):
            config = config.replace(fetch={"allow_private": True})
        return int(args._run(args, config))
    except UsageError as exc:
        print(f"scraper: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print(f"scraper: config error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except ScraperError as exc:
        print(f"scraper: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except KeyboardInterrupt:
        print("scraper: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return EXIT_OK
