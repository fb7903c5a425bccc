"""The checker's rules on hand-built borderline layouts (no rendering involved)."""

import pytest

from llm_sketch.check import RULES, Report, check
from llm_sketch.constraints import Constraints, ObjectSpec, Relation
from llm_sketch.layout import Layout, LayoutObject
from llm_sketch.parse import parse


def obj(i, label, box, color=None, shape="rect", z=None):
    x0, y0, x1, y1 = box
    return LayoutObject(id=f"o{i}", label=label, shape=shape, color={"name": color, "rgb": None},
                        bbox=tuple(map(float, box)), z=i if z is None else z, area=float((x1 - x0) * (y1 - y0)))


def layout(*objects, size=(512, 512)):
    return Layout(width=size[0], height=size[1], objects=tuple(objects))


def relation_check(report: Report, kind: str):
    return next(c for c in report.checks if c.kind == kind)


def two(rel, a_box, b_box, rule="geneval"):
    c = Constraints(prompt="", objects=(ObjectSpec("a", "cat"), ObjectSpec("b", "dog")),
                    relations=(Relation("a", rel, "b"),))
    return relation_check(check(layout(obj(0, "cat", a_box), obj(1, "dog", b_box)), c, rule), rel)


def test_clear_left_of_passes_under_every_rule():
    for rule in RULES:
        result = two("left of", (10, 200, 110, 300), (300, 200, 400, 300), rule)
        assert result.passed and result.margin > 0, rule


def test_diagonal_placement_is_left_and_above_for_geneval_but_no_relation_for_layoutgpt():
    a, b = (100, 100, 150, 150), (300, 300, 350, 350)  # exactly 45°
    assert two("left of", a, b).passed and two("above", a, b).passed  # GenEval: both components ≈ 0.68
    assert not two("left of", a, b, "layoutgpt").passed  # LayoutGPT: on the cone's edge → "diagonal"
    assert two("left of", a, b, "visor").passed


def test_geneval_size_margin_flips_a_near_touching_pair():
    # centres 60 px apart, boxes 100 px wide: the offset shrinks by 0.1 × 200 = 20 px, still > 0.5 → passes
    assert two("left of", (0, 0, 100, 100), (60, 0, 160, 100)).passed
    # tall boxes offset diagonally: the x component after shrinking falls below 0.5 → fails, margin < 0
    tall = two("left of", (0, 0, 100, 400), (60, 80, 160, 480))
    assert not tall.passed and tall.margin < 0
    assert "px to its right" in tall.detail or "px to its left" in tall.detail


def test_overlap_scores_partly_under_t2i_compbench():
    apart = two("left of", (0, 0, 100, 100), (150, 0, 250, 100), "t2i-compbench")
    overlapping = two("left of", (0, 0, 100, 100), (40, 0, 140, 100), "t2i-compbench")
    assert apart.passed and apart.margin == pytest.approx(0.5)
    assert not overlapping.passed  # IoU 0.43 → score 0.23


def test_every_instance_against_every_instance_for_geneval_but_any_pair_otherwise():
    c = Constraints(prompt="", objects=(ObjectSpec("a", "cat", count=2), ObjectSpec("b", "dog")),
                    relations=(Relation("a", "left of", "b"),))
    lay = layout(obj(0, "cat", (0, 0, 50, 50)), obj(1, "cat", (400, 0, 450, 50)), obj(2, "dog", (200, 0, 250, 50)))
    assert not relation_check(check(lay, c, "geneval"), "left of").passed
    assert relation_check(check(lay, c, "visor"), "left of").passed
    assert relation_check(check(lay, c, "layoutgpt"), "left of").passed


def test_missing_objects_fail_with_not_found():
    c = parse("a cat to the left of a dog")
    report = check(layout(obj(0, "cat", (0, 0, 50, 50))), c)
    assert not report.passed
    assert relation_check(report, "left of").detail == "the dog not found"
    counts = [ch for ch in report.checks if ch.kind == "count"]
    assert [ch.passed for ch in counts] == [True, False] and counts[1].detail == "not found"


def test_counts_are_exact_and_zero_means_absent():
    stars = [obj(i, "yellow star", (i * 60, 0, i * 60 + 50, 50), "yellow", "star") for i in range(4)]
    three = check(layout(*stars[:3]), parse("three yellow stars"))
    four = check(layout(*stars), parse("three yellow stars"))
    assert three.passed and not four.passed
    assert check(layout(*stars), parse("a scene without cats")).passed
    assert not check(layout(obj(0, "cat", (0, 0, 9, 9))), parse("a scene without cats")).passed


def test_colour_shape_size_and_region():
    lay = layout(obj(0, "circle", (20, 200, 120, 300), "blue", "circle"),
                 obj(1, "triangle", (300, 150, 500, 350), "red", "triangle"))
    assert check(lay, parse("a blue circle on the left and a large red triangle on the right")).passed
    wrong = check(lay, parse("a green circle in the center"))
    failed = {c.kind for c in wrong.checks if not c.passed}
    assert failed == {"color", "region"}
    assert relation_check(wrong, "color").detail == "it is blue"


def test_other_relations():
    lay = layout(obj(0, "cup", (200, 200, 240, 240)), obj(1, "box", (150, 150, 300, 300)),
                 obj(2, "lamp", (245, 200, 280, 240)), obj(3, "tree", (0, 0, 30, 30)))
    cases = {
        ("cup", "inside", "box"): True, ("box", "contains", "cup"): True, ("cup", "near", "lamp"): True,
        ("cup", "far from", "lamp"): False, ("tree", "far from", "lamp"): True, ("cup", "overlapping", "box"): True,
        ("cup", "in front of", "box"): False, ("lamp", "in front of", "box"): True, ("box", "behind", "lamp"): True,
        ("box", "larger than", "cup"): True, ("cup", "larger than", "box"): False, ("cup", "smaller than", "box"): True,
        ("tree", "inside", "box"): False,
    }
    for (a, rel, b), expected in cases.items():
        c = Constraints(prompt="", objects=(ObjectSpec("a", a), ObjectSpec("b", b)), relations=(Relation("a", rel, "b"),))
        assert relation_check(check(lay, c), rel).passed is expected, (a, rel, b)


def test_between():
    lay = layout(obj(0, "dog", (200, 200, 260, 260)), obj(1, "cat", (0, 200, 60, 260)), obj(2, "horse", (400, 200, 460, 260)))
    assert check(lay, parse("a dog between a cat and a horse")).passed
    assert not check(lay, parse("a cat between a dog and a horse")).passed


def test_contradictions_are_reported():
    report = check(layout(obj(0, "cat", (0, 0, 50, 50)), obj(1, "dog", (100, 0, 150, 50))),
                   parse("a cat left of a dog and the dog left of the cat"))
    assert not report.passed
    assert any("contradiction" in n for n in report.notes)


def test_labels_match_through_plurals_and_synonyms():
    lay = layout(obj(0, "Sofa", (300, 0, 400, 50)), obj(1, "kitten 1", (0, 0, 50, 50)))
    assert check(lay, parse("a cat to the left of a couch")).passed


def test_report_round_trips_and_reads():
    report = check(layout(obj(0, "cat", (0, 0, 50, 50))), parse("a cat"))
    assert Report.from_json(report.to_json()) == report
    assert report.summary().splitlines()[1] == "✓ there is a cat"


def test_unknown_rule_is_a_clear_error():
    from llm_sketch.errors import SketchError

    with pytest.raises(SketchError, match="unknown rule"):
        check(layout(), parse("a cat"), rule="clip")


def test_draw_report_colours_boxes_by_their_checks_and_writes_the_failed_ones():
    import numpy as np

    from llm_sketch.preview import FAIL_COLOR, PASS_COLOR, draw_report

    c = Constraints(prompt="", objects=(ObjectSpec("a", "cat"), ObjectSpec("b", "dog"), ObjectSpec("c", "bird")),
                    relations=(Relation("a", "left of", "b"),))
    boxes = {"cat": (300, 60, 480, 220), "dog": (40, 60, 220, 220), "bird": (40, 300, 220, 460)}
    grey = np.full((512, 512, 3), 128, np.uint8)  # so the white text stands out

    def drawn(cat_box):
        lay = layout(obj(0, "cat", cat_box), obj(1, "dog", boxes["dog"]), obj(2, "bird", boxes["bird"]))
        report = check(lay, c)
        return report, draw_report(grey, lay, report, c)

    def is_(image, color):
        return np.all(image == color, axis=-1)

    report, image = drawn(boxes["cat"])  # the cat is right of the dog: that relation fails
    assert not report.passed and image.shape == (512, 512, 3)
    expected = {"cat": FAIL_COLOR, "dog": FAIL_COLOR, "bird": PASS_COLOR}  # both objects of a failed relation
    for name, (x0, y0, x1, y1) in boxes.items():
        mid_x, mid_y = (x0 + x1) // 2, (y0 + y1) // 2
        for y, x in ((mid_y, x0), (mid_y, x1 - 1), (y1 - 1, mid_x)):  # left, right and bottom edges
            assert tuple(image[y, x]) == expected[name], (name, y, x)
        assert tuple(image[mid_y, mid_x]) == (128, 128, 128)  # outlines, not filled
    # under its label, the cat (the failed check's subject) gets a red band with the check's text in white, reaching
    # past the end of the short label; the dog has its label only
    def past_label(name):
        x0, y0, _, _ = boxes[name]
        return image[y0 + 2:y0 + 50, x0 + 60:x0 + 150]

    note = past_label("cat")
    assert is_(note, FAIL_COLOR).sum() > 500 and (note.min(axis=-1) > 200).sum() > 50
    assert (past_label("dog") == 128).all()
    assert is_(image[4:20, 4:60], FAIL_COLOR).any()  # the "FAIL" header

    report, image = drawn((0, 260, 30, 290))  # now left of the dog: every check passes
    assert report.passed
    assert not is_(image, FAIL_COLOR).any() and is_(image[4:20, 4:60], PASS_COLOR).any()
