"""LLM sketch latency and prompt size, against the test server (tests/llm_server.py) answering every request after a
fixed delay (default 300 ms) with a correct sketch.

Prints, for streamed and whole replies: the median wall time of one sketch with 1 candidate and with 4 candidates
(concurrent requests, ranked by the checks), their ratio (target ≤ 1.3×), the pipeline's own overhead (wall time
minus the server's delay), and the server's peak of concurrent requests. Then the prompt size per request for a
few prompts: the first request (system prompt + checklist) and a repair request (+ the sketch and the failed
checks), in estimated tokens — characters ÷ 4 (OpenAI's rule of thumb for English; no tokenizer is installed) and a
word/number/punctuation count (the test server's stand-in tokenizer, which runs higher on SVG markup).

    python bench/llm_latency.py [--delay 0.3] [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ["LLM_SKETCH_CACHE_DIR"] = "off"  # every run asks the server
os.environ.setdefault("LLM_SKETCH_API_KEY", "sk-bench-not-a-real-key")

from llm_server import CORRECT_SVG, LLMServer, count_tokens, reply  # noqa: E402

from llm_sketch.llm import LLMClient, estimate_tokens, resolve_settings  # noqa: E402
from llm_sketch.parse import parse  # noqa: E402
from llm_sketch.sketch_llm import Attempt, initial_messages, repair_message, sketch_with_llm  # noqa: E402

PROMPT = "a blue circle on the left and a red triangle on the right"
TOKEN_PROMPTS = [
    PROMPT,
    "three yellow stars over two blue squares",
    "a cat to the left of the sofa, with a plant behind it",
    "a large red apple and no bananas, a small dog near the big tree at the top left",
]


def timed_runs(server: LLMServer, candidates: int, stream: bool, runs: int) -> list[float]:
    client = LLMClient(resolve_settings("custom", "bench-model", server.url, stream=stream, timeout=30))
    times = []
    try:
        sketch_with_llm(PROMPT, client, width=512, height=512, candidates=candidates, max_repairs=0)  # warm-up
        for i in range(runs):
            started = time.perf_counter()
            result = sketch_with_llm(PROMPT, client, width=512, height=512, seed=i, candidates=candidates,
                                     max_repairs=0)
            times.append(time.perf_counter() - started)
            assert result.report.passed and result.requests == candidates
    finally:
        client.close()
    return times


def token_table() -> list[tuple[str, int, int, int, int]]:
    from llm_sketch.check import check
    from llm_sketch.layout import extract_layout
    from llm_sketch.llm import Completion
    from llm_sketch.svgsafe import sanitize

    wrong = CORRECT_SVG.replace('cx="128"', 'cx="450"')
    rows = []
    for prompt in TOKEN_PROMPTS:
        constraints = parse(prompt)
        first = initial_messages(constraints, 1024, 1024)
        doc = sanitize(wrong)
        layout = extract_layout(doc, 1024, 1024)
        attempt = Attempt(0, 0, 0, constraints, first, completion=Completion(text=wrong), doc=doc, layout=layout,
                          report=check(layout, constraints))
        repair = first + [{"role": "assistant", "content": doc.text},
                          {"role": "user", "content": repair_message(attempt, 1024, 1024)}]
        text_first = "".join(m["content"] for m in first)
        text_repair = "".join(m["content"] for m in repair)
        rows.append((prompt, estimate_tokens(text_first), count_tokens(text_first), estimate_tokens(text_repair),
                     count_tokens(text_repair)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.3, help="the server's delay per reply, in seconds")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per configuration (median reported)")
    args = parser.parse_args()
    print(f"test server: every reply after {args.delay * 1000:.0f} ms; {args.runs} runs each, medians; "
          f"{os.cpu_count()} CPUs")
    print(f"{'replies':<9} {'1 candidate':>12} {'4 candidates':>13} {'ratio':>7} {'overhead (1)':>13} "
          f"{'peak concurrent':>16}")
    for stream in (True, False):
        with LLMServer(default=reply(CORRECT_SVG, delay=args.delay)) as server:
            one = statistics.median(timed_runs(server, 1, stream, args.runs))
            server.peak_active = 0
            four = statistics.median(timed_runs(server, 4, stream, args.runs))
            peak = server.peak_active
        print(f"{'streamed' if stream else 'whole':<9} {one * 1000:>9.0f} ms {four * 1000:>10.0f} ms "
              f"{four / one:>6.2f}× {(one - args.delay) * 1000:>10.0f} ms {peak:>16}")
    print("\nprompt size per request, 1024×1024 canvas (tokens: characters ÷ 4 / word-punctuation count)")
    print(f"{'prompt':<82} {'first':>13} {'repair':>13}")
    for prompt, first_est, first_words, repair_est, repair_words in token_table():
        print(f"{prompt:<82} {first_est:>6} / {first_words:<5} {repair_est:>6} / {repair_words:<5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
