"""``python -m llm_sketch``: the engine from the command line.

Bad input ends with exit code 2 and one line on stderr (never a traceback); see ``main``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import SketchError

SAMPLES = Path(__file__).resolve().parent / "samples"


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SketchError(f"cannot read {path}: {exc.strerror or exc}") from None


def _size(args, doc) -> tuple[int, int]:
    """--width/--height; one alone keeps the SVG's aspect; neither uses the SVG's own size."""
    for name in ("width", "height"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise SketchError(f"the output size must be positive whole pixels, got --{name} {value}")
    if args.width is not None and args.height is not None:
        return args.width, args.height
    if args.width is not None:
        return args.width, max(1, round(args.width * doc.height / doc.width))
    if args.height is not None:
        return max(1, round(args.height * doc.width / doc.height)), args.height
    return max(1, round(doc.width)), max(1, round(doc.height))


def _os_error(path: Path, exc: OSError) -> SketchError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return SketchError(f"cannot write {path}: {reason}".replace("\n", " "))


def _folder(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(path, exc) from None
    return path


def _save_png(rgba, path: Path) -> None:
    from PIL import Image

    if path.is_dir():
        raise SketchError(f"cannot write {path}: it is a folder (name a .png file)")
    _folder(path.parent)
    try:
        Image.fromarray(rgba).save(path, format="PNG")
    except OSError as exc:
        raise _os_error(path, exc) from None


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _os_error(path, exc) from None


def cmd_render(args) -> int:
    from .render import rasterize
    from .svgsafe import sanitize

    doc = sanitize(_read(args.svg))
    width, height = _size(args, doc)
    rgba = rasterize(doc, width, height, fit=args.fit, background=args.background, backend=args.backend)
    _save_png(rgba, Path(args.out))
    print(args.out)
    return 0


def cmd_layout(args) -> int:
    from .layout import extract_layout
    from .svgsafe import sanitize

    doc = sanitize(_read(args.svg))
    width, height = _size(args, doc)
    print(extract_layout(doc, width, height, fit=args.fit).to_json())
    return 0


def cmd_demo(args) -> int:
    """The main job on the paper's prompt: planned, drawn, rendered, laid out, checked and previewed."""
    from .sketch_cli import cmd_demo as demo

    return demo(args)


def cmd_parse(args) -> int:
    """One prompt → its Constraints JSON; or --jsonl FILE of {"prompt": …} lines → one JSON line each, in order."""
    import json

    from .parse import parse

    if args.jsonl is None:
        if args.prompt is None:
            raise SketchError("give a PROMPT or --jsonl FILE")
        print(parse(args.prompt).to_json())
        return 0
    text = _read(args.jsonl).decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            prompt = row["prompt"] if isinstance(row, dict) else None
        except json.JSONDecodeError as exc:
            raise SketchError(f"{args.jsonl} line {number} is not JSON ({exc.msg})") from None
        if not isinstance(prompt, str):
            raise SketchError(f"{args.jsonl} line {number} has no \"prompt\" string")
        print(parse(prompt).to_json(indent=None))
    return 0


def cmd_check(args) -> int:
    """A Layout JSON checked against a prompt's constraints: the Report JSON; exit 0 when it passes, 1 if not."""
    from .check import check
    from .layout import Layout
    from .parse import parse

    layout = Layout.from_json(_read(args.layout).decode("utf-8", errors="replace"))
    report = check(layout, parse(args.prompt), rule=args.rule)
    print(report.to_json())
    return 0 if report.passed else 1


class _Parser(argparse.ArgumentParser):
    """Usage errors end like every other error: one ``error: …`` line on stderr and exit code 2 (no usage block).
    Subcommand parsers are made with the same class, so theirs do too."""

    def error(self, message: str):
        text = " ".join(message.split())
        self.exit(2, f"error: {text} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from .check import RULES
    from .render import BACKENDS, FITS

    parser = _Parser(prog="python -m llm_sketch", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def size_options(p):
        p.add_argument("--width", type=int, help="output width in pixels (default: the SVG's own)")
        p.add_argument("--height", type=int, help="output height in pixels (default: the SVG's own)")
        p.add_argument("--fit", default="contain", choices=FITS,
                       help="how the viewBox maps onto the output size (auto: the SVG's preserveAspectRatio)")

    p = sub.add_parser("render", help="SVG → PNG, sanitized")
    p.add_argument("svg", help="input SVG file")
    p.add_argument("--out", required=True, help="output PNG path")
    size_options(p)
    p.add_argument("--background", help="CSS colour under the drawing (default: transparent)")
    p.add_argument("--backend", default="auto", choices=BACKENDS)
    p.set_defaults(run=cmd_render)

    p = sub.add_parser("layout", help="SVG → Layout JSON on stdout")
    p.add_argument("svg", help="input SVG file")
    size_options(p)
    p.set_defaults(run=cmd_layout)

    p = sub.add_parser("parse", help="prompt → Constraints JSON (objects, counts, colours, regions, relations)")
    p.add_argument("prompt", nargs="?", help="the prompt (or use --jsonl)")
    p.add_argument("--jsonl", help="a file of JSON lines {\"prompt\": …}: one Constraints JSON line each, in order")
    p.set_defaults(run=cmd_parse)

    p = sub.add_parser("check", help="Layout JSON + prompt → Report JSON; exit 0 if it passes, 1 if not")
    p.add_argument("layout", help="a Layout JSON file (from `layout`)")
    p.add_argument("--prompt", required=True, help="the prompt whose constraints to check")
    p.add_argument("--rule", default="geneval", choices=RULES)
    p.set_defaults(run=cmd_check)

    from .sketch_cli import add_parser as add_sketch

    add_sketch(sub)

    from .generate import add_parser as add_generate

    add_generate(sub)

    p = sub.add_parser("demo", help="the paper's prompt through the offline planner (as sketch)")
    p.add_argument("--out", default="demo-out", help="output folder (default: demo-out)")
    p.add_argument("--size", type=int, default=512, help="output size in pixels (square)")
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except SketchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `… | head`: the reader left; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
