"""Every case of the hostile corpus (tests/hostile/README.md) ends fast, safely, without network or file access.

Observed, not assumed: a loopback HTTP server counts connections, FIFO canaries notice readers (tests/safety.py:
Trap), the render worker's peak RSS is read from /proc, and — where strace exists — the whole process tree's
open/connect calls are traced.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import safety
from llm_sketch import SVGError, rasterize, sanitize


CASES = safety.load_cases()
BY_NAME = {c.name: c for c in CASES}
TIME_LIMIT_S = 2.0
RENDER_TIMEOUT_S = 1.0
# The output is 256×256 and embedded rasters are capped at 16.7 M pixels (64 MiB as RGBA), so an honest render stays
# near the ~100 MiB this corpus peaks at (interpreter, lxml, cairo/resvg, one decoded raster). 1 GiB leaves room for
# that, and is far below what a bomb here would take if a cap failed: 10⁹ `use` shapes, a 400 MB entity expansion,
# 40 GB for huge_png_header's pixels (the worker's own RLIMIT_AS, 2 GiB by default, would only catch it later).
PEAK_RSS_LIMIT_MIB = 1024
REPO = Path(__file__).resolve().parents[1]


def warm_worker():
    start = time.monotonic()
    rasterize(sanitize(safety.OPEN + '<rect width="9" height="9"/></svg>'), 8, 8, timeout=30)
    assert time.monotonic() - start < 10, "starting the render worker took over 10 s"


@pytest.fixture(scope="module")
def trap(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    old_cwd = os.getcwd()
    with safety.Trap(root) as t:
        t.self_check()
        os.chdir(root / "work")               # relative references resolve onto the FIFO canaries
        try:
            safety.worker_peak_rss_mib(reset=True)  # this corpus's peak, not what earlier tests rendered
            warm_worker()
            yield t
            print(f"\nhostile corpus: render worker peak RSS {safety.worker_peak_rss_mib():.0f} MiB")
        finally:
            os.chdir(old_cwd)
    assert not t.fifo_opens, f"canary FIFOs opened for reading: {t.fifo_opens}"
    assert t.hits == 0, f"loopback server saw {t.hits} connections: {t.paths}"


def test_corpus_matches_readme():
    files = {p.name for p in safety.CORPUS.iterdir() if p.suffix in (".svg", ".bin")}
    listed = set(BY_NAME)
    assert files - listed == set(), "corpus files missing from the README table"
    assert listed - files - set(safety.GENERATED) == set(), "README rows with no file and no generator"
    assert len(CASES) >= 30
    for case in CASES:
        assert case.safe_ok or case.keywords, f"{case.name}: no acceptable outcome"


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_hostile_case(trap, name):
    case = BY_NAME[name]
    data = safety.materialize(name, trap.ctx)
    warm_worker()                        # a worker killed by the previous case restarts here, not on this case's clock
    hits, opens = trap.hits, len(trap.fifo_opens)

    r = safety.run_pipeline(data, 256, 256, timeout=RENDER_TIMEOUT_S)

    outcome = f"rejected: {r.error}" if r.error else "safe render"
    print(f"{name}: {r.seconds:.3f}s ({r.timing()}) {outcome}")
    assert r.seconds < TIME_LIMIT_S, f"{name} took {r.seconds:.2f}s ({r.timing()}; {outcome})"
    safety.check_result(r, 256, 256, trap.ctx)
    if r.error is None:
        assert case.safe_ok, f"{name} should have been rejected (one of {case.keywords}) but rendered"
    else:
        message = str(r.error).lower()
        assert any(k in message for k in case.keywords), \
            f"{name}: SVGError {str(r.error)!r} names none of {case.keywords}"
    assert trap.hits == hits, f"{name} reached the loopback server: {trap.paths}"
    assert len(trap.fifo_opens) == opens, f"{name} opened a canary: {trap.fifo_opens[opens:]}"
    peak = safety.worker_peak_rss_mib()
    assert peak < PEAK_RSS_LIMIT_MIB, f"after {name}: worker peak RSS {peak:.0f} MiB"


REFERENCE_CASES = [c.name for c in CASES if c.name.endswith(".svg")
                   and "@@" in (safety.CORPUS / c.name).read_text(encoding="utf-8")]


@pytest.mark.parametrize("name", REFERENCE_CASES)
def test_rasterize_raw_text_sanitizes_too(trap, name):
    """rasterize() accepts raw text: it must go through the same sanitizer, not straight to the renderer."""
    hits, opens = trap.hits, len(trap.fifo_opens)
    try:
        rgba = rasterize(safety.materialize(name, trap.ctx), 64, 64, timeout=RENDER_TIMEOUT_S)
        assert rgba.shape == (64, 64, 4)
    except SVGError as e:
        assert "\n" not in str(e).strip()
    assert trap.hits == hits, f"{name} reached the loopback server: {trap.paths}"
    assert len(trap.fifo_opens) == opens, f"{name} opened a canary: {trap.fifo_opens[opens:]}"


@pytest.mark.parametrize("size", [(10**6, 10**6), (100_000, 1_000), (0, 256), (-5, 256), (1.5, 256)])
def test_output_size_is_capped(size):
    """An absurd, empty or fractional output size is refused before anything is allocated."""
    doc = sanitize(safety.OPEN + '<rect width="9" height="9"/></svg>')
    with pytest.raises(SVGError):
        rasterize(doc, *size, timeout=RENDER_TIMEOUT_S)


def test_detectors_catch_a_leaky_renderer(tmp_path):
    """Negative control: cairosvg with unsafe=True, fed raw hostile text, does fetch and read — and is seen doing so."""
    import cairosvg
    with safety.Trap(tmp_path) as t:
        for name in ("image_http.svg", "image_file_uri.svg"):
            try:
                cairosvg.svg2png(bytestring=safety.materialize(name, t.ctx).encode(), unsafe=True)
            except Exception:  # noqa: BLE001 - only the side effects matter here
                pass
        deadline = time.monotonic() + 5
        while not t.fifo_opens and time.monotonic() < deadline:
            time.sleep(0.01)
        assert t.hits > 0 and "/image-href.png" in t.paths
        assert any(p.endswith("canary.png") for p in t.fifo_opens)


def _strace_works():
    if shutil.which("strace") is None:
        return False
    return subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _strace_works(), reason="strace missing or ptrace not permitted")
def test_no_open_or_connect_under_strace(trap, tmp_path):
    """Trace the whole process tree (render worker included) while it handles the reference-bearing cases."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in REFERENCE_CASES + ["xxe_file_passwd.svg", "data_svg_base64", "data_png_holding_svg"]:
        data = safety.materialize(name, trap.ctx)
        target = cases / (name if "." in name else name + ".svg")
        target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    log = tmp_path / "strace.log"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2,connect", "-o", str(log),
         sys.executable, str(Path(safety.__file__)), "run", str(cases)],
        cwd=trap.root / "work", env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    trace = log.read_text()
    opened = re.findall(r'open(?:at2?)?\((?:AT_FDCWD, |\d+, )?"([^"]*)"', trace)
    assert opened, "strace recorded no open calls at all"
    forbidden = [p for p in opened if str(trap.root) in p or "secret" in p or "canary" in p or "passwd" in p
                 or p.startswith("C:") or p.endswith("shapes.svg")]
    # only the input files themselves may be opened under the tmp dir
    forbidden = [p for p in forbidden if not p.startswith(str(cases))]
    assert not forbidden, f"opened: {sorted(set(forbidden))}"
    inet = [line for line in trace.splitlines() if "connect(" in line and re.search(r"AF_INET6?\b", line)]
    assert not inet, f"network connects: {inet[:5]}"
    assert trap.hits == 0 and not trap.fifo_opens


@pytest.mark.parametrize("name", ["empty.svg", "not_svg_html.svg", "use_bomb.svg"])
@pytest.mark.parametrize("command", ["render", "layout"])
def test_cli_rejects_hostile_file(tmp_path, name, command):
    out = tmp_path / "out.png"
    args = [sys.executable, "-m", "llm_sketch", command, str(safety.CORPUS / name)]
    if command == "render":
        args += ["--out", str(out), "--width", "128", "--height", "128"]
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-1000:])
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"stderr should be one line: {proc.stderr!r}"
    assert not out.exists()
