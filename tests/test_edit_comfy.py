"""The sketch editor's server side in the real ComfyUI: the hidden edited_svg input, the preview payload, and
POST /llm_sketch/edit (JSON in, sanitized SVG and layout out; every bad field a 400)."""

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.comfy

PROMPT = "a cat to the left of a dog"


def post(server, body, content_type="application/json", path="/llm_sketch/edit"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def graph(edited_svg=None):
    inputs = {"prompt": PROMPT, "width": 512, "height": 512, "seed": 0, "style": "auto"}
    if edited_svg is not None:
        inputs["edited_svg"] = edited_svg
    return {"1": {"class_type": "LLMSketch_PlanSketch", "inputs": inputs},
            "2": {"class_type": "LLMSketch_ParseConstraints", "inputs": {"prompt": PROMPT}},
            "3": {"class_type": "LLMSketch_CheckLayout",
                  "inputs": {"layout": ["1", 1], "constraints": ["2", 0], "rule": "geneval"}}}


def test_the_sketch_nodes_have_a_hidden_socketless_edited_svg_input(comfy_server):
    info = comfy_server.object_info()
    for node in ("LLMSketch_PlanSketch", "LLMSketch_LLMSketch"):
        optional = info[node]["input"]["optional"]
        kind, options = optional["edited_svg"]
        assert kind == "STRING" and options["hidden"] is True and options["socketless"] is True
        assert options["default"] == "" and options["tooltip"]
        order = info[node]["input_order"]
        assert order["optional"][-1] == "edited_svg"  # appended: saved widgets_values keep their positions


def test_a_run_sends_the_preview_and_an_edit_is_used_by_the_next_run(comfy_server):
    entry = comfy_server.run(graph())
    (payload,) = entry["outputs"]["1"]["sketch"]
    assert payload["edited"] is False and payload["passed"] is True
    assert [o["label"] for o in payload["layout"]["objects"]] == ["cat", "dog"]
    assert all(v["passed"] for v in payload["verdicts"].values())
    assert entry["outputs"]["3"]["text"][0].startswith("PASSED")

    cat, dog = (o["bbox"] for o in payload["layout"]["objects"])
    dx = min((dog[0] + dog[2]) / 2 - (cat[0] + cat[2]) / 2 + 20, 512 - cat[2])
    status, edited = post(comfy_server, {"svg": payload["svg"], "width": 512, "height": 512,
                                         "edits": [{"op": "move", "object": "o0", "label": "cat", "dx": dx, "dy": 0}],
                                         "constraints": payload["constraints"]})
    assert status == 200, edited
    assert edited["edited"] is True and edited["passed"] is False
    assert edited["layout"]["objects"][0]["bbox"][0] == pytest.approx(cat[0] + dx, abs=0.01)

    entry = comfy_server.run(graph(edited["svg"]))
    (payload,) = entry["outputs"]["1"]["sketch"]
    assert payload["edited"] is True and payload["svg"] == edited["svg"]
    assert payload["layout"] == edited["layout"]
    report = entry["outputs"]["3"]["text"][0]
    assert report.startswith("FAILED") and "✗ the cat is left of the dog" in report
    assert "edited sketch" in entry["outputs"]["1"]["text"][0]

    entry = comfy_server.run(graph(""))  # reset to generated: planned again
    assert entry["outputs"]["1"]["sketch"][0]["edited"] is False
    assert entry["outputs"]["3"]["text"][0].startswith("PASSED")


def test_llm_sketch_uses_an_edited_sketch_without_asking_the_model(comfy_server):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><circle data-label="blue circle" '
           'cx="200" cy="128" r="30" fill="#1e88e5"/><path data-label="red triangle" d="M20 150 L60 80 L100 150 Z" '
           'fill="#e53935"/></svg>')
    api = {"1": {"class_type": "LLMSketch_LLMSketch",
                 "inputs": {"prompt": "a blue circle on the left and a red triangle on the right",
                            "provider": "custom", "model": "none", "base_url": "http://127.0.0.1:9/v1",
                            "width": 256, "height": 256, "seed": 0, "temperature": 0.7, "candidates": 1,
                            "max_repairs": 0, "fallback": "none", "edited_svg": svg}},
           "2": {"class_type": "LLMSketch_SaveSVG", "inputs": {"svg": ["1", 0], "filename_prefix": "test/edited"}}}
    entry = comfy_server.run(api)  # port 9 answers nothing: a request would fail the run
    (payload,) = entry["outputs"]["1"]["sketch"]
    assert payload["edited"] is True and payload["passed"] is False
    assert {o["label"] for o in payload["layout"]["objects"]} == {"blue circle", "red triangle"}


@pytest.mark.parametrize("body, status, message", [
    ({"svg": "<svg/>", "width": 64, "height": 64, "edits": [], "path": "/etc/passwd"}, 400, "unknown field"),
    ({"svg": "", "width": 64, "height": 64}, 400, "svg must be"),
    ({"svg": "<svg/>", "width": 0, "height": 64}, 400, "width must be"),
    ({"svg": "<svg/>", "width": 64, "height": 64, "edits": "all"}, 400, "list"),
    ({"svg": "<svg/>", "width": 64, "height": 64, "rule": "mine"}, 400, "rule must be"),
    ({"svg": "<svg/>", "width": 64, "height": 64, "constraints": "a cat"}, 400, "constraints must be"),
    ({"svg": "not svg at all", "width": 64, "height": 64}, 400, "not an SVG"),
    ({"svg": '<!DOCTYPE x [<!ENTITY a "b">]><svg/>', "width": 64, "height": 64}, 400, "entities"),
    ([1, 2], 400, "JSON object"),
])
def test_the_route_validates_everything(comfy_server, body, status, message):
    code, answer = post(comfy_server, body)
    assert code == status and message in answer["error"]


def test_the_route_takes_json_only_and_answers_sanitized_svg(comfy_server):
    assert post(comfy_server, b"svg=<svg/>", "application/x-www-form-urlencoded")[0] == 415
    assert post(comfy_server, b"{not json", "application/json")[0] == 400
    assert post(comfy_server, b"x" * 3_100_000, "application/json")[0] == 413
    hostile = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" onload="alert(1)"><script>alert(2)'
               '</script><rect id="box" x="1" y="1" width="9" height="9" fill="red"/></svg>')
    code, answer = post(comfy_server, {"svg": hostile, "width": 64, "height": 64,
                                       "edits": [{"op": "move", "object": "o0", "dx": 10, "dy": 10}]})
    assert code == 200 and "script" not in answer["svg"] and "alert" not in answer["svg"]
    assert answer["layout"]["objects"][0]["bbox"] == [11, 11, 20, 20]
    code, answer = post(comfy_server, {"svg": hostile, "width": 64, "height": 64, "edits": []}, path="/api/llm_sketch/edit")
    assert code == 200 and answer["edited"] is False
