"""The article's headline: metadata titles weighed against the h1 readers see, without site labels.

The titles a page states for machines (:data:`TITLE_STRATEGIES`, best first) are candidates; the
headline is then chosen by :data:`HEADLINE_CHOICES`, in order: an h1 that a metadata title agrees
with, the metadata headline after a kicker printed in the h1, a lone h1, a metadata title without its
site label, the document title, and the first h1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.etree

from .common import XP_H1, Page, Strategies
from .jsonld import ld_get, ld_text
from .meta_tags import META_TITLE_KEYS, OG_TITLE_KEYS, first_meta
from .text import clean, fold

XP_TITLE = lxml.etree.XPath("(//head/title | //title)[1]")
# from the attribute up: the same elements, without testing every element of the page
XP_ITEMPROP_HEADLINE = lxml.etree.XPath("//@itemprop[. = 'headline']/parent::*[not(self::meta)]")
# Separators between a headline and a site name in <title> (and sometimes og:title).
TITLE_SPLIT = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|/)\s+|\s*\|\s*")

# A headline has a few words; one or two are a site name or a section label ("Playful Tones", "News").
MIN_HEADLINE_WORDS = 3
# A label or dateline printed in the h1 before the headline ("Opinion", "Dec 18 2025") is at most
# this many words; the headline after it has at least MIN_KICKED_CHARS characters.
MAX_KICKER_WORDS = 5
MIN_KICKED_CHARS = 12
# More h1s than this and the page is a list of teasers, each with its own h1.
MAX_HEADLINE_H1S = 3
# The first h1s that may hold the headline (one of them agreeing with a metadata title); later ones are teasers'.
H1S_READ = 5
# An h1 this short (folded characters) is a label, not a headline agreeing with a metadata title.
MIN_AGREEING_H1_CHARS = 10
# An h1 inside a longer metadata title agrees with it when it is more than this share of it.
MIN_AGREEING_SHARE = 0.4
# A metadata headline this long (folded characters) may be a truncated start of the h1.
MIN_TRUNCATED_CHARS = 20


# --- the titles a page states for machines ------------------------------------------------------------


def _og_title(page: Page) -> list[str]:
    return list(first_meta(page.meta, OG_TITLE_KEYS))


def _jsonld_headline(page: Page) -> list[str]:
    ld = page.ld
    headline = ld_text(ld_get(ld, "headline")) or ld_text(ld_get(ld, "name") if ld.article else None)
    return [headline] if headline else []


def _meta_title(page: Page) -> list[str]:
    return list(first_meta(page.meta, META_TITLE_KEYS))


def _itemprop_headline(page: Page) -> list[str]:
    texts = (clean(el.text_content()) for el in XP_ITEMPROP_HEADLINE(page.tree)[:1])
    return [t for t in texts if t]


# The headline as the page states it for machines, best first; each gives its candidate titles.
TITLE_STRATEGIES: Strategies[list[str]] = (
    ("og_title", _og_title),
    ("jsonld_headline", _jsonld_headline),
    ("meta_title", _meta_title),
    ("itemprop_headline", _itemprop_headline),
)


# --- site labels ----------------------------------------------------------------------------------------


def host_words(url: str | None) -> set[str]:
    """The distinctive words of a URL's host name ("example" of "www.example.co.uk")."""
    if not url:
        return set()
    host = urlsplit(url).hostname or ""
    parts = [
        p for p in host.split(".") if p not in ("www", "m", "com", "org", "net", "co", "uk", "au", "news")
    ]
    return {p for p in parts if len(p) > 2}


def is_site_label(part: str, site_name: str | None, hosts: set[str]) -> bool:
    """True when a title segment names the site rather than the article."""
    key = re.sub(r"[^\w]", "", fold(part))
    if not key:
        return True
    if site_name:
        site = re.sub(r"[^\w]", "", fold(site_name))
        if site and (key == site or (len(key) > 2 and (key in site or site in key) and len(part) < 40)):
            return True
    return any(word == key or (len(word) > 3 and word in key and len(part) < 30) for word in hosts)


def strip_site(title: str, site_name: str | None, hosts: set[str], *, loose: bool) -> str:
    """Remove a site name suffix or prefix; with ``loose`` also a short side ("Opinion | Headline")."""
    parts = TITLE_SPLIT.split(title)
    if len(parts) < 2:
        return title
    seps = TITLE_SPLIT.findall(title)
    # Drop site-name segments from both ends.
    start, end = 0, len(parts)
    while end - start > 1 and is_site_label(parts[end - 1], site_name, hosts):
        end -= 1
    while end - start > 1 and is_site_label(parts[start], site_name, hosts):
        start += 1
    if (start, end) == (0, len(parts)) and loose:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        others = [p for i, p in enumerate(parts) if i != longest]
        if all(len(p.split()) <= 3 for p in others) and len(parts[longest].split()) >= 3:
            # A lone short label at an end is the site; keep middle pieces joined as written.
            if longest == 0:
                end = 1
            elif longest == len(parts) - 1:
                start = longest
    kept = parts[start]
    for i in range(start + 1, end):
        kept += seps[i - 1] + parts[i]
    return kept.strip()


# --- the choice -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Headlines:
    """What the choice weighs: the visible h1s, the document title and the metadata titles."""

    h1s: list[str]  # the first H1S_READ h1s' texts
    h1_count: int
    html_title: str | None
    candidates: list[str]  # metadata titles, best first
    site_name: str | None
    hosts: set[str]

    def strip(self, title: str, *, loose: bool = False) -> str:
        return strip_site(title, self.site_name, self.hosts, loose=loose)


def _agreeing_h1(found: _Headlines) -> str | None:
    """A visible h1 that a metadata title agrees with (fully or as one side of "Headline | Site").

    It is the headline as readers see it, without any site label or section prefix.
    """
    titles = found.candidates + ([found.html_title] if found.html_title else [])
    folded = [fold(c) for c in titles]
    for h1 in found.h1s:
        key = fold(h1)
        if len(key) < MIN_AGREEING_H1_CHARS:
            continue
        if any(key == c or (key in c and len(key) > MIN_AGREEING_SHARE * len(c)) for c in folded):
            return h1
    return None


def _kicked_headline(found: _Headlines) -> str | None:
    """A metadata headline the h1 ends with, after a short label printed before it ("Opinion Headline")."""
    if not found.h1s:
        return None
    titles = found.candidates + ([found.html_title] if found.html_title else [])
    key = fold(found.h1s[0])
    for candidate in (found.strip(c) for c in titles):
        tail = fold(candidate)
        if len(tail) < MIN_KICKED_CHARS or not key.endswith(tail) or key == tail:
            continue
        if 0 < len(key[: -len(tail)].split()) <= MAX_KICKER_WORDS:
            return candidate
    return None


def _lone_h1(found: _Headlines) -> str | None:
    """The page's own h1 where metadata titles disagree with it.

    Metadata titles are often written for search engines and share cards; readers see the h1 (seen on
    news, shop blogs and company blogs alike). Many h1s are a list of teasers.
    """
    if found.h1_count > MAX_HEADLINE_H1S:
        return None
    for h1 in found.h1s:
        if len(h1.split()) >= MIN_HEADLINE_WORDS and not is_site_label(h1, found.site_name, found.hosts):
            return h1
    return None


def _metadata_title(found: _Headlines) -> str | None:
    """The best metadata title without its site label; a longer h1 it is the truncated start of."""
    for candidate in found.candidates:
        stripped = found.strip(candidate)
        if stripped:
            base = fold(stripped).rstrip(".… ")
            for h1 in found.h1s:
                if len(base) > MIN_TRUNCATED_CHARS and fold(h1).startswith(base):
                    return h1
            return stripped
    return None


def _document_title(found: _Headlines) -> str | None:
    """The <title> without its site label, or the one h1 it holds."""
    if not found.html_title:
        return None
    if len(found.h1s) == 1 and fold(found.h1s[0]) in fold(found.html_title):
        return found.h1s[0]
    return found.strip(found.html_title, loose=True)


def _first_h1(found: _Headlines) -> str | None:
    return found.h1s[0] if found.h1s else None


HEADLINE_CHOICES: tuple[tuple[str, Callable[[_Headlines], str | None]], ...] = (
    ("h1_agreeing_with_metadata", _agreeing_h1),
    ("metadata_headline_after_a_kicker", _kicked_headline),
    ("lone_h1", _lone_h1),
    ("metadata_title", _metadata_title),
    ("document_title", _document_title),
    ("first_h1", _first_h1),
)


def find_title(page: Page) -> str | None:
    """The article's headline, by the first choice that gives one."""
    h1_elements = page.found(XP_H1)
    h1s = [t for t in (clean(h.text_content()) for h in h1_elements[:H1S_READ]) if t and len(t) > 3]
    title_el = XP_TITLE(page.tree)
    found = _Headlines(
        h1s=h1s,
        h1_count=len(h1_elements),
        html_title=clean(title_el[0].text_content()) if title_el else None,
        candidates=[c for _name, strategy in TITLE_STRATEGIES for c in strategy(page) or ()],
        site_name=page.site_name,
        hosts=host_words(page.url),
    )
    for _name, choice in HEADLINE_CHOICES:
        headline = choice(found)
        if headline:
            return headline
    return None
