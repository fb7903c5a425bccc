"""``Constraints``: what the prompt asks for, as data — objects (what, how many, colour, shape, size, where) and the
relations between them. The parser (``parse``) writes them; the planner, the LLM prompt and the checker read them.

Interface other tools read (keep these names): ``objects[].id/label/count/color/region``,
``relations[].subject/relation/object`` (object ids).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from .errors import SketchError

CONSTRAINTS_VERSION = 1

COLORS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray")
SHAPES = ("circle", "square", "rectangle", "triangle", "star", "ellipse", "hexagon", "pentagon", "octagon",
          "heart", "diamond", "cross", "crescent", "arrow", "oval", "cube", "sphere", "cylinder", "cone")
SIZES = ("small", "large")
REGIONS = ("left", "right", "top", "bottom", "center", "top left", "top right", "bottom left", "bottom right")
RELATIONS = ("left of", "right of", "above", "below", "near", "far from", "inside", "contains", "overlapping",
             "in front of", "behind", "larger than", "smaller than", "between")
INVERSE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above", "near": "near",
           "far from": "far from", "inside": "contains", "contains": "inside", "overlapping": "overlapping",
           "in front of": "behind", "behind": "in front of", "larger than": "smaller than",
           "smaller than": "larger than"}


@dataclass(frozen=True)
class ObjectSpec:
    id: str
    label: str  # a singular, lowercase noun phrase: "teddy bear"
    count: int = 1  # 0: must be absent
    color: str | None = None  # one of COLORS
    shape: str | None = None  # one of SHAPES
    size: str | None = None  # small / large
    region: str | None = None  # one of REGIONS

    def describe(self, with_count: bool = False, omit: str | None = None) -> str:
        """ "the red triangle", or with the count: "three yellow stars"; ``omit`` leaves out an attribute
        ("color", "size", "shape"), for sentences that state it ("the triangle is red")."""
        words = [w for key, w in (("size", self.size), ("color", self.color)) if w and key != omit]
        noun = self.label
        if self.shape and self.shape not in noun.split() and omit != "shape":
            noun = f"{noun} {self.shape}" if noun != self.shape else noun
        if with_count and self.count != 1:
            from .words import number_word, plural

            return " ".join([number_word(self.count), *words, plural(noun)])
        return " ".join(["the", *words, noun])


@dataclass(frozen=True)
class Relation:
    subject: str  # object id
    relation: str  # one of RELATIONS
    object: str  # object id
    object2: str | None = None  # the second reference of "between"


@dataclass(frozen=True)
class Constraints:
    prompt: str
    objects: tuple[ObjectSpec, ...] = ()
    relations: tuple[Relation, ...] = ()
    unparsed: tuple[str, ...] = ()  # phrases the parser could not place: never dropped silently
    version: int = CONSTRAINTS_VERSION

    def object(self, object_id: str) -> ObjectSpec:
        for obj in self.objects:
            if obj.id == object_id:
                return obj
        raise SketchError(f"no object with id {object_id!r} in the constraints")

    def to_dict(self) -> dict:
        return {"version": self.version, "prompt": self.prompt,
                "objects": [asdict(o) for o in self.objects],
                "relations": [{k: v for k, v in asdict(r).items() if v is not None or k != "object2"}
                              for r in self.relations],
                "unparsed": list(self.unparsed)}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> "Constraints":
        try:
            version = int(data.get("version", CONSTRAINTS_VERSION))
            if version > CONSTRAINTS_VERSION:
                raise SketchError(f"constraints version {version} is newer than this engine reads "
                                  f"({CONSTRAINTS_VERSION})")
            objects = tuple(ObjectSpec(id=str(o["id"]), label=str(o["label"]), count=int(o.get("count", 1)),
                                       color=o.get("color"), shape=o.get("shape"), size=o.get("size"),
                                       region=o.get("region")) for o in data.get("objects", []))
            relations = tuple(Relation(subject=str(r["subject"]), relation=str(r["relation"]),
                                       object=str(r["object"]), object2=r.get("object2"))
                              for r in data.get("relations", []))
            constraints = cls(prompt=str(data.get("prompt", "")), objects=objects, relations=relations,
                              unparsed=tuple(str(u) for u in data.get("unparsed", [])), version=version)
        except (KeyError, TypeError, ValueError) as exc:
            raise SketchError(f"not a constraints object: {exc}") from None
        constraints.validate()
        return constraints

    @classmethod
    def from_json(cls, text: str) -> "Constraints":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SketchError(f"the constraints are not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(data, dict):
            raise SketchError("the constraints JSON must be an object with objects and relations")
        return cls.from_dict(data)

    def validate(self) -> None:
        ids = [o.id for o in self.objects]
        if len(set(ids)) != len(ids):
            raise SketchError("object ids in the constraints must be unique")
        for o in self.objects:
            if o.count < 0:
                raise SketchError(f"object {o.id}: count must be 0 or more")
            for name, value, allowed in (("color", o.color, COLORS), ("size", o.size, SIZES),
                                         ("region", o.region, REGIONS)):
                if value is not None and value not in allowed:
                    raise SketchError(f"object {o.id}: unknown {name} {value!r} (use one of {', '.join(allowed)})")
        for r in self.relations:
            if r.relation not in RELATIONS:
                raise SketchError(f"unknown relation {r.relation!r} (use one of {', '.join(RELATIONS)})")
            for ref in (r.subject, r.object) + ((r.object2,) if r.relation == "between" else ()):
                if ref not in ids:
                    raise SketchError(f"relation {r.relation!r} refers to unknown object {ref!r}")
