"""Speed of the offline planner: parse + plan + draw + render of a 10-object prompt at 1024², as a ratio to a bare
cairosvg render of the same SVG, in the same run (the machine is shared and noisy: read the ratios).

    .venv/bin/python bench/plan_speed.py [--repeat 30]

Also the planning time alone (parse + plan + draw) for the paper's prompt and for the median benchmark-like prompts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import median_ms  # noqa: E402

PROMPT_10 = ("a red car to the left of a yellow bus, a dog below the car, two birds above the bus, a tree to the "
             "right of the bus, a cat, a bench, a kite and a sun")
SHORT = ["a blue circle on the left and a red triangle on the right", "a photo of a dog right of a teddy bear",
         "three yellow stars over two blue squares", "a cat to the left of the sofa, with a plant behind it",
         "two cups, three paintings, four lamps, and four bananas"]



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    import cairosvg

    from llm_sketch.draw import draw
    from llm_sketch.parse import parse
    from llm_sketch.plan import plan
    from llm_sketch.render import rasterize

    size = 1024

    def planned():
        result = plan(parse(PROMPT_10), size, size, 0)
        return result, draw(result.layout, result.fills, result.scene)

    result, svg = planned()
    count = len(result.layout.objects)
    assert count == 10, count
    t_plan = median_ms(planned, args.repeat)
    t_full = median_ms(lambda: rasterize(planned()[1], size, size, background="white"), args.repeat)
    t_bare = median_ms(lambda: cairosvg.svg2png(bytestring=svg.encode(), output_width=size, output_height=size),
                       args.repeat)
    print(f"10-object prompt at {size}² ({'passes' if result.ok else 'FAILS'} its checks, {result.tries} try):")
    print(f"  parse + plan + draw            {t_plan:7.1f} ms")
    print(f"  ... + sanitize + rasterize     {t_full:7.1f} ms")
    print(f"  bare cairosvg.svg2png          {t_bare:7.1f} ms")
    print(f"  ratio plan+render / bare render {t_full / t_bare:6.2f}×")
    for prompt in SHORT:
        ms = median_ms(lambda: plan(parse(prompt), 512, 512, 0), args.repeat)
        print(f"  parse + plan {ms:6.1f} ms  {prompt!r}")


if __name__ == "__main__":
    main()
