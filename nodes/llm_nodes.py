"""LLM Sketch: prompt → SVG by any OpenAI-compatible model, checked against the prompt and repaired.

The engine (``llm_sketch.sketch_llm``) does the work; this adapter adds ComfyUI's progress bar, its Cancel button
and the outputs. No widget ever holds an API key: keys come from the environment or ``llm_sketch.toml``, whose
profiles the ``provider`` widget may name.
"""

from __future__ import annotations

import hashlib
import json

from ..llm_sketch.errors import SketchError
from ._comfy import CATEGORY, DEFAULT_PROMPT, LAYOUT, image_tensor, io, node_error, output
from .sketch_edit import EDITED_SVG_INPUT, edited_outputs, is_edited, sketch_ui

KEY_HELP = ("The API key is never a widget (widgets are saved in workflows and in every image's metadata): set "
            "LLM_SKETCH_API_KEY (or OPENAI_API_KEY) where ComfyUI starts, or name a profile of llm_sketch.toml.")


def _providers() -> list[str]:
    from ..llm_sketch.llm import provider_names

    return provider_names()


class LLMSketch(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_LLMSketch",
            display_name="LLM Sketch",
            category=f"{CATEGORY}/sketch",
            description="An LLM (OpenAI, Ollama, llama.cpp, vLLM, LM Studio or any OpenAI-compatible server) draws "
                        "the prompt as SVG. Each sketch is checked against the prompt's objects, colours and "
                        "relations; failed checks are sent back in words for a corrected sketch. Replies are "
                        "cached on disk: the same inputs and seed make no new request. " + KEY_HELP,
            inputs=[
                io.String.Input("prompt", multiline=True, default=DEFAULT_PROMPT,
                                tooltip="The scene in words; its objects, colours, counts and spatial relations "
                                        "become the checklist the sketch is held to."),
                io.Combo.Input("provider", options=_providers(), default="openai",
                               tooltip="A provider preset (openai, ollama 127.0.0.1:11434, llama.cpp :8080, vllm "
                                       ":8000, lmstudio :1234, custom = base_url) or a profile named in "
                                       "llm_sketch.toml. " + KEY_HELP),
                io.String.Input("model", default="",
                                tooltip="The model id as the server knows it (gpt-4o-mini, qwen2.5-coder:7b, …). "
                                        "Empty: the provider's or profile's default."),
                io.String.Input("base_url", default="",
                                tooltip="Optional: another address for the server, e.g. http://192.168.1.20:11434/v1 "
                                        "(required for custom). An API key is sent only to the provider's own "
                                        "address, this machine, a profile's address or LLM_SKETCH_KEY_HOSTS."),
                io.Int.Input("width", default=1024, min=64, max=4096, step=8,
                             tooltip="The canvas the sketch is drawn and measured on, in pixels."),
                io.Int.Input("height", default=1024, min=64, max=4096, step=8, tooltip="The canvas height."),
                io.Int.Input("seed", default=0, min=0, max=0xFFFFFFFFFFFFFFFF, control_after_generate=True,
                             tooltip="Sent to the server (candidate i gets seed + i). The same seed and inputs "
                                     "give the cached sketch without a request; change it for a new one."),
                io.Float.Input("temperature", default=0.7, min=0.0, max=2.0, step=0.05,
                               tooltip="Sampling temperature: higher gives more varied sketches."),
                io.Int.Input("candidates", default=1, min=1, max=8,
                             tooltip="Sketches requested at once (best of N, ranked by the checks). Costs N "
                                     "requests per round; the wait is about that of one."),
                io.Int.Input("max_repairs", default=2, min=0, max=5,
                             tooltip="Rounds that send the failed checks back for a corrected sketch. A run costs "
                                     "at most candidates × (1 + max_repairs) requests, fewer when one passes."),
                io.Combo.Input("fallback", options=["none", "planner"], default="none",
                               tooltip="When no sketch passes (or the server fails): none = the best sketch with "
                                       "its report (or the error); planner = the offline planner's sketch."),
                EDITED_SVG_INPUT,
            ],
            outputs=[
                output(io.String, "svg", tooltip="The sketch as sanitized SVG."),
                output(LAYOUT, "layout", tooltip="Its objects: label, colour, box, drawing order."),
                output(io.String, "report", tooltip="Which sketch was kept, what it cost in requests, and every "
                                                    "check with its verdict."),
                output(io.Image, "image", tooltip="The sketch rendered on white at width × height."),
            ],
        )

    @classmethod
    def fingerprint_inputs(cls, prompt=None, provider=None, model=None, base_url=None, width=None, height=None,
                           seed=None, temperature=None, candidates=None, max_repairs=None, fallback=None,
                           edited_svg=None):
        """Same inputs and seed → same fingerprint → ComfyUI reuses the output. A profile's settings (never its
        key) are included, so editing llm_sketch.toml re-runs the node."""
        from ..llm_sketch.llm import LLMError, resolve_settings

        try:
            settings = resolve_settings(provider or "openai", model or "", base_url or "").public()
        except (LLMError, TypeError):
            settings = None
        data = [prompt, provider, model, base_url, width, height, seed, temperature, candidates, max_repairs,
                fallback, settings] + ([edited_svg] if is_edited(edited_svg) else [])
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

    @classmethod
    def execute(cls, prompt, provider, model, base_url, width, height, seed, temperature, candidates, max_repairs,
                fallback, edited_svg="") -> io.NodeOutput:
        import comfy.model_management
        import comfy.utils

        from ..llm_sketch.llm import Cancelled, client_from
        from ..llm_sketch.parse import parse
        from ..llm_sketch.render import rasterize
        from ..llm_sketch.sketch_llm import sketch_with_llm
        from ..llm_sketch.svgsafe import sanitize

        if is_edited(edited_svg):  # the sketch edited by hand in the preview: used instead of asking the model
            try:
                edited, rgba, ui = edited_outputs(edited_svg, parse(prompt), width, height)
            except SketchError as exc:
                raise node_error(exc, "LLM Sketch") from None
            return io.NodeOutput(edited.svg, edited.layout, edited.summary(), image_tensor(rgba), ui=ui)

        steps = 100
        bar = comfy.utils.ProgressBar(candidates * (1 + max_repairs) * steps)

        def progress(done: float, total: int, note: str) -> None:
            bar.update_absolute(int(done * steps), total * steps)  # (the hook raises if Cancel was pressed)

        client = None
        try:
            client = client_from(provider, model, base_url, temperature=float(temperature))
            result = sketch_with_llm(prompt, client, width=width, height=height, seed=seed, candidates=candidates,
                                     max_repairs=max_repairs, fallback=fallback, progress=progress,
                                     cancel=comfy.model_management.processing_interrupted)
            doc = sanitize(result.svg)  # once, for the render and the preview
            rgba = rasterize(doc, width, height, background="white")
        except Cancelled:
            comfy.model_management.throw_exception_if_processing_interrupted()
            raise
        except SketchError as exc:
            raise node_error(exc, "LLM Sketch") from None
        finally:
            if client is not None:
                client.close()
        summary = result.summary()
        try:  # the kept sketch was measured and checked (GenEval) at this size: the preview reuses that
            ui = sketch_ui(doc, width, height, result.constraints, summary, edited=False,
                           measured=(result.layout, result.report))
        except SketchError:
            ui = {"text": [summary]}
        return io.NodeOutput(result.svg, result.layout, summary, image_tensor(rgba), ui=ui)
