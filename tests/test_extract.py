"""Extraction and cleaning rules on small hand-made pages (the fixtures cover whole real-like pages)."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import jsonschema
import pytest

import scraper
from scraper.clean import html_to_blocks
from scraper.config import Config, SiteRules
from scraper.errors import ExtractionError
from scraper.explain import explain
from scraper.extract import _Page, _pick_blocks, _prune
from scraper.figures import collect_figures
from scraper.metadata import extract_metadata
from scraper.parse import parse_html
from scraper.record import record_schema
from scraper.rules import BLOCK_TAGS
from scraper.write import render

PARAS = [
    "The city council voted on Tuesday to approve a new budget for the coming year, ending months of debate.",
    "Councillors said the plan would fund road repairs, two new libraries and an expanded bus network.",
    "Opponents argued that the increase in property taxes would hurt families already facing higher costs.",
    "The mayor said she was confident the budget struck the right balance between ambition and prudence.",
]


def page(body: str, head: str = "") -> str:
    return f"""<!doctype html><html lang="en-GB"><head><title>Budget passes | The Daily Example</title>
    <meta property="og:site_name" content="The Daily Example">{head}</head>
    <body><header><nav><a href="/">Home</a><a href="/news">News</a><a href="/sport">Sport</a></nav></header>
    <main><article><h1>Budget passes after long debate</h1>{body}</article></main>
    <footer><p>Copyright 2026 The Daily Example. All rights reserved.</p></footer></body></html>"""


def paras(items: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def test_plain_article_body_and_title() -> None:
    art = scraper.extract(page(paras(PARAS)), "https://news.example.com/budget")
    assert art.body == "\n\n".join(PARAS)
    assert art.title == "Budget passes after long debate" or art.title == "Budget passes"
    assert art.language == "en-gb"
    assert art.word_count == len(art.body.split())
    jsonschema.validate(art.to_dict(), record_schema())


def test_figure_caption_moves_to_images_and_repeats_collapse() -> None:
    fig = (
        '<figure><img src="/a.jpg" alt="The council chamber on Tuesday night.">'
        '<figcaption>The council chamber on Tuesday night. <span class="credit">Photo: Jane Roe</span>'
        "</figcaption></figure>"
    )
    body = (
        paras(PARAS[:2])
        + fig
        + "<p>The council chamber on Tuesday night.</p>"
        + paras(PARAS[2:] + [PARAS[3]])
    )
    art = scraper.extract(page(body), "https://news.example.com/budget")
    assert art.body == "\n\n".join(PARAS)
    assert [(i.url, i.caption, i.credit) for i in art.images] == [
        ("https://news.example.com/a.jpg", "The council chamber on Tuesday night.", "Photo: Jane Roe")
    ] or art.images[0].caption == "The council chamber on Tuesday night."
    assert "chamber" not in art.body


def test_promo_byline_and_section_label_leave_the_body() -> None:
    body = (
        '<a class="kicker" href="/news/local">Local</a><p class="byline">By Sam Writer</p>'
        + paras(PARAS)
        + "<p>Sign up for our free morning newsletter</p>"
        + "<p>Stay up to date with The Daily Example</p><ul><li><a href='/app'>App</a></li>"
        "<li><a href='/s'>Subscribe</a></li><li><a href='/f'>Follow</a></li><li><a href='/l'>Listen</a></li></ul>"
    )
    art = scraper.extract(page(body), "https://news.example.com/budget")
    assert art.body == "\n\n".join(PARAS)


def test_closing_sentence_opening_with_by_stays_a_closing_byline_goes() -> None:
    closing = (
        "By focusing on the districts that waited longest, and on the families hit hardest by the rise in rents,"
        " the council hopes to win back residents who felt left behind."
    )
    body = paras(PARAS) + f"<p>{closing}</p><p>By Sam Writer and Ann Other</p>"
    art = scraper.extract(page(body), "https://news.example.com/budget")
    assert art.body == "\n\n".join([*PARAS, closing])


def test_the_authors_biography_and_what_follows_it_leave_the_body() -> None:
    head = '<meta name="author" content="Ana Lima">'
    bio = (
        "Ana Lima is a senior reporter covering local government, housing and transport for The Daily"
        " Example. Email: ana@example.com."
    )
    teaser = "<p>Watch: councillors argue over the bus network in a heated late-night session</p>"
    art = scraper.extract(
        page(paras(PARAS) + f"<p>{bio}</p>" + teaser, head), "https://news.example.com/budget"
    )
    assert art.authors == ("Ana Lima",)
    assert art.body == "\n\n".join(PARAS)
    # A paragraph that only names the author, further up, is the article's own text.
    quoted = "Ana Lima asked the mayor how the libraries would be staffed; she said volunteers would help."
    later = [f"{p} Ward {i} heard the same argument on Thursday." for i, p in enumerate(PARAS * 3)]
    body = paras(PARAS[:2]) + f"<p>{quoted}</p>" + paras(later)
    art = scraper.extract(page(body, head), "https://news.example.com/budget")
    assert quoted in art.body


def test_a_short_line_with_the_copyright_sign_is_a_credit_in_any_language() -> None:
    long = (
        "The council said the \u00a9 sign on the old town crest had been added in error by a designer in 1998,"
        " and it would be removed when the crest was repainted."
    )
    body = paras(PARAS[:2]) + "<p>Foto \u00a9 Jana Roe</p>" + f"<p>{long}</p>" + paras(PARAS[2:])
    body += "<p>\u00a92026 The Daily Example Media GmbH</p>"
    art = scraper.extract(page(body), "https://news.example.com/budget")
    assert art.body == "\n\n".join([*PARAS[:2], long, *PARAS[2:]])


def test_highlighted_code_keeps_its_comment_lines() -> None:
    code = (
        '<pre><code class="language-bash"><span class="hljs-comment"># initialise the repository</span>\n'
        'git init\n<span class="hljs-comment"># show what changed</span>\ngit status</code></pre>'
    )
    art = scraper.extract(page(paras(PARAS[:2]) + code + paras(PARAS[2:])), "https://news.example.com/budget")
    assert "# initialise the repository" in art.body and "# show what changed" in art.body
    assert art.body.index("initialise") < art.body.index("git status") < art.body.index(PARAS[2])


def test_a_field_label_said_once_per_item_stays_a_line_said_twice_in_a_row_goes() -> None:
    items = "".join(
        f"<h2>{name}</h2><p>What brought you to the council?</p><p>{answer}</p>"
        for name, answer in zip(["Ana Lima", "Sam Writer", "Jo Roe"], PARAS[1:], strict=True)
    )
    twice = "<p>The vote was close.</p><p>The vote was close.</p>"
    art = scraper.extract(page(paras(PARAS[:1]) + twice + items), "https://news.example.com/budget")
    assert art.body.count("What brought you to the council?") == 3
    assert art.body.count("The vote was close.") == 1


def test_a_subheading_named_with_a_furniture_word_stays_a_teaser_boxs_heading_goes() -> None:
    teasers = (
        '<h2 class="teasers-title">More on the budget</h2><ul class="teasers">'
        '<li><a href="/a">Libraries to open on Sundays</a></li><li><a href="/b">Bus fares frozen</a></li></ul>'
    )
    body = (
        '<div class="story-text">'
        + paras(PARAS[:2])
        + '<h2 class="edTag">Where the money goes</h2>'
        + paras(PARAS[2:3])
        + teasers
        + paras(PARAS[3:])
        + "</div>"
    )
    art = scraper.extract(page(body), "https://news.example.com/budget")
    assert art.body == "\n\n".join([*PARAS[:2], "Where the money goes", *PARAS[2:]])


def test_a_box_named_for_the_article_and_a_layout_part_keeps_its_short_paragraphs() -> None:
    quote = '"We were not told."'
    box = f'<div class="articleBodyText section"><div class="component"><p>{quote}</p></div></div>'
    widget = '<div class="story-favorites-section"><span>Follow your favourite teams</span><button>+</button></div>'
    body = paras(PARAS[:2]) + box + paras(PARAS[2:3]) + widget + paras(PARAS[3:])
    art = scraper.extract(page(body), "https://news.example.com/budget")
    assert art.body == "\n\n".join([*PARAS[:2], quote, *PARAS[2:]])


def test_layout_named_boxes_holding_bare_text_in_the_article_are_kept() -> None:
    # page builders put the text straight into a <div> named for its layout ("section-text"), with no <p>
    texts = [
        f"{p} It was vote {n} on the plan since spring, and the closest yet." for n, p in enumerate(PARAS * 2)
    ]
    link = '<a href="/p">plan</a>'
    boxes = "".join(
        f'<div class="section-outer"><div class="section-text">{t.replace("plan", link, 1)}</div></div>'
        for t in texts
    )
    # beside it, teaser cards with a paragraph each: more text than the article keeps if its boxes are pruned
    cards = "".join(
        f'<div class="card"><h3><a href="/s{i}">Story {i}</a></h3><p>Story {i} of the week: readers wrote in'
        " about the parks, the schools and the buses, and the letters page ran out of room again.</p></div>"
        for i in range(8)
    )
    html = page(boxes).replace("</main>", f'</main><div class="rail"><h2>More from News</h2>{cards}</div>')
    art = scraper.extract(html, "https://news.example.com/budget")
    assert [t for t in texts if t in art.body] == texts
    assert "readers wrote in" not in art.body


def test_page_builder_sections_hold_the_article_on_a_page_without_landmarks() -> None:
    texts = [
        f"{p} Ward {i} heard the same argument at its meeting on Thursday." for i, p in enumerate(PARAS * 3)
    ]
    sections = "".join(
        f'<div class="builder-section"><div class="builder-column"><h2>Part {i}</h2><p>{p}</p></div></div>'
        for i, p in enumerate(texts[8:])
    )
    html = f"""<!doctype html><html><head><title>Budget passes</title></head><body>
    <div class="top-menu"><a href="/">Home</a> <a href="/news">News</a></div>
    <div class="page"><h1>Budget passes after long debate</h1>{paras(texts[:8])}{sections}</div>
    <div class="section more-section"><a href="/a">Another story about the city</a></div></body></html>"""
    art = scraper.extract(html, "https://news.example.com/budget")
    assert [p for p in texts if p in art.body] == texts
    assert "Another story" not in art.body


def test_text_readability_left_out_between_the_articles_paragraphs_is_put_back() -> None:
    texts = [
        f"{p} Ward {i} heard the same argument at its meeting on Thursday." for i, p in enumerate(PARAS * 2)
    ]
    items = [
        f'<div class="item"><h2 class="widget-title">{i + 1}. Ward {i} says yes</h2><p>{p}</p></div>'
        for i, p in enumerate(texts)
    ]
    more = '<div class="inline"><h2>More on this</h2><p><a href="/a">A story about the bus network plan</a></p></div>'
    art = scraper.extract(page("".join([*items[:4], more, *items[4:]])), "https://news.example.com/budget")
    parts = art.body.split("\n\n")
    assert [p for p in parts if p.endswith("says yes")] == [
        f"{i + 1}. Ward {i} says yes" for i in range(1, 8)
    ]
    assert [p for p in parts if p in texts] == texts
    assert "More on this" not in art.body and "bus network plan" not in art.body
    html = page("".join([*items[:4], more, *items[4:]]))
    assert (
        "blocks it left out between its paragraphs put back"
        in explain(html, "https://news.example.com/budget").container
    )


def test_a_readers_thread_of_long_posts_each_an_article_is_not_the_article() -> None:
    posts = "".join(
        f'<li class="comment" id="comment-{i}"><article class="comment-body"><footer>Reader {i} says:</footer>'
        f"<p>Reader {i} wrote at length: I have lived by the council offices for thirty years and every budget "
        f"promises road repairs that never reach our street, so forgive me for doubting this one ({i}).</p>"
        f"<p>And the libraries will open in 2028 only if the builders are paid on time, which they never are.</p>"
        "</article></li>"
        for i in range(8)
    )
    thread = f'<div id="comments" class="comments-area"><h2>8 comments</h2><ol class="comment-list">{posts}</ol></div>'
    art = scraper.extract(page(paras(PARAS) + thread), "https://news.example.com/budget")
    assert art.body == "\n\n".join(PARAS)


def test_a_caption_in_a_box_of_two_beside_an_image_leaves_the_body_whatever_the_class_names() -> None:
    caption = "Councillors in the chamber before the vote on Tuesday night."
    figure = (
        '<div class="css-8f2a1"><div class="css-k3d9e"><img src="/vote.jpg" alt=""></div>'
        f'<div class="css-q7w2r"><span class="css-z1x2c">{caption}</span></div></div>'
    )
    art = scraper.extract(
        page(paras(PARAS[:2]) + figure + paras(PARAS[2:])), "https://news.example.com/budget"
    )
    assert art.body == "\n\n".join(PARAS)
    assert [(i.url, i.caption) for i in art.images] == [("https://news.example.com/vote.jpg", caption)]


def test_structure_kept_for_markdown() -> None:
    body = (
        paras(PARAS[:2])
        + "<h2>What happens next</h2>"
        + paras(PARAS[2:])
        + "<ul><li>Road repairs start in March across the northern districts.</li>"
        "<li>The libraries open in 2028 in the two fastest-growing suburbs.</li></ul>"
        "<blockquote><p>This is a budget for everyone in this city, the mayor told the chamber.</p>"
        "<footer>Mayor Ana Lima</footer></blockquote>"
        "<table><tr><th>Item</th><th>Cost</th></tr><tr><td>Road repairs in the northern districts</td>"
        "<td>4.2 million</td></tr><tr><td>Two new libraries</td><td>11 million</td></tr></table>"
    )
    art = scraper.extract(page(body), "https://news.example.com/budget")
    assert "\n\nWhat happens next\n\n" in art.body
    md = render(art, "markdown")
    assert "## What happens next" in md
    assert "- Road repairs start in March across the northern districts.\n- The libraries open" in md
    assert "> This is a budget for everyone" in md
    assert "> Mayor Ana Lima" in md  # a quotation keeps its attribution
    assert "| Item | Cost |\n|---|---|\n| Road repairs in the northern districts | 4.2 million |\n" in md


def test_no_article_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="no article found"):
        scraper.extract("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(ExtractionError):
        scraper.extract("")


def test_id_is_stable_across_tracking_parameters() -> None:
    a = scraper.extract(page(paras(PARAS)), "https://News.Example.com/budget?utm_source=x#top")
    b = scraper.extract(page(paras(PARAS)), "https://news.example.com/budget")
    assert a.id == b.id
    assert len(a.id) == 32 and int(a.id, 16) >= 0


def test_a_home_page_canonical_does_not_name_every_article() -> None:
    head = '<link rel="canonical" href="https://news.example.com/">'
    a = scraper.extract(page(paras(PARAS), head), "https://news.example.com/2026/budget")
    b = scraper.extract(page(paras(PARAS[1:] + PARAS[:1]), head), "https://news.example.com/2026/roads")
    assert a.id != b.id
    own = '<link rel="canonical" href="https://www.example.com/2026/budget">'
    c = scraper.extract(page(paras(PARAS), own), "https://example.com/2026/budget?utm_source=feed")
    assert c.id == scraper.extract(page(paras(PARAS), own), "https://example.com/2026/budget").id


def test_site_body_selector_chooses_the_article() -> None:
    teaser = "<div class='teaser'>" + paras([p.replace("council", "committee") for p in PARAS]) + "</div>"
    body = teaser + "<div class='story-text'>" + paras(PARAS[:3]) + "</div>"
    cfg = scraper.Config().replace(sites={"example.com": SiteRules(body_selector="div.story-text")})
    art = scraper.extract(page(body), "https://news.example.com/budget", config=cfg)
    assert art.body == "\n\n".join(PARAS[:3])
    unmatched = scraper.Config().replace(sites={"example.com": SiteRules(body_selector="div.nowhere")})
    assert (
        "committee" in scraper.extract(page(body), "https://news.example.com/budget", config=unmatched).body
    )


@pytest.mark.parametrize("sample", ["aeb", "fundus", "naeb", "wcxb", "trafeval"])
def test_a_picks_blocks_cut_from_the_whole_page_are_those_of_its_own_walk(sample: str) -> None:
    # picks take their blocks from the page's one walk when that reads them as their own walk would: on
    # real pages, for every block-level element of the pruned tree, the two agree
    folder = Path(__file__).resolve().parent / "data" / "bench-sample" / sample
    for path in sorted(folder.glob("*.html.gz"))[:2]:
        html = gzip.decompress(path.read_bytes())
        tree = parse_html(html)
        meta = extract_metadata(tree, None)
        page = _Page(html, None, Config(), meta, None, tree, collect_figures(tree, None), None, None)
        _prune(page)
        cut = 0
        for el in tree.iter():
            if isinstance(el.tag, str) and el.tag in BLOCK_TAGS and el.tag != "html":
                blocks = _pick_blocks(el, page)
                assert [dataclasses.astuple(b) for b in blocks] == [
                    dataclasses.astuple(b) for b in html_to_blocks(el)
                ], (path.name, el.tag, el.get("class"))
                cut += bool(blocks) and any(blocks[0] is b for b in page.whole().blocks)
        assert cut >= 10  # the check saw blocks cut from the whole page


def test_a_subheading_with_a_permalink_icon_keeps_its_place_whatever_its_id() -> None:
    # the id is made from the heading's text ("what-comes-next": "next" names pagination elsewhere), and
    # an empty anchor beside it is the heading's permalink icon, not a link out
    heading = (
        '<h2 id="what-comes-next"><b>What comes next</b>'
        '<a href="#what-comes-next" class="heading-link" aria-label="What comes next"></a></h2>'
    )
    art = scraper.extract(
        page(paras(PARAS[:3]) + heading + paras(PARAS[3:])), "https://news.example.com/budget"
    )
    assert art.body == "\n\n".join([*PARAS[:3], "What comes next", *PARAS[3:]])
