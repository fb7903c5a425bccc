"""``python -m llm_sketch sketch``: the offline planner from the command line (and ``demo``, which runs it on the
paper's prompt).

    python -m llm_sketch sketch "PROMPT" --out DIR [--width W --height H --seed S --style auto]
    python -m llm_sketch sketch --batch PROMPTS.jsonl --out DIR

One prompt writes ``DIR/sketch.svg``, ``sketch.png``, ``layout.json``, ``constraints.json``, ``report.json`` (the
planner's self-check under GenEval and LayoutGPT, and the conflicts it found) and ``preview.png`` (the checker's
overlay: boxes green when their checks pass, red otherwise). ``--batch`` reads one JSON object per line
(``{"prompt": …}``, optionally with ``width``, ``height``, ``seed``, ``style``) and writes each into ``DIR/0000/``,
``DIR/0001/``, … in order, then prints a summary.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from .errors import SketchError

PAPER_PROMPT = "a blue circle on the left and a red triangle on the right"
FILES = ("sketch.svg", "sketch.png", "layout.json", "constraints.json", "report.json", "preview.png")


def _mkdir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SketchError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise SketchError(f"cannot write {path}: not a folder")
    return path


def _write(path: Path, data: str | bytes) -> None:
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise SketchError(f"cannot write {path}: {exc.strerror or exc}") from None


def _png(rgba, path: Path) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    _write(path, buffer.getvalue())


def _positive(name: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SketchError(f"--{name} must be a whole number, got {value!r}") from None
    if name in ("width", "height") and not 16 <= number <= 8192:
        raise SketchError(f"--{name} must be between 16 and 8192 pixels, got {number}")
    if name == "seed" and number < 0:
        raise SketchError(f"--seed must be 0 or more, got {number}")
    return number


def write_sketch(prompt: str, out: Path, width: int = 512, height: int = 512, seed: int = 0,
                 style: str = "auto") -> tuple:
    """Plan, draw, render and check ``prompt`` into the folder ``out``: (Plan, {file name: path})."""
    from .draw import STYLES, draw
    from .parse import parse
    from .plan import plan
    from .preview import draw_report
    from .render import rasterize

    if style not in STYLES:
        raise SketchError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    constraints = parse(prompt)
    result = plan(constraints, width, height, seed)
    svg = draw(result.layout, result.fills, result.scene, style)
    rgba = rasterize(svg, width, height, background="white")
    out = _mkdir(Path(out))
    paths = {name: out / name for name in FILES}
    _write(paths["sketch.svg"], svg)
    _png(rgba, paths["sketch.png"])
    _write(paths["layout.json"], result.layout.to_json())
    _write(paths["constraints.json"], constraints.to_json())
    _write(paths["report.json"], json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    _png(draw_report(rgba, result.layout, result.report, constraints), paths["preview.png"])
    return result, paths


def _verdict(result) -> str:
    if result.ok:
        return "PASSED"
    return "CONFLICT" if result.conflicts else "FAILED"


def cmd_sketch(args) -> int:
    width, height = _positive("width", args.width), _positive("height", args.height)
    seed = _positive("seed", args.seed)
    style = getattr(args, "style", "auto") or "auto"
    if getattr(args, "llm", None):
        return _llm(args, width, height, seed)
    if args.batch:
        if args.prompt:
            raise SketchError("give either a PROMPT or --batch FILE, not both")
        return _batch(args.batch, Path(args.out), width, height, seed, style)
    if not args.prompt or not args.prompt.strip():
        raise SketchError("give a PROMPT (in quotes) or --batch FILE")
    result, paths = write_sketch(args.prompt, Path(args.out), width, height, seed, style)
    print(f"prompt: {args.prompt!r}")
    for obj in result.layout.objects:
        print(f"  {obj.label:<20} {obj.color['name'] or '-':<6} box {[round(v) for v in obj.bbox]}")
    print(result.summary().splitlines()[0] + (f"; {len(result.conflicts)} conflict(s)" if result.conflicts else ""))
    for conflict in result.conflicts:
        print(f"  conflict: {conflict}")
    for path in paths.values():
        print(path)
    return 0


def _llm(args, width: int, height: int, seed: int) -> int:
    """``--llm MODEL``: the sketch from a model on an OpenAI-compatible server (``sketch_llm``), plus
    transcript.json."""
    from .sketch_llm import write_llm_sketch

    if args.batch or not args.prompt or not args.prompt.strip():
        raise SketchError("--llm takes one PROMPT (in quotes), not --batch")
    result, paths = write_llm_sketch(args.prompt, Path(args.out), model=args.llm, base_url=args.base_url or "",
                                     provider=args.provider, width=width, height=height, seed=seed,
                                     candidates=args.candidates, max_repairs=args.max_repairs,
                                     fallback=args.fallback)
    print(f"prompt: {args.prompt!r}")
    for obj in result.layout.objects:
        print(f"  {obj.label:<20} {obj.color['name'] or '-':<6} box {[round(v) for v in obj.bbox]}")
    print("\n".join(result.summary().splitlines()[:2]))
    for path in paths.values():
        print(path)
    return 0


def read_batch(file: str) -> list[dict]:
    """A batch file: one JSON object per line with a non-empty "prompt" and optionally "seed" (and, for
    ``sketch``, "width", "height", "style"); blank lines are skipped."""
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SketchError(f"cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SketchError(f"cannot read {file}: it is not UTF-8 text") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SketchError(f"{file} line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("prompt"), str) or not row["prompt"].strip():
            raise SketchError(f'{file} line {number}: expected an object with a non-empty "prompt" string')
        seed = row.get("seed", None)
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise SketchError(f'{file} line {number}: "seed" must be a whole number, 0 or more')
        rows.append(row)
    if not rows:
        raise SketchError(f'{file} holds no prompts (one JSON object per line: {{"prompt": …}})')
    return rows


def _batch(file: str, out: Path, width: int, height: int, seed: int, style: str) -> int:
    jobs = read_batch(file)
    _mkdir(out)
    counts = {"PASSED": 0, "FAILED": 0, "CONFLICT": 0}
    start = time.perf_counter()
    for index, row in enumerate(jobs):
        folder = out / f"{index:04d}"
        result, _ = write_sketch(row["prompt"], folder, _positive("width", row.get("width", width)),
                                 _positive("height", row.get("height", height)),
                                 _positive("seed", row.get("seed", seed)), str(row.get("style", style)))
        verdict = _verdict(result)
        counts[verdict] += 1
        print(f"{folder}  {verdict:<8} {len(result.layout.objects):>2} objects  {row['prompt'][:70]!r}")
    elapsed = time.perf_counter() - start
    print(f"{len(jobs)} prompts in {elapsed:.1f} s: {counts['PASSED']} passed every check, "
          f"{counts['CONFLICT']} with a conflict in the prompt (named in report.json), {counts['FAILED']} failed")
    return 0


def cmd_demo(args) -> int:
    """The paper's prompt through the planner: the same files as ``sketch``, the objects and the paths."""
    size = getattr(args, "size", 512)
    if size is None or size < 1:
        raise SketchError(f"the output size must be positive whole pixels, got --size {size}")
    result, paths = write_sketch(PAPER_PROMPT, Path(args.out), size, size, 0)
    print(f'prompt: "{PAPER_PROMPT}"')
    for obj in result.layout.objects:
        print(f"  {obj.label:<14} {obj.color['name']:<6} box {[round(v) for v in obj.bbox]}")
    print(result.summary().splitlines()[0])
    for path in paths.values():
        print(path)
    return 0


def add_parser(sub) -> None:
    """The ``sketch`` subcommand on an argparse subparsers object."""
    from .draw import STYLES

    p = sub.add_parser("sketch", help="prompt → a faithful SVG sketch by the offline planner (no LLM)")
    p.add_argument("prompt", nargs="?", help="the scene in words, in quotes")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--batch", help="a file of JSON lines {\"prompt\": …}: one sketch per line into OUT/0000/, …")
    p.add_argument("--width", type=int, default=512, help="canvas width in pixels (default 512)")
    p.add_argument("--height", type=int, default=512, help="canvas height in pixels (default 512)")
    p.add_argument("--seed", type=int, default=0, help="another seed gives another composition (default 0)")
    p.add_argument("--style", default="auto", choices=STYLES,
                   help="auto (default), scene (sky and ground), plain, flat (solid silhouettes)")
    llm = p.add_argument_group("LLM", "ask a model on any OpenAI-compatible server instead (the key comes from "
                                      "LLM_SKETCH_API_KEY, OPENAI_API_KEY or llm_sketch.toml; never an option)")
    llm.add_argument("--llm", metavar="MODEL", help="the model id, e.g. gpt-4o-mini or qwen2.5-coder:7b")
    llm.add_argument("--base-url", help="the server, e.g. http://127.0.0.1:11434/v1 (default: OpenAI's)")
    llm.add_argument("--provider", help="a preset (openai, ollama, llama.cpp, vllm, lmstudio, custom) or a profile "
                                        "of llm_sketch.toml")
    llm.add_argument("--candidates", type=int, default=1, help="sketches asked for at once, best kept (default 1)")
    llm.add_argument("--max-repairs", type=int, default=2, help="rounds sending failed checks back (default 2)")
    llm.add_argument("--fallback", default="none", choices=["none", "planner"],
                     help="planner: the offline planner's sketch when no LLM sketch passes")
    p.set_defaults(run=cmd_sketch)
