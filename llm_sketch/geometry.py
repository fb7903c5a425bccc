"""2-D geometry for SVG: affine transforms, path data, and exact bounding boxes under a transform.

A transform is a 6-tuple ``(a, b, c, d, e, f)`` mapping ``(x, y)`` to ``(a*x + c*y + e, b*x + d*y + f)``, as in SVG's
``matrix()``. Path data is parsed into absolute segments; the parser stops at the first error and keeps what came
before, as the SVG specification asks renderers to do.
"""

from __future__ import annotations

import math
import re

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(NUMBER)


class GeometryError(ValueError):
    """Malformed geometry (a transform or number that cannot be read)."""


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """The transform that applies ``n`` first, then ``m``."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def translate(tx: float, ty: float = 0.0) -> Matrix:
    return (1.0, 0.0, 0.0, 1.0, tx, ty)


def scale(sx: float, sy: float | None = None) -> Matrix:
    return (sx, 0.0, 0.0, sx if sy is None else sy, 0.0, 0.0)


def rotate(deg: float, cx: float = 0.0, cy: float = 0.0) -> Matrix:
    r = math.radians(deg)
    cos, sin = math.cos(r), math.sin(r)
    m = (cos, sin, -sin, cos, 0.0, 0.0)
    if cx or cy:
        m = multiply(translate(cx, cy), multiply(m, translate(-cx, -cy)))
    return m


def scale_factor(m: Matrix) -> float:
    """The largest factor by which ``m`` stretches a length (its spectral norm)."""
    a, b, c, d = m[:4]
    s = a * a + b * b + c * c + d * d
    det = a * d - b * c
    return math.sqrt(max(0.0, (s + math.sqrt(max(0.0, s * s - 4 * det * det))) / 2))


def numbers(text: str) -> list[float]:
    """Every number in ``text``; raises GeometryError on NaN/inf (``1e999``) values."""
    values = [float(t) for t in _NUMBER_RE.findall(text)]
    if not all(math.isfinite(v) for v in values):
        raise GeometryError(f"non-finite number in {text[:60]!r}")
    return values


_TRANSFORM_RE = re.compile(r"\s*(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)\s*,?", re.I)


def parse_transform(text: str | None) -> Matrix:
    """A transform list → one matrix. Invalid lists give GeometryError (SVG then ignores the whole attribute)."""
    if not text or not text.strip():
        return IDENTITY
    m, pos, text = IDENTITY, 0, text.strip()
    while pos < len(text):
        match = _TRANSFORM_RE.match(text, pos)
        if not match:
            raise GeometryError(f"cannot read transform {text[:60]!r}")
        name, args = match.group(1).lower(), numbers(match.group(2))
        counts = {"matrix": (6,), "translate": (1, 2), "scale": (1, 2), "rotate": (1, 3), "skewx": (1,), "skewy": (1,)}
        if len(args) not in counts[name]:
            raise GeometryError(f"{name}() takes {' or '.join(map(str, counts[name]))} numbers in {text[:60]!r}")
        if name == "matrix":
            step = tuple(args)
        elif name == "translate":
            step = translate(*args)
        elif name == "scale":
            step = scale(*args)
        elif name == "rotate":
            step = rotate(*args)
        elif name == "skewx":
            step = (1.0, 0.0, math.tan(math.radians(args[0])), 1.0, 0.0, 0.0)
        else:
            step = (1.0, math.tan(math.radians(args[0])), 0.0, 1.0, 0.0, 0.0)
        m = multiply(m, step)
        pos = match.end()
    return m


def format_matrix(m: Matrix) -> str:
    return "matrix(%s)" % " ".join(fmt(v) for v in m)


def fmt(v: float) -> str:
    """A compact, exact-enough number for SVG output."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return ("%.6f" % v).rstrip("0").rstrip(".")


# ---- path data ------------------------------------------------------------------------------------------------------
_PATH_TOKEN = re.compile(rf"\s*,?\s*([MmLlHhVvCcSsQqTtAaZz]|{NUMBER})")
_ARGS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


def _tokens(d: str):
    pos = 0
    while pos < len(d):
        if d[pos:].strip(" \t\r\n,") == "":
            return
        m = _PATH_TOKEN.match(d, pos)
        if not m:
            return  # junk: stop here, keep what was read
        yield m.group(1), m.end()
        pos = m.end()


def parse_path(d: str) -> list[tuple]:
    """Path data → absolute segments ``('M', x, y)``, ``('L', x, y)``, ``('C', x1, y1, x2, y2, x, y)``,
    ``('Q', x1, y1, x, y)``, ``('A', rx, ry, rotation, large, sweep, x, y)`` and ``('Z',)``.

    Reading stops at the first error, keeping the segments before it (SVG 1.1 §F.2 error handling).
    """
    segments: list[tuple] = []
    cmd = None
    x = y = sx = sy = 0.0
    last_ctrl = None  # (command letter, control point) for S/T reflection
    tokens = list(_tokens(d or ""))
    i = 0
    while i < len(tokens):
        tok = tokens[i][0]
        if tok.isalpha():
            cmd, i = tok, i + 1
            if cmd in "Zz":
                segments.append(("Z",))
                x, y = sx, sy
                last_ctrl = None
                continue
        elif cmd is None or cmd in "Zz":
            break  # numbers with no command: error
        lower = cmd.lower()
        n = _ARGS[lower]
        args: list[float] = []
        while len(args) < n and i < len(tokens):
            tok = tokens[i][0]
            if tok.isalpha():
                break
            if lower == "a" and len(args) in (3, 4):
                # arc flags are single digits and may be packed ("a1 1 0 00.5.5")
                if tok[0] not in "01":
                    break
                args.append(float(tok[0]))
                if len(tok) > 1:
                    tokens[i] = (tok[1:], tokens[i][1])
                    continue
                i += 1
                continue
            args.append(float(tok))
            i += 1
        if len(args) < n or not all(math.isfinite(a) for a in args):
            break
        rel = cmd.islower()
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if lower == "m":
            x, y = args[0] + ox, args[1] + oy
            sx, sy = x, y
            segments.append(("M", x, y))
            cmd = "l" if rel else "L"  # further pairs are implicit line-tos
            last_ctrl = None
        elif lower == "l":
            x, y = args[0] + ox, args[1] + oy
            segments.append(("L", x, y))
            last_ctrl = None
        elif lower == "h":
            x = args[0] + (x if rel else 0.0)
            segments.append(("L", x, y))
            last_ctrl = None
        elif lower == "v":
            y = args[0] + (y if rel else 0.0)
            segments.append(("L", x, y))
            last_ctrl = None
        elif lower == "c":
            x1, y1, x2, y2 = args[0] + ox, args[1] + oy, args[2] + ox, args[3] + oy
            x, y = args[4] + ox, args[5] + oy
            segments.append(("C", x1, y1, x2, y2, x, y))
            last_ctrl = ("c", x2, y2)
        elif lower == "s":
            x1, y1 = (2 * x - last_ctrl[1], 2 * y - last_ctrl[2]) if last_ctrl and last_ctrl[0] == "c" else (x, y)
            x2, y2 = args[0] + ox, args[1] + oy
            x, y = args[2] + ox, args[3] + oy
            segments.append(("C", x1, y1, x2, y2, x, y))
            last_ctrl = ("c", x2, y2)
        elif lower == "q":
            x1, y1 = args[0] + ox, args[1] + oy
            x, y = args[2] + ox, args[3] + oy
            segments.append(("Q", x1, y1, x, y))
            last_ctrl = ("q", x1, y1)
        elif lower == "t":
            x1, y1 = (2 * x - last_ctrl[1], 2 * y - last_ctrl[2]) if last_ctrl and last_ctrl[0] == "q" else (x, y)
            x, y = args[0] + ox, args[1] + oy
            segments.append(("Q", x1, y1, x, y))
            last_ctrl = ("q", x1, y1)
        else:  # arc
            rx, ry, rot, large, sweep = abs(args[0]), abs(args[1]), args[2], args[3], args[4]
            x, y = args[5] + ox, args[6] + oy
            segments.append(("A", rx, ry, rot, large, sweep, x, y))
            last_ctrl = None
    if segments and segments[0][0] != "M":
        return []  # a path must begin with a move-to
    return segments


def format_path(segments: list[tuple]) -> str:
    return " ".join(s[0] + " ".join(fmt(v) for v in s[1:]) for s in segments)


def arc_to_cubics(x0: float, y0: float, rx: float, ry: float, rot: float, large: float, sweep: float,
                  x: float, y: float, tolerance: float | None = None) -> list[tuple]:
    """An SVG elliptical arc as cubic Bézier segments ``('C', …)`` (SVG 1.1 §F.6 endpoint → centre conversion):
    one per quarter turn, or, with ``tolerance``, as many as kurbo makes for resvg (which puts mid markers on the
    joints)."""
    if (x0, y0) == (x, y):
        return []
    if rx == 0 or ry == 0:
        return [("C", x0, y0, x, y, x, y)]
    phi = math.radians(rot % 360)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (x0 - x) / 2, (y0 - y) / 2
    x1p, y1p = cos * dx + sin * dy, -sin * dx + cos * dy
    lam = (x1p / rx) ** 2 + (y1p / ry) ** 2
    if lam > 1:
        rx, ry = rx * math.sqrt(lam), ry * math.sqrt(lam)
    num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    coef = math.sqrt(max(0.0, num / den)) if den else 0.0
    if large == sweep:
        coef = -coef
    cxp, cyp = coef * rx * y1p / ry, -coef * ry * x1p / rx
    cx, cy = cos * cxp - sin * cyp + (x0 + x) / 2, sin * cxp + cos * cyp + (y0 + y) / 2

    def angle(ux, uy, vx, vy):
        return math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)

    t1 = angle(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry)
    dt = angle((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry)
    if not sweep and dt > 0:
        dt -= 2 * math.pi
    elif sweep and dt < 0:
        dt += 2 * math.pi
    if tolerance is None:
        parts = max(1, math.ceil(abs(dt) / (math.pi / 2) - 1e-9))
    else:  # kurbo's Arc::append_iter
        n_err = max((1.1163 * max(rx, ry) / tolerance) ** (1 / 6), 3.999999)
        parts = max(1, math.ceil(n_err * abs(dt) / (2 * math.pi)))
    step = dt / parts
    k = 4 / 3 * math.tan(step / 4)
    out = []
    for i in range(parts):
        a1, a2 = t1 + i * step, t1 + (i + 1) * step

        def point(t, dk=0.0):
            ex, ey = math.cos(t), math.sin(t)
            px, py = rx * (ex - dk * ey), ry * (ey + dk * ex)
            return cos * px - sin * py + cx, sin * px + cos * py + cy

        p1, p2, p3 = point(a1, k), point(a2, -k), point(a2)
        out.append(("C", *p1, *p2, *p3))
    return out


def _cubic_extrema(p0: float, p1: float, p2: float, p3: float) -> list[float]:
    a = -p0 + 3 * p1 - 3 * p2 + p3
    b = 2 * (p0 - 2 * p1 + p2)
    c = p1 - p0
    roots = []
    if abs(a) < 1e-12:
        if abs(b) > 1e-12:
            roots.append(-c / b)
    else:
        disc = b * b - 4 * a * c
        if disc >= 0:
            sq = math.sqrt(disc)
            roots += [(-b + sq) / (2 * a), (-b - sq) / (2 * a)]
    out = []
    for t in roots:
        if 0 < t < 1:
            mt = 1 - t
            out.append(mt ** 3 * p0 + 3 * mt * mt * t * p1 + 3 * mt * t * t * p2 + t ** 3 * p3)
    return out


def path_bbox(segments: list[tuple], m: Matrix = IDENTITY) -> Box | None:
    """The exact box of ``segments`` drawn under transform ``m`` (affine maps keep Béziers Béziers)."""
    xs: list[float] = []
    ys: list[float] = []
    x = y = 0.0
    for seg in segments:
        kind = seg[0]
        if kind in ("M", "L"):
            x, y = seg[1], seg[2]
            px, py = apply(m, x, y)
            xs.append(px)
            ys.append(py)
            continue
        if kind == "Z":
            continue
        if kind == "Q":
            (x1, y1), (xe, ye) = seg[1:3], seg[3:5]
            cubics = [("C", x + 2 / 3 * (x1 - x), y + 2 / 3 * (y1 - y), xe + 2 / 3 * (x1 - xe),
                       ye + 2 / 3 * (y1 - ye), xe, ye)]
        elif kind == "A":
            cubics = arc_to_cubics(x, y, *seg[1:])
            if not cubics:
                x, y = seg[6], seg[7]
                continue
        else:
            cubics = [seg]
        for c in cubics:
            p0 = apply(m, x, y)
            p1, p2, p3 = apply(m, c[1], c[2]), apply(m, c[3], c[4]), apply(m, c[5], c[6])
            xs += [p0[0], p3[0], *_cubic_extrema(p0[0], p1[0], p2[0], p3[0])]
            ys += [p0[1], p3[1], *_cubic_extrema(p0[1], p1[1], p2[1], p3[1])]
            x, y = c[5], c[6]
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


def ellipse_segments(cx: float, cy: float, rx: float, ry: float) -> list[tuple]:
    k = 0.5522847498307936  # cubic approximation of a quarter circle
    return [("M", cx + rx, cy),
            ("C", cx + rx, cy + k * ry, cx + k * rx, cy + ry, cx, cy + ry),
            ("C", cx - k * rx, cy + ry, cx - rx, cy + k * ry, cx - rx, cy),
            ("C", cx - rx, cy - k * ry, cx - k * rx, cy - ry, cx, cy - ry),
            ("C", cx + k * rx, cy - ry, cx + rx, cy - k * ry, cx + rx, cy), ("Z",)]


def rect_segments(x: float, y: float, w: float, h: float) -> list[tuple]:
    return [("M", x, y), ("L", x + w, y), ("L", x + w, y + h), ("L", x, y + h), ("Z",)]


def union(boxes) -> Box | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def inflate(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


# ---- outlines, strokes and clipping (the layout's pixel-exact boxes) ------------------------------------------------
# A subpath is ``[start, segments, closed, drawn]``: ``segments`` are ``('L', x, y)`` and ``('C', x1, y1, x2, y2, x, y)``
# only (quadratics and arcs converted), zero-length ones left out; ``drawn`` says a drawing command followed the move
# (a lone move-to paints nothing, but a zero-length subpath gets round or square caps).
_EPS = 1e-9


def subpaths(segments: list[tuple]) -> list[list]:
    """Absolute path segments (``parse_path``) → subpaths of lines and cubics."""
    out: list[list] = []
    cur = None
    x = y = sx = sy = 0.0
    for seg in segments:
        kind = seg[0]
        if kind == "M":
            x, y = sx, sy = seg[1], seg[2]
            cur = [(x, y), [], False, False]
            out.append(cur)
            continue
        if cur is None:  # a command after Z starts a new subpath at the last start point
            cur = [(sx, sy), [], False, False]
            out.append(cur)
        cur[3] = True
        if kind == "Z":
            if abs(x - sx) > _EPS or abs(y - sy) > _EPS:
                cur[1].append(("L", sx, sy))
            cur[2] = True
            x, y = sx, sy
            cur = None
        elif kind == "L":
            if abs(seg[1] - x) > _EPS or abs(seg[2] - y) > _EPS:
                cur[1].append(seg)
            x, y = seg[1], seg[2]
        elif kind == "C":
            if any(abs(v - w) > _EPS for v, w in zip(seg[1:], (x, y, x, y, x, y))):
                cur[1].append(seg)
            x, y = seg[5], seg[6]
        elif kind == "Q":
            x1, y1, xe, ye = seg[1:5]
            if any(abs(v - w) > _EPS for v, w in zip(seg[1:], (x, y, x, y))):
                cur[1].append(("C", x + 2 / 3 * (x1 - x), y + 2 / 3 * (y1 - y), xe + 2 / 3 * (x1 - xe),
                               ye + 2 / 3 * (y1 - ye), xe, ye))
            x, y = xe, ye
        elif kind == "A":
            xe, ye = seg[6], seg[7]
            if abs(xe - x) > _EPS or abs(ye - y) > _EPS:
                if seg[1] == 0 or seg[2] == 0:
                    cur[1].append(("L", xe, ye))
                else:
                    cur[1].extend(arc_to_cubics(x, y, *seg[1:]))
            x, y = xe, ye
    return out


def _unit(dx: float, dy: float):
    n = math.hypot(dx, dy)
    return (dx / n, dy / n) if n > _EPS else None


def start_tangent(p0: tuple[float, float], seg: tuple):
    """The unit direction in which ``seg`` leaves ``p0`` (None for a point)."""
    if seg[0] == "L":
        return _unit(seg[1] - p0[0], seg[2] - p0[1])
    for i in (1, 3, 5):
        t = _unit(seg[i] - p0[0], seg[i + 1] - p0[1])
        if t:
            return t
    return None


def end_tangent(p0: tuple[float, float], seg: tuple):
    """The unit direction in which ``seg`` arrives at its end point."""
    if seg[0] == "L":
        return _unit(seg[1] - p0[0], seg[2] - p0[1])
    for qx, qy in ((seg[3], seg[4]), (seg[1], seg[2]), p0):
        t = _unit(seg[5] - qx, seg[6] - qy)
        if t:
            return t
    return None


def encloses(sub: list) -> bool:
    """Whether a subpath can fill anything: not a point, and not straight lines along one line (zero area)."""
    segs = sub[1]
    if not segs:
        return False
    if len(segs) > 2 or any(seg[0] != "L" for seg in segs):
        return True
    (x0, y0), (x1, y1), (x2, y2) = sub[0], segs[0][1:3], segs[-1][1:3]
    cross = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0)
    return abs(cross) > 1e-9 * max(1.0, abs(x1 - x0) + abs(y1 - y0)) * max(1.0, abs(x2 - x0) + abs(y2 - y0))


def outline_extent(subs: list[list], m: Matrix, xs: list, ys: list, filled: bool = True) -> None:
    """Append to ``xs``/``ys`` the coordinates that bound the outline of ``subs`` under ``m`` (its exact box; when
    ``filled``, subpaths that enclose nothing are left out)."""
    a, b, c, d, e, f = m
    for sub in subs:
        if filled and not encloses(sub):
            continue
        start, segs = sub[0], sub[1]
        x, y = start
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
        for seg in segs:
            if seg[0] == "C":
                p0x, p0y = a * x + c * y + e, b * x + d * y + f
                p1x, p1y = a * seg[1] + c * seg[2] + e, b * seg[1] + d * seg[2] + f
                p2x, p2y = a * seg[3] + c * seg[4] + e, b * seg[3] + d * seg[4] + f
                x, y = seg[5], seg[6]
                p3x, p3y = a * x + c * y + e, b * x + d * y + f
                xs.append(p3x)
                ys.append(p3y)
                if not (min(p0x, p3x) <= p1x <= max(p0x, p3x) and min(p0x, p3x) <= p2x <= max(p0x, p3x)):
                    xs.extend(_cubic_extrema(p0x, p1x, p2x, p3x))
                if not (min(p0y, p3y) <= p1y <= max(p0y, p3y) and min(p0y, p3y) <= p2y <= max(p0y, p3y)):
                    ys.extend(_cubic_extrema(p0y, p1y, p2y, p3y))
            else:
                x, y = seg[1], seg[2]
                xs.append(a * x + c * y + e)
                ys.append(b * x + d * y + f)


class Stroke:
    """A stroke's geometry in user space: half width, cap (butt/round/square), join (miter/round/bevel; the
    sanitizer drops SVG 2's miter-clip and arcs, which browsers and cairo do not draw) and miter limit."""

    __slots__ = ("hw", "cap", "join", "limit")

    def __init__(self, width: float, cap: str = "butt", join: str = "miter", limit: float = 4.0):
        self.hw = width / 2
        self.cap = cap if cap in ("butt", "round", "square") else "butt"
        self.join = join if join in ("round", "bevel") else "miter"
        self.limit = max(1.0, limit)  # (below 1 every join is bevelled; the sanitizer drops such values anyway)


def _arc_extent(cx: float, cy: float, r: float, u0: tuple[float, float], sweep: float, m: Matrix,
                xs: list, ys: list) -> None:
    """The extremes of the circular arc (user space) from direction ``u0`` turning ``sweep`` radians (positive:
    from +x toward +y), drawn under ``m``."""
    a, b, c, d, e, f = m
    start = math.atan2(u0[1], u0[0])
    for values, ca, cb in ((xs, a, c), (ys, b, d)):
        # a·cos θ + c·sin θ is extreme at θ = atan2(c, a) and that + π
        base = math.atan2(cb, ca)
        for theta in (base, base + math.pi):
            delta = (theta - start) % (2 * math.pi)
            if delta <= sweep + 1e-12:
                px, py = cx + r * math.cos(theta), cy + r * math.sin(theta)
                values.append(ca * px + cb * py + (e if values is xs else f))


def _turn(t_in, t_out) -> tuple[float, float]:
    return t_in[0] * t_out[1] - t_in[1] * t_out[0], t_in[0] * t_out[0] + t_in[1] * t_out[1]


def join_points(vx: float, vy: float, t_in, t_out, stroke: Stroke):
    """The outer side of a join, in user space: ``("points", [...])`` (from the incoming segment's outer corner
    through the miter tip to the outgoing one's), ``("arc", u0, sweep)`` for a round join, or None (a bevel, a
    miter past the limit, or no turn: nothing beyond the segments' own corners)."""
    cross, dot = _turn(t_in, t_out)
    if abs(cross) < 1e-12 and dot > 0:
        return None
    hw = stroke.hw
    sign = 1.0 if cross > 0 else -1.0
    n1 = (sign * t_in[1], -sign * t_in[0])  # the outer normals of the incoming and outgoing segments
    n2 = (sign * t_out[1], -sign * t_out[0])
    if stroke.join == "round":
        sweep = math.acos(max(-1.0, min(1.0, n1[0] * n2[0] + n1[1] * n2[1])))
        if abs(cross) < 1e-12:  # a full reversal: a half disc centred on the direction of travel (see cap_points)
            return ("arc", (t_in[1], -t_in[0]), math.pi)
        # turn from n1 to n2 the short way
        u0 = n1 if (n1[0] * n2[1] - n1[1] * n2[0]) > 0 else n2
        return ("arc", u0, sweep)
    if stroke.join == "bevel":
        return None
    if dot <= -1 + 1e-12:  # a full reversal: the miter would be endless, so it is bevelled
        return None
    cos_half = math.sqrt((1 + dot) / 2)  # cos(φ/2), φ the turning angle; the miter length ratio is 1/cos(φ/2)
    if 1 / cos_half > stroke.limit + 1e-9:
        return None
    k = hw / (1 + dot)
    return ("points", [(vx + hw * n1[0], vy + hw * n1[1]), (vx + (n1[0] + n2[0]) * k, vy + (n1[1] + n2[1]) * k),
                       (vx + hw * n2[0], vy + hw * n2[1])])


def cap_points(px: float, py: float, t, stroke: Stroke):
    """A cap at an open end (``t``: the unit direction pointing out of the path), in user space, like
    ``join_points``: the square's corners, a half disc, or None for butt caps."""
    hw = stroke.hw
    if stroke.cap == "butt":
        return None
    n = (-t[1], t[0])
    if stroke.cap == "square":
        return ("points", [(px + hw * n[0], py + hw * n[1]), (px + hw * (n[0] + t[0]), py + hw * (n[1] + t[1])),
                           (px + hw * (-n[0] + t[0]), py + hw * (-n[1] + t[1])), (px - hw * n[0], py - hw * n[1])])
    # round: a half disc centred on t. Sweeping from u0 (turning from +x toward +y, (x, y) → (-y, x)) passes t
    # after a quarter turn when u0 is t turned back a quarter: (t.y, -t.x)
    return ("arc", (t[1], -t[0]), math.pi)


def _sub_vertices(start, segs, closed):
    """(vertex, incoming tangent, outgoing tangent) at each joint of a subpath, and the start/end tangents."""
    joints = []
    x, y = start
    first_t = start_tangent(start, segs[0])
    prev_end = None
    for seg in segs:
        t_start = start_tangent((x, y), seg)
        if prev_end is not None:
            joints.append((x, y, prev_end, t_start))
        prev_end = end_tangent((x, y), seg)
        x, y = seg[-2], seg[-1]
    if closed:
        joints.append((x, y, prev_end, first_t))
    return joints, first_t, prev_end, (x, y)


def stroke_reach(m: Matrix, stroke: Stroke) -> tuple[float, float]:
    """How far past the outline the stroke can reach along x and y in output space, at most (miters, square caps):
    a quick bound for paths too long to follow segment by segment."""
    k = max(stroke.limit if stroke.join == "miter" else 1.0, math.sqrt(2) if stroke.cap == "square" else 1.0)
    return stroke.hw * k * math.hypot(m[0], m[2]), stroke.hw * k * math.hypot(m[1], m[3])


def stroke_extent(subs: list[list], m: Matrix, stroke: Stroke, xs: list, ys: list) -> None:
    """Append the coordinates that bound the stroke of ``subs`` under ``m``: each segment's end normals, the
    stroke's reach at the curve's extremes (the transformed half-width circle: ``hw·√(a²+c²)`` along x,
    ``hw·√(b²+d²)`` along y), miter tips within the limit, round joins and caps as arcs, square caps."""
    a, b, c, d, e, f = m
    hw = stroke.hw
    ex, ey = hw * math.hypot(a, c), hw * math.hypot(b, d)

    def put(px, py):
        xs.append(a * px + c * py + e)
        ys.append(b * px + d * py + f)

    def add(extra, vx, vy):
        if extra is None:
            return
        if extra[0] == "points":
            for p in extra[1]:
                put(*p)
        else:
            _arc_extent(vx, vy, hw, extra[1], extra[2], m, xs, ys)

    for start, segs, closed, drawn in subs:
        if not segs:
            if drawn and stroke.cap == "round":  # a zero-length subpath: a dot
                _arc_extent(start[0], start[1], hw, (1.0, 0.0), 2 * math.pi, m, xs, ys)
            elif drawn and stroke.cap == "square":
                for sx, sy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    put(start[0] + sx * hw, start[1] + sy * hw)
            continue
        x, y = start
        for seg in segs:
            t0, t1 = start_tangent((x, y), seg), end_tangent((x, y), seg)
            ex_, ey_ = seg[-2], seg[-1]
            put(x + hw * t0[1], y - hw * t0[0])
            put(x - hw * t0[1], y + hw * t0[0])
            put(ex_ + hw * t1[1], ey_ - hw * t1[0])
            put(ex_ - hw * t1[1], ey_ + hw * t1[0])
            if seg[0] == "C":
                p0x, p0y = a * x + c * y + e, b * x + d * y + f
                p1x, p1y = a * seg[1] + c * seg[2] + e, b * seg[1] + d * seg[2] + f
                p2x, p2y = a * seg[3] + c * seg[4] + e, b * seg[3] + d * seg[4] + f
                p3x, p3y = a * ex_ + c * ey_ + e, b * ex_ + d * ey_ + f
                for v in _cubic_extrema(p0x, p1x, p2x, p3x):
                    xs += (v - ex, v + ex)
                for v in _cubic_extrema(p0y, p1y, p2y, p3y):
                    ys += (v - ey, v + ey)
            x, y = ex_, ey_
        joints, first_t, last_t, end = _sub_vertices(start, segs, closed)
        if stroke.join != "bevel":
            for vx, vy, t_in, t_out in joints:
                add(join_points(vx, vy, t_in, t_out, stroke), vx, vy)
        if not closed and stroke.cap != "butt":
            add(cap_points(start[0], start[1], (-first_t[0], -first_t[1]), stroke), *start)
            add(cap_points(end[0], end[1], last_t, stroke), *end)


# ---- the visible part: flattening and clipping ----------------------------------------------------------------------
def _cubic_steps(p0x, p0y, p1x, p1y, p2x, p2y, p3x, p3y, tolerance: float) -> int:
    """Pieces for flattening a cubic (output space) within ``tolerance`` (Wang's bound)."""
    ddx = max(abs(p0x - 2 * p1x + p2x), abs(p1x - 2 * p2x + p3x))
    ddy = max(abs(p0y - 2 * p1y + p2y), abs(p1y - 2 * p2y + p3y))
    return max(1, min(256, math.ceil(math.sqrt(0.75 * math.hypot(ddx, ddy) / tolerance))))


def _curvature(x0, y0, x1, y1, x2, y2, x3, y3, t: float) -> float:
    """Signed curvature of a cubic at ``t`` (positive: turning from +x toward +y); infinite at a cusp."""
    mt = 1 - t
    dx = 3 * (mt * mt * (x1 - x0) + 2 * mt * t * (x2 - x1) + t * t * (x3 - x2))
    dy = 3 * (mt * mt * (y1 - y0) + 2 * mt * t * (y2 - y1) + t * t * (y3 - y2))
    ddx = 6 * (mt * (x2 - 2 * x1 + x0) + t * (x3 - 2 * x2 + x1))
    ddy = 6 * (mt * (y2 - 2 * y1 + y0) + t * (y3 - 2 * y2 + y1))
    speed2 = dx * dx + dy * dy
    if speed2 < 1e-18:
        return math.inf
    return (dx * ddy - dy * ddx) / speed2 ** 1.5


def flatten_user(start, segs, m: Matrix, tolerance: float = 0.25, curvature: list | None = None,
                 limit: int = 1 << 60):
    """A subpath as user-space points (curves split finely enough that the output-space error is within
    ``tolerance`` px), with a flag per point: True where it is a real vertex (a segment end), not a split point.
    ``curvature``, if given, receives per point the signed curvature of the piece ending there (the larger of its
    two ends; 0 on lines). None when there would be more than ``limit`` points."""
    a, b, c, d, e, f = m
    pts = [start]
    real = [True]
    if curvature is not None:
        curvature.append(0.0)
    x, y = start
    for seg in segs:
        if seg[0] == "C":
            x1, y1, x2, y2, x3, y3 = seg[1:]
            n = _cubic_steps(a * x + c * y, b * x + d * y, a * x1 + c * y1, b * x1 + d * y1, a * x2 + c * y2,
                             b * x2 + d * y2, a * x3 + c * y3, b * x3 + d * y3, tolerance)
            if len(pts) + n > limit:
                return None
            if curvature is not None:
                kappas = [_curvature(x, y, x1, y1, x2, y2, x3, y3, i / n) for i in range(n + 1)]
                for i in range(1, n + 1):
                    k0, k1 = kappas[i - 1], kappas[i]
                    curvature.append(k0 if abs(k0) > abs(k1) else k1)
            for i in range(1, n):
                t = i / n
                mt = 1 - t
                w0, w1, w2, w3 = mt * mt * mt, 3 * mt * mt * t, 3 * mt * t * t, t * t * t
                pts.append((w0 * x + w1 * x1 + w2 * x2 + w3 * x3, w0 * y + w1 * y1 + w2 * y2 + w3 * y3))
                real.append(False)
            x, y = x3, y3
        else:
            x, y = seg[1], seg[2]
            if curvature is not None:
                curvature.append(0.0)
            if len(pts) >= limit:
                return None
        pts.append((x, y))
        real.append(True)
    return pts, real


def clip_bounds(points: list[tuple[float, float]], window: Box) -> Box | None:
    """The box of the part of the polygon ``points`` (output space, implicitly closed) inside ``window``
    (Sutherland–Hodgman against each side; exact for convex polygons, and a tight box for any other)."""
    x0, y0, x1, y1 = window
    px = [p[0] for p in points]
    py = [p[1] for p in points]
    if not px:
        return None
    bx0, bx1, by0, by1 = min(px), max(px), min(py), max(py)
    if bx0 >= x0 and bx1 <= x1 and by0 >= y0 and by1 <= y1:
        return (bx0, by0, bx1, by1)
    if bx1 <= x0 or bx0 >= x1 or by1 <= y0 or by0 >= y1:
        return None
    poly = points
    for axis, limit, keep_greater in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        out = []
        n = len(poly)
        if not n:
            return None
        prev = poly[-1]
        prev_in = (prev[axis] >= limit) if keep_greater else (prev[axis] <= limit)
        for cur in poly:
            cur_in = (cur[axis] >= limit) if keep_greater else (cur[axis] <= limit)
            if cur_in != prev_in:
                t = (limit - prev[axis]) / (cur[axis] - prev[axis])
                other = 1 - axis
                q = [0.0, 0.0]
                q[axis] = limit
                q[other] = prev[other] + t * (cur[other] - prev[other])
                out.append((q[0], q[1]))
            if cur_in:
                out.append(cur)
            prev, prev_in = cur, cur_in
        poly = out
    if not poly:
        return None
    return (min(p[0] for p in poly), min(p[1] for p in poly), max(p[0] for p in poly), max(p[1] for p in poly))


def intersect(a: Box | None, b: Box | None) -> Box | None:
    if a is None or b is None:
        return None
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def fill_visible(subs: list[list], m: Matrix, window: Box, tolerance: float = 0.05,
                 budget: int = 20_000) -> Box | None | bool:
    """The box of the filled outline's part inside ``window`` (output space). False when the outline is too
    detailed for the budget (flattened points)."""
    a, b, c, d, e, f = m
    boxes = []
    for sub in subs:
        if not encloses(sub):
            continue
        flat = flatten_user(sub[0], sub[1], m, tolerance, limit=budget)
        if flat is None:
            return False
        budget -= len(flat[0])
        boxes.append(clip_bounds([(a * x + c * y + e, b * x + d * y + f) for x, y in flat[0]], window))
    return union(boxes)


def _arc_polygon(cx, cy, r, u0, sweep, scale: float) -> list[tuple[float, float]]:
    """Points on a circular arc (user space), circumscribed (slightly outside), fine enough for 0.1 px."""
    rs = r * scale
    step = 2 * math.acos(max(-1.0, 1 - 0.1 / rs)) if rs > 0.1 else math.pi / 2
    n = max(2, min(64, math.ceil(sweep / max(step, 1e-3))))
    start = math.atan2(u0[1], u0[0])
    out = []
    for i in range(n + 1):
        th = start + sweep * i / n
        rr = r if i in (0, n) else r / math.cos(sweep / n / 2)
        out.append((cx + rr * math.cos(th), cy + rr * math.sin(th)))
    return out


def stroke_visible(subs: list[list], m: Matrix, stroke: Stroke, window: Box, tolerance: float = 0.05,
                   budget: int = 20_000) -> Box | None | bool:
    """The box of the stroke's part inside ``window``: the stroke as convex pieces (a quad per flattened piece,
    join and cap polygons), each clipped. False when the stroke is too detailed for the budget (use the clipped
    full box). The pieces are widened by the flattening tolerance, so they cover the true stroke: a sliver cut off
    by the edge is not lost to the chords' error."""
    a, b, c, d, e, f = m
    scale = scale_factor(m)
    smallest = abs(a * d - b * c) / scale if scale else 0.0
    hw = stroke.hw + (tolerance / smallest if smallest and scale / smallest < 10 else 0.0)
    boxes = []

    def clip(poly):
        boxes.append(clip_bounds([(a * x + c * y + e, b * x + d * y + f) for x, y in poly], window))

    def extra(kind, vx, vy):
        if kind is None:
            return
        if kind[0] == "points":
            clip([(vx, vy)] + list(kind[1]))
        else:
            clip([(vx, vy)] + _arc_polygon(vx, vy, hw, kind[1], kind[2], scale))

    count = 0
    for start, segs, closed, drawn in subs:
        if not segs:
            if drawn and stroke.cap == "round":
                clip(_arc_polygon(start[0], start[1], hw, (1.0, 0.0), 2 * math.pi, scale))
            elif drawn and stroke.cap == "square":
                clip([(start[0] + sx * hw, start[1] + sy * hw) for sx, sy in ((1, 1), (1, -1), (-1, -1), (-1, 1))])
            continue
        kappa: list[float] = []
        flat = flatten_user(start, segs, m, tolerance, kappa, limit=budget - count)
        if flat is None:
            return False
        pts, real = flat
        count += len(pts)
        prev_t = None
        first_t = None
        for i in range(1, len(pts)):
            (x0, y0), (x1, y1) = pts[i - 1], pts[i]
            t = _unit(x1 - x0, y1 - y0)
            if t is None:
                continue
            # on the inside of a bend tighter than the half width, the renderers' inner offset runs backwards
            # and fills nothing past the centre of curvature: reach only that far on that side
            k = kappa[i]
            left = min(hw, 1 / k) if k > 0 else hw
            right = min(hw, -1 / k) if k < 0 else hw
            nx, ny = -t[1], t[0]
            clip([(x0 + nx * left, y0 + ny * left), (x1 + nx * left, y1 + ny * left),
                  (x1 - nx * right, y1 - ny * right), (x0 - nx * right, y0 - ny * right)])
            if prev_t is not None:
                if real[i - 1]:
                    extra(join_points(x0, y0, prev_t, t, stroke), x0, y0)
                else:  # inside a curve: the normal sweeps round between pieces (sharply, near a cusp)
                    cross, dot = _turn(prev_t, t)
                    sign = hw if cross > 0 else -hw
                    n1 = (prev_t[1] * sign, -prev_t[0] * sign)
                    if dot > 0.996:  # under 5°: a triangle is within hw·0.001
                        clip([(x0, y0), (x0 + n1[0], y0 + n1[1]), (x0 + t[1] * sign, y0 - t[0] * sign)])
                    else:
                        n2 = (t[1] * sign, -t[0] * sign)
                        u0 = n1 if n1[0] * n2[1] - n1[1] * n2[0] > 0 else n2
                        sweep = math.acos(max(-1.0, min(1.0, dot)))
                        clip([(x0, y0)] + _arc_polygon(x0, y0, hw, (u0[0] / hw, u0[1] / hw), sweep, scale))
            else:
                first_t = t
            prev_t = t
        if first_t is None:
            continue
        if closed:
            extra(join_points(start[0], start[1], prev_t, first_t, stroke), *start)
        else:
            extra(cap_points(start[0], start[1], (-first_t[0], -first_t[1]), stroke), *start)
            extra(cap_points(pts[-1][0], pts[-1][1], prev_t, stroke), *pts[-1])
    return union(boxes)
