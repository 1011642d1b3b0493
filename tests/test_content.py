"""Main-content choice and recall: the kinds of page where the article used to be lost (issue 9).

Each page is built from a pattern seen on several development sites: paragraphs whose class says
"paywall", subscriber text shipped hidden, an unclosed tag wrapped round the page, an article split
over chunks with ad slots between them, layout words on article sections. ``--explain`` is tested on the
bundled SBS page.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import scraper
from scraper.cli import main
from scraper.config import Config
from scraper.content import density_picks, lead_candidates, prose_pick, rescue_picks
from scraper.errors import ExtractionError
from scraper.explain import explain
from scraper.extract import Trace
from scraper.parse import parse_html

SENTENCES = [
    f"Paragraph {i} of the report says the river authority will widen the channel near the old mill, "
    f"and residents who spoke at the meeting in March asked for a timetable ({i})."
    for i in range(12)
]
URL = "https://news.example.org/2026/river-channel"


def page(body: str, *, before: str = "", after: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><title>River channel to be widened</title></head><body>
    <header><nav><a href="/">Home</a> <a href="/local">Local</a></nav></header>{before}
    <main><article><h1>River channel to be widened</h1>{body}</article></main>{after}
    <footer><p>Copyright 2026 Example News.</p></footer></body></html>"""


def found(body: str) -> list[int]:
    return [i for i, s in enumerate(SENTENCES) if s in body]


def test_prose_paragraphs_are_kept_whatever_their_class_says() -> None:
    body = "".join(f'<p class="{"paywall" if i else "lead"}">{s}</p>' for i, s in enumerate(SENTENCES[:8]))
    art = scraper.extract(page(body), URL)
    assert found(art.body) == list(range(8))


def test_subscriber_paragraphs_shipped_hidden_are_article() -> None:
    visible = "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
    hidden = "".join(
        f'<div class="subscriber-only" style="display:none"><p>{s}</p></div>' for s in SENTENCES[2:8]
    )
    modal = f'<div style="display:none"><p>{"We use cookies to give you the best experience on our site. " * 3}</p></div>'
    art = scraper.extract(page(f'<div class="article-body">{visible}{hidden}</div>', before=modal), URL)
    assert found(art.body) == list(range(8))
    assert "cookies" not in art.body


def test_unclosed_button_around_the_page_does_not_take_the_article() -> None:
    html = page("".join(f"<p>{s}</p>" for s in SENTENCES[:6])).replace(
        "<header>", '<header role="banner"><button class="menu-button">Menu'
    )
    art = scraper.extract(html, URL)
    assert found(art.body) == list(range(6))


def test_article_split_over_chunks_with_ads_between_is_joined() -> None:
    chunks = []
    for n in range(4):
        text = "".join(f"<p>{s}</p>" for s in SENTENCES[3 * n : 3 * n + 3])
        chunks.append(f'<div class="grid"><div class="grid-item"><div class="chunk">{text}</div></div></div>')
        chunks.append('<div class="ad-slot"><div class="ad">Advertisement</div></div>')
    art = scraper.extract(page("".join(chunks)), URL)
    assert found(art.body) == list(range(12))


def test_prose_pick_stops_where_the_page_around_the_article_begins() -> None:
    teasers = "".join(
        f'<li><a href="/s/{i}">Another story about something else entirely, number {i}</a></li>'
        for i in range(30)
    )
    tree = parse_html(
        page("".join(f"<p>{s}</p>" for s in SENTENCES[:5]), after=f"<div><ul>{teasers}</ul></div>")
    )
    pick = prose_pick(tree)
    assert pick is not None and pick.element.tag == "article"


def test_prose_pick_weighs_text_set_in_a_div_with_line_breaks() -> None:
    # a forum's opening post or an older site's body: text straight in a <div>, lines set with <br>, no <p>
    post = '<div class="PostText">' + "<br />".join(SENTENCES[:4]) + "</div>"
    short = "".join(f'<div class="label">Reply {i}</div>' for i in range(40))  # labels are not paragraphs
    tree = parse_html(page(f'<div class="post">{post}</div>', after=f'<div class="replies">{short}</div>'))
    pick = prose_pick(tree)
    assert pick is not None
    assert found(pick.element.text_content()) == [0, 1, 2, 3]
    assert "Reply" not in pick.element.text_content()


@pytest.mark.parametrize("layout", ["section", "print", "topic"])
def test_layout_words_inside_the_article_do_not_prune_prose(layout: str) -> None:
    body = (
        f"<p>{SENTENCES[0]}</p><div class='article-{layout}'><p>{SENTENCES[1]}</p><p>{SENTENCES[2]}</p></div>"
        f"<p>{SENTENCES[3]}</p>"
    )
    art = scraper.extract(page(body), URL)
    assert found(art.body) == [0, 1, 2, 3]


def test_furniture_words_inside_the_article_still_prune() -> None:
    promo = (
        "<div class='newsletter-signup'><p>Sign up to our morning briefing and get the day's most important "
        "stories delivered to your inbox before breakfast, every weekday.</p></div>"
    )
    body = "".join(f"<p>{s}</p>" for s in SENTENCES[:3]) + promo + f"<p>{SENTENCES[3]}</p>"
    art = scraper.extract(page(body), URL)
    assert found(art.body) == [0, 1, 2, 3]
    assert "briefing" not in art.body


def test_explain_accounts_for_every_block_in_page_order() -> None:
    promo = "<div class='newsletter-signup'><p>Sign up to our briefing.</p></div>"
    html = page("".join(f"<p>{s}</p>" for s in SENTENCES[:4]) + promo)
    result = explain(html, URL)
    assert result.error is None
    assert result.container.startswith(("readability", "prose"))
    texts = [t for _, _, t in result.blocks]
    assert texts.index(SENTENCES[0]) < texts.index(SENTENCES[3]) < texts.index("Sign up to our briefing.")
    fates = {t: (kept, reason) for kept, reason, t in result.blocks}
    assert fates[SENTENCES[0]] == (True, "p")
    assert fates["Sign up to our briefing."] == (False, "pruned: class word newsletter, signup")
    assert fates["Home Local"] == (False, "pruned: tag <header>")


def test_explain_lists_an_article_that_a_noscript_wraps() -> None:
    # A <div> opened in a <noscript> and never closed there: the parser puts the whole page in the
    # <noscript>, and extraction keeps it as the wrapper of the article it is.
    html = (
        "<html><head><title>Budget</title></head><body><noscript><div id='nojs'></noscript>"
        + "<div id='page'><h1>The river channel</h1>"
        + "".join(f"<p>{s}</p>" for s in SENTENCES[:4])
        + "</div></div></body></html>"
    )
    assert scraper.extract(html, URL).body == "\n\n".join(SENTENCES[:4])
    fates = {t: (kept, reason) for kept, reason, t in explain(html, URL).blocks}
    assert all(fates[s] == (True, "p") for s in SENTENCES[:4])


def test_an_article_shipped_only_in_noscript_is_the_article() -> None:
    # Script-rendered blogs put the post's text in <noscript> for browsers without scripts.
    body = (
        "<div class='post-body'><div id='rendered'></div><noscript>"
        + "".join(f"<p>{s}</p>" for s in SENTENCES[:4])
        + "<img src='/pixel.gif'></noscript></div>"
    )
    assert found(scraper.extract(page(body), URL).body) == [0, 1, 2, 3]


def test_explain_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "--explain", "fixtures/pages/sbs-north-korea.html"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("container: ")
    assert any(
        line.startswith("kept ") and "Donald Trump says the US and North Korea" in line for line in out
    )
    assert any(line.startswith("dropped") and "caption" in line for line in out)
    assert main(["extract", "--explain", "a.html", "b.html"]) == 2


def test_line_breaks_in_the_source_are_spaces_not_paragraphs() -> None:
    wrapped = SENTENCES[0].replace(" will ", "\nwill ").replace(" and ", "\n  and ")
    body = f"<p>{wrapped}</p><p>{SENTENCES[1]}<br>{SENTENCES[2]}</p><pre>line one\nline two</pre>"
    art = scraper.extract(page(body + "".join(f"<p>{s}</p>" for s in SENTENCES[3:6])), URL)
    paragraphs = art.body.split("\n\n")
    assert paragraphs[:3] == [SENTENCES[0], SENTENCES[1], SENTENCES[2]]  # <br> still breaks a line
    assert "line one\n\nline two" in art.body  # preformatted text keeps its lines


def test_standfirst_beside_the_headline_joins_the_body_unless_it_is_a_short_description() -> None:
    lead = "The authority says the work will start in spring and take two years, with the towpath closed throughout."
    teasers = "".join(f"<li><a href='/s/{i}'>Another story, number {i}</a></li>" for i in range(8))
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES[:6])
    html = f"""<html><head><title>River channel to be widened</title>{{meta}}</head><body>
    <div class="top"><div class="title-area"><h1>River channel to be widened</h1></div><p class="dek">{lead}</p></div>
    <div class="layout"><div class="col-main"><div class="story">{paragraphs}</div></div>
    <div class="col-side"><ul>{teasers}</ul></div></div></body></html>"""
    art = scraper.extract(html.replace("{meta}", ""), URL)
    assert art.body.split("\n\n")[0] == lead and found(art.body) == list(range(6))
    art = scraper.extract(html.replace("{meta}", f'<meta name="description" content="{lead}">'), URL)
    assert lead not in art.body and art.description == lead and found(art.body) == list(range(6))
    # a standfirst of two sentences or more is the article's first paragraph, description or not
    long_lead = f"{lead} Boats will use the old lock while the channel is dug, the authority said on Monday."
    page = html.replace(lead, long_lead).replace("{meta}", f'<meta name="description" content="{long_lead}">')
    art = scraper.extract(page, URL)
    assert art.body.split("\n\n")[0] == long_lead and art.description == long_lead


@pytest.mark.parametrize("holder", ["<h2 class='intro'>{}</h2>", "<div class='summary'>{}</div>"])
def test_standfirst_in_the_article_header_joins_the_body_but_not_an_author_bio(holder: str) -> None:
    # the header is pruned with its headline; its standfirst (an <h2> or a bare <div>) is found beforehand
    lead = "The authority says the work will start in spring and take two years, with the towpath closed throughout."
    bio = (
        "Jane Doe is a reporter who has covered the river, its locks and its floods for twenty years for us."
    )
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES[:6])
    html = f"""<html><head><title>River channel to be widened</title></head><body>
    <header><h1>River channel to be widened</h1>
    <div class="author-bio">{bio}</div>{holder.format(lead)}</header>
    <div class="layout"><div class="col-main"><div class="story">{paragraphs}</div></div></div></body></html>"""
    art = scraper.extract(html, URL)
    assert art.body.split("\n\n")[0] == lead and found(art.body) == list(range(6))
    assert "Jane Doe" not in art.body


def test_key_points_above_the_body_join_it_inside_a_wrapper_named_with_furniture_words() -> None:
    # the page wrapper's names hold furniture words ("tag-floods", "App-container"): it holds the article,
    # so it is not furniture; the key-point bullets between the headline and the body are its standfirst
    points = [
        "The authority will widen two miles of the channel from the mill to the weir, starting in spring.",
        "The towpath closes for two years while the banks are rebuilt and the locks are replaced.",
    ]
    bullets = "".join(f"<li>{p}</li>" for p in points)
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES[:6])
    html = f"""<html><head><title>River channel to be widened</title></head><body>
    <div class="App-container tag-floods category-news"><div class="page-wrap">
    <div class="headline-area"><h1>River channel to be widened</h1></div>
    <div class="KeyPoints-box"><h2>Key points</h2><ul>{bullets}</ul></div>
    <div class="story-body">{paragraphs}</div></div></div></body></html>"""
    assert [text for text, _ in lead_candidates(parse_html(html))][:4] == [
        "Key points",
        *points,
        SENTENCES[0],
    ]
    art = scraper.extract(html, URL)
    parts = art.body.split("\n\n")
    assert points[0] in parts and parts.index(points[0]) + 1 == parts.index(points[1]) < parts.index(
        SENTENCES[0]
    )
    assert found(art.body) == list(range(6))


def test_a_data_table_beside_the_article_does_not_outscore_its_prose() -> None:
    rows = "".join(
        f"<tr><td>Person {i}</td><td>Company {i}</td><td>Chief Officer</td></tr>" for i in range(60)
    )
    prose = "".join(f"<p>{s}</p>" for s in SENTENCES[:4])
    html = f"""<html><head><title>The list</title></head><body><h1>The list</h1>
    <div class="intro"><div class="text">{prose}</div></div>
    <div class="listing"><table><tr><th>Name</th><th>Company</th><th>Title</th></tr>{rows}</table></div></body></html>"""
    art = scraper.extract(html, URL)
    assert found(art.body) == [0, 1, 2, 3] and "Company 7" not in art.body


def test_a_table_that_is_the_article_is_kept() -> None:
    rows = "".join(
        f"<tr><td>Station {i}</td><td>{i * 3} mm</td><td>{20 + i % 5} C</td></tr>" for i in range(40)
    )
    html = f"""<html><head><title>Rainfall</title></head><body><h1>Rainfall by station</h1>
    <div class="note"><p>Readings for the week to Sunday, from the weather service's network of stations.</p></div>
    <div class="data"><table>{rows}</table></div></body></html>"""
    art = scraper.extract(html, URL)
    assert "Station 7 | 21 mm | 22 C" in art.body


def test_links_stay_in_place_with_absolute_urls() -> None:
    from scraper.documents import article_html, markdown

    body = (
        f'<p>{SENTENCES[0]} See <a href="/reports/river.pdf">the  report</a> and '
        f'<a href="https://user:pw@maps.example.org/m">the map</a>.</p>'
        f"<p>{SENTENCES[1]} \ue000icon\ue001 end.</p>" + "".join(f"<p>{s}</p>" for s in SENTENCES[2:5])
    )
    plain = scraper.extract(page(body), URL)
    assert len(plain.blocks[0]) == 2  # links are recorded only when asked for
    config = dataclasses.replace(Config(), extract=dataclasses.replace(Config().extract, links=True))
    art = scraper.extract(page(body), URL, config=config)
    assert art == plain
    first = art.blocks[0]
    assert first[1].endswith("See the report and the map.")
    assert [(first[1][s:e], href) for s, e, href in first[2]] == [
        ("the report", "https://news.example.org/reports/river.pdf"),
        ("the map", "https://maps.example.org/m"),
    ]
    assert art.blocks[1] == ("p", f"{SENTENCES[1]} icon end.")  # a page's own private-use characters are text
    assert "[the report](https://news.example.org/reports/river.pdf)" in markdown(art, links=True)
    assert '<a href="https://maps.example.org/m">the map</a>' in article_html(art, links=True)
    assert "](" not in markdown(art)  # --links off
    assert art.body.split("\n\n")[0] == first[1]


def test_extract_links_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = f'<p>{SENTENCES[0]} See <a href="/reports/river.pdf">the report</a>.</p>' + "".join(
        f"<p>{s}</p>" for s in SENTENCES[1:4]
    )
    saved = tmp_path / "river.html"
    saved.write_text(page(body), encoding="utf-8")
    assert main(["extract", str(saved), "--url", URL, "-f", "markdown", "--links"]) == 0
    assert "[the report](https://news.example.org/reports/river.pdf)" in capsys.readouterr().out
    assert main(["extract", str(saved), "--url", URL, "-f", "markdown"]) == 0
    assert "](" not in capsys.readouterr().out


def test_images_stay_in_place_and_out_of_the_body() -> None:
    from scraper.documents import article_html, markdown

    figure = (
        '<figure><img src="/img/mill.jpg" alt="The old mill"><figcaption>The old mill on the river, '
        "seen from the towpath. (Photo: J. Smith)</figcaption></figure>"
    )
    body = (
        "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
        + figure
        + "".join(f"<p>{s}</p>" for s in SENTENCES[2:5])
    )
    art = scraper.extract(page(body), URL)
    kinds = [b[0] for b in art.blocks]
    assert kinds == ["p", "p", "figure", "p", "p", "p"]
    assert art.blocks[2][1] == "https://news.example.org/img/mill.jpg" == art.images[0].url
    assert (
        "mill.jpg" not in art.body
        and "old mill on the river" not in art.body
        and found(art.body) == [0, 1, 2, 3, 4]
    )
    md = markdown(art, images=True).split("\n\n")
    at = next(i for i, part in enumerate(md) if "mill.jpg" in part)
    assert md[at - 1] == SENTENCES[1] and md[at + 1] == SENTENCES[2]
    assert "mill.jpg" not in markdown(art)  # --images off
    assert article_html(art, images=True).count("mill.jpg") == 1


def test_article_boxes_named_with_furniture_words_are_rescued_but_comments_are_not() -> None:
    # the article's own boxes carry class words that prune ("ads section", "print ads"): a first pass keeps a
    # scrap, so the page is pruned again by tag, role and hidden state; comments stay pruned by name
    boxes = "".join(
        f'<div class="{"ads section" if i % 4 else "print ads"}"><p>{SENTENCES[i]}</p><p>{SENTENCES[i + 1]}</p></div>'
        for i in range(0, 8, 2)
    )
    comments = "".join(
        f'<div class="comment"><p>Reader {i} wrote: I have lived by the mill for thirty years and the channel '
        f"floods every spring, so this is welcome news for the whole street ({i}).</p></div>"
        for i in range(12)
    )
    html = f"""<!doctype html><html><head><title>River channel to be widened</title></head><body>
    <header><nav><a href="/">Home</a></nav></header><h1>River channel to be widened</h1>
    <div class="wrap">{boxes}</div><div class="comments">{comments}</div></body></html>"""
    art = scraper.extract(html, URL)
    assert found(art.body) == list(range(8))
    assert "Reader" not in art.body
    trace = Trace()
    scraper.extract(html, URL, trace=trace)
    assert trace.chosen is not None and trace.chosen.source.startswith("rescue")


def test_ruby_readings_are_not_part_of_the_text() -> None:
    # <rt> holds the reading printed over a word (furigana); the sentence is the base text alone
    sentence = "<ruby>子<rt>こ</rt></ruby>どもへの<ruby>虐待<rp>(</rp><rt>ぎゃくたい</rt><rp>)</rp></ruby>をなくすための法律ができました。"
    paragraphs = "".join(f"<p>{i}年、{sentence}</p>" for i in range(6))
    art = scraper.extract(page(paragraphs), URL)
    assert "0年、子どもへの虐待をなくすための法律ができました。" in art.body
    assert "こ" not in art.body.replace("子ども", "") and "ぎゃくたい" not in art.body


def test_the_rescue_weighs_headings_and_short_list_items() -> None:
    # a nominee list has no paragraph long enough to be prose: the prose pick takes the one sentence
    # beside it, the rescue's pick of text blocks of any length takes the list
    categories = "".join(
        f"<h3>Category {c}</h3><ul>" + "".join(f"<li>Nominee {c}{n}</li>" for n in range(5)) + "</ul>"
        for c in "ABCDEFGH"
    )
    html = f"""<html><body><h1>Awards: the nominations</h1>
    <div class="intro"><p>Raye leads with seven nominations, and the ceremony is on 2 March in London.</p></div>
    <div class="list">{categories}</div></body></html>"""
    tree = parse_html(html)
    prose = prose_pick(tree)
    assert prose is not None and "Nominee" not in prose.element.text_content()
    text = {p.source: p for p in rescue_picks(tree, URL)}["rescue text"].element.text_content()
    assert "Nominee H4" in text and "Category A" in text


def test_the_text_pick_spans_an_article_of_short_list_items() -> None:
    # a release report: one paragraph of prose, then headed lists of short items (patches, changes);
    # the prose pick holds the paragraph alone, the text pick the whole report, not the link list beside it
    items = "".join(
        f"<h2>Part {c}</h2><ul>"
        + "".join(f"<li>Fix item {c}{n} in the parser</li>" for n in range(8))
        + "</ul>"
        for c in "ABCDE"
    )
    links = "".join(f"<li><a href='/p/{n}'>Older post number {n}</a></li>" for n in range(30))
    html = f"""<html><body><div class="post"><h1>Progress report</h1>
    <div class="intro"><p>{SENTENCES[0]} {SENTENCES[1]}</p></div><div class="changes">{items}</div></div>
    <div class="archive"><ul>{links}</ul></div></body></html>"""
    prose, text = density_picks(parse_html(html))
    assert prose is not None and "Fix item" not in prose.element.text_content()
    assert text is not None and text.source == "text"
    content = text.element.text_content()
    assert "Fix item E7" in content and "Paragraph 0" in content and "Older post" not in content


def test_a_short_article_set_in_an_aside_is_found_before_no_article() -> None:
    # an agency item of one paragraph that the page sets in an <aside> inside its <main>, headline and
    # text in the aside's <header>: pruning drops the landmarks, and the last resort keeps them
    text = " ".join(SENTENCES[:3])
    html = f"""<!doctype html><html><head><title>River channel</title></head><body>
    <nav><a href="/">Home</a> <a href="/local">Local</a></nav><main><aside class="direct-content">
    <section class="item"><header><h1>River channel to be widened</h1><div class="teaser"><p>{text}</p></div>
    </header></section></aside></main><footer><p>Copyright 2026 Example News.</p></footer></body></html>"""
    art = scraper.extract(html, URL)
    assert art.body == text
    with pytest.raises(ExtractionError):  # where there is no text at all, still no article
        scraper.extract(html.replace(text, "Loading"), URL)
