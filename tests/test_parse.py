"""scraper.parse: decoding, refusing what is not HTML, flattening deep nesting, scrubbing untrusted text."""

from __future__ import annotations

import dataclasses
import gzip

import pytest

from scraper.errors import ExtractionError
from scraper.parse import (
    MAX_DEPTH,
    _flatten_source,
    decode_html,
    lookup_charset,
    parse_html,
)
from scraper.record import Image
from scraper.scrub import scrub_record, scrub_text, scrub_url


def depth(root) -> int:  # noqa: ANN001 - an lxml element
    return max(sum(1 for _ in el.iterancestors()) for el in root.iter())


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("latin1", "cp1252"),
        ("iso-8859-1", "cp1252"),
        ("gbk", "gb18030"),
        ("x-foobar", None),
        ("", None),
        (None, None),
        ('"shift_jis"', "cp932"),
    ],
)
def test_lookup_charset(label: str | None, codec: str | None) -> None:
    assert lookup_charset(label) == codec


def test_declared_utf8_with_cp1252_bytes_reads_them_as_cp1252() -> None:
    data = '<meta charset="utf-8"><p>caf\u00e9 \u2014 na\u00efve</p>'.encode("cp1252")
    text, codec = decode_html(data)
    assert codec == "utf-8" and "café — naïve" in text


def test_mixed_utf8_and_cp1252_keeps_both() -> None:
    data = '<meta charset="utf-8"><p>été '.encode() + "caf\u00e9 \u2019".encode("cp1252") + " 日本".encode()
    text, _ = decode_html(data)
    assert "été café ’ 日本" in text


@pytest.mark.parametrize(
    "data",
    [
        b'<meta charset="x-foobar"><p>plain</p>',
        b'<?xml version="1.0" encoding="nonsense"?><p>plain</p>',
        b'<meta charset="utf-16"><p>plain</p>',
    ],
)
def test_unknown_or_impossible_charset_names_never_raise(data: bytes) -> None:
    text, _ = decode_html(data)
    assert "<p>plain</p>" in text
    decode_html(data, http_charset="x-also-unknown")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_when_the_server_says_so(codec: str) -> None:
    assert decode_html("<p>héllo</p>".encode(codec), "utf-16")[0] == "<p>héllo</p>"
    assert decode_html(b"<p>plain</p>", "utf-16")[0] == "<p>plain</p>"  # not true: ignored


def test_bom_wins() -> None:
    assert decode_html("\ufeff<p>ü</p>".encode("utf-16-le"))[0] == "<p>ü</p>"
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xbc</p>", http_charset="latin-1") == ("<p>ü</p>", "utf-8")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (gzip.compress(b"<html><body><p>x</p></body></html>"), "gzip"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3", "PDF"),
        (bytes(range(256)) * 40, "binary"),
        ("<p>x</p>".encode("utf-16-le") * 100, "binary"),
    ],
)
def test_binary_input_is_not_html(data: bytes, kind: str) -> None:
    with pytest.raises(ExtractionError, match=f"not HTML: the page is {kind}"):
        parse_html(data)


def test_a_few_nul_and_control_characters_are_still_html() -> None:
    root = parse_html(b"<p>one\x00 two\x01 three\x1b[31m four &#27;[0m five &#x7; six</p>")
    assert root.text_content() == "one two three four  five  six"


def test_size_cap() -> None:
    with pytest.raises(ExtractionError, match="page too large: 101 bytes over the 100 cap"):
        parse_html(b"x" * 101, max_bytes=100)
    with pytest.raises(ExtractionError, match="101 characters"):
        parse_html("x" * 101, max_bytes=100)


def test_empty_input() -> None:
    for data in (b"", "   ", "\ufeff", b"\x00\x00"):
        with pytest.raises(ExtractionError, match="no article found"):
            parse_html(data)


@pytest.mark.parametrize("levels", [10, MAX_DEPTH + 1, 300, 5_000, 100_000])
def test_deep_nesting_is_flattened_without_losing_text(levels: int) -> None:
    html = (
        "<html><body>" + "<div>" * levels + "<p>first</p><p>second</p>" + "</div>" * levels + "</body></html>"
    )
    root = parse_html(html)
    assert depth(root) <= MAX_DEPTH
    paragraphs = [p.text_content() for p in root.iter("p")]
    assert paragraphs == ["first", "second"]


def test_text_at_every_level_keeps_every_word_on_its_own_line() -> None:
    html = "<body>" + "".join(f"<div>w{i} " for i in range(3000)) + "</body>"
    root = parse_html(html)
    assert depth(root) <= MAX_DEPTH
    words = root.text_content().split()
    assert words == [f"w{i}" for i in range(3000)]


def test_flatten_source_drops_the_middle_of_deep_nesting() -> None:
    html = "<div>" * 5 + "<p>text</p>" + "</div>" * 5
    assert _flatten_source(html, keep=2) == "<div><div>\n\n<div><p>text</p></div>\n\n</div></div>"
    assert _flatten_source("<p>a<p>b<p>c", keep=1) == "<p>a<p>b<p>c"  # implied ends: never deeper than 1
    assert _flatten_source("<br><img src=x><hr/>" * 10, keep=1) == "<br><img src=x><hr/>" * 10


def test_huge_attributes_are_cut() -> None:
    root = parse_html(f'<div class="story {"x" * 50_000}" data-blob="{"y" * 50_000}"><p>t</p></div>')
    div = root.find(".//div")
    assert div.get("class") == "story" and div.get("data-blob") is None


def test_many_attributes_are_capped() -> None:
    attrs = " ".join(f"a{i}=x" for i in range(20_000))
    root = parse_html(f"<div {attrs}><p>t</p></div>")
    assert len(root.find(".//div").attrib) == 256


def test_scrub_text() -> None:
    assert scrub_text("plain\ttext\nline") == "plain\ttext\nline"
    assert scrub_text("a\x1b[31mb\x1b[0m c\x1b]0;title\x07d \x9b2Je\x00\x7f\x85") == "ab cd e"
    assert scrub_text("lone \ud800 surrogate") == "lone \ufffd surrogate"


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://user:pass@example.com/a", "https://example.com/a"),
        ("https://user@example.com:8080/a?b=c#d", "https://example.com:8080/a?b=c#d"),
        ("https://example.com/a@b", "https://example.com/a@b"),
        ("https://a:b@[::1/x", "https://[::1/x"),  # unparseable: the userinfo still goes
        ("https://exa\x1bmple.com/", "https://example.com/"),
    ],
)
def test_scrub_url(url: str, clean: str) -> None:
    assert scrub_url(url) == clean


def test_scrub_record_walks_nested_dataclasses() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Rec:
        url: str | None
        title: str
        images: tuple[Image, ...]
        tags: tuple[str, ...]
        count: int = 0

    rec = Rec(
        "https://u:p@e.com/", "t\x1b[1mi", (Image("http://a:b@c.com/i.jpg", "cap\x07", None),), ("x\x00y",)
    )
    assert scrub_record(rec) == Rec(
        "https://e.com/", "ti", (Image("http://c.com/i.jpg", "cap", None),), ("xy",)
    )
    clean = Rec(None, "fine", (), ())
    assert scrub_record(clean) is clean
