"""Every shipped workflow (workflows/*.json) in the real ComfyUI: it loads, and it runs.

(1) Every node type exists in /object_info, every link's type is its source output's and its target input's, every
    node has as many widget values as widgets (``workflow_tools.check_workflow``).
(2) Converted to API format as the frontend does (``workflow_tools.ui_to_api``), it executes on the CPU and an image
    comes out of each of its SaveImage / PreviewImage nodes. The model files are tiny random-weight stand-ins built
    from ComfyUI's own classes (``tiny_models``) under the standard names the workflows load; the LLM workflow talks
    to the scripted OpenAI-compatible test server (``llm_server``).

What the test changes before running, and why:
- sizes to 64×64 and KSampler steps to 1 (a CPU shared by several test runs);
- the SDXL workflow's checkpoint and ControlNet names to the SD1.5 stand-ins: an SDXL stand-in cannot be tiny.
  ComfyUI recognises an SDXL checkpoint only with SDXL's own transformer depths (2 and 10 blocks per level, 2.6 B
  UNet parameters) and always builds its CLIP-G text encoder at full size (695 M parameters); the graph is
  architecture-neutral (CLIPTextEncode, ControlNetApplyAdvanced, KSampler), so it runs unchanged on SD1.5;
- the LLM workflow's base_url to the test server (its provider preset, Ollama, needs no key).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

import comfy_harness
import tiny_models
from llm_server import CORRECT_SVG, LLMServer, reply
from workflow_tools import check_workflow, ui_to_api

pytestmark = pytest.mark.comfy

WORKFLOWS = sorted((Path(__file__).resolve().parents[1] / "workflows").glob("*.json"))
SDXL_STAND_INS = {"sd_xl_base_1.0.safetensors": "v1-5-pruned-emaonly.safetensors",
                  "diffusers_xl_canny_full.safetensors": "control_v11p_sd15_scribble.safetensors"}
LOADER_WIDGETS = {"ckpt_name", "control_net_name", "gligen_name"}
SIZE = 64


@pytest.fixture(scope="module")
def llm():
    with LLMServer(default=reply(CORRECT_SVG)) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory, llm):
    """A ComfyUI of its own: its LLM reply cache in the test's folder, no key in its environment."""
    paths = tiny_models.ensure(comfy_harness.COMFYUI_DIR)
    base = tmp_path_factory.mktemp("comfyui-workflows")
    srv = comfy_harness.start_server(base, env={"LLM_SKETCH_CACHE_DIR": str(base / "llm-cache"),
                                                "LLM_SKETCH_API_KEY": None, "OPENAI_API_KEY": None})
    tiny_models.install(srv.models_dir, paths)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def object_info(server):
    return server.object_info()


def test_there_are_the_five_workflows_each_with_a_thumbnail_and_its_models_named():
    names = {p.stem for p in WORKFLOWS}
    assert {"sketch_controlnet_scribble_sd15", "sketch_img2img_sd15", "regional_controlnet_sdxl",
            "gligen_boxes_sd15", "llm_sketch_best_of_n"} <= names
    for path in WORKFLOWS:
        thumb = path.with_suffix(".jpg")
        assert thumb.exists(), f"{thumb.name} is missing"
        with Image.open(thumb) as img:
            assert img.format == "JPEG" and min(img.size) >= 200
        workflow = json.loads(path.read_text())
        notes = " ".join(str(v) for n in workflow["nodes"] if n["type"] in ("Note", "MarkdownNote")
                         for v in n.get("widgets_values") or [])
        files = [v for n in workflow["nodes"] for v in n.get("widgets_values") or []
                 if isinstance(v, str) and v.endswith((".safetensors", ".ckpt", ".pth"))]
        for name in files:
            assert name in notes, f"{path.name}: the note does not say where to get {name}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_the_workflow_loads(path, object_info):
    workflow = json.loads(path.read_text())
    assert check_workflow(workflow, object_info) == []
    assert ui_to_api(workflow, object_info)  # and converts


def shrink(api: dict, llm_url: str) -> dict:
    """The changes the module doc lists: small sizes, one step, SD1.5 stand-ins, the test LLM server."""
    for node in api.values():
        inputs, kind = node["inputs"], node["class_type"]
        for key in ("width", "height"):
            value = inputs.get(key)
            if isinstance(value, int) and value > SIZE:  # (0 = "the layout's size", links stay links)
                inputs[key] = SIZE
        if kind in ("KSampler", "KSamplerAdvanced"):
            inputs["steps"] = 1
        for key in LOADER_WIDGETS & set(inputs):
            inputs[key] = SDXL_STAND_INS.get(inputs[key], inputs[key])
        if kind == "LLMSketch_LLMSketch":
            inputs["base_url"] = llm_url
    return api


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_the_workflow_runs_and_makes_images(path, server, object_info, llm):
    api = shrink(ui_to_api(json.loads(path.read_text()), object_info), llm.url)
    llm.reset()
    entry = server.run(api, timeout=600)
    outputs = entry["outputs"]
    image_nodes = [k for k, n in api.items() if n["class_type"] in ("SaveImage", "PreviewImage")]
    assert image_nodes, "the workflow shows no image"
    for node_id in image_nodes:
        (image,) = outputs[node_id]["images"]
        with Image.open(io.BytesIO(server.view(**image))) as png:
            assert png.size[0] >= 8 and png.size[1] >= 8
            png.load()
    by_type = {n["class_type"]: k for k, n in api.items()}
    if "LLMSketch_LLMSketch" in by_type:  # best of 4: four candidates in one round, all passing, no repair
        assert llm.count == 4
        (report,) = outputs[by_type["LLMSketch_LLMSketch"]]["text"]
        assert "PASSED" in report
    if "LLMSketch_ImageToLayout" in by_type:  # the generated image is checked (random weights: any verdict)
        (summary,) = outputs[by_type["LLMSketch_CheckLayout"]]["text"]
        assert summary.startswith(("PASSED", "FAILED"))
