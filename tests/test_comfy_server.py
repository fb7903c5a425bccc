"""The real ComfyUI 0.3.75 server with only this pack: it loads, lists our nodes, and runs graphs.

Graph tests for our own nodes live beside their stage's tests and use the same ``comfy_server`` fixture.
"""

import io

import pytest
from PIL import Image

from comfy_harness import PACK_FOLDER, ComfyError, load_graph

pytestmark = pytest.mark.comfy

EXPECTED_NODES = {
    "LLMSketch_LoadSVG",
    "LLMSketch_RasterizeSVG",
    "LLMSketch_SVGToLayout",
    "LLMSketch_LayoutPreview",
    "LLMSketch_SaveSVG",
}


def test_pack_imports_without_error(comfy_server):
    assert comfy_server.pack_import_error() is None, comfy_server.pack_import_error()
    # ComfyUI lists every custom node folder it tried in its import-time table: ours must be there, alone.
    seconds = comfy_server.pack_import_seconds()
    assert seconds is not None, f"no import line for {PACK_FOLDER}:\n{comfy_server.log_tail()}"
    log = comfy_server.log_text()
    assert "Unable to parse pyproject.toml" not in log


def test_our_nodes_are_listed_with_inputs(comfy_server):
    info = comfy_server.object_info()
    ours = {node_id: spec for node_id, spec in info.items() if node_id.startswith("LLMSketch_")}
    assert EXPECTED_NODES <= ours.keys(), f"missing: {sorted(EXPECTED_NODES - ours.keys())}"
    for node_id, spec in ours.items():
        inputs = spec.get("input", {})
        assert inputs.get("required") or inputs.get("optional"), f"{node_id} lists no inputs"
        assert spec.get("python_module", "").startswith("custom_nodes."), node_id


def test_core_graph_runs_and_its_output_is_served(comfy_server):
    entry = comfy_server.run(load_graph("core_empty_image"))

    (image,) = entry["outputs"]["2"]["images"]
    data = comfy_server.view(**image)
    assert data == (comfy_server.output_dir / image["subfolder"] / image["filename"]).read_bytes()
    with Image.open(io.BytesIO(data)) as png:
        assert png.size == (64, 32)
        assert png.convert("RGB").getpixel((10, 10)) == (255, 0, 0)  # color 0xFF0000


def test_invalid_graph_is_refused_with_node_errors(comfy_server):
    graph = load_graph("core_empty_image")
    del graph["2"]["inputs"]["images"]
    with pytest.raises(ComfyError, match="node_errors") as refused:
        comfy_server.queue(graph)
    message = str(refused.value)
    assert "required_input_missing" in message and '"class_type": "SaveImage"' in message, message


def test_execution_error_names_the_node(comfy_server):
    # A file that exists (so validation passes) but is no image: LoadImage fails while running.
    (comfy_server.input_dir / "not_an_image.png").write_text("plain text")
    graph = {
        "1": {"class_type": "LoadImage", "inputs": {"image": "not_an_image.png"}},
        "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
    }
    with pytest.raises(ComfyError, match=r"node 1 \(LoadImage\) failed"):
        comfy_server.run(graph)
    assert comfy_server.alive()
