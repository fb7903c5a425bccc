"""Long fuzz run of the SVG pipeline with the strategies of tests/test_fuzz.py; prints counts by outcome.

    python bench/fuzz.py [--examples 2000] [--seed 1] [--timeout 5] [--save DIR] [--strict]

Outcomes: ``ok`` (a render with correct shapes and clean sanitized text), ``SVGError: <message shape>`` (digits and
quoted values folded, so similar messages count together), and problems — ``BUG <type>`` (any other exception),
``UNSAFE`` (an external reference left in sanitized text, a network hit or a canary read), ``BAD SHAPE`` and
``SLOW`` (over the wall limit). The shortest input of each kind of problem is printed, and written to --save.
With --strict the exit status is 1 if any problem was found.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import safety  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402

WIDTH, HEIGHT = 48, 32


def message_shape(message: str) -> str:
    message = re.sub(r"(?<![A-Za-z])'[^']*'(?![A-Za-z])|\"[^\"]*\"", "'…'", message)
    return re.sub(r"\d+(\.\d+)?(e[+-]?\d+)?", "N", message)[:90]


def classify(trap, data, timeout: float, wall_limit: float) -> str:
    hits, opens = trap.hits, len(trap.fifo_opens)
    try:
        r = safety.run_pipeline(safety.fill(data, trap.ctx), WIDTH, HEIGHT, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - anything but SVGError is what we are looking for
        return f"BUG {type(exc).__name__}: {message_shape(str(exc))}\n{traceback.format_exc(limit=-3)}"
    if trap.hits != hits or len(trap.fifo_opens) != opens:
        return f"UNSAFE: network {trap.hits - hits} hits {trap.paths[-3:]}, canaries {trap.fifo_opens[opens:]}"
    if r.seconds > wall_limit:
        return f"SLOW ({r.seconds:.1f} s)"
    try:
        safety.check_result(r, WIDTH, HEIGHT, trap.ctx)
    except AssertionError as exc:
        return ("UNSAFE: " if "unsafe" in str(exc) else "BAD SHAPE: ") + str(exc)[:300]
    if r.error is None:
        return "ok"
    return ("SVGError: " + message_shape(str(r.error))) if "\n" not in str(r.error).strip() else "BAD MESSAGE (multi-line)"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=5.0, help="render timeout per example (s)")
    ap.add_argument("--save", type=Path, help="folder for the inputs that found a problem")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a problem was found")
    args = ap.parse_args(argv)
    counts, problems = Counter(), []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, safety.Trap(Path(tmp)) as trap:
        trap.self_check()

        @settings(max_examples=args.examples, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(st.one_of(safety.svg_documents(), safety.mutated_svgs()))
        def run(data):
            outcome = classify(trap, data, args.timeout, args.timeout + 5)
            kind = outcome.split("\n")[0]
            counts[kind if not kind.startswith(("BUG", "UNSAFE", "BAD", "SLOW")) else kind[:120]] += 1
            if kind != "ok" and not kind.startswith("SVGError"):
                problems.append((outcome, data))
            done = sum(counts.values())
            if done % 250 == 0:
                print(f"… {done} examples, {len(problems)} problems, {time.monotonic() - start:.0f} s", file=sys.stderr)

        if args.seed is not None:
            run = __import__("hypothesis").seed(args.seed)(run)
        run()

    total = sum(counts.values())
    print(f"{total} examples in {time.monotonic() - start:.0f} s")
    for kind, n in counts.most_common():
        print(f"{n:7d}  {n / total:6.1%}  {kind}")
    shortest = {}                                  # one example per kind of problem: the shortest input
    for outcome, data in problems:
        kind = outcome.split("\n")[0]
        if kind not in shortest or len(data) < len(shortest[kind][1]):
            shortest[kind] = (outcome, data)
    if args.save and problems:
        args.save.mkdir(parents=True, exist_ok=True)
    for i, (outcome, data) in enumerate(shortest.values()):
        print(f"\n--- problem {i}: {outcome}\ninput: {data[:600]!r}")
        if args.save:
            raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
            (args.save / f"problem-{i:03d}.bin").write_bytes(raw)
    return 1 if problems and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
