"""Extraction: one page (bytes or text) in, one ``Article`` out. Pure: no network, no files.

Steps, on one parsed tree: metadata -> figures and captions set aside -> page furniture pruned ->
readability-lxml scores and picks the main content -> blocks -> cleaned body -> Article.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from . import rules as R
from ._version import __version__
from .clean import Block, Cleaned, clean_blocks, html_to_blocks
from .config import Config, SiteRules
from .content import (
    Candidate,
    body_chars,
    choose,
    density_picks,
    huge_page_pick,
    lead_candidates,
    lead_paragraphs,
    may_win,
    readability_pick,
    rescue_picks,
    selector_pick,
)
from .errors import ExtractionError
from .figures import Figure, collect_figures, select_images
from .language import guess_language
from .markup import TEXT_LENGTH
from .metadata import Metadata, extract_metadata
from .parse import parse_html
from .prune import prune_tree
from .record import FIGURE_BLOCK, Article, content_hash, make_id, strip_credentials
from .scorer import Outside, outside_blocks
from .scorer import model as block_model
from .scrub import scrub_record
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
    candidates: list[tuple[Candidate, int]] = field(
        default_factory=list
    )  # each pick, its cleaned body length
    chosen: Candidate | None = None
    cleaned: Cleaned | None = None
    # the blocks the block scorer weighed, outside the container and its own last ones: (block, score,
    # put back)
    outside: list[tuple[Outside, float | None, bool]] = field(default_factory=list)


class _Whole(NamedTuple):
    """The pruned page's body as blocks, in page order, with each block's caption key and element."""

    blocks: list[Block]
    keys: list[str]
    owners: list[HtmlElement]


@dataclass(slots=True)
class _Page:
    """One page on its way through extraction: what each step reads, and the tree and figures it left."""

    html: str | bytes
    url: str | None  # the page's own URL (final after redirects), for resolving links and site rules
    config: Config
    meta: Metadata
    rules: SiteRules | None
    tree: HtmlElement
    figures: list[Figure]
    http_charset: str | None
    trace: Trace | None
    # subtrees that pruning dropped for class words alone: what a rescue could win back (measured only then)
    class_word_drops: list[HtmlElement] = dataclasses.field(default_factory=list)
    _whole: _Whole | None = None  # built when first asked for, for the tree it was built from

    def whole(self) -> _Whole:
        """The pruned page's body as blocks (gap filling and the block scorer read it)."""
        if self._whole is None:
            body = self.tree.find("body")
            owners: list[HtmlElement] = []
            blocks = html_to_blocks(
                body if body is not None else self.tree, links=self.config.extract.links, owners=owners
            )
            self._whole = _Whole(blocks, [caption_key(b.text) for b in blocks], owners)
        return self._whole

    def replace_tree(self, tree: HtmlElement, figures: list[Figure]) -> None:
        """Work on another parse of the page from here on (a rescue's)."""
        self.tree, self.figures, self._whole = tree, figures, None

    @property
    def context(self) -> dict[str, Any]:
        """What the cleaner reads beside the blocks."""
        return {"meta": self.meta, "figures": self.figures, "rules": self.rules}


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
        trace.page = copy.deepcopy(
            tree
        )  # the steps below change the tree; --explain lists the page as it was
    page = _Page(
        html, page_url, config, meta, rules, tree, collect_figures(tree, page_url), http_charset, trace
    )
    leads = lead_candidates(tree)  # before pruning: the standfirst often sits in the <header>
    _prune(page)
    chosen, raw, cleaned = _content(page)
    if chosen.source != "site-rule":
        if chosen.source != "huge-page":  # a page of thousands of paragraphs: its container is all of it
            raw, cleaned = _score_outside(page, raw, cleaned)
        cleaned = _with_standfirst(page, leads, raw, cleaned)
    body = _body_text(cleaned)
    words = count_words(body)
    if words < config.extract.min_body_words and chosen.source not in ("site-rule", "huge-page"):
        last = _rescue(page, body_chars(cleaned), last_resort=True)
        if last is not None:
            chosen, cleaned = last.pick, last.cleaned
            page.replace_tree(last.tree, last.figures)
            if trace is not None:
                trace.candidates.append((chosen, body_chars(cleaned)))
            body = _body_text(cleaned)
            words = count_words(body)
    if trace is not None:
        trace.chosen, trace.cleaned = chosen, cleaned
    if words < config.extract.min_body_words:
        raise ExtractionError(f"no article found (body has {words} words)")
    return _article(page, cleaned, body, words, url=url, final_url=final_url, fetched_at=fetched_at)


def _body_text(cleaned: Cleaned) -> str:
    """The body as the record holds it: the text blocks, a blank line between two."""
    return "\n\n".join(b.text for b in cleaned.blocks if b.kind != FIGURE_BLOCK)


def _prune(page: _Page) -> None:
    """Page furniture out of the tree, counting the text dropped for class words; with a trace, each
    dropped subtree's text and reason recorded."""
    trace = page.trace
    if trace is not None:
        trace.figures = page.figures

    def on_drop(el: HtmlElement, reason: str) -> None:
        if reason.startswith("class word"):
            page.class_word_drops.append(el)
        if trace is not None:
            trace.pruned.extend((reason, b.text) for b in html_to_blocks(el))

    prune_tree(page.tree, page.rules, on_drop=on_drop)


def _with_standfirst(
    page: _Page, leads: list[tuple[str, bool]], raw: list[Block], cleaned: Cleaned
) -> Cleaned:
    """The standfirst joins the body, unless the record already holds it as its description and it is
    shorter than a paragraph (``R.LEAD_PARAGRAPH_CHARS``)."""
    first_text = next((b.text for b in cleaned.blocks if b.kind != FIGURE_BLOCK), None)
    if first_text is None:
        return cleaned
    described = caption_key(page.meta.description) if page.meta.description else None
    found = [
        t
        for t in lead_paragraphs(leads, first_text)
        if len(t) >= R.LEAD_PARAGRAPH_CHARS or caption_key(t) != described
    ]
    if not found:
        return cleaned
    return clean_blocks([Block("p", text) for text in found] + raw, **page.context)


def _article(
    page: _Page,
    cleaned: Cleaned,
    body: str,
    words: int,
    *,
    url: str | None,
    final_url: str | None,
    fetched_at: str | None,
) -> Article:
    """The record, scrubbed: no control characters, escape sequences or URL credentials leave extraction."""
    meta = page.meta
    canonical = meta.canonical_url
    digest = content_hash(body)
    return scrub_record(
        Article(
            id=make_id(_identity_url(canonical, page.url), fallback=digest),
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
            images=select_images(page.figures, lead_image=meta.image),
            body=body,
            word_count=words,
            content_hash=digest,
            fetched_at=fetched_at,
            extractor={"name": "scraper", "version": __version__},
            blocks=tuple(_record_block(b, page.url) for b in cleaned.blocks),
        )
    )


def _clean_pick(pick: Candidate, page: _Page) -> tuple[list[Block], Cleaned]:
    raw = _pick_blocks(pick.element, page)
    return raw, clean_blocks(raw, **page.context)


def _pick_blocks(el: HtmlElement, page: _Page) -> list[Block]:
    """A pick's blocks: the run of the whole page's blocks that came from its subtree, when walking it
    alone gives the same (a block-level element outside any link, list item, quote, heading or preformatted
    text, whose kind it would inherit); else its own walk."""
    if el.tag in R.BLOCK_TAGS and not any(a.tag in _INHERITED for a in el.iterancestors()):
        whole = page.whole()
        inside = set(el.iter())
        at = [i for i, owner in enumerate(whole.owners) if owner in inside]
        if at and at[-1] - at[0] + 1 == len(at):
            return whole.blocks[at[0] : at[-1] + 1]
    return html_to_blocks(el, links=page.config.extract.links)


# Ancestors that make a walk of the whole page read a subtree otherwise than a walk of the subtree alone.
_INHERITED = frozenset({"a", "li", "dt", "dd", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})


def _content(page: _Page) -> tuple[Candidate, list[Block], Cleaned]:
    """The article's container: each pick on the pruned tree, cleaned and weighed (see ``content.choose``);
    then, when the winner is short, the picks of the page pruned again without class words (``R.RESCUE_*``),
    whose tree and figures then replace the page's. Returns the winner and its blocks before and after
    cleaning."""
    tree, rules, trace = page.tree, page.rules, page.trace
    chosen = selector_pick(tree, rules) or huge_page_pick(tree)
    picks = [chosen] if chosen is not None else [readability_pick(tree, page.url), *density_picks(tree)]
    results: list[tuple[Candidate, Cleaned]] = []
    raws: list[list[Block]] = []  # each result's blocks before cleaning (the standfirst is added to them)
    for pick in picks:
        if pick is None:
            continue
        if results and trace is None and not may_win(pick, results[0][1]):
            continue  # cannot beat the first pick: not worth building and cleaning its blocks
        raw, cleaned = _clean_pick(pick, page)
        raws.append(raw)
        results.append((pick, cleaned))
    best = choose(results) if results else -1
    found = body_chars(results[best][1]) if results else 0
    if chosen is None and found < R.RESCUE_BELOW:
        rescued = _rescue(page, found)
        if rescued is not None:
            raws.append(rescued.raw)
            results.append((rescued.pick, rescued.cleaned))
            if best < 0 or choose([results[best], results[-1]]) == 1:
                best = len(results) - 1
                page.replace_tree(rescued.tree, rescued.figures)
    if trace is not None:
        trace.candidates = [(pick, body_chars(c)) for pick, c in results]
    if best < 0:
        raise ExtractionError("no article found")
    if results[best][0].source == "readability":
        filled = _fill_gaps(page, raws[best])
        if filled is not None:
            pick = results[best][0]
            put_back = len(filled) - len(raws[best])
            pick = dataclasses.replace(
                pick, why=f"{pick.why}; {put_back} blocks it left out between its paragraphs put back"
            )
            return pick, filled, clean_blocks(filled, **page.context)
    return results[best][0], raws[best], results[best][1]


def _fill_gaps(page: _Page, raw: list[Block]) -> list[Block] | None:
    """The page's text from the pick's first paragraph to its last, in page order: the runs of text
    between its paragraphs that it left out (a listicle's items in sibling boxes, readability's
    conditional cleaning), unless a run is mostly links (a "read more" box set into the article)."""
    keys = [caption_key(b.text) for b in raw]
    kept = set(keys)
    anchors = {k for b, k in zip(raw, keys, strict=True) if b.kind == "p" and b.words >= R.GAP_ANCHOR_WORDS}
    whole, whole_keys, _ = page.whole()
    at = [i for i, (b, k) in enumerate(zip(whole, whole_keys, strict=True)) if b.kind == "p" and k in anchors]
    if len(at) < 2:
        return None
    span: list[Block] = []
    run: list[Block] = []  # left-out blocks since the last kept one or heading

    def close_run() -> None:
        if run and sum(x.link_chars for x in run) <= R.GAP_MAX_LINK_SHARE * sum(len(x.text) for x in run):
            span.extend(run)
        run.clear()

    for i in range(at[0], at[-1] + 1):
        b, k = whole[i], whole_keys[i]
        if k in kept or b.kind in ("h", "h1"):
            close_run()
        (span if k in kept else run).append(b)
    close_run()
    first = keys.index(whole_keys[at[0]])
    last = len(keys) - 1 - keys[::-1].index(whole_keys[at[-1]])
    filled = raw[:first] + span + raw[last + 1 :]
    added = sum(len(b.text) for b in filled) - sum(len(b.text) for b in raw)
    if added <= 0 or added > R.GAP_MAX_SHARE * sum(len(b.text) for b in raw):
        return None
    return filled


def _score_outside(page: _Page, raw: list[Block], cleaned: Cleaned) -> tuple[list[Block], Cleaned]:
    """The blocks just outside the container that the block model says are article, put back in page
    order, and the container's own last blocks that its tail model says are not, dropped from the last
    one back (and the whole cleaned again); unchanged without a model or when it changes nothing."""
    m = block_model()
    if m is None and page.trace is None:
        return raw, cleaned  # without a model only --explain and training read the candidates
    kept = [b for b in cleaned.blocks if b.kind != FIGURE_BLOCK]
    if not kept:
        return raw, cleaned
    whole = page.whole()
    raw_keys = {caption_key(b.text) for b in raw}
    found = outside_blocks(whole.blocks, whole.keys, raw_keys, kept, page.meta.description, whole.owners)
    scores = [
        m.score_on(o.side, o.features) if m is not None and m.weighs(o.side, o.features) else None
        for o in found
    ]
    take, drop = m.decide(found, scores) if m is not None else (set(), {})
    if page.trace is not None:
        # (a block of the container's own is put back by nothing: a tail block dropped says so itself)
        page.trace.outside = [(o, s, o.index in take) for o, s in zip(found, scores, strict=True)]
    if not take and not drop:
        return raw, cleaned
    if drop:
        gone = {whole.keys[i] for i in drop}
        raw = [b for b in raw if caption_key(b.text) not in gone]
        log.debug("block scorer dropped %d blocks at the end", len(drop))
    if take:
        raw = _put_back(raw, take, whole)
        log.debug("block scorer put back %d blocks", len(take))
    cleaned = clean_blocks(raw, **page.context)
    cleaned.dropped.extend((f"tail (block scorer {s:.2f})", whole.blocks[i].text) for i, s in drop.items())
    return raw, cleaned


def _put_back(raw: list[Block], take: set[int], whole: _Whole) -> list[Block]:
    """``raw`` with the page's blocks ``take`` (indexes in ``whole``), each after the last container block
    before it in the page (or first)."""
    raw_at = {caption_key(b.text): j for j, b in enumerate(raw)}
    inserts: dict[int, list[Block]] = {}
    j = -1
    for i in range(max(take) + 1):
        if i in take:
            inserts.setdefault(j, []).append(whole.blocks[i])
        else:
            j = raw_at.get(whole.keys[i], j)
    out = list(inserts.get(-1, []))
    for j, b in enumerate(raw):
        out.append(b)
        out.extend(inserts.get(j, []))
    return out


class _Rescued(NamedTuple):
    """A rescue's best pick, its blocks before and after cleaning, and the parse it came from."""

    pick: Candidate
    raw: list[Block]
    cleaned: Cleaned
    tree: HtmlElement
    figures: list[Figure]


def _rescue(page: _Page, found: int, *, last_resort: bool = False) -> _Rescued | None:
    """So little survived the picks that class names may have covered the article itself: when pruning
    dropped enough text for class words alone, the page pruned again by tag, role and hidden state (and
    ``R.RESCUE_TOKENS``) and the best of its picks, with the tree and figures it came from; None when none
    could be longer than ``found`` characters. ``last_resort``: the body found is too short to be an
    article; the page pruned so, keeping its layout landmarks too (``R.LAYOUT_TAGS``), whatever pruning
    dropped."""
    if (
        not last_resort
        and sum(int(TEXT_LENGTH(el)) for el in page.class_word_drops) <= R.PROSE_PICK_RATIO * found
    ):
        return None  # pruning by class words cannot have hidden an article longer than the body found
    tree = parse_html(page.html, http_charset=page.http_charset, max_bytes=page.config.fetch.max_bytes)
    figures = collect_figures(tree, page.url)
    prune_tree(tree, page.rules, class_words=False, layout=not last_resort)
    rescue_page = dataclasses.replace(page, tree=tree, figures=figures, _whole=None)
    picks = rescue_picks(tree, page.url)
    if last_resort:
        picks = [
            dataclasses.replace(
                p,
                source=p.source.replace("rescue", "last resort", 1),
                why=p.why + " nor of its <aside>, <header>, <footer>",
            )
            for p in picks
        ]
    rescued: list[tuple[Candidate, list[Block], Cleaned]] = []
    for pick in picks:
        if int(TEXT_LENGTH(pick.element)) > R.PROSE_PICK_RATIO * found:
            rescued.append((pick, *_clean_pick(pick, rescue_page)))
    if not rescued:
        return None
    pick, raw, cleaned = rescued[choose([(pick, cleaned) for pick, _, cleaned in rescued])]
    return _Rescued(pick, raw, cleaned, tree, figures)
