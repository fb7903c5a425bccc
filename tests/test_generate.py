"""``python -m llm_sketch generate`` end to end on the CPU, with tiny random-weight diffusers models built here.

Nothing comes from a hub: the UNet, VAE, ControlNet and CLIP text models are built from tiny configs (a handful
of channels), the tokenizer from a vocab.json (the 256 byte characters, each also as a word end) and an empty
merges.txt written here. They are saved as diffusers folders (SD1.5 and SDXL) and as one original-layout
single-file SD1.5 checkpoint (``model.diffusion_model.*``, ``first_stage_model.*``, ``cond_stage_model.*``), which
``from_single_file`` reads with ``--config`` pointing at the folder (the configs and tokenizer a single file lacks).
The CLI runs in subprocesses, as a user would run it, on 64×64 images with 2 steps.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # never a hub, here or in the subprocesses

ROOT = Path(__file__).resolve().parents[1]
SIZE = 64
PROMPT = "a red circle to the left of a blue square"


# ---- tiny models ----------------------------------------------------------------------------------------------
def _byte_chars() -> list[str]:
    """GPT-2/CLIP's printable stand-in for each of the 256 bytes."""
    kept = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    codes = {b: b for b in kept}
    for b in range(256):
        if b not in codes:
            codes[b] = 256 + len(codes) - len(kept)
    return [chr(codes[b]) for b in range(256)]


def write_tokenizer_files(folder: Path) -> Path:
    chars = _byte_chars()
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": 256 + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = 512, 513
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return folder


def _tokenizer(folder: Path):
    from transformers import CLIPTokenizer

    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)


def _text_config(**extra):
    from transformers import CLIPTextConfig

    return CLIPTextConfig(vocab_size=514, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                          num_attention_heads=2, max_position_embeddings=77, bos_token_id=512, eos_token_id=513,
                          pad_token_id=513, **extra)


def _vae():
    from diffusers import AutoencoderKL

    return AutoencoderKL(block_out_channels=(4, 8, 8), in_channels=3, out_channels=3, latent_channels=4,
                         down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
                         layers_per_block=1, norm_num_groups=4, sample_size=SIZE)


def _scheduler():
    from diffusers import DDIMScheduler

    return DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                         set_alpha_to_one=False, steps_offset=1)


UNET = dict(block_out_channels=(8, 16), layers_per_block=1, sample_size=SIZE // 4, in_channels=4, out_channels=4,
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
            attention_head_dim=2, norm_num_groups=4)


def build_sd15(root: Path) -> dict:
    import torch
    from diffusers import ControlNetModel, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(cross_attention_dim=16, **UNET)
    pipe = StableDiffusionPipeline(vae=_vae(), text_encoder=CLIPTextModel(_text_config()),
                                   tokenizer=_tokenizer(write_tokenizer_files(root / "vocab")), unet=unet,
                                   scheduler=_scheduler(), safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(root / "sd15")
    ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(4, 8, 8)).save_pretrained(root / "cn15")
    single = root / "tiny-sd15.safetensors"
    save_single_file(pipe, single)
    # a single-file ControlNet with its config.json beside it (as many are shared), and one without
    from safetensors.torch import save_file

    controlnet = ControlNetModel.from_pretrained(root / "cn15")
    for name in ("cn-file", "cn-file-alone"):
        (root / name).mkdir()
        save_file({k: v.contiguous() for k, v in controlnet.state_dict().items()},
                  str(root / name / "tiny-scribble.safetensors"))
    (root / "cn-file" / "config.json").write_bytes((root / "cn15" / "config.json").read_bytes())
    return {"folder": root / "sd15", "controlnet": root / "cn15", "single": single, "pipe": pipe,
            "controlnet_file": root / "cn-file" / "tiny-scribble.safetensors",
            "controlnet_file_alone": root / "cn-file-alone" / "tiny-scribble.safetensors"}


def build_sdxl(root: Path) -> dict:
    import torch
    from diffusers import ControlNetModel, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(1)
    unet = UNet2DConditionModel(cross_attention_dim=32, addition_embed_type="text_time", addition_time_embed_dim=4,
                                projection_class_embeddings_input_dim=8 + 6 * 4, **UNET)
    tokenizer = _tokenizer(write_tokenizer_files(root / "vocab"))
    pipe = StableDiffusionXLPipeline(vae=_vae(), text_encoder=CLIPTextModel(_text_config()),
                                     text_encoder_2=CLIPTextModelWithProjection(_text_config(projection_dim=8)),
                                     tokenizer=tokenizer, tokenizer_2=tokenizer, unet=unet, scheduler=_scheduler())
    pipe.save_pretrained(root / "sdxl")
    ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(4, 8, 8)).save_pretrained(root / "cnxl")
    return {"folder": root / "sdxl", "controlnet": root / "cnxl"}


# diffusers → the original (LDM) layout of a single-file SD1.x checkpoint, for the tiny configuration above: the
# inverse of the renaming diffusers' from_single_file does (diffusers.loaders.single_file_utils).
_RESNET = (("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("norm2", "out_layers.0"), ("conv2", "out_layers.3"),
           ("time_emb_proj", "emb_layers.1"), ("conv_shortcut", "skip_connection"))


def _unet_to_ldm(state: dict, layers: int, levels: int) -> dict:
    top = {"time_embedding.linear_1": "time_embed.0", "time_embedding.linear_2": "time_embed.2",
           "conv_in": "input_blocks.0.0", "conv_norm_out": "out.0", "conv_out": "out.2"}
    out = {}
    for key, value in state.items():
        parts = key.split(".")
        name = None
        if ".".join(parts[:2]) in top:
            name = top[".".join(parts[:2])] + "." + ".".join(parts[2:])
        elif parts[0] in top:
            name = top[parts[0]] + "." + ".".join(parts[1:])
        elif parts[0] == "down_blocks":
            i, kind, j, rest = int(parts[1]), parts[2], int(parts[3]), ".".join(parts[4:])
            if kind == "downsamplers":
                name = f"input_blocks.{(i + 1) * (layers + 1)}.0.op." + rest.removeprefix("conv.")
            else:
                block = 1 + i * (layers + 1) + j
                name = f"input_blocks.{block}.{0 if kind == 'resnets' else 1}." + rest
                if kind == "resnets":
                    for new, old in _RESNET:
                        name = name.replace(f".0.{new}.", f".0.{old}.")
        elif parts[0] == "mid_block":
            kind, j, rest = parts[1], int(parts[2]), ".".join(parts[3:])
            block = 1 if kind == "attentions" else 2 * j
            name = f"middle_block.{block}." + rest
            if kind == "resnets":
                for new, old in _RESNET:
                    name = name.replace(f".{block}.{new}.", f".{block}.{old}.")
        elif parts[0] == "up_blocks":
            i, kind, j, rest = int(parts[1]), parts[2], int(parts[3]), ".".join(parts[4:])
            if kind == "upsamplers":
                has_attention = any(k.startswith(f"up_blocks.{i}.attentions.") for k in state)
                name = f"output_blocks.{i * (layers + 1) + layers}.{2 if has_attention else 1}." + rest
            else:
                name = f"output_blocks.{i * (layers + 1) + j}.{0 if kind == 'resnets' else 1}." + rest
                if kind == "resnets":
                    for new, old in _RESNET:
                        name = name.replace(f".0.{new}.", f".0.{old}.")
        if name is None:
            raise AssertionError(f"no LDM name for the UNet tensor {key}")
        out["model.diffusion_model." + name] = value
    return out


def _vae_to_ldm(state: dict, levels: int) -> dict:
    out = {}
    attention = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}
    for key, value in state.items():
        name = key.replace("conv_norm_out", "norm_out").replace("conv_shortcut", "nin_shortcut")
        parts = name.split(".")
        if parts[1] == "down_blocks":
            i, kind = int(parts[2]), parts[3]
            name = (f"{parts[0]}.down.{i}.downsample.{'.'.join(parts[5:])}" if kind == "downsamplers" else
                    f"{parts[0]}.down.{i}.block.{'.'.join(parts[4:])}")
        elif parts[1] == "up_blocks":
            i, kind = levels - 1 - int(parts[2]), parts[3]
            name = (f"{parts[0]}.up.{i}.upsample.{'.'.join(parts[5:])}" if kind == "upsamplers" else
                    f"{parts[0]}.up.{i}.block.{'.'.join(parts[4:])}")
        elif parts[1] == "mid_block" and parts[2] == "resnets":
            name = f"{parts[0]}.mid.block_{int(parts[3]) + 1}.{'.'.join(parts[4:])}"
        elif parts[1] == "mid_block":
            inner = ".".join(parts[4:-1])
            name = f"{parts[0]}.mid.attn_1.{attention[inner]}.{parts[-1]}"
            if value.ndim == 2:
                value = value[:, :, None, None]
        out["first_stage_model." + name] = value
    return out


def save_single_file(pipe, path: Path) -> None:
    from safetensors.torch import save_file

    unet = pipe.unet
    state = _unet_to_ldm(unet.state_dict(), unet.config.layers_per_block, len(unet.config.block_out_channels))
    state.update(_vae_to_ldm(pipe.vae.state_dict(), len(pipe.vae.config.block_out_channels)))
    # real files name CLIP's tensors text_model.* (transformers 5 leaves that prefix out of its state dicts)
    state.update({"cond_stage_model.transformer.text_model." + k.removeprefix("text_model."): v
                  for k, v in pipe.text_encoder.state_dict().items()})
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-diffusers")
    return {"sd15": build_sd15(root), "sdxl": build_sdxl(root), "root": root}


# ---- helpers ----------------------------------------------------------------------------------------------------
def run_cli(*args, timeout=240):
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "llm_sketch", "generate", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def assert_folder(folder: Path, prompt: str, mode: str, control: str | None = "scribble") -> dict:
    import numpy as np
    from PIL import Image

    from llm_sketch.check import check
    from llm_sketch.layout import Layout
    from llm_sketch.parse import parse

    names = ["image.png", "sketch.svg", "sketch.png", "layout.json", "report.json", "preview.png"]
    names += ["control.png"] if mode != "plain" else []
    for name in names:
        assert (folder / name).is_file() and (folder / name).stat().st_size > 0, f"{folder / name} was not written"
    image = Image.open(folder / "image.png")
    assert image.size == (SIZE, SIZE) and image.mode == "RGB"
    report = json.loads((folder / "report.json").read_text())
    assert report["prompt"] == prompt and report["settings"]["mode"] == mode
    # layout.json is the image's layout, and report.json's verdict is the check of exactly that layout
    layout = Layout.from_json((folder / "layout.json").read_text())
    assert (layout.width, layout.height) == (SIZE, SIZE)
    verdict = check(layout, parse(prompt), report["rule"])
    assert (verdict.passed, verdict.score) == (report["passed"], report["score"])
    assert report["checks"] == len(verdict.checks) > 0 and report["objects_found"] == len(layout.objects)
    # the planner's sketch of this prompt passes its own check
    assert report["sketch"]["source"] == "planner" and report["sketch"]["passed"] is True
    if mode == "controlnet":  # the map the model saw is the sketch's control map
        from llm_sketch.control import control_map

        expected = control_map((folder / "sketch.svg").read_text(), control, SIZE, SIZE)
        assert np.array_equal(np.asarray(Image.open(folder / "control.png").convert("RGB")), expected)
    if mode == "img2img":  # the start image is the colour sketch
        assert np.array_equal(np.asarray(Image.open(folder / "control.png").convert("RGB")),
                              np.asarray(Image.open(folder / "sketch.png").convert("RGB")))
    return report


# ---- end to end -------------------------------------------------------------------------------------------------
def test_generate_controlnet_from_diffusers_folders(models, tmp_path):
    out = tmp_path / "one"
    result = run_cli(PROMPT, "--out", out, "--checkpoint", models["sd15"]["folder"], "--controlnet",
                     models["sd15"]["controlnet"], "--width", SIZE, "--height", SIZE, "--steps", 2, "--device", "cpu")
    assert result.returncode == 0, result.stderr[-2000:]
    report = assert_folder(out, PROMPT, "controlnet")
    assert report["settings"]["arch"] == "sd15" and report["settings"]["device"] == "cpu"
    assert "image:" in result.stdout and str(out / "image.png") in result.stdout


def test_generate_batch_img2img_from_a_single_file(models, tmp_path):
    """--batch with an original-layout .safetensors (from_single_file, configs from --config) in img2img mode."""
    prompts = [{"prompt": PROMPT}, {"prompt": "a yellow star above a green triangle", "seed": 3}]
    batch = tmp_path / "prompts.jsonl"
    batch.write_text("\n".join(json.dumps(p) for p in prompts) + "\n\n", encoding="utf-8")
    out = tmp_path / "batch"
    result = run_cli("--batch", batch, "--out", out, "--checkpoint", models["sd15"]["single"], "--config",
                     models["sd15"]["folder"], "--mode", "img2img", "--width", SIZE, "--height", SIZE, "--steps", 2,
                     "--strength", 0.5, "--device", "cpu")
    assert result.returncode == 0, result.stderr[-2000:]
    reports = [assert_folder(out / f"{i:04d}", p["prompt"], "img2img") for i, p in enumerate(prompts)]
    assert [r["settings"]["seed"] for r in reports] == [0, 3]
    with (out / "summary.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["index"] for r in rows] == ["0", "1", "all"]
    for row, report, prompt in zip(rows, reports, prompts):
        assert row["prompt"] == prompt["prompt"] and row["folder"] == f"{int(row['index']):04d}"
        assert row["image_passed"] == str(int(report["passed"])) and row["sketch_passed"] == "1"
        assert float(row["score"]) == report["score"]
        assert (int(row["checks_passed"]), int(row["checks"])) == (report["checks_passed"], report["checks"])
    rates = rows[-1]
    assert float(rates["image_passed"]) == pytest.approx(sum(r["passed"] for r in reports) / 2)
    assert float(rates["sketch_passed"]) == 1.0
    assert float(rates["score"]) == pytest.approx(sum(r["score"] for r in reports) / 2, abs=1e-4)
    assert "summary.csv" in result.stdout


def test_single_file_controlnet_reads_the_config_beside_it(models, tmp_path, capsys):
    import torch

    from llm_sketch.generate import Settings, load_pipeline

    loaded = load_pipeline(Settings(checkpoint=str(models["sd15"]["folder"]), device="cpu",
                                    controlnet=str(models["sd15"]["controlnet_file"])))
    from diffusers import ControlNetModel

    saved = ControlNetModel.from_pretrained(models["sd15"]["controlnet"]).state_dict()
    mine = loaded.pipe.controlnet.state_dict()
    assert set(mine) == set(saved) and all(torch.equal(mine[k], saved[k]) for k in saved)
    capsys.readouterr()
    err = _error(capsys, PROMPT, "--out", tmp_path / "out", "--checkpoint", models["sd15"]["folder"],
                 "--controlnet", models["sd15"]["controlnet_file_alone"], "--device", "cpu")
    assert "cannot load the ControlNet" in err and "config.json in the same folder" in err


def test_single_file_loads_the_saved_weights(models):
    """from_single_file with --config reads back exactly the weights the folder holds (not a fresh random init)."""
    import torch
    from diffusers import StableDiffusionPipeline

    from llm_sketch.generate import Settings, load_pipeline

    loaded = load_pipeline(Settings(checkpoint=str(models["sd15"]["single"]), config=str(models["sd15"]["folder"]),
                                    mode="plain", device="cpu"))
    assert isinstance(loaded.pipe, StableDiffusionPipeline) and loaded.arch == "sd15"
    original = models["sd15"]["pipe"]
    for name in ("unet", "vae", "text_encoder"):
        mine, theirs = getattr(loaded.pipe, name).state_dict(), getattr(original, name).state_dict()
        keys = [k for k in theirs if "position_ids" not in k]
        assert not set(keys) - set(mine), name
        differ = [k for k in keys if not torch.equal(mine[k].float(), theirs[k].float().reshape(mine[k].shape))]
        assert not differ, f"{name}: {len(differ)} of {len(keys)} tensors differ, e.g. {differ[:3]}"


def test_generate_sdxl_controlnet(models, tmp_path, capsys):
    """SDXL (two text encoders, size/crop conditioning) with its ControlNet, through cli.main in this process (the
    subprocess runs above already cover the command as users start it; this saves a third cold torch import)."""
    from llm_sketch.cli import main

    out = tmp_path / "xl"
    code = main(["generate", PROMPT, "--out", str(out), "--checkpoint", str(models["sdxl"]["folder"]),
                 "--controlnet", str(models["sdxl"]["controlnet"]), "--control", "edges", "--width", str(SIZE),
                 "--height", str(SIZE), "--steps", "1", "--guidance", "3", "--device", "cpu"])
    assert code == 0, capsys.readouterr().err[-2000:]
    report = assert_folder(out, PROMPT, "controlnet", control="edges")
    assert report["settings"]["arch"] == "sdxl" and report["settings"]["control"] == "edges"


# ---- errors: one line, exit 2, saying what to get and where ------------------------------------------------------
def _error(capsys, *args) -> str:
    from llm_sketch.cli import main

    code = main(["generate", *map(str, args)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def test_missing_weights_say_what_to_get_and_where(models, tmp_path, capsys):
    out = tmp_path / "out"
    err = _error(capsys, PROMPT, "--out", out)
    assert "--checkpoint is missing" in err and "v1-5-pruned-emaonly.safetensors" in err
    assert "ComfyUI/models/checkpoints" in err
    err = _error(capsys, PROMPT, "--out", out, "--checkpoint", tmp_path / "nope.safetensors")
    assert "no such file or folder" in err and "sd_xl_base_1.0.safetensors" in err
    err = _error(capsys, PROMPT, "--out", out, "--checkpoint", models["sd15"]["folder"])
    assert "--controlnet is missing" in err and "control_v11p_sd15_scribble" in err and "--mode img2img" in err
    err = _error(capsys, PROMPT, "--out", out, "--checkpoint", tmp_path, "--mode", "img2img")
    assert "without model_index.json" in err
    err = _error(capsys, PROMPT, "--out", out, "--checkpoint", models["sd15"]["folder"], "--controlnet",
                 models["root"])
    assert "without config.json" in err
    assert not out.exists()


def test_bad_files_and_options(models, tmp_path, capsys):
    from safetensors.torch import save_file
    import torch

    out = tmp_path / "out"
    lora = tmp_path / "lora.safetensors"
    save_file({"lora_unet_down.alpha": torch.zeros(1)}, str(lora))
    err = _error(capsys, PROMPT, "--out", out, "--checkpoint", lora, "--mode", "plain")
    assert "no Stable Diffusion UNet" in err
    control = tmp_path / "control.safetensors"
    save_file({"control_model.time_embed.0.weight": torch.zeros(1)}, str(control))
    err = _error(capsys, PROMPT, "--out", out, "--checkpoint", control, "--mode", "plain")
    assert "is a ControlNet" in err and "--controlnet" in err
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\xff" * 20)
    assert "not a readable .safetensors" in _error(capsys, PROMPT, "--out", out, "--checkpoint", broken)
    assert "64 to 4096" in _error(capsys, PROMPT, "--out", out, "--checkpoint", lora, "--width", 8)
    assert "--steps" in _error(capsys, PROMPT, "--out", out, "--checkpoint", lora, "--steps", 0)
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"prompt": "a cat"}\n{"text": "a dog"}\n', encoding="utf-8")
    assert "line 2" in _error(capsys, "--batch", batch, "--out", out, "--checkpoint", models["sd15"]["folder"])
    assert "not both" in _error(capsys, PROMPT, "--batch", batch, "--out", out)


def test_a_single_file_without_its_configs_names_the_fix(models, tmp_path, capsys):
    """With no --config and no local copy of the model's configs, loading fails offline and says what to pass."""
    err = _error(capsys, PROMPT, "--out", tmp_path / "out", "--checkpoint", models["sd15"]["single"], "--mode",
                 "plain", "--width", SIZE, "--height", SIZE, "--steps", 1, "--device", "cpu")
    assert "cannot load the checkpoint" in err and "--config DIR" in err


def test_importing_generate_imports_no_torch():
    code = "import sys, llm_sketch.generate, llm_sketch.cli; print('torch' in sys.modules, 'diffusers' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_summary_rates(tmp_path):
    from llm_sketch.generate import write_summary

    rows = [{"index": i, "folder": f"{i:04d}", "prompt": f"p{i}", "seed": 0, "sketch_passed": True,
             "image_passed": i < 3, "score": s, "checks_passed": c, "checks": 4, "objects_found": 2, "seconds": 1.5}
            for i, (s, c) in enumerate([(1.0, 4), (1.0, 4), (1.0, 4), (0.5, 2)])]
    rates = write_summary(tmp_path / "summary.csv", rows)
    assert rates == {"prompts": 4, "sketch_pass_rate": 1.0, "image_pass_rate": 0.75, "mean_score": 0.875}
    with (tmp_path / "summary.csv").open(newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["image_passed"] for r in table] == ["1", "1", "1", "0", "0.75"]
    assert table[-1]["index"] == "all" and table[-1]["checks_passed"] == "14" and table[-1]["checks"] == "16"


# ---- bench/faithfulness_gain.py ----------------------------------------------------------------------------------
def _bench():
    import importlib.util

    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))  # as `python bench/faithfulness_gain.py` has it (bench/common.py)
    spec = importlib.util.spec_from_file_location("faithfulness_gain", ROOT / "bench" / "faithfulness_gain.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_refuses_without_weights_or_gpu(models, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LLM_SKETCH_BENCH_CHECKPOINT", raising=False)
    monkeypatch.delenv("LLM_SKETCH_BENCH_CONTROLNET", raising=False)
    bench = _bench()
    assert bench.main([]) == 0 and "skipped: needs an SD1.5 checkpoint" in capsys.readouterr().out
    assert bench.main(["--checkpoint", str(tmp_path / "none.safetensors"), "--controlnet", "x"]) == 2
    assert "refused: --checkpoint" in capsys.readouterr().err
    import torch

    if not torch.cuda.is_available():
        assert bench.main(["--checkpoint", str(models["sd15"]["folder"]), "--controlnet",
                           str(models["sd15"]["controlnet"])]) == 2
        assert "refused: no GPU here" in capsys.readouterr().err


def test_bench_measures_both_modes_on_tiny_models(models, tmp_path, capsys):
    prompts = tmp_path / "evaluation_metadata.jsonl"
    prompts.write_text("\n".join(json.dumps(r) for r in [
        {"tag": "single_object", "prompt": "a photo of a bench"},
        {"tag": "position", "prompt": "a photo of a dog right of a teddy bear"}]), encoding="utf-8")
    out = tmp_path / "gain"
    code = _bench().main(["--checkpoint", str(models["sd15"]["folder"]), "--controlnet",
                          str(models["sd15"]["controlnet"]), "--prompts", str(prompts), "--size", str(SIZE),
                          "--steps", "1", "--allow-cpu", "--device", "cpu", "--out", str(out)])
    assert code == 0, capsys.readouterr().err[-2000:]
    gain = json.loads((out / "gain.json").read_text())
    assert gain["prompts"] == 1 and set(gain["modes"]) == {"plain", "controlnet"}
    for mode in ("plain", "controlnet"):
        with (out / mode / "summary.csv").open(newline="") as f:
            table = list(csv.DictReader(f))
        assert [r["prompt"] for r in table[:-1]] == ["a photo of a dog right of a teddy bear"]
        assert float(table[-1]["image_passed"]) == gain["modes"][mode]["pass_rate"]
    assert (out / "plain" / "0000" / "image.png").is_file() and not (out / "plain" / "0000" / "control.png").exists()
    assert (out / "controlnet" / "0000" / "control.png").is_file()
    assert "pass rate" in capsys.readouterr().out


def test_generate_with_an_llm_sketch(models, tmp_path, capsys, monkeypatch):
    """--llm: the sketch comes from an OpenAI-compatible server (the test server on 127.0.0.1), transcript.json
    joins the files, and the key is in none of them."""
    from llm_server import CORRECT_SVG, LLMServer, reply

    from llm_sketch.cli import main

    secret = "sk-test-GENERATE-0123456789"
    monkeypatch.setenv("LLM_SKETCH_API_KEY", secret)
    monkeypatch.setenv("LLM_SKETCH_CACHE_DIR", "off")
    prompt = "a blue circle on the left and a red triangle on the right"
    out = tmp_path / "llm"
    with LLMServer(default=reply(CORRECT_SVG)) as server:
        code = main(["generate", prompt, "--out", str(out), "--llm", "test-model", "--base-url", server.url,
                     "--checkpoint", str(models["sd15"]["folder"]), "--mode", "img2img", "--width", str(SIZE),
                     "--height", str(SIZE), "--steps", "2", "--strength", "0.5", "--device", "cpu"])
        assert code == 0, capsys.readouterr().err[-2000:]
        assert server.count == 1
    report = json.loads((out / "report.json").read_text())
    assert report["sketch"]["source"] == "llm" and report["sketch"]["passed"] is True
    assert report["settings"]["llm"] == "test-model"
    assert 'data-label="circle"' in (out / "sketch.svg").read_text()
    assert (out / "transcript.json").is_file() and (out / "control.png").is_file()
    for path in out.iterdir():
        assert secret.encode() not in path.read_bytes(), path
