"""What several benchmarks share: where the third-party data is, and a median timer.

The prompt sets (GenEval, T2I-CompBench, SR2D/VISOR, NSR-1K, LMD) are read under ``$LLM_SKETCH_BENCH_DATA``, by
default ``../shared/data/benchmarks`` beside the clone."""

import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(os.environ.get("LLM_SKETCH_BENCH_DATA") or ROOT.parent / "shared" / "data" / "benchmarks")


def median_ms(fn, repeat: int) -> float:
    """The median of ``repeat`` timed calls of ``fn``, in ms, after one untimed call (worker start, imports)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
