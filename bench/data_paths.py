"""Where the benchmarks find third-party data: the prompt sets (GenEval, T2I-CompBench, SR2D/VISOR, NSR-1K, LMD)
under ``$LLM_SKETCH_BENCH_DATA``, by default ``../shared/data/benchmarks`` beside the clone."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(os.environ.get("LLM_SKETCH_BENCH_DATA") or ROOT.parent / "shared" / "data" / "benchmarks")
