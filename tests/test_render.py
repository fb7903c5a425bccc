"""The rasterizer (llm_sketch.render): array format, straight alpha, fit modes, preserveAspectRatio, transforms,
backgrounds, both backends, size checks and the render timeout. Real cairosvg and resvg in the worker process."""

import os
import random
import time

import numpy as np
import pytest

from llm_sketch import SVGError, rasterize, sanitize
from llm_sketch.layout import pixel_box

BACKENDS = ("cairo", "resvg")
NS = 'xmlns="http://www.w3.org/2000/svg"'


def svg(body: str, view_box="0 0 100 100", extra="") -> str:
    return f'<svg {NS} viewBox="{view_box}" {extra}>{body}</svg>'


def box_of(rgba, channel=3):
    return pixel_box(rgba[..., channel] > 127)


def near(box, expected, tol=1):
    return box is not None and all(abs(a - b) <= tol for a, b in zip(box, expected))


# ---- format ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ("auto",) + BACKENDS)
def test_shape_dtype_and_orientation(backend):
    text = svg('<rect x="0" y="0" width="50" height="10" fill="red"/>')
    rgba = rasterize(text, 60, 40, backend=backend, fit="stretch")
    assert rgba.shape == (40, 60, 4) and rgba.dtype == np.uint8
    assert rgba.flags["C_CONTIGUOUS"] and rgba.flags["WRITEABLE"]
    # top-left is the rect (50 % of the width, 10 % of the height), rows are y
    assert near(box_of(rgba), (0, 0, 30, 4))
    assert tuple(rgba[1, 1]) == (255, 0, 0, 255)
    assert tuple(rgba[39, 59]) == (0, 0, 0, 0)


def test_accepts_text_bytes_and_safesvg():
    text = svg('<circle cx="50" cy="50" r="40" fill="blue"/>')
    a = rasterize(text, 32, 32)
    b = rasterize(text.encode(), 32, 32)
    c = rasterize(sanitize(text), 32, 32)
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert np.array_equal(rasterize(text, 32.0, 32), a)  # a whole float is a whole number


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("colour, opacity, expected", [
    ("red", "0.5", (255, 0, 0, 128)),
    ("#00ff00", "0.25", (0, 255, 0, 64)),
    ("#336699", "0.5", (0x33, 0x66, 0x99, 128)),
    ("#000000", "0.5", (0, 0, 0, 128)),
    ("#ffffff", "0.1", (255, 255, 255, 26)),
])
def test_straight_alpha(backend, colour, opacity, expected):
    rgba = rasterize(svg(f'<rect width="100" height="100" fill="{colour}" fill-opacity="{opacity}"/>'), 20, 20,
                     backend=backend)
    got = rgba[10, 10].astype(int)
    assert abs(got[3] - expected[3]) <= 1
    # un-premultiplied: the colour stays the colour, it does not darken towards black
    tol = 3 if expected[3] > 60 else 6
    assert np.all(np.abs(got[:3] - np.array(expected[:3])) <= tol), got


def test_overlapping_translucency_composes():
    body = ('<rect width="100" height="100" fill="red" fill-opacity="0.5"/>'
            '<rect width="100" height="100" fill="blue" fill-opacity="0.5"/>')
    got = rasterize(svg(body), 10, 10)[5, 5].astype(int)
    # blue over red, each 50 %: alpha 0.75, colour (0.25 red + 0.5 blue) / 0.75
    assert abs(got[3] - 191) <= 1 and abs(got[0] - 85) <= 3 and got[1] == 0 and abs(got[2] - 170) <= 3


# ---- fit modes: a 200×100 viewBox into a 100×100 output -------------------------------------------------------------
WIDE = svg('<rect width="200" height="100" fill="#ff0000"/>'
           '<rect x="0" y="0" width="20" height="20" fill="#0000ff"/>'          # top-left marker
           '<rect x="180" y="80" width="20" height="20" fill="#00ff00"/>',      # bottom-right marker
           view_box="0 0 200 100", extra='preserveAspectRatio="xMinYMax slice"')


def blue_box(rgba):
    return pixel_box((rgba[..., 2] > 200) & (rgba[..., 0] < 50) & (rgba[..., 3] > 200))


def green_box(rgba):
    return pixel_box((rgba[..., 1] > 200) & (rgba[..., 0] < 50) & (rgba[..., 3] > 200))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("fit, drawing, blue, green", [
    ("contain", (0, 25, 100, 75), (0, 25, 10, 35), (90, 65, 100, 75)),   # scaled 0.5, centred vertically
    ("cover", (0, 0, 100, 100), None, None),                             # scale 1, centre 100×100 crop
    ("stretch", (0, 0, 100, 100), (0, 0, 10, 20), (90, 80, 100, 100)),  # scaled 0.5 × 1
    ("auto", (0, 0, 100, 100), (0, 0, 20, 20), None),                    # the SVG's own xMinYMax slice
])
def test_fit_modes(backend, fit, drawing, blue, green):
    rgba = rasterize(WIDE, 100, 100, fit=fit, backend=backend)
    assert near(box_of(rgba), drawing)
    assert (blue_box(rgba) is None) if blue is None else near(blue_box(rgba), blue)
    assert (green_box(rgba) is None) if green is None else near(green_box(rgba), green)


def test_cover_crops_the_centre():
    rgba = rasterize(svg('<rect x="50" y="0" width="100" height="100" fill="#0000ff"/>', view_box="0 0 200 100"),
                     100, 100, fit="cover")
    assert near(blue_box(rgba), (0, 0, 100, 100))
    rgba = rasterize(svg('<rect x="0" y="0" width="50" height="100" fill="#0000ff"/>', view_box="0 0 200 100"),
                     100, 100, fit="cover")
    assert blue_box(rgba) is None


@pytest.mark.parametrize("par, view_box, marker, expected", [
    # the whole viewBox is drawn red; `marker` is a 20×20 blue square; output 100×100
    ("xMinYMin meet", "0 0 200 100", (0, 0), (0, 0, 10, 10)),
    ("xMaxYMax meet", "0 0 200 100", (180, 80), (90, 90, 100, 100)),
    ("xMidYMid meet", "0 0 100 200", (80, 180), (65, 90, 75, 100)),
    ("xMaxYMid meet", "0 0 100 200", (0, 0), (50, 0, 60, 10)),
    ("xMinYMin slice", "0 0 200 100", (0, 0), (0, 0, 20, 20)),
    ("xMaxYMax slice", "0 0 200 100", (180, 80), (80, 80, 100, 100)),
    ("xMidYMax slice", "0 0 100 200", (40, 180), (40, 80, 60, 100)),
    ("xMinYMid slice", "0 0 100 200", (0, 90), (0, 40, 20, 60)),
    ("none", "0 0 200 100", (180, 0), (90, 0, 100, 20)),
    ("none", "-100 -50 200 100", (80, 30), (90, 80, 100, 100)),
])
@pytest.mark.parametrize("backend", BACKENDS)
def test_preserve_aspect_ratio(backend, par, view_box, marker, expected):
    vx, vy, vw, vh = (float(v) for v in view_box.split())
    body = (f'<rect x="{vx}" y="{vy}" width="{vw}" height="{vh}" fill="#ff0000"/>'
            f'<rect x="{marker[0]}" y="{marker[1]}" width="20" height="20" fill="#0000ff"/>')
    text = svg(body, view_box=view_box, extra=f'preserveAspectRatio="{par}"')
    rgba = rasterize(text, 100, 100, fit="auto", backend=backend)
    assert near(blue_box(rgba), expected), blue_box(rgba)
    drawn = box_of(rgba)
    if par.endswith("slice") or par == "none":
        assert drawn == (0, 0, 100, 100)
    else:  # meet: letterboxed, the rest transparent
        assert drawn != (0, 0, 100, 100) and rgba[..., 3].min() == 0


# ---- transforms -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape, expected", [
    ('<rect width="20" height="20" transform="translate(10 20)"/>', (10, 20, 30, 40)),
    ('<rect x="10" y="40" width="30" height="20" transform="rotate(90 50 50)"/>', (40, 10, 60, 40)),
    ('<rect x="10" y="40" width="30" height="20" transform="rotate(-90, 50, 50)"/>', (40, 60, 60, 90)),
    ('<rect x="5" y="5" width="10" height="10" transform="scale(2)"/>', (10, 10, 30, 30)),
    ('<rect x="10" y="10" width="10" height="10" transform="scale(3 1.5)"/>', (30, 15, 60, 30)),
    ('<rect x="40" y="10" width="20" height="10" transform="scale(-1 1) translate(-100 0)"/>', (40, 10, 60, 20)),
    ('<rect x="0" y="10" width="20" height="20" transform="skewX(45)"/>', (10, 10, 50, 30)),
    ('<rect x="10" y="0" width="20" height="20" transform="skewY(45)"/>', (10, 10, 30, 50)),
    ('<rect width="20" height="20" transform="matrix(1 0 0 2 10 5)"/>', (10, 5, 30, 45)),
    ('<rect width="20" height="20" transform="matrix(0 1 -1 0 60 10)"/>', (40, 10, 60, 30)),
    ('<g transform="translate(30 10)"><g transform="scale(2)"><g transform="rotate(90)">'
     '<rect width="10" height="5"/></g></g></g>', (20, 10, 30, 30)),
    ('<g transform="translate(50 50)"><rect x="-10" y="-10" width="20" height="20" transform="rotate(45)"/></g>',
     (36, 36, 64, 64)),
    ('<circle cx="0" cy="0" r="10" transform="translate(50 50) scale(3 1)"/>', (20, 40, 80, 60)),
    ('<ellipse cx="50" cy="50" rx="40" ry="10" transform="rotate(90 50 50)"/>', (40, 10, 60, 90)),
])
def test_transforms(backend, shape, expected):
    rgba = rasterize(svg(shape), 100, 100, backend=backend)
    got = box_of(rgba)
    assert near(got, expected), got


def test_transforms_scale_with_output_size():
    shape = svg('<rect x="10" y="40" width="30" height="20" transform="rotate(90 50 50)"/>')
    assert near(box_of(rasterize(shape, 300, 300)), (120, 30, 180, 120), tol=1)


# ---- backgrounds ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_background_colour(backend):
    text = svg('<rect width="50" height="100" fill="red" fill-opacity="0.5"/>')
    rgba = rasterize(text, 20, 20, background="white", backend=backend).astype(int)
    assert tuple(rgba[10, 15]) == (255, 255, 255, 255)
    assert abs(rgba[10, 5, 1] - 127) <= 2 and rgba[10, 5, 0] == 255 and rgba[10, 5, 3] == 255
    for bg, rgb in (("#123456", (0x12, 0x34, 0x56)), ("rgb(0 128 0)", (0, 128, 0)), ("hsl(240, 100%, 50%)",
                                                                                       (0, 0, 255))):
        assert tuple(rasterize(text, 20, 20, background=bg, backend=backend)[10, 15]) == (*rgb, 255)
    assert tuple(rasterize(text, 20, 20, backend=backend)[10, 15]) == (0, 0, 0, 0)


def test_unknown_background_is_an_error():
    with pytest.raises(SVGError, match="background"):
        rasterize(svg(""), 10, 10, background="not-a-colour")


@pytest.mark.parametrize("backend", BACKENDS)
def test_transparent_background_is_accepted(backend):
    # 'transparent' (a CSS colour) means no background, not an unknown colour
    rgba = rasterize(svg('<rect width="10" height="10"/>'), 20, 20, background="transparent", backend=backend)
    assert tuple(rgba[15, 15]) == (0, 0, 0, 0) and tuple(rgba[1, 1]) == (0, 0, 0, 255)


@pytest.mark.parametrize("backend", BACKENDS)
def test_translucent_background_is_painted(backend):
    # a background with alpha < 1 is composited under the drawing (it was once dropped), straight alpha out
    rgba = rasterize(svg('<rect width="10" height="10"/>'), 20, 20, background="rgba(0, 0, 255, 0.5)",
                     backend=backend)
    assert abs(int(rgba[15, 15, 3]) - 128) <= 1 and rgba[15, 15, 2] == 255
    assert tuple(rgba[1, 1]) == (0, 0, 0, 255)  # an opaque drawing covers it
    half = rasterize(svg('<rect width="100" height="100" fill="red" fill-opacity="0.5"/>'), 4, 4,
                     background="#0000ff80", backend=backend).astype(int)
    # red at 0.5 over blue at 0.5: alpha 0.75, colour (2/3 red, 1/3 blue) in straight alpha
    assert abs(half[2, 2, 3] - 191) <= 2 and abs(half[2, 2, 0] - 170) <= 2 and abs(half[2, 2, 2] - 85) <= 2
    assert half[2, 2, 1] == 0


# ---- empty documents ------------------------------------------------------------------------------------------------
# A sanitized document with no drawable children serializes as a self-closing <svg …/>; render.prepare once appended
# width/height after the '/', which both backends rejected.
@pytest.mark.parametrize("text", ['<svg width="10" height="10"></svg>', '<svg width="10" height="10"><script/></svg>',
                                  "<svg"])
def test_empty_document_renders_transparent(text):
    rgba = rasterize(text, 10, 10)
    assert rgba.shape == (10, 10, 4) and rgba.max() == 0


def test_document_with_only_a_title_renders_transparent():
    rgba = rasterize('<svg width="10" height="10"><title>nothing</title></svg>', 10, 10)
    assert rgba.shape == (10, 10, 4) and rgba.max() == 0


# ---- both backends agree --------------------------------------------------------------------------------------------
SIMPLE = [
    '<rect x="12.5" y="20" width="40" height="30" fill="red"/>',
    '<circle cx="60" cy="40" r="25" fill="blue"/>',
    '<ellipse cx="50" cy="60" rx="35" ry="12" fill="green" transform="rotate(20 50 60)"/>',
    '<polygon points="50,5 95,90 5,90" fill="orange"/>',
    '<path d="M10 80 C40 10 65 10 95 80 S150 150 180 80" fill="none" stroke="black" stroke-width="4"/>',
    '<path d="M20 50 A30 20 0 1 1 80 50 Z" fill="purple"/>',
    '<line x1="10" y1="10" x2="90" y2="70" stroke="teal" stroke-width="6" stroke-linecap="round"/>',
    '<rect x="20" y="20" width="60" height="60" rx="15" fill="none" stroke="brown" stroke-width="8"/>',
    '<polyline points="10,90 30,20 50,90 70,20 90,90" fill="none" stroke="navy" stroke-width="3" '
    'stroke-linejoin="round"/>',
]


@pytest.mark.parametrize("shape", SIMPLE)
def test_backends_agree_on_simple_shapes(shape):
    text = svg(shape)
    cairo = rasterize(text, 128, 128, backend="cairo")
    resvg = rasterize(text, 128, 128, backend="resvg")
    a, b = pixel_box(cairo[..., 3] > 0), pixel_box(resvg[..., 3] > 0)
    assert a is not None and near(a, b), (a, b)
    inside_a, inside_b = cairo[..., 3] > 127, resvg[..., 3] > 127
    iou = (inside_a & inside_b).sum() / (inside_a | inside_b).sum()
    assert iou > 0.93  # thin strokes: anti-aliasing differs a little at the 50 % threshold
    both = inside_a & inside_b & (cairo[..., 3] == 255) & (resvg[..., 3] == 255)
    assert np.abs(cairo[both].astype(int) - resvg[both].astype(int)).max() <= 2


# ---- sizes and arguments --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("width, height, word", [
    (0, 10, "positive"), (10, 0, "positive"), (-5, 10, "positive"), (-1, -1, "positive"),
    (1_000_000, 1_000_000, "too large"), (100_000, 1_000, "too large"),
    (10.5, 10, "whole number"), ("10", 10, "whole number"), (None, 10, "whole number"), (True, 10, "whole number"),
    (float("nan"), 10, "whole number"), (float("inf"), 10, "whole number"), (10, float("-inf"), "whole number"),
])
def test_bad_sizes(width, height, word):
    with pytest.raises(SVGError, match=word) as info:
        rasterize(svg('<rect width="10" height="10"/>'), width, height)
    assert "\n" not in str(info.value)


def test_drawing_reach_too_large_for_the_output():
    text = '<svg viewBox="0 0 1 1"><rect x="900000" y="0" width="10" height="10"/></svg>'
    with pytest.raises(SVGError, match="reaches"):
        rasterize(text, 8000, 8000)


@pytest.mark.parametrize("kwargs, word", [({"fit": "fill"}, "unknown fit"), ({"backend": "skia"}, "unknown backend")])
def test_bad_arguments(kwargs, word):
    with pytest.raises(SVGError, match=word):
        rasterize(svg(""), 10, 10, **kwargs)


# ---- timeout --------------------------------------------------------------------------------------------------------
def heavy_svg() -> str:
    """Allowed but slow to draw: 30 translucent 300-point polylines, 60 units wide (cairo needs over a second)."""
    rng = random.Random(1)
    paths = []
    for i in range(30):
        points = " ".join(f"{rng.randint(0, 1000)} {rng.randint(0, 1000)}" for _ in range(300))
        paths.append(f'<path d="M{points}" fill="none" stroke="#{i * 8:02x}4080" stroke-opacity="0.5" '
                     'stroke-width="60" stroke-linejoin="round"/>')
    return svg("".join(paths), view_box="0 0 1000 1000")


@pytest.fixture(scope="module")
def heavy():
    return sanitize(heavy_svg())


@pytest.mark.parametrize("backend", BACKENDS)
def test_timeout_stops_a_slow_render_and_the_next_render_works(heavy, backend):
    from llm_sketch import render

    small = svg('<circle cx="50" cy="50" r="30" fill="red"/>')
    rasterize(small, 16, 16)  # the worker is up
    old_pid = render._worker.process.pid
    start = time.monotonic()
    with pytest.raises(SVGError, match="longer than 0.05 s") as info:
        rasterize(heavy, 512, 512, backend=backend, timeout=0.05)
    elapsed = time.monotonic() - start
    assert "\n" not in str(info.value)
    assert elapsed < 0.8, f"the render was not stopped in time ({elapsed:.2f} s)"
    assert not os.path.exists(f"/proc/{old_pid}"), "the timed-out worker is still alive"
    rgba = rasterize(small, 100, 100, backend=backend)
    assert tuple(rgba[50, 50]) == (255, 0, 0, 255) and rgba[0, 0, 3] == 0
    assert render._worker.process.pid != old_pid


# ---- memory limit and a missing backend: each test restarts the shared worker under its own environment ----------
@pytest.fixture
def worker_env(monkeypatch):
    """``monkeypatch`` for the environment of a render worker started fresh in this test, and stopped after it (so
    the next test's worker starts under the restored environment)."""
    from llm_sketch import render

    render.shutdown()
    yield monkeypatch
    render.shutdown()


@pytest.mark.parametrize("backend", BACKENDS)
def test_memory_limit_is_one_clear_error_and_the_next_render_works(worker_env, backend, capfd, caplog):
    worker_env.setenv("LLM_SKETCH_RENDER_MEMORY_MB", "150")  # read by the worker when it starts
    worker_env.setenv("RUST_BACKTRACE", "1")
    small = svg('<circle cx="50" cy="50" r="30" fill="red"/>')
    with caplog.at_level("DEBUG", logger="llm_sketch.render"):
        with pytest.raises(SVGError, match=r"more memory than allowed \(150 MB") as info:
            rasterize(small, 7000, 7000, backend=backend)  # a 196 MB canvas
    assert "\n" not in str(info.value)
    if backend == "resvg":  # a failed Rust allocation aborts the worker: its last words are logged, not printed
        assert "memory allocation of" in caplog.text
        assert all(r.levelname == "DEBUG" for r in caplog.records if "memory allocation" in r.getMessage())
    assert "memory allocation" not in capfd.readouterr().err
    rgba = rasterize(small, 100, 100, backend=backend)  # a fresh worker, under the same limit
    assert tuple(rgba[50, 50]) == (255, 0, 0, 255) and rgba[0, 0, 3] == 0


def test_a_limit_too_small_for_the_renderer_itself_says_to_raise_it(worker_env):
    worker_env.setenv("LLM_SKETCH_RENDER_MEMORY_MB", "20")  # below what Python and the libraries need
    with pytest.raises(SVGError, match=r"cannot start within its memory limit \(20 MB, LLM_SKETCH_RENDER_MEMORY_MB\): "
                                       r"raise it") as info:
        rasterize(svg('<circle cx="50" cy="50" r="30" fill="red"/>'), 16, 16)
    assert "\n" not in str(info.value) and "simplify" not in str(info.value)  # no SVG is to blame


def test_missing_cairo_is_named_and_auto_falls_back_to_resvg(worker_env, tmp_path, caplog):
    from llm_sketch import render

    # the worker's import of cairocffi fails as it does where libcairo is not installed (a real process, whose
    # PYTHONPATH puts this stand-in ahead of the installed package)
    (tmp_path / "cairocffi.py").write_text("raise OSError('no library called \"cairo-2\" was found')\n")
    worker_env.setenv("PYTHONPATH", os.pathsep.join(filter(None, (str(tmp_path), os.environ.get("PYTHONPATH")))))
    text = svg('<rect width="100" height="100" fill="blue"/>')
    with pytest.raises(SVGError, match="cairo: the Cairo library is missing") as info:
        rasterize(text, 20, 20, backend="cairo")  # the worker's first render: it finds cairo missing as it starts
    assert "apt install libcairo2" in str(info.value) and "use backend 'resvg'" in str(info.value)
    assert render._worker.missing["cairo"].startswith("OSError") and render._worker.missing["resvg"] is None
    with caplog.at_level("INFO", logger="llm_sketch.render"):
        rgba = rasterize(text, 20, 20)  # auto: cairo first, then resvg
        rasterize(text, 20, 20)
    assert tuple(rgba[10, 10]) == (0, 0, 255, 255)
    said = [r for r in caplog.records if "drawn with resvg" in r.getMessage()]
    assert len(said) == 1 and said[0].levelname == "WARNING" and "Cairo library is missing" in said[0].getMessage()
    with pytest.raises(SVGError, match="Cairo library is missing"):
        rasterize(text, 20, 20, backend="cairo")  # the same worker, still up
