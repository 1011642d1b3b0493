"""Config loading: defaults, layering, and errors that name the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import Config, load_config
from scraper.errors import ConfigError


def test_defaults_without_file() -> None:
    cfg = load_config(None)
    assert cfg.fetch.max_bytes == 10_000_000
    assert cfg.fetch.allow_private is False
    assert cfg.extract.site_rules is True


def test_file_layers_over_defaults(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[fetch]\nretries = 1\n\n[sites."example.com"]\ndrop_phrases = ["Sign up"]\n')
    cfg = load_config(path)
    assert cfg.fetch.retries == 1
    assert cfg.fetch.read_timeout == 30.0  # untouched default
    rules = cfg.rules_for("news.example.com")
    assert rules is not None and rules.drop_phrases == ("Sign up",)
    assert cfg.rules_for("example.org") is None
    off = cfg.replace(extract={"site_rules": False})
    assert off.rules_for("example.com") is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[fetch]\nretries = 1\nretires = 2\n", "c.toml:3: unknown key 'fetch.retires'"),
        ('[fetch]\n\n\nmax_bytes = "big"\n', "c.toml:4: fetch.max_bytes must be of type int"),
        ("[fetch]\nmax_bytes = -1\n", "must not be negative"),
        ('[output]\nformat = "xml"\n', "output.format must be one of"),
        ("[nonsense]\na = 1\n", "unknown section [nonsense]"),
        ("[fetch\n", "invalid TOML"),
        ('[sites."a.com"]\ndrop_phrases = "x"\n', "sites.a.com.drop_phrases must be a list of strings"),
    ],
)
def test_bad_config_names_key_and_line(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_missing_file_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.toml")


def test_shipped_config_loads() -> None:
    cfg = load_config(Path(__file__).resolve().parents[1] / "config.toml")
    assert isinstance(cfg, Config)
    assert cfg.rules_for("www.sbs.com.au") is not None
