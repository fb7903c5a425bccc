"""The offline planner on every prompt of the public spatial benchmarks: is each planned sketch faithful?

    .venv/bin/python bench/plan_faithfulness.py [--sets geneval,sr2d,...] [--limit N] [--size 512] [--seed 0]
                                                [--mask-sample 100] [--show 5]

For each prompt: parse → plan → draw → sanitize → ``extract_layout`` → render, then

(a) the layout extracted from the drawn SVG passes every check of the prompt's own parsed constraints under the GenEval
    rule and under the LayoutGPT rule (rows whose constraints hold a conflict the planner names — a contradiction, a
    relation with an absent object, objects the checker cannot tell apart — are counted separately);
(b) every extracted box is the planned box within 1 px (and label, colour and shape are the planned ones);
(c) every object has visible pixels in the raster: one render where each object is painted in its own flat colour
    (outline and details included), counting the pixels of that colour inside its box (≥ 4 needed); a sample of
    ``--mask-sample`` prompts per set is cross-checked with ``object_masks(visible_only=True)``.

NSR-1K rows with COCO boxes also compare the planned boxes with the ground truth: mean IoU after matching by label,
and how often the row's relation holds (LayoutGPT rule) in the ground truth, in the plan and in both.
SR2D: a fixed sample of 2,000 (sorted by unique_id, every k-th). Sets: geneval, sr2d, t2i-spatial, t2i-numeracy,
t2i-color, t2i-shape, nsr-spatial, nsr-counting, lmd.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import BENCHMARKS  # noqa: E402

import numpy as np  # noqa: E402
from lxml import etree  # noqa: E402

from llm_sketch.check import check  # noqa: E402
from llm_sketch.constraints import Constraints, ObjectSpec, Relation  # noqa: E402
from llm_sketch.draw import draw  # noqa: E402
from llm_sketch.layout import Layout, LayoutObject, extract_layout, object_masks  # noqa: E402
from llm_sketch.parse import parse  # noqa: E402
from llm_sketch.plan import plan  # noqa: E402
from llm_sketch.render import rasterize  # noqa: E402
from llm_sketch.svgsafe import sanitize  # noqa: E402
from llm_sketch.words import canonical_label  # noqa: E402

DATA = BENCHMARKS
T2I = DATA / "t2i-compbench"
NSR_REL = {"left": ["left of"], "right": ["right of"], "top": ["above"], "bottom": ["below"],
           "next to": ["left of", "right of"]}
ID_COLORS = [(r, g, b) for r in (0, 85, 170, 255) for g in (0, 85, 170, 255) for b in (0, 85, 170, 255)][1:]
MIN_VISIBLE = 4


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def load_sets() -> dict[str, list[dict]]:
    sets = {}
    sets["geneval"] = [{"prompt": json.loads(l)["prompt"]} for l in
                       (DATA / "geneval" / "evaluation_metadata.jsonl").read_text().splitlines() if l.strip()]
    rows = sorted(json.loads((DATA / "visor-sr2d" / "text_spatial_rel_phrases.json").read_text()),
                  key=lambda r: r["unique_id"])
    step = len(rows) // 2000
    sets["sr2d"] = [{"prompt": r["text"]} for r in rows[::step][:2000]]
    for name, file in (("t2i-spatial", "spatial_val.txt"), ("t2i-numeracy", "numeracy_val.txt"),
                       ("t2i-color", "color_val.txt"), ("t2i-shape", "shape_val.txt")):
        sets[name] = [{"prompt": p} for p in _lines(T2I / file)]
    sets["nsr-spatial"] = [{"prompt": r["prompt"], "nsr": r} for r in
                           json.loads((DATA / "layoutgpt-nsr1k" / "spatial.val.json").read_text())]
    sets["nsr-counting"] = [{"prompt": r["prompt"], "nsr": r} for r in
                            json.loads((DATA / "layoutgpt-nsr1k" / "counting.val.json").read_text())]
    sets["lmd"] = [{"prompt": p} for p in json.loads((DATA / "lmd" / "cache_lmd_v0.1_gpt-4.json").read_text())]
    return sets


def id_render(svg: str, width: int, height: int) -> tuple[np.ndarray, list]:
    """Each labelled group painted in its own flat colour (outlines and details too), on black."""
    root = etree.fromstring(svg.encode("utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    for el in list(root):
        if el.tag in (f"{ns}rect", f"{ns}defs"):
            root.remove(el)
    groups = [g for g in root if g.get("data-label") is not None]
    for k, g in enumerate(groups):
        color = "#%02x%02x%02x" % ID_COLORS[k % len(ID_COLORS)]
        for el in g.iter():
            if el is not g:
                el.set("fill", color)
                if el.get("stroke"):
                    el.set("stroke", color)
    rgba = rasterize(etree.tostring(root, encoding="unicode"), width, height, background="black")
    return rgba, groups


def visible_counts(svg: str, layout: Layout) -> list[int]:
    rgba, _ = id_render(svg, layout.width, layout.height)
    rgb = rgba[..., :3]
    out = []
    for k, obj in enumerate(sorted(layout.objects, key=lambda o: o.z)):
        x0, y0, x1, y1 = (int(v) for v in obj.bbox)
        crop = rgb[y0:y1 + 1, x0:x1 + 1]
        out.append(int(np.all(crop == np.array(ID_COLORS[k % len(ID_COLORS)], dtype=np.uint8), axis=-1).sum()))
    return out


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nsr_compare(row: dict, layout: Layout) -> dict:
    """Mean IoU of planned vs ground-truth boxes (greedy matching by label, then IoU) and, for spatial rows, whether
    the row's relation holds in the ground truth and in the plan (LayoutGPT rule)."""
    w, h = layout.width, layout.height
    if "obj1" in row:
        truth = [(row["obj1"][0], row["obj1"][1]), (row["obj2"][0], row["obj2"][1])]
    else:
        truth = [(name, box) for name, box in row.get("object_list", [])]
    gt = [(canonical_label(n), (x, y, x + bw, y + bh)) for n, (x, y, bw, bh) in truth]
    planned = [(canonical_label(_strip_color(o.label)), (o.bbox[0] / w, o.bbox[1] / h, o.bbox[2] / w, o.bbox[3] / h))
               for o in layout.objects]
    pairs = sorted(((_iou(g[1], p[1]), gi, pi) for gi, g in enumerate(gt) for pi, p in enumerate(planned)
                    if g[0] == p[0]), reverse=True)
    used_g, used_p, ious = set(), set(), []
    for iou, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            ious.append(iou)
    ious += [0.0] * (len(gt) - len(ious))
    out = {"iou": sum(ious) / len(ious) if ious else None}
    if "obj1" in row and row.get("image_id", -1) != -1:
        def holds(boxes) -> bool:
            objs = tuple(LayoutObject(id=f"o{i}", label=("subject", "reference")[i], shape="", color={"name": None,
                         "rgb": None}, bbox=tuple(v * 512 for v in b), z=i,
                         area=(b[2] - b[0]) * (b[3] - b[1]) * 512 * 512) for i, b in enumerate(boxes))
            lay = Layout(width=512, height=512, objects=objs)
            for rel in NSR_REL[row["relation"]]:
                c = Constraints(prompt="", objects=(ObjectSpec("a", "subject"), ObjectSpec("b", "reference")),
                                relations=(Relation("a", rel, "b"),))
                if check(lay, c, "layoutgpt").passed:
                    return True
            return False

        a, b = canonical_label(row["obj1"][0]), canonical_label(row["obj2"][0])
        pa = next((p[1] for p in planned if p[0] == a), None)
        pb = next((p[1] for p in planned if p[0] == b and p[1] is not pa), None)
        out["gt_holds"] = holds([gt[0][1], gt[1][1]])
        out["plan_holds"] = pa is not None and pb is not None and holds([pa, pb])
    return out


def _strip_color(label: str) -> str:
    from llm_sketch.words import COLOR_WORDS

    words = label.split()
    return " ".join(words[1:]) if len(words) > 1 and words[0] in COLOR_WORDS else label


def evaluate(prompt: str, size: int = 512, seed: int = 0, masks: bool = False, visible: bool = True) -> dict:
    t0 = time.perf_counter()
    constraints = parse(prompt)
    result = plan(constraints, size, size, seed)
    t1 = time.perf_counter()
    svg = draw(result.layout, result.fills, result.scene)
    doc = sanitize(svg)
    extracted = extract_layout(doc, size, size)
    planned = result.layout
    recovered = len(extracted.objects) == len(planned.objects) and all(
        max(abs(x - y) for x, y in zip(a.bbox, b.bbox)) <= 1.0 and a.label == b.label and a.color == b.color
        and a.shape == b.shape for a, b in zip(planned.objects, extracted.objects))
    rules = {rule: check(extracted, constraints, rule) for rule in ("geneval", "layoutgpt", "visor", "t2i-compbench")}
    passed = {rule: all(c.passed for c in r.checks) and bool(r.checks) for rule, r in rules.items()}
    out = {"conflict": bool(result.conflicts), "conflicts": list(result.conflicts), "passed": passed,
           "recovered": recovered, "plan_ms": (t1 - t0) * 1000, "objects": len(planned.objects),
           "failed": [c.text + " — " + c.detail for r in (rules["geneval"], rules["layoutgpt"]) for c in r.checks
                      if not c.passed], "layout": extracted, "empty": not planned.objects}
    if visible and planned.objects:
        counts = visible_counts(svg, extracted)
        out["visible"] = min(counts) >= MIN_VISIBLE
        out["min_visible_px"] = min(counts)
    elif visible:
        out["visible"] = True
    if masks and planned.objects:
        m = object_masks(doc, size, size, visible_only=True)
        out["mask_visible"] = bool((m.reshape(len(m), -1).max(axis=1) > 0).all() and
                                   (m.reshape(len(m), -1) > 0.5).sum(axis=1).min() >= MIN_VISIBLE)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="geneval,sr2d,t2i-spatial,t2i-numeracy,t2i-color,t2i-shape,nsr-spatial,"
                                      "nsr-counting,lmd")
    ap.add_argument("--limit", type=int, default=0, help="prompts per set (0: all)")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mask-sample", type=int, default=50, help="prompts per set cross-checked with object_masks")
    ap.add_argument("--show", type=int, default=3, help="failures to print per set")
    ap.add_argument("--no-render", action="store_true", help="skip (c), the visibility render")
    args = ap.parse_args()
    sets = load_sets()
    totals = {"rows": 0, "ok": 0, "clean": 0}
    print(f"canvas {args.size}×{args.size}, seed {args.seed}; (a) = every check passes on the layout extracted "
          f"from the SVG, over rows without a named conflict")
    header = (f"{'set':<13} {'rows':>5} {'confl':>5} {'(a) geneval':>12} {'(a) layoutgpt':>13} {'visor':>7} "
              f"{'t2i':>7} {'(b) boxes':>10} {'(c) visible':>12} {'masks':>9} {'plan ms':>8}")
    print(header)
    extra_lines = []
    for name in args.sets.split(","):
        rows = sets[name][:args.limit] if args.limit else sets[name]
        results = []
        mask_every = max(1, len(rows) // max(1, args.mask_sample)) if args.mask_sample else 0
        for k, row in enumerate(rows):
            r = evaluate(row["prompt"], args.size, args.seed, masks=bool(mask_every) and k % mask_every == 0,
                         visible=not args.no_render)
            r["prompt"] = row["prompt"]
            if "nsr" in row:
                r["nsr"] = nsr_compare(row["nsr"], r["layout"])
            results.append(r)
        clean = [r for r in results if not r["conflict"]]
        n = len(clean) or 1

        def pct(xs, total):
            return f"{100 * sum(xs) / max(1, total):6.1f} %"

        vis = [r.get("visible", True) for r in results]
        masked = [r["mask_visible"] for r in results if "mask_visible" in r]
        print(f"{name:<13} {len(results):>5} {len(results) - len(clean):>5} "
              f"{pct([r['passed']['geneval'] for r in clean], n):>12} "
              f"{pct([r['passed']['layoutgpt'] for r in clean], n):>13} "
              f"{pct([r['passed']['visor'] for r in clean], n):>7} "
              f"{pct([r['passed']['t2i-compbench'] for r in clean], n):>7} "
              f"{pct([r['recovered'] for r in results], len(results)):>10} "
              f"{'—' if args.no_render else pct(vis, len(results)):>12} "
              f"{(str(sum(masked)) + '/' + str(len(masked))) if masked else '—':>9} "
              f"{statistics.median(r['plan_ms'] for r in results):8.1f}")
        totals["rows"] += len(results)
        totals["clean"] += len(clean)
        totals["ok"] += sum(r["passed"]["geneval"] and r["passed"]["layoutgpt"] for r in clean)
        bad = [r for r in clean if not (r["passed"]["geneval"] and r["passed"]["layoutgpt"])]
        bad += [r for r in results if not r["recovered"] or not r.get("visible", True)]
        for r in bad[:args.show]:
            extra_lines.append(f"  [{name}] {r['prompt']!r}: {r['failed'][:3]} recovered={r['recovered']} "
                               f"visible={r.get('visible')}")
        conflicted = [r for r in results if r["conflict"]]
        for r in conflicted[:args.show]:
            extra_lines.append(f"  [{name}] conflict: {r['prompt']!r}: {r['conflicts'][0]}")
        if conflicted:
            passed_anyway = sum(r["passed"]["geneval"] and r["passed"]["layoutgpt"] for r in conflicted)
            extra_lines.append(f"  [{name}] {len(conflicted)} conflict rows; the best partial layout passes every "
                               f"check in {passed_anyway}")
        nsr = [r["nsr"] for r in results if "nsr" in r]
        if nsr:
            ious = [x["iou"] for x in nsr if x["iou"] is not None]
            line = f"  [{name}] vs COCO ground truth: mean IoU {statistics.mean(ious):.3f} over {len(ious)} rows"
            rel = [x for x in nsr if "gt_holds" in x]
            if rel:
                gt = sum(x["gt_holds"] for x in rel)
                pl = sum(x["plan_holds"] for x in rel)
                both = sum(x["gt_holds"] and x["plan_holds"] for x in rel)
                line += (f"; relation (LayoutGPT rule) holds in GT {gt}/{len(rel)}, in the plan {pl}/{len(rel)}, "
                         f"in both {both}/{len(rel)}")
            extra_lines.append(line)
    print(f"all sets: {totals['ok']}/{totals['clean']} rows without conflicts pass every check under both rules; "
          f"{totals['rows'] - totals['clean']} conflict rows of {totals['rows']}")
    print("\n".join(extra_lines))


if __name__ == "__main__":
    main()
