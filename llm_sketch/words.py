"""Vocabulary shared by the parser and the checker: numbers, plurals, colour and shape words, label synonyms.

The synonym table (``LABEL_SYNONYMS``) is the documented rule for matching a layout's labels with the prompt's: both
sides are singularised, lower-cased and mapped through it before comparison.
"""

from __future__ import annotations

import re
from functools import lru_cache

NUMBER_WORDS = {
    "zero": 0, "no": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "pair": 2, "couple": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "dozen": 12, "both": 2,
}
_WORD_FOR = {v: k for k, v in NUMBER_WORDS.items() if k not in ("a", "an", "no", "single", "pair", "couple",
                                                                    "dozen", "both", "zero")}
VAGUE_COUNTS = {"several": 3, "few": 3, "some": 2, "many": 4, "multiple": 3, "various": 3, "numerous": 5,
                "a few": 3, "a couple of": 2, "a pair of": 2, "a group of": 3, "a bunch of": 3, "lots of": 4,
                "a lot of": 4}

COLOR_WORDS = {
    "red": "red", "orange": "orange", "yellow": "yellow", "green": "green", "blue": "blue", "purple": "purple",
    "pink": "pink", "brown": "brown", "black": "black", "white": "white", "gray": "gray", "grey": "gray",
    "violet": "purple", "magenta": "purple", "lavender": "purple", "crimson": "red", "scarlet": "red",
    "maroon": "red", "navy": "blue", "cyan": "blue", "turquoise": "blue", "teal": "green", "lime": "green",
    "olive": "green", "golden": "yellow", "gold": "yellow", "silver": "gray", "beige": "brown", "tan": "brown",
}
SHAPE_WORDS = {
    "circle": "circle", "circles": "circle", "circular": "circle", "round": "circle", "square": "square",
    "squares": "square", "rectangle": "rectangle", "rectangles": "rectangle", "rectangular": "rectangle",
    "triangle": "triangle", "triangles": "triangle", "triangular": "triangle", "star": "star", "stars": "star",
    "star-shaped": "star", "ellipse": "ellipse", "ellipses": "ellipse", "oval": "ellipse", "ovals": "ellipse",
    "elliptical": "ellipse", "hexagon": "hexagon", "hexagons": "hexagon", "hexagonal": "hexagon",
    "pentagon": "pentagon", "pentagons": "pentagon", "pentagonal": "pentagon", "octagon": "octagon",
    "octagonal": "octagon", "heart": "heart", "hearts": "heart", "heart-shaped": "heart", "diamond": "diamond",
    "diamonds": "diamond", "diamond-shaped": "diamond", "cross": "cross", "crescent": "crescent",
    "arrow": "arrow", "arrows": "arrow", "sphere": "sphere", "spheres": "sphere", "spherical": "sphere",
    "cube": "cube", "cubes": "cube", "cubic": "cube", "cylinder": "cylinder", "cylinders": "cylinder",
    "cylindrical": "cylinder", "cone": "cone", "cones": "cone", "conical": "cone", "teardrop": "teardrop",
    "oblong": "oblong",
}
# Shape nouns: "a red circle" is an object whose label is its shape.
SHAPE_NOUNS = {"circle", "square", "rectangle", "triangle", "star", "ellipse", "oval", "hexagon", "pentagon",
               "octagon", "heart", "diamond", "cross", "crescent", "arrow", "sphere", "cube", "cylinder", "cone"}
SIZE_WORDS = {"small": "small", "little": "small", "tiny": "small", "large": "large", "big": "large",
              "huge": "large", "giant": "large", "enormous": "large"}

# The 80 COCO classes (GenEval's and most detectors' vocabulary), multi-word names included.
COCO_CLASSES = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow", "elephant",
    "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard",
    "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli",
    "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed", "dining table", "toilet",
    "tv", "laptop", "computer mouse", "tv remote", "computer keyboard", "cell phone", "microwave", "oven", "toaster",
    "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
)

# label → canonical label, for matching prompt labels with layout labels (both sides go through it).
LABEL_SYNONYMS = {
    "people": "person", "man": "person", "woman": "person", "boy": "person", "girl": "person", "child": "person",
    "kid": "person", "guy": "person", "lady": "person", "men": "person", "women": "person", "player": "person",
    "sofa": "couch", "settee": "couch", "bike": "bicycle", "motorbike": "motorcycle", "plane": "airplane",
    "aeroplane": "airplane", "jet": "airplane", "automobile": "car", "ship": "boat", "doughnut": "donut",
    "television": "tv", "tv set": "tv", "monitor": "tv", "fridge": "refrigerator", "mobile phone": "cell phone",
    "cellphone": "cell phone", "smartphone": "cell phone", "phone": "cell phone", "table": "dining table",
    "desk": "dining table", "mouse": "computer mouse", "keyboard": "computer keyboard", "remote": "tv remote",
    "remote control": "tv remote", "hair dryer": "hair drier", "hairdryer": "hair drier", "ball": "sports ball",
    "football": "sports ball", "soccer ball": "sports ball", "basketball": "sports ball",
    "tennis ball": "sports ball", "racket": "tennis racket", "racquet": "tennis racket", "glove": "baseball glove",
    "bat": "baseball bat", "purse": "handbag", "bag": "handbag", "plant": "potted plant", "houseplant": "potted plant",
    "puppy": "dog", "kitten": "cat", "kitty": "cat", "calf": "cow", "cattle": "cow", "lamb": "sheep",
    "teddy": "teddy bear", "stop light": "traffic light", "hydrant": "fire hydrant", "ski": "skis",
    "wineglass": "wine glass", "glass": "wine glass", "mug": "cup", "hotdog": "hot dog", "clocktower": "clock",
    "clock tower": "clock", "laptop computer": "laptop", "computer": "laptop", "notebook": "laptop",
    "oval": "ellipse", "microwave oven": "microwave", "toaster oven": "oven", "pizza oven": "oven",
}

_IRREGULAR_PLURALS = {
    "people": "person", "men": "man", "women": "woman", "children": "child", "mice": "mouse", "geese": "goose",
    "feet": "foot", "teeth": "tooth", "knives": "knife", "leaves": "leaf", "wolves": "wolf", "shelves": "shelf",
    "loaves": "loaf", "halves": "half", "calves": "calf", "scarves": "scarf", "wives": "wife", "lives": "life",
    "elves": "elf", "dice": "die", "oxen": "ox", "cacti": "cactus", "fungi": "fungus", "sheep": "sheep",
    "deer": "deer", "fish": "fish", "skis": "skis", "scissors": "scissors", "glasses": "glasses",
    "series": "series", "species": "species", "buses": "bus", "bus": "bus", "gas": "gas", "octopi": "octopus",
    "potatoes": "potato", "tomatoes": "tomato", "mangoes": "mango", "heroes": "hero", "echoes": "echo",
    "cookies": "cookie", "movies": "movie", "pies": "pie", "ties": "tie", "brownies": "brownie", "bikes": "bike",
    "giraffes": "giraffe", "vases": "vase", "horses": "horse", "houses": "house", "cases": "case",
    "suitcases": "suitcase", "bases": "base", "noses": "nose", "roses": "rose", "vases.": "vase",
    "axes": "axe", "boxes": "box", "foxes": "fox", "glass": "glass", "grass": "grass", "dress": "dress",
    "cross": "cross", "compass": "compass", "bus's": "bus", "canvas": "canvas", "lens": "lens", "iris": "iris",
    "apparatus": "apparatus", "kiwis": "kiwi", "buss": "bus", "cactus": "cactus", "octopus": "octopus", "walrus": "walrus", "hippopotamus":
    "hippopotamus", "platypus": "platypus", "asparagus": "asparagus", "hummus": "hummus", "news": "news",
    "pants": "pants", "jeans": "jeans", "shorts": "shorts", "trousers": "trousers", "binoculars": "binoculars",
    "chess": "chess", "lettuce": "lettuce", "drones": "drone", "clothes": "clothes", "cheese": "cheese",
    "wine glasses": "wine glass", "benches": "bench", "sandwiches": "sandwich", "couches": "couch",
    "toothbrushes": "toothbrush", "watches": "watch", "peaches": "peach", "dishes": "dish", "brushes": "brush",
    "tv": "tv", "tvs": "tv", "ellipses": "ellipse", "oases": "oasis", "crises": "crisis", "axis": "axis",
    "knife": "knife", "giraffe": "giraffe", "horse": "horse", "house": "house", "vase": "vase", "tie": "tie",
    "cookie": "cookie", "pie": "pie", "movie": "movie", "bike": "bike", "suitcase": "suitcase",
}
_NO_S_SINGULAR = re.compile(r"(ss|us|ous)$")
_IS_WORDS = {"iris", "axis", "basis", "oasis", "crisis", "tennis", "analysis", "thesis", "paris", "this", "his",
             "chassis", "trellis", "pelvis", "penis", "tonsillitis", "bronchitis", "mantis", "ibis", "kiwis"}


@lru_cache(maxsize=8192)  # pure, and called for every token and label match
def singular(word: str) -> str:
    """The singular of an English noun (the last word of a phrase): "teddy bears" → "teddy bear"."""
    word = word.strip().lower()
    if " " in word:
        head, last = word.rsplit(" ", 1)
        whole = _IRREGULAR_PLURALS.get(word)
        return whole if whole else f"{head} {singular(last)}"
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) <= 3 or _NO_S_SINGULAR.search(word) or word in _IS_WORDS:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zzes", "sses")):
        return word[:-2]
    if word.endswith("oes") and word[:-2] not in ("sho", "to"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def is_plural(word: str) -> bool:
    last = word.strip().lower().rsplit(" ", 1)[-1]
    return singular(last) != last and last not in ("skis", "scissors")


def plural(noun: str) -> str:
    noun = noun.strip()
    head, _, last = noun.rpartition(" ")
    reverse = {v: k for k, v in _IRREGULAR_PLURALS.items() if v != k and not k.endswith(".")}
    if last in ("sheep", "deer", "fish", "skis", "scissors"):
        word = last
    elif last in ("person",):
        word = "people"
    elif last in reverse and last not in ("bus",):
        word = reverse[last]
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def number_word(n: int) -> str:
    return _WORD_FOR.get(n, str(n))


@lru_cache(maxsize=8192)
def canonical_label(label: str) -> str:
    """The form two labels are compared in: lower-case, singular, through ``LABEL_SYNONYMS``."""
    text = re.sub(r"[^a-z0-9 -]", " ", label.lower()).strip()
    text = re.sub(r"\s+", " ", text)
    text = LABEL_SYNONYMS.get(text, text)
    single = singular(text)
    single = LABEL_SYNONYMS.get(single, single)
    if " " in single and single not in _KNOWN_LABELS:  # "park bench" is a bench, "beer bottle" a bottle
        head = canonical_label(single.rsplit(" ", 1)[1])
        if head in _KNOWN_LABELS:
            return head
    return single


_KNOWN_LABELS = set(COCO_CLASSES) | set(LABEL_SYNONYMS.values())


def labels_match(prompt_label: str, layout_label: str) -> bool:
    """Does a layout object's label name the prompt's object? Exact after canonicalisation, or the layout label
    ends with the prompt's noun ("blue circle" matches "circle"; "red car 2" matches "car")."""
    want = canonical_label(prompt_label)
    have = canonical_label(re.sub(r"[\s_-]*\d+$", "", layout_label))
    if want == have:
        return True
    if have in _KNOWN_LABELS:  # a known name is itself: a "hot dog" is no dog, a "teddy bear" no bear
        return False
    words = have.replace("-", " ").replace("_", " ").split()
    want_words = want.split()
    n = len(want_words)
    return any(words[i:i + n] == want_words for i in range(len(words) - n + 1)) or any(
        canonical_label(" ".join(words[i:])) == want for i in range(len(words)))
