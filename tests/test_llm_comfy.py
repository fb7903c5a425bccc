"""LLM Sketch inside a real ComfyUI 0.3.75, pointed at the scripted OpenAI-compatible test server.

A ComfyUI of its own (started with the fake key, a cache folder and a config file in its environment): the graph
runs, the progress bar moves (read from ComfyUI's websocket), Cancel stops a hanging request, ComfyUI's cache and the
seed decide when a request is made, and the fake key appears in no output: not the API graph or workflow in the
saved PNG's metadata, the SVG, the history, the cache, the server log nor the error shown on the node.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
import urllib.request

import pytest
from PIL import Image

import comfy_harness
from llm_server import CORRECT_SVG, LLMServer, hang, reply, status

pytestmark = pytest.mark.comfy

SECRET = "sk-test-SECRET-1234567890abcdef"
WRONG_SVG = CORRECT_SVG.replace('cx="128"', 'cx="450"').replace("384,176 464,336 304,336", "84,176 164,336 4,336")


@pytest.fixture(scope="module")
def llm():
    with LLMServer() as server:
        yield server


@pytest.fixture(scope="module")
def comfy(tmp_path_factory, llm):
    base = tmp_path_factory.mktemp("comfyui-llm")
    config = base / "llm_sketch.toml"
    config.write_text(f'[profiles.testserver]\nbase_url = "{llm.url}"\nmodel = "test-model"\n')
    server = comfy_harness.start_server(base, env={
        "LLM_SKETCH_API_KEY": SECRET, "OPENAI_API_KEY": None, "LLM_SKETCH_CACHE_DIR": str(base / "llm-cache"),
        "LLM_SKETCH_CONFIG": str(config)})
    server.cache_dir = base / "llm-cache"
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fresh(llm):
    llm.reset()
    llm.default = status(500, "the test server's script ran out of replies")


def graph(llm, seed=0, prefix="llm/sketch", provider="custom", base_url=None, **inputs) -> dict:
    node = {"prompt": "a blue circle on the left and a red triangle on the right", "provider": provider,
            "model": "test-model", "base_url": llm.url if base_url is None else base_url, "width": 256,
            "height": 256, "seed": seed, "temperature": 0.7, "candidates": 1, "max_repairs": 2, "fallback": "none"}
    node.update(inputs)
    return {
        "1": {"class_type": "LLMSketch_LLMSketch", "inputs": node},
        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 3], "filename_prefix": prefix}},
        "3": {"class_type": "LLMSketch_SaveSVG", "inputs": {"svg": ["1", 0], "filename_prefix": prefix}},
    }


def ui_workflow(api: dict) -> dict:
    """The UI-format workflow the frontend would embed: widget values as saved by the browser."""
    node = api["1"]["inputs"]
    values = [node[k] for k in ("prompt", "provider", "model", "base_url", "width", "height", "seed")] + [
        "randomize"] + [node[k] for k in ("temperature", "candidates", "max_repairs", "fallback")]
    return {"last_node_id": 3, "nodes": [{"id": 1, "type": "LLMSketch_LLMSketch", "widgets_values": values}],
            "links": [], "version": 0.4}


def queue_with_workflow(comfy, api: dict) -> str:
    body = json.dumps({"prompt": api, "client_id": comfy.client_id,
                       "extra_data": {"extra_pnginfo": {"workflow": ui_workflow(api)}}}).encode()
    request = urllib.request.Request(comfy.url + "/prompt", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["prompt_id"]


class Listener:
    """ComfyUI's websocket for our client id (aiohttp, which ComfyUI itself needs), in a thread."""

    def __init__(self, comfy):
        self.url = comfy.url.replace("http://", "ws://") + f"/ws?clientId={comfy.client_id}"
        self.messages: list[dict] = []
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._listen()), daemon=True)

    async def _listen(self):
        import aiohttp

        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(self.url) as ws:
                self.ready.set()
                while not self.stop.is_set():
                    try:
                        msg = await ws.receive(timeout=0.2)
                    except asyncio.TimeoutError:
                        continue
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        self.messages.append(json.loads(msg.data))
                    elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(10), "could not connect to ComfyUI's websocket"
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)

    def progress(self, prompt_id: str) -> list[tuple[int, int]]:
        return [(m["data"]["value"], m["data"]["max"]) for m in self.messages
                if m.get("type") == "progress" and m["data"].get("prompt_id") == prompt_id
                and m["data"].get("node") == "1"]


def test_the_node_is_listed_with_presets_and_profiles_and_no_key_widget(comfy):
    spec = comfy.object_info()["LLMSketch_LLMSketch"]
    required = spec["input"]["required"]
    providers = required["provider"][1]["options"] if isinstance(required["provider"][1], dict) and \
        "options" in required["provider"][1] else required["provider"][0]
    assert {"openai", "ollama", "llama.cpp", "vllm", "lmstudio", "custom", "testserver"} <= set(providers)
    assert required["seed"][1].get("control_after_generate") is True
    assert not any("key" in name for name in list(required) + list(spec["input"].get("optional", {})))
    assert spec["output"] == ["STRING", "SKETCH_LAYOUT", "STRING", "IMAGE"]


def test_a_graph_runs_repairs_and_moves_the_progress_bar(comfy, llm):
    llm.script(reply(WRONG_SVG, delay=0.3), reply(CORRECT_SVG, delay=0.3))
    api = graph(llm, seed=1)
    with Listener(comfy) as listener:
        prompt_id = queue_with_workflow(comfy, api)
        entry = comfy.wait(prompt_id, timeout=60)
        time.sleep(0.2)
    assert llm.count == 2  # a violating sketch, then the repaired one
    assert llm.requests[0].headers["authorization"] == f"Bearer {SECRET}"  # the key reached the server only
    (report,) = entry["outputs"]["1"]["text"]
    assert report.startswith("LLM sketch: candidate 1, round 1 (after repairs); 2 replies, 2 requests")
    assert "PASSED: 7/7 checks" in report
    moves = listener.progress(prompt_id)
    assert moves and moves[-1][0] == moves[-1][1] == 300, moves  # 1 × (1 + 2 repairs) rounds, 100 steps each
    values = [v for v, _ in moves]
    assert values == sorted(values) and any(0 < v < 300 for v in values), moves
    (image,) = entry["outputs"]["2"]["images"]
    png = comfy.view(**image)
    with Image.open(io.BytesIO(png)) as saved:
        assert saved.size == (256, 256)
        assert saved.convert("RGB").getpixel((64, 128))[2] > 200  # the blue circle on the left
        metadata = dict(saved.text)
    assert "LLMSketch_LLMSketch" in metadata["prompt"] and "LLMSketch_LLMSketch" in metadata["workflow"]
    for text in [*metadata.values(), png.decode("latin-1")]:
        assert SECRET not in text


def test_same_inputs_and_seed_make_no_request_and_a_new_seed_does(comfy, llm):
    llm.script(reply(CORRECT_SVG))
    comfy.run(graph(llm, seed=5, prefix="llm/a"))
    assert llm.count == 1
    comfy.run(graph(llm, seed=5, prefix="llm/b"))  # only the save node's input changed
    assert llm.count == 1
    llm.script(reply(CORRECT_SVG))
    comfy.run(graph(llm, seed=6, prefix="llm/b"))
    assert llm.count == 2


def test_a_profile_names_the_server(comfy, llm):
    llm.script(reply(CORRECT_SVG))
    entry = comfy.run(graph(llm, seed=11, provider="testserver", base_url="", model=""))
    assert llm.count == 1 and llm.bodies()[0]["model"] == "test-model"
    assert "PASSED" in entry["outputs"]["1"]["text"][0]


def test_401_shows_on_the_node_naming_the_variable_without_the_key(comfy, llm):
    llm.script(status(401, f"Incorrect API key provided: {SECRET}"))
    with pytest.raises(comfy_harness.ComfyError) as info:
        comfy.run(graph(llm, seed=21))
    message = str(info.value)
    assert llm.count == 1
    assert "node 1 (LLMSketch_LLMSketch) failed" in message and "401 Unauthorized" in message
    assert "LLM_SKETCH_API_KEY" in message and SECRET not in message


def test_cancel_stops_a_hanging_request(comfy, llm):
    llm.script(hang(30))
    prompt_id = comfy.queue(graph(llm, seed=31))
    deadline = time.monotonic() + 20
    while llm.count == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert llm.count == 1
    time.sleep(0.3)
    pressed = time.monotonic()
    urllib.request.urlopen(urllib.request.Request(comfy.url + "/interrupt", data=b"{}", method="POST"), timeout=10)
    with pytest.raises(comfy_harness.ComfyError, match="execution_interrupted"):
        comfy.wait(prompt_id, timeout=20)
    assert time.monotonic() - pressed < 3
    assert llm.count == 1 and comfy.alive()


def test_no_secret_in_any_output(comfy, llm):
    """Runs last in this module: every file ComfyUI and the pack wrote, the history and the log."""
    llm.script(reply(CORRECT_SVG))
    comfy.run(graph(llm, seed=41, prefix="llm/final"))
    history = comfy._request("/history")
    files = [p for p in comfy.base_dir.rglob("*") if p.is_file() and "custom_nodes" not in p.parts]
    assert any(p.suffix == ".svg" for p in files) and any(p.suffix == ".png" for p in files)
    assert list(comfy.cache_dir.rglob("*.json")), "the node wrote no cache entry"
    leaks = [str(p) for p in files if SECRET.encode() in p.read_bytes()]
    assert leaks == []
    assert SECRET.encode() not in history
    assert SECRET not in comfy.log_text()
