"""Tiny random-weight stand-ins for the model files the shipped workflows load, for running them on a CPU.

ComfyUI decides what a file is from its tensors' names and shapes, so each stand-in is built from ComfyUI's own
classes with the configuration its detection reads back:

- ``sd15``: an SD1.x checkpoint that ``CheckpointLoaderSimple`` detects as ``SD15``. The UNet is
  ``comfy.ldm.modules.diffusionmodules.openaimodel.UNetModel`` with what SD15's detection pins (``model_channels``
  320, ``context_dim`` 768, 8 heads, no linear projection in the transformers) and the rest as small as it allows:
  one level, one res-block, one transformer block per stage (20 M parameters). The VAE is a TAESD-shaped one
  (``first_stage_model.taesd_encoder/decoder``, 2.4 M parameters), which ``comfy.sd.VAE`` detects inside a
  checkpoint: ComfyUI builds a KL VAE in a checkpoint with its fixed SD configuration (``ch`` 128, 84 M parameters)
  whatever the tensors' sizes, and that one took 3 s per 64×64 decode and 3 s per encode on the shared test
  machine. The text encoder cannot be shrunk: an SD1.x checkpoint's is always built from
  ``comfy/sd1_clip_config.json`` (CLIP ViT-L/14's text model: 12 layers, width 768, 123 M parameters), whatever
  the file holds, and leaving tensors out is no way round it (ComfyUI creates its modules without initialising them,
  ``comfy.ops``, so a missing tensor would be uninitialised memory). So the file is 145 M parameters in float16
  (290 MB); it is generated once and cached under ``.cache/tiny-models/``.
- ``controlnet``: a ``comfy.cldm.cldm.ControlNet`` with the same UNet configuration and a 3-channel hint, saved in
  the original ``control_model.*`` layout that ``ControlNetLoader`` detects.
- ``gligen``: one ``GatedSelfAttentionDense`` fuser per transformer block of the UNet (in ComfyUI's
  ``transformer_index`` order: input, middle, output) and a ``PositionNet``, named as ``comfy.gligen.load_gligen``
  reads them.

Weights are seeded normal values scaled by 1/sqrt(fan-in) (norms 1, biases 0), so activations stay finite.

    python tests/tiny_models.py OUT_DIR     # writes the three files (run with ComfyUI's folder on sys.path)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO_ROOT / ".cache" / "tiny-models"
GENERATOR_VERSION = "2"

# The standard file names the workflows use → which stand-in serves each (the SDXL names: see test_workflows_comfy).
FILES = {
    "sd15": "tiny-sd15.safetensors",
    "controlnet": "tiny-controlnet-sd15.safetensors",
    "gligen": "tiny-gligen-sd15.safetensors",
}

UNET = {
    "image_size": 32, "in_channels": 4, "out_channels": 4, "model_channels": 320, "num_res_blocks": [1],
    "channel_mult": [1], "transformer_depth": [1], "transformer_depth_output": [1, 1], "transformer_depth_middle": 1,
    "context_dim": 768, "num_heads": 8, "num_head_channels": -1, "use_linear_in_transformer": False,
    "use_spatial_transformer": True, "legacy": False, "adm_in_channels": None, "use_temporal_resblock": False,
    "use_temporal_attention": False, "use_checkpoint": False,
}


def _fill(name: str, shape, gen):
    import torch

    if name.endswith("vae_scale"):
        return torch.tensor(1.0)
    if name.endswith("vae_shift"):
        return torch.tensor(0.0)
    if len(shape) == 0:  # GLIGEN's gates (alpha_attn, alpha_dense): open them half way
        return torch.tensor(0.5)
    if len(shape) == 1:
        return torch.ones(shape) if name.endswith("weight") or name.endswith("scale") else torch.zeros(shape)
    if "embedding" in name or name.endswith("null_positive_feature"):
        return torch.randn(shape, generator=gen) * 0.02
    fan_in = math.prod(shape[1:])
    return torch.randn(shape, generator=gen) / math.sqrt(fan_in)


def _weights(module, prefix: str, gen) -> dict:
    return {prefix + k: _fill(k, tuple(v.shape), gen).to(v.dtype if v.dtype.is_floating_point else v.dtype)
            for k, v in module.state_dict().items()}


def generate(out_dir: Path) -> dict[str, Path]:
    """Write the three stand-ins into ``out_dir``; return kind → path. Needs ComfyUI's folder on sys.path."""
    import torch
    from safetensors.torch import save_file

    from comfy.cli_args import args

    args.cpu = True  # (before comfy.model_management is imported: it probes for a GPU at import)
    import comfy.ops
    from comfy.cldm.cldm import ControlNet
    from comfy.gligen import GatedSelfAttentionDense, PositionNet
    from comfy.ldm.modules.diffusionmodules.openaimodel import UNetModel
    from comfy.sd1_clip import SD1ClipModel
    from comfy.taesd.taesd import TAESD

    ops = comfy.ops.disable_weight_init
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}

    def half(sd: dict) -> dict:
        return {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in sd.items()}

    with torch.device("meta"):
        unet = UNetModel(**UNET, operations=ops, device="meta")
        vae = TAESD(latent_channels=4)
        clip = SD1ClipModel(device="meta")
        cnet = ControlNet(**{k: v for k, v in UNET.items() if k != "out_channels"}, hint_channels=3,
                          operations=ops, device="meta")

    gen = torch.Generator().manual_seed(1234)
    sd = _weights(unet, "model.diffusion_model.", gen)
    sd.update(_weights(vae, "first_stage_model.", gen))
    clip_sd = _weights(clip.clip_l if hasattr(clip, "clip_l") else clip, "cond_stage_model.", gen)
    sd.update({k: v for k, v in clip_sd.items() if "logit_scale" not in k and "text_projection" not in k})
    paths["sd15"] = out_dir / FILES["sd15"]
    save_file(half(sd), str(paths["sd15"]))

    paths["controlnet"] = out_dir / FILES["controlnet"]
    save_file(half(_weights(cnet, "control_model.", gen)), str(paths["controlnet"]))

    # GLIGEN: a fuser for each transformer block, named by the block that holds it.
    blocks = [name for name, mod in unet.named_modules() if type(mod).__name__ == "BasicTransformerBlock"]
    order = {"input_blocks": 0, "middle_block": 1, "output_blocks": 2}
    blocks.sort(key=lambda n: (order[n.split(".")[0]], int(n.split(".")[1]) if n.split(".")[1].isdigit() else 0))
    gl = {}
    for name in blocks:
        dim = dict(unet.named_modules())[name].attn1.to_q.weight.shape[0]
        with torch.device("meta"):
            fuser = GatedSelfAttentionDense(dim, 768, 8, dim // 8)
        gl.update(_weights(fuser, f"{name}.fuser.", gen))
    with torch.device("meta"):
        position = PositionNet(768, 768)
    gl.update(_weights(position, "position_net.", gen))
    paths["gligen"] = out_dir / FILES["gligen"]
    save_file(half(gl), str(paths["gligen"]))
    return paths


# Where each stand-in goes in a ComfyUI models folder, under the standard names the SD1.5 workflows load.
INSTALL = {
    ("checkpoints", "v1-5-pruned-emaonly.safetensors"): "sd15",
    ("controlnet", "control_v11p_sd15_scribble.safetensors"): "controlnet",
    ("gligen", "gligen_sd14_textbox_pruned.safetensors"): "gligen",
}


def install(models_dir: Path, paths: dict[str, Path]) -> None:
    """Link the stand-ins into a ComfyUI models folder under their standard names."""
    for (folder, name), kind in INSTALL.items():
        target = Path(models_dir) / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(paths[kind])


def fingerprint(comfyui_dir: Path) -> str:
    """Changes when the generator (its code and configuration) or the ComfyUI copy it builds from changes."""
    import inspect

    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for part in (generate, _fill, _weights):
        h.update(inspect.getsource(part).encode())
    h.update(repr((UNET, FILES)).encode())
    marker = comfyui_dir / ".prepared"
    h.update(marker.read_bytes() if marker.exists() else b"")
    return h.hexdigest()[:16]


def ensure(comfyui_dir: Path, python: str = sys.executable, cache_dir: Path = CACHE_DIR) -> dict[str, Path]:
    """The stand-ins, generated (in a subprocess with ComfyUI on its path) unless the cache already holds them.
    ComfyUI is unpacked first if it is not yet (``comfy_harness.prepare_comfyui``)."""
    import comfy_harness

    comfy_harness.prepare_comfyui(comfyui_dir, python)
    folder = cache_dir / fingerprint(comfyui_dir)
    paths = {kind: folder / name for kind, name in FILES.items()}
    if all(p.exists() for p in paths.values()):
        return paths
    scratch = folder.with_name(folder.name + f".tmp{os.getpid()}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(comfyui_dir), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([python, __file__, str(scratch)], cwd=comfyui_dir, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"generating the tiny models failed:\n{done.stdout}\n{done.stderr}")
    try:
        os.rename(scratch, folder)
    except OSError:  # another run got there first
        if not all(p.exists() for p in paths.values()):
            raise
    return paths


if __name__ == "__main__":
    written = generate(Path(sys.argv[1]))
    print(json.dumps({k: str(v) for k, v in written.items()}))
