"""Control maps: a sketch (SVG) → the images ControlNets, adapters and img2img take, at a size that suits the model.

Every map is drawn from the same geometry: the sketch rasterized on white, and each layout object's own coverage
(``object_masks``: the object rendered alone), so the maps agree with each other and with the ``Layout`` pixel for
pixel. Where objects overlap, the one drawn later (higher ``z``) is the visible one.

=============  =====================================================================================================
``filled``     the colour sketch on white (img2img init, tile/colour adapters)
``scribble``   white strokes on black along every object's visible outline (ControlNet scribble); stroke width in
               pixels, 0 = about 1/170 of the shorter side
``lineart``    black lines on white: outlines and the drawing's inner lines (ControlNet lineart); width 0 = 1/256
``edges``      white 1-px lines on black where the drawing's colour changes (each shape's outline and details, as
               an edge detector finds them on the clean render, without its noise) and along every object's outline
               (ControlNet canny)
``segmentation``  flat fills: each object's visible part in the ADE20K palette colour of its class (person, car,
               tree, animal, …; ``ade20k_class``), in a stable colour of its own where no class maps; background
               black (ControlNet seg)
``depth``      nearer = brighter: an object drawn over another it overlaps is nearer; an object with nothing in
               front of it is at the nearest level; "in front of"/"behind" constraints order the pairs that do not
               overlap; background black (ControlNet depth)
=============  =====================================================================================================

Sizes snap to multiples of 8 (latent pixels) or 64 (what some models prefer): ``snap_size``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from .errors import SketchError

KINDS = ("filled", "scribble", "lineart", "edges", "segmentation", "depth")
SNAPS = (8, 64)
EDGE_THRESHOLD = 40  # colour step (max channel difference, 0..255) that makes an edge

# ---- ADE20K: the 150 classes of the SceneParsing benchmark, in index order, and their palette ------------------------
ADE20K_CLASSES = (
    "wall", "building", "sky", "floor", "tree", "ceiling", "road", "bed", "windowpane", "grass", "cabinet", "sidewalk",
    "person", "earth", "door", "table", "mountain", "plant", "curtain", "chair", "car", "water", "painting", "sofa",
    "shelf", "house", "sea", "mirror", "rug", "field", "armchair", "seat", "fence", "desk", "rock", "wardrobe", "lamp",
    "bathtub", "railing", "cushion", "base", "box", "column", "signboard", "chest of drawers", "counter", "sand",
    "sink", "skyscraper", "fireplace", "refrigerator", "grandstand", "path", "stairs", "runway", "case",
    "pool table", "pillow", "screen door", "stairway", "river", "bridge", "bookcase", "blind", "coffee table",
    "toilet", "flower", "book", "hill", "bench", "countertop", "stove", "palm", "kitchen island", "computer",
    "swivel chair", "boat", "bar", "arcade machine", "hovel", "bus", "towel", "light", "truck", "tower", "chandelier",
    "awning", "streetlight", "booth", "television receiver", "airplane", "dirt track", "apparel", "pole", "land",
    "bannister", "escalator", "ottoman", "bottle", "buffet", "poster", "stage", "van", "ship", "fountain",
    "conveyer belt", "canopy", "washer", "plaything", "swimming pool", "stool", "barrel", "basket", "waterfall",
    "tent", "bag", "minibike", "cradle", "oven", "ball", "food", "step", "tank", "trade name", "microwave", "pot",
    "animal", "bicycle", "lake", "dishwasher", "screen", "blanket", "sculpture", "hood", "sconce", "vase",
    "traffic light", "tray", "ashcan", "fan", "pier", "crt screen", "plate", "monitor", "bulletin board", "shower",
    "radiator", "glass", "clock", "flag",
)
_PALETTE_HEX = (
    "787878 b47878 06e6e6 503232 04c803 787850 8c8c8c cc05ff e6e6e6 04fa07 e005ff ebff07 96053d 787846 08ff33 ff0652 "
    "8fff8c ccff04 ff3307 cc4603 0066c8 3de6fa ff0633 0b66ff ff0747 ff09e0 0907e6 dcdcdc ff095c 7009ff 08ffd6 07ffe0 "
    "ffb806 0aff47 ff290a 07ffff e0ff08 6608ff ff3d06 ffc207 ff7a08 00ff14 ff0829 ff0599 0633ff eb0cff a09614 00a3ff "
    "8c8c8c fa0a0f 14ff00 1fff00 ff1f00 ffe000 99ff00 0000ff ff4700 00ebff 00adff 1f00ff 0bc8c8 ff5200 00fff5 003dff "
    "00ff70 00ff85 ff0000 ffa300 ff6600 c2ff00 008fff 33ff00 0052ff 00ff29 00ffad 0a00ff adff00 00ff99 ff5c00 ff00ff "
    "ff00f5 ff0066 ffad00 ff0014 ffb8b8 001fff 00ff3d 0047ff ff00cc 00ffc2 00ff52 000aff 0070ff 3300ff 00c2ff 007aff "
    "00ffa3 ff9900 00ff0a ff7000 8fff00 5200ff a3ff00 ffeb00 08b8aa 8500ff 00ff5c b800ff ff001f 00b8ff 00d6ff ff0070 "
    "5cff00 00e0ff 70e0ff 46b8a0 a300ff 9900ff 47ff00 ff00a3 ffcc00 ff008f 00ffeb 85ff00 ff00eb f500ff ff007a fff500 "
    "0abed4 d6ff00 00ccff 1400ff ffff00 0099ff 0029ff 00ffcc 2900ff 29ff00 ad00ff 00f5ff 4700ff 7a00ff 00ffb8 005cff "
    "b8ff00 0085ff ffd600 19c2c2 66ff00 5c00ff"
).split()
ADE20K_PALETTE = tuple(tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in _PALETTE_HEX)

# Words people and LLMs label objects with → the ADE20K class drawn for them (labels that name a class are
# themselves; the 80 COCO classes and common scene words are covered).
_ADE_SYNONYMS = {
    "person": ("man", "woman", "boy", "girl", "child", "kid", "baby", "people", "lady", "player", "skier", "surfer",
               "rider", "human", "figure", "pedestrian", "farmer", "chef", "doctor", "student", "king", "queen"),
    "animal": ("cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "bird", "duck",
               "chicken", "pig", "goat", "lion", "tiger", "fox", "rabbit", "deer", "monkey", "frog", "fish",
               "dolphin", "whale", "shark", "owl", "penguin", "squirrel", "turtle", "snake", "butterfly", "puppy",
               "kitten", "wolf", "camel", "panda", "mouse", "parrot", "eagle", "swan", "goose", "dinosaur", "dragon"),
    "car": ("taxi", "jeep", "automobile", "sedan", "race car"), "minibike": ("motorcycle", "motorbike", "scooter"),
    "bicycle": ("bike",), "airplane": ("plane", "aeroplane", "jet", "aircraft"), "boat": ("canoe", "kayak",
                                                                                          "sailboat", "yacht"),
    "sofa": ("couch",), "table": ("dining table", "kitchen table"), "refrigerator": ("fridge",),
    "television receiver": ("tv", "television"), "computer": ("laptop", "pc"), "plant": ("potted plant", "bush",
                                                                                        "shrub", "cactus"),
    "palm": ("palm tree",), "rock": ("stone", "boulder"), "sea": ("ocean",), "sand": ("beach", "desert", "dune"),
    "road": ("street", "highway"), "windowpane": ("window",), "rug": ("carpet", "mat"),
    "bag": ("backpack", "handbag", "suitcase", "purse", "luggage"),
    "ball": ("sports ball", "football", "basketball", "soccer ball", "tennis ball", "baseball"),
    "plaything": ("toy", "teddy bear", "doll", "kite"),
    "food": ("pizza", "banana", "apple", "orange", "cake", "donut", "doughnut", "sandwich", "hot dog", "broccoli",
             "carrot", "bread", "burger", "hamburger", "fruit", "cookie", "pie", "cheese", "egg", "lemon", "pear",
             "strawberry", "tomato", "grapes", "watermelon", "ice cream", "sushi"),
    "glass": ("cup", "wine glass", "mug"), "streetlight": ("street lamp", "lamppost", "street light"),
    "signboard": ("sign", "stop sign", "billboard"), "sculpture": ("statue",), "painting": ("picture", "artwork"),
    "stairs": ("staircase", "steps"), "swimming pool": ("pool",), "ashcan": ("trash can", "bin", "garbage can"),
    "building": ("castle", "church", "school", "hospital", "factory"), "house": ("cabin", "cottage", "barn", "hut"),
    "hill": ("hills",), "mountain": ("mountains", "volcano"), "tree": ("trees", "pine", "oak"),
    "flower": ("flowers", "rose", "tulip", "sunflower"), "grass": ("lawn", "meadow"), "field": ("pasture",),
    "water": ("pond",), "light": ("bulb",), "lamp": ("desk lamp",), "bench": ("park bench",), "clock": ("watch",),
    "vase": ("jar",), "pot": ("bowl", "cooking pot"), "bottle": ("flask",), "box": ("crate", "package", "gift"),
    "bed": ("crib",), "chair": ("stool chair",), "monitor": ("display",), "book": ("notebook",),
}
_ADE_INDEX = {name: i for i, name in enumerate(ADE20K_CLASSES)}
_ADE_LOOKUP = {**{name: name for name in ADE20K_CLASSES},
               **{word: cls for cls, words in _ADE_SYNONYMS.items() for word in words}}


def ade20k_class(label: str) -> str | None:
    """The ADE20K class an object label maps to ("a small brown dog" → "animal"), or None."""
    from .words import COLOR_WORDS, SIZE_WORDS, canonical_label, singular

    text = re.sub(r"[\s_-]*\d+$", "", label.strip().lower())
    words = [w for w in re.split(r"[\s_-]+", text) if w]
    while len(words) > 1 and (words[0] in COLOR_WORDS or words[0] in SIZE_WORDS or words[0] in ("a", "an", "the")):
        words = words[1:]
    # the longest run of trailing words that names a class: "palm tree" before "tree"
    for start in range(len(words)):
        phrase = " ".join(words[start:])
        for candidate in (phrase, canonical_label(phrase), " ".join(singular(w) for w in words[start:])):
            if candidate in _ADE_LOOKUP:
                return _ADE_LOOKUP[candidate]
    return None


def segmentation_color(label: str) -> tuple[int, int, int]:
    """The colour an object is filled with in the segmentation map: its ADE20K class's palette colour, else a stable
    colour from its label (never black, never a palette colour)."""
    cls = ade20k_class(label)
    if cls is not None:
        return ADE20K_PALETTE[_ADE_INDEX[cls]]
    import colorsys

    key = re.sub(r"[\s_-]*\d+$", "", label.strip().lower()) or "object"
    h = zlib.crc32(key.encode("utf-8"))
    for salt in range(64):
        hue = ((h >> 8) % 3600) / 3600 + salt * 0.137
        rgb = colorsys.hsv_to_rgb(hue % 1.0, 0.45 + (h % 7) * 0.05, 0.55 + ((h >> 3) % 5) * 0.08)
        color = tuple(int(round(c * 255)) for c in rgb)
        if color not in _PALETTE_SET:
            return color
    return (128, 64, 192)  # (unreachable in practice)


_PALETTE_SET = set(ADE20K_PALETTE)


# ---- sizes ------------------------------------------------------------------------------------------------------
def snap_size(width: int, height: int, multiple: int = 8) -> tuple[int, int]:
    """``width`` × ``height`` rounded to the nearest multiples of ``multiple`` (8: latent pixels; 64), at least one
    multiple each."""
    if multiple not in SNAPS:
        raise SketchError(f"sizes snap to multiples of 8 or 64, not {multiple!r}")
    try:
        w, h = int(width), int(height)
    except (TypeError, ValueError):
        raise SketchError(f"the size must be whole numbers, got {width!r} × {height!r}") from None
    if w < 1 or h < 1:
        raise SketchError(f"the size must be positive, got {w}×{h}")
    return max(multiple, (w + multiple // 2) // multiple * multiple), max(multiple, (h + multiple // 2) // multiple
                                                                          * multiple)


# ---- geometry -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SketchGeometry:
    """What the maps are drawn from: the render on white, each object's coverage and the layout, at one size."""

    rgb: np.ndarray  # H×W×3 uint8
    masks: np.ndarray  # N×H×W float32 0..1, layout order (= paint order)
    layout: object  # llm_sketch.layout.Layout
    fills: np.ndarray | None = None  # H×W×3 uint8: the render with the outlines of filled shapes left out

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]

    def labels(self, threshold: float = 0.5) -> np.ndarray:
        """H×W int32: the index of the topmost object covering each pixel (coverage ≥ ``threshold``), else -1."""
        h, w = self.rgb.shape[:2]
        out = np.full((h, w), -1, dtype=np.int32)
        for i in range(self.masks.shape[0]):
            out[self.masks[i] >= threshold] = i
        return out


def sketch_geometry(svg, width: int, height: int, fit: str = "contain") -> SketchGeometry:
    from .layout import extract_layout, object_masks
    from .render import rasterize
    from .svgsafe import sanitize

    doc = sanitize(svg)
    layout = extract_layout(doc, width, height, fit=fit)
    masks = object_masks(doc, width, height, fit=fit)
    rgb = rasterize(doc, width, height, fit=fit, background="white")[..., :3]
    fills = rasterize(_without_outlines(doc), width, height, fit=fit, background="white")[..., :3]
    return SketchGeometry(rgb=np.ascontiguousarray(rgb), masks=masks, layout=layout,
                          fills=np.ascontiguousarray(fills))


_SHAPES = {"rect", "circle", "ellipse", "polygon", "path"}


def _without_outlines(doc):
    """The sanitized SVG with the stroke of every filled shape removed (lines and unfilled shapes keep theirs): a
    sketch's outline around a fill is one line, not the two edges of a band. Removing strokes keeps it safe, so it
    stays a SafeSVG (not sanitized again)."""
    from dataclasses import replace

    from lxml import etree

    root = etree.fromstring(doc.text.encode("utf-8"))

    def walk(el, fill: str) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            own = child.get("fill", fill)
            if child.get("fill-opacity") is not None and child.get("fill-opacity").strip() in ("0", "0.0"):
                own_visible = False
            else:
                own_visible = own != "none"
            if child.tag.rsplit("}", 1)[-1] in _SHAPES and own_visible:
                child.set("stroke", "none")
            walk(child, own)

    walk(root, root.get("fill", "#000000"))
    return replace(doc, text=etree.tostring(root, encoding="unicode"))


# ---- maps ---------------------------------------------------------------------------------------------------------
def control_map(svg, kind: str, width: int, height: int, *, snap: int = 8, stroke_width: float = 0,
                fit: str = "contain", constraints=None) -> np.ndarray:
    """One control map (H×W×3 uint8) of ``svg`` at ``width`` × ``height`` snapped to ``snap``; see the module doc."""
    return control_maps(svg, (kind,), width, height, snap=snap, stroke_width=stroke_width, fit=fit,
                        constraints=constraints)[kind]


def control_maps(svg, kinds, width: int, height: int, *, snap: int = 8, stroke_width: float = 0,
                 fit: str = "contain", constraints=None) -> dict[str, np.ndarray]:
    """Several maps from one rendering of the geometry: ``{kind: H×W×3 uint8}``."""
    kinds = tuple(kinds)
    for kind in kinds:
        if kind not in KINDS:
            raise SketchError(f"unknown control map {kind!r}: use one of {', '.join(KINDS)}")
    if stroke_width is None or not (0 <= float(stroke_width) <= 256):
        raise SketchError(f"the stroke width must be 0 (automatic) to 256 pixels, got {stroke_width!r}")
    w, h = snap_size(width, height, snap)
    geometry = sketch_geometry(svg, w, h, fit)
    return {kind: maps_from_geometry(geometry, kind, stroke_width=stroke_width, constraints=constraints)
            for kind in kinds}


def maps_from_geometry(g: SketchGeometry, kind: str, *, stroke_width: float = 0, constraints=None) -> np.ndarray:
    w, h = g.size
    if kind == "filled":
        return g.rgb.copy()
    labels = g.labels()
    if kind == "scribble":
        width = stroke_width or max(1, round(min(w, h) / 170))
        lines = _thicken(_label_boundary(labels), width)
        return _gray(lines * 255)
    if kind == "edges":
        return _gray(edge_lines(g, labels) * 255)
    if kind == "lineart":
        width = stroke_width or max(1, round(min(w, h) / 256))
        lines = _thicken(edge_lines(g, labels), width)
        return _gray(255 - lines * 255)
    if kind == "segmentation":
        out = np.zeros((h, w, 3), dtype=np.uint8)
        for i, obj in enumerate(g.layout.objects):
            out[labels == i] = segmentation_color(obj.label)
        return out
    if kind == "depth":
        levels = depth_levels(g, constraints)
        out = np.zeros((h, w), dtype=np.uint8)
        for i, value in enumerate(levels):
            out[labels == i] = value
        return _gray(out)
    raise SketchError(f"unknown control map {kind!r}: use one of {', '.join(KINDS)}")


def _gray(values: np.ndarray) -> np.ndarray:
    v = np.clip(values, 0, 255).astype(np.uint8)
    return np.repeat(v[..., None], 3, axis=2)


def _label_boundary(labels: np.ndarray, both_sides: bool = False) -> np.ndarray:
    """Pixels whose label differs from their right or lower neighbour (1 px lines on the boundary's near side); with
    ``both_sides`` also the pixel across (2 px lines centred on the boundary)."""
    out = np.zeros(labels.shape, dtype=bool)
    dx = labels[:, 1:] != labels[:, :-1]
    dy = labels[1:, :] != labels[:-1, :]
    out[:, :-1] |= dx
    out[:-1, :] |= dy
    if both_sides:
        out[:, 1:] |= dx
        out[1:, :] |= dy
    return out


def edge_lines(g: SketchGeometry, labels: np.ndarray | None = None) -> np.ndarray:
    """H×W bool, 1 px wide: where the colour of the render (filled shapes without their outline strokes) steps by
    more than ``EDGE_THRESHOLD``, thinned to the strongest pixel across the step; plus the objects' outlines where no
    colour step lies within 3 px (objects of one colour overlapping)."""
    labels = g.labels() if labels is None else labels
    steps = _colour_steps(g.fills if g.fills is not None else g.rgb)
    outlines = _label_boundary(labels) & ~_thicken(steps, 7).astype(bool)
    return steps | outlines


def _colour_steps(image: np.ndarray) -> np.ndarray:
    rgb = image.astype(np.int16)
    gx = np.zeros(rgb.shape[:2], dtype=np.int16)
    gy = np.zeros(rgb.shape[:2], dtype=np.int16)
    gx[:, :-1] = np.abs(rgb[:, 1:] - rgb[:, :-1]).max(axis=2)  # step between x and x+1
    gy[:-1, :] = np.abs(rgb[1:, :] - rgb[:-1, :]).max(axis=2)
    # Antialiasing spreads one step over two or three pixels: keep the largest step across it (ties: the first).
    left = np.zeros_like(gx)
    left[:, 1:] = gx[:, :-1]
    right = np.zeros_like(gx)
    right[:, :-1] = gx[:, 1:]
    up = np.zeros_like(gy)
    up[1:, :] = gy[:-1, :]
    down = np.zeros_like(gy)
    down[:-1, :] = gy[1:, :]
    ex = (gx > EDGE_THRESHOLD) & (gx > left) & (gx >= right)
    ey = (gy > EDGE_THRESHOLD) & (gy > up) & (gy >= down)
    return ex | ey


def _thicken(lines: np.ndarray, width: float) -> np.ndarray:
    """1 px lines → lines ``width`` px wide (a square pen centred on the line; an even pen reaches one pixel
    further up and left)."""
    width = max(1, int(round(width)))
    out = lines.astype(bool)
    lo, hi = -(width // 2), (width - 1) // 2
    for axis in (1, 0):
        grown = out.copy()
        n = out.shape[axis]
        for d in range(lo, hi + 1):
            if d == 0 or abs(d) >= n:
                continue
            src = [slice(None)] * 2
            dst = [slice(None)] * 2
            if d > 0:  # pixel x takes the line from x - d... i.e. the line spreads towards +d
                dst[axis], src[axis] = slice(d, None), slice(None, -d)
            else:
                dst[axis], src[axis] = slice(None, d), slice(-d, None)
            grown[tuple(dst)] |= out[tuple(src)]
        out = grown
    return out.astype(np.uint8)


# ---- depth --------------------------------------------------------------------------------------------------------
NEAREST, FARTHEST = 255, 96  # grey levels of the nearest and farthest objects (the background is 0)
MIN_OVERLAP = 4  # pixels two objects must share for the later one to count as in front


def depth_order(g: SketchGeometry, constraints=None) -> list[int]:
    """Each object's depth rank, 0 = nearest: how many objects lie in front of it, one behind another (the longest
    such chain). An object drawn later that overlaps an earlier one is in front of it; ``constraints`` with "in
    front of"/"behind" order pairs that do not overlap (unless that contradicts the drawing)."""
    n = len(g.layout.objects)
    solid = g.masks >= 0.5
    in_front: dict[int, set[int]] = {i: set() for i in range(n)}  # i → objects in front of i
    boxes = [o.bbox for o in g.layout.objects]
    for i in range(n):
        for j in range(i):
            a, b = boxes[i], boxes[j]
            if a[0] >= b[2] or b[0] >= a[2] or a[1] >= b[3] or b[1] >= a[3]:
                continue
            if int(np.count_nonzero(solid[i] & solid[j])) >= MIN_OVERLAP:
                in_front[j].add(i)  # i is drawn over j
    if constraints is not None:
        from .check import match_objects

        index = {o.id: k for k, o in enumerate(g.layout.objects)}
        matches = match_objects(g.layout, constraints)
        for rel in constraints.relations:
            if rel.relation not in ("in front of", "behind"):
                continue
            near, far = (rel.subject, rel.object) if rel.relation == "in front of" else (rel.object, rel.subject)
            for a in matches.get(near, []):
                for b in matches.get(far, []):
                    i, j = index[a.id], index[b.id]
                    if i != j and i not in in_front[j] and not _reaches(in_front, i, j):
                        in_front[j].add(i)
    rank: dict[int, int] = {}

    def depth(i: int, seen: tuple = ()) -> int:
        if i not in rank:
            rank[i] = 1 + max((depth(j, seen + (i,)) for j in in_front[i] if j not in seen), default=-1)
        return rank[i]

    return [depth(i) for i in range(n)]


def _reaches(graph: dict[int, set[int]], start: int, goal: int) -> bool:
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph[node])
    return False


def depth_levels(g: SketchGeometry, constraints=None) -> list[int]:
    """The grey level of each object in the depth map: nothing in front of it 255, the farthest back 96, evenly
    between."""
    ranks = depth_order(g, constraints)
    top = max(ranks, default=0)
    if top == 0:
        return [NEAREST] * len(ranks)
    return [int(round(NEAREST - (NEAREST - FARTHEST) * r / top)) for r in ranks]


# ---- region masks (regional conditioning) ---------------------------------------------------------------------------
MASK_MODES = ("box", "shape")


def box_mask(bbox, width: int, height: int) -> np.ndarray:
    """H×W float32: 1 on the pixels whose centres lie inside ``bbox`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = (float(v) for v in bbox)
    cols = np.arange(width, dtype=np.float64) + 0.5
    rows = np.arange(height, dtype=np.float64) + 0.5
    inside_x = (cols >= x0) & (cols < x1)
    inside_y = (rows >= y0) & (rows < y1)
    return (inside_y[:, None] & inside_x[None, :]).astype(np.float32)


def shape_mask(obj, width: int, height: int) -> np.ndarray:
    """H×W float32: the object's shape (``obj.shape``: circle, star, …, as the planner draws it) stretched over its
    box; its box where the shape is not a known one."""
    from .detect import shape_template

    out = np.zeros((height, width), dtype=np.float32)
    box = box_mask(obj.bbox, width, height)
    ys, xs = np.nonzero(box)
    if xs.size == 0:
        return out
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    template = shape_template(obj.shape, x1 - x0, y1 - y0) if obj.shape else None
    out[y0:y1, x0:x1] = 1.0 if template is None else template.astype(np.float32)
    return out


def feather(mask: np.ndarray, radius: float) -> np.ndarray:
    """Soften a mask's edges over about ``radius`` px (three box blurs ≈ a Gaussian of σ = radius / 2)."""
    if radius <= 0:
        return mask.astype(np.float32)
    sigma = radius / 2
    size = max(1, int(round(np.sqrt(12 * sigma * sigma / 3 + 1))))
    out = mask.astype(np.float64)
    for _ in range(3):
        for axis in (0, 1):
            out = _box_blur(out, size, axis)
    return np.clip(out, 0, 1).astype(np.float32)


def _box_blur(a: np.ndarray, size: int, axis: int) -> np.ndarray:
    if size <= 1:
        return a
    lo, hi = size // 2, size - 1 - size // 2
    pad = [(0, 0), (0, 0)]
    pad[axis] = (lo + 1, hi)
    c = np.cumsum(np.pad(a, pad, mode="edge"), axis=axis)
    n = a.shape[axis]
    upper = np.take(c, np.arange(size, size + n), axis=axis)
    lower = np.take(c, np.arange(0, n), axis=axis)
    return (upper - lower) / size


def region_masks(layout, mode: str = "box", masks: np.ndarray | None = None, feather_px: float = 0) -> np.ndarray:
    """One mask per layout object (N×H×W float32, layout order) for regional conditioning: its box, or its shape
    (``masks``: the objects' own masks, e.g. from ``object_masks``, one per object; without them the shape named
    in the layout drawn over the box), feathered by ``feather_px``."""
    if mode not in MASK_MODES:
        raise SketchError(f"unknown mask mode {mode!r}: use box or shape")
    n = len(layout.objects)
    if mode == "shape" and masks is not None:
        masks = np.asarray(masks, dtype=np.float32)
        if masks.ndim == 2:
            masks = masks[None]
        if masks.shape[0] != n:
            raise SketchError(f"{masks.shape[0]} mask(s) for {n} layout object(s): connect the masks that came with "
                              f"this layout (SVG to Layout's masks output), one per object")
        out = masks.copy()
    else:
        w, h = layout.width, layout.height
        draw = box_mask if mode == "box" else None
        out = np.zeros((n, h, w), dtype=np.float32)
        for i, obj in enumerate(layout.objects):
            out[i] = draw(obj.bbox, w, h) if draw else shape_mask(obj, w, h)
    if feather_px > 0:
        out = np.stack([feather(m, feather_px) for m in out]) if n else out
    return out
