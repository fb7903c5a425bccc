"""Plan Sketch: the offline planner (no LLM, no key, no GPU): prompt or CONSTRAINTS → a faithful SVG sketch."""

from __future__ import annotations

from ..llm_sketch.errors import SketchError
from ._comfy import CATEGORY, CONSTRAINTS, DEFAULT_PROMPT, LAYOUT, image_tensor, io, node_error, output
from .sketch_edit import EDITED_SVG_INPUT, edited_outputs, is_edited, sketch_ui

STYLE_TOOLTIP = ("auto: outlined forms, sky and ground when the prompt names an outdoor scene, else plain; scene: "
                 "always sky and ground; plain: always a plain white background; flat: solid silhouettes in each "
                 "object's colour on white, no outlines or details (clean regions for masks).")


class PlanSketch(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_PlanSketch",
            display_name="Plan Sketch",
            category=f"{CATEGORY}/sketch",
            description="Draw the prompt as an SVG sketch with no model: every object placed so the prompt's "
                        "counts, colours, regions and spatial relations hold (checked under the GenEval and "
                        "LayoutGPT rules), in plausible sizes, with depth for in front of / behind. Instant and "
                        "deterministic: the same prompt and seed give the same sketch; change the seed for "
                        "another composition. Relations that cannot hold together are named in the report.",
            inputs=[
                io.String.Input("prompt", multiline=True, default=DEFAULT_PROMPT,
                                tooltip="The scene in words: \"a cat to the left of a dog\", \"three yellow stars "
                                        "over two blue squares\", … Ignored when constraints are connected."),
                io.Int.Input("width", default=1024, min=64, max=4096, step=8, tooltip="Canvas width in pixels."),
                io.Int.Input("height", default=1024, min=64, max=4096, step=8, tooltip="Canvas height in pixels."),
                io.Int.Input("seed", default=0, min=0, max=0xFFFFFFFFFFFFFFFF, control_after_generate=True,
                             tooltip="Another seed gives another valid composition; the same seed the same one."),
                io.Combo.Input("style", options=["auto", "scene", "plain", "flat"], default="auto",
                               tooltip=STYLE_TOOLTIP),
                CONSTRAINTS.Input("constraints", optional=True,
                                  tooltip="Optional: constraints from Parse Constraints (or edited JSON) instead of "
                                          "the prompt."),
                EDITED_SVG_INPUT,
            ],
            outputs=[
                output(io.String, "svg", tooltip="The sketch as SVG (one <g data-label> per object)."),
                output(LAYOUT, "layout", tooltip="The planned objects and boxes, for Check Layout, Layout Preview "
                                                 "or regional conditioning."),
                output(io.Image, "image", tooltip="The sketch rasterized at width × height."),
                output(io.String, "report", tooltip="The planner's self-check: each constraint under the GenEval and "
                                                    "LayoutGPT rules, and any conflict in the prompt."),
            ],
            is_output_node=True,  # the report is shown on the node even when nothing else is connected
        )

    @classmethod
    def execute(cls, prompt, width, height, seed, style, constraints=None, edited_svg="") -> io.NodeOutput:
        from ..llm_sketch.draw import sketch
        from ..llm_sketch.render import rasterize
        from ..llm_sketch.svgsafe import sanitize

        try:
            if is_edited(edited_svg):  # the sketch edited by hand in the preview: used instead of a new plan
                from ..llm_sketch.parse import parse

                wanted = constraints if constraints is not None else parse(prompt)
                result, rgba, ui = edited_outputs(edited_svg, wanted, width, height)
                svg, report = result.svg, result.summary()
            else:
                svg, result = sketch(constraints if constraints is not None else prompt, width, height, int(seed),
                                     style)
                doc = sanitize(svg)  # once, for the render and the preview
                rgba = rasterize(doc, width, height, background="white")
                report = result.summary()
                # the preview measures the drawn SVG (its objects' ids are what the editor moves)
                ui = sketch_ui(doc, width, height, result.constraints, report, edited=False)
        except SketchError as exc:
            raise node_error(exc, "Plan Sketch") from None
        return io.NodeOutput(svg, result.layout, image_tensor(rgba), report, ui=ui)
