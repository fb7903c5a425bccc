"""The engine against the resvg reference suite (shared/data/svg): the default path must draw the non-text cases.

Every non-text case goes through ``sanitize`` then ``rasterize(..., backend="auto")`` at the reference size and is
scored with ``robust_pct`` (tests/refcompare.py; pass is <= 0.1 % robustly different pixels). Asserted:

* at least 90 % of the non-text cases pass;
* no case errors: sanitize/rasterize must not raise on any of them, except that sanitize may reject, by policy,
  the cases the suite calls hostile (``POLICY_REJECTABLE`` in bench/reference_suite.py) — those count as
  not passed, not as errors.

Text cases are left out: they depend on the installed fonts (the references used Noto). The full table, all
backends and the text cases: ``bench/reference_suite.py``.
"""

from __future__ import annotations

import importlib.util
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import refcompare as rc

REPO = Path(__file__).resolve().parents[1]
PASS_SHARE = 0.90


def _bench():
    spec = importlib.util.spec_from_file_location("reference_suite", REPO / "bench" / "reference_suite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _render_chunk(cases):
    bench = _bench()
    return [bench.render_case(case, "auto") for case in cases]


def test_reference_suite_non_text_auto():
    root = rc.suite_dir()
    if root is None:
        pytest.skip("reference suite not found: shared/data/svg beside the checkout, or set LLM_SKETCH_SVG_SUITE")
    bench = _bench()
    cases = [c for c in bench.load_cases(root) if not c["text"]]
    assert len(cases) >= 300, f"only {len(cases)} non-text cases found under {root}"

    # Two processes: each has its own render worker, so two cores are used; well under a minute on two cores.
    jobs = max(1, min(2, os.cpu_count() or 1))
    started = time.perf_counter()
    if jobs == 1:
        rows = [bench.render_case(c, "auto") for c in cases]
    else:
        chunks = [cases[i::jobs] for i in range(jobs)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            rows = [row for part in pool.map(_render_chunk, chunks) for row in part]
    elapsed = time.perf_counter() - started

    by_class: dict[str, list[dict]] = {}
    for row in rows:
        by_class.setdefault(row["class"], []).append(row)
    counts = {k: len(v) for k, v in sorted(by_class.items())}
    passed = counts.get("pass", 0)
    summary = f"{passed}/{len(rows)} pass ({100.0 * passed / len(rows):.1f} %), {counts}, {elapsed:.1f} s"
    print(summary)

    problems = []
    errors = by_class.get("error", []) + by_class.get("timeout", [])
    if errors:
        problems.append(f"{len(errors)} cases errored:\n" + "\n".join(f"  {r['test']}: {r['error']}" for r in errors))
    if passed < PASS_SHARE * len(rows):
        worst = sorted((r for r in rows if r["class"] in ("fail", "near")), key=lambda r: -float(r["robust_pct"]))
        problems.append(
            f"need {PASS_SHARE:.0%} passing; not passing:\n"
            + "\n".join(f"  {r['test']}: {r['class']} {r['robust_pct']}" for r in worst)
            + "".join(f"\n  {r['test']}: rejected ({r['error']})" for r in by_class.get("rejected", []))
        )
    assert not problems, summary + "\n" + "\n".join(problems)


def test_robust_pct_definition():
    import numpy as np

    base = np.zeros((20, 20, 4), np.uint8)
    base[5:15, 5:15] = (0, 128, 0, 255)
    assert rc.robust_pct(base, base) == 0.0
    # A 1 px shift is absorbed by the 3x3 window (anti-aliasing slack), both ways.
    assert rc.robust_pct(np.roll(base, 1, axis=1), base) == 0.0
    # A 3 px shift is not: in columns 6 and 16 (rows 6-13, away from the corners) each image's pixel differs from
    # the other's whole 3x3 window.
    assert rc.robust_pct(np.roll(base, 3, axis=1), base) == 100.0 * 2 * 8 / 400
    # Compared premultiplied: colour under zero alpha does not matter; 25/255 is still equal, 26/255 differs.
    ghost = base.copy()
    ghost[0:5, 0:5] = (255, 0, 0, 0)
    assert rc.robust_pct(ghost, base) == 0.0
    near = base.copy()
    near[5:15, 5:15, 1] = 128 + 25
    assert rc.robust_pct(near, base) == 0.0
    near[5:15, 5:15, 1] = 128 + 26
    assert rc.robust_pct(near, base) == 100.0 * 100 / 400
    # Both directions must fail: a lone extra pixel differs from B's window, but B's pixel there matches a
    # neighbour in A, so it is not counted.
    dot = base.copy()
    dot[2, 2] = (0, 0, 0, 255)
    assert rc.robust_pct(dot, base) == 0.0
    assert rc.classify(0.1) == "pass" and rc.classify(0.5) == "near" and rc.classify(2.0) == "fail"
    assert rc.classify(None, "error") == "error"
