"""The one place that imports ComfyUI: its V3 API, the pack's custom socket types and tensor conversions."""

from __future__ import annotations

import numpy as np
import torch
from comfy_api.latest import ComfyExtension, io, ui  # noqa: F401  (re-exported for the node modules)

from ..llm_sketch.errors import SketchError

CATEGORY = "LLM Sketch"
DEFAULT_PROMPT = "a blue circle on the left and a red triangle on the right"  # the sketch and check nodes' default
# A Layout (llm_sketch.layout.Layout) travelling between nodes.
LAYOUT = io.Custom("SKETCH_LAYOUT")
# Constraints (llm_sketch.constraints.Constraints): what the prompt asks for.
CONSTRAINTS = io.Custom("SKETCH_CONSTRAINTS")


def output(kind, name: str, tooltip: str, display_name: str | None = None):
    """An output labelled on the node with its name (V3 labels an unnamed output with its type: STRING, INT)."""
    return kind.Output(name, display_name=display_name or name, tooltip=tooltip)


def image_tensor(rgb: np.ndarray) -> torch.Tensor:
    """H×W×3 uint8 → ComfyUI IMAGE [1, H, W, 3] float32 in 0..1."""
    return torch.from_numpy(np.ascontiguousarray(rgb[..., :3])).float().div_(255.0).unsqueeze(0)


def mask_tensor(masks: np.ndarray) -> torch.Tensor:
    """H×W or N×H×W in 0..1 → ComfyUI MASK [N, H, W] float32."""
    tensor = torch.from_numpy(np.ascontiguousarray(masks, dtype=np.float32))
    return tensor.unsqueeze(0) if tensor.ndim == 2 else tensor


def image_array(image: torch.Tensor, index: int = 0) -> np.ndarray:
    """ComfyUI IMAGE → H×W×3 uint8 (one image of the batch)."""
    return (image[index, ..., :3].clamp(0, 1).mul(255).round().to(torch.uint8).cpu().numpy())


def node_error(exc: SketchError, what: str) -> ValueError:
    """An engine error as the message ComfyUI shows on the node."""
    return ValueError(f"{what}: {exc}")
