"""Speed of the safe SVG path against a bare cairosvg render of the same file, in the same run.

Prints medians and ratios (the machine is shared and noisy: read the ratios). Targets (issue 2):
sanitize + rasterize + layout ≤ 1.3× a bare render for a 1024² 10-object SVG, ≤ 1.5× for a 200-object SVG;
engine import ≤ 0.3 s with no torch.

    .venv/bin/python bench/render_speed.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import median_ms  # noqa: E402


def scene(count: int, seed: int = 0, size: int = 1024) -> str:
    """A sketch-like SVG: labelled shapes of every common kind, some in transformed groups."""
    rng = random.Random(seed)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">',
             f'<rect width="{size}" height="{size}" fill="#f5f5f0"/>']
    colors = ["#e53935", "#1e88e5", "#43a047", "#fdd835", "#8e24aa", "#fb8c00", "#795548", "#f06292"]
    for i in range(count):
        x, y, r = rng.uniform(60, size - 60), rng.uniform(60, size - 60), rng.uniform(15, 60)
        fill = rng.choice(colors)
        kind = i % 5
        if kind == 0:
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}"/>'
        elif kind == 1:
            shape = f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{1.4 * r:.1f}" rx="6" fill="{fill}"/>'
        elif kind == 2:
            shape = (f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}" '
                     f'fill="{fill}" stroke="#333" stroke-width="3"/>')
        elif kind == 3:
            shape = (f'<path d="M{x - r:.1f},{y:.1f} a{r:.1f},{r:.1f} 0 0 1 {2 * r:.1f},0 q{-r:.1f},{r:.1f} '
                     f'{-2 * r:.1f},0z" fill="{fill}"/>')
        else:
            shape = f'<ellipse cx="0" cy="0" rx="{r:.1f}" ry="{r / 2:.1f}" fill="{fill}" transform="translate({x:.1f} {y:.1f}) rotate({rng.uniform(0, 90):.0f})"/>'
        parts.append(f'<g data-label="object {i}">{shape}</g>')
    parts.append("</svg>")
    return "".join(parts)



def import_time() -> tuple[float, bool]:
    code = ("import sys, time; t = time.perf_counter(); import llm_sketch; "
            "from llm_sketch import sanitize, extract_layout; "
            "print(time.perf_counter() - t, 'torch' in sys.modules)")
    runs = []
    torch_loaded = False
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             cwd=Path(__file__).resolve().parent.parent).stdout.split()
        runs.append(float(out[0]))
        torch_loaded = torch_loaded or out[1] == "True"
    return statistics.median(runs), torch_loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import cairosvg

    from llm_sketch import extract_layout, rasterize, sanitize
    from llm_sketch.render_worker import render_cairo

    print(f"{'case':<22}{'bare svg2png':>14}{'bare surface':>14}{'safe path':>12}{'÷ svg2png':>11}{'÷ surface':>11}  target")
    for count, target in ((10, 1.3), (200, 1.5)):
        svg = scene(count)
        data = svg.encode()

        def bare_png():
            cairosvg.svg2png(bytestring=data, output_width=1024, output_height=1024)

        def bare_surface():  # cairosvg's parser and surface in this process: the fastest possible cairo render
            render_cairo(data, 1024, 1024, None)

        def safe():
            doc = sanitize(svg)
            rasterize(doc, 1024, 1024)
            extract_layout(doc, 1024, 1024)

        png, surface, ours = (median_ms(f, args.repeat) for f in (bare_png, bare_surface, safe))
        print(f"{f'{count} objects, 1024²':<22}{png:>12.1f}ms{surface:>12.1f}ms{ours:>10.1f}ms"
              f"{ours / png:>10.2f}×{ours / surface:>10.2f}×  ≤ {target}× (÷ svg2png)")
        doc = sanitize(svg)
        parts = {"sanitize": lambda: sanitize(svg), "rasterize": lambda: rasterize(doc, 1024, 1024),
                 "layout": lambda: extract_layout(doc, 1024, 1024)}
        print("   " + ", ".join(f"{name} {median_ms(fn, args.repeat):.1f} ms" for name, fn in parts.items()))
    seconds, torch_loaded = import_time()
    print(f"engine import (llm_sketch + sanitize + extract_layout): {seconds:.3f} s (target ≤ 0.3 s); "
          f"torch imported: {torch_loaded}")


if __name__ == "__main__":
    main()
