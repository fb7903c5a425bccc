"""Layouts: SVG to Layout, Layout Preview."""

from __future__ import annotations

from ..llm_sketch.errors import SketchError
from ._comfy import CATEGORY, LAYOUT, image_array, image_tensor, io, mask_tensor, node_error, output
from .svg_nodes import FITS, SVG_TOOLTIP


class SVGToLayout(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_SVGToLayout",
            display_name="SVG to Layout",
            category=f"{CATEGORY}/layout",
            description="Find the objects of an SVG sketch: label (data-label, id or title), shape, colour, box in "
                        "output pixels and drawing order, plus one mask per object.",
            inputs=[
                io.String.Input("svg", multiline=True, default="", tooltip=SVG_TOOLTIP),
                io.Int.Input("width", default=1024, min=8, max=8192, step=8,
                             tooltip="Output width in pixels (use the same size as the rasterized image)."),
                io.Int.Input("height", default=1024, min=8, max=8192, step=8, tooltip="Output height in pixels."),
                io.Combo.Input("fit", options=FITS, default="contain",
                               tooltip="How the viewBox maps onto the output (as in Rasterize SVG)."),
                io.Boolean.Input("visible_only", default=False,
                                 tooltip="Masks: only the part of each object not covered by objects drawn later."),
            ],
            outputs=[
                output(LAYOUT, "layout", tooltip="The objects with labels, colours and boxes."),
                output(io.Mask, "masks", tooltip="One mask per object, in layout order (a single empty mask when "
                                                 "the sketch has no objects)."),
                output(io.String, "labels", tooltip="The object labels, one per line, in layout order."),
                output(io.String, "layout_json", tooltip="The layout as JSON."),
            ],
        )

    @classmethod
    def execute(cls, svg, width, height, fit, visible_only) -> io.NodeOutput:
        import numpy as np

        from ..llm_sketch.layout import extract_layout, object_masks
        from ..llm_sketch.svgsafe import sanitize

        try:
            doc = sanitize(svg)
            layout = extract_layout(doc, width, height, fit=fit)
            masks = object_masks(doc, width, height, fit=fit, visible_only=visible_only)
        except SketchError as exc:
            raise node_error(exc, "SVG to Layout") from None
        if masks.shape[0] == 0:
            masks = np.zeros((1, height, width), dtype=np.float32)
        labels = "\n".join(o.label for o in layout.objects)
        return io.NodeOutput(layout, mask_tensor(masks), labels, layout.to_json(),
                             ui={"text": [f"{len(layout.objects)} objects: " + ", ".join(
                                 o.label for o in layout.objects)]})


class LayoutPreview(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_LayoutPreview",
            display_name="Layout Preview",
            category=f"{CATEGORY}/layout",
            description="Draw each object's box and label over an image.",
            inputs=[io.Image.Input("image", tooltip="The image to draw on (boxes are scaled to its size)."),
                    LAYOUT.Input("layout", tooltip="A layout from SVG to Layout.")],
            outputs=[output(io.Image, "preview", tooltip="The image with labelled boxes.")],
        )

    @classmethod
    def execute(cls, image, layout) -> io.NodeOutput:
        import torch

        from ..llm_sketch.preview import draw_layout

        try:
            frames = [image_tensor(draw_layout(image_array(image, i), layout)) for i in range(image.shape[0])]
        except SketchError as exc:
            raise node_error(exc, "Layout Preview") from None
        return io.NodeOutput(torch.cat(frames, dim=0))
