"""Layouts from images: Image to Layout (colour blobs and shapes) and Masks to Layout (any segmentation pack)."""

from __future__ import annotations

from ..llm_sketch.errors import SketchError
from ._comfy import CATEGORY, CONSTRAINTS, LAYOUT, image_array, io, mask_tensor, node_error, output


class ImageToLayout(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_ImageToLayout",
            display_name="Image to Layout",
            category=f"{CATEGORY}/layout",
            description="Find the prompt's objects in an image by colour and shape (colour regions named with the "
                        "eleven basic colour words, shapes compared with circle, square, triangle, star, …), so "
                        "Check Layout can judge the generated image. Made for the sketch's kind of picture: "
                        "coloured shapes and objects that keep the sketch's colours. For other images, connect a "
                        "segmentation pack's masks to Masks to Layout.",
            inputs=[
                io.Image.Input("image", tooltip="The image to look at (the first of a batch)."),
                CONSTRAINTS.Input("constraints", tooltip="What to look for (from Parse Constraints)."),
                io.Float.Input("min_area", default=0.0015, min=0.0, max=0.5, step=0.0005,
                               tooltip="Ignore colour regions smaller than this share of the image."),
                io.Boolean.Input("extras", default=True,
                                 tooltip="Keep regions that match no object of the prompt, named by colour and "
                                         "shape (\"red circle\"), so a wrong colour is reported as such."),
            ],
            outputs=[
                output(LAYOUT, "layout", tooltip="The objects found, labelled as the prompt names them."),
                output(io.Mask, "masks", tooltip="One mask per object, in layout order (a single empty mask when "
                                                 "nothing is found)."),
                output(io.String, "labels", tooltip="The object labels, one per line."),
            ],
        )

    @classmethod
    def execute(cls, image, constraints, min_area, extras) -> io.NodeOutput:
        import numpy as np

        from ..llm_sketch.detect import detect_layout

        try:
            layout, masks = detect_layout(image_array(image), constraints, min_area=float(min_area),
                                          extras=bool(extras))
        except SketchError as exc:
            raise node_error(exc, "Image to Layout") from None
        if masks.shape[0] == 0:
            masks = np.zeros((1, layout.height, layout.width), dtype=np.float32)
        labels = "\n".join(o.label for o in layout.objects)
        found = ", ".join(f"{o.label} ({o.color.get('name')} {o.shape})" for o in layout.objects) or "nothing"
        return io.NodeOutput(layout, mask_tensor(masks), labels,
                             ui={"text": [f"{len(layout.objects)} object(s): {found}"]})


class MasksToLayout(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_MasksToLayout",
            display_name="Masks to Layout",
            category=f"{CATEGORY}/layout",
            description="Turn masks from any segmentation or detection node (one mask per object) and their labels "
                        "into a layout for Check Layout. Later masks count as in front of earlier ones.",
            inputs=[
                io.Mask.Input("masks", tooltip="One mask per object (a batch)."),
                io.String.Input("labels", multiline=True, default="",
                                tooltip="The objects' labels, one per line (or comma-separated), in the masks' "
                                        "order; missing ones become \"object N\"."),
                io.Float.Input("threshold", default=0.5, min=0.0, max=1.0, step=0.01,
                               tooltip="A pixel belongs to the object where the mask is at least this."),
                io.Image.Input("image", optional=True,
                               tooltip="Optional: the image, to name each object's colour (the mean under its "
                                       "mask)."),
            ],
            outputs=[output(LAYOUT, "layout", tooltip="The objects, with boxes from the masks.")],
        )

    @classmethod
    def execute(cls, masks, labels, threshold, image=None) -> io.NodeOutput:
        from ..llm_sketch.detect import masks_to_layout

        try:
            layout = masks_to_layout(masks.cpu().numpy(), labels, None if image is None else image_array(image),
                                     threshold=float(threshold))
        except SketchError as exc:
            raise node_error(exc, "Masks to Layout") from None
        found = ", ".join(o.label for o in layout.objects) or "nothing (every mask is empty)"
        return io.NodeOutput(layout, ui={"text": [f"{len(layout.objects)} object(s): {found}"]})
