"""Run Layout to Regional Conditioning and Layout to GLIGEN in-process, beside ComfyUI's own nodes, and report what
they built as JSON (for tests/test_conditioning_comfy.py; run in a subprocess with ComfyUI's folder on sys.path).

    python tests/conditioning_probe.py CHECKPOINT GLIGEN      # prints one JSON object

The pack is imported as a package from the repository root (as ComfyUI imports it from custom_nodes/), the text
encoder comes from the tiny stand-in checkpoint, and each regional entry is compared with what core
``ConditioningSetMask`` makes from the same text, mask and strength.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "a red circle to the left of a blue square"


def load_pack():
    spec = importlib.util.spec_from_file_location("llm_sketch_pack", ROOT / "__init__.py",
                                                  submodule_search_locations=[str(ROOT)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["llm_sketch_pack"] = module
    spec.loader.exec_module(module)
    return (importlib.import_module("llm_sketch_pack.nodes.control_nodes"),
            importlib.import_module("llm_sketch_pack.llm_sketch.control"),
            importlib.import_module("llm_sketch_pack.llm_sketch.draw"),
            importlib.import_module("llm_sketch_pack.llm_sketch.layout"))


def main(checkpoint: str, gligen_path: str) -> dict:
    from comfy.cli_args import args

    args.cpu = True
    import numpy as np
    import torch

    import comfy.sd
    import nodes as core

    control_nodes, control, draw, layout_mod = load_pack()
    _, clip, _, _ = comfy.sd.load_checkpoint_guess_config(checkpoint, output_vae=False, output_clip=True,
                                                          output_model=False)
    svg, plan = draw.sketch(PROMPT, 64, 64, seed=3, style="flat")
    layout = plan.layout
    object_masks = layout_mod.object_masks(svg, 64, 64)
    base = clip.encode_from_tokens_scheduled(clip.tokenize(PROMPT))
    base_dicts = [dict(t[1]) for t in base]
    report: dict = {"objects": [{"label": o.label, "color": o.color["name"], "bbox": list(o.bbox)}
                                for o in layout.objects]}

    def run(mask_mode, strength, masks=None, feather=0, area="default", template="{color} {label}"):
        out = control_nodes.LayoutToRegionalConditioning.execute(
            clip, layout, base, template, strength, mask_mode, feather, area,
            masks=None if masks is None else torch.from_numpy(masks))
        return out.result

    # shape masks from SVG to Layout's masks, strength 0.6
    conditioning, preview = run("shape", 0.6, masks=object_masks)
    entries = []
    for i, obj in enumerate(layout.objects):
        entry = conditioning[len(base) + i]
        text = control_nodes.object_prompt("{color} {label}", obj)
        encoded = clip.encode_from_tokens_scheduled(clip.tokenize(text))  # core's own path, from the text
        (core_entry,) = core.ConditioningSetMask().append(encoded, torch.from_numpy(object_masks[i]), "default",
                                                          0.6)[0]
        entries.append({
            "text": text,
            "keys": sorted(entry[1]), "core_keys": sorted(core_entry[1]),
            "mask_shape": list(entry[1]["mask"].shape),
            "mask_equals_object_mask": bool(torch.equal(entry[1]["mask"][0], torch.from_numpy(object_masks[i]))),
            "mask_equals_core": bool(torch.equal(entry[1]["mask"], core_entry[1]["mask"])),
            "strength": entry[1]["mask_strength"], "set_area_to_bounds": entry[1]["set_area_to_bounds"],
            "cond_equals_core": bool(torch.equal(entry[0], core_entry[0])),
            "pooled_equals_core": bool(torch.equal(entry[1]["pooled_output"], core_entry[1]["pooled_output"])),
        })
    report["shape"] = {"entries": len(conditioning), "base_entries": len(base), "objects": entries,
                       "base_first": all(conditioning[i][0] is base[i][0] and "mask" not in conditioning[i][1]
                                         for i in range(len(base))),
                       "base_untouched": [dict(t[1]) for t in base] == base_dicts and all(
                           "mask" not in t[1] for t in base),
                       "preview_equals_masks": bool(np.array_equal(preview.numpy(), object_masks))}
    # boxes, strength 1.3, mask bounds
    conditioning, preview = run("box", 1.3, area="mask bounds")
    boxes = [control.box_mask(o.bbox, 64, 64) for o in layout.objects]
    report["box"] = {"entries": len(conditioning),
                     "masks_equal_boxes": all(bool(np.array_equal(conditioning[len(base) + i][1]["mask"][0].numpy(),
                                                                  boxes[i])) for i in range(len(boxes))),
                     "strengths": [c[1]["mask_strength"] for c in conditioning[len(base):]],
                     "set_area_to_bounds": [c[1]["set_area_to_bounds"] for c in conditioning[len(base):]]}
    # GLIGEN: one position box per object, as GLIGEN Textbox Apply makes them
    gligen = comfy.sd.load_gligen(gligen_path)
    (gl,) = control_nodes.LayoutToGLIGEN.execute(base, clip, gligen, layout, "{label}", 128, 128).result
    kind, model, boxes = gl[0][1]["gligen"]
    report["gligen"] = {"kind": kind, "same_model": model is gligen, "entries": len(gl),
                        "boxes": [[int(b[1]), int(b[2]), int(b[3]), int(b[4])] for b in boxes],  # h, w, y, x (/8)
                        "base_untouched": "gligen" not in base[0][1]}
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
