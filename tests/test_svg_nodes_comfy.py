"""The SVG and layout nodes in the real ComfyUI server: graphs posted to /prompt, results read back."""

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from comfy_harness import ComfyError

pytestmark = pytest.mark.comfy

SAMPLE = Path(__file__).resolve().parent.parent / "llm_sketch" / "samples" / "blue_circle_red_triangle.svg"


def saved_image(server, entry, node_id) -> np.ndarray:
    (image,) = entry["outputs"][node_id]["images"]
    with Image.open(io.BytesIO(server.view(**image))) as png:
        return np.asarray(png.convert("RGB"))


def test_every_node_lists_tooltips_and_a_description(comfy_server):
    """Every node of the pack: a description, a tooltip on every input and output, and outputs labelled by name
    ("svg", "width"), not by type (ComfyUI's V3 shows "STRING", "INT" for an output without a display name)."""
    info = comfy_server.object_info()
    pack = {node_id: spec for node_id, spec in info.items() if node_id.startswith("LLMSketch_")}
    assert len(pack) >= 14
    for node_id, spec in pack.items():
        assert spec["description"], node_id
        for section in ("required", "optional"):
            for name, (_, options) in spec["input"].get(section, {}).items():
                assert options.get("tooltip"), f"{node_id}.{name} has no tooltip"
        tips = spec["output_tooltips"]
        assert len(tips) == len(spec["output"]) and all(tips), f"{node_id} has an output without a tooltip"
        for kind, label in zip(spec["output"], spec["output_name"]):
            assert label != kind and label.islower(), f"{node_id}: an output labelled {label!r}"
    assert pack["LLMSketch_LoadSVG"]["output_name"] == ["svg", "width", "height"]
    assert info["LLMSketch_SVGToLayout"]["output"][0] == "SKETCH_LAYOUT"


def test_load_rasterize_save(comfy_server):
    shutil.copy(SAMPLE, comfy_server.input_dir / "paper.svg")
    graph = {
        "1": {"class_type": "LLMSketch_LoadSVG", "inputs": {"svg_file": "paper.svg"}},
        "2": {"class_type": "LLMSketch_RasterizeSVG",
              "inputs": {"svg": ["1", 0], "width": 256, "height": 192, "fit": "contain", "background": "white"}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "test/raster"}},
        "4": {"class_type": "MaskToImage", "inputs": {"mask": ["2", 1]}},
        "5": {"class_type": "SaveImage", "inputs": {"images": ["4", 0], "filename_prefix": "test/mask"}},
    }
    entry = comfy_server.run(graph)
    rgb = saved_image(comfy_server, entry, "3")
    assert rgb.shape == (192, 256, 3)
    # contain: the 512² sketch is scaled to 192² and centred (32 px margins left and right)
    circle = rgb[96, 32 + round(140 * 192 / 512)]
    triangle = rgb[96 + 20, 32 + round(372 * 192 / 512)]
    assert circle[2] > 200 and circle[0] < 80, circle  # blue
    assert triangle[0] > 200 and triangle[2] < 80, triangle  # red
    assert tuple(rgb[5, 5]) == (255, 255, 255)  # the white margin outside the viewBox
    mask = saved_image(comfy_server, entry, "5")
    assert mask[5, 5, 0] == 0 and mask[96, 100, 0] == 255  # outside the drawing / on the backdrop


def test_svg_to_layout_and_preview(comfy_server):
    svg = SAMPLE.read_text()
    graph = {
        "1": {"class_type": "LLMSketch_SVGToLayout",
              "inputs": {"svg": svg, "width": 512, "height": 512, "fit": "contain", "visible_only": False}},
        "2": {"class_type": "LLMSketch_RasterizeSVG",
              "inputs": {"svg": svg, "width": 512, "height": 512, "fit": "contain", "background": "white"}},
        "3": {"class_type": "LLMSketch_LayoutPreview", "inputs": {"image": ["2", 0], "layout": ["1", 0]}},
        "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "test/preview"}},
        "5": {"class_type": "MaskToImage", "inputs": {"mask": ["1", 1]}},
        "6": {"class_type": "SaveImage", "inputs": {"images": ["5", 0], "filename_prefix": "test/objmask"}},
    }
    entry = comfy_server.run(graph)
    preview = saved_image(comfy_server, entry, "4")
    assert preview.shape == (512, 512, 3)
    # the circle's box (50..230) is outlined: its left edge is no longer the backdrop colour
    assert tuple(preview[300, 51]) != tuple(preview[300, 20])
    assert entry["outputs"]["1"]["text"][0].startswith("2 objects: blue circle, red triangle")
    masks = entry["outputs"]["6"]["images"]
    assert len(masks) == 2  # one mask per object


def test_hostile_svg_fails_its_node_clearly_and_server_survives(comfy_server):
    hostile = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx="5" cy="5" r="1e300"/></svg>'
    graph = {
        "1": {"class_type": "LLMSketch_RasterizeSVG",
              "inputs": {"svg": hostile, "width": 64, "height": 64, "fit": "contain", "background": "white"}},
        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "test/hostile"}},
    }
    with pytest.raises(ComfyError, match="coordinate too large"):
        comfy_server.run(graph)
    assert comfy_server.alive()
    not_svg = dict(graph)
    not_svg["1"] = json.loads(json.dumps(graph["1"]))
    not_svg["1"]["inputs"]["svg"] = "Sorry, I cannot draw that."
    with pytest.raises(ComfyError, match="not an SVG"):
        comfy_server.run(not_svg)
    assert comfy_server.alive()


def test_save_svg_never_overwrites(comfy_server):
    svg = SAMPLE.read_text().replace("<title>", "<script>alert(1)</script><title>")
    graph = {"1": {"class_type": "LLMSketch_SaveSVG", "inputs": {"svg": svg, "filename_prefix": "test/saved"}}}
    first = comfy_server.run(graph)["outputs"]["1"]["images"][0]
    graph["1"]["inputs"]["svg"] = svg + " "  # a different prompt, so ComfyUI does not reuse the cached result
    second = comfy_server.run(graph)["outputs"]["1"]["images"][0]
    assert first["filename"] != second["filename"]
    text = comfy_server.view(**first).decode()
    assert "<circle" in text and "script" not in text


@pytest.mark.parametrize("name", ["../outside.svg", "../../../../etc/passwd"])
def test_load_svg_refuses_paths_outside_the_input_folder(comfy_server, name):
    outside = comfy_server.input_dir.parent / "outside.svg"  # a real .svg next to the input folder
    outside.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    graph = {"1": {"class_type": "LLMSketch_LoadSVG", "inputs": {"svg_file": name}},
             "2": {"class_type": "LLMSketch_SaveSVG", "inputs": {"svg": ["1", 0], "filename_prefix": "x"}}}
    with pytest.raises(ComfyError, match="not an .svg file in ComfyUI's input folder"):
        comfy_server.run(graph)
    assert comfy_server.alive()
