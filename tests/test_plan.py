"""The offline planner and its drawing: faithfulness, determinism, variety, conflicts, sizes, depth and exact boxes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llm_sketch.check import check
from llm_sketch.colors import CANONICAL_HEX
from llm_sketch.draw import DESIGNS, _unit_box, draw, draw_object, sketch
from llm_sketch.layout import extract_layout, object_masks, pixel_box
from llm_sketch.parse import parse
from llm_sketch.svgsafe import sanitize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "benchmarks"


def faithful(prompt, width=512, height=512, seed=0):
    """The planner's sketch of ``prompt``: (plan, extracted layout); asserts the extraction is the plan."""
    svg, result = sketch(prompt, width, height, seed)
    extracted = extract_layout(sanitize(svg), width, height)
    assert len(extracted.objects) == len(result.layout.objects), prompt
    for a, b in zip(result.layout.objects, extracted.objects):
        assert max(abs(x - y) for x, y in zip(a.bbox, b.bbox)) <= 1.0, (prompt, a, b)
        assert (a.label, a.color, a.shape, a.z) == (b.label, b.color, b.shape, b.z), (prompt, a, b)
    return result, extracted


def passes(prompt, extracted, rules=("geneval", "layoutgpt")):
    constraints = parse(prompt)
    for rule in rules:
        report = check(extracted, constraints, rule)
        assert report.checks and all(c.passed for c in report.checks), (prompt, rule, report.summary())


# ---- the paper's prompt and the basics ----------------------------------------------------------------------------
def test_the_papers_prompt():
    prompt = "a blue circle on the left and a red triangle on the right"
    result, layout = faithful(prompt)
    assert result.ok and result.tries == 1
    passes(prompt, layout, ("geneval", "layoutgpt", "visor", "t2i-compbench"))
    circle, triangle = sorted(layout.objects, key=lambda o: o.label)
    assert circle.label == "blue circle" and circle.color["name"] == "blue" and circle.shape == "circle"
    assert triangle.label == "red triangle" and triangle.center[0] > 2 * 512 / 3 and circle.center[0] < 512 / 3


def test_same_inputs_and_seed_give_byte_identical_svg_even_across_processes():
    prompt = "two cats and a dog in front of a house, a red kite above the house"
    first, _ = sketch(prompt, 640, 480, 5)
    assert sketch(prompt, 640, 480, 5)[0] == first
    code = ("import sys; sys.path.insert(0, %r); from llm_sketch.draw import sketch; "
            "sys.stdout.write(sketch(%r, 640, 480, 5)[0])" % (str(ROOT), prompt))
    for hash_seed in ("1", "12345"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": hash_seed}).stdout
        assert out == first


def test_seeds_give_different_valid_compositions():
    prompt = "a cat to the left of a dog"
    layouts = set()
    for seed in range(10):
        result, layout = faithful(prompt, seed=seed)
        passes(prompt, layout)
        layouts.add(tuple(o.bbox for o in layout.objects))
    assert len(layouts) >= 5


def test_counts_are_separate_labelled_groups_without_overlap():
    prompt = "three yellow stars over two blue squares"
    svg, result = sketch(prompt, 512, 512, 0)
    assert svg.count('data-label="yellow star"') == 3 and svg.count('data-label="blue square"') == 2
    _, layout = faithful(prompt)
    passes(prompt, layout)
    boxes = [o.bbox for o in layout.objects]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1]), (a, b)


def test_everything_inside_the_canvas_with_padding():
    for prompt in ["four horses, three cows and two sheep", "a huge elephant", "a bus to the left of a train",
                   "twelve small circles"]:
        for w, h in ((512, 512), (768, 384), (300, 600)):
            result, layout = faithful(prompt, w, h)
            pad = max(4, round(0.04 * min(w, h)))
            for o in layout.objects:
                assert o.bbox[0] >= pad and o.bbox[1] >= pad and o.bbox[2] <= w - pad and o.bbox[3] <= h - pad
            passes(prompt, layout)


def test_regions_are_thirds():
    prompt = "a dog in the top left corner, a cat in the center and a bird at the bottom right"
    result, layout = faithful(prompt, 600, 450)
    # opposite corners make a diagonal pair: left of *and* above, which LayoutGPT's 45° cones cannot both hold
    assert any("45°" in c for c in result.conflicts)
    passes(prompt, layout, ("geneval",))
    by = {o.label: o.center for o in layout.objects}
    assert by["dog"][0] < 200 and by["dog"][1] < 150 and by["bird"][0] > 400 and by["bird"][1] > 300


def test_plausible_sizes_and_small_large():
    _, layout = faithful("a cup next to a dining table")
    by = {o.label: o.area for o in layout.objects}
    assert by["dining table"] > 2 * by["cup"]
    prompt = "a large apple, a small bus and a dog"
    _, layout = faithful(prompt)
    passes(prompt, layout)
    by = {o.label: o.area for o in layout.objects}
    assert by["apple"] > by["bus"]


def test_depth_nearer_is_lower_larger_and_drawn_later():
    prompt = "a dog in front of a house"
    result, layout = faithful(prompt)
    passes(prompt, layout)
    house, dog = layout.objects  # paint order
    assert (house.label, dog.label) == ("house", "dog")
    assert dog.bbox[3] > house.bbox[3]  # lower
    assert min(dog.bbox[2], house.bbox[2]) > max(dog.bbox[0], house.bbox[0]) and dog.bbox[1] < house.bbox[3]
    _, beside = faithful("a dog next to a house")
    assert dog.area > next(o for o in beside.objects if o.label == "dog").area  # larger than when not in front


def test_inside_and_nesting():
    prompt = "a man in a gray jacket standing in a kitchen next to a black dog"
    result, layout = faithful(prompt)
    passes(prompt, layout)
    by = {o.label: o for o in layout.objects}
    assert by["kitchen"].z < by["gray jacket"].z < by["man"].z


def test_chains_of_containers_nest_in_the_order_named():
    prompt = "a cat in a box in a bag in a car in a house"
    result, layout = faithful(prompt)
    assert result.ok, result.summary()
    passes(prompt, layout)
    assert [o.label for o in layout.objects] == ["house", "car", "bag", "box", "cat"]


def test_a_known_compound_name_is_not_its_last_word():
    # "hot dog" is a COCO class of its own: the checker does not count it as the prompt's dog
    result, layout = faithful("a dog to the left of a hot dog")
    assert result.ok, result.summary()
    passes("a dog to the left of a hot dog", layout)


def test_many_objects_stay_bounded():
    result, layout = faithful("a cat left of a dog, " * 12)  # 24 objects, all indistinguishable pairs
    assert len(layout.objects) == 24 and result.conflicts and result.tries <= 10


@pytest.mark.parametrize("prompt, words", [
    ("a cat left of a dog and the dog left of the cat", "contradiction"),
    ("a cup without a saucer, the saucer below the cup", "there is to be no saucer"),
    ("a red box above a blue ball and the blue ball above the red box", "contradiction"),
])
def test_unsatisfiable_sets_give_a_partial_layout_and_name_the_conflict(prompt, words):
    result, layout = faithful(prompt)
    assert not result.ok and any(words in c for c in result.conflicts), result.conflicts
    assert words in result.summary()
    assert len(layout.objects) == sum(o.count for o in parse(prompt).objects)


def test_style_flat_has_no_outlines_and_unknown_style_is_refused():
    svg, result = sketch("a cat and a dog", 256, 256, 0, style="flat")
    assert "stroke" not in svg
    layout = extract_layout(sanitize(svg), 256, 256)
    assert [o.bbox for o in layout.objects] == [o.bbox for o in result.layout.objects]
    with pytest.raises(Exception, match="unknown style"):
        draw(result.layout, style="crayon")


def test_outdoor_prompts_get_sky_and_ground():
    assert "linearGradient" in sketch("a horse next to a tree", 256, 256)[0]
    assert "linearGradient" not in sketch("a cup next to a book", 256, 256)[0]


# ---- the drawing: exact boxes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_every_design_fills_exactly_its_box_and_names_its_colour(name):
    parts = DESIGNS[name]()
    areas = sorted(((b[2] - b[0]) * (b[3] - b[1]), p[2]) for p in parts for b in [_unit_box(p)])
    assert areas[-1][1] == "b"  # the body is the largest part: the object's colour is the body's
    for box in [(10.0, 20.0, 130.0, 90.0), (7.0, 5.0, 40.0, 121.0)]:
        for color in ("white", "black", "green"):
            g = draw_object(name, name, box, CANONICAL_HEX[color])
            svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="160" height="140">{g}</svg>'
            (obj,) = extract_layout(sanitize(svg), 160, 140).objects
            assert max(abs(a - b) for a, b in zip(obj.bbox, box)) <= 0.05, (name, obj.bbox, box)
            assert obj.color["name"] == color, (name, color, obj.color)


def test_the_pixels_fill_the_box():
    svg, result = sketch("a giraffe to the left of a red car, a star above the car", 384, 384, 2)
    masks = object_masks(sanitize(svg), 384, 384)
    for obj, mask in zip(result.layout.objects, masks):
        got = pixel_box(mask, 0.0)
        assert max(abs(a - b) for a, b in zip(got, obj.bbox)) <= 1, (obj.label, got, obj.bbox)


# ---- a representative subset of the faithfulness bench ----------------------------------------------------------
def _sample() -> list[str]:
    prompts = []
    rows = [json.loads(line) for line in (DATA / "geneval" / "evaluation_metadata.jsonl").read_text().splitlines()]
    prompts += [r["prompt"] for r in rows[::40]]
    sr2d = sorted(json.loads((DATA / "visor-sr2d" / "text_spatial_rel_phrases.json").read_text()),
                  key=lambda r: r["unique_id"])
    prompts += [r["text"] for r in sr2d[:: len(sr2d) // 12]]
    for name in ("spatial_val", "numeracy_val", "color_val", "shape_val"):
        lines = [x for x in (DATA / "t2i-compbench" / f"{name}.txt").read_text().splitlines() if x.strip()]
        prompts += lines[::30]
    for name in ("spatial.val.json", "counting.val.json"):
        prompts += [r["prompt"] for r in json.loads((DATA / "layoutgpt-nsr1k" / name).read_text())[::40]]
    prompts += list(json.loads((DATA / "lmd" / "cache_lmd_v0.1_gpt-4.json").read_text()))[::20]
    return prompts


@pytest.mark.skipif(not DATA.exists(), reason="benchmark prompts not present")
def test_benchmark_subset_is_faithful_and_visible():
    from llm_sketch.render import rasterize

    prompts = _sample()
    assert len(prompts) > 100
    conflicts = []
    for k, prompt in enumerate(prompts):
        result, layout = faithful(prompt)
        if result.conflicts:  # named and reported (bench/plan_faithfulness.py: 14 of 5,048 rows in all)
            conflicts.append(prompt)
            continue
        passes(prompt, layout)
        if k % 10 == 0 and layout.objects:  # visible pixels: each object rendered over the others
            svg = draw(result.layout, result.fills, result.scene)
            masks = object_masks(sanitize(svg), 512, 512, visible_only=True)
            assert ((masks > 0.5).reshape(len(masks), -1).sum(axis=1) >= 4).all(), prompt
            assert rasterize(svg, 64, 64).shape == (64, 64, 4)
    assert len(conflicts) <= 2, conflicts  # none in this sample today


# ---- the command line ----------------------------------------------------------------------------------------------
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "llm_sketch", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_cli_sketch_writes_every_file(tmp_path):
    from PIL import Image

    result = _cli("sketch", "a cat to the left of a dog", "--out", tmp_path / "s", "--width", 320, "--height", 240,
                  "--seed", 4)
    assert result.returncode == 0, result.stderr
    names = ["sketch.svg", "sketch.png", "layout.json", "constraints.json", "report.json", "preview.png"]
    for name in names:
        assert (tmp_path / "s" / name).is_file() and str(tmp_path / "s" / name) in result.stdout
    assert Image.open(tmp_path / "s" / "preview.png").size == (320, 240)
    report = json.loads((tmp_path / "s" / "report.json").read_text())
    assert report["passed"] and report["seed"] == 4 and set(report["reports"]) == {"geneval", "layoutgpt"}
    layout = json.loads((tmp_path / "s" / "layout.json").read_text())
    assert (tmp_path / "s" / "sketch.svg").read_text() == sketch("a cat to the left of a dog", 320, 240, 4)[0]
    assert [o["label"] for o in layout["objects"]] == ["cat", "dog"]


def test_cli_batch_in_order_with_a_summary(tmp_path):
    lines = ['{"prompt": "a red car left of a tree"}', "", '{"prompt": "two apples", "seed": 3, "width": 256}',
             '{"prompt": "a cat left of a dog and the dog left of the cat"}']
    (tmp_path / "p.jsonl").write_text("\n".join(lines) + "\n")
    result = _cli("sketch", "--batch", tmp_path / "p.jsonl", "--out", tmp_path / "b")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["0000", "0001", "0002"]
    prompts = [json.loads((tmp_path / "b" / f"000{i}" / "constraints.json").read_text())["prompt"] for i in range(3)]
    assert prompts == ["a red car left of a tree", "two apples", "a cat left of a dog and the dog left of the cat"]
    assert json.loads((tmp_path / "b" / "0001" / "layout.json").read_text())["width"] == 256
    assert "3 prompts" in result.stdout and "2 passed" in result.stdout and "1 with a conflict" in result.stdout


@pytest.mark.parametrize("args, words", [
    (("sketch", "--out", "{tmp}/x"), "PROMPT"),
    (("sketch", "a cat", "--out", "{tmp}/x", "--width", "5"), "between 16 and 8192"),
    (("sketch", "--batch", "{tmp}/missing.jsonl", "--out", "{tmp}/x"), "cannot read"),
    (("sketch", "--batch", "{tmp}/bad.jsonl", "--out", "{tmp}/x"), "line 2"),
    (("sketch", "a cat", "--out", "{tmp}/file"), "cannot write"),
])
def test_cli_sketch_bad_input_is_one_line(args, words, tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"prompt": "a cat"}\n{"text": "no prompt"}\n')
    (tmp_path / "file").write_text("x")
    result = _cli(*(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
