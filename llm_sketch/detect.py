"""An image → ``Layout``: the prompt's objects found by colour and shape, so ``check`` can judge a generated image.

``detect_layout(rgb, constraints)`` segments the image into colour blobs and names each: every pixel gets one of the
eleven basic colour words (``colors.basic_name``'s nearest anchor in CIELAB, through a 32³ lookup table), a mode
filter removes noise, connected regions of one colour are blobs, and each blob's silhouette (holes filled) is
compared with the planner's shape drawings (circle, square, triangle, star, hexagon, …, in several orientations).
Regions that touch the image border and are large are background; thin rings around another blob (an outline
drawn in a darker shade) and specks are dropped.

Blobs then become the constraints' objects: a blob whose colour and shape agree with an object of the prompt takes
its label; objects the prompt gives no colour or shape to take the remaining blobs that look most like them: their
usual colour ("a banana": yellow), the planner's drawing of them, their usual proportions and relative size (two
gray objects, a fork and a hair drier, are told apart). Blobs that fit nothing stay in the layout as "<colour> <shape>" (``extras``), so
an object of the wrong colour is reported as such, not as missing. Paint order (``z``) comes from occlusion: where
one blob's shape is cut by another's pixels, the other is in front.

This is enough for the sketch's own kind of picture (coloured primitives, the paper's prompt, the planner's
silhouettes) and for generated images that keep the sketch's colours; for anything else, feed a segmentation or
detection pack's masks to ``masks_to_layout``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from .colors import BASIC_ANCHORS, BASIC_NAMES
from .errors import SketchError
from .layout import Layout, LayoutObject

STROKE = 4.5  # px: a blob this thin (pixels over outline pixels) that runs off a larger one is its outline
ATTACH = 4  # px: cut pixels this close to a region of their colour are part of it
EDGE_STEP = 20  # a colour step (max channel difference between neighbours, after a light blur) that cuts regions
TEMPLATE = 48  # shape templates are compared at TEMPLATE × TEMPLATE
MIN_SHAPE_IOU = 0.65  # below this a blob's shape is "blob"
ASPECT_TOLERANCE = 0.15  # |w/h - 1| within this: circle/square rather than ellipse/rectangle
BACKGROUND_AREA = 0.08  # a region touching the border and larger than this share of the image is background
RING = 0.45  # a blob whose pixels are less than this share of its filled silhouette, around another blob: an outline
NESTED_MIN = 0.01  # a blob inside another counts only if at least this share of the other's area (else a detail)
SPECK = 0.1  # a blob smaller than this share of the largest blob given the same object's label is dropped


# ---- colour names ------------------------------------------------------------------------------------------------
def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (…×3, 0..255) → CIELAB, the formula ``colors._lab`` uses."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = lin[..., 0], lin[..., 1], lin[..., 2]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)

    fx, fy, fz = f(x), f(y), f(z)
    return np.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], axis=-1)


@lru_cache(maxsize=1)
def _anchors() -> tuple[np.ndarray, np.ndarray]:
    anchors = [(i, h) for i, name in enumerate(BASIC_NAMES) for h in BASIC_ANCHORS[name]]
    rgb = np.array([[int(h[k:k + 2], 16) for k in (0, 2, 4)] for _, h in anchors], dtype=np.float64)
    return _lab(rgb), np.array([i for i, _ in anchors], dtype=np.uint8)


def color_names(rgb: np.ndarray) -> np.ndarray:
    """H×W×3 uint8 → H×W uint8 index into ``colors.BASIC_NAMES``: ``basic_name`` of each pixel (computed once per
    distinct colour, vectorised)."""
    rgb = np.ascontiguousarray(np.asarray(rgb)[..., :3], dtype=np.uint8)
    packed = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2]
    unique, inverse = np.unique(packed.ravel(), return_inverse=True)
    colours = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], axis=-1)
    anchor_lab, anchor_name = _anchors()
    lab = _lab(colours)
    d = (anchor_lab ** 2).sum(axis=1)[None, :] - 2.0 * lab @ anchor_lab.T  # + |lab|², the same for every anchor
    return anchor_name[d.argmin(axis=1)][inverse].reshape(packed.shape)


def _box_sum(a: np.ndarray, k: int) -> np.ndarray:
    """Sum over the k×k window centred on each pixel (zero outside)."""
    r = k // 2
    p = np.pad(a.astype(np.int32), ((r + 1, r), (r + 1, r)))
    c = p.cumsum(0).cumsum(1)
    return c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]


def mode_filter(names: np.ndarray, k: int) -> np.ndarray:
    """Each pixel takes the most common colour name in its k×k window (ties: its own)."""
    if k <= 1:
        return names
    present = np.unique(names)
    best = np.zeros(names.shape, dtype=np.int32)
    out = names.copy()
    own = np.zeros(names.shape, dtype=np.int32)
    counts = {}
    for v in present:
        counts[v] = _box_sum(names == v, k)
        own[names == v] = counts[v][names == v]
    best[:] = own
    for v in present:
        better = counts[v] > best
        out[better] = v
        best[better] = counts[v][better]
    return out


# ---- regions -----------------------------------------------------------------------------------------------------
def components(mask: np.ndarray, connectivity: int = 8) -> tuple[np.ndarray, int]:
    """Connected regions of a boolean mask: (H×W int32 labels 1..n, 0 outside; n). Runs of each row joined by
    union-find (no SciPy needed)."""
    mask = np.asarray(mask, dtype=bool)
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(d == 1)
    rows_e, ends = np.nonzero(d == -1)  # exclusive ends; np.nonzero is row-major, so runs pair up in order
    n = len(starts)
    labels = np.zeros((h, w), dtype=np.int32)
    if n == 0:
        return labels, 0
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    row_first = np.searchsorted(rows_s, np.arange(h + 1))
    reach = 1 if connectivity == 8 else 0
    rs, ss, es = rows_s.tolist(), starts.tolist(), ends.tolist()
    for y in range(1, h):
        a, a_end = row_first[y - 1], row_first[y]
        b, b_end = row_first[y], row_first[y + 1]
        while a < a_end and b < b_end:
            if ss[a] < es[b] + reach and ss[b] < es[a] + reach:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            if es[a] < es[b]:
                a += 1
            else:
                b += 1
    roots = [find(i) for i in range(n)]
    ids: dict[int, int] = {}
    for i in range(n):
        label = ids.setdefault(roots[i], len(ids) + 1)
        labels[rs[i], ss[i]:es[i]] = label
    return labels, len(ids)


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """The mask with every region of its complement that does not reach the border filled in."""
    mask = np.asarray(mask, dtype=bool)
    outside, n = components(~mask, connectivity=4)
    if n == 0:
        return mask.copy()
    border = np.unique(np.concatenate([outside[0], outside[-1], outside[:, 0], outside[:, -1]]))
    keep_out = np.isin(outside, border[border > 0])
    return ~keep_out


# ---- shapes ------------------------------------------------------------------------------------------------------
# name → the planner's drawing; orientations: how the template may also appear.
_SHAPES = ("circle", "square", "triangle", "star", "pentagon", "hexagon", "octagon", "diamond", "heart", "cross",
           "crescent", "arrow", "cube", "cylinder", "cone")
_TURNS = {"triangle": 4, "arrow": 4, "heart": 2, "crescent": 4, "star": 2, "pentagon": 2, "cone": 2}


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[str, np.ndarray], ...]:
    """Each shape as the planner draws it, flat and with its outline (which thickens thin parts), at
    ``TEMPLATE``², in the orientations it may appear in."""
    from .draw import draw_object
    from .render import rasterize

    t, k = TEMPLATE, len(_SHAPES)
    cells = [(name, style) for style in ("flat", "auto") for name in _SHAPES]
    body = "".join(f'<g transform="translate({t * i} 0)">{draw_object(name, name, (0, 0, t, t), "#808080", style)}'
                   f"</g>" for i, (name, style) in enumerate(cells))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{t * 2 * k}" height="{t}" '
           f'viewBox="0 0 {t * 2 * k} {t}">{body}</svg>')
    alpha = rasterize(svg, t * 2 * k, t)[..., 3] >= 128
    out: list[tuple[str, np.ndarray]] = []
    for i, (name, _) in enumerate(cells):
        base = alpha[:, i * t:(i + 1) * t]
        for turn in range(_TURNS.get(name, 1)):
            variant = np.rot90(base, turn)
            for candidate in (variant, variant[:, ::-1]) if name == "crescent" else (variant,):
                if not any(n == name and np.array_equal(candidate, c) for n, c in out):
                    out.append((name, np.ascontiguousarray(candidate)))
    return tuple(out)


TILTS = (0, -3, 3, -6, 6)  # degrees the silhouette is also tried at (a slightly rotated square is still a square)
TILT_COST = 0.01  # a tilted fit must beat the upright one by this much


def _turned(mask: np.ndarray, degrees: float) -> np.ndarray | None:
    from PIL import Image

    img = Image.fromarray(mask.astype(np.uint8) * 255).rotate(degrees, resample=Image.BILINEAR, expand=True)
    arr = np.asarray(img) >= 128
    ys, xs = np.nonzero(arr)
    if xs.size == 0:
        return None
    return arr[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def _resample(mask: np.ndarray | None) -> np.ndarray | None:
    from PIL import Image

    if mask is None or mask.shape[0] < 2 or mask.shape[1] < 2:
        return None
    img = Image.fromarray(mask.astype(np.uint8) * 255)
    return np.asarray(img.resize((TEMPLATE, TEMPLATE), Image.BILINEAR)) >= 128


def classify_shape(silhouette: np.ndarray) -> tuple[str, float]:
    """A silhouette (a mask cropped to its box) → (shape name, IoU with the best template). Circle/square become
    ellipse/rectangle when the box is far from square; below ``MIN_SHAPE_IOU`` the shape is "blob"."""
    h, w = silhouette.shape
    if h < 3 or w < 3:
        return "blob", 0.0
    best, score = "blob", 0.0
    for angle in TILTS:
        small = _resample(_turned(silhouette, angle) if angle else silhouette)
        if small is None:
            continue
        for name, template in _templates():
            inter = np.count_nonzero(small & template)
            union = np.count_nonzero(small | template)
            iou = inter / union if union else 0.0
            if iou > score + (0.0 if angle == 0 else TILT_COST):
                best, score = name, iou
    if score < MIN_SHAPE_IOU:
        return "blob", score
    square = abs(w / h - 1) <= ASPECT_TOLERANCE
    if best == "circle" and not square:
        best = "ellipse"
    elif best == "square" and not square:
        best = "rectangle"
    return best, score


def shape_template(shape: str, width: int, height: int) -> np.ndarray | None:
    """The first-orientation template of ``shape`` stretched to ``width`` × ``height`` (None for unknown shapes)."""
    key = {"ellipse": "circle", "oval": "circle", "sphere": "circle", "rectangle": "square"}.get(shape, shape)
    for name, template in _templates():
        if name == key:
            from PIL import Image

            img = Image.fromarray(template.astype(np.uint8) * 255).resize((max(1, width), max(1, height)),
                                                                         Image.BILINEAR)
            return np.asarray(img) >= 128
    return None


# ---- blobs -------------------------------------------------------------------------------------------------------
@dataclass
class Blob:
    color: str
    shape: str
    shape_score: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive ends)
    pixels: int  # the blob's own pixels
    silhouette: np.ndarray  # the filled mask cropped to ``box``
    rgb: tuple[int, int, int]
    template: np.ndarray | None = None  # the best template in ``box``'s frame, when the shape is known
    parts: tuple = ()  # the blobs merged into this one (parts of one object)

    @cached_property  # (the silhouette never changes; pruning asks for this in O(n²) loops)
    def filled(self) -> int:
        return int(np.count_nonzero(self.silhouette))

    def full_mask(self, height: int, width: int) -> np.ndarray:
        out = np.zeros((height, width), dtype=bool)
        x0, y0, x1, y1 = self.box
        out[y0:y1, x0:x1] = self.silhouette
        return out


def _smoothing(height: int, width: int) -> int:
    """The mode filter's window: 3 px up to 768² (thin parts such as a crescent's horns survive), larger above."""
    k = int(round(min(height, width) / 256))
    return max(3, k | 1)


def _steps(rgb: np.ndarray) -> np.ndarray:
    """Pixels with a colour step of at least ``EDGE_STEP`` to their right or lower neighbour: 1-px cuts between
    regions (4-connected regions cannot cross them)."""
    a = rgb.astype(np.int16)
    out = np.zeros(rgb.shape[:2], dtype=bool)
    out[:, :-1] |= np.abs(a[:, 1:] - a[:, :-1]).max(axis=2) >= EDGE_STEP
    out[:-1, :] |= np.abs(a[1:, :] - a[:-1, :]).max(axis=2) >= EDGE_STEP
    return out


def _attach_cuts(core: np.ndarray, n: int, cut: np.ndarray) -> np.ndarray:
    """Give the cut pixels of one colour back: those within ``ATTACH`` px of a region of that colour join the region
    their 8-connected piece borders most (a shape's antialiased rim); the rest are regions of their own (an outline, a
    crescent's thin horns: ``_prune`` joins such strokes to the shape they run off)."""
    pieces, m = components(cut)
    labels = core.copy()
    if m == 0:
        return labels
    near = (_box_sum(core > 0, 2 * ATTACH + 1) > 0) & (pieces > 0)
    pairs = []
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        a = pieces[max(0, -dy):pieces.shape[0] - max(0, dy), max(0, -dx):pieces.shape[1] - max(0, dx)]
        b = core[max(0, dy):core.shape[0] - max(0, -dy), max(0, dx):core.shape[1] - max(0, -dx)]
        touching = (a > 0) & (b > 0)
        pairs.append(a[touching].astype(np.int64) * (n + 1) + b[touching])
    keys, counts = np.unique(np.concatenate(pairs), return_counts=True)
    target = np.zeros(m + 1, dtype=np.int32)
    best = np.zeros(m + 1, dtype=np.int64)
    for key, count in zip(keys.tolist(), counts.tolist()):
        piece, region = divmod(key, n + 1)
        if count > best[piece]:
            best[piece], target[piece] = count, region
    labels[near] = target[pieces[near]]
    rest, k = components((pieces > 0) & (labels == 0))
    on = rest > 0
    labels[on] = rest[on] + n
    return labels


def find_blobs(rgb: np.ndarray, min_area: float = 0.0015, smooth: int | None = None) -> list[Blob]:
    """Every coloured region of the image that is not background, with its colour word and shape.

    Regions are 4-connected pixels of one colour name (after a light blur and a mode filter) not crossed by a
    colour step (so a blue house on a pale blue sky, or two touching objects of one colour with an outline between
    them, are separate regions)."""
    from PIL import Image, ImageFilter

    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        raise SketchError(f"expected an H×W×3 image, got an array of shape {rgb.shape}")
    rgb = np.ascontiguousarray(rgb[..., :3]).astype(np.uint8)
    h, w = rgb.shape[:2]
    soft = np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(1)))  # tames noise and JPEG artefacts
    names = mode_filter(color_names(rgb), _smoothing(h, w) if smooth is None else smooth)
    cuts = _steps(soft)
    floor = max(9, min_area * h * w)
    found: list[Blob] = []
    for v in np.unique(names):
        core, n = components((names == v) & ~cuts, connectivity=4)
        labels = _attach_cuts(core, n, (names == v) & cuts)
        n = int(labels.max())
        if n == 0:
            continue
        areas = np.bincount(labels.ravel(), minlength=n + 1)
        edge = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])).tolist())
        for k in np.nonzero(areas >= max(9.0, floor / 10))[0].tolist():  # (small strokes may join a shape)
            if k == 0 or (k in edge and areas[k] > BACKGROUND_AREA * h * w):
                continue  # (0: other colours) background: a plain ground, sky and ground, …
            ys, xs = np.nonzero(labels == k)
            x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
            silhouette = fill_holes(labels[y0:y1, x0:x1] == k)
            shape, score = classify_shape(silhouette)
            inner = core[ys, xs] == k  # the colour from the region's inside, not its antialiased rim
            mean = rgb[ys[inner], xs[inner]].mean(axis=0) if inner.any() else rgb[ys, xs].mean(axis=0)
            found.append(Blob(color=BASIC_NAMES[int(v)], shape=shape, shape_score=round(float(score), 3),
                              box=(x0, y0, x1, y1), pixels=int(areas[k]), silhouette=silhouette,
                              rgb=tuple(int(round(c)) for c in mean)))
    return [b for b in _prune(found) if b.pixels >= floor]


def _inside(inner: Blob, outer: Blob) -> float:
    """The share of ``inner``'s silhouette lying inside ``outer``'s."""
    ax0, ay0, ax1, ay1 = inner.box
    bx0, by0, bx1, by1 = outer.box
    x0, y0, x1, y1 = max(ax0, bx0), max(ay0, by0), min(ax1, bx1), min(ay1, by1)
    if x0 >= x1 or y0 >= y1:
        return 0.0
    a = inner.silhouette[y0 - ay0:y1 - ay0, x0 - ax0:x1 - ax0]
    b = outer.silhouette[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0]
    return np.count_nonzero(a & b) / max(1, inner.filled)


def _prune(blobs: list[Blob]) -> list[Blob]:
    """Outlines (thin rings around another blob) join the blob they surround (the object's box includes its
    outline, and a crescent's horns are mostly outline); details (small blobs inside a larger one) are dropped."""
    blobs = sorted(blobs, key=lambda b: -b.filled)
    inner_of: dict[int, Blob] = {}
    for b in blobs:
        h, w = b.silhouette.shape
        thin = _thickness(b) <= max(4.0, 0.04 * min(h, w))  # a band a stroke wide, not a rim or a frame
        if not (thin and b.pixels < RING * b.filled):
            continue
        inside = [o for o in blobs if o is not b and _inside(o, b) > 0.5 and 0.3 * b.filled < o.filled < b.filled]
        if inside:
            inner_of[id(b)] = max(inside, key=lambda o: o.filled)
    merged: dict[int, Blob] = {}
    for b in blobs:
        if id(b) in inner_of:
            target, seen = inner_of[id(b)], {id(b)}
            while id(target) in inner_of and id(target) not in seen:  # (a ring around a ring around a blob)
                seen.add(id(target))
                target = inner_of[id(target)]
            merged[id(target)] = _merge(merged.get(id(target), target), b, keep=target)
    keep = []
    for b in blobs:
        if id(b) in inner_of:
            continue
        b = merged.get(id(b), b)
        detail = any(o.filled > b.filled and _inside(b, o) > 0.9 and b.filled < NESTED_MIN * o.filled for o in keep)
        if not detail:
            keep.append(b)
    # strokes a few pixels thin that run off a larger blob (an outline's antialiased tail, a crescent's tip) join it
    out = []
    for b in sorted(keep, key=lambda b: -b.filled):
        if _thickness(b) <= STROKE and out:
            touch, host = max(((_touching(b, o), o) for o in out), key=lambda t: t[0])
            if touch >= 3 and host.filled > b.filled:
                out[out.index(host)] = _merge(host, b, keep=host)
                continue
        out.append(b)
    return out


def _thickness(b: Blob) -> float:
    """The blob's pixels over its outline's: about its width in pixels for a thin stroke."""
    outline = np.count_nonzero(b.silhouette & (_box_sum(b.silhouette, 3) < 9))
    return b.pixels / max(1, outline)


def _touching(a: Blob, b: Blob) -> int:
    """Pixels of ``a`` within 2 px of ``b``'s silhouette."""
    x0, y0 = max(a.box[0], b.box[0] - 2), max(a.box[1], b.box[1] - 2)
    x1, y1 = min(a.box[2], b.box[2] + 2), min(a.box[3], b.box[3] + 2)
    if x0 >= x1 or y0 >= y1:
        return 0
    near = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    bx0, by0 = max(x0, b.box[0]), max(y0, b.box[1])
    bx1, by1 = min(x1, b.box[2]), min(y1, b.box[3])
    if bx0 < bx1 and by0 < by1:
        near[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0] = b.silhouette[by0 - b.box[1]:by1 - b.box[1],
                                                                  bx0 - b.box[0]:bx1 - b.box[0]]
    near = _box_sum(near, 5) > 0
    own = a.silhouette[y0 - a.box[1]:y1 - a.box[1], x0 - a.box[0]:x1 - a.box[0]]
    return int(np.count_nonzero(own & near))


# ---- blobs → the prompt's objects ----------------------------------------------------------------------------------
def _fits(spec, blob: Blob) -> int:
    """How well a blob fits a prompt object: -1 not at all, else the number of attributes (colour, shape) it meets."""
    from .check import _shape_ok

    score = 0
    if spec.color:
        if blob.color != spec.color:
            return -1
        score += 1
    if spec.shape:
        if not _shape_ok(spec.shape, blob.shape):
            return -1
        score += 1
    return score


def _iou(a: np.ndarray | None, b: np.ndarray) -> float:
    if a is None:
        return 0.0
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 0.0


@lru_cache(maxsize=256)
def _design_silhouette(label: str) -> np.ndarray | None:
    """The planner's drawing of ``label`` (outline included) as a ``TEMPLATE``² silhouette."""
    from .draw import draw_object
    from .render import rasterize

    t = TEMPLATE
    try:
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{t}" height="{t}">'
               f'{draw_object(label, None, (0, 0, t, t), "#808080", "auto")}</svg>')
        return rasterize(svg, t, t)[..., 3] >= 128
    except SketchError:
        return None


def _usual_color(label: str) -> str | None:
    from .plan import NATURAL_COLORS
    from .words import canonical_label

    return NATURAL_COLORS.get(canonical_label(label)) or NATURAL_COLORS.get(label)


def _contact(a: Blob, b: Blob, reach: int = 6) -> float:
    """How long an edge the two blobs share: the smaller blob's outline pixels within ``reach`` px of the other, over
    the side of a square as large as the smaller blob. Parts of one object drawn with an outline between them share
    a long edge (≥ 1); separate objects touch at a point, if at all."""
    x0, y0 = min(a.box[0], b.box[0]) - reach, min(a.box[1], b.box[1]) - reach
    x1, y1 = max(a.box[2], b.box[2]) + reach, max(a.box[3], b.box[3]) + reach
    if max(a.box[0], b.box[0]) - min(a.box[2], b.box[2]) > reach or max(a.box[1], b.box[1]) - min(
            a.box[3], b.box[3]) > reach:
        return 0.0

    def place(blob: Blob) -> np.ndarray:
        out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        out[blob.box[1] - y0:blob.box[3] - y0, blob.box[0] - x0:blob.box[2] - x0] = blob.silhouette
        return out

    ma, mb = place(a), place(b)
    small, other = (ma, mb) if a.filled <= b.filled else (mb, ma)
    outline = small & (_box_sum(small, 3) < 9)
    near = _box_sum(other, 2 * reach + 1) > 0
    return np.count_nonzero(outline & near) / max(1.0, float(np.sqrt(np.count_nonzero(small))))


def _merge(a: Blob, b: Blob, keep: Blob | None = None) -> Blob:
    """One blob of two (an object's parts, or a shape and its outline): the union with the gap between them closed;
    colour from ``keep`` (default: the larger)."""
    x0, y0 = min(a.box[0], b.box[0]), min(a.box[1], b.box[1])
    x1, y1 = max(a.box[2], b.box[2]), max(a.box[3], b.box[3])
    pad = 4
    union = np.zeros((y1 - y0 + 2 * pad, x1 - x0 + 2 * pad), dtype=bool)
    for blob in (a, b):
        union[blob.box[1] - y0 + pad:blob.box[3] - y0 + pad, blob.box[0] - x0 + pad:blob.box[2] - x0 + pad] |= \
            blob.silhouette
    closed = _box_sum(_box_sum(union, 2 * pad + 1) > 0, 2 * pad + 1) == (2 * pad + 1) ** 2  # the outline between
    silhouette = fill_holes(closed | union)[pad:-pad, pad:-pad]
    shape, score = classify_shape(silhouette)
    big = keep or (a if a.filled >= b.filled else b)
    return Blob(color=big.color, shape=shape, shape_score=round(float(score), 3), box=(x0, y0, x1, y1),
                pixels=a.pixels + b.pixels, silhouette=silhouette, rgb=big.rgb,
                parts=(a.parts or (a,)) + (b.parts or (b,)))


MERGE_CONTACT = 1.0  # parts of one object share an edge at least as long as the smaller part's size
GROUP_GAP = 0.03  # parts of an object (a car, not a shape) lie within this share of the image diagonal of each other
EXTRA_MIN = 0.25  # a blob that fits no object stays in the layout if at least this share of the objects' median


def assign(blobs: list[Blob], constraints, image_size: tuple[int, int] | None = None
           ) -> list[tuple[Blob, str | None]]:
    """Each blob with the label it gets: a prompt object's label, or None (fits no object). Parts of one object
    (same colour, touching along an edge) are merged where the prompt has fewer of it than blobs found."""
    specs = [s for s in constraints.objects if s.count > 0]
    given: dict[str, list[Blob]] = {s.id: [] for s in specs}
    by_id = {s.id: s for s in specs}
    reach = GROUP_GAP * float(np.hypot(*image_size)) if image_size else 0.0
    # 1. blobs that meet a prompt object's colour and/or shape
    for blob in blobs:
        options = [(score, s) for s in specs if (s.color or s.shape) and (score := _fits(s, blob)) >= 0]
        if not options:
            continue
        top = max(score for score, _ in options)
        best = [s for score, s in options if score == top]
        best.sort(key=lambda s: len(given[s.id]) >= s.count)  # (stable) one that still needs instances first
        given[best[0].id].append(blob)
    specks = set()
    for sid, found in given.items():
        if not found:
            continue
        largest = max(b.filled for b in found)  # specks of an object's colour: much smaller than its other instances
        specks |= {id(b) for b in found if b.filled < SPECK * largest}
        found = [b for b in found if b.filled >= SPECK * largest]
        spec = by_id[sid]
        given[sid] = _merge_parts(found, spec.count) if spec.shape else _group_parts(found, spec.count, reach)
    # 1b. an object of the prompt's colour partly hidden behind another: its shape fits what shows plus what the
    #     other covers (a circle with a bite taken out of it gets its whole box back)
    for s in specs:
        if not s.shape:
            continue
        for k, b in enumerate(given[s.id]):
            if b.shape_score >= 0.95 or b.parts:
                continue
            fitted = _occluded_fit(b, s.shape, [o for o in blobs if o is not b and _touching(b, o) >= 3],
                                   image_size)
            if fitted is not None and fitted.shape_score > b.shape_score:
                given[s.id][k] = fitted
    taken = {id(p) for found in given.values() for b in found for p in (b,) + b.parts} | specks
    for s in specs:
        if not (s.color and s.shape) or len(given[s.id]) >= s.count:
            continue
        for b in sorted(blobs, key=lambda b: -b.filled):
            if len(given[s.id]) >= s.count:
                break
            if id(b) in taken or b.color != s.color:
                continue
            fitted = _occluded_fit(b, s.shape, [o for o in blobs if o is not b and _touching(b, o) >= 3], image_size)
            if fitted is not None:
                given[s.id].append(fitted)
                taken |= {id(b), id(fitted)}
    # 2. objects with neither colour nor shape ("a fork above a hair drier") take the remaining blobs that look most
    #    like them: their usual colour, the planner's drawing of them (a fork is tall and thin, a hair drier is
    #    not), their usual proportions and relative size (``sizes``); each then takes the parts of its colour that
    #    lie close to it
    used = {id(b) for b in blobs if id(b) in specks} | {id(p) for found in given.values() for b in found
                                                         for p in (b,) + b.parts}
    assigned = [b for found in given.values() for b in found]
    median = float(np.median([b.filled for b in assigned])) if assigned else 0.0
    plain = [s for s in specs if not (s.color or s.shape)]
    left = [b for b in blobs if id(b) not in used and b.filled >= 0.2 * median]
    if plain and left:
        from .sizes import size_of

        extent = {id(b): float(np.sqrt((b.box[2] - b.box[0]) * (b.box[3] - b.box[1]))) for b in left}
        biggest = max(extent.values())
        expected = {s.id: size_of(s.label, None, s.size) for s in plain}
        tallest = max(e[0] for e in expected.values())
        options = []
        for s in plain:
            usual = _usual_color(s.label)
            design = _design_silhouette(s.label)
            size, aspect = expected[s.id]
            for b in left:
                looks = _iou(_resample(b.silhouette), design) if design is not None else 0.0
                w, h = b.box[2] - b.box[0], b.box[3] - b.box[1]
                shape_fit = 1 - min(1.0, abs(np.log((w / h) / aspect)) / np.log(3))  # its usual proportions
                size_fit = 1 - abs(extent[id(b)] / biggest - size / tallest)  # its usual size among the others
                options.append(((b.color == usual) + looks + 0.5 * shape_fit + 0.5 * size_fit, s.id, b))
        options.sort(key=lambda o: -o[0])
        chosen_for: dict[str, list[Blob]] = {s.id: [] for s in plain}
        for _, sid, b in options:
            if id(b) in used or len(chosen_for[sid]) >= by_id[sid].count:
                continue
            used.add(id(b))
            chosen_for[sid].append(b)
        for sid, chosen_list in chosen_for.items():
            for chosen in chosen_list:
                for other in sorted(blobs, key=lambda b: _gap(chosen, b)):
                    if id(other) not in used and other.color == chosen.color and (
                            _gap(chosen, other) <= reach or _contact(chosen, other) >= MERGE_CONTACT):
                        used.add(id(other))
                        chosen = _merge(chosen, other)
                given[sid].append(chosen)
    out = [(b, by_id[sid].label) for sid, found in given.items() for b in found]
    sizes = [b.filled for b, _ in out]
    least = EXTRA_MIN * float(np.median(sizes)) if sizes else 0.0
    extras = [b for b in blobs if id(b) not in used and b.filled >= least and not (
        image_size and (b.box[0] == 0 or b.box[1] == 0 or b.box[2] == image_size[0] or b.box[3] == image_size[1]))]
    return out + [(b, None) for b in extras]


def _occluded_fit(b: Blob, shape: str, occluders: list[Blob], image_size) -> Blob | None:
    """``b`` as a ``shape`` partly covered by one of ``occluders``: the box, grown towards the occluder, in which the
    shape's template holds all of ``b``'s pixels and shows only ``b`` or the occluder; None if there is none."""
    bx0, by0, bx1, by1 = b.box
    bw, bh = bx1 - bx0, by1 - by0
    width, height = image_size or (10 ** 9, 10 ** 9)
    best, found = 0.0, None
    for o in occluders:
        sides = (o.box[0] < bx0, o.box[1] < by0, o.box[2] > bx1, o.box[3] > by1)
        if not any(sides):
            continue
        for step in range(1, 21):
            f = 0.05 * step
            box = (max(0, int(round(bx0 - f * bw * sides[0]))), max(0, int(round(by0 - f * bh * sides[1]))),
                   min(width, int(round(bx1 + f * bw * sides[2]))), min(height, int(round(by1 + f * bh * sides[3]))))
            x0, y0, x1, y1 = box
            template = shape_template(shape, x1 - x0, y1 - y0)
            if template is None:
                return None
            seen = np.zeros((y1 - y0, x1 - x0), dtype=bool)
            own = np.zeros_like(seen)
            for blob, target in ((b, own), (o, seen)):
                cx0, cy0 = max(x0, blob.box[0]), max(y0, blob.box[1])
                cx1, cy1 = min(x1, blob.box[2]), min(y1, blob.box[3])
                if cx0 < cx1 and cy0 < cy1:
                    target[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0] |= blob.silhouette[
                        cy0 - blob.box[1]:cy1 - blob.box[1], cx0 - blob.box[0]:cx1 - blob.box[0]]
            seen |= own
            t = max(1, np.count_nonzero(template))
            holds = np.count_nonzero(own & template) / max(1, np.count_nonzero(own))
            shows = np.count_nonzero(template & seen) / t
            hidden = np.count_nonzero(template & seen & ~own) / t
            if holds >= 0.92 and shows >= 0.92 and hidden >= 0.05 and holds + shows > best:
                best = holds + shows
                found = Blob(color=b.color, shape=shape, shape_score=round(float(shows), 3), box=box,
                             pixels=b.pixels, silhouette=own, rgb=b.rgb, template=template, parts=(b,))
    return found


def _gap(a: Blob, b: Blob) -> float:
    """The distance between two blobs' boxes (0 when they overlap)."""
    dx = max(0, max(a.box[0], b.box[0]) - min(a.box[2], b.box[2]))
    dy = max(0, max(a.box[1], b.box[1]) - min(a.box[3], b.box[3]))
    return float(np.hypot(dx, dy))


def _group_parts(found: list[Blob], count: int, reach: float) -> list[Blob]:
    """An object (not a shape) drawn in parts: while there are more blobs than wanted, merge the two nearest of
    one colour, if they are within ``reach`` px."""
    found = list(found)
    while len(found) > count:
        pairs = [(_gap(found[i], found[j]), i, j) for i in range(len(found)) for j in range(i + 1, len(found))
                 if found[i].color == found[j].color]
        if not pairs:
            break
        gap, i, j = min(pairs)
        if gap > reach:
            break
        merged = _merge(found[i], found[j])
        found = [b for k, b in enumerate(found) if k not in (i, j)] + [merged]
    return found


def _merge_parts(found: list[Blob], count: int) -> list[Blob]:
    """More blobs than wanted: merge the pair touching along the longest shared edge, while one touches enough."""
    found = list(found)
    while len(found) > count:
        best, pair = MERGE_CONTACT, None
        for i in range(len(found)):
            for j in range(i + 1, len(found)):
                if found[i].color != found[j].color:
                    continue
                c = _contact(found[i], found[j])
                if c >= best:
                    best, pair = c, (i, j)
        if pair is None:
            break
        i, j = pair
        merged = _merge(found[i], found[j])
        found = [b for k, b in enumerate(found) if k not in pair] + [merged]
    return found


def _occlusion_order(blobs: list[Blob]) -> list[int]:
    """Indices of ``blobs`` back to front: where one blob's shape (its template in its box) is covered by another's
    pixels, the other is in front; otherwise the one standing lower in the picture (its bottom edge nearer the
    image's) is nearer, as on a ground plane (the planner draws depth that way too)."""
    n = len(blobs)
    front: dict[int, set[int]] = {i: set() for i in range(n)}  # i → blobs in front of i
    for i in range(n):
        for j in range(i + 1, n):
            a, b = blobs[i], blobs[j]
            x0, y0 = max(a.box[0], b.box[0]), max(a.box[1], b.box[1])
            x1, y1 = min(a.box[2], b.box[2]), min(a.box[3], b.box[3])
            if x0 >= x1 or y0 >= y1:
                continue

            def cut(p: Blob, q: Blob) -> int:  # pixels of p's ideal shape where q shows
                if p.template is None:
                    return 0
                pt = p.template[y0 - p.box[1]:y1 - p.box[1], x0 - p.box[0]:x1 - p.box[0]]
                qs = q.silhouette[y0 - q.box[1]:y1 - q.box[1], x0 - q.box[0]:x1 - q.box[0]]
                return int(np.count_nonzero(pt & qs))

            ij, ji = cut(a, b), cut(b, a)
            if ij > ji and ij >= 4:
                front[i].add(j)
            elif ji > ij and ji >= 4:
                front[j].add(i)
    order: list[int] = []
    placed: set[int] = set()
    remaining = sorted(range(n), key=lambda i: (blobs[i].box[3], -blobs[i].filled))
    while remaining:
        for i in remaining:  # the farthest blob with nothing unplaced behind it
            if all(k in placed for k in range(n) if i in front[k]):
                break
        else:
            i = remaining[0]  # a cycle: break it at the farthest
        order.append(i)
        placed.add(i)
        remaining.remove(i)
    return order


def detect_layout(rgb: np.ndarray, constraints, *, min_area: float = 0.0015, extras: bool = True,
                  smooth: int | None = None) -> tuple[Layout, np.ndarray]:
    """The prompt's objects in an image: (Layout, N×H×W float32 masks in layout order). See the module doc."""
    rgb = np.asarray(rgb)
    h, w = rgb.shape[:2]
    blobs = find_blobs(rgb, min_area=min_area, smooth=smooth)
    labelled = [(b, label) for b, label in assign(blobs, constraints, (w, h)) if label is not None or extras]
    for b, _ in labelled:
        if b.shape != "blob" and b.template is None:
            b.template = shape_template(b.shape, b.box[2] - b.box[0], b.box[3] - b.box[1])
    order = _occlusion_order([b for b, _ in labelled])
    objects, masks = [], np.zeros((len(order), h, w), dtype=np.float32)
    for z, i in enumerate(order):
        b, label = labelled[i]
        x0, y0, x1, y1 = b.box
        objects.append(LayoutObject(
            id=f"o{z}", label=label or (f"{b.color} {b.shape}" if b.shape != "blob" else f"{b.color} region"),
            shape=b.shape, color={"name": b.color, "rgb": list(b.rgb)}, bbox=(float(x0), float(y0), float(x1),
                                                                              float(y1)),
            z=z, area=float((x1 - x0) * (y1 - y0))))
        masks[z] = b.full_mask(h, w)
    return Layout(width=int(w), height=int(h), objects=tuple(objects)), masks


# ---- masks from elsewhere → Layout -------------------------------------------------------------------------------
def masks_to_layout(masks: np.ndarray, labels, image: np.ndarray | None = None, threshold: float = 0.5,
                    min_pixels: int = 1) -> Layout:
    """N masks (N×H×W, 0..1, in paint order: later = in front) with their labels → Layout. ``labels``: a list, or
    text with one label per line (or comma-separated); missing labels become "object N". With ``image`` (H×W×3),
    each object's colour is the mean colour under its mask, named with a basic colour word. Empty masks are left
    out."""
    from .colors import basic_name

    masks = np.asarray(masks, dtype=np.float32)
    if masks.ndim == 2:
        masks = masks[None]
    if masks.ndim != 3:
        raise SketchError(f"expected N masks of H×W, got an array of shape {masks.shape}")
    if isinstance(labels, str):
        text = labels.strip()
        parts = text.splitlines() if "\n" in text else text.split(",")
        labels = [p.strip() for p in parts]
    labels = [str(x).strip() for x in (labels or [])]
    n, h, w = masks.shape
    if image is not None:
        image = np.asarray(image)
        if image.shape[:2] != (h, w):
            from PIL import Image

            image = np.asarray(Image.fromarray(np.ascontiguousarray(image[..., :3]).astype(np.uint8)).resize(
                (w, h), Image.BILINEAR))
    objects = []
    for i in range(n):
        on = masks[i] >= threshold
        count = int(np.count_nonzero(on))
        if count < min_pixels:
            continue
        ys, xs = np.nonzero(on)
        x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
        label = labels[i] if i < len(labels) and labels[i] else f"object {i + 1}"
        shape, _ = classify_shape(fill_holes(on[y0:y1, x0:x1]))
        color = {"name": None, "rgb": None}
        if image is not None:
            mean = image[..., :3][on].astype(np.float64).mean(axis=0)
            rgb = tuple(int(round(c)) for c in mean)
            color = {"name": basic_name(rgb), "rgb": list(rgb)}
        z = len(objects)
        objects.append(LayoutObject(id=f"o{z}", label=label, shape=shape, color=color,
                                    bbox=(float(x0), float(y0), float(x1), float(y1)), z=z,
                                    area=float((x1 - x0) * (y1 - y0))))
    return Layout(width=int(w), height=int(h), objects=tuple(objects))
