"""Sanitized SVG → ``Layout``: the objects of the drawing with label, shape, colour, box and paint order.

Extraction reads the same sanitized tree that is rendered, with the same viewBox mapping, so each box is where the
object's pixels are (stroke included; clip paths ignored). What counts as one object:

- an element or group with a ``data-label`` (or an ``id``, or a ``<title>`` child) — a labelled group is one object,
  the union of its children;
- otherwise each drawable leaf (shape, text, image) on its own, so an unlabelled ``<g>`` is looked through;
- never definitions (``defs``, gradients, clip paths, masks, patterns, markers), hidden elements, or an unlabelled
  shape covering ≥ 90 % of the canvas (a background).

Label: ``data-label``, else ``id``, else ``<title>``, else the shape kind. Colour: the fill (the stroke if unfilled)
of the object's largest part, named with one of eleven basic colour words.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from lxml import etree

from . import geometry as geo
from .colors import basic_name, parse_color
from .errors import SketchError
from .svgsafe import SVG_NS, Limits, SafeSVG, element_box, sanitize, viewport_transform

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


class _Extractor:
    def __init__(self, root: etree._Element, width: int, height: int):
        self.width, self.height = width, height
        self.by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        self.found: list[_Found] = []

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

    def walk(self, el: etree._Element, ctm: geo.Matrix, style: dict, current: _Found | None) -> None:
        for child in el:
            name = _local(child.tag)
            if not name or name in _NOT_DRAWN:
                continue
            if child.get("display") == "none" or child.get("opacity") == "0":
                continue
            m = geo.multiply(ctm, geo.parse_transform(child.get("transform")))
            child_style = dict(style)
            for key in ("fill", "stroke", "stroke-width", "visibility", "font-size", "text-anchor"):
                if child.get(key) is not None:
                    child_style[key] = child.get(key)
            if name == "svg":  # nested viewport
                m = geo.multiply(m, _nested_viewport(child))
            label = _label_of(child)
            owner = current
            if owner is None and (label is not None or name in _LEAVES):
                owner = _Found(child, label, [], child.get("data-shape"))
                self.found.append(owner)
            if name in _LEAVES:
                part = self._part(child, name, m, child_style)
                if part is not None:
                    owner.parts.append(part)
            elif name in _GROUPS:
                self.walk(child, m, child_style, owner)

    def _part(self, el, name: str, m: geo.Matrix, style: dict) -> _Part | None:
        if style.get("visibility") in ("hidden", "collapse"):
            return None
        attrs = dict(el.attrib)
        if name == "text":
            box = _text_box(el, style)
        elif name == "path":
            segments = geo.parse_path(attrs.get("d", ""))
            bbox = geo.path_bbox(segments, m)
            if bbox is None:
                return None
            return self._finish(bbox, name, m, style, el)
        elif name == "circle" or name == "ellipse":
            b = element_box(name, attrs)
            cx, cy, rx, ry = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, (b[2] - b[0]) / 2, (b[3] - b[1]) / 2
            return self._finish(geo.path_bbox(geo.ellipse_segments(cx, cy, rx, ry), m), name, m, style, el)
        else:
            box = element_box(name, attrs)
        if box is None:
            return None
        bbox = geo.path_bbox(geo.rect_segments(box[0], box[1], box[2] - box[0], box[3] - box[1]), m)
        return self._finish(bbox, name, m, style, el)

    def _finish(self, bbox: geo.Box, name: str, m: geo.Matrix, style: dict, el) -> _Part:
        fill = style.get("fill", "#000000")
        stroke = style.get("stroke", "none")
        if name == "line" or name == "polyline":
            fill = "none" if name == "line" else fill
        if stroke and stroke != "none":
            width = float(style.get("stroke-width", "1") or 1)
            bbox = geo.inflate(bbox, width / 2 * geo.scale_factor(m))
            if name == "polygon" and style.get("stroke-linejoin", "miter") == "miter":
                bbox = geo.union([bbox, _miter_box(el, m, width, float(style.get("stroke-miterlimit", "4")))])
        paint = self._paint(fill) if name not in ("line", "image") else None
        if paint is None and name != "image":
            paint = self._paint(stroke)
        return _Part(bbox, _shape_of(name, el), paint)


def _miter_box(el: etree._Element, m: geo.Matrix, width: float, limit: float) -> geo.Box | None:
    """The box of a polygon's miter tips: sharp corners of a stroked star reach well past half the stroke width."""
    values = [float(v) for v in el.get("points", "").split()]
    points = list(zip(values[0::2], values[1::2]))
    tips = []
    for i, (x, y) in enumerate(points):
        (px, py), (nx, ny) = points[i - 1], points[(i + 1) % len(points)]
        ax, ay, bx, by = px - x, py - y, nx - x, ny - y
        la, lb = math.hypot(ax, ay), math.hypot(bx, by)
        if not la or not lb:
            continue
        cos = max(-1.0, min(1.0, (ax * bx + ay * by) / (la * lb)))
        half = math.acos(cos) / 2
        if half <= 0 or 1 / math.sin(half) > limit:
            continue  # beyond the miter limit the join is bevelled
        dx, dy = ax / la + bx / lb, ay / la + by / lb
        norm = math.hypot(dx, dy)
        if not norm:
            continue
        reach = width / 2 / math.sin(half)
        tips.append(geo.apply(m, x - dx / norm * reach, y - dy / norm * reach))
    if not tips:
        return None
    return (min(p[0] for p in tips), min(p[1] for p in tips), max(p[0] for p in tips), max(p[1] for p in tips))


def _nested_viewport(el: etree._Element) -> geo.Matrix:
    def num(key, default):
        try:
            return float(el.get(key, default))
        except ValueError:
            return default

    x, y = num("x", 0.0), num("y", 0.0)
    try:
        vb = geo.numbers(el.get("viewBox", ""))
    except geo.GeometryError:
        vb = []
    w, h = num("width", 0.0), num("height", 0.0)
    m = geo.translate(x, y)
    if len(vb) == 4 and w > 0 and h > 0:
        m = geo.multiply(m, viewport_transform(tuple(vb), w, h, el.get("preserveAspectRatio", "xMidYMid meet")))
    return m


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
    style = {k: root.get(k) for k in ("fill", "stroke", "stroke-width", "font-size") if root.get(k) is not None}
    extractor.walk(root, root_transform(doc, width, height, fit), style, None)
    kept = []
    canvas = width * height
    for found in extractor.found:
        box = geo.union(p.box for p in found.parts)
        if box is None:
            continue
        clipped = (max(0.0, box[0]), max(0.0, box[1]), min(float(width), box[2]), min(float(height), box[3]))
        if clipped[2] <= clipped[0] or clipped[3] <= clipped[1]:
            continue  # entirely outside the canvas
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
        shape = found.shape_hint or (largest.shape if len(found.parts) == 1 or found.label else largest.shape)
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
        single = SafeSVG(text=etree.tostring(alone, encoding="unicode"), width=doc.width, height=doc.height,
                         view_box=doc.view_box, preserve_aspect_ratio=doc.preserve_aspect_ratio,
                         extent=doc.extent, features=doc.features)
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

