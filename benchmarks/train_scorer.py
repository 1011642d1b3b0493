"""Train the block scorer (``scraper/scorer.py``) on the development pages, and test it across sites.

    python benchmarks/train_scorer.py collect   # features and labels of every page -> /tmp/scorer-cache.json
    python benchmarks/train_scorer.py cv        # train on half the sites, benchmark the other half, and back
    python benchmarks/train_scorer.py train     # train on all pages -> scraper/block_model.json

The defaults (40 trees of depth 3, learning rate 0.2, threshold 0.5, description left out) give the shipped
model for the blocks outside the container; its model for the container's own last blocks (side ``tail``,
dropped when they score under 0.2) came from
``train --tail-only --drop-below 0.2`` beside it; ``--kind logreg`` and ``--kind rule`` (a hand-set rule) are there to compare. ``cv`` scores only
the pages where the model takes a block, the others keep their score without it (cached in
/tmp/scorer-base.json from a run without a model).

Candidates are the blocks of the pruned page near the chosen container and outside it (see
``scraper.scorer.outside_blocks``). Labels: on the body sets a block is article when its words are in the
truth body; on trafeval when it holds a ``with`` snippet, not when it holds a ``without`` snippet (else it
is left out). Sites are split by host name, never pages: every page of a site is on one side.

Needs the ``train`` extra (scikit-learn); the model it writes is read by ``scraper.scorer`` in plain Python.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import extraction as E  # noqa: E402

from scraper import scorer  # noqa: E402
from scraper.errors import ScraperError  # noqa: E402
from scraper.extract import Trace, extract  # noqa: E402
from scraper.text import caption_key  # noqa: E402

SETS = E.ALL_SETS
BENCH = E.DEFAULT_BENCH
CACHE = Path("/tmp/scorer-cache.json")
BASE_CACHE = Path("/tmp/scorer-base.json")
SHORT_WORDS = 5
# Tried across sites, all within a page or two of each other: trafeval weight 0.1 and 1.0, 20 trees at 0.3,
# 80 at 0.1, subsampling 0.8 (four seeds), thresholds 0.3-0.8; a logistic regression lost on half B.
TRAFEVAL_WEIGHT = 0.3
SEED = 0
N_TREES = 40
RATE = 0.2
SUBSAMPLE = 1.0
MODEL = REPO_ROOT / "scraper" / "block_model.json"


def site_of(url: str) -> str:
    """The site a page belongs to: its host name without ``www.``, cut to the registered name."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    labels = host.split(".")
    keep = (
        3
        if len(labels) >= 3
        and len(labels[-1]) == 2
        and labels[-2] in ("co", "com", "org", "ac", "gov", "net")
        else 2
    )
    return ".".join(labels[-keep:])


def half_of(site: str) -> int:
    return hashlib.md5(site.encode()).digest()[0] % 2


def label(
    page: E.Page,
    key: str,
    words: int,
    truth: tuple[str, set[str]],
    with_keys: list[str],
    without_keys: list[str],
) -> int | None:
    """1 article, 0 not, None unknown. A short block (a label, a heading) must be a whole line of the truth
    body: its words alone are found in most bodies."""
    if page.snippets:
        if any(k and k in key for k in with_keys):
            return 1
        if any(k and k in key for k in without_keys):
            return 0
        return None
    body_key, lines = truth
    if words < SHORT_WORDS:
        return 1 if key in lines else 0
    return 1 if f" {key} " in body_key else 0


def _collect_page(page: E.Page) -> list[dict[str, Any]]:
    logging.disable(logging.CRITICAL)
    scorer.use_model(None)
    html = E.read_html(page.path)
    trace = Trace()
    try:
        extract(html, page.url, trace=trace)
    except ScraperError:
        return []
    truth = (f" {caption_key(page.body or '')} ", {caption_key(x) for x in (page.body or "").split("\n")})
    assert trace.cleaned is not None
    kept_words = sum(b.words for b in trace.cleaned.blocks if b.kind != "figure")
    with_keys = [caption_key(s) for s in page.with_]
    without_keys = [caption_key(s) for s in page.without]
    rows = []
    for o, _, _ in trace.outside:
        y = label(page, caption_key(o.block.text), o.block.words, truth, with_keys, without_keys)
        rows.append(
            {
                "set": page.set,
                "page": page.id,
                "site": site_of(page.url),
                "side": o.side,
                "index": o.index,
                "words": o.block.words,
                "kept_words": kept_words,
                "text": o.block.text[:80],
                "x": o.features,
                "y": y,
            }
        )
    return rows


def all_pages() -> list[E.Page]:
    return [p for name in SETS for p in E.load_set(name, BENCH)]


def collect(jobs: int) -> None:
    pages = all_pages()
    with ProcessPoolExecutor(jobs) as pool:
        rows = [r for rs in pool.map(_collect_page, pages, chunksize=8) for r in rs]
    CACHE.write_text(json.dumps({"features": list(scorer.FEATURES), "rows": rows}))
    pos = sum(1 for r in rows if r["y"])
    print(f"{len(rows)} labelled candidates ({pos} article) from {len(pages)} pages -> {CACHE}")


def load_rows(labelled: bool = True) -> list[dict[str, Any]]:
    """The cached candidates: only those with a label, unless ``labelled`` is false."""
    data = json.loads(CACHE.read_text())
    if data["features"] != list(scorer.FEATURES):
        raise SystemExit("cache was collected with other features: run collect again")
    return [r for r in data["rows"] if not labelled or r["y"] is not None]


def weight(row: dict[str, Any]) -> float:
    """What a wrong call on the block costs: on body sets its share of the page's words (the metric is per
    page), on trafeval a snippet's worth."""
    if row["set"] == "trafeval":
        return TRAFEVAL_WEIGHT
    return min(1.0, row["words"] / max(1, row["kept_words"]))


# A hand-set rule over the same candidates, for comparison: a prose paragraph (20+ words, ends a sentence,
# under 10% links) next to the kept blocks (at most 2 blocks away, no heading between).
HAND_RULE = (
    ("log_words", ">", math.log1p(19)),
    ("sentence_end", ">", 0.5),
    ("link_share", "<=", 0.1),
    ("log_distance", "<=", math.log(2) + 1e-9),
    ("run_headings", "<=", 0.5),
)


def hand_rule(threshold: float, contiguous: bool) -> dict[str, Any]:
    """``HAND_RULE`` as a one-tree model: a chain of tests, every failure a leaf that says no."""
    feature, thresh, left, right, value = [], [], [], [], []
    for name, op, limit in HAND_RULE:
        fail = len(feature) + 1
        feature += [scorer.FEATURES.index(name), -1]
        thresh += [limit, -2.0]
        value += [0.0, -10.0]
        nxt = fail + 1  # the next test (or the final leaf)
        left += [fail if op == ">" else nxt, -1]
        right += [nxt if op == ">" else fail, -1]
    feature.append(-1)
    thresh.append(-2.0)
    left.append(-1)
    right.append(-1)
    value.append(10.0)
    tree = {"feature": feature, "threshold": thresh, "left": left, "right": right, "value": value}
    return {
        "features": list(scorer.FEATURES),
        "kind": "trees",
        "threshold": threshold,
        "contiguous": contiguous,
        "base": 0.0,
        "rate": 1.0,
        "trees": [tree],
    }


def fit(rows: Sequence[dict[str, Any]], kind: str, threshold: float, contiguous: bool) -> dict[str, Any]:
    """A model of ``kind`` (logreg or trees) on ``rows``, as the JSON ``scraper.scorer.Model`` reads."""
    import numpy as np

    x = np.array([r["x"] for r in rows], dtype=float)
    y = np.array([r["y"] for r in rows], dtype=int)
    w = np.array([weight(r) for r in rows])
    if kind == "rule":
        return hand_rule(threshold, contiguous)
    base: dict[str, Any] = {
        "features": list(scorer.FEATURES),
        "kind": kind,
        "threshold": threshold,
        "contiguous": contiguous,
    }
    if kind == "logreg":
        from sklearn.linear_model import LogisticRegression

        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        clf = LogisticRegression(C=1.0, max_iter=2000)
        clf.fit((x - mean) / scale, y, sample_weight=w)
        return {
            **base,
            "mean": [round(float(v), 6) for v in mean],
            "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in clf.coef_[0]],
            "intercept": round(float(clf.intercept_[0]), 6),
        }
    from sklearn.ensemble import GradientBoostingClassifier

    gb = GradientBoostingClassifier(
        n_estimators=N_TREES,
        max_depth=3,
        learning_rate=RATE,
        subsample=SUBSAMPLE,
        min_samples_leaf=20,
        random_state=SEED,
    )
    gb.fit(x, y, sample_weight=w)
    trees = []
    for est in gb.estimators_[:, 0]:
        t = est.tree_
        trees.append(
            {
                "feature": [int(f) if f >= 0 else -1 for f in t.feature],
                "threshold": [round(float(v), 6) for v in t.threshold],
                "left": [int(v) for v in t.children_left],
                "right": [int(v) for v in t.children_right],
                "value": [round(float(v), 6) for v in t.value[:, 0, 0]],
            }
        )
    init = float(gb._raw_predict_init(x[:1])[0, 0])
    model = {**base, "base": round(init, 6), "rate": gb.learning_rate, "trees": trees}
    check = scorer.Model(model)
    ref = gb.predict_proba(x[:200])[:, 1]
    worst = max(abs(check.score(list(xi)) - r) for xi, r in zip(x[:200], ref, strict=True))
    if worst > 1e-3:
        raise SystemExit(f"exported trees disagree with scikit-learn by {worst}")
    return model


def fit_both(
    rows: Sequence[dict[str, Any]],
    kind: str,
    threshold: float,
    contiguous: bool,
    sides: list[str],
    drop_below: float,
) -> dict[str, Any]:
    """The model for the blocks outside the container (``sides`` but tail), and with ``tail`` in ``sides``
    a second one for the container's own last blocks, trained on them alone and kept in the first."""
    model = fit([r for r in rows if r["side"] != "tail"], kind, threshold, contiguous)
    model["sides"] = [s for s in sides if s != "tail"]
    if "tail" in sides:
        model["tail"] = fit([r for r in rows if r["side"] == "tail"], kind, threshold, False)
        model["drop_below"] = drop_below
    return model


def auc(rows: Sequence[dict[str, Any]], model: dict[str, Any]) -> tuple[float, float, float]:
    """AUC, and precision and recall at the model's threshold."""
    from sklearn.metrics import roc_auc_score

    m = scorer.Model(model)
    p = [m.score(r["x"]) for r in rows]
    y = [r["y"] for r in rows]
    tp = sum(1 for pi, yi in zip(p, y, strict=True) if pi >= m.threshold and yi)
    fp = sum(1 for pi, yi in zip(p, y, strict=True) if pi >= m.threshold and not yi)
    return roc_auc_score(y, p), tp / max(1, tp + fp), tp / max(1, sum(y))


def _run_page(args: tuple[E.Page, dict[str, Any] | None]) -> tuple[str, str, Any]:
    page, model = args
    logging.disable(logging.CRITICAL)
    scorer.use_model(scorer.Model(model) if model else None)
    try:
        text = extract(E.read_html(page.path), page.url).body or ""
    except ScraperError:
        text = ""
    return page.set, page.id, E.score(page, text)


def bench(pages: Sequence[E.Page], model: dict[str, Any] | None, jobs: int) -> dict[str, dict[str, Any]]:
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_run_page, [(p, model) for p in pages], chunksize=8))
    out: dict[str, dict[str, Any]] = {}
    for (name, page_id, s), page in zip(results, pages, strict=True):
        out.setdefault(name, {})[page_id] = (page, s)
    return out


def baseline(pages: Sequence[E.Page], jobs: int) -> dict[str, Any]:
    """Each page's score without the scorer (cached: the extractor's other rules do not change here)."""
    if BASE_CACHE.exists():
        saved = json.loads(BASE_CACHE.read_text())
        return {k: E.score_from_json(v) for k, v in saved.items()}
    run = bench(pages, None, jobs)
    scores = {f"{name}/{pid}": s for name, per in run.items() for pid, (_, s) in per.items()}
    BASE_CACHE.write_text(json.dumps({k: E.score_to_json(v) for k, v in scores.items()}))
    return scores


def cross_validate(
    kind: str,
    threshold: float,
    contiguous: bool,
    jobs: int,
    sides: list[str],
    top: int,
    skip_description: bool,
    drop_below: float = 0.0,
) -> None:
    rows = load_rows()
    every = load_rows(labelled=False)
    pages = all_pages()
    base = baseline(pages, jobs)
    print(
        f"model {kind}, threshold {threshold}, contiguous {contiguous}, sides {sides}, "
        f"skip description {skip_description}, drop below {drop_below}"
    )
    for half in (0, 1):
        train = [r for r in rows if half_of(r["site"]) != half]
        test_rows = [r for r in rows if half_of(r["site"]) == half]
        model = fit_both(train, kind, threshold, contiguous, sides, drop_below)
        model["skip_description"] = skip_description
        a, prec, rec = auc([r for r in test_rows if r["side"] != "tail"], model)
        tail = [r for r in test_rows if r["side"] == "tail"]
        if tail:
            from sklearn.metrics import roc_auc_score

            m = scorer.Model(model)
            tail_auc = roc_auc_score([r["y"] for r in tail], [m.score_on("tail", r["x"]) for r in tail])
            print(f"  tail candidates: {len(tail)}, AUC {tail_auc:.3f}")
        test_pages = [p for p in pages if half_of(site_of(p.url)) == half]
        # only pages where the model would take a block can change: the others keep their baseline score
        m = scorer.Model(model)
        touched = {
            (r["set"], r["page"])
            for r in every
            if half_of(r["site"]) == half
            and m.weighs(r["side"], r["x"])
            and (
                m.score_on("tail", r["x"]) < m.drop_below
                if r["side"] == "tail"
                else m.score(r["x"]) >= threshold
            )
        }
        changed = bench([p for p in test_pages if (p.set, p.id) in touched], model, jobs)
        print(
            f"half {'AB'[half]} (trained on the other): candidates AUC {a:.3f}, P {prec:.3f} R {rec:.3f}; "
            f"{len(touched)} pages touched"
        )
        moves = []
        for name in SETS:
            mine = [p for p in test_pages if p.set == name]
            if not mine:
                continue
            old = [base[f"{name}/{p.id}"] for p in mine]
            new = [changed.get(name, {}).get(p.id, (p, base[f"{name}/{p.id}"]))[1] for p in mine]
            f0, f1 = E.summarize_set(mine, old).f1, E.summarize_set(mine, new).f1
            moves += [
                (n.f1 - o.f1, f"{name}/{p.id}")
                for p, o, n in zip(mine, old, new, strict=True)
                if n.f1 != o.f1
            ]
            print(f"  {name:9} {len(mine):4} pages  {f0:.4f} -> {f1:.4f} ({f1 - f0:+.4f})")
        moves.sort()
        if top:
            print("  lost most: " + ", ".join(f"{k} {d:+.3f}" for d, k in moves[:top]))
            print("  gained most: " + ", ".join(f"{k} {d:+.3f}" for d, k in moves[::-1][:top]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("collect", "cv", "train"))
    parser.add_argument(
        "--kind", choices=("logreg", "trees", "rule"), default="trees", help="rule: the hand-set HAND_RULE"
    )
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--contiguous", action="store_true")
    parser.add_argument(
        "--take-description",
        dest="skip_description",
        action="store_false",
        help="let the model take a block equal to the page's description (left out by default)",
    )
    parser.add_argument("--sides", default="before,after,between")
    parser.add_argument(
        "--drop-below",
        type=float,
        default=0.0,
        help="with side tail: the container's last blocks scoring under this are dropped",
    )
    parser.add_argument(
        "--tail-only",
        action="store_true",
        help="with train: keep the shipped model for outside blocks, train the tail's model beside it",
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--top", type=int, default=0, help="with cv: the pages that moved most")
    args = parser.parse_args(argv)
    if args.command == "collect":
        collect(args.jobs)
    elif args.command == "cv":
        cross_validate(
            args.kind,
            args.threshold,
            args.contiguous,
            args.jobs,
            args.sides.split(","),
            args.top,
            args.skip_description,
            args.drop_below,
        )
    else:
        if args.tail_only:  # the outside model as shipped, a tail model trained beside it
            model = json.loads(MODEL.read_text())
            tail_rows = [r for r in load_rows() if r["side"] == "tail"]
            model.update(features=list(scorer.FEATURES), drop_below=args.drop_below)
            model["tail"] = fit(tail_rows, args.kind, args.threshold, False)
        else:
            model = fit_both(
                load_rows(),
                args.kind,
                args.threshold,
                args.contiguous,
                args.sides.split(","),
                args.drop_below,
            )
            model["skip_description"] = args.skip_description
        MODEL.write_text(json.dumps(model, separators=(",", ":")) + "\n")
        print(f"model written to {MODEL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
