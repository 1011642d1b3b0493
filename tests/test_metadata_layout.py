"""The metadata package keeps its shape: fields as ordered, named strategies (sizes: test_structure.py)."""

from __future__ import annotations

import pytest

from scraper.metadata import byline, fields, published, title


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
