"""Write the shipped example workflows (workflows/*.json, UI format) from the definitions below.

    .venv/bin/python tests/make_workflows.py            # starts a ComfyUI with the pack to read /object_info
    .venv/bin/python tests/make_workflows.py --object-info saved.json

Every widget is written in ``/object_info``'s order (``workflow_tools.Builder``), so the files load in the frontend
as if saved from it. ``tests/test_workflows_comfy.py`` checks and runs every file in workflows/; thumbnails are made
by ``tests/browser/workflow_thumbnails.mjs``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workflow_tools import Builder, dumps  # noqa: E402

WORKFLOWS = HERE.parent / "workflows"
SD15 = "v1-5-pruned-emaonly.safetensors"
SDXL = "sd_xl_base_1.0.safetensors"
SCRIBBLE = "control_v11p_sd15_scribble.safetensors"
SDXL_CANNY = "diffusers_xl_canny_full.safetensors"
GLIGEN = "gligen_sd14_textbox_pruned.safetensors"
NEGATIVE = "blurry, low quality, deformed, text, watermark"
PAPER = "a red car to the left of a blue house, a green tree behind the house"
IMG2IMG = "a cat to the left of a dog, photo"
REGIONAL = "a yellow lamp to the left of a green sofa, a red rug below the sofa"
GLIGEN_PROMPT = "a teddy bear to the left of a vase, a book below the vase, on a wooden table"
LLM_PROMPT = "a blue circle on the left and a red triangle on the right"

MODELS_SD15 = (f"• {SD15} → ComfyUI/models/checkpoints/\n"
               f"  (Stable Diffusion 1.5: huggingface.co/Comfy-Org/stable-diffusion-v1-5-archive)")


def paper(info) -> dict:
    """(a) The paper's pipeline: prompt → planned sketch → ControlNet scribble → SD1.5 → the image checked."""
    b = Builder(info)
    b.note("The paper's pipeline (Sparks of AGI §2.2.3): the prompt is drawn as a sketch (Plan Sketch, no model), "
           "the sketch's scribble guides Stable Diffusion 1.5 through ControlNet, and the generated image is checked "
           "against the prompt (Image to Layout finds the objects by colour and shape; Check Layout judges them).\n\n"
           "Models to download:\n" + MODELS_SD15 + f"\n• {SCRIBBLE} → ComfyUI/models/controlnet/\n"
           "  (huggingface.co/comfyanonymous/ControlNet-v1-1_fp16_safetensors, or lllyasviel/ControlNet-v1-1)\n\n"
           "Edit the prompt in the first node: it feeds the planner, the text encoder and the check.",
           (0, 0), (380, 330))
    prompt = b.node("PrimitiveStringMultiline", (0, 360), (380, 150), title="Prompt", value=PAPER)
    parse = b.node("LLMSketch_ParseConstraints", (0, 540), (380, 220), prompt=PAPER)
    plan = b.node("LLMSketch_PlanSketch", (420, 0), (440, 800), prompt=PAPER, width=512, height=512, seed=0,
                  style="auto")
    control = b.node("LLMSketch_SketchToControl", (420, 600), (380, 250), kind="scribble", width=512, height=512)
    ckpt = b.node("CheckpointLoaderSimple", (840, 0), (340, 100), ckpt_name=SD15)
    pos = b.node("CLIPTextEncode", (840, 140), (340, 140), title="Positive", text=PAPER)
    neg = b.node("CLIPTextEncode", (840, 320), (340, 140), title="Negative", text=NEGATIVE)
    cnet = b.node("ControlNetLoader", (840, 500), (340, 60), control_net_name=SCRIBBLE)
    apply = b.node("ControlNetApplyAdvanced", (840, 600), (340, 190), strength=0.9)
    latent = b.node("EmptyLatentImage", (1220, 0), (300, 110))
    sampler = b.node("KSampler", (1220, 150), (300, 270), seed=0, steps=20, cfg=7.0)
    decode = b.node("VAEDecode", (1220, 460), (300, 50))
    save = b.node("SaveImage", (1560, 0), (380, 420), filename_prefix="llm_sketch/paper")
    detect = b.node("LLMSketch_ImageToLayout", (1560, 460), (380, 160))
    check = b.node("LLMSketch_CheckLayout", (1980, 0), (400, 320))
    overlay = b.node("PreviewImage", (1980, 360), (400, 420), title="Check on the generated image")
    scribble = b.node("PreviewImage", (420, 890), (380, 380), title="Scribble")
    b.link(prompt, 0, parse, "prompt")
    b.link(prompt, 0, pos, "text")
    b.link(prompt, 0, plan, "prompt")
    b.link(parse, 0, plan, "constraints")
    b.link(plan, 0, control, "svg")
    b.link(ckpt, "CLIP", pos, "clip")
    b.link(ckpt, "CLIP", neg, "clip")
    b.link(pos, 0, apply, "positive")
    b.link(neg, 0, apply, "negative")
    b.link(cnet, 0, apply, "control_net")
    b.link(control, 0, apply, "image")
    b.link(control, 1, latent, "width")
    b.link(control, 2, latent, "height")
    b.link(ckpt, "MODEL", sampler, "model")
    b.link(apply, 0, sampler, "positive")
    b.link(apply, 1, sampler, "negative")
    b.link(latent, 0, sampler, "latent_image")
    b.link(sampler, 0, decode, "samples")
    b.link(ckpt, "VAE", decode, "vae")
    b.link(decode, 0, save, "images")
    b.link(decode, 0, detect, "image")
    b.link(parse, 0, detect, "constraints")
    b.link(detect, 0, check, "layout")
    b.link(parse, 0, check, "constraints")
    b.link(decode, 0, check, "image")
    b.link(check, 4, overlay, "images")
    b.link(control, 0, scribble, "images")
    return b.workflow()


def img2img(info) -> dict:
    """(b) The sketch as the init image of img2img (VAE Encode, denoise below 1)."""
    b = Builder(info)
    b.note("The sketch as the starting image (img2img): Plan Sketch draws the prompt, Sketch to Control (filled) "
           "gives the colour sketch at the generation size, VAE Encode turns it into the latent the sampler starts "
           "from. denoise sets how far the image may move from the sketch: 0.5 keeps the layout and colours "
           "closely, 0.8 only the composition.\n\nModels to download:\n" + MODELS_SD15, (0, 0), (380, 300))
    prompt = b.node("PrimitiveStringMultiline", (0, 330), (380, 150), title="Prompt", value=IMG2IMG)
    plan = b.node("LLMSketch_PlanSketch", (420, 0), (440, 800), prompt=IMG2IMG, width=512, height=512, seed=0,
                  style="auto")
    filled = b.node("LLMSketch_SketchToControl", (420, 600), (380, 250), kind="filled", width=512, height=512)
    ckpt = b.node("CheckpointLoaderSimple", (840, 0), (340, 100), ckpt_name=SD15)
    pos = b.node("CLIPTextEncode", (840, 140), (340, 140), title="Positive", text=IMG2IMG)
    neg = b.node("CLIPTextEncode", (840, 320), (340, 140), title="Negative", text=NEGATIVE)
    encode = b.node("VAEEncode", (840, 500), (340, 50))
    sampler = b.node("KSampler", (1220, 0), (300, 270), seed=0, steps=25, cfg=7.0, denoise=0.7)
    decode = b.node("VAEDecode", (1220, 310), (300, 50))
    save = b.node("SaveImage", (1560, 0), (420, 460), filename_prefix="llm_sketch/img2img")
    sketch = b.node("PreviewImage", (1220, 400), (300, 320), title="The sketch")
    b.link(prompt, 0, plan, "prompt")
    b.link(prompt, 0, pos, "text")
    b.link(plan, 0, filled, "svg")
    b.link(ckpt, "CLIP", pos, "clip")
    b.link(ckpt, "CLIP", neg, "clip")
    b.link(filled, 0, encode, "pixels")
    b.link(ckpt, "VAE", encode, "vae")
    b.link(ckpt, "MODEL", sampler, "model")
    b.link(pos, 0, sampler, "positive")
    b.link(neg, 0, sampler, "negative")
    b.link(encode, 0, sampler, "latent_image")
    b.link(sampler, 0, decode, "samples")
    b.link(ckpt, "VAE", decode, "vae")
    b.link(decode, 0, save, "images")
    b.link(filled, 0, sketch, "images")
    return b.workflow()


def regional(info) -> dict:
    """(c) Regional conditioning (each object prompted in its own shape) + ControlNet edges, SDXL."""
    b = Builder(info)
    b.note("Each object prompted in its own region, plus the sketch's edges through ControlNet, on SDXL.\n\n"
           "Layout to Regional Conditioning encodes one prompt per object (template \"a {color} {label}\") and masks "
           "it to the object's shape (SVG to Layout's masks), as Conditioning (Set Mask) does; the base prompt "
           "still covers the whole image. Sketch to Control draws the sketch's edges for a canny ControlNet.\n\n"
           f"Models to download:\n• {SDXL} → ComfyUI/models/checkpoints/\n"
           "  (huggingface.co/stabilityai/stable-diffusion-xl-base-1.0)\n"
           f"• {SDXL_CANNY} → ComfyUI/models/controlnet/\n  (huggingface.co/lllyasviel/sd_control_collection)\n\n"
           "Any SDXL canny ControlNet works; the graph also runs with SD1.5 models (a 512 size and an SD1.5 canny "
           "ControlNet).", (0, 0), (400, 400))
    prompt = b.node("PrimitiveStringMultiline", (0, 430), (400, 150), title="Prompt", value=REGIONAL)
    plan = b.node("LLMSketch_PlanSketch", (440, 0), (440, 800), prompt=REGIONAL, width=1024, height=1024, seed=0,
                  style="flat")
    layout = b.node("LLMSketch_SVGToLayout", (440, 600), (380, 200), width=1024, height=1024, visible_only=True)
    edges = b.node("LLMSketch_SketchToControl", (440, 840), (380, 250), kind="edges", width=1024, height=1024)
    ckpt = b.node("CheckpointLoaderSimple", (860, 0), (360, 100), ckpt_name=SDXL)
    pos = b.node("CLIPTextEncode", (860, 140), (360, 140), title="Base prompt", text=REGIONAL)
    neg = b.node("CLIPTextEncode", (860, 320), (360, 140), title="Negative", text=NEGATIVE)
    regions = b.node("LLMSketch_LayoutToRegionalConditioning", (860, 500), (360, 290), template="a {color} {label}",
                     strength=1.0, mask="shape", feather=16)
    cnet = b.node("ControlNetLoader", (1260, 0), (340, 60), control_net_name=SDXL_CANNY)
    apply = b.node("ControlNetApplyAdvanced", (1260, 100), (340, 190), strength=0.6, end_percent=0.8)
    latent = b.node("EmptyLatentImage", (1260, 330), (340, 110))
    sampler = b.node("KSampler", (1640, 0), (320, 270), seed=0, steps=25, cfg=6.0, sampler_name="dpmpp_2m",
                     scheduler="karras")
    decode = b.node("VAEDecode", (1640, 310), (320, 50))
    save = b.node("SaveImage", (2000, 0), (460, 500), filename_prefix="llm_sketch/regional")
    preview = b.node("PreviewImage", (1260, 480), (340, 340), title="Edges")
    b.link(prompt, 0, plan, "prompt")
    b.link(prompt, 0, pos, "text")
    b.link(plan, 0, layout, "svg")
    b.link(plan, 0, edges, "svg")
    b.link(ckpt, "CLIP", pos, "clip")
    b.link(ckpt, "CLIP", neg, "clip")
    b.link(ckpt, "CLIP", regions, "clip")
    b.link(layout, 0, regions, "layout")
    b.link(layout, 1, regions, "masks")
    b.link(pos, 0, regions, "conditioning")
    b.link(regions, 0, apply, "positive")
    b.link(neg, 0, apply, "negative")
    b.link(cnet, 0, apply, "control_net")
    b.link(edges, 0, apply, "image")
    b.link(edges, 1, latent, "width")
    b.link(edges, 2, latent, "height")
    b.link(ckpt, "MODEL", sampler, "model")
    b.link(apply, 0, sampler, "positive")
    b.link(apply, 1, sampler, "negative")
    b.link(latent, 0, sampler, "latent_image")
    b.link(sampler, 0, decode, "samples")
    b.link(ckpt, "VAE", decode, "vae")
    b.link(decode, 0, save, "images")
    b.link(edges, 0, preview, "images")
    return b.workflow()


def gligen(info) -> dict:
    """(d) GLIGEN: one text box per planned object (SD1.x)."""
    b = Builder(info)
    b.note("GLIGEN places each object in its box: Layout to GLIGEN gives GLIGEN one text box per object of the "
           "planned layout, through ComfyUI's GLIGEN Textbox Apply. GLIGEN exists for SD1.x only.\n\n"
           "Models to download:\n" + MODELS_SD15 + f"\n• {GLIGEN} → ComfyUI/models/gligen/\n"
           "  (huggingface.co/comfyanonymous/GLIGEN_pruned_safetensors)", (0, 0), (380, 300))
    prompt = b.node("PrimitiveStringMultiline", (0, 330), (380, 150), title="Prompt", value=GLIGEN_PROMPT)
    plan = b.node("LLMSketch_PlanSketch", (420, 0), (440, 800), prompt=GLIGEN_PROMPT, width=512, height=512, seed=0,
                  style="auto")
    boxes = b.node("LLMSketch_LayoutPreview", (420, 600), (380, 60))
    ckpt = b.node("CheckpointLoaderSimple", (840, 0), (340, 100), ckpt_name=SD15)
    loader = b.node("GLIGENLoader", (840, 140), (340, 60), gligen_name=GLIGEN)
    pos = b.node("CLIPTextEncode", (840, 240), (340, 140), title="Positive", text=GLIGEN_PROMPT)
    neg = b.node("CLIPTextEncode", (840, 420), (340, 140), title="Negative", text=NEGATIVE)
    to_gligen = b.node("LLMSketch_LayoutToGLIGEN", (840, 600), (340, 200), template="a {label}", width=512,
                       height=512)
    latent = b.node("EmptyLatentImage", (1220, 0), (300, 110), width=512, height=512)
    sampler = b.node("KSampler", (1220, 150), (300, 270), seed=0, steps=25, cfg=7.0)
    decode = b.node("VAEDecode", (1220, 460), (300, 50))
    save = b.node("SaveImage", (1560, 0), (420, 460), filename_prefix="llm_sketch/gligen")
    preview = b.node("PreviewImage", (420, 700), (380, 380), title="The boxes")
    b.link(prompt, 0, plan, "prompt")
    b.link(prompt, 0, pos, "text")
    b.link(plan, 2, boxes, "image")
    b.link(plan, 1, boxes, "layout")
    b.link(boxes, 0, preview, "images")
    b.link(ckpt, "CLIP", pos, "clip")
    b.link(ckpt, "CLIP", neg, "clip")
    b.link(pos, 0, to_gligen, "conditioning")
    b.link(ckpt, "CLIP", to_gligen, "clip")
    b.link(loader, 0, to_gligen, "gligen")
    b.link(plan, 1, to_gligen, "layout")
    b.link(ckpt, "MODEL", sampler, "model")
    b.link(to_gligen, 0, sampler, "positive")
    b.link(neg, 0, sampler, "negative")
    b.link(latent, 0, sampler, "latent_image")
    b.link(sampler, 0, decode, "samples")
    b.link(ckpt, "VAE", decode, "vae")
    b.link(decode, 0, save, "images")
    return b.workflow()


def llm(info) -> dict:
    """(e) An LLM draws the sketch: best of four, repaired up to twice, previewed and checked."""
    b = Builder(info)
    b.note("An LLM draws the sketch as SVG: four candidates per round (best of 4, ranked by the checks), failed "
           "checks sent back for a corrected sketch up to twice, and the offline planner if none passes. No image "
           "model: the sketch, its boxes, its check and its scribble are previewed.\n\n"
           "What to set up (no file to download into ComfyUI):\n"
           "• Ollama (the preset here): `ollama pull qwen2.5-coder:7b`, `ollama serve`.\n"
           "• or OpenAI: set LLM_SKETCH_API_KEY where ComfyUI starts, choose provider openai (gpt-4o-mini).\n"
           "• or any OpenAI-compatible server: provider custom + base_url, or a profile in llm_sketch.toml.\n"
           "No key is ever stored in the workflow or the images.", (0, 0), (400, 330))
    prompt = b.node("PrimitiveStringMultiline", (0, 360), (400, 150), title="Prompt", value=LLM_PROMPT)
    parse = b.node("LLMSketch_ParseConstraints", (0, 540), (400, 220), prompt=LLM_PROMPT)
    sketch = b.node("LLMSketch_LLMSketch", (440, 0), (440, 800), prompt=LLM_PROMPT, provider="ollama",
                    model="qwen2.5-coder:7b",
                    width=512, height=512, seed=0, temperature=0.7, candidates=4, max_repairs=2, fallback="planner")
    boxes = b.node("LLMSketch_LayoutPreview", (880, 0), (360, 60))
    check = b.node("LLMSketch_CheckLayout", (880, 100), (360, 320))
    control = b.node("LLMSketch_SketchToControl", (880, 460), (360, 250), kind="scribble", width=512, height=512)
    p1 = b.node("PreviewImage", (1280, 0), (380, 400), title="Sketch and boxes")
    p2 = b.node("PreviewImage", (1700, 0), (380, 400), title="Check")
    p3 = b.node("PreviewImage", (1280, 440), (380, 400), title="Scribble")
    b.link(prompt, 0, parse, "prompt")
    b.link(prompt, 0, sketch, "prompt")
    b.link(sketch, 3, boxes, "image")
    b.link(sketch, 1, boxes, "layout")
    b.link(sketch, 1, check, "layout")
    b.link(parse, 0, check, "constraints")
    b.link(sketch, 3, check, "image")
    b.link(sketch, 0, control, "svg")
    b.link(boxes, 0, p1, "images")
    b.link(check, 4, p2, "images")
    b.link(control, 0, p3, "images")
    return b.workflow()


BUILDERS = {"sketch_controlnet_scribble_sd15": paper, "sketch_img2img_sd15": img2img,
            "regional_controlnet_sdxl": regional, "gligen_boxes_sd15": gligen, "llm_sketch_best_of_n": llm}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--object-info", type=Path, help="a saved /object_info (default: start a server and ask it)")
    args = ap.parse_args(argv)
    if args.object_info:
        info = json.loads(args.object_info.read_text())
    else:
        import comfy_harness

        server = comfy_harness.start_server(Path(tempfile.mkdtemp(prefix="make-workflows-")))
        try:
            info = server.object_info()
        finally:
            server.stop()
    for name, build in BUILDERS.items():
        (WORKFLOWS / f"{name}.json").write_text(dumps(build(info)))
        print(f"wrote workflows/{name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
