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
                  x: float, y: float) -> list[tuple]:
    """An SVG elliptical arc as cubic Bézier segments ``('C', …)`` (SVG 1.1 §F.6 endpoint → centre conversion)."""
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
    parts = max(1, math.ceil(abs(dt) / (math.pi / 2) - 1e-9))
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
