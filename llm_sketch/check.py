"""Layout + Constraints → ``Report``: a verdict per constraint, a score and the rule used.

Checks, in order: each object's count (exact; 0 = must be absent), colour (the object's basic colour name), shape,
size (small / large against the other objects), region (the object's centre in the image's thirds), then each
relation. Spatial relations follow a named rule (``RULES``; see ../shared/SCORING.md):

- ``geneval`` (default): centre offset shrunk by 0.1 × the summed box sizes, normalised by the offset's length;
  a component beyond ±0.5 sets the direction. **Every** instance of the subject against **every** instance of the
  object.
- ``layoutgpt``: the direction from the object's centre to the subject's lies within 45° of the axis; any pair.
- ``visor``: the sign of the centre difference; any pair.
- ``t2i-compbench``: the centre difference along the axis dominates and the boxes overlap by IoU < 0.1
  (score 0.1 / IoU otherwise); any pair; passes at score ≥ 0.5.

The other relations are the same under every rule: inside / contains / overlapping by boxes; near / far from
relative to the image diagonal (near: boxes within 10 % of the diagonal; far: centres at least 40 % apart); in
front of / behind by paint order (later = in front); larger / smaller than by box area with a 20 % margin; between
when the subject's centre projects strictly between the two others' centres.

Each check carries a ``margin``: how far it is from flipping, positive when it passes (in the rule's own unit:
normalised offset for geneval/layoutgpt, pixels for visor and regions, score for t2i-compbench, area ratio for
sizes). Objects are matched by label (``words.labels_match``: singular, synonyms, "blue circle" names a circle);
an object that is not found fails every check that needs it with "not found".
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from .constraints import INVERSE, Constraints, ObjectSpec, Relation
from .errors import SketchError
from .layout import Layout, LayoutObject
from .words import labels_match

REPORT_VERSION = 1
RULES = ("geneval", "layoutgpt", "visor", "t2i-compbench")
DIRECTIONS = ("left of", "right of", "above", "below")
NEAR_FRACTION = 0.10  # of the image diagonal, between the boxes' edges
FAR_FRACTION = 0.40  # of the image diagonal, between the centres
SIZE_MARGIN = 1.2  # "larger than": at least 20 % more area
SHAPE_EQUIVALENTS = {"sphere": "circle", "oval": "ellipse", "cube": "square", "disc": "circle", "disk": "circle",
                     "round": "circle"}


@dataclass(frozen=True)
class Check:
    text: str  # a human sentence: "the red triangle is right of the blue circle"
    kind: str  # count, color, shape, size, region, or the relation ("left of", …)
    subject: str  # object id in the constraints
    object: str | None
    passed: bool
    margin: float
    detail: str


@dataclass(frozen=True)
class Report:
    passed: bool
    score: float  # fraction of checks satisfied
    rule: str
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()  # conflicts and unparsed words: what the checker could not hold anyone to
    matches: dict = field(default_factory=dict)  # constraint object id → layout object ids
    version: int = REPORT_VERSION

    def to_dict(self) -> dict:
        return {"version": self.version, "passed": self.passed, "score": self.score, "rule": self.rule,
                "checks": [asdict(c) for c in self.checks], "notes": list(self.notes),
                "matches": {k: list(v) for k, v in self.matches.items()}}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        try:
            checks = tuple(Check(**c) for c in data.get("checks", []))
            return cls(passed=bool(data["passed"]), score=float(data["score"]), rule=str(data["rule"]),
                       checks=checks, notes=tuple(data.get("notes", [])),
                       matches={k: tuple(v) for k, v in data.get("matches", {}).items()},
                       version=int(data.get("version", REPORT_VERSION)))
        except (KeyError, TypeError, ValueError) as exc:
            raise SketchError(f"not a report: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> "Report":
        return cls.from_dict(json.loads(text))

    def summary(self) -> str:
        """The report as a checklist people read: ✓/✗ per check, then the notes."""
        head = f"{'PASSED' if self.passed else 'FAILED'}: {sum(c.passed for c in self.checks)}/{len(self.checks)} " \
               f"checks ({self.score:.0%}), rule {self.rule}"
        lines = [head] + [f"{'✓' if c.passed else '✗'} {c.text}" + ("" if c.passed else f" — {c.detail}")
                          for c in self.checks]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


def two_rule_summary(reports: dict[str, Report]) -> list[str]:
    """Lines for a sketch checked under GenEval and LayoutGPT (as the planner and the editor check it): the GenEval
    checklist, then LayoutGPT's tally and its failures."""
    lines = [reports["geneval"].summary()]
    other = reports.get("layoutgpt")
    if other is not None:
        bad = [c for c in other.checks if not c.passed]
        lines.append(f"LayoutGPT rule: {len(other.checks) - len(bad)}/{len(other.checks)} checks"
                     + "".join(f"\n✗ {c.text} — {c.detail}" for c in bad))
    return lines


# ---- geometry of the rules --------------------------------------------------------------------------------------
def _center(o: LayoutObject) -> tuple[float, float]:
    return ((o.bbox[0] + o.bbox[2]) / 2, (o.bbox[1] + o.bbox[3]) / 2)


def _dims(o: LayoutObject) -> tuple[float, float]:
    return (o.bbox[2] - o.bbox[0], o.bbox[3] - o.bbox[1])


def _iou(a: LayoutObject, b: LayoutObject) -> float:
    ix = max(0.0, min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0]))
    iy = max(0.0, min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1]))
    inter = ix * iy
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def geneval_margin(a: LayoutObject, b: LayoutObject, relation: str) -> float:
    """GenEval: > 0 when ``a`` is ``relation`` ``b`` (the normalised component's distance past 0.5)."""
    (ax, ay), (bx, by) = _center(a), _center(b)
    (aw, ah), (bw, bh) = _dims(a), _dims(b)
    off = (ax - bx, ay - by)
    norm = math.hypot(*off)
    if norm < 1e-9:
        return -0.5
    rev = [math.copysign(max(abs(o) - 0.1 * (da + db), 0.0), o) for o, da, db in zip(off, (aw, ah), (bw, bh))]
    if all(abs(r) < 1e-3 for r in rev):
        return -0.5
    dx, dy = rev[0] / norm, rev[1] / norm
    return {"left of": -dx, "right of": dx, "above": -dy, "below": dy}[relation] - 0.5


def layoutgpt_margin(a: LayoutObject, b: LayoutObject, relation: str) -> float:
    """LayoutGPT: > 0 when the direction from ``b`` to ``a`` is within 45° of the relation's axis."""
    (ax, ay), (bx, by) = _center(a), _center(b)
    dist = math.hypot(ax - bx, ay - by)
    if dist < 1e-9:
        return -1.0
    cos, sin = (ax - bx) / dist, (by - ay) / dist  # y up
    t = math.sqrt(2) / 2
    return {"right of": cos - t, "left of": -cos - t, "above": sin - t, "below": -sin - t}[relation]


def visor_margin(a: LayoutObject, b: LayoutObject, relation: str) -> float:
    (ax, ay), (bx, by) = _center(a), _center(b)
    return {"left of": bx - ax, "right of": ax - bx, "above": by - ay, "below": ay - by}[relation]


def t2i_margin(a: LayoutObject, b: LayoutObject, relation: str) -> float:
    """T2I-CompBench's 2-D score minus 0.5 (its relation holds at score 1, partly when boxes overlap)."""
    (ax, ay), (bx, by) = _center(a), _center(b)
    dx, dy = bx - ax, by - ay
    along = {"left of": dx, "right of": -dx, "above": dy, "below": -dy}[relation]
    across = abs(dy) if relation in ("left of", "right of") else abs(dx)
    if along <= 0 or along <= across:
        return -0.5
    iou = _iou(a, b)
    score = 1.0 if iou < 0.1 else 0.1 / iou
    return score - 0.5


_MARGINS = {"geneval": geneval_margin, "layoutgpt": layoutgpt_margin, "visor": visor_margin,
            "t2i-compbench": t2i_margin}
_ALL_PAIRS = {"geneval": True, "layoutgpt": False, "visor": False, "t2i-compbench": False}


# ---- matching ---------------------------------------------------------------------------------------------------
def match_objects(layout: Layout, constraints: Constraints) -> dict[str, list[LayoutObject]]:
    """Constraint object id → the layout objects that are instances of it.

    Labels must match; when several constraint objects share a label ("a red car and a blue car"), instances
    go to the one whose colour (then shape) they have.
    """
    matches: dict[str, list[LayoutObject]] = {o.id: [] for o in constraints.objects}
    for obj in layout.objects:
        candidates = [spec for spec in constraints.objects if labels_match(spec.label, obj.label)
                      or (spec.shape and labels_match(spec.shape, obj.label) and spec.label == spec.shape)]
        if not candidates:
            continue
        if len(candidates) > 1:
            by_color = [s for s in candidates if s.color and s.color == obj.color.get("name")]
            by_shape = [s for s in candidates if s.shape and _shape_ok(s.shape, obj.shape)]
            candidates = by_color or by_shape or [s for s in candidates if not s.color] or candidates
        matches[candidates[0].id].append(obj)
    return matches


def _shape_ok(wanted: str, shape: str) -> bool:
    wanted, shape = SHAPE_EQUIVALENTS.get(wanted, wanted), SHAPE_EQUIVALENTS.get(shape, shape)
    return wanted == shape or (wanted == "rectangle" and shape == "square") or (
        wanted == "ellipse" and shape == "circle")


# ---- the checker ------------------------------------------------------------------------------------------------
class _Checker:
    def __init__(self, layout: Layout, constraints: Constraints, rule: str):
        if rule not in RULES:
            raise SketchError(f"unknown rule {rule!r}: use one of {', '.join(RULES)}")
        self.layout, self.constraints, self.rule = layout, constraints, rule
        self.matches = match_objects(layout, constraints)
        self.checks: list[Check] = []
        self.diagonal = math.hypot(layout.width, layout.height)

    def add(self, text, kind, subject, obj, passed, margin, detail):
        self.checks.append(Check(text, kind, subject, obj, bool(passed), round(float(margin), 4), detail))

    def run(self) -> Report:
        for spec in self.constraints.objects:
            self.check_object(spec)
        for relation in self.constraints.relations:
            self.check_relation(relation)
        conflicts = _conflicts(self.constraints)
        notes = list(conflicts) + [f"not understood: {u!r}" for u in self.constraints.unparsed]
        if not self.checks:
            notes.append("nothing to check: the prompt names no objects this checker understands")
        passed_count = sum(c.passed for c in self.checks)
        score = passed_count / len(self.checks) if self.checks else 0.0
        return Report(passed=bool(self.checks) and passed_count == len(self.checks) and not conflicts,
                      score=round(score, 4), rule=self.rule, checks=tuple(self.checks),
            notes=tuple(notes), matches={k: tuple(o.id for o in v) for k, v in self.matches.items()})

    def check_object(self, spec: ObjectSpec) -> None:
        found = self.matches[spec.id]
        n = len(found)
        name = spec.describe(with_count=spec.count != 1)
        if spec.count == 0:
            self.add(f"there is no {spec.describe()[4:]}", "count", spec.id, None, n == 0, 1 if n == 0 else -n,
                     "absent" if n == 0 else f"found {n}")
        else:
            text = f"there {'is' if spec.count == 1 else 'are'} {name if spec.count != 1 else 'a ' + name[4:]}"
            self.add(text, "count", spec.id, None, n == spec.count, 1 if n == spec.count else -abs(n - spec.count),
                     f"found {n}" if n else "not found")
        if spec.count == 0:
            return
        if spec.color:
            wrong = [o for o in found if o.color.get("name") != spec.color]
            self.add(f"{spec.describe(omit='color')} is {spec.color}", "color", spec.id, None, found and not wrong,
                     1 if found and not wrong else -1,
                     "not found" if not found else (f"it is {wrong[0].color.get('name') or 'uncoloured'}" if wrong
                                                    else spec.color))
        if spec.shape and spec.label != spec.shape:
            wrong = [o for o in found if not _shape_ok(spec.shape, o.shape)]
            self.add(f"{spec.describe(omit='shape')} is {spec.shape}", "shape", spec.id, None, found and not wrong,
                     1 if found and not wrong else -1,
                     "not found" if not found else (f"it is a {wrong[0].shape}" if wrong else spec.shape))
        if spec.size:
            self.check_size(spec, found)
        if spec.region:
            self.check_region(spec, found)

    def check_size(self, spec: ObjectSpec, found: list[LayoutObject]) -> None:
        others = [o.area for o in self.layout.objects if o not in found]
        canvas = self.layout.width * self.layout.height
        reference = sorted(others)[len(others) // 2] if others else canvas * (0.1 if spec.size == "large" else 0.05)
        if not found:
            self.add(f"{spec.describe(omit='size')} is {spec.size}", "size", spec.id, None, False, -1, "not found")
            return
        ratios = [o.area / reference if reference else 1.0 for o in found]
        if spec.size == "large":
            margin = min(ratios) - SIZE_MARGIN
        else:
            margin = 1 / SIZE_MARGIN - max(ratios)
        self.add(f"{spec.describe(omit='size')} is {spec.size}", "size", spec.id, None, margin > 0, margin,
                 f"its area is {min(ratios):.2f}× the other objects' median")

    def check_region(self, spec: ObjectSpec, found: list[LayoutObject]) -> None:
        text = f"{spec.describe()} is {'in the center' if spec.region == 'center' else 'at the ' + spec.region}"
        if not found:
            self.add(text, "region", spec.id, None, False, -1, "not found")
            return
        w, h = self.layout.width, self.layout.height
        margins = []
        for o in found:
            cx, cy = _center(o)
            parts = spec.region.split()
            if spec.region == "center":
                parts_margin = [min(cx - w / 3, 2 * w / 3 - cx), min(cy - h / 3, 2 * h / 3 - cy)]
            else:
                parts_margin = [{"left": w / 3 - cx, "right": cx - 2 * w / 3, "top": h / 3 - cy,
                                 "bottom": cy - 2 * h / 3}[p] for p in parts]
            margins.append(min(parts_margin))
        margin = min(margins)
        cx, cy = _center(found[0])
        self.add(text, "region", spec.id, None, margin > 0, margin,
                 f"its centre is at ({cx:.0f}, {cy:.0f}) on a {w}×{h} canvas")

    def check_relation(self, rel: Relation) -> None:
        subject, obj = self.constraints.object(rel.subject), self.constraints.object(rel.object)
        text = f"{subject.describe()} is {rel.relation} {obj.describe()}"
        a_list, b_list = self.matches[rel.subject], self.matches[rel.object]
        if rel.relation == "between":
            self.check_between(rel, text)
            return
        if not a_list or not b_list:
            missing = [s.describe() for s, lst in ((subject, a_list), (obj, b_list)) if not lst]
            self.add(text, rel.relation, rel.subject, rel.object, False, -1, " and ".join(missing) + " not found")
            return
        margins = [(self.pair_margin(a, b, rel.relation), a, b) for a in a_list for b in b_list]
        all_pairs = _ALL_PAIRS[self.rule] if rel.relation in DIRECTIONS else rel.relation not in (
            "near", "overlapping")
        margin, a, b = min(margins, key=lambda m: m[0]) if all_pairs else max(margins, key=lambda m: m[0])
        self.add(text, rel.relation, rel.subject, rel.object, margin > 0, margin, self.describe(a, b, rel.relation))

    def check_between(self, rel: Relation, text: str) -> None:
        found = [self.matches[i] for i in (rel.subject, rel.object, rel.object2)]
        if not all(found):
            self.add(text + f" and {self.constraints.object(rel.object2).describe()}", "between", rel.subject,
                     rel.object, False, -1, "not found")
            return
        worst = math.inf
        for a in found[0]:
            for b in found[1]:
                for c in found[2]:
                    (ax, ay), (bx, by), (cx, cy) = _center(a), _center(b), _center(c)
                    vx, vy = cx - bx, cy - by
                    length2 = vx * vx + vy * vy
                    t = ((ax - bx) * vx + (ay - by) * vy) / length2 if length2 else -1.0
                    worst = min(worst, min(t, 1 - t) * math.sqrt(length2))
        self.add(text + f" and {self.constraints.object(rel.object2).describe()}", "between", rel.subject,
                 rel.object, worst > 0, worst, f"{worst:.0f} px from the nearer end of the gap")

    def pair_margin(self, a: LayoutObject, b: LayoutObject, relation: str) -> float:
        if relation in DIRECTIONS:
            return _MARGINS[self.rule](a, b, relation)
        if relation in ("inside", "contains"):
            inner, outer = (a, b) if relation == "inside" else (b, a)
            return min(inner.bbox[0] - outer.bbox[0], inner.bbox[1] - outer.bbox[1],
                       outer.bbox[2] - inner.bbox[2], outer.bbox[3] - inner.bbox[3]) + 2.0  # 2 px tolerance
        if relation == "overlapping":
            return min(min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0]),
                       min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1]))
        if relation == "near":
            return NEAR_FRACTION * self.diagonal - _gap(a, b)
        if relation == "far from":
            (ax, ay), (bx, by) = _center(a), _center(b)
            return math.hypot(ax - bx, ay - by) - FAR_FRACTION * self.diagonal
        if relation in ("in front of", "behind"):
            return (a.z - b.z) if relation == "in front of" else (b.z - a.z)
        if relation == "larger than":
            return (a.area / b.area if b.area else math.inf) - SIZE_MARGIN
        if relation == "smaller than":
            return (b.area / a.area if a.area else math.inf) - SIZE_MARGIN
        raise SketchError(f"unknown relation {relation!r}")

    def describe(self, a: LayoutObject, b: LayoutObject, relation: str) -> str:
        """Where ``a`` really is relative to ``b``, in words and pixels (for people and for the LLM's repair)."""
        (ax, ay), (bx, by) = _center(a), _center(b)
        dx, dy = ax - bx, ay - by
        if relation in DIRECTIONS:
            horizontal = f"{abs(dx):.0f} px to its {'right' if dx > 0 else 'left'}"
            vertical = f"{abs(dy):.0f} px {'below' if dy > 0 else 'above'} it"
            parts = [horizontal, vertical] if relation in ("left of", "right of") else [vertical, horizontal]
            return "it is " + " and ".join(parts)
        if relation in ("near", "far from"):
            return f"the gap between them is {_gap(a, b):.0f} px, centres {math.hypot(dx, dy):.0f} px apart " \
                   f"(image diagonal {self.diagonal:.0f} px)"
        if relation in ("in front of", "behind"):
            return f"it is drawn {'after' if a.z > b.z else 'before'} it"
        if relation in ("larger than", "smaller than"):
            return f"its area is {a.area / b.area if b.area else math.inf:.2f}× the other's"
        return f"boxes {list(map(round, a.bbox))} and {list(map(round, b.bbox))}"


def _gap(a: LayoutObject, b: LayoutObject) -> float:
    gx = max(0.0, max(a.bbox[0], b.bbox[0]) - min(a.bbox[2], b.bbox[2]))
    gy = max(0.0, max(a.bbox[1], b.bbox[1]) - min(a.bbox[3], b.bbox[3]))
    return math.hypot(gx, gy)


def _conflicts(constraints: Constraints) -> list[str]:
    """Pairs of relations no layout can satisfy together ("a cat left of a dog and the dog left of the cat")."""
    seen = {}
    notes = []
    for r in constraints.relations:
        seen[(r.subject, r.relation, r.object)] = r
    for (s, rel, o), r in seen.items():
        opposite = INVERSE.get(rel)
        if rel in ("near", "far from", "overlapping") or opposite is None:
            continue
        if (s, opposite, o) in seen or ((o, rel, s) in seen and rel not in ("near",)):
            a, b = constraints.object(s).describe(), constraints.object(o).describe()
            note = f"contradiction: {a} cannot be both {rel} and {opposite} {b}"
            if note not in notes and f"contradiction: {b} cannot be both {rel} and {opposite} {a}" not in notes:
                notes.append(note)
    return notes


def check(layout: Layout, constraints: Constraints, rule: str = "geneval") -> Report:
    """Check ``layout`` against ``constraints`` under ``rule`` (see the module docstring)."""
    return _Checker(layout, constraints, rule).run()
