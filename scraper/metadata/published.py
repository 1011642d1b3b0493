"""The publication and modification dates: machine-readable statements first, then the page's datelines.

Published and modified stay apart: an update date never stands in for the publication date, and a date
from a teaser, a comment or a "related" box is never the article's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

import lxml.etree
from lxml.html import HtmlElement

from ..dates import date_from_page, date_from_url, normalize_date
from .common import IN_COMMENT, NOT_TEASER, XP_H1, Page, Strategies, first
from .jsonld import ld_get
from .meta_tags import MODIFIED_KEYS, PUBLISHED_KEYS, first_meta
from .text import clean, short_text

# The article's own <time> elements, explicitly marked publication times first.
_XP_TIME_MARKED = lxml.etree.XPath(
    f"//time[@pubdate or @itemprop='datePublished' or contains(@class, 'publish')]{NOT_TEASER}"
)
_XP_TIME = lxml.etree.XPath(f"//body//time{NOT_TEASER}")
# from the attribute up: the same elements, without testing every element of the page
_XP_ITEMPROP_DATE = lxml.etree.XPath("//@itemprop[. = 'datePublished']/parent::*[not(self::meta)]")
_XP_ITEMPROP_MODIFIED = lxml.etree.XPath("//@itemprop[. = 'dateModified']/parent::*[not(self::meta)]")


def _first_date(values: Iterable[Any]) -> str | None:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        text = clean(value)
        result = normalize_date(text) if text else None
        if result:
            return result
    return None


def _element_dates(elements: Iterable[HtmlElement]) -> Iterator[str]:
    for el in elements:
        yield el.get("datetime") or el.get("content") or el.text_content()


def _jsonld_published(page: Page) -> str | None:
    return _first_date([ld_get(page.ld, "datePublished"), ld_get(page.ld, "dateCreated")])


def _meta_published(page: Page) -> str | None:
    return _first_date(first_meta(page.meta, PUBLISHED_KEYS))


def _itemprop_published(page: Page) -> str | None:
    return _first_date(_element_dates(_XP_ITEMPROP_DATE(page.tree)[:3]))


def _time_element(page: Page) -> str | None:
    marked = _first_date(_element_dates(_XP_TIME_MARKED(page.tree)[:3]))
    return marked or _first_date(_element_dates(_XP_TIME(page.tree)[:3]))


def _url_date(page: Page) -> str | None:
    return date_from_url(page.url)


def _htmldate(page: Page) -> str | None:
    return date_from_page(page.tree, page.url)


# Text after the headline, in page order, outside teasers: where a template prints the bare dateline.
_XP_TEXT_AFTER_H1 = lxml.etree.XPath(
    "(//body//h1)[1]/following::text()[normalize-space()]"
    "[not(ancestor::script or ancestor::style or ancestor::aside or ancestor::nav or ancestor::footer"
    f" or ancestor::li[.//a[@href]] or {IN_COMMENT})]"
)
# A bare dateline: a year, a day and at most a few words ("October 3, 2024", "20 December 2025",
# "12.03.2024"); a year alone ("Report 2021") is no day.
_BARE_DATE = re.compile(r"^(?=.*\b(?:19|20)\d{2}\b)(?=.*\b\d{1,2}\b)[^\W_]*(?:[\s,./-]+[^\W_]+){0,4}\.?$")
# The text pieces read after the headline: the dateline sits beside it, before the article's text.
TEXTS_AFTER_HEADLINE = 8


def _bare_dateline(page: Page) -> str | None:
    """A piece of text after the headline that is a date and nothing else, as many templates print it."""
    for text in _XP_TEXT_AFTER_H1(page.tree)[:TEXTS_AFTER_HEADLINE]:
        piece = " ".join(text.split())
        if len(piece) <= 30 and _BARE_DATE.match(piece):
            day = normalize_date(piece)
            if day:
                return day
    return None


# Where a page states its publication date, most deliberate statement first.
PUBLISHED_STRATEGIES: Strategies[str] = (
    ("jsonld_date_published", _jsonld_published),
    ("meta_published", _meta_published),
    ("itemprop_date_published", _itemprop_published),
    # a full date in the path is the site's own filing; right on 121 of 128 dev pages
    ("url_date", _url_date),
    ("time_element", _time_element),
    # datelines in page text, in any language and order
    ("htmldate", _htmldate),
    ("bare_dateline", _bare_dateline),
)


def find_published(page: Page) -> str | None:
    """The publication date, on the day the page's visible dateline shows for the same moment."""
    value = first(PUBLISHED_STRATEGIES, page)
    return _as_shown(page, value) if value else None


# The article's visible dateline: <time> elements and short elements named for a date or publication,
# after the headline (a masthead prints today's date above it), outside teasers, asides and comments.
_DATELINE_CLASS = "@class[contains(., 'date') or contains(., 'Date') or contains(., 'publish')]"


def _datelines(axis: str) -> lxml.etree.XPath:
    """The datelines along ``axis`` ("//body//" or "...following::"): the <time> elements, those marked
    datePublished and those named for a date, found each by its own step (libxml2 finds elements by name
    or attribute far faster than it tests every element), then filtered."""
    return lxml.etree.XPath(
        f"({axis}time | {axis}*/@itemprop[. = 'datePublished']/.. | {axis}*/{_DATELINE_CLASS}/..)"
        f"[not(self::meta)][string-length(normalize-space(.)) < 80]{NOT_TEASER}"
    )


_XP_DATELINE_AFTER_H1 = _datelines("(//body//h1)[1]/following::")
_XP_DATELINE = _datelines("//body//")
_XP_DATETIME_ATTR = lxml.etree.XPath("descendant-or-self::*[@datetime][1]/@datetime")
# The datelines read: the article's own comes first, later ones date teasers and comments.
DATELINES_READ = 3
# Zones in use run from UTC-12 to UTC+14, in whole quarter hours.
_MIN_OFFSET = dt.timedelta(hours=-12)
_MAX_OFFSET = dt.timedelta(hours=14)
_QUARTER_HOUR = dt.timedelta(minutes=15)
_SAME_MOMENT = dt.timedelta(minutes=1)


def _as_shown(page: Page, value: str) -> str:
    """A machine timestamp on the day the page's visible dateline shows for the same moment.

    Sites state the moment in UTC for machines and print it in their own zone for readers: "2023-12-23T03:00Z"
    is "December 22, 2023 10:00 PM" in New York. Where the first visible dateline shows that moment on
    another day (its clock time matches to the minute under some zone's offset, or it gives the day alone
    next to a UTC stamp), the moment is re-stated in the page's zone, or as the page's day. Seen on news,
    lifestyle and blog sites.
    """
    stamp = _aware(value)
    if stamp is None:
        return value
    # the headlines as find_title read them (one evaluation per page, see Page.found)
    tree = page.tree
    datelines = _XP_DATELINE_AFTER_H1(tree) if page.found(XP_H1) else _XP_DATELINE(tree)
    for el in datelines[:DATELINES_READ]:
        attr = _XP_DATETIME_ATTR(el)
        text = short_text(el, 80)
        shown = normalize_date(text) if text else None
        for candidate in (attr[0] if attr else None, shown):
            restated = _restate(stamp, candidate) if candidate else None
            if restated:
                return restated if restated[:10] != value[:10] else value
        if shown or attr:
            return value  # the article's dateline, read: it shows no other day
    return value


def _aware(value: str) -> dt.datetime | None:
    """A timestamp with its UTC offset, else None (a day, or a clock time without a zone)."""
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if len(value) > 10 and stamp.tzinfo is not None else None


def _restate(stamp: dt.datetime, shown: str) -> str | None:
    """``stamp`` as the dateline ``shown`` states it, when both are the same moment; else None."""
    normal = normalize_date(shown)
    if not normal:
        return None
    if len(normal) == 10:
        # a day alone: the local day of a UTC stamp under some zone
        if stamp.utcoffset() != dt.timedelta(0):
            return None
        day = dt.date.fromisoformat(normal)
        lowest = (stamp + _MIN_OFFSET).date()
        highest = (stamp + _MAX_OFFSET).date()
        return normal if lowest <= day <= highest and day != stamp.date() else None
    moment = dt.datetime.fromisoformat(normal)
    if moment.tzinfo is not None:
        offset = moment.utcoffset()
        if abs(moment - stamp) >= _SAME_MOMENT or offset is None:
            return None
    else:
        utc = stamp.astimezone(dt.UTC).replace(tzinfo=None)
        offset = moment - utc
        whole = round(offset / _QUARTER_HOUR) * _QUARTER_HOUR
        if abs(offset - whole) >= _SAME_MOMENT or not _MIN_OFFSET <= whole <= _MAX_OFFSET:
            return None
        offset = whole
    local = stamp.astimezone(dt.timezone(offset))
    return local.isoformat() if local.date() != stamp.date() else None


def _jsonld_modified(page: Page) -> str | None:
    return _first_date([ld_get(page.ld, "dateModified")])


def _meta_modified(page: Page) -> str | None:
    return _first_date(first_meta(page.meta, MODIFIED_KEYS))


def _itemprop_modified(page: Page) -> str | None:
    return _first_date(_element_dates(_XP_ITEMPROP_MODIFIED(page.tree)[:2]))


# Where a page states its last update, most deliberate statement first.
MODIFIED_STRATEGIES: Strategies[str] = (
    ("jsonld_date_modified", _jsonld_modified),
    ("meta_modified", _meta_modified),
    ("itemprop_date_modified", _itemprop_modified),
)


def find_modified(page: Page) -> str | None:
    """The date of the article's last update, where the page states one for machines."""
    return first(MODIFIED_STRATEGIES, page)
