"""Layout to Regional Conditioning and Layout to GLIGEN: what they build, and that it samples.

The CONDITIONING is inspected in a subprocess that imports ComfyUI and the pack (``conditioning_probe.py``): one
masked entry per object after the untouched base entries, each as core ConditioningSetMask builds it from the same
text, mask and strength; masks equal to the objects' masks (shape) or boxes; GLIGEN boxes as GLIGEN Textbox Apply
makes them. Then the regional graph runs through KSampler in the real server, with the tiny SD1.5 stand-in.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import comfy_harness
import tiny_models
from llm_sketch.control import box_mask
from llm_sketch.draw import sketch
from llm_sketch.layout import object_masks

pytestmark = pytest.mark.comfy

PROMPT = "a red circle to the left of a blue square"


@pytest.fixture(scope="module")
def models():
    return tiny_models.ensure(comfy_harness.COMFYUI_DIR)


@pytest.fixture(scope="module")
def probe(models):
    env = {**os.environ, "PYTHONPATH": str(comfy_harness.COMFYUI_DIR)}
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("conditioning_probe.py")),
                           str(models["sd15"]), str(models["gligen"])], cwd=comfy_harness.COMFYUI_DIR, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_one_masked_entry_per_object_as_conditioning_set_mask_builds_it(probe):
    shape = probe["shape"]
    n = len(probe["objects"])
    assert n == 2 and shape["entries"] == shape["base_entries"] + n
    assert shape["base_first"] and shape["base_untouched"]  # the base is copied, first, and never changed
    for entry in shape["objects"]:
        assert entry["keys"] == entry["core_keys"] == ["mask", "mask_strength", "pooled_output",
                                                        "set_area_to_bounds"]
        assert entry["mask_equals_object_mask"] and entry["mask_equals_core"] and entry["mask_shape"] == [1, 64, 64]
        assert entry["strength"] == 0.6 and entry["set_area_to_bounds"] is False
        assert entry["cond_equals_core"] and entry["pooled_equals_core"]
    assert [e["text"] for e in shape["objects"]] == ["red circle", "blue square"]  # "{color} {label}", no "red red"
    assert shape["preview_equals_masks"]


def test_box_masks_strength_and_mask_bounds(probe):
    box = probe["box"]
    assert box["entries"] == 3 and box["masks_equal_boxes"]
    assert box["strengths"] == [1.3, 1.3] and box["set_area_to_bounds"] == [True, True]


def test_gligen_gets_one_box_per_object(probe):
    gligen = probe["gligen"]
    assert gligen["kind"] == "position" and gligen["same_model"] and gligen["base_untouched"]
    assert len(gligen["boxes"]) == 2
    for (h, w, y, x), obj in zip(gligen["boxes"], probe["objects"]):  # latent cells at 128² for a 64² layout
        x0, y0, x1, y1 = (2 * v for v in obj["bbox"])
        assert x * 8 <= x0 < x * 8 + 8 and y * 8 <= y0 < y * 8 + 8
        assert (x + w) * 8 >= x1 and (y + h) * 8 >= y1 and (x + w - 1) * 8 < x1 and (y + h - 1) * 8 < y1


def graph(mask: str) -> dict:
    return {
        "1": {"class_type": "LLMSketch_PlanSketch",
              "inputs": {"prompt": PROMPT, "width": 64, "height": 64, "seed": 3, "style": "flat"}},
        "2": {"class_type": "LLMSketch_SVGToLayout",
              "inputs": {"svg": ["1", 0], "width": 64, "height": 64, "fit": "contain", "visible_only": False}},
        "3": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
        "4": {"class_type": "CLIPTextEncode", "inputs": {"text": PROMPT, "clip": ["3", 1]}},
        "5": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["3", 1]}},
        "6": {"class_type": "LLMSketch_LayoutToRegionalConditioning",
              "inputs": {"clip": ["3", 1], "layout": ["2", 0], "conditioning": ["4", 0], "template": "{label}",
                         "strength": 0.8, "mask": mask, "feather": 0, "set_cond_area": "default",
                         "masks": ["2", 1]}},
        "7": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "8": {"class_type": "KSampler",
              "inputs": {"model": ["3", 0], "seed": 0, "steps": 1, "cfg": 5.0, "sampler_name": "euler",
                         "scheduler": "normal", "positive": ["6", 0], "negative": ["5", 0], "latent_image": ["7", 0],
                         "denoise": 1.0}},
        "9": {"class_type": "VAEDecode", "inputs": {"samples": ["8", 0], "vae": ["3", 2]}},
        "10": {"class_type": "SaveImage", "inputs": {"images": ["9", 0], "filename_prefix": f"test/regional_{mask}"}},
        "11": {"class_type": "MaskToImage", "inputs": {"mask": ["6", 1]}},
        "12": {"class_type": "SaveImage", "inputs": {"images": ["11", 0], "filename_prefix": f"test/masks_{mask}"}},
    }


@pytest.mark.parametrize("mask", ["shape", "box"])
def test_regional_conditioning_runs_through_ksampler(comfy_server, models, mask):
    tiny_models.install(comfy_server.models_dir, models)
    entry = comfy_server.run(graph(mask), timeout=600)
    (image,) = entry["outputs"]["10"]["images"]
    with Image.open(io.BytesIO(comfy_server.view(**image))) as png:
        assert png.size == (64, 64)
    svg, plan = sketch(PROMPT, 64, 64, seed=3, style="flat")
    want = object_masks(svg, 64, 64) if mask == "shape" else np.stack(
        [box_mask(o.bbox, 64, 64) for o in plan.layout.objects])
    saved = entry["outputs"]["12"]["images"]
    assert len(saved) == len(plan.layout.objects) == 2
    for got, expected in zip(saved, want):
        with Image.open(io.BytesIO(comfy_server.view(**got))) as png:
            pixels = np.asarray(png.convert("L")).astype(np.float32) / 255
        assert np.abs(pixels - expected).max() <= 1 / 255 + 1e-6
