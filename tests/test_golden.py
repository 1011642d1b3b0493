"""Golden tests: every saved page in fixtures/pages against its golden record and its hand-written must-file.

Two kinds of truth live side by side in ``fixtures/expected``:

* ``NAME.json``, the golden record: whatever the extractor produced when someone last ran
  ``pytest --update-golden`` and reviewed the ``git diff``. It locks behaviour; it is not the truth.
* ``NAME.must.json``, written by hand from what the page says: sentences the body must hold once,
  snippets it must not hold, metadata fields, image captions. These never follow the extractor.

Known extractor defects are marked ``xfail(strict=True)`` one assertion at a time in ``KNOWN_DEFECTS``,
each with the defect named, so a fix shows up as an XPASS that must be acknowledged.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import scraper
from scraper.record import record_schema

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = REPO_ROOT / "fixtures" / "pages"
EXPECTED_DIR = REPO_ROOT / "fixtures" / "expected"
PAGES = sorted(p.name[: -len(".html")] for p in PAGES_DIR.glob("*.html"))

SBS = "sbs-north-korea"
# ../shared beside the repository, as CI checks it out (never an absolute path of one machine)
SEED = REPO_ROOT.parent / "shared" / "seed" / "sbs-north-korea-extracted.txt"

# The SBS article paragraphs, in order, written out from the seed extraction: its section label,
# headline, caption lines and everything from "Stay up to date" on are not article text.
SBS_PARAGRAPHS = [
    'Donald Trump says the US and North Korea have made "a lot of progress" on denuclearisation after his '
    "meeting with the country's nuclear envoy Kim Yong Chol.",
    'US President Donald Trump says he had "an incredible" meeting with North Korea\'s nuclear envoy Kim '
    'Yong-chol and the two sides had made "a lot of progress" on denuclearisation.',
    "The White House announced after talks between Trump and Kim on Friday that the president would hold a "
    "second summit with North Korean leader Kim Jong-un in late February, but would maintain economic "
    "sanctions on Pyongyang.",
    '"That was an incredible meeting," Trump said of the talks, speaking to reporters at the White House on '
    "Saturday.",
    "\"We've agreed to meet sometime, probably the end of February.",
    "\"We've picked a country but we'll be announcing it in the future.",
    '"Kim Jong-un is looking very forward to it and so am I," Trump said.',
    '"We have made a lot of progress as far as denuclearisation is concerned and we are talking about a lot '
    "of different things.",
    '"Things are going very well with North Korea."',
    "Trump and the White House have given no details of the talks, and despite his upbeat comments there has "
    "been no indication of any narrowing of differences over US demands that North Korea abandon a nuclear "
    "weapons program that threatens the United States and Pyongyang's demands for a lifting of punishing "
    "sanctions.",
    "A first summit in June in Singapore - the first-ever between a sitting US president and a North Korean "
    "leader - produced a vague commitment by Kim Jong-un to work toward the denuclearisation of the Korean "
    "peninsula.",
    "However Kim has yet to take what Washington sees as concrete steps in that direction.",
    "Critics of US efforts say the first summit only boosted Kim's international stature without much to show "
    "for it, and some believe Trump may see a second meeting as a way of distracting from his domestic "
    "troubles.",
    "Trump did not elaborate on the country chosen to host the summit, but Vietnam has been considered a "
    "leading candidate.",
    "Kim Yong-chol, regarded as a member of Kim Jong-un's inner circle, also had talks on Friday with "
    "Secretary of State Mike Pompeo and the US special representative on North Korea, Stephen Biegun.",
    'The State Department said the two sides had "a productive first meeting at the working level" and '
    "Biegun would travel to Sweden at the weekend to attend an international conference.",
    "The conference is also being attended by North Korean Vice Foreign Minister Choe Son Hui.",
    "Washington has been keen to set up talks between Biegun and Choe but North Korea has resisted, "
    "apparently wanting to keep exchanges high-level.",
    "Asked if the two would meet in Stockholm, a State Department spokeswoman said there were no meetings to "
    "announce.",
]
SBS_CAPTIONS = [
    "Donald Trump says he's looking forward to another meeting with North Korean leader Kim Jong-un.",
    "North Korea's Kim Yong-chol is one of the country's top negotiators.",
    "US President Donald Trump will meet with North Korean leader Kim Jong-un in February for the second time "
    "after their meeting last year.",
]

# Pages the extractor cannot extract at all today: every test of the page is a strict xfail.
KNOWN_EXTRACT_FAILURES: dict[str, str] = {}


# (page, check, item) -> the defect that makes this one must-assertion fail today.
# check is one of: contain, not_contain, field, caption, caption_not_in_body, sbs; item is the sentence,
# snippet, caption or field name (for sbs: "<test>/<site-rules-on|off>").
KNOWN_DEFECTS: dict[tuple[str, str, str], str] = {}

# Fields of the record that legitimately differ from run to run.
VOLATILE = ("fetched_at",)


# --- helpers -------------------------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    """Whitespace collapsed: must-sentences are matched within a paragraph, not across line wrapping."""
    return " ".join((text or "").split())


@cache
def load_must(name: str) -> dict[str, Any]:
    return json.loads((EXPECTED_DIR / f"{name}.must.json").read_text(encoding="utf-8"))


def _must_or_empty(name: str) -> dict[str, Any]:
    path = EXPECTED_DIR / f"{name}.must.json"
    return load_must(name) if path.exists() else {}


@cache
def extracted(name: str, site_rules: bool = True) -> dict[str, Any]:
    """The record of one saved page, extracted from its raw bytes (so charset detection runs)."""
    data = (PAGES_DIR / f"{name}.html").read_bytes()
    url = load_must(name)["url"]
    config = scraper.Config()
    if not site_rules:
        config = config.replace(extract={"site_rules": False})
    return scraper.extract(data, url, config=config).to_dict()


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The record without what changes between runs: fetch time and extractor version."""
    out = {k: v for k, v in record.items() if k not in VOLATILE}
    if isinstance(out.get("extractor"), dict):
        out["extractor"] = {k: v for k, v in out["extractor"].items() if k != "version"}
    return out


def _golden_text(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _captions(record: dict[str, Any]) -> list[str]:
    return [_norm(img.get("caption")) for img in record["images"] if img.get("caption")]


def _same_time(expected: str, actual: str | None) -> bool:
    """The same instant (a date-only expectation compares dates); an offset may be written differently."""
    if not actual:
        return False
    if len(expected) == 10:
        return actual[:10] == expected
    try:
        want, got = datetime.fromisoformat(expected), datetime.fromisoformat(actual)
    except ValueError:
        return False
    if (want.tzinfo is None) != (got.tzinfo is None):
        return False
    return want == got


def _field_matches(field: str, expected: Any, actual: Any) -> bool:
    if field == "title":
        return _norm(actual) == _norm(expected)
    if field == "language":
        # "en" in a must-file means English, whatever region the page adds; "en-AU" means exactly that.
        if not actual:
            return expected is None
        if "-" in expected:
            return actual.casefold() == expected.casefold()
        return actual.casefold().split("-")[0] == expected.casefold()
    if field in ("published", "modified"):
        return actual == expected if expected is None else _same_time(expected, actual)
    if field in ("authors", "tags"):
        return list(actual) == list(expected)
    return actual == expected


def _params(check: str, items_of) -> list[Any]:
    """One pytest param per must-item, with its strict xfail when KNOWN_DEFECTS names it."""
    params = []
    for page in PAGES:
        for index, item in enumerate(items_of(_must_or_empty(page))):
            key = item[0] if isinstance(item, tuple) else item
            reason = KNOWN_DEFECTS.get((page, check, key)) or KNOWN_EXTRACT_FAILURES.get(page)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(page, item, id=f"{page}-{index}", marks=marks))
    return params


def _page_params() -> list[Any]:
    """One pytest param per page, a strict xfail when the page cannot be extracted today."""
    params = []
    for page in PAGES:
        reason = KNOWN_EXTRACT_FAILURES.get(page)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(page, id=page, marks=marks))
    return params


def _sbs_params(check: str) -> list[Any]:
    params = []
    for site_rules in (True, False):
        label = "site-rules-on" if site_rules else "site-rules-off"
        reason = KNOWN_DEFECTS.get((SBS, "sbs", f"{check}/{label}"))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(site_rules, id=label, marks=marks))
    return params


# --- the fixture set itself ----------------------------------------------------------------------------


def test_fixture_files_pair_up() -> None:
    """Every page has a golden record and a must-file; no golden or must-file lacks its page."""
    pages = set(PAGES)
    expected = {p.name for p in EXPECTED_DIR.glob("*.json")}
    musts = {n[: -len(".must.json")] for n in expected if n.endswith(".must.json")}
    goldens = {n[: -len(".json")] for n in expected if not n.endswith(".must.json")}
    assert len(pages) >= 8, f"expected at least 8 saved pages, found {len(pages)}"
    # A page the extractor rejects (a known defect) cannot have a golden record yet.
    missing = pages - goldens - set(KNOWN_EXTRACT_FAILURES)
    assert not missing, (
        f"pages without a golden record: {sorted(missing)}; run `pytest tests/test_golden.py "
        "--update-golden` and review the new files"
    )
    assert not goldens - pages, f"golden records without a page: {sorted(goldens - pages)}"
    assert not pages - musts, f"pages without a must-file: {sorted(pages - musts)}"
    assert not musts - pages, f"must-files without a page: {sorted(musts - pages)}"


@pytest.mark.parametrize("name", PAGES)
def test_must_file_is_well_formed(name: str) -> None:
    must = load_must(name)
    assert set(must) == {"url", "body_must_contain", "body_must_not_contain", "fields", "captions"}
    assert must["url"].startswith("https://")
    assert set(must["fields"]) == {"section", "title", "language", "published", "authors"}


@pytest.mark.skipif(
    not SEED.parent.parent.is_dir(), reason="../shared is not checked out beside the repository"
)
def test_sbs_paragraphs_come_from_the_seed() -> None:
    """The hand-written SBS expectation is the seed's article text, in the seed's order."""
    seed_lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    positions = [seed_lines.index(p) for p in SBS_PARAGRAPHS]
    assert positions == sorted(positions)
    for caption in SBS_CAPTIONS:  # the lead caption's line ends with its credit, "(AAP)"
        assert any(line.startswith(caption) for line in seed_lines), caption


# --- golden records ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _page_params())
def test_record_matches_schema(name: str) -> None:
    record = extracted(name)
    validator = jsonschema.Draft202012Validator(record_schema())
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.mark.parametrize("name", _page_params())
def test_golden_record(name: str, update_golden: bool) -> None:
    record = extracted(name)
    path = EXPECTED_DIR / f"{name}.json"
    if update_golden:
        path.write_text(_golden_text(record), encoding="utf-8")
    if not path.exists():
        pytest.fail(
            f"{path.relative_to(REPO_ROOT)} is missing: run `pytest tests/test_golden.py --update-golden`"
        )
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert _comparable(record) == _comparable(golden), (
        f"{name}: extractor output differs from {path.name}; if the change is intended, run "
        "`pytest tests/test_golden.py --update-golden` and review `git diff fixtures/expected`"
    )


# --- must-files: the human truth ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "sentence"), _params("contain", lambda m: m.get("body_must_contain", [])))
def test_body_contains_once(name: str, sentence: str) -> None:
    body = _norm(extracted(name)["body"])
    count = body.count(_norm(sentence))
    assert count == 1, f"{sentence!r} appears {count} times in the body"


@pytest.mark.parametrize(
    ("name", "snippet"), _params("not_contain", lambda m: m.get("body_must_not_contain", []))
)
def test_body_does_not_contain(name: str, snippet: str) -> None:
    body = _norm(extracted(name)["body"])
    assert _norm(snippet) not in body


@pytest.mark.parametrize(("name", "field"), _params("field", lambda m: list(m.get("fields", {}).items())))
def test_field(name: str, field: tuple[str, Any]) -> None:
    key, expected = field
    actual = extracted(name)[key]
    assert _field_matches(key, expected, actual), f"{key}: expected {expected!r}, got {actual!r}"


@pytest.mark.parametrize(("name", "caption"), _params("caption", lambda m: m.get("captions", [])))
def test_caption_once_in_images(name: str, caption: str) -> None:
    """Exactly one image carries exactly this caption, and no other caption repeats it."""
    captions = _captions(extracted(name))
    exact = sum(c == _norm(caption) for c in captions)
    anywhere = sum(c.count(_norm(caption)) for c in captions)
    assert exact == 1 and anywhere == 1, (
        f"{caption!r} is the caption of {exact} images and appears {anywhere} times among {captions!r}"
    )


@pytest.mark.parametrize(("name", "caption"), _params("caption_not_in_body", lambda m: m.get("captions", [])))
def test_caption_not_in_body(name: str, caption: str) -> None:
    assert _norm(caption) not in _norm(extracted(name)["body"])


# --- SBS: the seed page, exactly -----------------------------------------------------------------------


@pytest.mark.parametrize("site_rules", _sbs_params("body"))
def test_sbs_body_is_the_seed_paragraphs(site_rules: bool) -> None:
    body = extracted(SBS, site_rules)["body"]
    assert body.split("\n\n") == SBS_PARAGRAPHS
    assert body == "\n\n".join(SBS_PARAGRAPHS)


@pytest.mark.parametrize("site_rules", _sbs_params("section"))
def test_sbs_section(site_rules: bool) -> None:
    assert extracted(SBS, site_rules)["section"] == "North America"


@pytest.mark.parametrize("site_rules", _sbs_params("captions"))
def test_sbs_captions_once_each(site_rules: bool) -> None:
    record = extracted(SBS, site_rules)
    captions = _captions(record)
    for caption in SBS_CAPTIONS:
        assert sum(c == caption for c in captions) == 1, f"{caption!r} not once in {captions!r}"
        assert sum(c.count(caption) for c in captions) == 1, f"{caption!r} repeated in {captions!r}"
        assert caption not in record["body"]


@pytest.mark.parametrize("site_rules", _sbs_params("credit"))
def test_sbs_lead_credit_is_separate(site_rules: bool) -> None:
    """The lead photo's "(AAP)" is its credit, not part of its caption."""
    images = extracted(SBS, site_rules)["images"]
    lead = [img for img in images if _norm(img.get("caption")).startswith(SBS_CAPTIONS[0][:40])]
    assert lead, f"no image captioned {SBS_CAPTIONS[0]!r}"
    assert "AAP" not in lead[0]["caption"]
    assert "AAP" in (lead[0]["credit"] or "")
