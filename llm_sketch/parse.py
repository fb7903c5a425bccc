"""Prompt → ``Constraints``, deterministically, with no model: a small phrase grammar over a vocabulary.

The prompt is read as noun phrases joined by relation phrases ("to the left of", "on top of", "behind", …), region
phrases ("on the left", "in the top right corner"), conjunctions and punctuation:

    three yellow stars over two blue squares
    └─ NP(3, yellow, star) ─┘ REL(above) └─ NP(2, blue, square) ─┘

A noun phrase gives one object: count (number words, digits, "a", plurals, "no"/"without" → 0), size, colour, shape
and a singular label ("teddy bear"; the known multi-word names are matched whole). "the X" and pronouns ("it", "its
left") refer back to an earlier object. A relation joins the noun phrase before it (or, when the clause starts with
it, the one after) with the next. Whatever cannot be placed goes to ``unparsed``: nothing is dropped silently.
"""

from __future__ import annotations

import re

from .constraints import INVERSE, Constraints, ObjectSpec, Relation
from .words import (COCO_CLASSES, COLOR_WORDS, NUMBER_WORDS, SHAPE_NOUNS, SHAPE_WORDS, SIZE_WORDS, VAGUE_COUNTS,
                    is_plural, singular)

MAX_WORDS = 400  # longer prompts are read up to here; the rest is reported in `unparsed`

# Relation phrases, longest first when matched. Each maps to (relation, swap): swap means the phrase names the
# relation of the object to the subject ("A hidden by B" = A behind B).
_RELATION_PHRASES: dict[str, tuple[str, bool]] = {}


def _add(relation: str, *phrases: str, swap: bool = False) -> None:
    for phrase in phrases:
        _RELATION_PHRASES[phrase] = (relation, swap)


_add("left of", "to the left of", "on the left of", "on the left side of", "at the left of", "left of",
     "to the left side of", "on the left hand side of", "to the left hand side of", "at the left side of",
     "on left of", "to left of", "leftward of", "just left of", "directly left of", "towards the left of")
_add("right of", "to the right of", "on the right of", "on the right side of", "at the right of", "right of",
     "to the right side of", "on the right hand side of", "to the right hand side of", "at the right side of",
     "on right of", "to right of", "just right of", "directly right of", "towards the right of")
_add("above", "above", "over", "on top of", "on the top of", "atop", "at the top of", "on top", "up above",
     "directly above", "higher than", "hovering over", "hovering above", "floating above", "flying above",
     "flying over", "sits on top of", "sitting on top of", "resting on top of", "on the upper side of", "upon")
_add("above", "on", "onto", "on to")  # (the verb before "on" is a separator: "a cat lying on top of a bed")
_add("below", "below", "under", "beneath", "underneath", "on the bottom of", "at the bottom of", "at the foot of",
     "directly below", "lower than", "down below", "on the lower side of")
_add("near", "next to", "beside", "besides", "near", "nearby", "near to", "close to", "by", "alongside",
     "on side of", "on the side of", "by the side of", "adjacent to", "neighboring", "along with", "at the side of",
     "side by side with", "close by", "right next to", "right beside", "against", "up against", "leaning against")
_add("far from", "far from", "far away from", "away from", "distant from", "far apart from")
_add("in front of", "in front of", "before", "in the front of", "at the front of", "blocking", "obscuring",
     "hiding", "covering")
_add("behind", "behind", "in back of", "at the back of", "in the back of", "at the rear of", "behind of")
_add("behind", "hidden by", "obscured by", "blocked by", "covered by", "partially hidden by", "hidden behind",
     swap=False)
_add("inside", "inside", "inside of", "in", "within", "into", "enclosed in", "surrounded by", "contained in")
_add("contains", "containing", "contains", "surrounding", "enclosing", "around", "filled with", "full of",
     "stuffed with", "packed with")
_add("overlapping", "overlapping", "overlapping with", "on top of each other with", "intersecting")
_add("larger than", "larger than", "bigger than", "taller than", "wider than", "greater than")
_add("smaller than", "smaller than", "tinier than", "shorter than", "narrower than", "less than")
_add("between", "between", "in between", "in the middle of", "amid", "among")
_PHRASE_WORDS = {tuple(p.split()): v for p, v in _RELATION_PHRASES.items()}
_MAX_PHRASE = max(len(k) for k in _PHRASE_WORDS)

_REGION_WORDS = {"left": "left", "right": "right", "top": "top", "bottom": "bottom", "center": "center",
                 "centre": "center", "middle": "center", "upper": "top", "lower": "bottom"}
# "on the left", "in the top left corner", "at the bottom of the image", "on the left side", "to the right"
_REGION = re.compile(
    r"^(?:on|in|at|to|towards|near|along)\s+(?:the\s+)?(?:very\s+|far\s+)?"
    r"(?P<a>left|right|top|bottom|center|centre|middle|upper|lower)"
    r"(?:(?:\s*-\s*|\s+)(?P<b>left|right|center|centre|middle))?"
    r"(?:\s+(?:hand\s+)?(?:side|corner|part|half|edge|area|third|portion))?"
    r"(?:\s+(?:of|in)\s+(?:the\s+)?(?:image|picture|photo|frame|canvas|scene|screen|page|view|drawing|composition))?"
    r"(?=$|\s|,)")

_FRAMING = [
    r"^(?:please\s+)?(?:can you\s+|could you\s+)?(?:i want\s+|i'd like\s+|i would like\s+)?"
    r"(?:put|place|draw|add|show|make|create|paint|sketch|depict|generate|render|give me|imagine)\s+(?:me\s+)?",
    r"^(?:an?\s+|the\s+)?(?:(?:realistic|high[- ]quality|detailed|simple|colorful|colourful|beautiful|cute|"
    r"cartoon|digital|black and white|close[- ]up|closeup|wide|vintage|professional)\s+)*"
    r"(?:photo|photograph|picture|image|drawing|painting|illustration|sketch|render|rendering|scene|view|shot|"
    r"snapshot|artwork|cartoon|poster|diagram|composition)s?\s+(?:of|with|showing|featuring|containing|where|in "
    r"which|that shows|depicting)\s+(?:a\s+scene\s+(?:with|of)\s+)?",
    r"^(?:there\s+(?:is|are|was|were)|here\s+(?:is|are)|this\s+is|these\s+are|it\s+is|there's)\s+",
    r"^(?:an?\s+)?(?:extreme\s+)?(?:close[- ]?up|closeup|close\s+view|view|side\s+view|top\s+view)\s+(?:of|on)\s+",
    r"^(?:an?\s+)?scene\s+(?:with|of|showing)\s+",
    r"^(?:an?\s+)?scene\s+(?=without|with no)",
]
_TRAILING = re.compile(r"\s+(?:in|on)\s+(?:the|this|a)\s+(?:image|picture|photo|photograph|scene|frame|canvas|"
                       r"drawing)\s*$")
_STOP = {"is", "are", "was", "were", "be", "being", "been", "has", "have", "had", "that", "which", "who", "whose",
         "while", "where", "when", "as", "of", "for", "from", "the", "its", "their", "his", "her", "it", "they",
         "them", "and", "or", "but", "with", "without", "together", "each", "other", "also", "both", "then",
         "there", "here", "to", "at", "on", "in", "into", "onto", "up", "down", "out", "off", "sits", "stands",
         "lies", "looks", "appears", "seems", "can", "could", "should", "would", "will", "very", "just", "all",
         "one's", "photo", "picture", "image", "number", "more", "than", "same", "visible", "shown", "seen",
         "placed", "located", "positioned", "standing", "sitting", "laying", "lying", "resting", "hanging",
         "parked", "perched", "floating", "flying", "next"}
_ADJECTIVES = {
    "fluffy", "soft", "hard", "wooden", "old", "new", "young", "shiny", "fresh", "ripe", "sleek", "modern",
    "antique", "tall", "short", "long", "wide", "narrow", "thin", "thick", "fat", "cute", "pretty", "beautiful",
    "ugly", "dirty", "clean", "empty", "full", "open", "closed", "broken", "wet", "dry", "hot", "cold", "warm",
    "cool", "bright", "dark", "light", "pale", "vivid", "plastic", "metal", "metallic", "glass", "ceramic",
    "leather", "furry", "hairy", "spotted", "striped", "plain", "fancy", "simple", "tiny", "huge", "giant",
    "realistic", "cartoon", "lone", "single", "lonely", "happy", "sad", "angry", "sleepy", "friendly", "wild",
    "domestic", "stuffed", "toy", "delicious", "tasty", "juicy", "crispy", "sweet", "sour", "spicy", "frozen",
    "sliced", "whole", "half", "large", "small", "big", "little", "giant", "miniature", "massive", "enormous",
    "black-and-white", "colorful", "colourful", "dead", "sleeping", "running", "jumping", "rusty", "vintage",
    "other", "another", "same", "different", "various", "several", "some", "many", "few", "multiple",
    "numerous", "distant", "nearby", "fake", "real", "electric", "dense", "hard-shelled", "elegant", "red-and-white",
    "grey-and-white", "white-and-black", "brown-and-white", "shaggy", "baby", "adult", "giant", "wooded", "rocky",
    "green-and-yellow", "gray-and-white", "black-and-brown", "folded", "rolled", "smooth", "rough", "sharp",
    "blunt", "curly", "straight", "round-shaped", "checkered", "polka-dotted",
}
_COCO_WORDS = {tuple(c.split()) for c in COCO_CLASSES}
_MULTIWORD = sorted({tuple(c.split()) for c in COCO_CLASSES if " " in c} | {
    ("ice", "cube"), ("coffee", "table"), ("water", "bottle"), ("wine", "bottle"), ("coat", "rack"),
    ("rocking", "chair"), ("traffic", "cone"), ("street", "light"), ("light", "bulb"), ("hot", "air", "balloon"),
    ("ice", "cream"), ("ice", "bucket"), ("mobile", "phone"), ("remote", "control"), ("tv", "set"),
    ("christmas", "tree"), ("palm", "tree"), ("fire", "truck"), ("police", "car"), ("race", "car"),
    ("baby", "stroller"), ("soccer", "ball"), ("tennis", "ball"), ("golf", "ball"), ("beach", "ball"),
    ("paper", "plane"), ("hair", "dryer"), ("clock", "tower"), ("table", "lamp"), ("desk", "lamp"),
    ("floor", "lamp"), ("picture", "frame"), ("laptop", "computer"), ("cell", "phone"), ("cutting", "board"),
    ("stuffed", "animal"), ("tea", "cup"), ("coffee", "cup"), ("coffee", "mug"), ("flower", "pot"),
    ("lamp", "post"), ("fire", "place"), ("trash", "can"), ("garbage", "can"), ("power", "line"),
    ("microwave", "oven"), ("toaster", "oven"), ("pizza", "oven"), ("train", "station"), ("table", "top"),
}, key=len, reverse=True)
_PRONOUNS = {"it", "its", "them", "their", "this", "that", "him", "her", "itself"}
_POSSESSIVES = {"its", "their", "his", "her"}  # before a noun they are determiners: "a giraffe in their pen"
# "a knight in the foreground", "with mountains in the background": depth, not "inside"
# "a donut covered in sprinkles", "kites in the shape of planes": the preposition starts no relation
_NOT_A_RELATION = re.compile(r"^(?:(?:covered|coated|topped|decorated|sprinkled|dusted|smeared|painted)\s+(?:in|with)"
                             r"|in\s+the\s+(?:shape|form)\s+of)(?=$|\s|,)")
_DEPTH = re.compile(r"^(?:in|into|at)\s+the\s+(?:(?:far|very|distant)\s+)?(fore|back)ground(?=$|\s|,)")


def _clean(prompt: str) -> str:
    text = prompt.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[\"()\[\]{}<>*_#`]", " ", text)
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"(\d+)\s*x\s+", r"\1 ", text)  # "3x cats"
    return re.sub(r"\s+", " ", text).strip()


def _strip_framing(clause: str) -> str:
    changed = True
    while changed:
        changed = False
        for pattern in _FRAMING:
            new = re.sub(pattern, "", clause, count=1)
            if new != clause:
                clause, changed = new, True
    return _TRAILING.sub("", clause).strip()


class _Parser:
    def __init__(self, prompt: str):
        self.prompt = prompt
        self.objects: list[dict] = []
        self.relations: list[tuple[str, str, str, str | None]] = []
        self.unparsed: list[str] = []

    # ---- objects ----------------------------------------------------------------------------------------------
    def _new_object(self, spec: dict) -> str:
        spec["id"] = f"o{len(self.objects) + 1}"
        self.objects.append(spec)
        return spec["id"]

    def _find(self, label: str, color: str | None = None) -> str | None:
        for obj in reversed(self.objects):
            if obj["label"] == label and (color is None or obj["color"] in (None, color)):
                return obj["id"]
        return None

    def noun_phrase(self, words: list[str], negated: bool) -> tuple[str | None, list[str]]:
        """Words of one noun phrase → an object id (new or referred to) and the words it did not understand."""
        count: int | None = None
        vague = False  # the count came from "a few", "a group of" …: an explicit number overrides it
        definite = False
        color = shape = size = None
        rest: list[str] = []
        i = 0
        while i < len(words):
            w = words[i]
            two = " ".join(words[i:i + 2])
            three = " ".join(words[i:i + 3])
            if three in VAGUE_COUNTS:
                count, vague, i = VAGUE_COUNTS[three], True, i + 3
                continue
            if two in VAGUE_COUNTS:
                count, vague, i = VAGUE_COUNTS[two], True, i + 2
                continue
            if w in _COLLECTIVES and i + 1 < len(words) and words[i + 1] == "of" and not rest:
                count, vague, i = count if count and count > 1 else 3, True, i + 2  # "a herd of zebras"
                continue
            if w == "the-same-number-of":
                count = self.objects[-1]["count"] if self.objects else None
            elif w in ("the", "this", "that", "these", "those"):
                definite = True
            elif w in ("a", "an") and count is None:
                count = 1
            elif w in NUMBER_WORDS and w not in ("a", "an") and (count in (None, 1) or vague) and not rest:
                count, vague = (NUMBER_WORDS[w] if w != "no" else 0), False
            elif w.isdigit() and (count in (None, 1) or vague) and not rest:
                count, vague = min(int(w), 100), False
            elif w in VAGUE_COUNTS and not rest:
                count, vague = VAGUE_COUNTS[w], True
            elif w in ("of", "pair", "couple", "group", "bunch", "lot", "lots", "set") and not rest:
                pass
            elif w in SIZE_WORDS and not rest:
                size = SIZE_WORDS[w]
            elif w in COLOR_WORDS and (i + 1 < len(words) or not rest) and not (
                    w == "orange" and i == len(words) - 1):
                color = COLOR_WORDS[w]
            elif w in SHAPE_WORDS and (i + 1 < len(words)) and w not in SHAPE_NOUNS | {"circles", "squares"}:
                shape = SHAPE_WORDS[w]  # an adjective: "a round table"
            elif w.endswith("-shaped") and w[:-7] in SHAPE_WORDS:
                shape = SHAPE_WORDS[w[:-7]]
            elif w in ("colored", "coloured") and rest and rest[-1] in COLOR_WORDS:
                color = COLOR_WORDS[rest.pop()]
            else:
                rest.append(w)
            i += 1
        label, leftovers = _label(rest)
        if label is None:
            if shape:  # "a red round one"
                label = shape
            else:
                return None, leftovers
        noun_last = rest[-1] if rest else label
        plural_noun = is_plural(noun_last)
        if label in SHAPE_NOUNS or label in ("oval",):
            shape = shape or SHAPE_WORDS.get(label)
        if negated:
            count = 0
        elif count is None:
            count = 2 if plural_noun else 1
        if definite and count == 1 and not plural_noun:
            found = self._find(label, color)
            if found:
                obj = self.object(found)
                obj["color"] = obj["color"] or color
                obj["shape"] = obj["shape"] or shape
                obj["size"] = obj["size"] or size
                return found, leftovers
        if definite and plural_noun and count == 2:
            found = self._find(label, color)
            if found:
                return found, leftovers
        return self._new_object({"label": label, "count": count, "color": color, "shape": shape, "size": size,
                                 "region": None, "_vague": vague}), leftovers

    def object(self, object_id: str) -> dict:
        return next(o for o in self.objects if o["id"] == object_id)

    # ---- clauses ----------------------------------------------------------------------------------------------
    def parse(self) -> Constraints:
        text = _clean(self.prompt)
        if not text:
            return Constraints(prompt=self.prompt, unparsed=("the prompt is empty",))
        words_all = text.split()
        if len(words_all) > MAX_WORDS:
            self.unparsed.append(f"(prompt too long: read the first {MAX_WORDS} of {len(words_all)} words)")
            text = " ".join(words_all[:MAX_WORDS])
        for sentence in re.split(r"[.;!?\n]+", text):
            sentence = sentence.strip(" ,")
            if sentence:
                self.sentence(_strip_framing(sentence))
                self._apply_comparisons()
        if not self.objects and not self.unparsed:
            self.unparsed.append(text)
        self._regions_to_relations()
        self._depth_to_relations()
        objects = tuple(ObjectSpec(**{k: v for k, v in o.items() if not k.startswith("_")}) for o in self.objects)
        relations = []
        for subject, relation, obj, obj2 in self.relations:
            if subject == obj or (relation == "between" and obj2 in (None, subject)):
                continue
            rel = Relation(subject, relation, obj, obj2 if relation == "between" else None)
            if rel not in relations:
                relations.append(rel)
        return Constraints(prompt=self.prompt, objects=objects, relations=tuple(relations),
                           unparsed=tuple(u for u in self.unparsed if u))

    def _regions_to_relations(self) -> None:
        """Opposite regions imply a relation ("a cup on the left and a book on the right": cup left of book)."""
        placed = [o for o in self.objects if o["region"] and o["count"] > 0]
        for i, a in enumerate(placed):
            for b in placed[i + 1:]:
                ra, rb = a["region"].split(), b["region"].split()
                for axis in (("left", "right"), ("top", "bottom")):
                    if axis[0] in ra and axis[1] in rb:
                        rel = "left of" if axis[0] == "left" else "above"
                        self.relations.append((a["id"], rel, b["id"], None))
                    elif axis[1] in ra and axis[0] in rb:
                        rel = "right of" if axis[0] == "left" else "below"
                        self.relations.append((a["id"], rel, b["id"], None))

    def _depth_to_relations(self) -> None:
        """ "X in the foreground": X in front of every object not also there; "Y in the background": Y behind every
        object of neither."""
        present = [o for o in self.objects if o["count"] > 0]
        for o in present:
            mark = o.get("_depth")
            others = {"front": ("back", None), "back": (None,)}.get(mark, ())
            for other in present:
                if other is not o and other.get("_depth") in others:
                    relation = "in front of" if mark == "front" else "behind"
                    self.relations.append((o["id"], relation, other["id"], None))

    def sentence(self, text: str) -> None:
        text = self._comparisons(text)
        tokens = re.findall(r"[a-z0-9'-]+|,", text)
        items = self._items(tokens)
        self._assemble(items)

    _COMPARISON = re.compile(
        r",?\s*(?:and\s+|with\s+)?the number of ([a-z][a-z -]*?) is (more|greater|larger|higher|less|fewer|smaller|"
        r"lower) than (?:that of |the number of )?([a-z][a-z -]*?)\s*(?=$|,)")
    _SAME = re.compile(r"\bthe (?:same|equal) number of ([a-z][a-z -]*?)(?=$|,|\s+(?:and|with|in|on)\b)")

    def _comparisons(self, text: str) -> str:
        """ "…, the number of cars is more than that of trucks" sets the vaguer count; "the same number of Y"
        copies the count before it. The clause is consumed, so it adds no objects."""
        self._pending_comparisons = []
        for m in self._COMPARISON.finditer(text):
            more = m.group(2) in ("more", "greater", "larger", "higher")
            self._pending_comparisons.append((singular(m.group(1).strip()), more, singular(m.group(3).strip())))
        text = self._COMPARISON.sub("", text)
        same = self._SAME.search(text)
        if same:
            text = text[:same.start()] + "the-same-number-of " + same.group(1) + text[same.end():]
        return text

    def _apply_comparisons(self) -> None:
        for a_label, more, b_label in getattr(self, "_pending_comparisons", []):
            a = next((o for o in self.objects if o["label"] == a_label), None)
            b = next((o for o in self.objects if o["label"] == b_label), None)
            if not a or not b:
                self.unparsed.append(f"the number of {a_label} compared with {b_label}")
                continue
            if b.get("_vague") and not a.get("_vague"):
                b["count"] = max(1, a["count"] - 1) if more else a["count"] + 1
            elif a.get("_vague") and not b.get("_vague"):
                a["count"] = b["count"] + 1 if more else max(1, b["count"] - 1)

    def _items(self, tokens: list[str]) -> list[tuple]:
        """Tokens → ("np", words, negated) / ("rel", relation, swap) / ("region", name) / ("depth", "front"|"back") /
        ("aside",) (the next noun phrase describes the one before: "covered in sprinkles") / ("pron",) /
        ("sep", word)."""
        items: list[tuple] = []
        i = 0
        np_words: list[str] = []
        negated = False

        def flush():
            nonlocal np_words, negated
            if np_words:
                items.append(("np", np_words, negated))
            np_words, negated = [], False

        while i < len(tokens):
            t = tokens[i]
            rest_text = " ".join(tokens[i:])
            not_relation = _NOT_A_RELATION.match(rest_text)
            if not_relation:
                flush()
                items.append(("aside",))
                i += len(not_relation.group(0).split())
                continue
            depth = _DEPTH.match(rest_text)
            if depth:
                flush()
                items.append(("depth", "front" if depth.group(1) == "fore" else "back"))
                i += len(depth.group(0).split())
                continue
            region = _REGION.match(rest_text)
            if region and not re.match(r"^\S+\s+(?:the\s+)?\S+(?:\s+(?:hand\s+)?side)?\s+of\s+(?!the image|the "
                                       r"picture|the photo|the frame|the canvas|the scene)", rest_text[:region.end() + 30]) \
                    or (region and region.end() == len(rest_text)):
                name = _REGION_WORDS[region.group("a")]
                if region.group("b"):
                    second = _REGION_WORDS[region.group("b")]
                    if name in ("left", "right") and second in ("top", "bottom"):
                        name, second = second, name
                    name = name if second == "center" else f"{name} {second}"
                flush()
                items.append(("region", name))
                i += len(region.group(0).split())
                continue
            matched = None
            for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
                key = tuple(tokens[i:i + n])
                if key in _PHRASE_WORDS:
                    matched = (n, *_PHRASE_WORDS[key])
                    break
            if matched and not self._relation_is_noun(tokens, i, matched[0], np_words):
                n, relation, swap = matched
                flush()
                items.append(("rel", relation, swap))
                i += n
                continue
            if t in ("without",) or (t == "no" and i + 1 < len(tokens) and tokens[i + 1] not in ("one",)):
                flush()
                negated = True
                i += 1
                continue
            if t == "with" and i + 1 < len(tokens) and tokens[i + 1] == "no":
                flush()
                negated = True
                i += 2
                continue
            if np_words and (t in ("a", "an", "some") or (t in NUMBER_WORDS and t not in ("no", "both"))) and any(
                    w not in NUMBER_WORDS and w not in ("the", "some", "of") and w not in VAGUE_COUNTS
                    and w not in _COLLECTIVES for w in np_words) and np_words[-1] != "of":
                flush()
            if t in ("at", "outside", "inside-of") and np_words:
                flush()
                items.append(("sep", t))
                i += 1
                continue
            if t in ("and", "or", "with", "while", "plus", "but", "beside", "also", "then", "," , "as", "well",
                     "along", "together", "whereas", "where", "which", "who", "that", "is", "are", "was", "were",
                     "has", "have", "sits", "stands", "lies", "sitting", "standing", "lying", "laying", "resting",
                     "placed", "located", "positioned", "hanging", "parked", "perched", "being", "be", "holding",
                     "looking", "facing", "walking", "running", "eating", "playing", "riding", "carrying",
                     "wearing", "using", "watching", "flying", "floating", "leaning", "there", "here", "one"
                     ) and not (t == "one" and not np_words):
                flush()
                items.append(("sep", t))
                i += 1
                continue
            own = re.match(r"^(?:to|on|at|towards)\s+(?:its|their|his|her)\s+(left|right)(?:\s+(?:hand\s+)?side)?"
                           r"(?=$|\s|,)", rest_text)
            if own:  # "to its left": a relation to the object referred to
                flush()
                items.append(("rel", f"{own.group(1)} of", False))
                items.append(("pron", "its"))
                i += len(own.group(0).split())
                continue
            if tokens[i:i + 3] == ["side", "by", "side"] and tokens[i + 3:i + 4] != ["with"]:
                flush()  # "a kitten and a dog sat side by side": near each other
                items.append(("rel", "near", False))
                items.append(("pron", "each"))
                i += 3
                continue
            if tokens[i:i + 2] in (["each", "other"], ["one", "another"]):
                flush()
                items.append(("pron", "each"))
                i += 2
                continue
            if t in _POSSESSIVES and not np_words and i + 1 < len(tokens) and tokens[i + 1] != "," and \
                    _PHRASE_WORDS.get((tokens[i + 1],)) is None and tokens[i + 1] not in _STOP:
                i += 1  # "their pen": a determiner, the noun follows
                continue
            if t in _PRONOUNS and not np_words:
                flush()
                items.append(("pron", t))
                i += 1
                continue
            name = _multiword_at(tokens, i)
            if name:  # "parking meter(s)", "hot dog": never split by the rules below
                np_words.extend(tokens[i:i + len(name)])
                i += len(name)
                continue
            if np_words and (t in _VERBS or (t.endswith("ing") and len(t) > 5 and t not in _KNOWN_ING) or (
                    t.endswith("ed") and len(t) >= 5 and t not in _KNOWN_ED)):
                flush()
                items.append(("sep", t))
                i += 1
                continue
            np_words.append(t)
            i += 1
        flush()
        return items

    @staticmethod
    def _relation_is_noun(tokens, i, n, np_words) -> bool:
        """ "a bowl of oranges", "orange" the fruit after a number … keep relation words that are nouns here."""
        word = tokens[i]
        if word == "in" and i + 1 < len(tokens) and tokens[i + 1] in ("front", "back"):
            return False
        if word in ("before", "by", "around", "over", "in", "into", "upon", "among", "amid") and not np_words:
            return i == 0 and word not in ("over", "around")
        return False

    def _assemble(self, items: list[tuple]) -> None:
        """Join noun phrases with the relations and regions around them (see the module docstring)."""
        subject = None  # the object the clause is about
        last = None  # the most recent object
        rel = None  # a relation waiting for its object: (relation, swap)
        rel_subject = None  # … and its subject (None: the clause began with the relation; the subject follows)
        anchor = None  # the object of a relation whose subject has not come yet
        between: list[str] = []
        group: list[str] = []  # noun phrases joined by "and" so far ("a bed and a chair against a wall")
        rel_subjects: list[str] = []
        region = None  # a region phrase that came before its noun phrase
        depth = None  # … and a depth phrase ("in the background, a castle")
        aside = None  # the object a describing phrase ("covered in …") is about
        for position, (kind, *data) in enumerate(items):
            if kind == "np":
                words, negated = data
                obj, leftovers = self.noun_phrase(words, negated)
                if leftovers:
                    self.unparsed.append(" ".join(leftovers))
                if obj is None:
                    continue
                if region:
                    self.object(obj)["region"], region = region, None
                if depth:
                    self.object(obj)["_depth"], depth = depth, None
                if rel and rel[0] == "between":
                    between.append(obj)
                    if len(between) == 2:
                        if rel_subject is not None:
                            self.relations.append((rel_subject, "between", between[0], between[1]))
                            rel, between = None, []
                        else:
                            anchor = tuple(between)
                    elif anchor is not None and isinstance(anchor, tuple):
                        pass
                    last = obj
                    continue
                if isinstance(anchor, tuple):  # "between the house and the tree is a dog"
                    self.relations.append((obj, "between", anchor[0], anchor[1]))
                    anchor, rel, between = None, None, []
                elif rel and rel_subject is not None:
                    for each in rel_subjects:  # "a carrot and an onion next to a knife": both are
                        self._relate(each, rel, obj)
                    rel, group = None, []
                    subject = subject or obj
                    last = obj
                    continue
                elif rel and anchor is None:
                    anchor = obj  # "to the left of the house (is) a tree": the subject is next
                elif rel and anchor is not None:
                    self._relate(obj, rel, anchor)
                    rel, anchor = None, None
                after_and = position > 0 and items[position - 1][0] == "sep" and items[position - 1][1] == "and"
                group = group + [obj] if after_and and group else [obj]
                subject = subject or obj
                last = obj
                if aside is not None:  # "a knife covered in guts next to a bowl": the knife is next to the bowl
                    last, group, aside = aside, [aside], None
            elif kind == "rel":
                relation, swap = data
                nxt = items[position + 1] if position + 1 < len(items) else None
                if nxt and nxt[0] == "pron" and nxt[1] == "each":  # "X and Y next to each other"
                    if len(self.objects) >= 2 and last is not None:
                        previous = self._previous(last)
                        if previous:
                            self._relate(previous, (relation, swap), last)
                    rel = None
                    continue
                clause_start = position == 0 or (items[position - 1][0] == "sep" and items[position - 1][1] in _CLAUSE)
                # In a chain "A on B next to C" the second relation is about A, the clause's subject (as in
                # captions: "a cat laying on a bed next to a chair" — the cat is next to the chair).
                chained = last is not None and last != subject and subject is not None and \
                    any(r[2] == last and r[0] == subject for r in self.relations)
                rel_subject = None if clause_start else (subject if chained else last)
                rel_subjects = group if rel_subject == last and last in group and len(group) > 1 else [rel_subject]
                rel, anchor, between = (relation, swap), None, []
            elif kind == "region":
                if last is not None and rel is None and (position == 0 or items[position - 1][0] != "sep"):
                    self.object(last)["region"] = data[0]
                else:
                    region = data[0]
            elif kind == "aside":
                aside = last
            elif kind == "depth":
                if last is not None and rel is None and (position == 0 or items[position - 1][0] != "sep"):
                    for each in group if last in group else [last]:  # "a horse and a castle in the background"
                        self.object(each)["_depth"] = data[0]
                    group = []  # what follows starts a new group
                else:
                    depth = data[0]
            elif kind == "pron":
                if data[0] == "each":
                    continue
                referent = self._previous(rel_subject) if rel_subject else (last or subject)
                if referent is None:
                    continue
                if rel and rel_subject is not None:
                    self._relate(rel_subject, rel, referent)  # "a tree to its left" (its = the house)
                    rel = None
                elif rel:
                    anchor = referent  # "to its left is a tree"
                else:
                    last = referent
            elif kind == "sep" and data[0] in _CLAUSE:
                if rel is None:
                    subject = None
        if rel is not None and (rel_subject is None or anchor is None) and not between and last is None:
            self.unparsed.append(rel[0])

    def _previous(self, obj: str | None) -> str | None:
        """The most recently mentioned object other than ``obj``."""
        for candidate in reversed(self.objects):
            if candidate["id"] != obj:
                return candidate["id"]
        return None

    def _relate(self, subject: str, rel: tuple[str, bool], obj: str) -> None:
        relation, swap = rel
        if swap:
            relation = INVERSE.get(relation, relation)
        self.relations.append((subject, relation, obj, None))


def _multiword_at(tokens: list[str], i: int) -> tuple[str, ...] | None:
    for name in _MULTIWORD:
        n = len(name)
        window = tokens[i:i + n]
        if len(window) == n and (tuple(window) == name or tuple(window[:-1] + [singular(window[-1])]) == name):
            return name
    return None


_VERBS = {"sits", "lays", "lies", "stands", "takes", "curls", "naps", "rests", "looks", "hangs", "waits", "walks",
          "runs", "eats", "plays", "holds", "has", "is", "are", "was", "were", "sit", "lay", "stand", "rest",
          "hang", "wait", "walk", "run", "eat", "play", "hold", "perches", "leans", "appears", "seems", "shows",
          "contains", "features", "goes", "flies", "swims", "jumps", "sleeps", "sleep", "grazes", "graze", "fly",
          "stand", "float", "floats", "hover", "hovers", "lie", "sits", "perch", "stuck", "made", "fill", "fills",
          "lays", "look", "looks", "sat", "stood", "lay", "ran", "flew", "ate", "held", "leaned", "slept", "swam"}
_KNOWN_ED = {"bed", "shed", "sled", "seed", "weed", "reed", "steed", "tweed", "bled", "infrared", "hundred"}
_NOT_OBJECTS = {"nap", "rest", "break", "look", "glance", "walk", "ride", "picture", "photo", "image", "view",
                "background", "foreground", "distance", "middle", "scene", "shot", "close-up", "closeup", "sky"}
_PARTS = {"engine", "arm", "track", "tracks", "tire", "tyre", "hood", "window", "mirror", "wheel", "keyboard", "screen", "back", "head", "tail", "handle",
          "seat", "door", "roof", "trunk", "bumper", "windshield", "headlight", "leg", "legs", "face", "nose", "ear",
          "paw", "foot", "neck", "side", "top", "lid", "rim", "edge", "interior", "dashboard", "hand", "wing"}
_COLLECTIVES = {"group", "herd", "family", "flock", "pack", "team", "bunch", "crowd", "row", "line", "set", "pile",
                "stack", "couple", "pair", "collection", "fleet", "bundle", "cluster", "pod", "swarm", "troop"}
_CLAUSE = ("and", ",", "while", "but", "whereas", "plus", "also", "then")
_KNOWN_ING = {"building", "ring", "string", "ceiling", "painting", "drawing", "clothing", "king", "wing", "sling",
              "swing", "pudding", "dumpling", "earring", "stocking", "bedding", "icing", "railing", "awning"}


def _label(words: list[str]) -> tuple[str | None, list[str]]:
    """The noun of a noun phrase (singular), and the words that were neither noun nor known adjective."""
    if "of" in words[1:]:  # "X of Y": X ("a vase of flowers"), unless Y is counted ("a box of four donuts")
        at = words.index("of")
        left, right = words[:at], words[at + 1:]
        if right and not left or any(w in NUMBER_WORDS or w.isdigit() for w in right) or (
                left and singular(left[-1]) in _PARTS):  # "the back of a car" is the car
            words = right
        else:
            leftover = _label(right)[0] if right else None
            label, rest = _label(left)
            return label, rest + ([f"of {leftover}"] if leftover else [])
    words = [w[:-2] if w.endswith("'s") and len(w) > 2 else w for w in words]
    for i in range(len(words) - 1):  # a part of a known whole names the whole: "car tire", "dog's head"
        if singular(words[i + 1]) in _PARTS and (words[i],) in _COCO_WORDS | {("laptop",), ("bicycle",)}:
            return words[i], [w for w in words[:i] if w not in _ADJECTIVES and w not in _STOP]
    words = [w for w in words if w not in ("of", "'s") and w.strip("'")]
    for phrase in _MULTIWORD:  # a known multi-word name at the end: "teddy bear", "traffic light", "wine glass"
        n = len(phrase)
        singular_words = words[:-1] + [singular(words[-1])] if words else []
        if len(words) >= n and (tuple(singular_words[-n:]) == phrase or tuple(words[-n:]) == phrase):
            return " ".join(phrase), [w for w in words[:-n] if w not in _ADJECTIVES and w not in _STOP]
    while words and (words[-1] in _STOP or words[-1] in _ADJECTIVES):
        words = words[:-1]
    if not words:
        return None, []
    singular_words = [singular(w) if i == len(words) - 1 else w for i, w in enumerate(words)]
    while words and words[-1].endswith("ed") and len(words[-1]) >= 5 and words[-1] not in _KNOWN_ED:
        words = words[:-1]  # "curled", "painted": participles, not things
    if not words:
        return None, []
    singular_words = [singular(w) if i == len(words) - 1 else w for i, w in enumerate(words)]
    head = singular_words[-1]
    before = [w for w in words[:-1] if w not in _ADJECTIVES and w not in _STOP and not w.endswith("ly")]
    if head in _STOP or head.isdigit() or head in _NOT_OBJECTS or head.endswith("ly"):
        return None, words
    # a noun modifier right before the head stays in the label ("coffee mug"), but never more than one
    if before and not before[-1].endswith(("ed", "ly")) and (before[-1],) not in _COCO_WORDS and \
            before[-1] not in COLOR_WORDS and len(before[-1]) > 2 and before[-1] in _COMPOUND_MODIFIERS:
        return f"{before[-1]} {head}", before[:-1]
    return head, before


# modifiers that form compound nouns with the next word (kept in the label)
_COMPOUND_MODIFIERS = {"coffee", "tea", "water", "wine", "beer", "soup", "cereal", "salad", "dinner", "fruit",
                       "flower", "pine", "palm", "oak", "christmas", "birthday", "wedding", "police", "fire", "race",
                       "sports", "school", "street", "stop", "traffic", "parking", "baseball", "tennis", "soccer",
                       "ice", "rocking", "coat", "computer", "desk", "floor", "table", "kitchen", "bath", "living",
                       "toy", "teddy", "paper", "beach", "hot", "sail", "motor", "space", "air", "swimming",
                       "garden", "picnic", "park", "office", "dining", "teddy"}


def parse(prompt: str) -> Constraints:
    """Read a prompt's objects, counts, attributes, regions and relations; see the module docstring."""
    if not isinstance(prompt, str):
        prompt = str(prompt)
    return _Parser(prompt).parse()
