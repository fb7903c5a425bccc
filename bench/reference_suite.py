#!/usr/bin/env python3
"""Render the resvg reference suite (shared/data/svg) and score every case with ``robust_pct``.

Two modes:

* default (engine): every case goes through ``llm_sketch.sanitize`` then ``llm_sketch.rasterize`` at the
  reference size (fit="auto", see DEFAULT_FIT), once per backend (``--backend auto|cairo|resvg|all``, default all).
  Prints pass / near / fail / error / rejected for non-text and text cases separately, then pass counts
  per feature folder.
* ``--raw``: the bare renderers, bypassing the engine: cairosvg (parser Tree + PNGSurface at the reference
  size), resvg-py 0.5.0 (``resvg_py.svg_to_bytes``) and resvg 0.2.0 (``resvg.render``), with render times.
  This produced ``bench/results/routing.md``'s figures.

``--csv OUT`` writes one row per case and backend.  ``--jobs N`` renders in N processes (engine mode only;
raw mode stays sequential so its timings mean something).  ``--only SUBSTR`` limits the cases.

Usage::

    .venv/bin/python bench/reference_suite.py                      # engine, all three backends
    .venv/bin/python bench/reference_suite.py --backend auto --csv out/auto.csv
    .venv/bin/python bench/reference_suite.py --raw --csv bench/results/raw-backends.csv
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import refcompare as rc  # noqa: E402

# Cases the suite's README calls intentionally hostile or invalid, which the sanitizer may reject by policy.
# A SVGError from sanitize() on one of these is recorded as "rejected" (not "error"); it still is not a pass.
# Anything else that sanitize() rejects is an "error".
POLICY_REJECTABLE = {
    # XML entities (DTD internal subset): refused to rule out entity expansion attacks.
    "structure/svg/attribute-value-via-ENTITY-reference",
    "structure/svg/elements-via-ENTITY-reference-1",
    "structure/svg/elements-via-ENTITY-reference-2",
    "structure/svg/elements-via-ENTITY-reference-3",
    # Recursive references: <use> pointing at itself or an ancestor, a clipPath clipped by itself,
    # a gradient whose xlink:href chain loops.
    "structure/use/recursive",
    "structure/use/indirect-recursive-1",
    "structure/use/nested-recursive-1",
    "masking/clipPath/recursive-on-self",
    "paint-servers/linearGradient/recursive-xlink-href-2",
    # Degenerate root sizes: negative or zero width/height on the root <svg>.
    "structure/svg/negative-size",
    "structure/svg/zero-size",
    # Not UTF-8 (Windows-1251, declared in the XML declaration): handed to sanitize() as bytes; refusing it is fine.
    "structure/svg/not-UTF-8-encoding",
}

# The fit mode the engine renders with. The reference size is the document's width/height scaled to 300 px wide,
# which is *not* always the viewBox's aspect: 8 structure/svg/preserveAspectRatio* cases have width="200"
# height="100" with a 200x200 viewBox, and their own preserveAspectRatio decides the mapping. fit="auto" (the
# document's preserveAspectRatio) is therefore the faithful mode; fit="stretch" distorts those cases (and changes
# nothing else: measured, every case that passes with "stretch" also passes with "auto").
DEFAULT_FIT = "auto"

RAW_BACKENDS = ("cairosvg", "resvg-py", "resvg")
ENGINE_BACKENDS = ("auto", "cairo", "resvg")
STATUSES = ("pass", "near", "fail", "error", "rejected", "timeout")


def load_cases(root: Path, only: str | None = None) -> list[dict]:
    """Case dicts: name, feature folder, text flag, reference size (from the PNG), svg/png paths."""
    sizes = {}
    with open(root / "baseline-results.csv", newline="") as f:
        for row in csv.DictReader(f):
            sizes[row["test"]] = (int(row["width"]), int(row["height"]))
    cases = []
    for name in rc.list_cases(root):
        if only and only not in name:
            continue
        if name in sizes:
            w, h = sizes[name]
        else:
            from PIL import Image

            with Image.open(root / f"{name}.png") as im:
                w, h = im.size
        cases.append(
            {
                "name": name,
                "feature": name.rsplit("/", 1)[0],
                "text": name.startswith("text/"),
                "width": w,
                "height": h,
                "svg": str(root / f"{name}.svg"),
                "png": str(root / f"{name}.png"),
            }
        )
    return cases


def _decode(data: bytes) -> str:
    return data.decode("utf-8")


# --------------------------------------------------------------------------------------------------- raw mode


def _raw_render(backend: str, data: bytes, w: int, h: int) -> bytes:
    if backend == "cairosvg":
        import io

        from cairosvg.parser import Tree
        from cairosvg.surface import PNGSurface

        tree = Tree(bytestring=data)  # no url: nothing relative to resolve, no file or network access
        out = io.BytesIO()
        surface = PNGSurface(tree, out, 96, output_width=w, output_height=h)
        surface.finish()
        return out.getvalue()
    if backend == "resvg-py":
        import resvg_py

        # dpi=96 must be explicit: the binding defaults to dpi=0, which makes mm/cm/in/pt lengths zero.
        return bytes(resvg_py.svg_to_bytes(svg_string=_decode(data), width=w, height=h, dpi=96))
    if backend == "resvg":
        from resvg import render, usvg

        opts = usvg.Options.default()
        tree = usvg.Tree.from_str(_decode(data), opts)
        tw, th = tree.int_size()
        return bytes(render(tree, (w / tw, 0.0, 0.0, 0.0, h / th, 0.0), bg_size=(w, h)))  # row-major affine a, b, c, d, e, f
    raise ValueError(backend)


def run_raw(cases: list[dict], repeat: int) -> list[dict]:
    rows = []
    for case in cases:
        data = Path(case["svg"]).read_bytes()
        ref = rc.load_png(case["png"])
        for backend in RAW_BACKENDS:
            row = {"test": case["name"], "backend": backend, "status": "ok", "robust_pct": "", "ms": "", "error": ""}
            try:
                best = float("inf")
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    png = _raw_render(backend, data, case["width"], case["height"])
                    best = min(best, time.perf_counter() - t0)
                img = rc.png_bytes_to_rgba(png)
                if img.shape != ref.shape:
                    raise ValueError(f"rendered {img.shape[1]}x{img.shape[0]}, reference {ref.shape[1]}x{ref.shape[0]}")
                row["robust_pct"] = f"{rc.robust_pct(img, ref):.3f}"
                row["ms"] = f"{best * 1000:.2f}"
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - any failure is an outcome; pyo3 panics are BaseException
                row["status"] = "error"
                row["error"] = f"{type(exc).__name__}: {exc}"[:200]
            row["class"] = rc.classify(float(row["robust_pct"]) if row["robust_pct"] else None, row["status"])
            rows.append(row)
    return rows


def report_raw(cases: list[dict], rows: list[dict]) -> None:
    text_of = {c["name"]: c["text"] for c in cases}
    print(f"{'backend':10s} {'group':8s} " + " ".join(f"{s:>6s}" for s in ("pass", "near", "fail", "error")) + "   median ms  total ms")
    for backend in RAW_BACKENDS:
        for group in ("non-text", "text"):
            sel = [r for r in rows if r["backend"] == backend and text_of[r["test"]] == (group == "text")]
            if not sel:
                continue
            c = collections.Counter(r["class"] for r in sel)
            ms = sorted(float(r["ms"]) for r in sel if r["ms"])
            med = ms[len(ms) // 2] if ms else float("nan")
            print(
                f"{backend:10s} {group:8s} "
                + " ".join(f"{c.get(s, 0):6d}" for s in ("pass", "near", "fail", "error"))
                + f"   {med:9.2f}  {sum(ms):8.0f}"
            )


# ------------------------------------------------------------------------------------------------ routing probe
# A prototype of the "auto" backend's test, measured against the raw results (``--probe``): which
# features of a parsed document cairosvg is measured to render wrongly (while resvg gets them right).
# Errors need no test: a cairosvg exception falls back to resvg.  See bench/results/routing.md.

import re  # noqa: E402

_SHAPES = {"rect", "circle", "ellipse", "line", "polyline", "polygon", "path"}
_HARMLESS_CHILDREN = {"title", "desc", "metadata", "animate", "set", "animateTransform", "animateMotion", "animateColor"}
_GRADIENT_CHILDREN = {"stop"} | _HARMLESS_CHILDREN
_KNOWN_SVG = _SHAPES | _HARMLESS_CHILDREN | {
    "svg", "g", "defs", "symbol", "use", "image", "switch", "a", "style", "text", "tspan", "textPath", "tref",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "filter", "view",
    "foreignObject", "font", "font-face", "glyph", "missing-glyph", "hkern", "vkern", "cursor", "script",
    "altGlyph", "altGlyphDef", "altGlyphItem", "glyphRef", "color-profile", "mpath",
}  # plus every fe* filter primitive, accepted by prefix below
_RE_UNITS = re.compile(r"(?<![A-Za-z])[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(rem|vmin|vmax|vw|vh|ch)\b")
_RE_HSL = re.compile(r"\bhsla?\s*\(", re.I)
_RE_URL_FALLBACK = re.compile(r"url\([^)]*\)\s*\S")
_RE_URL_SPACES = re.compile(r"url\(\s+|url\([^)]*\s\)")
_RE_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_RE_PERCENT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%\s*$")
_RE_ARC_THEN_SMOOTH = re.compile(r"[Aa][^A-Za-z]*[SsTt]")
_RE_CSS_GEOMETRY = re.compile(r"(^|[;{\s])(x|y|width|height|r|rx|ry|cx|cy|d)\s*:", re.M)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _props(el) -> dict:
    """Attributes by local name, overlaid with the element's ``style`` declarations (comments left in)."""
    props = {}
    for k, v in el.attrib.items():
        props[_local(k)] = v
    for decl in props.get("style", "").split(";"):
        if ":" in decl:
            k, v = decl.split(":", 1)
            props[k.strip().lower()] = v.strip()
    return props


def _num(v: str | None) -> float | None:
    if v is None or not _RE_NUMBER.match(v):
        return None
    return float(v)


def routing_reasons(root) -> list[str]:
    """Why a parsed SVG (lxml root element) should go to resvg rather than cairosvg; empty: cairosvg is fine."""
    reasons: set[str] = set()
    obb_clips: set[str] = set()
    clip_users: list[tuple[str, str]] = []  # (tag, clip-path value) of non-shape elements
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions
        tag = _local(el.tag)
        ns = el.tag[1:].split("}", 1)[0] if el.tag.startswith("{") else ""
        p = _props(el)
        # --- values cairosvg cannot parse or resolves wrongly
        for key in ("opacity", "fill-opacity", "stroke-opacity", "stop-opacity"):
            if p.get(key, "").strip().endswith("%"):
                reasons.add("percent-opacity")
        for key, v in p.items():
            if _RE_UNITS.search(v):
                reasons.add("css-units rem/vw/vh/vmin/vmax/ch")
            if _RE_HSL.search(v):
                reasons.add("hsl()/hsla() colour")
            if v.strip() == "inherit":
                reasons.add("explicit inherit")
            if "context-fill" in v or "context-stroke" in v:
                reasons.add("context-fill/stroke")
        for key in ("fill", "stroke"):
            v = p.get(key, "")
            if _RE_URL_FALLBACK.search(v):
                reasons.add("paint fallback after url()")
        for key in ("fill", "stroke", "clip-path", "mask", "filter", "marker-start", "marker-mid", "marker-end"):
            if _RE_URL_SPACES.search(p.get(key, "")):
                reasons.add("spaces inside url()")
        if "clip-path" in p and tag not in _SHAPES:
            clip_users.append((tag, p["clip-path"]))
        if "transform-origin" in p:
            reasons.add("transform-origin")
        if "background-color" in p:
            reasons.add("background-color")
        if "/*" in el.get("style", ""):
            reasons.add("comment in style attribute")
        if "href" in el.attrib and "{http://www.w3.org/1999/xlink}href" in el.attrib:
            reasons.add("href and xlink:href")
        if any(p.get(k, "").strip().lower() == "currentcolor" for k in ("fill", "stroke", "stop-color")):
            if any(isinstance(d.tag, str) and "color" in _props(d) for d in el.iterdescendants()):
                reasons.add("currentColor resolved below its declaration")
        # --- elements
        if ns and ns != "http://www.w3.org/2000/svg" or (tag not in _KNOWN_SVG and not tag.startswith("fe")):
            if len(el):
                reasons.add("unknown element with children")
            continue
        if tag == "svg" and el is not root:
            if p.get("overflow", "hidden").strip() not in ("hidden", "scroll"):
                reasons.add("nested svg with visible overflow")
            if "viewBox" in p and any(
                isinstance(d.tag, str) and any(v.strip().endswith("%") for v in d.attrib.values())
                for d in el.iterdescendants()
            ):
                reasons.add("nested svg with viewBox and % lengths")
        if p.get("preserveAspectRatio", "").strip().startswith("none"):
            reasons.add("preserveAspectRatio=none")
        if tag in _SHAPES and any(isinstance(c.tag, str) and _local(c.tag) not in _HARMLESS_CHILDREN for c in el):
            reasons.add("shape with children")
        if tag == "clipPath":
            if "transform" in p:
                reasons.add("clipPath transform")
            if p.get("clipPathUnits", "").strip() == "objectBoundingBox" and p.get("id"):
                obb_clips.add(p["id"])
            rules = set()
            for d in el.iter():
                if not isinstance(d.tag, str):
                    continue
                dp = _props(d)
                if "clip-path" in dp:
                    reasons.add("clip-path on/in clipPath")
                if d is not el and "clip-rule" in dp:
                    rules.add(dp["clip-rule"].strip())
                if _local(d.tag) == "text":
                    reasons.add("text in clipPath")
            if rules:
                reasons.add("clip-rule in clipPath")
        if tag in ("linearGradient", "radialGradient"):
            if any(isinstance(c.tag, str) and _local(c.tag) not in _GRADIENT_CHILDREN for c in el):
                reasons.add("gradient with non-stop child")
            if tag == "radialGradient" and ("fr" in p or (p.get("r", "").strip().startswith("-"))):
                reasons.add("radialGradient fr / negative r")
        if tag == "stop" and "offset" in p and not (_RE_NUMBER.match(p["offset"]) or _RE_PERCENT.match(p["offset"])):
            reasons.add("stop offset with units")
        if tag == "ellipse" and ("rx" not in p or "ry" not in p):
            reasons.add("ellipse without rx or ry")
        if tag in ("rect", "ellipse", "circle"):
            for k in ("width", "height", "rx", "ry", "r"):
                if p.get(k, "").strip().startswith("-"):
                    reasons.add("negative size/radius")
        if tag == "rect" and ("rx" in p or "ry" in p):
            w, h = _num(p.get("width")), _num(p.get("height"))
            for k, half in (("rx", w), ("ry", h)):
                if k not in p:
                    continue
                v = _num(p[k])
                if v is None or half is None or v > half / 2:
                    reasons.add("rect rx/ry with units, % or over half size")
        if tag == "path":
            d = p.get("d", "").lstrip()
            if d and d[0] not in "Mm":
                reasons.add("path not starting with M")
            if _RE_ARC_THEN_SMOOTH.search(d):
                reasons.add("smooth curve after arc")
        dash = p.get("stroke-dasharray")
        if dash and any(_num(x) == 0 for x in re.split(r"[\s,]+", dash.strip()) if x):
            reasons.add("zero in stroke-dasharray")
        if tag == "symbol" and ("opacity" in p or "transform" in p):
            reasons.add("symbol opacity/transform")
        if tag == "style" and _RE_CSS_GEOMETRY.search(el.text or ""):
            reasons.add("geometry property in <style>")
    for tag, value in clip_users:
        m = re.search(r"url\(\s*['\"]?#([^)'\"\s]+)", value)
        if m and m.group(1) in obb_clips:
            reasons.add("objectBoundingBox clipPath on a group/text/use")
    if _local(root.tag) == "svg" and "viewBox" not in root.attrib and not ("width" in root.attrib and "height" in root.attrib):
        reasons.add("root without viewBox or size")
    return sorted(reasons)


def run_probe(cases: list[dict], raw_csv: str) -> None:
    """Score ``routing_reasons`` on the non-text cases against a ``--raw`` CSV."""
    from lxml import etree

    res = collections.defaultdict(dict)
    with open(raw_csv, newline="") as f:
        for r in csv.DictReader(f):
            res[r["test"]][r["backend"]] = r["class"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    routed = caught = fallback = missed = over = 0
    auto = collections.Counter()
    by_reason = collections.defaultdict(list)
    t_probe = 0.0
    for case in cases:
        if case["text"] or case["name"] not in res:
            continue
        cls = res[case["name"]]
        t0 = time.perf_counter()
        try:
            root = etree.fromstring(Path(case["svg"]).read_bytes(), parser)
            reasons = routing_reasons(root)
        except etree.XMLSyntaxError:
            reasons = ["unparseable"]
        t_probe += time.perf_counter() - t0
        for r in reasons:
            by_reason[r].append(case["name"])
        c_ok, r_ok = cls["cairosvg"] == "pass", cls["resvg-py"] == "pass"
        if reasons:
            routed += 1
            over += c_ok
            got = cls["resvg-py"] if cls["resvg-py"] != "error" else cls["cairosvg"]
        else:
            got = cls["cairosvg"] if cls["cairosvg"] != "error" else cls["resvg-py"]
        auto[got] += 1
        if not c_ok and r_ok:
            if reasons:
                caught += 1
            elif cls["cairosvg"] == "error":
                fallback += 1
            else:
                missed += 1
                print(f"  missed: {case['name']} (cairosvg {cls['cairosvg']})")
    print(f"routed to resvg: {routed}; of them cairosvg passes anyway: {over}")
    print(f"cairosvg-wrong/resvg-right: {caught} caught by a test, {fallback} by error fallback, {missed} missed")
    print(f"auto (test + fallback either way) on raw results: {dict(auto)}")
    print(f"probe time: {1000 * t_probe:.1f} ms for all cases (parse included)")
    for r in sorted(by_reason):
        names = by_reason[r]
        print(f"  {r}: {len(names)}: " + ", ".join(n.split('/', 1)[1] for n in names))


# ------------------------------------------------------------------------------------------------ engine mode


def render_case(case: dict, backend: str, timeout: float = 10.0, fit: str = DEFAULT_FIT) -> dict:
    """Sanitize + rasterize one case through the engine and score it. Never raises."""
    from llm_sketch import SVGError, rasterize, sanitize

    row = {"test": case["name"], "backend": backend, "status": "ok", "robust_pct": "", "ms": "", "error": ""}
    data = Path(case["svg"]).read_bytes()
    t0 = time.perf_counter()
    try:
        try:
            text = _decode(data)
        except UnicodeDecodeError:
            text = data  # not UTF-8 (one case, Windows-1251): hand the bytes over and let the engine decide
        doc = sanitize(text)
    except SVGError as exc:
        row["status"] = "rejected" if case["name"] in POLICY_REJECTABLE else "error"
        row["error"] = f"sanitize: {exc}"[:300]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - sanitize must only raise SVGError; anything else is a bug
        row["status"] = "error"
        row["error"] = f"sanitize crashed: {type(exc).__name__}: {exc}"[:300]
    else:
        try:
            img = rasterize(doc, case["width"], case["height"], fit=fit, backend=backend, timeout=timeout)
            ref = rc.load_png(case["png"])
            if tuple(img.shape) != tuple(ref.shape):
                raise ValueError(f"rendered shape {tuple(img.shape)}, reference {tuple(ref.shape)}")
            row["robust_pct"] = f"{rc.robust_pct(img, ref):.3f}"
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a pyo3 PanicException escaping the engine is an error too
            row["status"] = "timeout" if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc) else "error"
            row["error"] = f"rasterize: {type(exc).__name__}: {exc}"[:300]
    row["ms"] = f"{(time.perf_counter() - t0) * 1000:.1f}"
    row["class"] = rc.classify(float(row["robust_pct"]) if row["robust_pct"] else None, row["status"])
    return row


def _render_star(args):
    return render_case(*args)


def run_engine(cases: list[dict], backends, jobs: int = 1, timeout: float = 10.0, fit: str = DEFAULT_FIT) -> list[dict]:
    work = [(case, backend, timeout, fit) for backend in backends for case in cases]
    if jobs <= 1:
        return [render_case(*w) for w in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_render_star, work, chunksize=8))


def summarize(rows: list[dict], cases: list[dict]) -> dict:
    """{backend: {"non-text": Counter, "text": Counter, "features": {feature: (passed, total)}}}"""
    by_name = {c["name"]: c for c in cases}
    out: dict = {}
    for r in rows:
        case = by_name[r["test"]]
        b = out.setdefault(r["backend"], {"non-text": collections.Counter(), "text": collections.Counter(), "features": {}})
        b["text" if case["text"] else "non-text"][r["class"]] += 1
        p, t = b["features"].get(case["feature"], (0, 0))
        b["features"][case["feature"]] = (p + (r["class"] == "pass"), t + 1)
    return out


def report_engine(rows: list[dict], cases: list[dict]) -> None:
    summary = summarize(rows, cases)
    backends = list(summary)
    print(f"{'backend':8s} {'group':8s} " + " ".join(f"{s:>8s}" for s in STATUSES) + "   pass%")
    for backend in backends:
        for group in ("non-text", "text"):
            c = summary[backend][group]
            n = sum(c.values())
            if not n:
                continue
            print(
                f"{backend:8s} {group:8s} "
                + " ".join(f"{c.get(s, 0):8d}" for s in STATUSES)
                + f"   {100.0 * c.get('pass', 0) / n:5.1f}"
            )
    features = sorted({f for b in backends for f in summary[b]["features"]})
    print()
    print(f"{'feature folder':40s} " + " ".join(f"{b:>9s}" for b in backends))
    for feat in features:
        cells = []
        for b in backends:
            p, t = summary[b]["features"].get(feat, (0, 0))
            cells.append(f"{p:>4d}/{t:<4d}")
        print(f"{feat:40s} " + " ".join(cells))
    bad = [r for r in rows if r["class"] in ("error", "timeout")]
    if bad:
        print("\nerrors:")
        for r in bad:
            print(f"  [{r['backend']}] {r['test']}: {r['error']}")


def write_csv(path: str, rows: list[dict]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fields = ["test", "backend", "status", "class", "robust_pct", "ms", "error"]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", default="all", choices=("all",) + ENGINE_BACKENDS, help="engine backend (default: all)")
    ap.add_argument("--raw", action="store_true", help="bench the bare renderers instead of the engine")
    ap.add_argument("--probe", metavar="RAW_CSV", help="score the routing prototype against a --raw CSV")
    ap.add_argument("--csv", metavar="OUT", help="write per-case results to this CSV")
    ap.add_argument("--suite", help="suite folder (default: $LLM_SKETCH_SVG_SUITE or shared/data/svg)")
    ap.add_argument("--only", help="only cases whose name contains this")
    ap.add_argument("--non-text", action="store_true", help="skip the text/ cases")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for engine mode")
    ap.add_argument("--repeat", type=int, default=3, help="raw mode: renders per case, best time kept")
    ap.add_argument("--timeout", type=float, default=10.0, help="engine rasterize timeout per case")
    ap.add_argument("--fit", default=DEFAULT_FIT, help=f"engine fit mode (default {DEFAULT_FIT!r}, see DEFAULT_FIT)")
    args = ap.parse_args(argv)

    root = Path(args.suite) if args.suite else rc.suite_dir()
    if root is None:
        print("reference suite not found: set LLM_SKETCH_SVG_SUITE or provide shared/data/svg", file=sys.stderr)
        return 2
    cases = load_cases(root, args.only)
    if args.non_text:
        cases = [c for c in cases if not c["text"]]
    t0 = time.perf_counter()
    if args.probe:
        run_probe(cases, args.probe)
        return 0
    if args.raw:
        rows = run_raw(cases, args.repeat)
        report_raw(cases, rows)
    else:
        backends = ENGINE_BACKENDS if args.backend == "all" else (args.backend,)
        rows = run_engine(cases, backends, args.jobs, args.timeout, args.fit)
        report_engine(rows, cases)
    print(f"\n{len(cases)} cases, {time.perf_counter() - t0:.1f} s")
    if args.csv:
        write_csv(args.csv, rows)
        print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
