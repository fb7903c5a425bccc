"""Parse Constraints → Check Layout in the real ComfyUI server, with the layout from SVG to Layout."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.comfy

SAMPLE = (Path(__file__).resolve().parent.parent / "llm_sketch" / "samples" / "blue_circle_red_triangle.svg").read_text()


def graph(prompt: str, rule: str = "geneval") -> dict:
    return {
        "1": {"class_type": "LLMSketch_ParseConstraints", "inputs": {"prompt": prompt}},
        "2": {"class_type": "LLMSketch_SVGToLayout",
              "inputs": {"svg": SAMPLE, "width": 512, "height": 512, "fit": "contain", "visible_only": False}},
        "3": {"class_type": "LLMSketch_CheckLayout",
              "inputs": {"layout": ["2", 0], "constraints": ["1", 0], "rule": rule}},
        "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 4], "filename_prefix": "test/overlay"}},
    }


def test_the_papers_prompt_passes_and_the_report_reaches_the_node(comfy_server):
    entry = comfy_server.run(graph("a blue circle on the left and a red triangle on the right"))
    (summary,) = entry["outputs"]["3"]["text"]
    assert summary.startswith("PASSED: 7/7 checks")
    assert "✓ the blue circle is left of the red triangle" in summary
    (constraints_text,) = entry["outputs"]["1"]["text"]
    assert "o1: the blue circle (left)" in constraints_text


def test_a_violated_relation_fails_with_a_red_box(comfy_server):
    entry = comfy_server.run(graph("a red triangle to the left of a blue circle", rule="layoutgpt"))
    (summary,) = entry["outputs"]["3"]["text"]
    assert summary.startswith("FAILED: 4/5 checks") and "rule layoutgpt" in summary
    assert "✗ the red triangle is left of the blue circle — it is 232 px to its right" in summary
    (image,) = entry["outputs"]["4"]["images"]
    overlay = np.asarray(Image.open(io.BytesIO(comfy_server.view(**image))).convert("RGB"))
    assert overlay.shape == (512, 512, 3)
    edge = overlay[250, 277]  # the triangle's box's left edge (x = 276..277), drawn in the failure colour
    assert edge[0] > 180 and edge[1] < 80, edge


def test_bad_prompts_give_a_report_not_an_exception(comfy_server):
    for prompt in ["", "猫と犬が公園にいる", "word " * 10_000, "a cat left of a dog and the dog left of the cat"]:
        entry = comfy_server.run(graph(prompt))
        report = entry["outputs"]["3"]["text"][0]
        assert report.startswith("FAILED")
        assert "note:" in report, report[:300]
    assert comfy_server.alive()
