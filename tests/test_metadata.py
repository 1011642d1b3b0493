"""Tests for scraper.metadata: each source on small inline pages, then a few real benchmark pages."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import lxml.html
import pytest

from scraper.dates import ISO_RESULT, date_from_url, normalize_date
from scraper.metadata import Metadata, extract_metadata
from scraper.parse import parse_html

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO.parent / "shared" / "bench" / "aeb-dev"
TRUTH = REPO / "fixtures" / "metadata" / "truth.json"
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def page(head: str = "", body: str = "", *, lang: str | None = None) -> lxml.html.HtmlElement:
    attr = f' lang="{lang}"' if lang else ""
    return parse_html(f"<html{attr}><head>{head}</head><body>{body}</body></html>")


def test_jsonld_graph_with_id_author_refs() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://ex.test/#site", "name": "Example Times"},
            {"@type": "Person", "@id": "https://ex.test/#jane", "name": "Jane Roe"},
            {
                "@type": "NewsArticle",
                "headline": "Rivers rise after storm",
                "author": {"@id": "https://ex.test/#jane"},
                "datePublished": "2019-11-19T07:03:25-05:00",
                "articleSection": ["Weather", "News"],
                "keywords": "storm, rivers",
                "inLanguage": "en-GB",
                "publisher": {"@type": "Organization", "name": "Example Times"},
            },
        ],
    }
    meta = extract_metadata(page(f'<script type="application/ld+json">{json.dumps(ld)}</script>'))
    assert meta.title == "Rivers rise after storm"
    assert meta.authors == ("Jane Roe",)
    assert meta.published == "2019-11-19T07:03:25-05:00"
    assert meta.section == "Weather"
    assert meta.tags == ("storm", "rivers")
    assert meta.language == "en-gb"
    assert meta.site_name == "Example Times"


def test_broken_jsonld_is_tolerated() -> None:
    broken = (
        '<script type="application/ld+json"><!-- {"@type": "Article", "headline": "Trailing\tcomma",'
        ' "author": [{"@type": "Person", "name": "Ann Lee"},],} --></script>'
        '<script type="application/ld+json">{"@type": "Thing"} {"@type": "BlogPosting",'
        ' "datePublished": "2020-02-03"}</script>'
        '<script type="application/ld+json">{not json at all</script>'
    )
    meta = extract_metadata(page(broken))
    assert meta.authors == ("Ann Lee",)
    assert meta.title == "Trailing comma"


def test_opengraph_and_article_tags() -> None:
    head = (
        '<meta property="og:title" content="Budget passes &amp; markets rally">'
        '<meta property="og:description" content="A vote.">'
        '<meta property="og:site_name" content="The Daily">'
        '<meta property="og:image" content="/img/lead.jpg">'
        '<meta property="og:locale" content="en_US">'
        '<meta property="article:published_time" content="2021-03-04T10:00:00+01:00">'
        '<meta property="article:modified_time" content="2021-03-05T09:00:00Z">'
        '<meta property="article:section" content="Politics">'
        '<meta property="article:tag" content="budget"><meta property="article:tag" content="vote">'
        '<meta property="article:author" content="https://facebook.com/someone">'
        '<link rel="canonical" href="/politics/budget">'
    )
    meta = extract_metadata(page(head), "https://daily.test/x?utm=1")
    assert meta.title == "Budget passes & markets rally"
    assert meta.description == "A vote."
    assert meta.published == "2021-03-04T10:00:00+01:00"
    assert meta.modified == "2021-03-05T09:00:00Z"
    assert meta.section == "Politics"
    assert meta.tags == ("budget", "vote")
    assert meta.language == "en-us"
    assert meta.authors == ()  # a profile URL is not a name
    assert meta.canonical_url == "https://daily.test/politics/budget"
    assert meta.image == "https://daily.test/img/lead.jpg"


def test_meta_author_by_prefix_and_split() -> None:
    meta = extract_metadata(page('<meta name="author" content="By Jane Roe and John Doe">'))
    assert meta.authors == ("Jane Roe", "John Doe")
    meta = extract_metadata(page('<meta name="byl" content="Written by Ann Smith, Jane Roe; ANN SMITH">'))
    assert [a.casefold() for a in meta.authors] == ["ann smith", "jane roe"]
    meta = extract_metadata(page('<meta name="author" content="Jane Roe (jane@ex.test)">'))
    assert meta.authors == ("Jane Roe",)


def test_agency_author_is_kept() -> None:
    meta = extract_metadata(
        page('<meta name="author" content="Reuters"><meta property="og:site_name" content="X">')
    )
    assert meta.authors == ("Reuters",)


def test_title_site_suffix_removed() -> None:
    head = '<title>Storm hits the coast overnight | The Daily</title><meta property="og:site_name" content="The Daily">'
    assert extract_metadata(page(head)).title == "Storm hits the coast overnight"
    assert extract_metadata(page("<title>Storm hits the coast overnight - Daily</title>")).title == (
        "Storm hits the coast overnight"
    )
    body = "<h1>Storm hits the coast overnight</h1>"
    head = '<meta property="og:title" content="Opinion | Storm hits the coast overnight">'
    assert extract_metadata(page(head, body)).title == "Storm hits the coast overnight"


def test_time_element_fallback() -> None:
    body = '<article><h1>Headline here</h1><time datetime="2018-02-16T18:45:00-06:00">Feb 16</time></article>'
    assert extract_metadata(page("", body)).published == "2018-02-16T18:45:00-06:00"


def test_itemprop_microdata() -> None:
    body = (
        '<div itemscope itemtype="https://schema.org/Article"><h2 itemprop="headline">Micro headline</h2>'
        '<span itemprop="author" itemscope><span itemprop="name">Lee Park</span></span>'
        '<span itemprop="datePublished" content="2017-10-12">Oct 12</span></div>'
    )
    meta = extract_metadata(page("", body))
    assert meta.title == "Micro headline"
    assert meta.authors == ("Lee Park",)
    assert meta.published == "2017-10-12"


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("en_US", "en-us"), ("EN-gb", "en-gb"), ("ja", "ja"), ("pt-BR", "pt-br"), ("{{lang}}", None)],
)
def test_language_normalised(declared: str, expected: str | None) -> None:
    assert extract_metadata(page(lang=declared)).language == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-11-19T07:03:25+00:00", "2019-11-19T07:03:25Z"),
        ("2019-11-20T06:35:39+0000", "2019-11-20T06:35:39Z"),
        ("2019-11-20T04:31:13-06:00", "2019-11-20T04:31:13-06:00"),
        ("2019-11-19 10:00:00", "2019-11-19T10:00:00"),
        ("2019-11-19", "2019-11-19"),
        ("20191119", "2019-11-19"),
        ("Nov 19, 2019, 10:31 pm CST", "2019-11-19T22:31:00-06:00"),
        ("Tuesday, 19 November 2019", "2019-11-19"),
        ("1574168580", "2019-11-19T13:03:00Z"),
        ("1850-01-01", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_normalize_date(text: str, expected: str | None) -> None:
    result = normalize_date(text)
    assert result == expected
    if result:
        assert ISO_RESULT.match(result)


def test_date_from_url() -> None:
    assert date_from_url("https://ex.test/2019/11/19/story.html") == "2019-11-19"
    assert date_from_url("https://ex.test/story-123") is None


def test_tree_not_mutated() -> None:
    html = (
        '<html><head><title>A - B</title><script type="application/ld+json">{"@type":"Article"}</script></head>'
        "<body><h1>Head line text</h1><p>Body</p></body></html>"
    )
    tree = parse_html(html)
    before = lxml.html.tostring(tree)
    extract_metadata(tree)
    assert lxml.html.tostring(tree) == before


def test_empty_page_gives_empty_metadata() -> None:
    meta = extract_metadata(page("", "<p>nothing here</p>"))
    assert isinstance(meta, Metadata)
    assert meta.authors == () and meta.published is None


SAMPLE = (
    "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856",
    "0e014df6",
    "3f65af7b",
    "65bf3048",
    "7a457a4f",
)


def _norm(text: str | None) -> str:
    return " ".join((text or "").replace("’", "'").replace("‘", "'").casefold().split())


@pytest.mark.parametrize("prefix", SAMPLE)
def test_benchmark_pages_match_truth(prefix: str) -> None:
    if not BENCH.is_dir():
        pytest.skip("benchmark pages not present")
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    pid = next(k for k in truth if k.startswith(prefix))
    want = truth[pid]
    tree = parse_html(gzip.decompress((BENCH / "html" / f"{pid}.html.gz").read_bytes()))
    meta = extract_metadata(tree, want["url"])
    assert _norm(meta.title) == _norm(want["title"])
    assert {_norm(a) for a in meta.authors} == {_norm(a) for a in want["authors"]}
    assert meta.published and meta.published[:10] in {want["published"], want.get("published_alt")}
    assert meta.published and ISO_RESULT.match(meta.published)
    assert meta.language and LANG_RE.match(meta.language)
    assert meta.language.split("-")[0] == want["language"]


def test_undeclared_language_guessed_from_text() -> None:
    words = (
        "Die Stadt hat sich auf den Winter vorbereitet, und das ist nicht mit dem Vorjahr zu vergleichen. "
    )
    body = f"<p>{words * 4}</p>"
    assert extract_metadata(page("", body)).language == "de"
    assert extract_metadata(page("", body, lang="en")).language == "en"  # one declaration is trusted


def test_author_from_a_blog_posts_meta_line() -> None:
    html = (
        "<html><head><title>Kabar</title></head><body><h2>Judul</h2>"
        "<div class='postinfo'>Posted on <span class='postdate'>Maret 30, 2015</span> by Admin</div>"
        "<div class='entry'><p>Isi artikel.</p></div></body></html>"
    )
    assert extract_metadata(parse_html(html)).authors == ("Admin",)
    # a meta line without "by NAME" names nobody
    no_name = html.replace(" by Admin", "")
    assert extract_metadata(parse_html(no_name)).authors == ()
