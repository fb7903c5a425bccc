"""colors.py and geometry.py: every colour syntax, basic colour names, transforms, path data and exact path boxes.

Path boxes are checked against a dense sampling of each curve computed here, independently of the engine (Bézier
polynomials and the SVG arc parametrisation of SVG 1.1 §F.6.5).
"""

import math

import pytest

from llm_sketch import geometry as geo
from llm_sketch.colors import BASIC_NAMES, CANONICAL_HEX, CSS_NAMES, basic_name, parse_color, to_hex


# ---- parse_color ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("#f00", (255, 0, 0, 1.0)),
    ("#F0A", (255, 0, 170, 1.0)),
    ("#ff000080", (255, 0, 0, 128 / 255)),
    ("#FF0000CC", (255, 0, 0, 204 / 255)),
    ("#f008", (255, 0, 0, 136 / 255)),
    ("#1E90FF", (30, 144, 255, 1.0)),
    ("red", (255, 0, 0, 1.0)),
    ("RED", (255, 0, 0, 1.0)),
    ("  Navy  ", (0, 0, 128, 1.0)),
    ("rebeccapurple", (102, 51, 153, 1.0)),
    ("rgb(1, 2, 3)", (1, 2, 3, 1.0)),
    ("RGB(10,20,30)", (10, 20, 30, 1.0)),
    ("rgb(0 128 0)", (0, 128, 0, 1.0)),
    ("rgb(0 128 0 / 50%)", (0, 128, 0, 0.5)),
    ("rgb(0 128 0 / 0.25)", (0, 128, 0, 0.25)),
    ("rgba(255, 0, 0, 0.5)", (255, 0, 0, 0.5)),
    ("rgba(255 0 0 / .5)", (255, 0, 0, 0.5)),
    ("rgb(100%, 0%, 20%)", (255, 0, 51, 1.0)),
    ("rgb(300, -20, 12.6)", (255, 0, 13, 1.0)),  # clamped and rounded
    ("rgba(0, 0, 0, 7)", (0, 0, 0, 1.0)),  # alpha clamped
    ("hsl(0, 100%, 50%)", (255, 0, 0, 1.0)),
    ("hsl(120, 100%, 25%)", (0, 128, 0, 1.0)),
    ("hsl(240deg 100% 50%)", (0, 0, 255, 1.0)),
    ("hsl(-120, 100%, 50%)", (0, 0, 255, 1.0)),  # hue wraps
    ("hsl(480, 100%, 50%)", (0, 255, 0, 1.0)),
    ("hsl(0.5turn 100% 50%)", (0, 255, 255, 1.0)),
    ("hsl(3.14159265rad, 100%, 50%)", (0, 255, 255, 1.0)),
    ("hsl(200grad, 100%, 50%)", (0, 255, 255, 1.0)),
    ("hsla(0, 100%, 50%, 0.5)", (255, 0, 0, 0.5)),
    ("hsl(0 100% 50% / 25%)", (255, 0, 0, 0.25)),
    ("hsl(0, 0%, 100%)", (255, 255, 255, 1.0)),
])
def test_parse_color_every_syntax(text, expected):
    got = parse_color(text)
    assert got is not None, text
    assert got[:3] == expected[:3]
    assert got[3] == pytest.approx(expected[3], abs=1e-6)


def test_parse_color_percent_half_rounds_up():
    # percentage channels are exact (50 % is 127.5, not 127.4999… from v * 2.55) and round half up, as browsers do
    assert parse_color("rgb(50%, 50%, 50%)")[:3] == (128, 128, 128)


@pytest.mark.parametrize("text", [
    "none", "transparent", "currentColor", "inherit", "", "#ab", "#abcde", "#ggg", "#12345g", "notacolor",
    "rgb(1, 2)", "rgb(1, 2, 3, 4, 5)", "rgb(a, b, c)", "rgb(nan, 0, 0)", "rgb(1e999, 0, 0)",
    "url(#grad)", "rgb(1,2,3", "red blue",
])
def test_parse_color_rejects(text):
    assert parse_color(text) is None


def test_parse_color_rejects_infinite_hue():
    # an infinite hue would become NaN after `% 360` (colorsys then gives gray); non-finite values are None
    assert parse_color("hsl(1e999, 50%, 50%)") is None


def test_every_css_name_parses_and_round_trips():
    assert len(CSS_NAMES) >= 147
    for name, hexa in CSS_NAMES.items():
        rgba = parse_color(name)
        assert rgba is not None and rgba[3] == 1.0, name
        assert to_hex(rgba) == "#" + hexa


# ---- basic_name -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("css, word", [
    ("navy", "blue"), ("midnightblue", "blue"), ("royalblue", "blue"), ("skyblue", "blue"), ("steelblue", "blue"),
    ("dodgerblue", "blue"), ("blue", "blue"),
    ("crimson", "red"), ("firebrick", "red"), ("darkred", "red"), ("tomato", "red"), ("red", "red"),
    ("gold", "yellow"), ("khaki", "yellow"), ("yellow", "yellow"),
    ("tan", "brown"), ("chocolate", "brown"), ("saddlebrown", "brown"), ("sienna", "brown"), ("peru", "brown"),
    ("burlywood", "brown"), ("brown", "brown"),
    ("silver", "gray"), ("dimgray", "gray"), ("darkgray", "gray"), ("lightgrey", "gray"), ("slategray", "gray"),
    ("gray", "gray"), ("grey", "gray"),
    ("forestgreen", "green"), ("lime", "green"), ("darkgreen", "green"), ("seagreen", "green"),
    ("limegreen", "green"), ("olivedrab", "green"), ("green", "green"),
    ("darkorange", "orange"), ("coral", "orange"), ("orange", "orange"),
    ("indigo", "purple"), ("darkviolet", "purple"), ("rebeccapurple", "purple"), ("violet", "purple"),
    ("purple", "purple"),
    ("hotpink", "pink"), ("deeppink", "pink"), ("lightpink", "pink"), ("pink", "pink"),
    ("black", "black"), ("white", "white"), ("ivory", "white"), ("whitesmoke", "white"), ("snow", "white"),
])
def test_basic_name_of_css_names_people_expect(css, word):
    assert basic_name(parse_color(css)[:3]) == word


def test_basic_name_of_canonical_colours_and_near_misses():
    for word, hexa in CANONICAL_HEX.items():
        assert basic_name(parse_color(hexa)[:3]) == word
    assert set(BASIC_NAMES) == set(CANONICAL_HEX)
    assert basic_name((250, 5, 5)) == "red"
    assert basic_name((10, 10, 12)) == "black"
    assert basic_name((128, 128, 130)) == "gray"
    assert basic_name((5, 5, 120)) == "blue"


# ---- parse_transform ------------------------------------------------------------------------------------------------
def close(m, n, tol=1e-9):
    return all(abs(a - b) <= tol for a, b in zip(m, n))


@pytest.mark.parametrize("text, expected", [
    (None, (1, 0, 0, 1, 0, 0)),
    ("", (1, 0, 0, 1, 0, 0)),
    ("translate(10)", (1, 0, 0, 1, 10, 0)),
    ("translate(10, 20)", (1, 0, 0, 1, 10, 20)),
    ("translate(10 -20)", (1, 0, 0, 1, 10, -20)),
    ("scale(2)", (2, 0, 0, 2, 0, 0)),
    ("scale(2 3)", (2, 0, 0, 3, 0, 0)),
    ("rotate(90)", (0, 1, -1, 0, 0, 0)),
    ("rotate(90 10 10)", (0, 1, -1, 0, 20, 0)),
    ("skewX(45)", (1, 0, 1, 1, 0, 0)),
    ("skewY(45)", (1, 1, 0, 1, 0, 0)),
    ("matrix(1 2 3 4 5 6)", (1, 2, 3, 4, 5, 6)),
    ("matrix(1,2,3,4,5,6)", (1, 2, 3, 4, 5, 6)),
    ("translate(10,20)scale(2)", (2, 0, 0, 2, 10, 20)),
    ("translate(10 20), scale(2)", (2, 0, 0, 2, 10, 20)),
    ("scale(2) translate(10 20)", (2, 0, 0, 2, 20, 40)),
    ("  rotate(180)  ", (-1, 0, 0, -1, 0, 0)),
    ("ROTATE(180)", (-1, 0, 0, -1, 0, 0)),
])
def test_parse_transform(text, expected):
    assert close(geo.parse_transform(text), expected)


def test_parse_transform_composes_left_to_right():
    # SVG applies the rightmost transform first: translate(100) rotate(90) maps (10, 0) to (100, 10)
    m = geo.parse_transform("translate(100) rotate(90)")
    x, y = geo.apply(m, 10, 0)
    assert (x, y) == pytest.approx((100, 10))
    m = geo.parse_transform("rotate(90) translate(100)")
    assert geo.apply(m, 10, 0) == pytest.approx((0, 110))


@pytest.mark.parametrize("text", ["translate(10", "rotate(1 2)", "foo(1)", "scale()", "matrix(1 2 3)",
                                  "translate(1 2 3)", "scale(1e999)", "skewX(1, 2)", "translate(10) junk"])
def test_parse_transform_rejects(text):
    with pytest.raises(geo.GeometryError):
        geo.parse_transform(text)


def test_scale_factor_is_largest_stretch():
    assert geo.scale_factor(geo.parse_transform("scale(3 2)")) == pytest.approx(3)
    assert geo.scale_factor(geo.parse_transform("rotate(33) scale(0.5)")) == pytest.approx(0.5)
    assert geo.scale_factor(geo.parse_transform("scale(-4 1)")) == pytest.approx(4)


# ---- parse_path -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("d, expected", [
    ("M10 20 L30 40", [("M", 10, 20), ("L", 30, 40)]),
    ("m10 20 l5 5 h10 v-5 z", [("M", 10, 20), ("L", 15, 25), ("L", 25, 25), ("L", 25, 20), ("Z",)]),
    ("M0 0 10 10 20 0", [("M", 0, 0), ("L", 10, 10), ("L", 20, 0)]),  # implicit line-tos
    ("m10 10 20 0 0 20z", [("M", 10, 10), ("L", 30, 10), ("L", 30, 30), ("Z",)]),  # relative implicit
    ("M0,0,L,10,10", [("M", 0, 0), ("L", 10, 10)]),
    ("M0.5.5L-1-1", [("M", 0.5, 0.5), ("L", -1, -1)]),
    ("M1e2 1E-1", [("M", 100, 0.1)]),
    ("M0 0z m5 5 l1 1", [("M", 0, 0), ("Z",), ("M", 5, 5), ("L", 6, 6)]),  # m after z is relative to start
    ("M0 0 H 10 V 10 h -5 v -5", [("M", 0, 0), ("L", 10, 0), ("L", 10, 10), ("L", 5, 10), ("L", 5, 5)]),
    ("M0 0 C0 10 10 10 10 0 S20 -10 20 0",
     [("M", 0, 0), ("C", 0, 10, 10, 10, 10, 0), ("C", 10, -10, 20, -10, 20, 0)]),  # S reflects
    ("M0 0 L5 5 S20 -10 20 0", [("M", 0, 0), ("L", 5, 5), ("C", 5, 5, 20, -10, 20, 0)]),  # no reflection
    ("M10 10 Q20 0 30 10 T50 10", [("M", 10, 10), ("Q", 20, 0, 30, 10), ("Q", 40, 20, 50, 10)]),
    ("M0 0 q10 -10 20 0 t20 0", [("M", 0, 0), ("Q", 10, -10, 20, 0), ("Q", 30, 10, 40, 0)]),
    ("M0 0 A10 10 0 1,1 20,0", [("M", 0, 0), ("A", 10, 10, 0, 1, 1, 20, 0)]),
    ("M0 0 a-5 5 30 0 1 10 0", [("M", 0, 0), ("A", 5, 5, 30, 0, 1, 10, 0)]),  # negative radius: absolute
    ("M0 0 A10 10 0 0 1 20 0 10 10 0 0 1 0 0",
     [("M", 0, 0), ("A", 10, 10, 0, 0, 1, 20, 0), ("A", 10, 10, 0, 0, 1, 0, 0)]),  # implicit repeat
])
def test_parse_path(d, expected):
    assert geo.parse_path(d) == [tuple(s) for s in expected]


@pytest.mark.parametrize("d, expected", [
    # arc flags are single digits that may be packed without separators
    ("M0 0a1 1 0 00.5.5", [("M", 0, 0), ("A", 1, 1, 0, 0, 0, 0.5, 0.5)]),
    ("M0 0 A5 5 0 1110 10", [("M", 0, 0), ("A", 5, 5, 0, 1, 1, 10, 10)]),
    ("M0 0 a5 5 0 0120 0", [("M", 0, 0), ("A", 5, 5, 0, 0, 1, 20, 0)]),
    ("M0 0 a5,5,0,1,0,10,0", [("M", 0, 0), ("A", 5, 5, 0, 1, 0, 10, 0)]),
    ("M0 0 a5 5 0 1 0 10 0 5 5 0 1 0 -10 0", [("M", 0, 0), ("A", 5, 5, 0, 1, 0, 10, 0), ("A", 5, 5, 0, 1, 0, 0, 0)]),
])
def test_parse_path_packed_arc_flags(d, expected):
    assert geo.parse_path(d) == [tuple(s) for s in expected]


@pytest.mark.parametrize("d, expected", [
    ("M0 0 L10 10 L20 # 30 30", [("M", 0, 0), ("L", 10, 10)]),  # junk: stop, keep what came before
    ("M0 0 L10", [("M", 0, 0)]),  # incomplete segment dropped
    ("M0 0 C1 1 2 2", [("M", 0, 0)]),
    ("M0 0 A5 5 0 2 1 10 10", [("M", 0, 0)]),  # a flag must be 0 or 1
    ("M0 0 L1e999 0", [("M", 0, 0)]),  # non-finite
    ("M0 0 L5 5 X 7 7 L9 9", [("M", 0, 0), ("L", 5, 5)]),
    ("M0 0 l 10 10e", [("M", 0, 0), ("L", 10, 10)]),
    ("L10 10", []),  # must start with a move-to
    ("10 10", []),
    ("", []),
    ("   ", []),
])
def test_parse_path_stops_at_first_error(d, expected):
    assert geo.parse_path(d) == [tuple(s) for s in expected]


def test_format_path_round_trips():
    d = "M10 20 C1 2 3 4 5 6 Q7 8 9 10 A5 5 30 1 0 20 20 L0 0 Z"
    segments = geo.parse_path(d)
    assert geo.parse_path(geo.format_path(segments)) == segments


# ---- path_bbox against dense sampling -------------------------------------------------------------------------------
def _cubic(p0, p1, p2, p3, t):
    mt = 1 - t
    return tuple(mt ** 3 * a + 3 * mt * mt * t * b + 3 * mt * t * t * c + t ** 3 * d
                 for a, b, c, d in zip(p0, p1, p2, p3))


def _quad(p0, p1, p2, t):
    mt = 1 - t
    return tuple(mt * mt * a + 2 * mt * t * b + t * t * c for a, b, c in zip(p0, p1, p2))


def _arc_points(p0, rx, ry, rot, large, sweep, p1, n):
    """Points on an SVG arc by the endpoint → centre conversion of SVG 1.1 §F.6.5 (with radius correction)."""
    (x1, y1), (x2, y2) = p0, p1
    if (x1, y1) == (x2, y2):
        return []
    if rx == 0 or ry == 0:
        return [(x1 + (x2 - x1) * i / n, y1 + (y2 - y1) * i / n) for i in range(n + 1)]
    phi = math.radians(rot)
    c, s = math.cos(phi), math.sin(phi)
    xp = c * (x1 - x2) / 2 + s * (y1 - y2) / 2
    yp = -s * (x1 - x2) / 2 + c * (y1 - y2) / 2
    scale = xp * xp / (rx * rx) + yp * yp / (ry * ry)
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    num = rx * rx * ry * ry - rx * rx * yp * yp - ry * ry * xp * xp
    den = rx * rx * yp * yp + ry * ry * xp * xp
    k = math.sqrt(max(0.0, num / den))
    if large == sweep:
        k = -k
    cxp, cyp = k * rx * yp / ry, -k * ry * xp / rx
    cx = c * cxp - s * cyp + (x1 + x2) / 2
    cy = s * cxp + c * cyp + (y1 + y2) / 2
    theta1 = math.atan2((yp - cyp) / ry, (xp - cxp) / rx)
    theta2 = math.atan2((-yp - cyp) / ry, (-xp - cxp) / rx)
    delta = theta2 - theta1
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    pts = []
    for i in range(n + 1):
        t = theta1 + delta * i / n
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        pts.append((c * ex - s * ey + cx, s * ex + c * ey + cy))
    return pts


def sample_path(segments, m=geo.IDENTITY, n=1500):
    pts = []
    x = y = 0.0
    for seg in segments:
        kind = seg[0]
        if kind in ("M", "L"):
            x, y = seg[1], seg[2]
            pts.append((x, y))
        elif kind == "C":
            pts += [_cubic((x, y), seg[1:3], seg[3:5], seg[5:7], i / n) for i in range(n + 1)]
            x, y = seg[5], seg[6]
        elif kind == "Q":
            pts += [_quad((x, y), seg[1:3], seg[3:5], i / n) for i in range(n + 1)]
            x, y = seg[3], seg[4]
        elif kind == "A":
            pts += _arc_points((x, y), *seg[1:6], seg[6:8], n)
            x, y = seg[6], seg[7]
    return [geo.apply(m, px, py) for px, py in pts]


PATHS = [
    "M10 80 C40 10 65 10 95 80 S150 150 180 80",
    "M0 0 C100 0 -50 100 50 100",
    "M10 10 C10 10 90 90 90 10",  # cusp-like
    "M10 80 Q95 10 180 80",
    "M10 80 Q52.5 10 95 80 T180 80",
    "M0 0 A50 50 0 0 1 100 0",
    "M0 0 A50 50 0 1 1 100 0",
    "M0 0 A50 50 0 1 0 100 0",
    "M0 0 A50 50 0 0 0 100 0",
    "M30 50 A40 15 -30 1 1 90 60",
    "M80 80 A45 45 0 0 0 125 125 L125 80 Z",
    "M230 80 A45 45 0 1 0 275 125 L275 80 Z",
    "M0 0 A10 5 45 1 1 20 0",  # radii too small: scaled up
    "M0 0 a25 100 -30 0 1 50 -25 l50 -25 a25 75 -30 0 1 50 -25",
    "M0 0 A0 5 0 1 1 20 0",  # zero radius: a straight line
    "M10 10 A20 20 0 1 1 10 10.0001",  # nearly a full circle
    "M40 80 a20 20 0 0 1 30 -25 a25 25 0 0 1 45 5 a18 18 0 0 1 5 35 h-75 a15 15 0 0 1 -5 -15z",
]
TRANSFORMS = [None, "rotate(30)", "scale(2 0.5) rotate(-70)", "matrix(1.2 0.4 -0.3 0.9 5 -7)", "skewX(40)"]


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("d", PATHS)
def test_path_bbox_matches_dense_sampling(d, transform):
    segments = geo.parse_path(d)
    m = geo.parse_transform(transform)
    box = geo.path_bbox(segments, m)
    pts = sample_path(segments, m)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    sampled = (min(xs), min(ys), max(xs), max(ys))
    size = max(sampled[2] - sampled[0], sampled[3] - sampled[1], 1.0)
    tol = 1e-3 * size  # sampling misses an extremum by at most ~(π/n)² × radius
    # the box holds every sampled point (up to the cubic approximation of arcs, ~3e-4 of a radius), and is no
    # bigger than the sampled extremes
    slack = 1e-4 * size
    assert box[0] <= sampled[0] + slack and box[1] <= sampled[1] + slack
    assert box[2] >= sampled[2] - slack and box[3] >= sampled[3] - slack
    assert all(abs(a - b) <= tol for a, b in zip(box, sampled)), (box, sampled)


def test_path_bbox_empty_and_degenerate():
    assert geo.path_bbox([]) is None
    assert geo.path_bbox(geo.parse_path("M5 5")) == (5, 5, 5, 5)
    assert geo.path_bbox(geo.parse_path("M5 5 A10 10 0 0 1 5 5")) == (5, 5, 5, 5)  # zero-length arc: omitted


def test_ellipse_and_rect_segments():
    box = geo.path_bbox(geo.ellipse_segments(50, 40, 30, 10), geo.parse_transform("rotate(90 50 40)"))
    assert box == pytest.approx((40, 10, 60, 70), abs=1e-6)
    assert geo.path_bbox(geo.rect_segments(1, 2, 3, 4)) == (1, 2, 4, 6)
    assert geo.union([None, (0, 0, 1, 1), (2, -1, 3, 0)]) == (0, -1, 3, 1)
    assert geo.union([None]) is None
    assert geo.inflate((0, 0, 1, 1), 2) == (-2, -2, 3, 3)


def test_numbers_rejects_non_finite():
    assert geo.numbers("1,2 -3e1 .5") == [1, 2, -30, 0.5]
    with pytest.raises(geo.GeometryError):
        geo.numbers("1 1e999")
