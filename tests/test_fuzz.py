"""Property: whatever the input, sanitize → rasterize → extract_layout ends in SVGError or in correct shapes.

Never another exception type, never a hang, never a network connection or canary read, never an external reference
left in sanitized text. Bounded for CI (~150 examples per strategy); bench/fuzz.py runs the same strategies longer.
"""

import pytest
from hypothesis import HealthCheck, given, settings

import safety


WIDTH, HEIGHT = 48, 32           # not square, so a transposed array fails the shape check
RENDER_TIMEOUT_S = 3.0
WALL_LIMIT_S = 8.0               # the render timeout plus a worker restart, with room for a slow CI machine
FUZZ = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def trap(tmp_path_factory):
    with safety.Trap(tmp_path_factory.mktemp("fuzz")) as t:
        t.self_check()
        yield t
    assert t.hits == 0 and not t.fifo_opens


def check(trap, data):
    data = safety.fill(data, trap.ctx)
    r = safety.run_pipeline(data, WIDTH, HEIGHT, timeout=RENDER_TIMEOUT_S)
    assert r.seconds < WALL_LIMIT_S, f"took {r.seconds:.1f}s"
    safety.check_result(r, WIDTH, HEIGHT, trap.ctx)
    assert trap.hits == 0, f"reached the loopback server: {trap.paths}"
    assert not trap.fifo_opens


@FUZZ
@given(doc=safety.svg_documents())
def test_generated_documents(trap, doc):
    check(trap, doc)


@FUZZ
@given(data=safety.mutated_svgs())
def test_mutated_documents(trap, data):
    check(trap, data)

