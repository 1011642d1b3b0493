"""Extraction: one page (bytes or text) in, one ``Article`` out. Pure: no network, no files.

Steps, on one parsed tree: metadata -> figures and captions set aside -> page furniture pruned ->
readability-lxml scores and picks the main content -> blocks -> cleaned body -> Article.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from . import rules as R
from ._version import __version__
from .clean import Block, Cleaned, clean_blocks, html_to_blocks
from .config import Config, SiteRules
from .content import (
    TEXT_LENGTH,
    Candidate,
    body_chars,
    choose,
    huge_page_pick,
    lead_candidates,
    lead_paragraphs,
    may_win,
    prose_pick,
    readability_pick,
    rescue_picks,
    selector_pick,
)
from .errors import ExtractionError
from .language import guess_language
from .metadata import Metadata, extract_metadata
from .parse import parse_html, scrub_record
from .prune import Figure, collect_figures, prune_tree, select_images
from .record import FIGURE_BLOCK, Article, content_hash, make_id, strip_credentials
from .text import caption_key, count_words

log = logging.getLogger(__name__)

__all__ = ["Trace", "extract"]


def _record_block(block: Block, base: str | None) -> tuple[Any, ...]:
    """(kind, text), and the block's links as (start, end, absolute URL) where it has any."""
    if block.kind == FIGURE_BLOCK:
        return (block.kind, strip_credentials(block.text))
    if not block.links:
        return (block.kind, block.text)
    links = []
    for start, end, href in block.links:
        try:
            url = urljoin(base, href) if base else href
        except ValueError:
            continue
        links.append((start, end, strip_credentials(url)))
    return (block.kind, block.text, tuple(links))


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


@dataclass(slots=True)
class Trace:
    """What extraction decided, step by step: filled in when passed to ``extract`` (for ``--explain``)."""

    page: HtmlElement | None = None  # the page as parsed, before figures are set aside and furniture pruned
    figures: list[Figure] = field(default_factory=list)
    pruned: list[tuple[str, str]] = field(default_factory=list)  # (reason, text) per dropped subtree
    candidates: list[tuple[Candidate, int]] = field(default_factory=list)  # each pick, its cleaned body length
    chosen: Candidate | None = None
    cleaned: Cleaned | None = None


def extract(
    html: str | bytes,
    url: str | None = None,
    *,
    config: Config | None = None,
    final_url: str | None = None,
    fetched_at: str | None = None,
    http_charset: str | None = None,
    trace: Trace | None = None,
) -> Article:
    """Extract the article of one page. Raises ExtractionError when the page holds no article.

    ``trace``, when given, records each decision (figures set aside, subtrees pruned and why, the
    content picks and the one chosen, the cleaner's drops) for ``scraper extract --explain``.
    """
    config = config or Config()
    page_url = final_url or url
    tree = parse_html(html, http_charset=http_charset, max_bytes=config.fetch.max_bytes)
    meta = extract_metadata(tree, page_url)
    # a saved page given without its URL still names itself in its canonical link
    rule_url = page_url or meta.canonical_url
    rules = config.rules_for(urlsplit(rule_url).hostname if rule_url else None)

    if trace is not None:
        trace.page = copy.deepcopy(tree)  # the steps below change the tree; --explain lists the page as it was
    figures = collect_figures(tree, page_url)
    leads_before = lead_candidates(tree)  # before pruning: the standfirst often sits in the <header>
    on_drop = None
    if trace is not None:
        trace.figures = figures

        def on_drop(el: HtmlElement, reason: str) -> None:
            trace.pruned.extend((reason, b.text) for b in html_to_blocks(el))

    prune_tree(tree, rules, on_drop=on_drop)
    chosen, raw, cleaned, tree, figures = _content(
        tree, html, page_url, config, meta, figures, rules, trace, http_charset
    )
    first_text = next((b.text for b in cleaned.blocks if b.kind != FIGURE_BLOCK), None)
    if chosen.source != "site-rule" and first_text is not None:
        # the standfirst joins the body, unless the record already holds it as its description
        described = caption_key(meta.description) if meta.description else None
        leads = [t for t in lead_paragraphs(leads_before, first_text) if caption_key(t) != described]
        if leads:
            blocks = [Block("p", text) for text in leads] + raw
            cleaned = clean_blocks(blocks, meta=meta, figures=figures, rules=rules)
    if trace is not None:
        trace.chosen, trace.cleaned = chosen, cleaned
    body = "\n\n".join(b.text for b in cleaned.blocks if b.kind != FIGURE_BLOCK)
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
        blocks=tuple(_record_block(b, page_url) for b in cleaned.blocks),
    ))


def _clean_pick(pick: Candidate, config: Config, **context: Any) -> tuple[list[Block], Cleaned]:
    raw = html_to_blocks(pick.element, links=config.extract.links)
    return raw, clean_blocks(raw, **context)


def _content(
    tree: HtmlElement,
    html: str | bytes,
    page_url: str | None,
    config: Config,
    meta: Metadata,
    figures: list[Figure],
    rules: SiteRules | None,
    trace: Trace | None,
    http_charset: str | None,
) -> tuple[Candidate, list[Block], Cleaned, HtmlElement, list[Figure]]:
    """The article's container: each pick on the pruned tree, cleaned and weighed (see ``content.choose``);
    then, when the winner is short, the picks of the page pruned again without class words (``R.RESCUE_*``).
    Returns the winner, its blocks before and after cleaning, and the tree and figures it came from."""
    context: dict[str, Any] = {"meta": meta, "figures": figures, "rules": rules}
    chosen = selector_pick(tree, rules) or huge_page_pick(tree)
    picks = [chosen] if chosen is not None else [readability_pick(tree, page_url), prose_pick(tree)]
    results: list[tuple[Candidate, Cleaned]] = []
    raws: list[list[Block]] = []  # each result's blocks before cleaning (the standfirst is added to them)
    for pick in picks:
        if pick is None:
            continue
        if results and trace is None and not may_win(pick, results[0][1]):
            continue  # cannot beat the first pick: not worth building and cleaning its blocks
        raw, cleaned = _clean_pick(pick, config, **context)
        raws.append(raw)
        results.append((pick, cleaned))
    best = choose(results) if results else -1
    found = body_chars(results[best][1]) if results else 0
    if chosen is None and found < R.RESCUE_BELOW:
        # so little survived pruning that class names may have covered the article itself
        rescue_tree = parse_html(html, http_charset=http_charset, max_bytes=config.fetch.max_bytes)
        rescue_figures = collect_figures(rescue_tree, page_url)
        prune_tree(rescue_tree, rules, class_words=False)
        rescued: list[tuple[Candidate, list[Block], Cleaned]] = []
        for pick in rescue_picks(rescue_tree, page_url):
            if int(TEXT_LENGTH(pick.element)) > R.PROSE_PICK_RATIO * found:
                rescued.append((pick, *_clean_pick(pick, config, **{**context, "figures": rescue_figures})))
        if rescued:
            top = rescued[choose([(pick, cleaned) for pick, _, cleaned in rescued])]
            results.append((top[0], top[2]))
            raws.append(top[1])
            if best < 0 or choose([results[best], results[-1]]) == 1:
                best, tree, figures = len(results) - 1, rescue_tree, rescue_figures
    if trace is not None:
        trace.candidates = [(pick, body_chars(c)) for pick, c in results]
    if best < 0:
        raise ExtractionError("no article found")
    return results[best][0], raws[best], results[best][1], tree, figures
