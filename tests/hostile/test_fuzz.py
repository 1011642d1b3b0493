"""Property-based fuzzing of ``scraper.extract``: an Article valid against the schema, or a ScraperError.

Structured HTML (random nesting of tags, attributes that steer the pruner, entities, control characters,
broken markup) in random charsets with true or lying declarations, plus raw random bytes and str input.
Bounded for CI: 2,000 generated cases in well under a minute. Every input that ever crashed is saved under
``tests/hostile/regressions/`` and replayed by ``test_regressions``.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper import extract
from scraper.errors import ScraperError
from scraper.parse import MAX_DEPTH, parse_html
from scraper.record import Article, record_schema
from scraper.write import record_json

REGRESSIONS = Path(__file__).with_name("regressions")
VALIDATOR = jsonschema.Draft202012Validator(record_schema())
SETTINGS = settings(
    deadline=None,  # a shared CI machine: the time bound is the example count, not a per-example deadline
    derandomize=True,  # the same cases on every run; new crashes are found by raising max_examples locally
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
)

TAGS = (
    "div",
    "p",
    "span",
    "a",
    "b",
    "i",
    "em",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "article",
    "main",
    "section",
    "header",
    "footer",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "blockquote",
    "pre",
    "code",
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "textarea",
    "select",
    "option",
    "svg",
    "math",
    "title",
    "head",
    "body",
    "html",
    "frameset",
    "frame",
    "form",
    "button",
    "time",
    "dl",
    "dt",
    "dd",
    "picture",
    "source",
    "object",
    "embed",
    "marquee",
    "xmp",
    "plaintext",
    "x-custom",
    "font",
)
VOID = ("br", "img", "hr", "meta", "link", "input", "wbr", "base", "col")
SENTENCES = (
    "The council voted on Tuesday to approve the new budget for the coming financial year.",
    "Opponents said the plan would raise parking fees for small shops in the centre of town.",
    "Le conseil a voté mardi soir le budget de l'année prochaine après un long débat.",
    "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
    "市议会周二投票通过了下一财年的新预算，会议持续了六个多小时。",
    "Совет проголосовал во вторник за новый бюджет на следующий год.",
    "مجلس المدينة صوت يوم الثلاثاء على الميزانية الجديدة للعام المقبل.",
    "Related: read more stories like this one. Subscribe to our newsletter today!",
    "Photo: Reuters / John Smith",
    "Share this article",
    "Updated 20 January 2019, 8:13 am",
)
ENTITIES = (
    "&amp;",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "&#0;",
    "&#27;",
    "&#x1b;[31m",
    "&#xD800;",
    "&#xDFFF;",
    "&#x110000;",
    "&#150;",
    "&#x9b;",
    "&#65533;",
    "&bogus;",
    "&",
    "&#",
    "&#x;",
    "&#99999999999;",
    "&eacute",
    "&#12;",
)
ATTR_NAMES = (
    "class",
    "id",
    "style",
    "href",
    "src",
    "data-src",
    "srcset",
    "alt",
    "title",
    "role",
    "hidden",
    "aria-hidden",
    "itemprop",
    "content",
    "property",
    "name",
    "charset",
    "http-equiv",
    "lang",
    "datetime",
    "rel",
    "onclick",
    "xmlns",
    "x",
)
ATTR_VALUES = (
    "article",
    "article-body",
    "content",
    "related",
    "promo",
    "sidebar",
    "caption",
    "credit",
    "byline",
    "display:none",
    "true",
    "articleBody",
    "author",
    "og:title",
    "description",
    "canonical",
    "javascript:alert(1)",
    "http://user:pass@example.com/a.jpg",
    "../../etc/passwd",
    "data:,x",
    "",
    "\x1b[2J",
    "utf-8",
    "x-foobar",
    "2024-02-30T25:61:00Z",
    "NaN",
    "1e999",
)
CHARSETS = ("utf-8", "windows-1252", "iso-8859-1", "shift_jis", "gb18030", "koi8-r", "utf-16", "x-foobar", "")

text = st.one_of(
    st.sampled_from(SENTENCES),
    st.sampled_from(ENTITIES),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20),  # ASCII, C0 and C1 controls
    st.sampled_from(
        ("<", ">", "</", "<!--", "-->", "<![CDATA[", "]]>", "<?xml ?>", "<!DOCTYPE html>", '"', "'")
    ),
)
attribute = st.tuples(
    st.sampled_from(ATTR_NAMES), st.one_of(st.sampled_from(ATTR_VALUES), st.text(max_size=15))
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(tag: str, attrs: list[tuple[str, str]], body: list[str], close: bool) -> str:
        rendered = "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in attrs)
        return f"<{tag}{rendered}>" + "".join(body) + (f"</{tag}>" if close else "")

    return st.builds(
        build,
        st.sampled_from(TAGS),
        st.lists(attribute, max_size=3),
        st.lists(children, max_size=5),
        st.booleans(),
    )


void_element = st.builds(
    lambda tag, attrs: f"<{tag}" + "".join(f' {k}="{v}"' for k, v in attrs) + ">",
    st.sampled_from(VOID),
    st.lists(attribute, max_size=3),
)
fragment = st.recursive(st.one_of(text, void_element), _element, max_leaves=16)


@st.composite
def html_pages(draw: st.DrawFn) -> bytes:
    """A page: optional declarations, head, a random body, in a random (maybe wrongly declared) charset."""
    declared = draw(st.sampled_from(CHARSETS))
    head = f'<meta charset="{declared}">' if declared else ""
    head += draw(
        st.sampled_from(("", "<title>Budget vote</title>", '<meta property="og:title" content="B&#27;x">'))
    )
    body = "".join(draw(st.lists(fragment, min_size=1, max_size=6)))
    if draw(st.booleans()):  # enough article text for a record now and then
        body += (
            "<article>"
            + "".join(
                f"<p>{s} {s}</p>" for s in draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4))
            )
            + "</article>"
        )
    prefix = draw(
        st.sampled_from(("", "<!DOCTYPE html>", '<?xml version="1.0" encoding="x-foobar"?>', "\ufeff"))
    )
    page = f"{prefix}<html><head>{head}</head><body>{body}</body></html>"
    codec = draw(st.sampled_from(("utf-8", "windows-1252", "shift_jis", "utf-16", "utf-8-sig", "gb18030")))
    return page.encode(codec, "surrogatepass" if codec.startswith("utf-8") else "replace")


def check_extract(data: bytes | str) -> Article | None:
    """The fuzz property: a valid, serialisable Article without control characters, or a ScraperError."""
    try:
        article = extract(data, "https://news.example/a")
    except ScraperError as exc:
        assert "\n" not in str(exc)
        return None
    record = json.loads(record_json(article))
    VALIDATOR.validate(record)
    assert article.body.strip()
    for value in (
        article.body,
        article.title or "",
        article.description or "",
        *article.authors,
        *article.tags,
    ):
        assert not any(
            ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F or "\ud800" <= c <= "\udfff"
            for c in value
        ), value
    return article


@settings(SETTINGS, max_examples=800)
@given(html_pages())
def test_structured_pages(page: bytes) -> None:
    check_extract(page)


@settings(SETTINGS, max_examples=300)
@given(st.lists(fragment, min_size=1, max_size=5).map("".join))
def test_fragments_as_str(html: str) -> None:
    check_extract(html)


@settings(SETTINGS, max_examples=900)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda head, tail: head + tail,
            st.sampled_from(
                (
                    b"\x1f\x8b",
                    b"\x89PNG\r\n\x1a\n",
                    b"%PDF-",
                    b"<html>",
                    b"\xff\xfe",
                    b"\xfe\xff",
                    b"\xef\xbb\xbf",
                    b"<?xml",
                    b"",
                )
            ),
            st.binary(max_size=500),
        ),
    )
)
def test_random_bytes(data: bytes) -> None:
    check_extract(data)


EXPECTED = json.loads((REGRESSIONS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.html")), ids=lambda p: p.name)
def test_regressions(path: Path) -> None:
    """Every input that ever crashed, hung or gave a wrong record, with the outcome it must give now.

    ``expected.json`` names, per file, texts the body must hold (and the title), or the error phrase.
    """
    expected = EXPECTED[path.name]
    data = path.read_bytes()
    article = check_extract(data)
    if "error" in expected:
        assert article is None
        with pytest.raises(ScraperError, match=expected["error"]):
            extract(data)
        return
    assert article is not None
    for text in expected["body"]:
        assert text in article.body
    if "title" in expected:
        assert article.title == expected["title"]


def test_every_regression_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in REGRESSIONS.glob("*.html"))


NESTING_TAGS = (
    "div",
    "span",
    "section",
    "p",
    "b",
    "i",
    "a",
    "ul",
    "li",
    "blockquote",
    "em",
    "article",
    "font",
)


@st.composite
def deep_pages(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Past libxml2's 2,048 levels: random tags, words at random levels, closed or not."""
    levels = draw(st.integers(min_value=2_100, max_value=6_000))
    tags = draw(st.lists(st.sampled_from(NESTING_TAGS), min_size=1, max_size=5))
    with_text = set(draw(st.lists(st.integers(min_value=0, max_value=levels - 1), max_size=40)))
    words: list[str] = []
    parts = ["<html><body>"]
    for level in range(levels):
        parts.append(f"<{tags[level % len(tags)]}>")
        if level in with_text:
            words.append(f"w{level}")
            parts.append(f" w{level} ")
    words.append("end")
    parts.append(" end ")
    if draw(st.booleans()):
        parts.extend(f"</{tags[level % len(tags)]}>" for level in reversed(range(levels)))
    return "".join(parts), words


@settings(SETTINGS, max_examples=25)
@given(deep_pages())
def test_deep_nesting_keeps_every_word_in_order(case: tuple[str, list[str]]) -> None:
    html, words = case
    root = parse_html(html)
    assert max(sum(1 for _ in el.iterancestors()) for el in root.iter()) <= MAX_DEPTH
    assert root.text_content().split() == words
