"""``python -m llm_sketch generate``: prompt → sketch → image with diffusers → Image to Layout + check, in one command.

    python -m llm_sketch generate "PROMPT" --out DIR --checkpoint PATH [--controlnet PATH] [--mode controlnet]
    python -m llm_sketch generate --batch PROMPTS.jsonl --out DIR --checkpoint PATH ...

The sketch comes from the offline planner (or from a model on an OpenAI-compatible server with ``--llm MODEL``);
its control map guides Stable Diffusion 1.5 or SDXL through diffusers:

- ``controlnet`` (default): text-to-image with a ControlNet fed the control map (``--control scribble`` by
  default; lineart, edges, segmentation, depth or filled for ControlNets trained on those);
- ``img2img``: the colour sketch is the starting image (``--strength`` of it is re-noised), no ControlNet needed;
- ``plain``: text-to-image with no guidance at all (the baseline ``bench/faithfulness_gain.py`` compares against).

Then the objects are found in the image by colour and shape (``detect.detect_layout``: Image to Layout) and checked
against the prompt's constraints (``check``). One prompt writes ``image.png``, ``sketch.svg``, ``sketch.png``,
``control.png`` (the map the model saw; the init image in img2img mode; none in plain mode), ``layout.json`` (the
objects found in the *image*), ``report.json`` (the image's verdict, the sketch's self-check, the settings and
timings) and ``preview.png`` (the check's overlay on the image); ``--llm`` adds ``transcript.json``. ``--batch``
reads one JSON object per line (``{"prompt": …}``, optionally ``seed``) into ``DIR/0000/``, ``DIR/0001/``, … and
writes ``DIR/summary.csv``: one row per prompt (the sketch's and the image's pass/fail, score, checks) and a last
row ``all`` with the pass rates.

Weights are local files only (nothing is downloaded): ``--checkpoint`` is a single file (``.safetensors`` /
``.ckpt``, loaded with ``from_single_file``) or a diffusers folder (``model_index.json``, ``from_pretrained``); so
is ``--controlnet``. A bare file name is also looked for in ComfyUI's ``models/checkpoints`` and
``models/controlnet`` when the pack sits in ComfyUI's ``custom_nodes``. torch and diffusers are imported only here,
and only once the inputs have been checked.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .check import RULES
from .errors import SketchError
from .sketch_cli import read_batch  # the batch file format both commands read

MODES = ("controlnet", "img2img", "plain")
ARCHS = ("auto", "sd15", "sdxl")
DEVICES = ("auto", "cuda", "mps", "cpu")
CONTROL_KINDS = ("scribble", "lineart", "edges", "segmentation", "depth", "filled")
FILES = ("image.png", "sketch.svg", "sketch.png", "control.png", "layout.json", "report.json", "preview.png")
SUMMARY_FIELDS = ("index", "folder", "prompt", "seed", "sketch_passed", "image_passed", "score", "checks_passed",
                  "checks", "objects_found", "seconds")

GET_CHECKPOINT = (
    "get a Stable Diffusion 1.5 checkpoint (v1-5-pruned-emaonly.safetensors, from the "
    "stable-diffusion-v1-5/stable-diffusion-v1-5 repository on Hugging Face) or an SDXL one "
    "(sd_xl_base_1.0.safetensors, stabilityai/stable-diffusion-xl-base-1.0), or a diffusers folder of either; "
    "pass its path to --checkpoint, or put the file in ComfyUI/models/checkpoints/ and pass its name")
GET_CONTROLNET = (
    "get a ControlNet for the control map (SD1.5 scribble: control_v11p_sd15_scribble from "
    "lllyasviel/control_v11p_sd15_scribble, a diffusers folder, or the .pth/.safetensors of lllyasviel/ControlNet-v1-1;"
    " SDXL: a diffusers folder such as xinsir/controlnet-scribble-sdxl-1.0); pass its path to --controlnet, or put "
    "it in ComfyUI/models/controlnet/ and pass its name; or use --mode img2img, which needs none")


@dataclass
class Settings:
    """What one run generates with (the CLI's options; ``bench/faithfulness_gain.py`` builds these too)."""

    checkpoint: str
    controlnet: str | None = None
    mode: str = "controlnet"
    control: str = "scribble"
    arch: str = "auto"
    config: str | None = None  # a diffusers folder with a single-file checkpoint's configs and tokenizer
    width: int | None = None  # default: 512 for SD1.5, 1024 for SDXL
    height: int | None = None
    steps: int = 25
    guidance: float = 7.5
    strength: float = 0.8
    control_scale: float = 1.0
    seed: int = 0
    negative: str = ""
    device: str = "auto"
    rule: str = "geneval"
    style: str = "auto"
    llm: str | None = None
    base_url: str = ""
    provider: str | None = None
    candidates: int = 1
    max_repairs: int = 2
    fallback: str = "none"

    def validate(self) -> "Settings":
        if self.mode not in MODES:
            raise SketchError(f"unknown --mode {self.mode!r}: use one of {', '.join(MODES)}")
        if self.control not in CONTROL_KINDS:
            raise SketchError(f"unknown --control {self.control!r}: use one of {', '.join(CONTROL_KINDS)}")
        if self.arch not in ARCHS:
            raise SketchError(f"unknown --arch {self.arch!r}: use one of {', '.join(ARCHS)}")
        if self.device not in DEVICES:
            raise SketchError(f"unknown --device {self.device!r}: use one of {', '.join(DEVICES)}")
        if self.rule not in RULES:
            raise SketchError(f"unknown --rule {self.rule!r}: use one of {', '.join(RULES)}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None and not 64 <= value <= 4096:
                raise SketchError(f"--{name} must be 64 to 4096 pixels, got {value}")
        if not 1 <= self.steps <= 500:
            raise SketchError(f"--steps must be 1 to 500, got {self.steps}")
        if not 0 <= self.guidance <= 50:
            raise SketchError(f"--guidance must be 0 to 50, got {self.guidance}")
        if not 0 < self.strength <= 1:
            raise SketchError(f"--strength must be above 0 and at most 1, got {self.strength}")
        if not 0 <= self.control_scale <= 5:
            raise SketchError(f"--control-scale must be 0 to 5, got {self.control_scale}")
        if self.seed < 0:
            raise SketchError(f"--seed must be 0 or more, got {self.seed}")
        return self


# ---- weights --------------------------------------------------------------------------------------------------------
def comfyui_models() -> Path | None:
    """ComfyUI's ``models`` folder when this pack sits in ``ComfyUI/custom_nodes/<any name>/``."""
    parents = Path(__file__).resolve().parents
    if len(parents) < 4:
        return None
    root = parents[3]
    return root / "models" if (root / "models").is_dir() and (root / "comfy").is_dir() else None


def find_weights(name: str | None, kind: str) -> Path:
    """``--checkpoint`` / ``--controlnet`` → an existing file or diffusers folder, or a SketchError saying what to
    get and where to put it."""
    get = GET_CHECKPOINT if kind == "checkpoint" else GET_CONTROLNET
    flag = f"--{kind}"
    if not name:
        raise SketchError(f"{flag} is missing: {get}")
    path = Path(name).expanduser()
    if not path.exists():
        models = comfyui_models()
        folder = {"checkpoint": "checkpoints", "controlnet": "controlnet"}[kind]
        if models is not None and len(path.parts) == 1 and (models / folder / path.name).exists():
            path = models / folder / path.name
        else:
            raise SketchError(f"{flag} {name}: no such file or folder; {get}")
    if path.is_dir():
        marker = "model_index.json" if kind == "checkpoint" else "config.json"
        if not (path / marker).is_file():
            raise SketchError(f"{flag} {name} is a folder without {marker}, so not a diffusers "
                              f"{'pipeline' if kind == 'checkpoint' else 'ControlNet'}; give the folder that holds "
                              f"{marker}, or a single .safetensors/.ckpt file")
        return path
    if path.suffix.lower() not in (".safetensors", ".ckpt", ".pt", ".pth", ".bin"):
        raise SketchError(f"{flag} {name} is not a .safetensors, .ckpt, .pt, .pth or .bin file nor a diffusers folder")
    return path


def _safetensors_keys(path: Path) -> list[str] | None:
    """The tensor names of a .safetensors file, from its header (no torch); None for other formats."""
    if path.suffix.lower() != ".safetensors":
        return None
    try:
        with path.open("rb") as f:
            size = int.from_bytes(f.read(8), "little")
            if not 2 <= size <= 100_000_000:
                raise ValueError
            header = json.loads(f.read(size))
    except (OSError, ValueError):
        raise SketchError(f"{path} is not a readable .safetensors file (truncated or another format?)") from None
    return [k for k in header if k != "__metadata__"]


def detect_arch(path: Path, requested: str = "auto") -> str:
    """sd15 or sdxl, from a diffusers folder's model_index.json or a single file's tensor names."""
    if requested != "auto":
        return requested
    if path.is_dir():
        try:
            index = json.loads((path / "model_index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SketchError(f"cannot read {path / 'model_index.json'}: {exc}") from None
        return "sdxl" if "XL" in str(index.get("_class_name", "")) or "text_encoder_2" in index else "sd15"
    keys = _safetensors_keys(path)
    if keys is None:
        return "sd15"  # a .ckpt: --arch sdxl says otherwise
    if any(k.startswith("conditioner.embedders.1.") for k in keys):
        return "sdxl"
    if any(k.startswith(("model.diffusion_model.", "unet.", "down_blocks.")) for k in keys):
        return "sd15"
    if any(k.startswith(("control_model.", "controlnet_")) for k in keys):
        raise SketchError(f"--checkpoint {path} is a ControlNet, not a Stable Diffusion checkpoint: pass it to "
                          f"--controlnet; {GET_CHECKPOINT}")
    raise SketchError(f"--checkpoint {path} holds no Stable Diffusion UNet (no model.diffusion_model.* tensors): "
                      f"is it a LoRA, a VAE or an embedding? {GET_CHECKPOINT}")


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise SketchError("--device cuda: torch sees no CUDA GPU here (a CPU-only torch build, or no driver)")
    if requested == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise SketchError("--device mps: this torch has no Apple-silicon GPU (MPS) backend here")
    return requested


def _import_diffusers():
    """diffusers, imported only when generating, offline: weights and configs come from local files."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import diffusers
        import torch  # noqa: F401
    except ImportError as exc:
        raise SketchError(f"generate needs torch and diffusers ({exc.name or exc} is missing): pip install diffusers "
                          f"transformers torch (ComfyUI already brings torch and transformers)") from None
    import warnings

    # diffusers ≥ 0.36 renames torch_dtype to dtype; torch_dtype works in every version this supports
    warnings.filterwarnings("ignore", message=".*torch_dtype.*deprecated", category=FutureWarning)
    # huggingface_hub's note about an argument diffusers still passes while it looks for a config (offline)
    warnings.filterwarnings("ignore", message=".*local_dir_use_symlinks.*", category=UserWarning)
    diffusers.utils.logging.set_verbosity_error()
    try:
        import transformers

        transformers.utils.logging.set_verbosity_error()
    except ImportError:
        pass
    return diffusers


_PIPELINES = {
    ("sd15", "controlnet"): "StableDiffusionControlNetPipeline",
    ("sd15", "img2img"): "StableDiffusionImg2ImgPipeline",
    ("sd15", "plain"): "StableDiffusionPipeline",
    ("sdxl", "controlnet"): "StableDiffusionXLControlNetPipeline",
    ("sdxl", "img2img"): "StableDiffusionXLImg2ImgPipeline",
    ("sdxl", "plain"): "StableDiffusionXLPipeline",
}


def _load_error(what: str, path: Path, exc: Exception, single_file: bool) -> SketchError:
    text = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
    if single_file and any(m in text for m in ("snapshot", "HF_HUB_OFFLINE", "does not appear to have a file named",
                                                 "offline", "Offline")):
        text = ("its diffusers config was not found on this machine (not beside it, not in the local Hugging Face "
                "cache)" if what == "the ControlNet" else "its model's diffusers configs were not found on this "
                "machine (not in the local Hugging Face cache)")
    if len(text) > 400:
        text = text[:400] + "…"
    hint = ""
    if single_file and what == "the ControlNet":
        hint = (" A single-file ControlNet is read with its diffusers config.json, which is never downloaded here: put "
                "the model's config.json in the same folder as the file (or give the diffusers folder instead).")
    elif single_file:
        hint = (" A single-file checkpoint is read with its model's diffusers configs and tokenizer, which are not in "
                "the file and are never downloaded here: pass --config DIR, a diffusers folder of the same model "
                "(the configs and tokenizer are enough: e.g. stable-diffusion-v1-5/stable-diffusion-v1-5 or "
                "stabilityai/stable-diffusion-xl-base-1.0 downloaded without its weights files), or give a diffusers "
                "folder to --checkpoint.")
    return SketchError(f"cannot load {what} {path}: {text}.{hint}")


@dataclass
class Loaded:
    """A loaded pipeline and what it was loaded from."""

    pipe: object
    arch: str
    device: str
    dtype: str
    seconds: float
    checkpoint: str
    controlnet: str | None


def load_pipeline(settings: Settings) -> Loaded:
    """The diffusers pipeline for ``settings.mode`` and the checkpoint's architecture, on the chosen device."""
    settings.validate()
    checkpoint = find_weights(settings.checkpoint, "checkpoint")
    arch = detect_arch(checkpoint, settings.arch)
    controlnet = find_weights(settings.controlnet, "controlnet") if settings.mode == "controlnet" else None
    if settings.config is not None and not (Path(settings.config) / "model_index.json").is_file():
        raise SketchError(f"--config {settings.config} is not a diffusers folder (no model_index.json)")
    start = time.perf_counter()
    diffusers = _import_diffusers()
    import torch

    device = pick_device(settings.device)
    dtype = torch.float16 if device in ("cuda", "mps") else torch.float32
    kwargs: dict = {"torch_dtype": dtype, "local_files_only": True}
    if controlnet is not None:
        single = controlnet.is_file()
        try:
            if single:  # its config.json: beside the file if there is one, else the local Hugging Face cache
                beside = {"config": str(controlnet.parent)} if (controlnet.parent / "config.json").is_file() else {}
                model = diffusers.ControlNetModel.from_single_file(str(controlnet), **kwargs, **beside)
            else:
                model = diffusers.ControlNetModel.from_pretrained(str(controlnet), **kwargs)
        except Exception as exc:
            raise _load_error("the ControlNet", controlnet, exc, single) from None
        kwargs["controlnet"] = model
    cls = getattr(diffusers, _PIPELINES[arch, settings.mode])
    if arch == "sd15":
        kwargs.update(safety_checker=None, requires_safety_checker=False)
    single = checkpoint.is_file()
    try:
        if single:
            if settings.config is not None:
                kwargs["config"] = str(settings.config)
            pipe = cls.from_single_file(str(checkpoint), **kwargs)
        else:
            pipe = cls.from_pretrained(str(checkpoint), **kwargs)
    except Exception as exc:  # diffusers raises many kinds here (SingleFileComponentError, EnvironmentError, …)
        raise _load_error("the checkpoint", checkpoint, exc, single) from None
    try:
        pipe = pipe.to(device)
    except RuntimeError as exc:  # out of memory, mostly
        raise SketchError(f"cannot move the model to {device}: {' '.join(str(exc).split())[:300]}") from None
    return Loaded(pipe=pipe, arch=arch, device=device, dtype=str(dtype).replace("torch.", ""),
                  seconds=time.perf_counter() - start, checkpoint=str(checkpoint),
                  controlnet=str(controlnet) if controlnet else None)


# ---- one prompt -------------------------------------------------------------------------------------------------------
def _png_bytes(array) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _write(path: Path, data: str | bytes) -> None:
    try:
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    except OSError as exc:
        raise SketchError(f"cannot write {path}: {exc.strerror or exc}") from None


def _mkdir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SketchError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise SketchError(f"cannot write {path}: not a folder")
    return path


@dataclass
class Sketch:
    svg: str
    layout: object
    report: object  # the sketch's own check (Report)
    constraints: object
    source: str  # planner or llm
    info: dict
    transcript: dict | None = None


def make_sketch(prompt: str, width: int, height: int, settings: Settings, client=None) -> Sketch:
    """The planner's sketch, or the LLM's with ``client`` (an ``llm.LLMClient``), at the image's size."""
    from .check import check
    from .parse import parse

    constraints = parse(prompt)
    if client is not None:
        from .sketch_llm import sketch_with_llm

        result = sketch_with_llm(constraints, client, width=width, height=height, seed=settings.seed,
                                 candidates=settings.candidates, max_repairs=settings.max_repairs,
                                 rule=settings.rule, fallback=settings.fallback)
        info = {"source": result.source, "passed": result.report.passed, "score": result.report.score,
                "requests": result.requests, "cached_replies": result.cached, "best": result.best,
                "notes": list(result.notes), "report": result.report.to_dict()}
        return Sketch(result.svg, result.layout, result.report, constraints, result.source, info, result.transcript)
    from .draw import STYLES, draw
    from .layout import extract_layout
    from .plan import plan
    from .svgsafe import sanitize

    if settings.style not in STYLES:
        raise SketchError(f"unknown style {settings.style!r}: use one of {', '.join(STYLES)}")
    planned = plan(constraints, width, height, settings.seed)
    doc = sanitize(draw(planned.layout, planned.fills, planned.scene, settings.style))
    layout = extract_layout(doc, width, height)
    report = check(layout, constraints, settings.rule)
    info = {"source": "planner", "passed": report.passed, "score": report.score,
            "conflicts": list(planned.conflicts), "report": report.to_dict()}
    return Sketch(doc.text, layout, report, constraints, "planner", info)


def control_image(svg: str, kind: str, width: int, height: int, constraints=None):
    """The control map (H×W×3 uint8) of the sketch (``control.control_map``)."""
    from .control import control_map

    return control_map(svg, kind, width, height, snap=8, constraints=constraints)


def find_objects(rgb, constraints):
    """Image to Layout: (Layout of the prompt's objects found in the generated image, the detector's name)."""
    from .detect import detect_layout

    layout, _masks = detect_layout(rgb, constraints)
    return layout, "detect.detect_layout (colour regions)"


def _size(settings: Settings, arch: str) -> tuple[int, int]:
    from .control import snap_size

    base = 1024 if arch == "sdxl" else 512
    return snap_size(settings.width or base, settings.height or base, 8)


def generate_one(prompt: str, out: Path, loaded: Loaded, settings: Settings, client=None, label: str = "") -> dict:
    """Sketch, generate, find and check one prompt into ``out``; returns report.json's content."""
    import numpy as np
    import torch
    from PIL import Image

    from .check import check
    from .preview import draw_report

    if not prompt or not prompt.strip():
        raise SketchError("the prompt is empty")
    width, height = _size(settings, loaded.arch)
    timings = {}
    t0 = time.perf_counter()
    sketch = make_sketch(prompt, width, height, settings, client)
    from .render import rasterize

    sketch_rgba = rasterize(sketch.svg, width, height, background="white")
    timings["sketch_s"] = round(time.perf_counter() - t0, 3)

    pipe = loaded.pipe
    generator = torch.Generator("cpu").manual_seed(settings.seed)
    call = {"prompt": prompt, "negative_prompt": settings.negative or None, "num_inference_steps": settings.steps,
            "guidance_scale": settings.guidance, "generator": generator}
    control = None
    if settings.mode == "controlnet":
        control = control_image(sketch.svg, settings.control, width, height, sketch.constraints)
        call.update(image=Image.fromarray(control), width=width, height=height,
                    controlnet_conditioning_scale=settings.control_scale)
    elif settings.mode == "img2img":
        control = np.ascontiguousarray(sketch_rgba[..., :3])
        call.update(image=Image.fromarray(control), strength=settings.strength)
    else:
        call.update(width=width, height=height)
    if hasattr(pipe, "set_progress_bar_config"):
        pipe.set_progress_bar_config(desc=label or "denoising", leave=False)
    t1 = time.perf_counter()
    try:
        with torch.inference_mode():
            image = pipe(**call).images[0]
    except (RuntimeError, ValueError) as exc:
        raise SketchError(f"generation failed: {' '.join(str(exc).split())[:400]}") from None
    timings["generate_s"] = round(time.perf_counter() - t1, 3)
    rgb = np.asarray(image.convert("RGB"))
    if rgb.shape[:2] != (height, width):  # img2img keeps the init image's size; be sure the check sees W×H
        rgb = np.asarray(image.convert("RGB").resize((width, height), Image.BICUBIC))

    t2 = time.perf_counter()
    layout, detector = find_objects(rgb, sketch.constraints)
    verdict = check(layout, sketch.constraints, settings.rule)
    timings["check_s"] = round(time.perf_counter() - t2, 3)

    out = _mkdir(Path(out))
    report = {
        "prompt": prompt, "passed": verdict.passed, "score": verdict.score, "rule": settings.rule,
        "checks_passed": sum(c.passed for c in verdict.checks), "checks": len(verdict.checks),
        "objects_found": len(layout.objects), "detector": detector, "image": verdict.to_dict(),
        "sketch": sketch.info,
        "settings": {"mode": settings.mode, "control": settings.control if settings.mode == "controlnet" else None,
                     "arch": loaded.arch, "checkpoint": loaded.checkpoint, "controlnet": loaded.controlnet,
                     "width": width, "height": height, "steps": settings.steps, "guidance": settings.guidance,
                     "strength": settings.strength if settings.mode == "img2img" else None,
                     "control_scale": settings.control_scale if settings.mode == "controlnet" else None,
                     "seed": settings.seed, "negative": settings.negative, "device": loaded.device,
                     "dtype": loaded.dtype, "llm": settings.llm},
        "timings": timings,
    }
    files = {"image.png": _png_bytes(rgb), "sketch.svg": sketch.svg, "sketch.png": _png_bytes(sketch_rgba)}
    if control is not None:
        files["control.png"] = _png_bytes(control)
    files["layout.json"] = layout.to_json()
    files["report.json"] = json.dumps(report, indent=2, ensure_ascii=False)
    files["preview.png"] = _png_bytes(draw_report(rgb, layout, verdict, sketch.constraints))
    if sketch.transcript is not None:
        files["transcript.json"] = json.dumps(sketch.transcript, indent=2, ensure_ascii=False)
    for name, data in files.items():
        _write(out / name, data)
    report["files"] = [str(out / name) for name in files]
    return report


# ---- the command ------------------------------------------------------------------------------------------------------
def settings_from_args(args) -> Settings:
    names = set(Settings.__dataclass_fields__)
    return Settings(**{name: getattr(args, name) for name in names if hasattr(args, name)}).validate()


def _client(settings: Settings):
    if not settings.llm:
        return None
    from .llm import client_from

    return client_from(settings.provider or ("custom" if settings.base_url else "openai"), settings.llm,
                       settings.base_url)


def write_summary(path: Path, rows: list[dict]) -> dict:
    """summary.csv: one row per prompt, then ``all`` with the pass rates (sketch, image) and the mean score."""
    n = len(rows)
    rates = {"prompts": n,
             "sketch_pass_rate": round(sum(r["sketch_passed"] for r in rows) / n, 4) if n else 0.0,
             "image_pass_rate": round(sum(r["image_passed"] for r in rows) / n, 4) if n else 0.0,
             "mean_score": round(sum(r["score"] for r in rows) / n, 4) if n else 0.0}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (int(v) if isinstance(v, bool) else v) for k, v in row.items()})
    writer.writerow({"index": "all", "folder": "", "prompt": f"pass rate over {n} prompts", "seed": "",
                     "sketch_passed": rates["sketch_pass_rate"], "image_passed": rates["image_pass_rate"],
                     "score": rates["mean_score"], "checks_passed": sum(r["checks_passed"] for r in rows),
                     "checks": sum(r["checks"] for r in rows), "objects_found": "",
                     "seconds": round(sum(r["seconds"] for r in rows), 3)})
    _write(path, buffer.getvalue())
    return rates


def run_batch(rows: list[dict], out: Path, settings: Settings, loaded: Loaded | None = None,
              echo=print) -> dict:
    """Every row into ``out/0000/`` … and ``out/summary.csv``; returns the pass rates."""
    from dataclasses import replace

    out = _mkdir(Path(out))
    loaded = loaded or load_pipeline(settings)
    client = _client(settings)
    summary = []
    try:
        for index, row in enumerate(rows):
            folder = out / f"{index:04d}"
            own = replace(settings, seed=int(row.get("seed", settings.seed)))
            start = time.perf_counter()
            report = generate_one(row["prompt"], folder, loaded, own, client, label=f"{index + 1}/{len(rows)}")
            seconds = round(time.perf_counter() - start, 3)
            summary.append({"index": index, "folder": folder.name, "prompt": row["prompt"], "seed": own.seed,
                            "sketch_passed": bool(report["sketch"]["passed"]), "image_passed": bool(report["passed"]),
                            "score": report["score"], "checks_passed": report["checks_passed"],
                            "checks": report["checks"], "objects_found": report["objects_found"],
                            "seconds": seconds})
            echo(f"{folder}  sketch {'PASS' if report['sketch']['passed'] else 'FAIL'}  image "
                 f"{'PASS' if report['passed'] else 'FAIL'} {report['checks_passed']}/{report['checks']}  "
                 f"{seconds:.1f} s  {row['prompt'][:60]!r}")
    finally:
        if client is not None:
            client.close()
    rates = write_summary(out / "summary.csv", summary)
    echo(f"{len(rows)} prompts: the sketch passed {rates['sketch_pass_rate']:.1%}, the image "
         f"{rates['image_pass_rate']:.1%} (rule {settings.rule}); {out / 'summary.csv'}")
    return rates


def cmd_generate(args) -> int:
    settings = settings_from_args(args)
    if args.batch:
        if args.prompt:
            raise SketchError("give either a PROMPT or --batch FILE, not both")
        rows = read_batch(args.batch)
        run_batch(rows, Path(args.out), settings)
        return 0
    if not args.prompt or not args.prompt.strip():
        raise SketchError("give a PROMPT (in quotes) or --batch FILE")
    loaded = load_pipeline(settings)
    print(f"loaded {loaded.arch} ({settings.mode}) on {loaded.device} in {loaded.seconds:.1f} s")
    client = _client(settings)
    try:
        report = generate_one(args.prompt, Path(args.out), loaded, settings, client)
    finally:
        if client is not None:
            client.close()
    print(f"prompt: {args.prompt!r}")
    print(f"sketch ({report['sketch']['source']}): {'PASSED' if report['sketch']['passed'] else 'FAILED'}; image: "
          f"{'PASSED' if report['passed'] else 'FAILED'} {report['checks_passed']}/{report['checks']} checks, "
          f"rule {settings.rule}, {report['objects_found']} object(s) found")
    for check in report["image"]["checks"]:
        print(f"  {'✓' if check['passed'] else '✗'} {check['text']}" + ("" if check["passed"] else
                                                                       f" — {check['detail']}"))
    for path in report["files"]:
        print(path)
    return 0


def add_parser(sub) -> None:
    """The ``generate`` subcommand on an argparse subparsers object."""
    from .draw import STYLES

    p = sub.add_parser("generate", help="prompt → sketch → image with diffusers (SD1.5/SDXL) → found objects, "
                                        "checked")
    p.add_argument("prompt", nargs="?", help="the scene in words, in quotes")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--batch", help='a file of JSON lines {"prompt": …} (optionally "seed"): OUT/0000/, … and '
                                   "OUT/summary.csv")
    m = p.add_argument_group("model (local files only; nothing is downloaded)")
    m.add_argument("--checkpoint", help="SD1.5 or SDXL: a .safetensors/.ckpt file or a diffusers folder")
    m.add_argument("--controlnet", help="a ControlNet matching --control (file or diffusers folder); controlnet mode")
    m.add_argument("--mode", default="controlnet", choices=MODES,
                   help="controlnet (default): the control map guides; img2img: the colour sketch is the start "
                        "image; plain: no guidance (a baseline)")
    m.add_argument("--control", default="scribble", choices=CONTROL_KINDS,
                   help="the control map drawn from the sketch (default scribble)")
    m.add_argument("--arch", default="auto", choices=ARCHS, help="auto (default: from the checkpoint), sd15, sdxl")
    m.add_argument("--config", help="a diffusers folder with a single-file checkpoint's configs and tokenizer")
    m.add_argument("--device", default="auto", choices=DEVICES, help="auto (default): cuda, else mps, else cpu")
    g = p.add_argument_group("sampling")
    g.add_argument("--width", type=int, help="image width (default 512 for SD1.5, 1024 for SDXL; multiple of 8)")
    g.add_argument("--height", type=int, help="image height (default as --width)")
    g.add_argument("--steps", type=int, default=25, help="denoising steps (default 25)")
    g.add_argument("--guidance", type=float, default=7.5, help="classifier-free guidance scale (default 7.5)")
    g.add_argument("--strength", type=float, default=0.8, help="img2img: how much of the sketch is re-noised "
                                                               "(default 0.8)")
    g.add_argument("--control-scale", type=float, default=1.0, help="ControlNet conditioning scale (default 1.0)")
    g.add_argument("--seed", type=int, default=0, help="the sketch's and the noise's seed (default 0)")
    g.add_argument("--negative", default="", help="negative prompt")
    g.add_argument("--rule", default="geneval", choices=RULES, help="the check's rule (default geneval)")
    g.add_argument("--style", default="auto", choices=STYLES,
                   help="the planner's drawing style (default auto)")
    llm = p.add_argument_group("LLM sketch", "ask a model on any OpenAI-compatible server for the sketch (the key "
                                             "comes from LLM_SKETCH_API_KEY, OPENAI_API_KEY or llm_sketch.toml)")
    llm.add_argument("--llm", metavar="MODEL", help="the model id, e.g. gpt-4o-mini or qwen2.5-coder:7b")
    llm.add_argument("--base-url", default="", help="the server, e.g. http://127.0.0.1:11434/v1 (default: OpenAI's)")
    llm.add_argument("--provider", help="a preset (openai, ollama, llama.cpp, vllm, lmstudio, custom) or a profile")
    llm.add_argument("--candidates", type=int, default=1, help="sketches asked for at once, best kept (default 1)")
    llm.add_argument("--max-repairs", type=int, default=2, help="rounds sending failed checks back (default 2)")
    llm.add_argument("--fallback", default="none", choices=["none", "planner"],
                     help="planner: the offline planner's sketch when no LLM sketch passes")
    p.set_defaults(run=cmd_generate)


__all__ = ["Settings", "Loaded", "load_pipeline", "generate_one", "run_batch", "read_batch", "write_summary",
           "find_weights", "detect_arch", "make_sketch", "add_parser", "cmd_generate"]
