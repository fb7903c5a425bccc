"""SVG in and out: Load SVG, Rasterize SVG, Save SVG."""

from __future__ import annotations

import hashlib
import os

import numpy as np

from ..llm_sketch.errors import SketchError
from ._comfy import CATEGORY, image_tensor, io, mask_tensor, node_error, output

FITS = ["contain", "cover", "stretch", "auto"]
SVG_TOOLTIP = "SVG markup (sanitized before use: scripts, external references and oversized content are refused)."


def _input_dir() -> str:
    import folder_paths

    return folder_paths.get_input_directory()


def _svg_files() -> list[str]:
    folder = _input_dir()
    try:
        names = [f for f in os.listdir(folder) if f.lower().endswith(".svg") and os.path.isfile(os.path.join(folder, f))]
    except OSError:
        return []
    return sorted(names)


def _input_path(name: str) -> str:
    """The file ``name`` inside ComfyUI's input folder — never a path outside it."""
    folder = os.path.realpath(_input_dir())
    path = os.path.realpath(os.path.join(folder, name))
    if os.path.commonpath([folder, path]) != folder or not path.lower().endswith(".svg"):
        raise ValueError(f"Load SVG: {name!r} is not an .svg file in ComfyUI's input folder")
    return path


class LoadSVG(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_LoadSVG",
            display_name="Load SVG",
            category=f"{CATEGORY}/svg",
            description="Load an .svg file from ComfyUI's input folder (or upload one) and sanitize it. "
                        "The output is safe SVG text for the other LLM Sketch nodes.",
            # The upload button is js/svg_upload.js's (the image uploader's dialog lists no .svg files).
            inputs=[io.Combo.Input("svg_file", options=_svg_files(),
                                   tooltip="An .svg file in ComfyUI's input folder: upload one with the button "
                                           "below or drop it onto the node.")],
            outputs=[output(io.String, "svg", tooltip="The sanitized SVG markup."),
                     output(io.Int, "width", tooltip="The SVG's own width in pixels."),
                     output(io.Int, "height", tooltip="The SVG's own height in pixels.")],
        )

    @classmethod
    def fingerprint_inputs(cls, svg_file):
        try:
            with open(_input_path(svg_file), "rb") as handle:
                return hashlib.sha256(handle.read()).hexdigest()
        except (OSError, ValueError):
            return svg_file

    @classmethod
    def validate_inputs(cls, svg_file):
        try:
            path = _input_path(svg_file)
        except ValueError as exc:
            return str(exc)
        return True if os.path.isfile(path) else f"Load SVG: file not found in the input folder: {svg_file}"

    @classmethod
    def execute(cls, svg_file) -> io.NodeOutput:
        from ..llm_sketch.svgsafe import sanitize

        path = _input_path(svg_file)
        try:
            with open(path, "rb") as handle:
                doc = sanitize(handle.read())
        except OSError as exc:
            raise ValueError(f"Load SVG: cannot read {svg_file}: {exc.strerror}") from None
        except SketchError as exc:
            raise node_error(exc, f"Load SVG ({svg_file})") from None
        return io.NodeOutput(doc.text, max(1, round(doc.width)), max(1, round(doc.height)))


class RasterizeSVG(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_RasterizeSVG",
            display_name="Rasterize SVG",
            category=f"{CATEGORY}/svg",
            description="Draw SVG as an IMAGE at an exact size, safely (the SVG is sanitized and rendered in a "
                        "separate process with a time and memory limit). The MASK is the drawing's coverage.",
            inputs=[
                io.String.Input("svg", multiline=True, default="", tooltip=SVG_TOOLTIP),
                io.Int.Input("width", default=1024, min=8, max=8192, step=8, tooltip="Output width in pixels."),
                io.Int.Input("height", default=1024, min=8, max=8192, step=8, tooltip="Output height in pixels."),
                io.Combo.Input("fit", options=FITS, default="contain",
                               tooltip="How the SVG's viewBox maps onto the output: contain (whole drawing, "
                                       "centred), cover (fill, cropping), stretch (distort), auto (the SVG's own "
                                       "preserveAspectRatio)."),
                io.String.Input("background", default="white",
                                tooltip="A CSS colour under the drawing (white, #f0f0f0, …). Empty: black under "
                                        "a transparent drawing; the MASK still gives the coverage."),
            ],
            outputs=[output(io.Image, "image", tooltip="The drawing over the background colour."),
                     output(io.Mask, "mask", tooltip="Where the drawing is: its alpha, 1 = fully covered.")],
        )

    @classmethod
    def execute(cls, svg, width, height, fit, background) -> io.NodeOutput:
        from ..llm_sketch.colors import parse_color
        from ..llm_sketch.render import rasterize

        color = (0, 0, 0)
        if background.strip():  # checked before the render, which a typo here would waste
            parsed = parse_color(background)
            if parsed is None:
                raise ValueError(f"Rasterize SVG: unknown background colour {background!r}; use a CSS colour "
                                 "such as white or #ffffff, or leave it empty")
            color = parsed[:3]
        try:
            rgba = rasterize(svg, width, height, fit=fit)
        except SketchError as exc:
            raise node_error(exc, "Rasterize SVG") from None
        alpha = rgba[..., 3:4].astype(np.float32) / 255.0
        rgb = rgba[..., :3].astype(np.float32) * alpha + np.array(color, dtype=np.float32) * (1.0 - alpha)
        return io.NodeOutput(image_tensor(np.round(rgb).astype(np.uint8)), mask_tensor(alpha[..., 0]))


class SaveSVG(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LLMSketch_SaveSVG",
            display_name="Save SVG",
            category=f"{CATEGORY}/svg",
            description="Save the sanitized SVG to ComfyUI's output folder (a new numbered file each time; "
                        "nothing is overwritten) and show it.",
            inputs=[io.String.Input("svg", multiline=True, default="", tooltip=SVG_TOOLTIP),
                    io.String.Input("filename_prefix", default="llm_sketch/sketch",
                                    tooltip="File name prefix inside the output folder; may include a subfolder.")],
            outputs=[],
            is_output_node=True,
        )

    @classmethod
    def execute(cls, svg, filename_prefix) -> io.NodeOutput:
        import folder_paths

        from ..llm_sketch.svgsafe import sanitize

        try:
            doc = sanitize(svg)
        except SketchError as exc:
            raise node_error(exc, "Save SVG") from None
        output_dir = folder_paths.get_output_directory()
        try:
            folder, name, counter, subfolder, _ = folder_paths.get_save_image_path(filename_prefix, output_dir)
        except Exception as exc:  # ComfyUI refuses prefixes that leave the output folder
            raise ValueError(f"Save SVG: invalid filename_prefix {filename_prefix!r}: {exc}") from None
        os.makedirs(folder, exist_ok=True)
        while True:  # exclusive create: an existing file is never overwritten
            filename = f"{name}_{counter:05}_.svg"
            try:
                with open(os.path.join(folder, filename), "x", encoding="utf-8") as handle:
                    handle.write(doc.text)
                break
            except FileExistsError:
                counter += 1
        return io.NodeOutput(ui={"images": [{"filename": filename, "subfolder": subfolder, "type": "output"}]})
