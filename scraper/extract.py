"""Extraction: one page (bytes or text) in, one ``Article`` out. Pure: no network, no files.

Steps, on one parsed tree: metadata -> figures and captions set aside -> page furniture pruned ->
readability-lxml scores and picks the main content -> blocks -> cleaned body -> Article.
"""

from __future__ import annotations

import copy
import logging
from urllib.parse import urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement, fragment_fromstring
from readability import Document
from readability.readability import Unparseable

from . import __version__
from .clean import clean_blocks, html_to_blocks
from .config import Config, SiteRules
from .errors import ExtractionError
from .language import guess_language
from .metadata import extract_metadata
from .parse import parse_html, scrub_record
from .prune import collect_figures, prune_tree, select_images
from .record import Article, content_hash, make_id
from .text import count_words

log = logging.getLogger(__name__)

__all__ = ["extract"]


class _TreeDocument(Document):
    """readability's Document fed with our already parsed and pruned tree.

    readability re-parses and runs lxml's Cleaner on every attempt; our tree is already clean, so each
    attempt gets a copy of it instead (readability mutates the tree it scores).
    """

    def _parse(self, input: HtmlElement) -> HtmlElement:  # noqa: A002 - readability's name
        return copy.deepcopy(input)


# Past this many paragraphs readability's scoring costs seconds, and a page this long is one text
# anyway: its article (or main, or body) element is taken as it is, pruned of furniture.
HUGE_PAGE_PARAGRAPHS = 3000
_PARAGRAPHS = XPath("count(//p)")
_CONTAINERS = XPath("//*[@itemprop='articleBody'] | //article | //main | //body")


def _main_content(tree: HtmlElement, url: str | None, rules: SiteRules | None = None) -> HtmlElement | None:
    """The main content: the site's ``body_selector`` where it matches, else readability's choice."""
    if rules is not None and rules.body_selector:
        try:
            chosen = tree.cssselect(rules.body_selector)
        except Exception as exc:  # cssselect raises its own SelectorError family
            log.warning("bad site body_selector %r: %s", rules.body_selector, exc)
            chosen = []
        if chosen and chosen[0].text_content().strip():
            return chosen[0]
    if _PARAGRAPHS(tree) > HUGE_PAGE_PARAGRAPHS:
        counts = [(int(el.xpath("count(.//p)")), el) for el in _CONTAINERS(tree)]
        if counts:
            most = max(n for n, _ in counts)
            return [el for n, el in counts if n == most][-1]  # the innermost of equals
    try:
        summary = _TreeDocument(tree, url=url).summary(html_partial=True)
    except (Unparseable, ValueError, TypeError) as exc:
        log.debug("readability failed: %s", exc)
        return None
    if not summary or not summary.strip():
        return None
    try:
        return fragment_fromstring(summary, create_parent="div")
    except Exception as exc:  # lxml raises several types for odd fragments
        log.debug("cannot parse readability output: %s", exc)
        return None


def _identity_url(canonical: str | None, page_url: str | None) -> str | None:
    """The URL a record is named after: the canonical link, unless it cannot be this article's.

    Some sites point every page's canonical link at their home page or at another host; trusting it
    would give every article one id, and each record would overwrite the last.
    """
    if not canonical:
        return page_url
    if not page_url:
        return canonical
    canon, page = urlsplit(canonical), urlsplit(page_url)
    same_site = (canon.hostname or "").removeprefix("www.") == (page.hostname or "").removeprefix("www.")
    if not same_site or canon.path.strip("/") == "" and page.path.strip("/") != "":
        return page_url
    return canonical


def extract(
    html: str | bytes,
    url: str | None = None,
    *,
    config: Config | None = None,
    final_url: str | None = None,
    fetched_at: str | None = None,
    http_charset: str | None = None,
) -> Article:
    """Extract the article of one page. Raises ExtractionError when the page holds no article."""
    config = config or Config()
    page_url = final_url or url
    tree = parse_html(html, http_charset=http_charset, max_bytes=config.fetch.max_bytes)
    meta = extract_metadata(tree, page_url)
    # a saved page given without its URL still names itself in its canonical link
    rule_url = page_url or meta.canonical_url
    rules = config.rules_for(urlsplit(rule_url).hostname if rule_url else None)

    figures = collect_figures(tree, page_url)
    prune_tree(tree, rules)
    content = _main_content(tree, page_url, rules)
    if content is None:
        raise ExtractionError("no article found")
    blocks = html_to_blocks(content)
    cleaned = clean_blocks(blocks, meta=meta, figures=figures, rules=rules)
    body = "\n\n".join(b.text for b in cleaned.blocks)
    words = count_words(body)
    if words < config.extract.min_body_words:
        raise ExtractionError(f"no article found (body has {words} words)")

    canonical = meta.canonical_url
    images = select_images(figures, lead_image=meta.image)
    digest = content_hash(body)
    # scrub_record: no control characters, escape sequences or URL credentials leave extraction
    return scrub_record(Article(
        id=make_id(_identity_url(canonical, page_url), fallback=digest),
        url=url,
        final_url=final_url or url,
        canonical_url=canonical,
        title=meta.title,
        description=meta.description,
        authors=meta.authors,
        published=meta.published,
        modified=meta.modified,
        section=meta.section or cleaned.section,
        tags=meta.tags,
        language=meta.language or guess_language(body),
        site_name=meta.site_name,
        images=images,
        body=body,
        word_count=words,
        content_hash=digest,
        fetched_at=fetched_at,
        extractor={"name": "scraper", "version": __version__},
        blocks=tuple((b.kind, b.text) for b in cleaned.blocks),
    ))
