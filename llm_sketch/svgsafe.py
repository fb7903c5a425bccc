"""Untrusted SVG text → a small, normalized, safe SVG document (``SafeSVG``) — or one ``SVGError`` naming the problem.

The input is LLM output: it may be wrapped in markdown or prose, lack ``xmlns`` or ``viewBox``, be cut off at the end,
or be hostile. Every document leaves here rebuilt from an allow-list, so what renders and what the layout extractor
reads is the same tree:

- XML is parsed with no DTD, no entity expansion and no network; comments and processing instructions are dropped.
- Only drawing elements and attributes survive; scripts, event handlers, ``foreignObject``, filters and every
  reference outside the document (``http:``, ``file:``, paths, ``//host``, ``data:`` other than small raster images)
  are removed. ``<use>`` is inlined (so recursion and ``use`` bombs are stopped here) and CSS (``<style>`` and
  ``style=""``) is folded into attributes.
- Values renderers trip on are rewritten: every colour to ``#rrggbb`` plus an opacity, percentage opacities, units
  (``mm``, ``rem``, ``vmin``, …) to user units, negative dash arrays, ``transform-origin``, path data after an error,
  invalid ``rx``/``ry``.
- Caps on bytes, elements, nesting, ``use`` expansion, coordinate magnitudes and embedded raster sizes keep the
  renderer's time and memory bounded (cairo cannot be interrupted inside a draw call).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from . import geometry as geo
from .colors import parse_color, to_hex
from .errors import SVGError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_NSMAP = {None: SVG_NS, "xlink": XLINK_NS}


@dataclass(frozen=True)
class Limits:
    """Caps that bound a render's time and memory. Raise them only for trusted input."""

    max_bytes: int = 2_000_000
    max_elements: int = 2_000  # before and after `use` is inlined (sketches have tens to hundreds)
    max_path_segments: int = 20_000  # in all path data together
    max_depth: int = 64
    max_coordinate: float = 1e6  # any coordinate, length or radius, in user units after transforms
    max_image_pixels: int = 16_777_216  # an embedded raster's width × height (4096²)
    max_output_pixels: int = 67_108_864  # the rendered canvas (8192²)
    max_text_chars: int = 100_000
    max_css_rules: int = 1_000  # selector × element matching is the CSS engine's cost


@dataclass(frozen=True)
class SafeSVG:
    """A sanitized SVG document. ``text`` is safe to render, save and show in a browser."""

    text: str
    width: float  # intrinsic size in px (from width/height, else the viewBox)
    height: float
    view_box: tuple[float, float, float, float]
    preserve_aspect_ratio: str = "xMidYMid meet"
    extent: float = 0.0  # the largest |coordinate| reached, in root user units (renderer safety)
    features: frozenset[str] = field(default_factory=frozenset)  # element kinds and notable attributes used
    notes: tuple[str, ...] = ()  # what was removed or rewritten, for users and logs

    def __str__(self) -> str:
        return self.text


# ---- allow-lists ----------------------------------------------------------------------------------------------------
SHAPES = {"rect", "circle", "ellipse", "line", "polyline", "polygon", "path"}
CONTAINERS = {"svg", "g", "defs", "symbol", "a", "switch"}
TEXT = {"text", "tspan", "textPath"}
PAINT_SERVERS = {"linearGradient", "radialGradient", "stop", "pattern"}
ALLOWED_ELEMENTS = (SHAPES | CONTAINERS | TEXT | PAINT_SERVERS
                    | {"use", "image", "clipPath", "mask", "marker", "title", "desc", "style"})
# Dropped with everything inside (never rendered, or a risk): scripts, HTML, filters, animation, fonts.
_DROP_SILENTLY = {"metadata"}

GEOMETRY_ATTRS = {"x", "y", "width", "height", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "x1", "y1", "x2", "y2",
                  "dx", "dy", "refX", "refY", "markerWidth", "markerHeight"}
PRESENTATION_ATTRS = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity", "color", "display",
    "visibility", "overflow", "clip-path", "clip-rule", "mask", "stop-color", "stop-opacity", "font-family",
    "font-size", "font-weight", "font-style", "font-variant", "font-stretch", "text-anchor", "dominant-baseline",
    "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing", "text-decoration", "writing-mode",
    "paint-order", "shape-rendering", "text-rendering", "image-rendering", "vector-effect", "marker-start",
    "marker-mid", "marker-end", "transform-origin", "mix-blend-mode", "isolation",
}
OTHER_ATTRS = {
    "id", "class", "transform", "viewBox", "preserveAspectRatio", "d", "points", "pathLength", "offset",
    "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform",
    "clipPathUnits", "maskUnits", "maskContentUnits", "markerUnits", "orient", "rotate", "textLength",
    "lengthAdjust", "startOffset", "method", "spacing", "side", "href", "space", "lang",
}
INHERITED = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
             "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "color", "visibility",
             "clip-rule", "font-family", "font-size", "font-weight", "font-style", "text-anchor", "paint-order"}
_OPACITY_ATTRS = {"opacity", "fill-opacity", "stroke-opacity", "stop-opacity"}
_URL_ATTRS = {"clip-path", "mask", "marker-start", "marker-mid", "marker-end"}
_DATA_ATTR = re.compile(r"^data-[a-z0-9_.-]{1,40}$")
_LENGTH = re.compile(rf"^\s*({geo.NUMBER})\s*([a-zA-Z%]*)\s*$")
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0, "q": 96 / 101.6,
          "em": 16.0, "rem": 16.0, "ex": 8.0, "ch": 8.0}
_NUMERIC_ATTRS = GEOMETRY_ATTRS | {"d", "points", "transform", "gradientTransform", "patternTransform", "viewBox",
                                   "stroke-width", "stroke-dashoffset", "stroke-dasharray", "font-size", "offset",
                                   "opacity", "fill-opacity", "stroke-opacity", "stop-opacity", "stroke-miterlimit"}
_LINEJOINS = {"miter", "round", "bevel"}
_LINECAPS = {"butt", "round", "square"}
_NON_FINITE = re.compile(r"(?<![a-z])(?:nan|inf(?:inity)?)(?![a-z])", re.I)
_RASTER_DATA = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp)(;[a-z0-9=._-]+)*;base64,([A-Za-z0-9+/=\s]*)$", re.I)


def _error(message: str) -> SVGError:
    return SVGError(message)


# ---- finding the SVG in LLM output ---------------------------------------------------------------------------------
_FENCE = re.compile(r"```([a-zA-Z0-9_+-]*)[ \t]*\n?(.*?)(?:```|$)", re.S)
_SVG_START = re.compile(r"<svg[\s>/]", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.S | re.I)


def extract_svg_markup(text: str) -> str:
    """The ``<svg …>…</svg>`` in ``text``: from markdown fences or prose; a missing final ``</svg>`` is added."""
    if "```" in text:
        # the fenced block holding an <svg> element: a ```svg/```xml one first, else the first with an <svg start
        blocks = [(lang.lower(), block) for lang, block in _FENCE.findall(text) if _SVG_START.search(block)]
        chosen = next((block for lang, block in blocks if lang in ("svg", "xml")), None)
        if chosen is None and blocks:
            chosen = blocks[0][1]
        if chosen is not None:
            text = chosen
    lower = text.lower()
    start = lower.find("<svg")
    if start < 0:
        if not text.strip():
            raise _error("the SVG is empty: got no text at all")
        raise _error("not an SVG: no <svg> element found in the text")
    # keep an XML declaration/DOCTYPE only long enough to strip it; entities are never expanded
    end = lower.rfind("</svg>")
    body = text[start:end + 6] if end > start else text[start:].rstrip() + "</svg>"
    return _DOCTYPE.sub("", body)


def _html_entities(markup: str) -> str:
    """``&nbsp;``, ``&copy;`` … (HTML names, undefined in XML) → the characters; XML's own five stay."""
    import html.entities

    def replace(match):
        name = match.group(1)
        if name in ("amp", "lt", "gt", "quot", "apos"):
            return match.group(0)
        char = html.entities.html5.get(name + ";")
        return char if char else ""

    return re.sub(r"&([A-Za-z][A-Za-z0-9]{1,31});", replace, markup)


def _parse(markup: str | bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, recover=True, remove_comments=True, remove_pis=True,
                             remove_blank_text=False)
    try:
        root = etree.fromstring(markup, parser)
    except etree.XMLSyntaxError as exc:
        raise _error(f"the SVG is not well-formed XML ({exc.msg})") from None
    except ValueError as exc:
        raise _error(f"the SVG could not be read ({exc})") from None
    if root is None:
        raise _error("the SVG is not well-formed XML (nothing could be recovered)")
    return root


def _local(name) -> str:
    if not isinstance(name, str):
        return ""
    return name.rsplit("}", 1)[-1].split(":")[-1]


def _namespace(tag) -> str | None:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else None


# ---- values ---------------------------------------------------------------------------------------------------------
def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise _error(f"non-finite number (NaN or infinity) in {what}")
    return value


class _Context:
    """What value normalization needs to know about the document."""

    def __init__(self, limits: Limits, viewport: tuple[float, float]):
        self.limits = limits
        self.viewport = viewport  # root user-space width, height (for %, vw, vh, vmin, vmax)
        self.ids: set[str] = set()
        self.empty_gradients: set[str] = set()
        self.path_segments = 0  # gradient ids with no <stop> (for paint fallbacks)
        self.features: set[str] = set()
        self.notes: list[str] = []
        self.extent = 0.0

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 50:
            self.notes.append(text)

    def length(self, value: str, axis: str = "x", font_size: float = 16.0, keep_percent: bool = False):
        """A length → user units (float), or the original text for a kept percentage, or None if invalid."""
        m = _LENGTH.match(value)
        if not m:
            return None
        number, unit = float(m.group(1)), m.group(2).lower()
        _finite(number, f"length {value!r}")
        if unit == "%":
            if keep_percent:
                return f"{geo.fmt(number)}%"
            w, h = self.viewport
            ref = {"x": w, "y": h}.get(axis, math.hypot(w, h) / math.sqrt(2))
            return number / 100 * ref
        if unit == "em":
            return number * font_size
        if unit in ("ex", "ch"):  # both about half an em in common fonts (what resvg uses)
            return number * font_size / 2
        if unit in ("vw", "vh", "vmin", "vmax"):
            w, h = self.viewport
            ref = {"vw": w, "vh": h, "vmin": min(w, h), "vmax": max(w, h)}[unit]
            return number / 100 * ref
        if unit not in _UNITS:
            return None
        return number * _UNITS[unit]

    def check_magnitude(self, value: float, what: str) -> float:
        if abs(value) > self.limits.max_coordinate:
            raise _error(f"coordinate too large: {what} = {value:g} (limit {self.limits.max_coordinate:g}); "
                         "huge values make renderers hang")
        return value


def _opacity(value: str) -> str | None:
    v = value.strip()
    try:
        number = float(v[:-1]) / 100 if v.endswith("%") else float(v)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return geo.fmt(min(1.0, max(0.0, number)))


_URL = re.compile(r"^\s*url\(\s*(['\"]?)\s*#([^'\")\s]+)\s*\1\s*\)\s*(.*)$", re.S)


def _paint(value: str, ctx: _Context, current_color: str | None) -> tuple[str | None, float]:
    """A fill/stroke value → (normalized paint or None to drop, alpha multiplier)."""
    v = value.strip()
    low = v.lower()
    if low in ("none", "transparent"):
        return "none", 1.0
    if low == "currentcolor":
        return (current_color or "#000000"), 1.0
    if low in ("inherit", "context-fill", "context-stroke"):
        return None, 1.0
    if low.startswith("url("):
        m = _URL.match(v)
        fallback = None
        if m:
            fallback = m.group(3).strip() or None
            if m.group(2) in ctx.ids and not (fallback and m.group(2) in ctx.empty_gradients):
                return f"url(#{m.group(2)})", 1.0  # (a gradient with no stops falls back to the colour after it)
        elif ")" in v:
            fallback = v.split(")", 1)[1].strip() or None
            ctx.note("removed a reference to an external paint server")
        if fallback:  # `url(#missing) red` paints red
            return _paint(fallback, ctx, current_color)
        return "none", 1.0  # a missing paint server paints nothing
    rgba = parse_color(v)
    if rgba is None:
        return None, 1.0  # invalid: as if not specified (inherit)
    return to_hex(rgba), rgba[3]


def _dasharray(value: str, ctx: _Context) -> str | None:
    if value.strip().lower() == "none":
        return "none"
    parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
    lengths = [ctx.length(p) for p in parts]
    if not lengths or any(v is None or isinstance(v, str) or v < 0 for v in lengths) or sum(lengths) <= 0:
        return "none"  # negative or all-zero dash arrays are invalid: draw solid (cairosvg misdraws them)
    return " ".join(geo.fmt(v) for v in lengths)


_ORIGIN_WORDS = {"left": ("x", 0.0), "center": (None, 50.0), "right": ("x", 100.0), "top": ("y", 0.0),
                 "bottom": ("y", 100.0)}


def _transform_origin(value: str, ctx: _Context) -> tuple[float, float] | None:
    parts = value.split()
    if not parts or len(parts) > 3:
        return None
    xy: dict[str, float] = {}
    pending: list[float] = []
    for p in parts[:2]:
        word = _ORIGIN_WORDS.get(p.lower())
        if word:
            axis, pct = word
            if axis is None:
                pending.append(pct)
                continue
            xy[axis] = pct / 100 * ctx.viewport[0 if axis == "x" else 1]
            continue
        axis = "x" if "x" not in xy else "y"
        number = ctx.length(p, axis)
        if number is None:
            return None
        xy[axis] = number
    for pct in pending:
        axis = "x" if "x" not in xy else "y"
        xy[axis] = pct / 100 * ctx.viewport[0 if axis == "x" else 1]
    return xy.get("x", ctx.viewport[0] / 2 if len(parts) == 1 and "y" in xy else 0.0), xy.get("y", 0.0 if len(parts) > 1 else ctx.viewport[1] / 2)


def _css_declarations(text) -> list[tuple[str, str, bool]]:
    """``name: value [!important]; …`` (text, or a rule's tokens) → (name, value, important) triples."""
    import tinycss2

    out = []
    for decl in tinycss2.parse_blocks_contents(text, skip_whitespace=True, skip_comments=True):
        if decl.type == "declaration":
            out.append((decl.lower_name, tinycss2.serialize(decl.value).strip(), bool(decl.important)))
    return out


def _stylesheet_rules(root: etree._Element, ctx: _Context):
    """``<style>`` rules → a cssselect2 matcher (``@import`` and other at-rules dropped)."""
    styles = [el for el in root.iter() if _local(el.tag) == "style"]
    if not styles:
        return None
    import cssselect2
    import tinycss2

    matcher = cssselect2.Matcher()
    count = 0
    total = 0
    for style in styles:
        css = "".join(style.itertext())
        total += len(css)
        if total > 100_000:
            raise _error("the SVG's <style> is too large: more than 100000 characters of CSS")
        for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
            if rule.type == "at-rule":
                ctx.note(f"removed CSS @{rule.lower_at_keyword}")
                continue
            if rule.type != "qualified-rule":
                continue
            try:
                selectors = cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                continue
            declarations = _css_declarations(rule.content)
            for selector in selectors:
                if selector.pseudo_element is None:
                    matcher.add_selector(selector, declarations)
                    count += 1
            if count > ctx.limits.max_css_rules:
                raise _error(f"too many CSS rules in <style>: more than {ctx.limits.max_css_rules}")
    return matcher if count else None


def _apply_stylesheet(root: etree._Element, matcher) -> dict:
    """Element → its CSS declarations, cascaded. ``!important`` ones are kept under ``"!" + name`` (they beat a
    plain ``style=""`` declaration; see ``_Builder._declared``)."""
    import cssselect2

    styled: dict = {}
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        matches = matcher.match(wrapper)
        if matches:
            matches.sort(key=lambda m: (m[0], m[1]))  # specificity, then source order
            decls: dict[str, str] = {}
            for match in matches:
                for name, value, important in match[3]:
                    if name in PRESENTATION_ATTRS:
                        decls[name] = value
                        if important:
                            decls["!" + name] = value
            styled[wrapper.etree_element] = decls
    return styled


# ---- the walk -------------------------------------------------------------------------------------------------------
class _Builder:
    def __init__(self, root: etree._Element, limits: Limits, viewport):
        self.ctx = _Context(limits, viewport)
        self.limits = limits
        self.count = 0
        self.css = {}
        matcher = _stylesheet_rules(root, self.ctx)
        if matcher is not None:
            self.css = _apply_stylesheet(root, matcher)
        for el in root.iter():
            if isinstance(el.tag, str):
                for key, value in el.attrib.items():
                    if _local(key) == "id" and value:
                        self.ctx.ids.add(value.strip())
                if _local(el.tag) in ("linearGradient", "radialGradient") and el.get("id") and not el.get(
                        "href") and not el.get(f"{{{XLINK_NS}}}href") and not any(
                        _local(c.tag) == "stop" for c in el if isinstance(c.tag, str)):
                    self.ctx.empty_gradients.add(el.get("id").strip())
        self.viewport_clips = 0
        self.nested = 0  # depth of nested <svg> viewports (their % lengths are kept for the renderer)

    # attributes of one source element, after CSS and style="" are folded in (style wins, then CSS, then attributes)
    def _declared(self, el: etree._Element) -> dict[str, str]:
        attrs: dict[str, str] = {}
        for key, value in el.attrib.items():
            ns = _namespace(key)
            name = _local(key)
            if ns not in (None, XLINK_NS, "http://www.w3.org/XML/1998/namespace"):
                continue
            if ns == XLINK_NS and name != "href":
                continue
            if name == "href" and ns is None and "href" in attrs:
                attrs["href"] = value  # plain href wins over xlink:href (SVG 2)
                continue
            if name == "href" and ns == XLINK_NS and "href" in attrs:
                continue
            attrs[name] = value
        # the cascade: attributes < <style> rules < style="" < <style> !important < style="" !important
        css = self.css.get(el, {})
        attrs.update((name, value) for name, value in css.items() if name[0] != "!")
        style = attrs.pop("style", None)
        inline_important = set()
        if style:
            for name, value, important in _css_declarations(style):
                if name in PRESENTATION_ATTRS:  # CSS sets properties, not geometry (SVG 1.1, as resvg reads it)
                    if important:
                        inline_important.add(name)
                    elif "!" + name in css:
                        continue
                    attrs[name] = value
        for name, value in css.items():
            if name[0] == "!" and name[1:] not in inline_important:
                attrs[name[1:]] = value
        for name, value in list(attrs.items()):
            if value.strip().lower() == "inherit":  # explicit inherit: the parent's value, for properties only
                if name not in PRESENTATION_ATTRS:
                    del attrs[name]
                    continue
                parent = el.getparent()
                inherited = self._declared(parent).get(name) if parent is not None else None
                if inherited is None:
                    del attrs[name]
                else:
                    attrs[name] = inherited
        return attrs

    def build(self, el: etree._Element, parent_out, depth: int, inherited: dict[str, str], ctm: geo.Matrix):
        if depth > self.limits.max_depth:
            raise _error(f"nesting too deep: more than {self.limits.max_depth} levels of elements")
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments, entities, processing instructions
            ns, name = _namespace(child.tag), _local(child.tag)
            if ns not in (None, SVG_NS):
                self.ctx.note(f"removed foreign element <{name}>")
                continue
            if name not in ALLOWED_ELEMENTS:
                if name not in _DROP_SILENTLY:
                    self.ctx.note(f"removed <{name}>")
                continue
            if name == "style":
                continue  # already folded into attributes
            self.count += 1
            if self.count > self.limits.max_elements:
                raise _error(f"too many elements: more than {self.limits.max_elements}")
            self._element(child, name, parent_out, depth, inherited, ctm)

    def _element(self, el, name, parent_out, depth, inherited, ctm):
        ctx = self.ctx
        attrs = self._declared(el)
        if name == "a":
            name = "g"  # a link is only a group here; its href is dropped
            attrs.pop("href", None)
        out_attrs: dict[str, str] = {}
        font_size = _float_or(inherited.get("font-size"), 16.0)
        current_color = inherited.get("color")
        if "color" in attrs:
            rgba = parse_color(attrs["color"]) if attrs["color"].strip().lower() not in ("inherit", "currentcolor") \
                else None
            if rgba:
                current_color = to_hex(rgba)
        if "font-size" in attrs:
            fs = ctx.length(attrs["font-size"], "d", font_size)
            if isinstance(fs, float) and fs > 0:
                font_size = ctx.check_magnitude(fs, f"<{name}> font-size")
                attrs["font-size"] = geo.fmt(fs)
            else:
                attrs.pop("font-size")
        for key, value in attrs.items():
            value = value.strip()
            if key.startswith("on") or len(value) > 200_000:
                continue
            if _DATA_ATTR.match(key):
                out_attrs[key] = value[:200]
            elif key in PRESENTATION_ATTRS or key in GEOMETRY_ATTRS or key in OTHER_ATTRS:
                normalized = self._value(name, key, value, attrs, current_color, font_size)
                if normalized is not None:
                    out_attrs[key] = normalized
        _settle_alpha(out_attrs)
        if not self._shape_ok(name, out_attrs):
            return
        transform = geo.IDENTITY
        if "transform" in out_attrs:
            try:
                transform = geo.parse_transform(out_attrs["transform"])
            except geo.GeometryError:
                out_attrs.pop("transform")  # an invalid transform list is ignored as a whole
                transform = geo.IDENTITY
        origin = out_attrs.pop("transform-origin", None)
        if origin is not None:
            ox, oy = (float(v) for v in origin.split())

            def about_origin(m):
                return geo.multiply(geo.translate(ox, oy), geo.multiply(m, geo.translate(-ox, -oy)))

            if transform != geo.IDENTITY:
                transform = about_origin(transform)
            for key in ("patternTransform", "gradientTransform"):
                if key in out_attrs:
                    out_attrs[key] = geo.format_matrix(about_origin(geo.parse_transform(out_attrs[key])))
        if transform != geo.IDENTITY:
            if not all(math.isfinite(v) for v in transform):
                raise _error(f"non-finite number in the transform of <{name}>")
            for v in transform:
                ctx.check_magnitude(v, f"<{name}> transform")
            out_attrs["transform"] = geo.format_matrix(transform)
        child_ctm = geo.multiply(ctm, transform)
        ctx.features.add(name)
        # features cairosvg is measured to draw wrong (llm_sketch.render.RESVG_FEATURES routes them to resvg)
        if name in SHAPES and any(isinstance(c.tag, str) and _local(c.tag) not in ("title", "desc") for c in el):
            ctx.features.add("shape-with-children")
        if name in ("linearGradient", "radialGradient") and (
                "fr" in attrs or attrs.get("r", "").strip().startswith("-") or any(
                    isinstance(c.tag, str) and _local(c.tag) not in ("stop", "title", "desc") for c in el)):
            ctx.features.add("gradient-edge-case")
        if out_attrs.get("stroke-dasharray", "none") != "none" and any(
                float(v) == 0 for v in out_attrs["stroke-dasharray"].split()):
            ctx.features.add("dash-zero")
        if name in _CORNERED and not _conformal(child_ctm) and out_attrs.get(
                "stroke", inherited.get("stroke", "none")) != "none" and out_attrs.get(
                "stroke-linejoin", inherited.get("stroke-linejoin", "miter")) == "miter":
            # cairo tests the miter limit after the transform; SVG (and resvg) before it: under a skew or an
            # uneven scale, corners near the limit come out bevelled in one and mitered in the other
            ctx.features.add("stroke-skewed-miter")
        if name in ("path", "line", "polyline", "polygon") and out_attrs.get("stroke-linecap", inherited.get("stroke-linecap", "butt")) != "butt" \
                and out_attrs.get("stroke", inherited.get("stroke", "none")) != "none" and _has_dot(name, out_attrs):
            ctx.features.add("zero-length-cap")  # cairo draws no square dot, nor a round one for "M x y Z"
        if name == "image":
            if not self._image(out_attrs):
                return
            ctx.features.add("raster")
        for paint in ("fill", "stroke"):
            # `fill="currentColor"` inherited from an ancestor uses *this* element's colour (CSS computed value)
            if paint not in attrs and inherited.get(f"_{paint}_current") and "color" in attrs and current_color:
                out_attrs[paint] = current_color
        self._track_extent(name, out_attrs, child_ctm)

        out = etree.SubElement(parent_out, f"{{{SVG_NS}}}{name}")
        for key, value in out_attrs.items():
            if key == "href":
                out.set(f"{{{XLINK_NS}}}href", value)
            elif key in ("space", "lang"):
                out.set(f"{{http://www.w3.org/XML/1998/namespace}}{key}", value)
            else:
                out.set(key, value)
        if name in TEXT or name in ("title", "desc"):
            if el.text:
                out.text = el.text[: self.limits.max_text_chars]
            ctx.features.add("text" if name in TEXT else name)
        child_inherited = dict(inherited)
        for key in INHERITED:
            if key in out_attrs:
                child_inherited[key] = out_attrs[key]
        child_inherited["font-size"] = geo.fmt(font_size)
        for paint in ("fill", "stroke"):
            if paint in attrs:
                if attrs[paint].strip().lower() == "currentcolor":
                    child_inherited[f"_{paint}_current"] = "1"
                else:
                    child_inherited.pop(f"_{paint}_current", None)
        if current_color:
            child_inherited["color"] = current_color
        self.nested += name == "svg"
        try:
            self.build(el, out, depth + 1, child_inherited, child_ctm)
        finally:
            self.nested -= name == "svg"
        if name in TEXT:  # keep the text between child elements (tails) of the children that survived
            allowed = [c for c in el if isinstance(c.tag, str) and _local(c.tag) in ALLOWED_ELEMENTS]
            for child_in, child_out in zip(allowed, list(out)):
                if child_in.tail:
                    child_out.tail = child_in.tail[: self.limits.max_text_chars]

    def _value(self, element: str, key: str, value: str, attrs: dict, current_color, font_size) -> str | None:
        ctx = self.ctx
        low = value.lower()
        if key in _NUMERIC_ATTRS:
            if _NON_FINITE.search(value):
                raise _error(f"non-finite number (NaN or infinity) in <{element}> {key}")
            try:
                geo.numbers(value)
            except geo.GeometryError:  # 1e999 and the like
                raise _error(f"non-finite number (NaN or infinity) in <{element}> {key}") from None
        if low == "inherit" and key in INHERITED:
            return None
        if key in ("fill", "stroke"):
            paint, alpha = _paint(value, ctx, current_color)
            if paint is not None and alpha < 1:
                return _with_alpha(paint, alpha, key)
            return paint
        if key in ("stop-color", "color"):
            if low == "currentcolor":
                return current_color or "#000000"
            rgba = parse_color(value)
            if rgba is None:
                return None
            if rgba[3] < 1 and key == "stop-color":
                return _with_alpha(to_hex(rgba), rgba[3], key)
            return to_hex(rgba)
        if key in _OPACITY_ATTRS:
            return _opacity(value)
        if key in _URL_ATTRS:
            m = _URL.match(value)
            if low == "none":
                return "none"
            if m and m.group(2) in ctx.ids:
                ctx.features.add(key)
                return f"url(#{m.group(2)})"
            return None
        if key == "stroke-dasharray":
            return _dasharray(value, ctx)
        if key in ("stroke-linejoin", "stroke-linecap"):
            # other keywords are invalid and the inherited value applies: that includes SVG 2's `arcs` and
            # `miter-clip`, which browsers and cairo do not draw (and resvg draws unstably near a reversal)
            allowed = _LINEJOINS if key == "stroke-linejoin" else _LINECAPS
            return low if low in allowed else None
        if key in ("stroke-width", "stroke-dashoffset", "letter-spacing", "word-spacing", "stroke-miterlimit"):
            if low in ("normal",) and key in ("letter-spacing", "word-spacing"):
                return "normal"
            number = ctx.length(value, "d", font_size)
            if not isinstance(number, float) or (key == "stroke-width" and number < 0) or (
                    key == "stroke-miterlimit" and number < 1):  # below 1 is invalid (browsers use the default)
                return None
            return geo.fmt(ctx.check_magnitude(number, f"<{element}> {key}"))
        if key == "transform-origin":
            origin = _transform_origin(value, ctx)
            return None if origin is None else f"{geo.fmt(origin[0])} {geo.fmt(origin[1])}"
        if key == "href":
            return self._href(element, value)
        if key == "d":
            # a cheap bound first (its command letters), so huge path data is refused before it is parsed
            if ctx.path_segments + sum(1 for c in value if c.isalpha()) > ctx.limits.max_path_segments:
                raise _error(f"path data too long: more than {ctx.limits.max_path_segments} segments in all")
            try:
                segments = geo.parse_path(value)
            except (ValueError, OverflowError):
                return None
            ctx.path_segments += len(segments)
            if ctx.path_segments > ctx.limits.max_path_segments:
                raise _error(f"path data too long: more than {ctx.limits.max_path_segments} segments in all")
            for seg in segments:
                for v in seg[1:]:
                    ctx.check_magnitude(_finite(v, f"<{element}> d"), f"<{element}> d")
            if re.search(r"[Aa][^A-Za-z]*[SsTt]", value):
                ctx.features.add("path-arc-then-smooth")  # cairosvg reflects the wrong control point
            return geo.format_path(segments)
        if key == "points":
            try:
                values = geo.numbers(value)
            except geo.GeometryError:
                raise _error(f"non-finite number (NaN or infinity) in <{element}> points") from None
            if len(values) % 2:
                values = values[:-1]
            for v in values:
                ctx.check_magnitude(v, f"<{element}> points")
            return " ".join(geo.fmt(v) for v in values)
        if key in ("viewBox",):
            try:
                values = geo.numbers(value)
            except geo.GeometryError:
                raise _error(f"non-finite number (NaN or infinity) in <{element}> viewBox") from None
            if len(values) != 4 or values[2] <= 0 or values[3] <= 0:
                return None
            for v in values:
                ctx.check_magnitude(v, f"<{element}> viewBox")
            return " ".join(geo.fmt(v) for v in values)
        if key in ("transform", "gradientTransform", "patternTransform"):
            try:
                m = geo.parse_transform(value)
            except geo.GeometryError as exc:
                if "non-finite" in str(exc):
                    raise _error(f"non-finite number (NaN or infinity) in <{element}> {key}") from None
                return None
            for v in m:
                ctx.check_magnitude(v, f"<{element}> {key}")
            return geo.format_matrix(m)
        if key in GEOMETRY_ATTRS:
            if low == "auto" and key in ("rx", "ry", "width", "height"):
                return None
            keep_percent = self.nested > 0 or element in ("linearGradient", "radialGradient", "pattern", "mask", "clipPath",
                                       "svg", "stop", "image", "use", "symbol", "marker", "filter")
            if element in ("text", "tspan") and key in ("x", "y", "dx", "dy"):
                # text positions may be lists
                values = [ctx.length(p, key[-1], font_size) for p in re.split(r"[\s,]+", value.strip()) if p]
                if not values or any(not isinstance(v, float) for v in values):
                    return None
                return " ".join(geo.fmt(ctx.check_magnitude(v, f"<{element}> {key}")) for v in values)
            axis = "y" if key in ("y", "cy", "height", "ry", "y1", "y2", "dy", "fy", "refY", "markerHeight") else \
                "x" if key in ("x", "cx", "width", "rx", "x1", "x2", "dx", "fx", "refX", "markerWidth") else "d"
            number = ctx.length(value, axis, font_size, keep_percent=keep_percent)
            if number is None:
                return None
            if isinstance(number, str):
                return number
            return geo.fmt(ctx.check_magnitude(number, f"<{element}> {key}"))
        if key == "offset":  # a fraction (or percentage) clamped to 0..1, as an opacity
            return _opacity(value)
        if key in ("id", "class"):
            return value[:200]
        if key in ("font-family",):
            return re.sub(r"[^\w\s,'\"-]", "", value)[:200]
        if "url(" in low or "expression(" in low or "javascript:" in low:
            return None
        return value[:500]

    def _href(self, element: str, value: str) -> str | None:
        v = value.strip()
        if v.startswith("#"):
            if v[1:] in self.ctx.ids:
                return v
            return None
        if element == "image":
            m = _RASTER_DATA.match(v)
            if m:
                return v
        self.ctx.note(f"removed an external reference from <{element}>")
        return None

    def _image(self, attrs: dict) -> bool:
        href = attrs.get("href")
        if not href:
            return False
        m = _RASTER_DATA.match(href)
        try:
            data = base64.b64decode(re.sub(r"\s+", "", m.group(3)), validate=True)
        except (binascii.Error, ValueError):
            self.ctx.note("removed an <image> with undecodable data")
            return False
        size = _raster_size(data)
        if size is None:
            self.ctx.note("removed an <image> that is not a PNG, JPEG, GIF or WebP")
            return False
        w, h = size
        if w * h > self.limits.max_image_pixels or w > 16384 or h > 16384:
            raise _error(f"embedded image too large: {w}×{h} pixels (limit {self.limits.max_image_pixels} pixels)")
        return True

    def _shape_ok(self, name: str, attrs: dict) -> bool:
        """Apply the SVG rules for missing/negative sizes; False when the element renders nothing."""
        def num(key, default=None):
            v = attrs.get(key)
            if v is None:
                return default
            if v.endswith("%"):  # relative to a nested viewport: positive unless negative
                return 1.0 if float(v[:-1]) > 0 else 0.0
            return float(v)

        if name == "rect":
            w, h = num("width", 0.0), num("height", 0.0)
            if w <= 0 or h <= 0:
                return False
            if attrs.get("width", "").endswith("%") or attrs.get("height", "").endswith("%"):
                return True
            rx, ry = num("rx"), num("ry")
            rx = None if rx is not None and rx < 0 else rx
            ry = None if ry is not None and ry < 0 else ry
            rx, ry = (rx if rx is not None else ry), (ry if ry is not None else rx)
            for key, value, limit in (("rx", rx, w / 2), ("ry", ry, h / 2)):
                if value is None:
                    attrs.pop(key, None)
                else:
                    if value > limit:
                        self.ctx.features.add("rect-radius-clamped")  # cairo rounds these corners coarsely
                    attrs[key] = geo.fmt(min(value, limit))
        elif name == "circle":
            if num("r", 0.0) <= 0:
                return False
        elif name == "ellipse":
            rx, ry = num("rx"), num("ry")
            rx = None if rx is not None and rx < 0 else rx
            ry = None if ry is not None and ry < 0 else ry
            rx, ry = (rx if rx is not None else ry), (ry if ry is not None else rx)  # SVG 2: auto = the other
            if not rx or not ry:
                return False
            attrs["rx"], attrs["ry"] = geo.fmt(rx), geo.fmt(ry)
        elif name in ("path",):
            if not attrs.get("d"):
                return False
        elif name in ("polyline", "polygon"):
            if len(attrs.get("points", "").split()) < 4:
                return False
        elif name in ("image", "use", "pattern", "svg") and name != "svg":
            for key in ("width", "height"):
                v = num(key)
                if v is not None and v <= 0 and name != "use":
                    return False
        return True

    def _track_extent(self, name: str, attrs: dict, ctm: geo.Matrix) -> None:
        """Remember how far from the origin the drawing reaches (in root user units), to bound the renderer."""
        box = element_box(name, attrs)
        if box is None:
            return
        segments = geo.rect_segments(box[0], box[1], box[2] - box[0], box[3] - box[1])
        bbox = geo.path_bbox(segments, ctm)
        if bbox:
            reach = max(abs(v) for v in bbox)
            self.ctx.check_magnitude(reach, f"<{name}> after transforms")
            self.ctx.extent = max(self.ctx.extent, reach)


_CORNERED = {"rect", "polygon", "polyline", "path"}


def _has_dot(name: str, attrs: dict) -> bool:
    """Whether a (normalized) shape has a zero-length subpath, which round and square caps draw as a dot."""
    if name == "path":
        return any(drawn and not segs for _, segs, _, drawn in geo.subpaths(geo.parse_path(attrs.get("d", ""))))
    if name == "line":
        return all(attrs.get(a, "0") == attrs.get(b, "0") for a, b in (("x1", "x2"), ("y1", "y2")))
    if name in ("polyline", "polygon"):
        values = attrs.get("points", "").split()
        return len(set(zip(values[0::2], values[1::2]))) == 1
    return False


def _conformal(m: geo.Matrix) -> bool:
    """Whether ``m`` keeps angles (a rotation, an even scale, a reflection, a translation)."""
    a, b, c, d = m[:4]
    tol = 1e-6 * max(abs(a), abs(b), abs(c), abs(d), 1e-300)
    return (abs(a - d) <= tol and abs(b + c) <= tol) or (abs(a + d) <= tol and abs(b - c) <= tol)


def _with_alpha(paint: str, alpha: float, key: str) -> str:
    # the alpha of #RRGGBBAA / rgba() moves into the matching *-opacity attribute (see _Builder._element)
    return f"{paint}\x00{alpha}"


def _float_or(value, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def element_box(name: str, attrs: dict) -> geo.Box | None:
    """The untransformed geometric box of a shape element from its (normalized) attributes."""
    def num(key, default=0.0):
        v = attrs.get(key)
        if v is None or v.endswith("%"):
            return default
        try:
            return float(v.split()[0])
        except (ValueError, IndexError):
            return default

    if name in ("rect", "image", "use"):
        if name == "use" and "width" not in attrs:
            return None
        x, y = num("x"), num("y")
        return (x, y, x + num("width"), y + num("height"))
    if name == "circle":
        cx, cy, r = num("cx"), num("cy"), num("r")
        return (cx - r, cy - r, cx + r, cy + r)
    if name == "ellipse":
        cx, cy, rx, ry = num("cx"), num("cy"), num("rx"), num("ry")
        return (cx - rx, cy - ry, cx + rx, cy + ry)
    if name == "line":
        xs, ys = (num("x1"), num("x2")), (num("y1"), num("y2"))
        return (min(xs), min(ys), max(xs), max(ys))
    if name in ("polyline", "polygon"):
        values = [float(v) for v in attrs.get("points", "").split()]
        xs, ys = values[0::2], values[1::2]
        return (min(xs), min(ys), max(xs), max(ys)) if xs else None
    if name == "path":
        return _path_box(attrs.get("d", ""))
    return None


@lru_cache(maxsize=1024)
def _path_box(d: str) -> geo.Box | None:
    return geo.path_bbox(geo.parse_path(d))


def _raster_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG/JPEG/GIF/WebP header, without decoding pixels."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            w = int.from_bytes(data[24:27], "little") + 1
            h = int.from_bytes(data[27:30], "little") + 1
            return w, h
        if chunk == b"VP8 ":
            w, h = struct.unpack("<HH", data[26:30])
            return w & 0x3FFF, h & 0x3FFF
        if chunk == b"VP8L" and len(data) >= 25:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + length
        return None
    return None


# ---- the root -------------------------------------------------------------------------------------------------------
def _root_size(root: etree._Element, limits: Limits):
    """(width, height, viewBox) of the root; either may be missing from the source."""
    def length(name):
        raw = None
        for key, value in root.attrib.items():
            if _local(key) == name and _namespace(key) is None:
                raw = value
        if raw is None:
            return None
        m = _LENGTH.match(raw)
        if not m or m.group(2).lower() == "%":
            return None
        unit = m.group(2).lower()
        if unit not in _UNITS:
            return None
        value = float(m.group(1))
        if not math.isfinite(value):
            raise _error(f"non-finite number (NaN or infinity) in the SVG's {name}")
        value *= _UNITS[unit]
        return value if value > 0 else None

    width, height = length("width"), length("height")
    view_box = None
    raw = root.get("viewBox")
    if raw:
        try:
            values = geo.numbers(raw)
        except geo.GeometryError:
            raise _error("non-finite number (NaN or infinity) in the SVG's viewBox") from None
        if len(values) == 4 and values[2] > 0 and values[3] > 0:
            view_box = tuple(values)
            for v in view_box:
                if abs(v) > limits.max_coordinate:
                    raise _error(f"viewBox too large: {raw[:60]!r} (limit {limits.max_coordinate:g})")
    return width, height, view_box


def sanitize(text: str | bytes | SafeSVG, limits: Limits | None = None) -> SafeSVG:
    """Untrusted SVG (str or bytes; may be wrapped in markdown or prose) → ``SafeSVG``; ``SVGError`` otherwise."""
    if isinstance(text, SafeSVG):
        return text
    limits = limits or Limits()
    if isinstance(text, (bytes, bytearray)):
        if len(text) > limits.max_bytes:
            raise _error(f"the SVG is too large: {len(text)} bytes (limit {limits.max_bytes})")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            declared = re.match(rb"<\?xml[^>]*encoding=['\"]([A-Za-z0-9._-]+)['\"]", bytes(text))
            try:
                text = bytes(text).decode(declared.group(1).decode()) if declared else None
            except (LookupError, UnicodeDecodeError):
                text = None
            if text is None:
                raise _error("the SVG is not valid UTF-8 text (and declares no encoding that decodes it)") from None
    if not isinstance(text, str):
        raise _error(f"expected SVG text, got {type(text).__name__}")
    if len(text) > limits.max_bytes:
        raise _error(f"the SVG is too large: {len(text)} characters (limit {limits.max_bytes})")
    if re.search(r"<!ENTITY", text, re.I):
        raise _error("the SVG declares XML entities (<!ENTITY …>), which are never expanded, for safety: "
                     "write their values out")
    markup = _html_entities(extract_svg_markup(text))
    if re.search(r"<\s*(?:xi:)?include\b", markup, re.I):
        markup = re.sub(r"<\s*xi:include\b[^>]*/?>", "", markup, flags=re.I)
    if not re.match(r"<svg:", markup, re.I) and not re.search(r"<svg[^>]*\bxmlns\s*=", markup[:5000], re.I):
        markup = re.sub(r"<svg(?=[\s/>])", f'<svg xmlns="{SVG_NS}"', markup, count=1, flags=re.I)
    if "xlink:" in markup and "xmlns:xlink" not in markup:
        markup = re.sub(r"<(svg:)?svg(?=[\s/>])", lambda m: f'<{m.group(1) or ""}svg xmlns:xlink="{XLINK_NS}"',
                        markup, count=1, flags=re.I)
    root = _parse(markup.encode("utf-8", errors="replace"))  # (lone surrogates in a str become "?")
    if _local(root.tag) != "svg":
        raise _error(f"not an SVG: the root element is <{_local(root.tag)}>")
    total = sum(1 for _ in root.iter())
    if total > limits.max_elements:
        raise _error(f"too many elements: {total} (limit {limits.max_elements})")
    _check_depth(root, limits.max_depth)

    width, height, view_box = _root_size(root, limits)
    viewport = (view_box[2], view_box[3]) if view_box else (width or 300.0, height or 150.0)
    builder = _Builder(root, limits, viewport)
    _inline_uses(root, builder, limits)
    out_root = etree.Element(f"{{{SVG_NS}}}svg", nsmap=_NSMAP)
    root_attrs = builder._declared(root)
    inherited: dict[str, str] = {}
    for key in sorted(PRESENTATION_ATTRS - {"display", "transform-origin", "overflow", "clip-path", "mask", "opacity"}):
        if key in root_attrs:
            value = builder._value("svg", key, root_attrs[key].strip(), root_attrs, None, 16.0)
            if value is not None:
                inherited[key] = value
    _settle_alpha(inherited)
    for key, value in inherited.items():
        out_root.set(key, value)
    for key, value in root_attrs.items():
        if _DATA_ATTR.match(key):
            out_root.set(key, value.strip()[:200])
    builder.build(root, out_root, 0, inherited, geo.IDENTITY)
    _wrap_root_effects(out_root, root_attrs, builder)
    background = root_attrs.get("background-color") or root_attrs.get("background")

    if view_box is None:
        if width and height:
            view_box = (0.0, 0.0, width, height)
        else:  # neither: fit the drawing (LLMs often omit both)
            box = content_box(out_root)
            w = max(1.0, box[2]) if box else (width or 300.0)
            h = max(1.0, box[3]) if box else (height or 150.0)
            view_box = (0.0, 0.0, w, h)
    if width is None and height is None:
        width, height = view_box[2], view_box[3]
    elif width is None:
        width = height * view_box[2] / view_box[3]
    elif height is None:
        height = width * view_box[3] / view_box[2]
    par = (root.get("preserveAspectRatio") or "xMidYMid meet").strip()
    if not re.fullmatch(r"(none|x(Min|Mid|Max)Y(Min|Mid|Max))(\s+(meet|slice))?", par):
        par = "xMidYMid meet"
    if background and parse_color(background.strip()):  # a CSS canvas background: a rect under the drawing
        rgba = parse_color(background.strip())
        backdrop = etree.Element(f"{{{SVG_NS}}}rect", {
            "x": geo.fmt(view_box[0]), "y": geo.fmt(view_box[1]), "width": geo.fmt(view_box[2]),
            "height": geo.fmt(view_box[3]), "fill": to_hex(rgba), "data-role": "background"})
        if rgba[3] < 1:
            backdrop.set("fill-opacity", geo.fmt(round(rgba[3], 6)))
        out_root.insert(0, backdrop)
    out_root.set("width", geo.fmt(width))
    out_root.set("height", geo.fmt(height))
    out_root.set("viewBox", " ".join(geo.fmt(v) for v in view_box))
    out_root.set("preserveAspectRatio", par)
    features = set(builder.ctx.features)
    if par.startswith("none"):
        features.add("aspect-none")
    return SafeSVG(
        text=etree.tostring(out_root, encoding="unicode"),
        width=float(width), height=float(height), view_box=tuple(float(v) for v in view_box),
        preserve_aspect_ratio=par, extent=builder.ctx.extent, features=frozenset(features),
        notes=tuple(builder.ctx.notes),
    )


def _wrap_root_effects(out_root: etree._Element, root_attrs: dict, builder: "_Builder") -> None:
    """``clip-path``, ``mask`` and ``opacity`` on the root apply to the whole drawing: move them onto a group that
    holds it (renderers ignore them on the root element)."""
    effects = {}
    for key in ("clip-path", "mask", "opacity"):
        if key in root_attrs:
            value = builder._value("g", key, root_attrs[key].strip(), root_attrs, None, 16.0)
            if value is not None and value != "none":
                effects[key] = value
    if not effects:
        return
    group = etree.SubElement(out_root, f"{{{SVG_NS}}}g")
    for child in list(out_root):
        if child is not group:
            group.append(child)
    for key, value in effects.items():
        group.set(key, value)
        out_root.attrib.pop(key, None)


def _settle_alpha(attrs: dict[str, str]) -> None:
    """Move alpha carried on a colour (``#rrggbb\0alpha``, from ``#RRGGBBAA``/``rgba()``/``hsla()``) into the
    matching ``*-opacity`` attribute: cairosvg ignores 8-digit alpha."""
    for paint, opacity in (("fill", "fill-opacity"), ("stroke", "stroke-opacity"), ("stop-color", "stop-opacity")):
        value = attrs.get(paint)
        if value and "\x00" in value:
            color, alpha = value.split("\x00")
            attrs[paint] = color
            attrs[opacity] = geo.fmt(round(float(attrs.get(opacity, "1")) * float(alpha), 6))


def _check_depth(root: etree._Element, max_depth: int) -> None:
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        if depth > max_depth:
            raise _error(f"nesting too deep: more than {max_depth} levels of elements")
        stack.extend((child, depth + 1) for child in el)


def content_box(root: etree._Element) -> geo.Box | None:
    """The union box of the shapes in a sanitized tree (root user units), transforms applied."""
    boxes = []

    def walk(el, ctm):
        for child in el:
            name = _local(child.tag)
            if name in ("defs", "clipPath", "mask", "pattern", "marker", "linearGradient", "radialGradient",
                        "symbol", "title", "desc"):
                continue
            m = geo.multiply(ctm, geo.parse_transform(child.get("transform")))
            box = element_box(name, dict(child.attrib))
            if box:
                boxes.append(geo.path_bbox(geo.rect_segments(box[0], box[1], box[2] - box[0], box[3] - box[1]), m))
            walk(child, m)

    walk(root, geo.IDENTITY)
    return geo.union(boxes)


# ---- <use> ----------------------------------------------------------------------------------------------------------
def _inline_uses(root: etree._Element, builder: _Builder, limits: Limits) -> None:
    """Replace each ``<use>`` in the source tree by a ``<g>`` holding a copy of what it references.

    Inlining here means neither renderer ever expands a reference: recursion (direct or indirect) is cut, and the
    total number of elements after expansion is capped, which defuses ``use`` bombs.
    """
    by_id = {}
    for el in root.iter():
        if isinstance(el.tag, str):
            ident = el.get("id")
            if ident:
                by_id.setdefault(ident.strip(), el)
    budget = [limits.max_elements - sum(1 for _ in root.iter())]

    def href_of(el):
        value = el.get("href") or el.get(f"{{{XLINK_NS}}}href") or ""
        value = value.strip()
        return value[1:] if value.startswith("#") else None

    def expand(use: etree._Element, chain: tuple[str, ...]) -> None:
        target_id = href_of(use)
        target = by_id.get(target_id) if target_id else None
        group = etree.Element(f"{{{SVG_NS}}}g")
        for key, value in use.attrib.items():
            name = _local(key)
            if name in ("href", "x", "y", "width", "height", "transform"):
                continue
            group.set(key if _namespace(key) is None else name, value)
        parent = use.getparent()
        if builder.css.get(use):
            builder.css[group] = builder.css[use]
        if target is None or target_id in chain or _contains(target, use):
            if target is not None:
                builder.ctx.note("removed a recursive <use>")
            parent.replace(use, group)
            group.set("display", "none")
            return
        x = _use_length(use.get("x"), "x", builder, 0.0)
        y = _use_length(use.get("y"), "y", builder, 0.0)
        transform = use.get("transform") or ""
        if x or y:
            transform = f"{transform} translate({geo.fmt(x)},{geo.fmt(y)})"
        if transform.strip():
            group.set("transform", transform.strip())
        copy = _deep_copy(target, builder)
        size = sum(1 for _ in copy.iter())
        budget[0] -= size
        if budget[0] < 0:
            raise _error(f"<use> expands to too many elements (limit {limits.max_elements}); "
                         "the document references the same content too many times")
        if _local(copy.tag) in ("symbol", "svg"):
            copy = _viewport_group(copy, use, builder)
        if copy.get("id"):
            del copy.attrib["id"]
        group.append(copy)
        parent.replace(use, group)
        for inner in [el for el in copy.iter() if isinstance(el.tag, str) and _local(el.tag) == "use"]:
            expand(inner, chain + (target_id,))

    for use in [el for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) == "use"]:
        if use.getparent() is not None and _contains(root, use):
            expand(use, ())



def _contains(ancestor, el) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


def _deep_copy(el: etree._Element, builder: _Builder) -> etree._Element:
    """Copy ``el`` for a use-instance: CSS resolved on the original applies to the copy; ids are dropped."""
    import copy as copy_module

    clone = copy_module.deepcopy(el)
    for original, copied in zip(el.iter(), clone.iter()):
        if original in builder.css:
            builder.css[copied] = builder.css[original]
        if copied is not clone and isinstance(copied.tag, str) and copied.get("id"):
            del copied.attrib["id"]
    return clone


def _use_length(value: str | None, axis: str, builder: _Builder, default: float) -> float:
    """A ``<use>``'s x/y/width/height in user units: units converted, percentages of the viewport (SVG 2)."""
    if value is None:
        return default
    number = builder.ctx.length(value.strip(), axis)
    return number if isinstance(number, float) else default


def _viewport_group(el: etree._Element, use: etree._Element, builder: _Builder) -> etree._Element:
    """A referenced ``<symbol>``/``<svg>`` becomes a ``<g>`` with its viewBox mapped onto the use's width/height."""
    group = etree.Element(f"{{{SVG_NS}}}g")
    for key, value in el.attrib.items():
        if _local(key) not in ("viewBox", "preserveAspectRatio", "width", "height", "x", "y", "id", "refX", "refY"):
            group.set(key, value)
    if el in builder.css:
        builder.css[group] = builder.css[el]
    # a use without width/height shows the symbol at 100 % of the viewport (SVG 2)
    width = _use_length(use.get("width") or el.get("width"), "x", builder, builder.ctx.viewport[0])
    height = _use_length(use.get("height") or el.get("height"), "y", builder, builder.ctx.viewport[1])
    try:
        view_box = geo.numbers(el.get("viewBox") or "")
    except geo.GeometryError:
        view_box = []
    if len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0 and width > 0 and height > 0:
        m = viewport_transform(tuple(view_box), width, height, el.get("preserveAspectRatio") or "xMidYMid meet")
        existing = group.get("transform")
        group.set("transform", (existing + " " if existing else "") + geo.format_matrix(m))
    for child in list(el):
        group.append(child)
    if (el.get("overflow") or "hidden").strip() in ("hidden", "scroll") and width > 0 and height > 0:
        # the symbol's viewport clips what it draws: a clip path in the use's own coordinates
        builder.viewport_clips += 1
        clip_id = f"llm-sketch-viewport-{builder.viewport_clips}"
        builder.ctx.ids.add(clip_id)
        outer = etree.Element(f"{{{SVG_NS}}}g")
        outer.set("clip-path", f"url(#{clip_id})")
        clip = etree.SubElement(outer, f"{{{SVG_NS}}}clipPath")
        clip.set("id", clip_id)
        box = etree.SubElement(clip, f"{{{SVG_NS}}}rect")
        box.set("width", geo.fmt(width))
        box.set("height", geo.fmt(height))
        outer.append(group)
        return outer
    return group


def viewport_transform(view_box, width: float, height: float, par: str = "xMidYMid meet") -> geo.Matrix:
    """The matrix that maps ``view_box`` onto a ``width`` × ``height`` viewport under ``preserveAspectRatio``."""
    vx, vy, vw, vh = view_box
    sx, sy = width / vw, height / vh
    parts = par.split()
    align = parts[0] if parts else "xMidYMid"
    if align == "none":
        return (sx, 0.0, 0.0, sy, -vx * sx, -vy * sy)
    s = max(sx, sy) if len(parts) > 1 and parts[1] == "slice" else min(sx, sy)
    tx, ty = -vx * s, -vy * s
    if "xMid" in align:
        tx += (width - vw * s) / 2
    elif "xMax" in align:
        tx += width - vw * s
    if "YMid" in align:
        ty += (height - vh * s) / 2
    elif "YMax" in align:
        ty += height - vh * s
    return (s, 0.0, 0.0, s, tx, ty)
