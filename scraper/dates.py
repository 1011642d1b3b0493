"""Date strings as pages write them, normalised to ISO 8601 with the page's own UTC offset kept."""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings

from dateutil import parser as date_parser
from dateutil.tz import tzoffset, tzutc
from lxml.html import HtmlElement

log = logging.getLogger(__name__)

__all__ = ["normalize_date", "date_from_url", "date_from_page", "ISO_RESULT"]

# What every normalised value must look like.
ISO_RESULT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")

MIN_YEAR = 1990

_EPOCH = re.compile(r"^\d{10}(\d{3})?$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|T\d{2}\d{2}|\d\s*[ap]\.?m\b", re.I)
_HAS_DAY_AND_YEAR = re.compile(r"\b(19|20)\d{2}\b|^\d{1,2}[./-]\d{1,2}[./-]\d{2}$")
# "+0000" and "+00" offsets that dateutil reads but Python's ISO writer must see as "+00:00".
_COMPACT_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})$")
# Words that are not part of a date but often surround one ("Published: ", "Updated", "| 5 min read").
_NOISE = re.compile(r"\b(published|posted|updated|last|modified|on|at|et)\b\s*:?|[|•·]", re.I)
# "04.02.2022", "4. 2. 2022": dotted numeric dates put the day first wherever they are written (German, Russian,
# Scandinavian and Central European pages).
_DOTTED_DAY = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{2}|\d{4})\b")
_DATE_IN_URL = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")
# "/2024/mar/02/", as some news sites file their articles (seen on three sites' paths).
# English month names by their first three letters, in calendar order (also metadata's glued datelines).
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_IN_URL_MONTH_NAME = re.compile(
    r"/((?:19|20)\d{2})/(" + "|".join(MONTHS) + r")[a-z]*/(0?[1-9]|[12]\d|3[01])/", re.I
)

# Zone abbreviations that name one offset only; ambiguous ones (IST, "ET") are left out.
_TZINFOS = {
    name: tzoffset(name, hours * 3600)
    for name, hours in {
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "AKST": -9,
        "AKDT": -8,
        "HST": -10,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "WET": 0,
        "WEST": 1,
        "JST": 9,
        "KST": 9,
        "AEST": 10,
        "AEDT": 11,
        "ACST": 9.5,
        "ACDT": 10.5,
        "AWST": 8,
        "NZST": 12,
        "NZDT": 13,
        "SGT": 8,
        "HKT": 8,
    }.items()
} | {"GMT": tzutc(), "UTC": tzutc(), "Z": tzutc()}


def _max_year() -> int:
    return dt.date.today().year + 1


def _format(value: dt.datetime, *, has_time: bool) -> str:
    """ISO text: a day, or a second-precision time with the offset it came with."""
    if not has_time:
        return value.date().isoformat()
    text = value.replace(microsecond=0).isoformat()
    if value.tzinfo is not None:
        offset = value.utcoffset()
        if offset == dt.timedelta(0):
            text = text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text
    return text


def _plausible(value: dt.datetime | dt.date) -> bool:
    return MIN_YEAR <= value.year <= _max_year()


def normalize_date(text: str | None) -> str | None:
    """Parse a date as found in a page; return ISO 8601 text or None.

    The page's UTC offset is kept ("2019-11-19T07:03:25+00:00" -> "2019-11-19T07:03:25Z",
    "...-05:00" stays). No offset given gives a naive time; a bare day gives "YYYY-MM-DD".
    Years before 1990 or after next year are rejected as noise.
    """
    if not text:
        return None
    text = " ".join(str(text).split())
    if not text or len(text) > 80:
        return None
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        try:
            stamp = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return _format(stamp, has_time=True) if _plausible(stamp) else None
    compact = _COMPACT_DAY.match(text)
    if compact:
        try:
            day = dt.date(int(compact[1]), int(compact[2]), int(compact[3]))
        except ValueError:
            return None
        return day.isoformat() if _plausible(day) else None
    value = _parse_iso(text)
    has_time = bool(_HAS_TIME.search(text))
    if value is None:
        value = _parse_loose(text)
        if value is None:
            return None
    elif _ISO_DAY.match(text):
        has_time = False
    if not _plausible(value):
        return None
    result = _format(value, has_time=has_time)
    return result if ISO_RESULT.match(result) else None


def _parse_iso(text: str) -> dt.datetime | None:
    """Strict ISO 8601, the common case in metadata; None when the text is anything else."""
    if not text[:4].isdigit():
        return None
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    candidate = _COMPACT_OFFSET.sub(r"\1\2:\3", candidate)
    try:
        return dt.datetime.fromisoformat(candidate.replace("z", "Z"))
    except ValueError:
        return None


def _parse_loose(text: str) -> dt.datetime | None:
    """Human-written dates ("Nov. 19, 2019 8:03 am EST"); needs a year to avoid guessing."""
    cleaned = _NOISE.sub(" ", text).strip(" ,-")
    if not _HAS_DAY_AND_YEAR.search(cleaned):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = date_parser.parse(
                cleaned,
                fuzzy=True,
                tzinfos=_TZINFOS,
                default=dt.datetime(2000, 1, 1),
                dayfirst=bool(_DOTTED_DAY.search(cleaned)),
            )
        except (ValueError, OverflowError, TypeError):
            return None
    return value


def date_from_url(url: str | None) -> str | None:
    """A day written in an URL path ("/2019/11/19/", "/20191119/", "/2019/nov/19/"), or None."""
    if not url:
        return None
    match = _DATE_IN_URL.search(url)
    named = None if match else _DATE_IN_URL_MONTH_NAME.search(url)
    try:
        if match:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        elif named:
            day = dt.date(int(named[1]), MONTHS.index(named[2][:3].lower()) + 1, int(named[3]))
        else:
            return None
    except ValueError:
        return None
    return day.isoformat() if _plausible(day) else None


def date_from_page(tree: HtmlElement, url: str | None = None) -> str | None:
    """The publication day htmldate reads from a page's markup and visible datelines, or None.

    htmldate's fast mode (no free-text scan of the whole page, which finds copyright years and teaser
    dates) with ``original_date``: the first publication rather than the last update. It reads a copy
    of the tree, never the tree itself. It knows datelines in many languages and orders ("9. Februar
    2022", "09.02.2022"), which hand rules here would have to relearn site by site.
    """
    from htmldate import find_date  # imported on first use: it loads dateparser, a third of a second

    max_day = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    try:
        day = find_date(tree, url=url, original_date=True, extensive_search=False, max_date=max_day)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        log.debug("htmldate failed: %s", exc)
        return None
    return day if day and ISO_RESULT.match(day) and _plausible(dt.date.fromisoformat(day[:10])) else None
