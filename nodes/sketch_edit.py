"""The sketch editor's server side: the hidden ``edited_svg`` input of the sketch nodes, the preview payload they
send to the browser, and the one HTTP route the pack adds, ``POST /llm_sketch/edit``.

The route takes JSON only — ``{"svg", "width", "height", "edits", "constraints"?, "rule"?}`` — sanitizes the SVG,
applies the edits through the engine (``llm_sketch.edit``) and answers with the rewritten, sanitized SVG, its layout
and (with constraints) the check and a verdict per object. It never reads or writes a file; every field is checked
and a bad one is a 400 with a sentence saying what was wrong.
"""

from __future__ import annotations

import asyncio
import json
import logging

from ._comfy import io

ROUTE = "/llm_sketch/edit"
MAX_BODY = 3_000_000  # bytes of JSON: the sanitizer's 2 MB SVG cap plus room for the edits and constraints
MAX_SIDE = 8192

EDITED_SVG_INPUT = io.String.Input(
    "edited_svg", default="", optional=True, socketless=True,
    tooltip="The sketch as edited by hand in the preview (move, resize, delete). When set, the node uses it instead "
            "of generating a new sketch; the preview's Reset to generated clears it. Stored with the workflow.")
# Hidden in the Nodes 2.0 renderer (the input spec's "hidden"; js/sketch_preview.js hides it on the classic canvas).
# String.Input takes no extra_dict argument; the base Input merges this dict into the spec all the same.
EDITED_SVG_INPUT.extra_dict["hidden"] = True


def is_edited(edited_svg) -> bool:
    return isinstance(edited_svg, str) and bool(edited_svg.strip())


def sketch_ui(svg, width: int, height: int, constraints, report: str, edited: bool, measured=None) -> dict:
    """The node's ``ui``: the report as text (for any front end) and the preview payload (``js/sketch_preview.js``).
    ``svg``: text or a SafeSVG; ``measured``: its (layout, GenEval report) at this size when the caller has them."""
    from ..llm_sketch.edit import describe

    payload = describe(svg, width, height, constraints, edited=edited, report_text=report, measured=measured)
    return {"text": [report], "sketch": [payload]}


def edited_outputs(edited_svg: str, constraints, width: int, height: int):
    """A sketch node's result when the user edited its sketch by hand: (EditedSketch, RGBA on white, ``ui``)."""
    from ..llm_sketch.edit import edited_sketch
    from ..llm_sketch.render import rasterize

    edited = edited_sketch(edited_svg, constraints, width, height)
    rgba = rasterize(edited.doc, width, height, background="white")
    ui = sketch_ui(edited.doc, width, height, constraints, edited.summary(), edited=True,
                   measured=(edited.layout, edited.report))
    return edited, rgba, ui


# ---- the HTTP route ----------------------------------------------------------------------------------------------
class BadRequest(ValueError):
    pass


def _side(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
        raise BadRequest(f"{key} must be a whole number of pixels from 1 to {MAX_SIDE}")
    return value


def handle_edit(data) -> dict:
    """The route's work, synchronous and independent of aiohttp (the tests call it directly)."""
    from ..llm_sketch.check import RULES
    from ..llm_sketch.constraints import Constraints
    from ..llm_sketch.edit import apply_edits, describe, parse_edits

    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object: {svg, width, height, edits, constraints?, rule?}")
    unknown = set(data) - {"svg", "width", "height", "edits", "constraints", "rule"}
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    svg = data.get("svg")
    if not isinstance(svg, str) or not svg.strip():
        raise BadRequest("svg must be the sketch's SVG text")
    width, height = _side(data, "width"), _side(data, "height")
    edits = parse_edits(data.get("edits", []), width, height)
    rule = data.get("rule", "geneval")
    if rule not in RULES:
        raise BadRequest(f"rule must be one of {', '.join(RULES)}")
    constraints = None
    if data.get("constraints") is not None:
        if not isinstance(data["constraints"], dict):
            raise BadRequest("constraints must be a constraints object (as Parse Constraints writes it)")
        constraints = Constraints.from_dict(data["constraints"])
    doc = apply_edits(svg, edits, width, height)
    return describe(doc, width, height, constraints, rule=rule, edited=bool(edits))


async def edit_route(request):
    from aiohttp import web

    from ..llm_sketch.errors import SketchError

    if request.content_type != "application/json":
        return web.json_response({"error": "send JSON (Content-Type: application/json)"}, status=415)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return web.json_response({"error": f"the request is too large (limit {MAX_BODY} bytes)"}, status=413)
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return web.json_response({"error": f"the request is too large (limit {MAX_BODY} bytes)"}, status=413)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return web.json_response({"error": f"the body is not valid JSON: {exc}"}, status=400)
    try:
        result = await asyncio.to_thread(handle_edit, data)
    except (BadRequest, SketchError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(result)


_registered = False


def register_routes() -> None:
    """Add the route to ComfyUI's server (once; nothing happens outside a running ComfyUI)."""
    global _registered
    if _registered:
        return
    try:
        from server import PromptServer
    except ImportError:
        return
    instance = getattr(PromptServer, "instance", None)
    if instance is None:
        return
    instance.routes.post(ROUTE)(edit_route)
    _registered = True
    logging.debug("LLM Sketch: %s registered", ROUTE)
