"""The metadata package keeps its shape: small modules, short functions, fields as named strategies."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scraper.metadata import byline, fields, published, title

PACKAGE = Path(__file__).resolve().parent.parent / "scraper" / "metadata"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long


@pytest.mark.parametrize(
    "strategies",
    [
        title.TITLE_STRATEGIES,
        title.HEADLINE_CHOICES,
        byline.AUTHOR_STRATEGIES,
        byline.VISIBLE_BYLINE_STRATEGIES,
        published.PUBLISHED_STRATEGIES,
        published.MODIFIED_STRATEGIES,
        fields.SITE_NAME_STRATEGIES,
        fields.DESCRIPTION_STRATEGIES,
        fields.SECTION_STRATEGIES,
        fields.TAG_STRATEGIES,
        fields.IMAGE_STRATEGIES,
        fields.CANONICAL_STRATEGIES,
        fields.LANGUAGE_DECLARATIONS,
    ],
)
def test_each_field_is_an_ordered_tuple_of_named_strategies(strategies: tuple) -> None:
    names = [name for name, _fn in strategies]
    assert len(set(names)) == len(names)
    assert all(name.isidentifier() and callable(fn) for name, fn in strategies)
