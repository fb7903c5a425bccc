"""From sketch to sampler: Sketch to Control (control maps), Layout to Regional Conditioning, Layout to GLIGEN.

The conditioning nodes build exactly what ComfyUI's own nodes build — ``ConditioningSetMask``'s entries (mask,
``set_area_to_bounds``, ``mask_strength``) and ``GLIGENTextBoxApply``'s position boxes — so every sampler, and every
node that reads conditioning, treats them as it treats those. Inputs are copied, never changed.
"""

from __future__ import annotations

from ..llm_sketch.errors import SketchError
from ._comfy import CATEGORY, CONSTRAINTS, LAYOUT, image_tensor, io, mask_tensor, node_error, output

KIND_TOOLTIP = ("filled: the colour sketch on white (img2img init, tile or colour adapters); scribble: white strokes "
                "on black along each object's outline (ControlNet scribble); lineart: black lines on white, outlines "
                "and inner lines (ControlNet lineart); edges: 1-px white lines on black where the drawing's colour "
                "changes (ControlNet canny); segmentation: flat fills in the ADE20K colour of each object's class "
                "(ControlNet seg); depth: nearer objects brighter, from drawing order and overlap (ControlNet depth).")
TEMPLATE_TOOLTIP = ("The prompt for each object: {label}, {color} and {shape} are filled in from the layout "
                    "(\"a {color} {label}, detailed\"). A colour or shape unknown, or already in the label, is left "
                    "out.")


def object_prompt(template: str, obj) -> str:
    """``template`` with {label}, {color}, {shape} of a layout object (unknown fields empty, spaces tidied)."""
    import re

    color = (obj.color or {}).get("name") or ""
    words = obj.label.lower().split()
    values = {"label": obj.label, "color": "" if color in words else color,  # ("red circle" is not "red red …")
              "shape": "" if (obj.shape or "") in words else (obj.shape or "")}
    try:
        text = template.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"the prompt template {template!r} cannot be filled in ({exc}): use {{label}}, {{color}} "
                         f"and {{shape}}, and double other braces ({{{{ }}}})") from None
    return re.sub(r"\s+", " ", text).strip() or obj.label


class SketchToControl(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        from ..llm_sketch.control import KINDS

        return io.Schema(
            node_id="LLMSketch_SketchToControl",
            display_name="Sketch to Control",
            category=f"{CATEGORY}/control",
            description="Draw a control map of the sketch at the size you generate at (snapped to multiples of 8 or "
                        "64): the filled sketch, scribble, lineart, edges, segmentation or depth. Feed it to "
                        "Apply ControlNet, or the filled sketch to VAE Encode for img2img.",
            inputs=[
                io.String.Input("svg", force_input=True, tooltip="The sketch (from Plan Sketch, LLM Sketch or Load "
                                                                 "SVG)."),
                io.Combo.Input("kind", options=list(KINDS), default="scribble", tooltip=KIND_TOOLTIP),
                io.Int.Input("width", default=1024, min=8, max=8192, step=8,
                             tooltip="The generation width in pixels (snapped)."),
                io.Int.Input("height", default=1024, min=8, max=8192, step=8,
                             tooltip="The generation height in pixels (snapped)."),
                io.Combo.Input("snap", options=["8", "64"], default="8",
                               tooltip="Round the size to multiples of 8 (latent pixels) or 64."),
                io.Int.Input("stroke_width", default=0, min=0, max=64,
                             tooltip="Line width in pixels for scribble and lineart; 0 = automatic (about 1/170 "
                                     "of the shorter side for scribble, 1/256 for lineart)."),
                io.Combo.Input("fit", options=["contain", "cover", "stretch", "auto"], default="contain",
                               tooltip="How the sketch's viewBox maps onto the size (as in Rasterize SVG)."),
                CONSTRAINTS.Input("constraints", optional=True,
                                  tooltip="Optional, for depth: \"in front of\"/\"behind\" in the prompt order "
                                          "objects that do not overlap."),
            ],
            outputs=[output(io.Image, "image", tooltip="The control map (RGB)."),
                     output(io.Int, "snapped_width", display_name="width",
                            tooltip="The snapped width: wire it to Empty Latent Image."),
                     output(io.Int, "snapped_height", display_name="height", tooltip="The snapped height.")],
        )

    @classmethod
    def execute(cls, svg, kind, width, height, snap, stroke_width, fit, constraints=None) -> io.NodeOutput:
        from ..llm_sketch.control import control_map

        try:
            rgb = control_map(svg, kind, width, height, snap=int(snap), stroke_width=stroke_width, fit=fit,
                              constraints=constraints)
        except SketchError as exc:
            raise node_error(exc, "Sketch to Control") from None
        return io.NodeOutput(image_tensor(rgb), int(rgb.shape[1]), int(rgb.shape[0]))


class LayoutToRegionalConditioning(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_LayoutToRegionalConditioning",
            display_name="Layout to Regional Conditioning",
            category=f"{CATEGORY}/conditioning",
            description="Prompt each object of the layout in its own region: one conditioning per object (its "
                        "prompt from the template, masked to its box or shape, as Conditioning (Set Mask) builds "
                        "it), combined with the base conditioning, which still covers the whole image.",
            inputs=[
                io.Clip.Input("clip", tooltip="The text encoder (from the checkpoint loader)."),
                LAYOUT.Input("layout", tooltip="The objects and their boxes (Plan Sketch, LLM Sketch, SVG to "
                                               "Layout, …)."),
                io.Conditioning.Input("conditioning", tooltip="The base conditioning (the whole prompt), kept "
                                                              "as it is."),
                io.String.Input("template", default="{label}", tooltip=TEMPLATE_TOOLTIP),
                io.Float.Input("strength", default=1.0, min=0.0, max=10.0, step=0.01,
                               tooltip="Each region's mask strength (Conditioning (Set Mask)'s strength)."),
                io.Combo.Input("mask", options=["box", "shape"], default="box",
                               tooltip="box: each object's box; shape: its drawn shape (the masks input, e.g. SVG to "
                                       "Layout's masks; without it, the layout's shape name drawn in the box)."),
                io.Int.Input("feather", default=0, min=0, max=256,
                             tooltip="Soften the mask edges over this many pixels (of the layout's size)."),
                io.Combo.Input("set_cond_area", options=["default", "mask bounds"], default="default",
                               tooltip="As in Conditioning (Set Mask): mask bounds samples each region's box at "
                                       "full resolution."),
                io.Mask.Input("masks", optional=True,
                              tooltip="Optional: the objects' own masks, one per object in layout order (SVG to "
                                      "Layout's masks), for mask = shape."),
            ],
            outputs=[output(io.Conditioning, "regional_conditioning", display_name="conditioning",
                            tooltip="The base entries, then one masked entry per object."),
                     output(io.Mask, "region_masks", display_name="masks",
                            tooltip="The region masks, one per object (to preview them).")],
        )

    @classmethod
    def execute(cls, clip, layout, conditioning, template, strength, mask, feather, set_cond_area,
                masks=None) -> io.NodeOutput:
        import node_helpers
        import torch

        from ..llm_sketch.control import region_masks

        if clip is None:
            raise ValueError("Layout to Regional Conditioning: no CLIP model (the checkpoint has no text encoder)")
        try:
            regions = region_masks(layout, mask, None if masks is None else masks.cpu().numpy(), feather)
        except SketchError as exc:
            raise node_error(exc, "Layout to Regional Conditioning") from None
        out = [[t[0], t[1].copy()] for t in conditioning]
        for obj, region in zip(layout.objects, regions):
            if not region.any():
                continue  # an object outside the canvas: no region to prompt
            text = object_prompt(template, obj)
            cond = clip.encode_from_tokens_scheduled(clip.tokenize(text))
            out += node_helpers.conditioning_set_values(cond, {
                "mask": torch.from_numpy(region).unsqueeze(0),
                "set_area_to_bounds": set_cond_area != "default",
                "mask_strength": float(strength)})
        preview = mask_tensor(regions) if regions.shape[0] else torch.zeros((1, layout.height, layout.width))
        return io.NodeOutput(out, preview)


class LayoutToGLIGEN(io.ComfyNode):
    MAX_OBJECTS = 30  # GLIGEN's position network holds 30 boxes

    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_LayoutToGLIGEN",
            display_name="Layout to GLIGEN",
            category=f"{CATEGORY}/conditioning",
            description="Give GLIGEN a text box per layout object (through ComfyUI's GLIGEN Textbox Apply), so "
                        "the model places each object in its box. SD1.x only: GLIGEN models exist for SD 1.4/1.5.",
            inputs=[
                io.Conditioning.Input("conditioning", tooltip="The conditioning to add the boxes to (the "
                                                              "positive prompt)."),
                io.Clip.Input("clip", tooltip="The text encoder (from the SD1.x checkpoint loader)."),
                io.Gligen.Input("gligen", tooltip="From GLIGEN Loader (e.g. gligen_sd14_textbox_pruned."
                                                  "safetensors). SD1.x only."),
                LAYOUT.Input("layout", tooltip="The objects and their boxes."),
                io.String.Input("template", default="{label}", tooltip=TEMPLATE_TOOLTIP),
                io.Int.Input("width", default=0, min=0, max=8192, step=8,
                             tooltip="The width of the image being generated; boxes are scaled from the layout's "
                                     "size. 0 = the layout's size."),
                io.Int.Input("height", default=0, min=0, max=8192, step=8,
                             tooltip="The height of the image being generated. 0 = the layout's size."),
            ],
            outputs=[output(io.Conditioning, "gligen_conditioning", display_name="conditioning",
                            tooltip="The conditioning with one GLIGEN box per object.")],
        )

    @classmethod
    def execute(cls, conditioning, clip, gligen, layout, template, width, height) -> io.NodeOutput:
        import nodes as comfy_nodes  # ComfyUI's own nodes.py

        if len(layout.objects) > cls.MAX_OBJECTS:
            raise ValueError(f"Layout to GLIGEN: GLIGEN takes at most {cls.MAX_OBJECTS} boxes and the layout has "
                             f"{len(layout.objects)} objects; use a simpler prompt or regional conditioning")
        w, h = int(width) or layout.width, int(height) or layout.height
        sx, sy = w / layout.width, h / layout.height
        apply = comfy_nodes.GLIGENTextBoxApply()
        out = [[t[0], t[1].copy()] for t in conditioning]
        for obj in layout.objects:
            x0, y0 = max(0.0, obj.bbox[0] * sx), max(0.0, obj.bbox[1] * sy)
            x1, y1 = min(float(w), obj.bbox[2] * sx), min(float(h), obj.bbox[3] * sy)
            # GLIGEN Textbox Apply works in latent cells of 8 px: the cells the box covers
            cx0, cy0 = int(x0 // 8) * 8, int(y0 // 8) * 8
            bw = max(8, -(-int(round(x1 - cx0)) // 8) * 8)
            bh = max(8, -(-int(round(y1 - cy0)) // 8) * 8)
            (out,) = apply.append(out, clip, gligen, object_prompt(template, obj), bw, bh, cx0, cy0)
        return io.NodeOutput(out)
