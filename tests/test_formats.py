"""scraper.formats: CSV, HTML and Markdown renderings of a real extraction, links and images in place."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import lxml.html
import pytest

from scraper import extract
from scraper.config import _CHOICES
from scraper.documents import markdown
from scraper.formats import CSV_COLUMNS, FORMATS, ArticleStream, csv_row, render
from scraper.record import Article

STORM = """<html lang='en'><head><title>Storm report</title><meta name="author" content="Jane Roe">
<meta name="keywords" content="weather, floods"></head><body><nav><a href="/">Home</a></nav><article>
<h1>Storm report</h1>
<p>Emergency crews worked through the night as rivers rose across the valley and residents were told to move.</p>
<h2>What happens next</h2>
<p>Forecasters expect the rain to ease by Sunday, but the rivers will stay high for several days after that.</p>
<ul><li>Move cars to higher ground before the evening.</li><li>Keep a radio tuned to local emergency broadcasts.</li></ul>
<blockquote><p>We have never seen the river this high in forty years of living here, said one resident.</p></blockquote>
<table><tr><th>Town</th><th>River height</th></tr><tr><td>Northam</td><td>4.2 m</td></tr>
<tr><td>Southby</td><td>3.9 m</td></tr></table>
<figure><img src="https://news.example.com/img/river.jpg"><figcaption>The river at Northam on Saturday morning.
Photo: Jane Roe</figcaption></figure>
<p>The council said sandbags would be available at the depot from six o'clock on Sunday <b>morning</b>.</p>
</article></body></html>"""
IMAGE = "https://news.example.com/img/river.jpg"


@pytest.fixture(scope="module")
def storm() -> Article:
    return extract(STORM, "https://news.example.com/storm")


def test_registry_matches_the_config_choices_and_the_cli() -> None:
    from scraper.commands.extract import FORMATS as CLI_FORMATS

    assert tuple(FORMATS) == _CHOICES["output.format"] == CLI_FORMATS
    assert len(set(FORMATS.values())) == len(FORMATS)  # one extension per format


def test_csv_one_row_flat_columns_lists_joined(storm: Article) -> None:
    other = dataclasses.replace(storm, id="f" * 32, title="Second story")
    out = io.StringIO()
    stream = ArticleStream(out, "csv", several=True)
    stream.write(storm)
    stream.write(other)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["title"] for r in rows] == ["Storm report", "Second story"]
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["authors"] == "Jane Roe" and rows[0]["tags"] == "weather; floods"
    assert rows[0]["images"] == IMAGE
    assert rows[0]["body"] == storm.body  # newlines quoted, not breaking the row
    assert rows[0]["word_count"] == str(storm.word_count) and rows[0]["extractor"].startswith("scraper ")
    assert csv_row(storm).count("\n") == storm.body.count("\n") + 1


def test_html_is_the_clean_article_structure(storm: Article) -> None:
    doc = lxml.html.document_fromstring(render(storm, "html"))
    art = doc.find(".//article")
    assert doc.get("lang") == "en" and doc.findtext(".//title") == "Storm report"
    assert art.findtext("h1") == "Storm report"
    assert [h.text for h in art.findall("h2")] == ["What happens next"]
    assert [li.text for li in art.findall("ul/li")] == [
        "Move cars to higher ground before the evening.",
        "Keep a radio tuned to local emergency broadcasts.",
    ]
    assert art.findtext("blockquote/p").startswith("We have never seen the river")
    assert [th.text for th in art.findall("table/tr/th")] == ["Town", "River height"]
    assert [td.text for td in art.findall("table/tr/td")] == ["Northam", "4.2 m", "Southby", "3.9 m"]
    assert art.findall(".//figure") == [] and art.findall(".//a") == []  # off by default
    assert art.findall("p")[-1].text.endswith("Sunday morning.")
    # with --images: the figure and its caption and credit
    figure = lxml.html.document_fromstring(render(storm, "html", images=True)).find(".//figure")
    assert figure.find("img").get("src") == IMAGE
    assert figure.findtext("figcaption").startswith("The river at Northam")
    assert figure.findtext("figcaption/small") == "Jane Roe"


def test_markdown_images_only_when_asked(storm: Article) -> None:
    plain = markdown(storm)
    assert (
        "![" not in plain
        and "## What happens next" in plain
        and "| Town | River height |\n|---|---|" in plain
    )
    with_images = markdown(storm, images=True)
    figure = f"![The river at Northam on Saturday morning]({IMAGE})\n*The river at Northam on Saturday morning (Jane Roe)*"
    assert with_images.count(figure) == 1  # where it stood in the article, between two of its paragraphs
    assert not with_images.startswith(f"# Storm report\n\n{figure}")
    assert with_images.replace(f"{figure}\n\n", "") == plain


def _with_structure(storm: Article) -> Article:
    """The record as it is when the extractor gives link spans and figure positions (see the module doc)."""
    text = "Emergency crews worked through the night as rivers rose across the valley."
    start = text.index("rivers rose")
    blocks = (
        (
            "p",
            text,
            (
                (start, start + len("rivers rose"), "https://news.example.com/rivers"),
                (0, 9, "javascript:alert(1)"),
            ),
        ),
        ("figure", IMAGE),
        ("li", "A list item with no links."),
    )
    return dataclasses.replace(storm, blocks=blocks)


def test_links_and_images_in_place_when_the_record_has_them(storm: Article) -> None:
    article = _with_structure(storm)
    md = markdown(article, links=True, images=True)
    assert md.splitlines()[2] == (
        "Emergency crews worked through the night as "
        "[rivers rose](https://news.example.com/rivers) across the valley."
    )
    assert md.splitlines()[4].startswith(f"![The river at Northam on Saturday morning]({IMAGE})")
    assert "javascript" not in md  # unsafe schemes stay plain text
    assert "rivers rose](" not in markdown(article)  # --links off: plain text
    art = lxml.html.fragment_fromstring(
        render(article, "html", links=True, images=True).split("<body>")[1].split("</body>")[0]
    )
    paragraph, figure = art.find("p"), art.find("figure")
    assert [(a.text, a.get("href")) for a in paragraph.findall("a")] == [
        ("rivers rose", "https://news.example.com/rivers")
    ]
    assert paragraph.getnext() is figure  # the figure where the block stood, not after the headline
    assert art.find("h1").getnext() is paragraph


def test_several_articles_kept_apart(storm: Article) -> None:
    other = dataclasses.replace(storm, id="f" * 32, title="Second story")
    outputs = {}
    for fmt in FORMATS:
        out = io.StringIO()
        stream = ArticleStream(out, fmt, several=True)
        stream.write(storm, source="a.html")
        stream.write(other, source="b.html")
        stream.close()
        outputs[fmt] = out.getvalue()
    assert [json.loads(line)["title"] for line in outputs["json"].splitlines()] == [
        "Storm report",
        "Second story",
    ]
    assert outputs["text"].startswith("==> a.html <==\nStorm report\n\n")
    assert "\n\n==> b.html <==\nSecond story\n\n" in outputs["text"]
    assert outputs["markdown"].count("\n---\n") == 1
    doc = lxml.html.document_fromstring(outputs["html"])
    assert [a.findtext("h1") for a in doc.findall(".//article")] == ["Storm report", "Second story"]
    assert outputs["html"].count("<html") == 1 and outputs["html"].endswith("</html>\n")
