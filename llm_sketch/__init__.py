"""LLM-Sketch engine: prompt → Constraints → SVG sketch → image, masks and Layout → Report.

Pure Python (numpy, Pillow, lxml, cairosvg/resvg); no ``comfy`` or ``torch`` import, so the CLI, the ComfyUI
nodes and the tests all call the same code. Import cost is kept low: heavy modules load on first use.

The SVG path, stage by stage::

    doc = sanitize(text)                       # untrusted text → SafeSVG (or SVGError naming the problem)
    rgba = rasterize(doc, 1024, 1024)          # → H×W×4 uint8, straight alpha
    layout = extract_layout(doc, 1024, 1024)   # → Layout (objects with label, colour, box, z)
    masks = object_masks(doc, layout)          # → N×H×W bool, each object rendered alone
"""

from .errors import SVGError, SketchError

__version__ = "0.1.0"

__all__ = [
    "SVGError",
    "SketchError",
    "Limits",
    "SafeSVG",
    "sanitize",
    "rasterize",
    "Layout",
    "LayoutObject",
    "extract_layout",
    "object_masks",
    "draw_layout",
]


_LAZY = {
    "Limits": "svgsafe", "SafeSVG": "svgsafe", "sanitize": "svgsafe",
    "rasterize": "render",
    "Layout": "layout", "LayoutObject": "layout", "extract_layout": "layout", "object_masks": "layout",
    "draw_layout": "preview",
}


def __getattr__(name):  # lazy re-exports keep `import llm_sketch` cheap (no lxml/numpy until used)
    if name not in _LAZY:
        raise AttributeError(f"module 'llm_sketch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
