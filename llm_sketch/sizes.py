"""Relative sketch sizes and aspect ratios by kind: the 80 COCO classes, the common shapes and a few scene words.

``size`` is the object's typical extent in a sketch on a compressed scale (a bus 1.0, a person 0.75, a cup 0.3): it
orders objects plausibly (a table is bigger than a cup) without making small things specks. ``aspect`` is width /
height. Unknown labels get a middle size and a square aspect; words for places ("kitchen", "field") are large and
can hold other objects.
"""

from __future__ import annotations

from .words import canonical_label

# label: (size, aspect w/h)
SIZES: dict[str, tuple[float, float]] = {
    # people and vehicles
    "person": (0.75, 0.45), "bicycle": (0.7, 1.5), "car": (0.85, 2.0), "motorcycle": (0.7, 1.5),
    "airplane": (1.0, 1.8), "bus": (1.0, 2.2), "train": (1.0, 2.8), "truck": (0.95, 1.9), "boat": (0.85, 1.8),
    # street
    "traffic light": (0.55, 0.4), "fire hydrant": (0.45, 0.65), "stop sign": (0.5, 0.75),
    "parking meter": (0.5, 0.4), "bench": (0.7, 2.0),
    # animals
    "bird": (0.35, 1.2), "cat": (0.5, 1.2), "dog": (0.55, 1.2), "horse": (0.8, 1.25), "sheep": (0.6, 1.3),
    "cow": (0.8, 1.4), "elephant": (0.95, 1.3), "bear": (0.8, 1.3), "zebra": (0.8, 1.25), "giraffe": (0.95, 0.75),
    # accessories and sports
    "backpack": (0.4, 0.8), "umbrella": (0.6, 1.1), "handbag": (0.35, 1.1), "tie": (0.3, 0.4),
    "suitcase": (0.45, 0.8), "frisbee": (0.3, 1.6), "skis": (0.6, 0.35), "snowboard": (0.6, 0.35),
    "sports ball": (0.3, 1.0), "kite": (0.45, 0.8), "baseball bat": (0.45, 0.25), "baseball glove": (0.3, 1.0),
    "skateboard": (0.45, 2.5), "surfboard": (0.7, 0.35), "tennis racket": (0.45, 0.6),
    # kitchen and food
    "bottle": (0.35, 0.4), "wine glass": (0.3, 0.55), "cup": (0.3, 1.0), "fork": (0.3, 0.25), "knife": (0.3, 0.2),
    "spoon": (0.3, 0.25), "bowl": (0.35, 2.0), "banana": (0.3, 1.6), "apple": (0.28, 1.0), "sandwich": (0.32, 1.4),
    "orange": (0.28, 1.0), "broccoli": (0.32, 0.9), "carrot": (0.3, 0.35), "hot dog": (0.32, 2.2),
    "pizza": (0.45, 1.0), "donut": (0.3, 1.0), "cake": (0.4, 1.1),
    # furniture and appliances
    "chair": (0.55, 0.7), "couch": (0.85, 2.0), "potted plant": (0.5, 0.7), "bed": (0.9, 1.6),
    "dining table": (0.85, 1.6), "toilet": (0.5, 0.7), "tv": (0.6, 1.4), "laptop": (0.45, 1.3),
    "computer mouse": (0.22, 0.7), "tv remote": (0.25, 0.35), "computer keyboard": (0.45, 3.0),
    "cell phone": (0.25, 0.5), "microwave": (0.5, 1.6), "oven": (0.65, 0.95), "toaster": (0.4, 1.3),
    "sink": (0.55, 1.5), "refrigerator": (0.85, 0.55), "book": (0.3, 0.75), "clock": (0.35, 1.0),
    "vase": (0.4, 0.55), "scissors": (0.3, 0.8), "teddy bear": (0.45, 0.8), "hair drier": (0.35, 1.0),
    "toothbrush": (0.3, 0.2),
    # shapes
    "circle": (0.5, 1.0), "square": (0.5, 1.0), "rectangle": (0.5, 1.6), "triangle": (0.5, 1.1),
    "star": (0.5, 1.05), "ellipse": (0.5, 1.5), "hexagon": (0.5, 1.15), "pentagon": (0.5, 1.05),
    "octagon": (0.5, 1.0), "heart": (0.5, 1.1), "diamond": (0.5, 0.75), "cross": (0.5, 1.0),
    "crescent": (0.5, 0.8), "arrow": (0.5, 2.0), "cube": (0.5, 1.0), "sphere": (0.5, 1.0), "cylinder": (0.5, 0.7),
    "cone": (0.5, 0.8), "teardrop": (0.4, 0.75), "oblong": (0.45, 2.2),
    # a few common things beyond COCO
    "tree": (0.95, 0.7), "house": (0.9, 1.1), "building": (1.0, 0.7), "flower": (0.35, 0.6), "lamp": (0.5, 0.55),
    "box": (0.45, 1.1), "balloon": (0.35, 0.75), "fish": (0.35, 1.8), "duck": (0.35, 1.1), "chicken": (0.38, 1.0),
    "rabbit": (0.35, 0.9), "pig": (0.55, 1.4), "goat": (0.55, 1.2), "lion": (0.8, 1.3), "tiger": (0.8, 1.5),
    "monkey": (0.5, 0.9), "frog": (0.3, 1.2), "sun": (0.5, 1.0), "moon": (0.45, 1.0), "cloud": (0.6, 1.8),
    "mountain": (1.0, 1.6), "window": (0.5, 0.85), "door": (0.7, 0.5), "fence": (0.7, 2.6), "painting": (0.5, 1.3),
    "mirror": (0.5, 0.75), "desk": (0.8, 1.7), "shelf": (0.8, 1.6), "rock": (0.45, 1.4), "table": (0.85, 1.6),
    "candle": (0.25, 0.4), "hat": (0.3, 1.4), "shoe": (0.28, 1.6), "guitar": (0.55, 0.45), "drum": (0.4, 1.1),
    "plate": (0.35, 1.7), "key": (0.2, 2.0), "egg": (0.2, 0.78), "bread": (0.3, 1.6), "pillow": (0.4, 1.5),
}
# places and backdrops: large, and good containers
PLACES = {"room", "kitchen", "bedroom", "bathroom", "living room", "field", "park", "zoo", "street", "road",
          "beach", "yard", "garden", "grass", "forest", "city", "lake", "river", "sea", "ocean", "water", "snow",
          "desert", "farm", "pasture", "sky", "wall", "floor", "ground", "sidewalk", "parking lot", "station",
          "restaurant", "office", "shop", "store", "market", "classroom", "library", "studio", "stage", "court",
          "playground", "hill", "meadow", "barn", "building", "house", "hotel", "cabin", "corner", "area"}
PLACE_SIZE = (1.0, 1.5)
DEFAULT_SIZE = (0.5, 1.0)
SMALL, LARGE = 0.6, 1.55  # factors for "small" / "large"


def size_of(label: str, shape: str | None = None, size: str | None = None) -> tuple[float, float]:
    """(relative size, aspect w/h) for an object: the label's entry, else its shape's, else a default; then
    "small" / "large" applied."""
    name = canonical_label(label)
    entry = SIZES.get(name) or SIZES.get(label)
    if entry is None and name in PLACES:
        entry = PLACE_SIZE
    if entry is None and " " in name:  # "park bench": the head noun
        entry = SIZES.get(name.rsplit(" ", 1)[1])
    if shape and (entry is None or name == shape or label == shape):
        entry = SIZES.get(shape, entry)
    elif shape in ("oblong", "rectangle", "ellipse", "oval") and entry is not None:
        entry = (entry[0], max(entry[1], SIZES[shape if shape != "oval" else "ellipse"][1]))
    elif shape in ("circle", "sphere", "square", "cube", "octagon") and entry is not None:
        entry = (entry[0], 1.0)
    s, aspect = entry or DEFAULT_SIZE
    if size == "small":
        s *= SMALL
    elif size == "large":
        s *= LARGE
    return s, aspect


def is_place(label: str) -> bool:
    return canonical_label(label) in PLACES or label in PLACES
