"""Control maps (llm_sketch.control), region masks, and finding objects in images (llm_sketch.detect)."""

import io
import math

import numpy as np
import pytest
from PIL import Image, ImageFilter

from llm_sketch.check import check
from llm_sketch.colors import BASIC_NAMES, basic_name
from llm_sketch.constraints import Constraints, ObjectSpec
from llm_sketch.control import (ADE20K_CLASSES, ADE20K_PALETTE, KINDS, ade20k_class, box_mask, control_map,
                                control_maps, feather, region_masks, segmentation_color, snap_size)
from llm_sketch.detect import classify_shape, color_names, components, detect_layout, fill_holes, masks_to_layout
from llm_sketch.draw import sketch
from llm_sketch.errors import SketchError
from llm_sketch.layout import extract_layout, object_masks
from llm_sketch.parse import parse
from llm_sketch.render import rasterize

# A circle (centre 60, 64, r 30) and a square (130..170 × 40..80), on a 200×128 canvas.
TWO = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="128" viewBox="0 0 200 128">'
       '<rect width="200" height="128" fill="#ffffff"/>'
       '<circle data-label="circle" cx="60" cy="64" r="30" fill="#1e88e5"/>'
       '<rect data-label="square" x="130" y="40" width="40" height="40" fill="#e53935"/></svg>')
# B is drawn over A and overlaps it; C overlaps nothing.
STACK = ('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="96" viewBox="0 0 160 96">'
         '<rect data-label="a" x="10" y="10" width="50" height="50" fill="#43a047"/>'
         '<rect data-label="b" x="35" y="35" width="50" height="50" fill="#e53935"/>'
         '<rect data-label="c" x="110" y="20" width="30" height="30" fill="#1e88e5"/></svg>')


def gray(rgb):
    assert rgb.ndim == 3 and rgb.shape[2] == 3
    assert (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all()
    return rgb[..., 0]


# ---- sizes --------------------------------------------------------------------------------------------------------
def test_sizes_snap_to_multiples_of_8_or_64():
    assert snap_size(1000, 700) == (1000, 704)
    assert snap_size(1000, 700, 64) == (1024, 704)
    assert snap_size(3, 5) == (8, 8) and snap_size(3, 5, 64) == (64, 64)
    assert snap_size(1020, 1019, 8) == (1024, 1016)
    with pytest.raises(SketchError):
        snap_size(512, 512, 16)
    with pytest.raises(SketchError):
        snap_size(0, 512)


@pytest.mark.parametrize("snap", [8, 64])
def test_every_map_has_the_snapped_size_and_its_value_range(snap):
    maps = control_maps(TWO, KINDS, 203, 130, snap=snap)
    want = snap_size(203, 130, snap)
    for kind, rgb in maps.items():
        assert rgb.shape == (want[1], want[0], 3) and rgb.dtype == np.uint8, kind
    for kind in ("scribble", "edges", "lineart"):
        assert set(np.unique(gray(maps[kind]))) == {0, 255}, kind
    assert (gray(maps["scribble"]) == 255).mean() < 0.2  # white strokes on black
    assert (gray(maps["edges"]) == 255).mean() < 0.1
    assert (gray(maps["lineart"]) == 0).mean() < 0.2  # black lines on white
    assert gray(maps["depth"]).min() == 0  # the background is far
    with pytest.raises(SketchError, match="unknown control map"):
        control_map(TWO, "normals", 64, 64)


def test_filled_is_the_sketch_on_white():
    filled = control_map(TWO, "filled", 200, 128)
    assert np.array_equal(filled, rasterize(TWO, 200, 128, background="white")[..., :3])
    assert tuple(filled[64, 60]) == (0x1e, 0x88, 0xe5) and tuple(filled[5, 5]) == (255, 255, 255)


# ---- outlines -----------------------------------------------------------------------------------------------------
def _distance_to_outlines(x, y):
    circle = abs(math.hypot(x + 0.5 - 60, y + 0.5 - 64) - 30)
    px, py = x + 0.5, y + 0.5
    dx = max(130 - px, 0, px - 170)
    dy = max(40 - py, 0, py - 80)
    if dx == 0 and dy == 0:
        square = min(px - 130, 170 - px, py - 40, 80 - py)
    else:
        square = math.hypot(dx, dy)
    return min(circle, square)


@pytest.mark.parametrize("width", [1, 3, 6])
def test_scribble_strokes_lie_on_the_object_outlines(width):
    lines = gray(control_map(TWO, "scribble", 200, 128, stroke_width=width)) == 255
    ys, xs = np.nonzero(lines)
    far = max(_distance_to_outlines(x, y) for x, y in zip(xs, ys))
    assert far <= width / math.sqrt(2) + 1.5, far  # (a square pen: its corner reaches w/√2)
    # ... and the outlines are drawn all round: every point of both outlines has a stroke pixel next to it
    for k in range(72):
        a = 2 * math.pi * k / 72
        x, y = 60 + 30 * math.cos(a), 64 + 30 * math.sin(a)
        assert lines[max(0, int(y) - 1):int(y) + 2, max(0, int(x) - 1):int(x) + 2].any(), (x, y)
    for t in np.linspace(0, 1, 20):
        for x, y in ((130 + 40 * t, 40), (130 + 40 * t, 79.5), (130, 40 + 40 * t), (169.5, 40 + 40 * t)):
            assert lines[max(0, int(y) - 1):int(y) + 2, max(0, int(x) - 1):int(x) + 2].any(), (x, y)


def test_the_stroke_width_widens_the_scribble():
    counts = [np.count_nonzero(gray(control_map(TWO, "scribble", 200, 128, stroke_width=w)) == 255)
              for w in (1, 2, 4, 8)]
    perimeter = 2 * math.pi * 30 + 160
    for w, count in zip((1, 2, 4, 8), counts):
        assert 0.8 * w * perimeter < count < 1.3 * w * perimeter + 40, (w, count)


def test_edges_are_one_pixel_lines_on_every_colour_change():
    edges = gray(control_map(TWO, "edges", 200, 128)) == 255
    blocks = edges[:-1, :-1] & edges[1:, :-1] & edges[:-1, 1:] & edges[1:, 1:]
    assert blocks.sum() <= 8  # thin lines (a 2×2 block only where lines meet at a corner)
    ys, xs = np.nonzero(edges)
    assert max(_distance_to_outlines(x, y) for x, y in zip(xs, ys)) <= 1.5


def test_outlined_shapes_give_one_line_not_two():
    outlined = TWO.replace('fill="#1e88e5"', 'fill="#1e88e5" stroke="#0f4472" stroke-width="4"')
    for kind in ("edges", "lineart"):
        img = gray(control_map(outlined, kind, 200, 128, stroke_width=1))
        line = img[64, 20:60] == (255 if kind == "edges" else 0)  # left of the circle's centre, through its outline
        assert line.sum() <= 2, (kind, np.nonzero(line))


def test_lineart_is_black_on_white_with_inner_lines():
    svg = TWO.replace('<rect data-label="square" x="130" y="40" width="40" height="40" fill="#e53935"/>',
                      '<g data-label="house"><rect x="130" y="40" width="40" height="40" fill="#e53935"/>'
                      '<rect x="140" y="50" width="20" height="20" fill="#fdd835"/></g>')
    art = gray(control_map(svg, "lineart", 200, 128))
    assert art[5, 5] == 255 and art[64, 60] == 255 and art[60, 150] == 255  # white paper, white inside shapes
    assert (art[60, 138:142] == 0).any()  # the window's outline, inside the house
    assert (art[32:36, 60] == 0).any()  # the circle's outline at its top


# ---- segmentation -------------------------------------------------------------------------------------------------
def test_the_ade20k_table():
    assert len(ADE20K_CLASSES) == len(ADE20K_PALETTE) == 150 == len(set(ADE20K_CLASSES))
    known = {"wall": (120, 120, 120), "building": (180, 120, 120), "sky": (6, 230, 230), "tree": (4, 200, 3),
             "person": (150, 5, 61), "car": (0, 102, 200), "animal": (255, 0, 122), "flag": (92, 0, 255),
             "water": (61, 230, 250), "grass": (4, 250, 7), "table": (255, 6, 82), "chair": (204, 70, 3)}
    for name, rgb in known.items():
        assert ADE20K_PALETTE[ADE20K_CLASSES.index(name)] == rgb, name
    assert ade20k_class("cat") == ade20k_class("a small brown dog") == "animal"
    assert ade20k_class("woman") == ade20k_class("person 2") == "person"
    assert ade20k_class("palm tree") == "palm" and ade20k_class("oak") == "tree"
    assert ade20k_class("dining table") == "table" and ade20k_class("tv") == "television receiver"
    assert ade20k_class("blue circle") is None and ade20k_class("spaceship") is None


def test_segmentation_fills_each_object_with_its_class_colour():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="64">'
           '<rect data-label="woman" x="4" y="4" width="30" height="56" fill="#ff0000"/>'
           '<rect data-label="cat 1" x="44" y="4" width="30" height="56" fill="#ff0000"/>'
           '<rect data-label="tree" x="84" y="4" width="30" height="56" fill="#ff0000"/>'
           '<rect data-label="spaceship" x="124" y="4" width="30" height="56" fill="#ff0000"/></svg>')
    seg = control_map(svg, "segmentation", 160, 64)
    assert tuple(seg[30, 19]) == (150, 5, 61)  # person
    assert tuple(seg[30, 59]) == (255, 0, 122)  # animal
    assert tuple(seg[30, 99]) == (4, 200, 3)  # tree
    other = tuple(seg[30, 139])
    assert other == segmentation_color("spaceship") == segmentation_color("spaceship 2")  # stable per label
    assert other not in ADE20K_PALETTE and other != (0, 0, 0)
    assert tuple(seg[62, 2]) == (0, 0, 0)  # background
    assert len({tuple(c) for c in seg.reshape(-1, 3)}) == 5  # flat fills, no antialiased colours


# ---- depth --------------------------------------------------------------------------------------------------------
def test_depth_nearer_is_brighter():
    depth = gray(control_map(STACK, "depth", 160, 96))
    a, b, c = depth[20, 20], depth[70, 70], depth[35, 125]
    assert 0 < a < b and b == 255 and c == 255, (a, b, c)  # b is drawn over a; c overlaps nothing
    assert depth[90, 5] == 0


def test_front_and_behind_constraints_order_objects_that_do_not_overlap():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="64">'
           '<rect data-label="red square" x="10" y="10" width="40" height="40" fill="#e53935"/>'
           '<circle data-label="blue circle" cx="120" cy="32" r="20" fill="#1e88e5"/></svg>')
    plain = gray(control_map(svg, "depth", 160, 64))
    assert plain[30, 30] == plain[32, 120] == 255
    told = gray(control_map(svg, "depth", 160, 64, constraints=parse("a red square behind a blue circle")))
    assert 0 < told[30, 30] < told[32, 120] == 255


# ---- region masks -------------------------------------------------------------------------------------------------
def test_region_masks_are_boxes_or_shapes():
    layout = extract_layout(TWO, 200, 128)
    boxes = region_masks(layout, "box")
    assert boxes.shape == (2, 128, 128 + 72)
    for i, obj in enumerate(layout.objects):
        assert np.array_equal(boxes[i], box_mask(obj.bbox, 200, 128))
    assert boxes[1].sum() == 40 * 40 and boxes[1][40:80, 130:170].all()
    masks = object_masks(TWO, 200, 128)
    assert np.array_equal(region_masks(layout, "shape", masks), masks)
    drawn = region_masks(layout, "shape")  # no masks: the layout's shape names drawn in the boxes
    assert abs(drawn[0].sum() - math.pi * 30 * 30) < 60 and drawn[1].sum() == 1600
    soft = region_masks(layout, "box", feather_px=8)
    assert 0 < soft[1][40, 130] < 1 and soft[1][60, 150] > 0.99 and 0 < soft[1][60, 126] < 0.5
    with pytest.raises(SketchError, match="one per object"):
        region_masks(layout, "shape", masks[:1])
    assert feather(boxes[1], 0).dtype == np.float32


# ---- finding objects in images ----------------------------------------------------------------------------------
def test_colour_names_are_basic_name():
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, (3000, 3)).astype(np.uint8)
    names = color_names(colours[None])[0]
    assert all(BASIC_NAMES[n] == basic_name(tuple(int(v) for v in c)) for n, c in zip(names, colours))


def test_components_and_holes():
    m = np.zeros((8, 8), dtype=bool)
    m[1:3, 1:3] = True
    m[3, 3] = True  # touches the first blob at a corner only
    m[5:7, 5:8] = True
    labels8, n8 = components(m, 8)
    labels4, n4 = components(m, 4)
    assert (n8, n4) == (2, 3)
    assert labels8[1, 1] == labels8[3, 3] != labels8[5, 5]
    ring = np.zeros((7, 7), dtype=bool)
    ring[1:6, 1:6] = True
    ring[2:5, 2:5] = False
    assert fill_holes(ring).sum() == 25 and fill_holes(ring[:, :4]).sum() == ring[:, :4].sum()


@pytest.mark.parametrize("shape", ["circle", "square", "triangle", "star", "hexagon", "heart", "diamond", "cross"])
def test_shapes_are_recognised(shape):
    from llm_sketch.draw import draw_object

    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96">'
           f'{draw_object(shape, shape, (8, 8, 88, 88), "#000000", "flat")}</svg>')
    alpha = rasterize(svg, 96, 96)[..., 3] >= 128
    ys, xs = np.nonzero(alpha)
    name, score = classify_shape(alpha[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    assert name == shape and score > 0.9
    wide = np.asarray(Image.fromarray(alpha.astype(np.uint8) * 255).resize((160, 96))) >= 128
    ys, xs = np.nonzero(wide)
    stretched, _ = classify_shape(wide[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    assert stretched == {"circle": "ellipse", "square": "rectangle"}.get(shape, shape)


PROMPTS = ["a blue circle on the left and a red triangle on the right",
           "three yellow stars over two blue squares",
           "a green hexagon above a purple pentagon",
           "a red circle inside a blue square",
           "a cat to the left of a dog"]


def _iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("style", ["auto", "flat"])
def test_image_to_layout_recovers_planned_sketches(prompt, style):
    svg, plan = sketch(prompt, 256, 256, seed=1, style=style)
    rgb = rasterize(svg, 256, 256, background="white")[..., :3]
    layout, masks = detect_layout(rgb, plan.constraints)
    assert masks.shape == (len(layout.objects), 256, 256)
    report = check(layout, plan.constraints, "geneval")
    assert report.passed, report.summary()
    for planned in plan.layout.objects:  # every planned object has a detected box where it was planned
        best = max(_iou(planned.bbox, o.bbox) for o in layout.objects)
        assert best > 0.75, (planned.label, best)


def test_image_to_layout_after_blur_noise_and_jpeg():
    svg, plan = sketch(PROMPTS[0], 256, 256, seed=1)
    img = Image.fromarray(rasterize(svg, 256, 256, background="white")[..., :3]).filter(ImageFilter.GaussianBlur(1.5))
    noisy = np.asarray(img).astype(np.float32) + np.random.default_rng(0).normal(0, 10, (256, 256, 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=40)
    rgb = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    layout, _ = detect_layout(rgb, plan.constraints)
    assert check(layout, plan.constraints, "geneval").passed


def test_a_wrong_colour_is_reported_not_missing():
    svg, plan = sketch("a red circle to the left of a blue square", 256, 256, seed=0, style="flat")
    rgb = rasterize(svg.replace("#e53935", "#43a047"), 256, 256, background="white")[..., :3]  # the circle drawn green
    layout, _ = detect_layout(rgb, plan.constraints)
    report = check(layout, plan.constraints, "geneval")
    failed = [c for c in report.checks if not c.passed]
    assert [c.kind for c in failed] == ["color"] and "green" in failed[0].detail
    only, _ = detect_layout(rgb, plan.constraints, extras=False)
    assert [o.label for o in only.objects] == ["square"]


def test_occlusion_gives_the_paint_order():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="96">'
           '<circle data-label="circle" cx="60" cy="48" r="30" fill="#1e88e5"/>'
           '<rect data-label="square" x="70" y="30" width="40" height="40" fill="#e53935"/></svg>')
    rgb = rasterize(svg, 160, 96, background="white")[..., :3]
    wanted = Constraints(prompt="", objects=(ObjectSpec("o1", "circle", color="blue", shape="circle"),
                                             ObjectSpec("o2", "square", color="red", shape="square")))
    layout, _ = detect_layout(rgb, wanted)
    order = {o.label: o.z for o in layout.objects}
    assert order["square"] > order["circle"]  # the square covers part of the circle: it is in front
    circle = next(o for o in layout.objects if o.label == "circle")
    assert circle.shape == "circle" and abs(circle.bbox[2] - 90) <= 6  # its hidden part is inferred


def test_masks_to_layout():
    masks = np.zeros((3, 40, 60), dtype=np.float32)
    masks[0, 5:15, 10:30] = 1
    masks[2, 20:35, 40:55] = 0.8
    image = np.zeros((40, 60, 3), dtype=np.uint8)
    image[5:15, 10:30] = (229, 57, 53)
    image[20:35, 40:55] = (30, 136, 229)
    layout = masks_to_layout(masks, "cup\nempty\nbook", image)
    assert [o.label for o in layout.objects] == ["cup", "book"]
    assert layout.objects[0].bbox == (10.0, 5.0, 30.0, 15.0) and layout.objects[1].bbox == (40.0, 20.0, 55.0, 35.0)
    assert [o.color["name"] for o in layout.objects] == ["red", "blue"]
    assert [o.z for o in layout.objects] == [0, 1] and layout.objects[0].shape == "rectangle"
    named = masks_to_layout(masks[:1], "")
    assert named.objects[0].label == "object 1" and named.objects[0].color["name"] is None
    with pytest.raises(SketchError):
        masks_to_layout(np.zeros((2, 3, 4, 5)), "a")


@pytest.mark.parametrize("prompt", ["a photo of a fork above a hair drier", "a photo of a carrot left of an orange",
                                    "a photo of a bottle right of a train"])
def test_objects_of_one_colour_are_told_apart_by_their_drawing_proportions_and_size(prompt):
    # the planner paints both the same colour (gray fork and hair drier, orange carrot and orange, green bottle and
    # train): which region is which comes from how the planner draws each, their usual proportions and sizes
    svg, plan = sketch(prompt, 384, 384, seed=0)
    names = {o.color["name"] for o in plan.layout.objects}
    assert len(names) == 1, names
    layout, _ = detect_layout(rasterize(svg, 384, 384, background="white")[..., :3], plan.constraints)
    assert check(layout, plan.constraints, "geneval").passed
