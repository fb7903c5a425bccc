"""Constraints → a planned ``Layout``: where each object goes, offline, deterministically per seed.

The planner places every instance of every object so that each constraint holds *with margin* under both the
GenEval rule (every instance against every instance, size-aware) and LayoutGPT's 45° cones, checks itself with
``check`` under both rules, and repairs or retries with other seeds (a bounded number of times):

1. **Analyse.** Relations that cannot all hold are found first and named: cycles per axis ("a cat left of a dog and
   the dog left of the cat"), depth and size cycles, containment loops, relations with an object that must be absent,
   a diagonal pair (left of *and* above: impossible under LayoutGPT's cones), several containers for one inside
   object, and objects the checker cannot tell apart (same name, no colour or shape to separate them). The planner
   drops the relation that contradicts earlier ones and plans the rest (the best partial layout).
2. **Compose.** Objects inside others are planned inside their container; objects in front of / behind / overlapping
   each other form a depth stack (nearer = lower, larger and drawn later). The units of each level get cells of a
   small grid (a backtracking search over grids and cells: directional relations ordered and aligned along their
   axis, regions in the image's thirds, near = adjacent cells, far = distant cells). Instances are arranged in their
   cell and sized from ``sizes`` (a table bigger than a cup; small/large honoured), with jitter from the seed.
3. **Repair.** A penalty over every constraint (with margins), canvas padding, unintended overlaps and visibility
   drives a short greedy local search of targeted moves (shift, align, squeeze, scale).
4. **Verify.** The layout is checked with ``check`` under GenEval and LayoutGPT; if any check fails, the next try
   uses another seed stream. The best layout found is returned with its reports and the conflicts.

Everything random comes from ``random.Random`` seeded by (seed, try): same inputs and seed → the same layout.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field

from .check import Report, check, match_objects, two_rule_summary
from .colors import CANONICAL_HEX, basic_name, parse_color
from .constraints import Constraints, ObjectSpec
from .errors import SketchError
from .layout import Layout, LayoutObject
from .sizes import size_of
from .words import canonical_label

RULES_CHECKED = ("geneval", "layoutgpt")
TRIES = 10  # construction + repair attempts per plan
STEPS = 80  # repair steps per attempt
WORK = 1_500_000  # all tries together evaluate the penalty at most WORK / n² times (n instances)
T_GENEVAL = 0.1  # required GenEval margin (normalised offset past 0.5)
T_LAYOUTGPT = 0.1  # required LayoutGPT margin (cosine past cos 45°)
NEAR_GAP = 0.065  # "near": box gap at most this × the image diagonal (the checker allows 0.10)
FAR_DIST = 0.46  # "far from": centres at least this × the diagonal apart (the checker needs 0.40)
SIZE_RATIO = 1.45  # "larger than", small / large: area ratio (the checker needs 1.2)
REGION_MARGIN = 0.03  # centre at least this × the image side inside its third
BETWEEN_T = 0.2  # "between": projection at least this far from either end
GAP = 2.0  # px between objects that must not overlap
COVER = 0.6  # at most this fraction of an object's box covered by objects drawn over it
NEUTRAL = "gray"
NATURAL_COLORS = {
    "banana": "yellow", "broccoli": "green", "orange": "orange", "carrot": "orange", "apple": "red",
    "potted plant": "green", "tree": "green", "grass": "green", "sun": "yellow", "fire hydrant": "red",
    "stop sign": "red", "elephant": "gray", "sheep": "white", "bear": "brown", "horse": "brown", "dog": "brown",
    "cat": "orange", "giraffe": "yellow", "zebra": "white", "cow": "white", "pizza": "orange", "donut": "brown",
    "cake": "pink", "bread": "brown", "sky": "blue", "water": "blue", "sea": "blue", "lake": "blue",
    "teddy bear": "brown", "bench": "brown", "dining table": "brown", "chair": "brown", "couch": "blue",
    "bed": "blue", "refrigerator": "white", "toilet": "white", "sink": "white", "cloud": "white",
    "person": "blue", "car": "red", "bus": "yellow", "truck": "blue", "train": "green", "boat": "white",
    "airplane": "white", "flower": "pink", "pig": "pink", "frog": "green", "duck": "yellow", "chicken": "white",
    "lion": "orange", "tiger": "orange", "fox": "orange", "wine glass": "white", "hot dog": "brown",
    "sandwich": "brown", "kite": "red", "umbrella": "purple", "backpack": "green", "suitcase": "brown",
    "handbag": "red", "tie": "red", "book": "blue", "vase": "blue", "cup": "white", "bowl": "white",
    "bottle": "green", "traffic light": "black", "parking meter": "gray", "clock": "white", "laptop": "gray",
    "tv": "black", "cell phone": "black", "toaster": "gray", "microwave": "gray", "oven": "gray",
    "house": "brown", "building": "gray", "door": "brown", "fence": "brown", "mountain": "gray", "moon": "yellow",
    "field": "green", "park": "green", "pasture": "green", "forest": "green", "snow": "white", "road": "gray",
    "street": "gray", "beach": "yellow", "desert": "yellow", "room": "white", "kitchen": "white",
    "bedroom": "white", "wall": "white", "floor": "brown",
}
OUTDOOR_WORDS = {
    "car", "bus", "truck", "train", "bicycle", "motorcycle", "airplane", "boat", "traffic light", "fire hydrant",
    "stop sign", "parking meter", "bench", "bird", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe",
    "kite", "skis", "snowboard", "surfboard", "skateboard", "tree", "house", "building", "mountain", "sun",
    "cloud", "moon", "sky", "field", "park", "street", "road", "beach", "garden", "yard", "forest", "lake",
    "river", "sea", "ocean", "grass", "snow", "farm", "pasture", "zoo", "city", "outdoor", "outdoors", "outside",
    "desert", "hill", "meadow", "fence", "barn", "sidewalk", "lion", "tiger", "fox", "duck", "chicken", "pig",
    "goat", "flower", "umbrella", "rain", "sunset", "sunrise",
}
_AXIS = {"left of": (0, -1), "right of": (0, 1), "above": (1, -1), "below": (1, 1)}


@dataclass(frozen=True)
class Plan:
    """A planned layout with its self-check: ``reports[rule]`` for GenEval and LayoutGPT, and the conflicts found
    in the constraints (each a sentence naming the relations that cannot hold together)."""

    constraints: Constraints
    layout: Layout
    reports: dict
    conflicts: tuple[str, ...] = ()
    seed: int = 0
    tries: int = 1
    scene: str = "plain"  # "outdoor": sky and ground; "plain": a plain background
    fills: dict = field(default_factory=dict)  # layout object id → "#rrggbb"

    @property
    def passed(self) -> bool:
        """Every check passes under every checked rule (conflicts aside: see ``ok``)."""
        return all(all(c.passed for c in r.checks) for r in self.reports.values())

    @property
    def ok(self) -> bool:
        return self.passed and not self.conflicts

    @property
    def report(self) -> Report:
        return self.reports["geneval"]

    def summary(self) -> str:
        lines = two_rule_summary(self.reports)
        lines += [f"conflict: {c}" for c in self.conflicts]
        lines.append(f"planned {len(self.layout.objects)} object(s) on {self.layout.width}×{self.layout.height}, "
                     f"seed {self.seed}, {self.tries} tr{'y' if self.tries == 1 else 'ies'}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"seed": self.seed, "tries": self.tries, "scene": self.scene, "passed": self.passed,
                "conflicts": list(self.conflicts),
                "reports": {k: v.to_dict() for k, v in self.reports.items()}}


# ---- analysis ------------------------------------------------------------------------------------------------------
def _reaches(graph: dict, a: str, b: str) -> bool:
    seen, stack = set(), [a]
    while stack:
        n = stack.pop()
        if n == b:
            return True
        if n in seen:
            continue
        seen.add(n)
        stack.extend(graph.get(n, ()))
    return False


def _longest(nodes: list, edges: dict) -> dict:
    """Longest-path layer of each node in a DAG (edges: node → set of successors)."""
    layer = {n: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for a in nodes:
            for b in edges.get(a, ()):
                if b in layer and layer[b] < layer[a] + 1:
                    layer[b] = layer[a] + 1
                    changed = True
        if not changed:
            break
    return layer


class _Problem:
    """The constraints as the planner uses them: present objects, relations kept, conflicts, nesting, depth."""

    def __init__(self, constraints: Constraints, width: int, height: int):
        self.c = constraints
        self.W, self.H = width, height
        self.D = min(width, height)
        self.diag = math.hypot(width, height)
        self.pad = max(4.0, round(0.04 * self.D))
        self.specs = [o for o in constraints.objects if o.count > 0]
        self.by_id = {o.id: o for o in self.specs}
        self.order = {o.id: i for i, o in enumerate(self.specs)}
        self.conflicts: list[str] = []
        self.rels = []  # kept relations: (subject, relation, object, object2)
        self.parent: dict[str, str] = {}
        self.zedges: dict[str, set] = {}  # back → fronts
        self.allowed: set[frozenset] = set()
        self.geneval_only: set[tuple] = set()  # relations planned for GenEval only (diagonal pairs)
        xg: dict[str, set] = {}
        yg: dict[str, set] = {}
        sg: dict[str, set] = {}  # smaller → larger
        self.xg, self.yg = xg, yg
        pairs_axis: dict[frozenset, int] = {}
        near, far = set(), set()
        for r in constraints.relations:
            subject = constraints.object(r.subject)
            obj = constraints.object(r.object)
            text = f"{subject.describe()} {r.relation} {obj.describe()}"
            absent = [constraints.object(i) for i in (r.subject, r.object, r.object2) if i and i not in self.by_id]
            if absent:
                names = " and ".join(a.describe()[4:] for a in absent)
                self.conflicts.append(f"“{text}” cannot hold: there is to be no {names}")
                continue
            s, o, rel = r.subject, r.object, r.relation
            if rel in _AXIS:
                axis = _AXIS[rel][0]
                a, b = (s, o) if _AXIS[rel][1] < 0 else (o, s)
                graph = (xg, yg)[axis]
                key = frozenset((s, o))
                if _reaches(graph, b, a):
                    self.conflicts.append(f"contradiction: {text} — the prompt also puts them the other way round")
                    continue
                if pairs_axis.get(key, axis) != axis:
                    # a diagonal pair: LayoutGPT's cones cannot score both, GenEval can; plan both for GenEval
                    self.conflicts.append(f"contradiction under LayoutGPT's 45° rule: {text} — they are also "
                                          f"related on the other axis (a diagonal pair)")
                    for kept in self.rels:
                        if frozenset((kept[0], kept[2])) == key and kept[1] in _AXIS:
                            self.geneval_only.add(kept[:3])
                    self.geneval_only.add((s, rel, o))
                pairs_axis.setdefault(key, axis)
                graph.setdefault(a, set()).add(b)
            elif rel == "between":
                b, c2 = o, r.object2
                axis = 1 if (_reaches(yg, b, c2) or _reaches(yg, c2, b)) else 0
                graph = (xg, yg)[axis]
                if _reaches(graph, c2, b):
                    b, c2 = c2, b
                if _reaches(graph, s, b) or _reaches(graph, c2, s):
                    self.conflicts.append(f"contradiction: {text} and {constraints.object(c2).describe()} — other "
                                          f"relations put it outside them")
                    continue
                graph.setdefault(b, set()).add(s)
                graph.setdefault(s, set()).add(c2)
                r = type(r)(s, rel, b, c2)
            elif rel in ("inside", "contains"):
                child, cont = (s, o) if rel == "inside" else (o, s)
                if self._ancestor(child, cont):
                    self.conflicts.append(f"contradiction: {text} — the other one is already inside it")
                    continue
                if not self._nest(child, cont):
                    self.conflicts.append(f"cannot plan {text}: it is already inside something unrelated")
                    continue
                if self.by_id[cont].count > 1:
                    self.conflicts.append(f"cannot hold: {text} — one {self.by_id[child].label} cannot be inside "
                                          f"each of {self.by_id[cont].count} separate {self.by_id[cont].label}s")
                    continue
            elif rel in ("in front of", "behind"):
                front, back = (s, o) if rel == "in front of" else (o, s)
                if _reaches(self.zedges, front, back):
                    self.conflicts.append(f"contradiction: {text} — the prompt also puts them the other way round")
                    continue
                if self._ancestor(back, front):
                    self.conflicts.append(f"cannot hold: {text} — it is inside the other, so it would be hidden")
                    continue
                self.zedges.setdefault(back, set()).add(front)
                self.allowed.add(frozenset((s, o)))
            elif rel == "overlapping":
                self.allowed.add(frozenset((s, o)))
            elif rel in ("near", "far from"):
                key = frozenset((s, o))
                if key in (far if rel == "near" else near):
                    self.conflicts.append(f"contradiction: {text} — the prompt also says the opposite")
                    continue
                (near if rel == "near" else far).add(key)
            elif rel in ("larger than", "smaller than"):
                small, big = (o, s) if rel == "larger than" else (s, o)
                if _reaches(sg, big, small):
                    self.conflicts.append(f"contradiction: {text} — the prompt also says the opposite")
                    continue
                sg.setdefault(small, set()).add(big)
            self.rels.append((r.subject if rel != "between" else s, rel, r.object, r.object2))
        for child in self.parent:  # a container may overlap what is inside it
            p = self.parent[child]
            while p is not None:
                self.allowed.add(frozenset((child, p)))
                p = self.parent.get(p)
        # children and fills
        self.children = {o.id: [c for c in self.by_id if self.parent.get(c) == o.id] for o in self.specs}
        self.sizes = {o.id: size_of(o.label, o.shape, o.size) for o in self.specs}
        self.fill_names = self._fills()
        self.labels = self._labels()
        self._ambiguity()
        # instances
        self.inst: list[tuple[str, int]] = [(o.id, k) for o in self.specs for k in range(o.count)]
        self.of: dict[str, list[int]] = {o.id: [] for o in self.specs}
        for i, (sid, _) in enumerate(self.inst):
            self.of[sid].append(i)
        self.n = len(self.inst)
        self.holder = {}  # instance → the container instance it must be inside
        for sid, p in self.parent.items():
            for i in self.of[sid]:
                self.holder[i] = self.of[p][0]
        self.desc = {i: self._descendants(i) for i in range(self.n)}
        self.group = {sid: sorted(set(sum((self.desc[i] for i in self.of[sid]), []))) for sid in self.by_id}
        self.may_overlap = [[self._may(i, j) for j in range(self.n)] for i in range(self.n)]
        self.rank = self._z_rank()
        self.skip_size = set()
        for o in self.specs:  # a large object inside a container, or a small one holding another: often impossible
            others = self.n - o.count
            if o.size == "large" and o.id in self.parent and others <= 2 or (
                    o.size == "small" and self.children[o.id] and others <= 1):
                self.skip_size.add(o.id)
                inner = self.by_id[self.parent[o.id]] if o.size == "large" else self.by_id[self.children[o.id][0]]
                self.conflicts.append(f"cannot hold: {o.describe()} is to be {o.size} (than the other objects' "
                                      f"median) and {'inside' if o.size == 'large' else 'around'} "
                                      f"{inner.describe()}")

    # containment helpers
    def _ancestor(self, a: str, b: str) -> bool:
        """Is ``a`` (transitively) a container of ``b``?"""
        p = self.parent.get(b)
        while p is not None:
            if p == a:
                return True
            p = self.parent.get(p)
        return False

    def _nest(self, child: str, cont: str) -> bool:
        current = self.parent.get(child)
        if current is None or current == cont or self._ancestor(cont, current):
            self.parent[child] = cont if current is None or current == cont else current
            return True
        if self._ancestor(current, cont):  # the new container sits inside the old one: nest deeper
            self.parent[child] = cont
            return True
        top = current
        while self.parent.get(top) is not None:
            top = self.parent[top]
        if self.parent.get(cont) is None and not self._ancestor(cont, top) and cont != top:
            # "a cat in a box in a bag in a car": each new container holds the ones named before it
            self.parent[top] = cont
            return True
        return False

    def _descendants(self, i: int) -> list[int]:
        out = [i]
        for j in range(self.n):
            h = self.holder.get(j)
            while h is not None:
                if h == i:
                    out.append(j)
                    break
                h = self.holder.get(h)
        return out

    def _chain(self, sid: str) -> list[str]:
        out = [sid]
        while self.parent.get(out[-1]) is not None:
            out.append(self.parent[out[-1]])
        return out

    def _may(self, i: int, j: int) -> bool:
        if i == j:
            return True
        a, b = self.inst[i][0], self.inst[j][0]
        ca, cb = self._chain(a), self._chain(b)
        if a in cb and self.holder_chain(j, i) or b in ca and self.holder_chain(i, j):
            return True
        return any(frozenset((x, y)) in self.allowed and x != y for x in ca for y in cb)

    def holder_chain(self, i: int, container: int) -> bool:
        h = self.holder.get(i)
        while h is not None:
            if h == container:
                return True
            h = self.holder.get(h)
        return False

    def _z_rank(self) -> dict[str, int]:
        """Depth layer of each object: behind → in front, containers before their contents."""
        edges: dict[str, set] = {k: set(v) for k, v in self.zedges.items()}
        for child, p in self.parent.items():
            edges.setdefault(p, set()).add(child)
        for s, rel, o, _ in self.rels:
            if rel == "overlapping" and not (_reaches(edges, s, o) or _reaches(edges, o, s)):
                edges.setdefault(o, set()).add(s)
        self.zall = edges
        return _longest(list(self.by_id), edges)

    # colours and labels
    def _fills(self) -> dict[str, str]:
        names = {}
        for o in self.specs:
            if o.color:
                names[o.id] = o.color
                continue
            taken = {p.color for p in self.specs if p.color and p.id != o.id and _same_name(p.label, o.label)}
            name = NATURAL_COLORS.get(canonical_label(o.label)) or NATURAL_COLORS.get(o.label) or NEUTRAL
            if name in taken:
                name = next(c for c in ("gray", "brown", "blue", "green", "orange", "purple", "pink", "yellow",
                                        "black", "white", "red") if c not in taken)
            names[o.id] = name
        return names

    def _labels(self) -> dict[str, str]:
        labels = {}
        for o in self.specs:
            label = o.label
            if o.color and o.color not in label.split():
                candidate = f"{o.color} {label}"
                if self._routes(candidate, o):
                    label = candidate
            labels[o.id] = label
        return labels

    def _mock(self, label: str, o: ObjectSpec) -> LayoutObject:
        rgb = parse_color(CANONICAL_HEX[self.fill_names[o.id]])[:3]
        return LayoutObject(id="m", label=label, shape=shape_of(o), color={"name": basic_name(rgb), "rgb": list(rgb)},
                            bbox=(0, 0, 1, 1), z=0, area=1.0)

    def _routes(self, label: str, o: ObjectSpec) -> bool:
        layout = Layout(width=self.W, height=self.H, objects=(self._mock(label, o),))
        return bool(match_objects(layout, self.c).get(o.id))

    def _ambiguity(self) -> None:
        told = set()
        for o in self.specs:
            if not self._routes(self.labels[o.id], o):
                layout = Layout(width=self.W, height=self.H, objects=(self._mock(self.labels[o.id], o),))
                got = [k for k, v in match_objects(layout, self.c).items() if v]
                other = self.c.object(got[0]).describe() if got else "nothing"
                key = frozenset((o.id, got[0] if got else ""))
                if key not in told:
                    told.add(key)
                    self.conflicts.append(f"cannot be told apart: a drawn {o.label} is counted as {other} by the "
                                          f"checker (same name, no colour or shape to separate them)")


def _same_name(a: str, b: str) -> bool:
    return canonical_label(a) == canonical_label(b)


def shape_of(o: ObjectSpec) -> str:
    """The layout shape a planned object carries (``data-shape``)."""
    if o.shape:
        return o.shape
    if canonical_label(o.label) in SHAPE_LABELS:
        return canonical_label(o.label)
    return "form"


SHAPE_LABELS = {"circle", "square", "rectangle", "triangle", "star", "ellipse", "hexagon", "pentagon", "octagon",
                "heart", "diamond", "cross", "crescent", "arrow", "cube", "sphere", "cylinder", "cone"}


# ---- construction --------------------------------------------------------------------------------------------------
class _Builder:
    def __init__(self, P: _Problem, rng: random.Random):
        self.P, self.rng = P, rng
        self.boxes: list[list[float] | None] = [None] * P.n

    def build(self) -> list[list[float]]:
        P = self.P
        self.level(None, (P.pad, P.pad, P.W - P.pad, P.H - P.pad))
        for i, b in enumerate(self.boxes):  # (never left empty, but be safe)
            if b is None:
                self.boxes[i] = [P.pad, P.pad, P.pad + 10, P.pad + 10]
        return self.boxes

    def _lift(self, sid: str, level: str | None) -> str | None:
        chain = self.P._chain(sid)
        for k, s in enumerate(chain):
            if self.P.parent.get(s) == level:
                return s
        return None

    def level(self, parent: str | None, rect) -> None:
        P = self.P
        members = [o.id for o in P.specs if P.parent.get(o.id) == parent]
        if not members:
            return
        # units: depth stacks (in front of / behind / overlapping) at this level
        root = {m: m for m in members}

        def find(x):
            while root[x] != x:
                x = root[x]
            return x

        for pair in P.allowed:
            a, b = tuple(pair) if len(pair) == 2 else (None, None)
            if a in root and b in root and P.parent.get(a) != b and P.parent.get(b) != a:
                root[find(a)] = find(b)
        units: list[list[str]] = []
        index = {}
        for m in members:
            r = find(m)
            if r not in index:
                index[r] = len(units)
                units.append([])
            units[index[r]].append(m)
        unit_of = {m: index[find(m)] for m in members}
        cons = []  # (kind, u, v)
        regions: dict[int, str] = {}
        for s, rel, o, o2 in P.rels:
            a, b = self._lift(s, parent), self._lift(o, parent)
            if a is None or b is None:
                continue
            ua, ub = unit_of[a], unit_of[b]
            if rel == "between":
                c = self._lift(o2, parent)
                if c is None:
                    continue
                uc = unit_of[c]
                axis = "x" if (b in P.xg and s in P.xg.get(b, ())) or _reaches(P.xg, b, s) else "y"
                for u, v in ((ub, ua), (ua, uc)):
                    if u != v:
                        cons.append((axis, u, v))
                continue
            if ua == ub:
                continue
            if rel in _AXIS:
                axis, sign = _AXIS[rel]
                u, v = (ua, ub) if sign < 0 else (ub, ua)
                cons.append(("xy"[axis], u, v))
            elif rel == "near":
                cons.append(("near", ua, ub))
            elif rel == "far from":
                cons.append(("far", ua, ub))
        for m in members:
            for sid in [m] + [x for x in P.by_id if m in P._chain(x)]:
                if P.by_id[sid].region and unit_of[m] not in regions:
                    regions[unit_of[m]] = P.by_id[sid].region
        cells = self.grid(units, cons, regions, rect)
        # sizes: one scale for the plain objects of this level
        fits = {}
        for u, unit in enumerate(units):
            if len(unit) == 1 and not P.children[unit[0]]:
                fits[u] = self.fit(unit[0], cells[u], cons, u)[0]
        if fits:
            values = sorted(fits.values())
            k = values[0] * math.sqrt(values[len(values) // 2] / values[0])
        else:
            k = None
        for u, unit in enumerate(units):
            if len(unit) > 1:
                self.stack(unit, cells[u])
            else:
                self.place(unit[0], cells[u], k, cons, u)

    def grid(self, units, cons, regions, rect) -> dict[int, tuple]:
        """Cells for the units: (x0, y0, x1, y1) each, from a backtracking search over grids and cells."""
        rng = self.rng
        n = len(units)
        x0, y0, x1, y1 = rect
        w, h = x1 - x0, y1 - y0
        if n == 1 and not regions:
            return {0: rect}
        xe = {u: set() for u in range(n)}
        ye = {u: set() for u in range(n)}
        for kind, u, v in cons:
            if kind == "x":
                xe[u].add(v)
            elif kind == "y":
                ye[u].add(v)
        xl, yl = _longest(list(range(n)), xe), _longest(list(range(n)), ye)
        need_c, need_r = max(xl.values()) + 1, max(yl.values()) + 1
        limit = max(6, math.ceil(math.sqrt(n)) + 2, need_c, need_r)
        candidates = []
        for C in range(1, limit + 1):
            for R in range(1, limit + 1):
                if C * R < n or C < need_c or R < need_r or C * R > n + max(3, n):
                    continue
                cell_aspect = (w / C) / (h / R)
                cost = 0.5 * (C * R - n) + abs(math.log(cell_aspect)) + 1.2 * rng.random()
                candidates.append((cost, C, R))
        candidates.sort()
        degree = [0] * n
        for _, u, v in cons:
            degree[u] += 1
            degree[v] += 1
        for strict in (True, False):  # "near" side by side first (next to, beside), then any adjacent cell
            for _, C, R in candidates[:12]:
                cw, ch = w / C, h / R
                found = self._assign(n, C, R, cw, ch, rect, cons, regions, degree, strict)
                if found is not None:
                    return {u: (x0 + c * cw, y0 + r * ch, x0 + (c + 1) * cw, y0 + (r + 1) * ch)
                            for u, (c, r) in found.items()}
            if not any(kind == "near" for kind, _, _ in cons):
                break
        # fallback: row-major cells in a grid just big enough, constraints ignored (the repair does what it can)
        C = max(need_c, math.ceil(math.sqrt(n)))
        R = max(need_r, math.ceil(n / C))
        cw, ch = w / C, h / R
        order = sorted(range(n), key=lambda u: (xl[u], yl[u]))
        out = {}
        used = set()
        for u in order:
            c = min(xl[u], C - 1)
            r = min(yl[u], R - 1)
            while (c, r) in used:
                c = (c + 1) % C
                if c == 0:
                    r = (r + 1) % R
            used.add((c, r))
            out[u] = (x0 + c * cw, y0 + r * ch, x0 + (c + 1) * cw, y0 + (r + 1) * ch)
        return out

    def _assign(self, n, C, R, cw, ch, rect, cons, regions, degree, strict=False):
        P, rng = self.P, self.rng
        x0, y0 = rect[0], rect[1]
        order = sorted(range(n), key=lambda u: (-degree[u] - (3 if u in regions else 0), rng.random()))
        cells = [(c, r) for r in range(R) for c in range(C)]
        by_unit: dict[int, list] = {u: [] for u in range(n)}
        for kind, u, v in cons:
            by_unit[u].append((kind, u, v))
            by_unit[v].append((kind, u, v))

        def centre(cell):
            return (x0 + (cell[0] + 0.5) * cw, y0 + (cell[1] + 0.5) * ch)

        def region_ok(u, cell):
            region = regions.get(u)
            if not region:
                return True
            cx, cy = centre(cell)
            for part in region.split():
                if part == "center":
                    if not (P.W / 3 < cx < 2 * P.W / 3 and P.H / 3 < cy < 2 * P.H / 3):
                        return False
                elif part == "left" and not cx < P.W / 3:
                    return False
                elif part == "right" and not cx > 2 * P.W / 3:
                    return False
                elif part == "top" and not cy < P.H / 3:
                    return False
                elif part == "bottom" and not cy > 2 * P.H / 3:
                    return False
            return True

        def ok(u, cell, assigned):
            for kind, a, b in by_unit[u]:
                other = b if a == u else a
                if other not in assigned:
                    continue
                ca, cb = (cell, assigned[other]) if a == u else (assigned[other], cell)
                dc, dr = cb[0] - ca[0], cb[1] - ca[1]
                if kind == "x" and not (dc > 0 and abs(dr) * ch <= 0.45 * dc * cw):
                    return False
                if kind == "y" and not (dr > 0 and abs(dc) * cw <= 0.45 * dr * ch):
                    return False
                if kind == "near" and (max(abs(dc), abs(dr)) != 1 or strict and dr != 0):
                    return False
                if kind == "far":
                    (ax, ay), (bx, by) = centre(ca), centre(cb)
                    if math.hypot(ax - bx, ay - by) < 0.42 * P.diag:
                        return False
            return True

        assigned: dict[int, tuple] = {}
        used: set = set()
        budget = [3000]

        def search(k):
            if k == n:
                return True
            u = order[k]
            domain = [c for c in cells if c not in used and region_ok(u, c)]
            rng.shuffle(domain)
            for cell in domain:
                budget[0] -= 1
                if budget[0] < 0:
                    return False
                if ok(u, cell, assigned):
                    assigned[u] = cell
                    used.add(cell)
                    if search(k + 1):
                        return True
                    del assigned[u]
                    used.discard(cell)
            return False

        return dict(assigned) if search(0) else None

    def _axes(self, sid: str, cons, u) -> set:
        return {kind for kind, a, b in cons if u in (a, b) and kind in ("x", "y")}

    def fit(self, sid: str, rect, cons=(), u=None):
        """(scale, arrangement) of ``sid``'s instances in ``rect``: the largest scale at which they fit."""
        P = self.P
        n = P.by_id[sid].count
        s, aspect = P.sizes[sid]
        x0, y0, x1, y1 = rect
        w, h = (x1 - x0) * 0.9, (y1 - y0) * 0.9
        axes = self._axes(sid, cons, u) if u is not None else set()
        best = None
        for cols in range(1, n + 1):
            rows = math.ceil(n / cols)
            if cols > 1 and (cols - 1) * rows >= n:
                continue
            sw, sh = w / cols, h / rows
            scale = min(sw / (s * math.sqrt(aspect)), sh * math.sqrt(aspect) / s) * 0.86
            # spread along a relation's axis, not across it (GenEval compares every pair)
            if axes == {"x"}:
                scale *= 0.8 ** (rows - 1)
            elif axes == {"y"}:
                scale *= 0.8 ** (cols - 1)
            if best is None or scale > best[0]:
                best = (scale, cols, rows)
        return best[0], best[1:]

    def place(self, sid: str, rect, k, cons=(), u=None) -> None:
        P, rng = self.P, self.rng
        spec = P.by_id[sid]
        s, aspect = P.sizes[sid]
        x0, y0, x1, y1 = rect
        container = bool(P.children[sid])
        axes = self._axes(sid, cons, u) if u is not None else set()
        if container:
            cols, rows = (spec.count, 1) if (x1 - x0) >= (y1 - y0) else (1, spec.count)
            asp = math.sqrt(aspect * ((x1 - x0) / cols) / ((y1 - y0) / rows))
            sw, sh = (x1 - x0) / cols, (y1 - y0) / rows
            bw = min(sw * 0.94, sh * 0.94 * asp)
            bh = bw / asp
            fill_scale = None
        else:
            fill_scale, (cols, rows) = self.fit(sid, rect, cons, u)
            scale = fill_scale if k is None else min(k, fill_scale)
            bw, bh = scale * s * math.sqrt(aspect), scale * s / math.sqrt(aspect)
        minimum = max(6.0, 0.03 * P.D)
        sw, sh = (x1 - x0) / cols, (y1 - y0) / rows
        # the arrangement's block, jittered inside the rect
        spread_x = 0.25 if "y" in axes else 0.7
        spread_y = 0.25 if "x" in axes else 0.7
        for idx, i in enumerate(P.of[sid]):
            c, r = idx % cols, idx // cols
            jitter = 1.0 if container else rng.uniform(0.86, 1.0)
            w = max(minimum, bw * jitter)
            hh = max(minimum, bh * jitter)
            w, hh = min(w, sw * 0.98), min(hh, sh * 0.98)
            free_x, free_y = max(0.0, sw - w), max(0.0, sh - hh)
            cx = x0 + (c + 0.5) * sw + rng.uniform(-0.5, 0.5) * free_x * spread_x
            cy = y0 + (r + 0.5) * sh + rng.uniform(-0.5, 0.5) * free_y * spread_y
            self.boxes[i] = [cx - w / 2, cy - hh / 2, cx + w / 2, cy + hh / 2]
        if container:
            b = self.boxes[P.of[sid][0]]
            bw, bh = b[2] - b[0], b[3] - b[1]
            inner = (b[0] + 0.1 * bw, b[1] + 0.16 * bh, b[2] - 0.1 * bw, b[3] - 0.08 * bh)
            self.level(sid, inner)

    def stack(self, unit: list[str], rect) -> None:
        """A depth stack: layers from back (top, smaller) to front (lower, larger), overlapping."""
        P, rng = self.P, self.rng
        layer = _longest(unit, {a: {b for b in P.zall.get(a, ()) if b in unit} for a in unit})
        depth = max(layer.values()) + 1
        x0, y0, x1, y1 = rect
        w, h = x1 - x0, y1 - y0
        overlap = 0.35
        lh = h / (1 + (depth - 1) * (1 - overlap))
        step = lh * (1 - overlap)
        for d in range(depth):
            members = [m for m in unit if layer[m] == d]
            lw = w * (0.72 + 0.28 * (d / (depth - 1) if depth > 1 else 1))
            lx = x0 + (w - lw) * (0.5 + rng.uniform(-0.5, 0.5) * (1 if d < depth - 1 else 0.3))
            ly = y0 + d * step
            part = lw / len(members)
            for j, m in enumerate(members):
                sub = (lx + j * part, ly, lx + (j + 1) * part, ly + lh)
                self.place(m, sub, None)


# ---- the penalty ---------------------------------------------------------------------------------------------------
def _gen(a, b, axis, sign) -> float:
    """GenEval margin of box ``a`` relative to ``b`` for the relation on ``axis`` with ``sign`` (-1: left/above)."""
    ax, ay = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    bx, by = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    ox, oy = ax - bx, ay - by
    norm = math.hypot(ox, oy)
    if norm < 1e-9:
        return -0.5
    d = (ox, oy)[axis]
    size = (a[2] - a[0] + b[2] - b[0]) if axis == 0 else (a[3] - a[1] + b[3] - b[1])
    rev = math.copysign(max(abs(d) - 0.1 * size, 0.0), d)
    return sign * rev / norm - 0.5


def _lgpt(a, b, axis, sign) -> float:
    ax, ay = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    bx, by = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    dist = math.hypot(ax - bx, ay - by)
    if dist < 1e-9:
        return -1.0
    d = (ax - bx, ay - by)[axis] / dist
    return sign * d - math.sqrt(2) / 2


def _gap(a, b) -> float:
    gx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    gy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return math.hypot(gx, gy)


def _area(b) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _inter(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _violations(P: _Problem, boxes) -> list[tuple]:
    """Every unmet requirement: (amount > 0, kind, spec a, spec b, instance i, instance j)."""
    out = []
    D, W, H, pad = P.D, P.W, P.H, P.pad
    for i, b in enumerate(boxes):
        if i in P.holder:
            continue
        over = max(0.0, pad - b[0]) + max(0.0, b[2] - (W - pad)) + max(0.0, pad - b[1]) + max(0.0, b[3] - (H - pad))
        if over > 0:
            out.append((over / D + 0.01, "bounds", P.inst[i][0], None, i, None))
    n = P.n
    for i in range(n):
        bi = boxes[i]
        row = P.may_overlap[i]
        for j in range(i + 1, n):
            if row[j]:
                continue
            bj = boxes[j]
            ix = min(bi[2], bj[2]) - max(bi[0], bj[0]) + GAP
            if ix <= 0:
                continue
            iy = min(bi[3], bj[3]) - max(bi[1], bj[1]) + GAP
            if iy > 0:
                out.append((min(ix, iy) / D + 0.01, "overlap", P.inst[i][0], P.inst[j][0], i, j))
    for i, h in P.holder.items():
        c, p = boxes[i], boxes[h]
        t = max(3.0, 0.03 * min(p[2] - p[0], p[3] - p[1]))
        short = max(t - (c[0] - p[0]), t - (c[1] - p[1]), t - (p[2] - c[2]), t - (p[3] - c[3]))
        if short > 0:
            out.append((short / D + 0.01, "inside", P.inst[i][0], P.inst[h][0], i, h))
    for s, rel, o, o2 in P.rels:
        A, B = P.of[s], P.of[o]
        if rel in _AXIS:
            axis, sign = _AXIS[rel]
            worst, wi, wj, best = math.inf, None, None, -math.inf
            for i in A:
                for j in B:
                    g = _gen(boxes[i], boxes[j], axis, sign)
                    if g < worst:
                        worst, wi, wj = g, i, j
                    best = max(best, _lgpt(boxes[i], boxes[j], axis, sign))
            amount = max(0.0, T_GENEVAL - worst)
            if (s, rel, o) not in P.geneval_only:
                amount += max(0.0, T_LAYOUTGPT - best)
            if amount > 0:
                out.append((amount + 0.01, rel, s, o, wi, wj))
        elif rel == "near":
            g, wi, wj = min((_gap(boxes[i], boxes[j]), i, j) for i in A for j in B)
            if g > NEAR_GAP * P.diag:
                out.append(((g - NEAR_GAP * P.diag) / D + 0.01, rel, s, o, wi, wj))
        elif rel == "far from":
            d, wi, wj = min((math.dist(_c(boxes[i]), _c(boxes[j])), i, j) for i in A for j in B)
            if d < FAR_DIST * P.diag:
                out.append(((FAR_DIST * P.diag - d) / D + 0.01, rel, s, o, wi, wj))
        elif rel == "overlapping":
            best, wi, wj = max((min(min(boxes[i][2], boxes[j][2]) - max(boxes[i][0], boxes[j][0]),
                                    min(boxes[i][3], boxes[j][3]) - max(boxes[i][1], boxes[j][1])), i, j)
                               for i in A for j in B)
            need = 0.15 * min(boxes[wi][2] - boxes[wi][0], boxes[wi][3] - boxes[wi][1], boxes[wj][2] - boxes[wj][0],
                              boxes[wj][3] - boxes[wj][1])
            if best < need:
                out.append(((need - best) / D + 0.01, rel, s, o, wi, wj))
        elif rel in ("larger than", "smaller than"):
            big, small = (A, B) if rel == "larger than" else (B, A)
            r, wi, wj = min((_area(boxes[i]) / max(_area(boxes[j]), 1e-9), i, j) for i in big for j in small)
            if r < SIZE_RATIO:
                out.append((SIZE_RATIO - r + 0.01, rel, s, o, wi, wj))
        elif rel == "between":
            worst, wi = math.inf, None
            for i in A:
                for j in B:
                    for k in P.of[o2]:
                        (ax, ay), (bx, by), (cx, cy) = _c(boxes[i]), _c(boxes[j]), _c(boxes[k])
                        vx, vy = cx - bx, cy - by
                        l2 = vx * vx + vy * vy
                        t = ((ax - bx) * vx + (ay - by) * vy) / l2 if l2 else -1.0
                        if min(t, 1 - t) < worst:
                            worst, wi = min(t, 1 - t), i
            if worst < BETWEEN_T:
                out.append((BETWEEN_T - worst + 0.01, rel, s, o, wi, None))
    for o in P.specs:
        if o.region:
            for i in P.of[o.id]:
                cx, cy = _c(boxes[i])
                m = math.inf
                for part in o.region.split():
                    if part == "center":
                        m = min(m, cx - W / 3, 2 * W / 3 - cx, cy - H / 3, 2 * H / 3 - cy)
                    else:
                        m = min(m, {"left": W / 3 - cx, "right": cx - 2 * W / 3, "top": H / 3 - cy,
                                    "bottom": cy - 2 * H / 3}[part])
                need = REGION_MARGIN * D
                if m < need:
                    out.append(((need - m) / D + 0.01, "region", o.id, None, i, None))
        if o.size and o.id not in P.skip_size:
            mine = [_area(boxes[i]) for i in P.of[o.id]]
            others = sorted(_area(boxes[j]) for j in range(P.n) if P.inst[j][0] != o.id)
            ref = others[len(others) // 2] if others else W * H * (0.1 if o.size == "large" else 0.05)
            r = min(mine) / ref if o.size == "large" else ref / max(max(mine), 1e-9)
            if r < SIZE_RATIO:
                out.append((SIZE_RATIO - r + 0.01, "size", o.id, None, P.of[o.id][0], None))
    # visibility: what is drawn over an object must leave part of it visible
    for i in range(n):
        bi = boxes[i]
        ai = _area(bi)
        if ai <= 0:
            continue
        ri = P.rank[P.inst[i][0]]
        covered, worst, wj = 0.0, 0.0, None
        for j in range(n):
            if j == i or not P.may_overlap[i][j] or P.rank[P.inst[j][0]] <= ri and not P.holder_chain(j, i):
                continue
            x = _inter(bi, boxes[j])
            covered += x
            if x > worst:
                worst, wj = x, j
        if covered / ai > COVER:
            out.append((covered / ai - COVER + 0.01, "hidden", P.inst[i][0], P.inst[wj][0], i, wj))
    return out


def _c(b) -> tuple[float, float]:
    return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


# ---- repair --------------------------------------------------------------------------------------------------------
def _moved(boxes, idx, dx, dy):
    new = list(boxes)
    for i in idx:
        b = boxes[i]
        new[i] = [b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy]
    return new


def _scaled(boxes, idx, f, fy=None, sizes=True):
    """Scale the boxes ``idx`` about their common centre (positions by f / fy; sizes too when ``sizes``)."""
    fy = f if fy is None else fy
    x0 = min(boxes[i][0] for i in idx)
    y0 = min(boxes[i][1] for i in idx)
    x1 = max(boxes[i][2] for i in idx)
    y1 = max(boxes[i][3] for i in idx)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    new = list(boxes)
    for i in idx:
        b = boxes[i]
        bx, by = _c(b)
        hw, hh = (b[2] - b[0]) / 2, (b[3] - b[1]) / 2
        if sizes:
            hw, hh = hw * f, hh * fy
        nx, ny = cx + (bx - cx) * f, cy + (by - cy) * fy
        new[i] = [nx - hw, ny - hh, nx + hw, ny + hh]
    return new


def _candidates(P: _Problem, boxes, v, rng) -> list:
    amount, kind, a, b, i, j = v
    D = P.D
    ga = P.group[a]
    gb = P.group[b] if b else None
    gi = P.desc[i] if i is not None else None
    gj = P.desc[j] if j is not None else None
    out = []
    if kind == "bounds":
        bx = boxes[i]
        dx = max(0.0, P.pad - bx[0]) - max(0.0, bx[2] - (P.W - P.pad))
        dy = max(0.0, P.pad - bx[1]) - max(0.0, bx[3] - (P.H - P.pad))
        out += [_moved(boxes, gi, dx, dy), _moved(boxes, ga, dx, dy), _scaled(boxes, gi, 0.85),
                _scaled(boxes, ga, 0.85)]
    elif kind == "overlap":
        bi, bj = boxes[i], boxes[j]
        (cix, ciy), (cjx, cjy) = _c(bi), _c(bj)
        ix = min(bi[2], bj[2]) - max(bi[0], bj[0]) + GAP + 1
        iy = min(bi[3], bj[3]) - max(bi[1], bj[1]) + GAP + 1
        sx = -1 if cix < cjx else 1
        sy = -1 if ciy < cjy else 1
        for g, sgn in ((gi, 1), (gj, -1)):
            out += [_moved(boxes, g, sgn * sx * ix, 0), _moved(boxes, g, 0, sgn * sy * iy),
                    _moved(boxes, g, sgn * sx * ix / 2, sgn * sy * iy / 2)]
        out += [_scaled(boxes, gi, 0.85), _scaled(boxes, gj, 0.85)]
        if a == b:
            out += [_scaled(boxes, ga, 1.15, sizes=False), _scaled(boxes, ga, 0.9)]
    elif kind == "inside":
        c, p = boxes[i], boxes[j]
        t = max(3.0, 0.03 * min(p[2] - p[0], p[3] - p[1])) + 1
        dx = max(0.0, p[0] + t - c[0]) - max(0.0, c[2] - (p[2] - t))
        dy = max(0.0, p[1] + t - c[1]) - max(0.0, c[3] - (p[3] - t))
        out += [_moved(boxes, gi, dx, dy), _scaled(boxes, gi, 0.85), _scaled(boxes, P.desc[j], 1.1)]
    elif kind in _AXIS:
        axis, sign = _AXIS[kind]
        bi, bj = boxes[i], boxes[j]
        ci, cj = _c(bi), _c(bj)
        along = [0.0, 0.0]
        for step in (0.05 * D, 0.12 * D):
            along = [0.0, 0.0]
            along[axis] = sign * step
            out += [_moved(boxes, ga, *along), _moved(boxes, gb, -along[0], -along[1]), _moved(boxes, gi, *along)]
        other = 1 - axis
        diff = cj[other] - ci[other]
        for frac in (0.5, 1.0):
            delta = [0.0, 0.0]
            delta[other] = diff * frac
            out += [_moved(boxes, gi, *delta), _moved(boxes, ga, *delta),
                    _moved(boxes, gb, -delta[0], -delta[1])]
        fx, fy = (1.0, 0.7) if axis == 0 else (0.7, 1.0)
        out += [_scaled(boxes, ga, fx, fy, sizes=False), _scaled(boxes, gb, fx, fy, sizes=False),
                _scaled(boxes, ga, 0.85), _scaled(boxes, gb, 0.85)]
    elif kind in ("near", "overlapping"):
        bi, bj = boxes[i], boxes[j]
        (cix, ciy), (cjx, cjy) = _c(bi), _c(bj)
        for frac in (0.3, 0.6):
            out += [_moved(boxes, ga, (cjx - cix) * frac, (cjy - ciy) * frac),
                    _moved(boxes, gb, (cix - cjx) * frac, (ciy - cjy) * frac),
                    _moved(boxes, gi, (cjx - cix) * frac, (cjy - ciy) * frac)]
    elif kind == "far from":
        (cix, ciy), (cjx, cjy) = _c(boxes[i]), _c(boxes[j])
        dx, dy = cix - cjx, ciy - cjy
        norm = math.hypot(dx, dy) or 1.0
        for step in (0.1 * D, 0.25 * D):
            out += [_moved(boxes, ga, dx / norm * step, dy / norm * step),
                    _moved(boxes, gb, -dx / norm * step, -dy / norm * step)]
        out += [_scaled(boxes, ga, 0.85), _scaled(boxes, gb, 0.85)]
    elif kind in ("larger than", "smaller than", "size"):
        grow = kind == "larger than" or (kind == "size" and P.by_id[a].size == "large")
        out += [_scaled(boxes, ga, 1.12 if grow else 0.88)]
        if gb:
            out += [_scaled(boxes, gb, 0.88 if grow else 1.12)]
        else:
            rest = [k for k in range(P.n) if k not in ga]
            if rest:
                new = boxes
                for sid in P.by_id:
                    if sid != a and P.parent.get(sid) is None:
                        new = _scaled(new, P.group[sid], 0.88 if grow else 1.1)
                out.append(new)
    elif kind == "between":
        r = next(x for x in P.rels if x[0] == a and x[1] == "between")
        (bx, by), (cx, cy) = _c(boxes[P.of[r[2]][0]]), _c(boxes[P.of[r[3]][0]])
        ax, ay = _c(boxes[i])
        for frac in (0.5, 1.0):
            out += [_moved(boxes, gi, ((bx + cx) / 2 - ax) * frac, ((by + cy) / 2 - ay) * frac)]
    elif kind == "region":
        o = P.by_id[a]
        cx, cy = _c(boxes[i])
        tx, ty = cx, cy
        for part in o.region.split():
            if part == "left":
                tx = min(cx, P.W / 6 + rng.uniform(-0.05, 0.05) * P.W)
            elif part == "right":
                tx = max(cx, 5 * P.W / 6 + rng.uniform(-0.05, 0.05) * P.W)
            elif part == "top":
                ty = min(cy, P.H / 6 + rng.uniform(-0.05, 0.05) * P.H)
            elif part == "bottom":
                ty = max(cy, 5 * P.H / 6 + rng.uniform(-0.05, 0.05) * P.H)
            else:
                tx, ty = P.W / 2, P.H / 2
        out += [_moved(boxes, gi, tx - cx, ty - cy), _moved(boxes, ga, tx - cx, ty - cy),
                _scaled(_moved(boxes, gi, tx - cx, ty - cy), gi, 0.8)]
    elif kind == "hidden":
        bi, bj = boxes[i], boxes[j]
        (cix, ciy), (cjx, cjy) = _c(bi), _c(bj)
        dx = (cjx - cix) or 1.0
        dy = (cjy - ciy) or 1.0
        hw, hh = (bi[2] - bi[0]) * 0.25, (bi[3] - bi[1]) * 0.25
        out += [_moved(boxes, gj, math.copysign(hw, dx), 0), _moved(boxes, gj, 0, math.copysign(hh, dy)),
                _moved(boxes, gi, -math.copysign(hw, dx), -math.copysign(hh, dy)), _scaled(boxes, gj, 0.85)]
    # a random nudge of what is involved
    g = gi if gi is not None else ga
    out.append(_moved(boxes, g, rng.uniform(-0.1, 0.1) * D, rng.uniform(-0.1, 0.1) * D))
    return out


def _penalty(vs) -> float:
    return sum(v[0] for v in vs)


def _repair(P: _Problem, boxes, rng, steps=STEPS, budget=None):
    vs = _violations(P, boxes)
    cost = _penalty(vs)
    stale = 0
    budget = budget if budget is not None else [10 ** 9]
    for _ in range(steps):
        if not vs or budget[0] <= 0:
            break
        weights = [v[0] for v in vs]
        v = rng.choices(vs, weights=weights)[0]
        best, best_cost, best_vs = None, cost, None
        for cand in _candidates(P, boxes, v, rng):
            budget[0] -= 1
            cvs = _violations(P, cand)
            c = _penalty(cvs)
            if c < best_cost - 1e-9:
                best, best_cost, best_vs = cand, c, cvs
        if best is None:
            stale += 1
            if stale > 12:
                break
            continue
        stale = 0
        boxes, cost, vs = best, best_cost, best_vs
    return boxes, vs


def _clamp(P: _Problem, boxes) -> list[list[float]]:
    """Every top-level object (with what it holds) moved, and if need be shrunk, into the padded canvas."""
    for i in range(P.n):
        if i in P.holder:
            continue
        b = boxes[i]
        room_w, room_h = P.W - 2 * P.pad, P.H - 2 * P.pad
        f = min(1.0, room_w / max(b[2] - b[0], 1e-9), room_h / max(b[3] - b[1], 1e-9))
        if f < 1.0:
            boxes = _scaled(boxes, P.desc[i], f * 0.999)
            b = boxes[i]
        dx = max(0.0, P.pad - b[0]) - max(0.0, b[2] - (P.W - P.pad))
        dy = max(0.0, P.pad - b[1]) - max(0.0, b[3] - (P.H - P.pad))
        if dx or dy:
            boxes = _moved(boxes, P.desc[i], dx, dy)
    return boxes


def _snap(boxes) -> list[list[float]]:
    out = []
    for b in boxes:
        x0, y0 = round(b[0]), round(b[1])
        x1, y1 = max(x0 + 2, round(b[2])), max(y0 + 2, round(b[3]))
        out.append([float(x0), float(y0), float(x1), float(y1)])
    return out


def _z_order(P: _Problem, boxes) -> list[int]:
    """Paint order: containers before contents, behind before in front, else the prompt's order."""
    before: dict[int, set] = {i: set() for i in range(P.n)}
    for i, h in P.holder.items():
        before[i].add(h)
    for back, fronts in P.zall.items():
        for front in fronts:
            for i in P.of[front]:
                before[i].update(P.of[back])
    count = {i: len(before[i]) for i in range(P.n)}
    after: dict[int, list] = {i: [] for i in range(P.n)}
    for i, bs in before.items():
        for b in bs:
            after[b].append(i)
    key = lambda i: (P.order[P.inst[i][0]], i)  # noqa: E731  (prompt order where nothing else decides)
    heap = [(key(i), i) for i in range(P.n) if count[i] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for j in after[i]:
            count[j] -= 1
            if count[j] == 0:
                heapq.heappush(heap, (key(j), j))
    if len(order) < P.n:  # (cycles were removed in the analysis; keep every object anyway)
        order += [i for i in range(P.n) if i not in order]
    return order


def _layout(P: _Problem, boxes) -> tuple[Layout, dict]:
    objects, fills = [], {}
    for z, i in enumerate(_z_order(P, boxes)):
        sid = P.inst[i][0]
        o = P.by_id[sid]
        hexa = CANONICAL_HEX[P.fill_names[sid]]
        rgb = list(parse_color(hexa)[:3])
        b = tuple(boxes[i])
        objects.append(LayoutObject(id=f"o{z}", label=P.labels[sid], shape=shape_of(o),
                                    color={"name": basic_name(tuple(rgb)), "rgb": rgb}, bbox=b, z=z,
                                    area=round((b[2] - b[0]) * (b[3] - b[1]), 2)))
        fills[f"o{z}"] = hexa
    return Layout(width=P.W, height=P.H, objects=tuple(objects)), fills


def scene_of(constraints: Constraints) -> str:
    """ "outdoor" when the prompt names outdoor things or places (sky and ground are drawn), else "plain"."""
    words = set(constraints.prompt.lower().replace(",", " ").replace(".", " ").split())
    labels = {canonical_label(o.label) for o in constraints.objects if o.count > 0} | {
        o.label for o in constraints.objects if o.count > 0}
    return "outdoor" if (labels | words) & OUTDOOR_WORDS else "plain"


def plan(constraints: Constraints | str, width: int = 512, height: int = 512, seed: int = 0,
         tries: int = TRIES) -> Plan:
    """Plan a layout for ``constraints`` (or a prompt, parsed first) on a ``width`` × ``height`` canvas."""
    if isinstance(constraints, str):
        from .parse import parse

        constraints = parse(constraints)
    width, height = int(width), int(height)
    if width < 16 or height < 16:
        raise SketchError(f"the canvas must be at least 16×16 pixels, got {width}×{height}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise SketchError(f"the seed must be a whole number, got {seed!r}")
    P = _Problem(constraints, width, height)
    best = None
    used = 0
    budget = [max(60, int(WORK / (P.n * P.n + 1)))]  # penalty evaluations for all tries: bounded, deterministic
    for attempt in range(max(1, tries)):
        used = attempt + 1
        rng = random.Random(seed * 7919 + attempt * 104729 + 17)
        boxes = _Builder(P, rng).build()
        boxes, _ = _repair(P, boxes, rng, budget=budget)
        boxes = _snap(_clamp(P, boxes))
        vs = _violations(P, boxes)
        layout, fills = _layout(P, boxes)
        reports = {rule: check(layout, constraints, rule) for rule in RULES_CHECKED}
        failed = sum(not c.passed for r in reports.values() for c in r.checks)
        score = (failed, _penalty(vs))
        if best is None or score < best[0]:
            best = (score, layout, fills, reports)
        if not vs and (failed == 0 or P.conflicts) or budget[0] <= 0:
            break  # every kept constraint holds (what still fails is a named conflict), or the work is spent
    _, layout, fills, reports = best
    return Plan(constraints=constraints, layout=layout, reports=reports, conflicts=tuple(P.conflicts), seed=seed,
                tries=used, scene=scene_of(constraints), fills=fills)
