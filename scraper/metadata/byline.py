"""The article's authors: names only, from JSON-LD, meta tags, microdata, author links and visible bylines.

Machine-readable credits (:data:`AUTHOR_STRATEGIES`, best first) are read first; a credit naming only
the site or an outlet is set aside for a person's byline elsewhere on the page. Visible bylines
(:data:`VISIBLE_BYLINE_STRATEGIES`) are the fallback, and also the fuller statement when they name
more people than the metadata (co-authors) or fewer (the metadata lists photographers and editors).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.etree
from lxml.html import HtmlElement

from .. import rules
from ..dates import MONTHS
from .common import IN_COMMENT, Page, Strategies
from .jsonld import ld_get, ld_people, ld_text
from .meta_tags import AUTHOR_KEYS
from .text import clean, dedupe, fold, short_text

# Queries that test one attribute start from that attribute (//@itemprop, //*/@class), and go up to
# its element: the same elements, without evaluating the test on every element of the page.
_XP_ITEMPROP_AUTHOR = lxml.etree.XPath(
    f"//@itemprop[. = 'author' or . = 'creator']/parent::*[not(self::meta)][not({IN_COMMENT})]"
)
_XP_ITEMPROP_NAME = lxml.etree.XPath(".//*[@itemprop='name']")
_XP_REL_AUTHOR = lxml.etree.XPath(f"//body//a[@rel='author'][not({IN_COMMENT})]")
# Links to an author's page ("/author/jane-roe", "/authors/...", "/autor/..."), the byline of many
# templates that mark nothing else (seen on university blogs, science and tech news sites). Links in
# lists, asides, navigation and footers belong to teasers and menus.
_XP_AUTHOR_LINK = lxml.etree.XPath(
    "//body//a[contains(@href, '/author/') or contains(@href, '/authors/') or contains(@href, '/autor/')"
    " or contains(@href, '/auteur/')]"
    f"[not(ancestor::li or ancestor::aside or ancestor::nav or ancestor::footer or {IN_COMMENT})]"
)
# Short elements named like an author's name, the last resort for a byline.
_XP_AUTHOR_CLASS = lxml.etree.XPath(
    "//body//*/@class[contains(., 'author') or contains(., 'Author')]"
    "/parent::*[self::span or self::a or self::div or self::p or self::li]"
)
_XP_IN_FORM = lxml.etree.XPath(f"ancestor::form | {IN_COMMENT}")
_XP_BYLINE = lxml.etree.XPath(
    "//body//*/@class[contains(., 'byline') or contains(., 'Byline')"
    " or contains(., 'author-name') or contains(., 'authorName')]/.."
)
# A post's meta line, as blog themes print it: "Posted on March 30, 2015 by Admin".
_XP_POST_META = lxml.etree.XPath(
    "//body//*/@class[contains(., 'postinfo') or contains(., 'post-info') or contains(., 'entry-meta')"
    " or contains(., 'post-meta') or contains(., 'postmeta')]/parent::*[string-length(normalize-space(.)) < 160]"
)
_BY_IN_META = re.compile(r"(?:^|\s)by\s+(.+?)\s*(?:$|\s(?:on|in|at)\s|[|·•/])", re.I)

# Byline cleaning.
_BY_PREFIX = re.compile(
    r"^\s*(?:(?:"
    + "|".join(rules.BYLINE_CREDIT_WORDS)
    + r")\s+(?:and\s+\w+\s+)?by|"
    + "|".join(rules.BYLINE_BY_WORDS + rules.BYLINE_LABEL_WORDS)
    + r")\b\s*[:\-–]?\s*",
    re.I,
)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_FOR_SUFFIX = re.compile(r"\s+(?:for|of|at|in)\s+(?:the\s+)?[A-Z][\w.&' -]*$")
_SPLIT_AUTHORS = re.compile(r"\s*(?:,|;|\||&|\band\b|\bund\b|\bet\b|\by\b|\bwith\b|\n)\s*", re.I)
_ROLE_WORDS = re.compile(
    r"\b(writer|editor|reporter|correspondent|contributor|columnist|staff|analyst|producer|"
    r"photographer|intern|critic|journalist|chief|senior|associate|"
    r"updated|published|min(?:ute)?s?\s+read|read\s+more|follow|twitter|email|comments?|share|guest|"
    r"more\s+by|view\s+all|profile|biography)\b",
    re.I,
)
_NAME_SPLIT_PERIOD = re.compile(r"(?<=[a-z]{2})\.\s+(?=[A-Z])")
# A byline often runs on into its dateline: cut at a weekday, "Month 19", or a digit.
_DATE_TAIL = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b.*$|"
    r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d.*$|\d.*$",
    re.I | re.S,
)
_DOMAIN = re.compile(r"\w\.(?:com|net|org|co|uk|in|au|ca|de|fr|io|info|news)\b", re.I)
_ORG_WORDS = re.compile(
    r"\b(media|news|press|network|group|international|agency|inc|ltd|wires?|services|staff|associated|"
    r"newspaper|magazine|times|post|journal|daily|tribune|herald)\b",
    re.I,
)
_CAMEL_GLUE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")
# A dateline glued to the name before it, as page text runs together: "Marco BambiniDec 18, 2025".
_GLUED_MONTH = re.compile(
    r"(?<=[a-z])(?=(?:" + "|".join(m.capitalize() for m in MONTHS) + r")[a-z]*\.?\s+\d)"
)
# An outlet printed right after the name without a separator: "Jane Roe The Associated Press",
# "Jane Roe USA TODAY NETWORK" (seen in meta tags on three newspaper groups' sites).
_OUTLET_AFTER_NAME = re.compile(r"(?<=[a-z.])\s+(?:The\s+[A-Z].*|[A-Z]{2,}(?:\s+[A-Z]{2,})+)$")
# Post-nominal letters after a name: "Lauren Manaker MS, RDN, LD", "Jane Roe, Ph.D.".
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|[A-Z][a-z]?\.(?:[A-Z][a-z]?\.)+)$")
_ROMAN = re.compile(r"^[IVX]+$")
# Lowercase words that join co-authors in one byline ("A and B"); any other lowercase word between two
# names is a role ("Contributions from", "Photography by", "Reviewed by").
_JOIN_WORDS = frozenset({"and", "und", "et", "y", "e", "en", "og", "och", "i", "ve"})
_WORDS = re.compile(r"[^\W\d_]+")
_LINK_BY_WORDS = frozenset(rules.AUTHOR_LINK_BY_WORDS)
_LABEL_PREFIX = re.compile(r"^\w{3,12}\s*:\s*(?=\w)")
_NAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "der",
        "den",
        "da",
        "di",
        "du",
        "dos",
        "das",
        "del",
        "la",
        "le",
        "bin",
        "al",
        "el",
        "ter",
        "zu",
        "y",
        "e",
    }
)
_NON_NAME = re.compile(r"[\d@#<>{}\[\]=/\\]|https?:")

MAX_AUTHORS = 10
# "First Last Outlet": a name and at least one word of an outlet after it.
MIN_NAME_WITH_OUTLET_WORDS = 3
# A visible byline naming more people than this is a list of contributors, not the article's credit.
MAX_BYLINE_NAMES = 4
# Bylines read per selector; a byline statement's text is at most this long.
BYLINES_READ = 3
MAX_BYLINE_CHARS = 120
STATEMENTS_READ = 6
MAX_STATEMENT_CHARS = 300


# --- one credit's names -------------------------------------------------------------------------------


def clean_person(raw: str, *, strict: bool = False) -> list[str]:
    """Names in a byline string: prefixes, emails, URLs, roles and "for Outlet" removed; "A and B" split.

    With ``strict`` (text from page elements rather than metadata) any part that does not look like a
    name rejects the whole string.
    """
    text = clean(raw)
    if not text:
        return []
    if _URL.fullmatch(text) or text.startswith(("http", "www.", "/")):
        return []
    text = re.sub(r"\([^)]*\)", " ", text)
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    text = _DATE_TAIL.sub("", _GLUED_MONTH.sub(" ", text))
    text = _NAME_SPLIT_PERIOD.sub(", ", text)
    text = _BY_PREFIX.sub("", text).strip(" ,;:|-–—")
    text = _LABEL_PREFIX.sub("", text)
    names: list[str] = []
    for part in _SPLIT_AUTHORS.split(text):
        part = _BY_PREFIX.sub("", part).strip(" ,;:|-–—'\"")
        part = _FOR_SUFFIX.sub("", part).strip(" ,;:|-–—")
        part = _OUTLET_AFTER_NAME.sub("", part)
        part = _strip_credentials(part)
        if not part or part.startswith("@") or (names and _CREDENTIAL.match(part)):
            continue
        if not _looks_like_name(part):
            if strict:
                return []
            continue
        if strict and part.split()[0].lower() in ("the", "a", "an"):
            return []
        if part.isupper() and len(part) > 4 and " " in part:
            part = part.title()
        names.append(part)
    return _people_first(names)


def _looks_like_name(part: str) -> bool:
    """No role, digit, markup or domain; at most five words, capitalised but for name particles."""
    words = part.split()
    return not (
        _ROLE_WORDS.search(_CAMEL_GLUE.sub(" ", part))
        or _NON_NAME.search(part)
        or _DOMAIN.search(part)
        or len(words) > 5
        or len(part) > 60
        or (len(words) == 1 and part.islower())
        or any(w[:1].islower() and w.lower() not in _NAME_PARTICLES for w in words[1:])
    )


def _strip_credentials(part: str) -> str:
    """A name without its post-nominal letters ("MS", "Ph.D.") or a sentence's full stop ("Jr." stays)."""
    words = part.split()
    if not part.isupper():
        while len(words) > 2 and _CREDENTIAL.match(words[-1]) and not _ROMAN.match(words[-1]):
            words.pop()
    if words and words[-1].endswith(".") and len(words[-1]) > 4 and "." not in words[-1][:-1]:
        words[-1] = words[-1][:-1]  # a full stop, not an initial ("C.J.") or an abbreviation ("Jr.")
    return " ".join(words)


def is_outlet(name: str) -> bool:
    """A credit naming an organisation rather than a person ("The Daily Journal", "Example Media")."""
    words = name.split()
    return bool(_ORG_WORDS.search(name)) or (bool(words) and words[0].lower() == "the")


def _people_first(names: list[str]) -> list[str]:
    """In a byline naming people, drop the outlet credited beside them ("Jane Roe, Example Media")."""
    people = [n for n in names if len(n.split()) >= 2 and not _ORG_WORDS.search(n)]
    if not people:
        return names
    return people


def _without_outlets(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names without the outlets or agencies credited beside people; an outlet credited alone stays."""
    people = tuple(n for n in names if not is_outlet(n))
    return people or names


def _cut_outlet_suffix(name: str, outlets: list[str]) -> str:
    """A visible byline's name without the outlet printed after it ("Jane Roe Cherry Hill Courier-Post").

    The outlets are the page's own names for itself (site name, publisher, an outlet credited in its
    metadata); the name before them keeps at least two words. Seen on three newspaper groups' sites.
    """
    words = name.split()
    if len(words) < MIN_NAME_WITH_OUTLET_WORDS or not outlets:
        return name
    keys = [fold(o).removeprefix("the ") for o in outlets]
    for cut in range(2, len(words)):
        tail = fold(" ".join(words[cut:]))
        if any(key.startswith(tail) for key in keys if key):
            return " ".join(words[:cut])
    return name


def _link_name(link: HtmlElement) -> str:
    """The name in an author link's text: "View all posts by Jane Roe", "Alle Artikel von Jane Roe"."""
    words = [w for w in (link.text_content() or "").split() if any(c.isalpha() for c in w)]
    # the last "by" with words before it and a capitalised name of two or more words after it
    for i in range(len(words) - 3, 0, -1):
        if words[i].lower() in _LINK_BY_WORDS and words[i + 1][:1].isupper():
            return " ".join(words[i + 1 :])
    return " ".join(words)


def _lead_credit(names: tuple[str, ...], statement: str | None) -> tuple[str, ...]:
    """The names a visible byline credits as authors, when metadata lists more people.

    JSON-LD and meta tags often list everyone involved (photographers, editors, contributors) as
    authors; the visible byline names the authors first and the others after a role ("Contributions
    from", "Photography by", "Reviewed by"): a lowercase word other than "and" between two names.
    Seen on games, fashion, tabloid and real-estate news sites.
    """
    if len(names) < 2 or not statement:
        return names
    text = " ".join(statement.split())
    low = text.lower()
    found = sorted((low.find(name.lower()), name) for name in names if name.lower() in low)
    if len(found) < 2 or found[0][1] != names[0]:
        return names  # not one statement of several credits, led by the first author
    lead = [found[0][1]]
    end = found[0][0] + len(found[0][1])
    for pos, name in found[1:]:
        between = _WORDS.findall(text[end:pos]) if pos >= end else []
        if any(w[:1].islower() and w not in _JOIN_WORDS for w in between):
            return tuple(lead)
        lead.append(name)
        end = pos + len(name)
    return names


# --- machine-readable credits -----------------------------------------------------------------------------


def _jsonld_author(page: Page) -> list[list[str]]:
    ld = page.ld
    raw = (ld.article.get("author") or ld.article.get("creator")) if ld.article is not None else None
    if not raw:
        return []
    publisher = ld_text(ld_get(ld, "publisher"), ld.by_id)
    sites = tuple(k for k in (re.sub(r"\W", "", fold(n)) for n in (page.site_name, publisher) if n) if k)
    return [ld_people(raw, ld.by_id, sites)]


def _meta_author(page: Page) -> list[list[str]]:
    return [values for key in AUTHOR_KEYS if (values := page.meta.get(key))]


def _itemprop_author(page: Page) -> list[list[str]]:
    names = []
    for el in _XP_ITEMPROP_AUTHOR(page.tree)[:MAX_AUTHORS]:
        inner = _XP_ITEMPROP_NAME(el)
        names.append(
            (inner[0].get("content") or inner[0].text_content())
            if inner
            else (el.get("content") or el.text_content())
        )
    return [names] if names else []


def _rel_author(page: Page) -> list[list[str]]:
    return [[_link_name(el) for el in _XP_REL_AUTHOR(page.tree)[:MAX_AUTHORS]]]


def _author_link(page: Page) -> list[list[str]]:
    """The first author link, and co-authors linked beside it in the same byline."""
    links = _XP_AUTHOR_LINK(page.tree)
    if not links:
        return []
    box = links[0].getparent()
    return [[_link_name(el) for el in links[:MAX_AUTHORS] if el.getparent() is box]]


# Where a page credits its authors for machines, best first; each gives lists of credits (one per key).
AUTHOR_STRATEGIES: Strategies[list[list[str]]] = (
    ("jsonld_author", _jsonld_author),
    ("meta_author", _meta_author),
    ("itemprop_author", _itemprop_author),
    ("rel_author", _rel_author),
    ("author_link", _author_link),
)


# --- visible bylines ----------------------------------------------------------------------------------------


def _byline_parts(el: HtmlElement) -> list[HtmlElement]:
    """The separate statements of a byline box (author, outlet, date), read one by one; else the box."""
    while True:
        parts = [c for c in el if isinstance(c.tag, str) and (c.text_content() or "").strip()]
        if len(parts) < 2 or (el.text or "").strip():
            return [el]
        nested = [c for c in parts[0] if isinstance(c.tag, str) and (c.text_content() or "").strip()]
        if len(nested) >= 2 and not (parts[0].text or "").strip():
            el = parts[0]  # the first statement is itself a box of parts
            continue
        return parts + [el]


def _bylines(page: Page, xpath: lxml.etree.XPath, outlets: list[str]) -> list[tuple[str, ...]]:
    """The names of each byline the selector finds, without the outlets printed after them."""
    found = []
    for el in page.found(xpath)[:BYLINES_READ]:
        if "comment" in (el.get("class") or "").lower() or _XP_IN_FORM(el):
            continue
        # a byline box often holds several parts (author, source, date): read them one by one
        for part in _byline_parts(el):
            text = short_text(part, MAX_BYLINE_CHARS)
            names = clean_person(text, strict=True) if text else []
            if names and len(names) <= MAX_BYLINE_NAMES:
                found.append(dedupe((_cut_outlet_suffix(n, outlets) for n in names), MAX_AUTHORS))
                break
    return found


def _byline_class(page: Page, outlets: list[str]) -> list[tuple[str, ...]]:
    return _bylines(page, _XP_BYLINE, outlets)


def _author_class(page: Page, outlets: list[str]) -> list[tuple[str, ...]]:
    return _bylines(page, _XP_AUTHOR_CLASS, outlets)


def _post_meta(page: Page, outlets: list[str]) -> list[tuple[str, ...]]:
    """The name after "by" in a post's meta line, the last place a blog theme states its author."""
    for el in _XP_POST_META(page.tree)[:BYLINES_READ]:
        match = _BY_IN_META.search(clean(el.text_content()) or "")
        names = clean_person(match.group(1), strict=True) if match else []
        if names and len(names) <= MAX_BYLINE_NAMES:
            return [dedupe(names, MAX_AUTHORS)]
    return []


# Where a page prints its bylines for readers, best first.
VISIBLE_BYLINE_STRATEGIES: tuple[tuple[str, Callable[[Page, list[str]], list[tuple[str, ...]]]], ...] = (
    ("byline_class", _byline_class),
    ("author_class", _author_class),
    ("post_meta", _post_meta),
)


def _byline_statement(page: Page, first_name: str) -> str | None:
    """The text of the first visible byline that names ``first_name``."""
    key = fold(first_name)
    for xpath in (_XP_BYLINE, _XP_AUTHOR_CLASS):
        for el in page.found(xpath)[:STATEMENTS_READ]:
            text = short_text(el, MAX_STATEMENT_CHARS)
            if text and key in fold(text):
                return text
    return None


# --- the choice -------------------------------------------------------------------------------------------


def find_authors(page: Page) -> tuple[str, ...]:
    """The article's authors, in credit order; an outlet only where the page credits no person."""
    site_key = re.sub(r"\W", "", fold(page.site_name)) if page.site_name else ""
    publisher = ld_text(ld_get(page.ld, "publisher"), page.ld.by_id)
    outlets = [n for n in (page.site_name, publisher) if n]
    deferred: tuple[str, ...] = ()
    for _name, strategy in AUTHOR_STRATEGIES:
        for values in strategy(page) or ():
            names = dedupe((name for value in values for name in clean_person(value)), MAX_AUTHORS)
            if not names:
                continue
            keys = {re.sub(r"\W", "", fold(n)) for n in names}
            if (site_key and all(k and (k in site_key or site_key in k) for k in keys)) or all(
                is_outlet(n) for n in names
            ):
                # Only the site's own name or an outlet's: a person's byline elsewhere on the page is better.
                deferred = deferred or names
                outlets.extend(names)
                continue
            return _credited(page, names, outlets)
    visible = next((found for _name, read in VISIBLE_BYLINE_STRATEGIES if (found := read(page, outlets))), [])
    if visible and not (deferred and all(is_outlet(n) for n in visible[0])):
        return _without_outlets(visible[0])
    return deferred


def _credited(page: Page, names: tuple[str, ...], outlets: list[str]) -> tuple[str, ...]:
    """The people a machine-readable credit names, as the visible byline states them."""
    # A visible byline naming these people and more (co-authors) is the fuller statement.
    folded = {fold(n) for n in names}
    for extra in _byline_class(page, outlets)[:2]:
        if folded < {fold(n) for n in extra}:
            return _without_outlets(extra)
    return _without_outlets(_lead_credit(names, _byline_statement(page, names[0])))
