"""``python -m llm_sketch render | layout | demo`` as a user runs it: a real subprocess, real files.

Contract (llm_sketch/cli.py): outputs are written at the asked size; bad input ends with exit code 2 and one stderr
line starting with ``error:``, never a traceback.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
CASES = Path(__file__).resolve().parent / "svg_cases"


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "llm_sketch", *map(str, args)], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def assert_clean_error(result, *words):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    assert result.stdout == ""


@pytest.fixture(scope="module")
def wide_svg(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "wide.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
                    '<rect width="20" height="20" fill="red"/>'
                    '<circle data-label="blue dot" cx="30" cy="10" r="5" fill="blue"/></svg>')
    return path


def test_render_sizes_and_pixels(wide_svg, tmp_path):
    out = tmp_path / "sub" / "wide.png"
    result = run("render", wide_svg, "--out", out, "--width", 80)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out) and result.stderr == ""
    image = np.asarray(Image.open(out))
    assert image.shape == (40, 80, 4)  # --width alone keeps the 2:1 aspect
    assert tuple(image[20, 20]) == (255, 0, 0, 255) and tuple(image[20, 60]) == (0, 0, 255, 255)
    assert image[2, 42, 3] == 0  # transparent by default

    out2 = tmp_path / "square.png"
    result = run("render", wide_svg, "--out", out2, "--width", 64, "--height", 64, "--fit", "stretch",
                 "--background", "white", "--backend", "resvg")
    assert result.returncode == 0, result.stderr
    image = np.asarray(Image.open(out2))
    assert image.shape == (64, 64, 4) and tuple(image[32, 16]) == (255, 0, 0, 255)
    assert tuple(image[2, 40]) == (255, 255, 255, 255)


@pytest.mark.parametrize("size, expected", [((), (40, 20)), (("--height", 50), (100, 50)),
                                            (("--width", 30, "--height", 90), (30, 90))])
def test_default_and_one_sided_sizes(wide_svg, size, expected):
    # render and layout share the size rule; layout shows it without starting a renderer
    result = run("layout", wide_svg, *size)
    assert result.returncode == 0, result.stderr
    layout = json.loads(result.stdout)
    assert (layout["width"], layout["height"]) == expected


def test_layout_prints_json(wide_svg):
    result = run("layout", wide_svg, "--width", 400)
    assert result.returncode == 0, result.stderr
    layout = json.loads(result.stdout)
    assert (layout["width"], layout["height"]) == (400, 200)
    labels = [(o["label"], o["color"]["name"]) for o in layout["objects"]]
    assert labels == [("square", "red"), ("blue dot", "blue")]
    assert layout["objects"][1]["bbox"] == [250, 50, 350, 150]


def test_layout_of_llm_output_with_fences():
    result = run("layout", CASES / "llm" / "fenced_svg.md")
    assert result.returncode == 0, result.stderr
    assert [o["label"] for o in json.loads(result.stdout)["objects"]] == ["red square"]


def test_demo_writes_everything(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--out", out, "--size", 96)
    assert result.returncode == 0, result.stderr
    names = {"sketch.svg", "sketch.png", "layout.json", "constraints.json", "report.json", "preview.png"}
    assert {p.name for p in out.iterdir()} == names
    assert Image.open(out / "sketch.png").size == (96, 96)
    assert Image.open(out / "preview.png").size == (96, 96)
    layout = json.loads((out / "layout.json").read_text())
    assert [(o["label"], o["color"]["name"]) for o in layout["objects"]] == [("blue circle", "blue"),
                                                                              ("red triangle", "red")]
    circle, triangle = (o["bbox"] for o in layout["objects"])
    assert circle[2] <= 48 <= triangle[0]  # the circle on the left, the triangle on the right
    assert (out / "sketch.svg").read_text().startswith("<svg")
    for name in names:
        assert str(out / name) in result.stdout


@pytest.mark.parametrize("args, words", [
    (("render", "{missing}", "--out", "{tmp}/o.png"), ("cannot read",)),
    (("render", "{prose}", "--out", "{tmp}/o.png"), ("not an SVG",)),
    (("render", "{svg}", "--out", "{tmp}/o.png", "--width", "-5"), ("positive",)),
    (("render", "{svg}", "--out", "{tmp}/o.png", "--background", "nope"), ("background",)),
    (("render", "{tmp}", "--out", "{tmp}/o.png"), ("cannot read",)),
    (("render", "{huge}", "--out", "{tmp}/o.png"), ("coordinate too large",)),
    (("layout", "{missing}"), ("cannot read",)),
    (("demo", "--out", "{tmp}/d", "--size", "0"), ("positive",)),
])
def test_bad_input_exits_2_with_one_line(args, words, tmp_path, wide_svg):
    (tmp_path / "prose.txt").write_text("I'm sorry, I can't draw that.")
    (tmp_path / "huge.svg").write_text('<svg><rect width="1e12" height="1"/></svg>')
    names = {"missing": tmp_path / "nope.svg", "prose": tmp_path / "prose.txt",
             "huge": tmp_path / "huge.svg", "svg": wide_svg, "tmp": tmp_path}
    result = run(*(a.format(**names) for a in args))
    assert_clean_error(result, *words)
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("backend", ["auto", "cairo", "resvg"])
def test_render_memory_limit_is_one_line(backend, wide_svg, tmp_path):
    # resvg's worker aborts on the failed allocation and, with RUST_BACKTRACE set, prints a backtrace as it dies
    result = run("render", wide_svg, "--out", tmp_path / "o.png", "--width", 7000, "--height", 7000,
                 "--backend", backend, env={"LLM_SKETCH_RENDER_MEMORY_MB": "150", "RUST_BACKTRACE": "1"})
    assert_clean_error(result, "more memory than allowed (150 MB")
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("args", [("render", "x.svg", "--out", "o.png", "--fit", "bogus"),
                                  ("render", "x.svg", "--out", "o.png", "--width", "ten"),
                                  ("render", "x.svg")])
def test_usage_errors_are_one_line(args):
    # argparse's own errors (unknown --fit, a non-integer --width, a missing --out) end as one line too
    assert_clean_error(run(*args))


@pytest.mark.parametrize("how", ["out-is-folder", "out-under-a-file", "demo-out-is-a-file"])
def test_unwritable_output_is_a_clean_error(how, tmp_path, wide_svg):
    # no IsADirectoryError/FileExistsError traceback: one 'error:' line, exit 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    args = {"out-is-folder": ("render", wide_svg, "--out", tmp_path),
            "out-under-a-file": ("render", wide_svg, "--out", blocker / "o.png"),
            "demo-out-is-a-file": ("demo", "--out", blocker, "--size", "32")}[how]
    assert_clean_error(run(*args))


def test_zero_width_is_rejected(wide_svg):
    # --width 0 is rejected like --width -5 (it once meant "the SVG's own size")
    assert_clean_error(run("layout", wide_svg, "--width", 0), "positive")
    assert_clean_error(run("layout", wide_svg, "--height", 0), "positive")
