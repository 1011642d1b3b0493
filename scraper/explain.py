"""Why the body is what it is: every text block of a page, in page order, kept or dropped and why.

``scraper extract --explain PAGE`` prints this. It is how ``[sites.*]`` rules are tuned and how a
regression is read: the container chosen (and the candidates it beat), then each block with its fate:

    kept      p         A paragraph of the article ...
    dropped   pruned: class word newsletter | Sign up to our newsletter ...
    dropped   caption   A lead image's caption ...
    dropped   outside   A teaser of another article, outside the chosen container ...
    kept      p (block scorer 0.91)  A paragraph in a box beside the container, taken back in ...
    dropped   tail (block scorer 0.05)  A closing line of the container's own, dropped ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .clean import html_to_blocks
from .config import Config
from .errors import ExtractionError
from .extract import Trace, extract
from .text import caption_key

__all__ = ["Explanation", "explain"]

_NOT_TEXT = ("script", "style", "template", "svg", "head")  # a <noscript> may hold the article


@dataclass(slots=True)
class Explanation:
    """The container chosen and why, then each block of the page: (kept, reason, text) in page order."""

    container: str
    candidates: list[str] = field(default_factory=list)
    blocks: list[tuple[bool, str, str]] = field(default_factory=list)
    error: str | None = None

    def lines(self, width: int = 110) -> list[str]:
        """Plain-text lines for a terminal: a header, then one line per block (text shortened)."""
        out = [f"container: {self.container}"]
        out += [f"  candidate {c}" for c in self.candidates]
        if self.error:
            out.append(f"result: {self.error}")
        for kept, reason, text in self.blocks:
            short = text if len(text) <= width else text[: width - 1] + "…"
            out.append(f"{'kept' if kept else 'dropped':8} {reason:28} | {short}")
        return out


def _container(trace: Trace) -> str:
    """The container chosen, which picker proposed it and why."""
    chosen = trace.chosen
    if chosen is None:
        return "none found"
    container = f"{chosen.source}: {chosen.why} <{chosen.element.tag}"
    return container + (f" class={chosen.element.get('class')!r}>" if chosen.element.get("class") else ">")


def _scored(trace: Trace) -> dict[str, tuple[float, bool]]:
    """The block scorer's verdicts on the blocks just outside the container, by text key: (score, taken)."""
    return {caption_key(o.block.text): (s, added) for o, s, added in trace.outside if s is not None}


def explain(html: str | bytes, url: str | None = None, *, config: Config | None = None) -> Explanation:
    """Run extraction on one page with a trace and say, block by block, what became of the page's text."""
    config = config or Config()
    trace = Trace()
    error = None
    try:
        extract(html, url, config=config, trace=trace)
    except ExtractionError as exc:
        if trace.page is None:
            raise  # the page could not be parsed: nothing to list
        error = str(exc)

    # Each fate is queued under the block's text: a text that occurs twice (a menu item and a section
    # label) takes its fates in page order, the last one repeating.
    fate: dict[str, list[tuple[bool, str]]] = {}

    def note(text: str, kept: bool, reason: str) -> None:
        fate.setdefault(caption_key(text), []).append((kept, reason))

    scored = _scored(trace)
    if trace.cleaned is not None:
        for block in trace.cleaned.blocks:
            key = caption_key(block.text)
            reason = block.kind if error is None else "too short"
            if key in scored and scored[key][1]:
                reason += f" (block scorer {scored[key][0]:.2f})"
            note(block.text, error is None, reason)
        for reason, text in trace.cleaned.dropped:
            note(text, False, reason)
    for reason, text in trace.pruned:
        note(text, False, f"pruned: {reason}")
    for fig in trace.figures:
        for key in fig.texts:
            fate.setdefault(key, []).append(
                (False, "caption" if not fig.furniture else "caption (furniture)")
            )

    result = Explanation(
        container=_container(trace),
        candidates=[f"{c.source}: {chars} characters after cleaning" for c, chars in trace.candidates],
        error=error,
    )
    page = trace.page
    assert page is not None  # set by extract() once the page is parsed
    for el in list(page.iter(*_NOT_TEXT)):
        if el.getparent() is not None:
            el.drop_tree()
    body = page.find("body")
    for block in html_to_blocks(body if body is not None else page):
        key = caption_key(block.text)
        outside = "outside the chosen container"
        if key in scored and not scored[key][1]:
            outside += f" (block scorer {scored[key][0]:.2f})"
        queue = fate.get(key) or [(False, outside)]
        kept, reason = queue.pop(0) if len(queue) > 1 else queue[0]
        result.blocks.append((kept, reason, block.text))
    return result
