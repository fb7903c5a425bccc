"""CSS colours: parse every syntax an LLM writes, and name a colour with one of the eleven basic colour words.

Renderers disagree on modern syntax (cairosvg draws ``hsl()`` black, ignores ``#RRGGBBAA`` alpha and raises on
``rgb(0 128 0)``), so the sanitizer rewrites every colour to ``#rrggbb`` plus a separate opacity using ``parse_color``.
"""

from __future__ import annotations

import colorsys
import math
import re
from functools import lru_cache

RGBA = tuple[int, int, int, float]  # 0..255 channels, alpha 0..1

CSS_NAMES: dict[str, str] = {
    "aliceblue": "f0f8ff", "antiquewhite": "faebd7", "aqua": "00ffff", "aquamarine": "7fffd4", "azure": "f0ffff",
    "beige": "f5f5dc", "bisque": "ffe4c4", "black": "000000", "blanchedalmond": "ffebcd", "blue": "0000ff",
    "blueviolet": "8a2be2", "brown": "a52a2a", "burlywood": "deb887", "cadetblue": "5f9ea0", "chartreuse": "7fff00",
    "chocolate": "d2691e", "coral": "ff7f50", "cornflowerblue": "6495ed", "cornsilk": "fff8dc", "crimson": "dc143c",
    "cyan": "00ffff", "darkblue": "00008b", "darkcyan": "008b8b", "darkgoldenrod": "b8860b", "darkgray": "a9a9a9",
    "darkgreen": "006400", "darkgrey": "a9a9a9", "darkkhaki": "bdb76b", "darkmagenta": "8b008b",
    "darkolivegreen": "556b2f", "darkorange": "ff8c00", "darkorchid": "9932cc", "darkred": "8b0000",
    "darksalmon": "e9967a", "darkseagreen": "8fbc8f", "darkslateblue": "483d8b", "darkslategray": "2f4f4f",
    "darkslategrey": "2f4f4f", "darkturquoise": "00ced1", "darkviolet": "9400d3", "deeppink": "ff1493",
    "deepskyblue": "00bfff", "dimgray": "696969", "dimgrey": "696969", "dodgerblue": "1e90ff",
    "firebrick": "b22222", "floralwhite": "fffaf0", "forestgreen": "228b22", "fuchsia": "ff00ff",
    "gainsboro": "dcdcdc", "ghostwhite": "f8f8ff", "gold": "ffd700", "goldenrod": "daa520", "gray": "808080",
    "grey": "808080", "green": "008000", "greenyellow": "adff2f", "honeydew": "f0fff0", "hotpink": "ff69b4",
    "indianred": "cd5c5c", "indigo": "4b0082", "ivory": "fffff0", "khaki": "f0e68c", "lavender": "e6e6fa",
    "lavenderblush": "fff0f5", "lawngreen": "7cfc00", "lemonchiffon": "fffacd", "lightblue": "add8e6",
    "lightcoral": "f08080", "lightcyan": "e0ffff", "lightgoldenrodyellow": "fafad2", "lightgray": "d3d3d3",
    "lightgreen": "90ee90", "lightgrey": "d3d3d3", "lightpink": "ffb6c1", "lightsalmon": "ffa07a",
    "lightseagreen": "20b2aa", "lightskyblue": "87cefa", "lightslategray": "778899", "lightslategrey": "778899",
    "lightsteelblue": "b0c4de", "lightyellow": "ffffe0", "lime": "00ff00", "limegreen": "32cd32", "linen": "faf0e6",
    "magenta": "ff00ff", "maroon": "800000", "mediumaquamarine": "66cdaa", "mediumblue": "0000cd",
    "mediumorchid": "ba55d3", "mediumpurple": "9370db", "mediumseagreen": "3cb371", "mediumslateblue": "7b68ee",
    "mediumspringgreen": "00fa9a", "mediumturquoise": "48d1cc", "mediumvioletred": "c71585",
    "midnightblue": "191970", "mintcream": "f5fffa", "mistyrose": "ffe4e1", "moccasin": "ffe4b5",
    "navajowhite": "ffdead", "navy": "000080", "oldlace": "fdf5e6", "olive": "808000", "olivedrab": "6b8e23",
    "orange": "ffa500", "orangered": "ff4500", "orchid": "da70d6", "palegoldenrod": "eee8aa", "palegreen": "98fb98",
    "paleturquoise": "afeeee", "palevioletred": "db7093", "papayawhip": "ffefd5", "peachpuff": "ffdab9",
    "peru": "cd853f", "pink": "ffc0cb", "plum": "dda0dd", "powderblue": "b0e0e6", "purple": "800080",
    "rebeccapurple": "663399", "red": "ff0000", "rosybrown": "bc8f8f", "royalblue": "4169e1",
    "saddlebrown": "8b4513", "salmon": "fa8072", "sandybrown": "f4a460", "seagreen": "2e8b57", "seashell": "fff5ee",
    "sienna": "a0522d", "silver": "c0c0c0", "skyblue": "87ceeb", "slateblue": "6a5acd", "slategray": "708090",
    "slategrey": "708090", "snow": "fffafa", "springgreen": "00ff7f", "steelblue": "4682b4", "tan": "d2b48c",
    "teal": "008080", "thistle": "d8bfd8", "tomato": "ff6347", "turquoise": "40e0d0", "violet": "ee82ee",
    "wheat": "f5deb3", "white": "ffffff", "whitesmoke": "f5f5f5", "yellow": "ffff00", "yellowgreen": "9acd32",
}

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_FUNC = re.compile(r"^(rgba?|hsla?)\(\s*(.*?)\s*\)$", re.I | re.S)
_ARG = re.compile(rf"^({_NUMBER})(%|deg|rad|grad|turn)?$", re.I)


def _channel(token: str) -> float:
    m = _ARG.match(token)
    if not m:
        raise ValueError(token)
    value = float(m.group(1))
    return value * 255 / 100 if m.group(2) == "%" else value  # (not * 2.55: 50 % must be exactly 127.5)


def _alpha(token: str) -> float:
    m = _ARG.match(token)
    if not m:
        raise ValueError(token)
    value = float(m.group(1))
    return value / 100 if m.group(2) == "%" else value


def _hue(token: str) -> float:
    m = _ARG.match(token)
    if not m:
        raise ValueError(token)
    value, unit = float(m.group(1)), (m.group(2) or "deg").lower()
    return {"deg": value, "rad": math.degrees(value), "grad": value * 0.9, "turn": value * 360}.get(unit, value)


def _split_args(body: str) -> tuple[list[str], str | None]:
    """Split ``a, b, c, d`` or ``a b c / d`` into the three components and the alpha (or None)."""
    alpha = None
    if "/" in body:
        body, alpha = body.split("/", 1)
        alpha = alpha.strip()
    parts = [p for p in re.split(r"[\s,]+", body.strip()) if p]
    if alpha is None and len(parts) == 4:
        alpha = parts.pop()
    return parts, alpha


def _clamp8(v: float) -> int:
    """0..255, rounding half up (as browsers do: 127.5 → 128), not Python's half-to-even."""
    return int(math.floor(min(255.0, max(0.0, v)) + 0.5))


@lru_cache(maxsize=4096)
def parse_color(text: str) -> RGBA | None:
    """A CSS colour → (r, g, b, alpha); None for ``none``/``transparent``/unknown (and NaN/inf) values.

    ``currentColor`` and ``inherit`` are not colours: callers resolve them before calling.
    """
    value = text.strip().lower()
    if value.startswith("#"):
        digits = value[1:]
        if not re.fullmatch(r"[0-9a-f]+", digits) or len(digits) not in (3, 4, 6, 8):
            return None
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        r, g, b = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
        a = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return (r, g, b, a)
    if value in CSS_NAMES:
        h = CSS_NAMES[value]
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0)
    m = _FUNC.match(value)
    if not m:
        return None
    kind, body = m.group(1), m.group(2)
    try:
        parts, alpha_token = _split_args(body)
        if len(parts) != 3:
            return None
        if kind.startswith("rgb"):
            r, g, b = (_channel(p) for p in parts)
        else:
            h = _hue(parts[0])
            # hsl() saturation/lightness are percentages; a bare number is read as a percentage too (as browsers do)
            s = _alpha(parts[1]) if parts[1].endswith("%") else float(parts[1]) / 100
            l = _alpha(parts[2]) if parts[2].endswith("%") else float(parts[2]) / 100
            if not all(math.isfinite(v) for v in (h, s, l)):
                return None  # (an infinite hue would become NaN after % 360, and colorsys would draw it gray)
            h %= 360
            rf, gf, bf = colorsys.hls_to_rgb(h / 360, min(1, max(0, l)), min(1, max(0, s)))
            r, g, b = rf * 255, gf * 255, bf * 255
        a = 1.0 if alpha_token is None else _alpha(alpha_token)
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (r, g, b, a)):
        return None
    return (_clamp8(r), _clamp8(g), _clamp8(b), min(1.0, max(0.0, a)))


def to_hex(rgba: RGBA) -> str:
    return "#%02x%02x%02x" % rgba[:3]


# ---- naming -------------------------------------------------------------------------------------------------------
# Each basic name has several anchors; a colour takes the name of its nearest anchor in CIELAB. Anchors cover the
# shades people call by that name (navy and sky blue are "blue", tan and chocolate are "brown").
BASIC_ANCHORS: dict[str, tuple[str, ...]] = {
    "red": ("ff0000", "e53935", "cc0000", "b22222", "dc143c", "8b0000", "c62828", "ff3b30"),
    "orange": ("ffa500", "ff8c00", "ff7f00", "f57c00", "ff6600", "fb8c00", "ff9800", "ff4500", "ff7f50"),
    "yellow": ("ffff00", "ffd700", "ffeb3b", "fdd835", "ffe135", "fff176", "f0e130", "ffcc00"),
    "green": ("00ff00", "008000", "228b22", "4caf50", "2e7d32", "32cd32", "006400", "66bb6a", "9acd32", "808000",
              "3cb371", "00a86b", "90ee90", "008080"),
    "blue": ("0000ff", "1e90ff", "4169e1", "2196f3", "000080", "00008b", "87ceeb", "00bfff", "1565c0", "4682b4",
             "00ffff", "add8e6", "6495ed", "191970"),
    "purple": ("800080", "8a2be2", "9400d3", "9c27b0", "6a0dad", "4b0082", "7b1fa2", "9370db", "ba55d3", "663399",
               "ee82ee", "ff00ff", "dda0dd", "8b008b"),
    "pink": ("ffc0cb", "ff69b4", "ff1493", "e91e63", "f48fb1", "ffb6c1", "db7093", "f06292", "c71585"),
    "brown": ("a52a2a", "8b4513", "a0522d", "d2691e", "795548", "6d4c41", "5d4037", "d2b48c", "deb887", "964b00",
              "cd853f", "3e2723", "800000"),
    "black": ("000000", "1a1a1a", "212121", "0d0d0d"),
    "white": ("ffffff", "f5f5f5", "fffaf0", "fafafa", "f8f8ff", "fffff0"),
    "gray": ("808080", "a9a9a9", "d3d3d3", "696969", "9e9e9e", "c0c0c0", "607d8b", "bdbdbd", "505050"),
}
BASIC_NAMES = tuple(BASIC_ANCHORS)

# The colour the engine paints for each basic name (the planner and the CLI use these); each names back to itself.
CANONICAL_HEX: dict[str, str] = {
    "red": "#e53935", "orange": "#fb8c00", "yellow": "#fdd835", "green": "#43a047", "blue": "#1e88e5",
    "purple": "#8e24aa", "pink": "#f06292", "brown": "#795548", "black": "#212121", "white": "#fafafa",
    "gray": "#9e9e9e",
}


def _lab(r: int, g: int, b: int) -> tuple[float, float, float]:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    rl, gl, bl = lin(r), lin(g), lin(b)
    x = (0.4124 * rl + 0.3576 * gl + 0.1805 * bl) / 0.95047
    y = 0.2126 * rl + 0.7152 * gl + 0.0722 * bl
    z = (0.0193 * rl + 0.1192 * gl + 0.9505 * bl) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


_ANCHOR_LAB = [(name, _lab(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)))
               for name, anchors in BASIC_ANCHORS.items() for h in anchors]


@lru_cache(maxsize=8192)
def basic_name(rgb: tuple[int, int, int]) -> str:
    """The basic colour word (red, orange, yellow, green, blue, purple, pink, brown, black, white, gray) for an RGB."""
    lab = _lab(*rgb)
    return min(_ANCHOR_LAB, key=lambda item: sum((p - q) ** 2 for p, q in zip(lab, item[1])))[0]
