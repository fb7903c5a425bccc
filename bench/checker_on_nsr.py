"""Does the checker agree with NSR-1K's own ground truth? Each spatial row's two COCO boxes, checked against the
row's relation, under the LayoutGPT rule (target ≥ 99 %) and the GenEval rule.

    .venv/bin/python bench/checker_on_nsr.py

NSR-1K's "next to" holds on left or right (LayoutGPT's evaluation); it is checked that way here. Rows without
boxes (DrawBench prompts, image_id -1) are skipped.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import BENCHMARKS  # noqa: E402

from llm_sketch.check import check  # noqa: E402
from llm_sketch.constraints import Constraints, ObjectSpec, Relation  # noqa: E402
from llm_sketch.layout import Layout, LayoutObject  # noqa: E402

DATA = BENCHMARKS / "layoutgpt-nsr1k"
RELATIONS = {"left": ["left of"], "right": ["right of"], "top": ["above"], "bottom": ["below"],
             "next to": ["left of", "right of"]}
SIZE = 512


def layout_of(row) -> Layout:
    objects = []
    for i, key in enumerate(("obj1", "obj2")):
        name, (x, y, w, h) = row[key]
        box = (x * SIZE, y * SIZE, (x + w) * SIZE, (y + h) * SIZE)
        objects.append(LayoutObject(id=f"o{i}", label=("subject", "reference")[i], shape="rect", color={"name": None, "rgb": None},
                                    bbox=box, z=i, area=w * h * SIZE * SIZE))
    return Layout(width=SIZE, height=SIZE, objects=tuple(objects))


def holds(row, rule: str) -> bool:
    layout = layout_of(row)
    for relation in RELATIONS[row["relation"]]:
        constraints = Constraints(prompt=row["prompt"], objects=(ObjectSpec("a", "subject"), ObjectSpec("b", "reference")),
                                  relations=(Relation("a", relation, "b"),))
        if check(layout, constraints, rule).passed:
            return True
    return False


def main() -> None:
    rows = [r for f in ("spatial.val.json", "spatial.train.json") for r in json.loads((DATA / f).read_text())
            if r["image_id"] != -1]
    val = [r for r in json.loads((DATA / "spatial.val.json").read_text()) if r["image_id"] != -1]
    for name, subset in (("val", val), ("val + train", rows)):
        print(f"NSR-1K spatial {name}: {len(subset)} rows with boxes")
        for rule in ("layoutgpt", "geneval", "visor", "t2i-compbench"):
            per = defaultdict(lambda: [0, 0])
            for row in subset:
                per[row["relation"]][0] += holds(row, rule)
                per[row["relation"]][1] += 1
            good, total = sum(v[0] for v in per.values()), sum(v[1] for v in per.values())
            detail = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(per.items()))
            target = "  (target ≥ 99 %)" if rule == "layoutgpt" else ""
            print(f"  {rule:<14} {good}/{total} = {100 * good / total:.1f} %{target}   [{detail}]")


if __name__ == "__main__":
    main()
