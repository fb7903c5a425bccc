"""Constraints: Parse Constraints (prompt → CONSTRAINTS) and Check Layout (LAYOUT + CONSTRAINTS → verdicts)."""

from __future__ import annotations

from ..llm_sketch.errors import SketchError
from ._comfy import CATEGORY, CONSTRAINTS, DEFAULT_PROMPT, LAYOUT, image_array, image_tensor, io, node_error, output

RULE_TOOLTIP = ("How spatial relations are judged: geneval (default; centre offsets with a size-aware margin, every "
                "instance against every instance), layoutgpt (45° cones), visor (centre order only), "
                "t2i-compbench (axis dominance, little overlap).")


class ParseConstraints(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_ParseConstraints",
            display_name="Parse Constraints",
            category=f"{CATEGORY}/check",
            description="Read the prompt's objects, counts, colours, shapes, sizes, regions and spatial relations "
                        "(no model: a deterministic parser). Words it cannot place are listed, never dropped.",
            inputs=[io.String.Input("prompt", multiline=True,
                                    default=DEFAULT_PROMPT,
                                    tooltip="The scene in words: \"a lamp above the table\", \"three yellow stars "
                                            "over two blue squares\", …")],
            outputs=[output(CONSTRAINTS, "constraints", tooltip="What the prompt asks for, for the planner, the "
                                                                "LLM and Check Layout."),
                     output(io.String, "constraints_json", tooltip="The same as JSON.")],
        )

    @classmethod
    def execute(cls, prompt) -> io.NodeOutput:
        from ..llm_sketch.parse import parse

        constraints = parse(prompt)
        lines = [f"{o.id}: {o.describe(with_count=True)}" + (f" ({o.region})" if o.region else "")
                 for o in constraints.objects]
        lines += [f"{r.subject} {r.relation} {r.object}" + (f" and {r.object2}" if r.object2 else "")
                  for r in constraints.relations]
        lines += [f"not understood: {u}" for u in constraints.unparsed]
        return io.NodeOutput(constraints, constraints.to_json(), ui={"text": ["\n".join(lines) or "(nothing)"]})


class CheckLayout(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_CheckLayout",
            display_name="Check Layout",
            category=f"{CATEGORY}/check",
            description="Check a layout (of the sketch, or found in the generated image) against the prompt's "
                        "constraints: a verdict per constraint, a score, and an overlay with passing objects in "
                        "green and failing ones in red.",
            inputs=[
                LAYOUT.Input("layout", tooltip="The objects found: from SVG to Layout, a sketch node, or an "
                                               "image/mask layout node."),
                CONSTRAINTS.Input("constraints", tooltip="From Parse Constraints."),
                io.Combo.Input("rule", options=["geneval", "layoutgpt", "visor", "t2i-compbench"],
                               default="geneval", tooltip=RULE_TOOLTIP),
                io.Image.Input("image", optional=True,
                               tooltip="Draw the overlay on this image (default: a blank canvas)."),
            ],
            outputs=[
                output(io.Boolean, "passed", tooltip="True when every check passes."),
                output(io.Float, "score", tooltip="The fraction of checks that pass, 0..1."),
                output(io.String, "report", tooltip="The checklist in words."),
                output(io.String, "report_json", tooltip="The full report as JSON (checks, margins, matches)."),
                output(io.Image, "overlay", tooltip="Boxes in green (passing) or red (failing), failed checks "
                                                    "written on the image."),
            ],
            is_output_node=True,
        )

    @classmethod
    def execute(cls, layout, constraints, rule, image=None) -> io.NodeOutput:
        import numpy as np

        from ..llm_sketch.check import check
        from ..llm_sketch.preview import draw_report

        try:
            report = check(layout, constraints, rule)
            base = image_array(image) if image is not None else np.full((layout.height, layout.width, 3), 255,
                                                                         dtype=np.uint8)
            overlay = draw_report(base, layout, report, constraints)
        except SketchError as exc:
            raise node_error(exc, "Check Layout") from None
        summary = report.summary()
        return io.NodeOutput(report.passed, report.score, summary, report.to_json(), image_tensor(overlay),
                             ui={"text": [summary]})
