"""The sanitizer (llm_sketch.svgsafe): what it keeps, what it drops, how it repairs LLM output, and what it rewrites.

Every rewrite is checked twice: on the output attributes, and on the pixels a real renderer draws from them (both
backends: cairosvg is the one that misdraws the original syntax). Inputs are in tests/svg_cases/ or inline.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from lxml import etree

from llm_sketch import SVGError, rasterize, sanitize
from llm_sketch.svgsafe import SVG_NS, XLINK_NS, Limits, SafeSVG

CASES = Path(__file__).resolve().parent / "svg_cases"
BACKENDS = ("cairo", "resvg")


def tree(doc: SafeSVG) -> etree._Element:
    return etree.fromstring(doc.text.encode())


def local(el) -> str:
    return etree.QName(el).localname


def kinds(doc: SafeSVG) -> set[str]:
    return {local(el) for el in tree(doc).iter() if isinstance(el.tag, str)}


def pixel(doc, x, y, backend="cairo", size=None):
    w, h = size or (round(doc.width), round(doc.height))
    return rasterize(doc, w, h, backend=backend)[y, x].astype(int)


def assert_rgba(got, expected, tol=2):
    assert np.all(np.abs(np.asarray(got, dtype=int) - np.asarray(expected, dtype=int)) <= tol), (got, expected)


# ---- allowed elements -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def all_elements():
    return sanitize((CASES / "all_elements.svg").read_text())


def test_every_allowed_element_kind_survives(all_elements):
    got = kinds(all_elements)
    for kind in ("svg", "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "pattern", "clipPath",
                 "mask", "marker", "symbol", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path",
                 "text", "tspan", "g", "image", "switch"):
        assert kind in got, f"<{kind}> was dropped"
    assert "use" not in got and "a" not in got  # <use> is inlined, <a> becomes <g>
    root = tree(all_elements)
    nested = [el for el in root.iter(f"{{{SVG_NS}}}svg") if el is not root]
    assert len(nested) == 1 and nested[0].get("viewBox") == "0 0 4 4"
    assert root.find(f"{{{SVG_NS}}}title").text == "every allowed element"
    assert root.find(f"{{{SVG_NS}}}desc").text.startswith("one of each")
    text = root.find(f"{{{SVG_NS}}}text")
    assert "".join(text.itertext()) == "Hi there"
    assert text.find(f"{{{SVG_NS}}}tspan").get("fill") == "#ff0000"
    image = root.find(f"{{{SVG_NS}}}image")
    assert image.get(f"{{{XLINK_NS}}}href").startswith("data:image/png;base64,iVBOR")
    for ref, attr in (("lg", "fill"), ("rg", "fill"), ("pt", "fill"), ("cp", "clip-path"), ("mk", "mask"),
                      ("mr", "marker-end")):
        assert root.xpath(f"//*[@{attr}='url(#{ref})']"), f"{attr} reference to #{ref} lost"
    assert {"clip-path", "mask", "pattern", "marker", "svg", "raster"} <= all_elements.features


def test_use_is_inlined_as_a_translated_group(all_elements):
    root = tree(all_elements)
    groups = [g for g in root.iter(f"{{{SVG_NS}}}g") if g.get("transform") == "matrix(1 0 0 1 60 120)"]
    assert len(groups) == 1
    circle = groups[0][0]
    assert local(circle) == "circle" and circle.get("fill") == "#800080" and circle.get("id") is None
    # the symbol's viewBox 0 0 10 10 onto the use's 40 × 40 box is a 4× scale inside the x/y translation
    leaf = [g for g in root.iter(f"{{{SVG_NS}}}g") if g.get("transform") == "matrix(1 0 0 1 80 100)"]
    assert len(leaf) == 1 and leaf[0].xpath(".//*[@transform='matrix(4 0 0 4 0 0)']")


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_allowed_element_draws(all_elements, backend):
    rgba = rasterize(all_elements, 200, 200, backend=backend).astype(int)

    def at(x, y):
        return rgba[y, x]

    assert at(2, 20)[0] > 200 and at(2, 20)[2] < 50          # linear gradient: red end
    assert at(38, 20)[2] > 200 and at(38, 20)[0] < 50        # … blue end
    assert at(60, 20)[0] > 230                               # radial gradient: white centre
    assert_rgba(at(110, 20), (255, 165, 0, 255))             # pattern
    assert at(188, 20)[3] == 255                             # marker past the line's end
    assert_rgba(at(10, 70), (0, 128, 128, 255))              # clip path keeps the left half …
    assert at(30, 70)[3] == 0                                # … and removes the right half
    assert_rgba(at(120, 70), (128, 0, 0, 255))               # masked path
    assert_rgba(at(20, 120), (255, 215, 0, 255))             # fill inherited from <g>
    assert_rgba(at(60, 120), (128, 0, 128, 255))             # <use> of a circle
    assert_rgba(at(100, 120), (0, 255, 0, 255))              # <use> of a symbol with a viewBox
    assert_rgba(at(150, 120), (0, 200, 0, 255))              # embedded PNG
    assert_rgba(at(20, 170), (255, 192, 203, 255))           # nested <svg>
    assert_rgba(at(80, 170), (165, 42, 42, 255))             # <a> → <g>
    assert_rgba(at(140, 170), (128, 128, 128, 255))          # <switch>


# resvg's generic defaults (Times New Roman / Arial) are missing on a DejaVu-only system: the worker maps the generic
# families to installed fonts, or resvg (which `auto` picks for clip paths, masks, markers, images…) draws no text
@pytest.mark.parametrize("backend", ["cairo", "resvg", "auto"])
def test_text_draws(all_elements, backend):
    rgba = rasterize(all_elements, 200, 200, backend=backend)
    assert rgba[66:82, 150:200, 3].max() == 255               # "Hi there" at (150, 80), 14 px


# ---- dropped things -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dropped():
    return sanitize((CASES / "dropped.svg").read_text())


def test_dangerous_content_is_dropped(dropped):
    low = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", dropped.text).lower()
    for needle in ("script", "alert", "foreignobject", "html", "onclick", "onmouseover", "onload", "attacker",
                   "http:", "https:", "file:", "javascript:", "@import", "@font-face", "../", "svg+xml", "iframe",
                   "animate", "filter", "feimage", "<style"):
        assert needle not in low, f"{needle!r} survived sanitizing"
    assert "image" not in kinds(dropped)  # every <image> here pointed outside the document
    notes = " ".join(dropped.notes)
    for word in ("@import", "<script>", "<foreignObject>", "external reference", "<filter>", "<iframe>"):
        assert word in notes


def test_safe_content_next_to_dropped_content_still_draws(dropped):
    assert_rgba(pixel(dropped, 25, 25), (0, 255, 0, 255))     # class="keep" from the <style> (after @import)
    assert_rgba(pixel(dropped, 75, 75), (0, 0, 255, 255))     # content of the javascript: link
    assert_rgba(pixel(dropped, 65, 65), (255, 0, 0, 255))     # `url(external) red` falls back to red
    assert pixel(dropped, 75, 25)[3] == 0                     # the external images drew nothing


def test_event_handlers_dropped_case_insensitively():
    doc = sanitize('<svg width="10" height="10"><rect width="5" height="5" ONCLICK="a()" onFocus="b()" '
                   'onbegin="c()"/></svg>')
    rect = tree(doc)[0]
    assert dict(rect.attrib) == {"width": "5", "height": "5"}


# ---- LLM-style input ------------------------------------------------------------------------------------------------
RED = (229, 57, 53, 255)
LLM_CASES = {
    # file: (width, height, viewBox, a point inside the red square, a point outside it)
    "fenced_svg.md": (100, 100, (0, 0, 100, 100), (50, 50), (10, 10)),
    "fenced_plain.md": (100, 100, (0, 0, 100, 100), (50, 50), (10, 10)),
    "prose_around.txt": (100, 100, (0, 0, 100, 100), (50, 50), (10, 10)),
    "no_xmlns.svg": (100, 100, (0, 0, 100, 100), (50, 50), (10, 10)),
    "xlink_undeclared.svg": (100, 100, (0, 0, 100, 100), (50, 50), (10, 10)),
    "no_viewbox.svg": (200, 100, (0, 0, 200, 100), (100, 50), (50, 50)),
    "no_size_no_viewbox.svg": (130, 80, (0, 0, 130, 80), (40, 30), (10, 5)),
    "unclosed.txt": (100, 100, (0, 0, 100, 100), (50, 50), (10, 10)),
    "everything_wrong.txt": (100, 100, (0, 0, 100, 100), (50, 50), (10, 10)),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(LLM_CASES))
def test_llm_style_input_is_repaired(name, backend):
    width, height, view_box, inside, outside = LLM_CASES[name]
    doc = sanitize((CASES / "llm" / name).read_text())
    assert (doc.width, doc.height) == (width, height)
    assert doc.view_box == view_box
    root = tree(doc)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("viewBox") == " ".join(str(v) for v in view_box)
    labelled = root.xpath("//*[@data-label='red square']")
    assert len(labelled) == 1
    rgba = rasterize(doc, width, height, backend=backend)
    assert_rgba(rgba[inside[1], inside[0]], RED)
    backdrop = (255, 255, 255, 255) if name == "fenced_svg.md" else (0, 0, 0, 0)
    assert_rgba(rgba[outside[1], outside[0]], backdrop, tol=0)


def test_inferred_viewbox_covers_all_content():
    doc = sanitize((CASES / "llm" / "no_size_no_viewbox.svg").read_text())
    rgba = rasterize(doc, 130, 80)
    assert_rgba(rgba[60, 110], (0, 0, 255, 255))              # the blue dot's centre …
    assert rgba[79, 110, 3] > 0 and rgba[60, 129, 3] > 0       # … and its far edges are on the canvas


def test_everything_wrong_at_once_keeps_the_drawing_and_drops_the_rest():
    doc = sanitize((CASES / "llm" / "everything_wrong.txt").read_text())
    low = doc.text.lower()
    assert "script" not in low and "onclick" not in low and "<!--" not in low and "<?xml" not in low
    assert "that's it" not in low and "here's" not in low


def test_fence_without_language_and_inline_fence():
    for text in ('```\n<svg width="4" height="4"><rect width="4" height="4" fill="red"/></svg>\n```',
                 '```<svg width="4" height="4"><rect width="4" height="4" fill="red"/></svg>```',
                 '```xml\n<svg width="4" height="4"><rect width="4" height="4" fill="red"/></svg>\n```'):
        doc = sanitize(text)
        assert "```" not in doc.text
        assert_rgba(pixel(doc, 2, 2), (255, 0, 0, 255))


def test_later_fence_holding_the_svg_is_found():
    text = ('Steps:\n```bash\npip install cairosvg\n```\nThe drawing:\n```svg\n'
            '<svg width="4" height="4"><rect width="4" height="4" fill="red"/></svg>\n```\n')
    assert_rgba(pixel(sanitize(text), 2, 2), (255, 0, 0, 255))


def test_svg_fence_preferred_over_a_code_block_mentioning_svg():
    # a ```svg (or ```xml) block wins over an earlier block that merely mentions <svg>; without one, the first
    # block with an <svg element start (not "<svgwrite", not "svg" in prose)
    text = ('First generate it:\n```python\nprint("<svg>")\n```\nResult:\n```svg\n'
            '<svg width="4" height="4"><rect width="4" height="4" fill="red"/></svg>\n```\n')
    doc = sanitize(text)
    assert tree(doc).xpath("//*[local-name()='rect']")
    text = ('```python\nimport svgwrite  # writes <svgwrite.Drawing>\n```\nThen:\n```\n'
            '<svg width="4" height="4"><rect width="4" height="4" fill="red"/></svg>\n```\n')
    assert tree(sanitize(text)).xpath("//*[local-name()='rect']")


def test_inline_code_mention_before_the_svg():
    doc = sanitize('Here is the `<svg>` you asked for:\n<svg width="4" height="4"><rect width="4" height="4" '
                   'fill="red"/></svg>')
    assert_rgba(pixel(doc, 2, 2, size=(4, 4)), (255, 0, 0, 255))


@pytest.mark.parametrize("text, width, height", [
    ('<svg width="40" height="20"/>', 40, 20),
    ('<svg width="1in" height="10mm"><rect width="1" height="1"/></svg>', 96, 96 / 2.54),
    ('<svg width="20" viewBox="0 0 10 5"><rect width="1" height="1"/></svg>', 20, 10),
    ('<svg height="30" viewBox="0 0 10 5"><rect width="1" height="1"/></svg>', 60, 30),
    ('<svg width="100%" height="100%" viewBox="0 0 10 5"><rect width="1" height="1"/></svg>', 10, 5),
    ('<svg viewBox="0,0,64,32"><rect width="1" height="1"/></svg>', 64, 32),
])
def test_intrinsic_size(text, width, height):
    doc = sanitize(text)
    assert doc.width == pytest.approx(width) and doc.height == pytest.approx(height)


def test_truncated_output_keeps_complete_elements():
    for cut in ('<circle cx="5" cy="5" r="', '<circ', '<g><rect x="0"'):
        doc = sanitize('<svg width="10" height="10"><rect width="10" height="10" fill="red"/>' + cut)
        assert_rgba(pixel(doc, 5, 5), (255, 0, 0, 255))


def test_html_entity_in_text_keeps_the_text():
    # an undefined HTML entity (&nbsp;, common in LLM text) once made the recovering parser drop the rest of the text
    doc = sanitize('<svg width="40" height="10"><text x="0" y="8">A&nbsp;B &copy; C&amp;D</text></svg>')
    assert "".join(tree(doc).itertext()) == "A\u00a0B \u00a9 C&D"


# ---- value normalization, checked on attributes and on pixels -------------------------------------------------------
NORMALIZE = [
    # rect attributes, expected output attributes, expected RGBA at the centre of a 10×10 canvas
    ('fill="#FF8800"', {"fill": "#ff8800"}, (255, 136, 0, 255)),
    ('fill="RED"', {"fill": "#ff0000"}, (255, 0, 0, 255)),
    ('fill="hsl(120, 100%, 25%)"', {"fill": "#008000"}, (0, 128, 0, 255)),
    ('fill="hsl(240deg 100% 50%)"', {"fill": "#0000ff"}, (0, 0, 255, 255)),
    ('fill="hsla(240, 100%, 50%, 0.5)"', {"fill": "#0000ff", "fill-opacity": "0.5"}, (0, 0, 255, 128)),
    ('fill="#F008"', {"fill": "#ff0000", "fill-opacity": "0.533333"}, (255, 0, 0, 136)),
    ('fill="#0000FF80"', {"fill": "#0000ff", "fill-opacity": "0.501961"}, (0, 0, 255, 128)),
    ('fill="#0000FF80" fill-opacity="0.5"', {"fill": "#0000ff", "fill-opacity": "0.25098"}, (0, 0, 255, 64)),
    ('fill="rgb(0 128 0)"', {"fill": "#008000"}, (0, 128, 0, 255)),
    ('fill="rgb(0 128 0 / 50%)"', {"fill": "#008000", "fill-opacity": "0.5"}, (0, 128, 0, 128)),
    ('fill="rgba(0, 128, 0, .25)"', {"fill": "#008000", "fill-opacity": "0.25"}, (0, 128, 0, 64)),
    ('fill="red" opacity="50%"', {"fill": "#ff0000", "opacity": "0.5"}, (255, 0, 0, 128)),
    ('fill="red" fill-opacity="25%"', {"fill": "#ff0000", "fill-opacity": "0.25"}, (255, 0, 0, 64)),
    ('fill="red" opacity="150%"', {"fill": "#ff0000", "opacity": "1"}, (255, 0, 0, 255)),
    ('fill="currentColor" color="hsl(240, 100%, 50%)"', {"fill": "#0000ff"}, (0, 0, 255, 255)),
    ('style="fill: hsl(0 100% 50% / 0.5)"', {"fill": "#ff0000", "fill-opacity": "0.5"}, (255, 0, 0, 128)),
    ('fill="none" stroke="rgba(255,0,0,0.5)" stroke-width="20"', {"stroke": "#ff0000", "stroke-opacity": "0.5"},
     (255, 0, 0, 128)),
    ('fill="transparent"', {"fill": "none"}, (0, 0, 0, 0)),
    ('fill="url(#missing) #00F"', {"fill": "#0000ff"}, (0, 0, 255, 255)),
]


@pytest.mark.parametrize("attrs, expected, rgba", NORMALIZE, ids=[n[0] for n in NORMALIZE])
def test_colour_and_opacity_normalized(attrs, expected, rgba):
    doc = sanitize(f'<svg width="10" height="10"><rect width="10" height="10" {attrs}/></svg>')
    rect = tree(doc)[0]
    for key, value in expected.items():
        assert rect.get(key) == value, (key, dict(rect.attrib))
    assert "style" not in rect.attrib and "color" not in rect.attrib or rect.get("color", "#").startswith("#")
    for backend in BACKENDS:
        assert_rgba(pixel(doc, 5, 5, backend), rgba)


def test_stop_colour_alpha_moves_to_stop_opacity():
    doc = sanitize('<svg width="10" height="10"><defs><linearGradient id="g"><stop offset="0" '
                   'stop-color="hsla(0, 100%, 50%, 0.5)"/><stop offset="100%" stop-color="#FF000080"/>'
                   '</linearGradient></defs><rect width="10" height="10" fill="url(#g)"/></svg>')
    stops = tree(doc).xpath("//*[local-name()='stop']")
    assert [s.get("stop-color") for s in stops] == ["#ff0000", "#ff0000"]
    assert [s.get("stop-opacity") for s in stops] == ["0.5", "0.501961"]
    assert [s.get("offset") for s in stops] == ["0", "1"]
    for backend in BACKENDS:
        assert_rgba(pixel(doc, 5, 5, backend), (255, 0, 0, 128))


@pytest.mark.parametrize("dash", ["4 -2", "-1", "5,-5,5", "0 0", "0"])
def test_invalid_dasharray_draws_solid(dash):
    doc = sanitize(f'<svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="red" stroke-width="10" '
                   f'stroke-dasharray="{dash}"/></svg>')
    assert tree(doc)[0].get("stroke-dasharray") == "none"
    for backend in BACKENDS:
        row = rasterize(doc, 40, 10, backend=backend)[5]
        assert (row[:, 3] == 255).all() and (row[:, 0] == 255).all()


def test_valid_dasharray_kept_and_dashed():
    doc = sanitize('<svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="red" stroke-width="10" '
                   'stroke-dasharray="10, 10"/></svg>')
    assert tree(doc)[0].get("stroke-dasharray") == "10 10"
    row = rasterize(doc, 40, 10)[5, :, 3]
    assert row[5] == 255 and row[15] == 0 and row[25] == 255


@pytest.mark.parametrize("attrs, kept", [
    ('stroke-linejoin="round"', {"stroke-linejoin": "round"}), ('stroke-linejoin="Bevel"', {"stroke-linejoin": "bevel"}),
    ('stroke-linejoin="arcs"', {}), ('stroke-linejoin="miter-clip"', {}), ('stroke-linecap="triangle"', {}),
    ('stroke-linecap="square"', {"stroke-linecap": "square"}), ('stroke-miterlimit="0.5"', {}),
    ('stroke-miterlimit="1"', {"stroke-miterlimit": "1"}),
])
def test_invalid_stroke_keywords_are_dropped(attrs, kept):
    # an invalid value is ignored and the inherited one applies, as browsers do: SVG 2's arcs and miter-clip are drawn
    # by no browser (nor cairo), and a miter limit under 1 is an error
    doc = sanitize(f'<svg width="10" height="10"><g stroke-linejoin="bevel"><path d="M0 0 L5 5 L0 9" stroke="red" '
                   f'{attrs}/></g></svg>')
    path = tree(doc)[0][0]
    assert {k: v for k, v in path.attrib.items() if k.startswith("stroke-")} == kept


@pytest.mark.parametrize("shape, feature", [
    # cairo tests the miter limit after the transform (SVG: before it), so skewed or unevenly scaled mitered
    # corners go to resvg; rotated, evenly scaled, round-joined or unstroked ones stay with cairo
    ('<polygon points="0,0 10,0 5,3" stroke="red" transform="scale(1 3)"/>', True),
    ('<g transform="skewX(20)"><rect width="5" height="5" stroke="red"/></g>', True),
    ('<polygon points="0,0 10,0 5,3" stroke="red" transform="rotate(30) scale(2)"/>', False),
    ('<polygon points="0,0 10,0 5,3" stroke="red" stroke-linejoin="round" transform="scale(1 3)"/>', False),
    ('<polygon points="0,0 10,0 5,3" transform="scale(1 3)"/>', False),
])
def test_skewed_miters_go_to_resvg(shape, feature):
    doc = sanitize(f'<svg width="10" height="10">{shape}</svg>')
    assert ("stroke-skewed-miter" in doc.features) == feature


@pytest.mark.parametrize("d, cap, feature", [
    ("M5 5 Z", "round", True), ("M5 5 L5 5", "square", True), ("M1 1 L9 9 M5 5 Z", "round", True),
    ("M5 5 Z", "butt", False), ("M1 1 L9 9", "round", False), ("M5 5", "round", False),
])
def test_zero_length_subpaths_with_caps_go_to_resvg(d, cap, feature):
    # SVG draws a dot (round or square) for a zero-length subpath; cairo draws no square dot and no "M x y Z" one
    doc = sanitize(f'<svg width="10" height="10"><path d="{d}" stroke="red" stroke-width="4" '
                   f'stroke-linecap="{cap}"/></svg>')
    assert ("zero-length-cap" in doc.features) == feature
    if feature:
        assert rasterize(doc, 10, 10)[5, 5, 3] == 255


@pytest.mark.parametrize("transform, origin, inside, outside", [
    # a 20×20 square at 40..60 in a 100×100 canvas
    ("rotate(45)", "50 50", [(50, 40), (50, 50), (61, 50)], [(41, 41), (58, 58), (30, 50)]),
    ("rotate(45)", "50px 50px", [(50, 40), (61, 50)], [(41, 41)]),
    ("scale(2)", "center", [(32, 32), (68, 68)], [(28, 28), (72, 50)]),
    ("scale(2)", "50% 50%", [(32, 32), (68, 68)], [(28, 28), (72, 50)]),
    ("scale(2)", "left top", [(85, 85)], [(75, 75)]),
    ("scale(0.5)", "right bottom", [(72, 72), (79, 79)], [(68, 68), (50, 50)]),
    ("rotate(90)", "40 40", [(25, 45), (38, 58)], [(50, 50)]),
])
def test_transform_origin_folded_into_the_transform(transform, origin, inside, outside):
    for how in (f'transform-origin="{origin}"', f'style="transform-origin: {origin}"'):
        doc = sanitize(f'<svg width="100" height="100"><rect x="40" y="40" width="20" height="20" fill="red" '
                       f'transform="{transform}" {how}/></svg>')
        rect = tree(doc)[0]
        assert "transform-origin" not in rect.attrib and "style" not in rect.attrib
        assert rect.get("transform").startswith("matrix(")
        for backend in BACKENDS:
            rgba = rasterize(doc, 100, 100, backend=backend)
            for x, y in inside:
                assert_rgba(rgba[y, x], (255, 0, 0, 255))
            for x, y in outside:
                assert rgba[y, x, 3] == 0, (how, backend, (x, y))


def test_transform_origin_without_transform_is_dropped():
    doc = sanitize('<svg width="10" height="10"><rect width="5" height="5" transform-origin="5 5"/></svg>')
    assert dict(tree(doc)[0].attrib) == {"width": "5", "height": "5"}


def test_units_become_user_units():
    doc = sanitize('<svg width="200" height="100" viewBox="0 0 200 100"><rect x="10%" y="50%" width="1in" '
                   'height="12pt" stroke-width="2mm" rx="0.5em"/><text font-size="2em" x="1cm" y="5">t</text></svg>')
    rect, text = tree(doc)
    assert (rect.get("x"), rect.get("y"), rect.get("width"), rect.get("height")) == ("20", "50", "96", "16")
    assert float(rect.get("stroke-width")) == pytest.approx(96 / 25.4 * 2, abs=1e-5)
    assert rect.get("rx") == "8"
    assert text.get("font-size") == "32" and float(text.get("x")) == pytest.approx(96 / 2.54, abs=1e-5)


def test_rect_radius_clamped_and_negative_sizes_dropped():
    doc = sanitize('<svg width="10" height="10"><rect width="10" height="4" rx="9"/><rect width="-1" height="5"/>'
                   '<circle r="-2"/><ellipse rx="3"/></svg>')
    children = list(tree(doc))
    assert [local(c) for c in children] == ["rect", "ellipse"]
    assert (children[0].get("rx"), children[0].get("ry")) == ("5", "2")
    assert (children[1].get("rx"), children[1].get("ry")) == ("3", "3")


# ---- idempotence ----------------------------------------------------------------------------------------------------
INLINE = [
    '<svg width="10" height="10"><rect width="10" height="10" ' + attrs + '/></svg>' for attrs, _, _ in NORMALIZE
] + [
    '<svg width="100" height="100"><rect x="40" y="40" width="20" height="20" transform="rotate(45)" '
    'transform-origin="center"/></svg>',
    '<svg><rect x="10%" y="10" width="5em" height="2in" fill="hsl(10 50% 50%)"/><text x="1 2 3">abc</text></svg>',
    '<svg width="10" height="10"><use href="#nothing"/><a href="http://x/"><rect width="1" height="1"/></a></svg>',
    '<svg width="10" height="10"><line x2="10" stroke="red" stroke-dasharray="4 -2"/></svg>',
]
ALL_FILES = sorted(p for p in CASES.rglob("*") if p.is_file())


@pytest.mark.parametrize("text", [p.read_text() for p in ALL_FILES] + INLINE,
                         ids=[str(p.relative_to(CASES)) for p in ALL_FILES] + [f"inline{i}" for i in range(len(INLINE))])
def test_sanitize_is_idempotent(text):
    once = sanitize(text)
    twice = sanitize(once.text)
    assert twice.text == once.text
    assert (twice.width, twice.height, twice.view_box) == (once.width, once.height, once.view_box)
    assert sanitize(once) is once


def test_corpus_is_large_enough():
    assert len(ALL_FILES) >= 30


# ---- errors ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, word", [
    ("", "empty"),
    ("   \n ", "empty"),
    ("Sorry, I cannot draw that.", "no <svg>"),
    ("<html><body>hi</body></html>", "no <svg>"),
    (b"\xff\xfe<svg/>", "utf-8"),
    ('<svg viewBox="0 0 nan 1e999"/>', "non-finite"),
    ("<svg>" + "<g>" * 100 + "</svg>", "nesting"),
    ('<svg><rect width="1e9" height="1"/></svg>', "too large"),
    ('<svg><polygon points="0 0 1e999 1 2 2"/></svg>', "non-finite"),
    ('<svg><rect width="10" height="10" transform="scale(1e7)"/></svg>', "too large"),
    ('<svg width="1e999" height="10"/>', "non-finite"),
    ("<svg>" + '<rect width="1" height="1"/>' * 20_001 + "</svg>", "too many elements"),
    ("x" * 4_000_001, "too large"),
    (12, "expected svg text"),
    (None, "expected svg text"),
    ('<svg><defs><g id="a"><rect width="1" height="1"/><rect width="1" height="1"/></g>'
     '<g id="b"><use href="#a"/><use href="#a"/><use href="#a"/><use href="#a"/></g>'
     '<g id="c"><use href="#b"/><use href="#b"/><use href="#b"/><use href="#b"/></g>'
     '<g id="d"><use href="#c"/><use href="#c"/><use href="#c"/><use href="#c"/></g></defs>'
     + '<use href="#d"/>' * 400 + "</svg>", "too many"),
])
def test_errors_are_one_line(bad, word):
    with pytest.raises(SVGError) as info:
        sanitize(bad)
    message = str(info.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert word in message.lower()


def test_limits_are_respected():
    small = Limits(max_elements=5)
    sanitize('<svg><rect width="1" height="1"/><rect width="1" height="1"/></svg>', small)
    with pytest.raises(SVGError, match="too many elements"):
        sanitize("<svg>" + '<rect width="1" height="1"/>' * 10 + "</svg>", small)


# ---- <use> of a <symbol> with a viewBox and no (or percentage) width/height -----------------------------------------
# a percentage width/height on the <use> is of the viewport (it was once read as 100 % whatever the number)
@pytest.mark.parametrize("size", ["", 'width="100%" height="100%"', 'width="50%" height="50%"'])
def test_use_of_symbol_with_default_or_percent_size(size):
    doc = sanitize('<svg width="200" height="200" viewBox="0 0 200 200"><defs><symbol id="s" viewBox="0 0 10 10">'
                   f'<rect width="5" height="5" fill="red"/></symbol></defs><use href="#s" {size}/></svg>')
    side = 50 if "50%" in size else 100  # the 5×5 rect is the top-left quarter of the use's viewport
    alpha = rasterize(doc, 200, 200)[..., 3]
    assert alpha[side - 5, side - 5] == 255 and alpha[side + 5, side + 5] == 0
    assert alpha[:side, :side].min() == 255


# ---- CSS ------------------------------------------------------------------------------------------------------------
CSS_DOC = '''<svg xmlns="http://www.w3.org/2000/svg" width="60" height="10"><defs><style>
rect { fill: blue }
.a { fill: green }
#b { fill: purple }
g rect.c { fill: orange }
@media (min-width: 0px) { .e { fill: black } }
</style></defs>
<rect x="0" width="10" height="10" fill="yellow"/>
<rect class="a" x="10" width="10" height="10" fill="yellow"/>
<rect class="a" id="b" x="20" width="10" height="10"/>
<g><rect class="c a" x="30" width="10" height="10"/></g>
<rect class="a" x="40" width="10" height="10" style="fill: #ff00ff"/>
<rect class="e" x="50" width="10" height="10"/>
</svg>'''


def test_css_folded_into_attributes_with_cascade_order():
    doc = sanitize(CSS_DOC)
    assert "<style" not in doc.text and "@media" not in doc.text
    fills = [el.get("fill") for el in tree(doc).iter(f"{{{SVG_NS}}}rect")]
    # CSS beats presentation attributes; specificity id > class > type; descendant selectors; style="" wins;
    # @media rules are dropped (not applied)
    assert fills == ["#0000ff", "#008000", "#800080", "#ffa500", "#ff00ff", "#0000ff"]
    rgba = rasterize(doc, 60, 10)
    assert [tuple(int(v) for v in rgba[5, x, :3]) for x in range(5, 60, 10)] == [
        (0, 0, 255), (0, 128, 0), (128, 0, 128), (255, 165, 0), (255, 0, 255), (0, 0, 255)]


def test_css_important_beats_inline_style():
    # the cascade: a <style> rule marked !important beats a plain style="" declaration; an important inline one
    # beats it; among important rules specificity still counts
    doc = sanitize('<svg width="10" height="10"><style>rect { fill: red !important }</style>'
                   '<rect width="10" height="10" style="fill: blue"/></svg>')
    assert tree(doc)[0].get("fill") == "#ff0000"
    doc = sanitize('<svg width="10" height="10"><style>rect { fill: red !important } #a { fill: lime !important }'
                   ' .b { stroke: red !important; stroke-width: 3 }</style>'
                   '<rect width="10" height="10" style="fill: blue !important"/>'
                   '<rect id="a" class="b" width="10" height="10" style="fill: blue; stroke-width: 1"/></svg>')
    first, second = tree(doc)
    assert first.get("fill") == "#0000ff"
    assert (second.get("fill"), second.get("stroke"), second.get("stroke-width")) == ("#00ff00", "#ff0000", "1")
