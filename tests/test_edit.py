"""Hand edits (llm_sketch.edit): moves, resizes and deletes rewrite the SVG so that its layout is the edited one."""

import pytest

from llm_sketch.check import check
from llm_sketch.draw import sketch
from llm_sketch.edit import EditError, apply_edits, describe, edited_sketch, parse_edits
from llm_sketch.layout import extract_layout
from llm_sketch.parse import parse
from llm_sketch.svgsafe import sanitize

PROMPT = "a cat to the left of a dog"


@pytest.fixture(scope="module")
def cat_dog():
    svg, plan = sketch(PROMPT, 512, 512)
    return svg, extract_layout(svg, 512, 512)


def boxes(layout):
    return {o.label: o.bbox for o in layout.objects}


def test_a_move_shifts_exactly_that_object(cat_dog):
    svg, before = cat_dog
    doc = apply_edits(svg, [{"op": "move", "object": "o0", "label": "cat", "dx": 40, "dy": -25}], 512, 512)
    after = extract_layout(doc, 512, 512)
    cat0, cat1 = boxes(before)["cat"], boxes(after)["cat"]
    assert cat1 == pytest.approx((cat0[0] + 40, cat0[1] - 25, cat0[2] + 40, cat0[3] - 25), abs=0.01)
    assert boxes(after)["dog"] == boxes(before)["dog"]
    assert [(o.label, o.color, o.z) for o in after.objects] == [(o.label, o.color, o.z) for o in before.objects]


def test_dragging_the_cat_past_the_dog_fails_the_check(cat_dog):
    svg, before = cat_dog
    constraints = parse(PROMPT)
    assert check(before, constraints).passed
    dog = boxes(before)["dog"]
    cat = boxes(before)["cat"]
    dx = min((dog[0] + dog[2]) / 2 - (cat[0] + cat[2]) / 2 + 20, 512 - cat[2])  # past the dog, still on the canvas
    assert (cat[0] + cat[2]) / 2 + dx > (dog[0] + dog[2]) / 2
    doc = apply_edits(svg, [{"op": "move", "object": "o0", "label": "cat", "dx": dx, "dy": 0}], 512, 512)
    payload = describe(doc, 512, 512, constraints)
    assert payload["passed"] is False
    failed = [c for c in payload["checks"] if not c["passed"]]
    assert [c["text"] for c in failed] == ["the cat is left of the dog"]
    assert payload["verdicts"]["o0"]["passed"] is False and payload["verdicts"]["o1"]["passed"] is False
    assert payload["edited"] is False and payload["svg"] == doc.text


def test_a_resize_gives_the_requested_box_strokes_included(cat_dog):
    svg, _ = cat_dog
    doc = apply_edits(svg, [{"op": "resize", "object": "o1", "label": "dog", "box": [20, 30, 220, 130]}], 512, 512)
    assert boxes(extract_layout(doc, 512, 512))["dog"] == pytest.approx((20, 30, 220, 130), abs=0.05)


def test_edits_compose_and_delete_removes_the_object(cat_dog):
    svg, before = cat_dog
    doc = apply_edits(svg, [{"op": "move", "object": "o1", "dx": -300, "dy": 0},
                            {"op": "resize", "object": "o1", "box": [10, 10, 60, 40]},
                            {"op": "delete", "object": "o0", "label": "cat"}], 512, 512)
    after = extract_layout(doc, 512, 512)
    assert [o.label for o in after.objects] == ["dog"]
    assert after.objects[0].bbox == pytest.approx((10, 10, 60, 40), abs=0.05)


def test_transformed_parents_and_a_viewbox_are_undone_exactly():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">'
           '<g transform="translate(50 50) rotate(30) scale(1.5 0.5)">'
           '<g data-label="star" transform="skewX(10)"><path d="M-10 -10 L10 -8 L0 12 Z" fill="gold" stroke="black" '
           'stroke-width="2"/></g></g><circle data-label="ball" cx="20" cy="80" r="8" fill="red"/></svg>')
    before = boxes(extract_layout(svg, 512, 512))
    doc = apply_edits(svg, [{"op": "move", "object": "o0", "dx": 100, "dy": 50},
                            {"op": "resize", "object": "o1", "box": [300, 300, 500, 340]}], 512, 512)
    after = boxes(extract_layout(doc, 512, 512))
    star = before["star"]
    assert after["star"] == pytest.approx((star[0] + 100, star[1] + 50, star[2] + 100, star[3] + 50), abs=0.05)
    assert after["ball"] == pytest.approx((300, 300, 500, 340), abs=0.05)


def test_the_result_is_sanitized_whatever_came_in():
    hostile = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert(1)">'
               '<script>alert(2)</script><rect data-label="box" x="10" y="10" width="20" height="20" fill="blue" '
               'onclick="alert(3)"/><image href="http://evil.example/x.png" x="0" y="0" width="5" height="5"/></svg>')
    doc = apply_edits(hostile, [{"op": "move", "object": "o0", "dx": 5, "dy": 5}], 100, 100)
    for bad in ("script", "onload", "onclick", "evil.example", "alert"):
        assert bad not in doc.text
    assert sanitize(doc.text).text == doc.text


@pytest.mark.parametrize("edits, message", [
    ([{"op": "move", "object": "o9", "dx": 1}], "no object o9"),
    ([{"op": "move", "object": "o0", "label": "dog", "dx": 1}], "the sketch changed"),
    ([{"op": "delete", "object": "o0"}, {"op": "move", "object": "o0", "dx": 1}], "was deleted"),
])
def test_edits_that_do_not_fit_the_sketch_are_refused(cat_dog, edits, message):
    with pytest.raises(EditError, match=message):
        apply_edits(cat_dog[0], edits, 512, 512)


@pytest.mark.parametrize("data, message", [
    ({"op": "move", "object": "o0", "dx": float("nan")}, "finite"),
    ({"op": "move", "object": "o0", "dx": 1e12}, "finite"),
    ({"op": "move", "object": "o0", "dx": "3"}, "number"),
    ({"op": "rotate", "object": "o0"}, "op must be"),
    ({"op": "move", "object": "../etc/passwd"}, "layout object id"),
    ({"op": "resize", "object": "o0", "box": [0, 0, 1, 100]}, "at least"),
    ({"op": "resize", "object": "o0", "box": [0, 0, 10]}, "box must be"),
    ("move", "must be an object"),
])
def test_bad_edits_are_named(data, message):
    with pytest.raises(EditError, match=message):
        parse_edits([data], 512, 512)
    with pytest.raises(EditError, match="list"):
        parse_edits({"op": "move"}, 512, 512)
    with pytest.raises(EditError, match="too many"):
        parse_edits([{"op": "delete", "object": "o0"}] * 65, 512, 512)


def test_an_edited_sketch_is_checked_under_both_rules(cat_dog):
    svg, _ = cat_dog
    doc = apply_edits(svg, [{"op": "move", "object": "o0", "dx": 330, "dy": 0}], 512, 512)
    result = edited_sketch(doc.text, parse(PROMPT), 512, 512)
    assert set(result.reports) == {"geneval", "layoutgpt"}
    assert not result.report.passed
    summary = result.summary()
    assert summary.startswith("FAILED") and "✗ the cat is left of the dog" in summary
    assert "edited sketch" in summary and "Reset to generated" in summary
    with pytest.raises(EditError, match="empty"):
        edited_sketch("  ", parse(PROMPT), 512, 512)
