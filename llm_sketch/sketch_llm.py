"""Prompt → SVG sketch by an LLM, verified against the prompt's constraints and repaired.

One run::

    constraints = parse(prompt)
    round 0:   `candidates` concurrent requests (seeds seed, seed+1, …): the system prompt (one SVG, canvas size
               and viewBox, simple shapes, one data-label per object, the named colours, an example) and the
               prompt with the constraints as a checklist
    each reply: sanitize (fences, prose and cut-off replies are read; hostile markup is removed) → extract_layout
               → check; ranked by (passed, score)
    round r:   if nothing passed and a check can still be fixed: `candidates` concurrent repair requests from the
               best sketch so far — its SVG, then the failed checks in words ("the red triangle must be right of
               the blue circle — it is 120 px to its left and 6 px above it")
    end:       the best sketch with its report; or the offline planner's sketch when nothing passed and
               ``fallback="planner"``; or an ``LLMError`` naming the cause when no reply held a usable SVG

A run costs at most ``candidates × (1 + max_repairs)`` replies (retries of failed requests come on top; replies
found in the cache cost none). Progress is reported in replies (with streamed text as fractions of one) and a
``cancel()`` callback stops the run between streamed pieces.
"""

from __future__ import annotations

import queue
import re
import threading
from dataclasses import dataclass, field
from typing import Callable

from .check import Report, check
from .colors import CANONICAL_HEX
from .constraints import Constraints
from .errors import SketchError, SVGError
from .layout import Layout
from .llm import Cancelled, Completion, LLMClient, LLMError, estimate_tokens

FALLBACKS = ("none", "planner")
TRANSCRIPT_VERSION = 1
_EXPECTED_CHARS = 1500  # a typical sketch reply, for the progress bar while text streams in
_REFUSAL = re.compile(r"(?i)\b(sorry|i can(?:no|')t|i cannot|i am unable|i'm unable|i won't|unable to|"
                      r"not able to|as an ai)\b")
_FATAL = ("auth", "config", "bad_request", "connection")  # every other request would fail the same way

EXAMPLE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">\n'
               '  <circle data-label="circle" cx="128" cy="256" r="80" fill="#1e88e5"/>\n'
               '  <polygon data-label="triangle" points="384,176 464,336 304,336" fill="#e53935"/>\n'
               '</svg>')


# ---- the prompt -------------------------------------------------------------------------------------------------
def system_prompt(width: int, height: int) -> str:
    colours = ", ".join(f"{name} {hex_}" for name, hex_ in CANONICAL_HEX.items())
    return (
        "You draw scenes as SVG code; the drawing's layout is measured against a checklist. Reply with exactly "
        "one SVG document and nothing else: no explanation, no markdown.\n\n"
        "The SVG:\n"
        f'- starts with <svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"> and ends with </svg>; x grows to the right and y downwards from the '
        "top-left corner (0,0);\n"
        "- uses only simple shapes: rect, circle, ellipse, polygon, polyline, path and line, grouped with g; no "
        "text, images, scripts, styles, filters, animation or links;\n"
        '- draws each object as one element, or one <g> of elements, with data-label="NAME" holding the name '
        "the checklist gives it (lowercase, singular); N objects of a kind are N separately labelled elements; "
        "only a background may be unlabelled;\n"
        f"- fills each object with the colour the prompt names, using exactly these values: {colours}; objects "
        "whose colour is not named may have any colour;\n"
        "- keeps every object inside the canvas; later elements are drawn in front of earlier ones.\n\n"
        'Example, for "a blue circle on the left and a red triangle on the right" on a 512×512 canvas:\n'
        + EXAMPLE_SVG)


_RELATION_HINTS = {
    "left of": "its centre well to the left of the other's; the horizontal distance larger than the vertical",
    "right of": "its centre well to the right of the other's; the horizontal distance larger than the vertical",
    "above": "its centre well above the other's; the vertical distance larger than the horizontal",
    "below": "its centre well below the other's; the vertical distance larger than the horizontal",
    "inside": "its box entirely inside the other's box, drawn after it",
    "contains": "the other's box entirely inside its box, drawn before it",
    "overlapping": "their boxes overlap",
    "in front of": "drawn after the other (later in the SVG), overlapping it",
    "behind": "drawn before the other (earlier in the SVG), partly covered by it",
    "larger than": "its area at least 1.5× the other's",
    "smaller than": "its area at most 2/3 of the other's",
    "between": "its centre on the line between the two others' centres, in the middle part",
}
_REGION_HINTS = {
    "left": "centre in the left third (x < {w3})", "right": "centre in the right third (x > {w23})",
    "top": "centre in the top third (y < {h3})", "bottom": "centre in the bottom third (y > {h23})",
    "center": "centre in the middle third both ways ({w3} < x < {w23}, {h3} < y < {h23})",
    "top left": "centre in the top-left ninth (x < {w3}, y < {h3})",
    "top right": "centre in the top-right ninth (x > {w23}, y < {h3})",
    "bottom left": "centre in the bottom-left ninth (x < {w3}, y > {h23})",
    "bottom right": "centre in the bottom-right ninth (x > {w23}, y > {h23})",
}


def checklist(constraints: Constraints, width: int, height: int) -> str:
    """The objects with their data-labels, then every check the sketch will be held to, in the checker's words."""
    import math

    from .words import number_word

    sizes = {"w3": round(width / 3), "w23": round(2 * width / 3), "h3": round(height / 3),
             "h23": round(2 * height / 3)}
    lines = []
    if constraints.objects:
        lines.append("Objects (data-label in quotes):")
    for o in constraints.objects:
        what = o.describe(with_count=True) if o.count != 1 else "one " + o.describe()[4:]
        if o.count == 0:
            lines.append(f'- "{o.label}": none; draw no {o.label}')
            continue
        parts = [what]
        if o.count > 1:
            parts.append(f"{number_word(o.count)} separate elements, each labelled \"{o.label}\"")
        if o.region:
            parts.append(_REGION_HINTS[o.region].format(**sizes))
        if o.size == "large":
            parts.append("clearly larger than the other objects")
        elif o.size == "small":
            parts.append("clearly smaller than the other objects")
        lines.append(f'- "{o.label}": ' + "; ".join(parts))
    diagonal = math.hypot(width, height)
    report = check(Layout(width=width, height=height), constraints)  # nothing drawn: every check, in words
    checks = list(report.checks)
    if checks:
        lines.append("Checklist (your SVG is measured against every line):")
    for i, c in enumerate(checks, 1):
        hint = _RELATION_HINTS.get(c.kind)
        if c.kind == "near":
            hint = f"the gap between their boxes under {0.1 * diagonal:.0f} px"
        elif c.kind == "far from":
            hint = f"their centres at least {0.4 * diagonal:.0f} px apart"
        lines.append(f"{i}. {c.text}" + (f" ({hint})" if hint else ""))
    if not checks:
        lines.append("(No objects could be read from the prompt: draw the scene as described, one labelled "
                     "element per object.)")
    lines += [f"Note: {n}" for n in report.notes if not n.startswith("nothing to check")]
    return "\n".join(lines)


def initial_messages(constraints: Constraints, width: int, height: int) -> list[dict]:
    prompt = " ".join(constraints.prompt.split())
    user = (f"Draw: \"{prompt}\"\nCanvas: {width}×{height} pixels.\n\n"
            + checklist(constraints, width, height))
    return [{"role": "system", "content": system_prompt(width, height)}, {"role": "user", "content": user}]


def _must(text: str) -> str:
    return re.sub(r"\b(is|are)\b", "must be", text, count=1)


def repair_message(attempt: "Attempt", width: int, height: int) -> str:
    if attempt.doc is None:
        return (f"Your reply could not be used: {attempt.problem}. Reply with one complete SVG document only "
                f'(width="{width}" height="{height}" viewBox="0 0 {width} {height}"), from <svg to </svg>, '
                "following the checklist.")
    failed = [c for c in attempt.report.checks if not c.passed]
    lines = ["Your SVG was measured against the checklist. These checks failed:"]
    for c in failed:
        detail = c.detail
        if detail in ("not found", "found 0"):
            detail = f'no element with data-label="{_label_of(attempt, c.subject)}" was found'
        lines.append(f"- {_must(c.text)}: {detail}")
    kept = [c.text for c in attempt.report.checks if c.passed]
    if kept:
        lines.append("These passed; keep them: " + "; ".join(kept) + ".")
    if attempt.completion is not None and attempt.completion.truncated:
        lines.append(f"Your reply was cut off ({attempt.completion.truncated}): keep the SVG short.")
    lines.append("Reply with the corrected, complete SVG only.")
    return "\n".join(lines)


def _label_of(attempt: "Attempt", object_id: str) -> str:
    try:
        return attempt.constraints.object(object_id).label
    except SketchError:
        return object_id


# ---- reading a reply ----------------------------------------------------------------------------------------------
def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "…")


def read_reply(completion: Completion):
    """A reply → (SafeSVG or None, problem or None, cause or None). Problems: refused, empty, no_svg, svg_error."""
    from .svgsafe import sanitize

    if completion.refusal:
        return None, f"the model refused: {_quote(completion.refusal)}", "refused"
    text = completion.text or ""
    if not text.strip():
        why = " (it reached max_tokens first)" if completion.finish_reason == "length" else ""
        return None, "the reply was empty" + why, "empty"
    if "<svg" not in text.lower():
        if _REFUSAL.search(text[:600]):
            return None, f"the model refused: {_quote(text)}", "refused"
        return None, f"the reply holds no <svg> element: {_quote(text)}", "no_svg"
    try:
        return sanitize(text), None, None
    except SVGError as exc:
        return None, f"the SVG was refused: {exc}", "svg_error"


@dataclass
class Attempt:
    candidate: int
    round: int
    seed: int
    constraints: Constraints
    messages: list
    completion: Completion | None = None
    doc: object = None  # SafeSVG
    layout: Layout | None = None
    report: Report | None = None
    problem: str | None = None
    cause: str | None = None
    error: LLMError | None = None

    @property
    def rank(self) -> tuple:
        if self.report is None:
            return (0, -1.0, 0, -self.round, -self.candidate)
        return (int(self.report.passed), self.report.score, int(bool(self.layout.objects)), -self.round,
                -self.candidate)

    @property
    def improvable(self) -> bool:
        return self.report is None or any(not c.passed for c in self.report.checks)

    def record(self, client: LLMClient) -> dict:
        c = self.completion
        entry = {"candidate": self.candidate, "round": self.round, "seed": self.seed,
                 "request": {"model": client.settings.model, "messages": self.messages, **client.params(self.seed)}}
        if c is not None:
            entry["reply"] = {"text": c.text, "finish_reason": c.finish_reason, "refusal": c.refusal,
                              "usage": c.usage, "truncated": c.truncated}
            entry.update(cached=c.cached, http_requests=c.requests, retried_after=c.attempts,
                         elapsed_s=round(c.elapsed, 3),
                         prompt_tokens_estimate=sum(estimate_tokens(m["content"]) for m in self.messages))
        if self.error is not None:
            entry["error"] = {"cause": self.error.cause, "message": client.redact(str(self.error))}
        if self.problem:
            entry["problem"] = client.redact(self.problem)
        if self.report is not None:
            entry["score"], entry["passed"] = self.report.score, self.report.passed
            entry["failed"] = [f"{c.text} — {c.detail}" for c in self.report.checks if not c.passed]
        if self.doc is not None and self.doc.notes:
            entry["sanitizer_notes"] = list(self.doc.notes)[:20]
        return entry


@dataclass
class SketchResult:
    svg: str  # sanitized SVG text
    layout: Layout
    report: Report
    constraints: Constraints
    source: str  # "llm" or "planner"
    requests: int  # HTTP requests made (retries included)
    cached: int  # replies that came from the cache
    replies: int  # replies used (requested or cached)
    best: dict = field(default_factory=dict)  # which candidate and round the sketch is, or why the planner's
    notes: list = field(default_factory=list)
    transcript: dict = field(default_factory=dict)

    def summary(self) -> str:
        if self.source == "llm":
            head = (f"LLM sketch: candidate {self.best.get('candidate', 0) + 1}, round {self.best.get('round', 0)} "
                    f"({'first reply' if not self.best.get('round') else 'after repairs'})")
        else:
            head = "planner sketch (offline fallback)"
        cost = f"{self.replies} repl{'y' if self.replies == 1 else 'ies'}, {self.requests} request" \
               f"{'s' * (self.requests != 1)} to the server, {self.cached} from the cache"
        return "\n".join([head + "; " + cost, *self.notes, self.report.summary()])


# ---- the run ------------------------------------------------------------------------------------------------------
def sketch_with_llm(prompt: str | Constraints, client: LLMClient, *, width: int = 1024, height: int = 1024,
                    seed: int = 0, candidates: int = 1, max_repairs: int = 2, rule: str = "geneval",
                    fallback: str = "none", progress: Callable[[float, int, str], None] | None = None,
                    cancel: Callable[[], bool] | None = None) -> SketchResult:
    """See the module docstring. ``progress(done, total, note)`` is called from this thread (``done`` in replies,
    fractional while streaming); ``cancel()`` is polled here about every 50 ms."""
    from .parse import parse

    if fallback not in FALLBACKS:
        raise SketchError(f"unknown fallback {fallback!r}: use one of {', '.join(FALLBACKS)}")
    if not 1 <= int(candidates) <= 16:
        raise SketchError(f"candidates must be 1 to 16, got {candidates}")
    if not 0 <= int(max_repairs) <= 10:
        raise SketchError(f"max_repairs must be 0 to 10, got {max_repairs}")
    width, height = int(width), int(height)
    if width < 8 or height < 8:
        raise SketchError(f"the canvas must be at least 8×8 pixels, got {width}×{height}")
    constraints = prompt if isinstance(prompt, Constraints) else parse(prompt)
    candidates, max_repairs = int(candidates), int(max_repairs)
    total = candidates * (1 + max_repairs)
    run = _Run(client, constraints, width, height, rule, progress, cancel, total)
    requests_before = client.requests
    base = initial_messages(constraints, width, height)
    attempts: list[Attempt] = []
    best: Attempt | None = None
    fatal: LLMError | None = None
    try:
        for round_ in range(1 + max_repairs):
            if round_ == 0:
                messages = base
            else:
                source = best or attempts[-1]
                reply = source.doc.text if source.doc is not None else (
                    source.completion.text[:2000] if source.completion is not None else "")
                messages = base + ([{"role": "assistant", "content": reply}] if reply.strip() else []) + [
                    {"role": "user", "content": repair_message(source, width, height)}]
            jobs = [Attempt(i, round_, int(seed) + i, constraints, messages) for i in range(candidates)]
            done = run.round(jobs)
            attempts += done
            for a in done:
                if a.error is not None and a.error.cause in _FATAL:
                    raise a.error
                if a.report is not None and (best is None or a.rank > best.rank):
                    best = a
            if best is not None and (best.report.passed or not best.improvable):
                break
            if all(a.error is not None for a in done):  # retries exhausted everywhere: asking again won't help
                if best is None:
                    raise done[0].error
                break
    except Cancelled:
        raise
    except LLMError as exc:
        fatal = exc
    run.finish()
    requests = client.requests - requests_before
    cached = sum(1 for a in attempts if a.completion is not None and a.completion.cached)
    replies = sum(1 for a in attempts if a.completion is not None)
    transcript = {"version": TRANSCRIPT_VERSION, "prompt": constraints.prompt,
                  "constraints": constraints.to_dict(), "settings": client.settings.public(),
                  "api_key_from": client.key_source or None,
                  "canvas": [width, height], "seed": int(seed), "candidates": candidates,
                  "max_repairs": max_repairs, "rule": rule, "fallback": fallback,
                  "requests": [a.record(client) for a in attempts],
                  "http_requests": requests, "cached_replies": cached}
    notes: list[str] = []
    if fatal is None and best is not None and (best.report.passed or fallback == "none"):
        doc = best.doc
        notes += [f"note: {n}" for n in (best.completion.truncated,) if n]
        result = SketchResult(doc.text, best.layout, best.report, constraints, "llm", requests, cached, replies,
                              best={"candidate": best.candidate, "round": best.round, "seed": best.seed},
                              notes=notes, transcript=transcript)
    elif fallback == "planner":
        if fatal is not None:
            why = f"the LLM failed ({fatal.cause}): {client.redact(str(fatal))}"
        elif best is not None:
            why = f"no LLM sketch passed (the best scored {best.report.score:.0%})"
        else:
            why = f"no LLM reply held a usable SVG ({_last_problem(attempts, client)})"
        svg, layout, report = planner_sketch(constraints, width, height, int(seed), rule)
        result = SketchResult(svg, layout, report, constraints, "planner", requests, cached, replies,
                              best={"reason": why}, notes=[f"fallback: {why}"], transcript=transcript)
    elif fatal is not None:
        raise fatal
    else:
        cause = next((a.cause or (a.error.cause if a.error else None) for a in reversed(attempts)
                      if a.cause or a.error), "bad_response")
        raise LLMError(f"no sketch from {client.settings.model} at {client.settings.base_url} after {replies} "
                       f"repl{'y' if replies == 1 else 'ies'} ({requests} request{'s' * (requests != 1)}): "
                       f"{_last_problem(attempts, client)}", cause if cause in _CAUSE_NAMES else "bad_response")
    transcript["result"] = {"source": result.source, "best": result.best, "passed": result.report.passed,
                            "score": result.report.score, "notes": result.notes}
    return result


_CAUSE_NAMES = ("refused", "empty", "no_svg", "svg_error", "timeout", "rate_limit", "server", "bad_response",
                "connection")


def _last_problem(attempts: list[Attempt], client: LLMClient) -> str:
    for a in reversed(attempts):
        if a.problem:
            return client.redact(a.problem)
        if a.error is not None:
            return client.redact(str(a.error))
    return "no reply"


class _Run:
    """The concurrent part: one thread per request of a round, progress and cancel polled from the caller's
    thread (ComfyUI's progress bar and interrupt flag belong to the node's thread)."""

    def __init__(self, client, constraints, width, height, rule, progress, cancel, total):
        self.client, self.constraints, self.width, self.height, self.rule = client, constraints, width, height, rule
        self.progress, self.cancel, self.total = progress, cancel, total
        self.stopped = threading.Event()
        self.completed = 0
        self.last_reported = -1.0

    def _work(self, job: Attempt, chars: list, index: int, results: queue.Queue) -> None:
        def on_text(piece: str) -> None:
            chars[index] += len(piece)

        try:
            job.completion = self.client.complete(job.messages, job.seed, on_text=on_text,
                                                  cancel=self.stopped.is_set)
            doc, job.problem, job.cause = read_reply(job.completion)
            if doc is not None:
                from .layout import extract_layout

                job.doc = doc
                job.layout = extract_layout(doc, self.width, self.height)
                job.report = check(job.layout, self.constraints, self.rule)
        except Cancelled:
            pass
        except LLMError as exc:
            job.error = exc
        except SketchError as exc:  # the layout of an accepted SVG could not be read
            job.problem, job.cause = f"the SVG could not be measured: {exc}", "svg_error"
        except Exception as exc:  # noqa: BLE001 — a bug must end the run with its message, not hang it
            job.error = LLMError(f"unexpected {type(exc).__name__}: {self.client.redact(str(exc))}", "server")
        results.put(index)

    def round(self, jobs: list[Attempt]) -> list[Attempt]:
        results: queue.Queue = queue.Queue()
        chars = [0] * len(jobs)
        for i, job in enumerate(jobs):
            threading.Thread(target=self._work, args=(job, chars, i, results), daemon=True,
                             name=f"llm-sketch-{job.round}-{i}").start()
        pending = set(range(len(jobs)))
        try:
            while pending:
                try:
                    pending.discard(results.get(timeout=0.05))
                    self.completed += 1
                except queue.Empty:
                    pass
                if self.cancel is not None and self.cancel():
                    raise Cancelled("cancelled by the user")
                partial = sum(min(0.95, chars[i] / _EXPECTED_CHARS) for i in pending)
                self._report(self.completed + partial,
                             f"round {jobs[0].round}: {len(jobs) - len(pending)}/{len(jobs)}")
        except BaseException:  # cancelled (here, or by the progress hook raising): stop the request threads
            self.stopped.set()  # streaming threads stop at their next piece; the others are left to time out
            raise
        return jobs

    def _report(self, done: float, note: str) -> None:
        if self.progress is not None and done - self.last_reported >= 0.01:
            self.last_reported = done
            self.progress(min(done, self.total), self.total, note)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total, "done")


# ---- the offline fallback -------------------------------------------------------------------------------------------
def planner_sketch(constraints: Constraints, width: int, height: int, seed: int, rule: str = "geneval"):
    """The offline planner's sketch (``draw.sketch``: parse → plan → draw), measured like an LLM's:
    (sanitized SVG text, Layout, Report)."""
    from .layout import extract_layout
    from .svgsafe import sanitize

    try:
        from .draw import sketch
    except ImportError as exc:
        raise SketchError(f"the offline planner is not available ({exc})") from None
    svg, _plan = sketch(constraints, width, height, seed)
    doc = sanitize(svg)
    layout = extract_layout(doc, width, height)
    return doc.text, layout, check(layout, constraints, rule)


# ---- the command line -----------------------------------------------------------------------------------------------
def write_llm_sketch(prompt: str, out, *, model: str, base_url: str = "", provider: str | None = None,
                     width: int = 512, height: int = 512, seed: int = 0, candidates: int = 1, max_repairs: int = 2,
                     fallback: str = "none", temperature: float | None = None):
    """``python -m llm_sketch sketch PROMPT --llm MODEL``: the planner's files (sketch.svg, sketch.png, layout.json,
    constraints.json, report.json, preview.png) from the LLM, plus transcript.json (every request and reply, never
    the key). Returns (SketchResult, {file name: path})."""
    import io
    import json
    from pathlib import Path

    from PIL import Image

    from .llm import client_from
    from .preview import draw_report
    from .render import rasterize

    client = client_from(provider or ("custom" if base_url else "openai"), model, base_url, temperature=temperature)
    try:
        result = sketch_with_llm(prompt, client, width=width, height=height, seed=seed, candidates=candidates,
                                 max_repairs=max_repairs, fallback=fallback)
    finally:
        client.close()
    rgba = rasterize(result.svg, width, height, background="white")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SketchError(f"cannot write {out}: {exc.strerror or exc}") from None
    report = {"source": result.source, "passed": result.report.passed, "score": result.report.score, "seed": seed,
              "requests": result.requests, "cached_replies": result.cached, "replies": result.replies,
              "best": result.best, "notes": result.notes, "reports": {result.report.rule: result.report.to_dict()}}

    def png(array) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(array).save(buffer, format="PNG")
        return buffer.getvalue()

    files = {"sketch.svg": result.svg, "sketch.png": png(rgba), "layout.json": result.layout.to_json(),
             "constraints.json": result.constraints.to_json(),
             "report.json": json.dumps(report, indent=2, ensure_ascii=False),
             "preview.png": png(draw_report(rgba, result.layout, result.report, result.constraints)),
             "transcript.json": json.dumps(result.transcript, indent=2, ensure_ascii=False)}
    paths = {}
    for name, data in files.items():
        path = out / name
        try:
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        except OSError as exc:
            raise SketchError(f"cannot write {path}: {exc.strerror or exc}") from None
        paths[name] = path
    return result, paths
