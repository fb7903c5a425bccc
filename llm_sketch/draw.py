"""A planned ``Layout`` → SVG: each object as a simple, recognisable form filling exactly its planned box.

Shapes are drawn as themselves (circle, star, hexagon, heart, cube, …); the 80 COCO classes and a few common things
as clean silhouettes of a handful of parts (a car: body, cabin, windows, wheels); anything else as a rounded form.
The body is filled with the object's colour (the largest part, so the colour names back to it), details with darker
or lighter shades of it. Every object is one ``<g data-label="…" data-shape="…">`` whose drawn extent is its planned
box: parts are fitted inside the box less half the outline width, and outlines use round joins, so nothing (no
miter tip) sticks out and ``extract_layout`` recovers the box. The background is sky and ground for outdoor scenes,
plain white otherwise (one unlabelled full-canvas rectangle, which layout extraction ignores).

Styles: ``auto`` (outlined forms, background from the prompt), ``scene`` (always sky and ground), ``plain`` (always
a plain background), ``flat`` (solid silhouettes in the body colour, no outlines or details, plain background: clean
masks for regional conditioning).
"""

from __future__ import annotations

import math
import zlib
from xml.sax.saxutils import quoteattr

from . import geometry as geo
from .colors import parse_color, to_hex
from .layout import Layout
from .words import COLOR_WORDS, canonical_label

STYLES = ("auto", "scene", "plain", "flat")
SKY_TOP, SKY_HORIZON, GROUND_NEAR, GROUND_FAR = "#8ecae6", "#dcf0fa", "#9ccc65", "#c5e1a5"
HORIZON = 0.62
PLAIN = "#ffffff"
FIXED_TONES = {"ink": "#37474f", "white": "#ffffff", "glass": "#b3e5fc", "leaf": "#43a047", "trunk": "#795548",
               "skin": "#f1c27d", "red": "#e53935", "yellow": "#fdd835", "greenlight": "#66bb6a", "pot": "#b5653a",
               "bread": "#e0b872", "roof": "#8d4a3a"}


# ---- the design language: parts in a unit box ---------------------------------------------------------------------
def R(x0, y0, x1, y1, r=0.0, t="b"):
    """A rectangle; ``r``: corner radius as a fraction of its shorter side (at most 0.5)."""
    return ("rect", (x0, y0, x1, y1, r), t)


def E(cx, cy, rx, ry, t="b"):
    return ("ellipse", (cx, cy, rx, ry), t)


def P(points, t="b"):
    """A closed polygon (drawn as a path: round joins, no miter tips)."""
    d = "M " + " L ".join(f"{x} {y}" for x, y in points) + " Z"
    return ("path", geo.parse_path(d), t)


def Q(d: str, t="b"):
    """A path in unit coordinates (absolute M, L, C, Q, A, Z; arcs unrotated)."""
    return ("path", geo.parse_path(d), t)


def _regular(n, r=0.5, cx=0.5, cy=0.5, start=-90.0):
    return [(cx + r * math.cos(math.radians(start + 360 * k / n)), cy + r * math.sin(math.radians(start + 360 * k / n)))
            for k in range(n)]


def _star(points=5, inner=0.4):
    out = []
    for k in range(2 * points):
        r = 0.5 if k % 2 == 0 else 0.5 * inner
        a = math.radians(-90 + 180 * k / points)
        out.append((0.5 + r * math.cos(a), 0.5 + r * math.sin(a)))
    return out


def _legs(xs, y0, y1, w, t="d"):
    return [R(x, y0, x + w, y1, 0.4, t) for x in xs]


def _quadruped(head=(0.84, 0.3, 0.14, 0.15), legs=(0.58, 1.0), neck=None, tail=True, ears=None, extra=()):
    body = E(0.48, 0.45, 0.36, 0.2)
    parts = [body, E(*head)]
    if neck:
        parts.append(P(neck))
    parts += _legs((0.18, 0.3, 0.62, 0.72), legs[0], legs[1], 0.08)
    if tail:
        parts.append(Q("M 0.13 0.4 C 0.04 0.36 0.02 0.26 0.04 0.2 L 0.08 0.21 C 0.07 0.27 0.1 0.33 0.15 0.36 Z", "d"))
    if ears:
        parts += ears
    parts += list(extra)
    parts.append(E(head[0] + head[2] * 0.35, head[1] - head[3] * 0.15, head[2] * 0.14, head[3] * 0.14, "ink"))
    return parts


_CAT_EARS = [P([(0.74, 0.2), (0.76, 0.06), (0.83, 0.17)]), P([(0.86, 0.17), (0.93, 0.06), (0.95, 0.2)])]


def _bird(beak="yellow"):
    return [E(0.45, 0.55, 0.35, 0.25), E(0.75, 0.3, 0.15, 0.17), P([(0.88, 0.27), (1.0, 0.33), (0.88, 0.37)], beak),
            P([(0.3, 0.45), (0.6, 0.5), (0.35, 0.7)], "d"), P([(0.12, 0.5), (0.0, 0.38), (0.02, 0.68)], "d"),
            R(0.4, 0.78, 0.44, 1.0, 0.3, "ink"), R(0.52, 0.78, 0.56, 1.0, 0.3, "ink"), E(0.79, 0.27, 0.03, 0.03, "ink")]


def _wheels(xs, cy, r, t="ink"):
    out = []
    for x in xs:
        out += [E(x, cy, r, r * 1.0, t), E(x, cy, r * 0.45, r * 0.45, "l")]
    return out


DESIGNS = {
    # shapes
    "circle": lambda: [E(0.5, 0.5, 0.5, 0.5)],
    "sphere": lambda: [E(0.5, 0.5, 0.5, 0.5), E(0.36, 0.34, 0.13, 0.1, "l")],
    "square": lambda: [R(0, 0, 1, 1)],
    "rectangle": lambda: [R(0, 0, 1, 1)],
    "triangle": lambda: [P([(0.5, 0), (1, 1), (0, 1)])],
    "star": lambda: [P(_star())],
    "ellipse": lambda: [E(0.5, 0.5, 0.5, 0.5)],
    "oval": lambda: [E(0.5, 0.5, 0.5, 0.5)],
    "hexagon": lambda: [P(_regular(6, start=0))],
    "pentagon": lambda: [P(_regular(5))],
    "octagon": lambda: [P(_regular(8, start=22.5))],
    "heart": lambda: [Q("M 0.5 1 C 0.2 0.78 0 0.55 0 0.3 C 0 0.1 0.15 0 0.28 0 C 0.4 0 0.47 0.07 0.5 0.17 "
                        "C 0.53 0.07 0.6 0 0.72 0 C 0.85 0 1 0.1 1 0.3 C 1 0.55 0.8 0.78 0.5 1 Z")],
    "diamond": lambda: [P([(0.5, 0), (1, 0.5), (0.5, 1), (0, 0.5)])],
    "cross": lambda: [P([(0.33, 0), (0.67, 0), (0.67, 0.33), (1, 0.33), (1, 0.67), (0.67, 0.67), (0.67, 1),
                         (0.33, 1), (0.33, 0.67), (0, 0.67), (0, 0.33), (0.33, 0.33)])],
    "crescent": lambda: [Q("M 0.6 0 A 0.5 0.5 0 1 0 0.6 1 A 0.42 0.5 0 1 1 0.6 0 Z")],
    "arrow": lambda: [P([(0, 0.35), (0.6, 0.35), (0.6, 0), (1, 0.5), (0.6, 1), (0.6, 0.65), (0, 0.65)])],
    "cube": lambda: [R(0, 0.25, 0.75, 1), P([(0, 0.25), (0.25, 0), (1, 0), (0.75, 0.25)], "l"),
                     P([(0.75, 0.25), (1, 0), (1, 0.75), (0.75, 1)], "d")],
    "cylinder": lambda: [R(0, 0.12, 1, 0.88), E(0.5, 0.88, 0.5, 0.12), E(0.5, 0.12, 0.5, 0.12, "l")],
    "cone": lambda: [P([(0.5, 0), (1, 0.85), (0, 0.85)]), E(0.5, 0.85, 0.5, 0.15, "d")],
    "teardrop": lambda: [Q("M 0.5 0 C 0.62 0.22 1 0.45 1 0.68 A 0.5 0.32 0 0 1 0 0.68 C 0 0.45 0.38 0.22 0.5 0 Z")],
    "oblong": lambda: [R(0, 0, 1, 1, 0.5)],
    # people and animals
    "person": lambda: [R(0.26, 0.2, 0.74, 0.62, 0.3), E(0.5, 0.1, 0.11, 0.1, "skin"),
                       R(0.31, 0.58, 0.48, 1, 0.3, "d"), R(0.52, 0.58, 0.69, 1, 0.3, "d"),
                       R(0.1, 0.22, 0.26, 0.56, 0.5), R(0.74, 0.22, 0.9, 0.56, 0.5)],
    "cat": lambda: _quadruped(ears=_CAT_EARS),
    "dog": lambda: _quadruped(ears=[E(0.78, 0.28, 0.04, 0.1, "d")], extra=[E(0.97, 0.33, 0.03, 0.03, "ink")]),
    "horse": lambda: _quadruped(head=(0.86, 0.16, 0.1, 0.1), legs=(0.55, 1.0),
                                neck=[(0.7, 0.35), (0.8, 0.1), (0.9, 0.15), (0.84, 0.4)],
                                extra=[P([(0.74, 0.3), (0.8, 0.07), (0.82, 0.12), (0.77, 0.34)], "d")]),
    "zebra": lambda: _quadruped(head=(0.86, 0.16, 0.1, 0.1), legs=(0.55, 1.0),
                                neck=[(0.7, 0.35), (0.8, 0.1), (0.9, 0.15), (0.84, 0.4)],
                                extra=[R(x, 0.3, x + 0.04, 0.6, 0.3, "ink") for x in (0.3, 0.42, 0.54, 0.66)]),
    "cow": lambda: _quadruped(extra=[E(0.4, 0.4, 0.08, 0.07, "ink"), E(0.6, 0.5, 0.07, 0.06, "ink"),
                                     P([(0.76, 0.2), (0.74, 0.1), (0.8, 0.18)], "l"),
                                     P([(0.92, 0.18), (0.96, 0.1), (0.96, 0.2)], "l")]),
    "sheep": lambda: _quadruped(head=(0.86, 0.32, 0.11, 0.12), tail=False,
                                extra=[E(x, 0.3, 0.09, 0.09, "l") for x in (0.3, 0.45, 0.6)]),
    "goat": lambda: _quadruped(head=(0.86, 0.28, 0.11, 0.12),
                               extra=[P([(0.8, 0.18), (0.78, 0.04), (0.84, 0.16)], "d")]),
    "pig": lambda: _quadruped(head=(0.84, 0.35, 0.15, 0.15), legs=(0.55, 0.95),
                              extra=[E(0.98, 0.38, 0.02, 0.05, "d")]),
    "bear": lambda: _quadruped(head=(0.84, 0.3, 0.15, 0.15), tail=False,
                               ears=[E(0.76, 0.16, 0.05, 0.05), E(0.92, 0.16, 0.05, 0.05)]),
    "lion": lambda: _quadruped(head=(0.84, 0.3, 0.14, 0.14), extra=[E(0.84, 0.3, 0.16, 0.19, "d")]),
    "tiger": lambda: _quadruped(extra=[R(x, 0.28, x + 0.03, 0.55, 0.3, "ink") for x in (0.32, 0.44, 0.56)]),
    "elephant": lambda: [E(0.45, 0.42, 0.38, 0.3), E(0.8, 0.3, 0.15, 0.18),
                         *_legs((0.15, 0.28, 0.55, 0.67), 0.58, 1.0, 0.12),
                         Q("M 0.9 0.35 C 1.0 0.45 0.98 0.7 0.92 0.85 L 0.87 0.83 C 0.92 0.68 0.9 0.5 0.84 0.42 Z"),
                         E(0.7, 0.3, 0.1, 0.15, "d"), E(0.86, 0.26, 0.02, 0.02, "ink")],
    "giraffe": lambda: [E(0.42, 0.55, 0.32, 0.14), P([(0.62, 0.5), (0.78, 0.1), (0.86, 0.12), (0.74, 0.55)]),
                        E(0.86, 0.08, 0.1, 0.07), *_legs((0.16, 0.26, 0.56, 0.66), 0.6, 1.0, 0.06),
                        *[E(x, y, 0.04, 0.03, "trunk") for x, y in ((0.3, 0.52), (0.45, 0.58), (0.55, 0.5),
                                                                     (0.72, 0.3))]],
    "teddy bear": lambda: [E(0.5, 0.66, 0.36, 0.34), E(0.5, 0.28, 0.26, 0.24), E(0.28, 0.08, 0.09, 0.08),
                           E(0.72, 0.08, 0.09, 0.08), E(0.5, 0.34, 0.1, 0.08, "l"), E(0.41, 0.24, 0.03, 0.03, "ink"),
                           E(0.59, 0.24, 0.03, 0.03, "ink"), E(0.5, 0.7, 0.18, 0.16, "l")],
    "bird": lambda: _bird(),
    "duck": lambda: _bird("red"),
    "chicken": lambda: _bird("red") + [P([(0.72, 0.14), (0.76, 0.0), (0.8, 0.14)], "red")],
    "fish": lambda: [E(0.45, 0.5, 0.42, 0.3), P([(0.8, 0.5), (1, 0.2), (1, 0.8)], "d"),
                     E(0.2, 0.42, 0.04, 0.05, "ink")],
    "rabbit": lambda: [E(0.45, 0.65, 0.35, 0.3), E(0.72, 0.4, 0.16, 0.15), R(0.62, 0.0, 0.7, 0.3, 0.5),
                       R(0.76, 0.02, 0.84, 0.3, 0.5), E(0.1, 0.6, 0.08, 0.08, "l")],
    "frog": lambda: [E(0.5, 0.6, 0.45, 0.35), E(0.3, 0.22, 0.12, 0.12), E(0.7, 0.22, 0.12, 0.12),
                     E(0.3, 0.22, 0.05, 0.05, "ink"), E(0.7, 0.22, 0.05, 0.05, "ink"), R(0, 0.85, 1, 1, 0.5, "d")],
    "monkey": lambda: [E(0.5, 0.62, 0.3, 0.3), E(0.5, 0.25, 0.2, 0.2), E(0.26, 0.25, 0.08, 0.08),
                       E(0.74, 0.25, 0.08, 0.08), E(0.5, 0.3, 0.12, 0.09, "l")],
    # vehicles
    "car": lambda: [R(0, 0.35, 1, 0.82, 0.25), Q("M 0.2 0.38 L 0.3 0.06 L 0.7 0.06 L 0.82 0.38 Z"),
                    P([(0.31, 0.33), (0.37, 0.12), (0.49, 0.12), (0.49, 0.33)], "glass"),
                    P([(0.53, 0.33), (0.53, 0.12), (0.66, 0.12), (0.74, 0.33)], "glass"),
                    *_wheels((0.23, 0.77), 0.8, 0.2), R(0.92, 0.45, 1, 0.55, 0.3, "yellow")],
    "bus": lambda: [R(0, 0, 1, 0.82, 0.1), *[R(x, 0.12, x + 0.14, 0.42, 0.1, "glass") for x in
                                              (0.06, 0.24, 0.42, 0.6, 0.78)],
                    *_wheels((0.2, 0.8), 0.82, 0.18)],
    "truck": lambda: [R(0, 0, 0.66, 0.78, 0.05), R(0.68, 0.25, 1, 0.78, 0.15, "d"),
                      R(0.76, 0.32, 0.94, 0.5, 0.1, "glass"), *_wheels((0.18, 0.5, 0.84), 0.82, 0.18)],
    "train": lambda: [R(0, 0.2, 1, 0.82, 0.12), R(0.1, 0, 0.22, 0.22, 0.1, "d"),
                      *[R(x, 0.32, x + 0.14, 0.52, 0.1, "glass") for x in (0.3, 0.5, 0.7)],
                      *_wheels((0.15, 0.38, 0.62, 0.85), 0.86, 0.14)],
    "bicycle": lambda: [P([(0.2, 0.75), (0.42, 0.35), (0.82, 0.35), (0.8, 0.75), (0.7, 0.75), (0.72, 0.45),
                           (0.46, 0.45), (0.3, 0.75)]), *_wheels((0.18, 0.82), 0.75, 0.17),
                        R(0.34, 0.22, 0.5, 0.3, 0.5, "ink"), R(0.76, 0.18, 0.9, 0.26, 0.5, "ink")],
    "motorcycle": lambda: [Q("M 0.18 0.62 L 0.32 0.3 L 0.72 0.3 L 0.86 0.6 L 0.6 0.66 Z"),
                           R(0.38, 0.16, 0.62, 0.3, 0.5, "d"), *_wheels((0.18, 0.82), 0.78, 0.2),
                           R(0.76, 0.1, 0.9, 0.18, 0.5, "ink")],
    "airplane": lambda: [E(0.5, 0.5, 0.5, 0.12), P([(0.38, 0.45), (0.62, 0.45), (0.45, 0.0), (0.36, 0.0)]),
                         P([(0.38, 0.55), (0.62, 0.55), (0.45, 1.0), (0.36, 1.0)]),
                         P([(0.02, 0.45), (0.14, 0.45), (0.06, 0.2), (0.0, 0.2)], "d"),
                         *[E(x, 0.46, 0.02, 0.03, "glass") for x in (0.62, 0.7, 0.78, 0.86)]],
    "boat": lambda: [P([(0, 0.62), (1, 0.62), (0.82, 1), (0.14, 1)]), R(0.47, 0.0, 0.51, 0.62, 0.3, "ink"),
                     P([(0.53, 0.05), (0.53, 0.56), (0.88, 0.56)], "white"),
                     P([(0.45, 0.12), (0.45, 0.56), (0.16, 0.56)], "l")],
    # street things
    "traffic light": lambda: [R(0.15, 0, 0.85, 0.82, 0.25), E(0.5, 0.15, 0.2, 0.1, "red"),
                              E(0.5, 0.41, 0.2, 0.1, "yellow"), E(0.5, 0.67, 0.2, 0.1, "greenlight"),
                              R(0.43, 0.82, 0.57, 1, 0, "ink")],
    "fire hydrant": lambda: [R(0.24, 0.16, 0.76, 0.9, 0.2), E(0.5, 0.16, 0.26, 0.16, "d"),
                             R(0.06, 0.42, 0.94, 0.56, 0.4, "d"), R(0.14, 0.88, 0.86, 1, 0.3, "d")],
    "stop sign": lambda: [P(_regular(8, r=0.36, cy=0.36, start=22.5)),
                          R(0.2, 0.28, 0.8, 0.44, 0.2, "white"), R(0.45, 0.7, 0.55, 1.0, 0, "ink")],
    "parking meter": lambda: [R(0.1, 0, 0.9, 0.45, 0.35), R(0.25, 0.1, 0.75, 0.28, 0.2, "glass"),
                              R(0.4, 0.45, 0.6, 1, 0, "d")],
    "bench": lambda: [R(0, 0, 1, 0.3, 0.15), R(0, 0.4, 1, 0.56, 0.2), R(0.06, 0.56, 0.14, 1, 0.3, "d"),
                      R(0.86, 0.56, 0.94, 1, 0.3, "d"), R(0.1, 0.28, 0.16, 0.42, 0, "d"),
                      R(0.84, 0.28, 0.9, 0.42, 0, "d")],
    # carried things and sports
    "backpack": lambda: [R(0.1, 0.12, 0.9, 1, 0.3), R(0.25, 0.58, 0.75, 0.92, 0.25, "d"),
                         Q("M 0.3 0.16 C 0.3 -0.02 0.7 -0.02 0.7 0.16 L 0.6 0.16 C 0.6 0.08 0.4 0.08 0.4 0.16 Z", "d")],
    "umbrella": lambda: [Q("M 0 0.5 C 0 0.1 1 0.1 1 0.5 C 0.9 0.42 0.8 0.42 0.75 0.5 C 0.65 0.42 0.6 0.42 0.5 0.5 "
                           "C 0.4 0.42 0.35 0.42 0.25 0.5 C 0.2 0.42 0.1 0.42 0 0.5 Z"),
                         Q("M 0.48 0.2 L 0.52 0.2 L 0.52 0.9 C 0.52 1 0.64 1 0.64 0.9 L 0.68 0.9 "
                           "C 0.68 1.05 0.48 1.05 0.48 0.9 Z", "ink")],
    "handbag": lambda: [R(0, 0.35, 1, 1, 0.2),
                        Q("M 0.25 0.4 C 0.25 0 0.75 0 0.75 0.4 L 0.66 0.4 C 0.66 0.12 0.34 0.12 0.34 0.4 Z", "d"),
                        R(0.42, 0.5, 0.58, 0.6, 0.2, "l")],
    "tie": lambda: [P([(0.3, 0), (0.7, 0), (0.6, 0.18), (0.4, 0.18)], "d"),
                    P([(0.4, 0.18), (0.6, 0.18), (1.0, 0.85), (0.5, 1), (0.0, 0.85)])],
    "suitcase": lambda: [R(0, 0.15, 1, 1, 0.12), R(0.35, 0, 0.65, 0.17, 0.3, "d"),
                         R(0.25, 0.15, 0.33, 1, 0, "d"), R(0.67, 0.15, 0.75, 1, 0, "d")],
    "frisbee": lambda: [E(0.5, 0.5, 0.5, 0.5), E(0.5, 0.5, 0.3, 0.3, "l")],
    "skis": lambda: [R(0.05, 0, 0.42, 1, 0.5), R(0.58, 0, 0.95, 1, 0.5), R(0.0, 0.45, 1, 0.55, 0.3, "ink")],
    "snowboard": lambda: [R(0.1, 0, 0.9, 1, 0.5), R(0.0, 0.3, 1, 0.38, 0.3, "ink"),
                          R(0.0, 0.62, 1, 0.7, 0.3, "ink")],
    "sports ball": lambda: [E(0.5, 0.5, 0.5, 0.5), P(_regular(5, r=0.16), "ink"),
                            Q("M 0.1 0.3 C 0.3 0.4 0.3 0.6 0.1 0.7 L 0.08 0.66 C 0.24 0.58 0.24 0.42 0.08 0.34 Z", "d")],
    "kite": lambda: [P([(0.5, 0), (0.95, 0.38), (0.5, 0.8), (0.05, 0.38)]),
                     P([(0.5, 0), (0.5, 0.8), (0.05, 0.38)], "l"),
                     Q("M 0.5 0.8 C 0.6 0.88 0.4 0.92 0.52 1 L 0.48 1 C 0.36 0.92 0.56 0.88 0.46 0.82 Z", "ink")],
    "baseball bat": lambda: [P([(0.35, 0), (0.65, 0), (0.58, 0.65), (0.56, 0.95), (0.44, 0.95), (0.42, 0.65)]),
                             E(0.5, 0.96, 0.12, 0.04, "d")],
    "baseball glove": lambda: [R(0.1, 0.3, 0.9, 1, 0.4), *[R(x, 0.0 + abs(x - 0.45) * 0.3, x + 0.16, 0.5, 0.5)
                                                           for x in (0.12, 0.3, 0.48, 0.66)],
                               R(0.0, 0.45, 0.2, 0.75, 0.5), E(0.5, 0.65, 0.2, 0.18, "d")],
    "skateboard": lambda: [R(0, 0.15, 1, 0.6, 0.5), *_wheels((0.22, 0.78), 0.8, 0.2)],
    "surfboard": lambda: [E(0.5, 0.5, 0.5, 0.5), R(0.46, 0.05, 0.54, 0.95, 0.5, "d")],
    "tennis racket": lambda: [E(0.5, 0.33, 0.5, 0.33), E(0.5, 0.33, 0.4, 0.26, "l"), R(0.43, 0.64, 0.57, 1, 0.3, "d")],
    # kitchen and food
    "bottle": lambda: [R(0.12, 0.35, 0.88, 1, 0.2), R(0.34, 0, 0.66, 0.4, 0.15), R(0.12, 0.55, 0.88, 0.8, 0, "l")],
    "wine glass": lambda: [Q("M 0 0 L 1 0 C 1 0.4 0.8 0.55 0.5 0.55 C 0.2 0.55 0 0.4 0 0 Z"),
                           R(0.45, 0.5, 0.55, 0.92, 0, "d"), E(0.5, 0.95, 0.3, 0.05, "d")],
    "cup": lambda: [Q("M 0 0.05 L 0.78 0.05 L 0.7 1 L 0.08 1 Z"),
                    Q("M 0.74 0.25 C 1.02 0.2 1.02 0.7 0.72 0.7 L 0.73 0.6 C 0.9 0.6 0.9 0.33 0.75 0.35 Z", "d"),
                    E(0.39, 0.05, 0.39, 0.05, "l")],
    "fork": lambda: [R(0.4, 0.4, 0.6, 1, 0.5), R(0.15, 0.25, 0.85, 0.45, 0.3),
                     *[R(x, 0, x + 0.1, 0.3, 0.5) for x in (0.15, 0.45, 0.75)]],
    "knife": lambda: [Q("M 0.3 0 C 0.8 0.05 0.75 0.3 0.72 0.58 L 0.3 0.58 Z"), R(0.28, 0.56, 0.72, 1, 0.4, "d")],
    "spoon": lambda: [E(0.5, 0.22, 0.5, 0.22), R(0.38, 0.4, 0.62, 1, 0.5)],
    "bowl": lambda: [Q("M 0 0.25 L 1 0.25 C 1 0.75 0.8 1 0.5 1 C 0.2 1 0 0.75 0 0.25 Z"),
                     E(0.5, 0.25, 0.5, 0.25, "l")],
    "banana": lambda: [Q("M 0.02 0.2 C 0.2 0.95 0.8 0.95 1.0 0.3 C 0.96 0.26 0.94 0.24 0.9 0.28 "
                         "C 0.7 0.7 0.3 0.7 0.1 0.12 Z"), R(0.0, 0.0, 0.1, 0.2, 0.3, "trunk")],
    "apple": lambda: [Q("M 0.5 0.22 C 0.8 0.05 1.05 0.3 0.95 0.6 C 0.88 0.85 0.7 1 0.5 0.92 "
                        "C 0.3 1 0.12 0.85 0.05 0.6 C -0.05 0.3 0.2 0.05 0.5 0.22 Z"),
                      R(0.47, 0.0, 0.53, 0.22, 0.3, "trunk"), E(0.66, 0.08, 0.12, 0.05, "leaf")],
    "orange": lambda: [E(0.5, 0.54, 0.5, 0.46), E(0.62, 0.07, 0.12, 0.05, "leaf"), E(0.5, 0.14, 0.03, 0.03, "d")],
    "sandwich": lambda: [R(0, 0, 1, 0.35, 0.4, "bread"), R(0.0, 0.32, 1, 0.46, 0.4, "leaf"),
                         R(0.0, 0.44, 1, 0.58, 0.3, "red"), R(0, 0.55, 1, 1, 0.35)],
    "broccoli": lambda: [E(0.5, 0.35, 0.5, 0.35), E(0.25, 0.3, 0.16, 0.16, "d"), E(0.7, 0.25, 0.16, 0.16, "d"),
                         P([(0.38, 0.6), (0.62, 0.6), (0.58, 1), (0.42, 1)], "greenlight")],
    "carrot": lambda: [P([(0.15, 0.25), (0.85, 0.25), (0.5, 1)]),
                       P([(0.3, 0.25), (0.35, 0), (0.5, 0.2), (0.65, 0), (0.7, 0.25)], "leaf")],
    "hot dog": lambda: [R(0, 0.3, 1, 1, 0.5), R(0.04, 0.1, 0.96, 0.55, 0.5, "red"),
                        Q("M 0.15 0.3 L 0.3 0.2 L 0.45 0.3 L 0.6 0.2 L 0.75 0.3 L 0.85 0.24 L 0.86 0.3 L 0.75 0.36 "
                          "L 0.6 0.26 L 0.45 0.36 L 0.3 0.26 L 0.16 0.36 Z", "yellow")],
    "pizza": lambda: [E(0.5, 0.5, 0.5, 0.5), E(0.5, 0.5, 0.42, 0.42, "yellow"),
                      *[E(x, y, 0.08, 0.08, "red") for x, y in ((0.35, 0.35), (0.65, 0.4), (0.45, 0.65),
                                                                (0.68, 0.68))]],
    "donut": lambda: [E(0.5, 0.5, 0.5, 0.5), E(0.5, 0.45, 0.4, 0.36, "l"), E(0.5, 0.5, 0.15, 0.15, "white")],
    "cake": lambda: [R(0, 0.3, 1, 1, 0.08), R(0, 0.28, 1, 0.45, 0.3, "white"), R(0.46, 0.05, 0.54, 0.3, 0.3, "yellow"),
                     E(0.5, 0.04, 0.04, 0.04, "red"), R(0, 0.68, 1, 0.74, 0, "d")],
    # furniture and appliances
    "chair": lambda: [R(0.1, 0, 0.9, 0.5, 0.12), R(0, 0.46, 1, 0.62, 0.2), R(0.04, 0.6, 0.14, 1, 0.3, "d"),
                      R(0.86, 0.6, 0.96, 1, 0.3, "d")],
    "couch": lambda: [R(0, 0.4, 1, 0.88, 0.15), R(0.1, 0, 0.9, 0.5, 0.2), R(0, 0.25, 0.16, 0.88, 0.4, "d"),
                      R(0.84, 0.25, 1, 0.88, 0.4, "d"), R(0.06, 0.86, 0.12, 1, 0, "ink"),
                      R(0.88, 0.86, 0.94, 1, 0, "ink")],
    "potted plant": lambda: [E(0.5, 0.33, 0.5, 0.33), E(0.3, 0.3, 0.15, 0.15, "d"), E(0.68, 0.22, 0.14, 0.14, "d"),
                             P([(0.2, 0.6), (0.8, 0.6), (0.7, 1), (0.3, 1)], "pot")],
    "bed": lambda: [R(0, 0.4, 1, 0.82, 0.1), R(0, 0, 0.12, 1, 0.2, "d"), E(0.26, 0.36, 0.12, 0.08, "white"),
                    R(0.4, 0.36, 1, 0.6, 0.2, "l"), R(0.92, 0.6, 0.98, 1, 0, "d")],
    "dining table": lambda: [R(0, 0, 1, 0.16, 0.3), R(0.05, 0.16, 0.95, 0.3, 0, "d"),
                             R(0.07, 0.16, 0.15, 1, 0.3, "d"), R(0.85, 0.16, 0.93, 1, 0.3, "d")],
    "toilet": lambda: [Q("M 0.2 0.45 L 0.8 0.45 C 0.8 0.75 0.7 0.85 0.62 0.88 L 0.66 1 L 0.34 1 L 0.38 0.88 "
                         "C 0.3 0.85 0.2 0.75 0.2 0.45 Z"), R(0.15, 0, 0.85, 0.36, 0.15),
                       E(0.5, 0.45, 0.5, 0.1, "l")],
    "tv": lambda: [R(0, 0, 1, 0.85, 0.05), R(0.06, 0.07, 0.94, 0.76, 0.03, "ink"), R(0.42, 0.85, 0.58, 0.94, 0, "d"),
                   R(0.25, 0.92, 0.75, 1, 0.3, "d")],
    "laptop": lambda: [R(0.1, 0, 0.9, 0.72, 0.05), R(0.16, 0.06, 0.84, 0.64, 0.02, "glass"),
                       P([(0.08, 0.74), (0.92, 0.74), (1, 1), (0, 1)], "d")],
    "computer mouse": lambda: [E(0.5, 0.55, 0.5, 0.45), R(0.47, 0.1, 0.53, 0.42, 0, "d"),
                               Q("M 0.48 0.12 C 0.45 0.02 0.55 0.02 0.52 0 L 0.54 0 C 0.58 0.04 0.5 0.06 0.52 0.12 Z",
                                 "ink")],
    "tv remote": lambda: [R(0, 0, 1, 1, 0.3), E(0.5, 0.15, 0.2, 0.07, "red"),
                          *[E(x, y, 0.12, 0.04, "l") for x in (0.3, 0.7) for y in (0.35, 0.5, 0.65, 0.8)]],
    "computer keyboard": lambda: [R(0, 0, 1, 1, 0.1), *[R(0.04 + 0.096 * k, y, 0.12 + 0.096 * k, y + 0.2, 0.2, "l")
                                                          for k in range(10) for y in (0.1, 0.4)],
                                  R(0.2, 0.7, 0.8, 0.9, 0.2, "l")],
    "cell phone": lambda: [R(0, 0, 1, 1, 0.15), R(0.1, 0.08, 0.9, 0.86, 0.05, "glass"), E(0.5, 0.93, 0.06, 0.03, "d")],
    "microwave": lambda: [R(0, 0, 1, 1, 0.06), R(0.06, 0.1, 0.7, 0.9, 0.05, "ink"), R(0.76, 0.1, 0.94, 0.9, 0.1, "l"),
                          *[E(0.85, y, 0.05, 0.05, "d") for y in (0.25, 0.45, 0.65)]],
    "oven": lambda: [R(0, 0, 1, 1, 0.04), R(0.1, 0.3, 0.9, 0.9, 0.05, "ink"), R(0, 0, 1, 0.2, 0.1, "d"),
                     *[E(x, 0.1, 0.05, 0.05, "l") for x in (0.2, 0.4, 0.6, 0.8)]],
    "toaster": lambda: [R(0, 0.15, 1, 1, 0.25), R(0.25, 0.1, 0.4, 0.3, 0.3, "ink"), R(0.6, 0.1, 0.75, 0.3, 0.3, "ink"),
                        R(0.88, 0.0, 0.96, 0.4, 0.3, "d")],
    "sink": lambda: [Q("M 0 0.4 L 1 0.4 L 0.88 1 L 0.12 1 Z"), E(0.5, 0.42, 0.46, 0.08, "l"),
                     Q("M 0.46 0.34 L 0.46 0.05 L 0.7 0.05 L 0.7 0.14 L 0.54 0.14 L 0.54 0.34 Z", "ink")],
    "refrigerator": lambda: [R(0, 0, 1, 1, 0.08), R(0, 0.34, 1, 0.37, 0, "d"), R(0.78, 0.1, 0.86, 0.28, 0.5, "ink"),
                             R(0.78, 0.45, 0.86, 0.7, 0.5, "ink")],
    "book": lambda: [R(0, 0, 1, 1, 0.06), R(0.86, 0.04, 0.96, 0.96, 0, "white"), R(0, 0, 0.12, 1, 0, "d"),
                     R(0.3, 0.2, 0.75, 0.3, 0.2, "l")],
    "clock": lambda: [E(0.5, 0.5, 0.5, 0.5), E(0.5, 0.5, 0.4, 0.4, "white"), R(0.48, 0.18, 0.52, 0.52, 0.5, "ink"),
                      R(0.48, 0.48, 0.76, 0.52, 0.5, "ink")],
    "vase": lambda: [Q("M 0.3 0 L 0.7 0 L 0.64 0.2 C 1.05 0.4 1.05 0.8 0.72 1 L 0.28 1 C -0.05 0.8 -0.05 0.4 0.36 0.2 "
                       "Z"), R(0.2, 0.5, 0.8, 0.58, 0, "l")],
    "scissors": lambda: [E(0.3, 0.8, 0.2, 0.2), E(0.7, 0.8, 0.2, 0.2),
                         P([(0.42, 0), (0.5, 0), (0.62, 0.6), (0.54, 0.62)], "d"),
                         P([(0.5, 0), (0.58, 0), (0.46, 0.62), (0.38, 0.6)], "d"),
                         E(0.3, 0.8, 0.1, 0.1, "white"), E(0.7, 0.8, 0.1, 0.1, "white")],
    "hair drier": lambda: [R(0, 0.05, 0.8, 0.5, 0.5), R(0.72, 0.12, 1, 0.42, 0.2, "d"), R(0.18, 0.45, 0.4, 1, 0.4, "d")],
    "toothbrush": lambda: [R(0.35, 0.25, 0.65, 1, 0.5), R(0.3, 0, 0.7, 0.25, 0.1, "white")],
    # beyond COCO
    "tree": lambda: [E(0.5, 0.38, 0.5, 0.38), R(0.42, 0.6, 0.58, 1, 0.1, "trunk"), E(0.3, 0.3, 0.16, 0.14, "d")],
    "house": lambda: [R(0.1, 0.42, 0.9, 1), P([(0, 0.46), (0.5, 0.04), (1, 0.46)], "roof"),
                      R(0.42, 0.64, 0.58, 1, 0.1, "d"), R(0.18, 0.55, 0.34, 0.72, 0, "glass"),
                      R(0.66, 0.55, 0.82, 0.72, 0, "glass")],
    "building": lambda: [R(0, 0, 1, 1, 0.02), *[R(x, y, x + 0.16, y + 0.1, 0, "glass") for x in (0.14, 0.42, 0.7)
                                                  for y in (0.08, 0.26, 0.44, 0.62)], R(0.4, 0.82, 0.6, 1, 0, "d")],
    "flower": lambda: [E(0.5, 0.28, 0.4, 0.28), E(0.5, 0.28, 0.12, 0.09, "yellow"), R(0.47, 0.5, 0.53, 1, 0.3, "leaf"),
                       E(0.64, 0.75, 0.12, 0.05, "leaf")],
    "lamp": lambda: [P([(0.2, 0), (0.8, 0), (1, 0.45), (0, 0.45)]), R(0.46, 0.45, 0.54, 0.92, 0, "ink"),
                     E(0.5, 0.94, 0.3, 0.06, "ink")],
    "box": lambda: DESIGNS["cube"](),
    "balloon": lambda: [E(0.5, 0.36, 0.5, 0.36), P([(0.45, 0.71), (0.55, 0.71), (0.5, 0.76)], "d"),
                        Q("M 0.49 0.75 C 0.4 0.85 0.6 0.9 0.5 1 L 0.52 1 C 0.62 0.9 0.42 0.85 0.51 0.75 Z", "ink")],
    "sun": lambda: [P(_star(12, 0.72)), E(0.5, 0.5, 0.34, 0.34, "l")],
    "moon": lambda: DESIGNS["crescent"](),
    "cloud": lambda: [E(0.5, 0.6, 0.5, 0.32), E(0.35, 0.4, 0.2, 0.22), E(0.62, 0.33, 0.24, 0.28)],
    "mountain": lambda: [P([(0, 1), (0.5, 0), (1, 1)]), P([(0.38, 0.24), (0.5, 0), (0.62, 0.24), (0.5, 0.3)], "white")],
    "window": lambda: [R(0, 0, 1, 1, 0.03), R(0.08, 0.08, 0.46, 0.46, 0, "glass"), R(0.54, 0.08, 0.92, 0.46, 0, "glass"),
                       R(0.08, 0.54, 0.46, 0.92, 0, "glass"), R(0.54, 0.54, 0.92, 0.92, 0, "glass")],
    "door": lambda: [R(0, 0, 1, 1, 0.04), R(0.12, 0.08, 0.88, 0.45, 0.05, "d"), R(0.12, 0.52, 0.88, 0.92, 0.05, "d"),
                     E(0.8, 0.5, 0.05, 0.03, "yellow")],
    "fence": lambda: [Q(" ".join(f"M {x} 0.12 L {x + 0.05} 0 L {x + 0.1} 0.12 L {x + 0.1} 1 L {x} 1 Z"
                                 for x in (0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9))),
                      R(0, 0.25, 1, 0.35, 0, "d"), R(0, 0.65, 1, 0.75, 0, "d")],
    "painting": lambda: [R(0, 0, 1, 1, 0.02), R(0.08, 0.1, 0.92, 0.9, 0, "l"),
                         P([(0.1, 0.88), (0.4, 0.45), (0.6, 0.7), (0.72, 0.55), (0.9, 0.88)], "leaf"),
                         E(0.7, 0.3, 0.08, 0.08, "yellow")],
    "mirror": lambda: [E(0.5, 0.5, 0.5, 0.5), E(0.5, 0.5, 0.42, 0.42, "glass")],
    "candle": lambda: [R(0.2, 0.3, 0.8, 1, 0.1), Q("M 0.5 0 C 0.7 0.15 0.62 0.28 0.5 0.28 C 0.38 0.28 0.3 0.15 0.5 0 Z",
                                                  "yellow")],
    "hat": lambda: [R(0.2, 0, 0.8, 0.75, 0.2), E(0.5, 0.8, 0.5, 0.2), R(0.2, 0.5, 0.8, 0.62, 0, "d")],
    "guitar": lambda: [E(0.5, 0.72, 0.5, 0.28), E(0.5, 0.45, 0.36, 0.2), R(0.44, 0, 0.56, 0.5, 0.2, "d"),
                       E(0.5, 0.64, 0.12, 0.08, "ink")],
    "plate": lambda: [E(0.5, 0.5, 0.5, 0.5), E(0.5, 0.5, 0.34, 0.34, "l")],
    "egg": lambda: [Q("M 0.5 0 C 0.85 0 1 0.5 1 0.65 C 1 0.9 0.75 1 0.5 1 C 0.25 1 0 0.9 0 0.65 C 0 0.5 0.15 0 0.5 0 Z")],
    "rock": lambda: [Q("M 0.1 1 L 0 0.6 L 0.25 0.15 L 0.6 0 L 0.9 0.3 L 1 1 Z"), P([(0.25, 0.15), (0.6, 0), (0.45, 0.4)],
                                                                                "l")],
    "table": lambda: DESIGNS["dining table"](),
    "desk": lambda: DESIGNS["dining table"](),
    "pillow": lambda: [R(0, 0, 1, 1, 0.35), R(0.15, 0.2, 0.85, 0.3, 0.5, "l")],
    "place": lambda: [R(0, 0, 1, 1, 0.04), R(0, 0.72, 1, 1, 0.04, "d")],
}
_ALIASES = {"ball": "sports ball", "table": "dining table", "mouse": "computer mouse", "plant": "potted plant",
            "picture": "painting", "frame": "painting", "bag": "handbag", "glass": "wine glass", "mug": "cup",
            "puppy": "dog", "kitten": "cat", "bunny": "rabbit", "hen": "chicken", "rooster": "chicken",
            "pony": "horse", "donkey": "horse", "deer": "goat", "calf": "cow", "lamb": "sheep", "plum": "orange",
            "peach": "orange", "lemon": "orange", "tomato": "apple", "cherry": "apple", "pear": "apple",
            "strawberry": "apple", "cupboard": "refrigerator", "dresser": "refrigerator", "cabinet": "refrigerator",
            "screen": "tv", "monitor": "tv", "computer": "laptop", "skyscraper": "building", "hotel": "building",
            "tower": "building", "cabin": "house", "barn": "house", "bush": "tree", "shrub": "tree",
            "hamburger": "sandwich", "burger": "sandwich", "cookie": "donut", "bagel": "donut", "muffin": "cake",
            "jar": "bottle", "can": "cup", "glasses": "cup", "pot": "bowl", "basket": "bowl", "key": "tennis racket",
            "shirt": "tie", "jacket": "person", "man": "person", "woman": "person", "boy": "person", "girl": "person",
            "child": "person", "people": "person", "shrimp": "fish", "dolphin": "fish", "whale": "fish",
            "shark": "fish", "stone": "rock", "star": "star", "heart": "heart", "drum": "cylinder",
            "trophy": "wine glass", "ice cube": "cube", "tent": "triangle"}


def design_key(label: str, shape: str | None = None) -> str:
    """Which design draws an object: its shape when it has one, else its label's (with aliases), else a form."""
    if shape and shape not in ("form", "") and shape in DESIGNS:
        return shape
    words = label.lower().split()
    while len(words) > 1 and words[0] in COLOR_WORDS:
        words = words[1:]
    name = " ".join(words)
    for candidate in (name, canonical_label(name), _ALIASES.get(name), _ALIASES.get(canonical_label(name)),
                      _ALIASES.get(name.rsplit(" ", 1)[-1]), canonical_label(name.rsplit(" ", 1)[-1])):
        if candidate and candidate in DESIGNS:
            return candidate
    from .sizes import is_place

    if is_place(name):
        return "place"
    return "form"


def _form(label: str):
    """A rounded form for anything without a design, varied (deterministically) by the label."""
    k = zlib.crc32(label.encode("utf-8")) % 3
    if k == 0:
        return [R(0, 0, 1, 1, 0.3), E(0.32, 0.3, 0.12, 0.08, "l")]
    if k == 1:
        return [E(0.5, 0.5, 0.5, 0.5), E(0.35, 0.32, 0.12, 0.08, "l")]
    return [Q("M 0.5 0 C 0.9 0 1 0.3 1 0.55 C 1 0.85 0.8 1 0.5 1 C 0.2 1 0 0.85 0 0.55 C 0 0.3 0.1 0 0.5 0 Z"),
            E(0.34, 0.3, 0.12, 0.08, "l")]


def parts_for(label: str, shape: str | None = None):
    key = design_key(label, shape)
    return DESIGNS[key]() if key != "form" else _form(label)


# ---- colours -------------------------------------------------------------------------------------------------------
def _mix(hex_color: str, other: tuple[int, int, int], t: float) -> str:
    r, g, b = parse_color(hex_color)[:3]
    return to_hex(tuple(int(round(c + (o - c) * t)) for c, o in zip((r, g, b), other)))


def _luma(hex_color: str) -> float:
    r, g, b = parse_color(hex_color)[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b


def _tone(tone: str, fill: str) -> str:
    if tone == "b":
        return fill
    if tone == "d":
        return _mix(fill, (0, 0, 0), 0.3) if _luma(fill) > 60 else _mix(fill, (255, 255, 255), 0.3)
    if tone == "l":
        return _mix(fill, (255, 255, 255), 0.45) if _luma(fill) < 235 else _mix(fill, (0, 0, 0), 0.12)
    return FIXED_TONES[tone]


def _outline(fill: str) -> str:
    return _mix(fill, (0, 0, 0), 0.5) if _luma(fill) > 50 else _mix(fill, (255, 255, 255), 0.35)


# ---- geometry ------------------------------------------------------------------------------------------------------
def _unit_box(part) -> tuple[float, float, float, float]:
    kind, data, _ = part
    if kind == "rect":
        return data[:4]
    if kind == "ellipse":
        cx, cy, rx, ry = data
        return (cx - rx, cy - ry, cx + rx, cy + ry)
    return geo.path_bbox(data)


def _f(v: float) -> str:
    text = "%.2f" % v
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _element(part, mx, my, fill: str, stroke: str | None, width: float) -> str:
    """One part as an SVG element in output pixels; ``mx``/``my`` map unit x / y (scale, offset)."""
    kind, data, _ = part
    paint = f' fill="{fill}"'
    if stroke:
        paint += f' stroke="{stroke}" stroke-width="{_f(width)}" stroke-linejoin="round" stroke-linecap="round"'
    X = lambda u: mx[0] * u + mx[1]  # noqa: E731
    Y = lambda v: my[0] * v + my[1]  # noqa: E731
    if kind == "ellipse":
        cx, cy, rx, ry = data
        return (f'<ellipse cx="{_f(X(cx))}" cy="{_f(Y(cy))}" rx="{_f(rx * mx[0])}" ry="{_f(ry * my[0])}"'
                f'{paint}/>')
    if kind == "rect":
        x0, y0, x1, y1, r = data
        ax0, ay0, ax1, ay1 = (float(_f(X(x0))), float(_f(Y(y0))), float(_f(X(x1))), float(_f(Y(y1))))
        w, h = ax1 - ax0, ay1 - ay0
        radius = math.floor(min(0.5, r) * min(w, h) * 100) / 100
        if radius <= 0:
            return f'<path d="M{_f(ax0)} {_f(ay0)}H{_f(ax1)}V{_f(ay1)}H{_f(ax0)}Z"{paint}/>'
        r_ = _f(radius)
        d = (f"M{_f(ax0 + radius)} {_f(ay0)}H{_f(ax1 - radius)}A{r_} {r_} 0 0 1 {_f(ax1)} {_f(ay0 + radius)}"
             f"V{_f(ay1 - radius)}A{r_} {r_} 0 0 1 {_f(ax1 - radius)} {_f(ay1)}H{_f(ax0 + radius)}"
             f"A{r_} {r_} 0 0 1 {_f(ax0)} {_f(ay1 - radius)}V{_f(ay0 + radius)}A{r_} {r_} 0 0 1 {_f(ax0 + radius)} "
             f"{_f(ay0)}Z")
        return f'<path d="{d}"{paint}/>'
    out = []
    for seg in data:
        c = seg[0]
        if c == "Z":
            out.append("Z")
        elif c == "A":
            rx, ry, rot, large, sweep, x, y = seg[1:]
            out.append(f"A{_f(rx * mx[0])} {_f(ry * my[0])} 0 {int(large)} {int(sweep)} {_f(X(x))} {_f(Y(y))}")
        else:
            values = seg[1:]
            coords = " ".join(f"{_f(X(values[k]))} {_f(Y(values[k + 1]))}" for k in range(0, len(values), 2))
            out.append(f"{c}{coords}")
    return f'<path d="{"".join(out)}"{paint}/>'


def outline_width(box, style: str = "auto") -> float:
    if style == "flat":
        return 0.0
    w, h = box[2] - box[0], box[3] - box[1]
    return max(1.0, min(4.0, round(0.025 * min(w, h) * 2) / 2))


def draw_object(label: str, shape: str | None, box, fill: str, style: str = "auto") -> str:
    """One object as ``<g data-label data-shape>`` whose drawn extent (outline included) is exactly ``box``."""
    parts = parts_for(label, shape)
    units = [_unit_box(p) for p in parts]
    ux0, uy0, ux1, uy1 = geo.union(units)
    sw = outline_width(box, style)
    x0, y0, x1, y1 = box[0] + sw / 2, box[1] + sw / 2, box[2] - sw / 2, box[3] - sw / 2
    sx, sy = (x1 - x0) / (ux1 - ux0), (y1 - y0) / (uy1 - uy0)
    mx, my = (sx, x0 - ux0 * sx), (sy, y0 - uy0 * sy)
    body = []
    for part in parts:
        tone = fill if style == "flat" else _tone(part[2], fill)
        stroke = None if style == "flat" else _outline(tone)
        body.append(_element(part, mx, my, tone, stroke, sw))
    shape_attr = f" data-shape={quoteattr(shape)}" if shape else ""
    return f"<g data-label={quoteattr(label)}{shape_attr}>{''.join(body)}</g>"


def background(width: int, height: int, scene: str) -> str:
    if scene == "outdoor":
        h = _f(HORIZON * 100)
        return (f'<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">'
                f'<stop offset="0" stop-color="{SKY_TOP}"/><stop offset="{h}%" stop-color="{SKY_HORIZON}"/>'
                f'<stop offset="{h}%" stop-color="{GROUND_FAR}"/><stop offset="1" stop-color="{GROUND_NEAR}"/>'
                f'</linearGradient></defs><rect x="0" y="0" width="{width}" height="{height}" fill="url(#bg)"/>')
    return f'<rect x="0" y="0" width="{width}" height="{height}" fill="{PLAIN}"/>'


def draw(layout: Layout, fills: dict | None = None, scene: str = "plain", style: str = "auto") -> str:
    """The SVG of a planned layout: a background, then each object in paint order (``z``)."""
    if style not in STYLES:
        from .errors import SketchError

        raise SketchError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    if style == "scene":
        scene = "outdoor"
    elif style in ("plain", "flat"):
        scene = "plain"
    w, h = layout.width, layout.height
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
           background(w, h, scene)]
    for obj in sorted(layout.objects, key=lambda o: o.z):
        fill = (fills or {}).get(obj.id)
        if fill is None:
            rgb = obj.color.get("rgb") or [158, 158, 158]
            fill = to_hex(tuple(rgb))
        out.append(draw_object(obj.label, obj.shape, obj.bbox, fill, style))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def sketch(prompt, width: int = 512, height: int = 512, seed: int = 0, style: str = "auto"):
    """Prompt (or ``Constraints``) → (SVG text, ``Plan``): parse, plan, draw. Deterministic per seed."""
    from .plan import plan

    result = plan(prompt, width, height, seed)
    return draw(result.layout, result.fills, result.scene, style), result
