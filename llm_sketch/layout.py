"""Sanitized SVG → ``Layout``: the objects of the drawing with label, shape, colour, box and paint order.

Extraction reads the same sanitized tree that is rendered, with the same viewBox mapping, so each box is where the
object's pixels are: the exact box of its outline under its transform, and of its stroke (the stroke's half width
transformed per axis, caps, miter tips within the limit, round joins), markers, and the letterboxed picture of an
image. A shape cut by the canvas edge, a nested ``<svg>`` viewport or a clip path gets the box of its visible part
(outline and stroke flattened to 0.05 px and clipped); masks and filters are not applied. What counts as one
object:

- an element or group with a ``data-label`` (or an ``id``, or a ``<title>`` child) — a labelled group is one object,
  the union of its children;
- otherwise each drawable leaf (shape, text, image) on its own, so an unlabelled ``<g>`` is looked through;
- never definitions (``defs``, gradients, clip paths, masks, patterns, markers), hidden elements, shapes that paint
  nothing (no fill and no visible stroke or markers), or an unlabelled shape covering ≥ 90 % of the canvas (a
  background).

Label: ``data-label``, else ``id``, else ``<title>``, else the shape kind. Colour: the fill (the stroke if unfilled)
of the object's largest part, named with one of eleven basic colour words.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache

from lxml import etree

from . import geometry as geo
from .colors import basic_name, parse_color
from .errors import SketchError
from .svgsafe import SVG_NS, XLINK_NS, Limits, SafeSVG, sanitize, viewport_transform

LAYOUT_VERSION = 1
_NOT_DRAWN = {"defs", "clipPath", "mask", "pattern", "marker", "linearGradient", "radialGradient", "stop", "symbol",
              "title", "desc", "style"}
_LEAVES = {"rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text", "image"}
_GROUPS = {"g", "svg", "a", "switch"}
_FIT_PAR = {"contain": "xMidYMid meet", "cover": "xMidYMid slice", "stretch": "none"}


@dataclass(frozen=True)
class LayoutObject:
    id: str  # "o0", "o1", … in paint order
    label: str
    shape: str
    color: dict  # {"name": basic colour word or None, "rgb": [r, g, b] or None}
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 in output pixels, clipped to the canvas
    z: int  # paint order: 0 is drawn first (bottom)
    area: float  # box area in px²

    @property
    def center(self) -> tuple[float, float]:
        return ((self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2)

    @property
    def size(self) -> tuple[float, float]:
        return (self.bbox[2] - self.bbox[0], self.bbox[3] - self.bbox[1])


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    objects: tuple[LayoutObject, ...] = field(default_factory=tuple)
    version: int = LAYOUT_VERSION

    def to_dict(self) -> dict:
        return {"version": self.version, "width": self.width, "height": self.height,
                "objects": [asdict(o) | {"bbox": list(o.bbox)} for o in self.objects]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> "Layout":
        try:
            version = int(data.get("version", LAYOUT_VERSION))
            if version > LAYOUT_VERSION:
                raise SketchError(f"layout version {version} is newer than this engine reads ({LAYOUT_VERSION})")
            objects = tuple(
                LayoutObject(id=str(o["id"]), label=str(o["label"]), shape=str(o.get("shape", "")),
                             color=dict(o.get("color") or {"name": None, "rgb": None}),
                             bbox=tuple(float(v) for v in o["bbox"]), z=int(o.get("z", i)),
                             area=float(o.get("area", 0.0)))
                for i, o in enumerate(data.get("objects", [])))
            return cls(width=int(data["width"]), height=int(data["height"]), objects=objects, version=version)
        except (KeyError, TypeError, ValueError) as exc:
            raise SketchError(f"not a layout: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> "Layout":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SketchError(f"the layout is not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(data, dict):
            raise SketchError("the layout JSON must be an object with width, height and objects")
        return cls.from_dict(data)


# ---- extraction -----------------------------------------------------------------------------------------------------
def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass
class _Part:
    box: geo.Box
    shape: str
    paint: tuple[int, int, int] | None


@dataclass
class _Found:
    element: etree._Element
    label: str | None
    parts: list[_Part]
    shape_hint: str | None


def root_transform(doc: SafeSVG, width: int, height: int, fit: str = "contain") -> geo.Matrix:
    par = doc.preserve_aspect_ratio if fit == "auto" else _FIT_PAR.get(fit)
    if par is None:
        raise SketchError(f"unknown fit {fit!r}: use contain, cover, stretch or auto")
    return viewport_transform(doc.view_box, width, height, par)


_INHERITED = ("fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
              "stroke-miterlimit", "visibility", "font-size", "text-anchor", "marker-start", "marker-mid", "marker-end")
_INHERITED_SET = frozenset(_INHERITED)
_X_KEYS = {"x", "cx", "x1", "x2", "width", "rx"}
_Y_KEYS = {"y", "cy", "y1", "y2", "height", "ry"}
_MARKED = {"path", "line", "polyline", "polygon"}
_MARKER_BUDGET = 20_000  # vertices × marker elements walked exactly, per document; past it, a disc per vertex
_EXACT_SEGMENTS = 2_000  # a path longer than this gets a quick stroke bound and its box clipped to the canvas
_FLATTEN_BUDGET = 4_000  # flattened points for the visible part of a shape cut by the canvas edge (else: its box)
_CLIP_BUDGET = 20_000  # elements walked in clip paths, per document (past it, clip paths are ignored)
_MIN_EXTENT = 0.1  # px: an object thinner than this (a sliver at the canvas edge) draws no pixel
_KAPPA = 0.5522847498307936  # cubic approximation of a quarter ellipse


def _number(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        return default
    return number if math.isfinite(number) else default


def _length(value: str | None, ref: float, default: float | None) -> float | None:
    """A (sanitized) length: a number, or a percentage of ``ref`` (kept by the sanitizer inside nested viewports)."""
    if value is None:
        return default
    value = value.strip()
    try:
        if value.endswith("%"):
            return float(value[:-1]) / 100 * ref
        return float(value.split()[0]) if value else default
    except (ValueError, IndexError):
        return default


@lru_cache(maxsize=512)
def _path_geometry(d: str) -> tuple[tuple, tuple]:
    """Path data → (segments, subpaths), cached (sanitized path data repeats across renders of a document)."""
    segments = geo.parse_path(d)
    return tuple(segments), tuple(geo.subpaths(segments))


def _within(box: geo.Box, window: geo.Box) -> bool:
    return box[0] >= window[0] and box[1] >= window[1] and box[2] <= window[2] and box[3] <= window[3]


def _corners_box(m: geo.Matrix, box: geo.Box) -> geo.Box:
    pts = [geo.apply(m, x, y) for x, y in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]))]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def _image_size(href: str | None) -> tuple[int, int] | None:
    """An embedded raster's pixel size from its header (the sanitizer keeps only base64 PNG/JPEG/GIF/WebP data)."""
    if not href or not href.startswith("data:") or "," not in href:
        return None
    head, data = href.split(",", 1)
    if "jpeg" not in head and "jpg" not in head:
        data = data[:96]  # PNG, GIF and WebP give their size in the first 30 bytes
    return _decoded_size("".join(data.split()))


@lru_cache(maxsize=64)
def _decoded_size(data: str) -> tuple[int, int] | None:
    import base64
    import binascii

    from .svgsafe import _raster_size

    try:
        raw = base64.b64decode(data[: len(data) // 4 * 4])
    except (binascii.Error, ValueError):
        return None
    size = _raster_size(raw)
    return size if size and size[0] > 0 and size[1] > 0 else None


class _Extractor:
    def __init__(self, root: etree._Element, width: int, height: int):
        self.width, self.height = width, height
        self.root = root
        self.by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        self.found: list[_Found] = []
        self.geometry_only = False  # inside a clip path: shapes count by their geometry, painted or not
        self.in_marker = False
        self._marker_styles: dict = {}
        self._marker_reach: dict = {}
        self.marker_budget = _MARKER_BUDGET
        self.clip_budget = _CLIP_BUDGET

    def _paint(self, value: str | None) -> tuple[int, int, int] | None:
        if not value or value == "none":
            return None
        if value.startswith("url(#"):
            target = self.by_id.get(value[5:].rstrip(")"))
            if target is None:
                return None
            stops = [parse_color(s.get("stop-color", "#000000")) for s in target.iter(f"{{{SVG_NS}}}stop")]
            stops = [s for s in stops if s]
            if not stops:
                return None
            return tuple(int(round(sum(s[i] for s in stops) / len(stops))) for i in range(3))
        rgba = parse_color(value)
        return rgba[:3] if rgba else None

    def walk(self, el: etree._Element, ctm: geo.Matrix, style: dict, current: _Found | None,
             viewport: tuple[float, float], window: geo.Box) -> None:
        children = el
        if _local(el.tag) == "switch":  # only the first child renders (conditions are stripped by the sanitizer)
            children = [c for c in el if _local(c.tag) and _local(c.tag) not in _NOT_DRAWN][:1]
        for child in children:
            name = _local(child.tag)
            if not name or name in _NOT_DRAWN:
                continue
            get = child.get
            if get("display") == "none" or _number(get("opacity"), 1.0) <= 0:
                continue
            transform = get("transform")
            m = geo.multiply(ctm, geo.parse_transform(transform)) if transform else ctm
            child_style = style
            for key, value in child.attrib.items():
                if key in _INHERITED_SET:
                    if child_style is style:
                        child_style = dict(style)
                    child_style[key] = value
            child_window, child_viewport = window, viewport
            if name == "svg":  # nested viewport
                nested = _nested_viewport(child, viewport)
                if nested is None:
                    continue
                inner, child_viewport, clip = nested
                if clip is not None:
                    child_window = geo.intersect(window, _corners_box(m, clip))
                m = geo.multiply(m, inner)
            if get("clip-path") and child_window is not None and not self.geometry_only:
                child_window = self._clip(child, m, child_viewport, child_window)  # (clips of clips: ignored)
            if child_window is None:
                continue  # clipped away entirely
            label = _label_of(child)
            owner = current
            if owner is None and (label is not None or name in _LEAVES):
                owner = _Found(child, label, [], get("data-shape"))
                self.found.append(owner)
            if name in _LEAVES:
                part = self._part(child, name, m, child_style, child_viewport, child_window)
                if part is not None:
                    owner.parts.append(part)
            elif name in _GROUPS:
                self.walk(child, m, child_style, owner, child_viewport, child_window)

    # ---- one drawable element -------------------------------------------------------------------------------------
    def _part(self, el, name: str, m: geo.Matrix, style: dict, viewport, window: geo.Box) -> _Part | None:
        if style.get("visibility") in ("hidden", "collapse") and not self.geometry_only:
            return None
        fill, stroke_paint = style.get("fill", "#000000"), style.get("stroke", "none")
        stroke_width = _number(style.get("stroke-width"), 1.0)
        if self.geometry_only:
            fill_on, stroke_on = name not in ("line", "image"), False
        else:
            fill_on = (name not in ("line", "image") and fill != "none"
                       and _number(style.get("fill-opacity"), 1.0) > 0)
            stroke_on = (name != "image" and stroke_paint != "none" and stroke_width > 0
                         and _number(style.get("stroke-opacity"), 1.0) > 0)
        if name == "image":
            box = self._image_box(el, m, viewport, window)
            return None if box is None else _Part(box, "image", None)
        if name == "text":
            if not (fill_on or stroke_on):
                return None
            text_box = _text_box(el, style)
            if text_box is None:
                return None
            corners = [geo.apply(m, x, y) for x, y in ((text_box[0], text_box[1]), (text_box[2], text_box[1]),
                                                       (text_box[2], text_box[3]), (text_box[0], text_box[3]))]
            box = geo.clip_bounds(corners, window)
            return None if box is None else _Part(box, "text", self._paint(fill) or self._paint(stroke_paint))
        geometry = self._outline(el, name, viewport)
        if geometry is None:
            return None
        segments, subs = geometry
        marker_box, marker_paint = None, None
        if (name in _MARKED and not self.geometry_only and not self.in_marker
                and (style.get("marker-start") or style.get("marker-mid") or style.get("marker-end"))):
            marker_box, marker_paint = self._markers(segments, m, style, stroke_width, window)
        if not (fill_on or stroke_on or marker_box):
            return None  # paints nothing
        xs: list[float] = []
        ys: list[float] = []
        stroke = None
        long = sum(len(sub[1]) for sub in subs) > _EXACT_SEGMENTS
        if stroke_on:
            stroke = geo.Stroke(stroke_width, style.get("stroke-linecap", "butt"),
                                style.get("stroke-linejoin", "miter"),
                                _number(style.get("stroke-miterlimit"), 4.0))
        if long:  # the whole outline's box, and the farthest the stroke can reach past it
            geo.outline_extent(subs, m, xs, ys, filled=not stroke_on)
            if stroke_on and xs:
                rx, ry = geo.stroke_reach(m, stroke)
                xs += (min(xs) - rx, max(xs) + rx)
                ys += (min(ys) - ry, max(ys) + ry)
        else:
            if fill_on:
                geo.outline_extent(subs, m, xs, ys)
            if stroke_on:
                geo.stroke_extent(subs, m, stroke, xs, ys)
        box = (min(xs), min(ys), max(xs), max(ys)) if xs else None
        if box is not None and long:
            box = geo.intersect(box, window)
        elif box is not None and not _within(box, window):
            # cut by the canvas (or a clip): the box of the visible part, from the flattened outline and stroke
            visible = []
            if fill_on:
                seen = geo.fill_visible(subs, m, window, budget=_FLATTEN_BUDGET)
                visible.append(geo.intersect(box, window) if seen is False else seen)
            if stroke is not None:
                seen = geo.stroke_visible(subs, m, stroke, window, budget=_FLATTEN_BUDGET)
                visible.append(geo.intersect(box, window) if seen is False else seen)
            box = geo.intersect(geo.union(visible), box)
        if marker_box is not None:
            box = geo.union([box, marker_box])
        if box is None:
            return None
        paint = self._paint(fill) if fill_on else None
        if paint is None and stroke_on:
            paint = self._paint(stroke_paint)
        return _Part(box, _shape_of(name, el), paint if paint is not None else marker_paint)

    def _outline(self, el, name: str, viewport) -> tuple[tuple, tuple] | None:
        """The element's path segments (for markers) and subpaths, in its user space."""
        get = el.get
        if name == "path":
            return _path_geometry(get("d") or "")
        if name in ("polyline", "polygon"):
            try:
                values = [float(v) for v in (get("points") or "").replace(",", " ").split()]
            except ValueError:
                return None
            if len(values) < 4:
                return None
            segments = [("M", values[0], values[1])] + [("L", values[i], values[i + 1])
                                                        for i in range(2, len(values) - 1, 2)]
            if name == "polygon":
                segments.append(("Z",))
            return segments, geo.subpaths(segments)
        vw, vh = viewport
        diag = math.sqrt((vw * vw + vh * vh) / 2)

        def num(key, default=0.0):
            ref = vw if key in _X_KEYS else vh if key in _Y_KEYS else diag
            return _length(get(key), ref, default)

        if name == "line":
            segments = [("M", num("x1"), num("y1")), ("L", num("x2"), num("y2"))]
            return segments, geo.subpaths(segments)
        if name == "rect":
            x, y, w, h = num("x"), num("y"), num("width"), num("height")
            if w <= 0 or h <= 0:
                return None
            rx, ry = num("rx", None), num("ry", None)
            rx = None if rx is not None and rx < 0 else rx
            ry = None if ry is not None and ry < 0 else ry
            rx, ry = (rx if rx is not None else ry), (ry if ry is not None else rx)
            rx, ry = min(rx or 0.0, w / 2), min(ry or 0.0, h / 2)
            if rx <= 0 or ry <= 0:
                r, b = x + w, y + h
                segments = [("M", x, y), ("L", r, y), ("L", r, b), ("L", x, b), ("Z",)]
                return segments, [[(x, y), [segments[1], segments[2], segments[3], ("L", x, y)], True, True]]
            else:
                kx, ky = _KAPPA * rx, _KAPPA * ry
                r, b = x + w, y + h
                segments = [("M", x + rx, y), ("L", r - rx, y), ("C", r - rx + kx, y, r, y + ry - ky, r, y + ry),
                            ("L", r, b - ry), ("C", r, b - ry + ky, r - rx + kx, b, r - rx, b), ("L", x + rx, b),
                            ("C", x + rx - kx, b, x, b - ry + ky, x, b - ry), ("L", x, y + ry),
                            ("C", x, y + ry - ky, x + rx - kx, y, x + rx, y), ("Z",)]
            return segments, geo.subpaths(segments)
        if name == "circle":
            r = num("r")
            if r <= 0:
                return None
            segments = geo.ellipse_segments(num("cx"), num("cy"), r, r)
            return segments, [[segments[0][1:], segments[1:5], True, True]]
        if name == "ellipse":
            rx, ry = num("rx", None), num("ry", None)
            rx, ry = (rx if rx is not None else ry), (ry if ry is not None else rx)
            if not rx or not ry or rx <= 0 or ry <= 0:
                return None
            segments = geo.ellipse_segments(num("cx"), num("cy"), rx, ry)
            return segments, [[segments[0][1:], segments[1:5], True, True]]
        return None

    def _image_box(self, el, m: geo.Matrix, viewport, window: geo.Box) -> geo.Box | None:
        """The raster's box: its viewport, or, where the raster's size is known from its header, the letterboxed
        picture inside it (preserveAspectRatio, default xMidYMid meet)."""
        vw, vh = viewport
        x, y = _length(el.get("x"), vw, 0.0), _length(el.get("y"), vh, 0.0)
        w, h = _length(el.get("width"), vw, None), _length(el.get("height"), vh, None)
        size = _image_size(el.get(f"{{{XLINK_NS}}}href") or el.get("href"))
        if w is None or h is None:  # auto-sized: the raster's own size (or its aspect with one side given)
            if size is None:
                return None
            iw, ih = size
            w, h = (w, w * ih / iw) if w is not None else (h * iw / ih, h) if h is not None else (float(iw), float(ih))
        if w <= 0 or h <= 0:
            return None
        rect = (x, y, x + w, y + h)
        par = (el.get("preserveAspectRatio") or "xMidYMid meet").split()
        par = [p for p in par if p != "defer"]
        if size is not None and par and par[0] != "none" and (len(par) < 2 or par[1] != "slice"):
            s, _, _, _, tx, ty = viewport_transform((0.0, 0.0, float(size[0]), float(size[1])), w, h, " ".join(par))
            rect = (x + tx, y + ty, x + tx + size[0] * s, y + ty + size[1] * s)
        corners = [geo.apply(m, px, py) for px, py in ((rect[0], rect[1]), (rect[2], rect[1]), (rect[2], rect[3]),
                                                        (rect[0], rect[3]))]
        return geo.clip_bounds(corners, window)

    # ---- clip paths -----------------------------------------------------------------------------------------------
    def _clip(self, el, m: geo.Matrix, viewport, window: geo.Box) -> geo.Box | None:
        """``window`` narrowed to the box of the element's clip path (user-space clip paths; others are ignored,
        which only leaves the box larger)."""
        ref = el.get("clip-path") or ""
        target = self.by_id.get(ref[5:-1]) if ref.startswith("url(#") and ref.endswith(")") else None
        if target is None or _local(target.tag) != "clipPath":
            return window
        if (target.get("clipPathUnits") or "userSpaceOnUse") != "userSpaceOnUse":
            return window
        self.clip_budget -= sum(1 for _ in target.iter())
        if self.clip_budget < 0:
            return window
        transform = target.get("transform")
        cm = geo.multiply(m, geo.parse_transform(transform)) if transform else m
        region = _Found(target, None, [], None)
        saved = self.geometry_only
        self.geometry_only = True
        try:
            self.walk(target, cm, {}, region, viewport, window)
        finally:
            self.geometry_only = saved
        return geo.union(p.box for p in region.parts)  # None: the clip path is empty and hides everything

    # ---- markers --------------------------------------------------------------------------------------------------
    def _markers(self, segments, m: geo.Matrix, style: dict, stroke_width: float, window: geo.Box):
        """The box (and a paint) of the markers drawn on a path's vertices."""
        chosen = _marker_vertices(segments)
        boxes, paint = [], None
        for role in ("start", "mid", "end"):
            ref = style.get(f"marker-{role}") or ""
            marker = self.by_id.get(ref[5:-1]) if ref.startswith("url(#") and ref.endswith(")") else None
            if marker is None or _local(marker.tag) != "marker" or not chosen[role]:
                continue
            box, role_paint = self._marker_role(marker, role, chosen[role], m, stroke_width, window)
            boxes.append(box)
            paint = paint or role_paint
        return geo.union(boxes), paint

    def _marker_role(self, marker, role: str, vertices, m: geo.Matrix, stroke_width: float, window: geo.Box):
        """Markers of one kind (start, mid or end) at ``vertices``. Placement as resvg draws them: the content,
        scaled by the stroke width (markerUnits) and the viewBox's scale, is rotated and moved so that its reference
        point sits on the vertex; it is clipped to its viewBox (or 0 0 markerWidth markerHeight) unless overflow
        is visible."""
        get = marker.get
        mw, mh = _number(get("markerWidth"), 3.0), _number(get("markerHeight"), 3.0)
        units = stroke_width if (get("markerUnits") or "strokeWidth") != "userSpaceOnUse" else 1.0
        if mw <= 0 or mh <= 0 or units <= 0 or not vertices:
            return None, None
        try:
            view_box = geo.numbers(get("viewBox") or "")
        except geo.GeometryError:
            view_box = []
        if len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0:
            fit = viewport_transform(tuple(view_box), mw * units, mh * units,
                                     get("preserveAspectRatio") or "xMidYMid meet")
            sx, sy = fit[0], fit[3]
            clip_rect = (view_box[0], view_box[1], view_box[0] + view_box[2], view_box[1] + view_box[3])
            content_viewport = (view_box[2], view_box[3])
        else:
            sx = sy = units
            clip_rect = (0.0, 0.0, mw, mh)
            content_viewport = (mw, mh)
        ref_x, ref_y = _number(get("refX"), 0.0), _number(get("refY"), 0.0)
        orient = (get("orient") or "0").strip()
        clipped = (get("overflow") or "hidden") in ("hidden", "scroll")
        style = self._marker_style(marker)
        count = sum(1 for _ in marker.iter())
        boxes, paint = [], None
        self.marker_budget -= len(vertices) * count
        if self.marker_budget < 0:  # too many: the content's reach from its reference point, as a disc around
            if id(marker) not in self._marker_reach:  # each vertex
                content = _Found(marker, None, [], None)
                self.in_marker = True
                try:
                    far = (-1e12, -1e12, 1e12, 1e12)
                    self.walk(marker, geo.translate(-ref_x, -ref_y), style, content, content_viewport, far)
                finally:
                    self.in_marker = False
                local = geo.union(p.box for p in content.parts)
                if clipped and local is not None:
                    local = geo.intersect(local, (clip_rect[0] - ref_x, clip_rect[1] - ref_y,
                                                  clip_rect[2] - ref_x, clip_rect[3] - ref_y))
                self._marker_reach[id(marker)] = (local, next((p.paint for p in content.parts if p.paint), None))
            local, paint = self._marker_reach[id(marker)]
            if local is None:
                return None, None
            reach = max(math.hypot(x * sx, y * sy) for x in (local[0], local[2]) for y in (local[1], local[3]))
            ex, ey = reach * math.hypot(m[0], m[2]), reach * math.hypot(m[1], m[3])
            for vx, vy, _ in vertices:
                px, py = geo.apply(m, vx, vy)
                boxes.append(geo.intersect((px - ex, py - ey, px + ex, py + ey), window))
            return geo.union(boxes), paint
        for vx, vy, angle in vertices:
            if orient in ("auto", "auto-start-reverse"):
                theta = angle + (180.0 if orient == "auto-start-reverse" and role == "start" else 0.0)
            else:
                theta = _number(orient.removesuffix("deg"), 0.0)
            place = geo.multiply(geo.multiply(m, geo.translate(vx, vy)), geo.rotate(theta))
            place = geo.multiply(place, (sx, 0.0, 0.0, sy, -ref_x * sx, -ref_y * sy))
            marker_window = window
            if clipped:
                marker_window = geo.intersect(window, _corners_box(place, clip_rect))
                if marker_window is None:
                    continue
            content = _Found(marker, None, [], None)
            self.in_marker = True
            try:
                self.walk(marker, place, style, content, content_viewport, marker_window)
            finally:
                self.in_marker = False
            boxes.extend(p.box for p in content.parts)
            paint = paint or next((p.paint for p in content.parts if p.paint), None)
        return geo.union(boxes), paint

    def _marker_style(self, marker) -> dict:
        """Marker content inherits from the marker's own ancestors, not from the element it is drawn on."""
        key = id(marker)
        if key not in self._marker_styles:
            chain = []
            el = marker
            while el is not None:
                chain.append(el)
                el = el.getparent()
            style: dict = {}
            for el in reversed(chain):
                for name in _INHERITED:
                    if el.get(name) is not None:
                        style[name] = el.get(name)
            for name in ("marker-start", "marker-mid", "marker-end"):
                style.pop(name, None)
            self._marker_styles[key] = style
        return self._marker_styles[key]


def _marker_segments(segments) -> list[tuple]:
    """Path segments as the marker placement sees them: ``('M', p)``, ``('L', p)``, ``('C', p1, p2, p)``, ``('Z',)``
    (quadratics and arcs as cubics, a move-to after a close when a drawing command follows it, as resvg does)."""
    out: list[tuple] = []
    x = y = sx = sy = 0.0
    for seg in segments:
        kind = seg[0]
        if kind == "M":
            x, y = sx, sy = seg[1], seg[2]
            out.append(("M", (x, y)))
            continue
        if out and out[-1][0] == "Z" and kind != "Z":
            out.append(("M", (sx, sy)))
        if kind == "Z":
            out.append(("Z",))
            x, y = sx, sy
        elif kind == "L":
            x, y = seg[1], seg[2]
            out.append(("L", (x, y)))
        elif kind == "C":
            out.append(("C", (seg[1], seg[2]), (seg[3], seg[4]), (seg[5], seg[6])))
            x, y = seg[5], seg[6]
        elif kind == "Q":
            x1, y1, xe, ye = seg[1:5]
            out.append(("C", (x + 2 / 3 * (x1 - x), y + 2 / 3 * (y1 - y)), (xe + 2 / 3 * (x1 - xe),
                                                                           ye + 2 / 3 * (y1 - ye)), (xe, ye)))
            x, y = xe, ye
        elif kind == "A":
            cubics = geo.arc_to_cubics(x, y, *seg[1:], tolerance=0.1) if seg[1] and seg[2] else []
            for c in cubics:
                out.append(("C", (c[1], c[2]), (c[3], c[4]), (c[5], c[6])))
            x, y = seg[6], seg[7]
            if not cubics:  # a flat or empty arc is a line
                out.append(("L", (x, y)))
    return out


def _bisector(x1, y1, x2, y2, x3, y3, x4, y4) -> float:
    """Degrees halfway between the directions (x1, y1)→(x2, y2) and (x3, y3)→(x4, y4)."""
    def direction(vx, vy):
        return math.atan2(vy, vx) % (2 * math.pi)

    a_in, a_out = direction(x2 - x1, y2 - y1), direction(x4 - x3, y4 - y3)
    half = (a_out - a_in) / 2
    angle = a_in + half - (math.pi if abs(half) > math.pi / 2 else 0.0)
    return math.degrees(angle % (2 * math.pi))


def _marker_vertices(segments) -> dict[str, list[tuple[float, float, float]]]:
    """Where markers go, with their auto angle in degrees: ``{"start": […], "mid": […], "end": […]}`` of
    ``(x, y, angle)``. The rules are resvg's (documents with markers are rendered by resvg)."""
    path = _marker_segments(segments)
    out: dict[str, list] = {"start": [], "mid": [], "end": []}
    if len(path) < 2:
        return out

    def end_of(seg):
        return seg[-1]

    def subpath_start(idx):
        for seg in reversed(path[:idx]):
            if seg[0] == "M":
                return seg[1]
        return (0.0, 0.0)

    def prev_vertex(idx):
        seg = path[idx - 1]
        return subpath_start(idx) if seg[0] == "Z" else end_of(seg)

    def line(p, q):
        return _bisector(p[0], p[1], q[0], q[1], p[0], p[1], q[0], q[1])

    def curves(prev, c1, p, c2, nxt):
        if c1 == p:
            return _bisector(*prev, *p, *p, *c2)
        if p == c2:
            return _bisector(*c1, *p, *p, *nxt)
        return _bisector(*c1, *p, *p, *c2)

    def angle(idx):
        last = len(path) - 1
        if idx == 0:
            first, second = path[0], path[1]
            if second[0] == "L":
                return line(first[1], second[1])
            if second[0] == "C":
                return line(first[1], second[3] if first[1] == second[1] else second[1])
            return 0.0
        seg1 = path[idx - 1] if idx == last else path[idx]
        seg2 = path[idx] if idx == last else path[idx + 1]
        if idx == last:
            if seg2[0] == "L":
                return line(prev_vertex(idx), seg2[1])
            if seg2[0] == "C":
                return line(seg2[1] if seg2[2] == seg2[3] else seg2[2], seg2[3])
            if seg2[0] == "Z":
                if seg1[0] == "L":
                    return line(seg1[1], subpath_start(idx))
                if seg1[0] == "C":
                    nxt = subpath_start(idx)
                    return curves(prev_vertex(idx), seg1[2], seg1[3], nxt, nxt)
            return 0.0
        k1, k2 = seg1[0], seg2[0]
        if k1 == "M" and k2 in ("L", "C"):
            return line(seg1[1], seg2[1])
        if k1 == "L" and k2 == "L":
            prev = prev_vertex(idx)
            return _bisector(*prev, *seg1[1], *seg1[1], *seg2[1])
        if k1 == "C" and k2 == "C":
            return curves(prev_vertex(idx), seg1[2], seg1[3], seg2[1], seg2[3])
        if k1 == "L" and k2 == "C":
            prev = prev_vertex(idx)
            return curves(prev, prev, seg1[1], seg2[1], seg2[3])
        if k1 == "C" and k2 == "L":
            return curves(prev_vertex(idx), seg1[2], seg1[3], seg2[1], seg2[1])
        if k1 == "L" and k2 == "M":
            return line(prev_vertex(idx), seg1[1])
        if k1 == "C" and k2 == "M":
            return line(prev_vertex(idx), seg1[3]) if seg1[3] == seg1[2] else line(seg1[2], seg1[3])
        if k2 == "Z" and k1 == "L":
            prev, nxt = prev_vertex(idx), subpath_start(idx)
            return _bisector(*prev, *seg1[1], *seg1[1], *nxt)
        if k2 == "Z" and k1 != "Z":
            return line(prev_vertex(idx), subpath_start(idx))
        return 0.0

    if path[0][0] == "M":
        out["start"].append((*path[0][1], angle(0)))
    for i in range(1, len(path) - 1):
        if path[i][0] != "Z":
            out["mid"].append((*end_of(path[i]), angle(i)))
    last = len(path) - 1
    if path[last][0] in ("L", "C"):
        out["end"].append((*end_of(path[last]), angle(last)))
    elif path[last][0] == "Z":
        out["end"].append((*subpath_start(last), angle(last)))
    return out


def _nested_viewport(el: etree._Element, parent: tuple[float, float]):
    """A nested ``<svg>``: (matrix onto its content, its viewport size for percentages, its clip rectangle in the
    parent's user space or None), or None when it has no area. Width/height default to 100 %, percentages are of
    the parent viewport."""
    pw, ph = parent
    x, y = _length(el.get("x"), pw, 0.0), _length(el.get("y"), ph, 0.0)
    w, h = _length(el.get("width"), pw, pw), _length(el.get("height"), ph, ph)
    if w <= 0 or h <= 0:
        return None
    try:
        vb = geo.numbers(el.get("viewBox", ""))
    except geo.GeometryError:
        vb = []
    m = geo.translate(x, y)
    viewport = (w, h)
    if len(vb) == 4 and vb[2] > 0 and vb[3] > 0:
        m = geo.multiply(m, viewport_transform(tuple(vb), w, h, el.get("preserveAspectRatio", "xMidYMid meet")))
        viewport = (vb[2], vb[3])
    clip = None if (el.get("overflow") or "hidden") in ("visible", "auto") else (x, y, x + w, y + h)
    return m, viewport, clip


def _label_of(el: etree._Element) -> str | None:
    for key in ("data-label", "id"):
        value = (el.get(key) or "").strip()
        if value:
            return value
    for child in el:
        if _local(child.tag) == "title" and (child.text or "").strip():
            return child.text.strip()
    return None


def _shape_of(name: str, el: etree._Element) -> str:
    if el.get("data-shape"):
        return el.get("data-shape").strip().lower()
    if name == "rect":
        try:
            w, h = float(el.get("width", 0)), float(el.get("height", 0))
        except ValueError:
            return "rectangle"
        return "square" if h and 0.9 <= w / h <= 1.1 else "rectangle"
    if name == "circle":
        return "circle"
    if name == "ellipse":
        return "circle" if el.get("rx") == el.get("ry") else "ellipse"
    if name == "polygon":
        n = len(el.get("points", "").split()) // 2
        return {3: "triangle", 4: "quadrilateral", 5: "pentagon", 6: "hexagon", 8: "octagon", 10: "star"}.get(
            n, "polygon")
    return {"polyline": "line", "path": "path", "line": "line", "text": "text", "image": "image"}.get(name, name)


def _text_box(el: etree._Element, style: dict) -> geo.Box | None:
    """An estimate of a text's box (no font metrics here): 0.6 em per character, ascent 0.8 em, descent 0.2 em."""
    text = "".join(el.itertext()).strip()
    if not text:
        return None
    size = float(style.get("font-size", "16") or 16)
    try:
        x = float((el.get("x") or "0").split()[0])
        y = float((el.get("y") or "0").split()[0])
    except ValueError:
        x = y = 0.0
    width = 0.6 * size * len(text)
    anchor = style.get("text-anchor", "start")
    x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return (x0, y - 0.8 * size, x0 + width, y + 0.2 * size)


def _objects(doc: SafeSVG, width: int, height: int, fit: str) -> list[tuple[_Found, geo.Box]]:
    root = etree.fromstring(doc.text.encode("utf-8"))
    extractor = _Extractor(root, width, height)
    style = {k: root.get(k) for k in _INHERITED if root.get(k) is not None}
    extractor.walk(root, root_transform(doc, width, height, fit), style, None, (doc.view_box[2], doc.view_box[3]),
                   (0.0, 0.0, float(width), float(height)))
    kept = []
    canvas = width * height
    for found in extractor.found:
        parts = found.parts
        box = parts[0].box if len(parts) == 1 else geo.union(p.box for p in parts)
        if box is None:
            continue
        clipped = (max(0.0, box[0]), max(0.0, box[1]), min(float(width), box[2]), min(float(height), box[3]))
        if clipped[2] - clipped[0] < _MIN_EXTENT or clipped[3] - clipped[1] < _MIN_EXTENT:
            continue  # outside the canvas, or a sliver too thin to give a pixel any coverage
        area = (clipped[2] - clipped[0]) * (clipped[3] - clipped[1])
        if found.label is None and area >= 0.9 * canvas:
            continue  # an unlabelled backdrop
        kept.append((found, clipped))
    return kept


def extract_layout(svg: SafeSVG | str | bytes, width: int | None = None, height: int | None = None,
                   fit: str = "contain", limits: Limits | None = None) -> Layout:
    """The drawing's objects at an output size (default: the SVG's own size, rounded)."""
    doc = sanitize(svg, limits)
    width = int(round(doc.width)) if width is None else int(width)
    height = int(round(doc.height)) if height is None else int(height)
    if width < 1 or height < 1:
        raise SketchError(f"the output size must be positive, got {width}×{height}")
    objects = []
    for z, (found, box) in enumerate(_objects(doc, width, height, fit)):
        largest = max(found.parts, key=lambda p: (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]))
        rgb = largest.paint
        if rgb is None:
            rgb = next((p.paint for p in found.parts if p.paint is not None), None)
        shape = found.shape_hint or largest.shape
        objects.append(LayoutObject(
            id=f"o{z}", label=found.label or largest.shape, shape=shape,
            color={"name": basic_name(tuple(rgb)) if rgb else None, "rgb": list(rgb) if rgb else None},
            bbox=tuple(round(v, 2) for v in box), z=z,
            area=round((box[2] - box[0]) * (box[3] - box[1]), 2)))
    return Layout(width=width, height=height, objects=tuple(objects))


def object_masks(svg: SafeSVG | str | bytes, width: int | None = None, height: int | None = None,
                 fit: str = "contain", visible_only: bool = False, backend: str = "auto",
                 timeout: float | None = None):
    """One mask per layout object (N × H × W float32 in 0..1, the object's coverage), each rendered alone.

    ``visible_only``: subtract what objects drawn later cover, leaving the visible part.
    """
    import numpy as np

    from .render import rasterize

    doc = sanitize(svg)
    width = int(round(doc.width)) if width is None else int(width)
    height = int(round(doc.height)) if height is None else int(height)
    found = _objects(doc, width, height, fit)
    masks = np.zeros((len(found), height, width), dtype=np.float32)
    if not found:
        return masks
    for i, (item, _) in enumerate(found):
        alone = etree.fromstring(doc.text.encode("utf-8"))
        _isolate(alone, _path_of(item.element))
        single = replace(doc, text=etree.tostring(alone, encoding="unicode"))  # a part of a safe document
        rgba = rasterize(single, width, height, fit=fit, backend=backend, timeout=timeout)
        masks[i] = rgba[..., 3].astype(np.float32) / 255.0
    if visible_only:
        covered = np.zeros((height, width), dtype=np.float32)
        for i in range(len(found) - 1, -1, -1):
            own = masks[i]
            masks[i] = own * (1.0 - covered)
            covered = np.maximum(covered, own)
    return masks


def _path_of(el: etree._Element) -> tuple[int, ...]:
    path = []
    while el.getparent() is not None:
        parent = el.getparent()
        path.append(parent.index(el))
        el = parent
    return tuple(reversed(path))


def _isolate(root: etree._Element, path: tuple[int, ...]) -> None:
    """Hide everything drawn except the element at ``path`` (definitions stay, so paints and clips still work)."""
    el = root
    for index in path:
        for position, sibling in enumerate(el):
            if position != index and _local(sibling.tag) not in _NOT_DRAWN:
                sibling.set("display", "none")
        el = el[index]


def pixel_box(mask, threshold: float = 0.0) -> tuple[int, int, int, int] | None:
    """The box ``(x0, y0, x1, y1)`` (exclusive ends) of the pixels of ``mask`` (an array) above ``threshold``."""
    import numpy as np

    ys, xs = np.nonzero(mask > threshold)
    if xs.size == 0:
        return None
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)

