"""Image to Layout on planned sketches after blur, noise, JPEG and a small warp: are the objects recovered?

    .venv/bin/python bench/detect_robustness.py [--n 200] [--size 384] [--style auto] [--seed 0] [--show 3]

Prompts are generated (fixed seed) in six families over ten colours and fourteen shapes: a relation between two
coloured shapes ("a red star to the left of a blue hexagon"), counts ("three yellow circles"), two attributes ("a
green heart and a purple square"), counts with a relation ("two orange triangles above three gray squares"),
containment and depth ("a red circle inside a blue square", "a pink diamond in front of a brown hexagon"), and
coloured COCO objects ("a red car to the left of a blue bus"), plus the paper's prompt. Each is parsed, planned
(seed = its index), drawn in ``--style`` and rasterized on white at ``--size``², then degraded:

    clean   as drawn
    blur    Gaussian blur, σ = 2 px
    noise   Gaussian noise, σ = 12 per channel
    jpeg    JPEG at quality 30
    warp    a random affine map: rotation ±4°, scale 0.94–1.06 per axis, shear ±0.04, shift ±3 %
    all     warp, then blur σ 1, noise σ 8, JPEG 50

``detect_layout(image, constraints)`` gives a layout; a sketch counts as

- **recovered** when every planned object is found: a detected object with a matching label whose box overlaps the
  planned box (through the same warp) with IoU ≥ 0.5, each detected object used once, and no detected object
  matching a prompt label is left over;
- **checked** when ``check(detected, constraints, "geneval")`` passes, as it does for the planned layout.

Prints one row per condition, and per family for the clean and all conditions.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from llm_sketch.check import check  # noqa: E402
from llm_sketch.detect import detect_layout  # noqa: E402
from llm_sketch.draw import draw  # noqa: E402
from llm_sketch.parse import parse  # noqa: E402
from llm_sketch.plan import plan  # noqa: E402
from llm_sketch.render import rasterize  # noqa: E402
from llm_sketch.words import labels_match, plural  # noqa: E402

COLORS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "gray")
SHAPES = ("circle", "square", "triangle", "star", "hexagon", "pentagon", "heart", "diamond", "rectangle", "ellipse",
          "cross", "crescent", "arrow", "octagon")
CONTAINERS = ("square", "circle", "rectangle", "hexagon")
OBJECTS = ("car", "bus", "dog", "cat", "bird", "chair", "cup", "bench", "umbrella", "book", "clock", "vase")
RELATIONS = ("to the left of", "to the right of", "above", "below")
NUMBERS = {2: "two", 3: "three", 4: "four"}
CONDITIONS = ("clean", "blur", "noise", "jpeg", "warp", "all")


def a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def prompts(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = [("paper", "a blue circle on the left and a red triangle on the right")]

    def two():
        c1, c2 = rng.sample(COLORS, 2)
        s1, s2 = rng.choice(SHAPES), rng.choice(SHAPES)
        return c1, s1, c2, s2

    families = ["relation", "count", "attributes", "count+relation", "inside/front", "objects"]
    while len(out) < n:
        family = families[len(out) % len(families)]
        if family == "relation":
            c1, s1, c2, s2 = two()
            text = f"{a(c1)} {s1} {rng.choice(RELATIONS)} {a(c2)} {s2}"
        elif family == "count":
            k = rng.choice((2, 3, 4))
            text = f"{NUMBERS[k]} {rng.choice(COLORS)} {plural(rng.choice(SHAPES))}"
        elif family == "attributes":
            c1, s1, c2, s2 = two()
            text = f"{a(c1)} {s1} and {a(c2)} {s2}"
        elif family == "count+relation":
            c1, s1, c2, s2 = two()
            k1, k2 = rng.choice((1, 2, 3)), rng.choice((2, 3))
            first = f"{a(c1)} {s1}" if k1 == 1 else f"{NUMBERS[k1]} {c1} {plural(s1)}"
            text = f"{first} {rng.choice(('above', 'below'))} {NUMBERS[k2]} {c2} {plural(s2)}"
        elif family == "inside/front":
            c1, s1, c2, _ = two()
            if rng.random() < 0.5:
                text = f"{a(c1)} {s1} inside {a(c2)} {rng.choice(CONTAINERS)}"
            else:
                text = f"{a(c1)} {s1} in front of {a(c2)} {rng.choice(SHAPES)}"
        else:
            c1, c2 = rng.sample(COLORS, 2)
            o1, o2 = rng.sample(OBJECTS, 2)
            text = f"{a(c1)} {o1} {rng.choice(RELATIONS)} {a(c2)} {o2}"
        out.append((family, text))
    return out


# ---- degradations --------------------------------------------------------------------------------------------------
def blur(img: Image.Image, sigma: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(sigma))


def noise(img: Image.Image, sigma: float, rng: np.random.Generator) -> Image.Image:
    a = np.asarray(img).astype(np.float32) + rng.normal(0, sigma, (img.height, img.width, 3))
    return Image.fromarray(np.clip(a, 0, 255).round().astype(np.uint8))


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def random_affine(rng: random.Random, w: int, h: int) -> np.ndarray:
    """A 3×3 matrix (output ← input pixel coordinates) about the image centre."""
    a = np.radians(rng.uniform(-4, 4))
    sx, sy = rng.uniform(0.94, 1.06), rng.uniform(0.94, 1.06)
    sh = rng.uniform(-0.04, 0.04)
    tx, ty = rng.uniform(-0.03, 0.03) * w, rng.uniform(-0.03, 0.03) * h
    rot = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    lin = rot @ np.array([[sx, sh, 0], [0, sy, 0], [0, 0, 1]])
    c = np.array([[1, 0, w / 2], [0, 1, h / 2], [0, 0, 1]])
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]) @ c @ lin @ np.linalg.inv(c)


def warp(img: Image.Image, m: np.ndarray) -> Image.Image:
    inv = np.linalg.inv(m)  # PIL maps each output pixel back to the input
    return img.transform(img.size, Image.AFFINE, tuple(inv[:2].ravel()), resample=Image.BILINEAR,
                         fillcolor=(255, 255, 255))


def warp_box(box, m: np.ndarray):
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]]) @ m.T
    return (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())


def degrade(img: Image.Image, condition: str, seed: int):
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    m = np.eye(3)
    if condition == "blur":
        img = blur(img, 2)
    elif condition == "noise":
        img = noise(img, 12, nrng)
    elif condition == "jpeg":
        img = jpeg(img, 30)
    elif condition in ("warp", "all"):
        m = random_affine(rng, img.width, img.height)
        img = warp(img, m)
        if condition == "all":
            img = jpeg(noise(blur(img, 1), 8, nrng), 50)
    return img, m


# ---- scoring -------------------------------------------------------------------------------------------------------
def iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def recovered(planned, detected, constraints, m) -> tuple[bool, str]:
    labels = [o.label for o in constraints.objects]
    relevant = [d for d in detected.objects if any(labels_match(lab, d.label) for lab in labels)]
    free = list(relevant)
    for p in sorted(planned.objects, key=lambda o: -o.area):
        box = warp_box(p.bbox, m)
        options = [(iou(box, d.bbox), d) for d in free if labels_match(d.label, p.label) or labels_match(
            p.label, d.label) or any(labels_match(lab, d.label) and labels_match(lab, p.label) for lab in labels)]
        if not options:
            return False, f"{p.label} not found"
        best, d = max(options, key=lambda t: t[0])
        if best < 0.5:
            return False, f"{p.label}: IoU {best:.2f}"
        free.remove(d)
    if free:
        return False, "extra " + ", ".join(d.label for d in free)
    return True, ""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--size", type=int, default=384)
    ap.add_argument("--style", default="auto", choices=("auto", "plain", "flat", "scene"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=3, help="failures to print per condition")
    args = ap.parse_args(argv)

    started = time.monotonic()
    rows = prompts(args.n, args.seed)
    stats = {c: defaultdict(lambda: [0, 0, 0]) for c in CONDITIONS}  # family → [n, recovered, checked]
    failures = defaultdict(list)
    planner_failed = 0
    seconds = defaultdict(float)
    for i, (family, text) in enumerate(rows):
        constraints = parse(text)
        result = plan(constraints, args.size, args.size, seed=i)
        if not result.passed:
            planner_failed += 1  # (the planner's own sketch fails a check: nothing to recover)
            continue
        svg = draw(result.layout, result.fills, result.scene, args.style)
        clean = Image.fromarray(rasterize(svg, args.size, args.size, background="white")[..., :3])
        for condition in CONDITIONS:
            img, m = degrade(clean, condition, seed=1000 * args.seed + i)
            t = time.perf_counter()
            layout, _ = detect_layout(np.asarray(img), constraints)
            seconds[condition] += time.perf_counter() - t
            ok, why = recovered(result.layout, layout, constraints, m)
            passed = check(layout, constraints, "geneval").passed
            for key in (family, "all"):
                cell = stats[condition][key]
                cell[0] += 1
                cell[1] += ok
                cell[2] += passed
            if not (ok and passed):
                failures[condition].append(f"{text!r}: " + (why if not ok else "check: " + "; ".join(
                    c.text for c in check(layout, constraints, "geneval").checks if not c.passed)))

    n = stats["clean"]["all"][0]
    print(f"Image to Layout on {n} planned sketches ({args.style} style, {args.size}², seed {args.seed}; "
          f"{planner_failed} prompt(s) the planner could not satisfy left out)")
    print(f"{'condition':<10} {'recovered':>14} {'check passes':>14} {'ms/image':>9}")
    for condition in CONDITIONS:
        total, rec, chk = stats[condition]["all"]
        print(f"{condition:<10} {rec:>5}/{total:<4} {100 * rec / total:5.1f}% {chk:>5}/{total:<4}"
              f"{100 * chk / total:5.1f}% {1000 * seconds[condition] / total:8.0f}")
    for condition in ("clean", "all"):
        print(f"\nper family ({condition}):")
        for family, (total, rec, chk) in sorted(stats[condition].items()):
            if family != "all":
                print(f"  {family:<16} {rec:>4}/{total:<4} recovered  {chk:>4}/{total:<4} check passes")
    for condition in CONDITIONS:
        for line in failures[condition][:args.show]:
            print(f"[{condition}] {line}")
    print(f"\n{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
