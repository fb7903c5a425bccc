"""Does the sketch make Stable Diffusion put things where the prompt says? Plain SD1.5 vs sketch-guided SD1.5 on
GenEval's position prompts, judged by the pack's own Image to Layout + checker.

    .venv/bin/python bench/faithfulness_gain.py --checkpoint v1-5-pruned-emaonly.safetensors \\
        --controlnet control_v11p_sd15_scribble [--config SD15_DIFFUSERS_FOLDER] [--limit N] [--seeds 1]
        [--steps 25] [--size 512] [--control scribble] [--modes plain,controlnet] [--out out/faithfulness]
    .venv/bin/python bench/faithfulness_gain.py --oracle      # no model: the checker's ceiling on these prompts

For each of GenEval's 100 ``position`` prompts ("a photo of a dog right of a teddy bear") and each seed, the image is
generated once per mode with the same seed and settings: ``plain`` (text-to-image, no guidance) and ``controlnet``
(the offline planner's sketch → its control map → the ControlNet; ``img2img`` may be added to ``--modes``). Each
image goes through ``generate``'s own path: Image to Layout (``detect.detect_layout``, colour blobs) and ``check``
under the GenEval rule. Printed: the pass rate per mode, the gain in percentage points and as a ratio, and the
prompts the sketch fixed or broke. Written under ``--out``: ``<mode>/0000/…`` (every file ``generate`` writes) with
``<mode>/summary.csv``, and ``gain.json``.

It refuses, with the reason and exit code 2, when the weights are missing or no GPU is there (``--allow-cpu``
runs anyway: hours for the full set). Run with no arguments at all (as ``make bench`` does) and with neither
``LLM_SKETCH_BENCH_CHECKPOINT`` nor ``LLM_SKETCH_BENCH_CONTROLNET`` set, it says what it needs and exits 0, so the
other benchmarks still run.

``--oracle`` needs no weights or GPU: each sketch's own picture is judged as if it were the generated image, which
is the most the checker can confirm on these prompts (a perfect sketch-follower would score this), with the pack's
own cost per image (sketch, control map, detection + check).

The checker judges what a colour-blob detector can find in a photo; GenEval itself detects with Mask2Former. Both
modes are judged by the same detector, so the difference is the sketch's, but the absolute rates are not GenEval's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import BENCHMARKS  # noqa: E402

from llm_sketch.errors import SketchError  # noqa: E402

GENEVAL = BENCHMARKS / "geneval" / "evaluation_metadata.jsonl"
NEEDS = ("an SD1.5 checkpoint (v1-5-pruned-emaonly.safetensors from stable-diffusion-v1-5/stable-diffusion-v1-5, or "
         "a diffusers folder of it) and an SD1.5 scribble ControlNet (lllyasviel/control_v11p_sd15_scribble), "
         "as local files, and a CUDA GPU")


def refuse(reason: str) -> int:
    print(f"faithfulness_gain: refused: {reason}", file=sys.stderr)
    return 2


def position_prompts(path: Path, limit: int | None) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SketchError(f"cannot read GenEval's prompts {path}: {exc.strerror or exc} (give --prompts "
                          f"evaluation_metadata.jsonl from the GenEval repository)") from None
    prompts = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            if row.get("tag") == "position":
                prompts.append(row["prompt"])
    if not prompts:
        raise SketchError(f"{path} holds no prompts tagged 'position' (is it GenEval's evaluation_metadata.jsonl?)")
    return prompts[:limit] if limit else prompts


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", default=os.environ.get("LLM_SKETCH_BENCH_CHECKPOINT"),
                    help="SD1.5: a .safetensors file or a diffusers folder (env LLM_SKETCH_BENCH_CHECKPOINT)")
    ap.add_argument("--controlnet", default=os.environ.get("LLM_SKETCH_BENCH_CONTROLNET"),
                    help="an SD1.5 ControlNet matching --control (env LLM_SKETCH_BENCH_CONTROLNET)")
    ap.add_argument("--config", help="a diffusers SD1.5 folder (configs + tokenizer) for a single-file checkpoint")
    ap.add_argument("--prompts", default=str(GENEVAL), help="GenEval's evaluation_metadata.jsonl")
    ap.add_argument("--limit", type=int, help="the first N position prompts (default: all 100)")
    ap.add_argument("--seeds", type=int, default=1, help="seeds per prompt: 0 … N-1 (default 1)")
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--guidance", type=float, default=7.5)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--control", default="scribble", help="the control map (default scribble)")
    ap.add_argument("--control-scale", type=float, default=1.0)
    ap.add_argument("--strength", type=float, default=0.8, help="img2img mode only")
    ap.add_argument("--modes", default="plain,controlnet", help="plain first, then the guided modes to compare")
    ap.add_argument("--rule", default="geneval")
    ap.add_argument("--out", default="out/faithfulness", help="output folder")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--allow-cpu", action="store_true", help="run without a GPU (slow: minutes per image)")
    ap.add_argument("--oracle", action="store_true",
                    help="no model: check the sketch's own picture as if generated (what the checker can confirm "
                         "at best; needs no weights or GPU)")
    return ap


def oracle(args) -> int:
    """The sketch's own rendering judged as the generated image: the ceiling of what Image to Layout + check can
    confirm on these prompts, and the pack's own cost per image (sketch, control map, detection, check)."""
    import statistics

    import numpy as np

    from llm_sketch.check import check
    from llm_sketch.generate import Settings, control_image, find_objects, make_sketch
    from llm_sketch.render import rasterize

    prompts = position_prompts(Path(args.prompts), args.limit)
    settings = Settings(checkpoint="", rule=args.rule)
    times = {"sketch": [], "control": [], "detect+check": []}
    passed, detector = 0, ""
    failures = []
    for prompt in prompts:
        t0 = time.perf_counter()
        sketch = make_sketch(prompt, args.size, args.size, settings)
        rgb = np.ascontiguousarray(rasterize(sketch.svg, args.size, args.size, background="white")[..., :3])
        t1 = time.perf_counter()
        control_image(sketch.svg, args.control, args.size, args.size, sketch.constraints)
        t2 = time.perf_counter()
        layout, detector = find_objects(rgb, sketch.constraints)
        verdict = check(layout, sketch.constraints, args.rule)
        t3 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2)):
            times[key].append(value * 1000)
        passed += verdict.passed
        if not verdict.passed:
            failures.append(f"{prompt!r}: " + "; ".join(c.text for c in verdict.checks if not c.passed))
    print(f"oracle (the sketch's own picture as the image), {len(prompts)} GenEval position prompts, {args.size}², "
          f"rule {args.rule}, detector {detector}: {passed}/{len(prompts)} pass ({passed / len(prompts):.1%})")
    print("median ms per image: " + ", ".join(f"{k} {statistics.median(v):.0f}" for k, v in times.items()))
    for line in failures[:10]:
        print(f"  ✗ {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    if not argv and not args.checkpoint and not args.controlnet:
        print(f"faithfulness_gain: skipped: needs {NEEDS}; pass --checkpoint and --controlnet (or set "
              f"LLM_SKETCH_BENCH_CHECKPOINT and LLM_SKETCH_BENCH_CONTROLNET)")
        return 0
    if args.oracle:
        try:
            return oracle(args)
        except SketchError as exc:
            return refuse(str(exc))
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or modes[0] != "plain" or len(modes) < 2:
        return refuse("--modes must start with plain and name at least one guided mode (controlnet, img2img)")

    from llm_sketch.generate import Settings, find_weights, load_pipeline, run_batch

    try:
        find_weights(args.checkpoint, "checkpoint")
        if "controlnet" in modes:
            find_weights(args.controlnet, "controlnet")
        prompts = position_prompts(Path(args.prompts), args.limit)
    except SketchError as exc:
        return refuse(f"{exc} (this benchmark needs {NEEDS})")
    try:
        import torch
    except ImportError:
        return refuse("torch is not installed")
    gpu = torch.cuda.is_available() or (args.device == "mps" and torch.backends.mps.is_available())
    if not gpu and not args.allow_cpu:
        return refuse(f"no GPU here (torch.cuda.is_available() is False); {len(prompts) * args.seeds * len(modes)} "
                      f"images of {args.size}² × {args.steps} steps take hours on a CPU (--allow-cpu runs anyway)")

    rows = [{"prompt": p, "seed": s} for p in prompts for s in range(args.seeds)]
    out = Path(args.out)
    results, started = {}, time.perf_counter()
    for mode in modes:
        settings = Settings(checkpoint=args.checkpoint, controlnet=args.controlnet, config=args.config, mode=mode,
                            control=args.control, width=args.size, height=args.size, steps=args.steps,
                            guidance=args.guidance, strength=args.strength, control_scale=args.control_scale,
                            rule=args.rule, device=args.device)
        try:
            loaded = load_pipeline(settings)
            print(f"== {mode}: loaded on {loaded.device} ({loaded.dtype}) in {loaded.seconds:.1f} s")
            mode_start = time.perf_counter()
            rates = run_batch(rows, out / mode, settings, loaded, echo=lambda line: None)
        except SketchError as exc:
            return refuse(str(exc))
        per_row = [json.loads((out / mode / f"{i:04d}" / "report.json").read_text())["passed"]
                   for i in range(len(rows))]
        results[mode] = {"pass_rate": rates["image_pass_rate"], "mean_score": rates["mean_score"],
                         "sketch_pass_rate": rates["sketch_pass_rate"], "passed": per_row,
                         "seconds": round(time.perf_counter() - mode_start, 1), "device": loaded.device}
        print(f"   {mode:<10} pass rate {rates['image_pass_rate']:6.1%}  mean score {rates['mean_score']:.3f}  "
              f"({results[mode]['seconds']:.0f} s)")
        del loaded
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    base = results["plain"]
    print(f"\n{len(prompts)} GenEval position prompts × {args.seeds} seed(s), {args.size}², {args.steps} steps, "
          f"rule {args.rule}, checkpoint {Path(args.checkpoint).name}")
    print(f"{'mode':<12} {'pass rate':>9} {'gain (pp)':>10} {'ratio':>7} {'fixed':>6} {'broke':>6}")
    summary = {"prompts": len(prompts), "seeds": args.seeds, "size": args.size, "steps": args.steps,
               "rule": args.rule, "checkpoint": str(args.checkpoint), "controlnet": args.controlnet,
               "control": args.control, "modes": {}, "seconds": round(time.perf_counter() - started, 1)}
    for mode, r in results.items():
        fixed = sum(g and not b for g, b in zip(r["passed"], base["passed"]))
        broke = sum(b and not g for g, b in zip(r["passed"], base["passed"]))
        gain = (r["pass_rate"] - base["pass_rate"]) * 100
        ratio = r["pass_rate"] / base["pass_rate"] if base["pass_rate"] else float("inf") if r["pass_rate"] else 1.0
        print(f"{mode:<12} {r['pass_rate']:>9.1%} {gain:>+10.1f} {ratio:>7.2f} {fixed:>6} {broke:>6}")
        summary["modes"][mode] = {**{k: v for k, v in r.items() if k != "passed"}, "gain_pp": round(gain, 1),
                                  "ratio": round(ratio, 3) if ratio != float("inf") else None,
                                  "fixed": fixed, "broke": broke}
    (out / "gain.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"\n{out / 'gain.json'}; per-image files and summary.csv under {out}/<mode>/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
