"""Thin ComfyUI (V3) adapters over the ``llm_sketch`` engine, one module per stage."""

from ._comfy import ComfyExtension, io
from .check_nodes import CheckLayout, ParseConstraints
from .control_nodes import LayoutToGLIGEN, LayoutToRegionalConditioning, SketchToControl
from .detect_nodes import ImageToLayout, MasksToLayout
from .layout_nodes import LayoutPreview, SVGToLayout
from .llm_nodes import LLMSketch
from .plan_nodes import PlanSketch
from .svg_nodes import LoadSVG, RasterizeSVG, SaveSVG

NODES: list[type[io.ComfyNode]] = [LoadSVG, RasterizeSVG, SaveSVG, SVGToLayout, LayoutPreview, ParseConstraints,
                                   CheckLayout, LLMSketch, PlanSketch, SketchToControl, LayoutToRegionalConditioning,
                                   LayoutToGLIGEN, ImageToLayout, MasksToLayout]


class LLMSketchExtension(ComfyExtension):
    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        from .sketch_edit import register_routes

        register_routes()  # POST /llm_sketch/edit, for the sketch editor (js/sketch_preview.js)
        return NODES
