"""Hand edits of a sketch: move, resize or delete an object, as a rewrite of the (sanitized) SVG.

An edit names an object of the sketch's layout by its id (``o0``, ``o1``, … in paint order, as ``extract_layout``
numbers them) and, as a guard, its label. A move or a resize is an axis-aligned map of the object's box in output
pixels (``A``: scale and translate); it is written into the SVG as a transform on the object's own element, brought
into that element's parent coordinates (``P⁻¹·A·P``, ``P`` the parent's transform to output pixels), so everything
the object draws — outline, stroke, gradients in its own units, clip paths — moves with it, and the box that
``extract_layout`` then finds is the requested one. A delete removes the element. The result is sanitized again:
the SVG, its layout and the checks computed from them stay consistent, and what is stored or shown is always safe.

    doc = apply_edits(svg, [{"op": "move", "object": "o1", "label": "cat", "dx": 200, "dy": 0}], 512, 512)
    payload = describe(doc, 512, 512, constraints)   # layout, report and per-object verdicts, as JSON

``edited_sketch`` is what the sketch nodes run when the node holds an edited sketch: that SVG instead of a new
plan or LLM request, measured and checked like a generated one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from lxml import etree

from . import geometry as geo
from .check import RULES, Report, check, two_rule_summary
from .constraints import Constraints
from .errors import SketchError
from .layout import Layout, _local, _nested_viewport, _objects, extract_layout, root_transform
from .svgsafe import SafeSVG, sanitize

OPS = ("move", "resize", "delete")
MAX_EDITS = 64
MIN_SIDE = 2.0  # px: the smallest box a resize may ask for
_OBJECT_ID = re.compile(r"^o\d{1,5}$")
CHECKED_RULES = ("geneval", "layoutgpt")


class EditError(SketchError):
    """An edit that cannot be applied (unknown object, stale sketch, bad numbers); the message says which."""


@dataclass(frozen=True)
class Edit:
    op: str  # move | resize | delete
    object: str  # layout object id, "o3"
    label: str | None = None  # the label the editor saw: the edit is refused if the object has another
    dx: float = 0.0  # move: offset in output pixels
    dy: float = 0.0
    box: tuple[float, float, float, float] | None = None  # resize: the new box (x0, y0, x1, y1) in output pixels

    def to_dict(self) -> dict:
        out = {"op": self.op, "object": self.object}
        if self.label is not None:
            out["label"] = self.label
        if self.op == "move":
            out |= {"dx": self.dx, "dy": self.dy}
        if self.op == "resize":
            out["box"] = list(self.box)
        return out


def _finite(value, what: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EditError(f"{what} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or abs(value) > limit:
        raise EditError(f"{what} must be a finite number within ±{limit:g}, got {value!r}")
    return value


def parse_edits(data, width: int, height: int) -> list[Edit]:
    """A JSON list of edits (dicts) → ``Edit`` objects, validated; EditError names the first bad one."""
    if not isinstance(data, list):
        raise EditError("edits must be a list of {op, object, …} objects")
    if len(data) > MAX_EDITS:
        raise EditError(f"too many edits at once: {len(data)} (limit {MAX_EDITS})")
    limit = 10.0 * max(width, height)
    edits = []
    for i, item in enumerate(data):
        where = f"edit {i + 1}"
        if not isinstance(item, dict):
            raise EditError(f"{where} must be an object with op and object")
        op, obj, label = item.get("op"), item.get("object"), item.get("label")
        if op not in OPS:
            raise EditError(f"{where}: op must be one of {', '.join(OPS)}, got {op!r}")
        if not isinstance(obj, str) or not _OBJECT_ID.match(obj):
            raise EditError(f"{where}: object must be a layout object id such as 'o0', got {obj!r}")
        if label is not None and (not isinstance(label, str) or len(label) > 200):
            raise EditError(f"{where}: label must be a string (at most 200 characters)")
        if op == "move":
            edits.append(Edit(op, obj, label, dx=_finite(item.get("dx", 0), f"{where}: dx", limit),
                              dy=_finite(item.get("dy", 0), f"{where}: dy", limit)))
        elif op == "resize":
            box = item.get("box")
            if not isinstance(box, (list, tuple)) or len(box) != 4:
                raise EditError(f"{where}: box must be [x0, y0, x1, y1] in output pixels")
            x0, y0, x1, y1 = (_finite(v, f"{where}: box", limit) for v in box)
            if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
                raise EditError(f"{where}: the box must be at least {MIN_SIDE:g} px wide and high, got "
                                f"{x1 - x0:g}×{y1 - y0:g}")
            edits.append(Edit(op, obj, label, box=(x0, y0, x1, y1)))
        else:
            edits.append(Edit(op, obj, label))
    return edits


def _invert(m: geo.Matrix) -> geo.Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if abs(det) < 1e-12:
        raise EditError("the object sits in a collapsed coordinate system (a zero scale): it cannot be edited")
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def _parent_matrix(el: etree._Element, doc: SafeSVG, width: int, height: int, fit: str) -> geo.Matrix:
    """The transform from the coordinates of ``el``'s parent to output pixels (as ``extract_layout`` walks it)."""
    chain = []
    node = el.getparent()
    while node is not None and node.getparent() is not None:
        chain.append(node)
        node = node.getparent()
    m = root_transform(doc, width, height, fit)
    viewport = (doc.view_box[2], doc.view_box[3])
    for node in reversed(chain):
        transform = node.get("transform")
        if transform:
            m = geo.multiply(m, geo.parse_transform(transform))
        if _local(node.tag) == "svg":
            nested = _nested_viewport(node, viewport)
            if nested is None:
                raise EditError("the object lies in a nested viewport of no size")
            inner, viewport, _ = nested
            m = geo.multiply(m, inner)
    return m


def _box_map(old: tuple, new: tuple) -> geo.Matrix:
    """The axis-aligned map (scale, then translate) taking box ``old`` onto box ``new``."""
    ow, oh = old[2] - old[0], old[3] - old[1]
    if ow <= 0 or oh <= 0:
        raise EditError("the object has no area to resize")
    sx, sy = (new[2] - new[0]) / ow, (new[3] - new[1]) / oh
    return (sx, 0.0, 0.0, sy, new[0] - old[0] * sx, new[1] - old[1] * sy)


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if el.tail:  # keep text that followed the element (only matters inside text content)
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def apply_edits(svg: SafeSVG | str, edits, width: int | None = None, height: int | None = None,
                fit: str = "contain") -> SafeSVG:
    """The sketch with ``edits`` applied (a list of ``Edit`` or of their JSON dicts), sanitized again.

    Object ids and boxes refer to the layout of ``svg`` at ``width`` × ``height`` (default: the SVG's own size);
    several edits of one object compose (a move, then a resize of the moved box). Raises EditError when an id is
    not in the layout or its label is not the one the editor saw (the sketch changed since it was shown).
    """
    doc = sanitize(svg)
    width = int(round(doc.width)) if width is None else int(width)
    height = int(round(doc.height)) if height is None else int(height)
    if width < 1 or height < 1:
        raise EditError(f"the output size must be positive, got {width}×{height}")
    edits = list(edits or ())
    if any(not isinstance(e, Edit) for e in edits):
        edits = parse_edits(edits, width, height)
    if not edits:
        return doc
    found = _objects(doc, width, height, fit)
    if not found:
        raise EditError("the sketch has no objects to edit")
    by_id = {f"o{z}": (item, box) for z, (item, box) in enumerate(found)}
    current = {}  # object id → its box after the edits so far
    maps = {}  # object id → the accumulated map in output pixels
    deleted = set()
    for edit in edits:
        if edit.object not in by_id:
            raise EditError(f"there is no object {edit.object} in this sketch (it has o0…o{len(found) - 1}): run "
                            f"the node again to see the current sketch")
        item, box = by_id[edit.object]
        label = item.label or ""
        if edit.label is not None and edit.label != label and item.label is not None:
            raise EditError(f"object {edit.object} is {label!r}, not {edit.label!r}: the sketch changed since it "
                            f"was shown; run the node again")
        if edit.object in deleted:
            raise EditError(f"object {edit.object} ({label}) was deleted by an earlier edit")
        if edit.op == "delete":
            deleted.add(edit.object)
            continue
        old = current.get(edit.object, box)
        new = (old[0] + edit.dx, old[1] + edit.dy, old[2] + edit.dx, old[3] + edit.dy) if edit.op == "move" \
            else edit.box
        maps[edit.object] = geo.multiply(_box_map(old, new), maps.get(edit.object, geo.IDENTITY))
        current[edit.object] = new
    root = found[0][0].element.getroottree().getroot()
    for object_id, a in maps.items():
        if object_id in deleted:
            continue
        el = by_id[object_id][0].element
        p = _parent_matrix(el, doc, width, height, fit)
        local = geo.multiply(_invert(p), geo.multiply(a, p))
        if _local(el.tag) == "svg":  # a nested viewport: its own transform attribute is not SVG 1.1; wrap it
            wrapper = etree.Element(f"{{{el.nsmap.get(None, 'http://www.w3.org/2000/svg')}}}g")
            el.addprevious(wrapper)
            wrapper.append(el)
            wrapper.set("transform", geo.format_matrix(local))
        else:
            own = geo.parse_transform(el.get("transform")) if el.get("transform") else geo.IDENTITY
            el.set("transform", geo.format_matrix(geo.multiply(local, own)))
    for object_id in deleted:
        _remove(by_id[object_id][0].element)
    return sanitize(etree.tostring(root, encoding="unicode"))


# ---- what the preview shows ------------------------------------------------------------------------------------
def verdicts(layout: Layout, report: Report) -> dict[str, dict]:
    """Per layout object: ``{"passed": bool, "failed": [check sentences]}`` for objects the constraints name
    (passed when every check about its constraint object passes); objects the prompt does not name are left out."""
    owners = {object_id: spec_id for spec_id, ids in report.matches.items() for object_id in ids}
    failed: dict[str, list[str]] = {}
    for c in report.checks:
        if not c.passed:
            for spec_id in filter(None, (c.subject, c.object)):
                failed.setdefault(spec_id, []).append(c.text + (f" — {c.detail}" if c.detail else ""))
    return {o.id: {"passed": owners[o.id] not in failed, "failed": failed.get(owners[o.id], [])}
            for o in layout.objects if o.id in owners}


def describe(svg: SafeSVG | str, width: int, height: int, constraints: Constraints | None = None,
             rule: str = "geneval", edited: bool = False, report_text: str | None = None,
             measured: tuple[Layout, Report] | None = None) -> dict:
    """The JSON the sketch preview draws: the sanitized SVG, its layout at ``width`` × ``height``, and — with
    constraints — the check under ``rule``, its checklist and a verdict per object. ``measured``: the layout and
    the ``rule`` report the caller already has for this document at this size."""
    doc = sanitize(svg)  # (a SafeSVG comes back as it is)
    layout = measured[0] if measured else extract_layout(doc, width, height)
    out = {"svg": doc.text, "width": layout.width, "height": layout.height, "layout": layout.to_dict(),
           "edited": bool(edited)}
    if constraints is not None:
        report = measured[1] if measured else check(layout, constraints, rule)
        out |= {"constraints": constraints.to_dict(), "rule": rule, "passed": report.passed, "score": report.score,
                "checks": [{"text": c.text, "passed": c.passed, "detail": c.detail} for c in report.checks],
                "verdicts": verdicts(layout, report), "report": report_text or report.summary()}
    elif report_text is not None:
        out["report"] = report_text
    return out


@dataclass(frozen=True)
class EditedSketch:
    """A hand-edited sketch as the sketch nodes output it: the SVG, its layout and its checks."""

    doc: SafeSVG
    layout: Layout
    reports: dict  # rule → Report (GenEval and LayoutGPT, as the planner checks itself)

    @property
    def svg(self) -> str:
        return self.doc.text

    @property
    def report(self) -> Report:
        return self.reports["geneval"]

    def summary(self) -> str:
        lines = two_rule_summary(self.reports)
        lines.append(f"edited sketch: {len(self.layout.objects)} object(s) on {self.layout.width}×"
                     f"{self.layout.height}, not regenerated (Reset to generated plans it again)")
        return "\n".join(lines)


def edited_sketch(svg: str, constraints: Constraints, width: int, height: int) -> EditedSketch:
    """The sketch a node holds after hand edits, sanitized, measured at ``width`` × ``height`` and checked."""
    if not isinstance(svg, str) or not svg.strip():
        raise EditError("the edited sketch is empty")
    doc = sanitize(svg)
    layout = extract_layout(doc, width, height)
    reports = {rule: check(layout, constraints, rule) for rule in CHECKED_RULES if rule in RULES}
    return EditedSketch(doc=doc, layout=layout, reports=reports)
