"""ComfyUI-LLM-Sketch: layout-faithful image generation — an LLM (or the offline planner) draws the prompt as SVG,
and the sketch guides the image model. ComfyUI loads this file; the engine lives in ``llm_sketch/``.

V3 entry point only (exporting NODE_CLASS_MAPPINGS too would make ComfyUI ignore ``comfy_entrypoint``).
Nothing heavy happens at import: nodes import the engine when they run.
"""

WEB_DIRECTORY = "./js"


async def comfy_entrypoint():
    from .nodes import LLMSketchExtension

    return LLMSketchExtension()
