"""Plan Sketch in the real ComfyUI server: Plan Sketch → Rasterize SVG → Save Image; Plan Sketch → Check Layout."""

import io

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.comfy

PROMPT = "a blue circle on the left and a red triangle on the right"


def plan_node(prompt=PROMPT, seed=3, style="auto", width=512, height=384):
    return {"class_type": "LLMSketch_PlanSketch",
            "inputs": {"prompt": prompt, "width": width, "height": height, "seed": seed, "style": style}}


def test_plan_sketch_is_listed_with_tooltips(comfy_server):
    spec = comfy_server.object_info()["LLMSketch_PlanSketch"]
    assert spec["description"] and spec["output"] == ["STRING", "SKETCH_LAYOUT", "IMAGE", "STRING"]
    for name, (_, options) in spec["input"]["required"].items():
        assert options.get("tooltip"), name
    assert spec["input"]["required"]["seed"][1].get("control_after_generate")
    assert "constraints" in spec["input"]["optional"]


def test_plan_rasterize_save(comfy_server):
    graph = {
        "1": plan_node(),
        "2": {"class_type": "LLMSketch_RasterizeSVG",
              "inputs": {"svg": ["1", 0], "width": 512, "height": 384, "fit": "contain", "background": "white"}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "test/plan"}},
        "4": {"class_type": "SaveImage", "inputs": {"images": ["1", 2], "filename_prefix": "test/plan_direct"}},
    }
    entry = comfy_server.run(graph)
    (report,) = entry["outputs"]["1"]["text"]
    assert report.startswith("PASSED") and "conflict" not in report
    images = []
    for node in ("3", "4"):
        (image,) = entry["outputs"][node]["images"]
        with Image.open(io.BytesIO(comfy_server.view(**image))) as png:
            images.append(np.asarray(png.convert("RGB")).astype(int))
    raster, direct = images
    assert raster.shape == direct.shape == (384, 512, 3)
    assert np.abs(raster - direct).max() <= 2  # the node's own image is the same render
    left, right = raster[:, :170], raster[:, 342:]
    blue = (left[..., 2] > 180) & (left[..., 0] < 90)
    red = (right[..., 0] > 180) & (right[..., 2] < 90)
    assert blue.sum() > 500 and red.sum() > 500  # the blue circle on the left, the red triangle on the right


def test_plan_then_check_layout(comfy_server):
    prompt = "three yellow stars over two blue squares, a green heart to the right of the squares"
    graph = {
        "1": {"class_type": "LLMSketch_ParseConstraints", "inputs": {"prompt": prompt}},
        "2": dict(plan_node(prompt="ignored when constraints are connected", seed=11),
                  inputs={**plan_node(seed=11)["inputs"], "prompt": "ignored", "constraints": ["1", 0]}),
        "3": {"class_type": "LLMSketch_CheckLayout",
              "inputs": {"layout": ["2", 1], "constraints": ["1", 0], "rule": "layoutgpt", "image": ["2", 2]}},
        "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 4], "filename_prefix": "test/plan_check"}},
    }
    entry = comfy_server.run(graph)
    (summary,) = entry["outputs"]["3"]["text"]
    assert summary.startswith("PASSED") and "rule layoutgpt" in summary, summary
    assert "✓ there are three yellow stars" in summary and "✓ the yellow star is above the blue square" in summary


def test_a_contradiction_is_named_not_raised(comfy_server):
    entry = comfy_server.run({"1": plan_node("a cat left of a dog and the dog left of the cat")})
    (report,) = entry["outputs"]["1"]["text"]
    assert report.startswith("FAILED") and "conflict: contradiction" in report
    assert comfy_server.alive()
